#include "cedar_err.h"

#include <stdarg.h>
#include <stdio.h>

const char *
cedar_strerror(int code)
{
    switch (code) {
    case CEDAR_OK:
        return "success";
    case CEDAR_E_NOMEM:
        return "out of memory";
    case CEDAR_E_PARSE:
        return "policy syntax error";
    case CEDAR_E_LIMIT:
        return "limit exceeded";
    case CEDAR_E_JSON:
        return "invalid JSON data";
    case CEDAR_E_IO:
        return "input/output error";
    case CEDAR_E_LINK:
        return "invalid template link";
    default:
        return "unknown error";
    }
}

void
cedar_seterr(struct cedar_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}
