/*
 * daemon_wire: frames built and parsed back; every malformed shape
 * refused with its reason; every field's limit crossed; numbers.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/daemon/daemon_wire.h"
#include "test_util.h"

/* Parse the body of w's frame (what follows its length). */
static int
parse_built(struct wire_buf *w, struct wire_msg *m, char *err, size_t errlen)
{
    return wire_parse(w->b + 4, w->n - 4, m, err, errlen);
}

static void
test_round_trip(void **state)
{
    (void)state;
    struct wire_buf w = {0};
    struct wire_msg m;
    char err[128];
    size_t len;
    wire_begin(&w, WIRE_DECIDE);
    wire_add_str(&w, WT_METHOD, "tools/call");
    wire_add_str(&w, WT_JSON, "{\"name\":\"x\"}");
    assert_int_equal(parse_built(&w, &m, err, sizeof(err)), 0);
    assert_int_equal(m.type, WIRE_DECIDE);
    assert_int_equal(m.f[WT_METHOD].n, 10);
    assert_memory_equal(m.f[WT_METHOD].p, "tools/call", 10);
    assert_true(wire_has(&m, WT_JSON));
    assert_false(wire_has(&m, WT_TEXT));
    /* Through a socket pair, as the daemon and the client use it. */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(wire_send(sv[0], &w), 0);
    struct wire_in in = {0};
    const char *body;
    assert_int_equal(wire_next(sv[1], &in, &body, &len, err, sizeof(err)), 0);
    assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
    close(sv[0]);
    assert_int_equal(wire_next(sv[1], &in, &body, &len, err, sizeof(err)), -1);
    assert_string_equal(err, "the connection was closed");
    close(sv[1]);
    wire_in_release(&in);
    wire_release(&w);
}

static void
refused(const char *frame, size_t n, const char *why)
{
    struct wire_msg m;
    char err[128];
    assert_int_equal(wire_parse(frame, n, &m, err, sizeof(err)), -1);
    if (!strstr(err, why))
        fail_msg("'%s' does not say '%s'", err, why);
}

static void
test_malformed(void **state)
{
    (void)state;
    refused("\x01", 1, "wrong size");
    refused("\x02\x05", 2, "unknown protocol version");
    refused("\x01\x00", 2, "unknown frame type");
    refused("\x01\x7f", 2, "unknown frame type");
    refused("\x01\x05\x04\x00\x00", 5, "truncated field header");
    refused("\x01\x05\x0c\x00\x00\x00\x01x", 8, "does not carry"); /* TEXT in DECIDE */
    refused("\x01\x05\x63\x00\x00\x00\x01x", 8, "does not carry"); /* unknown tag */
    refused("\x01\x05\x04\x00\x00\x00\x09x", 8, "longer than its frame");
    refused("\x01\x02\x02\x00\x00\x00\x01"
            "a\x02\x00\x00\x00\x01"
            "b",
            14, "given twice");
    refused("\x01\x05\x04\x00\x00\x00\x01x", 8, "required field is missing"); /* no JSON */
    refused("\x01\x01", 2, "required field is missing"); /* hello without a server */
    /* Held calls: a wait names its hold; a withdrawal says why; an answer
     * that comes later is a verdict with its hold. */
    refused("\x01\x0c", 2, "required field is missing");
    refused("\x01\x0d\x0f\x00\x00\x00\x01h", 8, "required field is missing");
    refused("\x01\x0f\x0f\x00\x00\x00\x01h", 8, "required field is missing");
    refused("\x01\x0e\x05\x00\x00\x00\x02{}", 9, "required field is missing"); /* admin */
    refused("\x01\x0c\x05\x00\x00\x00\x02{}", 9, "does not carry");            /* JSON in a wait */
}

/* Each field's ceiling: at the limit it parses, one byte over it does not,
 * and a builder refuses to make such a frame. */
