/*
 * ledger_inner.h - every 16th inner hash of full tiles, kept beside them.
 *
 * A tile holds 256 hashes of one level; the hashes in between (heights 1
 * to 7 above them) are not in the C2SP layout, so an inclusion proof whose
 * entry lies in a tile nobody asked for lately recomputes 255 of them
 * (30 us and more).  The writer therefore keeps, for every full tile, the
 * 16 hashes of its 16-hash groups (height 4 above the tile's own) in
 * DIR/inner/<level>, 512 bytes per tile at offset index * 512.  A proof
 * then needs one group of 16 hashes from the tile and those 16 (two reads
 * of 512 bytes) and about 30 hashes.
 *
 * Nothing here is trusted: the file is written without fsync (a crash may
 * leave it short, zero or stale) and never decides anything.  The 16
 * hashes are used only when they hash to the tile's own hash, which the
 * caller reads from the level above; anything else, and any failure, sends
 * the caller back to computing from the whole tile.  `log verify` and
 * verifiers elsewhere never read it.
 */
#ifndef LEDGER_INNER_H
#define LEDGER_INNER_H

#include <stdint.h>

#include "ledger_hash.h"
#include "ledger_tile.h"

#define LEDGER_INNER_GROUP 16 /* hashes under each kept inner hash */
#define LEDGER_INNER_BLOCK (LEDGER_INNER_GROUP * LEDGER_HASH_BYTES)

/* 16 hashes and every complete subtree above them (16+8+4+2+1). */
struct ledger_inner_tree {
    int level; /* -1: empty */
    uint64_t index;
    unsigned group;
    ledger_hash n[2 * LEDGER_INNER_GROUP - 1];
};

struct ledger_inner {
    char dir[LEDGER_DIR_MAX];
    int writable;
    int fd[LEDGER_MAX_LEVELS];      /* -1: not open yet */
    struct ledger_inner_tree group; /* the last group read from a tile */
    struct ledger_inner_tree kept;  /* the last tile's kept hashes, checked */
};

void ledger_inner_init(struct ledger_inner *in, const char *dir, int writable);
void ledger_inner_close(struct ledger_inner *in);

/* A full tile was written: keep its group hashes (best effort). */
void ledger_inner_put(struct ledger_inner *in, int level, uint64_t index,
                      const ledger_hash hashes[LEDGER_TILE_WIDTH]);

/* The hash of the 2^r hashes from offset off (aligned) of the full tile
 * (level, index) at tile_path, for r < 4, from one group of the tile.
 * 0, or -1 (the caller reads the whole tile). */
int ledger_inner_low(struct ledger_inner *in, const char *tile_path, int level, uint64_t index,
                     unsigned off, unsigned r, ledger_hash out);
/* The same for 4 <= r < 8, from the kept hashes, used only when they hash
 * to tile_hash (the tile's own hash, from the level above). */
int ledger_inner_high(struct ledger_inner *in, int level, uint64_t index, unsigned off, unsigned r,
                      const ledger_hash tile_hash, ledger_hash out);

#endif
