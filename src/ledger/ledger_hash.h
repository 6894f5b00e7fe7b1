/*
 * ledger_hash.h - RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
 *
 * leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
 * Proof verification follows RFC 9162 section 2.1.3.2 and 2.1.4.2 exactly;
 * a verifier returns 0 only when the proof is valid (warn_unused_result).
 */
#ifndef LEDGER_HASH_H
#define LEDGER_HASH_H

#include <stddef.h>
#include <stdint.h>

#define LEDGER_HASH_BYTES 32
/* Enough for any proof in a tree of 2^64 leaves (and for consistency, two). */
#define LEDGER_MAX_PROOF 128

typedef uint8_t ledger_hash[LEDGER_HASH_BYTES];

void ledger_leaf_hash(const void *entry, size_t n, ledger_hash out);
void ledger_node_hash(const ledger_hash left, const ledger_hash right, ledger_hash out);
/* Plain SHA-256 (the write-ahead's record sums), as fast as the above. */
void ledger_sha256(const void *p, size_t n, ledger_hash out);
/* SHA-256 of the empty string: the root of the empty tree. */
void ledger_empty_root(ledger_hash out);

/*
 * The right edge of a tree being built leaf by leaf: the perfect subtrees of
 * the binary decomposition of its size, largest first.  Appending a leaf
 * merges equal subtrees; each merge that completes a subtree whose height
 * is a multiple of 8 (a full tile of the level below) is reported to
 * tile_done, which may fail the push.  Both the log and its verifier use it.
 */
struct ledger_frontier {
    struct {
        uint8_t height;
        ledger_hash h;
    } v[64];
    int n;
};

int ledger_frontier_push(struct ledger_frontier *f, const ledger_hash leaf,
                         int (*tile_done)(void *ctx, int height, const ledger_hash h), void *ctx);
/* RFC 6962 root of the tree the frontier describes (the empty root if none). */
void ledger_frontier_root(const struct ledger_frontier *f, ledger_hash out);

/* The root of hashes[0..n) taken as the leaves' hashes (n >= 1). */
void ledger_root_of(const ledger_hash *hashes, size_t n, ledger_hash out);

/* Verify that leaf_hash is entry index of a tree of size with the given root. */
int ledger_verify_inclusion(uint64_t index, uint64_t size, const ledger_hash leaf_hash,
                            const ledger_hash *proof, size_t nproof, const ledger_hash root)
    __attribute__((warn_unused_result));

/* Verify that the tree of size1 (root1) is a prefix of the tree of size2 (root2).
 * The roots are length-counted so that a malformed (non-32-byte) root in a
 * test vector compares as the bytes it is. */
int ledger_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t *root1,
                              size_t root1_len, const uint8_t *root2, size_t root2_len,
                              const ledger_hash *proof, size_t nproof)
    __attribute__((warn_unused_result));

#endif
