/*
 * mcp_proxy.c - the relay loop and the routing of messages.
 *
 * One thread, one poll loop.  Lines from either side are handled in order;
 * output goes through queues so that a slow peer never blocks the other
 * direction.  A queue over MCP_OUT_HIGH_WATER stops reading from the side
 * that fills it (back-pressure).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../gate/gate_decider.h"
#include "../util/util_log.h"
#include "../util/util_poll.h"
#include "mcp_limits.h"
#include "mcp_line.h"
#include "mcp_proxy.h"
#include "mcp_queue.h"
#include "mcp_rpc.h"
#include "mcp_upstream.h"

const char *const mcp_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", NULL};

/* A request airlock forwarded to the upstream and awaits the reply to. */
struct pending {
    json_int_t up_id;     /* the id the upstream saw */
    json_t *client_id;    /* the client's id; NULL for airlock's own */
    char *client_id_text; /* and its bytes, given back exactly */
    size_t client_id_len;
    char *method;
    int decided; /* v holds the gate's verdict */
    int paged;   /* a tools/list request for a later page (has a cursor) */
    struct gate_verdict v;
    struct timespec start;
};

/* A call airlockd holds for a person; it is forwarded (from its line) or
 * refused when the answer comes. */
struct held {
    char hold[GATE_HOLD_MAX];
    json_t *client_id;
    char *line; /* the request as the client sent it */
    size_t len;
    json_t *token;   /* its progress token, or NULL */
    double progress; /* the last progress sent */
    struct timespec start, last;
};

/* A request from the upstream to the client (sampling, elicitation, ...). */
struct s2c {
    json_int_t down_id; /* the id the client saw */
    json_t *up_id;      /* the upstream's id */
    char *up_id_text;   /* and its bytes */
    size_t up_id_len;
    const char *answer;    /* decided: how its answer is decided (gate_answer_method) */
    struct gate_verdict v; /* decided: the request's verdict */
    struct timespec start;
};

struct proxy {
    const struct mcp_proxy_opts *o;
    struct gate_decider *gate;
    struct mcp_upstream up;
    struct mcp_line from_client, from_up;
    struct mcp_queue to_client, to_up;
    struct pending *pend;
    size_t npend;
    /* Spinning before blocking (MCP_SPIN_US), kept apart for waits with a
     * request at the upstream (its answer is often microseconds away) and
     * without (the client's next request: for an agent, seconds). */
    struct util_spin spin[2];
    struct s2c *s2c;
    size_t ns2c;
    struct held *held;
    size_t nheld;
    json_t *deferred;   /* lines of client requests waiting for the tool list */
    json_t *tool_pages; /* airlock's own tools/list, page by page */
    int listing;        /* airlock's own tools/list is in flight */
    unsigned pages;     /* pages of it so far */
    int server_has_tools;
    json_int_t next_up, next_down;
    int client_eof, up_eof, up_in_closed;
    int signalled; /* SIGTERM, SIGINT or SIGHUP arrived */
    int failed;    /* the session must end: err says why */
    char *err;
    size_t errlen;
};

static double
ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The session must end; the first reason is the one reported. */
static void
fail(struct proxy *p, const char *why)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "%s", why);
    p->failed = 1;
}

static void
send_line(struct proxy *p, struct mcp_queue *q, char *line, const size_t *len)
{
    /* len is read here, after the call that made line has set it. */
    int idle = mcp_queue_pending(q) == 0;
    if (!line || mcp_queue_put(q, line, *len))
        fail(p, "out of memory");
    free(line);
    /* Write at once when nothing is queued: no added latency, and each
     * message reaches the peer in its own write, as from the server itself. */
    if (idle && !(q == &p->to_up && p->up_in_closed))
        mcp_queue_flush(q);
}

/* Relay m, its id replaced by id_text when that is not NULL. */
static void
emit(struct proxy *p, struct mcp_queue *q, const struct rpc_msg *m, const char *id_text,
     size_t id_len)
{
    size_t len = 0;
    send_line(p, q, rpc_line_with_id(m, id_text, id_len, &len), &len);
}

/* Relay m under one of airlock's own (integer) ids. */
static void
emit_as(struct proxy *p, struct mcp_queue *q, const struct rpc_msg *m, json_int_t id)
{
    char idt[32];
    int n = snprintf(idt, sizeof(idt), "%lld", (long long)id);
    emit(p, q, m, idt, (size_t)n);
}

/* The bytes of m's "id" as a malloc'd copy. */
static char *
id_bytes(const struct rpc_msg *m, size_t *len)
{
    size_t a, b;
    if (m->line && !m->modified && !rpc_member_span(m->line, m->len, "id", &a, &b)) {
        char *t = malloc(b - a + 1);
        if (t) {
            memcpy(t, m->line + a, b - a);
            *len = b - a;
        }
        return t;
    }
    char *t = json_dumps(json_object_get(m->root, "id"), JSON_COMPACT | JSON_ENCODE_ANY);
    if (t)
        *len = strlen(t);
    return t;
}

static void
reply_error(struct proxy *p, const json_t *id, int code, const char *msg, json_t *data)
{
    size_t len = 0;
    send_line(p, &p->to_client, rpc_error_line(id, code, msg, data, &len), &len);
}

/* ---- the maps of ids in flight ---- */

static struct pending *
find_pending(struct proxy *p, const json_t *up_id)
{
    if (!json_is_integer(up_id))
        return NULL;
    for (size_t i = 0; i < p->npend; i++)
        if (p->pend[i].up_id == json_integer_value(up_id))
            return &p->pend[i];
    return NULL;
}

