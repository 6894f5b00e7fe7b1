/*
 * store: the approvals store (src/store/store.h) on SQLite, through every
 * state of its rows, its limits and its transactions.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/store/store.h"
#include "test_util.h"

static const unsigned char RFC_SECRET[] = "12345678901234567890";

static struct store *
open_store(char *path, size_t n)
{
    struct store *st;
    char err[256];
    snprintf(path, n, "%s/store_test.db", tu_build_dir());
    unlink(path);
    assert_int_equal(store_open_sqlite(&st, path, err, sizeof(err)), 0);
    return st;
}

/* A hold (borrowing its texts; params and categories owned). */
static struct store_hold
a_hold(const char *id, int64_t now, const char *bind)
{
    struct store_hold h = {
        .created = now,
        .expires = now + 600,
        .uid = 1000,
        .user = "bob",
        .agent = "helper",
        .session = "S1",
        .server = "forum",
        .method = "tools/call",
        .tool = "post",
        .params = json_pack("{s:s}", "name", "post"),
        .severity = 3,
        .categories = json_pack("[s]", "widens-access"),
        .entry = 7,
        .text = "held",
        .effects = 4,
    };
    snprintf(h.id, sizeof(h.id), "%s", id);
    snprintf(h.bind, sizeof(h.bind), "%s", bind);
    snprintf(h.match, sizeof(h.match), "M");
    return h;
}

static void
drop(struct store_hold *h)
{
    json_decref(h->params);
    json_decref(h->categories);
}

static void
test_holds(void **state)
{
    (void)state;
    char path[4096];
    struct store *st = open_store(path, sizeof(path));
    struct store_hold h = a_hold("h-1", 1000, "B"), got;
    struct store_holds list;
    struct store_ids ids;
    int changed, found;
    int64_t n;
    assert_int_equal(store_hold_add(st, &h), 0);
    /* An id is unique: the same again is an error, said. */
    assert_int_equal(store_hold_add(st, &h), -1);
    assert_non_null(strstr(store_error(st), "UNIQUE"));
    assert_int_equal(store_hold_get(st, "h-1", &got, &found), 0);
    assert_true(found);
    assert_int_equal(got.status, STORE_PENDING);
    assert_true(json_equal(got.params, h.params));
    assert_int_equal(got.effects, 4);
    assert_string_equal(got.tool, "post");
    store_hold_release(&got);
    assert_int_equal(store_hold_get(st, "h-none", &got, &found), 0);
    assert_false(found);
    /* The same call in the same session finds it; in another, not. */
    assert_int_equal(store_hold_match(st, "B", "S1", 1001, &got, &found), 0);
    assert_true(found);
    store_hold_release(&got);
    assert_int_equal(store_hold_match(st, "B", "S2", 1001, &got, &found), 0);
    assert_false(found);
    /* Approved: usable until its window ends, then not. */
    struct store_decision yes = {1002, "alice", "ok", 0, 1100}, no = {1003, "carol", "no", 0, 0};
    assert_int_equal(store_hold_decide(st, "h-1", STORE_PENDING, STORE_APPROVED, &yes, &changed),
                     0);
    assert_int_equal(changed, 1);
    assert_int_equal(store_hold_decide(st, "h-1", STORE_PENDING, STORE_DENIED, &no, &changed), 0);
    assert_int_equal(changed, 0); /* decided once */
    assert_int_equal(store_hold_match(st, "B", "S1", 1099, &got, &found), 0);
    assert_true(found);
    assert_string_equal(got.decided_by, "alice");
    assert_int_equal(got.usable_until, 1100);
    /* its JSON for people: the columns' names, absent ones left out */
    json_t *j = store_hold_json(&got);
    assert_string_equal(json_string_value(json_object_get(j, "decidedBy")), "alice");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "approved");
    assert_null(json_object_get(j, "grantSeconds"));
    json_decref(j);
    store_hold_release(&got);
    assert_int_equal(store_hold_match(st, "B", "S1", 1100, &got, &found), 0);
    assert_false(found);
    /* Expiry: only pending holds past their time. */
    struct store_hold h2 = a_hold("h-2", 1000, "C");
    assert_int_equal(store_hold_add(st, &h2), 0);
    assert_int_equal(store_hold_expired(st, 1599, &ids), 0);
    assert_int_equal(ids.n, 0);
    store_ids_release(&ids);
    assert_int_equal(store_hold_expired(st, 1600, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.v[0], "h-2");
    store_ids_release(&ids);
    assert_int_equal(store_hold_list(st, STORE_PENDING, &list), 0);
    assert_int_equal(list.n, 1);
    store_holds_release(&list);
    assert_int_equal(store_hold_count(st, -1, &n), 0);
    assert_int_equal(n, 2);
    /* Votes: one per person. */
    int is_new;
    assert_int_equal(store_vote_add(st, "h-2", "alice", 1001, 1, &is_new), 0);
    assert_int_equal(is_new, 1);
    assert_int_equal(store_vote_add(st, "h-2", "alice", 1002, 1, &is_new), 0);
    assert_int_equal(is_new, 0);
    assert_int_equal(store_vote_add(st, "h-2", "carol", 1002, 0, NULL), 0);
    assert_int_equal(store_vote_count(st, "h-2", &n), 0);
    assert_int_equal(n, 2);
    drop(&h);
    drop(&h2);
    store_close(st);
    /* Reopened: everything is there (WAL, synchronous=FULL). */
    char err[256];
    assert_int_equal(store_open_sqlite(&st, path, err, sizeof(err)), 0);
    assert_int_equal(store_hold_count(st, -1, &n), 0);
    assert_int_equal(n, 2);
    store_close(st);
}

