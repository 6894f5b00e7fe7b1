/*
 * daemon_wire.h - the protocol between `airlock mcp` and airlockd.
 *
 * A Unix stream socket carries frames, each answered by one frame (but
 * WIRE_OUTCOME, which is not answered: the client does not wait for it, and
 * the daemon reads frames in order, so the next answer comes after it).
 * A decision may be held for a person (WIRE_VERDICT with outcome 3 and a
 * hold id); its answer comes later, unasked, as WIRE_RESOLVED, between the
 * answers to other frames, which the client sets aside until it looks:
 *
 *   frame  = length:u32be  version:u8 (1)  type:u8  field*
 *   field  = tag:u8  length:u32be  bytes
 *
 * length counts what follows it.  Every type names the fields it may carry
 * and the ones it must; every tag has a ceiling on its length; a field
 * appears at most once; numbers are decimal text.  Anything else is an
 * error naming it, and the connection ends (the client then refuses the
 * call it was deciding: fail closed).  Fields point into the frame: no
 * copies.
 */
#ifndef DAEMON_WIRE_H
#define DAEMON_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1
#define WIRE_MAX_FRAME (17u << 20) /* a JSON field of 16 MiB and the rest */
#define WIRE_MAX_JSON (16u << 20)  /* params, a tool list, a result's tools */
#define WIRE_MAX_NAME 256u         /* agent, server, method, tool, event type */
#define WIRE_MAX_TEXT 4096u        /* a verdict's or an error's text */
#define WIRE_MAX_NUMBER 20u        /* a decimal number */
#define WIRE_MAX_HOLD 16u          /* a hold's id */

enum wire_type {
    WIRE_HELLO = 1, /* client: server, [agent]         -> WIRE_OK {session} */
    WIRE_AGENT,     /* client: agent                   -> WIRE_OK */
    WIRE_TOOLS,     /* client: json (tool list)        -> WIRE_OK */
    WIRE_STALE,     /* client: (tool list is stale)    -> WIRE_OK */
    WIRE_DECIDE,    /* client: method, json (params)   -> WIRE_VERDICT */
    WIRE_OUTCOME,   /* client: entry, effects, ms, [json] (response summary) or [what]; no answer */
    WIRE_EVENT,     /* client: what, [json]            -> WIRE_OK */
    WIRE_FILTER,    /* client: json (tools/list result) -> WIRE_OK {json, number} */
    WIRE_OK,        /* daemon: [session], [json], [number] */
    WIRE_VERDICT,   /* daemon: outcome, code, text, entry, effects, [tool], [json] (policies) */
    WIRE_ERROR,     /* daemon: text */
    WIRE_WAIT,      /* client: hold (after reconnecting) -> WIRE_OK, then WIRE_RESOLVED */
    WIRE_WITHDRAW,  /* client: hold, what (cancelled | timeout) -> WIRE_OK */
    WIRE_ADMIN,     /* client: what (command), [json] (its arguments) -> WIRE_OK {json} */
    WIRE_RESOLVED,  /* daemon, unasked: a held call was decided: hold + a verdict's fields */
    WIRE_TYPES_END
};

enum wire_tag {
    WT_SERVER = 1,
    WT_AGENT,
    WT_SESSION,
    WT_METHOD,
    WT_JSON,
    WT_ENTRY,
    WT_EFFECTS,
    WT_MS,
    WT_WHAT,
    WT_OUTCOME,
    WT_CODE,
    WT_TEXT,
    WT_TOOL,
    WT_NUMBER,
    WT_HOLD,
    WT_TAGS_END
};

struct wire_field {
    const char *p;
    uint32_t n;
};

struct wire_msg {
    uint8_t type;
    uint32_t present; /* bit t: tag t was given */
    struct wire_field f[WT_TAGS_END];
};

/* A frame's body (after its length): 0, or -1 with err. */
int wire_parse(const void *body, size_t len, struct wire_msg *m, char *err, size_t errlen);

/* Whether tag t was given. */
int wire_has(const struct wire_msg *m, enum wire_tag t);
/* A number field: 0 with *v, -1 if absent or not a number. */
int wire_number(const struct wire_msg *m, enum wire_tag t, int64_t *v);

/* Building a frame: begin, add fields, then send it whole. */
struct wire_buf {
    char *b;
    size_t n, cap;
    int failed;
};
void wire_begin(struct wire_buf *w, enum wire_type type);
void wire_add(struct wire_buf *w, enum wire_tag t, const void *p, size_t n);
void wire_add_str(struct wire_buf *w, enum wire_tag t, const char *s);
void wire_add_num(struct wire_buf *w, enum wire_tag t, int64_t v);
void wire_release(struct wire_buf *w);

/* Blocking I/O on a stream socket (a peer that is gone is an error, never
 * SIGPIPE).  0 or -1. */
int wire_send(int fd, struct wire_buf *w);
/* Put the frame's length in front of it: 0, or -1 if it is not whole. */
int wire_seal(struct wire_buf *w);
/* Append w's frame (sealed here) to q, to be written later. 0 or -1. */
int wire_queue(struct wire_buf *q, struct wire_buf *w);
/* Append n bytes to q. 0 or -1 (out of memory). */
int wire_put(struct wire_buf *q, const void *p, size_t n);
int wire_write_all(int fd, const void *buf, size_t n);
int wire_read_all(int fd, void *buf, size_t n);
/* Connect to airlockd's socket: the fd, or -1 with err. */
int wire_dial(const char *path, char *err, size_t errlen);

/* Buffered reading: as many bytes as the socket has, frames taken from the
 * buffer, so a frame costs one read(2), not two, and frames that arrive
 * together are read together. */
struct wire_in {
    char *buf;
    size_t cap, start, end;
};
/* The next frame's body (pointing into in, valid until the next call),
 * reading (blocking) only when no whole frame is buffered.  0, or -1 with
 * err (also at the end of the stream, and for a frame over
 * WIRE_MAX_FRAME, refused from its header). */
int wire_next(int fd, struct wire_in *in, const char **body, size_t *len, char *err, size_t errlen);
/* Whether a whole frame is already buffered (serve it before polling). */
int wire_buffered(const struct wire_in *in);
/* Without blocking, for a server that owes every peer its turn: one read
 * of what the socket has (the fd is O_NONBLOCK); the bytes read, 0 when it
 * had none (or whole frames fill the buffer), -1 with err at the end of
 * the stream or on an error.  wire_take then gives the next whole frame
 * (1), none yet (0), or -1 with err for a frame of the wrong size;
 * wire_partial says that a frame has begun but is not whole. */
int wire_fill(int fd, struct wire_in *in, char *err, size_t errlen);
int wire_take(struct wire_in *in, const char **body, size_t *len, char *err, size_t errlen);
int wire_partial(const struct wire_in *in);

/* How long either side polls without sleeping for the other's next frame
 * (util_poll.h): airlock's client after a request, airlockd after serving
 * frames, each while what it waits for comes within twice that.  It covers the
 * daemon's fsync of the request's record (150 to 250 us here). */
#define WIRE_SPIN_US 300
void wire_in_release(struct wire_in *in);

#endif
