#include "ledger_hash.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "../util/util_crypto.h"

/*
 * SHA-256 through OpenSSL, which uses the CPU's SHA extensions where there
 * are any (about 4x libsodium's portable code here: 105-130 against 400 ns
 * for a node hash), with one reusable context per thread.  Should OpenSSL
 * fail (no memory, no provider), libsodium computes the same hash.
 *
 * Loading libcrypto and its first fetch of SHA-256 cost some ten million
 * instructions: more than a short-lived process (an agent's hook, one
 * command of the CLI) hashes in all.  So the first LEDGER_SHA_EARLY hashes
 * of a process are libsodium's, and libcrypto is loaded (util_crypto.h)
 * only for a process that goes on hashing (airlockd, verifying a long
 * ledger): the same hashes either way.
 */
#define LEDGER_SHA_EARLY 1024
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;
static unsigned long sha_count; /* hashes so far (atomic) */
static pthread_key_t sha_key;
static EVP_MD *sha_md;
static const struct util_crypto *sha_lib;
static int sha_ok;

static void
sha_ctx_free(void *ctx)
{
    sha_lib->md_ctx_free(ctx);
}

static void
sha_init(void)
{
    char err[300];
    sha_lib = util_crypto(err, sizeof(err));
    sha_md = sha_lib ? sha_lib->md_fetch(NULL, "SHA256", NULL) : NULL;
    sha_ok = sha_md && pthread_key_create(&sha_key, sha_ctx_free) == 0;
}

