/*
 * cedar_value.h - Cedar runtime values.
 *
 * A value is a small tagged struct passed by value.  Strings are
 * length-counted (Cedar strings may hold NUL).  Sets are kept sorted and free
 * of duplicates, records sorted by key, both under the total order of
 * cedar_value_cmp(), so equality, membership and attribute lookup are
 * comparisons and binary searches.  Values never own memory: whatever they
 * point to lives in an arena (the entity store's, the policy set's or the
 * request's).
 */
#ifndef CEDAR_VALUE_H
#define CEDAR_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar_arena.h"
#include "../util/util_buf.h"

enum cedar_kind {
    CEDAR_BOOL,
    CEDAR_LONG,
    CEDAR_STRING,
    CEDAR_ENTITY,
    CEDAR_SET,
    CEDAR_RECORD,
    CEDAR_DECIMAL,  /* l: value * 10^4 */
    CEDAR_IPADDR,   /* ip */
    CEDAR_DATETIME, /* l: milliseconds since the Unix epoch, UTC */
    CEDAR_DURATION, /* l: milliseconds */
};

struct cedar_str {
    const char *p;
    uint32_t n;
};

struct cedar_entity;

/* An entity UID.  hash covers type and id; equal UIDs have equal hashes.
 * In an entity store every UID that names one of its entities points to
 * the same canonical struct, whose ent is that entity: `in` and attribute
 * access then skip the hash lookup and compare pointers. */
struct cedar_uid {
    struct cedar_str type; /* "Ns::Type" */
    struct cedar_str id;
    uint64_t hash;
    const struct cedar_entity *ent; /* set by the store that owns this UID */
};

struct cedar_ip {
    uint8_t v6;       /* 0: IPv4 (addr[12..15] used), 1: IPv6 */
    uint8_t prefix;   /* 0..32 or 0..128 */
    uint8_t addr[16]; /* big-endian; IPv4 in the last four bytes */
};

struct cedar_set;
struct cedar_record;

struct cedar_value {
    uint8_t kind; /* enum cedar_kind */
    union {
        bool b;
        int64_t l;
        struct cedar_str s;
        const struct cedar_uid *uid;
        const struct cedar_set *set;
        const struct cedar_record *rec;
        const struct cedar_ip *ip;
    } u;
};

struct cedar_set {
    uint32_t n;
    struct cedar_value v[];
};

struct cedar_attr {
    struct cedar_str key;
    struct cedar_value v;
};

struct cedar_record {
    uint32_t n;
    struct cedar_attr a[];
};

/* Keyed hash (SipHash, random key per process) so hostile ids cannot flood
 * hash tables.  cedar_hash_init() must run once before any UID is built. */
int cedar_hash_init(void);
uint64_t cedar_hash_uid(const char *type, size_t tlen, const char *id, size_t idlen);

const struct cedar_uid *cedar_uid_new(struct cedar_arena *a, const char *type, size_t tlen,
                                      const char *id, size_t idlen);
bool cedar_uid_eq(const struct cedar_uid *x, const struct cedar_uid *y);

int cedar_str_cmp(struct cedar_str a, struct cedar_str b);
bool cedar_str_eq(struct cedar_str a, const char *p, size_t n);

/* Total order over all values: kind first, then content. */
int cedar_value_cmp(const struct cedar_value *a, const struct cedar_value *b);
bool cedar_value_eq(const struct cedar_value *a, const struct cedar_value *b);

/* Build a set from n values (copied, sorted, deduplicated).  NULL: no memory. */
const struct cedar_set *cedar_set_make(struct cedar_arena *a, const struct cedar_value *v,
                                       size_t n);
bool cedar_set_contains(const struct cedar_set *s, const struct cedar_value *v);

/* Build a record from n attributes.  Returns 0, -1 on no memory, or -2 when
 * two attributes share a key (*dup then names it). */
int cedar_record_make(struct cedar_arena *a, const struct cedar_attr *attrs, size_t n,
                      const struct cedar_record **out, struct cedar_str *dup);
const struct cedar_value *cedar_record_get(const struct cedar_record *r, const char *key, size_t n);

const char *cedar_kind_name(enum cedar_kind k);

/* Write v in Cedar syntax (the same text the policy language reads). */
int cedar_value_print(struct util_buf *b, const struct cedar_value *v);
/* Write s as a Cedar string literal with escapes. */
int cedar_print_string(struct util_buf *b, const char *p, size_t n);
int cedar_uid_print(struct util_buf *b, const struct cedar_uid *u);

static inline struct cedar_value
cedar_bool(bool b)
{
    struct cedar_value v = {.kind = CEDAR_BOOL};
    v.u.b = b;
    return v;
}

static inline struct cedar_value
cedar_long(int64_t l)
{
    struct cedar_value v = {.kind = CEDAR_LONG};
    v.u.l = l;
    return v;
}

static inline struct cedar_value
cedar_entity(const struct cedar_uid *uid)
{
    struct cedar_value v = {.kind = CEDAR_ENTITY};
    v.u.uid = uid;
    return v;
}

#endif
