/*
 * approve_store.h - airlockd's durable state for people's decisions: held
 * actions, approvals (votes), time-boxed grants, open exposures and TOTP
 * enrolments, in SQLite (WAL mode, synchronous=FULL: a decision that was
 * acknowledged survives a crash).
 *
 * Rows come back as JSON objects (the admin commands send them as they
 * are); times are Unix seconds.  Every function returns 0, or -1 with the
 * store's error text (approve_store_error).  The store is single-threaded:
 * airlockd's one loop uses it.
 */
#ifndef APPROVE_STORE_H
#define APPROVE_STORE_H

#include <jansson.h>
#include <stdint.h>

#define APPROVE_ID_LEN 10      /* hex characters of a hold, grant or exposure id */
#define APPROVE_MAX_LIST 10000 /* rows one listing returns, newest first */
#define APPROVE_MAX_NOTE 1024  /* bytes of a reason or a note */

struct approve_store;

int approve_store_open(struct approve_store **out, const char *path, char *err, size_t errlen);
void approve_store_close(struct approve_store *st);
const char *approve_store_error(const struct approve_store *st);

/* A fresh random id, prefix + APPROVE_ID_LEN hex ("h-3f9c0a1b2d"). */
void approve_new_id(char prefix, char out[APPROVE_ID_LEN + 3]);

/* ---- held actions ----
 * A hold is {id, created, expires, status, uid, user, agent, session,
 * server, method, tool, params, findings, severity, categories, bind, match,
 * entry, text, effects, cedar (the Cedar request as decided)}; status is pending, approved, denied,
 * withdrawn, expired or used. Deciding adds decided, decidedBy, reason, grantSeconds, usableUntil.
 */
int approve_hold_add(struct approve_store *st, const json_t *hold);
/* *out: the hold (new reference) or NULL when there is none. */
int approve_hold_get(struct approve_store *st, const char *id, json_t **out);
/* Holds with status (NULL: any), newest first, at most APPROVE_MAX_LIST. */
int approve_hold_list(struct approve_store *st, const char *status, json_t **out);
/* The pending hold, or the approved unused one still usable at now, of this
 * exact action (bind) in this session: NULL when none. */
int approve_hold_match(struct approve_store *st, const char *bind, const char *session, int64_t now,
                       json_t **out);
/* Move a hold from status `from` to `to` (with the decision's fields, any
 * of them NULL/0).  *changed: 0 when it was not in `from` any more. */
int approve_hold_decide(struct approve_store *st, const char *id, const char *from, const char *to,
                        int64_t now, const char *by, const char *reason, int64_t grant_seconds,
                        int64_t usable_until, int *changed);
/* Pending holds whose time ran out by now: their ids (array). */
int approve_hold_expired(struct approve_store *st, int64_t now, json_t **ids);
/* How many holds have status (NULL: any). */
int approve_hold_count(struct approve_store *st, const char *status, int64_t *n);

/* ---- votes: the approvals a hold has collected ---- */
int approve_vote_add(struct approve_store *st, const char *hold, const char *user, int64_t now,
                     int totp, int *is_new);
int approve_vote_count(struct approve_store *st, const char *hold, int64_t *n);

/* ---- grants ----
 * {id, hold, uid, agent, server, method, tool, match, created, expires, by,
 * revoked, revokedBy}; match is the SHA-256 of the arguments it covers. */
int approve_grant_add(struct approve_store *st, const json_t *grant);
/* The live grant (not revoked, expires > now) for this action, or NULL. */
int approve_grant_match(struct approve_store *st, int64_t uid, const char *agent,
                        const char *server, const char *method, const char *tool, const char *match,
                        int64_t now, json_t **out);
int approve_grant_list(struct approve_store *st, json_t **out);
int approve_grant_get(struct approve_store *st, const char *id, json_t **out);
/* Grants that ended (expired or revoked) and were not yet said to have:
 * marked ended at now and returned. */
int approve_grant_ended(struct approve_store *st, int64_t now, json_t **out);
int approve_grant_revoke(struct approve_store *st, const char *id, const char *by, int64_t now,
                         int *changed);

/* ---- exposures ----
 * {id, hold, entry, agent, user, server, tool, rule, what, explanation,
 * key, approvedBy, opened, closed, closedBy, note, alerted, access}; access
 * is the widening's access change (inspect_report.h's JSON), or null. */
int approve_exposure_open(struct approve_store *st, const json_t *exposure);
int approve_exposure_list(struct approve_store *st, int open_only, json_t **out);
int approve_exposure_get(struct approve_store *st, const char *id, json_t **out);
/* Close one (id) or every open one with key (id NULL); *closed: ids closed. */
int approve_exposure_close(struct approve_store *st, const char *id, const char *key,
                           const char *by, const char *note, int64_t now, json_t **closed);
/* Open exposures opened before `before` and last alerted before `due`:
 * marked alerted at now and returned. */
int approve_exposure_due(struct approve_store *st, int64_t before, int64_t due, int64_t now,
                         json_t **out);

/* ---- users that ran agents: never people here (policies/admin.cedar) ---- */
int approve_agent_user_add(struct approve_store *st, int64_t uid, const char *user, int64_t now);
int approve_agent_user_is(struct approve_store *st, int64_t uid, int *yes);

/* ---- TOTP secrets (one per user) and the last step used ---- */
int approve_totp_set(struct approve_store *st, const char *user, const unsigned char *secret,
                     size_t n, int64_t now);
/* *n = 0 when the user has enrolled nothing. */
int approve_totp_get(struct approve_store *st, const char *user, unsigned char *secret, size_t cap,
                     size_t *n, int64_t *last_step);
int approve_totp_used(struct approve_store *st, const char *user, int64_t step);

#endif
