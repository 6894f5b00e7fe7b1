#include "ledger_wal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger_log.h"
#include "ledger_tile.h"

#define REC_HEAD 10 /* index + length */
#define REC_TAIL 8  /* truncated SHA-256 */

static void
put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t
get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void
rec_sum(const uint8_t *rec, size_t len, uint8_t out[REC_TAIL])
{
    ledger_hash h;
    ledger_sha256(rec, len, h);
    memcpy(out, h, REC_TAIL);
}

static int
mem_add(struct ledger_wal *w, const void *p, size_t n)
{
    uint8_t len[2] = {(uint8_t)(n >> 8), (uint8_t)n};
    return util_buf_add(&w->mem, len, 2) || util_buf_add(&w->mem, p, n) ? -1 : 0;
}

/* Append to w->mem every record of buf with index *want, in turn, from
 * where it is; the first bad record ends the file (a torn tail). */
static int
gather(struct ledger_wal *w, const uint8_t *buf, size_t len, uint64_t *want)
{
    size_t off = 0;
    while (len - off >= REC_HEAD + REC_TAIL) {
        uint64_t idx = get_u64(buf + off);
        size_t n = (size_t)buf[off + 8] << 8 | buf[off + 9];
        if (len - off < REC_HEAD + n + REC_TAIL)
            break;
        uint8_t sum[REC_TAIL];
        rec_sum(buf + off, REC_HEAD + n, sum);
        if (memcmp(sum, buf + off + REC_HEAD + n, REC_TAIL) != 0)
            break;
        if (idx == *want) {
            if (mem_add(w, buf + off + REC_HEAD, n))
                return -1;
            ++*want;
            w->count++;
        }
        off += REC_HEAD + n + REC_TAIL;
    }
    return 0;
}

int
ledger_wal_gather(struct ledger_wal w[LEDGER_WAL_FILES], const uint8_t *const buf[LEDGER_WAL_FILES],
                  const size_t len[LEDGER_WAL_FILES], uint64_t base)
{
    /* The entries from base on, in order, wherever they are: a file may
     * hold the older part (its checkpoint had not finished) and the other
     * the rest.  Stop when neither has the next. */
    uint64_t want = base, before;
    do {
        before = want;
        for (int i = 0; i < LEDGER_WAL_FILES; i++)
            if (buf[i] && gather(&w[0], buf[i], len[i], &want))
                return -1;
    } while (want != before);
    w[0].synced_count = w[0].count; /* on disk already */
    w[0].synced_mem = w[0].mem.len;
    w[1].base = want;
    return 0;
}

static int
open_file(struct ledger_wal *w, const char *path, uint64_t base, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    w->base = base;
    util_buf_init(&w->mem, (size_t)LEDGER_MAX_PENDING * (2 + LEDGER_MAX_ENTRY));
    w->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    off_t size = w->fd < 0 ? -1 : lseek(w->fd, 0, SEEK_END);
    if (size < 0) {
        snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
        return -1;
    }
    w->zeroed = size; /* written over from the start */
    return 0;
}

