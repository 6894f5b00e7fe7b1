/*
 * gate_decider.h - the decision seam: what a transport asks of whatever
 * decides for it.
 *
 * The MCP relay (and, next, the agents' hooks and the HTTP side) programs
 * against this interface and nothing else: decide a request, record its
 * outcome, learn the tools offered, hear of held calls resolved and
 * withdraw them, wait on a file descriptor.  Two implementations:
 *
 *   - the local gate (gate.h: gate_decider(g)): describe, inspect, Cedar,
 *     the ledger, in this process;
 *   - airlockd's client (src/client/client.h): the same calls as frames to
 *     airlockd over its socket, which decides with its own policies,
 *     ledger and approvals.
 *
 * Verdicts are the gate's (struct gate_verdict): an outcome, a refusal
 * kind (enum gate_refusal: the transport maps it to its own error codes),
 * a text for a person, the determining policies.  Both fail closed: a
 * call that cannot be decided is a refusal saying why.
 */
#ifndef GATE_DECIDER_H
#define GATE_DECIDER_H

#include <jansson.h>
#include <stddef.h>

#include "gate.h"

struct gate_decider;

/* Each call is documented at its wrapper below. */
struct gate_decider_ops {
    int (*set_agent)(struct gate_decider *d, const char *agent);
    int (*set_tools)(struct gate_decider *d, const json_t *tools, char *err, size_t errlen);
    int (*tools_known)(const struct gate_decider *d);
    void (*tools_stale)(struct gate_decider *d);
    size_t (*filter_tools)(struct gate_decider *d, json_t *result);
    void (*decide)(struct gate_decider *d, const char *method, const json_t *params,
                   struct gate_verdict *v);
    int (*record_outcome)(struct gate_decider *d, const struct gate_verdict *v,
                          const json_t *response, const char *what, double ms);
    int (*record_event)(struct gate_decider *d, const char *type, json_t *fields);
    int (*fd)(const struct gate_decider *d);
    int (*holds)(const struct gate_decider *d);
    int (*resolved)(struct gate_decider *d, void (*fn)(void *arg, struct gate_verdict *v),
                    void *arg);
    void (*withdraw)(struct gate_decider *d, const char *hold, const char *what);
    void (*idle)(struct gate_decider *d);
    int (*unsigned_records)(const struct gate_decider *d);
    int (*checkpoint_due)(const struct gate_decider *d);
    int (*flush)(struct gate_decider *d);
    const char *(*error)(const struct gate_decider *d);
    void (*close)(struct gate_decider *d);
};

/* An implementation embeds this as its first member. */
struct gate_decider {
    const struct gate_decider_ops *ops;
};

/* The principal, once known (--agent or the client's clientInfo.name). */
static inline int
gate_decider_set_agent(struct gate_decider *d, const char *agent)
{
    return d->ops->set_agent(d, agent);
}

/* The upstream's complete tool list (definitions).  -1 with err: the
 * session must stop. */
static inline int
gate_decider_set_tools(struct gate_decider *d, const json_t *tools, char *err, size_t errlen)
{
    return d->ops->set_tools(d, tools, err, errlen);
}

static inline int
gate_decider_tools_known(const struct gate_decider *d)
{
    return d->ops->tools_known(d);
}

/* Forget the tool list (after notifications/tools/list_changed). */
static inline void
gate_decider_tools_stale(struct gate_decider *d)
{
    d->ops->tools_stale(d);
}

/* Remove from a tools/list result the tools no approval could permit;
 * how many it hid (gate_filter_tools). */
static inline size_t
gate_decider_filter_tools(struct gate_decider *d, json_t *result)
{
    return d->ops->filter_tools(d, result);
}

/* Decide a request and record it (gate_decide).  Always fills v. */
static inline void
gate_decider_decide(struct gate_decider *d, const char *method, const json_t *params,
                    struct gate_verdict *v)
{
    d->ops->decide(d, method, params, v);
}

/* Record the reply to a permitted request (gate_record_outcome). */
static inline int
gate_decider_record_outcome(struct gate_decider *d, const struct gate_verdict *v,
                            const json_t *response, const char *what, double ms)
{
    return d->ops->record_outcome(d, v, response, what, ms);
}

/* Record a session event (start, end) with extra fields (borrowed). */
static inline int
gate_decider_record_event(struct gate_decider *d, const char *type, json_t *fields)
{
    return d->ops->record_event(d, type, fields);
}

/* Held calls: a person decides later, and the answer comes unasked.  fd is
 * what to poll for it (-1: none; the local gate never holds), holds how
 * many are held, and resolved hands each answer that came (v->hold says
 * which call; fn owns v and releases it): how many it handed over, or -1
 * when the connection is lost (they stay held; it connects again on the
 * next call). */
static inline int
gate_decider_fd(const struct gate_decider *d)
{
    return d->ops->fd(d);
}

static inline int
gate_decider_holds(const struct gate_decider *d)
{
    return d->ops->holds(d);
}

static inline int
gate_decider_resolved(struct gate_decider *d, void (*fn)(void *arg, struct gate_verdict *v),
                      void *arg)
{
    return d->ops->resolved(d, fn, arg);
}

/* The client gave up on a held call: "cancelled" withdraws it; "timeout"
 * leaves it for a person, whose approval then stands for the same call
 * again (docs/approvals.md). */
static inline void
gate_decider_withdraw(struct gate_decider *d, const char *hold, const char *what)
{
    d->ops->withdraw(d, hold, what);
}

/* The ledger's rhythm (gate_idle, gate_unsigned, gate_checkpoint_due,
 * gate_flush): airlockd's client leaves them to airlockd. */
static inline void
gate_decider_idle(struct gate_decider *d)
{
    d->ops->idle(d);
}

static inline int
gate_decider_unsigned(const struct gate_decider *d)
{
    return d->ops->unsigned_records(d);
}

static inline int
gate_decider_checkpoint_due(const struct gate_decider *d)
{
    return d->ops->checkpoint_due(d);
}

static inline int
gate_decider_flush(struct gate_decider *d)
{
    return d->ops->flush(d);
}

/* Why its last record failed, for the one place that says so. */
static inline const char *
gate_decider_error(const struct gate_decider *d)
{
    return d->ops->error(d);
}

/* Close it (NULL: nothing), writing what it holds. */
static inline void
gate_decider_close(struct gate_decider *d)
{
    if (d)
        d->ops->close(d);
}

#endif
