/*
 * ledger_state.c - what was seen of a log before (ledger_state.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger_state.h"
#include "ledger_tile.h"

static const char magic[] = "airlock-ledger-state v1\n";

/* The next line of text (without its newline) as [*p, *p + *len). */
static int
line(const char **t, const char *end, const char **p, size_t *len)
{
    const char *nl = memchr(*t, '\n', (size_t)(end - *t));
    if (!nl)
        return -1;
    *p = *t;
    *len = (size_t)(nl - *t);
    *t = nl + 1;
    return 0;
}

static int
bad(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "not a ledger state file: %s", why);
    return -1;
}

/* A decimal number of at most 19 digits, no sign, no leading zero. */
static int
number(const char **p, const char *end, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    while (*p < end && **p >= '0' && **p <= '9' && *p - s < 19)
        x = x * 10 + (uint64_t)(*(*p)++ - '0');
    if (*p == s || (**p >= '0' && **p <= '9') || (*s == '0' && *p - s > 1))
        return -1;
    *v = x;
    return 0;
}

int
ledger_state_parse(const char *text, size_t n, struct ledger_state *st, char *err, size_t errlen)
{
    const char *t = text, *end = text + n, *p;
    size_t len;
    memset(st, 0, sizeof(*st));
    if (n > LEDGER_STATE_MAX)
        return bad(err, errlen, "too long");
    if (n < sizeof(magic) - 1 || memcmp(text, magic, sizeof(magic) - 1))
        return bad(err, errlen, "no airlock-ledger-state v1 line");
    t += sizeof(magic) - 1;
    if (line(&t, end, &p, &len) || !ledger_valid_key_name(p, len))
        return bad(err, errlen, "no origin line");
    memcpy(st->origin, p, len);
    st->origin[len] = '\0';
    if (line(&t, end, &p, &len) || t != end)
        return bad(err, errlen, "not one size, root and time line");
    const char *q = p, *qe = p + len, *sp;
    uint64_t seen;
    if (number(&q, qe, &st->size) || q == qe || *q++ != ' ' ||
        !(sp = memchr(q, ' ', (size_t)(qe - q))))
        return bad(err, errlen, "no size");
    size_t blen;
    char canon[sodium_base64_ENCODED_LEN(LEDGER_HASH_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    const char *b64_end;
    /* Exactly the text sodium writes for those 32 bytes, nothing else. */
    if (sodium_base642bin(st->root, sizeof(st->root), q, (size_t)(sp - q), NULL, &blen, &b64_end,
                          sodium_base64_VARIANT_ORIGINAL) ||
        b64_end != sp || blen != sizeof(st->root) ||
        !sodium_bin2base64(canon, sizeof(canon), st->root, sizeof(st->root),
                           sodium_base64_VARIANT_ORIGINAL) ||
        strlen(canon) != (size_t)(sp - q) || memcmp(canon, q, (size_t)(sp - q)))
        return bad(err, errlen, "no root");
    q = sp + 1;
    if (number(&q, qe, &seen) || q != qe || seen > INT64_MAX)
        return bad(err, errlen, "no time");
    st->seen = (int64_t)seen;
    return 0;
}

int
ledger_state_format(const struct ledger_state *st, char *buf, size_t n)
{
    char root[sodium_base64_ENCODED_LEN(LEDGER_HASH_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(root, sizeof(root), st->root, sizeof(st->root),
                      sodium_base64_VARIANT_ORIGINAL);
    int k = snprintf(buf, n, "%s%s\n%" PRIu64 " %s %lld\n", magic, st->origin, st->size, root,
                     (long long)st->seen);
    return k < 0 || (size_t)k >= n ? -1 : k;
}

static void
when(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "%lld", (long long)t);
}

int
ledger_state_load(const char *path, const char *origin, struct ledger_state *st, char *err,
                  size_t errlen)
{
    uint8_t *text = NULL;
    size_t len;
    char why[256];
    int rc = ledger_read_file(path, LEDGER_STATE_MAX + 1, &text, &len);
    if (rc == -ENOENT) {
        memset(st, 0, sizeof(*st));
        snprintf(st->origin, sizeof(st->origin), "%s", origin);
        return 0;
    }
    if (rc) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
        return -1;
    }
    rc = ledger_state_parse((const char *)text, len, st, why, sizeof(why));
    free(text);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    if (strcmp(st->origin, origin)) {
        snprintf(err, errlen, "%s is what was seen of log %s, not of %s", path, st->origin, origin);
        return -1;
    }
    return 0;
}

int
ledger_state_judge(const struct ledger_state *st, uint64_t size, const ledger_hash prefix_root,
                   char *err, size_t errlen)
{
    char at[32];
    if (!st->seen)
        return 0;
    when(st->seen, at, sizeof(at));
    if (st->size > size) {
        snprintf(err, errlen,
                 "the log went back: it had %" PRIu64 " entries when seen at %s, and has %" PRIu64
                 " now (restored from an older copy?)",
                 st->size, at, size);
        return 1;
    }
    if (sodium_memcmp(prefix_root, st->root, LEDGER_HASH_BYTES)) {
        snprintf(err, errlen,
                 "the log's first %" PRIu64 " entries are not those seen at %s: it was rewritten",
                 st->size, at);
        return 1;
    }
    return 0;
}

int
ledger_state_save(const char *path, const char *origin, uint64_t size, const ledger_hash root,
                  char *err, size_t errlen)
{
    struct ledger_state st = {.size = size, .seen = (int64_t)time(NULL)};
    char out[LEDGER_STATE_MAX];
    snprintf(st.origin, sizeof(st.origin), "%s", origin);
    memcpy(st.root, root, sizeof(st.root));
    int rc = 0, n = ledger_state_format(&st, out, sizeof(out));
    if (n < 0 || (rc = ledger_write_file(path, out, (size_t)n))) {
        snprintf(err, errlen, "cannot write %s: %s", path, n < 0 ? "too long" : strerror(-rc));
        return -1;
    }
    return 0;
}
