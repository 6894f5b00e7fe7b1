/*
 * approve_desk: the approvals desk on its own, with no daemon: a store in
 * a temporary folder, the shipped administrative policies, and hooks that
 * keep what the desk records and whom it tells (as an HTTP side or a chat
 * callback will give it theirs).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/approve/approve_desk.h"
#include "../src/inspect/inspect_finding.h"
#include "test_util.h"

static char base[512];
static json_t *records;  /* what the desk wrote to the "ledger" */
static json_t *told;     /* {hold, outcome, text} each session was told */
static json_t *waiting;  /* hold ids a session waits for */
static int ledger_fails; /* the "ledger" refuses records */

static const char *entities =
    "[{\"uid\":{\"type\":\"Group\",\"id\":\"approvers\"},\"attrs\":{},\"parents\":[]},"
    " {\"uid\":{\"type\":\"Group\",\"id\":\"security\"},\"attrs\":{},\"parents\":[]},"
    " {\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{},"
    "  \"parents\":[{\"type\":\"Group\",\"id\":\"approvers\"}]},"
    " {\"uid\":{\"type\":\"User\",\"id\":\"sam\"},\"attrs\":{},"
    "  \"parents\":[{\"type\":\"Group\",\"id\":\"security\"}]}]";

static int
hook_record(void *arg, json_t *rec)
{
    (void)arg;
    if (ledger_fails)
        return -1;
    return json_array_append(records, rec);
}

static void
tell(const char *id, const struct gate_verdict *v)
{
    json_array_append_new(
        told, json_pack("{s:s, s:i, s:s}", "hold", id, "outcome", v->outcome, "text", v->text));
}

static int
drop(const char *id)
{
    for (size_t i = 0; i < json_array_size(waiting); i++)
        if (!strcmp(json_string_value(json_array_get(waiting, i)), id)) {
            json_array_remove(waiting, i);
            return 1;
        }
    return 0;
}

static void
hook_resolve(void *arg, const char *id, const struct gate_verdict *v)
{
    (void)arg;
    if (drop(id))
        tell(id, v);
}

static const struct approve_session agent = {1000, "dana", "bot", "s-1", "forum"};

static void *
hook_take_waiter(void *arg, const char *id, struct approve_session *s)
{
    (void)arg;
    if (!drop(id))
        return NULL;
    *s = agent;
    return (void *)"the session";
}

static void
hook_deliver(void *arg, void *waiter, const struct gate_verdict *v)
{
    (void)arg;
    assert_string_equal(waiter, "the session");
    tell(v->hold, v);
}

static struct approve_desk desk;

static int
setup(void **state)
{
    (void)state;
    char path[700], err[1024];
    snprintf(base, sizeof(base), "%s/desk.%d", tu_build_dir(), (int)getpid());
    if (mkdir(base, 0700))
        return -1;
    snprintf(path, sizeof(path), "%s/entities.json", base);
    FILE *f = fopen(path, "w");
    fputs(entities, f);
    fclose(f);
    struct store *st;
    struct approve_authz *az;
    struct approve_config cfg;
    char db[700];
    snprintf(db, sizeof(db), "%s/approvals.db", base);
    if (store_open_sqlite(&st, db, err, sizeof(err)) ||
        approve_authz_open(&az, NULL, path, err, sizeof(err)) ||
        approve_config_parse(&cfg, NULL, err, sizeof(err))) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    struct approve_desk_hooks h = {NULL, hook_record, hook_resolve, hook_take_waiter, hook_deliver};
    approve_desk_init(&desk, st, az, &cfg, NULL, &h);
    records = json_array(), told = json_array(), waiting = json_array();
    return approve_desk_agent_user(&desk, agent.uid, agent.user);
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[600];
    approve_desk_release(&desk);
    json_decref(records), json_decref(told), json_decref(waiting);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    return system(cmd) == -1;
}

/* The gate's verdict for a call that needs a person. */
static void
needs_approval(struct gate_verdict *v, const char *tool, const char *category)
{
    memset(v, 0, sizeof(*v));
    v->outcome = GATE_NEEDS_APPROVAL;
    v->tool = tool;
    v->entry = 7;
    v->severity = INSPECT_SEV_HIGH;
    snprintf(v->text, sizeof(v->text), "airlock holds %s for a person's approval", tool);
    v->categories = json_pack("[s]", category);
    v->findings = json_array();
}

static json_t *
call(const char *tool, const char *text)
{
    return json_pack("{s:s, s:{s:s}}", "name", tool, "arguments", "text", text);
}

/* A person's command: 0 with *out, or -1 with err. */
static int
command(const char *user, int64_t uid, const char *what, json_t *args, json_t **out, char *err)
{
    struct approve_caller who = {uid, user, 0};
    int rc = approve_desk_command(&desk, &who, what, args, out, err, 512);
    json_decref(args);
    return rc;
}

static const char *
last_record_type(void)
{
    return json_string_value(
        json_object_get(json_array_get(records, json_array_size(records) - 1), "type"));
}

/* Held, listed, approved by a person: the waiting session is told it is
 * permitted, and each step is a record first. */
