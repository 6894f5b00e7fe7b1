/*
 * daemon_admin.c - people's commands over the socket: pending, approve,
 * deny, grants, revoke, exposures, close, totp-enroll, log, reload.
 *
 * Who is asking is the kernel's word (the peer's uid, its login name as
 * User::"<name>"); what they may do is a Cedar decision on airlockd's
 * administrative policies (policies/admin.cedar).  Every decision that
 * changes something is a ledger record before it takes effect; refusals
 * are recorded too.
 */
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../approve/approve_time.h"
#include "../approve/approve_totp.h"
#include "../gate/gate_inspect.h"
#include "../ledger/ledger_log.h"
#include "../util/util_file.h"
#include "daemon_int.h"

const char *
daemon_user_name(const struct conn *c, char *buf, size_t n)
{
    struct passwd *pw = getpwuid(c->uid);
    if (!pw)
        return NULL;
    snprintf(buf, n, "%s", pw->pw_name);
    return buf;
}

struct ask {
    struct daemon *d;
    struct conn *c;
    const char *user;   /* the caller */
    const json_t *args; /* the command's arguments (object) */
    int64_t now;
};

static int
answer(struct conn *c, json_t *result)
{
    char *s = result ? json_dumps(result, JSON_COMPACT) : NULL;
    json_decref(result);
    wire_begin(&c->out, s ? WIRE_OK : WIRE_ERROR);
    if (s)
        wire_add_str(&c->out, WT_JSON, s);
    else
        wire_add_str(&c->out, WT_TEXT, "out of memory");
    free(s);
    return daemon_send(c);
}

static int __attribute__((format(printf, 2, 3))) refuse(struct conn *c, const char *fmt, ...)
{
    char text[WIRE_MAX_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    wire_begin(&c->out, WIRE_ERROR);
    wire_add_str(&c->out, WT_TEXT, text);
    return daemon_send(c);
}

static const char *
arg(const struct ask *a, const char *k)
{
    return json_string_value(json_object_get(a->args, k));
}

/* Whether the caller's user runs agents: named in "users", or its uid has
 * ever opened an agent's session with this daemon (remembered in the
 * store), or does now.  When the store cannot say, it does (fail closed). */
static int
runs_agents(const struct ask *a)
{
    int yes = 1;
    if (a->d->cfg.users && json_object_get(a->d->cfg.users, a->user))
        return 1;
    for (size_t i = 0; i < a->d->nconns; i++)
        if (a->d->conns[i].gate && a->d->conns[i].uid == a->c->uid)
            return 1;
    if (approve_agent_user_is(a->d->store, a->c->uid, &yes))
        return 1;
    return yes;
}

/* The Cedar decision; on a refusal, *why says which policy. */
static int
allowed(struct ask *a, const char *action, const char *rtype, const char *rid, json_t *ctx,
        char *why, size_t n)
{
    json_object_set_new(ctx, "callerRunsAgents", json_boolean(runs_agents(a)));
    return approve_authz_decide(a->d->authz, a->user, action, rtype, rid, ctx, why, n);
}

static int
record(struct ask *a, json_t *rec)
{
    int rc = rec ? daemon_record(a->d, rec) : -1;
    json_decref(rec);
    return rc;
}

/* A refusal, recorded; the reply says why. */
static int
refused(struct ask *a, const char *what, const char *id, const char *why)
{
    record(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "refused", "command", what, "on", id,
                        "by", a->user, "why", why));
    return refuse(a->c, "refused: %s", why);
}

/* Whether the caller may list the store (pending, grants, exposures). */
static int
may_list(struct ask *a, char *why, size_t n)
{
    json_t *ctx = json_object();
    int ok = ctx && allowed(a, "list", "Airlock", "store", ctx, why, n);
    if (!ctx)
        snprintf(why, n, "out of memory");
    json_decref(ctx);
    return ok;
}

/* Whether an id exists, and what became of it, is for those who may list
 * the store: anyone else is refused first, whatever the id, so that an
 * agent's user cannot probe for ids.  The refusal is recorded. */
static int __attribute__((format(printf, 4, 5)))
unknown(struct ask *a, const char *what, const char *id, const char *fmt, ...)
{
    char why[APPROVE_REASON_MAX], text[WIRE_MAX_TEXT];
    if (!may_list(a, why, sizeof(why)))
        return refused(a, what, id ? id : "", why);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return refuse(a->c, "%s", text);
}

