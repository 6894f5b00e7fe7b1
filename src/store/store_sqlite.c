/*
 * store_sqlite.c - the store (store.h) on SQLite.
 *
 * One statement runner (run) binds arguments from a short type string and
 * hands each row to a reader that fills a typed row from its columns, in
 * the order the statement names them (HOLD_COLS, GRANT_COLS,
 * EXPOSURE_COLS), so each operation is its SQL and little else.  Columns
 * holding JSON (params, findings, categories, cedar, access) are stored as
 * text and parsed back.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util_sqlite.h"
#include "store.h"

/* SQLite's functions (util_sqlite.h): loaded by store_open_sqlite, before
 * any other of the store's functions can be called. */
static const struct util_sqlite *sq;

struct sqlite_store {
    struct store base; /* first: the store is this */
    sqlite3 *db;
};

static sqlite3 *
db_of(struct store *st)
{
    return ((struct sqlite_store *)st)->db;
}

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS holds("
    " id TEXT PRIMARY KEY, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
    " status TEXT NOT NULL, uid INTEGER NOT NULL, user TEXT NOT NULL, agent TEXT NOT NULL,"
    " session TEXT NOT NULL, server TEXT NOT NULL, method TEXT NOT NULL, tool TEXT,"
    " params TEXT NOT NULL, findings TEXT, severity INTEGER NOT NULL DEFAULT 0,"
    " categories TEXT, bind TEXT NOT NULL, entry INTEGER NOT NULL, text TEXT,"
    " effects INTEGER NOT NULL DEFAULT 0, match TEXT, cedar TEXT,"
    " decided INTEGER, decidedBy TEXT, reason TEXT, grantSeconds INTEGER, usableUntil INTEGER);"
    "CREATE INDEX IF NOT EXISTS holds_status ON holds(status, expires);"
    "CREATE INDEX IF NOT EXISTS holds_bind ON holds(bind, session);"
    "CREATE TABLE IF NOT EXISTS votes("
    " hold TEXT NOT NULL, user TEXT NOT NULL, at INTEGER NOT NULL, totp INTEGER NOT NULL,"
    " PRIMARY KEY(hold, user));"
    "CREATE TABLE IF NOT EXISTS grants("
    " id TEXT PRIMARY KEY, hold TEXT NOT NULL, uid INTEGER NOT NULL, agent TEXT NOT NULL,"
    " server TEXT NOT NULL, method TEXT NOT NULL, tool TEXT, match TEXT NOT NULL,"
    " created INTEGER NOT NULL, expires INTEGER NOT NULL, by TEXT NOT NULL,"
    " revoked INTEGER, revokedBy TEXT, ended INTEGER);"
    "CREATE INDEX IF NOT EXISTS grants_match ON grants(match, agent);"
    "CREATE TABLE IF NOT EXISTS exposures("
    " id TEXT PRIMARY KEY, hold TEXT, entry INTEGER NOT NULL, agent TEXT NOT NULL,"
    " user TEXT NOT NULL, server TEXT NOT NULL, tool TEXT, rule TEXT NOT NULL,"
    " what TEXT NOT NULL, explanation TEXT, key TEXT NOT NULL, approvedBy TEXT,"
    " opened INTEGER NOT NULL, closed INTEGER, closedBy TEXT, note TEXT,"
    " alerted INTEGER NOT NULL DEFAULT 0, access TEXT);"
    "CREATE INDEX IF NOT EXISTS exposures_key ON exposures(key, closed);"
    "CREATE TABLE IF NOT EXISTS agent_users("
    " uid INTEGER PRIMARY KEY, user TEXT NOT NULL, first INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS totp("
    " user TEXT PRIMARY KEY, secret BLOB NOT NULL, enrolled INTEGER NOT NULL,"
    " lastStep INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS shadow("
    " id INTEGER PRIMARY KEY CHECK (id = 1), isOn INTEGER NOT NULL, byUser TEXT NOT NULL,"
    " since INTEGER NOT NULL, reason TEXT NOT NULL);";

#define HOLD_COLS                                                                                  \
    "id, created, expires, status, uid, user, agent, session, server, method, tool, params,"       \
    " findings, severity, categories, bind, entry, text, effects, match, cedar, decided,"          \
    " decidedBy, reason, grantSeconds, usableUntil"
#define GRANT_COLS                                                                                 \
    "id, hold, uid, agent, server, method, tool, match, created, expires, by, revoked,"            \
    " revokedBy, ended"
#define EXPOSURE_COLS                                                                              \
    "id, hold, entry, agent, user, server, tool, rule, what, explanation, key, approvedBy,"        \
    " opened, closed, closedBy, note, alerted, access"

static const char *const statuses[] = {"pending",   "approved", "denied",
                                       "withdrawn", "expired",  "used"};

const char *
store_status_name(enum store_status s)
{
    return (unsigned)s < sizeof(statuses) / sizeof(*statuses) ? statuses[s] : "?";
}

static int
status_of(const char *t, enum store_status *out)
{
    for (size_t i = 0; t && i < sizeof(statuses) / sizeof(*statuses); i++)
        if (!strcmp(t, statuses[i])) {
            *out = (enum store_status)i;
            return 0;
        }
    return -1;
}

static int
fail(struct store *st, const char *what)
{
    snprintf(st->err, sizeof(st->err), "%s: %s", what, sq->errmsg(db_of(st)));
    return -1;
}

/* ---- reading columns ---- */

/* Column i as a malloc'd text (NULL for NULL); -1 when memory ran out. */
static int
col_text(sqlite3_stmt *s, int i, char **out)
{
    *out = NULL;
    if (sq->column_type(s, i) == SQLITE_NULL)
        return 0;
    const char *t = (const char *)sq->column_text(s, i);
    return t && (*out = strndup(t, (size_t)sq->column_bytes(s, i))) ? 0 : -1;
}

/* Column i into a fixed buffer ("" for NULL); -1 when it does not fit. */
static int
col_fixed(sqlite3_stmt *s, int i, char *out, size_t cap)
{
    out[0] = '\0';
    if (sq->column_type(s, i) == SQLITE_NULL)
        return 0;
    size_t n = (size_t)sq->column_bytes(s, i);
    if (n >= cap)
        return -1;
    memcpy(out, sq->column_text(s, i), n);
    out[n] = '\0';
    return 0;
}

static int
col_json(sqlite3_stmt *s, int i, json_t **out)
{
    *out = NULL;
    if (sq->column_type(s, i) == SQLITE_NULL)
        return 0;
    *out = json_loadb((const char *)sq->column_text(s, i), (size_t)sq->column_bytes(s, i),
                      JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL);
    return *out ? 0 : -1;
}

static int64_t
col_int(sqlite3_stmt *s, int i)
{
    return sq->column_int64(s, i);
}

static int
read_hold(sqlite3_stmt *s, struct store_hold *h)
{
    char status[16];
    memset(h, 0, sizeof(*h));
    int bad = col_fixed(s, 0, h->id, sizeof(h->id)) || col_fixed(s, 3, status, sizeof(status)) ||
              status_of(status, &h->status) || col_text(s, 5, &h->user) ||
              col_text(s, 6, &h->agent) || col_text(s, 7, &h->session) ||
              col_text(s, 8, &h->server) || col_text(s, 9, &h->method) ||
              col_text(s, 10, &h->tool) || col_json(s, 11, &h->params) ||
              col_json(s, 12, &h->findings) || col_json(s, 14, &h->categories) ||
              col_fixed(s, 15, h->bind, sizeof(h->bind)) || col_text(s, 17, &h->text) ||
              col_fixed(s, 19, h->match, sizeof(h->match)) || col_json(s, 20, &h->cedar) ||
              col_text(s, 22, &h->decided_by) || col_text(s, 23, &h->reason);
    h->created = col_int(s, 1);
    h->expires = col_int(s, 2);
    h->uid = col_int(s, 4);
    h->severity = (int)col_int(s, 13);
    h->entry = (uint64_t)col_int(s, 16);
    h->effects = (unsigned)col_int(s, 18);
    h->decided = col_int(s, 21);
    h->grant_seconds = col_int(s, 24);
    h->usable_until = col_int(s, 25);
    if (bad)
        store_hold_release(h);
    return bad ? -1 : 0;
}

static int
read_grant(sqlite3_stmt *s, struct store_grant *g)
{
    memset(g, 0, sizeof(*g));
    int bad = col_fixed(s, 0, g->id, sizeof(g->id)) || col_fixed(s, 1, g->hold, sizeof(g->hold)) ||
              col_text(s, 3, &g->agent) || col_text(s, 4, &g->server) ||
              col_text(s, 5, &g->method) || col_text(s, 6, &g->tool) ||
              col_fixed(s, 7, g->match, sizeof(g->match)) || col_text(s, 10, &g->by) ||
              col_text(s, 12, &g->revoked_by);
    g->uid = col_int(s, 2);
    g->created = col_int(s, 8);
    g->expires = col_int(s, 9);
    g->revoked = col_int(s, 11);
    g->ended = col_int(s, 13);
    if (bad)
        store_grant_release(g);
    return bad ? -1 : 0;
}

static int
read_exposure(sqlite3_stmt *s, struct store_exposure *e)
{
    memset(e, 0, sizeof(*e));
    int bad = col_fixed(s, 0, e->id, sizeof(e->id)) || col_fixed(s, 1, e->hold, sizeof(e->hold)) ||
              col_text(s, 3, &e->agent) || col_text(s, 4, &e->user) || col_text(s, 5, &e->server) ||
              col_text(s, 6, &e->tool) || col_text(s, 7, &e->rule) || col_text(s, 8, &e->what) ||
              col_text(s, 9, &e->explanation) || col_text(s, 10, &e->key) ||
              col_text(s, 11, &e->approved_by) || col_text(s, 14, &e->closed_by) ||
              col_text(s, 15, &e->note) || col_json(s, 17, &e->access);
    e->entry = (uint64_t)col_int(s, 2);
    e->opened = col_int(s, 12);
    e->closed = col_int(s, 13);
    e->alerted = col_int(s, 16);
    if (bad)
        store_exposure_release(e);
    return bad ? -1 : 0;
}

/* ---- running a statement ---- */

/* A row reader: appends the row to arg's listing.  0 or -1. */
typedef int (*reader)(sqlite3_stmt *s, void *arg);

/* Bind args by types ('s' text or NULL, 'i' int64, 'b' blob + length). */
static int
bind(sqlite3_stmt *s, const char *types, va_list ap)
{
    int rc = SQLITE_OK;
    for (int i = 1; *types && rc == SQLITE_OK; types++, i++) {
        if (*types == 's') {
            const char *t = va_arg(ap, const char *);
            rc = t ? sq->bind_text(s, i, t, -1, SQLITE_TRANSIENT) : sq->bind_null(s, i);
        } else if (*types == 'i') {
            rc = sq->bind_int64(s, i, va_arg(ap, int64_t));
        } else {
            const void *p = va_arg(ap, const void *);
            int n = va_arg(ap, int);
            rc = sq->bind_blob(s, i, p, n, SQLITE_TRANSIENT);
        }
    }
    return rc;
}

/* Run sql, each row (at most STORE_MAX_LIST) through read; *changes: rows
 * changed. */
static int
run(struct store *st, const char *sql, reader read, void *arg, int *changes, const char *types, ...)
{
    sqlite3_stmt *s = NULL;
    va_list ap;
    size_t rows = 0;
    if (sq->prepare_v2(db_of(st), sql, -1, &s, NULL) != SQLITE_OK)
        return fail(st, "preparing a statement");
    va_start(ap, types);
    int rc = bind(s, types, ap);
    va_end(ap);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sq->step(s);
        if (rc == SQLITE_ROW && read && rows++ < STORE_MAX_LIST && read(s, arg))
            rc = SQLITE_NOMEM;
        if (rc == SQLITE_DONE)
            break;
    }
    if (rc != SQLITE_DONE) {
        fail(st, rc == SQLITE_NOMEM ? "reading a row" : "the approvals store");
        sq->finalize(s);
        return -1;
    }
    if (changes)
        *changes = sq->changes(db_of(st));
    sq->finalize(s);
    return 0;
}

