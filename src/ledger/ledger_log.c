#include "ledger_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/util_buf.h"
#include "ledger_checkpoint.h"
#include "ledger_inner.h"
#include "ledger_tile.h"
#include "ledger_wal.h"

#define SET_ERR(...) snprintf(err, errlen, __VA_ARGS__)
#define TILE_NODES 511   /* a tile's hashes and every complete subtree above them */
#define CACHE_SLOTS 1024 /* tiles with their inner nodes: 16 KiB each, filled lazily */
#define RANGE_SLOTS 1024 /* hashes of uneven ranges (the right edge), per tree size */
#define RECENT_TILES 16  /* full tiles per level that proofs take from the cache */

/* The right edge of the tree: what appending needs, in memory. */
struct edge {
    uint64_t size;
    ledger_hash part[LEDGER_MAX_LEVELS][LEDGER_TILE_WIDTH]; /* partial tiles */
    struct ledger_frontier front;
    struct util_buf bundle; /* the partial entry bundle */
};

struct tile_cache {
    int level;
    uint64_t index;
    unsigned width; /* 0: empty slot */
    uint64_t version;
    ledger_hash nodes[TILE_NODES];
};

struct range_memo {
    uint64_t a, b, version;
    int valid;
    ledger_hash h;
};

struct pending {
    const struct ledger_entry *e;
    size_t n;
    uint64_t first;
    int rc;
    int want_checkpoint;
    int held;     /* written, durable at the next ledger_sync */
    unsigned par; /* the stack it was pushed on */
    char err[LEDGER_ERR_MAX];
    _Atomic int done;
    struct pending *next;
};

struct ledger_log {
    char dir[LEDGER_DIR_MAX];
    int writable;
    ledger_signer_fn signer; /* when set, the key is another process's */
    void *signer_arg;
    struct ledger_skey key;
    struct ledger_vkey vkey;
    struct edge edge;
    ledger_hash root;
    char *note;
    size_t note_len;
    uint64_t version; /* bumped at each commit: invalidates cached partial tiles */
    struct tile_cache *cache;
    struct range_memo *memo;
    struct ledger_inner inner;   /* for proofs, under mu */
    struct ledger_inner inner_w; /* for the committing thread */
    pthread_mutex_t mu;
    /* Group commit (see "group commit" below); the rest is the leader's. */
    _Atomic(struct pending *) stack[2];
    _Atomic uint32_t open;
    _Atomic uint32_t word[2];
    _Atomic int sleepers[2]; /* appenders in futex_wait on word[] */
    _Atomic int lead;
    struct pending *carry; /* taken but over the batch limit: next batch */
    /* Appends go to wal[cur]; the other is the checkpointer's while bg_job
     * (see "background checkpoints"); cur and the bg_ fields change under
     * bg_mu. */
    struct ledger_wal wal[LEDGER_WAL_FILES];
    int cur;
    pthread_mutex_t bg_mu;
    pthread_cond_t bg_cv;
    pthread_t bg;
    int bg_started, bg_job, bg_stop, bg_failed;
    uint64_t bg_count;     /* entries in the job */
    int broken;            /* a failed append could not be undone: reopen */
    _Atomic int held_lost; /* held appends were undone since the last ledger_sync */
    int lock_fd;           /* DIR/lock, flock'd by the one writer; -1 */
};

static const unsigned level_off[9] = {0, 256, 384, 448, 480, 496, 504, 508, 510};

static unsigned
width_at(uint64_t size, int level)
{
    return (unsigned)((size >> (LEDGER_TILE_HEIGHT * level)) & 0xff);
}

static uint64_t
tile_index_at(uint64_t size, int level)
{
    int shift = LEDGER_TILE_HEIGHT * (level + 1);
    return shift >= 64 ? 0 : size >> shift;
}

static int
path_of(const struct ledger_log *log, int level, uint64_t index, unsigned width, char *buf)
{
    return ledger_tile_path(buf, LEDGER_PATH_MAX, log->dir, level, index, width);
}

/* ---- the frontier -------------------------------------------------------- */

/* Rebuild the frontier from the partial tiles (after loading them). */
static void
edge_rebuild_front(struct edge *e)
{
    e->front.n = 0;
    for (int l = LEDGER_MAX_LEVELS - 1; l >= 0; l--) {
        unsigned w = width_at(e->size, l);
        for (int b = LEDGER_TILE_HEIGHT - 1; b >= 0; b--) {
            if (!(w & (1u << b)))
                continue;
            unsigned start = (w >> (b + 1)) << (b + 1);
            e->front.v[e->front.n].height = (uint8_t)(LEDGER_TILE_HEIGHT * l + b);
            ledger_root_of((const ledger_hash *)&e->part[l][start], 1u << b,
                           e->front.v[e->front.n].h);
            e->front.n++;
        }
    }
}

/* ---- loading ------------------------------------------------------------- */

static int
load_partials(struct ledger_log *log, char *err, size_t errlen)
{
    struct edge *e = &log->edge;
    char path[LEDGER_PATH_MAX];
    for (int l = 0; l < LEDGER_MAX_LEVELS; l++) {
        unsigned w = width_at(e->size, l);
        if (!w)
            continue;
        uint8_t *buf;
        size_t len;
        path_of(log, l, tile_index_at(e->size, l), w, path);
        int rc = ledger_read_file(path, LEDGER_TILE_WIDTH * LEDGER_HASH_BYTES, &buf, &len);
        if (rc || len != (size_t)w * LEDGER_HASH_BYTES) {
            SET_ERR("%s: %s", path, rc ? strerror(-rc) : "wrong size");
            if (!rc)
                free(buf);
            return -1;
        }
        memcpy(e->part[l], buf, len);
        free(buf);
    }
    unsigned w = width_at(e->size, 0);
    util_buf_init(&e->bundle, (size_t)LEDGER_TILE_WIDTH * (2 + LEDGER_MAX_ENTRY));
    if (w) {
        uint8_t *buf;
        size_t len;
        path_of(log, LEDGER_LEVEL_ENTRIES, tile_index_at(e->size, 0), w, path);
        int rc = ledger_read_file(path, e->bundle.max, &buf, &len);
        if (rc) {
            SET_ERR("%s: %s", path, strerror(-rc));
            return -1;
        }
        rc = util_buf_add(&e->bundle, buf, len);
        free(buf);
        if (rc) {
            SET_ERR("out of memory");
            return -1;
        }
    }
    edge_rebuild_front(e);
    return 0;
}