static struct pending *
find_pending_by_client(struct proxy *p, const json_t *client_id)
{
    for (size_t i = 0; i < p->npend; i++)
        if (p->pend[i].client_id && json_equal(p->pend[i].client_id, client_id))
            return &p->pend[i];
    return NULL;
}

static void
drop_pending(struct proxy *p, struct pending *e)
{
    json_decref(e->client_id);
    free(e->client_id_text);
    free(e->method);
    if (e->decided)
        gate_verdict_release(&e->v);
    *e = p->pend[--p->npend];
}

/* Forward a request with the id replaced by airlock's.  v (may be NULL) is
 * moved into the pending entry.  m->id is NULL for airlock's own requests. */
static void
forward_request(struct proxy *p, struct rpc_msg *m, const char *method, struct gate_verdict *v)
{
    const json_t *client_id = m->id;
    if (p->npend >= MCP_MAX_INFLIGHT) {
        if (client_id)
            reply_error(p, client_id, RPC_AIRLOCK_BUSY, "too many requests in flight", NULL);
        if (v)
            gate_verdict_release(v);
        return;
    }
    if (p->npend % 64 == 0) {
        struct pending *np = realloc(p->pend, (p->npend + 64) * sizeof(*np));
        if (!np)
            return fail(p, "out of memory");
        p->pend = np;
    }
    struct pending *e = &p->pend[p->npend++];
    memset(e, 0, sizeof(*e));
    e->up_id = ++p->next_up;
    e->method = strdup(method);
    e->paged = json_object_get(json_object_get(m->root, "params"), "cursor") != NULL;
    clock_gettime(CLOCK_MONOTONIC, &e->start);
    if (v) {
        e->v = *v;
        e->decided = 1;
    }
    if (client_id && (!(e->client_id = json_deep_copy(client_id)) ||
                      !(e->client_id_text = id_bytes(m, &e->client_id_len))))
        return fail(p, "out of memory");
    if (!e->method)
        return fail(p, "out of memory");
    emit_as(p, &p->to_up, m, e->up_id);
}

/* ---- airlock's own tools/list ---- */

static void
request_tools(struct proxy *p, const char *cursor)
{
    struct rpc_msg m = {.kind = RPC_REQUEST, .modified = 1};
    m.root = json_pack("{s:s, s:s, s:{}}", "jsonrpc", "2.0", "method", "tools/list", "params");
    if (!m.root || (cursor && json_object_set_new(json_object_get(m.root, "params"), "cursor",
                                                  json_string(cursor))))
        return fail(p, "out of memory");
    p->listing = 1;
    forward_request(p, &m, "tools/list", NULL);
    json_decref(m.root);
}

static void handle_client_line(struct proxy *p, const char *line, size_t len);

static void
run_deferred(struct proxy *p)
{
    json_t *q = p->deferred;
    p->deferred = json_array();
    size_t i;
    json_t *line;
    json_array_foreach(q, i, line)
        handle_client_line(p, json_string_value(line), json_string_length(line));
    json_decref(q);
}

static void
tools_page(struct proxy *p, const json_t *resp)
{
    const json_t *result = json_object_get(resp, "result");
    const json_t *tools = json_object_get(result, "tools");
    char why[GATE_ERR_MAX];
    if (!result || !json_is_array(tools)) {
        /* An upstream without tools (or refusing to list them): none. */
        json_array_clear(p->tool_pages);
    } else if (json_array_size(p->tool_pages) + json_array_size(tools) > GATE_MAX_TOOLS) {
        return fail(p, "the upstream lists more tools than airlock accepts");
    } else {
        json_array_extend(p->tool_pages, (json_t *)tools);
        const char *cursor = json_string_value(json_object_get(result, "nextCursor"));
        if (cursor && json_array_size(p->tool_pages) > 0) {
            if (++p->pages > MCP_MAX_LIST_PAGES)
                return fail(p, "the upstream's tool list has too many pages");
            return request_tools(p, cursor);
        }
    }
    p->listing = 0;
    p->pages = 0;
    if (gate_decider_set_tools(p->gate, p->tool_pages, why, sizeof(why)))
        return fail(p, why);
    json_array_clear(p->tool_pages);
    run_deferred(p);
}

/* ---- from the client ---- */

static void
refuse(struct proxy *p, const char *method, const json_t *id, const struct gate_verdict *v)
{
    json_t *data = json_pack("{s:s, s:O, s:I}", "decision",
                             v->outcome == GATE_NEEDS_APPROVAL ? "needs-approval" : "deny",
                             "policies", v->policies, "ledgerIndex", (json_int_t)v->entry);
    if (data && v->hold[0])
        json_object_set_new(data, "hold", json_string(v->hold));
    if (!strcmp(method, "tools/call") && v->refusal != GATE_REFUSED_INVALID) {
        /* A tool result the model reads, so it can tell its user. */
        json_t *res = json_pack("{s:[{s:s, s:s}], s:b, s:{s:O}}", "content", "type", "text", "text",
                                v->text, "isError", 1, "_meta", "airlock", data);
        size_t len = 0;
        send_line(p, &p->to_client, res ? rpc_result_line(id, res, &len) : NULL, &len);
        json_decref(res);
    } else {
        reply_error(p, id, mcp_refusal_code(v->refusal), v->text, data);
    }
    json_decref(data);
}

/* ---- calls held for a person ---- */

static void send_progress(struct proxy *p, struct held *h);

