/*
 * mcp_line.c - newline-delimited messages with a ceiling on their length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp_line.h"

#define READ_CHUNK 65536

void
mcp_line_init(struct mcp_line *r, size_t max)
{
    memset(r, 0, sizeof(*r));
    r->max = max;
}

void
mcp_line_release(struct mcp_line *r)
{
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

/* Move unread bytes to the front so the buffer never grows past one line
 * plus one read. */
static void
compact(struct mcp_line *r)
{
    if (r->start == 0)
        return;
    memmove(r->buf, r->buf + r->start, r->len - r->start);
    r->len -= r->start;
    r->start = 0;
}

int
mcp_line_feed(struct mcp_line *r, const void *data, size_t n)
{
    const char *p = data;
    if (r->skipping) {
        /* Drop the rest of an over-long line, up to and with its newline. */
        const char *nl = memchr(p, '\n', n);
        if (!nl)
            return 0;
        r->skipping = 0;
        n -= (size_t)(nl + 1 - p);
        p = nl + 1;
    }
    if (n == 0)
        return 0;
    compact(r);
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n)
            cap *= 2;
        char *b = realloc(r->buf, cap);
        if (!b)
            return -1;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return 0;
}

ssize_t
mcp_line_read(struct mcp_line *r, int fd)
{
    char chunk[READ_CHUNK];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n > 0 && mcp_line_feed(r, chunk, (size_t)n)) {
        errno = ENOMEM;
        return -1;
    }
    if (n == 0)
        r->eof = 1;
    return n;
}

enum mcp_line_status
mcp_line_next(struct mcp_line *r, const char **line, size_t *len)
{
    if (!r->buf)
        return MCP_LINE_NONE;
    size_t avail = r->len - r->start;
    char *s = r->buf + r->start;
    char *nl = avail > r->scanned ? memchr(s + r->scanned, '\n', avail - r->scanned) : NULL;
    size_t n;
    if (nl) {
        n = (size_t)(nl - s);
        r->start += n + 1;
    } else if (avail > r->max) {
        /* No end in sight and already too long: forget it, skip the rest. */
        r->start = r->len = r->scanned = 0;
        r->skipping = 1;
        return MCP_LINE_TOO_LONG;
    } else if (r->eof && avail > 0) {
        n = avail;
        r->start = r->len;
    } else {
        r->scanned = avail;
        return MCP_LINE_NONE;
    }
    r->scanned = 0;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n > r->max)
        return MCP_LINE_TOO_LONG;
    *line = s;
    *len = n;
    return MCP_LINE_OK;
}
