/*
 * daemon.h - airlockd: the trust boundary.
 *
 * The daemon owns the policies, the entities, the tool facts, the pins and
 * the ledger with its signing key, as its own user; `airlock mcp` processes
 * (running as the agents' users) connect over a Unix socket and ask it to
 * decide and record (daemon_wire.h).  Who is asking is what the kernel says
 * (SO_PEERCRED), recorded with every session.
 *
 * It refuses to start as root unless told which user to become (--user:
 * the socket is made, then privileges are dropped for good), and refuses a
 * data directory, policy, entities or configuration file that another user
 * could change or, for the directory, read.
 *
 * The ledger's key is read by a process of its own (daemon_signer.h),
 * forked before any client connects; this one, which parses client input,
 * never holds it.  One thread serves every connection in turn; each
 * connection has a gate of its own (its session) on the one ledger.  It
 * never waits for one connection: sockets are non-blocking, a frame that
 * has begun is kept until it is whole, an answer the peer does not read
 * yet is kept until it does, and a peer that owes either for
 * DAEMON_IO_TIMEOUT is dropped.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stddef.h>

#include "../gate/gate_config.h"

#define DAEMON_MAX_CONNS 256        /* sessions served at once */
#define DAEMON_MAX_CONNS_PER_UID 32 /* of them, from one user: one cannot take them all */
#define DAEMON_IO_TIMEOUT                                                                          \
    5 /* seconds a client may take to send a whole frame, or                                       \
         to read what it was answered */
/* Answers a session has not read beyond which airlockd serves none of its
 * further frames until it reads them (one answer may be bigger); a session
 * owing this plus a frame of the largest size is dropped. */
#define DAEMON_MAX_UNREAD (1u << 20)
#define DAEMON_MAX_WAITS 4096           /* held calls one session waits for (as MCP_MAX_INFLIGHT) */
#define DAEMON_MAX_LOG_ENTRIES 1000     /* ledger entries one `log` answer carries */
#define DAEMON_MAX_LOG_BYTES (4u << 20) /* and about this many bytes of them */
#define DAEMON_QUIET_MS 50              /* without frames this long, sign what the sessions wrote */
#define DAEMON_IDLE_WAKE_MS 1000        /* with nothing to sign, wake only this often (expiries) */

struct daemon_opts {
    const char *dir;            /* data directory: ledger, key, pins */
    const char *socket;         /* the socket's path */
    const char *policies;       /* NULL: the built-in default */
    const char *schema;         /* the policies validate against it (gate_opts) */
    const char *entities;       /* NULL: the built-in default */
    const char *config;         /* NULL: none */
    const char *admin_policies; /* who may approve what; NULL: the built-in default */
    const char *user;           /* NULL: stay who we are (never root) */
};

/* Run until SIGTERM or SIGINT.  0, or -1 with err. */
int daemon_run(const struct daemon_opts *o, char *err, size_t errlen);

/* Whether path may be trusted by the daemon running as uid: owned by uid
 * or root, not writable by group or others (dir: not readable by them
 * either), and so is the way to it: no symbolic link on it that another
 * user owns, and every directory on it, as given and as resolved, root's
 * or uid's and writable by no one else (or root's and sticky, as /tmp).
 * 0, or -1 with err saying why. */
int daemon_check_path(const char *path, unsigned uid, int dir, char *err, size_t errlen);

#endif
