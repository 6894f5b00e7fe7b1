/*
 * ledger_state.h - what was seen of a log before: rollback detection.
 *
 * A log restored from an older copy of its folder verifies: every file in
 * it is whole and signed.  What tells it apart is a memory kept elsewhere,
 * out of reach of whoever restores the folder: the size and root of the
 * largest checkpoint seen before.  A checkpoint seen later must be at least
 * that size, and its tree's first that-many entries must hash to that root
 * (it grew from it: not a rewrite of the same size or larger).  A witness's
 * cosignature covers the checkpoint, so an old checkpoint with its old
 * cosignatures is caught the same way.
 *
 * The state is a text file of our own, written whole (temporary file,
 * fsync, rename):
 *
 *   airlock-ledger-state v1
 *   <origin>
 *   <size> <root, base64> <when it was seen, Unix seconds>
 */
#ifndef LEDGER_STATE_H
#define LEDGER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger_hash.h"
#include "ledger_note.h"

#define LEDGER_STATE_MAX 1024 /* bytes of a state file */

struct ledger_state {
    char origin[LEDGER_KEY_NAME_MAX + 1];
    uint64_t size;
    ledger_hash root;
    int64_t seen; /* Unix seconds */
};

/* A state file's text: 0, or -1 with err. */
int ledger_state_parse(const char *text, size_t n, struct ledger_state *st, char *err,
                       size_t errlen);
/* Its text (NUL-terminated) into buf: the length, or -1 if it does not fit. */
int ledger_state_format(const struct ledger_state *st, char *buf, size_t n);

/* What the state at path says of the log named origin: 0 with st (size 0,
 * seen 0 when there is no file: the first sight), or -1 with err when it
 * cannot be read or parsed, or is another log's. */
int ledger_state_load(const char *path, const char *origin, struct ledger_state *st, char *err,
                      size_t errlen);
/* Whether a tree of size entries whose first st->size entries hash to
 * prefix_root grew from what st saw: 0, or 1 with err when it went back
 * (it is smaller, or its first entries are others). */
int ledger_state_judge(const struct ledger_state *st, uint64_t size, const ledger_hash prefix_root,
                       char *err, size_t errlen);
/* Record a tree of size entries with this root, seen now.  0, or -1 with err. */
int ledger_state_save(const char *path, const char *origin, uint64_t size, const ledger_hash root,
                      char *err, size_t errlen);

#endif