/* Remove tiles and bundles an unfinished commit wrote past the checkpoint. */
static void
remove_leftovers(struct ledger_log *log)
{
    char path[LEDGER_PATH_MAX + 256], dirp[LEDGER_PATH_MAX];
    uint64_t size = log->edge.size;
    for (int l = LEDGER_LEVEL_ENTRIES; l < LEDGER_MAX_LEVELS; l++) {
        int lv = l < 0 ? 0 : l;
        uint64_t idx = tile_index_at(size, lv);
        unsigned w = width_at(size, lv);
        /* Wider partials of the current tile. */
        path_of(log, l, idx, 1, dirp);
        char *slash = strrchr(dirp, '/');
        *slash = '\0';
        DIR *d = opendir(dirp);
        if (d) {
            struct dirent *de;
            while ((de = readdir(d))) {
                char *end;
                unsigned long ww = strtoul(de->d_name, &end, 10);
                if (*end || de->d_name[0] == '.' || ww > w) {
                    if (de->d_name[0] != '.' || strlen(de->d_name) > 2) {
                        snprintf(path, sizeof(path), "%s/%s", dirp, de->d_name);
                        unlink(path);
                    }
                }
            }
            closedir(d);
        }
        /* Full tiles at or after the current one, and their temporaries
         * (a commit writes many before it renames any). */
        for (uint64_t i = idx;; i++) {
            path_of(log, l, i, 0, path);
            int gone = unlink(path) == 0;
            size_t pl = strlen(path);
            snprintf(path + pl, sizeof(path) - pl, ".tmp");
            if (!(unlink(path) == 0 || gone))
                break;
        }
    }
}

static int
read_text_file(const char *path, size_t max, char **out, size_t *len)
{
    uint8_t *buf;
    int rc = ledger_read_file(path, max, &buf, len);
    if (rc)
        return rc;
    char *s = realloc(buf, *len + 1);
    if (!s) {
        free(buf);
        return -ENOMEM;
    }
    s[*len] = '\0';
    *out = s;
    return 0;
}

int
ledger_skey_load(const char *dir, struct ledger_skey *k, char *err, size_t errlen)
{
    char path[LEDGER_PATH_MAX];
    snprintf(path, sizeof(path), "%s/key", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        SET_ERR("%s: %s", path, strerror(errno));
        return -1;
    }
    /* The signer key must be the owner's alone. */
    if (st.st_mode & 077) {
        SET_ERR("%s: readable or writable by others (mode %03o); chmod 600 it", path,
                (unsigned)(st.st_mode & 0777));
        return -1;
    }
    if (st.st_uid != geteuid()) {
        SET_ERR("%s: owned by uid %u, not by this user", path, (unsigned)st.st_uid);
        return -1;
    }
    char *text;
    size_t len;
    int rc = read_text_file(path, 4096, &text, &len);
    if (rc) {
        SET_ERR("%s: %s", path, strerror(-rc));
        return -1;
    }
    rc = ledger_skey_parse(text, len, k);
    sodium_memzero(text, len);
    free(text);
    if (rc) {
        SET_ERR("%s: not a valid signer key", path);
        return -1;
    }
    return 0;
}

static int
load_key(struct ledger_log *log, char *err, size_t errlen)
{
    if (ledger_skey_load(log->dir, &log->key, err, errlen))
        return -1;
    ledger_skey_public(&log->key, &log->vkey);
    return 0;
}

static int
load_vkey(struct ledger_log *log, char *err, size_t errlen)
{
    char path[LEDGER_PATH_MAX], *text;
    size_t len;
    snprintf(path, sizeof(path), "%s/vkey", log->dir);
    int rc = read_text_file(path, 4096, &text, &len);
    if (rc) {
        SET_ERR("%s: %s", path, strerror(-rc));
        return -1;
    }
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    rc = ledger_vkey_parse(text, len, &log->vkey);
    free(text);
    if (rc) {
        SET_ERR("%s: not a valid verifier key", path);
        return -1;
    }
    return 0;
}

static int
load_checkpoint(struct ledger_log *log, char *err, size_t errlen)
{
    char path[LEDGER_PATH_MAX];
    snprintf(path, sizeof(path), "%s/checkpoint", log->dir);
    int rc = read_text_file(path, LEDGER_NOTE_MAX, &log->note, &log->note_len);
    if (rc) {
        SET_ERR("%s: %s", path, strerror(-rc));
        return -1;
    }
    struct ledger_note note;
    char why[256];
    if (ledger_note_open(log->note, log->note_len, &log->vkey, 1, &note, why, sizeof(why))) {
        SET_ERR("%s: %s", path, why);
        return -1;
    }
    struct ledger_checkpoint cp;
    if (ledger_checkpoint_parse(note.text, note.text_len, &cp, why, sizeof(why))) {
        SET_ERR("%s: %s", path, why);
        return -1;
    }
    if (strcmp(cp.origin, log->vkey.name) != 0) {
        SET_ERR("%s: origin \"%s\" is not the key's name \"%s\"", path, cp.origin, log->vkey.name);
        return -1;
    }
    log->edge.size = cp.size;
    memcpy(log->root, cp.root, LEDGER_HASH_BYTES);
    return 0;
}

static int checkpoint_all(struct ledger_log *log, char *err, size_t errlen);
static void bg_stop(struct ledger_log *log);

/* One writer at a time: two would give out the same indexes.  The lock is
 * DIR/lock, holding the writer's pid for the message the next one gets; the
 * kernel releases it when the writer dies, however it dies. */
static int
take_writer_lock(struct ledger_log *log, char *err, size_t errlen)
{
    char path[LEDGER_PATH_MAX], pid[32] = "";
    snprintf(path, sizeof(path), "%s/lock", log->dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        SET_ERR("%s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        if (e != EWOULDBLOCK) {
            SET_ERR("%s: %s", path, strerror(e));
            return -1;
        }
        SET_ERR("the log in %s is open for writing by another process (pid %s)", log->dir,
                *pid ? pid : "?");
        return LEDGER_E_BUSY;
    }
    int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        SET_ERR("%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    log->lock_fd = fd;
    return 0;
}

static int open_log(const char *dir, int writable, ledger_signer_fn sign, void *arg,
                    struct ledger_log **out, char *err, size_t errlen);

int
ledger_open(const char *dir, int writable, struct ledger_log **out, char *err, size_t errlen)
{
    return open_log(dir, writable, NULL, NULL, out, err, errlen);
}

int
ledger_open_signer(const char *dir, ledger_signer_fn sign, void *arg, struct ledger_log **out,
                   char *err, size_t errlen)
{
    return open_log(dir, 1, sign, arg, out, err, errlen);
}

static int
open_log(const char *dir, int writable, ledger_signer_fn sign, void *arg, struct ledger_log **out,
         char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        SET_ERR("cannot initialise libsodium");
        return -1;
    }
    if (strlen(dir) >= LEDGER_DIR_MAX) {
        SET_ERR("log directory path longer than %d bytes", LEDGER_DIR_MAX - 1);
        return -1;
    }
    struct ledger_log *log = calloc(1, sizeof(*log));
    if (!log) {
        SET_ERR("out of memory");
        return -1;
    }
    snprintf(log->dir, sizeof(log->dir), "%s", dir);
    log->writable = writable;
    log->signer = sign;
    log->signer_arg = arg;
    pthread_mutex_init(&log->mu, NULL);
    pthread_mutex_init(&log->bg_mu, NULL);
    pthread_cond_init(&log->bg_cv, NULL);
    ledger_inner_init(&log->inner, dir, 0);
    ledger_inner_init(&log->inner_w, dir, writable);
    for (int i = 0; i < LEDGER_WAL_FILES; i++)
        log->wal[i].fd = -1;
    log->lock_fd = -1;
    util_buf_init(&log->edge.bundle, (size_t)LEDGER_TILE_WIDTH * (2 + LEDGER_MAX_ENTRY));
    int busy = writable ? take_writer_lock(log, err, errlen) : 0;
    if (busy) {
        ledger_close(log);
        return busy;
    }
    if ((writable && !sign ? load_key(log, err, errlen) : load_vkey(log, err, errlen)) ||
        load_checkpoint(log, err, errlen) || load_partials(log, err, errlen))
        goto fail;
    ledger_hash root;
    ledger_frontier_root(&log->edge.front, root);
    if (sodium_memcmp(root, log->root, LEDGER_HASH_BYTES) != 0) {
        SET_ERR("%s: the tiles do not hash to the checkpoint's root (run airlock log verify)", dir);
        goto fail;
    }
    if (writable) {
        remove_leftovers(log);
        if (ledger_wal_open(log->wal, dir, log->edge.size, err, errlen))
            goto fail;
        /* Durable entries a crash left without a checkpoint: checkpoint
         * them now (the files are written over from their start). */
        if (checkpoint_all(log, err, errlen))
            goto fail;
    }
    *out = log;
    return 0;
fail:
    ledger_close(log);
    return -1;
}

