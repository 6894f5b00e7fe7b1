/*
 * mcp_line.h - newline-delimited messages from a file descriptor, each at
 * most a set number of bytes.
 *
 * The stdio transport of MCP is one JSON-RPC message per line.  A reader
 * owns its buffer; mcp_line_next() hands out one line at a time, pointing
 * into that buffer until the next call.  A line longer than the limit is
 * not kept: the reader skips to its end and reports it as MCP_LINE_TOO_LONG
 * once, so the session can answer with an error and go on.
 */
#ifndef MCP_LINE_H
#define MCP_LINE_H

#include <stddef.h>
#include <sys/types.h>

enum mcp_line_status {
    MCP_LINE_NONE = 0,    /* no complete line buffered yet */
    MCP_LINE_OK = 1,      /* *line, *len: a line without its "\n" (or "\r\n") */
    MCP_LINE_TOO_LONG = 2 /* a line over the limit was skipped */
};

struct mcp_line {
    char *buf;
    size_t len; /* bytes buffered */
    size_t cap;
    size_t start;   /* first byte not yet handed out */
    size_t scanned; /* bytes after start known to hold no newline */
    size_t max;     /* longest line accepted */
    int skipping;   /* inside a line over the limit */
    int eof;
};

void mcp_line_init(struct mcp_line *r, size_t max);
void mcp_line_release(struct mcp_line *r);

/* Add bytes (as read from the peer).  0, or -1 when out of memory. */
int mcp_line_feed(struct mcp_line *r, const void *data, size_t n);

/* Read once from fd into the buffer: >0 bytes read, 0 at end of input,
 * -1 on error (errno; EAGAIN when nothing is there). */
ssize_t mcp_line_read(struct mcp_line *r, int fd);

/* The next event.  At end of input a last line without "\n" is returned. */
enum mcp_line_status mcp_line_next(struct mcp_line *r, const char **line, size_t *len);

#endif
