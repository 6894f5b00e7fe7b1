/*
 * ledger_note.h - C2SP signed notes, Ed25519 keys and cosignatures.
 *
 * Keys in the formats of C2SP signed-note (and Go's x/mod/sumdb/note):
 *   verifier key  <name>+<key id, 8 hex>+base64(0x01 || 32-byte public key)
 *   signer key    PRIVATE+KEY+<name>+<key id>+base64(0x01 || 32-byte seed)
 * key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian.
 * Witness keys (C2SP tlog-cosignature) have type 0x04 and sign
 * "cosignature/v1\ntime <T>\n" || note text, their signature being the
 * 8-byte big-endian timestamp T followed by the Ed25519 signature.
 *
 * Only ledger_note_sign() touches a private key; it wipes its copies.
 */
#ifndef LEDGER_NOTE_H
#define LEDGER_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util_buf.h"

#define LEDGER_KEY_NAME_MAX 256
#define LEDGER_NOTE_MAX 65536 /* bytes in one note */
#define LEDGER_NOTE_MAX_SIGS 100

enum { LEDGER_SIG_ED25519 = 0x01, LEDGER_SIG_COSIGNATURE = 0x04 };

struct ledger_vkey {
    char name[LEDGER_KEY_NAME_MAX + 1];
    uint32_t id;
    uint8_t type;
    uint8_t pub[32];
};

struct ledger_skey {
    char name[LEDGER_KEY_NAME_MAX + 1];
    uint32_t id;
    uint8_t sk[64]; /* libsodium's Ed25519 secret key (seed || public) */
};

/* New Ed25519 key pair; writes the two text forms (NUL-terminated). */
int ledger_key_generate(const char *name, char *skey, size_t skey_len, char *vkey, size_t vkey_len);
int ledger_skey_parse(const char *text, size_t n, struct ledger_skey *out);
int ledger_vkey_parse(const char *text, size_t n, struct ledger_vkey *out);
int ledger_vkey_format(const struct ledger_vkey *k, char *buf, size_t n);
void ledger_skey_public(const struct ledger_skey *k, struct ledger_vkey *out);
void ledger_skey_wipe(struct ledger_skey *k);
int ledger_valid_key_name(const char *name, size_t n);

/* text (ending in '\n') and one signature line by k, appended to out. */
int ledger_note_sign(const struct ledger_skey *k, const char *text, size_t n, struct util_buf *out);

struct ledger_note {
    const char *text; /* points into the message */
    size_t text_len;
    unsigned verified;      /* signatures by known keys that verified */
    uint32_t verified_mask; /* bit i: keys[i] signed and verified */
};

/*
 * Parse and verify a signed note against known keys.  Signatures by unknown
 * keys are ignored; one by a known key that fails makes the note invalid;
 * at least one known signature must verify.  0 or -1 with errbuf set.
 */
int ledger_note_open(const char *msg, size_t n, const struct ledger_vkey *keys, size_t nkeys,
                     struct ledger_note *out, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

#endif