static void
hold(struct proxy *p, struct rpc_msg *m, struct gate_verdict *v)
{
    if (p->nheld % 64 == 0) {
        struct held *nh = realloc(p->held, (p->nheld + 64) * sizeof(*nh));
        if (!nh)
            return fail(p, "out of memory");
        p->held = nh;
    }
    struct held *h = &p->held[p->nheld++];
    memset(h, 0, sizeof(*h));
    snprintf(h->hold, sizeof(h->hold), "%s", v->hold);
    h->client_id = json_deep_copy(m->id);
    h->line = m->modified ? json_dumps(m->root, JSON_COMPACT) : strndup(m->line, m->len);
    h->len = h->line ? strlen(h->line) : 0;
    h->token = json_incref(json_object_get(json_object_get(m->params, "_meta"), "progressToken"));
    clock_gettime(CLOCK_MONOTONIC, &h->start);
    h->last = h->start;
    if (!h->client_id || !h->line)
        fail(p, "out of memory");
    else if (h->token)
        send_progress(p, h);
}

static void
drop_held(struct proxy *p, size_t i)
{
    json_decref(p->held[i].client_id);
    json_decref(p->held[i].token);
    free(p->held[i].line);
    p->held[i] = p->held[--p->nheld];
}

/* airlockd's answer to a held call: forward it or refuse it. */
static void
on_resolved(void *arg, struct gate_verdict *v)
{
    struct proxy *p = arg;
    struct rpc_msg m;
    char why[256];
    size_t i = 0;
    while (i < p->nheld && strcmp(p->held[i].hold, v->hold))
        i++;
    if (i == p->nheld || rpc_parse(p->held[i].line, p->held[i].len, &m, why, sizeof(why))) {
        gate_verdict_release(v);
        if (i < p->nheld)
            drop_held(p, i);
        return;
    }
    if (v->outcome == GATE_PERMIT) {
        forward_request(p, &m, m.method, v);
    } else {
        refuse(p, m.method, m.id, v);
        gate_verdict_release(v);
    }
    rpc_msg_release(&m);
    drop_held(p, i);
}

/* Progress notifications while a person decides (one at once, then every
 * MCP_HOLD_PROGRESS_MS), so that the client's timeout, when it resets on
 * progress, does not fire. */
static void
send_progress(struct proxy *p, struct held *h)
{
    clock_gettime(CLOCK_MONOTONIC, &h->last);
    char msg[128];
    snprintf(msg, sizeof(msg), "airlock holds this call for a person's approval (%s)", h->hold);
    json_t *n = json_pack("{s:s, s:s, s:{s:O, s:f, s:s}}", "jsonrpc", "2.0", "method",
                          "notifications/progress", "params", "progressToken", h->token, "progress",
                          ++h->progress, "message", msg);
    char *text = n ? json_dumps(n, JSON_COMPACT) : NULL, *line = NULL;
    size_t len = 0;
    json_decref(n);
    /* A message is a line. */
    if (text && asprintf(&line, "%s\n", text) < 0)
        line = NULL;
    len = line ? strlen(line) : 0;
    free(text);
    send_line(p, &p->to_client, line, &len);
}

static void
progress(struct proxy *p)
{
    for (size_t i = 0; i < p->nheld; i++) {
        struct held *h = &p->held[i];
        if (h->token && ms_since(&h->last) >= MCP_HOLD_PROGRESS_MS)
            send_progress(p, h);
    }
}

static void
decide(struct proxy *p, struct rpc_msg *m)
{
    struct gate_verdict v;
    gate_decider_decide(p->gate, m->method, m->params, &v);
    if (v.outcome == GATE_PERMIT) {
        forward_request(p, m, m->method, &v);
        return;
    }
    if (v.outcome == GATE_HELD)
        hold(p, m, &v);
    else
        refuse(p, m->method, m->id, &v);
    gate_verdict_release(&v);
}

static void
note_initialize(struct proxy *p, struct rpc_msg *m)
{
    json_t *params = m->params;
    const char *name =
        json_string_value(json_object_get(json_object_get(params, "clientInfo"), "name"));
    if (!p->o->agent_fixed && name && *name && gate_decider_set_agent(p->gate, name))
        fail(p, "out of memory");
    /* Ask for a version airlock understands: the upstream answers with one
     * of its own, which the response's check holds to the same set. */
    const char *want = json_string_value(json_object_get(params, "protocolVersion"));
    for (size_t i = 0; want && mcp_versions[i]; i++)
        if (!strcmp(want, mcp_versions[i]))
            return;
    if (json_is_object(params) &&
        !json_object_set_new(params, "protocolVersion", json_string(mcp_versions[0])))
        m->modified = 1;
}

/* A method airlock cannot classify is refused, and the refusal recorded:
 * what it does is unknown, so it is neither decided nor relayed.  Its name
 * is quoted up to MCP_MAX_METHOD_SHOWN bytes, cut between characters. */
static void
refuse_method(struct proxy *p, struct rpc_msg *m, int from_server)
{
    char msg[MCP_MAX_METHOD_SHOWN + 128];
    size_t n = strlen(m->method);
    if (n > MCP_MAX_METHOD_SHOWN) {
        n = MCP_MAX_METHOD_SHOWN;
        while (n > 0 && ((unsigned char)m->method[n] & 0xc0) == 0x80)
            n--; /* m->method[n] would start the next character */
    }
    snprintf(msg, sizeof(msg),
             "airlock refused the method \"%.*s\": it is not one MCP "
             "defines, so airlock cannot tell what it does",
             (int)n, m->method);
    json_t *ev =
        json_pack("{s:s%, s:s}", "method", m->method, n, "from", from_server ? "server" : "client");
    if (!ev || gate_decider_record_event(p->gate, "refused-method", ev))
        snprintf(msg, sizeof(msg),
                 "airlock refused this request: it could not be written to "
                 "the audit ledger");
    json_decref(ev);
    if (!m->id)
        return;
    size_t len = 0;
    send_line(p, from_server ? &p->to_up : &p->to_client,
              rpc_error_line(m->id, RPC_METHOD_NOT_FOUND, msg, NULL, &len), &len);
}