/* ---- holds ---- */

static json_t *
hold_context(const json_t *h, int64_t approvers, int totp, int64_t grant)
{
    return json_pack("{s:o, s:o, s:O, s:O*, s:O, s:{s:O, s:O}, s:I, s:b, s:I}", "requester",
                     approve_entity("User", json_string_value(json_object_get(h, "user"))), "agent",
                     approve_entity("Agent", json_string_value(json_object_get(h, "agent"))),
                     "server", json_object_get(h, "server"), "tool", json_object_get(h, "tool"),
                     "method", json_object_get(h, "method"), "findings", "severity",
                     json_object_get(h, "severity"), "categories", json_object_get(h, "categories"),
                     "approvers", (json_int_t)approvers, "totp", totp, "grantSeconds",
                     (json_int_t)grant);
}

/* The argument a finding names ("body", "files/0/text") in args. */
static json_t *
argument(json_t *args, const char *path)
{
    char part[GATE_ARG_PATH_MAX];
    json_t *v = args;
    while (v && *path) {
        size_t n = strcspn(path, "/");
        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        v = json_is_array(v) ? json_array_get(v, strtoul(part, NULL, 10))
                             : json_object_get(v, part);
        path += n + (path[n] == '/');
    }
    return v;
}

/* Secrets in a hold's arguments are starred for people, as in findings:
 * all but their last four characters.  The store keeps them whole (the
 * call goes through as it was asked). */
static void
star_secrets(json_t *h)
{
    json_t *args = json_object_get(json_object_get(h, "params"), "arguments"), *f;
    size_t i;
    json_array_foreach(json_object_get(h, "findings"), i, f) {
        const char *cat = json_string_value(json_object_get(f, "category"));
        json_t *v = argument(args, json_string_value(json_object_get(f, "argument")) ?: "");
        json_int_t a = json_integer_value(json_object_get(f, "start"));
        json_int_t b = json_integer_value(json_object_get(f, "end"));
        if (!cat || strcmp(cat, "secret") || !json_is_string(v) || a < 0 || b - 4 <= a ||
            (size_t)b > json_string_length(v))
            continue;
        char *t = malloc(json_string_length(v) + 1);
        if (!t)
            continue;
        memcpy(t, json_string_value(v), json_string_length(v) + 1);
        memset(t + a, '*', (size_t)(b - 4 - a));
        json_string_setn(v, t, json_string_length(v));
        free(t);
    }
}

static int
pending(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    json_t *rows = NULL, *h;
    if (!may_list(a, why, sizeof(why)))
        return refuse(a->c, "refused: %s", why);
    if (approve_hold_list(a->d->store, "pending", &rows))
        return refuse(a->c, "%s", approve_store_error(a->d->store));
    size_t i;
    json_array_foreach(rows, i, h) {
        json_object_set_new(
            h, "age", json_integer(a->now - json_integer_value(json_object_get(h, "created"))));
        /* The Cedar request stays in the store and the ledger: the
         * listing is for people. */
        json_object_del(h, "bind");
        json_object_del(h, "match");
        json_object_del(h, "cedar");
        star_secrets(h);
    }
    return answer(a->c, json_pack("{s:o}", "holds", rows));
}

/* A one-time code, when given: 1 valid (and now used), 0 none given, -1
 * given and wrong (*why says so). */
static int
one_time_code(struct ask *a, const char **why)
{
    unsigned char secret[TOTP_SECRET_LEN];
    size_t n;
    int64_t last, step;
    const char *code = arg(a, "code");
    if (!code)
        return 0;
    if (approve_totp_get(a->d->store, a->user, secret, sizeof(secret), &n, &last) || n == 0) {
        *why = "you have enrolled no authenticator (airlock totp enroll)";
        return -1;
    }
    int rc = totp_check(secret, n, a->now, code, last, &step);
    sodium_memzero(secret, sizeof(secret));
    if (rc || approve_totp_used(a->d->store, a->user, step)) {
        *why = "the one-time code is wrong, or was used already";
        return -1;
    }
    return 1;
}