static void
test_grants_exposures(void **state)
{
    (void)state;
    char path[4096];
    struct store *st = open_store(path, sizeof(path));
    struct store_grant g = {.id = "g-1",
                            .hold = "h-1",
                            .uid = 1000,
                            .agent = "helper",
                            .server = "forum",
                            .method = "tools/call",
                            .tool = "post",
                            .match = "M",
                            .created = 1000,
                            .expires = 1900,
                            .by = "alice"},
                       got;
    struct store_grants rows;
    int changed, found;
    assert_int_equal(store_grant_add(st, &g), 0);
    assert_int_equal(store_grant_match(st, 1000, "helper", "forum", "tools/call", "post", "M", 1899,
                                       &got, &found),
                     0);
    assert_true(found);
    assert_string_equal(got.by, "alice");
    store_grant_release(&got);
    /* Another uid, agent, tool or arguments; or expired: no grant. */
    assert_int_equal(store_grant_match(st, 1001, "helper", "forum", "tools/call", "post", "M", 1000,
                                       &got, &found),
                     0);
    assert_false(found);
    assert_int_equal(store_grant_match(st, 1000, "other", "forum", "tools/call", "post", "M", 1000,
                                       &got, &found),
                     0);
    assert_false(found);
    assert_int_equal(store_grant_match(st, 1000, "helper", "forum", "tools/call", "post", "N", 1000,
                                       &got, &found),
                     0);
    assert_false(found);
    assert_int_equal(store_grant_match(st, 1000, "helper", "forum", "tools/call", "post", "M", 1900,
                                       &got, &found),
                     0);
    assert_false(found);
    /* Ended: said once. */
    assert_int_equal(store_grant_ended(st, 1899, &rows), 0);
    assert_int_equal(rows.n, 0);
    store_grants_release(&rows);
    assert_int_equal(store_grant_ended(st, 1900, &rows), 0);
    assert_int_equal(rows.n, 1);
    store_grants_release(&rows);
    assert_int_equal(store_grant_ended(st, 1901, &rows), 0);
    assert_int_equal(rows.n, 0);
    store_grants_release(&rows);
    /* An ended grant cannot be revoked. */
    assert_int_equal(store_grant_revoke(st, "g-1", "carol", 1950, &changed), 0);
    assert_int_equal(changed, 0);
    /* Exposures: opened, alerted once per interval, closed by key. */
    struct store_exposure e = {.id = "x-1",
                               .entry = 3,
                               .agent = "helper",
                               .user = "bob",
                               .server = "forum",
                               .rule = "CHMOD-WIDEN",
                               .what = "chmod 777 /d",
                               .key = "chmod /d",
                               .opened = 1000};
    struct store_exposures xs;
    struct store_ids closed;
    assert_int_equal(store_exposure_open(st, &e), 0);
    assert_int_equal(store_exposure_due(st, 999, 999, 1001, &xs), 0);
    assert_int_equal(xs.n, 0);
    store_exposures_release(&xs);
    assert_int_equal(store_exposure_due(st, 1900, 1900, 1900, &xs), 0);
    assert_int_equal(xs.n, 1);
    store_exposures_release(&xs);
    assert_int_equal(store_exposure_due(st, 1950, 1899, 1950, &xs), 0);
    assert_int_equal(xs.n, 0); /* alerted at 1900, not again before 1900+ */
    store_exposures_release(&xs);
    assert_int_equal(store_exposure_close(st, NULL, "chmod /other", "a", "n", 2000, &closed), 0);
    assert_int_equal(closed.n, 0);
    store_ids_release(&closed);
    assert_int_equal(store_exposure_close(st, NULL, "chmod /d", "a", "n", 2000, &closed), 0);
    assert_int_equal(closed.n, 1);
    store_ids_release(&closed);
    assert_int_equal(store_exposure_list(st, 1, &xs), 0);
    assert_int_equal(xs.n, 0);
    store_exposures_release(&xs);
    assert_int_equal(store_exposure_list(st, 0, &xs), 0);
    assert_int_equal(xs.v[0].closed, 2000);
    store_exposures_release(&xs);
    /* Enrolments: the secret round-trips and never leaves as JSON. */
    unsigned char s[20];
    size_t n;
    int64_t last;
    assert_int_equal(store_totp_get(st, "alice", s, sizeof(s), &n, &last), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_totp_set(st, "alice", RFC_SECRET, 20, 1000), 0);
    assert_int_equal(store_totp_used(st, "alice", 77), 0);
    assert_int_equal(store_totp_get(st, "alice", s, sizeof(s), &n, &last), 0);
    assert_int_equal(n, 20);
    assert_memory_equal(s, RFC_SECRET, 20);
    assert_int_equal(last, 77);
    /* Users that ran agents are remembered. */
    int yes;
    assert_int_equal(store_agent_user_is(st, 1000, &yes), 0);
    assert_false(yes);
    assert_int_equal(store_agent_user_add(st, 1000, "bob", 1000), 0);
    assert_int_equal(store_agent_user_is(st, 1000, &yes), 0);
    assert_true(yes);
    store_close(st);
}

