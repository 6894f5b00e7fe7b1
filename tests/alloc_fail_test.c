/*
 * alloc_fail: the Nth allocation fails, for every N, as SQLite tests it.
 *
 * This test is linked with -Wl,--wrap=malloc,... (Makefile): every malloc,
 * calloc, realloc, strdup and strndup of airlock's code, and jansson's
 * (json_set_alloc_funcs), goes through the wrappers below, which fail the
 * allocation numbered fail_at.  For N = 0, 1, 2, ... the same work runs
 * again with allocation N failing, until a run makes fewer than N+1
 * allocations (then every allocation has failed once).  Each run must
 * refuse or report the failure: never crash (ASan), never leak (LSan
 * reports at exit), never permit what the same work without a failure
 * refuses.
 *
 *  - the Cedar engine: the administrative policies, their entities and
 *    the requests of policies/admin.test.json, authorized;
 *  - the gate: three calls (one permitted, one held for a finding, one
 *    refused) decided and recorded in a ledger;
 *  - the approvals desk: a call held, approved by a person and released
 *    to its session: the session is told "permitted" only when the
 *    approval and its use are on the record.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/approve/approve_desk.h"
#include "../src/cedar/cedar.h"
#include "../src/gate/gate.h"
#include "../src/ledger/ledger_log.h"
#include "test_util.h"

/* ---- the failing allocator ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);

static long fail_at = -1; /* the allocation to fail; -1: none */
static long count;        /* allocations since the run began */
static int failed;        /* the run's failure happened */

static int
fail_now(void)
{
    if (fail_at < 0 || count++ != fail_at)
        return 0;
    failed = 1;
    errno = ENOMEM; /* as malloc says it */
    return 1;
}

void *
__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t k, size_t n)
{
    return fail_now() ? NULL : __real_calloc(k, n);
}

void *
__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = __wrap_malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

char *
__wrap_strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *d = __wrap_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void
arm(long n)
{
    fail_at = n, count = 0, failed = 0;
}

static void
disarm(void)
{
    fail_at = -1;
}

/* ---- the Cedar engine ---- */

static char *
slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/../%s", tu_build_dir(), name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = __real_malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

struct cedar_case {
    char *request; /* {principal, action, resource, context} as JSON text */
    int allow;
};

/* One run over the policies, entities and requests.  Returns how many
 * requests were allowed where the test file expects a denial (must be 0),
 * and counts the requests answered as expected in *right. */
static int
cedar_run(const char *pol, const char *ents, const struct cedar_case *cs, size_t n, size_t *right)
{
    int wrong = 0;
    static struct cedar_diags diags; /* large: not on the stack */
    struct cedar_error err;
    struct cedar_policyset *ps = cedar_policyset_new();
    struct cedar_entities *es = cedar_entities_new();
    struct cedar_authorizer *az = cedar_authorizer_new();
    *right = 0;
    if (!ps || !es || !az || cedar_policyset_add_text(ps, pol, strlen(pol), 0, &diags) ||
        cedar_entities_load_json(es, ents, strlen(ents), &err))
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct cedar_arena a;
        struct cedar_request req;
        struct cedar_response r;
        cedar_arena_init(&a, CEDAR_MAX_REQUEST_ARENA);
        if (!cedar_request_from_json(&a, cs[i].request, strlen(cs[i].request), &req, &err) &&
            !cedar_authorize(az, ps, es, &req, &r)) {
            wrong += r.allow && !cs[i].allow;
            *right += r.allow == cs[i].allow;
        }
        cedar_arena_release(&a);
    }
out:
    cedar_authorizer_free(az);
    cedar_entities_free(es);
    cedar_policyset_free(ps);
    return wrong;
}