/* Approved by enough people: the hold is released, a grant made if asked. */
static int
release(struct ask *a, json_t *h, int64_t grant, int64_t n)
{
    const char *id = json_string_value(json_object_get(h, "id"));
    const char *reason = arg(a, "reason");
    char gid[APPROVE_ID_LEN + 3] = "";
    int changed = 0;
    if (grant)
        approve_new_id('g', gid);
    if (record(a, json_pack("{s:s, s:s, s:s, s:s*, s:I, s:b, s:I, s:s*}", "type", "approval",
                            "hold", id, "by", a->user, "reason", reason, "approvers", (json_int_t)n,
                            "released", 1, "grantSeconds", (json_int_t)grant, "grant",
                            grant ? gid : NULL)) ||
        approve_hold_decide(a->d->store, id, "pending", "approved", a->now, a->user, reason, grant,
                            a->now + a->d->acfg.retry_window, &changed))
        return refuse(a->c, "the approval could not be recorded: %s",
                      approve_store_error(a->d->store));
    if (!changed)
        return refuse(a->c, "%s was decided meanwhile", id);
    if (grant) {
        json_t *g = json_pack(
            "{s:s, s:s, s:O, s:O, s:O, s:O, s:O*, s:O, s:I, s:I, s:s}", "id", gid, "hold", id,
            "uid", json_object_get(h, "uid"), "agent", json_object_get(h, "agent"), "server",
            json_object_get(h, "server"), "method", json_object_get(h, "method"), "tool",
            json_object_get(h, "tool"), "match", json_object_get(h, "match"), "created",
            (json_int_t)a->now, "expires", (json_int_t)(a->now + grant), "by", a->user);
        int bad = !g || approve_grant_add(a->d->store, g);
        json_decref(g);
        if (bad)
            return refuse(a->c, "approved, but the grant could not be stored: %s",
                          approve_store_error(a->d->store));
    }
    json_object_set_new(h, "decidedBy", json_string(a->user));
    daemon_release(a->d, h);
    return answer(a->c, json_pack("{s:s, s:s, s:I, s:s*}", "status", "approved", "hold", id,
                                  "approvers", (json_int_t)n, "grant", grant ? gid : NULL));
}

static int
approve(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id"), *bad = NULL;
    json_t *h = NULL;
    int64_t grant = json_integer_value(json_object_get(a->args, "for")), n = 0;
    const char *reason = arg(a, "reason");
    if (!id || grant < 0 || grant > APPROVE_MAX_DURATION)
        return refuse(a->c, "approve needs a held call's id (and --for within a year)");
    if (reason && strlen(reason) > APPROVE_MAX_NOTE)
        return refuse(a->c, "a reason is at most %d bytes", APPROVE_MAX_NOTE);
    if (approve_hold_get(a->d->store, id, &h) || !h)
        return unknown(a, "approve", id, "no held call %s", id);
    const char *status = json_string_value(json_object_get(h, "status"));
    int totp = strcmp(status, "pending") ? 0 : one_time_code(a, &bad);
    int rc;
    if (strcmp(status, "pending"))
        rc = unknown(a, "approve", id, "%s is not waiting: it was %s", id, status);
    else if (totp < 0)
        rc = refused(a, "approve", id, bad);
    else if (approve_vote_count(a->d->store, id, &n))
        rc = refuse(a->c, "%s", approve_store_error(a->d->store));
    else {
        json_t *ctx = hold_context(h, n + 1, totp, grant);
        if (!ctx || !allowed(a, "approve", "Held", id, ctx, why, sizeof(why))) {
            rc = refused(a, "approve", id, ctx ? why : "out of memory");
        } else if (approve_vote_add(a->d->store, id, a->user, a->now, totp, NULL) ||
                   approve_vote_count(a->d->store, id, &n)) {
            rc = refuse(a->c, "%s", approve_store_error(a->d->store));
        } else {
            json_object_set_new(ctx, "approvers", json_integer(n));
            if (allowed(a, "release", "Held", id, ctx, why, sizeof(why)))
                rc = release(a, h, grant, n);
            else if (record(a, json_pack("{s:s, s:s, s:s, s:s*, s:I, s:b}", "type", "approval",
                                         "hold", id, "by", a->user, "reason", arg(a, "reason"),
                                         "approvers", (json_int_t)n, "released", 0)))
                rc = refuse(a->c, "the approval could not be recorded");
            else
                rc = answer(a->c, json_pack("{s:s, s:s, s:I, s:s}", "status", "pending", "hold", id,
                                            "approvers", (json_int_t)n, "why", why));
        }
        json_decref(ctx);
    }
    json_decref(h);
    return rc;
}