static void
handle_client_request(struct proxy *p, struct rpc_msg *m)
{
    if (!strcmp(m->method, "initialize"))
        note_initialize(p, m);
    if (!gate_decides(m->method)) {
        if (rpc_relayed_request(m->method))
            return forward_request(p, m, m->method, NULL);
        return refuse_method(p, m, 0);
    }
    if (!strcmp(m->method, "tools/call") && !gate_decider_tools_known(p->gate)) {
        if (json_array_size(p->deferred) >= MCP_MAX_DEFERRED)
            return reply_error(p, m->id, RPC_AIRLOCK_BUSY,
                               "too many tool calls waiting for the tool list", NULL);
        if (json_array_append_new(p->deferred, json_stringn(m->line, m->len)))
            return fail(p, "out of memory");
        if (!p->listing)
            request_tools(p, NULL);
        return;
    }
    decide(p, m);
}

static void
handle_client_cancel(struct proxy *p, struct rpc_msg *m)
{
    json_t *params = json_object_get(m->root, "params");
    json_t *rid = json_object_get(params, "requestId");
    size_t i;
    json_t *line;
    /* A call still waiting for the tool list is dropped here. */
    json_array_foreach(p->deferred, i, line) {
        json_t *d =
            json_loadb(json_string_value(line), json_string_length(line), JSON_ALLOW_NUL, NULL);
        int same = d && rid && json_equal(json_object_get(d, "id"), rid);
        json_decref(d);
        if (same) {
            json_array_remove(p->deferred, i);
            return;
        }
    }
    for (size_t k = 0; rid && k < p->nheld; k++) {
        if (!json_equal(p->held[k].client_id, rid))
            continue;
        /* A client that gave up waiting leaves the call to the person, whose
         * approval then stands for the same call again; any other
         * cancellation withdraws it. */
        const char *reason = json_string_value(json_object_get(params, "reason"));
        gate_decider_withdraw(p->gate, p->held[k].hold,
                              reason && strcasestr(reason, "timed out") ? "timeout" : "cancelled");
        drop_held(p, k);
        return;
    }
    struct pending *e = rid ? find_pending_by_client(p, rid) : NULL;
    if (!e)
        return; /* already answered, or never seen: nothing to cancel */
    json_object_set_new(params, "requestId", json_integer(e->up_id));
    m->modified = 1;
    emit(p, &p->to_up, m, NULL, 0);
    /* The client will not look at a reply now (MCP: cancellation); one that
     * comes anyway is dropped as a late reply. */
    if (e->decided)
        gate_decider_record_outcome(p->gate, &e->v, NULL, "cancelled", ms_since(&e->start));
    drop_pending(p, e);
}

static void
drop_s2c(struct proxy *p, size_t i)
{
    json_decref(p->s2c[i].up_id);
    free(p->s2c[i].up_id_text);
    if (p->s2c[i].answer)
        gate_verdict_release(&p->s2c[i].v);
    p->s2c[i] = p->s2c[--p->ns2c];
}

/* A decided request of the server's ends: its outcome is recorded (the
 * answer as the response, or what came instead), then it is forgotten. */
static void
end_s2c(struct proxy *p, size_t i, const json_t *response, const char *what)
{
    struct s2c *e = &p->s2c[i];
    if (e->answer &&
        gate_decider_record_outcome(p->gate, &e->v, response, what, ms_since(&e->start)))
        util_log("airlock: could not record the outcome of ledger entry %llu: %s\n",
                 (unsigned long long)e->v.entry, gate_decider_error(p->gate));
    drop_s2c(p, i);
}

/* A refusal for the upstream, in place of what it asked for or was to get. */
static void
refuse_up(struct proxy *p, const json_t *id, const struct gate_verdict *v)
{
    json_t *data = json_pack("{s:s, s:O, s:I}", "decision",
                             v->outcome == GATE_NEEDS_APPROVAL ? "needs-approval" : "deny",
                             "policies", v->policies, "ledgerIndex", (json_int_t)v->entry);
    size_t len = 0;
    send_line(p, &p->to_up, rpc_error_line(id, mcp_refusal_code(v->refusal), v->text, data, &len),
              &len);
    json_decref(data);
}

/* The client answers a request of the server's.  The answer to a decided
 * one (sampling, elicitation) is decided in turn before the server gets it:
 * what the model wrote, or what a person typed, goes to the server. */
