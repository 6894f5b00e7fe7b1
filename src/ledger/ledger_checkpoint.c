#include "ledger_checkpoint.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
ledger_checkpoint_parse(const char *text, size_t n, struct ledger_checkpoint *out, char *errbuf,
                        size_t errlen)
{
    const char *line[3], *end = text + n, *p = text;
    size_t len[3];
    for (int i = 0; i < 3; i++) {
        const char *eol = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (!eol || eol == p) {
            snprintf(errbuf, errlen, "checkpoint: expected a non-empty line %d", i + 1);
            return -1;
        }
        line[i] = p;
        len[i] = (size_t)(eol - p);
        p = eol + 1;
    }
    /* Extension lines, if any, must be non-empty. */
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || eol == p) {
            snprintf(errbuf, errlen, "checkpoint: empty or unterminated extension line");
            return -1;
        }
        p = eol + 1;
    }
    struct ledger_checkpoint c;
    memset(&c, 0, sizeof(c));
    if (len[0] > LEDGER_ORIGIN_MAX) {
        snprintf(errbuf, errlen, "checkpoint: origin longer than %d bytes", LEDGER_ORIGIN_MAX);
        return -1;
    }
    memcpy(c.origin, line[0], len[0]);
    if (len[1] > 20 || (line[1][0] == '0' && len[1] > 1)) {
        snprintf(errbuf, errlen, "checkpoint: bad tree size");
        return -1;
    }
    for (size_t i = 0; i < len[1]; i++) {
        unsigned d = (unsigned)(line[1][i] - '0');
        if (d > 9 || c.size > (UINT64_MAX - d) / 10) {
            snprintf(errbuf, errlen, "checkpoint: bad tree size");
            return -1;
        }
        c.size = c.size * 10 + d;
    }
    size_t got;
    uint8_t raw[64];
    if (sodium_base642bin(raw, sizeof(raw), line[2], len[2], NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != LEDGER_HASH_BYTES) {
        snprintf(errbuf, errlen, "checkpoint: root hash is not base64 of 32 bytes");
        return -1;
    }
    memcpy(c.root, raw, LEDGER_HASH_BYTES);
    *out = c;
    return 0;
}

int
ledger_checkpoint_format(const struct ledger_checkpoint *c, char *buf, size_t n)
{
    char b64[64];
    sodium_bin2base64(b64, sizeof(b64), c->root, LEDGER_HASH_BYTES, sodium_base64_VARIANT_ORIGINAL);
    int w = snprintf(buf, n, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, b64);
    return w < 0 || (size_t)w >= n ? -1 : w;
}
