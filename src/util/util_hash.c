/*
 * util_hash.c - SHA-256 hex (libsodium).
 */
#include <sodium.h>

#include "util_hash.h"

void
util_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, p, n);
    sodium_bin2hex(out, 65, h, sizeof(h));
}