/* Growing a listing by one row: its slot, or NULL. */
static void *
grow(void **v, size_t *n, size_t size)
{
    if (*n % 16 == 0) {
        void *nv = realloc(*v, (*n + 16) * size);
        if (!nv)
            return NULL;
        *v = nv;
    }
    return (char *)*v + (*n)++ * size;
}

static int
add_hold(sqlite3_stmt *s, void *arg)
{
    struct store_holds *l = arg;
    struct store_hold *h = grow((void **)&l->v, &l->n, sizeof(*h));
    if (!h)
        return -1;
    if (read_hold(s, h)) {
        l->n--;
        return -1;
    }
    return 0;
}

static int
add_grant(sqlite3_stmt *s, void *arg)
{
    struct store_grants *l = arg;
    struct store_grant *g = grow((void **)&l->v, &l->n, sizeof(*g));
    if (!g)
        return -1;
    if (read_grant(s, g)) {
        l->n--;
        return -1;
    }
    return 0;
}

static int
add_exposure(sqlite3_stmt *s, void *arg)
{
    struct store_exposures *l = arg;
    struct store_exposure *e = grow((void **)&l->v, &l->n, sizeof(*e));
    if (!e)
        return -1;
    if (read_exposure(s, e)) {
        l->n--;
        return -1;
    }
    return 0;
}