static EVP_MD_CTX *
sha_ctx(void)
{
    if (__atomic_add_fetch(&sha_count, 1, __ATOMIC_RELAXED) <= LEDGER_SHA_EARLY)
        return NULL; /* libsodium's, below */
    pthread_once(&sha_once, sha_init);
    if (!sha_ok)
        return NULL;
    EVP_MD_CTX *ctx = pthread_getspecific(sha_key);
    if (!ctx && (ctx = sha_lib->md_ctx_new()) && pthread_setspecific(sha_key, ctx)) {
        sha_lib->md_ctx_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* SHA-256 of a || b || c (b and c may be empty). */
static void
sha256_3(const void *a, size_t na, const void *b, size_t nb, const void *c, size_t nc,
         ledger_hash out)
{
    EVP_MD_CTX *ctx = sha_ctx();
    unsigned len;
    const struct util_crypto *l = sha_lib;
    if (ctx && l->digest_init_ex2(ctx, sha_md, NULL) && l->digest_update(ctx, a, na) &&
        (!nb || l->digest_update(ctx, b, nb)) && (!nc || l->digest_update(ctx, c, nc)) &&
        l->digest_final_ex(ctx, out, &len) && len == LEDGER_HASH_BYTES)
        return;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, a, na);
    if (nb)
        crypto_hash_sha256_update(&st, b, nb);
    if (nc)
        crypto_hash_sha256_update(&st, c, nc);
    crypto_hash_sha256_final(&st, out);
}

void
ledger_sha256(const void *p, size_t n, ledger_hash out)
{
    sha256_3(p, n, NULL, 0, NULL, 0, out);
}

void
ledger_leaf_hash(const void *entry, size_t n, ledger_hash out)
{
    static const uint8_t leaf = 0x00;
    sha256_3(&leaf, 1, entry, n, NULL, 0, out);
}

void
ledger_node_hash(const ledger_hash left, const ledger_hash right, ledger_hash out)
{
    static const uint8_t node = 0x01;
    sha256_3(&node, 1, left, LEDGER_HASH_BYTES, right, LEDGER_HASH_BYTES, out);
}

void
ledger_empty_root(ledger_hash out)
{
    crypto_hash_sha256(out, (const uint8_t *)"", 0);
}

void
ledger_root_of(const ledger_hash *hashes, size_t n, ledger_hash out)
{
    if (n == 1) {
        memcpy(out, hashes[0], LEDGER_HASH_BYTES);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    ledger_hash l, r;
    ledger_root_of(hashes, k, l);
    ledger_root_of(hashes + k, n - k, r);
    ledger_node_hash(l, r, out);
}

int
ledger_verify_inclusion(uint64_t index, uint64_t size, const ledger_hash leaf_hash,
                        const ledger_hash *proof, size_t nproof, const ledger_hash root)
{
    if (index >= size)
        return -1;
    uint64_t fn = index, sn = size - 1;
    ledger_hash r;
    memcpy(r, leaf_hash, LEDGER_HASH_BYTES);
    for (size_t i = 0; i < nproof; i++) {
        if (sn == 0)
            return -1;
        if ((fn & 1) || fn == sn) {
            ledger_node_hash(proof[i], r, r);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            ledger_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return -1;
    return sodium_memcmp(r, root, LEDGER_HASH_BYTES) == 0 ? 0 : -1;
}

int
ledger_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t *root1, size_t root1_len,
                          const uint8_t *root2, size_t root2_len, const ledger_hash *proof,
                          size_t nproof)
{
    if (size1 == 0 || size2 < size1)
        return -1;
    if (size1 == size2) {
        if (nproof != 0 || root1_len != root2_len)
            return -1;
        return memcmp(root1, root2, root1_len) == 0 ? 0 : -1;
    }
    if (nproof == 0 || root1_len != LEDGER_HASH_BYTES || root2_len != LEDGER_HASH_BYTES)
        return -1;
    /* RFC 9162 2.1.4.2: if size1 is a power of two, prepend root1. */
    const ledger_hash *p = proof;
    size_t np = nproof;
    ledger_hash first;
    size_t start = 0;
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(first, root1, LEDGER_HASH_BYTES);
    } else {
        memcpy(first, p[0], LEDGER_HASH_BYTES);
        start = 1;
    }
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    ledger_hash fr, sr;
    memcpy(fr, first, LEDGER_HASH_BYTES);
    memcpy(sr, first, LEDGER_HASH_BYTES);
    for (size_t i = start; i < np; i++) {
        if (sn == 0)
            return -1;
        if ((fn & 1) || fn == sn) {
            ledger_node_hash(p[i], fr, fr);
            ledger_node_hash(p[i], sr, sr);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            ledger_node_hash(sr, p[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return -1;
    if (sodium_memcmp(fr, root1, LEDGER_HASH_BYTES) != 0 ||
        sodium_memcmp(sr, root2, LEDGER_HASH_BYTES) != 0)
        return -1;
    return 0;
}

int
ledger_frontier_push(struct ledger_frontier *f, const ledger_hash leaf,
                     int (*tile_done)(void *ctx, int height, const ledger_hash h), void *ctx)
{
    f->v[f->n].height = 0;
    memcpy(f->v[f->n].h, leaf, LEDGER_HASH_BYTES);
    f->n++;
    while (f->n >= 2 && f->v[f->n - 1].height == f->v[f->n - 2].height) {
        ledger_hash m;
        ledger_node_hash(f->v[f->n - 2].h, f->v[f->n - 1].h, m);
        uint8_t h = (uint8_t)(f->v[f->n - 1].height + 1);
        f->n--;
        f->v[f->n - 1].height = h;
        memcpy(f->v[f->n - 1].h, m, LEDGER_HASH_BYTES);
        if (h % 8 == 0 && tile_done) {
            int rc = tile_done(ctx, h, m);
            if (rc)
                return rc;
        }
    }
    return 0;
}

void
ledger_frontier_root(const struct ledger_frontier *f, ledger_hash out)
{
    if (f->n == 0) {
        ledger_empty_root(out);
        return;
    }
    memcpy(out, f->v[f->n - 1].h, LEDGER_HASH_BYTES);
    for (int i = f->n - 2; i >= 0; i--)
        ledger_node_hash(f->v[i].h, out, out);
}
