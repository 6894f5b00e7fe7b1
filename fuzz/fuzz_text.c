/*
 * Fuzz target: text written for people (inspect_text.h): every snippet
 * lies inside the input and is non-empty; then the whole inspection of the
 * input as text (inspect.h: snippets through the shell rules, secrets and
 * personal data) and as a command, and every finding's span and excerpt;
 * and the input as SQL statements and as a policy document (inspect_embed.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect.h"
#include "../src/inspect/inspect_embed.h"
#include "../src/inspect/inspect_report.h"
#include "../src/inspect/inspect_text.h"

static int
statement(const char *s, void *arg)
{
    size_t *n = arg;
    if (strlen(s) >= INSPECT_MAX_STATEMENT)
        __builtin_trap();
    ++*n;
    /* GRANT and REVOKE read: every grantee a non-empty text of the buffer */
    char buf[4096];
    struct inspect_sql_grant g;
    if (inspect_sql_grant(s, buf, sizeof(buf), &g)) {
        if (!g.ngrantees || g.ngrantees > INSPECT_MAX_SQL_GRANTEES || !g.privileges || !g.object)
            __builtin_trap();
        for (size_t i = 0; i < g.ngrantees; i++)
            if (!*g.grantees[i] || g.grantees[i] < buf || g.grantees[i] >= buf + sizeof(buf))
                __builtin_trap();
    }
    return 0;
}

static void
check(const struct inspect_list *l, const char *t, size_t size)
{
    char ex[INSPECT_MAX_EXCERPT + 8];
    if (l->n > INSPECT_MAX_FINDINGS)
        __builtin_trap();
    for (size_t i = 0; i < l->n; i++) {
        const struct inspect_finding *f = &l->v[i];
        if (f->off > f->end || f->end > size || !inspect_category_valid(f->category) ||
            inspect_severity_rank(f->severity) < 0)
            __builtin_trap();
        if (inspect_excerpt(f, t, size, ex, sizeof(ex)) > INSPECT_MAX_EXCERPT + 3)
            __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    struct inspect_snippets s;
    if (inspect_text_snippets(t, size, &s) == 0) {
        for (size_t i = 0; i < s.n; i++)
            if (s.v[i].len == 0 || (size_t)s.v[i].off + s.v[i].len > size)
                __builtin_trap();
        inspect_snippets_release(&s);
    }
    size_t statements = 0;
    inspect_sql_each(t, size, statement, &statements);
    (void)inspect_policy_public(t, size);
    static struct inspect *in;
    char err[256];
    if (!in && inspect_open(&in, NULL, NULL, err, sizeof(err)))
        __builtin_trap();
    struct inspect_list l;
    if (inspect_list_init(&l))
        return 0;
    inspect_run(in, INSPECT_TEXT, t, size, &l);
    check(&l, t, size);
    l.n = 0;
    l.full = 0;
    inspect_run(in, INSPECT_COMMAND, t, size, &l);
    check(&l, t, size);
    inspect_list_release(&l);
    return 0;
}
