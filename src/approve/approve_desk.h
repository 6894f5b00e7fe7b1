/*
 * approve_desk.h - the approvals desk: everything a held call lives
 * through, for whichever transport brings it.
 *
 * The agent's side: a call the policies permit only with a person's
 * approval is checked against the grants and against an approval of the
 * very same call nobody used yet (approve_desk_admit), else held
 * (approve_desk_hold_new): recorded, stored, announced on the webhook, and
 * resolved later when a person decides, the client withdraws it or its
 * time runs out (approve_desk_tick).  A permitted call opens the exposures
 * it widens and closes those it narrows or revokes (approve_desk_exposures).
 *
 * The people's side: pending, approve (votes, quorum, one-time codes,
 * grants), deny, grants, revoke, exposures, close, enroll, reload
 * (approve_desk_command), each decided by Cedar on the administrative
 * policies (approve_authz.h) for a caller whose identity the transport
 * vouches for (the kernel's word on airlockd's socket; a signed-in person
 * over HTTP).
 *
 * What it does not own, it is given (struct approve_desk_hooks): the
 * ledger (every step is a record before it takes effect: one that cannot
 * be recorded does not happen, fail closed), and the sessions waiting for
 * held calls (the transport's frames and connections).  Single-threaded:
 * the owner's loop calls it.
 */
#ifndef APPROVE_DESK_H
#define APPROVE_DESK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../gate/gate.h"
#include "../store/store.h"
#include "approve_authz.h"
#include "approve_config.h"
#include "approve_notify.h"

#define APPROVE_MAX_NOTE 1024 /* bytes of a reason or a note a person gives */

/* An agent's session, as the desk sees it (strings borrowed). */
struct approve_session {
    int64_t uid;         /* its user's uid */
    const char *user;    /* its user's name, or NULL when the uid has none */
    const char *agent;   /* or NULL: unknown */
    const char *session; /* the gate's session id */
    const char *server;  /* the upstream's name */
};

/* A person giving a command (strings borrowed). */
struct approve_caller {
    int64_t uid;
    const char *user; /* User::"<user>" in the administrative policies */
    /* The transport knows the caller's user runs agents (a session of
     * theirs is open, the configuration names them): then they are never a
     * person here.  The desk also asks the store, which remembers every
     * user that ever ran one. */
    int runs_agents;
};

struct approve_desk_hooks {
    void *arg;
    /* Write rec durably to the ledger (the owner adds the time): 0, or -1. */
    int (*record)(void *arg, json_t *rec);
    /* Every session waiting for held call id is told v (v->hold is set by
     * the owner) and waits no more. */
    void (*resolve)(void *arg, const char *id, const struct gate_verdict *v);
    /* One session waiting for id, which waits no more: its handle (and
     * *s filled), or NULL when none waits.  deliver then tells it v. */
    void *(*take_waiter)(void *arg, const char *id, struct approve_session *s);
    void (*deliver)(void *arg, void *waiter, const struct gate_verdict *v);
};

struct approve_desk {
    struct store *store;
    struct approve_authz *authz;
    struct approve_config cfg;
    struct notify *notify; /* the webhook, or NULL */
    struct approve_desk_hooks h;
    /* Exposures open in the store, kept so that a permitted call looks
     * for narrowing commands only when one is open; recounted from the
     * store whenever it would reach 0. */
    int64_t open_exposures;
    int64_t last_tick;
    /* Shadow mode for the agents' own tools (docs/hooks.md), as the store
     * last said; off when the store cannot say (fail closed). */
    struct store_shadow shadow;
};

/* The desk over an open store and authorizer (both owned from now on) and
 * the webhook (owned; may be NULL).  Counts the open exposures. */
void approve_desk_init(struct approve_desk *k, struct store *st, struct approve_authz *az,
                       const struct approve_config *cfg, struct notify *notify,
                       const struct approve_desk_hooks *h);
/* Stops the webhook (what is queued is posted first), closes the rest. */
void approve_desk_release(struct approve_desk *k);

/* ---- the agent's side ---- */

/* Whether shadow mode is on: the agents' own tools are decided and
 * recorded, and let through whatever the decision (gate_set_shadow). */
int approve_desk_shadow(const struct approve_desk *k);

enum approve_admit {
    APPROVE_PERMITTED,  /* a grant or an approval covers it: v permits it */
    APPROVE_HELD,       /* the same call is held already: v->hold names it */
    APPROVE_NEEDS_HOLD, /* nothing covers it: hold it (approve_desk_hold_new) */
    APPROVE_REFUSED,    /* it cannot be held: why says so */
};

/* After the gate said "needs approval" for s's call (method, params): a
 * live grant or an unused approval of the same call lets it through, the
 * same call already held is that hold, else it needs a hold. */
enum approve_admit approve_desk_admit(struct approve_desk *k, const struct approve_session *s,
                                      const char *method, const json_t *params,
                                      struct gate_verdict *v, char *why, size_t n);
/* Hold it: recorded, stored and announced; v becomes GATE_HELD with its
 * id in v->hold.  0, or -1 with why. */
int approve_desk_hold_new(struct approve_desk *k, const struct approve_session *s,
                          const char *method, const json_t *params, struct gate_verdict *v,
                          char *why, size_t n);
/* The call that could not be held is refused, saying why. */
void approve_desk_refuse(struct gate_verdict *v, const char *why);

enum approve_wait {
    APPROVE_WAIT_PENDING, /* still held: the session waits for it */
    APPROVE_WAIT_ENDED,   /* decided, expired or withdrawn: v says how */
    APPROVE_WAIT_UNKNOWN, /* no held call of this user by that id */
};

/* A session that connected again asks for held call id of its user. */
enum approve_wait approve_desk_wait(struct approve_desk *k, const struct approve_session *s,
                                    const char *id, struct gate_verdict *v);
/* The client gave up on id: cancelled withdraws it; else (a timeout) it
 * stays for a person, whose approval then stands for the same call.  0, or
 * -1 when that could not be recorded. */
int approve_desk_withdraw(struct approve_desk *k, const struct approve_session *s, const char *id,
                          int cancelled);
/* A permitted call of s's (v): the exposures it opens, and those it closes. */
void approve_desk_exposures(struct approve_desk *k, const struct approve_session *s,
                            const json_t *params, const struct gate_verdict *v);
/* The agent's user runs agents from now on (never a person here). */
int approve_desk_agent_user(struct approve_desk *k, int64_t uid, const char *user);

/* At most once a second: held calls that ran out, grants that ended,
 * exposure alerts. */
void approve_desk_tick(struct approve_desk *k);

/* ---- the people's side ---- */

/* People's command what ("pending", "approve", "deny", "grants", "revoke",
 * "exposures", "close", "totp-enroll") with its arguments (an object): 0
 * with *answer (owned by the caller), or -1 with err (the refusal, already
 * recorded when it was a policy's). */
int approve_desk_command(struct approve_desk *k, const struct approve_caller *who, const char *what,
                         const json_t *args, json_t **answer, char *err, size_t errlen);
/* Whether who may do action on resource type::id (the administrative
 * policies, for the commands the owner serves itself: the ledger); a
 * refusal is recorded, and err says which policy. */
int approve_desk_allowed(struct approve_desk *k, const struct approve_caller *who,
                         const char *command, const char *action, const char *type, const char *id,
                         char *err, size_t errlen);
/* The administrative policies and entities read again (files: NULL for
 * the built-in ones), if who may: 0, or -1 with err. */
int approve_desk_reload(struct approve_desk *k, const struct approve_caller *who,
                        const char *policies, const char *entities, char *err, size_t errlen);

#endif