static int
deny(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id"), *reason = arg(a, "reason");
    json_t *h = NULL, *ctx = NULL;
    int changed = 0, rc;
    if (!id || !reason || !*reason || strlen(reason) > APPROVE_MAX_NOTE)
        return refuse(a->c, "deny needs a held call's id and a reason (at most %d bytes)",
                      APPROVE_MAX_NOTE);
    if (approve_hold_get(a->d->store, id, &h) || !h)
        return unknown(a, "deny", id, "no held call %s", id);
    if (strcmp(json_string_value(json_object_get(h, "status")), "pending"))
        rc = unknown(a, "deny", id, "%s is not waiting: it was %s", id,
                     json_string_value(json_object_get(h, "status")));
    else if (!(ctx = hold_context(h, 0, 0, 0)) ||
             !allowed(a, "deny", "Held", id, ctx, why, sizeof(why)))
        rc = refused(a, "deny", id, ctx ? why : "out of memory");
    else if (record(a, json_pack("{s:s, s:s, s:s, s:s}", "type", "denial", "hold", id, "by",
                                 a->user, "reason", reason)) ||
             approve_hold_decide(a->d->store, id, "pending", "denied", a->now, a->user, reason, 0,
                                 0, &changed) ||
             !changed)
        rc = refuse(a->c, "the denial could not be recorded");
    else {
        json_object_set_new(h, "status", json_string("denied"));
        json_object_set_new(h, "decidedBy", json_string(a->user));
        json_object_set_new(h, "reason", json_string(reason));
        daemon_deny(a->d, h);
        rc = answer(a->c, json_pack("{s:s, s:s}", "status", "denied", "hold", id));
    }
    json_decref(ctx);
    json_decref(h);
    return rc;
}

/* ---- grants and exposures ---- */

static int
list(struct ask *a, int grants)
{
    char why[APPROVE_REASON_MAX];
    json_t *rows = NULL, *r;
    if (!may_list(a, why, sizeof(why)))
        return refuse(a->c, "refused: %s", why);
    if (grants ? approve_grant_list(a->d->store, &rows)
               : approve_exposure_list(a->d->store, json_is_true(json_object_get(a->args, "open")),
                                       &rows))
        return refuse(a->c, "%s", approve_store_error(a->d->store));
    size_t i;
    json_array_foreach(rows, i, r) {
        json_int_t end = json_integer_value(json_object_get(r, grants ? "expires" : "closed"));
        if (grants) {
            json_object_set_new(r, "state",
                                json_string(json_object_get(r, "revoked") ? "revoked"
                                            : end > a->now                ? "active"
                                                                          : "expired"));
            json_object_del(r, "match");
        } else {
            json_int_t opened = json_integer_value(json_object_get(r, "opened"));
            json_object_set_new(
                r, "duration",
                json_integer((json_object_get(r, "closed") ? end : a->now) - opened));
        }
    }
    return answer(a->c, json_pack("{s:o}", grants ? "grants" : "exposures", rows));
}

static int
revoke(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id");
    json_t *g = NULL, *ctx = NULL;
    int changed = 0, rc;
    if (!id || approve_grant_get(a->d->store, id, &g) || !g)
        return unknown(a, "revoke", id, "no grant %s", id ? id : "(none given)");
    if (!(ctx = json_pack("{s:o, s:O}", "agent",
                          approve_entity("Agent", json_string_value(json_object_get(g, "agent"))),
                          "grantedBy", json_object_get(g, "by"))) ||
        !allowed(a, "revoke", "Grant", id, ctx, why, sizeof(why)))
        rc = refused(a, "revoke", id, ctx ? why : "out of memory");
    else if (record(a, json_pack("{s:s, s:s, s:s}", "type", "grant-revoked", "grant", id, "by",
                                 a->user)) ||
             approve_grant_revoke(a->d->store, id, a->user, a->now, &changed))
        rc = refuse(a->c, "the revocation could not be recorded");
    else if (!changed)
        rc = unknown(a, "revoke", id, "%s has already ended", id);
    else
        rc = answer(a->c, json_pack("{s:s, s:s}", "status", "revoked", "grant", id));
    json_decref(ctx);
    json_decref(g);
    return rc;
}