void
ledger_close(struct ledger_log *log)
{
    if (!log)
        return;
    bg_stop(log);
    if (log->writable && log->wal[0].fd >= 0 && log->wal[1].fd >= 0 && !log->broken) {
        /* Best effort: what fails stays durable in the write-ahead file. */
        char err[LEDGER_ERR_MAX];
        (void)checkpoint_all(log, err, sizeof(err));
    }
    for (int i = 0; i < LEDGER_WAL_FILES; i++)
        ledger_wal_close(&log->wal[i]);
    if (log->lock_fd >= 0)
        close(log->lock_fd); /* releases the writer's lock */
    ledger_skey_wipe(&log->key);
    util_buf_free(&log->edge.bundle);
    free(log->note);
    free(log->cache);
    free(log->memo);
    ledger_inner_close(&log->inner);
    ledger_inner_close(&log->inner_w);
    pthread_mutex_destroy(&log->mu);
    pthread_mutex_destroy(&log->bg_mu);
    pthread_cond_destroy(&log->bg_cv);
    free(log);
}

/* ---- committing ---------------------------------------------------------- */

struct commit {
    struct ledger_log *log;
    struct edge e;
    uint64_t full_done[LEDGER_MAX_LEVELS + 1][2]; /* range of full tiles written, per level */
    struct ledger_files files;                    /* tiles written, not yet synced */
    char *err;
    size_t errlen;
};

static int
put_file(struct commit *c, int level, uint64_t index, unsigned width, const void *data, size_t n)
{
    char path[LEDGER_PATH_MAX];
    if (path_of(c->log, level, index, width, path))
        return -ENAMETOOLONG;
    int rc = ledger_files_put(&c->files, path, data, n);
    if (rc)
        snprintf(c->err, c->errlen, "%s: %s", path, strerror(-rc));
    return rc;
}

/* A level-(l-1) tile just filled: write it; its hash goes into level l. */
static int
tile_filled(void *ctx, int height, const ledger_hash h)
{
    struct commit *c = ctx;
    struct edge *e = &c->e;
    int l = height / LEDGER_TILE_HEIGHT;
    uint64_t last = e->size; /* index of the leaf being added */
    uint64_t idx = tile_index_at(last, l - 1);
    int rc = put_file(c, l - 1, idx, 0, e->part[l - 1], LEDGER_TILE_WIDTH * LEDGER_HASH_BYTES);
    if (rc)
        return rc;
    ledger_inner_put(&c->log->inner_w, l - 1, idx, e->part[l - 1]);
    if (c->full_done[l - 1][1] == 0)
        c->full_done[l - 1][0] = idx;
    c->full_done[l - 1][1] = idx + 1;
    if (l < LEDGER_MAX_LEVELS)
        memcpy(e->part[l][width_at(last, l)], h, LEDGER_HASH_BYTES);
    return 0;
}

static int
push_leaf(struct commit *c, const ledger_hash leaf)
{
    struct edge *e = &c->e;
    memcpy(e->part[0][width_at(e->size, 0)], leaf, LEDGER_HASH_BYTES);
    int rc = ledger_frontier_push(&e->front, leaf, tile_filled, c);
    if (rc)
        return rc;
    e->size++;
    return 0;
}

static int
commit_entries(struct commit *c, const struct ledger_entry *ents, size_t n)
{
    struct edge *e = &c->e;
    for (size_t i = 0; i < n; i++) {
        uint8_t len[2] = {(uint8_t)(ents[i].len >> 8), (uint8_t)ents[i].len};
        if (util_buf_add(&e->bundle, len, 2) ||
            util_buf_add(&e->bundle, ents[i].data, ents[i].len)) {
            snprintf(c->err, c->errlen, "out of memory");
            return -ENOMEM;
        }
        ledger_hash leaf;
        ledger_leaf_hash(ents[i].data, ents[i].len, leaf);
        uint64_t idx = tile_index_at(e->size, 0);
        int rc = push_leaf(c, leaf);
        if (rc)
            return rc;
        if (width_at(e->size, 0) == 0) {
            /* The bundle is full. */
            rc = put_file(c, LEDGER_LEVEL_ENTRIES, idx, 0, e->bundle.p, e->bundle.len);
            if (rc)
                return rc;
            if (c->full_done[LEDGER_MAX_LEVELS][1] == 0)
                c->full_done[LEDGER_MAX_LEVELS][0] = idx;
            c->full_done[LEDGER_MAX_LEVELS][1] = idx + 1;
            e->bundle.len = 0;
        }
    }
    return 0;
}

/* Once per commit: the partial tiles and bundle of the new size, then the
 * directories that changed. */
static int
commit_finish(struct commit *c)
{
    struct edge *e = &c->e;
    for (int l = 0; l < LEDGER_MAX_LEVELS; l++) {
        unsigned w = width_at(e->size, l);
        int rc = w ? put_file(c, l, tile_index_at(e->size, l), w, e->part[l],
                              (size_t)w * LEDGER_HASH_BYTES)
                   : 0;
        if (rc)
            return rc;
    }
    unsigned w = width_at(e->size, 0);
    int rc = w ? put_file(c, LEDGER_LEVEL_ENTRIES, tile_index_at(e->size, 0), w, e->bundle.p,
                          e->bundle.len)
               : 0;
    if (rc)
        return rc;
    /* The files' data, then their names: the checkpoint that follows
     * must never name a tile a crash could lose. */
    rc = ledger_files_sync(&c->files);
    if (!rc)
        rc = ledger_sync_fs(c->log->dir);
    if (rc)
        snprintf(c->err, c->errlen, "cannot write tiles durably: %s", strerror(-rc));
    return rc;
}

/* A note from an outside signer: our text, signed by the log's key. */
static int
signed_by_us(const struct ledger_log *log, const char *text, size_t n, const struct util_buf *b)
{
    struct ledger_note note;
    char why[128];
    return b->len > n && memcmp(b->p, text, n) == 0 &&
           ledger_note_open(b->p, b->len, &log->vkey, 1, &note, why, sizeof(why)) == 0 &&
           note.verified == 1 && note.text_len == n;
}

