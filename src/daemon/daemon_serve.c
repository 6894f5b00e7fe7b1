/*
 * daemon_serve.c - one frame from a session, and its answer.
 *
 * Everything a client sends is checked here before the gate sees it: names
 * are NUL-free and bounded (the wire did the bounds), JSON is strict, the
 * outcome and event kinds are the gate's own few (they are written into
 * ledger records), and nothing but WIRE_HELLO comes before the session exists.
 */
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../mcp/mcp_rpc.h"
#include "../util/util_log.h"
#include "../gate/gate_agent.h"
#include "daemon_int.h"

void
daemon_conn_release(struct conn *c)
{
    gate_close(c->gate);
    if (c->fd >= 0)
        close(c->fd);
    wire_in_release(&c->in);
    wire_release(&c->out);
    wire_release(&c->outbox);
    wire_release(&c->unsent);
    free(c->waits);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

int
daemon_flush(struct conn *c)
{
    size_t done = 0;
    while (done < c->unsent.n) {
        /* MSG_NOSIGNAL: a peer that is gone is an error here, not a signal */
        ssize_t k =
            send(c->fd, c->unsent.b + done, c->unsent.n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (k <= 0) {
            c->dead = 1;
            return -1;
        }
        done += (size_t)k;
    }
    memmove(c->unsent.b, c->unsent.b + done, c->unsent.n - done);
    c->unsent.n -= done;
    return 0;
}

int
daemon_push(struct conn *c, const char *p, size_t n)
{
    if (c->dead || c->unsent.n + n > DAEMON_MAX_UNREAD + WIRE_MAX_FRAME ||
        wire_put(&c->unsent, p, n)) {
        c->dead = 1;
        return -1;
    }
    return daemon_flush(c);
}

int
daemon_send(struct conn *c)
{
    if (!c->defer)
        return wire_seal(&c->out) ? -1 : daemon_push(c, c->out.b, c->out.n);
    if (wire_queue(&c->outbox, &c->out))
        return -1;
    c->nqueued++;
    return 0;
}

/* A text field as a C string: no NUL inside, not empty. */
static int
text(const struct wire_msg *m, enum wire_tag t, char *out, size_t cap)
{
    const struct wire_field *f = &m->f[t];
    if (!wire_has(m, t) || f->n == 0 || f->n >= cap || memchr(f->p, '\0', f->n))
        return -1;
    memcpy(out, f->p, f->n);
    out[f->n] = '\0';
    return 0;
}

static json_t *
json_field(const struct wire_msg *m)
{
    if (!wire_has(m, WT_JSON))
        return NULL;
    return json_loadb(m->f[WT_JSON].p, m->f[WT_JSON].n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                      NULL);
}

static int
reply_error(struct conn *c, const char *why)
{
    wire_begin(&c->out, WIRE_ERROR);
    wire_add(&c->out, WT_TEXT, why, strnlen(why, WIRE_MAX_TEXT));
    return daemon_send(c);
}

static int
reply_ok(struct conn *c, const char *json, int64_t number, int has_number)
{
    wire_begin(&c->out, WIRE_OK);
    if (json)
        wire_add_str(&c->out, WT_JSON, json);
    if (has_number)
        wire_add_num(&c->out, WT_NUMBER, number);
    return daemon_send(c);
}

/* The agents the connection's user may run ("users"), NULL if none; *pw
 * its passwd entry (NULL if the uid has none). */
static const json_t *
agents_of(const struct daemon *d, const struct conn *c, struct passwd **pw)
{
    *pw = getpwuid(c->uid);
    return *pw ? json_object_get(d->cfg.users, (*pw)->pw_name) : NULL;
}

/* May the connection's user run agent?  With no "users" in the
 * configuration anyone runs any agent; with it, only what it lists. */
static int
allowed(const struct daemon *d, const struct conn *c, const char *agent, char *why, size_t n)
{
    struct passwd *pw;
    if (!d->cfg.users)
        return 1;
    const json_t *list = agents_of(d, c, &pw);
    size_t i;
    json_t *a;
    if (!list) {
        snprintf(why, n, "uid %u (%s) may not run agents here", (unsigned)c->uid,
                 pw ? pw->pw_name : "no such user");
        return 0;
    }
    json_array_foreach(list, i, a)
        if (!agent || !strcmp(json_string_value(a), agent))
            return 1;
    snprintf(why, n, "%s may not run the agent \"%s\"", pw->pw_name, agent);
    return 0;
}

/* The one agent a user may run, when the configuration names exactly one. */
static const char *
only_agent(const struct daemon *d, const struct conn *c)
{
    struct passwd *pw;
    const json_t *list = d->cfg.users ? agents_of(d, c, &pw) : NULL;
    return json_array_size(list) == 1 ? json_string_value(json_array_get(list, 0)) : NULL;
}

static int
hello(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char server[WIRE_MAX_NAME + 1], agent[WIRE_MAX_NAME + 1], err[GATE_ERR_MAX];
    int has_agent = wire_has(m, WT_AGENT);
    if (c->gate || text(m, WT_SERVER, server, sizeof(server)) ||
        (has_agent && text(m, WT_AGENT, agent, sizeof(agent))))
        return reply_error(c, "a session says hello once, with a server name"), -1;
    /* A user with one agent is that agent, whatever the client says (also
     * when it connects again); with several, the name must be one of them. */
    const char *only = only_agent(d, c);
    if (!only && !allowed(d, c, has_agent ? agent : NULL, err, sizeof(err)))
        return reply_error(c, err), -1;
    struct passwd *pw = getpwuid(c->uid);
    char uid[32];
    snprintf(uid, sizeof(uid), "uid %u", (unsigned)c->uid);
    /* Its user runs agents: never a person in approvals from now on. */
    if (approve_desk_agent_user(&d->desk, c->uid, pw ? pw->pw_name : uid))
        return reply_error(c, "the session could not be recorded"), -1;
    struct gate_opts go = {.policies = d->o->policies,
                           .entities = d->o->entities,
                           .schema = d->o->schema,
                           .cfg = &d->cfg,
                           .log = d->log,
                           .dir = d->o->dir,
                           .server = server,
                           .agent = only        ? only
                                    : has_agent ? agent
                                                : NULL,
                           .user = pw ? pw->pw_name : uid,
                           .holds = 1,
                           .insp = d->insp,
                           .sessions = d->sessions};
    if (gate_open(&c->gate, &go, err, sizeof(err)))
        return reply_error(c, err), -1;
    /* Its records share the round's one fdatasync (daemon.c). */
    gate_hold_records(c->gate);
    return reply_ok(c, NULL, 0, 0);
}

static int
set_agent(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char agent[WIRE_MAX_NAME + 1], why[256];
    if (text(m, WT_AGENT, agent, sizeof(agent)))
        return reply_error(c, "not an agent name");
    /* A user with one configured agent is that agent, whatever the client
     * calls itself; with several, the client's name must be one of them. */
    if (only_agent(d, c))
        return reply_ok(c, NULL, 0, 0);
    if (!allowed(d, c, agent, why, sizeof(why)))
        return reply_error(c, why), -1;
    if (gate_set_agent(c->gate, agent))
        return reply_error(c, "out of memory");
    return reply_ok(c, NULL, 0, 0);
}

static int
tools(struct conn *c, const struct wire_msg *m)
{
    char err[GATE_ERR_MAX];
    json_t *t = json_field(m);
    int rc = t && json_is_array(t) ? gate_set_tools(c->gate, t, err, sizeof(err)) : -1;
    if (!t || !json_is_array(t))
        snprintf(err, sizeof(err), "a tool list must be a JSON array");
    json_decref(t);
    return rc ? reply_error(c, err) : reply_ok(c, NULL, 0, 0);
}

static int
decide(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char method[WIRE_MAX_NAME + 1];
    struct gate_verdict v;
    json_t *params = json_field(m);
    if (text(m, WT_METHOD, method, sizeof(method)) || !params ||
        !(gate_decides(method) || gate_decides_server(method) || gate_decides_agent(method))) {
        json_decref(params);
        return reply_error(c, "not a request the gate decides");
    }
    gate_set_shadow(c->gate, approve_desk_shadow(&d->desk));
    gate_decide(c->gate, method, params, &v);
    /* The server's requests are not held, nor what the agent's own user
     * may confirm (the hook asks them). */
    if (v.outcome == GATE_NEEDS_APPROVAL && v.refusal != GATE_REFUSED_CONFIRM &&
        (gate_decides(method) || gate_decides_agent(method)))
        daemon_hold(d, c, method, params, &v);
    else if (v.outcome == GATE_PERMIT) {
        char user[256];
        struct approve_session s;
        daemon_session(c, &s, user, sizeof(user));
        approve_desk_exposures(&d->desk, &s, params, &v);
    }
    int rc = daemon_send_verdict(c, WIRE_VERDICT, &v);
    gate_verdict_release(&v);
    json_decref(params);
    return rc;
}

/* The kinds the gate writes for a call that did not come back. */
static int
outcome_kind(const char *what)
{
    return !strcmp(what, "cancelled") || !strcmp(what, "upstream-gone") ||
           !strcmp(what, "unanswered") || !strcmp(what, "answer-refused");
}

static int
outcome(struct conn *c, const struct wire_msg *m)
{
    int64_t entry, effects, us;
    char what[WIRE_MAX_NAME + 1] = "";
    json_t *resp = json_field(m);
    if (wire_number(m, WT_ENTRY, &entry) || wire_number(m, WT_EFFECTS, &effects) ||
        wire_number(m, WT_MS, &us) || entry < 0 || us < 0 ||
        (!resp && (text(m, WT_WHAT, what, sizeof(what)) || !outcome_kind(what)))) {
        json_decref(resp);
        return reply_error(c, "an outcome needs an entry, effects, a duration and a result"), -1;
    }
    struct gate_verdict v = {.entry = (uint64_t)entry, .effects = (unsigned)effects & 7u};
    int rc = gate_record_outcome(c->gate, &v, resp, resp ? NULL : what, (double)us / 1000.0);
    json_decref(resp);
    /* Outcomes are not answered (the client does not wait for them); one
     * that cannot be recorded is said here. */
    if (rc)
        util_log("airlockd: the outcome of entry %lld could not be recorded\n", (long long)entry);
    return 0;
}

/* Session events, with who is asking as the kernel says. */
static int
event(struct conn *c, const struct wire_msg *m)
{
    char what[WIRE_MAX_NAME + 1];
    json_t *fields = wire_has(m, WT_JSON) ? json_field(m) : json_object();
    if (text(m, WT_WHAT, what, sizeof(what)) ||
        (strcmp(what, "session") && strcmp(what, "session-end") &&
         strcmp(what, "refused-method")) ||
        !json_is_object(fields)) {
        json_decref(fields);
        return reply_error(c, "not a session event");
    }
    struct passwd *pw = getpwuid(c->uid);
    json_object_set_new(fields, "uid", json_integer(c->uid));
    json_object_set_new(fields, "pid", json_integer(c->pid));
    json_object_set_new(fields, "user", json_string(pw ? pw->pw_name : "?"));
    int rc = gate_record_event(c->gate, what, fields);
    json_decref(fields);
    return rc ? reply_error(c, "the event could not be recorded") : reply_ok(c, NULL, 0, 0);
}

static int
filter(struct conn *c, const struct wire_msg *m)
{
    json_t *result = json_field(m);
    if (!json_is_object(result)) {
        json_decref(result);
        return reply_error(c, "a tools/list result must be a JSON object");
    }
    size_t hidden = gate_filter_tools(c->gate, result);
    char *s = json_dumps(result, JSON_COMPACT);
    json_decref(result);
    int rc = s ? reply_ok(c, s, (int64_t)hidden, 1) : reply_error(c, "out of memory");
    free(s);
    return rc;
}

static int
dispatch(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    if (m->type == WIRE_HELLO)
        return hello(d, c, m);
    if (m->type == WIRE_ADMIN) /* people's commands need no session */
        return daemon_admin(d, c, m);
    if (!c->gate)
        return reply_error(c, "say hello first"), -1;
    switch (m->type) {
    case WIRE_AGENT:
        return set_agent(d, c, m);
    case WIRE_TOOLS:
        return tools(c, m);
    case WIRE_STALE:
        gate_tools_stale(c->gate);
        return reply_ok(c, NULL, 0, 0);
    case WIRE_DECIDE:
        return decide(d, c, m);
    case WIRE_WAIT:
        return daemon_wait(d, c, m);
    case WIRE_WITHDRAW:
        return daemon_withdraw(d, c, m);
    case WIRE_OUTCOME:
        return outcome(c, m);
    case WIRE_EVENT:
        return event(c, m);
    case WIRE_FILTER:
        return filter(c, m);
    default:
        return reply_error(c, "not a request a client sends"), -1;
    }
}

int
daemon_serve(struct daemon *d, struct conn *c)
{
    char err[256];
    const char *body;
    size_t len;
    struct wire_msg m;
    if (!wire_buffered(&c->in) && wire_fill(c->fd, &c->in, err, sizeof(err)) < 0)
        return -1;
    /* Frames that came together are served together, until what it was
     * answered and has not read reaches DAEMON_MAX_UNREAD: the rest wait
     * in c->in until it reads (the loop comes back to them). */
    for (;;) {
        if (c->outbox.n + c->unsent.n >= DAEMON_MAX_UNREAD)
            return 0;
        int r = wire_take(&c->in, &body, &len, err, sizeof(err));
        if (r <= 0)
            return r;
        if (wire_parse(body, len, &m, err, sizeof(err))) {
            reply_error(c, err);
            return -1;
        }
        if (dispatch(d, c, &m))
            return -1;
    }
}
