/*
 * inspect_secret.c - one PCRE2 pattern for every secret and personal-data
 * format, and the checks that confirm its matches.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inspect_secret.h"

enum check { K_NONE, K_GITHUB, K_JWT, K_LUHN, K_SSN, K_NINO, K_PHONE, K_URL_PASSWORD };

static const char *const check_names[] = {"none", "github", "jwt", "luhn",
                                          "ssn", "nino", "phone", "url-password"};

struct format {
    char *id, *category, *severity, *regex, *explanation, *example; /* one allocation at id */
    enum check check;
};

struct inspect_secrets {
    struct format *v;
    size_t n;
    pcre2_code *re;       /* every format, alternatives marked with their index */
    pcre2_match_data *md;
};

/* The fields of a line, split in place at tabs; 0 or -1. */
static int
split(char *line, char **f, int n)
{
    for (int i = 0; i < n; i++) {
        f[i] = line;
        char *tab = line ? strchr(line, '\t') : NULL;
        if (!line || (i < n - 1 && !tab) || (i == n - 1 && tab))
            return -1;
        if (tab)
            *tab = '\0';
        line = tab ? tab + 1 : NULL;
    }
    return 0;
}

static int
parse_format(char *line, struct format *fm, const char **why)
{
    char *f[7];
    memset(fm, 0, sizeof(*fm));
    if (split(line, f, 7))
        return *why = "expected seven tab-separated fields", -1;
    if (strcmp(f[1], "secret") && strcmp(f[1], "personal-data"))
        return *why = "the category must be secret or personal-data", -1;
    if (inspect_severity_rank(f[2]) < 0)
        return *why = "unknown severity", -1;
    size_t k = 0;
    while (k < sizeof(check_names) / sizeof(check_names[0]) && strcmp(f[3], check_names[k]))
        k++;
    if (k == sizeof(check_names) / sizeof(check_names[0]))
        return *why = "unknown check", -1;
    fm->check = (enum check)k;
    size_t rl = strlen(f[4]);
    if (rl < 3 || f[4][0] != '/' || f[4][rl - 1] != '/')
        return *why = "the regex must be written /.../", -1;
    f[4][rl - 1] = '\0';
    f[4]++;
    int e;
    PCRE2_SIZE at;
    pcre2_code *alone = pcre2_compile((PCRE2_SPTR)f[4], PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL);
    if (!alone)
        return *why = "the regex does not compile", -1;
    pcre2_code_free(alone);
    const int order[] = {0, 1, 2, 4, 5, 6};
    size_t need = 0;
    for (int i = 0; i < 6; i++)
        need += strlen(f[order[i]]) + 1;
    char *p = malloc(need);
    if (!p)
        return *why = "out of memory", -1;
    char **dst[] = {&fm->id, &fm->category, &fm->severity, &fm->regex, &fm->explanation,
                    &fm->example};
    for (int i = 0; i < 6; i++) {
        size_t l = strlen(f[order[i]]) + 1;
        memcpy(p, f[order[i]], l);
        *dst[i] = p;
        p += l;
    }
    return 0;
}

/* (?:re0)(*MARK:0)|(?:re1)(*MARK:1)|... */
static char *
combined(const struct inspect_secrets *s)
{
    size_t need = 1;
    for (size_t i = 0; i < s->n; i++)
        need += strlen(s->v[i].regex) + 32;
    char *p = malloc(need), *w = p;
    if (!p)
        return NULL;
    for (size_t i = 0; i < s->n; i++)
        w += snprintf(w, need - (size_t)(w - p), "%s(?:%s)(*MARK:%zu)", i ? "|" : "",
                      s->v[i].regex, i);
    return p;
}

static int
compile_all(struct inspect_secrets *s)
{
    char *pat = combined(s);
    int e;
    PCRE2_SIZE at;
    if (!pat)
        return -1;
    s->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL);
    free(pat);
    if (!s->re)
        return -1;
    (void)pcre2_jit_compile(s->re, PCRE2_JIT_COMPLETE); /* interpreted if no JIT */
    s->md = pcre2_match_data_create_from_pattern(s->re, NULL);
    return s->md ? 0 : -1;
}

int
inspect_secrets_load(struct inspect_secrets **out, const char *text, size_t len, char *err,
                     size_t errlen)
{
    struct inspect_secrets *s = calloc(1, sizeof(*s));
    char *copy = malloc(len + 1);
    const char *why = NULL;
    size_t lineno = 0;
    if (!s || !copy || !(s->v = calloc(INSPECT_MAX_SECRET_FORMATS, sizeof(*s->v)))) {
        why = "out of memory";
        goto fail;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    for (char *line = copy, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (s->n == INSPECT_MAX_SECRET_FORMATS) {
            why = "more formats than INSPECT_MAX_SECRET_FORMATS";
            goto fail;
        }
        if (parse_format(line, &s->v[s->n], &why))
            goto fail;
        s->n++;
    }
    if (s->n == 0) {
        why = "no formats";
        goto fail;
    }
    if (compile_all(s)) {
        snprintf(err, errlen, "the formats do not compile together");
        goto fail_quiet;
    }
    free(copy);
    *out = s;
    return 0;
fail:
    snprintf(err, errlen, "line %zu: %s", lineno, why);
fail_quiet:
    free(copy);
    inspect_secrets_free(s);
    return -1;
}

void
inspect_secrets_free(struct inspect_secrets *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->v && i < s->n; i++)
        free(s->v[i].id);
    free(s->v);
    pcre2_match_data_free(s->md);
    pcre2_code_free(s->re);
    free(s);
}

