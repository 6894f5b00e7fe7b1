/*
 * daemon_hold: airlockd's held calls and people's commands at the wire,
 * against a real daemon in a child process (as root it drops to nobody):
 * a held call's answer comes unasked, after answers to other frames; a
 * session waits for at most DAEMON_MAX_WAITS held calls (crossed); one
 * `log` answer holds at most DAEMON_MAX_LOG_ENTRIES entries or about
 * DAEMON_MAX_LOG_BYTES of them (both crossed); a wait
 * or a withdrawal of someone else's hold is refused; people's commands
 * refuse what is malformed, each with its reason.
 */
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/daemon/daemon.h"
#include "../src/daemon/daemon_wire.h"
#include "../src/client/client.h"
#include "../src/gate/gate.h"
#include "../src/gate/gate_decider.h"
#include "test_util.h"

static struct tu_daemon td;
static const char *sock = td.sock;

static int
setup(void **state)
{
    (void)state;
    return tu_daemon_start(&td, "daemon_hold_test", 0, NULL);
}

static int
teardown(void **state)
{
    (void)state;
    return tu_daemon_remove(&td);
}

static struct gate_decider *
session(void)
{
    struct gate_decider *g;
    char err[512];
    json_t *tools = json_pack("[{s:s}]", "name", "post");
    assert_int_equal(client_connect(&g, sock, "srv", "agent-a", err, sizeof(err)), 0);
    assert_int_equal(gate_decider_set_tools(g, tools, err, sizeof(err)), 0);
    json_decref(tools);
    return g;
}

static void
decide(struct gate_decider *g, int n, struct gate_verdict *v)
{
    json_t *p = json_pack("{s:s, s:{s:i}}", "name", "post", "arguments", "n", n);
    gate_decider_decide(g, "tools/call", p, v);
    json_decref(p);
}

/* One frame to the daemon on a connection of its own, its answer. */
static int
ask(enum wire_type type, enum wire_tag t1, const char *v1, enum wire_tag t2, const char *v2,
    char *out, size_t n)
{
    struct wire_buf w = {0};
    struct wire_in in = {0};
    struct wire_msg m;
    const char *body;
    size_t len;
    char err[256];
    int fd = wire_dial(sock, err, sizeof(err));
    assert_true(fd >= 0);
    wire_begin(&w, type);
    if (v1)
        wire_add_str(&w, t1, v1);
    if (v2)
        wire_add_str(&w, t2, v2);
    assert_int_equal(wire_send(fd, &w), 0);
    assert_int_equal(wire_next(fd, &in, &body, &len, err, sizeof(err)), 0);
    assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
    int type_back = m.type;
    const struct wire_field *f = &m.f[m.type == WIRE_ERROR ? WT_TEXT : WT_JSON];
    snprintf(out, n, "%.*s", (int)f->n, f->p ? f->p : "");
    close(fd);
    wire_release(&w);
    wire_in_release(&in);
    return type_back;
}

static int answered;
static char last_hold[GATE_HOLD_MAX];
static char last_text[GATE_REASON_MAX];

static void
take(void *arg, struct gate_verdict *v)
{
    (void)arg;
    answered++;
    snprintf(last_hold, sizeof(last_hold), "%s", v->hold);
    snprintf(last_text, sizeof(last_text), "%s", v->text);
    gate_verdict_release(v);
}

static void
test_answer_comes_later(void **state)
{
    (void)state;
    struct gate_decider *g = session();
    struct gate_verdict v;
    char out[4096], args[128];
    decide(g, 1, &v);
    assert_int_equal(v.outcome, GATE_HELD);
    assert_int_equal(gate_decider_holds(g), 1);
    char id[GATE_HOLD_MAX];
    snprintf(id, sizeof(id), "%s", v.hold);
    gate_verdict_release(&v);
    /* Denied by a person: the answer is read with the next call's. */
    snprintf(args, sizeof(args), "{\"id\":\"%s\",\"reason\":\"no\"}", id);
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "deny", WT_JSON, args, out, sizeof(out)), WIRE_OK);
    decide(g, 2, &v); /* another call: held too; the denial is set aside */
    assert_int_equal(v.outcome, GATE_HELD);
    gate_verdict_release(&v);
    answered = 0;
    assert_int_equal(gate_decider_resolved(g, take, NULL), 1);
    assert_string_equal(last_hold, id);
    assert_non_null(strstr(last_text, "denied it (no)"));
    assert_int_equal(gate_decider_holds(g), 1);
    /* The same call again while held: refused (one approval, one call). */
    decide(g, 2, &v);
    assert_int_equal(v.outcome, GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(v.text, "the same call is held already"));
    gate_verdict_release(&v);
    assert_int_equal(gate_decider_holds(g), 1);
    gate_decider_close(g);
}

