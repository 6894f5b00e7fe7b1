/*
 * Fuzz target: the gateway's message layer.  Bytes are framed into lines
 * (with a small limit so the over-long path runs), each line is parsed and
 * classified as JSON-RPC, its id is replaced as the relay does, and its
 * params become a Cedar value as the gate does.
 *
 * Oracle: a line that parses with an id must, after the id is spliced in,
 * still parse, to the same message but for the id.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/gate/gate_value.h"
#include "../src/mcp/mcp_line.h"
#include "../src/mcp/mcp_rpc.h"

static void
check_splice(struct rpc_msg *m)
{
    size_t n;
    char *out = rpc_line_with_id(m, "\"spliced\"", 9, &n);
    if (!out)
        return;
    json_t *again = json_loadb(out, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    if (!again)
        __builtin_trap();
    json_t *want = json_deep_copy(m->root);
    json_object_set_new(want, "id", json_string("spliced"));
    if (!json_equal(again, want))
        __builtin_trap();
    json_decref(want);
    json_decref(again);
    free(out);
}

static void
one_line(const char *line, size_t len)
{
    struct rpc_msg m;
    char why[256];
    if (rpc_parse(line, len, &m, why, sizeof(why)))
        return;
    if (json_is_object(m.root) && json_object_get(m.root, "id"))
        check_splice(&m);
    if (json_is_object(m.params)) {
        struct cedar_arena a;
        struct cedar_value v;
        const char *err;
        cedar_arena_init(&a, 1u << 24);
        gate_value_from_json(&a, m.params, &v, &err);
        cedar_arena_release(&a);
    }
    rpc_msg_release(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        cedar_hash_init();
        ready = 1;
    }
    struct mcp_line r;
    const char *line;
    size_t len;
    mcp_line_init(&r, 2048);
    /* Feed in uneven pieces, as reads would deliver them. */
    for (size_t off = 0, step = 1; off < size; off += step, step = step * 3 % 17 + 1) {
        size_t k = off + step > size ? size - off : step;
        if (mcp_line_feed(&r, data + off, k))
            break;
        enum mcp_line_status st;
        while ((st = mcp_line_next(&r, &line, &len)) != MCP_LINE_NONE)
            if (st == MCP_LINE_OK)
                one_line(line, len);
    }
    r.eof = 1;
    while (mcp_line_next(&r, &line, &len) == MCP_LINE_OK)
        one_line(line, len);
    mcp_line_release(&r);
    return 0;
}
