#include "util_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
util_buf_init(struct util_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

int
util_buf_add(struct util_buf *b, const void *p, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            return -1;
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int
util_buf_puts(struct util_buf *b, const char *s)
{
    return util_buf_add(b, s, strlen(s));
}

int
util_buf_printf(struct util_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof(small))
        return util_buf_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = util_buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

const char *
util_buf_str(const struct util_buf *b)
{
    return b->p ? b->p : "";
}

void
util_buf_free(struct util_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
