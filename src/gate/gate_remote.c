/*
 * gate_remote.c - the gate as airlockd's client.
 *
 * With a daemon, `airlock mcp` holds no policy, no ledger and no key: each
 * gate call becomes a frame to airlockd (daemon_wire.h) and its answer.
 * Fails closed: a request the daemon does not answer is refused, never
 * forwarded.  After a lost connection the next call connects again and
 * replays the session's state (hello, agent, tool list); the call that was
 * in flight stays refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../mcp/mcp_rpc.h"
#include "gate_int.h"

static int
dial(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        snprintf(err, errlen, "%s: socket path too long", path);
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
        return fd;
    snprintf(err, errlen, "cannot reach airlockd at %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Forget the connection, and what was read ahead on it. */
static void
drop(struct gate *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    g->rin.start = g->rin.end = 0;
}

/* Send w, read the answer into *m.  -1 with g->rerr on any failure; a
 * failed connection is closed (the next call dials again). */
static int
exchange(struct gate *g, struct wire_buf *w, struct wire_msg *m)
{
    size_t len;
    const char *body;
    g->rerr[0] = '\0';
    if (w->failed) {
        snprintf(g->rerr, sizeof(g->rerr), "a request over the protocol's limits");
        return -1;
    }
    if (wire_send(g->fd, w) || wire_next(g->fd, &g->rin, &body, &len, g->rerr, sizeof(g->rerr)) ||
        wire_parse(body, len, m, g->rerr, sizeof(g->rerr))) {
        if (!g->rerr[0])
            snprintf(g->rerr, sizeof(g->rerr), "airlockd closed the connection");
        drop(g);
        return -1;
    }
    if (m->type == WIRE_ERROR) {
        snprintf(g->rerr, sizeof(g->rerr), "airlockd: %.*s", (int)m->f[WT_TEXT].n,
                 m->f[WT_TEXT].p);
        return -1;
    }
    return 0;
}

/* Connect and say who we are: hello, the agent, the tool list. */
static int
handshake(struct gate *g)
{
    struct wire_buf w = {0};
    struct wire_msg m;
    char *tools = g->tools_sent ? json_dumps(g->tools_sent, JSON_COMPACT) : NULL;
    int rc = -1;
    g->rerr[0] = '\0';
    if ((g->fd = dial(g->socket_path, g->rerr, sizeof(g->rerr))) < 0)
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
    rc = 0;
out:
    if (rc) /* refused: the next call starts over */
        drop(g);
    free(tools);
    wire_release(&w);
    return rc;
}

static int
call(struct gate *g, struct wire_msg *m)
{
    if (g->fd < 0 && handshake(g))
        return -1;
    return exchange(g, &g->wb, m);
}

int
gate_connect(struct gate **out, const char *socket, const char *server, const char *agent,
             char *err, size_t errlen)
{
    struct gate *g = calloc(1, sizeof(*g));
    if (g)
        g->remote = 1, g->fd = -1;
    if (!g || !(g->socket_path = strdup(socket)) || !(g->server = strdup(server)) ||
        (agent && !(g->agent = strdup(agent)))) {
        snprintf(err, errlen, "out of memory");
        gate_close(g);
        return -1;
    }
    if (handshake(g)) {
        snprintf(err, errlen, "%s", g->rerr);
        gate_close(g);
        return -1;
    }
    *out = g;
    return 0;
}

void
gate_remote_close(struct gate *g)
{
    if (g->fd >= 0)
        close(g->fd);
    wire_in_release(&g->rin);
    wire_release(&g->wb);
    json_decref(g->tools_sent);
    free(g->socket_path);
}

int
gate_remote_set_agent(struct gate *g, const char *agent)
{
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

int
gate_remote_set_tools(struct gate *g, const json_t *tools, char *err, size_t errlen)
{
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
    return 0;
}

void
gate_remote_tools_stale(struct gate *g)
{
    struct wire_msg m;
    json_decref(g->tools_sent);
    g->tools_sent = NULL;
    wire_begin(&g->wb, WIRE_STALE);
    call(g, &m); /* a lost connection forgets the list too */
}

static void
remote_refusal(struct gate *g, struct gate_verdict *v)
{
    v->outcome = GATE_DENY;
    v->code = RPC_AIRLOCK_DENIED;
    snprintf(v->text, sizeof(v->text),
             "airlock refused this request: airlockd did not decide it (%s)", g->rerr);
}

void
gate_remote_decide(struct gate *g, const char *method, const json_t *params,
                   struct gate_verdict *v)
{
    struct wire_msg m;
    int64_t outcome, code, entry, effects;
    char *s = json_dumps(params, JSON_COMPACT | JSON_ENCODE_ANY);
    memset(v, 0, sizeof(*v));
    v->policies = json_array();
    wire_begin(&g->wb, WIRE_DECIDE);
    wire_add_str(&g->wb, WT_METHOD, method);
    if (s)
        wire_add_str(&g->wb, WT_JSON, s);
    free(s);
    if (!s || !v->policies || call(g, &m) || m.type != WIRE_VERDICT ||
        wire_number(&m, WT_OUTCOME, &outcome) || wire_number(&m, WT_CODE, &code) ||
        wire_number(&m, WT_ENTRY, &entry) || wire_number(&m, WT_EFFECTS, &effects) ||
        outcome < GATE_PERMIT || outcome > GATE_NEEDS_APPROVAL) {
        if (!g->rerr[0])
            snprintf(g->rerr, sizeof(g->rerr), "an answer that is not a verdict");
        remote_refusal(g, v);
        return;
    }
    v->outcome = (enum gate_outcome)outcome;
    v->code = (int)code;
    v->entry = (uint64_t)entry;
    v->effects = (unsigned)effects;
    snprintf(v->text, sizeof(v->text), "%.*s", (int)m.f[WT_TEXT].n, m.f[WT_TEXT].p);
    if (wire_has(&m, WT_TOOL) && (v->tool_copy = strndup(m.f[WT_TOOL].p, m.f[WT_TOOL].n)))
        v->tool = v->tool_copy;
    json_t *pol = json_loadb(m.f[WT_JSON].p, m.f[WT_JSON].n, 0, NULL);
    if (json_is_array(pol)) {
        json_decref(v->policies);
        v->policies = pol;
    } else {
        json_decref(pol);
    }
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
    return json_pack("{s:{s:b}}", "result", "isError",
                     json_is_true(json_object_get(r, "isError")));
}

int
gate_remote_record_outcome(struct gate *g, const struct gate_verdict *v, const json_t *response,
                           const char *what, double ms)
{
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

int
gate_remote_record_event(struct gate *g, const char *type, json_t *fields)
{
    struct wire_msg m;
    char *s = fields ? json_dumps(fields, JSON_COMPACT) : NULL;
    wire_begin(&g->wb, WIRE_EVENT);
    wire_add_str(&g->wb, WT_WHAT, type);
    if (s)
        wire_add_str(&g->wb, WT_JSON, s);
    free(s);
    return call(g, &m);
}

size_t
gate_remote_filter_tools(struct gate *g, json_t *result)
{
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
