#include "cedar_jsonr.h"

#include <stdlib.h>
#include <string.h>

#include "cedar_lex.h"
#include "cedar_limits.h"

struct reader {
    const char *p, *end, *start;
    struct cedar_arena *a;
    struct cedar_error *err;
    int rc;
};

static int
fail(struct reader *r, int rc, const char *what)
{
    if (r->rc)
        return -1;
    uint32_t line = 1, col = 1;
    for (const char *q = r->start; q < r->p && q < r->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    cedar_seterr(r->err, "invalid JSON at line %u, column %u: %s", line, col, what);
    r->rc = rc;
    return -1;
}

static void
skip_ws(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int
hex4(struct reader *r, uint32_t *out)
{
    if (r->end - r->p < 4)
        return fail(r, CEDAR_E_JSON, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = r->p[i];
        int h = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (h < 0)
            return fail(r, CEDAR_E_JSON, "invalid \\u escape");
        v = v * 16 + (uint32_t)h;
    }
    r->p += 4;
    *out = v;
    return 0;
}

static int
escape(struct reader *r, char *buf, size_t *o)
{
    char c = *r->p++;
    switch (c) {
    case '"':
    case '\\':
    case '/':
        buf[(*o)++] = c;
        return 0;
    case 'b':
        buf[(*o)++] = '\b';
        return 0;
    case 'f':
        buf[(*o)++] = '\f';
        return 0;
    case 'n':
        buf[(*o)++] = '\n';
        return 0;
    case 'r':
        buf[(*o)++] = '\r';
        return 0;
    case 't':
        buf[(*o)++] = '\t';
        return 0;
    case 'u': {
        uint32_t cp;
        if (hex4(r, &cp))
            return -1;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail(r, CEDAR_E_JSON, "lone low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                return fail(r, CEDAR_E_JSON, "lone high surrogate");
            r->p += 2;
            if (hex4(r, &lo))
                return -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail(r, CEDAR_E_JSON, "invalid surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        *o += cedar_utf8_encode(cp, buf + *o);
        return 0;
    }
    default:
        r->p--;
        return fail(r, CEDAR_E_JSON, "invalid escape");
    }
}

static int
read_string(struct reader *r, struct cedar_str *out)
{
    r->p++; /* opening quote */
    const char *s = r->p;
    /* Find the end first: the decoded text is never longer than the source. */
    const char *q = s;
    while (q < r->end && *q != '"') {
        if (*q == '\\' && q + 1 < r->end)
            q++;
        q++;
    }
    if (q >= r->end)
        return fail(r, CEDAR_E_JSON, "unterminated string");
    if ((size_t)(q - s) > CEDAR_MAX_STRING)
        return fail(r, CEDAR_E_LIMIT, "string longer than the limit");
    char *buf = cedar_arena_alloc(r->a, (size_t)(q - s) + 1);
    if (!buf)
        return fail(r, CEDAR_E_NOMEM, "out of memory");
    size_t o = 0;
    while (*r->p != '"') {
        unsigned char c = (unsigned char)*r->p;
        if (c == '\\') {
            r->p++;
            if (escape(r, buf, &o))
                return -1;
        } else if (c < 0x20) {
            return fail(r, CEDAR_E_JSON, "control character in string");
        } else {
            size_t n = cedar_utf8_len((const unsigned char *)r->p, (const unsigned char *)q);
            if (!n)
                return fail(r, CEDAR_E_JSON, "invalid UTF-8 in string");
            memcpy(buf + o, r->p, n);
            o += n;
            r->p += n;
        }
    }
    r->p++;
    buf[o] = '\0';
    out->p = buf;
    out->n = (uint32_t)o;
    return 0;
}

static int
read_number(struct reader *r, struct jv *v)
{
    const char *s = r->p;
    bool neg = false;
    if (*r->p == '-') {
        neg = true;
        r->p++;
    }
    if (r->p >= r->end || *r->p < '0' || *r->p > '9')
        return fail(r, CEDAR_E_JSON, "invalid number");
    if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9')
        return fail(r, CEDAR_E_JSON, "leading zero in number");
    uint64_t mag = 0;
    bool big = false;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        unsigned d = (unsigned)(*r->p++ - '0');
        if (mag > (UINT64_MAX - d) / 10)
            big = true;
        else
            mag = mag * 10 + d;
    }
    bool real = false;
    if (r->p < r->end && *r->p == '.') {
        real = true;
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return fail(r, CEDAR_E_JSON, "invalid number");
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        real = true;
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return fail(r, CEDAR_E_JSON, "invalid number");
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    if (!real && !big && mag <= (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
        v->type = JV_INT;
        v->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
        return 0;
    }
    /* Keep the number's text (the tree must not point into the source). */
    char *copy = cedar_arena_strndup(r->a, s, (size_t)(r->p - s));
    if (!copy)
        return fail(r, CEDAR_E_NOMEM, "out of memory");
    v->type = JV_REAL;
    v->s.p = copy;
    v->s.n = (uint32_t)(r->p - s);
    return 0;
}

static int read_value(struct reader *r, struct jv **out, unsigned depth);

static int
grow(struct reader *r, void **v, size_t elem, uint32_t n, uint32_t *cap)
{
    if (n >= CEDAR_MAX_JSON_ITEMS)
        return fail(r, CEDAR_E_LIMIT, "too many items in one array or object");
    if (n < *cap)
        return 0;
    uint32_t nc = *cap ? *cap * 2 : 8;
    void *nv = cedar_arena_alloc(r->a, (size_t)nc * elem);
    if (!nv)
        return fail(r, CEDAR_E_NOMEM, "out of memory");
    if (n)
        memcpy(nv, *v, (size_t)n * elem);
    *v = nv;
    *cap = nc;
    return 0;
}

static int
read_array(struct reader *r, struct jv *v, unsigned depth)
{
    uint32_t cap = 0;
    r->p++;
    skip_ws(r);
    v->type = JV_ARRAY;
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return 0;
    }
    for (;;) {
        if (grow(r, (void **)&v->items, sizeof(*v->items), v->n, &cap) ||
            read_value(r, &v->items[v->n], depth + 1))
            return -1;
        v->n++;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            return 0;
        }
        return fail(r, CEDAR_E_JSON, "expected ',' or ']'");
    }
}

static int
key_cmp(const void *x, const void *y)
{
    return cedar_str_cmp(*(const struct cedar_str *)x, *(const struct cedar_str *)y);
}

/* Pairwise for small objects, sorted copy for large ones: O(n log n). */
static int
check_duplicates(struct reader *r, const struct jv *v)
{
    if (v->n <= 16) {
        for (uint32_t i = 0; i < v->n; i++)
            for (uint32_t k = i + 1; k < v->n; k++)
                if (cedar_str_cmp(v->members[i].key, v->members[k].key) == 0)
                    return fail(r, CEDAR_E_JSON, "duplicate key in object");
        return 0;
    }
    struct cedar_str *keys = cedar_arena_alloc(r->a, v->n * sizeof(*keys));
    if (!keys)
        return fail(r, CEDAR_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < v->n; i++)
        keys[i] = v->members[i].key;
    qsort(keys, v->n, sizeof(*keys), key_cmp);
    for (uint32_t i = 1; i < v->n; i++)
        if (cedar_str_cmp(keys[i - 1], keys[i]) == 0)
            return fail(r, CEDAR_E_JSON, "duplicate key in object");
    return 0;
}

static int
read_object(struct reader *r, struct jv *v, unsigned depth)
{
    uint32_t cap = 0;
    r->p++;
    skip_ws(r);
    v->type = JV_OBJECT;
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return 0;
    }
    for (;;) {
        struct cedar_str key;
        skip_ws(r);
        if (r->p >= r->end || *r->p != '"')
            return fail(r, CEDAR_E_JSON, "expected a string key");
        if (read_string(r, &key))
            return -1;
        skip_ws(r);
        if (r->p >= r->end || *r->p != ':')
            return fail(r, CEDAR_E_JSON, "expected ':'");
        r->p++;
        if (grow(r, (void **)&v->members, sizeof(*v->members), v->n, &cap))
            return -1;
        v->members[v->n].key = key;
        if (read_value(r, &v->members[v->n].v, depth + 1))
            return -1;
        v->n++;
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return check_duplicates(r, v);
        }
        return fail(r, CEDAR_E_JSON, "expected ',' or '}'");
    }
}

static int
literal(struct reader *r, const char *word, struct jv *v, enum jv_type t, bool b)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return fail(r, CEDAR_E_JSON, "unexpected character");
    r->p += n;
    v->type = (uint8_t)t;
    v->b = b;
    return 0;
}

