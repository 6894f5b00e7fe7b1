/*
 * mcp_limits.h - every size and count the MCP gateway accepts from its two
 * peers.  Each is crossed by a test (tests/mcp_*_test.c, tests/mcp_e2e).
 */
#ifndef MCP_LIMITS_H
#define MCP_LIMITS_H

/* The limits the configuration and the gate apply (GATE_MAX_TOOLS,
 * GATE_MAX_INPUT_DEPTH, GATE_DEFAULT_MAX_LINE...) are in gate_config.h. */
#include "../gate/gate_config.h"

/* One message from the upstream.  Not configurable and never below the
 * client's limit: a reply airlock cannot relay leaves a request unanswered,
 * so a larger one ends the session with an error instead. */
#define MCP_UPSTREAM_MAX_LINE (256u * 1024 * 1024)
/* Bytes queued towards a peer that is not reading before airlock stops
 * reading from the other side (back-pressure, not an error). */
#define MCP_OUT_HIGH_WATER (16u * 1024 * 1024)
/* Requests in flight in each direction; one more gets an error reply. */
#define MCP_MAX_INFLIGHT 4096u
/* Tool calls held back while airlock learns the upstream's tools. */
#define MCP_MAX_DEFERRED 256u
/* Pages of tools/list airlock follows when it asks for the tools itself. */
#define MCP_MAX_LIST_PAGES 64u
/* Seconds the upstream gets to exit after its input closes, then SIGTERM,
 * then as many again before SIGKILL. */
#define MCP_EXIT_GRACE_SECONDS 2
/* Milliseconds without traffic and with nothing in flight after which the
 * gateway signs a checkpoint over what it recorded (so that readers see
 * it even if the client later kills airlock without a word). */
#define MCP_IDLE_CHECKPOINT_MS 50
/* While airlockd holds calls for a person: milliseconds between progress
 * notifications (to a client that gave a progress token), and the longest
 * the loop sleeps (to send them, and to reach a restarted daemon again). */
#define MCP_HOLD_PROGRESS_MS 5000
#define MCP_HOLD_POLL_MS 1000
/* How long the relay polls without sleeping before it blocks, while lines
 * come that promptly (util_poll.h): an upstream's answer takes 100 to 200
 * us here, so less catches too few.  Idle, it never spins. */
#define MCP_SPIN_US 300
/* Bytes of a refused method's name quoted in the refusal and its record. */
#define MCP_MAX_METHOD_SHOWN 256u

#endif
