/*
 * util_buf.h - a growing byte buffer with a ceiling (after curl's dynbuf).
 *
 * Used to build error messages, formatted policies and JSON output.  Every
 * append fails with -1 once the buffer would pass its maximum; the contents
 * stay NUL-terminated and valid up to the last successful append.
 */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct util_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max;
};

void util_buf_init(struct util_buf *b, size_t max);
int util_buf_add(struct util_buf *b, const void *p, size_t n);
int util_buf_puts(struct util_buf *b, const char *s);
int util_buf_printf(struct util_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); owned by the buffer. */
const char *util_buf_str(const struct util_buf *b);
void util_buf_free(struct util_buf *b);

#endif
