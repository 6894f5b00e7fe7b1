/*
 * inspect_secret: every shipped format finds its own example; the checks
 * turn away what only looks like a secret; malformed tables are refused;
 * the format limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/defaults/defaults.h"
#include "../src/inspect/inspect_secret.h"
#include "test_util.h"

static struct inspect_secrets *fmts;

static int
setup(void **state)
{
    (void)state;
    char err[256];
    return inspect_secrets_load(&fmts, defaults_inspect_secrets, strlen(defaults_inspect_secrets),
                                err, sizeof(err));
}

static int
teardown(void **state)
{
    (void)state;
    inspect_secrets_free(fmts);
    return 0;
}

/* "ID:severity:matched" for each finding, space separated. */
static void
found(const char *text, char *out, size_t cap)
{
    struct inspect_list l;
    size_t off = 0;
    assert_int_equal(inspect_list_init(&l), 0);
    assert_int_equal(inspect_secrets_find(fmts, text, strlen(text), 0, &l), 0);
    out[0] = '\0';
    for (size_t i = 0; i < l.n && off < cap; i++)
        off += (size_t)snprintf(out + off, cap - off, "%s%s:%s:%.*s", i ? " " : "", l.v[i].rule,
                                l.v[i].severity, (int)(l.v[i].end - l.v[i].off), text + l.v[i].off);
    inspect_list_release(&l);
}

static void
test_every_example(void **state)
{
    (void)state;
    assert_true(inspect_secrets_count(fmts) >= 17);
    for (size_t i = 0; i < inspect_secrets_count(fmts); i++) {
        char got[1024], want[80];
        found(inspect_secret_example(fmts, i), got, sizeof(got));
        snprintf(want, sizeof(want), "%s:", inspect_secret_id(fmts, i));
        if (!strstr(got, want))
            fail_msg("format %s misses its example '%s' (found: %s)", want,
                     inspect_secret_example(fmts, i), got);
    }
}

static void
test_cases(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* checksums and checks */
        {"ghp_R7kLq2ZxV9mN4pT8wY3bC6dF1gH5jQ0quDeu",
         "GITHUB-TOKEN:low:ghp_R7kLq2ZxV9mN4pT8wY3bC6dF1gH5jQ0quDeu"},
        {"card 4111 1111 1111 1112", ""},
        {"order 1234567890123", ""},
        {"card 5500-0000-0000-0004", "CARD-NUMBER:high:5500-0000-0000-0004"},
        {"SSN 000-12-3456 or 666-12-3456 or 912-12-3456 or 123-00-4567", ""},
        {"NI GB123456A", ""},
        {"eyJub3Rqc29uIjp.eyJzdWIiOiIxIn0.abcdefghijk", ""},
        {"postgres://app:${DB_PASSWORD}@db/x and https://u:****@h/ and ftp://a:<pw>@h", ""},
        {"call +1 555 01", ""},
        {"call +1 (415) 555-0100 now", "PHONE:low:+1 (415) 555-0100"},
        /* not secrets */
        {"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ""},
        {"version 1.2.3-rc.4, build 2026-12-02", ""},
        {"user@localhost", ""},
        {"AKIAEXAMPLE", ""},
        /* two in a row, positions kept */
        {"a@example.org,b@example.org", "EMAIL:low:a@example.org EMAIL:low:b@example.org"},
        {"https://bob:hunter2@example.com/x", "URL-PASSWORD:high:https://bob:hunter2@example.com"},
        /* the value only, so that a specific format at the same place wins */
        {"SLACK_TOKEN=xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
         "SLACK-TOKEN:critical:xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"},
        {"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
         "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
         "JWT:high:eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
         "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
        {"\"authorization\": \"Basic dXNlcjpodW50ZXIyaHVudGVyMg==\"",
         "AUTHORIZATION-HEADER:high:dXNlcjpodW50ZXIyaHVudGVyMg=="},
        {"mysql_password: 'S3cr3t!pass'", "PASSWORD-ASSIGNMENT:high:S3cr3t!pass"},
        {"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
         "AWS-SECRET-KEY:critical:AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
        /* placeholders, references and masks are not secrets */
        {"Authorization: Bearer $TOKEN; Authorization: Bearer YOUR_API_TOKEN_HERE", ""},
        {"DB_PASSWORD=${DB_PASSWORD} password: ******** password=<your password>", ""},
        {"GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }} API_KEY=$(cat key) password: ...", ""},
        {"OLDPASSWORD=/etc/shadow TOKEN_TYPE=bearer password: short", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char got[1024];
        found(cases[i][0], got, sizeof(got));
        if (strcmp(got, cases[i][1]))
            fail_msg("'%s'\n  want: %s\n  got:  %s", cases[i][0], cases[i][1], got);
    }
}

static void
test_malformed(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"X\tsecret\thigh\tnone\t/a/\twhy", "line 1: expected seven tab-separated fields"},
        {"X\tsecrets\thigh\tnone\t/a/\twhy\tex",
         "line 1: the category must be secret or personal-data"},
        {"X\tsecret\tsevere\tnone\t/a/\twhy\tex", "line 1: unknown severity"},
        {"X\tsecret\thigh\tcrc\t/a/\twhy\tex", "line 1: unknown check"},
        {"# c\nX\tsecret\thigh\tnone\ta\twhy\tex", "line 2: the regex must be written /.../"},
        {"X\tsecret\thigh\tnone\t/(a/\twhy\tex", "line 1: the regex does not compile"},
        {"# nothing\n", "no formats"},
        /* a malformed line after an empty one is still read (and refused) */
        {"A\tsecret\thigh\tnone\t/a/\twhy\tex\n\nB\tsecret\thigh\tnone\tb\twhy\tex",
         "line 3: the regex must be written /.../"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct inspect_secrets *s = NULL;
        char err[256];
        assert_int_equal(inspect_secrets_load(&s, bad[i][0], strlen(bad[i][0]), err, sizeof(err)),
                         -1);
        assert_null(s);
        assert_string_equal(err, bad[i][1]);
    }
}

/* INSPECT_MAX_SECRET_FORMATS formats load; one more is refused. */
static void
test_limit(void **state)
{
    (void)state;
    size_t n = INSPECT_MAX_SECRET_FORMATS + 1, cap = n * 64;
    char *t = malloc(cap), err[256];
    size_t off = 0;
    struct inspect_secrets *s;
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        off +=
            (size_t)snprintf(t + off, cap - off, "F%zu\tsecret\tlow\tnone\t/k%zu=/\tw\tk\n", i, i);
    size_t last = off - strlen(strrchr(t, 'F'));
    assert_int_equal(inspect_secrets_load(&s, t, last, err, sizeof(err)), 0);
    assert_int_equal(inspect_secrets_count(s), INSPECT_MAX_SECRET_FORMATS);
    inspect_secrets_free(s);
    assert_int_equal(inspect_secrets_load(&s, t, off, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "INSPECT_MAX_SECRET_FORMATS"));
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_example),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
