/*
 * inspect_access: the access-change model on data (tests/data/inspect-access.txt):
 * every grammar, document and spelling gives the access change a person
 * would read off it (change, breadth, privilege, object), with and without
 * the operator's organization; the severity table's promises; the access
 * table refuses what is malformed; its limits, the documents' and the
 * interpreters', each crossed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/defaults/defaults.h"
#include "../src/inspect/inspect.h"
#include "../src/inspect/inspect_access.h"
#include "../src/inspect/inspect_doc.h"
#include "../src/inspect/inspect_embed.h"
#include "../src/inspect/inspect_rules.h"
#include "test_util.h"

static struct inspect *in;
static struct inspect_list l;

static int
setup(void **state)
{
    (void)state;
    char err[256];
    return inspect_open(&in, NULL, NULL, err, sizeof(err)) || inspect_list_init(&l);
}

static int
teardown(void **state)
{
    (void)state;
    inspect_list_release(&l);
    inspect_close(in);
    return 0;
}

/* The widest access change of text, as "RULE change breadth privilege
 * kind:object", or "-". */
static void
widest(const char *text, char *out, size_t cap)
{
    enum inspect_kind kind = INSPECT_COMMAND;
    if (!strncmp(text, "md:", 3))
        kind = INSPECT_TEXT, text += 3;
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, kind, text, strlen(text), &l), 0);
    const struct inspect_finding *best = NULL;
    for (size_t i = 0; i < l.n; i++) {
        const struct inspect_access *a = &l.v[i].access;
        if (a->change && (!best || inspect_breadth_rank(a->breadth) >
                                       inspect_breadth_rank(best->access.breadth)))
            best = &l.v[i];
    }
    if (!best) {
        snprintf(out, cap, "-");
        return;
    }
    const struct inspect_access *a = &best->access;
    snprintf(out, cap, "%s %s %s %s %s:%s", best->rule, a->change, *a->breadth ? a->breadth : "-",
             *a->privilege ? a->privilege : "-", a->kind, a->object);
}

static void
set_org(char *line)
{
    const char *d[32], *g[32];
    size_t nd = 0, ng = 0;
    char err[256];
    char *domains = line + 7, *groups = strchr(domains, '\t');
    if (groups)
        *groups++ = '\0';
    if (strcmp(domains, "-"))
        for (char *p = strtok(domains, ","); p && nd < 32; p = strtok(NULL, ","))
            d[nd++] = p;
    for (char *p = groups ? strtok(groups, ",") : NULL; p && ng < 32; p = strtok(NULL, ","))
        g[ng++] = p;
    assert_int_equal(inspect_set_org(in, d, nd, g, ng, err, sizeof(err)), 0);
}

static void
test_cases(void **state)
{
    (void)state;
    char path[512], line[8192], got[1024];
    snprintf(path, sizeof(path), "%s/../tests/data/inspect-access.txt", tu_build_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: cannot open", path);
    int cases = 0, failed = 0, lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (!strncmp(line, "config ", 7)) {
            set_org(line);
            continue;
        }
        char *want = strchr(line, '\t');
        if (!want)
            fail_msg("inspect-access.txt:%d: no tab", lineno);
        *want++ = '\0';
        tu_unescape(line, line);
        widest(line, got, sizeof(got));
        cases++;
        if (strcmp(got, want)) {
            failed++;
            fprintf(stderr, "inspect-access.txt:%d: %s\n  want: %s\n  got:  %s\n", lineno, line,
                    want, got);
        }
    }
    fclose(f);
    printf("access cases: %d, %d differ\n", cases, failed);
    assert_true(cases >= 60);
    assert_int_equal(failed, 0);
    char err[8];
    assert_int_equal(inspect_set_org(in, NULL, 0, NULL, 0, err, sizeof(err)), 0);
}