int
ledger_wal_open(struct ledger_wal w[LEDGER_WAL_FILES], const char *dir, uint64_t base, char *err,
                size_t errlen)
{
    static const char *const names[LEDGER_WAL_FILES] = {"pending", "pending.1"};
    uint8_t *buf[LEDGER_WAL_FILES] = {NULL};
    size_t len[LEDGER_WAL_FILES];
    int rc = 0;
    for (int i = 0; i < LEDGER_WAL_FILES; i++)
        w[i].fd = -1;
    for (int i = 0; i < LEDGER_WAL_FILES && !rc; i++) {
        char path[LEDGER_PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc = open_file(&w[i], path, base, err, errlen);
        int r = rc ? 0
                   : ledger_read_file(path,
                                      (size_t)LEDGER_MAX_PENDING *
                                          (REC_HEAD + LEDGER_MAX_ENTRY + REC_TAIL),
                                      &buf[i], &len[i]);
        if (r) {
            snprintf(err, errlen, "%.300s: %s", path, strerror(-r));
            rc = -1;
        }
    }
    if (!rc && ledger_wal_gather(w, (const uint8_t *const *)buf, len, base)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (int i = 0; i < LEDGER_WAL_FILES; i++)
        free(buf[i]);
    return rc;
}

/* Zeros from w->zeroed up to a chunk boundary past end (made durable by
 * the append's own fdatasync). */
static int
extend(struct ledger_wal *w, off_t end)
{
    static const uint8_t zeros[65536];
    off_t to = (end + LEDGER_WAL_CHUNK - 1) / LEDGER_WAL_CHUNK * LEDGER_WAL_CHUNK;
    while (w->zeroed < to) {
        size_t n =
            (size_t)(to - w->zeroed) < sizeof(zeros) ? (size_t)(to - w->zeroed) : sizeof(zeros);
        int f = ledger_fault_hook ? ledger_fault_hook("write") : 0;
        ssize_t wr = f ? -1 : pwrite(w->fd, zeros, n, w->zeroed);
        if (f)
            errno = f < 0 ? -f : EIO;
        if (wr < 0 && !f && errno == EINTR)
            continue;
        if (wr <= 0)
            return -1;
        w->zeroed += wr;
    }
    return 0;
}

static int
datasync(struct ledger_wal *w)
{
    int f = ledger_fault_hook ? ledger_fault_hook("fdatasync") : 0;
    if (f)
        errno = f < 0 ? -f : EIO;
    return f || fdatasync(w->fd) != 0 ? -1 : 0;
}

static void
mark_synced(struct ledger_wal *w)
{
    w->synced_off = w->off;
    w->synced_count = w->count;
    w->synced_mem = w->mem.len;
}

int
ledger_wal_truncate(struct ledger_wal *w, off_t off, uint64_t count, size_t memlen)
{
    int f = ledger_fault_hook ? ledger_fault_hook("truncate") : 0;
    if (f || ftruncate(w->fd, off) != 0 || fdatasync(w->fd) != 0)
        return -1;
    w->off = w->synced_off = off; /* the fdatasync made all before off durable */
    w->zeroed = off;
    w->count = w->synced_count = count;
    w->mem.len = w->synced_mem = memlen;
    return 0;
}

int
ledger_wal_append(struct ledger_wal *w, const struct ledger_entry *e, size_t n, int sync)
{
    struct util_buf b;
    util_buf_init(&b, (size_t)LEDGER_MAX_BATCH * (REC_HEAD + LEDGER_MAX_ENTRY + REC_TAIL));
    off_t off0 = w->off;
    uint64_t count0 = w->count;
    size_t mem0 = w->mem.len;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint8_t head[REC_HEAD], sum[REC_TAIL];
        put_u64(head, w->base + w->count + i);
        head[8] = (uint8_t)(e[i].len >> 8);
        head[9] = (uint8_t)e[i].len;
        size_t at = b.len;
        rc = util_buf_add(&b, head, REC_HEAD) || util_buf_add(&b, e[i].data, e[i].len);
        if (!rc) {
            rec_sum((const uint8_t *)b.p + at, REC_HEAD + e[i].len, sum);
            rc = util_buf_add(&b, sum, REC_TAIL) || mem_add(w, e[i].data, e[i].len);
        }
    }
    const uint8_t *p = (const uint8_t *)b.p;
    size_t left = b.len;
    off_t at = w->off;
    if (!rc && at + (off_t)left > w->zeroed && extend(w, at + (off_t)left))
        rc = -1;
    while (!rc && left) {
        int f = ledger_fault_hook ? ledger_fault_hook("write") : 0;
        ssize_t wr = f ? -1 : pwrite(w->fd, p, left, at);
        if (f)
            errno = f < 0 ? -f : EIO;
        if (wr < 0 && !f && errno == EINTR)
            continue;
        if (wr <= 0) {
            rc = -1;
            break;
        }
        p += wr;
        left -= (size_t)wr;
        at += wr;
    }
    int sync_failed = !rc && sync && datasync(w);
    util_buf_free(&b);
    if (sync_failed) {
        /* The fdatasync covered what was held before this append too, and
         * its error is reported once: none of that may come back either. */
        return ledger_wal_truncate(w, w->synced_off, w->synced_count, w->synced_mem) ? -2 : -1;
    }
    if (rc) {
        /* Nothing of this append may come back at recovery. */
        return ledger_wal_truncate(w, off0, count0, mem0) ? -2 : -1;
    }
    w->off = at;
    w->count += n;
    if (sync)
        mark_synced(w);
    return 0;
}

int
ledger_wal_sync(struct ledger_wal *w)
{
    if (w->off == w->synced_off)
        return 0;
    if (datasync(w) == 0) {
        mark_synced(w);
        return 0;
    }
    return ledger_wal_truncate(w, w->synced_off, w->synced_count, w->synced_mem) ? -2 : -1;
}

/* No I/O: the next records overwrite the file from its start, and those
 * left after them are older than base, which recovery skips.  Emptying
 * the file instead would cost an fdatasync now and, for the next append,
 * a chunk of zeros and a journal commit. */
void
ledger_wal_reset(struct ledger_wal *w, uint64_t base)
{
    w->off = w->synced_off = 0;
    w->count = w->synced_count = 0;
    w->mem.len = w->synced_mem = 0;
    w->base = base;
}

void
ledger_wal_close(struct ledger_wal *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    util_buf_free(&w->mem);
}
