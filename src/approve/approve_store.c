/*
 * approve_store.c - the approvals store on SQLite.
 *
 * One statement runner (run) binds arguments from a short type string and
 * turns rows into JSON objects named by their columns, so each operation
 * is its SQL and little else.  Columns holding JSON (params, findings,
 * categories) are stored as text and parsed back.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approve_store.h"

struct approve_store {
    sqlite3 *db;
    char err[512];
};

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
    " lastStep INTEGER NOT NULL DEFAULT 0);";

/* Columns stored as JSON text. */
static int
json_column(const char *name)
{
    return !strcmp(name, "params") || !strcmp(name, "findings") || !strcmp(name, "categories") ||
           !strcmp(name, "cedar") || !strcmp(name, "access");
}

static int
fail(struct approve_store *st, const char *what)
{
    snprintf(st->err, sizeof(st->err), "%s: %s", what, sqlite3_errmsg(st->db));
    return -1;
}

static json_t *
row(sqlite3_stmt *s)
{
    json_t *o = json_object();
    for (int i = 0; o && i < sqlite3_column_count(s); i++) {
        const char *name = sqlite3_column_name(s, i);
        json_t *v;
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER:
            v = json_integer(sqlite3_column_int64(s, i));
            break;
        case SQLITE_NULL:
            continue; /* absent, not null: callers test presence */
        case SQLITE_BLOB:
            continue; /* secrets never leave as JSON */
        default: {
            const char *t = (const char *)sqlite3_column_text(s, i);
            size_t n = (size_t)sqlite3_column_bytes(s, i);
            v = json_column(name) ? json_loadb(t, n, JSON_ALLOW_NUL, NULL) : json_stringn(t, n);
        }
        }
        if (!v || json_object_set_new(o, name, v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* Bind args by types ('s' text or NULL, 'i' int64, 'b' blob + length). */
static int
bind(sqlite3_stmt *s, const char *types, va_list ap)
{
    int rc = SQLITE_OK;
    for (int i = 1; *types && rc == SQLITE_OK; types++, i++) {
        if (*types == 's') {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
        } else if (*types == 'i') {
            rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
        } else {
            const void *p = va_arg(ap, const void *);
            int n = va_arg(ap, int);
            rc = sqlite3_bind_blob(s, i, p, n, SQLITE_TRANSIENT);
        }
    }
    return rc;
}

/* Run sql; rows (when wanted) become a JSON array.  *changes: rows changed. */
static int
run(struct approve_store *st, const char *sql, json_t **rows, int *changes, const char *types, ...)
{
    sqlite3_stmt *s = NULL;
    va_list ap;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return fail(st, "preparing a statement");
    va_start(ap, types);
    int rc = bind(s, types, ap);
    va_end(ap);
    json_t *out = rows ? json_array() : NULL;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && out && json_array_size(out) < APPROVE_MAX_LIST &&
            json_array_append_new(out, row(s)))
            rc = SQLITE_NOMEM;
        if (rc == SQLITE_DONE)
            break;
    }
    if (rc != SQLITE_DONE) {
        fail(st, "the approvals store");
        sqlite3_finalize(s);
        json_decref(out);
        return -1;
    }
    if (changes)
        *changes = sqlite3_changes(st->db);
    sqlite3_finalize(s);
    if (rows)
        *rows = out;
    return 0;
}

/* The first row of rows as *out (NULL if none), rows released. */
static int
first(json_t *rows, json_t **out)
{
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return 0;
}

int
approve_store_open(struct approve_store **out, const char *path, char *err, size_t errlen)
{
    struct approve_store *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "PRAGMA busy_timeout=5000;",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, SCHEMA, NULL, NULL, NULL);
    /* A store made before exposures kept their access change gains the
     * column (NULL for the exposures it already has). */
    sqlite3_stmt *probe = NULL;
    if (rc == SQLITE_OK && sqlite3_prepare_v2(st->db, "SELECT access FROM exposures LIMIT 0", -1,
                                              &probe, NULL) != SQLITE_OK)
        rc = sqlite3_exec(st->db, "ALTER TABLE exposures ADD COLUMN access TEXT", NULL, NULL, NULL);
    sqlite3_finalize(probe);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
        approve_store_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

void
approve_store_close(struct approve_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st);
}

const char *
approve_store_error(const struct approve_store *st)
{
    return st->err;
}

void
approve_new_id(char prefix, char out[APPROVE_ID_LEN + 3])
{
    unsigned char r[APPROVE_ID_LEN / 2];
    randombytes_buf(r, sizeof(r));
    out[0] = prefix;
    out[1] = '-';
    sodium_bin2hex(out + 2, APPROVE_ID_LEN + 1, r, sizeof(r));
}

/* ---- holds ---- */

