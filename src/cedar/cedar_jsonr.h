/*
 * cedar_jsonr.h - a strict JSON reader for Cedar data.
 *
 * Why not jansson for reading: Cedar data has object keys with NUL in them
 * (Cedar's own corpus does), which jansson refuses, and integers down to
 * -2^63, which other Debian JSON libraries turn into doubles.  This reader
 * follows RFC 8259 exactly, keeps keys and strings length-counted, reads
 * integers exactly (a number with a fraction or exponent, or out of the
 * 64-bit range, is a "real" and Cedar rejects it), refuses duplicate keys
 * and invalid UTF-8, and bounds depth, size and counts.  The tree lives in
 * the caller's arena.  jansson is still used to write JSON.
 */
#ifndef CEDAR_JSONR_H
#define CEDAR_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar_arena.h"
#include "cedar_err.h"
#include "cedar_value.h"

enum jv_type { JV_NULL, JV_BOOL, JV_INT, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv;

struct jv_member {
    struct cedar_str key;
    struct jv *v;
};

struct jv {
    uint8_t type;
    bool b;
    int64_t i;
    struct cedar_str s;        /* JV_STRING; JV_REAL: the number's text */
    uint32_t n;                /* items or members */
    struct jv **items;         /* JV_ARRAY */
    struct jv_member *members; /* JV_OBJECT, in document order */
};

/* Parse a whole document.  0 with *out, or CEDAR_E_JSON / CEDAR_E_LIMIT /
 * CEDAR_E_NOMEM with err saying where (line and column). */
int jv_parse(struct cedar_arena *a, const char *text, size_t n, struct jv **out,
             struct cedar_error *err);

/* Member of an object by key; NULL when absent or v is not an object. */
const struct jv *jv_get(const struct jv *v, const char *key);
const char *jv_type_name(enum jv_type t);

#endif
