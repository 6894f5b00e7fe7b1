/*
 * daemon_wire.c - frames between `airlock mcp` and airlockd.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_wire.h"

#define B(t) (1u << (t))

static const uint32_t ceiling[WT_TAGS_END] = {
    [WT_SERVER] = WIRE_MAX_NAME,    [WT_AGENT] = WIRE_MAX_NAME,    [WT_SESSION] = 64,
    [WT_METHOD] = WIRE_MAX_NAME,    [WT_JSON] = WIRE_MAX_JSON,     [WT_ENTRY] = WIRE_MAX_NUMBER,
    [WT_EFFECTS] = WIRE_MAX_NUMBER, [WT_MS] = WIRE_MAX_NUMBER,     [WT_WHAT] = WIRE_MAX_NAME,
    [WT_OUTCOME] = WIRE_MAX_NUMBER, [WT_CODE] = WIRE_MAX_NUMBER,   [WT_TEXT] = WIRE_MAX_TEXT,
    [WT_TOOL] = WIRE_MAX_NAME,      [WT_NUMBER] = WIRE_MAX_NUMBER, [WT_HOLD] = WIRE_MAX_HOLD,
};

#define VERDICT_FIELDS (B(WT_OUTCOME) | B(WT_CODE) | B(WT_TEXT) | B(WT_ENTRY) | B(WT_EFFECTS))

static const struct {
    uint32_t allowed, required;
} shape[WIRE_TYPES_END] = {
    [WIRE_HELLO] = {B(WT_SERVER) | B(WT_AGENT), B(WT_SERVER)},
    [WIRE_AGENT] = {B(WT_AGENT), B(WT_AGENT)},
    [WIRE_TOOLS] = {B(WT_JSON), B(WT_JSON)},
    [WIRE_STALE] = {0, 0},
    [WIRE_DECIDE] = {B(WT_METHOD) | B(WT_JSON), B(WT_METHOD) | B(WT_JSON)},
    [WIRE_OUTCOME] = {B(WT_ENTRY) | B(WT_EFFECTS) | B(WT_MS) | B(WT_JSON) | B(WT_WHAT),
                      B(WT_ENTRY) | B(WT_EFFECTS) | B(WT_MS)},
    [WIRE_EVENT] = {B(WT_WHAT) | B(WT_JSON), B(WT_WHAT)},
    [WIRE_FILTER] = {B(WT_JSON), B(WT_JSON)},
    [WIRE_OK] = {B(WT_SESSION) | B(WT_JSON) | B(WT_NUMBER), 0},
    [WIRE_VERDICT] = {VERDICT_FIELDS | B(WT_TOOL) | B(WT_JSON) | B(WT_HOLD), VERDICT_FIELDS},
    [WIRE_ERROR] = {B(WT_TEXT), B(WT_TEXT)},
    [WIRE_WAIT] = {B(WT_HOLD), B(WT_HOLD)},
    [WIRE_WITHDRAW] = {B(WT_HOLD) | B(WT_WHAT), B(WT_HOLD) | B(WT_WHAT)},
    [WIRE_ADMIN] = {B(WT_WHAT) | B(WT_JSON), B(WT_WHAT)},
    [WIRE_RESOLVED] = {VERDICT_FIELDS | B(WT_TOOL) | B(WT_JSON) | B(WT_HOLD),
                       VERDICT_FIELDS | B(WT_HOLD)},
};

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static int
bad(char *err, size_t errlen, const char *why, unsigned what)
{
    snprintf(err, errlen, "%s (%u)", why, what);
    return -1;
}

int
wire_parse(const void *body, size_t len, struct wire_msg *m, char *err, size_t errlen)
{
    const unsigned char *p = body;
    memset(m, 0, sizeof(*m));
    if (len < 2 || len > WIRE_MAX_FRAME)
        return bad(err, errlen, "a frame of the wrong size", (unsigned)len);
    if (p[0] != WIRE_VERSION)
        return bad(err, errlen, "an unknown protocol version", p[0]);
    m->type = p[1];
    if (m->type == 0 || m->type >= WIRE_TYPES_END)
        return bad(err, errlen, "an unknown frame type", m->type);
    for (size_t i = 2; i < len;) {
        if (len - i < 5)
            return bad(err, errlen, "a truncated field header at byte", (unsigned)i);
        unsigned t = p[i];
        uint32_t n = be32(p + i + 1);
        if (t == 0 || t >= WT_TAGS_END || !(shape[m->type].allowed & B(t)))
            return bad(err, errlen, "a field this frame type does not carry", t);
        if (m->present & B(t))
            return bad(err, errlen, "a field given twice", t);
        if (n > ceiling[t])
            return bad(err, errlen, "a field over its limit", t);
        if (n > len - i - 5)
            return bad(err, errlen, "a field longer than its frame", t);
        m->f[t] = (struct wire_field){(const char *)p + i + 5, n};
        m->present |= B(t);
        i += 5 + n;
    }
    uint32_t missing = shape[m->type].required & ~m->present;
    if (missing)
        return bad(err, errlen, "a required field is missing", (unsigned)__builtin_ctz(missing));
    return 0;
}

int
wire_has(const struct wire_msg *m, enum wire_tag t)
{
    return (m->present & B(t)) != 0;
}

int
wire_number(const struct wire_msg *m, enum wire_tag t, int64_t *v)
{
    if (!wire_has(m, t) || m->f[t].n == 0)
        return -1;
    const char *s = m->f[t].p;
    uint32_t i = s[0] == '-';
    if (i == m->f[t].n)
        return -1;
    uint64_t x = 0;
    for (; i < m->f[t].n; i++) {
        if (s[i] < '0' || s[i] > '9' || x > (UINT64_C(1) << 62) / 10)
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = s[0] == '-' ? -(int64_t)x : (int64_t)x;
    return 0;
}

static void
reserve(struct wire_buf *w, size_t more)
{
    if (w->failed || w->n + more <= w->cap)
        return;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->n + more)
        cap *= 2;
    char *b = realloc(w->b, cap);
    if (!b) {
        w->failed = 1;
        return;
    }
    w->b = b;
    w->cap = cap;
}

void
wire_begin(struct wire_buf *w, enum wire_type type)
{
    w->n = 0;
    w->failed = 0;
    reserve(w, 6);
    if (w->failed)
        return;
    memset(w->b, 0, 4);
    w->b[4] = WIRE_VERSION;
    w->b[5] = (char)type;
    w->n = 6;
}

void
wire_add(struct wire_buf *w, enum wire_tag t, const void *p, size_t n)
{
    if (n > ceiling[t]) {
        w->failed = 1; /* never sent: the peer would refuse it */
        return;
    }
    reserve(w, 5 + n);
    if (w->failed)
        return;
    w->b[w->n] = (char)t;
    put32((unsigned char *)w->b + w->n + 1, (uint32_t)n);
    memcpy(w->b + w->n + 5, p, n);
    w->n += 5 + n;
}

