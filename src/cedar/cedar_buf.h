/*
 * cedar_buf.h - a growing byte buffer with a ceiling (after curl's dynbuf).
 *
 * Used to build error messages, formatted policies and JSON output.  Every
 * append fails with -1 once the buffer would pass its maximum; the contents
 * stay NUL-terminated and valid up to the last successful append.
 */
#ifndef CEDAR_BUF_H
#define CEDAR_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct cedar_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max;
};

void cedar_buf_init(struct cedar_buf *b, size_t max);
int cedar_buf_add(struct cedar_buf *b, const void *p, size_t n);
int cedar_buf_puts(struct cedar_buf *b, const char *s);
int cedar_buf_printf(struct cedar_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); owned by the buffer. */
const char *cedar_buf_str(const struct cedar_buf *b);
void cedar_buf_free(struct cedar_buf *b);

#endif
