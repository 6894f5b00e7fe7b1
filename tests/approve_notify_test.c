/*
 * approve_notify: the webhook's thread posts Slack-compatible JSON to a
 * receiver on loopback; a receiver that never answers costs one
 * NOTIFY_TIMEOUT, never a blocked sender; NOTIFY_MAX_QUEUE is crossed
 * (one more is dropped and counted); what is queued at stop is dropped;
 * a URL that is not http(s) is refused.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../src/approve/approve_notify.h"
#include "test_util.h"

/* A listening socket on 127.0.0.1 (backlog only: never accepted). */
static int
listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 512), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

struct got {
    int fd;
    char body[4096];
};

/* Accept one request, read it, answer 200. */
static void *
serve_one(void *arg)
{
    struct got *g = arg;
    int c = accept(g->fd, NULL, NULL);
    size_t n = 0;
    ssize_t r;
    while (c >= 0 && n < sizeof(g->body) - 1 &&
           (r = read(c, g->body + n, sizeof(g->body) - 1 - n)) > 0) {
        n += (size_t)r;
        g->body[n] = '\0';
        char *end = strstr(g->body, "\r\n\r\n");
        char *cl = strcasestr(g->body, "content-length:");
        if (end && cl && n >= (size_t)(end + 4 - g->body) + strtoul(cl + 15, NULL, 10))
            break;
    }
    const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    if (c >= 0 && write(c, ok, sizeof(ok) - 1) < 0)
        g->body[0] = '\0';
    if (c >= 0)
        close(c);
    return NULL;
}

static void
test_posts(void **state)
{
    (void)state;
    struct got g = {0};
    int port;
    char url[64], err[256];
    g.fd = listener(&port);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
    pthread_t t;
    pthread_create(&t, NULL, serve_one, &g);
    struct notify *n;
    assert_int_equal(notify_start(&n, url, err, sizeof(err)), 0);
    json_t *det = json_pack("{s:s}", "event", "held");
    notify_send(n, "airlock is holding post", det);
    pthread_join(t, NULL);
    notify_stop(n);
    assert_non_null(strstr(g.body, "POST /hook HTTP/1.1"));
    assert_non_null(strstr(g.body, "application/json"));
    assert_non_null(
        strstr(g.body, "{\"text\":\"airlock is holding post\",\"airlock\":{\"event\":\"held\"}}"));
    json_decref(det);
    close(g.fd);
}

static void
test_queue_limit_and_stop(void **state)
{
    (void)state;
    int port;
    char url[64], err[256];
    int fd = listener(&port); /* never answers: each post takes NOTIFY_TIMEOUT */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    struct notify *n;
    assert_int_equal(notify_start(&n, url, err, sizeof(err)), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < NOTIFY_MAX_QUEUE + 2; i++)
        notify_send(n, "x", NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec < 2); /* sending never waits for the receiver */
    /* One is in flight or not yet taken: one or two beyond the queue. */
    unsigned long d = notify_dropped(n);
    assert_true(d >= 1 && d <= 2);
    notify_stop(n); /* the post in flight times out; the rest are dropped */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec <= NOTIFY_TIMEOUT + 3);
    close(fd);
}

static void
test_refused_urls(void **state)
{
    (void)state;
    struct notify *n;
    char err[256];
    assert_int_equal(notify_start(&n, NULL, err, sizeof(err)), 0);
    assert_null(n);
    notify_send(n, "nobody listens", NULL); /* no webhook: nothing, no crash */
    notify_stop(n);
    assert_int_equal(notify_start(&n, "file:///etc/passwd", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "http:// or https://"));
    char *big = malloc(NOTIFY_MAX_URL + 16);
    memset(big, 'a', NOTIFY_MAX_URL + 15);
    memcpy(big, "http://", 7);
    big[NOTIFY_MAX_URL] = '\0'; /* NOTIFY_MAX_URL bytes: one too many */
    assert_int_equal(notify_start(&n, big, err, sizeof(err)), -1);
    free(big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posts),
        cmocka_unit_test(test_queue_limit_and_stop),
        cmocka_unit_test(test_refused_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
