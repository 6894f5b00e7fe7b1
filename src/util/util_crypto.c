/*
 * util_crypto.c - libcrypto loaded on first use (util_crypto.h).
 */
#include "util_crypto.h"
#include "util_dl.h"

static struct util_crypto table;
static const struct util_dl_sym syms[] = {
    {"EVP_MD_fetch", (void **)&table.md_fetch},
    {"EVP_MD_CTX_new", (void **)&table.md_ctx_new},
    {"EVP_MD_CTX_free", (void **)&table.md_ctx_free},
    {"EVP_DigestInit_ex2", (void **)&table.digest_init_ex2},
    {"EVP_DigestUpdate", (void **)&table.digest_update},
    {"EVP_DigestFinal_ex", (void **)&table.digest_final_ex},
    {"EVP_sha1", (void **)&table.sha1},
    {"HMAC", (void **)&table.hmac},
};
static struct util_dl_lib lib = {.soname = UTIL_CRYPTO_SONAME,
                                 .what = "libcrypto",
                                 .syms = syms,
                                 .n = sizeof(syms) / sizeof(*syms)};

const struct util_crypto *
util_crypto(char *err, size_t errlen)
{
    return util_dl_get(&lib, err, errlen) ? NULL : &table;
}
