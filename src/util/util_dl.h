/*
 * util_dl.h - a shared library opened when first needed, its functions
 * looked up by name into a table (util_curl.h, util_crypto.h and
 * util_sqlite.h say why each is).
 */
#ifndef UTIL_DL_H
#define UTIL_DL_H

#include <stddef.h>

struct util_dl_sym {
    const char *name;
    void **slot; /* where its address goes */
};

/* A library and the functions taken from it; tried is util_dl_get's. */
struct util_dl_lib {
    const char *soname, *what; /* what: its name in messages ("libcurl") */
    const struct util_dl_sym *syms;
    size_t n;
    int tried, ok;
    char why[256];
};

/* Open lib and fill its slots, once for the process (thread-safe; the
 * library stays open).  0, or -1 with err saying why (the library or a
 * function missing), every time it is asked. */
int util_dl_get(struct util_dl_lib *lib, char *err, size_t errlen);

#endif
