/*
 * approve_desk.c - the approvals desk (approve_desk.h): held calls, grants,
 * approvals, denials, exposures, the clock, and people's commands.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/gate_inspect.h"
#include "../util/util_hash.h"
#include "../util/util_log.h"
#include "approve_desk.h"
#include "approve_exposure.h"
#include "approve_time.h"
#include "approve_totp.h"
#include "../store/store.h"

/* The verdict a decided hold gives a call that asks for it again. */
static void ended(const struct store_hold *h, struct gate_verdict *v);
static void exposures_closed(struct approve_desk *k, size_t n);

void
approve_desk_init(struct approve_desk *k, struct store *st, struct approve_authz *az,
                  const struct approve_config *cfg, struct notify *notify,
                  const struct approve_desk_hooks *h)
{
    memset(k, 0, sizeof(*k));
    k->store = st;
    k->authz = az;
    k->cfg = *cfg;
    k->notify = notify;
    k->h = *h;
    exposures_closed(k, 0); /* counts the open ones */
    if (store_shadow_get(st, &k->shadow))
        memset(&k->shadow, 0, sizeof(k->shadow)); /* unreadable: enforced */
}

int
approve_desk_shadow(const struct approve_desk *k)
{
    return k->shadow.on;
}

void
approve_desk_release(struct approve_desk *k)
{
    notify_stop(k->notify); /* what is queued is posted first */
    store_close(k->store);
    approve_authz_close(k->authz);
    memset(k, 0, sizeof(*k));
}

int
approve_desk_agent_user(struct approve_desk *k, int64_t uid, const char *user)
{
    return store_agent_user_add(k->store, uid, user, approve_now());
}

/* ---- what a hold binds ---- */

/* match: the call itself (method and params without _meta, which carries
 * per-call progress tokens); bind: the call, the agent and the agent session. */
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
    free(text);
    char *both = NULL;
    int n = asprintf(&both, "%s %s %s", match, session, agent ? agent : "");
    if (n < 0)
        return -1;
    util_sha256_hex(both, (size_t)n, bind);
    free(both);
    return 0;
}

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
use_grant(struct approve_desk *k, const struct approve_session *s, const char *method,
          const char *match, struct gate_verdict *v, int64_t now)
{
    struct store_grant g;
    int found = 0;
    if (store_grant_match(k->store, s->uid, s->agent, s->server, method, v->tool, match, now, &g,
                          &found) ||
        !found)
        return 0;
    json_t *rec = json_pack("{s:s, s:s, s:I, s:s}", "type", "grant-used", "grant", g.id, "request",
                            (json_int_t)v->entry, "session", s->session);
    int ok = rec && k->h.record(k->h.arg, rec) == 0;
    json_decref(rec);
    if (ok)
        permit(v, "a grant from %s (%s) covers it", g.by, g.id);
    store_grant_release(&g);
    return ok;
}

/* An approval of this very call that nobody has used: used now. */
static int
use_approval(struct approve_desk *k, const struct approve_session *s, const struct store_hold *h,
             struct gate_verdict *v, int64_t now)
{
    int changed = 0;
    struct store_decision d = {.at = now};
    json_t *rec = json_pack("{s:s, s:s, s:I, s:s}", "type", "approval-used", "hold", h->id,
                            "request", (json_int_t)v->entry, "session", s->session);
    int ok = rec && k->h.record(k->h.arg, rec) == 0 &&
             store_hold_decide(k->store, h->id, STORE_APPROVED, STORE_USED, &d, &changed) == 0 &&
             changed;
    json_decref(rec);
    if (ok)
        permit(v, "%s approved it (%s)", h->decided_by, h->id);
    return ok;
}

/* The hold of s's call (borrowing from s, v and params: not released). */
static void
new_hold(struct approve_desk *k, const struct approve_session *s, const char *method,
         const json_t *params, const struct gate_verdict *v, const char *match, const char *bind,
         int64_t now, struct store_hold *h)
{
    memset(h, 0, sizeof(*h));
    store_new_id('h', h->id);
    h->created = now;
    h->expires = now + k->cfg.timeout;
    h->status = STORE_PENDING;
    h->uid = s->uid;
    h->user = (char *)s->user;
    h->agent = (char *)(s->agent ? s->agent : "unknown");
    h->session = (char *)s->session;
    h->server = (char *)s->server;
    h->method = (char *)method;
    h->tool = (char *)v->tool;
    h->params = (json_t *)params;
    h->findings = v->findings;
    h->severity = v->severity;
    h->categories = v->categories;
    snprintf(h->bind, sizeof(h->bind), "%s", bind);
    snprintf(h->match, sizeof(h->match), "%s", match);
    h->entry = v->entry;
    h->text = (char *)v->text;
    h->effects = v->effects;
    h->cedar = v->cedar;
}

static void
announce(struct approve_desk *k, const struct store_hold *h)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "airlock is holding %s by %s (for %s) for a person's approval: %s\n"
             "airlock approve %s   |   airlock deny %s --reason ...",
             h->tool ? h->tool : h->method, h->agent, h->user, h->text ? h->text : "", h->id,
             h->id);
    json_t *det = json_pack("{s:s, s:o*}", "event", "held", "hold", store_hold_json(h));
    json_object_del(json_object_get(det, "hold"), "params"); /* arguments stay in airlockd */
    notify_send(k->notify, text, det);
    json_decref(det);
}

