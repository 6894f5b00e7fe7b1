/*
 * store.h - airlockd's durable state for people's decisions, as typed rows
 * behind an interface: held actions, votes, time-boxed grants, open
 * exposures, the users that ran agents, TOTP enrolments, shadow mode.
 *
 * struct store is an interface (struct store_ops): SQLite implements it
 * today (store_sqlite.c: WAL, synchronous=FULL, so a decision that was
 * acknowledged survives a crash); PostgreSQL will be a second
 * implementation of the same operations, not a fork.  Every query is a
 * function here; transactions are explicit (store_begin, store_commit,
 * store_rollback: without them each operation is its own); ids are fixed
 * texts, times Unix seconds (int64_t), statuses an enum.
 *
 * Every function returns 0, or -1 with the store's error (store_error).
 * A row read is the caller's: release it (store_*_release).  A store is
 * single-threaded: its owner's loop uses it.
 */
#ifndef STORE_H
#define STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_ID_LEN 10      /* hex characters of a hold, grant or exposure id */
#define STORE_ID_MAX 16      /* an id with its prefix ("h-") and NUL */
#define STORE_MAX_LIST 10000 /* rows one listing returns, newest first */
#define STORE_HASH_MAX 65    /* a SHA-256 in hex, with its NUL */

enum store_status {
    STORE_PENDING,
    STORE_APPROVED,
    STORE_DENIED,
    STORE_WITHDRAWN,
    STORE_EXPIRED,
    STORE_USED,
};
const char *store_status_name(enum store_status s);

/* A held action.  Strings and JSON owned by the row. */
struct store_hold {
    char id[STORE_ID_MAX];
    int64_t created, expires;
    enum store_status status;
    int64_t uid;
    char *user, *agent, *session, *server, *method;
    char *tool;                             /* NULL: not a tools/call */
    json_t *params, *findings, *categories; /* findings, categories may be NULL */
    json_t *cedar;                          /* the Cedar request as decided, or NULL */
    int severity;                           /* enum inspect_severity */
    char bind[STORE_HASH_MAX];              /* the call by this agent in its agent session */
    char match[STORE_HASH_MAX];             /* this call (method and params) */
    uint64_t entry;                         /* the request's ledger index */
    char *text;                             /* the gate's reason, or NULL */
    unsigned effects;                       /* GATE_EFFECT_* */
    int64_t decided;                        /* 0: not yet */
    char *decided_by, *reason;              /* NULL when not said */
    int64_t grant_seconds, usable_until;    /* 0: none */
};

/* How a hold is decided (store_hold_decide); NULL texts and 0 times keep
 * what the row has. */
struct store_decision {
    int64_t at;
    const char *by, *reason;
    int64_t grant_seconds, usable_until;
};

struct store_grant {
    char id[STORE_ID_MAX], hold[STORE_ID_MAX];
    int64_t uid;
    char *agent, *server, *method, *tool; /* tool may be NULL */
    char match[STORE_HASH_MAX];           /* the call's arguments it covers */
    int64_t created, expires;
    char *by;
    int64_t revoked; /* 0: not */
    char *revoked_by;
    int64_t ended; /* 0: not yet said to have ended */
};

struct store_exposure {
    char id[STORE_ID_MAX], hold[STORE_ID_MAX]; /* hold "" when none */
    uint64_t entry;
    char *agent, *user, *server, *tool, *rule, *what, *explanation, *key, *approved_by;
    int64_t opened, closed; /* closed 0: open */
    char *closed_by, *note;
    int64_t alerted;
    json_t *access; /* the widening's access change, or NULL */
};

/* A listing: n rows (owned), newest first. */
struct store_holds {
    struct store_hold *v;
    size_t n;
};
struct store_grants {
    struct store_grant *v;
    size_t n;
};
struct store_exposures {
    struct store_exposure *v;
    size_t n;
};
/* Shadow mode for the agents' own tools (decide and record, always let
 * through): whether it is on, and the last switch. */
#define STORE_NAME_MAX 256 /* a person's name, with its NUL */
#define STORE_NOTE_MAX 512 /* a reason given, with its NUL */
struct store_shadow {
    int on;
    char by[STORE_NAME_MAX]; /* "" when never switched */
    int64_t since;           /* 0 when never switched */
    char reason[STORE_NOTE_MAX];
};

/* Ids (of holds that expired, of exposures closed). */
struct store_ids {
    char (*v)[STORE_ID_MAX];
    size_t n;
};

struct store;

/* Each operation, as an implementation provides it (see the wrappers
 * below for what each does). */
