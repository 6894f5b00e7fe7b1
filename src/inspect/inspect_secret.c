/*
 * inspect_secret.c - one PCRE2 pattern for every secret and personal-data
 * format, and the checks that confirm its matches.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <jansson.h>
#include <pcre2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "inspect_re.h"
#include "inspect_secret.h"
#include "inspect_table.h"

enum check {
    K_NONE,
    K_GITHUB,
    K_JWT,
    K_LUHN,
    K_SSN,
    K_NINO,
    K_PHONE,
    K_URL_PASSWORD,
    K_EMAIL,
    K_PASSWORD
};

static const char *const check_names[] = {"none", "github", "jwt",          "luhn",  "ssn",
                                          "nino", "phone",  "url-password", "email", "password"};

struct format {
    char *id, *category, *severity, *regex, *explanation, *example; /* one allocation at id */
    enum check check;
    pcre2_code *re; /* JIT-compiled when the platform can */
    int jit;        /* it was: matched through pcre2_jit_match, without re-checks */
    /* What every match holds, as PCRE2 computed it from the pattern: its
     * first and its last literal byte (-1: none), both cases of a letter
     * when the pattern has (?i; and its least length.  A text without
     * them cannot match, and is not searched (a call costs a short
     * command's whole scan). */
    int first, last, caseless;
    uint32_t minlen;
};

struct inspect_secrets {
    struct format *v;
    size_t n;
    pcre2_match_data *md; /* sized for the format with the most groups */
};

/* A confirmed match, before overlaps are settled. */
struct hit {
    uint32_t off, end;
    uint16_t fmt;
    uint8_t low; /* reported as low (a checksum that does not match) */
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
    fm->re = pcre2_compile((PCRE2_SPTR)f[4], PCRE2_ZERO_TERMINATED, 0, &e, &at, NULL);
    if (!fm->re)
        return *why = "the regex does not compile", -1;
    fm->jit = 0; /* JIT-compiled when first searched (inspect_re.h) */
    uint32_t type = 0, unit = 0;
    fm->first = fm->last = -1;
    if (!pcre2_pattern_info(fm->re, PCRE2_INFO_FIRSTCODETYPE, &type) && type == 1 &&
        !pcre2_pattern_info(fm->re, PCRE2_INFO_FIRSTCODEUNIT, &unit) && unit < 256)
        fm->first = (int)unit;
    if (!pcre2_pattern_info(fm->re, PCRE2_INFO_LASTCODETYPE, &type) && type == 1 &&
        !pcre2_pattern_info(fm->re, PCRE2_INFO_LASTCODEUNIT, &unit) && unit < 256)
        fm->last = (int)unit;
    if (pcre2_pattern_info(fm->re, PCRE2_INFO_MINLENGTH, &fm->minlen))
        fm->minlen = 0;
    fm->caseless = strstr(f[4], "(?i") != NULL;
    const int order[] = {0, 1, 2, 4, 5, 6};
    size_t need = 0;
    for (int i = 0; i < 6; i++)
        need += strlen(f[order[i]]) + 1;
    char *p = malloc(need);
    if (!p) {
        pcre2_code_free(fm->re);
        fm->re = NULL;
        return *why = "out of memory", -1;
    }
    char **dst[] = {&fm->id,    &fm->category,    &fm->severity,
                    &fm->regex, &fm->explanation, &fm->example};
    for (int i = 0; i < 6; i++) {
        size_t l = strlen(f[order[i]]) + 1;
        memcpy(p, f[order[i]], l);
        *dst[i] = p;
        p += l;
    }
    return 0;
}

static int
add_format(void *arg, char *line, const char **why)
{
    struct inspect_secrets *s = arg;
    if (s->n == INSPECT_MAX_SECRET_FORMATS)
        return *why = "more formats than INSPECT_MAX_SECRET_FORMATS", -1;
    if (parse_format(line, &s->v[s->n], why))
        return -1;
    s->n++;
    return 0;
}