/* The severity table's promises (docs/inspect.md). */
static void
test_severity(void **state)
{
    (void)state;
    const struct {
        const char *cmd, *severity;
    } v[] = {
        /* one named person: information, the right fix */
        {"gsutil iam ch user:dana@acme.example:objectViewer gs://user-data-exports", "low"},
        /* a broad group on user data: a person must look */
        {"gsutil iam ch group:all-employees@acme.example:objectViewer gs://user-data-exports",
         "high"},
        {"gsutil iam ch group:all-employees@acme.example:objectViewer gs://build-cache", "medium"},
        {"gsutil iam ch group:all-employees@acme.example:objectAdmin gs://user-data-exports",
         "critical"},
        /* the whole organization, everyone signed in, the public */
        {"gsutil iam ch domain:acme.example:objectViewer gs://build-cache", "high"},
        {"gsutil iam ch allAuthenticatedUsers:objectViewer gs://customer-backups", "critical"},
        {"gsutil iam ch allUsers:objectViewer gs://build-cache", "high"},
        {"gsutil iam ch allUsers:objectViewer gs://acme-user-exports", "critical"},
        /* taking access away */
        {"gsutil iam ch -d allUsers gs://acme-user-exports", "low"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
        l.n = 0;
        l.full = 0;
        assert_int_equal(inspect_run(in, INSPECT_COMMAND, v[i].cmd, strlen(v[i].cmd), &l), 0);
        const char *sev = NULL;
        for (size_t k = 0; k < l.n; k++)
            if (l.v[k].access.change)
                sev = l.v[k].severity;
        if (!sev || strcmp(sev, v[i].severity))
            fail_msg("%s: severity %s, want %s", v[i].cmd, sev ? sev : "(no access change)",
                     v[i].severity);
    }
}

static void
test_tables(void **state)
{
    (void)state;
    const struct {
        const char *table, *why;
    } bad[] = {
        {"severity\t*\t*\t*\t*\tlow\nbreadth\t/x/\twide\n", "line 2: breadth takes"},
        {"severity\t*\tsome\t*\t*\tlow\n", "line 1: unknown breadth"},
        {"severity\t*\t*\t*\tmaybe\tlow\n", "line 1: SENSITIVE"},
        {"severity\tborrow\t*\t*\t*\tlow\n", "line 1: unknown change"},
        {"severity\t*\t*\t*\t*\tlow\nfrobnicate\tx\n", "line 2: a line that is not"},
        {"options\taws\n", "line 1: options takes"},
        {"breadth\t/x/\tpublic\n", "no severity lines"},
    };
    struct inspect_access_tables *t;
    char err[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(
            inspect_access_load(&t, bad[i].table, strlen(bad[i].table), err, sizeof(err)), -1);
        if (!strstr(err, bad[i].why))
            fail_msg("table %zu: %s (want %s)", i, err, bad[i].why);
    }
    /* A pattern that does not compile: found when the table is compiled
     * (the built-in one compiles whole, below). */
    const char *re = "severity\t*\t*\t*\t*\tlow\nbreadth\t/(/\tpublic\n";
    assert_int_equal(inspect_access_load(&t, re, strlen(re), err, sizeof(err)), 0);
    assert_int_equal(inspect_access_compile(t, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "a regex that does not compile"));
    inspect_access_free(t);
    assert_int_equal(inspect_access_load(&t, defaults_inspect_access,
                                         strlen(defaults_inspect_access), err, sizeof(err)),
                     0);
    assert_int_equal(inspect_access_compile(t, err, sizeof(err)), 0);
    inspect_access_free(t);
    /* INSPECT_MAX_ACCESS_ROWS: one line more is refused */
    size_t n = (INSPECT_MAX_ACCESS_ROWS + 1) * 32;
    char *big = malloc(n), *p = big;
    assert_non_null(big);
    for (unsigned i = 0; i <= INSPECT_MAX_ACCESS_ROWS; i++)
        p += sprintf(p, "severity\t*\t*\t*\t*\tlow\n");
    assert_int_equal(inspect_access_load(&t, big, strlen(big), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "INSPECT_MAX_ACCESS_ROWS"));
    /* ... and exactly that many load */
    p = strrchr(big, 's');
    *p = '\0';
    assert_int_equal(inspect_access_load(&t, big, strlen(big), err, sizeof(err)), 0);
    /* INSPECT_MAX_ORG_NAMES, and names too long or empty */
    const char *names[INSPECT_MAX_ORG_NAMES + 1];
    for (size_t i = 0; i <= INSPECT_MAX_ORG_NAMES; i++)
        names[i] = "acme.example";
    assert_int_equal(inspect_access_org(t, names, INSPECT_MAX_ORG_NAMES, NULL, 0, err, sizeof(err)),
                     0);
    assert_int_equal(
        inspect_access_org(t, names, INSPECT_MAX_ORG_NAMES + 1, NULL, 0, err, sizeof(err)), -1);
    const char *empty[] = {""};
    assert_int_equal(inspect_access_org(t, NULL, 0, empty, 1, err, sizeof(err)), -1);
    char longname[INSPECT_MAX_ACCESS_TEXT + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    const char *longs[] = {longname};
    assert_int_equal(inspect_access_org(t, longs, 1, NULL, 0, err, sizeof(err)), -1);
    inspect_access_free(t);
    free(big);
    /* A grantee or object longer than INSPECT_MAX_ACCESS_TEXT is cut, not overrun. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "gsutil iam ch group:%0300d@acme.example:objectViewer gs://b", 7);
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_COMMAND, cmd, strlen(cmd), &l), 0);
    assert_true(l.n >= 1 && l.v[0].access.change);
    assert_int_equal(strlen(l.v[0].access.grantee), INSPECT_MAX_ACCESS_TEXT - 1);
}

static void
count_change(void *arg, const struct inspect_doc_change *c)
{
    (void)c;
    ++*(unsigned *)arg;
}

static int
has_rule(const char *rule)
{
    for (size_t i = 0; i < l.n; i++)
        if (!strcmp(l.v[i].rule, rule))
            return 1;
    return 0;
}

/* The documents' and the interpreters' limits, each crossed. */
static void
test_doc_limits(void **state)
{
    (void)state;
    unsigned n = 0;
    /* INSPECT_MAX_DOC_CHANGES: more members than that, reported up to it */
    size_t cap = (INSPECT_MAX_DOC_CHANGES + 10) * 24 + 64;
    char *doc = malloc(cap), *p = doc;
    assert_non_null(doc);
    p += sprintf(p, "{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":[");
    for (unsigned i = 0; i < INSPECT_MAX_DOC_CHANGES + 10; i++)
        p += sprintf(p, "%s\"user:u%u@x.example\"", i ? "," : "", i);
    sprintf(p, "]}]}");
    assert_int_equal(inspect_doc_access(doc, strlen(doc), DOC_SNIFF, count_change, &n),
                     INSPECT_DOC_READ);
    assert_int_equal(n, INSPECT_MAX_DOC_CHANGES);
    free(doc);
    /* ... and the last one stands for those past it: allUsers beyond the
     * limit is of unknown breadth in a message, never unseen */
    cap = (INSPECT_MAX_DOC_CHANGES + 10) * 24 + 128;
    doc = malloc(cap);
    assert_non_null(doc);
    p = doc + sprintf(doc, "```json\n{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":[");
    for (unsigned i = 0; i < INSPECT_MAX_DOC_CHANGES + 5; i++)
        p += sprintf(p, "\"user:u%u@x.example\",", i);
    sprintf(p, "\"allUsers\"]}]}\n```\n");
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_TEXT, doc, strlen(doc), &l), 0);
    int unknown = 0;
    for (size_t i = 0; i < l.n; i++)
        unknown |= l.v[i].access.change && !strcmp(l.v[i].access.breadth, "unknown");
    assert_true(unknown);
    free(doc);
    /* INSPECT_MAX_SQL_GRANTEES: PUBLIC past them is of unknown breadth */
    char sql[2048];
    int k0 = snprintf(sql, sizeof(sql), "psql -c 'GRANT SELECT ON customers TO ");
    for (unsigned i = 0; i < INSPECT_MAX_SQL_GRANTEES; i++)
        k0 += snprintf(sql + k0, sizeof(sql) - (size_t)k0, "r%u, ", i);
    snprintf(sql + k0, sizeof(sql) - (size_t)k0, "PUBLIC'");
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_COMMAND, sql, strlen(sql), &l), 0);
    assert_true(l.n >= 1 && l.v[0].access.change);
    assert_string_equal(l.v[0].access.breadth, "unknown");
    /* INSPECT_MAX_DOC_ATTRS: a resource with more attributes than read is broken */
    size_t hn = (INSPECT_MAX_DOC_ATTRS + 1) * 16 + 256;
    char *hcl = malloc(hn), *q = hcl;
    assert_non_null(hcl);
    q += sprintf(q, "```hcl\nresource \"google_project_iam_member\" \"m\" {\n");
    for (unsigned i = 0; i <= INSPECT_MAX_DOC_ATTRS; i++)
        q += sprintf(q, "  a%u = \"x\"\n", i);
    sprintf(q, "  member = \"allUsers\"\n}\n```\n");
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_TEXT, hcl, strlen(hcl), &l), 0);
    assert_true(has_rule("DOC-BROKEN"));
    free(hcl);
    /* INSPECT_MAX_DOC_DEPTH: YAML nested deeper is a broken document */
    char yaml[8192];
    size_t k = (size_t)snprintf(yaml, sizeof(yaml), "kind: ClusterRoleBinding\nsubjects: ");
    for (unsigned i = 0; i <= INSPECT_MAX_DOC_DEPTH; i++)
        yaml[k++] = '[';
    for (unsigned i = 0; i <= INSPECT_MAX_DOC_DEPTH; i++)
        yaml[k++] = ']';
    yaml[k] = '\0';
    assert_int_equal(inspect_doc_access(yaml, k, DOC_YAML, count_change, &n), INSPECT_DOC_BROKEN);
    /* ... and one level less reads */
    k = (size_t)snprintf(yaml, sizeof(yaml), "kind: ClusterRoleBinding\nsubjects: ");
    for (unsigned i = 0; i + 2 < INSPECT_MAX_DOC_DEPTH; i++)
        yaml[k++] = '[';
    for (unsigned i = 0; i + 2 < INSPECT_MAX_DOC_DEPTH; i++)
        yaml[k++] = ']';
    yaml[k] = '\0';
    assert_int_equal(inspect_doc_access(yaml, k, DOC_YAML, count_change, &n), INSPECT_DOC_READ);
    /* INSPECT_MAX_DOC: a larger document is not read: broken, never harmless */
    size_t big = INSPECT_MAX_DOC + 16;
    char *large = malloc(big + 1);
    assert_non_null(large);
    memset(large, ' ', big);
    memcpy(large, "{\"Statement\": [", 15);
    large[big] = '\0';
    assert_int_equal(inspect_doc_access(large, big, DOC_SNIFF, count_change, &n),
                     INSPECT_DOC_BROKEN);
    free(large);
    /* broken documents in a message are opaque findings */
    const char *msg =
        "```hcl\nresource \"google_project_iam_member\" \"m\" {\n  member = \"allUsers\n```\n";
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_TEXT, msg, strlen(msg), &l), 0);
    assert_true(has_rule("DOC-BROKEN"));
    /* INSPECT_MAX_PLAIN_CODE: code longer than that is opaque, shorter is read */
    char code[INSPECT_MAX_PLAIN_CODE + 128];
    int m = snprintf(code, sizeof(code), "python3 -c 'import os; os.system(\"chmod -R 777 /srv\")");
    memset(code + m, ' ', INSPECT_MAX_PLAIN_CODE - (size_t)m + 20);
    strcpy(code + INSPECT_MAX_PLAIN_CODE + 20, "'");
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_COMMAND, code, strlen(code), &l), 0);
    assert_true(has_rule("opaque-code"));
    assert_false(has_rule("CHMOD-WIDEN"));
    strcpy(code + m, "'");
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_COMMAND, code, strlen(code), &l), 0);
    assert_true(has_rule("CHMOD-WIDEN"));
    assert_false(has_rule("opaque-code"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_severity),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_doc_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
