/*
 * daemon_hold.c - the sessions' side of held calls: which session waits
 * for which, the frames that say so, and the approvals desk's hooks.
 *
 * What a held call lives through (grants, approvals, holds, expiry,
 * exposures) is the desk's (src/approve/approve_desk.h); airlockd keeps the
 * connections, their frames and who waits for what, and writes the desk's
 * records to its ledger.  A session waiting for a held call is answered
 * later (WIRE_RESOLVED) when a person decides, the client withdraws it or
 * its time runs out.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
daemon_session(const struct conn *c, struct approve_session *s, char *user, size_t n)
{
    s->uid = c->uid;
    s->user = daemon_user_name(c, user, n);
    s->agent = c->gate ? gate_agent(c->gate) : NULL;
    s->session = c->gate ? gate_session(c->gate) : "";
    s->server = c->gate ? gate_server(c->gate) : "";
}

/* ---- the desk's hooks ---- */

static int
hook_record(void *arg, json_t *rec)
{
    return daemon_record(arg, rec);
}

static void
hook_resolve(void *arg, const char *id, const struct gate_verdict *v)
{
    daemon_resolve(arg, id, v);
}

static void *
hook_take_waiter(void *arg, const char *id, struct approve_session *s)
{
    struct daemon *d = arg;
    for (size_t i = 0; i < d->nconns; i++)
        if (drop_wait(&d->conns[i], id) && d->conns[i].gate) {
            daemon_session(&d->conns[i], s, d->waiter_user, sizeof(d->waiter_user));
            return &d->conns[i];
        }
    return NULL;
}

static void
hook_deliver(void *arg, void *waiter, const struct gate_verdict *v)
{
    (void)arg;
    if (daemon_send_verdict(waiter, WIRE_RESOLVED, v))
        util_log("airlockd: could not tell a session that %s was approved\n", v->hold);
}

const struct approve_desk_hooks daemon_desk_hooks = {
    .record = hook_record,
    .resolve = hook_resolve,
    .take_waiter = hook_take_waiter,
    .deliver = hook_deliver,
};

/* ---- a call that needs a person ---- */

void
daemon_hold(struct daemon *d, struct conn *c, const char *method, const json_t *params,
            struct gate_verdict *v)
{
    char why[512], user[256];
    struct approve_session s;
    daemon_session(c, &s, user, sizeof(user));
    switch (approve_desk_admit(&d->desk, &s, method, params, v, why, sizeof(why))) {
    case APPROVE_PERMITTED:
        return;
    case APPROVE_HELD:
        /* One approval is one call: a second copy in the same session is
         * refused while the first waits (it is attached once the first
         * gave up: a retry). */
        if (waits_for(c, v->hold)) {
            snprintf(why, sizeof(why), "the same call is held already (%s) and waits", v->hold);
            break;
        }
        if (add_wait(c, v->hold)) {
            snprintf(why, sizeof(why), "this session already waits for %d held calls",
                     DAEMON_MAX_WAITS);
            break;
        }
        v->outcome = GATE_HELD;
        return;
    case APPROVE_NEEDS_HOLD:
        if (c->nwaits == DAEMON_MAX_WAITS) {
            snprintf(why, sizeof(why), "this session already waits for %d held calls",
                     DAEMON_MAX_WAITS);
            break;
        }
        if (approve_desk_hold_new(&d->desk, &s, method, params, v, why, sizeof(why)))
            break;
        if (add_wait(c, v->hold) == 0)
            return;
        snprintf(why, sizeof(why), "out of memory");
        break;
    case APPROVE_REFUSED:
        break;
    }
    approve_desk_refuse(v, why);
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

int
daemon_wait(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char id[GATE_HOLD_MAX], user[256];
    struct approve_session s;
    struct gate_verdict v;
    if (hold_field(m, id))
        return reply(c, WIRE_ERROR, "no such held call of yours");
    daemon_session(c, &s, user, sizeof(user));
    switch (approve_desk_wait(&d->desk, &s, id, &v)) {
    case APPROVE_WAIT_PENDING:
        return add_wait(c, id) ? reply(c, WIRE_ERROR, "too many held calls")
                               : reply(c, WIRE_OK, NULL);
    case APPROVE_WAIT_ENDED: {
        int rc = reply(c, WIRE_OK, NULL) || daemon_send_verdict(c, WIRE_RESOLVED, &v);
        gate_verdict_release(&v);
        return rc;
    }
    case APPROVE_WAIT_UNKNOWN:
        break;
    }
    return reply(c, WIRE_ERROR, "no such held call of yours");
}

int
daemon_withdraw(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char id[GATE_HOLD_MAX], what[16], user[256];
    struct approve_session s;
    const struct wire_field *w = &m->f[WT_WHAT];
    if (hold_field(m, id) || w->n >= sizeof(what) || !drop_wait(c, id))
        return reply(c, WIRE_ERROR, "no held call of this session by that id");
    memcpy(what, w->p, w->n);
    what[w->n] = '\0';
    int cancelled = !strcmp(what, "cancelled");
    if (!cancelled && strcmp(what, "timeout"))
        return reply(c, WIRE_ERROR, "a held call is withdrawn as cancelled or timeout");
    daemon_session(c, &s, user, sizeof(user));
    return approve_desk_withdraw(&d->desk, &s, id, cancelled)
               ? reply(c, WIRE_ERROR, "the withdrawal could not be recorded")
               : reply(c, WIRE_OK, NULL);
}
