#include "ledger_note.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(...)                                                                                   \
    do {                                                                                           \
        snprintf(errbuf, errlen, __VA_ARGS__);                                                     \
        return -1;                                                                                 \
    } while (0)

static uint32_t
key_id(const char *name, uint8_t type, const uint8_t pub[32])
{
    crypto_hash_sha256_state st;
    uint8_t h[32], sep = '\n';
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, &sep, 1);
    crypto_hash_sha256_update(&st, &type, 1);
    crypto_hash_sha256_update(&st, pub, 32);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

int
ledger_valid_key_name(const char *name, size_t n)
{
    if (n == 0 || n > LEDGER_KEY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= ' ' || c == '+' || c == 0x7f)
            return 0;
    }
    /* Unicode spaces (U+00A0, U+2000..U+200A, U+3000 ...) are refused too. */
    for (size_t i = 0; i + 1 < n; i++) {
        const unsigned char *u = (const unsigned char *)name + i;
        if (u[0] == 0xc2 && u[1] == 0xa0)
            return 0;
        if (i + 2 < n && u[0] == 0xe2 && u[1] == 0x80 &&
            (u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
            return 0;
        if (i + 2 < n && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
            return 0;
    }
    return 1;
}

/* "<name>+<8 hex>+<base64>" after an optional prefix; fills name, id, key bytes. */
static int
parse_key_text(const char *text, size_t n, char *name, uint32_t *id, uint8_t *raw, size_t rawlen,
               size_t *got)
{
    const char *p1 = memchr(text, '+', n);
    if (!p1)
        return -1;
    const char *p2 = memchr(p1 + 1, '+', n - (size_t)(p1 + 1 - text));
    if (!p2 || (size_t)(p1 - text) > LEDGER_KEY_NAME_MAX || p2 - p1 - 1 != 8)
        return -1;
    size_t nl = (size_t)(p1 - text);
    if (!ledger_valid_key_name(text, nl))
        return -1;
    uint32_t v = 0;
    for (const char *h = p1 + 1; h < p2; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0' : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    const char *b64 = p2 + 1;
    size_t blen = n - (size_t)(b64 - text);
    if (sodium_base642bin(raw, rawlen, b64, blen, NULL, got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    memcpy(name, text, nl);
    name[nl] = '\0';
    *id = v;
    return 0;
}

int
ledger_vkey_parse(const char *text, size_t n, struct ledger_vkey *out)
{
    uint8_t raw[33];
    size_t got;
    struct ledger_vkey k;
    memset(&k, 0, sizeof(k));
    if (parse_key_text(text, n, k.name, &k.id, raw, sizeof(raw), &got) || got != 33)
        return -1;
    if (raw[0] != LEDGER_SIG_ED25519 && raw[0] != LEDGER_SIG_COSIGNATURE)
        return -1;
    k.type = raw[0];
    memcpy(k.pub, raw + 1, 32);
    if (key_id(k.name, k.type, k.pub) != k.id)
        return -1;
    *out = k;
    return 0;
}

int
ledger_skey_parse(const char *text, size_t n, struct ledger_skey *out)
{
    static const char prefix[] = "PRIVATE+KEY+";
    uint8_t raw[33], pub[32];
    size_t got;
    struct ledger_skey k;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    if (n < sizeof(prefix) || memcmp(text, prefix, sizeof(prefix) - 1) != 0)
        return -1;
    memset(&k, 0, sizeof(k));
    int rc = -1;
    if (parse_key_text(text + sizeof(prefix) - 1, n - (sizeof(prefix) - 1), k.name, &k.id, raw,
                       sizeof(raw), &got) ||
        got != 33 || raw[0] != LEDGER_SIG_ED25519)
        goto out;
    crypto_sign_seed_keypair(pub, k.sk, raw + 1);
    if (key_id(k.name, LEDGER_SIG_ED25519, pub) != k.id)
        goto out;
    *out = k;
    rc = 0;
out:
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(&k, sizeof(k));
    return rc;
}

void
ledger_skey_public(const struct ledger_skey *k, struct ledger_vkey *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->name, k->name, sizeof(out->name));
    out->id = k->id;
    out->type = LEDGER_SIG_ED25519;
    memcpy(out->pub, k->sk + 32, 32);
}

void
ledger_skey_wipe(struct ledger_skey *k)
{
    sodium_memzero(k, sizeof(*k));
}

int
ledger_vkey_format(const struct ledger_vkey *k, char *buf, size_t n)
{
    uint8_t raw[33];
    char b64[64];
    raw[0] = k->type;
    memcpy(raw + 1, k->pub, 32);
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
    int w = snprintf(buf, n, "%s+%08x+%s", k->name, k->id, b64);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

int
ledger_key_generate(const char *name, char *skey, size_t skey_len, char *vkey, size_t vkey_len)
{
    if (!ledger_valid_key_name(name, strlen(name)))
        return -1;
    uint8_t raw[33], pub[32], sk[64];
    char b64[64];
    raw[0] = LEDGER_SIG_ED25519;
    crypto_sign_keypair(pub, sk);
    memcpy(raw + 1, sk, 32); /* the seed */
    uint32_t id = key_id(name, LEDGER_SIG_ED25519, pub);
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
    int w = snprintf(skey, skey_len, "PRIVATE+KEY+%s+%08x+%s", name, id, b64);
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(b64, sizeof(b64));
    if (w < 0 || (size_t)w >= skey_len)
        return -1;
    struct ledger_vkey v = {.id = id, .type = LEDGER_SIG_ED25519};
    snprintf(v.name, sizeof(v.name), "%s", name);
    memcpy(v.pub, pub, 32);
    return ledger_vkey_format(&v, vkey, vkey_len);
}

int
ledger_note_sign(const struct ledger_skey *k, const char *text, size_t n, struct util_buf *out)
{
    if (n == 0 || text[n - 1] != '\n')
        return -1;
    uint8_t sig[4 + crypto_sign_BYTES];
    char b64[sizeof(sig) * 2];
    sig[0] = (uint8_t)(k->id >> 24);
    sig[1] = (uint8_t)(k->id >> 16);
    sig[2] = (uint8_t)(k->id >> 8);
    sig[3] = (uint8_t)k->id;
    crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, n, k->sk);
    sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
    if (util_buf_add(out, text, n) || util_buf_puts(out, "\n\xe2\x80\x94 ") ||
        util_buf_puts(out, k->name) || util_buf_puts(out, " ") || util_buf_puts(out, b64) ||
        util_buf_puts(out, "\n"))
        return -1;
    return 0;
}

/* UTF-8 with no control characters but newline (signed-note's rule). */
static int
valid_note_bytes(const char *msg, size_t n)
{
    const unsigned char *p = (const unsigned char *)msg, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7f)
                return 0;
            p++;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || (size_t)(end - p) < len)
            return 0;
        uint32_t cp = c & (0x7F >> len);
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += len;
    }
    return 1;
}

static int
verify_sig(const struct ledger_vkey *k, const uint8_t *sig, size_t siglen, const char *text,
           size_t tlen)
{
    if (k->type == LEDGER_SIG_ED25519) {
        if (siglen != crypto_sign_BYTES)
            return -1;
        return crypto_sign_verify_detached(sig, (const uint8_t *)text, tlen, k->pub);
    }
    /* Cosignature: 8-byte timestamp, then Ed25519 over the cosigned message. */
    if (siglen != 8 + crypto_sign_BYTES)
        return -1;
    uint64_t ts = 0;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | sig[i];
    char head[64];
    int hl = snprintf(head, sizeof(head), "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
    /* Plain Ed25519 (not Ed25519ph) over the concatenation. */
    uint8_t *buf = malloc((size_t)hl + tlen);
    if (!buf)
        return -1;
    memcpy(buf, head, (size_t)hl);
    memcpy(buf + hl, text, tlen);
    int rc = crypto_sign_verify_detached(sig + 8, buf, (size_t)hl + tlen, k->pub);
    free(buf);
    return rc;
}

int
ledger_note_open(const char *msg, size_t n, const struct ledger_vkey *keys, size_t nkeys,
                 struct ledger_note *out, char *errbuf, size_t errlen)
{
    if (sodium_init() < 0)
        ERR("cannot initialise libsodium");
    if (n > LEDGER_NOTE_MAX)
        ERR("note larger than %d bytes", LEDGER_NOTE_MAX);
    if (n == 0 || msg[n - 1] != '\n' || !valid_note_bytes(msg, n))
        ERR("malformed note: not UTF-8 text ending in a newline without control characters");
    /* The text ends at the last blank line. */
    size_t split = 0;
    int found = 0;
    for (size_t i = n - 1; i-- > 0;) {
        if (msg[i] == '\n' && msg[i + 1] == '\n') {
            split = i + 1;
            found = 1;
            break;
        }
    }
    if (!found)
        ERR("malformed note: no blank line before the signatures");
    struct ledger_note note = {.text = msg, .text_len = split};
    const char *p = msg + split + 1, *end = msg + n;
    unsigned nsigs = 0;
    if (p >= end)
        ERR("malformed note: no signatures");
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || (size_t)(eol - p) < 5 || memcmp(p, "\xe2\x80\x94 ", 4) != 0)
            ERR("malformed note: bad signature line");
        if (++nsigs > LEDGER_NOTE_MAX_SIGS)
            ERR("note with more than %d signatures", LEDGER_NOTE_MAX_SIGS);
        const char *name = p + 4;
        const char *sp = memchr(name, ' ', (size_t)(eol - name));
        if (!sp || !ledger_valid_key_name(name, (size_t)(sp - name)))
            ERR("malformed note: bad key name in a signature line");
        uint8_t sig[4 + 8 + crypto_sign_BYTES + 512];
        size_t siglen;
        if (sodium_base642bin(sig, sizeof(sig), sp + 1, (size_t)(eol - sp - 1), NULL, &siglen, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            siglen < 4)
            ERR("malformed note: bad signature encoding");
        uint32_t id =
            (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
        int matched = 0;
        for (size_t k = 0; k < nkeys; k++) {
            if (keys[k].id != id || strlen(keys[k].name) != (size_t)(sp - name) ||
                memcmp(keys[k].name, name, (size_t)(sp - name)) != 0)
                continue;
            /* Two known keys with one name and id: which one signed is unknowable. */
            if (++matched > 1)
                ERR("ambiguous key %s+%08x", keys[k].name, id);
            if (verify_sig(&keys[k], sig + 4, siglen - 4, msg, split) != 0)
                ERR("invalid signature by %s", keys[k].name);
            if (k < 32)
                note.verified_mask |= 1u << k;
            note.verified++;
        }
        p = eol + 1;
    }
    if (note.verified == 0)
        ERR("no signature by a known key");
    *out = note;
    return 0;
}
