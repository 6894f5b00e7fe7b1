/*
 * mcp_line: newline framing, and MCP's message size limit crossed.
 */
#include <string.h>
#include <unistd.h>

#include "../src/mcp/mcp_limits.h"
#include "../src/mcp/mcp_line.h"
#include "test_util.h"

static void
expect_line(struct mcp_line *r, const char *want)
{
    const char *line;
    size_t len;
    assert_int_equal(mcp_line_next(r, &line, &len), MCP_LINE_OK);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(line, want, len);
}

static void
test_lines_split_anywhere(void **state)
{
    (void)state;
    const char *text = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}";
    /* Fed one byte at a time or whole: the same lines come out. */
    for (int whole = 0; whole < 2; whole++) {
        struct mcp_line r;
        mcp_line_init(&r, 64);
        if (whole) {
            assert_int_equal(mcp_line_feed(&r, text, strlen(text)), 0);
        } else {
            for (size_t i = 0; text[i]; i++)
                assert_int_equal(mcp_line_feed(&r, text + i, 1), 0);
        }
        expect_line(&r, "{\"a\":1}");
        expect_line(&r, "{\"b\":2}");
        expect_line(&r, "");
        const char *line;
        size_t len;
        assert_int_equal(mcp_line_next(&r, &line, &len), MCP_LINE_NONE);
        r.eof = 1; /* a last line without a newline still counts */
        expect_line(&r, "{\"c\":3}");
        assert_int_equal(mcp_line_next(&r, &line, &len), MCP_LINE_NONE);
        mcp_line_release(&r);
    }
}

static void
test_line_limit_crossed(void **state)
{
    (void)state;
    struct mcp_line r;
    const char *line;
    size_t len;
    char big[300];
    memset(big, 'x', sizeof(big));
    mcp_line_init(&r, 100);
    /* Exactly at the limit: accepted. */
    assert_int_equal(mcp_line_feed(&r, big, 100), 0);
    assert_int_equal(mcp_line_feed(&r, "\n", 1), 0);
    assert_int_equal(mcp_line_next(&r, &line, &len), MCP_LINE_OK);
    assert_int_equal(len, 100);
    /* One over, arriving whole: reported once, and the next line is fine. */
    assert_int_equal(mcp_line_feed(&r, big, 101), 0);
    assert_int_equal(mcp_line_feed(&r, "\nok\n", 4), 0);
    assert_int_equal(mcp_line_next(&r, &line, &len), MCP_LINE_TOO_LONG);
    expect_line(&r, "ok");
    /* Far over, arriving in pieces with no newline yet: reported as soon as
     * it is too long, its rest skipped without being buffered. */
    assert_int_equal(mcp_line_feed(&r, big, 200), 0);
    assert_int_equal(mcp_line_next(&r, &line, &len), MCP_LINE_TOO_LONG);
    assert_true(r.len < 100);
    for (int i = 0; i < 50; i++)
        assert_int_equal(mcp_line_feed(&r, big, sizeof(big)), 0);
    assert_int_equal(mcp_line_next(&r, &line, &len), MCP_LINE_NONE);
    assert_true(r.cap <= 4096);
    assert_int_equal(mcp_line_feed(&r, "tail\nnext\n", 10), 0);
    expect_line(&r, "next");
    mcp_line_release(&r);
}

static void
test_line_read_from_fd(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "one\ntwo", 7), 7);
    close(fds[1]);
    struct mcp_line r;
    mcp_line_init(&r, GATE_DEFAULT_MAX_LINE);
    assert_int_equal(mcp_line_read(&r, fds[0]), 7);
    expect_line(&r, "one");
    assert_int_equal(mcp_line_read(&r, fds[0]), 0);
    assert_true(r.eof);
    expect_line(&r, "two");
    close(fds[0]);
    mcp_line_release(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_split_anywhere),
        cmocka_unit_test(test_line_limit_crossed),
        cmocka_unit_test(test_line_read_from_fd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
