/*
 * Fuzz target: the gateway's routing.  The input is lines; a line's first
 * byte says who sends the rest (even: the client, odd: the upstream).  They
 * go through the relay's message handling with a real gate (policies, tool
 * catalogue, pins, a ledger in a scratch directory), as `airlock mcp` would
 * handle them, minus the processes: ids rewritten both ways, requests
 * decided, deferred, cancelled, refused, tool lists filtered.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/gate/gate.h"
#include "../src/gate/gate_decider.h"
#include "../src/gate/gate_pins.h"
#include "../src/ledger/ledger_log.h"
#include "../src/mcp/mcp_proxy.h"

static const char policies[] =
    "@id(\"read\") permit (principal, action in Action::\"read_only\", resource);\n"
    "@id(\"echo\") permit (principal, action == Action::\"echo\", resource)\n"
    "  when { !(context.input has secret) };\n"
    "@id(\"approved\") permit (principal, action in Action::\"call_tool\", resource)\n"
    "  when { context.approved };\n"
    "@id(\"no-env\") forbid (principal, action == Action::\"env\", resource);\n";
static const char config[] =
    "{\"server\":{\"name\":\"fuzz\",\"trusted\":true},"
    "\"tools\":{\"post\":{\"audienceFrom\":\"audience\"},\"env\":{\"sensitivity\":\"secret\"}}}";

static char dir[64];
static struct ledger_log *log_;
static struct gate_config cfg;
static unsigned runs;

static void
setup(void)
{
    char err[512], vkey[512], path[128], cmd[128];
    if (log_) {
        ledger_close(log_);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
            __builtin_trap();
    } else {
        gate_config_init(&cfg);
        if (gate_config_parse(&cfg, "fuzz", config, strlen(config), err, sizeof(err)) ||
            gate_config_load(&cfg, NULL, err, sizeof(err)))
            __builtin_trap();
    }
    snprintf(dir, sizeof(dir), "/tmp/airlock-fuzz-route-XXXXXX");
    if (!mkdtemp(dir))
        __builtin_trap();
    snprintf(path, sizeof(path), "%s/ledger", dir);
    if (ledger_create(path, "fuzz/route", vkey, sizeof(vkey), err, sizeof(err)) ||
        ledger_open(path, 1, &log_, err, sizeof(err)))
        __builtin_trap();
    snprintf(path, sizeof(path), "%s/p.cedar", dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(policies, f) < 0 || fclose(f))
        __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024], path[128], pins[128];
    /* A fresh ledger now and then keeps the scratch directory small. */
    if (runs++ % 500 == 0)
        setup();
    snprintf(path, sizeof(path), "%s/p.cedar", dir);
    snprintf(pins, sizeof(pins), "%s/%s", dir, GATE_PINS_FILE);
    unlink(pins); /* each input starts with nothing pinned */
    struct gate *g;
    struct gate_opts o = {.policies = path, .cfg = &cfg, .log = log_, .dir = dir, .server = "fuzz"};
    if (gate_open(&g, &o, err, sizeof(err)))
        __builtin_trap();
    struct mcp_session *s = mcp_session_new(gate_decider(g), 4096);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (stop > p)
            mcp_session_line(s, !(*p & 1), p + 1, (size_t)(stop - p - 1));
        p = stop + 1;
    }
    mcp_session_free(s);
    gate_close(g);
    return 0;
}