static void
handle_client_response(struct proxy *p, struct rpc_msg *m)
{
    for (size_t i = 0; i < p->ns2c; i++) {
        struct s2c *e = &p->s2c[i];
        if (!json_is_integer(m->id) || e->down_id != json_integer_value(m->id))
            continue;
        const json_t *result = json_object_get(m->root, "result");
        struct gate_verdict v;
        int decided = e->answer && result;
        if (decided) {
            gate_decider_decide(p->gate, e->answer, result, &v);
            if (v.outcome != GATE_PERMIT) {
                refuse_up(p, e->up_id, &v);
                gate_verdict_release(&v);
                return end_s2c(p, i, NULL, "answer-refused");
            }
        }
        emit(p, &p->to_up, m, e->up_id_text, e->up_id_len);
        /* The answer's outcome is that the server got it. */
        if (decided && gate_decider_record_outcome(p->gate, &v, m->root, NULL, 0))
            util_log("airlock: could not record the outcome of ledger entry %llu: %s\n",
                     (unsigned long long)v.entry, gate_decider_error(p->gate));
        if (decided)
            gate_verdict_release(&v);
        return end_s2c(p, i, m->root, NULL);
    }
    util_log("airlock: dropped a response from the client to no pending request\n");
}

static void
handle_client_line(struct proxy *p, const char *line, size_t len)
{
    struct rpc_msg m;
    char why[256];
    if (len == 0)
        return;
    if (rpc_parse(line, len, &m, why, sizeof(why))) {
        char msg[300];
        snprintf(msg, sizeof(msg), "Parse error: %s", why);
        return reply_error(p, NULL, RPC_PARSE_ERROR, msg, NULL);
    }
    switch (m.kind) {
    case RPC_INVALID:
        reply_error(p, rpc_id_valid(m.id) ? m.id : NULL, RPC_INVALID_REQUEST, m.why, NULL);
        break;
    case RPC_REQUEST:
        handle_client_request(p, &m);
        break;
    case RPC_NOTIFICATION:
        if (!strcmp(m.method, "notifications/cancelled")) {
            handle_client_cancel(p, &m);
            break;
        }
        if (gate_decides(m.method)) {
            /* A tools/call without an id would reach the server undecided:
             * it cannot be answered, so it is dropped. */
            util_log("airlock: dropped a %s sent as a notification (no id)\n", m.method);
            break;
        }
        if (!rpc_relayed_notification(m.method)) {
            refuse_method(p, &m, 0); /* recorded; a notification gets no answer */
            break;
        }
        emit(p, &p->to_up, &m, NULL, 0);
        if (!strcmp(m.method, "notifications/initialized") && p->server_has_tools && !p->listing &&
            !gate_decider_tools_known(p->gate))
            request_tools(p, NULL);
        break;
    case RPC_RESPONSE:
        handle_client_response(p, &m);
        break;
    }
    rpc_msg_release(&m);
}

/* ---- from the upstream ---- */

static void
note_initialized(struct proxy *p, struct rpc_msg *m)
{
    json_t *root = m->root;
    json_t *result = json_object_get(root, "result");
    const char *ver = json_string_value(json_object_get(result, "protocolVersion"));
    int ok = 0;
    for (size_t i = 0; ver && mcp_versions[i]; i++)
        ok |= !strcmp(ver, mcp_versions[i]);
    if (!result)
        return;
    if (!ok) {
        json_object_del(root, "result");
        json_object_set_new(root, "error",
                            json_pack("{s:i, s:s}", "code", RPC_INTERNAL_ERROR, "message",
                                      "the upstream chose an MCP protocol version airlock "
                                      "does not relay"));
        m->modified = 1;
        return;
    }
    p->server_has_tools = json_object_get(json_object_get(result, "capabilities"), "tools") != NULL;
    if (!p->server_has_tools) {
        json_t *none = json_array();
        char why[GATE_ERR_MAX];
        if (!none || gate_decider_set_tools(p->gate, none, why, sizeof(why)))
            fail(p, none ? why : "out of memory");
        json_decref(none);
    }
    json_t *ev = json_pack("{s:s, s:O*}", "protocolVersion", ver, "serverInfo",
                           json_object_get(result, "serverInfo"));
    if (!ev || gate_decider_record_event(p->gate, "session", ev))
        fail(p, "cannot record the session's start in the ledger");
    json_decref(ev);
}

/* The client's tools/list loses what no approval could permit.  A whole
 * list (one page) that arrives before airlock's own is the catalogue
 * itself; a page of a longer one is held to nothing until airlock has seen
 * the whole list (its next page is still asked for). */
static void
filter_list(struct proxy *p, struct rpc_msg *m, int paged)
{
    json_t *result = json_object_get(m->root, "result");
    json_t *tools = json_object_get(result, "tools");
    char why[GATE_ERR_MAX];
    if (!json_is_array(tools))
        return;
    if (!gate_decider_tools_known(p->gate) && !paged && !json_object_get(result, "nextCursor") &&
        gate_decider_set_tools(p->gate, tools, why, sizeof(why)))
        return fail(p, why);
    if (!gate_decider_tools_known(p->gate)) {
        json_array_clear(tools); /* a page of a list airlock has not seen whole */
        m->modified = 1;
        return;
    }
    if (gate_decider_filter_tools(p->gate, result))
        m->modified = 1;
}

static void
handle_up_response(struct proxy *p, struct rpc_msg *m)
{
    struct pending *e = find_pending(p, m->id);
    if (!e) {
        /* Late replies to what was cancelled are expected; others are not. */
        if (!json_is_integer(m->id) || json_integer_value(m->id) > p->next_up ||
            json_integer_value(m->id) <= 0)
            util_log("airlock: dropped a response from the upstream to no request\n");
        return;
    }
    if (!e->client_id) {
        drop_pending(p, e);
        return tools_page(p, m->root);
    }
    if (!strcmp(e->method, "initialize"))
        note_initialized(p, m);
    else if (!strcmp(e->method, "tools/list"))
        filter_list(p, m, e->paged);
    /* The reply goes first: the request's record was durable before it was
     * forwarded; the outcome's need not hold the reply back. */
    double ms = ms_since(&e->start);
    emit(p, &p->to_client, m, e->client_id_text, e->client_id_len);
    if (e->decided && gate_decider_record_outcome(p->gate, &e->v, m->root, NULL, ms))
        util_log("airlock: could not record the outcome of ledger entry %llu: %s\n",
                 (unsigned long long)e->v.entry, gate_decider_error(p->gate));
    drop_pending(p, e);
}

