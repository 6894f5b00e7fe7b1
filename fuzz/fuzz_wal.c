/*
 * Fuzz target: recovery of the ledger's two write-ahead files
 * (ledger_wal_gather), on arbitrary bytes.  Input: base (u64 BE), the
 * first file's length (u32 BE), then the first file and the second.
 * Checks that what is gathered is well formed: count entries, each
 * length-prefixed, filling the buffer exactly, and the second file's base
 * right after them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/ledger/ledger_log.h"
#include "../src/ledger/ledger_wal.h"

static uint64_t
be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    uint64_t base = be(data, 8) >> 1; /* leave room: base + count fits */
    size_t rest = size - 12, split = (size_t)be(data + 8, 4) % (rest + 1);
    const uint8_t *buf[LEDGER_WAL_FILES] = {data + 12, data + 12 + split};
    size_t len[LEDGER_WAL_FILES] = {split, rest - split};
    struct ledger_wal w[LEDGER_WAL_FILES];
    memset(w, 0, sizeof(w));
    util_buf_init(&w[0].mem, 1u << 24);
    w[0].base = base;
    if (ledger_wal_gather(w, buf, len, base) == 0) {
        const uint8_t *p = (const uint8_t *)w[0].mem.p;
        size_t off = 0;
        for (uint64_t i = 0; i < w[0].count; i++) {
            if (off + 2 > w[0].mem.len)
                abort();
            off += 2 + ((size_t)p[off] << 8 | p[off + 1]);
        }
        if (off != w[0].mem.len || w[1].base != base + w[0].count)
            abort();
    }
    util_buf_free(&w[0].mem);
    return 0;
}