static void
test_hold_and_approve(void **state)
{
    (void)state;
    char why[512], err[512];
    struct gate_verdict v;
    json_t *p = call("post", "hello team"), *out = NULL;
    needs_approval(&v, "post", "exfiltration");
    assert_int_equal(approve_desk_admit(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     APPROVE_NEEDS_HOLD);
    assert_int_equal(approve_desk_hold_new(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     0);
    assert_int_equal(v.outcome, GATE_HELD);
    assert_string_equal(last_record_type(), "hold");
    char id[GATE_HOLD_MAX];
    snprintf(id, sizeof(id), "%s", v.hold);
    json_array_append_new(waiting, json_string(id));
    /* The same call again is the same hold. */
    struct gate_verdict again;
    needs_approval(&again, "post", "exfiltration");
    assert_int_equal(approve_desk_admit(&desk, &agent, "tools/call", p, &again, why, sizeof(why)),
                     APPROVE_HELD);
    assert_string_equal(again.hold, id);
    /* The agent's own user is not a person here. */
    assert_int_equal(command("dana", 1000, "approve", json_pack("{s:s}", "id", id), &out, err), -1);
    assert_non_null(strstr(err, "refused"));
    assert_string_equal(last_record_type(), "refused");
    /* Someone with no role is refused too; an approver sees it and approves. */
    assert_int_equal(command("bob", 3000, "pending", json_object(), &out, err), -1);
    assert_int_equal(command("alice", 2000, "pending", json_object(), &out, err), 0);
    assert_int_equal(json_array_size(json_object_get(out, "holds")), 1);
    json_decref(out);
    assert_int_equal(command("alice", 2000, "approve", json_pack("{s:s}", "id", id), &out, err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "approved");
    json_decref(out);
    assert_int_equal(json_array_size(told), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(told, 0), "outcome")),
                     GATE_PERMIT);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(told, 0), "text")),
                           "alice approved"));
    assert_string_equal(last_record_type(), "approval-used");
    /* Decided: approving it again is not possible. */
    assert_int_equal(command("alice", 2000, "approve", json_pack("{s:s}", "id", id), &out, err),
                     -1);
    assert_non_null(strstr(err, "not waiting"));
    json_decref(p);
    gate_verdict_release(&v);
    gate_verdict_release(&again);
}

/* Denied with a reason: the session is told who and why; a denial
 * without a reason is refused. */