static int
hold_new(struct approve_desk *k, const struct approve_session *s, const char *method,
         const json_t *params, struct gate_verdict *v, const char *match, const char *bind,
         int64_t now, char *why, size_t n)
{
    struct store_hold h;
    new_hold(k, s, method, params, v, match, bind, now, &h);
    json_t *rec = json_pack("{s:s, s:s, s:I, s:I, s:s, s:O*}", "type", "hold", "hold", h.id,
                            "request", (json_int_t)v->entry, "expires", (json_int_t)h.expires,
                            "bind", bind, "findings", h.categories);
    int rc = -1;
    if (!s->user)
        snprintf(why, n, "its user has no name");
    else if (!rec || k->h.record(k->h.arg, rec))
        snprintf(why, n, "the ledger did not take it");
    else if (store_hold_add(k->store, &h))
        snprintf(why, n, "%s", store_error(k->store));
    else {
        snprintf(v->hold, sizeof(v->hold), "%s", h.id);
        v->outcome = GATE_HELD;
        announce(k, &h);
        rc = 0;
    }
    json_decref(rec);
    return rc; /* h borrows: nothing to release */
}

/* The verdict a decided hold gives a call that asks for it again. */
static void
ended(const struct store_hold *h, struct gate_verdict *v)
{
    const char *held = h->text ? h->text : "", *what = h->tool ? h->tool : h->method;
    v->entry = h->entry;
    v->effects = h->effects;
    v->outcome = GATE_DENY;
    v->refusal = GATE_REFUSED_POLICY;
    if (h->status == STORE_DENIED)
        snprintf(v->text, sizeof(v->text), "airlock refused %s: %s denied it (%s). %s", what,
                 h->decided_by ? h->decided_by : "a person",
                 h->reason ? h->reason : "no reason given", held);
    else if (h->status == STORE_EXPIRED)
        snprintf(v->text, sizeof(v->text), "airlock refused %s: nobody approved it in time. %s",
                 what, held);
    else
        snprintf(v->text, sizeof(v->text), "airlock refused %s: the held call was %s. %s", what,
                 store_status_name(h->status), held);
}

/* ---- exposures ---- */

static void
open_one(struct approve_desk *k, const struct approve_session *s, const json_t *f,
         const struct gate_verdict *v)
{
    char key[APPROVE_MAX_KEY];
    const char *text = json_string_value(json_object_get(f, "text"));
    const char *sev = json_string_value(json_object_get(f, "severity"));
    if (!text || !sev || !strcmp(sev, "low") ||
        strcmp(json_string_value(json_object_get(f, "category")), "widens-access"))
        return;
    if (approve_exposure_key(text, strlen(text), 0, key, sizeof(key)))
        snprintf(key, sizeof(key), "%s", text);
    struct store_exposure e = {
        .entry = v->entry,
        .agent = (char *)(s->agent ? s->agent : "unknown"),
        .user = (char *)s->user,
        .server = (char *)s->server,
        .tool = (char *)v->tool,
        .rule = (char *)json_string_value(json_object_get(f, "rule")),
        .what = (char *)text,
        .explanation = (char *)json_string_value(json_object_get(f, "explanation")),
        .key = key,
        .opened = approve_now(),
        /* who gained what on what: the revoke that undoes it closes it */
        .access = json_object_get(f, "access"),
    };
    store_new_id('x', e.id);
    snprintf(e.hold, sizeof(e.hold), "%s", v->hold);
    json_t *rec =
        json_pack("{s:s, s:s, s:s*, s:I, s:s, s:s, s:s, s:s*, s:s*, s:s, s:s*, s:s,"
                  " s:I, s:O*}",
                  "type", "exposure-open", "id", e.id, "hold", e.hold[0] ? e.hold : NULL, "entry",
                  (json_int_t)e.entry, "agent", e.agent, "user", e.user, "server", e.server, "tool",
                  e.tool, "rule", e.rule, "what", e.what, "explanation", e.explanation, "key",
                  e.key, "opened", (json_int_t)e.opened, "access", e.access);
    if (!rec || !e.user || !e.rule || k->h.record(k->h.arg, rec) ||
        store_exposure_open(k->store, &e))
        util_log("airlockd: exposure %s could not be recorded\n", e.id);
    else
        k->open_exposures++;
    json_decref(rec); /* e borrows: nothing to release */
}

/* Close exposure id, the ledger first (one whose closing is not recorded
 * stays open, and alerting); access is the revoke that closed it, or
 * NULL.  How many closed (0 or 1). */
static size_t
close_exposure(struct approve_desk *k, const char *id, const char *by, const char *note,
               int64_t entry, const json_t *access)
{
    struct store_ids closed = {0};
    json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:I}", "type", "exposure-closed", "exposure", id,
                            "by", by, "note", note, "request", (json_int_t)entry);
    size_t done = 0;
    if (rec && access && json_object_set(rec, "access", (json_t *)access)) {
        json_decref(rec);
        rec = NULL;
    }
    if (!rec || k->h.record(k->h.arg, rec) ||
        store_exposure_close(k->store, id, NULL, by, note, approve_now(), &closed))
        util_log("airlockd: the closing of exposure %s could not be recorded\n", id);
    else
        done = closed.n;
    json_decref(rec);
    store_ids_release(&closed);
    return done;
}

struct narrowing {
    struct approve_desk *k;
    const struct approve_session *s;
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
    struct store_exposures open = {0};
    size_t done = 0;
    if (approve_exposure_key(cmd, n, 1, key, sizeof(key)) ||
        store_exposure_list(nw->k->store, 1, &open))
        return;
    snprintf(by, sizeof(by), "Agent::\"%s\"", nw->s->agent ? nw->s->agent : "unknown");
    snprintf(note, sizeof(note), "narrowed by: %.*s", (int)(n > 900 ? 900 : n), cmd);
    for (size_t i = 0; i < open.n; i++) {
        const struct store_exposure *x = &open.v[i];
        /* one with an access change closes on its revoke (close_revoked) */
        if (!x->key || strcmp(x->key, key) || json_is_object(x->access))
            continue;
        done += close_exposure(nw->k, x->id, by, note, nw->v->entry, NULL);
    }
    exposures_closed(nw->k, done);
    store_exposures_release(&open);
}

