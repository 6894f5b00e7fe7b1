/*
 * client.c - airlockd's client (client.h): each decider call a frame to
 * airlockd (daemon_wire.h), and its answer.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../daemon/daemon_wire.h"
#include "../gate/gate_decider.h"
#include "../util/util_log.h"
#include "../util/util_poll.h"
#include "client.h"

struct frame {
    char *p;
    size_t n;
};

struct client {
    struct gate_decider base; /* first: the decider is the client */
    char *server, *agent;
    int tools_known;
    int fd; /* the connection, -1 when lost */
    char *socket_path;
    struct wire_in rin;    /* answers, read ahead */
    struct wire_buf wb;    /* the request being sent */
    json_t *tools_sent;    /* replayed after a reconnection */
    char rerr[512];        /* why the last exchange failed */
    struct util_spin spin; /* waiting for airlockd's answers (util_poll.h) */
    json_t *held;          /* ids of the calls airlockd holds (asked for again after a
                              reconnection) */
    struct frame *stash;   /* WIRE_RESOLVED frames read while waiting for another
                              answer, set aside */
    size_t nstash;
    json_t *lost; /* held ids airlockd no longer knows (handed out as refusals) */
};

/* The client a decider is (the ops below are only ever given their own). */
static struct client *
of(struct gate_decider *d)
{
    return (struct client *)d;
}

static const struct client *
of_const(const struct gate_decider *d)
{
    return (const struct client *)d;
}

/* Forget the connection, and what was read ahead on it. */
static void
drop(struct client *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    g->rin.start = g->rin.end = 0;
}

static int
set_aside(struct client *g, const char *body, size_t len)
{
    struct frame *f = realloc(g->stash, (g->nstash + 1) * sizeof(*f));
    if (!f)
        return -1;
    g->stash = f;
    if (!(f[g->nstash].p = malloc(len)))
        return -1;
    memcpy(f[g->nstash].p, body, len);
    f[g->nstash++].n = len;
    return 0;
}

/* Send w, read the answer into *m.  -1 with g->rerr on any failure; a
 * failed connection is closed (the next call dials again). */
static int
exchange(struct client *g, struct wire_buf *w, struct wire_msg *m)
{
    size_t len;
    const char *body;
    g->rerr[0] = '\0';
    if (w->failed) {
        snprintf(g->rerr, sizeof(g->rerr), "a request over the protocol's limits");
        return -1;
    }
    int rc = wire_send(g->fd, w);
    struct pollfd pfd = {.fd = g->fd, .events = POLLIN};
    if (!rc && !wire_buffered(&g->rin))
        (void)util_wait(&g->spin, &pfd, 1, -1);
    /* Answers to held calls may come first: they are set aside. */
    while (!rc && !(rc = wire_next(g->fd, &g->rin, &body, &len, g->rerr, sizeof(g->rerr))) &&
           !(rc = wire_parse(body, len, m, g->rerr, sizeof(g->rerr))) && m->type == WIRE_RESOLVED)
        rc = set_aside(g, body, len);
    if (rc) {
        if (!g->rerr[0])
            snprintf(g->rerr, sizeof(g->rerr), "airlockd closed the connection");
        drop(g);
        return -1;
    }
    if (m->type == WIRE_ERROR) {
        snprintf(g->rerr, sizeof(g->rerr), "airlockd: %.*s", (int)m->f[WT_TEXT].n, m->f[WT_TEXT].p);
        return -1;
    }
    return 0;
}

/* After a reconnection: ask for the held calls' answers again.  One the
 * daemon does not know any more (its answer is an error) is lost: it is
 * handed out as a refusal. */
static int
wait_again(struct client *g, struct wire_buf *w)
{
    struct wire_msg m;
    for (size_t i = 0; i < json_array_size(g->held);) {
        const char *id = json_string_value(json_array_get(g->held, i));
        wire_begin(w, WIRE_WAIT);
        wire_add_str(w, WT_HOLD, id);
        if (exchange(g, w, &m) == 0) {
            i++;
            continue;
        }
        if (g->fd < 0)
            return -1;
        json_array_append(g->lost, json_array_get(g->held, i));
        json_array_remove(g->held, i);
    }
    return 0;
}

