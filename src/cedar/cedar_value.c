#include "cedar_value.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cedar_ext.h"

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static int hash_ready;

int
cedar_hash_init(void)
{
    if (hash_ready)
        return 0;
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(hash_key, sizeof(hash_key));
    hash_ready = 1;
    return 0;
}

uint64_t
cedar_hash_uid(const char *type, size_t tlen, const char *id, size_t idlen)
{
    /* Hash type and id separately and mix, so "a"+"bc" and "ab"+"c" differ. */
    uint64_t h1 = 0, h2 = 0;
    crypto_shorthash((unsigned char *)&h1, (const unsigned char *)type, tlen, hash_key);
    crypto_shorthash((unsigned char *)&h2, (const unsigned char *)id, idlen, hash_key);
    return h1 ^ (h2 * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
}

const struct cedar_uid *
cedar_uid_new(struct cedar_arena *a, const char *type, size_t tlen, const char *id, size_t idlen)
{
    struct cedar_uid *u = cedar_arena_alloc(a, sizeof(*u));
    if (!u)
        return NULL;
    char *t = cedar_arena_strndup(a, type, tlen);
    char *i = cedar_arena_strndup(a, id, idlen);
    if (!t || !i)
        return NULL;
    u->type.p = t;
    u->type.n = (uint32_t)tlen;
    u->id.p = i;
    u->id.n = (uint32_t)idlen;
    u->hash = cedar_hash_uid(type, tlen, id, idlen);
    return u;
}

bool
cedar_uid_eq(const struct cedar_uid *x, const struct cedar_uid *y)
{
    if (x == y)
        return true;
    return x->hash == y->hash && x->type.n == y->type.n && x->id.n == y->id.n &&
           memcmp(x->type.p, y->type.p, x->type.n) == 0 && memcmp(x->id.p, y->id.p, x->id.n) == 0;
}

int
cedar_str_cmp(struct cedar_str a, struct cedar_str b)
{
    uint32_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c)
        return c;
    return a.n < b.n ? -1 : a.n > b.n;
}

bool
cedar_str_eq(struct cedar_str a, const char *p, size_t n)
{
    return a.n == n && (n == 0 || memcmp(a.p, p, n) == 0);
}

static int
cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int
cmp_ip(const struct cedar_ip *a, const struct cedar_ip *b)
{
    if (a->v6 != b->v6)
        return a->v6 < b->v6 ? -1 : 1;
    int c = memcmp(a->addr, b->addr, sizeof(a->addr));
    if (c)
        return c;
    return a->prefix < b->prefix ? -1 : a->prefix > b->prefix;
}

int
cedar_value_cmp(const struct cedar_value *a, const struct cedar_value *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    switch ((enum cedar_kind)a->kind) {
    case CEDAR_BOOL:
        return (int)a->u.b - (int)b->u.b;
    case CEDAR_LONG:
    case CEDAR_DECIMAL:
    case CEDAR_DATETIME:
    case CEDAR_DURATION:
        return cmp_i64(a->u.l, b->u.l);
    case CEDAR_STRING:
        return cedar_str_cmp(a->u.s, b->u.s);
    case CEDAR_ENTITY: {
        if (a->u.uid == b->u.uid)
            return 0;
        int c = cedar_str_cmp(a->u.uid->type, b->u.uid->type);
        return c ? c : cedar_str_cmp(a->u.uid->id, b->u.uid->id);
    }
    case CEDAR_SET: {
        const struct cedar_set *x = a->u.set, *y = b->u.set;
        for (uint32_t i = 0; i < x->n && i < y->n; i++) {
            int c = cedar_value_cmp(&x->v[i], &y->v[i]);
            if (c)
                return c;
        }
        return x->n < y->n ? -1 : x->n > y->n;
    }
    case CEDAR_RECORD: {
        const struct cedar_record *x = a->u.rec, *y = b->u.rec;
        for (uint32_t i = 0; i < x->n && i < y->n; i++) {
            int c = cedar_str_cmp(x->a[i].key, y->a[i].key);
            if (!c)
                c = cedar_value_cmp(&x->a[i].v, &y->a[i].v);
            if (c)
                return c;
        }
        return x->n < y->n ? -1 : x->n > y->n;
    }
    case CEDAR_IPADDR:
        return cmp_ip(a->u.ip, b->u.ip);
    }
    return 0;
}

bool
cedar_value_eq(const struct cedar_value *a, const struct cedar_value *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == CEDAR_ENTITY)
        return cedar_uid_eq(a->u.uid, b->u.uid);
    return cedar_value_cmp(a, b) == 0;
}

static int
value_qsort_cmp(const void *x, const void *y)
{
    return cedar_value_cmp(x, y);
}

const struct cedar_set *
cedar_set_make(struct cedar_arena *a, const struct cedar_value *v, size_t n)
{
    struct cedar_set *s = cedar_arena_alloc(a, sizeof(*s) + n * sizeof(s->v[0]));
    if (!s)
        return NULL;
    if (n)
        memcpy(s->v, v, n * sizeof(*v));
    qsort(s->v, n, sizeof(s->v[0]), value_qsort_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out && cedar_value_cmp(&s->v[out - 1], &s->v[i]) == 0)
            continue;
        s->v[out++] = s->v[i];
    }
    s->n = (uint32_t)out;
    return s;
}

bool
cedar_set_contains(const struct cedar_set *s, const struct cedar_value *v)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cedar_value_cmp(&s->v[mid], v);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int
attr_qsort_cmp(const void *x, const void *y)
{
    const struct cedar_attr *a = x, *b = y;
    return cedar_str_cmp(a->key, b->key);
}

