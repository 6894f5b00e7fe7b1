/*
 * gate_sessions.h - what an agent's session has done so far, across the
 * processes that decide its calls.
 *
 * An agent's own tools reach airlock one hook process at a time (each a
 * gate of its own), so the Rule of Two (context.session: untrusted input,
 * sensitive data, an external effect) would forget, between two tool
 * calls, what the session did before.  This table keeps each agent
 * session's GATE_EFFECT_* by a key naming the agent, the user and the
 * agent's own session id: in memory for airlockd (its connections share
 * one table; at most GATE_MAX_AGENT_SESSIONS, the least recently used
 * forgotten first), or in files under a folder for embedded hooks (one
 * file a session, read and updated under a lock, so that hooks running at
 * once lose nothing).  Effects only accumulate.
 */
#ifndef GATE_SESSIONS_H
#define GATE_SESSIONS_H

#include <stddef.h>

/* Agent sessions airlockd remembers. */
#define GATE_MAX_AGENT_SESSIONS 4096u
/* Bytes of an agent's session id read (a longer one is not an id). */
#define GATE_AGENT_SESSION_MAX 256u

struct gate_sessions;

/* In memory (dir NULL), or in files under dir (made when missing, 0700).
 * 0, or -1 with err. */
int gate_sessions_open(struct gate_sessions **out, const char *dir, char *err, size_t errlen);
void gate_sessions_close(struct gate_sessions *s);

/* The effects recorded for key so far (0 when none, or when the file
 * cannot be read: said by the return value -1). */
int gate_sessions_get(struct gate_sessions *s, const char *key, unsigned *effects);
/* Add effects to key's.  0, or -1 when they could not be kept. */
int gate_sessions_add(struct gate_sessions *s, const char *key, unsigned effects);

#endif
