/*
 * mcp_rpc.h - JSON-RPC 2.0 messages as MCP uses them.
 *
 * A line is parsed strictly (jansson, duplicate keys refused: a message two
 * parsers would read differently must not pass through a firewall) and
 * classified.  The message keeps ownership of the parsed JSON; the fields
 * point into it.
 *
 * Error codes: JSON-RPC's own, and airlock's in the server range
 * (-32000..-32099), documented in docs/mcp.md.
 */
#ifndef MCP_RPC_H
#define MCP_RPC_H

#include <jansson.h>
#include <stddef.h>

#include "../gate/gate.h"

#define RPC_PARSE_ERROR -32700
#define RPC_INVALID_REQUEST -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS -32602
#define RPC_INTERNAL_ERROR -32603
/* airlock's own */
#define RPC_AIRLOCK_DENIED -32001         /* refused by policy */
#define RPC_AIRLOCK_NEEDS_APPROVAL -32002 /* permitted only with a person's approval */
#define RPC_AIRLOCK_UNRECORDED -32003     /* the ledger could not record it */
#define RPC_AIRLOCK_UPSTREAM -32004       /* the upstream server is not there */
#define RPC_AIRLOCK_TOO_LARGE -32005      /* a message over the size limit */
#define RPC_AIRLOCK_BUSY -32006           /* too many requests in flight */

/* The error code that says a gate's refusal: RPC_AIRLOCK_DENIED for a
 * policy's (and for any reason this build does not know: fail closed),
 * RPC_AIRLOCK_NEEDS_APPROVAL, RPC_AIRLOCK_UNRECORDED, RPC_INVALID_PARAMS. */
int mcp_refusal_code(enum gate_refusal why);

enum rpc_kind {
    RPC_REQUEST,      /* method and id */
    RPC_NOTIFICATION, /* method, no id */
    RPC_RESPONSE,     /* id with result or error */
    RPC_INVALID,      /* parsed, but not a JSON-RPC 2.0 message */
};

struct rpc_msg {
    json_t *root;     /* owned */
    const char *line; /* the bytes it was parsed from (borrowed) */
    size_t len;
    int modified; /* root was changed: send it re-encoded, not line */
    enum rpc_kind kind;
    const char *method; /* requests and notifications */
    json_t *id;         /* borrowed from root; NULL when absent */
    json_t *params;     /* borrowed; NULL when absent */
    const char *why;    /* RPC_INVALID: what is wrong */
};

/* Parse one line.  0 with *m filled (kind may be RPC_INVALID), or -1 when
 * the line is not JSON (why says where). */
int rpc_parse(const char *line, size_t len, struct rpc_msg *m, char *why, size_t whylen);
void rpc_msg_release(struct rpc_msg *m);

/*
 * The byte span [*start, *end) of the value of the top-level member key in
 * text, which must be a JSON object that parsed.  Keys are compared after
 * their escapes are decoded.  0, or -1 when there is no such member.
 */
int rpc_member_span(const char *text, size_t len, const char *key, size_t *start, size_t *end);

/*
 * The message as one line to send, malloc'd, with the top-level "id"
 * replaced by id_text (JSON, id_len bytes) when id_text is not NULL.  An
 * unmodified message keeps its bytes exactly (numbers are not reformatted,
 * member order is kept); a modified one is re-encoded.  NULL: no memory.
 */
char *rpc_line_with_id(const struct rpc_msg *m, const char *id_text, size_t id_len, size_t *outlen);

/* A request id MCP accepts: a string or an integer. */
int rpc_id_valid(const json_t *id);

/* Whether a client's request or notification is one MCP defines and
 * airlock relays without a decision (names compared exactly: an upstream
 * that reads "Tools/call" or "tools/call " as tools/call must never get it
 * undecided, so any method not listed here or decided is refused). */
int rpc_relayed_request(const char *method);
int rpc_relayed_notification(const char *method);
/* Whether method is a request MCP lets a server send its client (compared
 * exactly, as above). */
int rpc_server_request(const char *method);

/* Messages, as one line of compact JSON with "\n" (and a NUL after it, not
 * counted in *len), malloc'd (NULL: no
 * memory).  id may be NULL (written as null); data may be NULL. */
char *rpc_error_line(const json_t *id, int code, const char *message, json_t *data, size_t *len);
char *rpc_result_line(const json_t *id, json_t *result, size_t *len);
/* Any JSON value as one line with "\n". */
char *rpc_dump_line(const json_t *v, size_t *len);

#endif