/* Connect and say who we are: hello, the agent, the tool list, the calls
 * still held. */
static int
handshake(struct client *g)
{
    struct wire_buf w = {0};
    struct wire_msg m;
    char *tools = g->tools_sent ? json_dumps(g->tools_sent, JSON_COMPACT) : NULL;
    int rc = -1;
    g->rerr[0] = '\0';
    if ((g->fd = wire_dial(g->socket_path, g->rerr, sizeof(g->rerr))) < 0)
        goto out;
    wire_begin(&w, WIRE_HELLO);
    wire_add_str(&w, WT_SERVER, g->server);
    if (g->agent)
        wire_add_str(&w, WT_AGENT, g->agent);
    if (exchange(g, &w, &m))
        goto out;
    if (tools) {
        wire_begin(&w, WIRE_TOOLS);
        wire_add_str(&w, WT_JSON, tools);
        if (exchange(g, &w, &m))
            goto out;
    }
    if (wait_again(g, &w))
        goto out;
    rc = 0;
out:
    if (rc) /* refused: the next call starts over */
        drop(g);
    free(tools);
    wire_release(&w);
    return rc;
}

static int
call(struct client *g, struct wire_msg *m)
{
    if (g->fd < 0 && handshake(g))
        return -1;
    return exchange(g, &g->wb, m);
}

static void
client_close(struct gate_decider *d)
{
    struct client *g = of(d);
    if (g->fd >= 0)
        close(g->fd);
    wire_in_release(&g->rin);
    wire_release(&g->wb);
    json_decref(g->tools_sent);
    json_decref(g->held);
    json_decref(g->lost);
    for (size_t i = 0; i < g->nstash; i++)
        free(g->stash[i].p);
    free(g->stash);
    free(g->socket_path);
    free(g->server);
    free(g->agent);
    free(g);
}

static int
set_agent(struct gate_decider *d, const char *agent)
{
    struct client *g = of(d);
    struct wire_msg m;
    char *copy = strdup(agent);
    if (!copy)
        return -1;
    free(g->agent);
    g->agent = copy;
    wire_begin(&g->wb, WIRE_AGENT);
    wire_add_str(&g->wb, WT_AGENT, agent);
    return call(g, &m);
}

static int
set_tools(struct gate_decider *d, const json_t *tools, char *err, size_t errlen)
{
    struct client *g = of(d);
    struct wire_msg m;
    char *s = json_dumps(tools, JSON_COMPACT);
    wire_begin(&g->wb, WIRE_TOOLS);
    if (s)
        wire_add_str(&g->wb, WT_JSON, s);
    free(s);
    if (!s || call(g, &m)) {
        snprintf(err, errlen, "%s", s ? g->rerr : "out of memory");
        return -1;
    }
    json_decref(g->tools_sent);
    g->tools_sent = json_deep_copy(tools);
    g->tools_known = 1;
    return 0;
}

static int
tools_known(const struct gate_decider *d)
{
    return of_const(d)->tools_known;
}

static void
tools_stale(struct gate_decider *d)
{
    struct client *g = of(d);
    struct wire_msg m;
    g->tools_known = 0;
    json_decref(g->tools_sent);
    g->tools_sent = NULL;
    wire_begin(&g->wb, WIRE_STALE);
    call(g, &m); /* a lost connection forgets the list too */
}

static void
remote_refusal(struct client *g, struct gate_verdict *v)
{
    v->outcome = GATE_DENY;
    v->refusal = GATE_REFUSED_POLICY;
    snprintf(v->text, sizeof(v->text),
             "airlock refused this request: airlockd did not decide it (%s)", g->rerr);
}

static int verdict_from(const struct wire_msg *m, struct gate_verdict *v);

