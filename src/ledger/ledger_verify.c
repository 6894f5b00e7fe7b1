#include "ledger_verify.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_checkpoint.h"
#include "ledger_hash.h"
#include "ledger_log.h"
#include "ledger_tile.h"

#define BAD(idx, ...)                                                                              \
    do {                                                                                           \
        res->bad_index = (int64_t)(idx);                                                           \
        snprintf(res->msg, sizeof(res->msg), __VA_ARGS__);                                         \
        goto out;                                                                                  \
    } while (0)

struct vstate {
    const char *dir;
    uint64_t size; /* leaves so far */
    ledger_hash lv[LEDGER_MAX_LEVELS][LEDGER_TILE_WIDTH];
    struct ledger_frontier front;
    struct ledger_verify_result *res;
    uint64_t prefix; /* the size whose root is wanted too */
};

static unsigned
width_at(uint64_t size, int level)
{
    return (unsigned)((size >> (LEDGER_TILE_HEIGHT * level)) & 0xff);
}

/* Compare computed hashes with the tile file; -1 with res filled on mismatch. */
static int
check_tile(struct vstate *v, int level, uint64_t index, unsigned width, const ledger_hash *want)
{
    char path[LEDGER_PATH_MAX];
    uint8_t *buf;
    size_t len;
    uint64_t span = 1;
    for (int i = 0; i < level; i++)
        span *= LEDGER_TILE_WIDTH;
    uint64_t first = index * LEDGER_TILE_WIDTH * span;
    ledger_tile_path(path, sizeof(path), v->dir, level, index, width);
    int rc = ledger_read_file(path, LEDGER_TILE_WIDTH * LEDGER_HASH_BYTES, &buf, &len);
    if (rc) {
        v->res->bad_index = (int64_t)first;
        snprintf(v->res->msg, sizeof(v->res->msg), "%.300s: %s", path, strerror(-rc));
        return -1;
    }
    for (unsigned j = 0; j < width; j++) {
        if ((size_t)(j + 1) * LEDGER_HASH_BYTES > len ||
            memcmp(buf + (size_t)j * LEDGER_HASH_BYTES, want[j], LEDGER_HASH_BYTES) != 0) {
            v->res->bad_index = (int64_t)(first + j * span);
            snprintf(v->res->msg, sizeof(v->res->msg),
                     "%.300s: hash %u does not match the entries (first bad entry %llu)", path, j,
                     (unsigned long long)(first + j * span));
            free(buf);
            return -1;
        }
    }
    if (len != (size_t)width * LEDGER_HASH_BYTES) {
        v->res->bad_index = (int64_t)(first + width * span);
        snprintf(v->res->msg, sizeof(v->res->msg), "%.300s: %zu bytes, expected %zu", path, len,
                 (size_t)width * LEDGER_HASH_BYTES);
        free(buf);
        return -1;
    }
    free(buf);
    return 0;
}

/* A level-(l-1) tile is complete: compare it, and pass its hash up. */
static int
tile_complete(void *ctx, int height, const ledger_hash h)
{
    struct vstate *v = ctx;
    int l = height / LEDGER_TILE_HEIGHT;
    uint64_t last = v->size;
    if (check_tile(v, l - 1, last >> (LEDGER_TILE_HEIGHT * l), LEDGER_TILE_WIDTH,
                   (const ledger_hash *)v->lv[l - 1]))
        return -1;
    if (l < LEDGER_MAX_LEVELS)
        memcpy(v->lv[l][width_at(last, l)], h, LEDGER_HASH_BYTES);
    return 0;
}

static int
add_leaf(struct vstate *v, const ledger_hash leaf)
{
    memcpy(v->lv[0][width_at(v->size, 0)], leaf, LEDGER_HASH_BYTES);
    if (ledger_frontier_push(&v->front, leaf, tile_complete, v))
        return -1;
    v->size++;
    if (v->size == v->prefix)
        ledger_frontier_root(&v->front, v->res->prefix_root);
    return 0;
}

/* One entry bundle: its entries must be exactly count, hashed into v. */
static int
check_bundle(struct vstate *v, uint64_t index, unsigned count)
{
    char path[LEDGER_PATH_MAX];
    uint8_t *buf;
    size_t len;
    uint64_t first = index * LEDGER_TILE_WIDTH;
    ledger_tile_path(path, sizeof(path), v->dir, LEDGER_LEVEL_ENTRIES, index,
                     count == LEDGER_TILE_WIDTH ? 0 : count);
    int rc = ledger_read_file(path, (size_t)LEDGER_TILE_WIDTH * (2 + LEDGER_MAX_ENTRY), &buf, &len);
    if (rc) {
        v->res->bad_index = (int64_t)first;
        snprintf(v->res->msg, sizeof(v->res->msg), "%.300s: %s", path, strerror(-rc));
        return -1;
    }
    const uint8_t *p = buf, *end = buf + len;
    for (unsigned k = 0; k < count; k++) {
        size_t l = end - p >= 2 ? ((size_t)p[0] << 8 | p[1]) : 0;
        if (end - p < 2 || (size_t)(end - p - 2) < l) {
            v->res->bad_index = (int64_t)(first + k);
            snprintf(v->res->msg, sizeof(v->res->msg), "%.300s: truncated at entry %llu", path,
                     (unsigned long long)(first + k));
            free(buf);
            return -1;
        }
        ledger_hash leaf;
        ledger_leaf_hash(p + 2, l, leaf);
        p += 2 + l;
        if (add_leaf(v, leaf)) {
            free(buf);
            return -1;
        }
    }
    free(buf);
    if (p != end) {
        v->res->bad_index = (int64_t)(first + count);
        snprintf(v->res->msg, sizeof(v->res->msg), "%.300s: %zu bytes after its %u entries", path,
                 (size_t)(end - p), count);
        return -1;
    }
    return 0;
}