static void
test_limits(void **state)
{
    (void)state;
    static const struct {
        enum wire_type type;
        enum wire_tag tag;
        size_t max;
    } f[] = {
        {WIRE_HELLO, WT_SERVER, WIRE_MAX_NAME}, {WIRE_AGENT, WT_AGENT, WIRE_MAX_NAME},
        {WIRE_ERROR, WT_TEXT, WIRE_MAX_TEXT},   {WIRE_OK, WT_NUMBER, WIRE_MAX_NUMBER},
        {WIRE_TOOLS, WT_JSON, WIRE_MAX_JSON},   {WIRE_WAIT, WT_HOLD, WIRE_MAX_HOLD},
    };
    char *big = malloc(WIRE_MAX_JSON + 1);
    memset(big, 'a', WIRE_MAX_JSON + 1);
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        for (size_t extra = 0; extra < 2; extra++) {
            struct wire_buf w = {0};
            wire_begin(&w, f[i].type);
            wire_add(&w, f[i].tag, big, f[i].max + extra);
            assert_int_equal(w.failed, (int)extra);
            if (!extra) {
                struct wire_msg m;
                char err[128];
                assert_int_equal(parse_built(&w, &m, err, sizeof(err)), 0);
                /* and by hand, one byte over: refused by the parser too */
                w.b[4 + 2 + 1 + 3] = (char)((f[i].max + 1) & 0xff);
                w.b[4 + 2 + 1 + 2] = (char)(((f[i].max + 1) >> 8) & 0xff);
                w.b[4 + 2 + 1 + 1] = (char)(((f[i].max + 1) >> 16) & 0xff);
                assert_int_equal(parse_built(&w, &m, err, sizeof(err)), -1);
            }
            wire_release(&w);
        }
    free(big);
    /* A frame over WIRE_MAX_FRAME is refused before it is read. */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    unsigned char h[4] = {(WIRE_MAX_FRAME + 1) >> 24, ((WIRE_MAX_FRAME + 1) >> 16) & 0xff,
                          ((WIRE_MAX_FRAME + 1) >> 8) & 0xff, (WIRE_MAX_FRAME + 1) & 0xff};
    assert_int_equal(write(sv[0], h, 4), 4);
    struct wire_in in = {0};
    const char *body;
    char err[128];
    size_t len;
    assert_int_equal(wire_next(sv[1], &in, &body, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrong size"));
    assert_true(in.cap < WIRE_MAX_FRAME); /* never grown to hold it */
    wire_in_release(&in);
    close(sv[0]);
    close(sv[1]);
}

static void
test_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int ok;
        int64_t v;
    } cases[] = {
        {"0", 1, 0},   {"42", 1, 42},
        {"-7", 1, -7}, {"4611686018427387904", 1, INT64_C(4611686018427387904)},
        {"", 0, 0},    {"-", 0, 0},
        {"1x", 0, 0},  {"99999999999999999999", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct wire_buf w = {0};
        struct wire_msg m;
        char err[128];
        int64_t v = -1;
        wire_begin(&w, WIRE_OK);
        wire_add_str(&w, WT_NUMBER, cases[i].s);
        assert_int_equal(parse_built(&w, &m, err, sizeof(err)), 0);
        assert_int_equal(wire_number(&m, WT_NUMBER, &v) == 0, cases[i].ok);
        if (cases[i].ok)
            assert_true(v == cases[i].v);
        wire_release(&w);
    }
}

/* Buffered reading: two frames in one write come out one by one; a frame
 * written a byte at a time comes out whole; a frame over the limit is
 * refused from its header. */
static void
test_buffered(void **state)
{
    (void)state;
    int sv[2];
    struct wire_buf a = {0}, b = {0};
    struct wire_in in = {0};
    struct wire_msg m;
    const char *body;
    size_t len;
    char err[128];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    wire_begin(&a, WIRE_AGENT);
    wire_add_str(&a, WT_AGENT, "first");
    wire_begin(&b, WIRE_AGENT);
    wire_add_str(&b, WT_AGENT, "second");
    assert_int_equal(wire_send(sv[0], &a), 0);
    assert_int_equal(wire_send(sv[0], &b), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(wire_next(sv[1], &in, &body, &len, err, sizeof(err)), 0);
        assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
        assert_memory_equal(m.f[WT_AGENT].p, i ? "second" : "first", i ? 6 : 5);
        assert_int_equal(wire_buffered(&in), i == 0);
    }
    /* One byte at a time, from another process. */
    if (fork() == 0) {
        for (size_t i = 0; i < a.n; i++) {
            if (write(sv[0], a.b + i, 1) != 1)
                _exit(1);
            usleep(1000);
        }
        _exit(0);
    }
    assert_int_equal(wire_next(sv[1], &in, &body, &len, err, sizeof(err)), 0);
    assert_int_equal(wire_parse(body, len, &m, err, sizeof(err)), 0);
    assert_memory_equal(m.f[WT_AGENT].p, "first", 5);
    wait(NULL);
    unsigned char h[4] = {(WIRE_MAX_FRAME + 1) >> 24, ((WIRE_MAX_FRAME + 1) >> 16) & 0xff,
                          ((WIRE_MAX_FRAME + 1) >> 8) & 0xff, (WIRE_MAX_FRAME + 1) & 0xff};
    assert_int_equal(write(sv[0], h, 4), 4);
    assert_int_equal(wire_next(sv[1], &in, &body, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "wrong size"));
    close(sv[0]);
    close(sv[1]);
    wire_in_release(&in);
    wire_release(&a);
    wire_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits),     cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_buffered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
