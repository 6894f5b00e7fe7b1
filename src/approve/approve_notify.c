/*
 * approve_notify.c - the webhook thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util_curl.h"
#include "../util/util_log.h"
#include "approve_notify.h"

struct notify {
    const struct util_curl *curl; /* loaded by notify_start */
    char *url;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *queue[NOTIFY_MAX_QUEUE];
    size_t head, count;
    int stopping;
    unsigned long dropped;
};

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

static int
post(const struct util_curl *cu, CURL *c, const char *url, const char *body)
{
    struct curl_slist *h = cu->slist_append(NULL, "Content-Type: application/json");
    cu->easy_reset(c);
    cu->easy_setopt(c, CURLOPT_URL, url);
    cu->easy_setopt(c, CURLOPT_HTTPHEADER, h);
    cu->easy_setopt(c, CURLOPT_POSTFIELDS, body);
    cu->easy_setopt(c, CURLOPT_TIMEOUT, (long)NOTIFY_TIMEOUT);
    cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    long code = 0;
    CURLcode rc = cu->easy_perform(c);
    cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    cu->slist_free_all(h);
    if (rc != CURLE_OK || code < 200 || code > 299) {
        util_log("airlockd: the webhook did not take a notification: %s\n",
                 rc != CURLE_OK ? cu->easy_strerror(rc) : "an HTTP error status");
        return -1;
    }
    return 0;
}

static void *
run(void *arg)
{
    struct notify *n = arg;
    CURL *c = n->curl->easy_init();
    pthread_mutex_lock(&n->mu);
    for (;;) {
        while (!n->count && !n->stopping)
            pthread_cond_wait(&n->cv, &n->mu);
        if (n->stopping)
            break;
        char *body = n->queue[n->head];
        n->head = (n->head + 1) % NOTIFY_MAX_QUEUE;
        n->count--;
        pthread_mutex_unlock(&n->mu);
        int rc = c ? post(n->curl, c, n->url, body) : -1;
        free(body);
        pthread_mutex_lock(&n->mu);
        n->dropped += rc != 0;
    }
    pthread_mutex_unlock(&n->mu);
    n->curl->easy_cleanup(c);
    return NULL;
}

int
notify_start(struct notify **out, const char *url, char *err, size_t errlen)
{
    *out = NULL;
    if (!url)
        return 0;
    if (strlen(url) >= NOTIFY_MAX_URL ||
        (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
        snprintf(err, errlen, "the webhook must be an http:// or https:// URL under %d bytes",
                 NOTIFY_MAX_URL);
        return -1;
    }
    const struct util_curl *cu = util_curl(err, errlen);
    if (!cu)
        return -1;
    struct notify *n = calloc(1, sizeof(*n));
    if (!n || !(n->url = strdup(url)) || cu->global_init(CURL_GLOBAL_DEFAULT)) {
        if (n)
            free(n->url);
        free(n);
        snprintf(err, errlen, "cannot start the webhook's client");
        return -1;
    }
    n->curl = cu;
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    if (pthread_create(&n->thread, NULL, run, n)) {
        snprintf(err, errlen, "cannot start the webhook's thread");
        free(n->url);
        free(n);
        return -1;
    }
    *out = n;
    return 0;
}

void
notify_send(struct notify *n, const char *text, const json_t *details)
{
    if (!n)
        return;
    json_t *msg = json_pack("{s:s, s:O*}", "text", text, "airlock", details);
    char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    pthread_mutex_lock(&n->mu);
    if (body && n->count < NOTIFY_MAX_QUEUE) {
        n->queue[(n->head + n->count++) % NOTIFY_MAX_QUEUE] = body;
        body = NULL;
        pthread_cond_signal(&n->cv);
    } else {
        n->dropped++;
    }
    pthread_mutex_unlock(&n->mu);
    if (body)
        util_log("airlockd: a notification was dropped (the webhook's queue is full)\n");
    free(body);
}

void
notify_stop(struct notify *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->mu);
    n->stopping = 1;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->thread, NULL);
    /* What was not posted is dropped: a stopping daemon does not wait on a
     * slow receiver (the ledger has every event). */
    if (n->count)
        util_log("airlockd: %zu notifications were not posted before stopping\n", n->count);
    for (; n->count; n->count--, n->head = (n->head + 1) % NOTIFY_MAX_QUEUE) {
        free(n->queue[n->head]);
        n->dropped++;
    }
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    n->curl->global_cleanup();
    free(n->url);
    free(n);
}

unsigned long
notify_dropped(struct notify *n)
{
    if (!n)
        return 0;
    pthread_mutex_lock(&n->mu);
    unsigned long d = n->dropped;
    pthread_mutex_unlock(&n->mu);
    return d;
}