int
cedar_record_make(struct cedar_arena *a, const struct cedar_attr *attrs, size_t n,
                  const struct cedar_record **out, struct cedar_str *dup)
{
    struct cedar_record *r = cedar_arena_alloc(a, sizeof(*r) + n * sizeof(r->a[0]));
    if (!r)
        return -1;
    if (n)
        memcpy(r->a, attrs, n * sizeof(*attrs));
    qsort(r->a, n, sizeof(r->a[0]), attr_qsort_cmp);
    for (size_t i = 1; i < n; i++) {
        if (cedar_str_cmp(r->a[i - 1].key, r->a[i].key) == 0) {
            if (dup)
                *dup = r->a[i].key;
            return -2;
        }
    }
    r->n = (uint32_t)n;
    *out = r;
    return 0;
}

const struct cedar_value *
cedar_record_get(const struct cedar_record *r, const char *key, size_t n)
{
    struct cedar_str k = {key, (uint32_t)n};
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cedar_str_cmp(r->a[mid].key, k);
        if (c == 0)
            return &r->a[mid].v;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *
cedar_kind_name(enum cedar_kind k)
{
    static const char *const names[] = {
        [CEDAR_BOOL] = "bool",         [CEDAR_LONG] = "long",     [CEDAR_STRING] = "string",
        [CEDAR_ENTITY] = "entity",     [CEDAR_SET] = "set",       [CEDAR_RECORD] = "record",
        [CEDAR_DECIMAL] = "decimal",   [CEDAR_IPADDR] = "ipaddr", [CEDAR_DATETIME] = "datetime",
        [CEDAR_DURATION] = "duration",
    };
    if ((unsigned)k < sizeof(names) / sizeof(names[0]))
        return names[k];
    return "?";
}

int
cedar_print_string(struct util_buf *b, const char *p, size_t n)
{
    if (util_buf_add(b, "\"", 1))
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int rc;
        switch (c) {
        case '"':
            rc = util_buf_add(b, "\\\"", 2);
            break;
        case '\\':
            rc = util_buf_add(b, "\\\\", 2);
            break;
        case '\n':
            rc = util_buf_add(b, "\\n", 2);
            break;
        case '\r':
            rc = util_buf_add(b, "\\r", 2);
            break;
        case '\t':
            rc = util_buf_add(b, "\\t", 2);
            break;
        case '\0':
            rc = util_buf_add(b, "\\0", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                rc = util_buf_printf(b, "\\u{%x}", c);
            else
                rc = util_buf_add(b, &p[i], 1);
        }
        if (rc)
            return -1;
    }
    return util_buf_add(b, "\"", 1);
}

int
cedar_uid_print(struct util_buf *b, const struct cedar_uid *u)
{
    if (util_buf_add(b, u->type.p, u->type.n) || util_buf_add(b, "::", 2))
        return -1;
    return cedar_print_string(b, u->id.p, u->id.n);
}

static int
print_ext(struct util_buf *b, const char *fn,
          int (*body)(struct util_buf *, const struct cedar_value *), const struct cedar_value *v)
{
    struct util_buf tmp;
    util_buf_init(&tmp, 256);
    int rc = body(&tmp, v);
    if (!rc)
        rc = util_buf_printf(b, "%s(", fn) || cedar_print_string(b, tmp.p, tmp.len) ||
             util_buf_add(b, ")", 1);
    util_buf_free(&tmp);
    return rc ? -1 : 0;
}

static int
body_decimal(struct util_buf *b, const struct cedar_value *v)
{
    return cedar_decimal_print(b, v->u.l);
}

static int
body_ip(struct util_buf *b, const struct cedar_value *v)
{
    return cedar_ip_print(b, v->u.ip);
}

static int
body_datetime(struct util_buf *b, const struct cedar_value *v)
{
    return cedar_datetime_print(b, v->u.l);
}

static int
body_duration(struct util_buf *b, const struct cedar_value *v)
{
    return cedar_duration_print(b, v->u.l);
}

int
cedar_value_print(struct util_buf *b, const struct cedar_value *v)
{
    switch ((enum cedar_kind)v->kind) {
    case CEDAR_BOOL:
        return util_buf_puts(b, v->u.b ? "true" : "false");
    case CEDAR_LONG:
        return util_buf_printf(b, "%lld", (long long)v->u.l);
    case CEDAR_STRING:
        return cedar_print_string(b, v->u.s.p, v->u.s.n);
    case CEDAR_ENTITY:
        return cedar_uid_print(b, v->u.uid);
    case CEDAR_SET:
        if (util_buf_add(b, "[", 1))
            return -1;
        for (uint32_t i = 0; i < v->u.set->n; i++) {
            if ((i && util_buf_add(b, ", ", 2)) || cedar_value_print(b, &v->u.set->v[i]))
                return -1;
        }
        return util_buf_add(b, "]", 1);
    case CEDAR_RECORD:
        if (util_buf_add(b, "{", 1))
            return -1;
        for (uint32_t i = 0; i < v->u.rec->n; i++) {
            const struct cedar_attr *at = &v->u.rec->a[i];
            if ((i && util_buf_add(b, ", ", 2)) || cedar_print_string(b, at->key.p, at->key.n) ||
                util_buf_add(b, ": ", 2) || cedar_value_print(b, &at->v))
                return -1;
        }
        return util_buf_add(b, "}", 1);
    case CEDAR_DECIMAL:
        return print_ext(b, "decimal", body_decimal, v);
    case CEDAR_IPADDR:
        return print_ext(b, "ip", body_ip, v);
    case CEDAR_DATETIME:
        return print_ext(b, "datetime", body_datetime, v);
    case CEDAR_DURATION:
        return print_ext(b, "duration", body_duration, v);
    }
    return -1;
}