struct store_ops {
    void (*close)(struct store *st);
    int (*begin)(struct store *st);
    int (*commit)(struct store *st);
    int (*rollback)(struct store *st);
    int (*hold_add)(struct store *st, const struct store_hold *h);
    int (*hold_get)(struct store *st, const char *id, struct store_hold *out, int *found);
    int (*hold_list)(struct store *st, int status, struct store_holds *out);
    int (*hold_match)(struct store *st, const char *bind, const char *session, int64_t now,
                      struct store_hold *out, int *found);
    int (*hold_decide)(struct store *st, const char *id, enum store_status from,
                       enum store_status to, const struct store_decision *d, int *changed);
    int (*hold_expired)(struct store *st, int64_t now, struct store_ids *out);
    int (*hold_count)(struct store *st, int status, int64_t *n);
    int (*vote_add)(struct store *st, const char *hold, const char *user, int64_t now, int totp,
                    int *is_new);
    int (*vote_count)(struct store *st, const char *hold, int64_t *n);
    int (*grant_add)(struct store *st, const struct store_grant *g);
    int (*grant_match)(struct store *st, int64_t uid, const char *agent, const char *server,
                       const char *method, const char *tool, const char *match, int64_t now,
                       struct store_grant *out, int *found);
    int (*grant_list)(struct store *st, struct store_grants *out);
    int (*grant_get)(struct store *st, const char *id, struct store_grant *out, int *found);
    int (*grant_ended)(struct store *st, int64_t now, struct store_grants *out);
    int (*grant_revoke)(struct store *st, const char *id, const char *by, int64_t now,
                        int *changed);
    int (*exposure_open)(struct store *st, const struct store_exposure *e);
    int (*exposure_list)(struct store *st, int open_only, struct store_exposures *out);
    int (*exposure_get)(struct store *st, const char *id, struct store_exposure *out, int *found);
    int (*exposure_close)(struct store *st, const char *id, const char *key, const char *by,
                          const char *note, int64_t now, struct store_ids *closed);
    int (*exposure_due)(struct store *st, int64_t before, int64_t due, int64_t now,
                        struct store_exposures *out);
    int (*agent_user_add)(struct store *st, int64_t uid, const char *user, int64_t now);
    int (*agent_user_is)(struct store *st, int64_t uid, int *yes);
    int (*totp_set)(struct store *st, const char *user, const unsigned char *secret, size_t n,
                    int64_t now);
    int (*totp_get)(struct store *st, const char *user, unsigned char *secret, size_t cap,
                    size_t *n, int64_t *last_step);
    int (*totp_used)(struct store *st, const char *user, int64_t step);
    int (*shadow_set)(struct store *st, const struct store_shadow *sh);
    int (*shadow_get)(struct store *st, struct store_shadow *out);
};

struct store {
    const struct store_ops *ops;
    char err[512];
};

/* The SQLite store in the file at path (made when missing). */
int store_open_sqlite(struct store **out, const char *path, char *err, size_t errlen);

static inline void
store_close(struct store *st)
{
    if (st)
        st->ops->close(st);
}

static inline const char *
store_error(const struct store *st)
{
    return st->err;
}

/* A fresh random id, prefix + STORE_ID_LEN hex ("h-3f9c0a1b2d"). */
void store_new_id(char prefix, char out[STORE_ID_MAX]);

/* ---- transactions ---- */
static inline int
store_begin(struct store *st)
{
    return st->ops->begin(st);
}
static inline int
store_commit(struct store *st)
{
    return st->ops->commit(st);
}
static inline int
store_rollback(struct store *st)
{
    return st->ops->rollback(st);
}

/* ---- held actions ---- */

/* A new hold, pending. */
static inline int
store_hold_add(struct store *st, const struct store_hold *h)
{
    return st->ops->hold_add(st, h);
}
/* *found 0 when there is none. */
static inline int
store_hold_get(struct store *st, const char *id, struct store_hold *out, int *found)
{
    return st->ops->hold_get(st, id, out, found);
}
/* Holds with status (-1: any), newest first, at most STORE_MAX_LIST. */
static inline int
store_hold_list(struct store *st, int status, struct store_holds *out)
{
    return st->ops->hold_list(st, status, out);
}
/* The pending hold, or the approved unused one still usable at now, of this
 * exact action (bind) in the same agent session. */
static inline int
store_hold_match(struct store *st, const char *bind, const char *session, int64_t now,
                 struct store_hold *out, int *found)
{
    return st->ops->hold_match(st, bind, session, now, out, found);
}
/* Move a hold from `from` to `to`, with the decision's fields.  *changed:
 * 0 when it was not in `from` any more. */
static inline int
store_hold_decide(struct store *st, const char *id, enum store_status from, enum store_status to,
                  const struct store_decision *d, int *changed)
{
    return st->ops->hold_decide(st, id, from, to, d, changed);
}
/* Pending holds whose time ran out by now. */
static inline int
store_hold_expired(struct store *st, int64_t now, struct store_ids *out)
{
    return st->ops->hold_expired(st, now, out);
}
/* How many holds have status (-1: any). */
static inline int
store_hold_count(struct store *st, int status, int64_t *n)
{
    return st->ops->hold_count(st, status, n);
}

