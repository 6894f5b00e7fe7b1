/*
 * mcp_queue.c - bytes waiting to be written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp_queue.h"

int
mcp_queue_put(struct mcp_queue *q, const char *p, size_t n)
{
    if (q->off == q->len)
        q->off = q->len = 0;
    if (q->len + n > q->cap) {
        if (q->off) {
            memmove(q->buf, q->buf + q->off, q->len - q->off);
            q->len -= q->off;
            q->off = 0;
        }
        size_t cap = q->cap ? q->cap : 65536;
        while (cap < q->len + n)
            cap *= 2;
        if (cap != q->cap) {
            char *b = realloc(q->buf, cap);
            if (!b)
                return -1;
            q->buf = b;
            q->cap = cap;
        }
    }
    memcpy(q->buf + q->len, p, n);
    q->len += n;
    return 0;
}

size_t
mcp_queue_pending(const struct mcp_queue *q)
{
    return q->len - q->off;
}

int
mcp_queue_flush(struct mcp_queue *q)
{
    while (q->off < q->len) {
        ssize_t w = write(q->fd, q->buf + q->off, q->len - q->off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN ? 0 : -1;
        }
        q->off += (size_t)w;
    }
    return 0;
}

void
mcp_queue_release(struct mcp_queue *q)
{
    free(q->buf);
    q->buf = NULL;
    q->off = q->len = q->cap = 0;
}
