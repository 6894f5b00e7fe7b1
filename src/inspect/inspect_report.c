/*
 * inspect_report.c - excerpts and JSON.
 */
#include <string.h>

#include "inspect_report.h"

/* The length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return k;
}

/* Bytes that are not UTF-8 (or are NUL) become '?': JSON and terminals
 * get text. */
void
inspect_sanitize(char *b, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len((const unsigned char *)b + i, n - i);
        if (k == 0 || b[i] == '\0') {
            b[i++] = '?';
            continue;
        }
        i += k;
    }
}

size_t
inspect_excerpt(const struct inspect_finding *f, const char *text, size_t len, char *buf,
                size_t cap)
{
    size_t off = f->off < len ? f->off : len, end = f->end < len ? f->end : len;
    size_t n = end > off ? end - off : 0, k, cut = 0;
    if (n > INSPECT_MAX_EXCERPT) {
        n = INSPECT_MAX_EXCERPT;
        while (n > 0 && ((unsigned char)text[off + n] & 0xC0) == 0x80)
            n--; /* not inside a UTF-8 sequence */
        cut = 1;
    }
    if (n + 4 > cap)
        n = cap > 4 ? cap - 4 : 0;
    memcpy(buf, text + off, n);
    if (!strcmp(f->category, "secret"))
        for (k = 4; k < n; k++)
            buf[k] = '*';
    inspect_sanitize(buf, n);
    if (cut)
        memcpy(buf + n, "...", 3), n += 3;
    buf[n] = '\0';
    return n;
}

json_t *
inspect_access_json(const struct inspect_access *a)
{
    if (!a->change)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "change", a->change, "breadth",
                     a->breadth, "privilege", a->privilege, "grantee", a->grantee, "object", "kind",
                     a->kind, "name", a->object);
}

size_t
inspect_access_describe(const struct inspect_access *a, char *buf, size_t cap)
{
    if (!a->change || !cap)
        return cap ? (buf[0] = '\0', 0) : 0;
    int n = snprintf(buf, cap, "%s", a->change);
    if (*a->grantee && n >= 0)
        n += snprintf(buf + n, cap > (size_t)n ? cap - (size_t)n : 0, " %s %s (%s)",
                      strcmp(a->change, "revoke") ? "to" : "from", a->grantee, a->breadth);
    if (*a->privilege && n >= 0)
        n += snprintf(buf + n, cap > (size_t)n ? cap - (size_t)n : 0, ", %s", a->privilege);
    if ((*a->kind || *a->object) && n >= 0)
        n += snprintf(buf + n, cap > (size_t)n ? cap - (size_t)n : 0, ", on %s%s%s", a->kind,
                      *a->kind && *a->object ? " " : "", a->object);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

json_t *
inspect_finding_json(const struct inspect_finding *f, const char *text, size_t len)
{
    char ex[INSPECT_MAX_EXCERPT + 8];
    size_t n = inspect_excerpt(f, text, len, ex, sizeof(ex));
    json_t *o =
        json_pack("{s:s, s:s, s:I, s:I, s:s%, s:s, s:s}", "category", f->category, "severity",
                  f->severity, "start", (json_int_t)f->off, "end", (json_int_t)f->end, "text", ex,
                  n, "explanation", f->explanation, "rule", f->rule);
    if (o && f->access.change) {
        json_t *a = inspect_access_json(&f->access);
        if (!a || json_object_set_new(o, "access", a)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *
inspect_list_json(const struct inspect_list *l, const char *text, size_t len)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        if (json_array_append_new(a, inspect_finding_json(&l->v[i], text, len))) {
            json_decref(a);
            return NULL;
        }
    return a;
}
