/*
 * util_dl.c - libraries opened when first needed (util_dl.h).
 */
#include <dlfcn.h>
#include <stdio.h>

#include "util_dl.h"

int
util_dl_load(const char *soname, const struct util_dl_sym *syms, size_t n, char *why, size_t whylen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, whylen, "%s", e ? e : "it cannot be loaded");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
            snprintf(why, whylen, "%s has no %s", soname, syms[i].name);
            return -1;
        }
    return 0;
}
