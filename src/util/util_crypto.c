/*
 * util_crypto.c - libcrypto loaded on first use (util_crypto.h).
 */
#include <pthread.h>
#include <stdio.h>

#include "util_crypto.h"
#include "util_dl.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct util_crypto table;
static const struct util_crypto *loaded;
static char why[256];

static void
load(void)
{
    const struct util_dl_sym syms[] = {
        {"EVP_MD_fetch", (void **)&table.md_fetch},
        {"EVP_MD_CTX_new", (void **)&table.md_ctx_new},
        {"EVP_MD_CTX_free", (void **)&table.md_ctx_free},
        {"EVP_DigestInit_ex2", (void **)&table.digest_init_ex2},
        {"EVP_DigestUpdate", (void **)&table.digest_update},
        {"EVP_DigestFinal_ex", (void **)&table.digest_final_ex},
        {"EVP_sha1", (void **)&table.sha1},
        {"HMAC", (void **)&table.hmac},
    };
    if (util_dl_load(UTIL_CRYPTO_SONAME, syms, sizeof(syms) / sizeof(*syms), why, sizeof(why)) == 0)
        loaded = &table;
}

const struct util_crypto *
util_crypto(char *err, size_t errlen)
{
    pthread_once(&once, load);
    if (!loaded)
        snprintf(err, errlen, "libcrypto: %s", why);
    return loaded;
}
