/*
 * mcp_queue.h - bytes waiting to be written to a peer that may be slow.
 */
#ifndef MCP_QUEUE_H
#define MCP_QUEUE_H

#include <stddef.h>

struct mcp_queue {
    int fd; /* where the bytes go */
    char *buf;
    size_t off, len, cap; /* unwritten bytes are buf[off..len) */
};

/* Append (takes nothing over): 0 or -1 out of memory. */
int mcp_queue_put(struct mcp_queue *q, const char *p, size_t n);
size_t mcp_queue_pending(const struct mcp_queue *q);
/* Write what q->fd takes now: 0, or -1 on an error other than EAGAIN. */
int mcp_queue_flush(struct mcp_queue *q);
void mcp_queue_release(struct mcp_queue *q);

#endif
