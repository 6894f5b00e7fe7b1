/*
 * approve_totp.h - one-time codes (TOTP, RFC 6238) for approvers.
 *
 * HMAC-SHA1, 30-second steps, 6 digits: what every authenticator app
 * accepts by default (the otpauth URI says so explicitly).  A code is
 * accepted for the current step or the one before or after (clock drift),
 * and never twice: a step at or before the last one used is refused, so a
 * code seen over a shoulder or in a shell history cannot be replayed.
 */
#ifndef APPROVE_TOTP_H
#define APPROVE_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_LEN 20 /* bytes: 160 bits, RFC 4226's recommendation */
#define TOTP_STEP 30       /* seconds */
#define TOTP_DIGITS 6
#define TOTP_BASE32_MAX 64 /* characters of an encoded secret, with NUL */

/* The code for a counter value (RFC 4226 HOTP). */
uint32_t totp_hotp(const unsigned char *secret, size_t n, uint64_t counter, int digits);

/* Check code (text of TOTP_DIGITS digits) at time now; last is the last
 * step used.  0 with *step (the step it matched), or -1. */
int totp_check(const unsigned char *secret, size_t n, int64_t now, const char *code, int64_t last,
               int64_t *step);

/* RFC 4648 base32 without padding; -1 if cap is too small. */
int totp_base32(const unsigned char *in, size_t n, char *out, size_t cap);

#endif