static void
decide(struct gate_decider *d, const char *method, const json_t *params, struct gate_verdict *v)
{
    struct client *g = of(d);
    struct wire_msg m;
    char *s = json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY);
    memset(v, 0, sizeof(*v));
    v->policies = json_array();
    wire_begin(&g->wb, WIRE_DECIDE);
    wire_add_str(&g->wb, WT_METHOD, method);
    if (s)
        wire_add_str(&g->wb, WT_JSON, s);
    free(s);
    if (!s || !v->policies || call(g, &m) || m.type != WIRE_VERDICT || verdict_from(&m, v) ||
        (v->outcome == GATE_HELD && json_array_append_new(g->held, json_string(v->hold)))) {
        if (!g->rerr[0])
            snprintf(g->rerr, sizeof(g->rerr), "an answer that is not a verdict");
        remote_refusal(g, v);
    }
}

/* A verdict's fields from m (WIRE_VERDICT or WIRE_RESOLVED) into v, whose
 * policies array exists.  0, or -1 when they are not a verdict. */
static int
verdict_from(const struct wire_msg *m, struct gate_verdict *v)
{
    int64_t outcome, refusal, entry, effects;
    const struct wire_field *h = &m->f[WT_HOLD];
    if (wire_number(m, WT_OUTCOME, &outcome) || wire_number(m, WT_CODE, &refusal) ||
        wire_number(m, WT_ENTRY, &entry) || wire_number(m, WT_EFFECTS, &effects) ||
        outcome < GATE_PERMIT || outcome > GATE_HELD || refusal < GATE_REFUSED_NONE ||
        refusal > GATE_REFUSED_CONFIRM)
        return -1;
    if (wire_has(m, WT_HOLD)) {
        if (h->n == 0 || h->n >= sizeof(v->hold) || memchr(h->p, '\0', h->n))
            return -1;
        memcpy(v->hold, h->p, h->n);
        v->hold[h->n] = '\0';
    } else if (outcome == GATE_HELD) {
        return -1;
    }
    v->outcome = (enum gate_outcome)outcome;
    v->refusal = (enum gate_refusal)refusal;
    v->entry = (uint64_t)entry;
    v->effects = (unsigned)effects;
    snprintf(v->text, sizeof(v->text), "%.*s", (int)m->f[WT_TEXT].n, m->f[WT_TEXT].p);
    if (wire_has(m, WT_TOOL) && (v->tool_copy = strndup(m->f[WT_TOOL].p, m->f[WT_TOOL].n)))
        v->tool = v->tool_copy;
    json_t *pol = json_loadb(m->f[WT_JSON].p, m->f[WT_JSON].n, 0, NULL);
    if (json_is_array(pol)) {
        json_decref(v->policies);
        v->policies = pol;
    } else {
        json_decref(pol);
    }
    return 0;
}

/* What the daemon needs of a response: error, or whether the tool failed. */
static json_t *
summary(const json_t *response)
{
    const json_t *err = json_object_get(response, "error");
    if (err) {
        const json_t *msg = json_object_get(err, "message");
        size_t n = json_string_length(msg);
        return json_pack("{s:{s:O*, s:s%}}", "error", "code", json_object_get(err, "code"),
                         "message", msg ? json_string_value(msg) : "", n > 512 ? 512 : n);
    }
    const json_t *r = json_object_get(response, "result");
    return json_pack("{s:{s:b}}", "result", "isError", json_is_true(json_object_get(r, "isError")));
}

