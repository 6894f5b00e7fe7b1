/*
 * inspect_embed.c - SQL statements and policy documents in arguments.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect_embed.h"

struct stmt {
    char *b;
    size_t n, cap;
    int space; /* a blank is pending */
};

static void
put(struct stmt *s, char c)
{
    if (isspace((unsigned char)c)) {
        s->space = s->n > 0;
        return;
    }
    if (s->n + 2 >= s->cap)
        return; /* beyond INSPECT_MAX_STATEMENT: the rest is not looked at */
    if (s->space)
        s->b[s->n++] = ' ';
    s->space = 0;
    s->b[s->n++] = c;
}

static int
flush(struct stmt *s, int (*fn)(const char *, void *), void *arg)
{
    int rc = 0;
    s->b[s->n] = '\0';
    if (s->n)
        rc = fn(s->b, arg);
    s->n = 0;
    s->space = 0;
    return rc;
}

int
inspect_sql_each(const char *t, size_t len, int (*fn)(const char *stmt, void *arg), void *arg)
{
    struct stmt s = {.cap = len + 2 < INSPECT_MAX_STATEMENT ? len + 2 : INSPECT_MAX_STATEMENT};
    if (!(s.b = malloc(s.cap)))
        return -1;
    char quote = 0;
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        char c = t[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            s.b[s.n < s.cap - 2 ? s.n++ : s.n] = c; /* literals kept as written */
            continue;
        }
        if (c == '-' && i + 1 < len && t[i + 1] == '-') {
            while (i < len && t[i] != '\n')
                i++;
            put(&s, ' ');
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(t[i] == '*' && t[i + 1] == '/'); i++)
                ;
            i++; /* at the closing /, or past the end */
            put(&s, ' ');
        } else if (c == ';') {
            rc = flush(&s, fn, arg);
        } else {
            if (c == '\'' || c == '"' || c == '`')
                quote = c;
            put(&s, c);
        }
    }
    if (!rc)
        rc = flush(&s, fn, arg);
    free(s.b);
    return rc;
}

/* "*", ["*", ...], {"AWS": "*"}, {"AWS": ["*"]}: anyone. */
static int
anyone(const json_t *p)
{
    size_t i;
    const char *k;
    json_t *v;
    if (json_is_string(p))
        return !strcmp(json_string_value(p), "*");
    if (json_is_array(p)) {
        json_array_foreach(p, i, v)
            if (anyone(v))
                return 1;
        return 0;
    }
    if (json_is_object(p)) {
        json_object_foreach((json_t *)p, k, v)
            if (anyone(v))
                return 1;
    }
    return 0;
}

static int
statement_public(const json_t *st)
{
    const char *effect = json_string_value(json_object_get(st, "Effect"));
    return effect && !strcasecmp(effect, "Allow") && !json_object_get(st, "Condition") &&
           anyone(json_object_get(st, "Principal"));
}

int
inspect_policy_public(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i == len || text[i] != '{')
        return 0;
    json_t *doc = json_loadb(text + i, len - i, 0, NULL);
    const json_t *st = json_object_get(doc, "Statement");
    int pub = 0;
    size_t k;
    json_t *one;
    if (json_is_object(st))
        pub = statement_public(st);
    json_array_foreach(st, k, one)
        pub |= statement_public(one);
    json_decref(doc);
    return pub;
}