/* Explicit transactions: what a rollback undoes is gone. */
static void
test_transactions(void **state)
{
    (void)state;
    char path[4096];
    struct store *st = open_store(path, sizeof(path));
    struct store_hold h = a_hold("h-1", 1000, "B"), h2 = a_hold("h-2", 1000, "C");
    int64_t n;
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_hold_add(st, &h), 0);
    assert_int_equal(store_rollback(st), 0);
    assert_int_equal(store_hold_count(st, -1, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_hold_add(st, &h), 0);
    assert_int_equal(store_hold_add(st, &h2), 0);
    assert_int_equal(store_commit(st), 0);
    assert_int_equal(store_hold_count(st, -1, &n), 0);
    assert_int_equal(n, 2);
    /* One inside another is an error, said; the outer one stands. */
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_begin(st), -1);
    assert_non_null(strstr(store_error(st), "transaction"));
    assert_int_equal(store_rollback(st), 0);
    drop(&h);
    drop(&h2);
    store_close(st);
}

static void
test_list_limit(void **state)
{
    (void)state;
    char path[4096], id[32];
    struct store *st = open_store(path, sizeof(path));
    struct store_holds rows;
    assert_int_equal(store_begin(st), 0); /* one transaction: one sync */
    for (int i = 0; i < STORE_MAX_LIST + 1; i++) {
        snprintf(id, sizeof(id), "h-%d", i);
        struct store_hold h = a_hold(id, 1000 + i, "B");
        assert_int_equal(store_hold_add(st, &h), 0);
        drop(&h);
    }
    assert_int_equal(store_commit(st), 0);
    /* A listing stops at STORE_MAX_LIST, newest first. */
    assert_int_equal(store_hold_list(st, -1, &rows), 0);
    assert_int_equal(rows.n, STORE_MAX_LIST);
    snprintf(id, sizeof(id), "h-%d", STORE_MAX_LIST);
    assert_string_equal(rows.v[0].id, id);
    store_holds_release(&rows);
    store_close(st);
}

static void
test_unusable(void **state)
{
    (void)state;
    struct store *st;
    char err[256];
    assert_int_equal(store_open_sqlite(&st, "/nonexistent/dir/a.db", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/a.db"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holds),        cmocka_unit_test(test_grants_exposures),
        cmocka_unit_test(test_transactions), cmocka_unit_test(test_list_limit),
        cmocka_unit_test(test_unusable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