static int
add_id(sqlite3_stmt *s, void *arg)
{
    struct store_ids *l = arg;
    char(*id)[STORE_ID_MAX] = grow((void **)&l->v, &l->n, sizeof(*l->v));
    if (!id)
        return -1;
    return col_fixed(s, 0, *id, sizeof(*id));
}

static int
read_count(sqlite3_stmt *s, void *arg)
{
    *(int64_t *)arg = col_int(s, 0);
    return 0;
}

/* The first row of a one-row listing as *out, *found said. */
static int
first_hold(struct store_holds *l, int rc, struct store_hold *out, int *found)
{
    *found = !rc && l->n > 0;
    if (*found) {
        *out = l->v[0];
        memset(&l->v[0], 0, sizeof(l->v[0]));
    }
    store_holds_release(l);
    return rc;
}

static int
first_grant(struct store_grants *l, int rc, struct store_grant *out, int *found)
{
    *found = !rc && l->n > 0;
    if (*found) {
        *out = l->v[0];
        memset(&l->v[0], 0, sizeof(l->v[0]));
    }
    store_grants_release(l);
    return rc;
}

static int
first_exposure(struct store_exposures *l, int rc, struct store_exposure *out, int *found)
{
    *found = !rc && l->n > 0;
    if (*found) {
        *out = l->v[0];
        memset(&l->v[0], 0, sizeof(l->v[0]));
    }
    store_exposures_release(l);
    return rc;
}

