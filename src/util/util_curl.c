/*
 * util_curl.c - libcurl loaded on first use (util_curl.h).
 */
#include <pthread.h>
#include <stdio.h>

#include "util_curl.h"
#include "util_dl.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct util_curl table;
static const struct util_curl *loaded;
static char why[256];

static void
load(void)
{
    const struct util_dl_sym syms[] = {
        {"curl_global_init", (void **)&table.global_init},
        {"curl_global_cleanup", (void **)&table.global_cleanup},
        {"curl_easy_init", (void **)&table.easy_init},
        {"curl_easy_reset", (void **)&table.easy_reset},
        {"curl_easy_setopt", (void **)&table.easy_setopt},
        {"curl_easy_perform", (void **)&table.easy_perform},
        {"curl_easy_getinfo", (void **)&table.easy_getinfo},
        {"curl_easy_cleanup", (void **)&table.easy_cleanup},
        {"curl_easy_strerror", (void **)&table.easy_strerror},
        {"curl_slist_append", (void **)&table.slist_append},
        {"curl_slist_free_all", (void **)&table.slist_free_all},
    };
    if (util_dl_load(UTIL_CURL_SONAME, syms, sizeof(syms) / sizeof(*syms), why, sizeof(why)) == 0)
        loaded = &table;
}

const struct util_curl *
util_curl(char *err, size_t errlen)
{
    pthread_once(&once, load);
    if (!loaded)
        snprintf(err, errlen, "libcurl: %s", why);
    return loaded;
}
