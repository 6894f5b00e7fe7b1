/*
 * ledger_log.h - the audit log: an append-only Merkle log on disk in the
 * C2SP tlog-tiles layout, with a signed C2SP checkpoint.
 *
 * A log directory holds:
 *   key         the signer key (PRIVATE+KEY+...), mode 0600, owner only
 *   vkey        the verifier key, public
 *   checkpoint  the latest signed checkpoint (the log's durable state)
 *   tile/...    hash tiles and entry bundles
 *
 * Durability: ledger_append_durable() returns once the entries are in a
 * write-ahead file (DIR/pending, DIR/pending.1) and fdatasync'd (a thread
 * of the log's own writes tiles and checkpoints for them every
 * LEDGER_CHECKPOINT_EVERY entries, beside the appends); ledger_append()
 * waits until the tiles they touch, the directories that changed and a new
 * signed checkpoint covering them are on disk too (each file written to a
 * temporary name, made durable, renamed, the names made durable, the
 * checkpoint last).  Appends from concurrent threads are batched into one
 * commit (group commit).  A failure
 * fails the append and undoes its records: nothing unsaved is acknowledged,
 * and nothing that failed comes back.  After a crash, opening the log
 * recovers its checkpoint, removes tiles an unfinished commit wrote, and
 * checkpoints the durable entries of the write-ahead file.
 */
#ifndef LEDGER_LOG_H
#define LEDGER_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "ledger_hash.h"
#include "ledger_note.h"

#define LEDGER_MAX_ENTRY 65535u   /* tlog-tiles: uint16 length prefix */
#define LEDGER_MAX_BATCH 65536u   /* entries committed together */
#define LEDGER_MAX_PENDING 65536u /* durable entries awaiting a checkpoint */
/* Checkpoint at least this often.  Every checkpoint's flushes wait in the
 * disk's queue with the write-ahead's fdatasync: fewer checkpoints, more
 * durable appends (bench_ledger appends; figures in bench/RESULTS.md). */
#define LEDGER_CHECKPOINT_EVERY 16384u
#define LEDGER_ERR_MAX 512

struct ledger_log;

struct ledger_entry {
    const void *data;
    size_t len;
};

/* Create a log: a new key named name (the origin).  Writes key, vkey and a
 * checkpoint of size 0.  Refuses if dir already holds a key. */
int ledger_create(const char *dir, const char *name, char *vkey_out, size_t vkey_len, char *err,
                  size_t errlen);

/* Open for appending (needs the key) or read-only (needs only vkey).  A log
 * has one writer at a time: opening it for appending while another process
 * (or another ledger_open) has it returns LEDGER_E_BUSY, naming its pid. */
#define LEDGER_E_BUSY (-2)
/* DIR/key, refused unless it is the owner's alone (mode 0600, this uid).
 * 0, or -1 with err.  Wipe the key with ledger_skey_wipe. */
struct ledger_skey;
int ledger_skey_load(const char *dir, struct ledger_skey *k, char *err, size_t errlen);
int ledger_open(const char *dir, int writable, struct ledger_log **out, char *err, size_t errlen);

/* A signer in another process: given a checkpoint's text (n bytes, ending
 * in a newline), the signed note (that text, a blank line, the signature
 * line) into out.  0 or -1. */
struct util_buf;
typedef int (*ledger_signer_fn)(void *arg, const char *text, size_t n, struct util_buf *out);
/* Open for appending with checkpoints signed by sign: this process never
 * reads the key (airlockd's signer holds it).  A note that does not verify
 * with the log's public key is refused. */
int ledger_open_signer(const char *dir, ledger_signer_fn sign, void *arg, struct ledger_log **out,
                       char *err, size_t errlen);
void ledger_close(struct ledger_log *log);

/* Append n entries, durable and covered by a signed checkpoint; *first gets
 * the index of the first.  0 or -1. */
int ledger_append(struct ledger_log *log, const struct ledger_entry *e, size_t n, uint64_t *first,
                  char *err, size_t errlen);
/* The same, returning once the entries are durable (the checkpoint follows). */
int ledger_append_durable(struct ledger_log *log, const struct ledger_entry *e, size_t n,
                          uint64_t *first, char *err, size_t errlen);
/* Held appends, for an owner that answers nobody about them until
 * ledger_sync() says they are durable (airlockd: one fdatasync for all the
 * sessions that sent a request in one round).  ledger_append_held() writes
 * the entries to the write-ahead file and gives their indexes without
 * waiting for the disk; ledger_sync() makes every held append durable, or
 * undoes them all and fails (their indexes are given again).  Any durable
 * append or checkpoint in between makes them durable too.  One thread's
 * held appends only: a failed sync undoes everyone's. */
int ledger_append_held(struct ledger_log *log, const struct ledger_entry *e, size_t n,
                       uint64_t *first, char *err, size_t errlen);
int ledger_sync(struct ledger_log *log, char *err, size_t errlen);

/* Checkpoint what is durable but not yet covered by a checkpoint (a no-op
 * when nothing is).  For writers that can afford it when idle, so that
 * readers see every entry even if the writer is later killed. */
int ledger_checkpoint_now(struct ledger_log *log, char *err, size_t errlen);
/* Append one entry, wait for a checkpoint covering it, and return its index
 * with an inclusion proof in the tree of *size entries, and (when note is
 * not NULL) that tree's signed checkpoint, malloc'd: together a C2SP
 * tlog-proof, verifiable offline. */
int ledger_append_proved(struct ledger_log *log, const struct ledger_entry *e, uint64_t *index,
                         uint64_t *size, ledger_hash *proof, size_t *nproof, char **note,
                         size_t *note_len, char *err, size_t errlen);

/* Readers may run in any thread, alongside appends. */
uint64_t ledger_size(struct ledger_log *log);
void ledger_root(struct ledger_log *log, ledger_hash out);
/* The signed checkpoint: for a log no other thread appends to (each
 * checkpoint replaces it; ledger_append_proved gives a copy). */
const char *ledger_checkpoint_note(const struct ledger_log *log, size_t *len);
const struct ledger_vkey *ledger_vkey(const struct ledger_log *log);

/* Entry i (< size) into a malloc'd buffer. */
int ledger_read_entry(struct ledger_log *log, uint64_t i, uint8_t **out, size_t *len);

/* Root of the first size entries (size <= ledger_size). */
int ledger_tree_hash(struct ledger_log *log, uint64_t size, ledger_hash out);
int ledger_prove_inclusion(struct ledger_log *log, uint64_t index, uint64_t size,
                           ledger_hash *proof, size_t *n);
int ledger_prove_consistency(struct ledger_log *log, uint64_t size1, uint64_t size2,
                             ledger_hash *proof, size_t *n);

#endif
