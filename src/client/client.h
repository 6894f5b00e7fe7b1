/*
 * client.h - airlockd's client: a decider (gate_decider.h) whose every call
 * is a frame to airlockd over its Unix socket (daemon_wire.h), answered
 * with airlockd's policies, ledger and approvals.
 *
 * With a daemon, `airlock mcp` holds no policy, no ledger and no key.
 * Fails closed: a request the daemon does not answer is refused, never
 * forwarded.  After a lost connection the next call connects again and
 * replays the session's state (hello, agent, tool list, the calls still
 * held); the call that was in flight stays refused.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <stddef.h>

struct gate_decider;

/* Connect to airlockd at socket as a session for server (and agent, when
 * known).  0 with *out (close it with gate_decider_close), or -1 with err. */
int client_connect(struct gate_decider **out, const char *socket, const char *server,
                   const char *agent, char *err, size_t errlen);

#endif