static int
sign_checkpoint(struct ledger_log *log, uint64_t size, const ledger_hash root, char **note,
                size_t *len, char *err, size_t errlen)
{
    struct ledger_checkpoint cp = {.size = size};
    snprintf(cp.origin, sizeof(cp.origin), "%s", log->vkey.name);
    memcpy(cp.root, root, LEDGER_HASH_BYTES);
    char text[LEDGER_ORIGIN_MAX + 128];
    int n = ledger_checkpoint_format(&cp, text, sizeof(text));
    struct util_buf b;
    util_buf_init(&b, LEDGER_NOTE_MAX);
    int bad = n < 0;
    if (!bad && log->signer)
        bad = log->signer(log->signer_arg, text, (size_t)n, &b) ||
              !signed_by_us(log, text, (size_t)n, &b);
    else if (!bad)
        bad = ledger_note_sign(&log->key, text, (size_t)n, &b) != 0;
    if (bad) {
        util_buf_free(&b);
        SET_ERR("cannot sign the checkpoint");
        return -1;
    }
    char path[LEDGER_PATH_MAX];
    snprintf(path, sizeof(path), "%s/checkpoint", log->dir);
    int rc = ledger_write_file(path, b.p, b.len);
    if (!rc)
        rc = ledger_sync_dir(log->dir);
    if (rc) {
        util_buf_free(&b);
        SET_ERR("%s: %s", path, strerror(-rc));
        return -1;
    }
    *note = b.p;
    *len = b.len;
    return 0;
}

/* Partial tiles of finished tiles are no longer needed: remove them. */
static void
prune_partials(struct commit *c)
{
    char path[LEDGER_PATH_MAX], dirp[LEDGER_PATH_MAX];
    for (int l = 0; l <= LEDGER_MAX_LEVELS; l++) {
        int level = l == LEDGER_MAX_LEVELS ? LEDGER_LEVEL_ENTRIES : l;
        for (uint64_t i = c->full_done[l][0]; i < c->full_done[l][1]; i++) {
            /* Only the widths some commit wrote: listing the directory
             * costs one call, trying all 255 names cost 255. */
            path_of(c->log, level, i, 1, dirp);
            *strrchr(dirp, '/') = '\0';
            DIR *d = opendir(dirp);
            if (!d)
                continue;
            struct dirent *de;
            while ((de = readdir(d)))
                if (de->d_name[0] != '.' &&
                    snprintf(path, sizeof(path), "%s/%s", dirp, de->d_name) < (int)sizeof(path))
                    unlink(path);
            closedir(d);
            rmdir(dirp);
        }
    }
}

/* One commit of a batch of queued appends; runs without the mutex.  On
 * success *done receives what to prune once the appenders are released. */
static int
commit_batch(struct ledger_log *log, struct pending *batch, struct commit **done, char *err,
             size_t errlen)
{
    struct commit *c = calloc(1, sizeof(*c));
    if (!c) {
        SET_ERR("out of memory");
        return -1;
    }
    c->log = log;
    ledger_files_init(&c->files);
    c->err = err;
    c->errlen = errlen;
    /* Work on a copy of the edge: on failure the log keeps its old state. */
    c->e = log->edge;
    util_buf_init(&c->e.bundle, log->edge.bundle.max);
    int rc = util_buf_add(&c->e.bundle, log->edge.bundle.p, log->edge.bundle.len);
    for (struct pending *p = batch; p && !rc; p = p->next) {
        p->first = c->e.size;
        rc = commit_entries(c, p->e, p->n);
    }
    if (!rc)
        rc = commit_finish(c);
    ledger_hash root;
    char *note = NULL;
    size_t note_len = 0;
    if (!rc) {
        ledger_frontier_root(&c->e.front, root);
        rc = sign_checkpoint(log, c->e.size, root, &note, &note_len, err, errlen);
    }
    if (rc) {
        ledger_files_abandon(&c->files);
        util_buf_free(&c->e.bundle);
        free(c);
        return -1;
    }
    /* Readers hold the mutex: switch to the new state under it. */
    pthread_mutex_lock(&log->mu);
    util_buf_free(&log->edge.bundle);
    log->edge = c->e;
    memcpy(log->root, root, LEDGER_HASH_BYTES);
    free(log->note);
    log->note = note;
    log->note_len = note_len;
    log->version++;
    pthread_mutex_unlock(&log->mu);
    *done = c;
    return 0;
}

/* Tiles and a checkpoint for the entries of the write-ahead files given
 * (older first; b may be NULL), which are then free to be written over. */
static int
checkpoint_files(struct ledger_log *log, struct ledger_wal *a, struct ledger_wal *b, char *err,
                 size_t errlen)
{
    struct ledger_wal *w[2] = {a, b};
    size_t n = (size_t)a->count + (b ? (size_t)b->count : 0), k = 0;
    struct ledger_entry *e = calloc(n ? n : 1, sizeof(*e));
    if (!e) {
        SET_ERR("out of memory");
        return -1;
    }
    for (int f = 0; f < 2 && w[f]; f++) {
        const uint8_t *p = (const uint8_t *)w[f]->mem.p;
        for (uint64_t i = 0; i < w[f]->count; i++) {
            size_t l = (size_t)p[0] << 8 | p[1];
            e[k++] = (struct ledger_entry){p + 2, l};
            p += 2 + l;
        }
    }
    struct pending all = {.e = e, .n = n};
    struct commit *done = NULL;
    int rc = commit_batch(log, &all, &done, err, errlen);
    free(e);
    if (rc)
        return -1;
    for (int f = 0; f < 2 && w[f]; f++)
        ledger_wal_reset(w[f], log->edge.size);
    prune_partials(done);
    free(done);
    return 0;
}

/* ---- background checkpoints -------------------------------------------------
 *
 * Writing a checkpoint's tiles takes about 17 ms per 4,096 entries (32 tiles
 * written and fsync'd); done by the leader, every append waited for it.
 * Instead, when the write-ahead file in use holds LEDGER_CHECKPOINT_EVERY
 * entries, appends move to the other file and a thread of the log's own
 * checkpoints the first; that file is written over only once its
 * checkpoint is durable.  Callers who want a checkpoint, and a full
 * write-ahead, still wait for one (after the thread's). */

static void *
bg_main(void *arg)
{
    struct ledger_log *log = arg;
    pthread_mutex_lock(&log->bg_mu);
    for (;;) {
        while (!log->bg_job && !log->bg_stop)
            pthread_cond_wait(&log->bg_cv, &log->bg_mu);
        if (!log->bg_job)
            break;
        struct ledger_wal *w = &log->wal[log->cur ^ 1];
        pthread_mutex_unlock(&log->bg_mu);
        char err[LEDGER_ERR_MAX];
        int rc = checkpoint_files(log, w, NULL, err, sizeof(err));
        pthread_mutex_lock(&log->bg_mu);
        log->bg_job = 0;
        /* On failure the entries stay durable where they are and no
         * more checkpoints are started here: the next one a caller waits
         * for (an idle writer's, a full write-ahead's) takes them too, and
         * its error goes to that caller. */
        log->bg_failed = rc != 0;
        pthread_cond_broadcast(&log->bg_cv);
    }
    pthread_mutex_unlock(&log->bg_mu);
    return NULL;
}