static const char *
str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t
num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* A JSON member as text for a JSON column (NULL when absent). */
static char *
dump(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

int
approve_hold_add(struct approve_store *st, const json_t *h)
{
    char *params = dump(h, "params"), *found = dump(h, "findings"), *cats = dump(h, "categories"),
         *cedar = dump(h, "cedar");
    int rc = params ? run(st,
                          "INSERT INTO holds(id, created, expires, status, uid, user, agent,"
                          " session, server, method, tool, params, findings, severity,"
                          " categories, bind, entry, text, effects, match, cedar)"
                          " VALUES(?,?,?,'pending',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                          NULL, NULL, "siiissssssssissisiss", str(h, "id"), num(h, "created"),
                          num(h, "expires"), num(h, "uid"), str(h, "user"), str(h, "agent"),
                          str(h, "session"), str(h, "server"), str(h, "method"), str(h, "tool"),
                          params, found, num(h, "severity"), cats, str(h, "bind"), num(h, "entry"),
                          str(h, "text"), num(h, "effects"), str(h, "match"), cedar)
                    : (snprintf(st->err, sizeof(st->err), "a hold needs params"), -1);
    free(params);
    free(found);
    free(cats);
    free(cedar);
    return rc;
}

int
approve_hold_get(struct approve_store *st, const char *id, json_t **out)
{
    json_t *rows;
    if (run(st, "SELECT * FROM holds WHERE id = ?", &rows, NULL, "s", id))
        return -1;
    return first(rows, out);
}

int
approve_hold_list(struct approve_store *st, const char *status, json_t **out)
{
    return run(st, "SELECT * FROM holds WHERE ?1 IS NULL OR status = ?1 ORDER BY created DESC, id",
               out, NULL, "s", status);
}

int
approve_hold_match(struct approve_store *st, const char *bind, const char *session, int64_t now,
                   json_t **out)
{
    json_t *rows;
    if (run(st,
            "SELECT * FROM holds WHERE bind = ? AND session = ? AND"
            " (status = 'pending' OR (status = 'approved' AND usableUntil > ?))"
            " ORDER BY status = 'approved' DESC, created LIMIT 1",
            &rows, NULL, "ssi", bind, session, now))
        return -1;
    return first(rows, out);
}

int
approve_hold_decide(struct approve_store *st, const char *id, const char *from, const char *to,
                    int64_t now, const char *by, const char *reason, int64_t grant_seconds,
                    int64_t usable_until, int *changed)
{
    return run(st,
               "UPDATE holds SET status = ?, decided = ?, decidedBy = coalesce(?, decidedBy),"
               " reason = coalesce(?, reason), grantSeconds = nullif(?, 0),"
               " usableUntil = nullif(?, 0) WHERE id = ? AND status = ?",
               NULL, changed, "sissiiss", to, now, by, reason, grant_seconds, usable_until, id,
               from);
}

int
approve_hold_expired(struct approve_store *st, int64_t now, json_t **ids)
{
    json_t *rows;
    if (run(st, "SELECT id FROM holds WHERE status = 'pending' AND expires <= ?", &rows, NULL, "i",
            now))
        return -1;
    *ids = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        json_array_append(*ids, json_object_get(r, "id"));
    json_decref(rows);
    return 0;
}

int
approve_hold_count(struct approve_store *st, const char *status, int64_t *n)
{
    json_t *rows;
    if (run(st, "SELECT count(*) AS n FROM holds WHERE ?1 IS NULL OR status = ?1", &rows, NULL, "s",
            status))
        return -1;
    *n = num(json_array_get(rows, 0), "n");
    json_decref(rows);
    return 0;
}

/* ---- votes ---- */

int
approve_vote_add(struct approve_store *st, const char *hold, const char *user, int64_t now,
                 int totp, int *is_new)
{
    return run(st, "INSERT OR IGNORE INTO votes(hold, user, at, totp) VALUES(?,?,?,?)", NULL,
               is_new, "ssii", hold, user, now, (int64_t)totp);
}

int
approve_vote_count(struct approve_store *st, const char *hold, int64_t *n)
{
    json_t *rows;
    if (run(st, "SELECT count(*) AS n FROM votes WHERE hold = ?", &rows, NULL, "s", hold))
        return -1;
    *n = num(json_array_get(rows, 0), "n");
    json_decref(rows);
    return 0;
}

/* ---- grants ---- */

int
approve_grant_add(struct approve_store *st, const json_t *g)
{
    return run(st,
               "INSERT INTO grants(id, hold, uid, agent, server, method, tool, match, created,"
               " expires, by) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
               NULL, NULL, "ssisssssiis", str(g, "id"), str(g, "hold"), num(g, "uid"),
               str(g, "agent"), str(g, "server"), str(g, "method"), str(g, "tool"), str(g, "match"),
               num(g, "created"), num(g, "expires"), str(g, "by"));
}

int
approve_grant_match(struct approve_store *st, int64_t uid, const char *agent, const char *server,
                    const char *method, const char *tool, const char *match, int64_t now,
                    json_t **out)
{
    json_t *rows;
    if (run(st,
            "SELECT * FROM grants WHERE match = ? AND agent = ? AND uid = ? AND server = ? AND"
            " method = ? AND tool IS ? AND revoked IS NULL AND expires > ?"
            " ORDER BY expires DESC LIMIT 1",
            &rows, NULL, "ssisssi", match, agent, uid, server, method, tool, now))
        return -1;
    return first(rows, out);
}

int
approve_grant_list(struct approve_store *st, json_t **out)
{
    return run(st, "SELECT * FROM grants ORDER BY created DESC, id", out, NULL, "");
}

int
approve_grant_get(struct approve_store *st, const char *id, json_t **out)
{
    json_t *rows;
    if (run(st, "SELECT * FROM grants WHERE id = ?", &rows, NULL, "s", id))
        return -1;
    return first(rows, out);
}

int
approve_grant_ended(struct approve_store *st, int64_t now, json_t **out)
{
    return run(st,
               "UPDATE grants SET ended = ? WHERE ended IS NULL AND"
               " (expires <= ? OR revoked IS NOT NULL) RETURNING *",
               out, NULL, "ii", now, now);
}

int
approve_grant_revoke(struct approve_store *st, const char *id, const char *by, int64_t now,
                     int *changed)
{
    return run(st,
               "UPDATE grants SET revoked = ?, revokedBy = ? WHERE id = ? AND revoked IS NULL"
               " AND expires > ?",
               NULL, changed, "issi", now, by, id, now);
}

/* ---- exposures ---- */

int
approve_exposure_open(struct approve_store *st, const json_t *e)
{
    char *access = dump(e, "access");
    if (json_object_get(e, "access") && !access)
        return -1;
    int rc = run(st,
                 "INSERT INTO exposures(id, hold, entry, agent, user, server, tool, rule, what,"
                 " explanation, key, approvedBy, opened, access)"
                 " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 NULL, NULL, "ssisssssssssis", str(e, "id"), str(e, "hold"), num(e, "entry"),
                 str(e, "agent"), str(e, "user"), str(e, "server"), str(e, "tool"), str(e, "rule"),
                 str(e, "what"), str(e, "explanation"), str(e, "key"), str(e, "approvedBy"),
                 num(e, "opened"), access);
    free(access);
    return rc;
}

int
approve_exposure_list(struct approve_store *st, int open_only, json_t **out)
{
    return run(st, "SELECT * FROM exposures WHERE ? = 0 OR closed IS NULL ORDER BY opened DESC, id",
               out, NULL, "i", (int64_t)open_only);
}

int
approve_exposure_get(struct approve_store *st, const char *id, json_t **out)
{
    json_t *rows;
    if (run(st, "SELECT * FROM exposures WHERE id = ?", &rows, NULL, "s", id))
        return -1;
    return first(rows, out);
}

int
approve_exposure_close(struct approve_store *st, const char *id, const char *key, const char *by,
                       const char *note, int64_t now, json_t **closed)
{
    json_t *rows;
    if (run(st,
            "UPDATE exposures SET closed = ?, closedBy = ?, note = ? WHERE closed IS NULL AND"
            " (id = ? OR (? IS NULL AND key = ?)) RETURNING id",
            &rows, NULL, "isssss", now, by, note, id, id, key))
        return -1;
    *closed = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        json_array_append(*closed, json_object_get(r, "id"));
    json_decref(rows);
    return 0;
}

int
approve_exposure_due(struct approve_store *st, int64_t before, int64_t due, int64_t now,
                     json_t **out)
{
    return run(st,
               "UPDATE exposures SET alerted = ? WHERE closed IS NULL AND opened <= ? AND"
               " alerted <= ? RETURNING *",
               out, NULL, "iii", now, before, due);
}

/* ---- TOTP ---- */

int
approve_totp_set(struct approve_store *st, const char *user, const unsigned char *secret, size_t n,
                 int64_t now)
{
    return run(st, "INSERT OR REPLACE INTO totp(user, secret, enrolled, lastStep) VALUES(?,?,?,0)",
               NULL, NULL, "sbi", user, (const void *)secret, (int)n, now);
}

int
approve_totp_get(struct approve_store *st, const char *user, unsigned char *secret, size_t cap,
                 size_t *n, int64_t *last_step)
{
    sqlite3_stmt *s = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT secret, lastStep FROM totp WHERE user = ?", -1, &s,
                           NULL) != SQLITE_OK ||
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_finalize(s);
        return fail(st, "reading an enrolment");
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(s, 0);
        if (len <= cap) {
            memcpy(secret, sqlite3_column_blob(s, 0), len);
            *n = len;
        }
        *last_step = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, "reading an enrolment");
}

int
approve_totp_used(struct approve_store *st, const char *user, int64_t step)
{
    return run(st, "UPDATE totp SET lastStep = ? WHERE user = ?", NULL, NULL, "is", step, user);
}

/* ---- users that ran agents ---- */

int
approve_agent_user_add(struct approve_store *st, int64_t uid, const char *user, int64_t now)
{
    return run(st, "INSERT OR IGNORE INTO agent_users(uid, user, first) VALUES(?,?,?)", NULL, NULL,
               "isi", uid, user, now);
}

int
approve_agent_user_is(struct approve_store *st, int64_t uid, int *yes)
{
    json_t *rows;
    if (run(st, "SELECT uid FROM agent_users WHERE uid = ?", &rows, NULL, "i", uid))
        return -1;
    *yes = json_array_size(rows) > 0;
    json_decref(rows);
    return 0;
}