/* A JSON column's text (NULL for NULL); *bad when memory ran out. */
static char *
dump(const json_t *v, int *bad)
{
    char *t = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (v && !t)
        *bad = 1;
    return t;
}

/* ---- transactions ---- */

static int
s_begin(struct store *st)
{
    return run(st, "BEGIN IMMEDIATE", NULL, NULL, NULL, "");
}

static int
s_commit(struct store *st)
{
    return run(st, "COMMIT", NULL, NULL, NULL, "");
}

static int
s_rollback(struct store *st)
{
    return run(st, "ROLLBACK", NULL, NULL, NULL, "");
}

/* ---- holds ---- */

static int
s_hold_add(struct store *st, const struct store_hold *h)
{
    int bad = 0;
    char *params = dump(h->params, &bad), *found = dump(h->findings, &bad),
         *cats = dump(h->categories, &bad), *cedar = dump(h->cedar, &bad);
    int rc = !params || bad
                 ? (snprintf(st->err, sizeof(st->err), "a hold needs params"), -1)
                 : run(st,
                       "INSERT INTO holds(id, created, expires, status, uid, user,"
                       " agent, session, server, method, tool, params, findings,"
                       " severity, categories, bind, entry, text, effects, match, cedar)"
                       " VALUES(?,?,?,'pending',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       NULL, NULL, NULL, "siiissssssssissisiss", h->id, h->created, h->expires,
                       h->uid, h->user, h->agent, h->session, h->server, h->method, h->tool, params,
                       found, (int64_t)h->severity, cats, h->bind, (int64_t)h->entry, h->text,
                       (int64_t)h->effects, h->match[0] ? h->match : NULL, cedar);
    free(params);
    free(found);
    free(cats);
    free(cedar);
    return rc;
}