static int
record_outcome(struct gate_decider *d, const struct gate_verdict *v, const json_t *response,
               const char *what, double ms)
{
    struct client *g = of(d);
    wire_begin(&g->wb, WIRE_OUTCOME);
    wire_add_num(&g->wb, WT_ENTRY, (int64_t)v->entry);
    wire_add_num(&g->wb, WT_EFFECTS, v->effects);
    wire_add_num(&g->wb, WT_MS, (int64_t)(ms * 1000));
    if (response) {
        json_t *s = summary(response);
        char *t = s ? json_dumps(s, JSON_COMPACT) : NULL;
        json_decref(s);
        if (!t)
            return -1;
        wire_add_str(&g->wb, WT_JSON, t);
        free(t);
    } else {
        wire_add_str(&g->wb, WT_WHAT, what);
    }
    /* Not answered: the next request's answer comes after it is recorded. */
    if ((g->fd < 0 && handshake(g)) || g->wb.failed || wire_send(g->fd, &g->wb)) {
        drop(g);
        return -1;
    }
    return 0;
}

static int
record_event(struct gate_decider *d, const char *type, json_t *fields)
{
    struct client *g = of(d);
    struct wire_msg m;
    char *s = fields ? json_dumps(fields, JSON_COMPACT) : NULL;
    wire_begin(&g->wb, WIRE_EVENT);
    wire_add_str(&g->wb, WT_WHAT, type);
    if (s)
        wire_add_str(&g->wb, WT_JSON, s);
    free(s);
    return call(g, &m);
}

static size_t
filter_tools(struct gate_decider *d, json_t *result)
{
    struct client *g = of(d);
    struct wire_msg m;
    int64_t hidden = 0;
    char *s = json_dumps(result, JSON_COMPACT);
    wire_begin(&g->wb, WIRE_FILTER);
    if (s)
        wire_add_str(&g->wb, WT_JSON, s);
    free(s);
    json_t *r = s && call(g, &m) == 0 && wire_has(&m, WT_JSON)
                    ? json_loadb(m.f[WT_JSON].p, m.f[WT_JSON].n, 0, NULL)
                    : NULL;
    const json_t *tools = json_object_get(r, "tools");
    /* Without the daemon's word, no tool is offered. */
    if (json_is_array(tools))
        json_object_set(result, "tools", (json_t *)tools);
    else
        json_object_set_new(result, "tools", json_array());
    if (!json_is_array(tools) || wire_number(&m, WT_NUMBER, &hidden))
        hidden = 0;
    json_decref(r);
    return (size_t)hidden;
}

/* ---- held calls ---- */

static int
fd_of(const struct gate_decider *d)
{
    return of_const(d)->fd;
}

static int
holds(const struct gate_decider *d)
{
    return (int)json_array_size(of_const(d)->held);
}

static int
forget_hold(struct client *g, const char *id)
{
    for (size_t i = 0; i < json_array_size(g->held); i++)
        if (!strcmp(json_string_value(json_array_get(g->held, i)), id)) {
            json_array_remove(g->held, i);
            return 1;
        }
    return 0;
}

/* Hand over one RESOLVED frame; one for a call no longer held (withdrawn
 * meanwhile) is dropped.  1 handed over, 0 not, -1 not a verdict. */
static int
hand_over(struct client *g, const char *body, size_t len, void (*fn)(void *, struct gate_verdict *),
          void *arg)
{
    struct wire_msg m;
    struct gate_verdict v = {0};
    char err[128];
    if (wire_parse(body, len, &m, err, sizeof(err)) || m.type != WIRE_RESOLVED ||
        !(v.policies = json_array()) || verdict_from(&m, &v) || v.outcome == GATE_HELD) {
        gate_verdict_release(&v);
        return -1;
    }
    if (!forget_hold(g, v.hold)) {
        gate_verdict_release(&v);
        return 0;
    }
    fn(arg, &v);
    return 1;
}

/* A refusal for a held call the daemon forgot. */
static void
hand_over_lost(struct client *g, void (*fn)(void *, struct gate_verdict *), void *arg)
{
    while (json_array_size(g->lost)) {
        struct gate_verdict v = {
            .outcome = GATE_DENY, .refusal = GATE_REFUSED_POLICY, .policies = json_array()};
        snprintf(v.hold, sizeof(v.hold), "%s", json_string_value(json_array_get(g->lost, 0)));
        snprintf(v.text, sizeof(v.text),
                 "airlock refused this request: airlockd no longer holds it (%s)", g->rerr);
        json_array_remove(g->lost, 0);
        fn(arg, &v);
    }
}

