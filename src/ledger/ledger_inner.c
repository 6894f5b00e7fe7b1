#include "ledger_inner.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where height r starts among a group tree's 31 nodes. */
static const unsigned group_off[5] = {0, 16, 24, 28, 30};

void
ledger_inner_init(struct ledger_inner *in, const char *dir, int writable)
{
    snprintf(in->dir, sizeof(in->dir), "%s", dir);
    in->writable = writable;
    for (int l = 0; l < LEDGER_MAX_LEVELS; l++)
        in->fd[l] = -1;
    in->group.level = in->kept.level = -1;
}

void
ledger_inner_close(struct ledger_inner *in)
{
    for (int l = 0; l < LEDGER_MAX_LEVELS; l++) {
        if (in->fd[l] >= 0)
            close(in->fd[l]);
        in->fd[l] = -1;
    }
    in->group.level = in->kept.level = -1;
}

static int
inner_fd(struct ledger_inner *in, int level)
{
    if (in->fd[level] >= 0)
        return in->fd[level];
    char path[LEDGER_PATH_MAX];
    snprintf(path, sizeof(path), "%s/inner", in->dir);
    if (in->writable)
        (void)mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/inner/%d", in->dir, level);
    in->fd[level] = in->writable ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)
                                 : open(path, O_RDONLY | O_CLOEXEC);
    return in->fd[level];
}

/* t->n[0..16) given: the 15 hashes above them; n[30] is their root. */
static void
build(struct ledger_inner_tree *t)
{
    unsigned from = 0, to = LEDGER_INNER_GROUP;
    for (unsigned w = LEDGER_INNER_GROUP; w > 1; w /= 2) {
        for (unsigned j = 0; j < w / 2; j++)
            ledger_node_hash(t->n[from + 2 * j], t->n[from + 2 * j + 1], t->n[to + j]);
        from += w;
        to += w / 2;
    }
}

static int
read_block(int fd, off_t at, struct ledger_inner_tree *t)
{
    ssize_t k = fd < 0 ? -1 : pread(fd, t->n, LEDGER_INNER_BLOCK, at);
    return k == (ssize_t)LEDGER_INNER_BLOCK ? 0 : -1;
}

void
ledger_inner_put(struct ledger_inner *in, int level, uint64_t index,
                 const ledger_hash hashes[LEDGER_TILE_WIDTH])
{
    struct ledger_inner_tree g;
    ledger_hash roots[LEDGER_INNER_GROUP];
    for (unsigned i = 0; i < LEDGER_INNER_GROUP; i++) {
        memcpy(g.n, hashes + i * LEDGER_INNER_GROUP, LEDGER_INNER_BLOCK);
        build(&g);
        memcpy(roots[i], g.n[2 * LEDGER_INNER_GROUP - 2], LEDGER_HASH_BYTES);
    }
    int fd = inner_fd(in, level);
    /* Best effort: a block that is not there is computed when needed. */
    if (fd >= 0)
        (void)!pwrite(fd, roots, sizeof(roots), (off_t)(index * LEDGER_INNER_BLOCK));
}

/* Read the block at at into t (its 16 hashes) and build the rest. */
static int
load(struct ledger_inner_tree *t, int fd, off_t at, int level, uint64_t index, unsigned group)
{
    t->level = -1;
    if (read_block(fd, at, t))
        return -1;
    build(t);
    t->level = level;
    t->index = index;
    t->group = group;
    return 0;
}

int
ledger_inner_low(struct ledger_inner *in, const char *tile_path, int level, uint64_t index,
                 unsigned off, unsigned r, ledger_hash out)
{
    struct ledger_inner_tree *t = &in->group;
    unsigned g = off / LEDGER_INNER_GROUP;
    if (r >= 4)
        return -1;
    if (t->level != level || t->index != index || t->group != g) {
        int fd = open(tile_path, O_RDONLY | O_CLOEXEC);
        int rc = load(t, fd, (off_t)g * LEDGER_INNER_BLOCK, level, index, g);
        if (fd >= 0)
            close(fd);
        if (rc)
            return -1;
    }
    memcpy(out, t->n[group_off[r] + (off % LEDGER_INNER_GROUP >> r)], LEDGER_HASH_BYTES);
    return 0;
}

int
ledger_inner_high(struct ledger_inner *in, int level, uint64_t index, unsigned off, unsigned r,
                  const ledger_hash tile_hash, ledger_hash out)
{
    struct ledger_inner_tree *t = &in->kept;
    if (r < 4 || r >= LEDGER_TILE_HEIGHT)
        return -1;
    if (t->level != level || t->index != index) {
        if (!tile_hash)
            return -1;
        if (load(t, inner_fd(in, level), (off_t)(index * LEDGER_INNER_BLOCK), level, index, 0))
            return -1;
        /* Short, zero, stale or altered: not these. */
        if (memcmp(t->n[2 * LEDGER_INNER_GROUP - 2], tile_hash, LEDGER_HASH_BYTES) != 0) {
            t->level = -1;
            return -1;
        }
    }
    memcpy(out, t->n[group_off[r - 4] + (off >> r)], LEDGER_HASH_BYTES);
    return 0;
}