static int
s_hold_get(struct store *st, const char *id, struct store_hold *out, int *found)
{
    struct store_holds l = {0};
    int rc = run(st, "SELECT " HOLD_COLS " FROM holds WHERE id = ?", add_hold, &l, NULL, "s", id);
    return first_hold(&l, rc, out, found);
}

static int
s_hold_list(struct store *st, int status, struct store_holds *out)
{
    memset(out, 0, sizeof(*out));
    int rc = run(st,
                 "SELECT " HOLD_COLS " FROM holds WHERE ?1 IS NULL OR status = ?1"
                 " ORDER BY created DESC, id",
                 add_hold, out, NULL, "s",
                 status < 0 ? NULL : store_status_name((enum store_status)status));
    if (rc)
        store_holds_release(out);
    return rc;
}

static int
s_hold_match(struct store *st, const char *bind, const char *session, int64_t now,
             struct store_hold *out, int *found)
{
    struct store_holds l = {0};
    int rc = run(st,
                 "SELECT " HOLD_COLS " FROM holds WHERE bind = ? AND session = ? AND"
                 " (status = 'pending' OR (status = 'approved' AND usableUntil > ?))"
                 " ORDER BY status = 'approved' DESC, created LIMIT 1",
                 add_hold, &l, NULL, "ssi", bind, session, now);
    return first_hold(&l, rc, out, found);
}

static int
s_hold_decide(struct store *st, const char *id, enum store_status from, enum store_status to,
              const struct store_decision *d, int *changed)
{
    return run(st,
               "UPDATE holds SET status = ?, decided = ?, decidedBy = coalesce(?, decidedBy),"
               " reason = coalesce(?, reason), grantSeconds = nullif(?, 0),"
               " usableUntil = nullif(?, 0) WHERE id = ? AND status = ?",
               NULL, NULL, changed, "sissiiss", store_status_name(to), d->at, d->by, d->reason,
               d->grant_seconds, d->usable_until, id, store_status_name(from));
}

static int
s_hold_expired(struct store *st, int64_t now, struct store_ids *out)
{
    memset(out, 0, sizeof(*out));
    int rc = run(st, "SELECT id FROM holds WHERE status = 'pending' AND expires <= ?", add_id, out,
                 NULL, "i", now);
    if (rc)
        store_ids_release(out);
    return rc;
}

static int
s_hold_count(struct store *st, int status, int64_t *n)
{
    *n = 0;
    return run(st, "SELECT count(*) FROM holds WHERE ?1 IS NULL OR status = ?1", read_count, n,
               NULL, "s", status < 0 ? NULL : store_status_name((enum store_status)status));
}

