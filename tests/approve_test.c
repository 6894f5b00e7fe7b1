/*
 * approve: TOTP (RFC 6238's SHA-1 vectors, the window, replay), base32
 * (RFC 4648 vectors), durations, exposure keys, the store (holds through
 * their states, votes, grants matching and ending, exposures closing by
 * key, enrolments) and the administrative policies (who may approve what).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/approve/approve_authz.h"
#include "../src/approve/approve_config.h"
#include "../src/approve/approve_exposure.h"
#include "../src/approve/approve_time.h"
#include "../src/approve/approve_totp.h"
#include "test_util.h"

static const unsigned char RFC_SECRET[] = "12345678901234567890";

static void
test_totp_vectors(void **state)
{
    (void)state;
    /* RFC 6238 appendix B, SHA-1, 8 digits. */
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {
        {59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
        {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_int_equal(totp_hotp(RFC_SECRET, 20, (uint64_t)(v[i].t / TOTP_STEP), 8), v[i].code);
    /* RFC 4226 appendix D, HOTP counter 0 and 9, 6 digits. */
    assert_int_equal(totp_hotp(RFC_SECRET, 20, 0, 6), 755224);
    assert_int_equal(totp_hotp(RFC_SECRET, 20, 9, 6), 520489);
}

static void
test_totp_check(void **state)
{
    (void)state;
    int64_t now = 1234567890, step;
    char code[8];
    snprintf(code, sizeof(code), "%06u", totp_hotp(RFC_SECRET, 20, (uint64_t)now / 30, 6));
    assert_int_equal(totp_check(RFC_SECRET, 20, now, code, 0, &step), 0);
    assert_int_equal(step, now / 30);
    /* Used: the same step again is refused; the step before is too. */
    assert_int_equal(totp_check(RFC_SECRET, 20, now, code, step, &step), -1);
    /* One step of drift either way is accepted, two are not. */
    assert_int_equal(totp_check(RFC_SECRET, 20, now + 30, code, 0, &step), 0);
    assert_int_equal(totp_check(RFC_SECRET, 20, now - 30, code, 0, &step), 0);
    assert_int_equal(totp_check(RFC_SECRET, 20, now + 61, code, 0, &step), -1);
    /* Not six digits: refused before any comparison. */
    assert_int_equal(totp_check(RFC_SECRET, 20, now, "12345", 0, &step), -1);
    assert_int_equal(totp_check(RFC_SECRET, 20, now, "12345a", 0, &step), -1);
    assert_int_equal(totp_check(RFC_SECRET, 20, now, "1234567", 0, &step), -1);
    assert_int_equal(totp_check(RFC_SECRET, 20, now, NULL, 0, &step), -1);
}

static void
test_base32(void **state)
{
    (void)state;
    char out[TOTP_BASE32_MAX];
    /* RFC 4648 section 10, without padding. */
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const want[] = {"",        "MY",       "MZXQ",      "MZXW6",
                                       "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(totp_base32((const unsigned char *)in[i], strlen(in[i]), out, sizeof(out)),
                         0);
        assert_string_equal(out, want[i]);
    }
    assert_int_equal(totp_base32(RFC_SECRET, 20, out, 33), 0);
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(totp_base32(RFC_SECRET, 20, out, 32), -1); /* no room for the NUL */
}

static void
test_durations(void **state)
{
    (void)state;
    int64_t s;
    char buf[32];
    assert_int_equal(approve_duration("15m", &s), 0), assert_int_equal(s, 900);
    assert_int_equal(approve_duration("2h", &s), 0), assert_int_equal(s, 7200);
    assert_int_equal(approve_duration("1d", &s), 0), assert_int_equal(s, 86400);
    assert_int_equal(approve_duration("90", &s), 0), assert_int_equal(s, 90);
    assert_int_equal(approve_duration("366d", &s), 0);
    /* The ceiling, crossed; nonsense refused. */
    assert_int_equal(approve_duration("367d", &s), -1);
    assert_int_equal(approve_duration("99999999999h", &s), -1);
    const char *bad[] = {"", "0", "0m", "-5m", "5x", "m", "5 m", "1.5h", "5mm", NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_int_equal(approve_duration(bad[i], &s), -1);
    approve_duration_text(3725, buf, sizeof(buf));
    assert_string_equal(buf, "1h 2m");
    approve_duration_text(45, buf, sizeof(buf));
    assert_string_equal(buf, "45s");
    approve_duration_text(90061, buf, sizeof(buf));
    assert_string_equal(buf, "1d 1h");
}

static void
test_config(void **state)
{
    (void)state;
    struct approve_config c;
    char err[256];
    assert_int_equal(approve_config_parse(&c, NULL, err, sizeof(err)), 0);
    assert_int_equal(c.timeout, 600);
    json_t *o = json_pack("{s:s, s:i, s:s}", "timeout", "2m", "exposureAlertEvery", 30, "webhook",
                          "http://127.0.0.1:1/x");
    assert_int_equal(approve_config_parse(&c, o, err, sizeof(err)), 0);
    assert_int_equal(c.timeout, 120);
    assert_int_equal(c.alert_every, 30);
    assert_string_equal(c.webhook, "http://127.0.0.1:1/x");
    json_object_set_new(o, "timout", json_string("1m"));
    assert_int_equal(approve_config_parse(&c, o, err, sizeof(err)), -1);
    assert_string_equal(err, "approvals: unknown member \"timout\" (or of the wrong type)");
    json_object_del(o, "timout");
    json_object_set_new(o, "retryWindow", json_string("forever"));
    assert_int_equal(approve_config_parse(&c, o, err, sizeof(err)), -1);
    json_decref(o);
}

static void
key_is(const char *cmd, int narrowing, const char *want)
{
    char key[APPROVE_MAX_KEY];
    int rc = approve_exposure_key(cmd, strlen(cmd), narrowing, key, sizeof(key));
    if (!want) {
        assert_int_equal(rc, -1);
        return;
    }
    assert_int_equal(rc, 0);
    assert_string_equal(key, want);
}

static void
test_exposure_keys(void **state)
{
    (void)state;
    key_is("chmod -R 777 /srv/data", 0, "chmod /srv/data");
    key_is("sudo /bin/chmod 750 /srv/data", 1, "chmod /srv/data");
    key_is("aws s3api put-bucket-acl --bucket b --acl public-read", 0, "aws b");
    key_is("aws s3api put-bucket-acl --acl private --bucket b", 1, "aws b");
    key_is("kubectl create clusterrolebinding x --clusterrole=cluster-admin", 0, "kubectl x");
    key_is("kubectl delete clusterrolebinding x", 1, "kubectl x");
    key_is("chmod 777 '/srv/my data'", 0, "chmod /srv/my");
    key_is("chmod -R o-rwx,g-w /srv/data", 1, "chmod /srv/data");
    key_is("chmod go=rx /srv/data", 1, "chmod /srv/data");
    key_is("psql -c \"REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM PUBLIC\"", 1,
           "psql PUBLIC");
    /* Touching the same target is not narrowing (attack: chmod u+w after
     * chmod -R 777 closed the exposure), nor is reading it. */
    static const char *const not_narrowing[] = {
        "chmod u+w /srv/data",
        "chmod -R 777 /srv/data",
        "chmod 775 /srv/data",
        "chmod o+r,g-w /srv/data",
        "chown -R www /srv/data",
        "aws s3api put-bucket-acl --bucket b --acl public-read",
        "kubectl create clusterrolebinding x --clusterrole=view",
        "aws s3api get-bucket-acl --bucket b",
        "kubectl get clusterrolebinding x",
        "ls -l /srv/data"};
    for (size_t i = 0; i < sizeof(not_narrowing) / sizeof(*not_narrowing); i++)
        key_is(not_narrowing[i], 1, NULL);
    /* Nothing to key on. */
    key_is("reboot", 0, NULL);
    key_is("sudo", 0, NULL);
    key_is("", 0, NULL);
    /* Words beyond APPROVE_MAX_WORDS are not looked at. */
    char big[APPROVE_MAX_WORDS * 3 + 32] = "chmod";
    for (int i = 0; i < APPROVE_MAX_WORDS + 5; i++)
        strcat(big, i == APPROVE_MAX_WORDS - 2 ? " /a" : " x");
    key_is(big, 0, "chmod /a");
}

static void
each(void *arg, const char *cmd, size_t n)
{
    json_array_append_new(arg, json_stringn(cmd, n));
}

static void
test_each_command(void **state)
{
    (void)state;
    json_t *a = json_array();
    const char *t = "cd /x && chmod 750 d; ls | wc\nrm -f y";
    approve_each_command(t, strlen(t), each, a);
    assert_int_equal(json_array_size(a), 5); /* "&&" leaves nothing between its two */
    assert_string_equal(json_string_value(json_array_get(a, 1)), " chmod 750 d");
    assert_string_equal(json_string_value(json_array_get(a, 4)), "rm -f y");
    json_decref(a);
}

/* The administrative policies, with alice in security and bob not. */
static int
decide(struct approve_authz *az, const char *user, const char *action, json_t *ctx)
{
    char why[APPROVE_REASON_MAX];
    int rc = approve_authz_decide(az, user, action, "Held", "h-1", ctx, why, sizeof(why));
    json_decref(ctx);
    return rc;
}

static json_t *
ctx(const char *requester, int runs, int severity, const char *cat, int approvers, int totp,
    int grant)
{
    return json_pack("{s:o, s:b, s:{s:i, s:[s*]}, s:i, s:b, s:i}", "requester",
                     approve_entity("User", requester), "callerRunsAgents", runs, "findings",
                     "severity", severity, "categories", cat, "approvers", approvers, "totp", totp,
                     "grantSeconds", grant);
}

static void
test_admin_policies(void **state)
{
    (void)state;
    char path[4096], err[512];
    snprintf(path, sizeof(path), "%s/approve_test_entities.json", tu_build_dir());
    FILE *f = fopen(path, "w");
    fputs("[{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{},"
          "\"parents\":[{\"type\":\"Group\",\"id\":\"security\"}]},"
          "{\"uid\":{\"type\":\"User\",\"id\":\"bob\"},\"attrs\":{},"
          "\"parents\":[{\"type\":\"Group\",\"id\":\"approvers\"}]},"
          "{\"uid\":{\"type\":\"User\",\"id\":\"erin\"},\"attrs\":{},"
          "\"parents\":[{\"type\":\"Group\",\"id\":\"auditors\"}]}]",
          f);
    fclose(f);
    struct approve_authz *az;
    assert_int_equal(approve_authz_open(&az, NULL, path, err, sizeof(err)), 0);
    assert_true(decide(az, "bob", "approve", ctx("carol", 0, 0, NULL, 1, 0, 0)));
    /* Attack: a local user who never ran an agent is not an approver for
     * that alone; nor may they, or an approver, read the ledger (every
     * call's arguments, secrets included); auditors and security may. */
    assert_false(decide(az, "dave", "approve", ctx("carol", 0, 0, NULL, 1, 0, 0)));
    assert_false(decide(az, "dave", "deny", ctx("carol", 0, 0, NULL, 0, 0, 0)));
    char why[APPROVE_REASON_MAX];
    json_t *c0 = json_pack("{s:b}", "callerRunsAgents", 0);
    assert_false(approve_authz_decide(az, "dave", "list", "Airlock", "store", c0, why, 99));
    assert_false(approve_authz_decide(az, "dave", "read_log", "Airlock", "ledger", c0, why, 99));
    assert_false(approve_authz_decide(az, "bob", "read_log", "Airlock", "ledger", c0, why, 99));
    assert_true(approve_authz_decide(az, "erin", "read_log", "Airlock", "ledger", c0, why, 99));
    assert_true(approve_authz_decide(az, "alice", "read_log", "Airlock", "ledger", c0, why, 99));
    assert_false(approve_authz_decide(az, "erin", "list", "Airlock", "store", c0, why, 99));
    /* Enrolling is for oneself, by anyone not running agents. */
    assert_true(approve_authz_decide(az, "dave", "enroll", "User", "dave", c0, why, 99));
    assert_false(approve_authz_decide(az, "dave", "enroll", "User", "bob", c0, why, 99));
    json_decref(c0);
    /* Not one's own; not while running agents. */
    assert_false(decide(az, "bob", "approve", ctx("bob", 0, 0, NULL, 1, 0, 0)));
    assert_false(decide(az, "bob", "approve", ctx("carol", 1, 0, NULL, 1, 0, 0)));
    assert_false(decide(az, "bob", "deny", ctx("carol", 1, 0, NULL, 0, 0, 0)));
    /* Widening: security only. */
    assert_false(decide(az, "bob", "approve", ctx("carol", 0, 3, "widens-access", 1, 0, 0)));
    assert_true(decide(az, "alice", "approve", ctx("carol", 0, 3, "widens-access", 1, 0, 0)));
    /* Critical: a code, and two people before release. */
    assert_false(decide(az, "alice", "approve", ctx("carol", 0, 4, "secret", 1, 0, 0)));
    assert_true(decide(az, "alice", "approve", ctx("carol", 0, 4, "secret", 1, 1, 0)));
    assert_false(decide(az, "alice", "release", ctx("carol", 0, 4, "secret", 1, 1, 0)));
    assert_true(decide(az, "alice", "release", ctx("carol", 0, 4, "secret", 2, 1, 0)));
    assert_true(decide(az, "bob", "release", ctx("carol", 0, 3, NULL, 1, 0, 0)));
    /* Grants over an hour: security only. */
    assert_false(decide(az, "bob", "approve", ctx("carol", 0, 0, NULL, 1, 0, 7200)));
    assert_true(decide(az, "alice", "approve", ctx("carol", 0, 0, NULL, 1, 0, 7200)));
    /* An unknown action is nobody's. */
    assert_false(decide(az, "alice", "rewrite", ctx("carol", 0, 0, NULL, 1, 0, 0)));
    approve_authz_close(az);
    /* A policy file that does not parse is refused with where. */
    snprintf(path, sizeof(path), "%s/approve_test_bad.cedar", tu_build_dir());
    f = fopen(path, "w");
    fputs("permit (principal, action, resource) when { };\n", f);
    fclose(f);
    assert_int_equal(approve_authz_open(&az, path, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "approve_test_bad.cedar:1:"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totp_vectors), cmocka_unit_test(test_totp_check),
        cmocka_unit_test(test_base32),       cmocka_unit_test(test_durations),
        cmocka_unit_test(test_config),       cmocka_unit_test(test_exposure_keys),
        cmocka_unit_test(test_each_command), cmocka_unit_test(test_admin_policies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