size_t
inspect_secrets_count(const struct inspect_secrets *s)
{
    return s->n;
}

const char *
inspect_secret_id(const struct inspect_secrets *s, size_t i)
{
    return s->v[i].id;
}

const char *
inspect_secret_example(const struct inspect_secrets *s, size_t i)
{
    return s->v[i].example;
}

/* ---- checks: 1 confirmed, 0 not a secret, 2 reported as low ---- */

static int
github_checksum(const char *m, size_t n)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (n != 40)
        return 2;
    /* ghp_ + 30 random characters + their CRC32 in base 62, zero-padded to 6 */
    uint32_t c = (uint32_t)crc32(0L, (const Bytef *)m + 4, 30);
    char want[7];
    for (int i = 5; i >= 0; i--, c /= 62)
        want[i] = b62[c % 62];
    return memcmp(want, m + 34, 6) == 0 ? 1 : 2;
}

static int
jwt_header(const char *m, size_t n)
{
    const char *dot = memchr(m, '.', n);
    unsigned char bin[512];
    size_t blen;
    if (!dot || (size_t)(dot - m) > 680)
        return 0;
    if (sodium_base642bin(bin, sizeof(bin) - 1, m, (size_t)(dot - m), NULL, &blen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return 0;
    json_t *h = json_loadb((const char *)bin, blen, JSON_REJECT_DUPLICATES, NULL);
    int ok = json_is_string(json_object_get(h, "alg"));
    json_decref(h);
    return ok;
}

static int
luhn(const char *m, size_t n)
{
    char d[20];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i] >= '0' && m[i] <= '9') {
            if (k == sizeof(d))
                return 0;
            d[k++] = m[i];
        }
    if (k < 13 || k > 19)
        return 0;
    unsigned sum = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned v = (unsigned)(d[k - 1 - i] - '0');
        if (i & 1)
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    if (sum % 10)
        return 0;
    /* a card network's prefix: Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay */
    int p2 = (d[0] - '0') * 10 + (d[1] - '0');
    return d[0] == '4' || (p2 >= 51 && p2 <= 55) || (p2 >= 22 && p2 <= 27) || p2 == 34 ||
           p2 == 37 || p2 == 36 || p2 == 38 || p2 == 30 || p2 == 35 || p2 == 60 || p2 == 62 ||
           p2 == 64 || p2 == 65;
}

static int
ssn(const char *m)
{
    int area = atoi(m), group = atoi(m + 4), serial = atoi(m + 7);
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

static int
nino(const char *m)
{
    static const char *const unused[] = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"};
    for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
        if (!memcmp(m, unused[i], 2))
            return 0;
    return 1;
}

static int
phone(const char *m, size_t n)
{
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += m[i] >= '0' && m[i] <= '9';
    return digits >= 8 && digits <= 15;
}

/* scheme://user:PASSWORD@host: not a placeholder (***, xxx, $VAR, <pw>, {pw}, %s). */
static int
url_password(const char *m, size_t n)
{
    const char *s = memchr(m, '/', n);
    if (!s)
        return 0;
    const char *colon = memchr(s, ':', n - (size_t)(s - m));
    const char *at = colon ? memchr(colon, '@', n - (size_t)(colon - m)) : NULL;
    if (!at || at == colon + 1)
        return 0;
    const char *p = colon + 1;
    size_t pl = (size_t)(at - p);
    if (strchr("$<{%[", p[0]))
        return 0;
    size_t same = 0;
    while (same < pl && strchr("*xX.", p[same]) && p[same] == p[0])
        same++;
    return same < pl;
}

static int
confirm(enum check k, const char *m, size_t n)
{
    switch (k) {
    case K_NONE: return 1;
    case K_GITHUB: return github_checksum(m, n);
    case K_JWT: return jwt_header(m, n);
    case K_LUHN: return luhn(m, n);
    case K_SSN: return ssn(m);
    case K_NINO: return nino(m);
    case K_PHONE: return phone(m, n);
    case K_URL_PASSWORD: return url_password(m, n);
    }
    return 0;
}

int
inspect_secrets_find(const struct inspect_secrets *s, const char *text, size_t len,
                     uint32_t base, struct inspect_list *l)
{
    size_t at = 0;
    while (at <= len && !l->full) {
        int rc = pcre2_match(s->re, (PCRE2_SPTR)text, len, at, 0, s->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            return 0;
        if (rc < 0) {
            struct inspect_finding f = {"opaque", "opaque", "high",
                                        "the secret matcher failed on this text",
                                        base + (uint32_t)at, base + (uint32_t)len};
            inspect_list_add(l, &f);
            return -1;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        PCRE2_SPTR mark = pcre2_get_mark(s->md);
        size_t i = mark ? strtoul((const char *)mark, NULL, 10) : s->n;
        at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (i >= s->n)
            continue;
        const struct format *fm = &s->v[i];
        int ok = confirm(fm->check, text + ov[0], ov[1] - ov[0]);
        if (!ok)
            continue;
        struct inspect_finding f = {fm->id, fm->category, fm->severity, fm->explanation,
                                    base + (uint32_t)ov[0], base + (uint32_t)ov[1]};
        if (ok == 2)
            f.severity = "low",
            f.explanation = "looks like a GitHub token, but its checksum does not match (an "
                            "example, or mistyped)";
        inspect_list_add(l, &f);
    }
    return 0;
}
