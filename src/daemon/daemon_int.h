/*
 * daemon_int.h - airlockd's state, shared by its .c files (not an API).
 */
#ifndef DAEMON_INT_H
#define DAEMON_INT_H

#include <sys/types.h>

#include "../approve/approve_desk.h"
#include "../gate/gate.h"
#include "../gate/gate_sessions.h"
#include "daemon.h"
#include "daemon_signer.h"
#include "daemon_wire.h"

struct conn {
    int fd;
    uid_t uid; /* from the kernel (SO_PEERCRED) */
    gid_t gid;
    pid_t pid;
    struct gate *gate;   /* the session, after WIRE_HELLO */
    struct wire_in in;   /* what it sent, read ahead */
    struct wire_buf out; /* the reply */
    /* Replies of this round, sent once its records are durable
     * (daemon_send; the round ends in daemon.c). */
    int defer;
    struct wire_buf outbox;
    unsigned nqueued;
    /* What the socket would not take yet (it is O_NONBLOCK: one session
     * never makes airlockd wait); while any is left, none of its frames
     * is read or served. */
    struct wire_buf unsent;
    /* Since when (monotonic ms) it has owed airlockd something without a
     * break: the rest of a frame, or reading its answers; 0 if nothing.
     * At DAEMON_IO_TIMEOUT it is dropped. */
    int64_t owing_since;
    int dead;                     /* a write failed: dropped by the loop */
    char (*waits)[GATE_HOLD_MAX]; /* held calls this session waits for */
    size_t nwaits;
};

struct daemon {
    const struct daemon_opts *o;
    int listen_fd;
    struct ledger_log *log; /* signed through signer: the key is not here */
    struct signer signer;
    struct gate_config cfg;
    struct conn conns[DAEMON_MAX_CONNS];
    size_t nconns;
    struct approve_config acfg;     /* the configuration's "approvals" */
    struct approve_desk desk;       /* held calls, grants, exposures, people's commands */
    struct inspect *insp;           /* inspection, loaded once for every session's gate */
    struct gate_sessions *sessions; /* agent sessions' effects, across connections */
    char waiter_user[256];          /* the desk's take_waiter: the session's user name */
    /* When the oldest of airlockd's own records (people's commands, the
     * tick's expiries and alerts) not yet under a checkpoint was written,
     * monotonic ms; 0: none waits. */
    int64_t own_unsigned_since;
};

/* Read what c sent (one read, without blocking) and answer its whole
 * frames, until its unread answers reach DAEMON_MAX_UNREAD.  0, or -1 when
 * the connection is to end (closed, a malformed frame, a frame out of
 * order). */
int daemon_serve(struct daemon *d, struct conn *c);
/* Send c->out now, or, in a round (c->defer), queue it until the round's
 * records are durable. 0 or -1. */
int daemon_send(struct conn *c);
/* Write n bytes to c without blocking; what the socket does not take now
 * waits in c->unsent (the loop writes it when c can take it).  0, or -1
 * (and c->dead) if c is gone or owes too much (DAEMON_MAX_UNREAD). */
int daemon_push(struct conn *c, const char *p, size_t n);
/* Write what waits in c->unsent, as much as c takes.  0 or -1 as above. */
int daemon_flush(struct conn *c);
void daemon_conn_release(struct conn *c);

/* Holds (daemon_hold.c).  After gate_decide said "needs approval": the
 * desk lets it through (a grant, an approval), or it is held and c waits
 * for it (v becomes GATE_HELD), or, if it cannot be, refused. */
void daemon_hold(struct daemon *d, struct conn *c, const char *method, const json_t *params,
                 struct gate_verdict *v);
int daemon_wait(struct daemon *d, struct conn *c, const struct wire_msg *m);
int daemon_withdraw(struct daemon *d, struct conn *c, const struct wire_msg *m);
/* Tell the sessions waiting for hold id (if any) how it ended. */
void daemon_resolve(struct daemon *d, const char *id, const struct gate_verdict *v);
/* c's session as the desk sees it (user: a buffer for its user's name). */
void daemon_session(const struct conn *c, struct approve_session *s, char *user, size_t n);
/* What the desk is given: the ledger, the sessions that wait (arg: d). */
extern const struct approve_desk_hooks daemon_desk_hooks;
/* A record of airlockd's own in the ledger (durable): 0, or -1. */
int daemon_record(struct daemon *d, json_t *rec);
/* Send v (WIRE_VERDICT or WIRE_RESOLVED) on c. */
int daemon_send_verdict(struct conn *c, enum wire_type type, const struct gate_verdict *v);

/* People's commands (daemon_admin.c): WIRE_ADMIN. */
int daemon_admin(struct daemon *d, struct conn *c, const struct wire_msg *m);
/* The name of the connection's user, NULL when the uid has none. */
const char *daemon_user_name(const struct conn *c, char *buf, size_t n);

#endif
