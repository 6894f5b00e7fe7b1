/*
 * cedar_err.h - the engine's error codes: 0 on success, negative on failure.
 */
#ifndef CEDAR_ERR_H
#define CEDAR_ERR_H

enum {
    CEDAR_OK = 0,
    CEDAR_E_NOMEM = -1, /* allocation failed */
    CEDAR_E_PARSE = -2, /* policy text does not parse */
    CEDAR_E_LIMIT = -3, /* a limit of cedar_limits.h was crossed */
    CEDAR_E_JSON = -4,  /* entity, request or link JSON is invalid */
    CEDAR_E_IO = -5,    /* a file could not be read */
    CEDAR_E_LINK = -6,  /* a template link is invalid */
};

const char *cedar_strerror(int code);

#include "cedar_limits.h"

/* A message for the command line or the wire; library code never prints. */
struct cedar_error {
    char msg[CEDAR_MAX_ERRMSG];
};

void cedar_seterr(struct cedar_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
