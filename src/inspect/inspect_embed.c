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

/* ---- GRANT and REVOKE ---- */

/* The first " WORD " of s outside quotes, any case: its offset, or -1. */
static long
keyword(const char *s, const char *word)
{
    size_t n = strlen(word);
    char q = 0;
    for (size_t i = 0; s[i]; i++) {
        if (q) {
            q = s[i] == q ? 0 : q;
            continue;
        }
        if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
            q = s[i];
            continue;
        }
        if ((i == 0 || s[i - 1] == ' ') && !strncasecmp(s + i, word, n) &&
            (s[i + n] == ' ' || s[i + n] == '\0'))
            return (long)i;
    }
    return -1;
}

static char *
trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == ';'))
        s[--n] = '\0';
    return s;
}

/* Split list (in place) at commas outside quotes into g's grantees. */
static void
split_grantees(char *list, struct inspect_sql_grant *g)
{
    char q = 0, *start = list;
    for (char *p = list;; p++) {
        if (*p && q) {
            q = *p == q ? 0 : q;
            continue;
        }
        if (*p == '\'' || *p == '"' || *p == '`') {
            q = *p;
            continue;
        }
        if (*p && *p != ',')
            continue;
        int end = !*p;
        *p = '\0';
        char *w = trim(start);
        size_t n = strlen(w);
        if (n >= 2 && (w[0] == '"' || w[0] == '`') && w[n - 1] == w[0]) {
            w[n - 1] = '\0';
            w++;
        }
        if (!strncasecmp(w, "GROUP ", 6)) /* PostgreSQL's old GROUP name */
            w = trim(w + 6);
        if (!strcasecmp(w, "PUBLIC"))
            memcpy(w, "PUBLIC", 6);
        if (*w && g->ngrantees < INSPECT_MAX_SQL_GRANTEES)
            g->grantees[g->ngrantees++] = w;
        else if (*w)
            g->more = 1; /* the caller counts them as of unknown breadth */
        if (end)
            return;
        start = p + 1;
    }
}

int
inspect_sql_grant(const char *stmt, char *buf, size_t cap, struct inspect_sql_grant *g)
{
    memset(g, 0, sizeof(*g));
    size_t n = strlen(stmt);
    if (n >= cap)
        return 0;
    memcpy(buf, stmt, n + 1);
    char *s = trim(buf);
    if (!strncasecmp(s, "GRANT ", 6))
        s += 6;
    else if (!strncasecmp(s, "REVOKE ", 7))
        s += 7, g->revoke = 1;
    else
        return 0;
    long to = keyword(s, g->revoke ? "FROM" : "TO");
    if (to < 0)
        return 0;
    s[to] = '\0';
    char *who = s + to + (g->revoke ? 5 : 3);
    long on = keyword(s, "ON");
    if (on >= 0) {
        s[on] = '\0';
        g->object = trim(s + on + 3);
    } else {
        g->object = "";
    }
    /* Only the grantees: WITH GRANT OPTION, IDENTIFIED BY, GRANTED BY ... */
    const char *const tails[] = {"WITH",     "IDENTIFIED", "GRANTED", "CASCADE",
                                 "RESTRICT", "REQUIRE",    "AS"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(*tails); i++) {
        long k = keyword(who, tails[i]);
        if (k >= 0)
            who[k] = '\0';
    }
    g->privileges = trim(s);
    split_grantees(who, g);
    return g->ngrantees > 0 && *g->privileges;
}