static int
read_note(const char *dir, char **out, size_t *len)
{
    char path[LEDGER_PATH_MAX];
    snprintf(path, sizeof(path), "%s/checkpoint", dir);
    uint8_t *buf;
    int rc = ledger_read_file(path, LEDGER_NOTE_MAX, &buf, len);
    if (rc)
        return rc;
    *out = (char *)buf;
    return 0;
}

int
ledger_verify_dir(const char *dir, const struct ledger_vkey *log_key,
                  const struct ledger_vkey *witnesses, size_t nwitnesses,
                  struct ledger_verify_result *res)
{
    return ledger_verify_dir_prefix(dir, log_key, witnesses, nwitnesses, UINT64_MAX, res);
}

int
ledger_verify_dir_prefix(const char *dir, const struct ledger_vkey *log_key,
                         const struct ledger_vkey *witnesses, size_t nwitnesses, uint64_t prefix,
                         struct ledger_verify_result *res)
{
    memset(res, 0, sizeof(*res));
    res->bad_index = -1;
    struct vstate *v = calloc(1, sizeof(*v));
    struct ledger_vkey *keys = calloc(nwitnesses + 1, sizeof(*keys));
    char *note = NULL;
    size_t note_len;
    int rc = -1;
    if (!v || !keys || nwitnesses > 31) {
        snprintf(res->msg, sizeof(res->msg),
                 nwitnesses > 31 ? "too many witness keys" : "out of memory");
        goto out;
    }
    v->dir = dir;
    v->res = res;
    v->prefix = prefix;
    if (prefix == 0)
        ledger_frontier_root(&v->front, res->prefix_root);
    keys[0] = *log_key;
    for (size_t i = 0; i < nwitnesses; i++)
        keys[i + 1] = witnesses[i];
    int e = read_note(dir, &note, &note_len);
    if (e)
        BAD(-1, "%.300s/checkpoint: %s", dir, strerror(-e));
    struct ledger_note n;
    char why[256];
    if (ledger_note_open(note, note_len, keys, nwitnesses + 1, &n, why, sizeof(why)))
        BAD(-1, "checkpoint: %s", why);
    if (!(n.verified_mask & 1))
        BAD(-1, "checkpoint: not signed by the log's key %s", log_key->name);
    for (size_t i = 0; i < nwitnesses; i++) {
        if (!(n.verified_mask & (1u << (i + 1))))
            BAD(-1, "checkpoint: no cosignature by witness %s", witnesses[i].name);
        res->witnesses++;
    }
    struct ledger_checkpoint cp;
    if (ledger_checkpoint_parse(n.text, n.text_len, &cp, why, sizeof(why)))
        BAD(-1, "%s", why);
    res->size = cp.size;
    uint64_t full = cp.size / LEDGER_TILE_WIDTH;
    for (uint64_t b = 0; b < full; b++)
        if (check_bundle(v, b, LEDGER_TILE_WIDTH))
            goto out;
    if (cp.size % LEDGER_TILE_WIDTH &&
        check_bundle(v, full, (unsigned)(cp.size % LEDGER_TILE_WIDTH)))
        goto out;
    /* The partial tiles of the checkpoint's size. */
    for (int l = 0; l < LEDGER_MAX_LEVELS; l++) {
        unsigned w = width_at(cp.size, l);
        int shift = LEDGER_TILE_HEIGHT * (l + 1);
        if (w &&
            check_tile(v, l, shift >= 64 ? 0 : cp.size >> shift, w, (const ledger_hash *)v->lv[l]))
            goto out;
    }
    ledger_hash root;
    ledger_frontier_root(&v->front, root);
    if (sodium_memcmp(root, cp.root, LEDGER_HASH_BYTES) != 0)
        BAD(-1, "the entries hash to a root that is not the checkpoint's");
    memcpy(res->root, root, LEDGER_HASH_BYTES);
    res->has_prefix = prefix <= cp.size;
    snprintf(res->msg, sizeof(res->msg), "%llu entries verified; checkpoint signed by %s%s",
             (unsigned long long)cp.size, log_key->name,
             res->witnesses ? " and cosigned by every witness given" : "");
    rc = 0;
out:
    free(note);
    free(keys);
    free(v);
    return rc;
}
