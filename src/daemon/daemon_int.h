/*
 * daemon_int.h - airlockd's state, shared by its .c files (not an API).
 */
#ifndef DAEMON_INT_H
#define DAEMON_INT_H

#include <sys/types.h>

#include "../gate/gate.h"
#include "daemon.h"
#include "daemon_signer.h"
#include "daemon_wire.h"

struct conn {
    int fd;
    uid_t uid;            /* from the kernel (SO_PEERCRED) */
    gid_t gid;
    pid_t pid;
    struct gate *gate;    /* the session, after WIRE_HELLO */
    struct wire_in in;    /* what it sent, read ahead */
    struct wire_buf out;  /* the reply */
};

struct daemon {
    const struct daemon_opts *o;
    int listen_fd;
    struct ledger_log *log;       /* signed through signer: the key is not here */
    struct signer signer;
    struct gate_config cfg;
    struct conn conns[DAEMON_MAX_CONNS];
    size_t nconns;
};

/* Read c's frames (those it sent together, all of them) and answer each.
 * 0, or -1 when the connection is to end (closed, a malformed frame, a
 * frame out of order). */
int daemon_serve(struct daemon *d, struct conn *c);
void daemon_conn_release(struct conn *c);

#endif