/* ---- votes: the approvals a hold has collected ---- */
static inline int
store_vote_add(struct store *st, const char *hold, const char *user, int64_t now, int totp,
               int *is_new)
{
    return st->ops->vote_add(st, hold, user, now, totp, is_new);
}
static inline int
store_vote_count(struct store *st, const char *hold, int64_t *n)
{
    return st->ops->vote_count(st, hold, n);
}

/* ---- grants ---- */
static inline int
store_grant_add(struct store *st, const struct store_grant *g)
{
    return st->ops->grant_add(st, g);
}
/* The live grant (not revoked, expires > now) for this action. */
static inline int
store_grant_match(struct store *st, int64_t uid, const char *agent, const char *server,
                  const char *method, const char *tool, const char *match, int64_t now,
                  struct store_grant *out, int *found)
{
    return st->ops->grant_match(st, uid, agent, server, method, tool, match, now, out, found);
}
static inline int
store_grant_list(struct store *st, struct store_grants *out)
{
    return st->ops->grant_list(st, out);
}
static inline int
store_grant_get(struct store *st, const char *id, struct store_grant *out, int *found)
{
    return st->ops->grant_get(st, id, out, found);
}
/* Grants that ended (expired or revoked) and were not yet said to have:
 * marked ended at now and returned. */
static inline int
store_grant_ended(struct store *st, int64_t now, struct store_grants *out)
{
    return st->ops->grant_ended(st, now, out);
}
static inline int
store_grant_revoke(struct store *st, const char *id, const char *by, int64_t now, int *changed)
{
    return st->ops->grant_revoke(st, id, by, now, changed);
}

/* ---- exposures ---- */
static inline int
store_exposure_open(struct store *st, const struct store_exposure *e)
{
    return st->ops->exposure_open(st, e);
}
static inline int
store_exposure_list(struct store *st, int open_only, struct store_exposures *out)
{
    return st->ops->exposure_list(st, open_only, out);
}
static inline int
store_exposure_get(struct store *st, const char *id, struct store_exposure *out, int *found)
{
    return st->ops->exposure_get(st, id, out, found);
}
/* Close one (id) or every open one with key (id NULL); *closed: ids closed. */
static inline int
store_exposure_close(struct store *st, const char *id, const char *key, const char *by,
                     const char *note, int64_t now, struct store_ids *closed)
{
    return st->ops->exposure_close(st, id, key, by, note, now, closed);
}
/* Open exposures opened before `before` and last alerted before `due`:
 * marked alerted at now and returned. */
static inline int
store_exposure_due(struct store *st, int64_t before, int64_t due, int64_t now,
                   struct store_exposures *out)
{
    return st->ops->exposure_due(st, before, due, now, out);
}

/* ---- users that ran agents: never people here (policies/admin.cedar) ---- */
static inline int
store_agent_user_add(struct store *st, int64_t uid, const char *user, int64_t now)
{
    return st->ops->agent_user_add(st, uid, user, now);
}
static inline int
store_agent_user_is(struct store *st, int64_t uid, int *yes)
{
    return st->ops->agent_user_is(st, uid, yes);
}

/* ---- TOTP secrets (one per user) and the last step used ---- */
static inline int
store_totp_set(struct store *st, const char *user, const unsigned char *secret, size_t n,
               int64_t now)
{
    return st->ops->totp_set(st, user, secret, n, now);
}
/* *n = 0 when the user has enrolled nothing. */
static inline int
store_totp_get(struct store *st, const char *user, unsigned char *secret, size_t cap, size_t *n,
               int64_t *last_step)
{
    return st->ops->totp_get(st, user, secret, cap, n, last_step);
}
static inline int
store_totp_used(struct store *st, const char *user, int64_t step)
{
    return st->ops->totp_used(st, user, step);
}

/* ---- shadow mode: the last switch (off, by nobody, when never set) ---- */
static inline int
store_shadow_set(struct store *st, const struct store_shadow *sh)
{
    return st->ops->shadow_set(st, sh);
}
static inline int
store_shadow_get(struct store *st, struct store_shadow *out)
{
    return st->ops->shadow_get(st, out);
}

/* ---- rows ---- */
void store_hold_release(struct store_hold *h);
void store_grant_release(struct store_grant *g);
void store_exposure_release(struct store_exposure *e);
void store_holds_release(struct store_holds *l);
void store_grants_release(struct store_grants *l);
void store_exposures_release(struct store_exposures *l);
void store_ids_release(struct store_ids *l);

/* Rows as JSON objects for people and webhooks (columns' names; absent
 * fields left out; JSON columns as JSON). */
json_t *store_hold_json(const struct store_hold *h);
json_t *store_grant_json(const struct store_grant *g);
json_t *store_exposure_json(const struct store_exposure *e);

#endif