static void
handle_up_request(struct proxy *p, struct rpc_msg *m)
{
    const json_t *id = m->id;
    if (!rpc_server_request(m->method))
        return refuse_method(p, m, 1);
    if (p->ns2c >= MCP_MAX_INFLIGHT) {
        size_t len = 0;
        send_line(p, &p->to_up,
                  rpc_error_line(id, RPC_AIRLOCK_BUSY, "too many requests in flight", NULL, &len),
                  &len);
        return;
    }
    struct gate_verdict v;
    const char *answer = gate_answer_method(m->method);
    if (answer) {
        /* Decided and recorded before the client sees it; never held. */
        gate_decider_decide(p->gate, m->method, json_object_get(m->root, "params"), &v);
        if (v.outcome != GATE_PERMIT) {
            refuse_up(p, id, &v);
            gate_verdict_release(&v);
            return;
        }
    }
    if (p->ns2c % 64 == 0) {
        struct s2c *n = realloc(p->s2c, (p->ns2c + 64) * sizeof(*n));
        if (!n) {
            if (answer)
                gate_verdict_release(&v);
            return fail(p, "out of memory");
        }
        p->s2c = n;
    }
    struct s2c *e = &p->s2c[p->ns2c++];
    memset(e, 0, sizeof(*e));
    e->down_id = ++p->next_down;
    if (answer) {
        e->answer = answer;
        e->v = v;
    }
    clock_gettime(CLOCK_MONOTONIC, &e->start);
    e->up_id = json_deep_copy(id);
    e->up_id_text = id_bytes(m, &e->up_id_len);
    if (!e->up_id || !e->up_id_text)
        return fail(p, "out of memory");
    emit_as(p, &p->to_client, m, e->down_id);
}

static void
handle_up_notification(struct proxy *p, struct rpc_msg *m)
{
    const char *method = m->method;
    if (!strcmp(method, "notifications/cancelled")) {
        /* The upstream cancels one of its requests to the client. */
        json_t *params = json_object_get(m->root, "params");
        json_t *rid = json_object_get(params, "requestId");
        for (size_t i = 0; rid && i < p->ns2c; i++) {
            if (json_equal(p->s2c[i].up_id, rid)) {
                json_object_set_new(params, "requestId", json_integer(p->s2c[i].down_id));
                m->modified = 1;
                emit(p, &p->to_client, m, NULL, 0);
                end_s2c(p, i, NULL, "cancelled");
                return;
            }
        }
        return;
    }
    if (!strcmp(method, "notifications/tools/list_changed")) {
        gate_decider_tools_stale(p->gate);
        if (!p->listing)
            request_tools(p, NULL);
    }
    emit(p, &p->to_client, m, NULL, 0);
}

static void
handle_up_line(struct proxy *p, const char *line, size_t len)
{
    struct rpc_msg m;
    char why[256];
    if (len == 0)
        return;
    if (rpc_parse(line, len, &m, why, sizeof(why))) {
        util_log("airlock: dropped a line from the upstream that is not JSON: %s\n", why);
        return;
    }
    switch (m.kind) {
    case RPC_INVALID:
        util_log("airlock: dropped an invalid message from the upstream: %s\n", m.why);
        break;
    case RPC_RESPONSE:
        handle_up_response(p, &m);
        break;
    case RPC_REQUEST:
        handle_up_request(p, &m);
        break;
    case RPC_NOTIFICATION:
        handle_up_notification(p, &m);
        break;
    }
    rpc_msg_release(&m);
}

/* ---- the loop ---- */

/* SIGTERM, SIGINT and SIGHUP end the session cleanly (the ledger closes
 * with a checkpoint); the handler only wakes the loop through a pipe. */
static int sig_pipe[2] = {-1, -1};

static void
on_signal(int sig)
{
    unsigned char c = (unsigned char)sig;
    ssize_t r = write(sig_pipe[1], &c, 1);
    (void)r;
}

static int
catch_signals(void)
{
    if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
        return -1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
           sigaction(SIGHUP, &sa, NULL);
}

static void
drain(struct proxy *p, struct mcp_line *r, int from_client)
{
    const char *line;
    size_t len;
    enum mcp_line_status st;
    while (!p->failed && (st = mcp_line_next(r, &line, &len)) != MCP_LINE_NONE) {
        if (st == MCP_LINE_TOO_LONG) {
            char msg[128];
            snprintf(msg, sizeof(msg), "message longer than %zu bytes",
                     from_client ? p->o->max_line : (size_t)MCP_UPSTREAM_MAX_LINE);
            if (from_client)
                reply_error(p, NULL, RPC_AIRLOCK_TOO_LARGE, msg, NULL);
            else
                fail(p, "the upstream sent a message longer than airlock relays");
        } else if (from_client) {
            handle_client_line(p, line, len);
        } else {
            handle_up_line(p, line, len);
        }
    }
}

static void
read_side(struct proxy *p, int fd, struct mcp_line *r, int from_client)
{
    ssize_t n = mcp_line_read(r, fd);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0 && errno == ENOMEM)
        return fail(p, "out of memory");
    if (n <= 0) {
        r->eof = 1;
        if (from_client)
            p->client_eof = 1;
        else
            p->up_eof = 1;
    }
    drain(p, r, from_client);
}