static int
resolved(struct gate_decider *d, void (*fn)(void *, struct gate_verdict *), void *arg)
{
    struct client *g = of(d);
    int n = 0;
    for (size_t i = 0; i < g->nstash; i++) {
        n += hand_over(g, g->stash[i].p, g->stash[i].n, fn, arg) > 0;
        free(g->stash[i].p);
    }
    g->nstash = 0;
    if (g->fd < 0 && json_array_size(g->held) && handshake(g)) {
        hand_over_lost(g, fn, arg);
        return -1;
    }
    hand_over_lost(g, fn, arg);
    /* What is there now, without waiting for more. */
    struct pollfd pf = {.fd = g->fd, .events = POLLIN};
    while (g->fd >= 0 && (wire_buffered(&g->rin) || (poll(&pf, 1, 0) == 1 && pf.revents))) {
        const char *body;
        size_t len;
        int rc = -1;
        if (wire_next(g->fd, &g->rin, &body, &len, g->rerr, sizeof(g->rerr)) ||
            (rc = hand_over(g, body, len, fn, arg)) < 0) {
            if (rc < 0 && !g->rerr[0])
                snprintf(g->rerr, sizeof(g->rerr), "airlockd sent what is not an answer");
            drop(g);
            return -1;
        }
        n += rc;
    }
    return n;
}

static void
withdraw(struct gate_decider *d, const char *hold, const char *what)
{
    struct client *g = of(d);
    struct wire_msg m;
    if (!forget_hold(g, hold))
        return;
    wire_begin(&g->wb, WIRE_WITHDRAW);
    wire_add_str(&g->wb, WT_HOLD, hold);
    wire_add_str(&g->wb, WT_WHAT, what);
    /* A daemon that is not there has nobody to ask: the hold runs out. */
    if (call(g, &m))
        util_log("airlock: could not withdraw held call %s: %s\n", hold, g->rerr);
}

/* ---- the ledger's rhythm is airlockd's ---- */

static void
idle(struct gate_decider *d)
{
    (void)d; /* airlockd signs when it is idle */
}

static int
no_records(const struct gate_decider *d)
{
    (void)d; /* airlockd writes its own */
    return 0;
}

static int
flush(struct gate_decider *d)
{
    (void)d;
    return 0;
}

static const char *
error_of(const struct gate_decider *d)
{
    const struct client *g = of_const(d);
    return g->rerr[0] ? g->rerr : "airlockd did not take it";
}

static const struct gate_decider_ops client_ops = {
    .set_agent = set_agent,
    .set_tools = set_tools,
    .tools_known = tools_known,
    .tools_stale = tools_stale,
    .filter_tools = filter_tools,
    .decide = decide,
    .record_outcome = record_outcome,
    .record_event = record_event,
    .fd = fd_of,
    .holds = holds,
    .resolved = resolved,
    .withdraw = withdraw,
    .idle = idle,
    .unsigned_records = no_records,
    .checkpoint_due = no_records,
    .flush = flush,
    .error = error_of,
    .close = client_close,
};

int
client_connect(struct gate_decider **out, const char *socket, const char *server, const char *agent,
               char *err, size_t errlen)
{
    struct client *g = calloc(1, sizeof(*g));
    if (g)
        g->base.ops = &client_ops, g->fd = -1, g->spin.us = WIRE_SPIN_US;
    if (!g || !(g->held = json_array()) || !(g->lost = json_array()) ||
        !(g->socket_path = strdup(socket)) || !(g->server = strdup(server)) ||
        (agent && !(g->agent = strdup(agent)))) {
        snprintf(err, errlen, "out of memory");
        if (g)
            client_close(&g->base);
        return -1;
    }
    if (handshake(g)) {
        snprintf(err, errlen, "%s", g->rerr);
        client_close(&g->base);
        return -1;
    }
    *out = &g->base;
    return 0;
}
