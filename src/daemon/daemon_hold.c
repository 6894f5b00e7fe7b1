/*
 * daemon_hold.c - calls held for a person, and what becomes of them.
 *
 * A call the policies permit only with approved = true is first checked
 * against the grants (same agent, server, tool and arguments, not expired
 * or revoked) and against an approval of the very same call in the same
 * session that nobody used yet; else it is held: recorded in the ledger,
 * stored, announced on the webhook, and answered later (WIRE_RESOLVED)
 * when a person decides, the client withdraws it or its time runs out.
 * Every step is a ledger record before it takes effect; one that cannot be
 * recorded or stored refuses the call (fail closed).
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../approve/approve_exposure.h"
#include "../approve/approve_time.h"
#include "../ledger/ledger_log.h"
#include "../util/util_hash.h"
#include "../util/util_log.h"
#include "../util/util_poll.h"
#include "daemon_int.h"

int
daemon_record(struct daemon *d, json_t *rec)
{
    char t[40], err[LEDGER_ERR_MAX];
    uint64_t index;
    gate_time_text(t, sizeof(t));
    json_object_set_new(rec, "time", json_string(t));
    char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = -1;
    if (text && strlen(text) <= LEDGER_MAX_ENTRY) {
        struct ledger_entry e = {text, strlen(text)};
        rc = ledger_append_durable(d->log, &e, 1, &index, err, sizeof(err));
        if (rc)
            util_log("airlockd: ledger: %s\n", err);
        else if (!d->own_unsigned_since)
            d->own_unsigned_since = util_mono_us() / 1000;
    }
    free(text);
    return rc;
}

int
daemon_send_verdict(struct conn *c, enum wire_type type, const struct gate_verdict *v)
{
    char *pol = v->policies ? json_dumps(v->policies, JSON_COMPACT) : NULL;
    wire_begin(&c->out, type);
    wire_add_num(&c->out, WT_OUTCOME, v->outcome);
    wire_add_num(&c->out, WT_CODE, v->refusal);
    wire_add_str(&c->out, WT_TEXT, v->text);
    wire_add_num(&c->out, WT_ENTRY, (int64_t)v->entry);
    wire_add_num(&c->out, WT_EFFECTS, v->effects);
    if (v->tool)
        wire_add(&c->out, WT_TOOL, v->tool, strnlen(v->tool, WIRE_MAX_NAME));
    if (v->hold[0])
        wire_add_str(&c->out, WT_HOLD, v->hold);
    if (pol)
        wire_add_str(&c->out, WT_JSON, pol);
    free(pol);
    return daemon_send(c);
}

/* ---- what a hold binds ---- */

/* match: the call itself (method and params without _meta, which carries
 * per-call progress tokens); bind: the call by this agent in this session. */
static int
hashes(const char *method, const json_t *params, const char *session, const char *agent,
       char match[65], char bind[65])
{
    json_t *p = json_deep_copy(params);
    json_object_del(p, "_meta");
    json_t *doc = json_pack("{s:s, s:o*}", "method", method, "params", p);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!text)
        return -1;
    util_sha256_hex(text, strlen(text), match);
    char both[64 + 1 + 64 + 1 + WIRE_MAX_NAME + 1];
    int n = snprintf(both, sizeof(both), "%s %s %s", match, session, agent ? agent : "");
    util_sha256_hex(both, (size_t)n, bind);
    free(text);
    return 0;
}

/* ---- waiting sessions ---- */

static int
add_wait(struct conn *c, const char *id)
{
    for (size_t i = 0; i < c->nwaits; i++)
        if (!strcmp(c->waits[i], id))
            return 0;
    if (c->nwaits == DAEMON_MAX_WAITS)
        return -1;
    if (c->nwaits % 64 == 0) {
        char(*w)[GATE_HOLD_MAX] = realloc(c->waits, (c->nwaits + 64) * sizeof(*w));
        if (!w)
            return -1;
        c->waits = w;
    }
    snprintf(c->waits[c->nwaits++], GATE_HOLD_MAX, "%s", id);
    return 0;
}

