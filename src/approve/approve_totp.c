/*
 * approve_totp.c - RFC 4226 / RFC 6238 codes.
 *
 * HMAC-SHA1 comes from libcrypto (OpenSSL, loaded when first needed:
 * util_crypto.h; airlockd loads it before its sandbox closes):
 * authenticator apps use SHA-1 by default and libsodium has no SHA-1.  The
 * comparison of codes is constant-time.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../util/util_crypto.h"
#include "approve_totp.h"

uint32_t
totp_hotp(const unsigned char *secret, size_t n, uint64_t counter, int digits)
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char err[300];
    const struct util_crypto *l = util_crypto(err, sizeof(err));
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (unsigned char)(counter & 0xff);
    if (!l || !l->hmac(l->sha1(), secret, (int)n, msg, sizeof(msg), mac, &len) || len < 20)
        return UINT32_MAX; /* never a code: digits are fewer than 10 */
    unsigned off = mac[len - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    return bin % mod;
}

int
totp_check(const unsigned char *secret, size_t n, int64_t now, const char *code, int64_t last,
           int64_t *step)
{
    if (!code || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
        return -1;
    int64_t cur = now / TOTP_STEP;
    int found = -1;
    for (int64_t s = cur - 1; s <= cur + 1; s++) {
        char want[TOTP_DIGITS + 1];
        snprintf(want, sizeof(want), "%0*u", TOTP_DIGITS,
                 (unsigned)totp_hotp(secret, n, (uint64_t)s, TOTP_DIGITS));
        if (sodium_memcmp(want, code, TOTP_DIGITS) == 0 && s > last && found < 0) {
            *step = s;
            found = 0;
        }
    }
    return found;
}

int
totp_base32(const unsigned char *in, size_t n, char *out, size_t cap)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t need = (n * 8 + 4) / 5, o = 0;
    if (need + 1 > cap)
        return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = A[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = A[(acc << (5 - bits)) & 31];
    out[o] = '\0';
    return 0;
}