static void
test_max_waits(void **state)
{
    (void)state;
    struct gate_decider *g = session();
    struct gate_verdict v;
    for (int i = 0; i < DAEMON_MAX_WAITS; i++) {
        decide(g, 1000 + i, &v);
        assert_int_equal(v.outcome, GATE_HELD);
        gate_verdict_release(&v);
    }
    decide(g, 1000 + DAEMON_MAX_WAITS, &v);
    assert_int_equal(v.outcome, GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(v.text, "already waits for 4096 held calls"));
    gate_verdict_release(&v);
    gate_decider_close(g);
    /* The ledger now holds over DAEMON_MAX_LOG_ENTRIES records (a request
     * and a hold each): one `log` answer stops there and says where to go on. */
    size_t cap = 16u << 20;
    char *out = malloc(cap);
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "log", WT_JSON, "{\"from\":0}", out, cap), WIRE_OK);
    json_t *r = json_loads(out, 0, NULL);
    assert_non_null(r);
    assert_int_equal(json_array_size(json_object_get(r, "entries")), DAEMON_MAX_LOG_ENTRIES);
    assert_int_equal(json_integer_value(json_object_get(r, "next")), DAEMON_MAX_LOG_ENTRIES);
    assert_true(json_integer_value(json_object_get(r, "size")) > 2 * DAEMON_MAX_WAITS);
    json_decref(r);
    free(out);
}

/* The server's requests and the client's answers are decided by airlockd
 * but never held: a secret in a sampling answer is refused at once, and no
 * person is asked. */
static void
test_server_requests_not_held(void **state)
{
    (void)state;
    struct gate_decider *g = session();
    struct gate_verdict v;
    json_t *ask_p = json_pack("{s:[{s:s, s:{s:s, s:s}}], s:i}", "messages", "role", "user",
                              "content", "type", "text", "text", "hello", "maxTokens", 10);
    gate_decider_decide(g, "sampling/createMessage", ask_p, &v);
    assert_int_equal(v.outcome, GATE_PERMIT);
    gate_verdict_release(&v);
    json_t *answer = json_pack("{s:s, s:s, s:{s:s, s:s}}", "role", "assistant", "model", "m",
                               "content", "type", "text", "text",
                               "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    gate_decider_decide(g, GATE_SAMPLING_ANSWER, answer, &v);
    assert_int_equal(v.outcome, GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(v.text, "not held for a person"));
    assert_false(v.hold[0]);
    gate_verdict_release(&v);
    json_decref(ask_p);
    json_decref(answer);
    gate_decider_close(g);
    char out[4096];
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "pending", WT_JSON, "{}", out, sizeof(out)), WIRE_OK);
    assert_null(strstr(out, "sampling"));
}

