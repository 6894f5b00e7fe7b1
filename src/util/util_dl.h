/*
 * util_dl.h - a shared library opened when first needed, its functions
 * looked up by name (util_curl.h, util_crypto.h say why each is).
 */
#ifndef UTIL_DL_H
#define UTIL_DL_H

#include <stddef.h>

struct util_dl_sym {
    const char *name;
    void **slot; /* where its address goes */
};

/* Open soname and fill every slot.  0, or -1 with why (the library or a
 * function missing); the library stays open for the process's life. */
int util_dl_load(const char *soname, const struct util_dl_sym *syms, size_t n, char *why,
                 size_t whylen);

#endif
