/*
 * cedar_schema_int.h - what the schema's modules share (cedar_schema.c,
 * cedar_schema_text.c, cedar_schema_json.c); not for other callers.
 */
#ifndef CEDAR_SCHEMA_INT_H
#define CEDAR_SCHEMA_INT_H

#include <stdarg.h>

#include "cedar_schema.h"

/* Grow arena array *v (capacity *cap, n used) to hold n + 1.  0 or -1. */
int cs_grow(struct cedar_arena *a, void **v, uint32_t *cap, uint32_t n, size_t size);
static inline int
cs_str_eq(struct cedar_str a, struct cedar_str b)
{
    return cedar_str_eq(a, b.p, b.n);
}
void cs_diag_v(struct cedar_diags *d, uint32_t line, uint32_t col, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
void cs_diag(struct cedar_diags *d, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

int cs_parse_cedar(struct cedar_arena *a, const char *text, size_t n, struct cs_src *out,
                   struct cedar_diags *d);
int cs_parse_json(struct cedar_arena *a, const char *text, size_t n, struct cs_src *out,
                  struct cedar_diags *d);

#endif