/* The leader's: entries in the other file, waiting for a checkpoint. */
static uint64_t
other_pending(struct ledger_log *log)
{
    pthread_mutex_lock(&log->bg_mu);
    uint64_t n = log->bg_job ? log->bg_count : log->wal[log->cur ^ 1].count;
    pthread_mutex_unlock(&log->bg_mu);
    return n;
}

/* The leader's: hand the file in use to the thread, if it is free, and
 * go on in the other. */
static void
bg_start(struct ledger_log *log)
{
    pthread_mutex_lock(&log->bg_mu);
    struct ledger_wal *w = &log->wal[log->cur], *o = &log->wal[log->cur ^ 1];
    int can = !log->bg_job && !log->bg_failed && !log->bg_stop && o->count == 0 &&
              w->off == w->synced_off; /* nothing held: the thread checkpoints what is durable */
    if (can && !log->bg_started)
        can = log->bg_started = pthread_create(&log->bg, NULL, bg_main, log) == 0;
    if (can) {
        ledger_wal_reset(o, w->base + w->count);
        log->bg_count = w->count;
        log->cur ^= 1;
        log->bg_job = 1;
        pthread_cond_broadcast(&log->bg_cv);
    }
    pthread_mutex_unlock(&log->bg_mu);
}

/* The leader's: make the held appends durable, or undo them all. */
static int
sync_held(struct ledger_log *log, char *err, size_t errlen)
{
    int rc = ledger_wal_sync(&log->wal[log->cur]);
    if (rc == 0)
        return 0;
    log->held_lost = 1;
    if (rc == -2)
        log->broken = 1;
    SET_ERR("cannot write the entries durably: %s", strerror(errno ? errno : EIO));
    return -1;
}

/* The leader's (or the closer's): a checkpoint of every durable entry. */
static int
checkpoint_all(struct ledger_log *log, char *err, size_t errlen)
{
    pthread_mutex_lock(&log->bg_mu);
    while (log->bg_job)
        pthread_cond_wait(&log->bg_cv, &log->bg_mu);
    pthread_mutex_unlock(&log->bg_mu);
    struct ledger_wal *w = &log->wal[log->cur], *o = &log->wal[log->cur ^ 1];
    if (sync_held(log, err, errlen))
        return -1;
    if (w->count + o->count == 0)
        return 0;
    if (checkpoint_files(log, o, w, err, errlen))
        return -1;
    pthread_mutex_lock(&log->bg_mu);
    log->bg_failed = 0;
    pthread_mutex_unlock(&log->bg_mu);
    return 0;
}

static void
bg_stop(struct ledger_log *log)
{
    if (!log->bg_started)
        return;
    pthread_mutex_lock(&log->bg_mu);
    log->bg_stop = 1;
    pthread_cond_broadcast(&log->bg_cv);
    pthread_mutex_unlock(&log->bg_mu);
    pthread_join(log->bg, NULL);
    log->bg_started = 0;
}

/* The leader's work for one batch: write-ahead, then (if wanted) checkpoint. */
static int
commit_queued(struct ledger_log *log, struct pending *batch, size_t total, char *err, size_t errlen)
{
    if (log->broken) {
        SET_ERR("an earlier failure could not be undone: reopen the log");
        return -1;
    }
    /* Keep the write-ahead bounded: checkpoint what is there first. */
    struct ledger_wal *w = &log->wal[log->cur];
    if (w->count + other_pending(log) + total > LEDGER_MAX_PENDING &&
        checkpoint_all(log, err, errlen))
        return -1;
    struct ledger_entry *all = calloc(total ? total : 1, sizeof(*all));
    if (!all) {
        SET_ERR("out of memory");
        return -1;
    }
    size_t k = 0;
    int want = 0, sync = 0;
    for (struct pending *p = batch; p; p = p->next) {
        p->first = w->base + w->count + k;
        memcpy(all + k, p->e, p->n * sizeof(*all));
        k += p->n;
        want |= p->want_checkpoint;
        sync |= !p->held;
    }
    off_t off0 = w->off;
    uint64_t count0 = w->count;
    size_t mem0 = w->mem.len;
    int rc = total ? ledger_wal_append(w, all, total, sync) : 0;
    free(all);
    if (rc) {
        if (rc == -2)
            log->broken = 1;
        else if (w->count < count0)
            log->held_lost = 1; /* held appends went with it */
        SET_ERR("cannot write the entries durably: %s", strerror(errno ? errno : EIO));
        return -1;
    }
    /* Nothing to write, something to sync (ledger_sync, a checkpoint):
     * what is held becomes durable, or is undone. */
    if (sync && !total && sync_held(log, err, errlen))
        return -1;
    if (!want) {
        if (sync && w->count >= LEDGER_CHECKPOINT_EVERY)
            bg_start(log);
        return 0;
    }
    if (checkpoint_all(log, err, errlen)) {
        /* Undo this batch so that a failed append never reappears. */
        if (total && ledger_wal_truncate(w, off0, count0, mem0))
            log->broken = 1;
        return -1;
    }
    return 0;
}

/* ---- group commit -----------------------------------------------------------
 *
 * Appenders never take the mutex.  Each pushes its request onto one of two
 * stacks (lock-free) and sleeps on that stack's futex word.  One of them
 * leads: it takes a stack whole, commits it as one batch, marks each
 * request done and wakes that word's sleepers with one system call, then
 * offers the lead to whoever waits in the other stack, which filled while
 * it committed.  On a two-core VM each wake-up is an exit to the
 * hypervisor; what this saves against a mutex and a condition per
 * appender is the second and third context switch per append (contended
 * mutex on wake-up and on the next append).
 *
 * Which stack: the parity of log->open, bumped by each take, so that a
 * request and the word it sleeps on always have the same parity, even when
 * it lands in a stack just after that stack was taken (it goes in the
 * batch after next, of the same parity).  The lead is a token: NONE (any
 * appender may take it), HELD, or OFFERED (any sleeper that wakes, done or
 * not, takes it, so that an offer is never lost). */

enum { LEAD_NONE, LEAD_HELD, LEAD_OFFERED };