static int
close_exposure(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id"), *note = arg(a, "note");
    json_t *e = NULL, *ctx = NULL, *closed = NULL;
    int rc;
    if (!id || !note || !*note || strlen(note) > APPROVE_MAX_NOTE)
        return refuse(a->c, "closing an exposure needs its id and a note (at most %d bytes)",
                      APPROVE_MAX_NOTE);
    if (approve_exposure_get(a->d->store, id, &e) || !e)
        return unknown(a, "close", id, "no exposure %s", id);
    if (json_object_get(e, "closed"))
        rc = unknown(a, "close", id, "%s is closed already", id);
    else if (!(ctx = json_pack(
                   "{s:o, s:O}", "agent",
                   approve_entity("Agent", json_string_value(json_object_get(e, "agent"))), "rule",
                   json_object_get(e, "rule"))) ||
             !allowed(a, "close", "Exposure", id, ctx, why, sizeof(why)))
        rc = refused(a, "close", id, ctx ? why : "out of memory");
    else if (record(a, json_pack("{s:s, s:s, s:s, s:s}", "type", "exposure-closed", "exposure", id,
                                 "by", a->user, "note", note)) ||
             approve_exposure_close(a->d->store, id, NULL, a->user, note, a->now, &closed))
        rc = refuse(a->c, "the closing could not be recorded");
    else {
        daemon_exposures_closed(a->d, json_array_size(closed));
        rc = answer(a->c, json_pack("{s:s, s:s}", "status", "closed", "exposure", id));
    }
    json_decref(closed);
    json_decref(ctx);
    json_decref(e);
    return rc;
}

/* ---- authenticators ---- */

static int
enroll(struct ask *a)
{
    char why[APPROVE_REASON_MAX], b32[TOTP_BASE32_MAX], uri[512];
    unsigned char secret[TOTP_SECRET_LEN], old[TOTP_SECRET_LEN];
    size_t n = 0;
    int64_t last;
    const char *bad = NULL;
    json_t *ctx = json_object();
    int ok = ctx && allowed(a, "enroll", "User", a->user, ctx, why, sizeof(why));
    json_decref(ctx);
    if (!ok)
        return refused(a, "enroll", a->user, why);
    /* Replacing an authenticator takes a code from the one enrolled: else a
     * shell in the account could enrol its own and approve alone. */
    if (approve_totp_get(a->d->store, a->user, old, sizeof(old), &n, &last))
        return refuse(a->c, "%s", approve_store_error(a->d->store));
    sodium_memzero(old, sizeof(old));
    if (n && one_time_code(a, &bad) != 1)
        return refused(a, "enroll", a->user,
                       bad ? bad : "you have an authenticator: give a code from it (--code)");
    randombytes_buf(secret, sizeof(secret));
    totp_base32(secret, sizeof(secret), b32, sizeof(b32));
    int rc = record(a, json_pack("{s:s, s:s}", "type", "totp-enrolled", "user", a->user)) ||
             approve_totp_set(a->d->store, a->user, secret, sizeof(secret), a->now);
    sodium_memzero(secret, sizeof(secret));
    if (rc)
        return refuse(a->c, "the enrolment could not be recorded");
    snprintf(uri, sizeof(uri),
             "otpauth://totp/airlock:%s?secret=%s&issuer=airlock&algorithm=SHA1&digits=%d"
             "&period=%d",
             a->user, b32, TOTP_DIGITS, TOTP_STEP);
    rc = answer(a->c, json_pack("{s:s, s:s, s:s}", "user", a->user, "secret", b32, "uri", uri));
    sodium_memzero(b32, sizeof(b32));
    return rc;
}

/* ---- the ledger and the policies ---- */

/* Entries from "from" on: at most DAEMON_MAX_LOG_ENTRIES of them and about
 * DAEMON_MAX_LOG_BYTES (the answer says where to go on), with the signed
 * checkpoint.  Records are JSON text; an entry that is not UTF-8 is given
 * in base64.  What is durable is checkpointed first: the daemon signs when
 * idle or a second after a record, and a person reading the log must see
 * what happened up to the moment they asked (the hold they decide, say). */
