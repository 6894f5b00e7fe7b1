/*
 * gate_sessions.c - agent sessions' effects, in memory or in files
 * (gate_sessions.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "gate_sessions.h"

struct entry {
    unsigned char key[crypto_hash_sha256_BYTES];
    unsigned effects;
    uint64_t used; /* when last looked at, in lookups: the oldest goes first */
};

struct gate_sessions {
    char *dir; /* NULL: in memory */
    struct entry *v;
    size_t n;
    uint64_t clock;
};

int
gate_sessions_open(struct gate_sessions **out, const char *dir, char *err, size_t errlen)
{
    struct gate_sessions *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s || (dir && !(s->dir = strdup(dir)))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (dir && mkdir(dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        gate_sessions_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void
gate_sessions_close(struct gate_sessions *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->v);
    free(s);
}

static void
digest(const char *key, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)key, strlen(key));
}

/* ---- in memory ---- */

static struct entry *
find(struct gate_sessions *s, const unsigned char *k, int make)
{
    struct entry *oldest = NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (!memcmp(s->v[i].key, k, sizeof(s->v[i].key))) {
            s->v[i].used = ++s->clock;
            return &s->v[i];
        }
        if (!oldest || s->v[i].used < oldest->used)
            oldest = &s->v[i];
    }
    if (!make)
        return NULL;
    struct entry *e;
    if (s->n < GATE_MAX_AGENT_SESSIONS) {
        if (!s->v && !(s->v = calloc(GATE_MAX_AGENT_SESSIONS, sizeof(*s->v))))
            return NULL;
        e = &s->v[s->n++];
    } else {
        e = oldest; /* forgotten: the least recently used */
    }
    memcpy(e->key, k, sizeof(e->key));
    e->effects = 0;
    e->used = ++s->clock;
    return e;
}

/* ---- in files: DIR/<hex of the key's SHA-256>, its effects in decimal ---- */

static int
file_of(const struct gate_sessions *s, const unsigned char *k, char *path, size_t cap)
{
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof(hex), k, crypto_hash_sha256_BYTES);
    return (size_t)snprintf(path, cap, "%s/%s", s->dir, hex) < cap ? 0 : -1;
}

/* Open and lock key's file; *effects what it holds.  The fd, or -1. */
static int
open_locked(const struct gate_sessions *s, const unsigned char *k, int create, unsigned *effects)
{
    char path[4096], buf[32];
    *effects = 0;
    if (file_of(s, k, path, sizeof(path)))
        return -1;
    int fd = open(path, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return create || errno != ENOENT ? -1 : -2;
    if (flock(fd, create ? LOCK_EX : LOCK_SH)) {
        close(fd);
        return -1;
    }
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n < 0) {
        close(fd);
        return -1;
    }
    buf[n] = '\0';
    *effects = (unsigned)strtoul(buf, NULL, 10) & 7u;
    return fd;
}

/* ---- both ---- */

int
gate_sessions_get(struct gate_sessions *s, const char *key, unsigned *effects)
{
    unsigned char k[crypto_hash_sha256_BYTES];
    digest(key, k);
    *effects = 0;
    if (!s->dir) {
        const struct entry *e = find(s, k, 0);
        *effects = e ? e->effects : 0;
        return 0;
    }
    int fd = open_locked(s, k, 0, effects);
    if (fd == -2)
        return 0; /* a session not seen before */
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int
gate_sessions_add(struct gate_sessions *s, const char *key, unsigned effects)
{
    unsigned char k[crypto_hash_sha256_BYTES];
    digest(key, k);
    effects &= 7u;
    if (!s->dir) {
        struct entry *e = find(s, k, 1);
        if (!e)
            return -1;
        e->effects |= effects;
        return 0;
    }
    unsigned had;
    int fd = open_locked(s, k, 1, &had);
    if (fd < 0)
        return -1;
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%u\n", had | effects);
    int rc = ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n ? -1 : 0;
    close(fd);
    return rc;
}
