/*
 * util_curl.h - libcurl, loaded when a part of airlock first needs it.
 *
 * libcurl brings some thirty libraries with it (TLS, Kerberos, LDAP,
 * IDN, HTTP/2 ...), whose loading and start-up code every airlock process
 * would pay at start, an agent's hook on every tool call among them
 * (bench/bench_hook.c).  Only airlockd's webhook uses it, so it is opened
 * with dlopen there (libcurl4's libcurl.so.4, the Debian package airlock
 * depends on), as systemd opens its optional libraries.  The headers are
 * still curl's: the functions below have curl's own types.
 */
#ifndef UTIL_CURL_H
#define UTIL_CURL_H

#include <curl/curl.h>
#include <stddef.h>

/* The soname opened. */
#define UTIL_CURL_SONAME "libcurl.so.4"

struct util_curl {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *c);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
};

/* libcurl's functions, loaded once (thread-safe).  The table, or NULL
 * with err saying why (the library or a function missing). */
const struct util_curl *util_curl(char *err, size_t errlen);

#endif
