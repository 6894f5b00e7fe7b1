/*
 * daemon_conn: airlockd waits for no connection, against a real daemon in
 * a child process (as root it drops to nobody).  Sessions that send half a
 * frame and stop, or send requests and never read the answers, delay no
 * one: another is answered while they are still connected, and they are
 * dropped after DAEMON_IO_TIMEOUT.  A session that asks for more than
 * DAEMON_MAX_UNREAD of answers at once gets them all, in order, as it
 * reads them.
 *
 * "While still connected" is the check, not a time: airlockd that blocked
 * on a slow peer would answer the next one only after dropping it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/daemon/daemon.h"
#include "../src/daemon/daemon_wire.h"
#include "../src/client/client.h"
#include "../src/gate/gate.h"
#include "../src/gate/gate_decider.h"
#include "test_util.h"

/* Longest a test waits for what must come: far beyond DAEMON_IO_TIMEOUT,
 * only so that a broken daemon fails the test instead of hanging it. */
#define HANG_MS 30000

static struct tu_daemon td;

static int
setup(void **state)
{
    (void)state;
    return tu_daemon_start(&td, "daemon_conn_test", 0, NULL);
}

static int
teardown(void **state)
{
    (void)state;
    return tu_daemon_remove(&td);
}

static int
dial(void)
{
    char err[256];
    int fd = wire_dial(td.sock, err, sizeof(err));
    assert_true(fd >= 0);
    return fd;
}

/* One frame, sealed, in w. */
static void
frame(struct wire_buf *w, const char *what, const char *json)
{
    wire_begin(w, WIRE_ADMIN);
    wire_add_str(w, WT_WHAT, what);
    wire_add_str(w, WT_JSON, json);
    assert_int_equal(wire_seal(w), 0);
}

/* `pending` on a connection of its own: airlockd answers it. */
static void
pending_answered(void)
{
    struct wire_buf w = {0};
    struct wire_in in = {0};
    struct wire_msg m;
    const char *body;
    size_t len;
    char err[256];
    int fd = dial();
    frame(&w, "pending", "{}");
    assert_int_equal(wire_write_all(fd, w.b, w.n), 0);
    assert_int_equal(wire_next(fd, &in, &body, &len, err, sizeof(err)), 0);
    assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
    assert_int_equal(m.type, WIRE_OK);
    close(fd);
    wire_release(&w);
    wire_in_release(&in);
}

/* Whether airlockd has closed fd (it may still have answers to read). */
static int
closed_by_daemon(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, wait_ms) == 1 && (p.revents & (POLLRDHUP | POLLHUP));
}

/* Read fd to its end, counting whole frames; -1 if it does not end. */
static long
frames_to_end(int fd)
{
    struct wire_in in = {0};
    const char *body;
    size_t len;
    char err[256];
    long n = 0;
    for (;;) {
        int r = wire_take(&in, &body, &len, err, sizeof(err));
        if (r < 0)
            break;
        if (r) {
            n++;
            continue;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, HANG_MS) != 1) {
            n = -1;
            break;
        }
        if (wire_fill(fd, &in, err, sizeof(err)) < 0)
            break;
    }
    wire_in_release(&in);
    return n;
}

/* The review's attack: every connection one user may have (but one) sends
 * two bytes of a frame's length and nothing more. */
static void
test_slow_senders(void **state)
{
    (void)state;
    enum { N = DAEMON_MAX_CONNS_PER_UID - 1 };
    int fd[N];
    for (int i = 0; i < N; i++) {
        fd[i] = dial();
        assert_int_equal(wire_write_all(fd[i], "\0\0", 2), 0);
    }
    pending_answered();
    for (int i = 0; i < N; i++)
        assert_false(closed_by_daemon(fd[i], 0));
    /* Each is dropped once it has owed the rest for DAEMON_IO_TIMEOUT. */
    for (int i = 0; i < N; i++) {
        assert_true(closed_by_daemon(fd[i], HANG_MS));
        close(fd[i]);
    }
    pending_answered();
}

/* Requests, as fast as airlockd takes them, and no answer read. */
static void
test_reader_that_does_not_read(void **state)
{
    (void)state;
    int fd = dial();
    assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
    struct wire_buf w = {0}, many = {0};
    frame(&w, "pending", "{}");
    for (int i = 0; i < 4096; i++)
        assert_int_equal(wire_put(&many, w.b, w.n), 0);
    /* Until airlockd takes nothing for a second, or 64 MiB. */
    size_t sent = 0, off = 0;
    while (sent < (64u << 20)) {
        ssize_t k = write(fd, many.b + off, many.n - off);
        if (k < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, 1000) == 0)
                break;
            continue;
        }
        assert_true(k > 0);
        sent += (size_t)k;
        off = (off + (size_t)k) % many.n;
    }
    /* It stopped reading (its answers wait for this one to read them)... */
    assert_true(sent < (8u << 20));
    /* ...and serves everyone else meanwhile. */
    pending_answered();
    assert_false(closed_by_daemon(fd, 0));
    /* Not read for DAEMON_IO_TIMEOUT, it is dropped: some answers, not all. */
    assert_true(closed_by_daemon(fd, HANG_MS));
    long got = frames_to_end(fd);
    assert_true(got > 0);
    assert_true((size_t)got < sent / w.n);
    close(fd);
    wire_release(&w);
    wire_release(&many);
}

/* Six `log` answers of about 450 KiB asked for in one write: more than
 * DAEMON_MAX_UNREAD, so airlockd serves some, waits for them to be read,
 * and serves the rest; all six come, whole and in order. */
static void
test_unread_limit(void **state)
{
    (void)state;
    struct gate_decider *g;
    char err[512];
    json_t *tools = json_pack("[{s:s}]", "name", "post");
    assert_int_equal(client_connect(&g, td.sock, "srv", "agent-a", err, sizeof(err)), 0);
    assert_int_equal(gate_decider_set_tools(g, tools, err, sizeof(err)), 0);
    json_decref(tools);
    char pad[4001];
    memset(pad, 'p', 4000);
    pad[4000] = '\0';
    json_t *p = json_pack("{s:s, s:s}", "uri", "file:///srv/report.txt", "pad", pad);
    for (int i = 0; i < 100; i++) {
        struct gate_verdict v;
        gate_decider_decide(g, "resources/read", p, &v);
        assert_int_equal(v.outcome, GATE_PERMIT);
        gate_verdict_release(&v);
    }
    json_decref(p);
    gate_decider_close(g);

    enum { ASKED = 6 };
    struct wire_buf w = {0}, all = {0};
    frame(&w, "log", "{\"from\":0}");
    for (int i = 0; i < ASKED; i++)
        assert_int_equal(wire_put(&all, w.b, w.n), 0);
    int fd = dial();
    assert_int_equal(wire_write_all(fd, all.b, all.n), 0);
    usleep(200 * 1000); /* let it serve what it will before anything is read */
    struct wire_in in = {0};
    const char *body;
    size_t len, total = 0, first = 0;
    for (int i = 0; i < ASKED; i++) {
        struct wire_msg m;
        assert_int_equal(wire_next(fd, &in, &body, &len, err, sizeof(err)), 0);
        assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
        assert_int_equal(m.type, WIRE_OK);
        if (!i)
            first = len;
        assert_int_equal(len, first); /* the same answer each time */
        total += len;
    }
    assert_true(total > DAEMON_MAX_UNREAD);
    close(fd);
    wire_release(&w);
    wire_release(&all);
    wire_in_release(&in);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_senders),
        cmocka_unit_test(test_reader_that_does_not_read),
        cmocka_unit_test(test_unread_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