static void
exposures_closed(struct approve_desk *k, size_t n)
{
    struct store_exposures open = {0};
    k->open_exposures -= (int64_t)n;
    if (k->open_exposures > 0)
        return;
    k->open_exposures = store_exposure_list(k->store, 1, &open) ? 1 /* unknown: look */
                                                                : (int64_t)open.n;
    store_exposures_release(&open);
}

/* Does revoke r (an access change) undo exposure x's?  The same object,
 * and the same grantee unless the revoke names none. */
static int
revokes(const json_t *r, const struct store_exposure *x)
{
    const json_t *a = x->access;
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
close_revoked(struct approve_desk *k, const struct approve_session *s, const struct gate_verdict *v)
{
    size_t i, done = 0;
    json_t *f;
    struct store_exposures open = {0};
    char by[300], note[APPROVE_MAX_NOTE];
    if (store_exposure_list(k->store, 1, &open))
        return;
    char *here = calloc(open.n ? open.n : 1, 1); /* closed by this call already */
    if (!here) {
        store_exposures_release(&open);
        return;
    }
    snprintf(by, sizeof(by), "Agent::\"%s\"", s->agent ? s->agent : "unknown");
    json_array_foreach(v->findings, i, f) {
        const json_t *r = json_object_get(f, "access");
        const char *change = json_string_value(json_object_get(r, "change"));
        if (!change || strcmp(change, "revoke"))
            continue;
        for (size_t j = 0; j < open.n; j++) {
            if (here[j] || !revokes(r, &open.v[j]))
                continue;
            const char *text = json_string_value(json_object_get(f, "text"));
            snprintf(note, sizeof(note), "revoked by: %.900s", text ? text : "");
            done += close_exposure(k, open.v[j].id, by, note, v->entry, r);
            here[j] = 1;
        }
    }
    free(here);
    store_exposures_release(&open);
    exposures_closed(k, done);
}

void
approve_desk_exposures(struct approve_desk *k, const struct approve_session *s,
                       const json_t *params, const struct gate_verdict *v)
{
    size_t i;
    json_t *f;
    const char *name;
    int widens = 0;
    json_array_foreach(v->categories, i, f)
        widens |= !strcmp(json_string_value(f), "widens-access");
    if (widens) {
        json_array_foreach(v->findings, i, f)
            open_one(k, s, f, v);
        return;
    }
    /* Without widening, a command among the arguments may narrow one. */
    if (k->open_exposures <= 0)
        return;
    close_revoked(k, s, v);
    if (k->open_exposures <= 0)
        return;
    struct narrowing nw = {k, s, v};
    json_object_foreach((json_t *)json_object_get(params, "arguments"), name, f)
        if (json_is_string(f))
            approve_each_command(json_string_value(f), json_string_length(f), close_by, &nw);
}

/* ---- the clock ---- */

static void
expire_holds(struct approve_desk *k, int64_t now)
{
    struct store_ids ids = {0};
    if (store_hold_expired(k->store, now, &ids))
        return;
    for (size_t i = 0; i < ids.n; i++) {
        const char *id = ids.v[i];
        int changed = 0, found = 0;
        struct store_decision d = {.at = now, .reason = "nobody approved it in time"};
        json_t *rec = json_pack("{s:s, s:s}", "type", "hold-expired", "hold", id);
        if (rec && !k->h.record(k->h.arg, rec) &&
            !store_hold_decide(k->store, id, STORE_PENDING, STORE_EXPIRED, &d, &changed) &&
            changed) {
            struct gate_verdict v = {.outcome = GATE_DENY, .refusal = GATE_REFUSED_POLICY};
            struct store_hold h;
            if (!store_hold_get(k->store, id, &h, &found) && found) {
                ended(&h, &v);
                store_hold_release(&h);
            }
            k->h.resolve(k->h.arg, id, &v);
        }
        json_decref(rec);
    }
    store_ids_release(&ids);
}

static void
grants_ended(struct approve_desk *k, int64_t now)
{
    struct store_grants rows = {0};
    if (store_grant_ended(k->store, now, &rows))
        return;
    for (size_t i = 0; i < rows.n; i++) {
        int revoked = rows.v[i].revoked != 0;
        json_t *rec = json_pack("{s:s, s:s}", "type", revoked ? "grant-revoked" : "grant-expired",
                                "grant", rows.v[i].id);
        if (!revoked && (!rec || k->h.record(k->h.arg, rec)))
            util_log("airlockd: a grant's expiry could not be recorded\n");
        json_decref(rec);
    }
    store_grants_release(&rows);
}

static void
alert_exposures(struct approve_desk *k, int64_t now)
{
    struct store_exposures rows = {0};
    if (store_exposure_due(k->store, now - k->cfg.alert_after, now - k->cfg.alert_every, now,
                           &rows))
        return;
    for (size_t i = 0; i < rows.n; i++) {
        const struct store_exposure *e = &rows.v[i];
        char age[32], text[1024];
        approve_duration_text(now - e->opened, age, sizeof(age));
        snprintf(text, sizeof(text),
                 "exposure %s is open for %s: %s (%s) by %s. Revert it, or: airlock exposure "
                 "close %s --note ...",
                 e->id, age, e->what, e->rule, e->agent, e->id);
        /* On the record first, like everything airlockd does; but an
         * alert that cannot be recorded still goes out. */
        json_t *rec =
            json_pack("{s:s, s:s, s:s}", "type", "exposure-alert", "exposure", e->id, "age", age);
        if (!rec || k->h.record(k->h.arg, rec))
            util_log("airlockd: an exposure alert could not be recorded\n");
        json_decref(rec);
        json_t *det =
            json_pack("{s:s, s:o*}", "event", "exposure-open", "exposure", store_exposure_json(e));
        notify_send(k->notify, text, det);
        json_decref(det);
    }
    store_exposures_release(&rows);
}

void
approve_desk_tick(struct approve_desk *k)
{
    int64_t now = approve_now();
    if (now == k->last_tick)
        return;
    k->last_tick = now;
    expire_holds(k, now);
    grants_ended(k, now);
    alert_exposures(k, now);
}

/* ---- the agent's side: admitting, holding, waiting, withdrawing ---- */

enum approve_admit
approve_desk_admit(struct approve_desk *k, const struct approve_session *s, const char *method,
                   const json_t *params, struct gate_verdict *v, char *why, size_t n)
{
    char match[65], bind[65];
    int64_t now = approve_now();
    struct store_hold h;
    int found = 0;
    snprintf(why, n, "out of memory");
    if (hashes(method, params, s->session, s->agent, match, bind))
        return APPROVE_REFUSED;
    if (use_grant(k, s, method, match, v, now)) {
        approve_desk_exposures(k, s, params, v);
        return APPROVE_PERMITTED;
    }
    if (store_hold_match(k->store, bind, s->session, now, &h, &found)) {
        snprintf(why, n, "%s", store_error(k->store));
        return APPROVE_REFUSED;
    }
    if (!found)
        return APPROVE_NEEDS_HOLD;
    enum approve_admit r;
    if (h.status == STORE_APPROVED) {
        r = use_approval(k, s, &h, v, now) ? APPROVE_PERMITTED : APPROVE_REFUSED;
        if (r == APPROVE_PERMITTED)
            approve_desk_exposures(k, s, params, v);
    } else { /* the same call again while it is held: the same hold */
        snprintf(v->hold, sizeof(v->hold), "%s", h.id);
        r = APPROVE_HELD;
    }
    store_hold_release(&h);
    return r;
}

int
approve_desk_hold_new(struct approve_desk *k, const struct approve_session *s, const char *method,
                      const json_t *params, struct gate_verdict *v, char *why, size_t n)
{
    char match[65], bind[65];
    snprintf(why, n, "out of memory");
    if (hashes(method, params, s->session, s->agent, match, bind))
        return -1;
    return hold_new(k, s, method, params, v, match, bind, approve_now(), why, n);
}

void
approve_desk_refuse(struct gate_verdict *v, const char *why)
{
    v->hold[0] = '\0';
    v->outcome = GATE_NEEDS_APPROVAL;
    snprintf(v->text + strnlen(v->text, sizeof(v->text) - 1),
             sizeof(v->text) - strnlen(v->text, sizeof(v->text) - 1),
             ". It could not be held (%s), so it is refused", why);
}

/* Approved: the approval is used by the session that waits for it (if
 * one does), which is told; else it stands for the same call again
 * (retryWindow). */
static void
release_to_waiter(struct approve_desk *k, const struct store_hold *h)
{
    struct approve_session s;
    void *w = k->h.take_waiter(k->h.arg, h->id, &s);
    if (!w)
        return; /* nobody waits: the approval stands for the same call (retryWindow) */
    int changed = 0;
    struct store_decision d = {.at = approve_now()};
    json_t *rec =
        json_pack("{s:s, s:s, s:s}", "type", "approval-used", "hold", h->id, "session", s.session);
    struct gate_verdict v = {
        .entry = h->entry,
        .effects = h->effects,
        .tool = h->tool,
        .findings = h->findings,     /* borrowed */
        .categories = h->categories, /* borrowed */
    };
    snprintf(v.hold, sizeof(v.hold), "%s", h->id);
    if (rec && !k->h.record(k->h.arg, rec) &&
        !store_hold_decide(k->store, h->id, STORE_APPROVED, STORE_USED, &d, &changed) && changed) {
        permit(&v, "%s approved it (%s)", h->decided_by, h->id);
        approve_desk_exposures(k, &s, h->params, &v);
    } else {
        v.outcome = GATE_DENY;
        v.refusal = GATE_REFUSED_POLICY;
        snprintf(v.text, sizeof(v.text),
                 "airlock refused it: the approval could not be recorded in the ledger");
    }
    json_decref(rec);
    k->h.deliver(k->h.arg, w, &v);
}

/* Denied (or otherwise ended): the sessions waiting are told. */
static void
resolve_ended(struct approve_desk *k, const struct store_hold *h)
{
    struct gate_verdict v = {0};
    ended(h, &v);
    k->h.resolve(k->h.arg, h->id, &v);
}

enum approve_wait
approve_desk_wait(struct approve_desk *k, const struct approve_session *s, const char *id,
                  struct gate_verdict *v)
{
    struct store_hold h;
    int found = 0;
    memset(v, 0, sizeof(*v));
    if (store_hold_get(k->store, id, &h, &found) || !found)
        return APPROVE_WAIT_UNKNOWN;
    if (h.uid != s->uid) {
        store_hold_release(&h);
        return APPROVE_WAIT_UNKNOWN;
    }
    enum approve_wait r = APPROVE_WAIT_ENDED;
    if (h.status == STORE_PENDING) {
        r = APPROVE_WAIT_PENDING;
    } else if (h.status == STORE_APPROVED) {
        int changed = 0;
        struct store_decision d = {.at = approve_now()};
        json_t *rec = json_pack("{s:s, s:s, s:s}", "type", "approval-used", "hold", id, "session",
                                s->session);
        int ok = rec && !k->h.record(k->h.arg, rec) &&
                 !store_hold_decide(k->store, id, STORE_APPROVED, STORE_USED, &d, &changed) &&
                 changed;
        json_decref(rec);
        v->entry = h.entry;
        v->effects = h.effects;
        if (h.tool && (v->tool_copy = strdup(h.tool))) /* h goes: the verdict's own */
            v->tool = v->tool_copy;
        if (ok)
            permit(v, "%s approved it (%s)", h.decided_by, id);
        else
            ended(&h, v);
    } else {
        ended(&h, v);
    }
    snprintf(v->hold, sizeof(v->hold), "%s", id);
    store_hold_release(&h);
    return r;
}

int
approve_desk_withdraw(struct approve_desk *k, const struct approve_session *s, const char *id,
                      int cancelled)
{
    int changed = 0;
    struct store_decision d = {.at = approve_now(), .reason = "the client cancelled it"};
    /* A client that timed out leaves the hold to a person: an approval
     * then stands for the same call again (retryWindow). */
    json_t *rec = json_pack("{s:s, s:s, s:s}", "type", cancelled ? "withdrawn" : "hold-left",
                            "hold", id, "session", s->session);
    int rc = !rec || k->h.record(k->h.arg, rec) ||
             (cancelled &&
              store_hold_decide(k->store, id, STORE_PENDING, STORE_WITHDRAWN, &d, &changed));
    json_decref(rec);
    return rc ? -1 : 0;
}

/* ---- the people's side ---- */

struct ask {
    struct approve_desk *k;
    const struct approve_caller *who;
    const char *user;   /* the caller */
    const json_t *args; /* the command's arguments (object) */
    int64_t now;
    json_t **answer; /* the command's result */
    char *err;       /* or why it was refused */
    size_t errlen;
};

/* The command's result (owned from now on): 0, or -1 when it is NULL. */
static int
answer(struct ask *a, json_t *result)
{
    if (!result) {
        snprintf(a->err, a->errlen, "out of memory");
        return -1;
    }
    *a->answer = result;
    return 0;
}

static int __attribute__((format(printf, 2, 3))) refuse(struct ask *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->err, a->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *
arg(const struct ask *a, const char *k)
{
    return json_string_value(json_object_get(a->args, k));
}

/* Whether the caller's user runs agents: the transport says so (a session
 * of theirs is open, the configuration names them), or its uid has ever
 * opened an agent's session (remembered in the store).  When the store
 * cannot say, it does (fail closed). */
static int
runs_agents(const struct ask *a)
{
    int yes = 1;
    if (a->who->runs_agents)
        return 1;
    if (store_agent_user_is(a->k->store, a->who->uid, &yes))
        return 1;
    return yes;
}

/* The Cedar decision; on a refusal, *why says which policy. */
static int
allowed(struct ask *a, const char *action, const char *rtype, const char *rid, json_t *ctx,
        char *why, size_t n)
{
    json_object_set_new(ctx, "callerRunsAgents", json_boolean(runs_agents(a)));
    return approve_authz_decide(a->k->authz, a->user, action, rtype, rid, ctx, why, n);
}

static int
record(struct ask *a, json_t *rec)
{
    int rc = rec ? a->k->h.record(a->k->h.arg, rec) : -1;
    json_decref(rec);
    return rc;
}

/* A refusal, recorded; the reply says why. */
static int
refused(struct ask *a, const char *what, const char *id, const char *why)
{
    record(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "refused", "command", what, "on", id,
                        "by", a->user, "why", why));
    return refuse(a, "refused: %s", why);
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
    char why[APPROVE_REASON_MAX];
    if (!may_list(a, why, sizeof(why)))
        return refused(a, what, id ? id : "", why);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->err, a->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- holds ---- */

static json_t *
hold_context(const struct store_hold *h, int64_t approvers, int totp, int64_t grant)
{
    return json_pack("{s:o, s:o, s:s, s:s*, s:s, s:{s:i, s:O}, s:I, s:b, s:I}", "requester",
                     approve_entity("User", h->user), "agent", approve_entity("Agent", h->agent),
                     "server", h->server, "tool", h->tool, "method", h->method, "findings",
                     "severity", h->severity, "categories", h->categories, "approvers",
                     (json_int_t)approvers, "totp", totp, "grantSeconds", (json_int_t)grant);
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
    struct store_holds rows = {0};
    if (!may_list(a, why, sizeof(why)))
        return refuse(a, "refused: %s", why);
    if (store_hold_list(a->k->store, STORE_PENDING, &rows))
        return refuse(a, "%s", store_error(a->k->store));
    json_t *list = json_array();
    for (size_t i = 0; list && i < rows.n; i++) {
        json_t *h = store_hold_json(&rows.v[i]);
        if (!h || json_array_append_new(list, h)) {
            json_decref(list);
            list = NULL;
            break;
        }
        json_object_set_new(h, "age", json_integer(a->now - rows.v[i].created));
        /* The Cedar request stays in the store and the ledger: the
         * listing is for people. */
        json_object_del(h, "bind");
        json_object_del(h, "match");
        json_object_del(h, "cedar");
        star_secrets(h);
    }
    store_holds_release(&rows);
    return answer(a, list ? json_pack("{s:o}", "holds", list) : NULL);
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
    if (store_totp_get(a->k->store, a->user, secret, sizeof(secret), &n, &last) || n == 0) {
        *why = "you have enrolled no authenticator (airlock totp enroll)";
        return -1;
    }
    int rc = totp_check(secret, n, a->now, code, last, &step);
    sodium_memzero(secret, sizeof(secret));
    if (rc || store_totp_used(a->k->store, a->user, step)) {
        *why = "the one-time code is wrong, or was used already";
        return -1;
    }
    return 1;
}

/* Approved by enough people: the hold is released, a grant made if asked. */
static int
release(struct ask *a, struct store_hold *h, int64_t grant, int64_t n)
{
    const char *reason = arg(a, "reason");
    char gid[STORE_ID_MAX] = "";
    int changed = 0;
    struct store_decision d = {a->now, a->user, reason, grant, a->now + a->k->cfg.retry_window};
    if (grant)
        store_new_id('g', gid);
    if (record(a, json_pack("{s:s, s:s, s:s, s:s*, s:I, s:b, s:I, s:s*}", "type", "approval",
                            "hold", h->id, "by", a->user, "reason", reason, "approvers",
                            (json_int_t)n, "released", 1, "grantSeconds", (json_int_t)grant,
                            "grant", grant ? gid : NULL)) ||
        store_hold_decide(a->k->store, h->id, STORE_PENDING, STORE_APPROVED, &d, &changed))
        return refuse(a, "the approval could not be recorded: %s", store_error(a->k->store));
    if (!changed)
        return refuse(a, "%s was decided meanwhile", h->id);
    if (grant) {
        struct store_grant g = {
            .uid = h->uid,
            .agent = h->agent,
            .server = h->server,
            .method = h->method,
            .tool = h->tool,
            .created = a->now,
            .expires = a->now + grant,
            .by = (char *)a->user,
        };
        snprintf(g.id, sizeof(g.id), "%s", gid);
        snprintf(g.hold, sizeof(g.hold), "%s", h->id);
        snprintf(g.match, sizeof(g.match), "%s", h->match);
        if (store_grant_add(a->k->store, &g)) /* g borrows: nothing to release */
            return refuse(a, "approved, but the grant could not be stored: %s",
                          store_error(a->k->store));
    }
    char *by = strdup(a->user);
    if (!by)
        return refuse(a, "out of memory");
    free(h->decided_by);
    h->decided_by = by;
    h->status = STORE_APPROVED;
    release_to_waiter(a->k, h);
    return answer(a, json_pack("{s:s, s:s, s:I, s:s*}", "status", "approved", "hold", h->id,
                               "approvers", (json_int_t)n, "grant", grant ? gid : NULL));
}

static int
approve(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id"), *bad = NULL;
    struct store_hold h;
    int found = 0;
    int64_t grant = json_integer_value(json_object_get(a->args, "for")), n = 0;
    const char *reason = arg(a, "reason");
    if (!id || grant < 0 || grant > APPROVE_MAX_DURATION)
        return refuse(a, "approve needs a held call's id (and --for within a year)");
    if (reason && strlen(reason) > APPROVE_MAX_NOTE)
        return refuse(a, "a reason is at most %d bytes", APPROVE_MAX_NOTE);
    if (store_hold_get(a->k->store, id, &h, &found) || !found)
        return unknown(a, "approve", id, "no held call %s", id);
    int pending = h.status == STORE_PENDING;
    int totp = pending ? one_time_code(a, &bad) : 0;
    int rc;
    if (!pending)
        rc = unknown(a, "approve", id, "%s is not waiting: it was %s", id,
                     store_status_name(h.status));
    else if (totp < 0)
        rc = refused(a, "approve", id, bad);
    else if (store_vote_count(a->k->store, id, &n))
        rc = refuse(a, "%s", store_error(a->k->store));
    else {
        json_t *ctx = hold_context(&h, n + 1, totp, grant);
        if (!ctx || !allowed(a, "approve", "Held", id, ctx, why, sizeof(why))) {
            rc = refused(a, "approve", id, ctx ? why : "out of memory");
        } else if (store_vote_add(a->k->store, id, a->user, a->now, totp, NULL) ||
                   store_vote_count(a->k->store, id, &n)) {
            rc = refuse(a, "%s", store_error(a->k->store));
        } else {
            json_object_set_new(ctx, "approvers", json_integer(n));
            if (allowed(a, "release", "Held", id, ctx, why, sizeof(why)))
                rc = release(a, &h, grant, n);
            else if (record(a, json_pack("{s:s, s:s, s:s, s:s*, s:I, s:b}", "type", "approval",
                                         "hold", id, "by", a->user, "reason", arg(a, "reason"),
                                         "approvers", (json_int_t)n, "released", 0)))
                rc = refuse(a, "the approval could not be recorded");
            else
                rc = answer(a, json_pack("{s:s, s:s, s:I, s:s}", "status", "pending", "hold", id,
                                         "approvers", (json_int_t)n, "why", why));
        }
        json_decref(ctx);
    }
    store_hold_release(&h);
    return rc;
}

static int
deny(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id"), *reason = arg(a, "reason");
    struct store_hold h;
    json_t *ctx = NULL;
    int changed = 0, found = 0, rc;
    if (!id || !reason || !*reason || strlen(reason) > APPROVE_MAX_NOTE)
        return refuse(a, "deny needs a held call's id and a reason (at most %d bytes)",
                      APPROVE_MAX_NOTE);
    if (store_hold_get(a->k->store, id, &h, &found) || !found)
        return unknown(a, "deny", id, "no held call %s", id);
    struct store_decision d = {.at = a->now, .by = a->user, .reason = reason};
    char *by = NULL, *why_copy = NULL;
    if (h.status != STORE_PENDING)
        rc =
            unknown(a, "deny", id, "%s is not waiting: it was %s", id, store_status_name(h.status));
    else if (!(ctx = hold_context(&h, 0, 0, 0)) ||
             !allowed(a, "deny", "Held", id, ctx, why, sizeof(why)))
        rc = refused(a, "deny", id, ctx ? why : "out of memory");
    else if (record(a, json_pack("{s:s, s:s, s:s, s:s}", "type", "denial", "hold", id, "by",
                                 a->user, "reason", reason)) ||
             store_hold_decide(a->k->store, id, STORE_PENDING, STORE_DENIED, &d, &changed) ||
             !changed)
        rc = refuse(a, "the denial could not be recorded");
    else if (!(by = strdup(a->user)) || !(why_copy = strdup(reason))) {
        free(by);
        rc = refuse(a, "out of memory");
    } else {
        h.status = STORE_DENIED;
        free(h.decided_by), free(h.reason);
        h.decided_by = by;
        h.reason = why_copy;
        resolve_ended(a->k, &h);
        rc = answer(a, json_pack("{s:s, s:s}", "status", "denied", "hold", id));
    }
    json_decref(ctx);
    store_hold_release(&h);
    return rc;
}

/* ---- shadow mode ---- */

/* With "set" (on, off), switch shadow mode: Action::"shadow" on
 * Airlock::"hooks", recorded before it is stored.  Without, say what it
 * is, to those who may list the store. */
static int
shadow(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *set = arg(a, "set"), *reason = arg(a, "reason");
    struct approve_desk *k = a->k;
    if (!set) {
        if (!may_list(a, why, sizeof(why)))
            return refuse(a, "refused: %s", why);
    } else {
        int on = !strcmp(set, "on");
        if (!on && strcmp(set, "off"))
            return refuse(a, "shadow mode is switched \"on\" or \"off\"");
        if (reason && strlen(reason) >= STORE_NOTE_MAX)
            return refuse(a, "the reason is longer than %d bytes", STORE_NOTE_MAX - 1);
        json_t *ctx = json_pack("{s:b}", "on", on);
        int ok = ctx && allowed(a, "shadow", "Airlock", "hooks", ctx, why, sizeof(why));
        json_decref(ctx);
        if (!ok)
            return refused(a, "shadow", set, ctx ? why : "out of memory");
        struct store_shadow sh = {.on = on, .since = a->now};
        snprintf(sh.by, sizeof(sh.by), "%s", a->user);
        snprintf(sh.reason, sizeof(sh.reason), "%s", reason ? reason : "");
        if (record(a, json_pack("{s:s, s:b, s:s, s:s*}", "type", "shadow", "on", on, "by", a->user,
                                "reason", reason)))
            return refuse(a, "shadow mode was not switched: it could not be recorded");
        if (store_shadow_set(k->store, &sh))
            return refuse(a, "shadow mode was not switched: %s", store_error(k->store));
        k->shadow = sh;
    }
    const struct store_shadow *sh = &k->shadow;
    return answer(a, json_pack("{s:b, s:s*, s:I, s:s*}", "on", sh->on, "by",
                               sh->by[0] ? sh->by : NULL, "since", (json_int_t)sh->since, "reason",
                               sh->reason[0] ? sh->reason : NULL));
}

/* ---- grants and exposures ---- */

static int
list(struct ask *a, int grants)
{
    char why[APPROVE_REASON_MAX];
    if (!may_list(a, why, sizeof(why)))
        return refuse(a, "refused: %s", why);
    struct store_grants g = {0};
    struct store_exposures e = {0};
    if (grants
            ? store_grant_list(a->k->store, &g)
            : store_exposure_list(a->k->store, json_is_true(json_object_get(a->args, "open")), &e))
        return refuse(a, "%s", store_error(a->k->store));
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < (grants ? g.n : e.n); i++) {
        json_t *r = grants ? store_grant_json(&g.v[i]) : store_exposure_json(&e.v[i]);
        if (!r || json_array_append_new(rows, r)) {
            json_decref(rows);
            rows = NULL;
            break;
        }
        if (grants) {
            const struct store_grant *x = &g.v[i];
            json_object_set_new(r, "state",
                                json_string(x->revoked            ? "revoked"
                                            : x->expires > a->now ? "active"
                                                                  : "expired"));
            json_object_del(r, "match");
        } else {
            const struct store_exposure *x = &e.v[i];
            json_object_set_new(r, "duration",
                                json_integer((x->closed ? x->closed : a->now) - x->opened));
        }
    }
    store_grants_release(&g);
    store_exposures_release(&e);
    return answer(a, rows ? json_pack("{s:o}", grants ? "grants" : "exposures", rows) : NULL);
}

static int
revoke(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id");
    struct store_grant g;
    json_t *ctx = NULL;
    int changed = 0, found = 0, rc;
    if (!id || store_grant_get(a->k->store, id, &g, &found) || !found)
        return unknown(a, "revoke", id, "no grant %s", id ? id : "(none given)");
    if (!(ctx = json_pack("{s:o, s:s}", "agent", approve_entity("Agent", g.agent), "grantedBy",
                          g.by)) ||
        !allowed(a, "revoke", "Grant", id, ctx, why, sizeof(why)))
        rc = refused(a, "revoke", id, ctx ? why : "out of memory");
    else if (record(a, json_pack("{s:s, s:s, s:s}", "type", "grant-revoked", "grant", id, "by",
                                 a->user)) ||
             store_grant_revoke(a->k->store, id, a->user, a->now, &changed))
        rc = refuse(a, "the revocation could not be recorded");
    else if (!changed)
        rc = unknown(a, "revoke", id, "%s has already ended", id);
    else
        rc = answer(a, json_pack("{s:s, s:s}", "status", "revoked", "grant", id));
    json_decref(ctx);
    store_grant_release(&g);
    return rc;
}

static int
close_exposure_cmd(struct ask *a)
{
    char why[APPROVE_REASON_MAX];
    const char *id = arg(a, "id"), *note = arg(a, "note");
    struct store_exposure e;
    struct store_ids closed = {0};
    json_t *ctx = NULL;
    int found = 0, rc;
    if (!id || !note || !*note || strlen(note) > APPROVE_MAX_NOTE)
        return refuse(a, "closing an exposure needs its id and a note (at most %d bytes)",
                      APPROVE_MAX_NOTE);
    if (store_exposure_get(a->k->store, id, &e, &found) || !found)
        return unknown(a, "close", id, "no exposure %s", id);
    if (e.closed)
        rc = unknown(a, "close", id, "%s is closed already", id);
    else if (!(ctx = json_pack("{s:o, s:s}", "agent", approve_entity("Agent", e.agent), "rule",
                               e.rule)) ||
             !allowed(a, "close", "Exposure", id, ctx, why, sizeof(why)))
        rc = refused(a, "close", id, ctx ? why : "out of memory");
    else if (record(a, json_pack("{s:s, s:s, s:s, s:s}", "type", "exposure-closed", "exposure", id,
                                 "by", a->user, "note", note)) ||
             store_exposure_close(a->k->store, id, NULL, a->user, note, a->now, &closed))
        rc = refuse(a, "the closing could not be recorded");
    else {
        exposures_closed(a->k, closed.n);
        rc = answer(a, json_pack("{s:s, s:s}", "status", "closed", "exposure", id));
    }
    store_ids_release(&closed);
    json_decref(ctx);
    store_exposure_release(&e);
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
    if (store_totp_get(a->k->store, a->user, old, sizeof(old), &n, &last))
        return refuse(a, "%s", store_error(a->k->store));
    sodium_memzero(old, sizeof(old));
    if (n && one_time_code(a, &bad) != 1)
        return refused(a, "enroll", a->user,
                       bad ? bad : "you have an authenticator: give a code from it (--code)");
    randombytes_buf(secret, sizeof(secret));
    totp_base32(secret, sizeof(secret), b32, sizeof(b32));
    int rc = record(a, json_pack("{s:s, s:s}", "type", "totp-enrolled", "user", a->user)) ||
             store_totp_set(a->k->store, a->user, secret, sizeof(secret), a->now);
    sodium_memzero(secret, sizeof(secret));
    if (rc)
        return refuse(a, "the enrolment could not be recorded");
    snprintf(uri, sizeof(uri),
             "otpauth://totp/airlock:%s?secret=%s&issuer=airlock&algorithm=SHA1&digits=%d"
             "&period=%d",
             a->user, b32, TOTP_DIGITS, TOTP_STEP);
    rc = answer(a, json_pack("{s:s, s:s, s:s}", "user", a->user, "secret", b32, "uri", uri));
    sodium_memzero(b32, sizeof(b32));
    return rc;
}

int
approve_desk_command(struct approve_desk *k, const struct approve_caller *who, const char *what,
                     const json_t *args, json_t **answer, char *err, size_t errlen)
{
    struct ask a = {k, who, who->user, args, approve_now(), answer, err, errlen};
    *answer = NULL;
    if (!json_is_object(args))
        return refuse(&a, "a command's arguments must be a JSON object");
    if (!who->user)
        return refuse(&a, "uid %lld has no user name: it cannot be a person here",
                      (long long)who->uid);
    if (!strcmp(what, "pending"))
        return pending(&a);
    if (!strcmp(what, "approve"))
        return approve(&a);
    if (!strcmp(what, "deny"))
        return deny(&a);
    if (!strcmp(what, "grants"))
        return list(&a, 1);
    if (!strcmp(what, "revoke"))
        return revoke(&a);
    if (!strcmp(what, "exposures"))
        return list(&a, 0);
    if (!strcmp(what, "close"))
        return close_exposure_cmd(&a);
    if (!strcmp(what, "totp-enroll"))
        return enroll(&a);
    if (!strcmp(what, "shadow"))
        return shadow(&a);
    return refuse(&a, "no such command");
}

int
approve_desk_allowed(struct approve_desk *k, const struct approve_caller *who, const char *command,
                     const char *action, const char *type, const char *id, char *err, size_t errlen)
{
    char why[APPROVE_REASON_MAX];
    json_t *none = NULL;
    struct ask a = {k, who, who->user, NULL, approve_now(), &none, err, errlen};
    json_t *ctx = json_object();
    int ok = who->user && ctx && allowed(&a, action, type, id, ctx, why, sizeof(why));
    json_decref(ctx);
    if (!ok)
        refused(&a, command, id, who->user ? why : "no user name");
    return ok;
}

int
approve_desk_reload(struct approve_desk *k, const struct approve_caller *who, const char *policies,
                    const char *entities, char *err, size_t errlen)
{
    char e[1024];
    json_t *none = NULL;
    struct ask a = {k, who, who->user, NULL, approve_now(), &none, err, errlen};
    if (!approve_desk_allowed(k, who, "reload", "reload", "Airlock", "policies", err, errlen))
        return -1;
    struct approve_authz *az;
    if (approve_authz_open(&az, policies, entities, e, sizeof(e)))
        return refuse(&a, "the policies were not reloaded: %s", e);
    if (record(&a, json_pack("{s:s, s:s}", "type", "policies-reloaded", "by", who->user))) {
        approve_authz_close(az);
        return refuse(&a, "the reload could not be recorded");
    }
    approve_authz_close(k->authz);
    k->authz = az;
    return 0;
}
