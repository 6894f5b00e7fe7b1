/*
 * inspect: the inspector as airlock uses it.  The cases of
 * tests/data/inspect-scan.txt (text for people and its findings, secrets
 * starred), commands, and the limits: INSPECT_MAX_TEXT, INSPECT_MAX_FINDINGS
 * and the excerpt's INSPECT_MAX_EXCERPT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect.h"
#include "../src/inspect/inspect_report.h"
#include "test_util.h"

static struct inspect *in;

static int
setup(void **state)
{
    (void)state;
    char err[256];
    return inspect_open(&in, NULL, NULL, err, sizeof(err));
}

static int
teardown(void **state)
{
    (void)state;
    inspect_close(in);
    return 0;
}

static void
render_kind(enum inspect_kind kind, const char *text, size_t len, char *out, size_t cap)
{
    struct inspect_list l;
    size_t off = 0;
    assert_int_equal(inspect_list_init(&l), 0);
    assert_int_equal(inspect_run(in, kind, text, len, &l), 0);
    out[0] = '\0';
    for (size_t i = 0; i < l.n && off < cap; i++) {
        char ex[INSPECT_MAX_EXCERPT + 8];
        /* a parse finding's span is the rest of the text: not shown */
        if (!strcmp(l.v[i].rule, "parse"))
            ex[0] = '\0';
        else
            inspect_excerpt(&l.v[i], text, len, ex, sizeof(ex));
        off += (size_t)snprintf(out + off, cap - off, "%s%s{%s}", i ? " " : "", l.v[i].rule, ex);
    }
    inspect_list_release(&l);
}

static void
render_text(const char *text, size_t len, char *out, size_t cap)
{
    render_kind(INSPECT_TEXT, text, len, out, cap);
}

static void
test_text_cases(void **state)
{
    (void)state;
    assert_true(tu_run_cases("inspect-scan.txt", render_text, 1) >= 12);
}

static void
test_command(void **state)
{
    (void)state;
    char got[1024];
    const char *c = "psql postgres://app:S3cr3t-Pw@db/prod -c 'select 1' && chmod o+w /etc";
    render_kind(INSPECT_COMMAND, c, strlen(c), got, sizeof(got));
    assert_string_equal(got, "URL-PASSWORD{post***********************} CHMOD-WIDEN{chmod o+w "
                             "/etc}");
    /* A command that does not parse is a finding, never an all clear. */
    render_kind(INSPECT_COMMAND, "echo 'unclosed", 14, got, sizeof(got));
    assert_string_equal(got, "parse{}");
}

/* A text over INSPECT_MAX_TEXT is not read: one finding says so. */
static void
test_max_text(void **state)
{
    (void)state;
    size_t n = INSPECT_MAX_TEXT + 1;
    char *t = malloc(n), got[256];
    assert_non_null(t);
    memset(t, 'a', n);
    render_kind(INSPECT_TEXT, t, n, got, sizeof(got));
    assert_string_equal(got, "limit{}");
    render_kind(INSPECT_TEXT, t, n - 1, got, sizeof(got));
    assert_string_equal(got, "");
    free(t);
}

/* INSPECT_MAX_FINDINGS: the last kept finding says that more were found. */
static void
test_max_findings(void **state)
{
    (void)state;
    size_t n = INSPECT_MAX_FINDINGS + 10, len = n * 16;
    char *t = malloc(len + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * 16, "`chmod 777 /x`\n\n", 16);
    struct inspect_list l;
    assert_int_equal(inspect_list_init(&l), 0);
    assert_int_equal(inspect_run(in, INSPECT_TEXT, t, len, &l), 0);
    assert_int_equal(l.n, INSPECT_MAX_FINDINGS);
    assert_true(l.full);
    int limit = 0;
    for (size_t i = 0; i < l.n; i++)
        limit += !strcmp(l.v[i].rule, "limit");
    assert_int_equal(limit, 1);
    inspect_list_release(&l);
    /* One fewer than the limit: no limit finding. */
    assert_int_equal(inspect_list_init(&l), 0);
    assert_int_equal(inspect_run(in, INSPECT_TEXT, t, (INSPECT_MAX_FINDINGS - 1) * 16, &l), 0);
    assert_int_equal(l.n, INSPECT_MAX_FINDINGS - 1);
    assert_false(l.full);
    inspect_list_release(&l);
    free(t);
}

/* Excerpts stop at INSPECT_MAX_EXCERPT bytes, never inside a UTF-8
 * character, and carry no invalid UTF-8. */
static void
test_excerpt(void **state)
{
    (void)state;
    char text[600], ex[INSPECT_MAX_EXCERPT + 8];
    memset(text, 'a', sizeof(text));
    memcpy(text + INSPECT_MAX_EXCERPT - 1, "\xc3\xa9", 2);
    text[10] = (char)0xff;
    struct inspect_finding f = {"r", "destructive", "high", "why", 0, sizeof(text), {0}};
    size_t n = inspect_excerpt(&f, text, sizeof(text), ex, sizeof(ex));
    assert_int_equal(n, INSPECT_MAX_EXCERPT - 1 + 3);
    assert_int_equal(ex[10], '?');
    assert_string_equal(ex + n - 3, "...");
    /* A span of exactly INSPECT_MAX_EXCERPT bytes is shown whole. */
    memset(text, 'a', sizeof(text));
    memcpy(text + INSPECT_MAX_EXCERPT - 2, "\xc3\xa9", 2);
    f.end = INSPECT_MAX_EXCERPT;
    n = inspect_excerpt(&f, text, sizeof(text), ex, sizeof(ex));
    assert_int_equal(n, INSPECT_MAX_EXCERPT);
    assert_memory_equal(ex + INSPECT_MAX_EXCERPT - 2, "\xc3\xa9", 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cases), cmocka_unit_test(test_command),
        cmocka_unit_test(test_max_text),   cmocka_unit_test(test_max_findings),
        cmocka_unit_test(test_excerpt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