static int
waits_for(const struct conn *c, const char *id)
{
    for (size_t i = 0; i < c->nwaits; i++)
        if (!strcmp(c->waits[i], id))
            return 1;
    return 0;
}

static int
drop_wait(struct conn *c, const char *id)
{
    for (size_t i = 0; i < c->nwaits; i++)
        if (!strcmp(c->waits[i], id)) {
            memcpy(c->waits[i], c->waits[--c->nwaits], GATE_HOLD_MAX);
            return 1;
        }
    return 0;
}

void
daemon_resolve(struct daemon *d, const char *id, const struct gate_verdict *v)
{
    for (size_t i = 0; i < d->nconns; i++) {
        struct conn *c = &d->conns[i];
        if (!drop_wait(c, id))
            continue;
        struct gate_verdict out = *v;
        snprintf(out.hold, sizeof(out.hold), "%s", id);
        /* A session that cannot take it is dropped by the loop later: its
         * call stays refused (it never gets a permit it did not read). */
        if (daemon_send_verdict(c, WIRE_RESOLVED, &out))
            util_log("airlockd: could not tell a session that %s was decided\n", id);
    }
}

static void ended(const json_t *h, struct gate_verdict *v);

/* ---- permitting a held kind of call ---- */

static void __attribute__((format(printf, 2, 3)))
permit(struct gate_verdict *v, const char *fmt, ...)
{
    char what[GATE_REASON_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    v->outcome = GATE_PERMIT;
    v->refusal = GATE_REFUSED_NONE;
    snprintf(v->text, sizeof(v->text), "airlock permitted %s: %s", v->tool ? v->tool : "it", what);
}

static int
use_grant(struct daemon *d, struct conn *c, const char *method, const char *match,
          struct gate_verdict *v, int64_t now)
{
    json_t *g = NULL, *rec;
    if (approve_grant_match(d->store, c->uid, gate_agent(c->gate), gate_server(c->gate), method,
                            v->tool, match, now, &g) ||
        !g)
        return 0;
    const char *id = json_string_value(json_object_get(g, "id"));
    const char *by = json_string_value(json_object_get(g, "by"));
    rec = json_pack("{s:s, s:s, s:I, s:s}", "type", "grant-used", "grant", id, "request",
                    (json_int_t)v->entry, "session", gate_session(c->gate));
    int ok = rec && daemon_record(d, rec) == 0;
    json_decref(rec);
    if (ok)
        permit(v, "a grant from %s (%s) covers it", by, id);
    json_decref(g);
    return ok;
}

/* An approval of this very call that nobody has used: used now. */
static int
use_approval(struct daemon *d, struct conn *c, const json_t *h, struct gate_verdict *v, int64_t now)
{
    const char *id = json_string_value(json_object_get(h, "id"));
    int changed = 0;
    json_t *rec = json_pack("{s:s, s:s, s:I, s:s}", "type", "approval-used", "hold", id, "request",
                            (json_int_t)v->entry, "session", gate_session(c->gate));
    int ok = rec && daemon_record(d, rec) == 0 &&
             approve_hold_decide(d->store, id, "approved", "used", now, NULL, NULL, 0, 0,
                                 &changed) == 0 &&
             changed;
    json_decref(rec);
    if (ok)
        permit(v, "%s approved it (%s)", json_string_value(json_object_get(h, "decidedBy")), id);
    return ok;
}

static json_t *
new_hold(struct daemon *d, struct conn *c, const char *method, const json_t *params,
         const struct gate_verdict *v, const char *match, const char *bind, int64_t now)
{
    char id[APPROVE_ID_LEN + 3], uname[256];
    approve_new_id('h', id);
    return json_pack(
        "{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s*, s:O, s:O*, s:i,"
        " s:O*, s:s, s:s, s:I, s:s, s:i, s:O*}",
        "id", id, "created", (json_int_t)now, "expires", (json_int_t)(now + d->acfg.timeout), "uid",
        (json_int_t)c->uid, "user", daemon_user_name(c, uname, sizeof(uname)), "agent",
        gate_agent(c->gate) ? gate_agent(c->gate) : "unknown", "session", gate_session(c->gate),
        "server", gate_server(c->gate), "method", method, "tool", v->tool, "params", params,
        "findings", v->findings, "severity", v->severity, "categories", v->categories, "bind", bind,
        "match", match, "entry", (json_int_t)v->entry, "text", v->text, "effects", (int)v->effects,
        "cedar", v->cedar);
}

static void
announce(struct daemon *d, const json_t *h)
{
    char text[1024];
    const char *tool = json_string_value(json_object_get(h, "tool"));
    snprintf(text, sizeof(text),
             "airlock is holding %s by %s (for %s) for a person's approval: %s\n"
             "airlock approve %s   |   airlock deny %s --reason ...",
             tool ? tool : json_string_value(json_object_get(h, "method")),
             json_string_value(json_object_get(h, "agent")),
             json_string_value(json_object_get(h, "user")),
             json_string_value(json_object_get(h, "text")),
             json_string_value(json_object_get(h, "id")),
             json_string_value(json_object_get(h, "id")));
    json_t *det = json_pack("{s:s, s:O}", "event", "held", "hold", h);
    json_object_del(json_object_get(det, "hold"), "params"); /* arguments stay in airlockd */
    notify_send(d->notify, text, det);
    json_decref(det);
}

static int
hold_new(struct daemon *d, struct conn *c, const char *method, const json_t *params,
         struct gate_verdict *v, const char *match, const char *bind, int64_t now, char *why,
         size_t n)
{
    json_t *h = new_hold(d, c, method, params, v, match, bind, now);
    json_t *rec = h ? json_pack("{s:s, s:O, s:I, s:O, s:s, s:O*}", "type", "hold", "hold",
                                json_object_get(h, "id"), "request", (json_int_t)v->entry,
                                "expires", json_object_get(h, "expires"), "bind", bind, "findings",
                                json_object_get(h, "categories"))
                    : NULL;
    int rc = -1;
    if (c->nwaits == DAEMON_MAX_WAITS)
        snprintf(why, n, "this session already waits for %d held calls", DAEMON_MAX_WAITS);
    else if (!rec || daemon_record(d, rec))
        snprintf(why, n, "the ledger did not take it");
    else if (approve_hold_add(d->store, h))
        snprintf(why, n, "%s", approve_store_error(d->store));
    else if (add_wait(c, json_string_value(json_object_get(h, "id"))) == 0) {
        snprintf(v->hold, sizeof(v->hold), "%s", json_string_value(json_object_get(h, "id")));
        v->outcome = GATE_HELD;
        announce(d, h);
        rc = 0;
    }
    json_decref(rec);
    json_decref(h);
    return rc;
}

void
daemon_hold(struct daemon *d, struct conn *c, const char *method, const json_t *params,
            struct gate_verdict *v)
{
    char match[65], bind[65], why[512] = "out of memory";
    int64_t now = approve_now();
    json_t *h = NULL;
    if (hashes(method, params, gate_session(c->gate), gate_agent(c->gate), match, bind))
        goto refuse;
    if (use_grant(d, c, method, match, v, now))
        goto permitted;
    if (approve_hold_match(d->store, bind, gate_session(c->gate), now, &h)) {
        snprintf(why, sizeof(why), "%s", approve_store_error(d->store));
        goto refuse;
    }
    const char *status = json_string_value(json_object_get(h, "status"));
    if (h && !strcmp(status, "approved")) {
        if (!use_approval(d, c, h, v, now))
            goto refuse;
        json_decref(h);
        goto permitted;
    }
    if (h) { /* the same call again while it is held: the same hold */
        snprintf(v->hold, sizeof(v->hold), "%s", json_string_value(json_object_get(h, "id")));
        json_decref(h);
        h = NULL;
        /* One approval is one call: a second copy in the same session is
         * refused while the first waits (it is attached once the first
         * gave up: a retry). */
        if (waits_for(c, v->hold)) {
            snprintf(why, sizeof(why), "the same call is held already (%s) and waits", v->hold);
            goto refuse;
        }
        if (add_wait(c, v->hold)) {
            snprintf(why, sizeof(why), "this session already waits for %d held calls",
                     DAEMON_MAX_WAITS);
            goto refuse;
        }
        v->outcome = GATE_HELD;
        return;
    }
    if (hold_new(d, c, method, params, v, match, bind, now, why, sizeof(why)) == 0)
        return;
refuse:
    json_decref(h);
    v->hold[0] = '\0';
    v->outcome = GATE_NEEDS_APPROVAL;
    snprintf(v->text + strnlen(v->text, sizeof(v->text) - 1),
             sizeof(v->text) - strnlen(v->text, sizeof(v->text) - 1),
             ". It could not be held (%s), so it is refused", why);
    return;
permitted:
    daemon_exposures(d, c, params, v);
}

void
daemon_release(struct daemon *d, const json_t *h)
{
    const char *id = json_string_value(json_object_get(h, "id"));
    struct conn *c = NULL;
    for (size_t i = 0; i < d->nconns && !c; i++)
        if (drop_wait(&d->conns[i], id))
            c = &d->conns[i];
    if (!c || !c->gate)
        return; /* nobody waits: the approval stands for the same call (retryWindow) */
    int changed = 0;
    json_t *rec = json_pack("{s:s, s:s, s:s}", "type", "approval-used", "hold", id, "session",
                            gate_session(c->gate));
    struct gate_verdict v = {
        .entry = (uint64_t)json_integer_value(json_object_get(h, "entry")),
        .effects = (unsigned)json_integer_value(json_object_get(h, "effects")),
        .tool = json_string_value(json_object_get(h, "tool")),
        .findings = json_object_get(h, "findings"),     /* borrowed */
        .categories = json_object_get(h, "categories"), /* borrowed */
    };
    snprintf(v.hold, sizeof(v.hold), "%s", id);
    if (rec && !daemon_record(d, rec) &&
        !approve_hold_decide(d->store, id, "approved", "used", approve_now(), NULL, NULL, 0, 0,
                             &changed) &&
        changed) {
        permit(&v, "%s approved it (%s)", json_string_value(json_object_get(h, "decidedBy")), id);
        daemon_exposures(d, c, json_object_get(h, "params"), &v);
    } else {
        v.outcome = GATE_DENY;
        v.refusal = GATE_REFUSED_POLICY;
        snprintf(v.text, sizeof(v.text),
                 "airlock refused it: the approval could not be recorded in the ledger");
    }
    json_decref(rec);
    if (daemon_send_verdict(c, WIRE_RESOLVED, &v))
        util_log("airlockd: could not tell a session that %s was approved\n", id);
}

void
daemon_deny(struct daemon *d, const json_t *h)
{
    struct gate_verdict v = {0};
    ended(h, &v);
    daemon_resolve(d, json_string_value(json_object_get(h, "id")), &v);
}

/* ---- the client's side of a hold ---- */

static int
hold_field(const struct wire_msg *m, char *id)
{
    const struct wire_field *f = &m->f[WT_HOLD];
    if (f->n == 0 || f->n >= GATE_HOLD_MAX || memchr(f->p, '\0', f->n))
        return -1;
    memcpy(id, f->p, f->n);
    id[f->n] = '\0';
    return 0;
}

static int
reply(struct conn *c, enum wire_type t, const char *text)
{
    wire_begin(&c->out, t);
    if (text)
        wire_add_str(&c->out, WT_TEXT, text);
    return daemon_send(c);
}

/* The verdict a decided hold gives a call that asks for it again. */
static void
ended(const json_t *h, struct gate_verdict *v)
{
    const char *status = json_string_value(json_object_get(h, "status"));
    const char *by = json_string_value(json_object_get(h, "decidedBy"));
    const char *why = json_string_value(json_object_get(h, "reason"));
    v->entry = (uint64_t)json_integer_value(json_object_get(h, "entry"));
    v->effects = (unsigned)json_integer_value(json_object_get(h, "effects"));
    v->outcome = GATE_DENY;
    v->refusal = GATE_REFUSED_POLICY;
    const char *held = json_string_value(json_object_get(h, "text"));
    const char *what = json_string_value(json_object_get(h, "tool"));
    what = what ? what : json_string_value(json_object_get(h, "method"));
    if (!strcmp(status, "denied"))
        snprintf(v->text, sizeof(v->text), "airlock refused %s: %s denied it (%s). %s", what,
                 by ? by : "a person", why ? why : "no reason given", held ? held : "");
    else if (!strcmp(status, "expired"))
        snprintf(v->text, sizeof(v->text), "airlock refused %s: nobody approved it in time. %s",
                 what, held ? held : "");
    else
        snprintf(v->text, sizeof(v->text), "airlock refused %s: the held call was %s. %s", what,
                 status, held ? held : "");
}

int
daemon_wait(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char id[GATE_HOLD_MAX];
    json_t *h = NULL;
    if (hold_field(m, id) || approve_hold_get(d->store, id, &h) || !h ||
        json_integer_value(json_object_get(h, "uid")) != (json_int_t)c->uid) {
        json_decref(h);
        return reply(c, WIRE_ERROR, "no such held call of yours");
    }
    const char *status = json_string_value(json_object_get(h, "status"));
    struct gate_verdict v = {.policies = NULL};
    int rc;
    if (!strcmp(status, "pending")) {
        rc =
            add_wait(c, id) ? reply(c, WIRE_ERROR, "too many held calls") : reply(c, WIRE_OK, NULL);
    } else if (!strcmp(status, "approved")) {
        int changed = 0;
        json_t *rec = json_pack("{s:s, s:s, s:s}", "type", "approval-used", "hold", id, "session",
                                gate_session(c->gate));
        int ok = rec && !daemon_record(d, rec) &&
                 !approve_hold_decide(d->store, id, "approved", "used", approve_now(), NULL, NULL,
                                      0, 0, &changed) &&
                 changed;
        json_decref(rec);
        v.entry = (uint64_t)json_integer_value(json_object_get(h, "entry"));
        v.effects = (unsigned)json_integer_value(json_object_get(h, "effects"));
        v.tool = json_string_value(json_object_get(h, "tool"));
        if (ok)
            permit(&v, "%s approved it (%s)", json_string_value(json_object_get(h, "decidedBy")),
                   id);
        else
            ended(h, &v);
        snprintf(v.hold, sizeof(v.hold), "%s", id);
        rc = reply(c, WIRE_OK, NULL) || daemon_send_verdict(c, WIRE_RESOLVED, &v);
    } else {
        ended(h, &v);
        snprintf(v.hold, sizeof(v.hold), "%s", id);
        rc = reply(c, WIRE_OK, NULL) || daemon_send_verdict(c, WIRE_RESOLVED, &v);
    }
    json_decref(h);
    return rc;
}

int
daemon_withdraw(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char id[GATE_HOLD_MAX], what[16];
    const struct wire_field *w = &m->f[WT_WHAT];
    if (hold_field(m, id) || w->n >= sizeof(what) || !drop_wait(c, id))
        return reply(c, WIRE_ERROR, "no held call of this session by that id");
    memcpy(what, w->p, w->n);
    what[w->n] = '\0';
    int cancelled = !strcmp(what, "cancelled"), changed = 0;
    if (!cancelled && strcmp(what, "timeout"))
        return reply(c, WIRE_ERROR, "a held call is withdrawn as cancelled or timeout");
    /* A client that timed out leaves the hold to a person: an approval
     * then stands for the same call again (retryWindow). */
    json_t *rec = json_pack("{s:s, s:s, s:s}", "type", cancelled ? "withdrawn" : "hold-left",
                            "hold", id, "session", gate_session(c->gate));
    int rc = !rec || daemon_record(d, rec) ||
             (cancelled && approve_hold_decide(d->store, id, "pending", "withdrawn", approve_now(),
                                               NULL, "the client cancelled it", 0, 0, &changed));
    json_decref(rec);
    return rc ? reply(c, WIRE_ERROR, "the withdrawal could not be recorded")
              : reply(c, WIRE_OK, NULL);
}

/* ---- exposures ---- */

static void
open_one(struct daemon *d, struct conn *c, const json_t *f, const struct gate_verdict *v)
{
    char id[APPROVE_ID_LEN + 3], key[APPROVE_MAX_KEY], uname[256];
    const char *text = json_string_value(json_object_get(f, "text"));
    const char *sev = json_string_value(json_object_get(f, "severity"));
    if (!text || !sev || !strcmp(sev, "low") ||
        strcmp(json_string_value(json_object_get(f, "category")), "widens-access"))
        return;
    if (approve_exposure_key(text, strlen(text), 0, key, sizeof(key)))
        snprintf(key, sizeof(key), "%s", text);
    approve_new_id('x', id);
    json_t *e =
        json_pack("{s:s, s:s*, s:I, s:s, s:s, s:s, s:s*, s:O, s:s, s:O*, s:s, s:s*,"
                  " s:I}",
                  "id", id, "hold", v->hold[0] ? v->hold : NULL, "entry", (json_int_t)v->entry,
                  "agent", gate_agent(c->gate) ? gate_agent(c->gate) : "unknown", "user",
                  daemon_user_name(c, uname, sizeof(uname)), "server", gate_server(c->gate), "tool",
                  v->tool, "rule", json_object_get(f, "rule"), "what", text, "explanation",
                  json_object_get(f, "explanation"), "key", key, "approvedBy", NULL, "opened",
                  (json_int_t)approve_now());
    /* who gained what on what: the revoke that undoes it closes it */
    json_t *acc = json_object_get(f, "access");
    if (e && acc && json_object_set(e, "access", acc)) {
        json_decref(e);
        e = NULL;
    }
    json_t *rec = e ? json_deep_copy(e) : NULL;
    if (rec)
        json_object_set_new(rec, "type", json_string("exposure-open"));
    if (!rec || daemon_record(d, rec) || approve_exposure_open(d->store, e))
        util_log("airlockd: exposure %s could not be recorded\n", id);
    else
        d->open_exposures++;
    json_decref(rec);
    json_decref(e);
}

/* Close exposure id, the ledger first (one whose closing is not recorded
 * stays open, and alerting); access is the revoke that closed it, or
 * NULL.  How many closed (0 or 1). */
static size_t
close_exposure(struct daemon *d, const char *id, const char *by, const char *note, int64_t entry,
               const json_t *access)
{
    json_t *closed = NULL,
           *rec = json_pack("{s:s, s:s, s:s, s:s, s:I}", "type", "exposure-closed", "exposure", id,
                            "by", by, "note", note, "request", (json_int_t)entry);
    size_t done = 0;
    if (rec && access && json_object_set(rec, "access", (json_t *)access)) {
        json_decref(rec);
        rec = NULL;
    }
    if (!rec || daemon_record(d, rec) ||
        approve_exposure_close(d->store, id, NULL, by, note, approve_now(), &closed))
        util_log("airlockd: the closing of exposure %s could not be recorded\n", id);
    else
        done = json_array_size(closed);
    json_decref(rec);
    json_decref(closed);
    return done;
}

struct narrowing {
    struct daemon *d;
    struct conn *c;
    const struct gate_verdict *v;
};

/* A permitted command that narrows what an open exposure widened closes
 * it: the ledger first, so that one whose closing is not recorded stays
 * open (and alerting). */
static void
close_by(void *arg, const char *cmd, size_t n)
{
    struct narrowing *nw = arg;
    char key[APPROVE_MAX_KEY], by[300], note[APPROVE_MAX_NOTE];
    json_t *open = NULL, *x;
    size_t i, done = 0;
    if (approve_exposure_key(cmd, n, 1, key, sizeof(key)) ||
        approve_exposure_list(nw->d->store, 1, &open))
        return;
    snprintf(by, sizeof(by), "Agent::\"%s\"", gate_agent(nw->c->gate));
    snprintf(note, sizeof(note), "narrowed by: %.*s", (int)(n > 900 ? 900 : n), cmd);
    json_array_foreach(open, i, x) {
        const char *id = json_string_value(json_object_get(x, "id")),
                   *k = json_string_value(json_object_get(x, "key"));
        /* one with an access change closes on its revoke (close_revoked) */
        if (!id || !k || strcmp(k, key) || json_is_object(json_object_get(x, "access")))
            continue;
        done += close_exposure(nw->d, id, by, note, nw->v->entry, NULL);
    }
    daemon_exposures_closed(nw->d, done);
    json_decref(open);
}

void
daemon_exposures_closed(struct daemon *d, size_t n)
{
    json_t *open = NULL;
    d->open_exposures -= (int64_t)n;
    if (d->open_exposures > 0)
        return;
    d->open_exposures = approve_exposure_list(d->store, 1, &open) ? 1 /* unknown: look */
                                                                  : (int64_t)json_array_size(open);
    json_decref(open);
}

/* Does revoke r (an access change) undo exposure x's?  The same object,
 * and the same grantee unless the revoke names none. */
static int
revokes(const json_t *r, const json_t *x)
{
    const json_t *a = json_object_get(x, "access");
    const char *on = json_string_value(json_object_get(json_object_get(r, "object"), "name")),
               *xon = json_string_value(json_object_get(json_object_get(a, "object"), "name")),
               *who = json_string_value(json_object_get(r, "grantee")),
               *xwho = json_string_value(json_object_get(a, "grantee"));
    return a && on && xon && *on && !strcmp(on, xon) &&
           (!who || !*who || (xwho && !strcmp(who, xwho)));
}

/* Permitted revokes close the exposures whose access change they undo:
 * the ledger first, as for narrowing commands. */
static void
close_revoked(struct daemon *d, struct conn *c, const struct gate_verdict *v)
{
    size_t i, k, done = 0;
    json_t *f, *x, *open = NULL;
    char by[300], note[APPROVE_MAX_NOTE];
    if (approve_exposure_list(d->store, 1, &open))
        return;
    snprintf(by, sizeof(by), "Agent::\"%s\"", gate_agent(c->gate));
    json_array_foreach(v->findings, i, f) {
        const json_t *r = json_object_get(f, "access");
        const char *change = json_string_value(json_object_get(r, "change"));
        if (!change || strcmp(change, "revoke"))
            continue;
        json_array_foreach(open, k, x) {
            const char *id = json_string_value(json_object_get(x, "id"));
            if (!id || json_object_get(x, "closedHere") || !revokes(r, x))
                continue;
            const char *text = json_string_value(json_object_get(f, "text"));
            snprintf(note, sizeof(note), "revoked by: %.900s", text ? text : "");
            done += close_exposure(d, id, by, note, v->entry, r);
            json_object_set_new(x, "closedHere", json_true());
        }
    }
    json_decref(open);
    daemon_exposures_closed(d, done);
}

void
daemon_exposures(struct daemon *d, struct conn *c, const json_t *params,
                 const struct gate_verdict *v)
{
    size_t i;
    json_t *f;
    const char *k;
    int widens = 0;
    json_array_foreach(v->categories, i, f)
        widens |= !strcmp(json_string_value(f), "widens-access");
    if (widens) {
        json_array_foreach(v->findings, i, f)
            open_one(d, c, f, v);
        return;
    }
    /* Without widening, a command among the arguments may narrow one. */
    if (d->open_exposures <= 0)
        return;
    close_revoked(d, c, v);
    if (d->open_exposures <= 0)
        return;
    struct narrowing nw = {d, c, v};
    json_object_foreach((json_t *)json_object_get(params, "arguments"), k, f)
        if (json_is_string(f))
            approve_each_command(json_string_value(f), json_string_length(f), close_by, &nw);
}

/* ---- the clock ---- */

static void
expire_holds(struct daemon *d, int64_t now)
{
    json_t *ids = NULL, *x;
    size_t i;
    if (approve_hold_expired(d->store, now, &ids))
        return;
    json_array_foreach(ids, i, x) {
        const char *id = json_string_value(x);
        int changed = 0;
        json_t *rec = json_pack("{s:s, s:s}", "type", "hold-expired", "hold", id);
        if (rec && !daemon_record(d, rec) &&
            !approve_hold_decide(d->store, id, "pending", "expired", now, NULL,
                                 "nobody approved it in time", 0, 0, &changed) &&
            changed) {
            struct gate_verdict v = {.outcome = GATE_DENY, .refusal = GATE_REFUSED_POLICY};
            json_t *h = NULL;
            if (!approve_hold_get(d->store, id, &h) && h)
                ended(h, &v);
            daemon_resolve(d, id, &v);
            json_decref(h);
        }
        json_decref(rec);
    }
    json_decref(ids);
}

static void
grants_ended(struct daemon *d, int64_t now)
{
    json_t *rows = NULL, *g;
    size_t i;
    if (approve_grant_ended(d->store, now, &rows))
        return;
    json_array_foreach(rows, i, g) {
        int revoked = json_object_get(g, "revoked") != NULL;
        json_t *rec = json_pack("{s:s, s:O}", "type", revoked ? "grant-revoked" : "grant-expired",
                                "grant", json_object_get(g, "id"));
        if (!revoked && (!rec || daemon_record(d, rec)))
            util_log("airlockd: a grant's expiry could not be recorded\n");
        json_decref(rec);
    }
    json_decref(rows);
}

static void
alert_exposures(struct daemon *d, int64_t now)
{
    json_t *rows = NULL, *e;
    size_t i;
    if (approve_exposure_due(d->store, now - d->acfg.alert_after, now - d->acfg.alert_every, now,
                             &rows))
        return;
    json_array_foreach(rows, i, e) {
        char age[32], text[1024];
        approve_duration_text(now - json_integer_value(json_object_get(e, "opened")), age,
                              sizeof(age));
        snprintf(text, sizeof(text),
                 "exposure %s is open for %s: %s (%s) by %s. Revert it, or: airlock exposure "
                 "close %s --note ...",
                 json_string_value(json_object_get(e, "id")), age,
                 json_string_value(json_object_get(e, "what")),
                 json_string_value(json_object_get(e, "rule")),
                 json_string_value(json_object_get(e, "agent")),
                 json_string_value(json_object_get(e, "id")));
        /* On the record first, like everything airlockd does; but an
         * alert that cannot be recorded still goes out. */
        json_t *rec = json_pack("{s:s, s:O, s:s}", "type", "exposure-alert", "exposure",
                                json_object_get(e, "id"), "age", age);
        if (!rec || daemon_record(d, rec))
            util_log("airlockd: an exposure alert could not be recorded\n");
        json_decref(rec);
        json_t *det = json_pack("{s:s, s:O}", "event", "exposure-open", "exposure", e);
        notify_send(d->notify, text, det);
        json_decref(det);
    }
    json_decref(rows);
}

void
daemon_tick(struct daemon *d)
{
    int64_t now = approve_now();
    if (now == d->last_tick)
        return;
    d->last_tick = now;
    expire_holds(d, now);
    grants_ended(d, now);
    alert_exposures(d, now);
}
