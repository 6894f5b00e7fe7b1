/*
 * inspect_secret.h - secrets and personal data in text.
 *
 * The formats are data (src/inspect/secrets.tsv, compiled in), one per
 * line, tab-separated:
 *
 *   id  category  severity  check  /regex/  explanation  example
 *
 * category is secret or personal-data; check names the code that confirms
 * a match the regex alone would over-report: none, github (the CRC32
 * checksum GitHub tokens end with), jwt (the header decodes to JSON naming
 * an "alg"), luhn (payment cards: 13 to 19 digits, Luhn, a card network's
 * prefix), ssn (no 000/666/9xx area, 00 group or 0000 serial), nino (no
 * unused prefix), phone (8 to 15 digits), url-password (not a placeholder
 * such as *** or $VAR), email (the regex matches from the @, which a
 * scan can find fast; the local part before it is found by the check).  A GitHub-shaped token whose
 * checksum does not match is still reported, as low.
 *
 * Each format is its own JIT-compiled PCRE2 pattern, which PCRE2 scans for
 * with its start optimisations (a literal first character, a start
 * bitmap); the matches are then sorted and a match inside an earlier one
 * dropped (an address inside a URL with a password).  One alternation of
 * all formats was tried first: at every position it tried every
 * alternative, four times slower on a megabyte of Markdown.  A loaded
 * table keeps match state: one thread at a time.
 */
#ifndef INSPECT_SECRET_H
#define INSPECT_SECRET_H

#include <stddef.h>

#include "inspect_finding.h"

#define INSPECT_MAX_SECRET_FORMATS 256u
#define INSPECT_MAX_SECRET_HITS 65536u /* matches of one text, before overlaps */

struct inspect_secrets;

/* 0, or -1 with err ("line N: what is wrong"). */
int inspect_secrets_load(struct inspect_secrets **out, const char *text, size_t len, char *err,
                         size_t errlen);
void inspect_secrets_free(struct inspect_secrets *s);
size_t inspect_secrets_count(const struct inspect_secrets *s);
const char *inspect_secret_id(const struct inspect_secrets *s, size_t i);
const char *inspect_secret_example(const struct inspect_secrets *s, size_t i);

/* Add the secrets and personal data in text to l, offsets shifted by
 * base.  0, or -1 when the matcher failed or memory ran out (l then holds
 * an opaque finding saying so: never an all clear; so does a text with
 * more than INSPECT_MAX_SECRET_HITS matches). */
int inspect_secrets_find(const struct inspect_secrets *s, const char *text, size_t len,
                         uint32_t base, struct inspect_list *l);

#endif