static int
read_value(struct reader *r, struct jv **out, unsigned depth)
{
    if (depth > CEDAR_MAX_JSON_DEPTH)
        return fail(r, CEDAR_E_LIMIT, "nested too deeply");
    skip_ws(r);
    if (r->p >= r->end)
        return fail(r, CEDAR_E_JSON, "unexpected end of input");
    struct jv *v = cedar_arena_alloc(r->a, sizeof(*v));
    if (!v)
        return fail(r, CEDAR_E_NOMEM, "out of memory");
    *out = v;
    switch (*r->p) {
    case '{':
        return read_object(r, v, depth);
    case '[':
        return read_array(r, v, depth);
    case '"':
        v->type = JV_STRING;
        return read_string(r, &v->s);
    case 't':
        return literal(r, "true", v, JV_BOOL, true);
    case 'f':
        return literal(r, "false", v, JV_BOOL, false);
    case 'n':
        return literal(r, "null", v, JV_NULL, false);
    default:
        return read_number(r, v);
    }
}

int
jv_parse(struct cedar_arena *a, const char *text, size_t n, struct jv **out,
         struct cedar_error *err)
{
    struct reader r = {.p = text, .end = text + n, .start = text, .a = a, .err = err};
    if (n > CEDAR_MAX_JSON_TEXT) {
        cedar_seterr(err, "JSON document larger than %u bytes", CEDAR_MAX_JSON_TEXT);
        return CEDAR_E_LIMIT;
    }
    struct jv *v;
    if (read_value(&r, &v, 0))
        return r.rc;
    skip_ws(&r);
    if (r.p != r.end) {
        fail(&r, CEDAR_E_JSON, "trailing characters after the document");
        return r.rc;
    }
    *out = v;
    return 0;
}

const struct jv *
jv_get(const struct jv *v, const char *key)
{
    if (!v || v->type != JV_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (uint32_t i = 0; i < v->n; i++)
        if (cedar_str_eq(v->members[i].key, key, n))
            return v->members[i].v;
    return NULL;
}

const char *
jv_type_name(enum jv_type t)
{
    static const char *const names[] = {"null",   "boolean", "integer", "number",
                                        "string", "array",   "object"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
