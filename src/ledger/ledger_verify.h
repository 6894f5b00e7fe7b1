/*
 * ledger_verify.h - verify a whole log directory from its entries up.
 *
 * Recomputes every leaf hash from the entry bundles, every tile from the
 * level below, the root from the tiles, and checks the checkpoint's
 * signature (and witness cosignatures when witness keys are given).  On the
 * first problem it stops and names the first entry index affected.
 */
#ifndef LEDGER_VERIFY_H
#define LEDGER_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "ledger_hash.h"
#include "ledger_note.h"

struct ledger_verify_result {
    uint64_t size;           /* the checkpoint's tree size */
    int64_t bad_index;       /* first entry index affected, -1 if none / not an entry */
    unsigned witnesses;      /* witness cosignatures that verified */
    char msg[512];           /* what is wrong, or a summary when all is well */
    ledger_hash root;        /* the checkpoint's root, verified */
    int has_prefix;          /* the prefix asked for is within the log: */
    ledger_hash prefix_root; /* the root of its first prefix entries */
};

/* 0 when the log verifies; -1 with res->msg (and res->bad_index) when not. */
int ledger_verify_dir(const char *dir, const struct ledger_vkey *log_key,
                      const struct ledger_vkey *witnesses, size_t nwitnesses,
                      struct ledger_verify_result *res);
/* The same, and the root of the first prefix entries, computed on the way
 * (ledger_state.h: what was seen before must be where the log began). */
int ledger_verify_dir_prefix(const char *dir, const struct ledger_vkey *log_key,
                             const struct ledger_vkey *witnesses, size_t nwitnesses,
                             uint64_t prefix, struct ledger_verify_result *res);

#endif