static void
test_deny(void **state)
{
    (void)state;
    char why[512], err[512];
    struct gate_verdict v;
    json_t *p = call("post", "to everyone"), *out = NULL;
    json_array_clear(told);
    needs_approval(&v, "post", "exfiltration");
    assert_int_equal(approve_desk_admit(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     APPROVE_NEEDS_HOLD);
    assert_int_equal(approve_desk_hold_new(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     0);
    json_array_append_new(waiting, json_string(v.hold));
    assert_int_equal(command("alice", 2000, "deny", json_pack("{s:s}", "id", v.hold), &out, err),
                     -1);
    assert_int_equal(command("alice", 2000, "deny",
                             json_pack("{s:s, s:s}", "id", v.hold, "reason", "not in public"), &out,
                             err),
                     0);
    json_decref(out);
    assert_int_equal(json_array_size(told), 1);
    const char *text = json_string_value(json_object_get(json_array_get(told, 0), "text"));
    assert_non_null(strstr(text, "alice denied it (not in public)"));
    json_decref(p);
    gate_verdict_release(&v);
}

/* An approval with a grant: the same call later is permitted by it; a
 * widening needs security; the ledger refusing a record holds nothing. */
static void
test_grant_and_fail_closed(void **state)
{
    (void)state;
    char why[512], err[512];
    struct gate_verdict v;
    json_t *p = call("deploy", "make release"), *out = NULL;
    needs_approval(&v, "deploy", "remote-code");
    assert_int_equal(approve_desk_admit(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     APPROVE_NEEDS_HOLD);
    assert_int_equal(approve_desk_hold_new(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     0);
    assert_int_equal(command("alice", 2000, "approve",
                             json_pack("{s:s, s:i}", "id", v.hold, "for", 600), &out, err),
                     0);
    assert_non_null(json_object_get(out, "grant"));
    json_decref(out);
    gate_verdict_release(&v);
    needs_approval(&v, "deploy", "remote-code");
    assert_int_equal(approve_desk_admit(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     APPROVE_PERMITTED);
    assert_int_equal(v.outcome, GATE_PERMIT);
    assert_non_null(strstr(v.text, "a grant from alice"));
    assert_string_equal(last_record_type(), "grant-used");
    gate_verdict_release(&v);
    json_decref(p);
    /* A widening: an approver may not approve it, security may. */
    p = call("run", "chmod -R 777 /srv/exports");
    needs_approval(&v, "run", "widens-access");
    assert_int_equal(approve_desk_hold_new(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     0);
    assert_int_equal(command("alice", 2000, "approve", json_pack("{s:s}", "id", v.hold), &out, err),
                     -1);
    assert_non_null(strstr(err, "needs a member of Group::\"security\""));
    assert_int_equal(command("sam", 2001, "approve", json_pack("{s:s}", "id", v.hold), &out, err),
                     0);
    json_decref(out);
    gate_verdict_release(&v);
    json_decref(p);
    /* Nothing is held when the ledger does not take the record. */
    p = call("post", "one more");
    needs_approval(&v, "post", "exfiltration");
    ledger_fails = 1;
    assert_int_equal(approve_desk_hold_new(&desk, &agent, "tools/call", p, &v, why, sizeof(why)),
                     -1);
    ledger_fails = 0;
    approve_desk_refuse(&v, why);
    assert_int_equal(v.outcome, GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(v.text, "could not be held (the ledger did not take it)"));
    assert_int_equal(command("alice", 2000, "pending", json_object(), &out, err), 0);
    assert_int_equal(json_array_size(json_object_get(out, "holds")), 0);
    json_decref(out);
    gate_verdict_release(&v);
    json_decref(p);
}

/* Shadow mode: said to whoever may list, switched by security only (an
 * approver, an agent's user and a bad value refused), recorded before it
 * is stored, and kept in the store across restarts. */
static void
test_shadow(void **state)
{
    (void)state;
    char err[512], db[700], e2[512];
    json_t *out = NULL;
    assert_false(approve_desk_shadow(&desk));
    assert_int_equal(command("alice", 2000, "shadow", json_object(), &out, err), 0);
    assert_false(json_is_true(json_object_get(out, "on")));
    assert_null(json_object_get(out, "by"));
    json_decref(out);
    assert_int_equal(command("alice", 2000, "shadow", json_pack("{s:s}", "set", "on"), &out, err),
                     -1);
    assert_non_null(strstr(err, "refused: no policy permits it"));
    assert_string_equal(last_record_type(), "refused");
    assert_int_equal(
        command(agent.user, agent.uid, "shadow", json_pack("{s:s}", "set", "on"), &out, err), -1);
    assert_non_null(strstr(err, "a user that runs agents cannot take part"));
    assert_int_equal(command("sam", 2001, "shadow", json_pack("{s:s}", "set", "maybe"), &out, err),
                     -1);
    assert_non_null(strstr(err, "\"on\" or \"off\""));
    assert_false(approve_desk_shadow(&desk));
    /* STORE_NOTE_MAX: a reason of 511 bytes is kept; of 512, refused. */
    char reason[STORE_NOTE_MAX + 1];
    memset(reason, 'r', STORE_NOTE_MAX);
    reason[STORE_NOTE_MAX] = '\0';
    assert_int_equal(command("sam", 2001, "shadow",
                             json_pack("{s:s, s:s}", "set", "off", "reason", reason), &out, err),
                     -1);
    assert_non_null(strstr(err, "longer than 511 bytes"));
    reason[STORE_NOTE_MAX - 1] = '\0';
    assert_int_equal(command("sam", 2001, "shadow",
                             json_pack("{s:s, s:s}", "set", "off", "reason", reason), &out, err),
                     0);
    assert_int_equal(strlen(json_string_value(json_object_get(out, "reason"))), STORE_NOTE_MAX - 1);
    json_decref(out);
    assert_false(approve_desk_shadow(&desk));
    /* Not switched when the ledger does not take the record. */
    ledger_fails = 1;
    assert_int_equal(command("sam", 2001, "shadow", json_pack("{s:s}", "set", "on"), &out, err),
                     -1);
    ledger_fails = 0;
    assert_non_null(strstr(err, "could not be recorded"));
    assert_false(approve_desk_shadow(&desk));
    assert_int_equal(command("sam", 2001, "shadow",
                             json_pack("{s:s, s:s}", "set", "on", "reason", "rolling out hooks"),
                             &out, err),
                     0);
    assert_true(json_is_true(json_object_get(out, "on")));
    assert_string_equal(json_string_value(json_object_get(out, "by")), "sam");
    json_decref(out);
    assert_true(approve_desk_shadow(&desk));
    json_t *r = json_array_get(records, json_array_size(records) - 1);
    assert_string_equal(last_record_type(), "shadow");
    assert_true(json_is_true(json_object_get(r, "on")));
    assert_string_equal(json_string_value(json_object_get(r, "reason")), "rolling out hooks");
    /* In the store: what a restarted airlockd reads. */
    struct store *st;
    struct store_shadow sh;
    snprintf(db, sizeof(db), "%s/approvals.db", base);
    assert_int_equal(store_open_sqlite(&st, db, e2, sizeof(e2)), 0);
    assert_int_equal(store_shadow_get(st, &sh), 0);
    assert_true(sh.on);
    assert_string_equal(sh.by, "sam");
    assert_string_equal(sh.reason, "rolling out hooks");
    store_close(st);
    assert_int_equal(command("sam", 2001, "shadow", json_pack("{s:s}", "set", "off"), &out, err),
                     0);
    json_decref(out);
    assert_false(approve_desk_shadow(&desk));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_and_approve),
        cmocka_unit_test(test_deny),
        cmocka_unit_test(test_grant_and_fail_closed),
        cmocka_unit_test(test_shadow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