static void
test_cedar(void **state)
{
    (void)state;
    char *pol = slurp("policies/admin.cedar"), *ents = slurp("policies/admin.test-entities.json");
    char *tests = slurp("policies/admin.test.json");
    json_t *t = json_loads(tests, 0, NULL);
    const json_t *reqs = json_object_get(t, "requests");
    size_t n = json_array_size(reqs);
    struct cedar_case *cs = __real_calloc(n, sizeof(*cs));
    for (size_t i = 0; i < n; i++) {
        const json_t *r = json_array_get(reqs, i);
        json_t *q =
            json_pack("{s:O, s:O, s:O, s:O}", "principal", json_object_get(r, "principal"),
                      "action", json_object_get(r, "action"), "resource",
                      json_object_get(r, "resource"), "context", json_object_get(r, "context"));
        cs[i].request = json_dumps(q, JSON_COMPACT);
        cs[i].allow = !strcmp(json_string_value(json_object_get(r, "decision")), "allow");
        json_decref(q);
    }
    size_t right;
    assert_int_equal(cedar_run(pol, ents, cs, n, &right), 0);
    assert_int_equal(right, n); /* without a failure, all as the file says */
    long runs = 0;
    for (long k = 0;; k++) {
        arm(k);
        int wrong = cedar_run(pol, ents, cs, n, &right);
        disarm();
        runs++;
        if (wrong)
            fail_msg("allocation %ld failing: %d request(s) allowed that are denied", k, wrong);
        if (!failed) {
            assert_int_equal(right, n);
            break;
        }
    }
    printf("cedar: each of %ld allocations failed once: every failure refused\n", runs - 1);
    for (size_t i = 0; i < n; i++)
        free(cs[i].request);
    free(cs);
    json_decref(t);
    free(tests);
    free(ents);
    free(pol);
}

/* ---- the gate ---- */

static const char *tools = "[{\"name\":\"search\",\"annotations\":{\"readOnlyHint\":true}},"
                           " {\"name\":\"save_note\",\"inputSchema\":{\"type\":\"object\"}}]";
static const char *config = "{\"tools\":{\"search\":{\"readOnly\":true,\"audience\":\"self\"},"
                            "\"save_note\":{\"audience\":\"self\",\"destructive\":false}}}";

static const struct {
    const char *method, *params;
    enum gate_outcome want;
} calls[] = {
    {"tools/call", "{\"name\":\"search\",\"arguments\":{\"q\":\"nightly job\"}}", GATE_PERMIT},
    {"tools/call",
     "{\"name\":\"save_note\",\"arguments\":{\"text\":\"run `gsutil iam ch "
     "group:all-employees@acme.example:objectViewer gs://user-data-exports`\"}}",
     GATE_NEEDS_APPROVAL},
    {"tools/call", "{\"name\":\"nope\",\"arguments\":{}}", GATE_DENY},
};

static void
test_gate(void **state)
{
    (void)state;
    char dir[256], err[GATE_ERR_MAX], vkey[512];
    snprintf(dir, sizeof(dir), "/dev/shm/airlock-allocfail.%d", (int)getpid());
    struct ledger_log *log;
    assert_int_equal(ledger_create(dir, "test/allocfail", vkey, sizeof(vkey), err, sizeof(err)), 0);
    assert_int_equal(ledger_open(dir, 1, &log, err, sizeof(err)), 0);
    struct gate_config cfg;
    gate_config_init(&cfg);
    assert_int_equal(gate_config_parse(&cfg, "c", config, strlen(config), err, sizeof(err)), 0);
    struct gate_opts o = {
        .cfg = &cfg, .log = log, .dir = dir, .server = "srv", .agent = "bot", .user = "dana"};
    struct gate *g;
    assert_int_equal(gate_open(&g, &o, err, sizeof(err)), 0);
    json_t *t = json_loads(tools, 0, NULL);
    assert_int_equal(gate_set_tools(g, t, err, sizeof(err)), 0);
    json_decref(t);
    long total = 0;
    for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
        json_t *p = json_loads(calls[i].params, 0, NULL);
        for (long k = 0;; k++) {
            struct gate_verdict v;
            arm(k);
            gate_decide(g, calls[i].method, p, &v);
            disarm();
            if (v.outcome != calls[i].want && v.outcome != GATE_DENY)
                fail_msg("%s, allocation %ld failing: outcome %d, not %d or a refusal",
                         calls[i].params, k, v.outcome, calls[i].want);
            if (failed && v.outcome == GATE_PERMIT && !v.entry)
                fail_msg("%s, allocation %ld failing: permitted, unrecorded", calls[i].params, k);
            gate_verdict_release(&v);
            (void)gate_flush(g);
            if (!failed) {
                assert_int_equal(v.outcome, calls[i].want);
                total += k;
                break;
            }
        }
        json_decref(p);
    }
    printf("gate: each of %ld allocations of three decisions failed once: every failure "
           "refused or decided as without it\n",
           total);
    gate_close(g);
    gate_config_release(&cfg);
    ledger_close(log);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- the approvals desk ---- */

static json_t *desk_records, *desk_told;
static int desk_waits;

static int
desk_record(void *arg, json_t *rec)
{
    (void)arg;
    return json_array_append(desk_records, rec);
}

