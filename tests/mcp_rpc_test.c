/*
 * mcp_rpc: JSON-RPC classification, and ids replaced without touching any
 * other byte of a message.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/mcp/mcp_rpc.h"
#include "test_util.h"

static enum rpc_kind
kind_of(const char *line)
{
    struct rpc_msg m;
    char why[256];
    if (rpc_parse(line, strlen(line), &m, why, sizeof(why)))
        return (enum rpc_kind) - 1;
    enum rpc_kind k = m.kind;
    rpc_msg_release(&m);
    return k;
}

static void
test_classify(void **state)
{
    (void)state;
    assert_int_equal(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), RPC_REQUEST);
    assert_int_equal(kind_of("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{}}"),
                     RPC_REQUEST);
    assert_int_equal(kind_of("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                     RPC_NOTIFICATION);
    assert_int_equal(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"), RPC_RESPONSE);
    assert_int_equal(kind_of("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":1}}"),
                     RPC_RESPONSE);
    /* Not JSON-RPC 2.0 as MCP uses it. */
    const char *invalid[] = {
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", /* batch */
        "{\"id\":1,\"method\":\"ping\"}",                       /* no version */
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", /* id not an integer */
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"bad\"}",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        assert_int_equal(kind_of(invalid[i]), RPC_INVALID);
    /* Not JSON at all, or JSON two parsers could read differently. */
    assert_int_equal((int)kind_of("{\"jsonrpc\":\"2.0\""), -1);
    assert_int_equal((int)kind_of("3"), -1);
    /* A raw NUL byte: jansson would stop reading there (found by fuzz_mcp). */
    struct rpc_msg m;
    char why[256];
    assert_int_equal(rpc_parse("{\"id\":5\0,\"jsonrpc\":\"2.0\"}", 25, &m, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "NUL"));
    assert_int_equal((int)kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"x\"}"), -1);
}

static char *
with_id(const char *line, const char *id)
{
    struct rpc_msg m;
    char why[256];
    size_t n;
    assert_int_equal(rpc_parse(line, strlen(line), &m, why, sizeof(why)), 0);
    char *out = rpc_line_with_id(&m, id, id ? strlen(id) : 0, &n);
    assert_non_null(out);
    assert_int_equal(out[n - 1], '\n');
    out[n - 1] = '\0';
    rpc_msg_release(&m);
    return out;
}

static void
test_id_spliced_exactly(void **state)
{
    (void)state;
    /* Numbers, spacing and member order survive: only the id changes. */
    char *s = with_id("{ \"id\" : 7 , \"jsonrpc\":\"2.0\",\"method\":\"t\","
                      "\"params\":{\"x\":0.3,\"id\":\"inner\"}}",
                      "\"client-9\"");
    assert_string_equal(s, "{ \"id\" : \"client-9\" , \"jsonrpc\":\"2.0\",\"method\":\"t\","
                           "\"params\":{\"x\":0.3,\"id\":\"inner\"}}");
    free(s);
    /* A key written with escapes is still the id. */
    s = with_id("{\"jsonrpc\":\"2.0\",\"\\u0069d\":\"a\\\"b\",\"method\":\"m\"}", "12");
    assert_string_equal(s, "{\"jsonrpc\":\"2.0\",\"\\u0069d\":12,\"method\":\"m\"}");
    free(s);
    /* No id given: the bytes as they were. */
    s = with_id("{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"v\":1e300}}", NULL);
    /* (re-encoded, 1e300 would read 1.0000000000000001e+300) */
    assert_string_equal(s, "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{\"v\":1e300}}");
    free(s);
}

static void
test_member_span(void **state)
{
    (void)state;
    const char *t = "{\"a\":[1,{\"id\":2}],\"b\":\"}\\\"\",\"id\":{\"x\":[\"]\"]},\"c\":true}";
    size_t a, b;
    assert_int_equal(rpc_member_span(t, strlen(t), "id", &a, &b), 0);
    assert_int_equal(b - a, strlen("{\"x\":[\"]\"]}"));
    assert_memory_equal(t + a, "{\"x\":[\"]\"]}", b - a);
    assert_int_equal(rpc_member_span(t, strlen(t), "c", &a, &b), 0);
    assert_memory_equal(t + a, "true", b - a);
    assert_int_equal(rpc_member_span(t, strlen(t), "missing", &a, &b), -1);
    assert_int_equal(rpc_member_span("[1]", 3, "id", &a, &b), -1);
}

static void
test_error_lines(void **state)
{
    (void)state;
    size_t n;
    json_t *id = json_string("x");
    char *s = rpc_error_line(id, RPC_INVALID_REQUEST, "bad", NULL, &n);
    assert_string_equal(s, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32600,"
                           "\"message\":\"bad\"}}\n");
    free(s);
    s = rpc_error_line(NULL, RPC_PARSE_ERROR, "p", NULL, &n);
    assert_non_null(strstr(s, "\"id\":null"));
    free(s);
    json_decref(id);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_id_spliced_exactly),
        cmocka_unit_test(test_member_span),
        cmocka_unit_test(test_error_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
