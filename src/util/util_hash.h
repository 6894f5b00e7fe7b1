/*
 * util_hash.h - SHA-256 as lowercase hex, for ids that name texts.
 */
#ifndef UTIL_HASH_H
#define UTIL_HASH_H

#include <stddef.h>

void util_sha256_hex(const void *p, size_t n, char out[65]);

#endif
