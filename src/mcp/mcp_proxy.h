/*
 * mcp_proxy.h - the gateway's relay between an MCP client (on airlock's
 * standard input and output) and the upstream server it starts.
 *
 * Every message is relayed, with two exceptions: requests the gate decides
 * (tools/call, resources/read, prompts/get) are forwarded only when it
 * permits them and are answered by airlock otherwise; and tools/list
 * results lose the tools no approval could permit.  Request ids are
 * rewritten in both directions, so the client's, the server's and
 * airlock's own requests (it lists the upstream's tools itself) never
 * collide.  Protocol versions: 2025-11-25, 2025-06-18 and 2025-03-26.
 */
#ifndef MCP_PROXY_H
#define MCP_PROXY_H

#include <stddef.h>

struct gate_decider;

struct mcp_proxy_opts {
    char *const *argv;         /* the upstream command */
    char *const *env;          /* its whole environment */
    size_t max_line;           /* longest message accepted from either side */
    struct gate_decider *gate; /* what decides: the local gate or airlockd's client */
    int agent_fixed;           /* --agent given: clientInfo.name does not name it */
    int in, out;               /* the client: usually 0 and 1 */
};

/* Run a session to its end.  Returns the exit status for airlock: 0 when
 * the client closed the session, 1 when the upstream failed to start or
 * died (err says how). */
int mcp_proxy_run(const struct mcp_proxy_opts *o, char *err, size_t errlen);

/*
 * The routing without the upstream process and the loop: lines are handed
 * in as if read from the client or the upstream, and what would be sent is
 * dropped.  For the fuzz target of the routing (fuzz/fuzz_mcp_route.c).
 */
struct mcp_session;
struct mcp_session *mcp_session_new(struct gate_decider *g, size_t max_line);
void mcp_session_line(struct mcp_session *s, int from_client, const char *line, size_t len);
void mcp_session_free(struct mcp_session *s);

/* Protocol versions airlock relays, newest first; NULL-terminated. */
extern const char *const mcp_versions[];

#endif
