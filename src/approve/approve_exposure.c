/*
 * approve_exposure.c - exposure keys.
 */
#include <stdio.h>
#include <string.h>

#include "approve_exposure.h"

struct word {
    const char *p;
    size_t n;
};

static size_t
split(const char *s, size_t n, struct word *w)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < APPROVE_MAX_WORDS;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t a = i;
        while (i < n && s[i] != ' ' && s[i] != '\t')
            i++;
        /* Quotes around a word (or a quoted word's parts) do not change
         * its target. */
        size_t b = i;
        if (b > a && (s[a] == '\'' || s[a] == '"'))
            a++;
        if (b > a && (s[b - 1] == '\'' || s[b - 1] == '"'))
            b--;
        if (b > a)
            w[k++] = (struct word){s + a, b - a};
    }
    return k;
}

static int
is(const struct word *w, const char *s)
{
    return w->n == strlen(s) && !memcmp(w->p, s, w->n);
}

static int
starts(const struct word *w, const char *s)
{
    return w->n >= strlen(s) && !memcmp(w->p, s, strlen(s));
}

/* Options whose value names the resource acted on. */
static int
resource_option(const struct word *w)
{
    static const char *const opts[] = {"--bucket",
                                       "--name",
                                       "--db-instance-identifier",
                                       "--function-name",
                                       "--group-id",
                                       "--image-id",
                                       "--snapshot-id",
                                       "--role-name",
                                       "--user-name",
                                       "--cluster",
                                       "--resource",
                                       "--instance-name",
                                       NULL};
    for (size_t i = 0; opts[i]; i++)
        if (is(w, opts[i]))
            return 1;
    return 0;
}

static int
reads_only(const struct word *w, size_t k)
{
    static const char *const verbs[] = {"get",  "describe", "list",    "ls",   "show", "cat",
                                        "stat", "view",     "inspect", "head", "tail", NULL};
    for (size_t i = 0; i < k && i < 4; i++)
        for (size_t j = 0; verbs[j]; j++)
            if (is(&w[i], verbs[j]) || (starts(&w[i], verbs[j]) && w[i].n > strlen(verbs[j]) &&
                                        w[i].p[strlen(verbs[j])] == '-'))
                return 1;
    return 0;
}

/* A chmod mode that takes from the group or others and gives them no
 * write (or, for a symbolic mode, nothing at all): "750", "o-rwx",
 * "go=rx".  "u+w" takes nothing from anyone: it narrows nothing. */
static int
mode_narrows(const struct word *m)
{
    size_t digits = 0;
    while (digits < m->n && m->p[digits] >= '0' && m->p[digits] <= '7')
        digits++;
    if (m->n >= 3 && m->n <= 4 && digits == m->n) {
        char g = m->p[m->n - 2], o = m->p[m->n - 1];
        return !((g - '0') & 2) && !((o - '0') & 2);
    }
    int takes = 0;
    for (size_t i = 0; i < m->n;) {
        size_t a = i;
        while (i < m->n && strchr("ugoa", m->p[i]))
            i++;
        int others = i == a || memchr(m->p + a, 'g', i - a) || memchr(m->p + a, 'o', i - a) ||
                     memchr(m->p + a, 'a', i - a);
        if (i >= m->n || !strchr("+-=", m->p[i]))
            return 0; /* not a mode this reads */
        char op = m->p[i++];
        size_t b = i;
        while (i < m->n && strchr("rwxXst", m->p[i]))
            i++;
        int w = memchr(m->p + b, 'w', i - b) != NULL;
        if (others && (op == '+' || (op == '=' && w)))
            return 0; /* gives the group or others something */
        takes |= others && (op == '-' || op == '=');
        if (i < m->n && m->p[i] != ',')
            return 0;
        i += i < m->n;
    }
    return takes;
}

/* Whether a command with the key of an open exposure reverts what it
 * widened, rather than merely touching the same target: chmod with a
 * narrowing mode; anything else with a word that says it takes away. */
static int
narrows(const struct word *w, size_t k)
{
    static const char *const words[] = {"private",
                                        "bucket-owner-full-control",
                                        "projectPrivate",
                                        "revoke",
                                        "REVOKE",
                                        "delete",
                                        "remove",
                                        "-d",
                                        "-D",
                                        "-x",
                                        "-b",
                                        "--remove-all",
                                        "--remove-default",
                                        "deny",
                                        "--no-publicly-accessible",
                                        "--no-allow-unauthenticated",
                                        "put-public-access-block",
                                        "--delete",
                                        "--remove",
                                        "--remove-port",
                                        "--remove-service",
                                        "off",
                                        "none",
                                        NULL};
    static const char *const prefixes[] = {"remove-", "revoke-", "delete-", "--remove-",
                                           "--no-",   "detach-", NULL};
    const char *base = memrchr(w[0].p, '/', w[0].n);
    size_t skip = base ? (size_t)(base + 1 - w[0].p) : 0;
    struct word cmd = {w[0].p + skip, w[0].n - skip};
    if (is(&cmd, "chmod")) {
        for (size_t i = 1; i < k; i++) {
            if (w[i].p[0] == '-' && w[i].n > 1 && !strchr("rwxXst", w[i].p[1]))
                continue; /* an option: -R, -f, --recursive */
            return mode_narrows(&w[i]);
        }
        return 0;
    }
    for (size_t i = 1; i < k; i++) {
        for (size_t j = 0; words[j]; j++)
            if (is(&w[i], words[j]))
                return 1;
        for (size_t j = 0; prefixes[j]; j++)
            if (starts(&w[i], prefixes[j]))
                return 1;
    }
    return 0;
}

int
approve_exposure_key(const char *cmd, size_t n, int narrowing, char *key, size_t cap)
{
    struct word w[APPROVE_MAX_WORDS];
    size_t k = split(cmd, n, w), c = 0;
    /* The command after the wrappers that do not change it. */
    while (c < k && (is(&w[c], "sudo") || is(&w[c], "doas") || is(&w[c], "command") ||
                     is(&w[c], "exec") || memchr(w[c].p, '=', w[c].n)))
        c++;
    if (k - c < 2 || (narrowing && (reads_only(w + c, k - c) || !narrows(w + c, k - c))))
        return -1;
    const struct word *target = NULL;
    for (size_t i = c + 1; i + 1 < k && !target; i++)
        if (resource_option(&w[i]))
            target = &w[i + 1];
    for (size_t i = k; i-- > c + 1 && !target;)
        if (memchr(w[i].p, '/', w[i].n) && w[i].p[0] != '-')
            target = &w[i];
    for (size_t i = k; i-- > c + 1 && !target;)
        if (w[i].p[0] != '-')
            target = &w[i];
    if (!target)
        return -1;
    const char *base = memrchr(w[c].p, '/', w[c].n);
    size_t skip = base ? (size_t)(base + 1 - w[c].p) : 0;
    int len = snprintf(key, cap, "%.*s %.*s", (int)(w[c].n - skip), w[c].p + skip, (int)target->n,
                       target->p);
    return len > 0 && (size_t)len < cap ? 0 : -1;
}

void
approve_each_command(const char *text, size_t n, void (*fn)(void *, const char *, size_t),
                     void *arg)
{
    size_t a = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !strchr(";&|\n", text[i]))
            continue;
        if (i > a)
            fn(arg, text + a, i - a);
        a = i + 1;
    }
}