/* ---- votes ---- */

static int
s_vote_add(struct store *st, const char *hold, const char *user, int64_t now, int totp, int *is_new)
{
    return run(st, "INSERT OR IGNORE INTO votes(hold, user, at, totp) VALUES(?,?,?,?)", NULL, NULL,
               is_new, "ssii", hold, user, now, (int64_t)totp);
}

static int
s_vote_count(struct store *st, const char *hold, int64_t *n)
{
    *n = 0;
    return run(st, "SELECT count(*) FROM votes WHERE hold = ?", read_count, n, NULL, "s", hold);
}

/* ---- grants ---- */

static int
s_grant_add(struct store *st, const struct store_grant *g)
{
    return run(st,
               "INSERT INTO grants(id, hold, uid, agent, server, method, tool, match, created,"
               " expires, by) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
               NULL, NULL, NULL, "ssisssssiis", g->id, g->hold, g->uid, g->agent, g->server,
               g->method, g->tool, g->match, g->created, g->expires, g->by);
}

static int
s_grant_match(struct store *st, int64_t uid, const char *agent, const char *server,
              const char *method, const char *tool, const char *match, int64_t now,
              struct store_grant *out, int *found)
{
    struct store_grants l = {0};
    int rc = run(st,
                 "SELECT " GRANT_COLS " FROM grants WHERE match = ? AND agent = ? AND uid = ? AND"
                 " server = ? AND method = ? AND tool IS ? AND revoked IS NULL AND expires > ?"
                 " ORDER BY expires DESC LIMIT 1",
                 add_grant, &l, NULL, "ssisssi", match, agent, uid, server, method, tool, now);
    return first_grant(&l, rc, out, found);
}

static int
s_grant_list(struct store *st, struct store_grants *out)
{
    memset(out, 0, sizeof(*out));
    int rc = run(st, "SELECT " GRANT_COLS " FROM grants ORDER BY created DESC, id", add_grant, out,
                 NULL, "");
    if (rc)
        store_grants_release(out);
    return rc;
}

static int
s_grant_get(struct store *st, const char *id, struct store_grant *out, int *found)
{
    struct store_grants l = {0};
    int rc =
        run(st, "SELECT " GRANT_COLS " FROM grants WHERE id = ?", add_grant, &l, NULL, "s", id);
    return first_grant(&l, rc, out, found);
}

static int
s_grant_ended(struct store *st, int64_t now, struct store_grants *out)
{
    memset(out, 0, sizeof(*out));
    int rc = run(st,
                 "UPDATE grants SET ended = ? WHERE ended IS NULL AND"
                 " (expires <= ? OR revoked IS NOT NULL) RETURNING " GRANT_COLS,
                 add_grant, out, NULL, "ii", now, now);
    if (rc)
        store_grants_release(out);
    return rc;
}

static int
s_grant_revoke(struct store *st, const char *id, const char *by, int64_t now, int *changed)
{
    return run(st,
               "UPDATE grants SET revoked = ?, revokedBy = ? WHERE id = ? AND revoked IS NULL"
               " AND expires > ?",
               NULL, NULL, changed, "issi", now, by, id, now);
}

/* ---- exposures ---- */

static int
s_exposure_open(struct store *st, const struct store_exposure *e)
{
    int bad = 0;
    char *access = dump(e->access, &bad);
    int rc = bad ? (snprintf(st->err, sizeof(st->err), "out of memory"), -1)
                 : run(st,
                       "INSERT INTO exposures(id, hold, entry, agent, user, server, tool, rule,"
                       " what, explanation, key, approvedBy, opened, access)"
                       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       NULL, NULL, NULL, "ssisssssssssis", e->id, e->hold[0] ? e->hold : NULL,
                       (int64_t)e->entry, e->agent, e->user, e->server, e->tool, e->rule, e->what,
                       e->explanation, e->key, e->approved_by, e->opened, access);
    free(access);
    return rc;
}

