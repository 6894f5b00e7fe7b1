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
    static const char *const opts[] = {"--bucket", "--name", "--db-instance-identifier",
                                       "--function-name", "--group-id", "--image-id",
                                       "--snapshot-id", "--role-name", "--user-name",
                                       "--cluster", "--resource", "--instance-name", NULL};
    for (size_t i = 0; opts[i]; i++)
        if (is(w, opts[i]))
            return 1;
    return 0;
}

static int
reads_only(const struct word *w, size_t k)
{
    static const char *const verbs[] = {"get", "describe", "list", "ls", "show", "cat", "stat",
                                        "view", "inspect", "head", "tail", NULL};
    for (size_t i = 0; i < k && i < 4; i++)
        for (size_t j = 0; verbs[j]; j++)
            if (is(&w[i], verbs[j]) || (starts(&w[i], verbs[j]) && w[i].n > strlen(verbs[j]) &&
                                        w[i].p[strlen(verbs[j])] == '-'))
                return 1;
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
    if (k - c < 2 || (narrowing && reads_only(w + c, k - c)))
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
    int len = snprintf(key, cap, "%.*s %.*s", (int)(w[c].n - skip), w[c].p + skip,
                       (int)target->n, target->p);
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