void
wire_add_str(struct wire_buf *w, enum wire_tag t, const char *s)
{
    wire_add(w, t, s, strlen(s));
}

void
wire_add_num(struct wire_buf *w, enum wire_tag t, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%lld", (long long)v);
    wire_add(w, t, b, (size_t)n);
}

void
wire_release(struct wire_buf *w)
{
    free(w->b);
    memset(w, 0, sizeof(*w));
}

int
wire_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        /* MSG_NOSIGNAL: a peer that is gone is an error here, not a signal */
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int
wire_seal(struct wire_buf *w)
{
    if (w->failed || w->n < 6)
        return -1;
    put32((unsigned char *)w->b, (uint32_t)(w->n - 4));
    return 0;
}

int
wire_send(int fd, struct wire_buf *w)
{
    return wire_seal(w) ? -1 : wire_write_all(fd, w->b, w->n);
}

int
wire_queue(struct wire_buf *q, struct wire_buf *w)
{
    return wire_seal(w) ? -1 : wire_put(q, w->b, w->n);
}

int
wire_put(struct wire_buf *q, const void *p, size_t n)
{
    reserve(q, n);
    if (q->failed)
        return -1;
    memcpy(q->b + q->n, p, n);
    q->n += n;
    return 0;
}

int
wire_read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The length of the frame at the buffer's start, 0 if not yet known. */
static uint32_t
frame_len(const struct wire_in *in)
{
    return in->end - in->start >= 4 ? be32((const unsigned char *)in->buf + in->start) : 0;
}

int
wire_buffered(const struct wire_in *in)
{
    uint32_t n = frame_len(in);
    return n >= 2 && n <= WIRE_MAX_FRAME && in->end - in->start >= (size_t)n + 4;
}

/* Room for need bytes from the buffer's start: earlier bytes moved out. */
static int
make_room(struct wire_in *in, size_t need)
{
    if (in->start) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (need <= in->cap)
        return 0;
    size_t cap = in->cap ? in->cap : 65536;
    while (cap < need)
        cap *= 2;
    char *b = realloc(in->buf, cap);
    if (!b)
        return -1;
    in->buf = b;
    in->cap = cap;
    return 0;
}

int
wire_take(struct wire_in *in, const char **body, size_t *len, char *err, size_t errlen)
{
    uint32_t n = frame_len(in);
    if (in->end - in->start >= 4 && (n < 2 || n > WIRE_MAX_FRAME))
        return bad(err, errlen, "a frame of the wrong size", n);
    if (!n || in->end - in->start < (size_t)n + 4)
        return 0;
    *body = in->buf + in->start + 4;
    *len = n;
    in->start += 4 + (size_t)n;
    return 1;
}

int
wire_partial(const struct wire_in *in)
{
    return in->end > in->start && !wire_buffered(in);
}

int
wire_fill(int fd, struct wire_in *in, char *err, size_t errlen)
{
    uint32_t n = frame_len(in);
    if (make_room(in, n ? (size_t)n + 4 : 4)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (in->end == in->cap)
        return 0; /* whole frames wait: they are taken first */
    ssize_t k;
    do
        k = read(fd, in->buf + in->end, in->cap - in->end);
    while (k < 0 && errno == EINTR);
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (k <= 0) {
        snprintf(err, errlen, "%s",
                 k == 0 ? (in->end > in->start ? "the connection was closed mid-frame"
                                               : "the connection was closed")
                        : strerror(errno));
        return -1;
    }
    in->end += (size_t)k;
    return (int)(k > INT_MAX ? INT_MAX : k);
}

int
wire_next(int fd, struct wire_in *in, const char **body, size_t *len, char *err, size_t errlen)
{
    for (;;) {
        int r = wire_take(in, body, len, err, errlen);
        if (r)
            return r < 0 ? -1 : 0;
        r = wire_fill(fd, in, err, errlen);
        if (r < 0)
            return -1;
        if (r == 0) {
            snprintf(err, errlen, "the peer sent nothing in time");
            return -1;
        }
    }
}

void
wire_in_release(struct wire_in *in)
{
    free(in->buf);
    memset(in, 0, sizeof(*in));
}

int
wire_dial(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        snprintf(err, errlen, "%s: socket path too long", path);
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
        return fd;
    snprintf(err, errlen, "cannot reach airlockd at %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}