/* Every request still waiting gets an error: the upstream is gone. */
static void
fail_pending(struct proxy *p, const char *how)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "the upstream MCP server %s", how);
    while (p->npend > 0) {
        struct pending *e = &p->pend[0];
        if (e->client_id)
            reply_error(p, e->client_id, RPC_AIRLOCK_UPSTREAM, msg, NULL);
        if (e->decided)
            gate_decider_record_outcome(p->gate, &e->v, NULL,
                                        p->client_eof ? "unanswered" : "upstream-gone",
                                        ms_since(&e->start));
        drop_pending(p, e);
    }
    while (p->ns2c > 0)
        end_s2c(p, 0, NULL, p->client_eof ? "unanswered" : "upstream-gone");
    /* Held calls stay held in airlockd (an approval stands for a retry). */
    while (p->nheld > 0) {
        char held_msg[320];
        snprintf(held_msg, sizeof(held_msg), "%s; the call stays held for a person (%s)", msg,
                 p->held[0].hold);
        reply_error(p, p->held[0].client_id, RPC_AIRLOCK_UPSTREAM, held_msg, NULL);
        drop_held(p, 0);
    }
    size_t i;
    json_t *m;
    json_array_foreach(p->deferred, i, m)
        reply_error(p, json_object_get(m, "id"), RPC_AIRLOCK_UPSTREAM, msg, NULL);
    json_array_clear(p->deferred);
}

/* The client left: nobody waits for its held calls, which stay for a
 * person (an approval stands for the same call again). */
static void
leave_held(struct proxy *p)
{
    while (p->nheld) {
        gate_decider_withdraw(p->gate, p->held[0].hold, "timeout");
        drop_held(p, 0);
    }
}

static int
loop_once(struct proxy *p)
{
    if (p->client_eof && p->nheld)
        leave_held(p);
    /* Answers to held calls: set aside during other exchanges, or come. */
    if (p->nheld) {
        gate_decider_resolved(p->gate, on_resolved, p);
        progress(p);
    }
    if (gate_decider_checkpoint_due(p->gate))
        gate_decider_idle(p->gate); /* never idle, yet signed within a second */
    struct pollfd fds[6];
    int n = 0, ci = -1, ui = -1, co = -1, uo = -1;
    int room = mcp_queue_pending(&p->to_up) < MCP_OUT_HIGH_WATER &&
               mcp_queue_pending(&p->to_client) < MCP_OUT_HIGH_WATER;
    if (!p->client_eof && room && !p->up_eof)
        fds[ci = n++] = (struct pollfd){p->o->in, POLLIN, 0};
    if (!p->up_eof && mcp_queue_pending(&p->to_client) < MCP_OUT_HIGH_WATER)
        fds[ui = n++] = (struct pollfd){p->up.out, POLLIN, 0};
    if (mcp_queue_pending(&p->to_client))
        fds[co = n++] = (struct pollfd){p->o->out, POLLOUT, 0};
    if (!p->up_in_closed && mcp_queue_pending(&p->to_up))
        fds[uo = n++] = (struct pollfd){p->up.in, POLLOUT, 0};
    if (n == 0)
        return -1;
    int si = n++;
    fds[si] = (struct pollfd){sig_pipe[0], POLLIN, 0};
    /* Its readiness is read by gate_resolved, on the next turn. */
    if (p->nheld && gate_decider_fd(p->gate) >= 0)
        fds[n++] = (struct pollfd){gate_decider_fd(p->gate), POLLIN, 0};
    /* Once the client is gone, the upstream gets a grace period to end. */
    int timeout = p->client_eof && p->up_in_closed ? MCP_EXIT_GRACE_SECONDS * 1000 : -1;
    /* Quiet for a while with nothing in flight: the moment to checkpoint
     * what was recorded (clients often kill their servers, airlock with
     * them, without a word), without delaying any call. */
    int idle = timeout < 0 && p->npend == 0 && gate_decider_unsigned(p->gate);
    int wait = idle ? MCP_IDLE_CHECKPOINT_MS : timeout;
    /* Held calls: progress to send, a lost daemon to reach again. */
    if (p->nheld && (wait < 0 || wait > MCP_HOLD_POLL_MS))
        wait = MCP_HOLD_POLL_MS;
    /* The next line may be microseconds away, and blocking would cost a
     * sleep and a wake-up: spun while such lines come promptly. */
    int ready = util_wait(&p->spin[p->npend > 0], fds, (size_t)n, wait);
    if (ready == 0 && idle) {
        gate_decider_idle(p->gate);
        return 0;
    }
    if (ready == 0 && p->nheld)
        return 0;
    if (ready < 0)
        return errno == EINTR ? 0 : -1;
    if (ready == 0)
        return -1;
    if (fds[si].revents) {
        p->signalled = 1;
        return -1;
    }
    if (co >= 0 && fds[co].revents && mcp_queue_flush(&p->to_client))
        return -1; /* the client is gone */
    if (uo >= 0 && fds[uo].revents && mcp_queue_flush(&p->to_up)) {
        close(p->up.in);
        p->up_in_closed = 1;
    }
    if (ci >= 0 && fds[ci].revents)
        read_side(p, p->o->in, &p->from_client, 1);
    if (ui >= 0 && fds[ui].revents)
        read_side(p, p->up.out, &p->from_up, 0);
    /* The client is done and all it said has reached the upstream: close
     * the upstream's input so it can finish. */
    if (p->client_eof && !p->up_in_closed && !mcp_queue_pending(&p->to_up)) {
        close(p->up.in);
        p->up_in_closed = 1;
    }
    return 0;
}