static int
s_exposure_list(struct store *st, int open_only, struct store_exposures *out)
{
    memset(out, 0, sizeof(*out));
    int rc = run(st,
                 "SELECT " EXPOSURE_COLS " FROM exposures WHERE ? = 0 OR closed IS NULL"
                 " ORDER BY opened DESC, id",
                 add_exposure, out, NULL, "i", (int64_t)open_only);
    if (rc)
        store_exposures_release(out);
    return rc;
}

static int
s_exposure_get(struct store *st, const char *id, struct store_exposure *out, int *found)
{
    struct store_exposures l = {0};
    int rc = run(st, "SELECT " EXPOSURE_COLS " FROM exposures WHERE id = ?", add_exposure, &l, NULL,
                 "s", id);
    return first_exposure(&l, rc, out, found);
}

static int
s_exposure_close(struct store *st, const char *id, const char *key, const char *by,
                 const char *note, int64_t now, struct store_ids *closed)
{
    memset(closed, 0, sizeof(*closed));
    int rc = run(st,
                 "UPDATE exposures SET closed = ?, closedBy = ?, note = ? WHERE closed IS NULL AND"
                 " (id = ? OR (? IS NULL AND key = ?)) RETURNING id",
                 add_id, closed, NULL, "isssss", now, by, note, id, id, key);
    if (rc)
        store_ids_release(closed);
    return rc;
}

static int
s_exposure_due(struct store *st, int64_t before, int64_t due, int64_t now,
               struct store_exposures *out)
{
    memset(out, 0, sizeof(*out));
    int rc = run(st,
                 "UPDATE exposures SET alerted = ? WHERE closed IS NULL AND opened <= ? AND"
                 " alerted <= ? RETURNING " EXPOSURE_COLS,
                 add_exposure, out, NULL, "iii", now, before, due);
    if (rc)
        store_exposures_release(out);
    return rc;
}

/* ---- users that ran agents ---- */

static int
s_agent_user_add(struct store *st, int64_t uid, const char *user, int64_t now)
{
    return run(st, "INSERT OR IGNORE INTO agent_users(uid, user, first) VALUES(?,?,?)", NULL, NULL,
               NULL, "isi", uid, user, now);
}

static int
s_agent_user_is(struct store *st, int64_t uid, int *yes)
{
    int64_t n = 0;
    int rc =
        run(st, "SELECT count(*) FROM agent_users WHERE uid = ?", read_count, &n, NULL, "i", uid);
    *yes = n > 0;
    return rc;
}

/* ---- TOTP ---- */

static int
s_totp_set(struct store *st, const char *user, const unsigned char *secret, size_t n, int64_t now)
{
    return run(st, "INSERT OR REPLACE INTO totp(user, secret, enrolled, lastStep) VALUES(?,?,?,0)",
               NULL, NULL, NULL, "sbi", user, (const void *)secret, (int)n, now);
}

static int
s_totp_get(struct store *st, const char *user, unsigned char *secret, size_t cap, size_t *n,
           int64_t *last_step)
{
    sqlite3_stmt *s = NULL;
    *n = 0;
    if (sq->prepare_v2(db_of(st), "SELECT secret, lastStep FROM totp WHERE user = ?", -1, &s,
                       NULL) != SQLITE_OK ||
        sq->bind_text(s, 1, user, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sq->finalize(s);
        return fail(st, "reading an enrolment");
    }
    int rc = sq->step(s);
    if (rc == SQLITE_ROW) {
        size_t len = (size_t)sq->column_bytes(s, 0);
        if (len <= cap) {
            memcpy(secret, sq->column_blob(s, 0), len);
            *n = len;
        }
        *last_step = sq->column_int64(s, 1);
    }
    sq->finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, "reading an enrolment");
}

static int
s_totp_used(struct store *st, const char *user, int64_t step)
{
    return run(st, "UPDATE totp SET lastStep = ? WHERE user = ?", NULL, NULL, NULL, "is", step,
               user);
}