static void
desk_resolve(void *arg, const char *id, const struct gate_verdict *v)
{
    (void)arg, (void)id, (void)v;
    desk_waits = 0;
}

static const struct approve_session desk_agent = {1000, "dana", "bot", "s-1", "forum"};

static void *
desk_take_waiter(void *arg, const char *id, struct approve_session *s)
{
    (void)arg, (void)id;
    if (!desk_waits)
        return NULL;
    desk_waits = 0;
    *s = desk_agent;
    return &desk_waits;
}

static void
desk_deliver(void *arg, void *waiter, const struct gate_verdict *v)
{
    (void)arg, (void)waiter;
    json_array_append_new(desk_told, json_integer(v->outcome));
}

static int
recorded(const char *type)
{
    size_t i;
    json_t *r;
    json_array_foreach(desk_records, i, r)
        if (!strcmp(json_string_value(json_object_get(r, "type")), type))
            return 1;
    return 0;
}

static void
test_desk(void **state)
{
    (void)state;
    char dir[256], path[300], err[1024], why[512];
    snprintf(dir, sizeof(dir), "/dev/shm/airlock-allocfail-desk.%d", (int)getpid());
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/approvals.db", dir);
    struct store *st;
    struct approve_authz *az;
    struct approve_config cfg;
    assert_int_equal(store_open_sqlite(&st, path, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/entities.json", dir);
    FILE *f = fopen(path, "w");
    fputs("[{\"uid\":{\"type\":\"Group\",\"id\":\"approvers\"},\"attrs\":{},\"parents\":[]},"
          " {\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{},"
          "  \"parents\":[{\"type\":\"Group\",\"id\":\"approvers\"}]}]",
          f);
    fclose(f);
    assert_int_equal(approve_authz_open(&az, NULL, path, err, sizeof(err)), 0);
    assert_int_equal(approve_config_parse(&cfg, NULL, err, sizeof(err)), 0);
    struct approve_desk desk;
    struct approve_desk_hooks h = {NULL, desk_record, desk_resolve, desk_take_waiter, desk_deliver};
    approve_desk_init(&desk, st, az, &cfg, NULL, &h);
    long total = 0;
    for (long k = 0;; k++) {
        char text[64];
        struct gate_verdict v = {.outcome = GATE_NEEDS_APPROVAL, .tool = "post", .entry = 1};
        snprintf(v.text, sizeof(v.text), "held");
        snprintf(text, sizeof(text), "call %ld", k); /* each run its own call */
        json_t *p = json_pack("{s:s, s:{s:s}}", "name", "post", "arguments", "text", text);
        desk_records = json_array(), desk_told = json_array();
        v.categories = json_pack("[s]", "exfiltration");
        arm(k);
        enum approve_admit a =
            approve_desk_admit(&desk, &desk_agent, "tools/call", p, &v, why, sizeof(why));
        int held =
            a == APPROVE_NEEDS_HOLD &&
            !approve_desk_hold_new(&desk, &desk_agent, "tools/call", p, &v, why, sizeof(why));
        if (a == APPROVE_PERMITTED)
            fail_msg("allocation %ld failing: a call nobody approved was permitted", k);
        if (held) {
            struct approve_caller who = {2000, "alice", 0};
            json_t *args = json_pack("{s:s}", "id", v.hold), *out = NULL;
            desk_waits = 1;
            if (args)
                (void)approve_desk_command(&desk, &who, "approve", args, &out, err, sizeof(err));
            json_decref(args);
            json_decref(out);
        }
        disarm();
        for (size_t i = 0; i < json_array_size(desk_told); i++)
            if (json_integer_value(json_array_get(desk_told, i)) == GATE_PERMIT &&
                (!recorded("approval") || !recorded("approval-used")))
                fail_msg("allocation %ld failing: permitted, the approval not on the record", k);
        int done = !failed;
        if (done) {
            assert_true(held);
            assert_int_equal(json_array_size(desk_told), 1);
            assert_int_equal(json_integer_value(json_array_get(desk_told, 0)), GATE_PERMIT);
        }
        json_decref(v.categories);
        v.categories = NULL;
        gate_verdict_release(&v);
        json_decref(p);
        json_decref(desk_records), json_decref(desk_told);
        if (done) {
            total = k;
            break;
        }
    }
    printf("desk: each of %ld allocations of a call held and approved failed once: none "
           "permitted what was not approved on the record\n",
           total);
    approve_desk_release(&desk);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    json_set_alloc_funcs(__wrap_malloc, free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cedar),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_desk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