static void
set_nonblock(int fd, int *saved)
{
    *saved = fcntl(fd, F_GETFL);
    if (*saved >= 0)
        fcntl(fd, F_SETFL, *saved | O_NONBLOCK);
}

static void
flush_blocking(struct proxy *p)
{
    for (int i = 0; i < 1000 && mcp_queue_pending(&p->to_client); i++) {
        struct pollfd f = {p->o->out, POLLOUT, 0};
        if (poll(&f, 1, 100) < 0 || mcp_queue_flush(&p->to_client))
            break;
    }
}

static int
finish(struct proxy *p)
{
    char how[64];
    if (!p->up_in_closed) {
        close(p->up.in);
        p->up_in_closed = 1;
    }
    /* A server still running has had its grace period, or airlock is told
     * to stop: ask it to end now. */
    if (!p->up_eof)
        kill(p->up.pid, SIGTERM);
    int status = mcp_upstream_reap(&p->up, MCP_EXIT_GRACE_SECONDS, how, sizeof(how));
    int rc = 0;
    if (p->failed) {
        fail_pending(p, "was stopped by airlock");
        rc = 1;
    } else if (p->signalled) {
        fail_pending(p, "was stopped: airlock received a signal to end");
        rc = 1;
        snprintf(p->err, p->errlen, "stopped by a signal");
    } else if (!p->client_eof) {
        /* The upstream left while the client still wanted it. */
        fail_pending(p, how);
        snprintf(p->err, p->errlen, "the upstream MCP server %s", how);
        rc = 1;
    } else {
        /* The client left first: what it still waited for is unanswered. */
        fail_pending(p, "was not asked to finish: the client closed the session");
    }
    json_t *ev = json_pack("{s:s, s:i}", "end", how, "exitStatus", status);
    if (!ev || gate_decider_record_event(p->gate, "session-end", ev))
        util_log("airlock: could not record the session's end in the ledger\n");
    json_decref(ev);
    flush_blocking(p);
    return rc;
}

static void
proxy_init(struct proxy *p, const struct mcp_proxy_opts *o, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    p->o = o;
    p->gate = o->gate;
    p->err = err;
    p->errlen = errlen;
    p->to_client.fd = o->out;
    p->to_up.fd = -1;
    p->spin[0].us = p->spin[1].us = MCP_SPIN_US;
    mcp_line_init(&p->from_client, o->max_line);
    mcp_line_init(&p->from_up, MCP_UPSTREAM_MAX_LINE);
    p->deferred = json_array();
    p->tool_pages = json_array();
}

static void
proxy_release(struct proxy *p)
{
    while (p->npend)
        drop_pending(p, &p->pend[0]);
    while (p->ns2c)
        drop_s2c(p, 0);
    while (p->nheld)
        drop_held(p, 0);
    free(p->held);
    free(p->pend);
    free(p->s2c);
    json_decref(p->deferred);
    json_decref(p->tool_pages);
    mcp_line_release(&p->from_client);
    mcp_line_release(&p->from_up);
    mcp_queue_release(&p->to_client);
    mcp_queue_release(&p->to_up);
}

int
mcp_proxy_run(const struct mcp_proxy_opts *o, char *err, size_t errlen)
{
    struct proxy p;
    int saved_in, saved_out, rc;
    proxy_init(&p, o, err, errlen);
    signal(SIGPIPE, SIG_IGN);
    if (catch_signals()) {
        snprintf(err, errlen, "cannot set up signal handling");
        proxy_release(&p);
        return 1;
    }
    if (mcp_upstream_start(&p.up, o->argv, o->env, err, errlen)) {
        proxy_release(&p);
        return 1;
    }
    p.to_up.fd = p.up.in;
    set_nonblock(o->in, &saved_in);
    set_nonblock(o->out, &saved_out);
    while (!p.failed && !p.up_eof) {
        if (loop_once(&p))
            break;
    }
    rc = finish(&p);
    if (saved_in >= 0)
        fcntl(o->in, F_SETFL, saved_in);
    if (saved_out >= 0)
        fcntl(o->out, F_SETFL, saved_out);
    proxy_release(&p);
    if (p.up.out > 0)
        close(p.up.out);
    return rc;
}

/* ---- the routing alone (fuzz/fuzz_mcp_route.c) ---- */

struct mcp_session {
    struct mcp_proxy_opts o;
    struct proxy p;
    char err[256];
};

struct mcp_session *
mcp_session_new(struct gate_decider *g, size_t max_line)
{
    struct mcp_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->o = (struct mcp_proxy_opts){.gate = g, .max_line = max_line, .in = -1, .out = -1};
    proxy_init(&s->p, &s->o, s->err, sizeof(s->err));
    return s;
}

void
mcp_session_line(struct mcp_session *s, int from_client, const char *line, size_t len)
{
    if (s->p.failed)
        return;
    if (from_client)
        handle_client_line(&s->p, line, len);
    else
        handle_up_line(&s->p, line, len);
    /* Nothing reads the queues here: forget what was sent. */
    s->p.to_client.off = s->p.to_client.len = 0;
    s->p.to_up.off = s->p.to_up.len = 0;
}

void
mcp_session_free(struct mcp_session *s)
{
    if (!s)
        return;
    proxy_release(&s->p);
    free(s);
}