/* ---- shadow mode ---- */

static int
s_shadow_set(struct store *st, const struct store_shadow *sh)
{
    return run(st,
               "INSERT OR REPLACE INTO shadow(id, isOn, byUser, since, reason) VALUES(1,?,?,?,?)",
               NULL, NULL, NULL, "isis", (int64_t)(sh->on != 0), sh->by, sh->since, sh->reason);
}

static int
read_shadow(sqlite3_stmt *s, void *arg)
{
    struct store_shadow *sh = arg;
    const unsigned char *by = sq->column_text(s, 1), *why = sq->column_text(s, 3);
    sh->on = sq->column_int64(s, 0) != 0;
    snprintf(sh->by, sizeof(sh->by), "%s", by ? (const char *)by : "");
    sh->since = sq->column_int64(s, 2);
    snprintf(sh->reason, sizeof(sh->reason), "%s", why ? (const char *)why : "");
    return 0;
}

static int
s_shadow_get(struct store *st, struct store_shadow *out)
{
    memset(out, 0, sizeof(*out));
    return run(st, "SELECT isOn, byUser, since, reason FROM shadow WHERE id = 1", read_shadow, out,
               NULL, "");
}

/* ---- opening and closing ---- */

static void
s_close(struct store *st)
{
    sq->close(db_of(st));
    free(st);
}

static const struct store_ops sqlite_ops = {
    .close = s_close,
    .begin = s_begin,
    .commit = s_commit,
    .rollback = s_rollback,
    .hold_add = s_hold_add,
    .hold_get = s_hold_get,
    .hold_list = s_hold_list,
    .hold_match = s_hold_match,
    .hold_decide = s_hold_decide,
    .hold_expired = s_hold_expired,
    .hold_count = s_hold_count,
    .vote_add = s_vote_add,
    .vote_count = s_vote_count,
    .grant_add = s_grant_add,
    .grant_match = s_grant_match,
    .grant_list = s_grant_list,
    .grant_get = s_grant_get,
    .grant_ended = s_grant_ended,
    .grant_revoke = s_grant_revoke,
    .exposure_open = s_exposure_open,
    .exposure_list = s_exposure_list,
    .exposure_get = s_exposure_get,
    .exposure_close = s_exposure_close,
    .exposure_due = s_exposure_due,
    .agent_user_add = s_agent_user_add,
    .agent_user_is = s_agent_user_is,
    .totp_set = s_totp_set,
    .totp_get = s_totp_get,
    .totp_used = s_totp_used,
    .shadow_set = s_shadow_set,
    .shadow_get = s_shadow_get,
};

int
store_open_sqlite(struct store **out, const char *path, char *err, size_t errlen)
{
    struct sqlite_store *ss = calloc(1, sizeof(*ss));
    if (!ss) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ss->base.ops = &sqlite_ops;
    if (!(sq = util_sqlite(err, errlen))) {
        free(ss);
        return -1;
    }
    int rc = sq->open_v2(path, &ss->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sq->exec(ss->db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                      "PRAGMA busy_timeout=5000;",
                      NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sq->exec(ss->db, SCHEMA, NULL, NULL, NULL);
    /* A store made before exposures kept their access change gains the
     * column (NULL for the exposures it already has). */
    sqlite3_stmt *probe = NULL;
    if (rc == SQLITE_OK && sq->prepare_v2(ss->db, "SELECT access FROM exposures LIMIT 0", -1,
                                          &probe, NULL) != SQLITE_OK)
        rc = sq->exec(ss->db, "ALTER TABLE exposures ADD COLUMN access TEXT", NULL, NULL, NULL);
    sq->finalize(probe);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, ss->db ? sq->errmsg(ss->db) : "out of memory");
        s_close(&ss->base);
        return -1;
    }
    *out = &ss->base;
    return 0;
}