static int
read_log(struct ask *a)
{
    char why[APPROVE_REASON_MAX], path[4096], err[LEDGER_ERR_MAX];
    json_t *ctx = json_object();
    int ok = ctx && allowed(a, "read_log", "Airlock", "ledger", ctx, why, sizeof(why));
    json_decref(ctx);
    if (!ok)
        return refused(a, "log", "ledger", why);
    if (ledger_checkpoint_now(a->d->log, err, sizeof(err)))
        return refuse(a->c, "the ledger cannot be checkpointed: %s", err);
    json_int_t from = json_integer_value(json_object_get(a->args, "from"));
    uint64_t size = ledger_size(a->d->log), i = from > 0 ? (uint64_t)from : 0;
    size_t bytes = 0;
    json_t *entries = json_array();
    for (; entries && i < size && json_array_size(entries) < DAEMON_MAX_LOG_ENTRIES &&
           bytes < DAEMON_MAX_LOG_BYTES;
         i++) {
        uint8_t *p;
        size_t n;
        if (ledger_read_entry(a->d->log, i, &p, &n)) {
            json_decref(entries);
            return refuse(a->c, "entry %llu cannot be read", (unsigned long long)i);
        }
        json_t *text = json_stringn((const char *)p, n), *e;
        if (text) {
            e = json_pack("{s:I, s:o}", "index", (json_int_t)i, "text", text);
        } else {
            char *b64 = malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL));
            if (b64)
                sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL),
                                  p, n, sodium_base64_VARIANT_ORIGINAL);
            e = json_pack("{s:I, s:s*}", "index", (json_int_t)i, "entry", b64);
            free(b64);
        }
        json_array_append_new(entries, e);
        bytes += n;
        free(p);
    }
    char *cp = NULL;
    size_t cplen;
    snprintf(path, sizeof(path), "%s/checkpoint", a->d->o->dir);
    if (util_read_file(path, LEDGER_MAX_ENTRY, &cp, &cplen, err, sizeof(err)))
        cp = NULL;
    json_t *r = json_pack("{s:I, s:I, s:o, s:s*}", "size", (json_int_t)size, "next", (json_int_t)i,
                          "entries", entries, "checkpoint", cp);
    free(cp);
    return answer(a->c, r);
}

/* The administrative policies and entities read again; a session's own
 * policies are read when it starts. */
static int
reload(struct ask *a)
{
    char why[APPROVE_REASON_MAX], err[1024];
    json_t *ctx = json_object();
    int ok = ctx && allowed(a, "reload", "Airlock", "policies", ctx, why, sizeof(why));
    json_decref(ctx);
    if (!ok)
        return refused(a, "reload", "policies", why);
    struct approve_authz *az;
    if (approve_authz_open(&az, a->d->o->admin_policies, a->d->o->entities, err, sizeof(err)))
        return refuse(a->c, "the policies were not reloaded: %s", err);
    if (record(a, json_pack("{s:s, s:s}", "type", "policies-reloaded", "by", a->user))) {
        approve_authz_close(az);
        return refuse(a->c, "the reload could not be recorded");
    }
    approve_authz_close(a->d->authz);
    a->d->authz = az;
    return answer(a->c, json_pack("{s:s}", "status", "reloaded"));
}

int
daemon_admin(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char user[256], what[32];
    const struct wire_field *w = &m->f[WT_WHAT];
    json_t *args = wire_has(m, WT_JSON)
                       ? json_loadb(m->f[WT_JSON].p, m->f[WT_JSON].n, JSON_REJECT_DUPLICATES, NULL)
                       : json_object();
    struct ask a = {d, c, daemon_user_name(c, user, sizeof(user)), args, approve_now()};
    int rc;
    snprintf(what, sizeof(what), "%.*s", (int)(w->n < sizeof(what) ? w->n : 0), w->p);
    if (!json_is_object(args))
        rc = refuse(c, "a command's arguments must be a JSON object");
    else if (!a.user)
        rc = refuse(c, "uid %u has no user name: it cannot be a person here", (unsigned)c->uid);
    else if (!strcmp(what, "pending"))
        rc = pending(&a);
    else if (!strcmp(what, "approve"))
        rc = approve(&a);
    else if (!strcmp(what, "deny"))
        rc = deny(&a);
    else if (!strcmp(what, "grants"))
        rc = list(&a, 1);
    else if (!strcmp(what, "revoke"))
        rc = revoke(&a);
    else if (!strcmp(what, "exposures"))
        rc = list(&a, 0);
    else if (!strcmp(what, "close"))
        rc = close_exposure(&a);
    else if (!strcmp(what, "totp-enroll"))
        rc = enroll(&a);
    else if (!strcmp(what, "log"))
        rc = read_log(&a);
    else if (!strcmp(what, "reload"))
        rc = reload(&a);
    else
        rc = refuse(c, "no such command");
    json_decref(args);
    return rc;
}
