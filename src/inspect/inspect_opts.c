/*
 * inspect_opts.c - options as getopt_long reads them.
 */
#include <stdio.h>
#include <string.h>

#include "inspect_opts.h"

static int
in_list(const char *list, const char *name, size_t n)
{
    for (const char *p = list; p && *p;) {
        p += strspn(p, " ");
        size_t k = strcspn(p, " ");
        if (k == n && !memcmp(p, name, n))
            return 1;
        p += k;
    }
    return 0;
}

/* The short letter a long option stands for, or the long name itself. */
static void
canonical(const struct inspect_optspec *s, const char *name, size_t n, char *out, size_t cap)
{
    for (const char *p = s->aliases; p && *p;) {
        p += strspn(p, " ");
        size_t k = strcspn(p, "=");
        if (k == n && !memcmp(p, name, n) && p[k] == '=') {
            snprintf(out, cap, "%.*s", (int)strcspn(p + k + 1, " "), p + k + 1);
            return;
        }
        p += strcspn(p, " ");
    }
    snprintf(out, cap, "%.*s", (int)n, name);
}

static void
add(struct inspect_opts *o, const char *name, size_t n, const char *value,
    const struct inspect_optspec *s)
{
    if (o->n == INSPECT_MAX_OPTS) {
        o->truncated = 1;
        return;
    }
    struct inspect_opt *k = &o->v[o->n++];
    canonical(s, name, n, k->name, sizeof(k->name));
    k->value = value;
}

void
inspect_opts_parse(char *const *argv, size_t argc, const struct inspect_optspec *s,
                   struct inspect_opts *o)
{
    o->n = o->noperands = 0; /* not the arrays: only what is set is read */
    o->truncated = 0;
    int ended = 0;
    for (size_t i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (ended || a[0] != '-' || a[1] == '\0') {
            if (o->noperands < INSPECT_MAX_OPTS)
                o->operands[o->noperands++] = i;
            else
                o->truncated = 1;
            if (s->posix)
                ended = 1;
            continue;
        }
        if (!strcmp(a, "--")) {
            ended = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            const char *val = eq ? eq + 1 : NULL;
            if (!eq && i + 1 < argc &&
                (in_list(s->arglong, name, n) ||
                 (s->longall && !in_list(s->longbool, name, n) && argv[i + 1][0] != '-')))
                val = argv[++i];
            add(o, name, n, val, s);
            continue;
        }
        for (const char *p = a + 1; *p; p++) {
            if (s->argshort && strchr(s->argshort, *p)) {
                const char *val = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
                add(o, p, 1, val, s);
                break;
            }
            add(o, p, 1, NULL, s);
        }
    }
}

const struct inspect_opt *
inspect_opt_get(const struct inspect_opts *o, const char *name)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].name, name))
            return &o->v[i];
    return NULL;
}
