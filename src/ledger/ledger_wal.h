/*
 * ledger_wal.h - the ledger's write-ahead files: durable before checkpointed.
 *
 * An append is durable once its record is in a write-ahead file and
 * fdatasync'd: one fsync per commit, however many tiles the entries will
 * touch.  There are two, DIR/pending and DIR/pending.1, used in turn: when
 * the one in use holds LEDGER_CHECKPOINT_EVERY entries, appends move to the
 * other while a thread writes the tiles and a signed checkpoint for the
 * first; a file is written over from its start only once its checkpoint is
 * durable.  Callers who wait for a checkpoint get one covering both.  A
 * record is
 *   index (u64 BE) | length (u16 BE) | entry | SHA-256(index|length|entry)[:8]
 * so that a torn record at the end, written by a crash mid-append (never
 * acknowledged), is recognised and ends that file, and records a
 * checkpoint already covers (older records after the newer ones, or a
 * crash after the checkpoint) are skipped.  Recovery takes the records
 * from the checkpoint's size on, in order, from whichever file has each:
 * the older part may be in one (its checkpoint had not finished) and the
 * rest in the other.
 *
 * The file is extended with zeros LEDGER_WAL_CHUNK bytes at a time, ahead
 * of the records: an append then overwrites blocks that are already
 * allocated and written, and its fdatasync flushes data only, without a
 * journal commit for a new size or new blocks (half the cost on ext4).  A
 * zero tail is no record (its checksum does not match).
 */
#ifndef LEDGER_WAL_H
#define LEDGER_WAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/util_buf.h"

struct ledger_entry;

#define LEDGER_WAL_CHUNK (512 * 1024)
#define LEDGER_WAL_FILES 2 /* DIR/pending and DIR/pending.1 */

struct ledger_wal {
    int fd;
    off_t off;           /* end of the last good record */
    off_t zeroed;        /* the file's size: zeros from off to here */
    uint64_t base;       /* index of the first pending entry */
    uint64_t count;      /* pending entries */
    struct util_buf mem; /* the pending entries, uint16-length-prefixed */
    /* Where the file was at its last fdatasync: appends after it are held
     * (written, not yet durable) and undone if the sync fails. */
    off_t synced_off;
    uint64_t synced_count;
    size_t synced_mem;
};

/* Open (creating) the write-ahead files and gather the entries from index
 * base on, in order, wherever they are, into w[0]; w[1] starts where they
 * end.  Both files are then written over from their start: the caller must
 * checkpoint what was gathered before it appends. */
int ledger_wal_open(struct ledger_wal w[LEDGER_WAL_FILES], const char *dir, uint64_t base,
                    char *err, size_t errlen);
/* The gathering itself, on the files' bytes (buf[i] may be NULL): into
 * w[0], whose mem must be initialised.  0, or -1 out of memory. */
int ledger_wal_gather(struct ledger_wal w[LEDGER_WAL_FILES],
                      const uint8_t *const buf[LEDGER_WAL_FILES],
                      const size_t len[LEDGER_WAL_FILES], uint64_t base);
/* Append, and fdatasync if sync (which makes held appends before it durable
 * too); on failure the file is cut back and -1 returned (-2 when even that
 * failed: the caller must stop appending): to before this append, or, when
 * the fdatasync failed, to before the held appends it covered as well. */
int ledger_wal_append(struct ledger_wal *w, const struct ledger_entry *e, size_t n, int sync);
/* fdatasync what was appended without; on failure it is all cut back
 * (-1; -2 as above).  0 at once when nothing is held. */
int ledger_wal_sync(struct ledger_wal *w);
/* Cut back to a previous end (undo an append whose commit failed). */
int ledger_wal_truncate(struct ledger_wal *w, off_t off, uint64_t count, size_t memlen);
/* Everything before index base is checkpointed: start over (no I/O). */
void ledger_wal_reset(struct ledger_wal *w, uint64_t base);
void ledger_wal_close(struct ledger_wal *w);

#endif