static void
test_refusals(void **state)
{
    (void)state;
    char out[4096];
    /* Waiting needs a session; a hold nobody has is nobody's. */
    assert_int_equal(ask(WIRE_WAIT, WT_HOLD, "h-0000000000", 0, NULL, out, sizeof(out)),
                     WIRE_ERROR);
    assert_string_equal(out, "say hello first");
    struct gate_decider *g = session();
    gate_decider_withdraw(g, "h-not-mine", "cancelled"); /* not held here: nothing is sent */
    gate_decider_close(g);
    static const struct {
        const char *what, *json, *why;
    } bad[] = {
        {"approve", "{}", "approve needs a held call's id"},
        {"approve", "{\"id\":\"h-0000000000\"}", "no held call h-0000000000"},
        {"approve", "{\"id\":\"h-1\",\"for\":99999999999}", "within a year"},
        {"deny", "{\"id\":\"h-1\"}", "deny needs a held call's id and a reason"},
        {"revoke", "{\"id\":\"g-1\"}", "no grant g-1"},
        {"close", "{\"id\":\"x-1\",\"note\":\"n\"}", "no exposure x-1"},
        {"close", "{\"id\":\"x-1\"}", "needs its id and a note"},
        {"rewrite", "{}", "no such command"},
        {"pending", "[]", "must be a JSON object"},
        {"pending", "{", "must be a JSON object"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(
            ask(WIRE_ADMIN, WT_WHAT, bad[i].what, WT_JSON, bad[i].json, out, sizeof(out)),
            WIRE_ERROR);
        if (!strstr(out, bad[i].why))
            fail_msg("%s %s: '%s' does not say '%s'", bad[i].what, bad[i].json, out, bad[i].why);
    }
    /* A note over APPROVE_MAX_NOTE bytes is refused. */
    char *big = malloc(1100 + 64);
    snprintf(big, 64, "{\"id\":\"h-1\",\"reason\":\"");
    memset(big + strlen(big), 'a', 1100);
    strcpy(big + strlen("{\"id\":\"h-1\",\"reason\":\"") + 1100, "\"}");
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "deny", WT_JSON, big, out, sizeof(out)), WIRE_ERROR);
    assert_non_null(strstr(out, "at most 1024 bytes"));
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "approve", WT_JSON, big, out, sizeof(out)),
                     WIRE_ERROR);
    assert_non_null(strstr(out, "a reason is at most 1024 bytes"));
    free(big);
    /* Listing works with no arguments at all. */
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "grants", 0, NULL, out, sizeof(out)), WIRE_OK);
    assert_string_equal(out, "{\"grants\":[]}");
}

/* A `log` answer over DAEMON_MAX_LOG_BYTES of records stops there (before
 * DAEMON_MAX_LOG_ENTRIES) and says where to go on. */
static void
test_log_bytes_limit(void **state)
{
    (void)state;
    size_t cap = 16u << 20;
    char *out = malloc(cap), from[64];
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "log", WT_JSON, "{\"from\":1000000000}", out, cap),
                     WIRE_OK);
    json_t *r = json_loads(out, 0, NULL);
    json_int_t size0 = json_integer_value(json_object_get(r, "size"));
    json_decref(r);
    /* Requests of about 4.4 KiB each (arguments are logged up to 4 KiB). */
    struct gate_decider *g = session();
    char *pad = malloc(4001);
    memset(pad, 'p', 4000);
    pad[4000] = '\0';
    json_t *p = json_pack("{s:s, s:s}", "uri", "file:///srv/report.txt", "pad", pad);
    for (int i = 0; i < DAEMON_MAX_LOG_ENTRIES; i++) {
        struct gate_verdict v;
        gate_decider_decide(g, "resources/read", p, &v);
        assert_int_equal(v.outcome, GATE_PERMIT);
        gate_verdict_release(&v);
    }
    json_decref(p);
    free(pad);
    gate_decider_close(g);
    snprintf(from, sizeof(from), "{\"from\":%lld}", (long long)size0);
    assert_int_equal(ask(WIRE_ADMIN, WT_WHAT, "log", WT_JSON, from, out, cap), WIRE_OK);
    r = json_loads(out, 0, NULL);
    assert_non_null(r);
    json_t *entries = json_object_get(r, "entries");
    size_t n = json_array_size(entries), bytes = 0, i;
    json_t *e;
    json_array_foreach(entries, i, e)
        bytes += json_string_length(json_object_get(e, "text"));
    assert_true(n > 0 && n < DAEMON_MAX_LOG_ENTRIES);
    assert_true(bytes >= DAEMON_MAX_LOG_BYTES);
    assert_true(bytes -
                    json_string_length(json_object_get(json_array_get(entries, n - 1), "text")) <
                DAEMON_MAX_LOG_BYTES);
    assert_int_equal(json_integer_value(json_object_get(r, "next")), size0 + (json_int_t)n);
    json_decref(r);
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_comes_later),       cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_server_requests_not_held), cmocka_unit_test(test_max_waits),
        cmocka_unit_test(test_log_bytes_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
