/*
 * ledger_checkpoint.h - C2SP tlog-checkpoint note text.
 *
 *   <origin>\n<size>\n<base64 root>\n[<extension line>\n]...
 */
#ifndef LEDGER_CHECKPOINT_H
#define LEDGER_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "ledger_hash.h"

#define LEDGER_ORIGIN_MAX 256

struct ledger_checkpoint {
    char origin[LEDGER_ORIGIN_MAX + 1];
    uint64_t size;
    ledger_hash root;
};

/* Parse checkpoint text (the note's text); strict: 0 or -1 with errbuf. */
int ledger_checkpoint_parse(const char *text, size_t n, struct ledger_checkpoint *out, char *errbuf,
                            size_t errlen);
/* Format the three lines; returns the length, or -1 if buf is too small. */
int ledger_checkpoint_format(const struct ledger_checkpoint *c, char *buf, size_t n);

#endif
