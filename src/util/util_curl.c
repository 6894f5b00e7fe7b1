/*
 * util_curl.c - libcurl loaded on first use (util_curl.h).
 */
#include "util_curl.h"
#include "util_dl.h"

static struct util_curl table;
static const struct util_dl_sym syms[] = {
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
static struct util_dl_lib lib = {
    .soname = UTIL_CURL_SONAME, .what = "libcurl", .syms = syms, .n = sizeof(syms) / sizeof(*syms)};

const struct util_curl *
util_curl(char *err, size_t errlen)
{
    return util_dl_get(&lib, err, errlen) ? NULL : &table;
}