int
inspect_secrets_load(struct inspect_secrets **out, const char *text, size_t len, char *err,
                     size_t errlen)
{
    struct inspect_secrets *s = calloc(1, sizeof(*s));
    if (!s || !(s->v = calloc(INSPECT_MAX_SECRET_FORMATS, sizeof(*s->v)))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* Every line is read: an empty one in the middle ends nothing. */
    if (inspect_table_lines(text, len, add_format, s, err, errlen))
        goto fail;
    if (s->n == 0) {
        snprintf(err, errlen, "no formats");
        goto fail;
    }
    /* Every format's groups fit the largest match data. */
    uint32_t groups = 0;
    for (size_t i = 0; i < s->n; i++) {
        uint32_t c = 0;
        pcre2_pattern_info(s->v[i].re, PCRE2_INFO_CAPTURECOUNT, &c);
        if (c > groups)
            groups = c;
    }
    if (!(s->md = pcre2_match_data_create(groups + 1, NULL))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    *out = s;
    return 0;
fail:
    inspect_secrets_free(s);
    return -1;
}

void
inspect_secrets_free(struct inspect_secrets *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->v && i < s->n; i++) {
        free(s->v[i].id);
        pcre2_code_free(s->v[i].re);
    }
    free(s->v);
    pcre2_match_data_free(s->md);
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

/* The number the n digits at m spell (the regex matched them as digits). */
static int
digits(const char *m, int n)
{
    int v = 0;
    for (int i = 0; i < n && m[i] >= '0' && m[i] <= '9'; i++)
        v = v * 10 + (m[i] - '0');
    return v;
}

static int
ssn(const char *m)
{
    int area = digits(m, 3), group = digits(m + 4, 2), serial = digits(m + 7, 4);
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

/* A password that is only words saying what goes there, as documentation
 * writes it: "password", "pass", "passwd", "secret", "changeme", or
 * lower-case words joined by _ or - one of which says password
 * ("ftp_login_password", "gpg-key-passphrase").  "mypassword" is not: it
 * may well be someone's password. */
static int
placeholder(const char *p, size_t n)
{
    static const char *const words[] = {"password", "pass",     "passwd", "passphrase",
                                        "secret",   "changeme", "pwd"};
    size_t parts = 1, i;
    for (i = 0; i < n; i++) {
        if (p[i] == '_' || p[i] == '-')
            parts += i > 0 && i + 1 < n;
        else if (p[i] < 'a' || p[i] > 'z')
            return 0;
    }
    for (i = 0; i < sizeof(words) / sizeof(*words); i++)
        if (strlen(words[i]) == n && !memcmp(p, words[i], n))
            return 1;
    if (parts < 2)
        return 0;
    for (i = 0; i + 4 <= n; i++)
        if (!memcmp(p + i, "pass", 4) && (i == 0 || p[i - 1] == '_' || p[i - 1] == '-'))
            return 1;
    return 0;
}

/* scheme://user:PASSWORD@host: not a placeholder (***, xxx, $VAR, <pw>, {pw}, %s,
 * a word saying what goes there). */
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
    return same < pl && !placeholder(p, pl);
}

/* An e-mail address is matched from its @ (a pattern starting at every
 * letter would try every position of the text); its local part is found
 * here, going back from the @ at most 64 bytes. */
static int
email_start(const char *text, size_t *start)
{
    size_t s = *start;
    while (s > 0 && *start - s < 64 &&
           (isalnum((unsigned char)text[s - 1]) || strchr("._%+-", text[s - 1])))
        s--;
    /* \b before the local part: not glued to a word character */
    if (s == *start || (s > 0 && (isalnum((unsigned char)text[s - 1]) || text[s - 1] == '_')))
        return 0;
    *start = s;
    return 1;
}

static int
confirm(enum check k, const char *m, size_t n)
{
    switch (k) {
    case K_EMAIL:
        return 1; /* done before: email_start */
    case K_NONE:
        return 1;
    case K_GITHUB:
        return github_checksum(m, n);
    case K_JWT:
        return jwt_header(m, n);
    case K_LUHN:
        return luhn(m, n);
    case K_SSN:
        return ssn(m);
    case K_NINO:
        return nino(m);
    case K_PHONE:
        return phone(m, n);
    case K_URL_PASSWORD:
        return url_password(m, n);
    case K_PASSWORD:
        return !placeholder(m, n);
    }
    return 0;
}

struct hits {
    struct hit *v;
    size_t n, cap;
    int failed; /* out of memory, or a matcher error */
    int full;   /* more than INSPECT_MAX_SECRET_HITS */
};

static void
push(struct hits *h, struct hit x)
{
    if (h->n == INSPECT_MAX_SECRET_HITS) {
        h->full = 1;
        return;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        struct hit *v = realloc(h->v, cap * sizeof(*v));
        if (!v) {
            h->failed = 1;
            return;
        }
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = x;
}

/* Every confirmed match of format i. */
/* Whether text holds byte c (either case, caseless). */
static int
holds(const char *text, size_t len, int c, int caseless)
{
    if (c < 0 || memchr(text, c, len))
        return 1;
    if (!caseless)
        return 0;
    int other = isupper(c) ? tolower(c) : islower(c) ? toupper(c) : c;
    return other != c && memchr(text, other, len);
}

static void
scan_format(const struct inspect_secrets *s, size_t i, const char *text, size_t len, struct hits *h)
{
    const struct format *fm = &s->v[i];
    size_t at = 0;
    if (len < fm->minlen || !holds(text, len, fm->first, fm->caseless) ||
        !holds(text, len, fm->last, fm->caseless))
        return;
    while (at <= len && !h->full && !h->failed) {
        int rc = inspect_re_jit(fm->re, (int *)&fm->jit)
                     ? pcre2_jit_match(fm->re, (PCRE2_SPTR)text, len, at, 0, s->md, NULL)
                     : pcre2_match(fm->re, (PCRE2_SPTR)text, len, at, 0, s->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            return;
        if (rc < 0) {
            h->failed = 1;
            return;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        size_t start = ov[0], end = ov[1];
        at = end > start ? end : start + 1;
        if (fm->check == K_EMAIL && !email_start(text, &start))
            continue;
        int ok = confirm(fm->check, text + start, end - start);
        if (ok)
            push(h, (struct hit){(uint32_t)start, (uint32_t)end, (uint16_t)i, ok == 2});
    }
}

static int
by_start(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return (int)x->fmt - (int)y->fmt; /* at one place, the earlier line wins */
}

int
inspect_secrets_find(const struct inspect_secrets *s, const char *text, size_t len, uint32_t base,
                     struct inspect_list *l)
{
    struct hits h = {0};
    for (size_t i = 0; i < s->n; i++)
        scan_format(s, i, text, len, &h);
    if (h.n)
        qsort(h.v, h.n, sizeof(*h.v), by_start);
    uint32_t kept_end = 0;
    for (size_t k = 0; k < h.n && !l->full; k++) {
        const struct hit *x = &h.v[k];
        if (x->off < kept_end)
            continue; /* inside one already reported (an address in a URL) */
        const struct format *fm = &s->v[x->fmt];
        struct inspect_finding f = {fm->id,        fm->category,  fm->severity, fm->explanation,
                                    base + x->off, base + x->end, {0}};
        if (x->low)
            f.severity = "low",
            f.explanation = "looks like a GitHub token, but its checksum does not match (an "
                            "example, or mistyped)";
        inspect_list_add(l, &f);
        kept_end = x->end;
    }
    free(h.v);
    if (h.failed || h.full) {
        struct inspect_finding f = {h.full ? "limit" : "opaque",
                                    "opaque",
                                    "high",
                                    h.full ? "more secrets and personal data than inspection "
                                             "reports"
                                           : "the secret matcher failed on this text",
                                    base,
                                    base + (uint32_t)len,
                                    {0}};
        inspect_list_add(l, &f);
        return h.failed ? -1 : 0;
    }
    return 0;
}