static void
futex_wait(_Atomic uint32_t *word, uint32_t seen)
{
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void
futex_wake(_Atomic uint32_t *word, int n)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Bump a stack's word (so that nobody sleeps on a stale value) and wake n
 * of its sleepers, if it has any (one who is about to sleep will find the
 * word changed). */
static void
kick(struct ledger_log *log, unsigned par, int n)
{
    atomic_fetch_add(&log->word[par], 1);
    if (atomic_load(&log->sleepers[par]))
        futex_wake(&log->word[par], n);
}

static int
claim_lead(struct ledger_log *log, int from)
{
    return atomic_compare_exchange_strong(&log->lead, &from, LEAD_HELD);
}

static unsigned
push(struct ledger_log *log, struct pending *me)
{
    unsigned par = atomic_load(&log->open) & 1;
    struct pending *head = atomic_load(&log->stack[par]);
    me->par = par;
    do
        me->next = head;
    while (!atomic_compare_exchange_weak(&log->stack[par], &head, me));
    return par;
}

/* The leader's: requests waiting, in the order they came (the carried
 * over first), at most LEDGER_MAX_BATCH entries; NULL if none. */
static struct pending *
take_batch(struct ledger_log *log, size_t *total)
{
    for (int tries = 0; tries < 2 && !log->carry; tries++) {
        uint32_t e = atomic_fetch_add(&log->open, 1);
        struct pending *s = atomic_exchange(&log->stack[e & 1], NULL), *rev = NULL;
        while (s) {
            struct pending *next = s->next;
            s->next = rev;
            rev = s;
            s = next;
        }
        log->carry = rev;
    }
    struct pending *batch = log->carry, **cut = &log->carry;
    *total = 0;
    while (*cut && *total + (*cut)->n <= LEDGER_MAX_BATCH) {
        *total += (*cut)->n;
        cut = &(*cut)->next;
    }
    log->carry = *cut;
    *cut = NULL;
    return batch;
}

/* Tell a committed batch its outcome and wake it.  A request's memory is
 * its appender's: not touched once it is marked done. */
static void
release_batch(struct ledger_log *log, struct pending *batch, int rc, const char *err)
{
    unsigned pars = 0;
    for (struct pending *p = batch, *next; p; p = next) {
        next = p->next;
        pars |= 1u << p->par;
        p->rc = rc;
        snprintf(p->err, sizeof(p->err), "%s", err);
        atomic_store_explicit(&p->done, 1, memory_order_release);
    }
    for (unsigned par = 0; par < 2; par++)
        if (pars & 1u << par)
            kick(log, par, INT_MAX);
}

/* A stack with requests waiting (the open one first): 0 or 1; -1 if none. */
static int
stack_waiting(struct ledger_log *log)
{
    unsigned open = atomic_load(&log->open) & 1;
    if (atomic_load(&log->stack[open]))
        return (int)open;
    return atomic_load(&log->stack[open ^ 1]) ? (int)(open ^ 1) : -1;
}

/* Holding the lead: commit one batch, then hand the lead on. */
static void
lead(struct ledger_log *log)
{
    for (;;) {
        size_t total;
        struct pending *batch = take_batch(log, &total);
        if (batch) {
            char berr[LEDGER_ERR_MAX] = "";
            int rc = commit_queued(log, batch, total, berr, sizeof(berr));
            release_batch(log, batch, rc, berr);
        }
        int par = log->carry ? (int)log->carry->par : stack_waiting(log);
        if (par >= 0) {
            /* Whoever waits there leads the next batch: it is awake
             * for it anyway, and this appender can return now. */
            atomic_store(&log->lead, LEAD_OFFERED);
            kick(log, (unsigned)par, 1);
            return;
        }
        atomic_store(&log->lead, LEAD_NONE);
        /* A push after our look, whose appender saw the lead held: take
         * the lead back for it (or it has already).  The carry is empty
         * and only a leader fills it. */
        if (stack_waiting(log) < 0 || !claim_lead(log, LEAD_NONE))
            return;
    }
}

static int
append_entries(struct ledger_log *log, const struct ledger_entry *e, size_t n, int checkpoint,
               int held, uint64_t *first, char *err, size_t errlen)
{
    if (!log->writable) {
        SET_ERR("the log is open read-only");
        return -1;
    }
    if (n > LEDGER_MAX_BATCH) {
        SET_ERR("more than %u entries in one append", LEDGER_MAX_BATCH);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (e[i].len > LEDGER_MAX_ENTRY) {
            SET_ERR("entry %zu is %zu bytes; the limit is %u", i, e[i].len, LEDGER_MAX_ENTRY);
            return -1;
        }
    struct pending me = {.e = e, .n = n, .want_checkpoint = checkpoint, .held = held};
    unsigned par = push(log, &me);
    for (;;) {
        uint32_t seen = atomic_load(&log->word[par]);
        int done = atomic_load_explicit(&me.done, memory_order_acquire);
        int l = atomic_load(&log->lead);
        if (l == LEAD_OFFERED || (l == LEAD_NONE && !done)) {
            if (claim_lead(log, l))
                lead(log);
            continue;
        }
        if (done)
            break;
        atomic_fetch_add(&log->sleepers[par], 1);
        futex_wait(&log->word[par], seen);
        atomic_fetch_sub(&log->sleepers[par], 1);
    }
    if (me.rc) {
        SET_ERR("%s", me.err);
        return -1;
    }
    *first = me.first;
    return 0;
}

int
ledger_append(struct ledger_log *log, const struct ledger_entry *e, size_t n, uint64_t *first,
              char *err, size_t errlen)
{
    return append_entries(log, e, n, 1, 0, first, err, errlen);
}

int
ledger_append_durable(struct ledger_log *log, const struct ledger_entry *e, size_t n,
                      uint64_t *first, char *err, size_t errlen)
{
    return append_entries(log, e, n, 0, 0, first, err, errlen);
}

int
ledger_append_held(struct ledger_log *log, const struct ledger_entry *e, size_t n, uint64_t *first,
                   char *err, size_t errlen)
{
    return append_entries(log, e, n, 0, 1, first, err, errlen);
}

int
ledger_sync(struct ledger_log *log, char *err, size_t errlen)
{
    struct ledger_entry none = {"", 0};
    uint64_t first;
    int rc = log->writable ? append_entries(log, &none, 0, 0, 0, &first, err, errlen) : 0;
    /* Held appends undone by any sync since the last call (a failed
     * checkpoint's, say) fail this one too: they are not there. */
    if (atomic_exchange(&log->held_lost, 0) && !rc) {
        SET_ERR("held entries could not be written durably and were undone");
        rc = -1;
    }
    return rc;
}

/* The checkpoint of the empty log, signed with the new key. */
static int
write_empty_checkpoint(const char *dir, char *err, size_t errlen)
{
    struct ledger_log *log = calloc(1, sizeof(*log));
    if (!log) {
        SET_ERR("out of memory");
        return -1;
    }
    snprintf(log->dir, sizeof(log->dir), "%s", dir);
    ledger_hash root;
    ledger_empty_root(root);
    char *note = NULL;
    size_t len;
    int rc =
        load_key(log, err, errlen) ? -1 : sign_checkpoint(log, 0, root, &note, &len, err, errlen);
    free(note);
    ledger_skey_wipe(&log->key);
    free(log);
    return rc;
}

int
ledger_create(const char *dir, const char *name, char *vkey_out, size_t vkey_len, char *err,
              size_t errlen)
{
    char path[LEDGER_PATH_MAX], skey[512], vkey[512];
    if (strlen(dir) >= LEDGER_DIR_MAX) {
        SET_ERR("log directory path longer than %d bytes", LEDGER_DIR_MAX - 1);
        return -1;
    }
    if (sodium_init() < 0 || !ledger_valid_key_name(name, strlen(name))) {
        SET_ERR("invalid key name \"%s\": no spaces or '+'", name);
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        SET_ERR("%s: %s", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof(path), "%s/key", dir);
    if (access(path, F_OK) == 0) {
        SET_ERR("%s already exists: refusing to replace a log's key", path);
        return -1;
    }
    if (ledger_key_generate(name, skey, sizeof(skey), vkey, sizeof(vkey))) {
        SET_ERR("cannot generate a key");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int rc = -1;
    if (fd < 0) {
        SET_ERR("%s: %s", path, strerror(errno));
        goto out;
    }
    size_t sl = strlen(skey);
    skey[sl] = '\n';
    if (write(fd, skey, sl + 1) != (ssize_t)(sl + 1) || fsync(fd) != 0) {
        SET_ERR("%s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        goto out;
    }
    close(fd);
    snprintf(path, sizeof(path), "%s/vkey", dir);
    size_t vl = strlen(vkey);
    vkey[vl] = '\n';
    if (ledger_write_file(path, vkey, vl + 1) != 0) {
        SET_ERR("%s: cannot write", path);
        goto out;
    }
    vkey[vl] = '\0';
    rc = write_empty_checkpoint(dir, err, errlen);
out:
    sodium_memzero(skey, sizeof(skey));
    if (!rc)
        snprintf(vkey_out, vkey_len, "%s", vkey);
    return rc;
}

/* ---- reading --------------------------------------------------------------- */

uint64_t
ledger_size(struct ledger_log *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t n = log->edge.size;
    pthread_mutex_unlock(&log->mu);
    return n;
}

void
ledger_root(struct ledger_log *log, ledger_hash out)
{
    pthread_mutex_lock(&log->mu);
    memcpy(out, log->root, LEDGER_HASH_BYTES);
    pthread_mutex_unlock(&log->mu);
}

const char *
ledger_checkpoint_note(const struct ledger_log *log, size_t *len)
{
    *len = log->note_len;
    return log->note;
}

const struct ledger_vkey *
ledger_vkey(const struct ledger_log *log)
{
    return &log->vkey;
}

static void
fill_nodes(struct tile_cache *t)
{
    for (int r = 1; r <= LEDGER_TILE_HEIGHT; r++) {
        unsigned n = t->width >> r;
        for (unsigned j = 0; j < n; j++)
            ledger_node_hash(t->nodes[level_off[r - 1] + 2 * j],
                             t->nodes[level_off[r - 1] + 2 * j + 1], t->nodes[level_off[r] + j]);
    }
}

/* The hashes of tile (level, index) with every complete subtree above them. */
static const struct tile_cache *
get_tile(struct ledger_log *log, int level, uint64_t index)
{
    if (!log->cache) {
        log->cache = calloc(CACHE_SLOTS, sizeof(*log->cache));
        if (!log->cache)
            return NULL;
    }
    uint64_t full_tiles = tile_index_at(log->edge.size, level);
    int partial = index >= full_tiles;
    unsigned width = partial ? width_at(log->edge.size, level) : LEDGER_TILE_WIDTH;
    if (partial && (index != full_tiles || width == 0))
        return NULL;
    struct tile_cache *t = &log->cache[(index * 31 + (uint64_t)level) % CACHE_SLOTS];
    if (t->width == width && t->level == level && t->index == index &&
        (!partial || t->version == log->version))
        return t;
    t->width = 0;
    if (partial) {
        memcpy(t->nodes, log->edge.part[level], (size_t)width * LEDGER_HASH_BYTES);
    } else {
        char path[LEDGER_PATH_MAX];
        uint8_t *buf;
        size_t len;
        path_of(log, level, index, 0, path);
        if (ledger_read_file(path, LEDGER_TILE_WIDTH * LEDGER_HASH_BYTES, &buf, &len) != 0)
            return NULL;
        if (len != LEDGER_TILE_WIDTH * LEDGER_HASH_BYTES) {
            free(buf);
            return NULL;
        }
        memcpy(t->nodes, buf, len);
        free(buf);
    }
    t->level = level;
    t->index = index;
    t->version = log->version;
    t->width = width;
    fill_nodes(t);
    return t;
}

static int perfect_hash(struct ledger_log *log, uint64_t start, unsigned height, ledger_hash out);

/* A subtree of a full tile that is not in the cache, from one group of its
 * hashes or from the kept inner hashes (ledger_inner.h) instead of the
 * whole tile: a proof in a cold tile then costs about 30 hashes, not 255.
 * The last RECENT_TILES full tiles of each level, which proofs of new
 * entries ask for again and again, go to the cache instead, and so do all
 * of a level whose tiles fit in a quarter of it (at 10M entries, level 1
 * has 152).  -1: not so (the caller reads the whole tile). */
static int
cold_hash(struct ledger_log *log, int l, uint64_t index, unsigned off, unsigned r, ledger_hash out)
{
    uint64_t full = tile_index_at(log->edge.size, l);
    if (full <= CACHE_SLOTS / 4 || index + RECENT_TILES >= full || l + 1 >= LEDGER_MAX_LEVELS)
        return -1;
    const struct tile_cache *t =
        log->cache ? &log->cache[(index * 31 + (uint64_t)l) % CACHE_SLOTS] : NULL;
    if (t && t->width == LEDGER_TILE_WIDTH && t->level == l && t->index == index)
        return -1;
    if (r < 4) {
        char path[LEDGER_PATH_MAX];
        return path_of(log, l, index, 0, path)
                   ? -1
                   : ledger_inner_low(&log->inner, path, l, index, off, r, out);
    }
    if (ledger_inner_high(&log->inner, l, index, off, r, NULL, out) == 0)
        return 0;
    /* The tile's own hash, from the level above, vouches for the kept ones. */
    ledger_hash tile;
    unsigned up = LEDGER_TILE_HEIGHT * (unsigned)(l + 1);
    if (perfect_hash(log, index << up, up, tile))
        return -1;
    return ledger_inner_high(&log->inner, l, index, off, r, tile, out);
}

/* MTH of the perfect, aligned subtree [start, start + 2^height). */
static int
perfect_hash(struct ledger_log *log, uint64_t start, unsigned height, ledger_hash out)
{
    int l = (int)(height / LEDGER_TILE_HEIGHT);
    unsigned r = height % LEDGER_TILE_HEIGHT;
    if (l >= LEDGER_MAX_LEVELS)
        return -1;
    uint64_t pos = start >> (LEDGER_TILE_HEIGHT * l); /* index among level-l hashes */
    if (cold_hash(log, l, pos >> LEDGER_TILE_HEIGHT, (unsigned)(pos & 0xff), r, out) == 0)
        return 0;
    const struct tile_cache *t = get_tile(log, l, pos >> LEDGER_TILE_HEIGHT);
    unsigned off = (unsigned)(pos & 0xff);
    if (!t || off + (1u << r) > t->width)
        return -1;
    memcpy(out, t->nodes[level_off[r] + (off >> r)], LEDGER_HASH_BYTES);
    return 0;
}

/* RFC 6962 MTH of entries [a, b), 0 <= a < b <= size. */
static int
range_hash(struct ledger_log *log, uint64_t a, uint64_t b, ledger_hash out)
{
    uint64_t n = b - a;
    if ((n & (n - 1)) == 0 && (a & (n - 1)) == 0)
        return perfect_hash(log, a, (unsigned)__builtin_ctzll(n), out);
    /* Uneven ranges end at a tree's right edge; proofs for one size ask for
     * the same few again and again, so remember them. */
    if (!log->memo)
        log->memo = calloc(RANGE_SLOTS, sizeof(*log->memo));
    struct range_memo *m =
        log->memo ? &log->memo[(a * 0x9E3779B97F4A7C15ull ^ b) % RANGE_SLOTS] : NULL;
    if (m && m->valid && m->a == a && m->b == b && m->version == log->version) {
        memcpy(out, m->h, LEDGER_HASH_BYTES);
        return 0;
    }
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    ledger_hash l, r;
    if (range_hash(log, a, a + k, l) || range_hash(log, a + k, b, r))
        return -1;
    ledger_node_hash(l, r, out);
    if (m) {
        *m = (struct range_memo){.a = a, .b = b, .version = log->version, .valid = 1};
        memcpy(m->h, out, LEDGER_HASH_BYTES);
    }
    return 0;
}

static int
ledger_tree_hash_locked(struct ledger_log *log, uint64_t size, ledger_hash out)
{
    if (size > log->edge.size)
        return -1;
    if (size == 0) {
        ledger_empty_root(out);
        return 0;
    }
    return range_hash(log, 0, size, out);
}

/* RFC 6962 PATH(m, D[a:b]), appended to proof. */
static int
path(struct ledger_log *log, uint64_t m, uint64_t a, uint64_t b, ledger_hash *proof, size_t *n)
{
    if (b - a == 1)
        return 0;
    uint64_t k = 1;
    while (k * 2 < b - a)
        k *= 2;
    if (*n >= LEDGER_MAX_PROOF)
        return -1;
    if (m < k) {
        if (path(log, m, a, a + k, proof, n))
            return -1;
        return range_hash(log, a + k, b, proof[(*n)++]);
    }
    if (path(log, m - k, a + k, b, proof, n))
        return -1;
    return range_hash(log, a, a + k, proof[(*n)++]);
}

static int
ledger_prove_inclusion_locked(struct ledger_log *log, uint64_t index, uint64_t size,
                              ledger_hash *proof, size_t *n)
{
    *n = 0;
    if (index >= size || size > log->edge.size)
        return -1;
    return path(log, index, 0, size, proof, n);
}

/* RFC 6962 SUBPROOF(m, D[a:b], whole). */
static int
subproof(struct ledger_log *log, uint64_t m, uint64_t a, uint64_t b, int whole, ledger_hash *proof,
         size_t *n)
{
    uint64_t len = b - a;
    if (*n >= LEDGER_MAX_PROOF)
        return -1;
    if (m == len) {
        if (whole)
            return 0;
        return range_hash(log, a, b, proof[(*n)++]);
    }
    uint64_t k = 1;
    while (k * 2 < len)
        k *= 2;
    if (m <= k) {
        if (subproof(log, m, a, a + k, whole, proof, n))
            return -1;
        return range_hash(log, a + k, b, proof[(*n)++]);
    }
    if (subproof(log, m - k, a + k, b, 0, proof, n))
        return -1;
    return range_hash(log, a, a + k, proof[(*n)++]);
}

static int
ledger_prove_consistency_locked(struct ledger_log *log, uint64_t size1, uint64_t size2,
                                ledger_hash *proof, size_t *n)
{
    *n = 0;
    if (size1 == 0 || size1 > size2 || size2 > log->edge.size)
        return -1;
    if (size1 == size2)
        return 0;
    return subproof(log, size1, 0, size2, 1, proof, n);
}

static int
ledger_read_entry_locked(struct ledger_log *log, uint64_t i, uint8_t **out, size_t *len)
{
    if (i >= log->edge.size)
        return -1;
    uint64_t idx = i >> LEDGER_TILE_HEIGHT;
    unsigned want = (unsigned)(i & 0xff);
    const uint8_t *p, *end;
    uint8_t *file = NULL;
    size_t flen;
    if (idx == tile_index_at(log->edge.size, 0)) {
        p = (const uint8_t *)log->edge.bundle.p;
        end = p + log->edge.bundle.len;
    } else {
        char path[LEDGER_PATH_MAX];
        path_of(log, LEDGER_LEVEL_ENTRIES, idx, 0, path);
        if (ledger_read_file(path, (size_t)LEDGER_TILE_WIDTH * (2 + LEDGER_MAX_ENTRY), &file,
                             &flen) != 0)
            return -1;
        p = file;
        end = file + flen;
    }
    for (unsigned k = 0;; k++) {
        if (end - p < 2)
            break;
        size_t l = (size_t)p[0] << 8 | p[1];
        if ((size_t)(end - p - 2) < l)
            break;
        if (k == want) {
            uint8_t *copy = malloc(l ? l : 1);
            if (!copy)
                break;
            memcpy(copy, p + 2, l);
            free(file);
            *out = copy;
            *len = l;
            return 0;
        }
        p += 2 + l;
    }
    free(file);
    return -1;
}

int
ledger_tree_hash(struct ledger_log *log, uint64_t size, ledger_hash out)
{
    pthread_mutex_lock(&log->mu);
    int rc = ledger_tree_hash_locked(log, size, out);
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int
ledger_prove_inclusion(struct ledger_log *log, uint64_t index, uint64_t size, ledger_hash *proof,
                       size_t *n)
{
    pthread_mutex_lock(&log->mu);
    int rc = ledger_prove_inclusion_locked(log, index, size, proof, n);
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int
ledger_prove_consistency(struct ledger_log *log, uint64_t size1, uint64_t size2, ledger_hash *proof,
                         size_t *n)
{
    pthread_mutex_lock(&log->mu);
    int rc = ledger_prove_consistency_locked(log, size1, size2, proof, n);
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int
ledger_read_entry(struct ledger_log *log, uint64_t i, uint8_t **out, size_t *len)
{
    pthread_mutex_lock(&log->mu);
    int rc = ledger_read_entry_locked(log, i, out, len);
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int
ledger_append_proved(struct ledger_log *log, const struct ledger_entry *e, uint64_t *index,
                     uint64_t *size, ledger_hash *proof, size_t *nproof, char **note,
                     size_t *note_len, char *err, size_t errlen)
{
    uint64_t first;
    if (append_entries(log, e, 1, 1, 0, &first, err, errlen))
        return -1;
    /* The tree and its note change together, under the mutex. */
    pthread_mutex_lock(&log->mu);
    uint64_t n = log->edge.size;
    int rc = ledger_prove_inclusion_locked(log, first, n, proof, nproof);
    char *copy = !rc && note ? malloc(log->note_len + 1) : NULL;
    if (copy) {
        memcpy(copy, log->note, log->note_len);
        copy[log->note_len] = '\0';
        *note = copy;
        *note_len = log->note_len;
    }
    pthread_mutex_unlock(&log->mu);
    if (rc) {
        SET_ERR("entry %llu is logged, but its proof could not be built",
                (unsigned long long)first);
        return -1;
    }
    if (note && !copy) {
        SET_ERR("entry %llu is logged; out of memory for its checkpoint",
                (unsigned long long)first);
        return -1;
    }
    *index = first;
    *size = n;
    return 0;
}

int
ledger_checkpoint_now(struct ledger_log *log, char *err, size_t errlen)
{
    if (!log->writable)
        return 0;
    /* An empty append that wants a checkpoint: it joins the group commit. */
    struct ledger_entry none = {"", 0};
    uint64_t first;
    return append_entries(log, &none, 0, 1, 0, &first, err, errlen);
}
