/*
 * util_dl.c - libraries opened when first needed (util_dl.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "util_dl.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int
load(struct util_dl_lib *lib)
{
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(lib->why, sizeof(lib->why), "%s", e ? e : "it cannot be loaded");
        return 0;
    }
    for (size_t i = 0; i < lib->n; i++)
        if (!(*lib->syms[i].slot = dlsym(h, lib->syms[i].name))) {
            snprintf(lib->why, sizeof(lib->why), "%s has no %s", lib->soname, lib->syms[i].name);
            return 0;
        }
    return 1;
}

int
util_dl_get(struct util_dl_lib *lib, char *err, size_t errlen)
{
    pthread_mutex_lock(&mu);
    if (!lib->tried) {
        lib->ok = load(lib);
        lib->tried = 1;
    }
    int ok = lib->ok;
    pthread_mutex_unlock(&mu);
    if (!ok)
        snprintf(err, errlen, "%s: %s", lib->what, lib->why);
    return ok ? 0 : -1;
}
