/*
 * util_crypto.h - libcrypto (OpenSSL), loaded when first needed.
 *
 * OpenSSL's libcrypto is the largest library airlock uses: loading it
 * (some four thousand symbols bound at start) was most of what a short
 * process did before its own work, an agent's hook on every tool call
 * among them (bench/bench_hook.c).  Two things use it: the ledger's
 * SHA-256 once a process has hashed enough to gain from it
 * (ledger_hash.c), and airlockd's one-time codes (HMAC-SHA1,
 * approve_totp.c), which airlockd loads before its sandbox closes.
 */
#ifndef UTIL_CRYPTO_H
#define UTIL_CRYPTO_H

#include <openssl/evp.h>
#include <stddef.h>

#define UTIL_CRYPTO_SONAME "libcrypto.so.3"

struct util_crypto {
    EVP_MD *(*md_fetch)(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties);
    EVP_MD_CTX *(*md_ctx_new)(void);
    void (*md_ctx_free)(EVP_MD_CTX *ctx);
    int (*digest_init_ex2)(EVP_MD_CTX *ctx, const EVP_MD *type, const OSSL_PARAM params[]);
    int (*digest_update)(EVP_MD_CTX *ctx, const void *d, size_t cnt);
    int (*digest_final_ex)(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s);
    const EVP_MD *(*sha1)(void);
    unsigned char *(*hmac)(const EVP_MD *evp_md, const void *key, int key_len,
                           const unsigned char *data, size_t data_len, unsigned char *md,
                           unsigned int *md_len);
};

/* libcrypto's functions, loaded once (thread-safe): the table, or NULL
 * with err saying why. */
const struct util_crypto *util_crypto(char *err, size_t errlen);

#endif
