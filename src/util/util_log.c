/*
 * util_log.c - the one place library code reports what it cannot return.
 */
#include <stdarg.h>
#include <stdio.h>

#include "util_log.h"

void
util_log(const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* one write: lines of concurrent processes do not interleave */
    fputs(line, stderr);
    fflush(stderr);
}
