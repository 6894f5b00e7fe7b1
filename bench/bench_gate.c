/*
 * The gateway's own work per call, without processes or pipes: decide a
 * tools/call (Cedar request, authorization) and write its request record
 * and outcome record to a ledger, N times.  With the ledger on tmpfs the
 * fsync is nearly free, so this is the CPU part of the added latency that
 * bench_mcp.mjs measures end to end.
 *
 *   build/bench/bench_gate DIR [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/gate/gate.h"
#include "../src/ledger/ledger_log.h"
#include "bench_util.h"

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_gate DIR [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    char err[1024], vkey[512], run[400], ldir[512], pol[512];
    if (bench_run_dir(argv[1], "airlock-bench-gate", run, sizeof(run)))
        return 1;
    snprintf(ldir, sizeof(ldir), "%s/ledger", run);
    snprintf(pol, sizeof(pol), "%s/p.cedar", run);
    FILE *f = fopen(pol, "w");
    if (!f)
        return perror(pol), 1;
    fputs("permit (principal, action in Action::\"call_tool\", resource);\n", f);
    fclose(f);
    struct ledger_log *log;
    struct gate_config cfg;
    struct gate *g;
    gate_config_init(&cfg);
    const char *c = "{\"server\":{\"name\":\"bench\",\"trusted\":true}}";
    if (gate_config_parse(&cfg, "c", c, strlen(c), err, sizeof(err)) ||
        ledger_create(ldir, "bench/gate", vkey, sizeof(vkey), err, sizeof(err)) ||
        ledger_open(ldir, 1, &log, err, sizeof(err))) {
        fprintf(stderr, "bench_gate: %s\n", err);
        return 1;
    }
    struct gate_opts o = {
        .policies = pol, .cfg = &cfg, .log = log, .dir = run, .server = "bench", .agent = "bench"};
    json_t *tools =
        json_loads("[{\"name\":\"echo\",\"annotations\":{\"readOnlyHint\":true}}]", 0, NULL);
    if (gate_open(&g, &o, err, sizeof(err)) || gate_set_tools(g, tools, err, sizeof(err))) {
        fprintf(stderr, "bench_gate: %s\n", err);
        return 1;
    }
    json_t *params = json_loads("{\"name\":\"echo\",\"arguments\":{\"message\":\"m1\"}}", 0, NULL);
    json_t *resp =
        json_loads("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}", 0, NULL);
    double *t = malloc((size_t)n * sizeof(*t));
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        struct gate_verdict v;
        gate_decide(g, "tools/call", params, &v);
        if (v.outcome != GATE_PERMIT || gate_record_outcome(g, &v, resp, NULL, 0.1)) {
            fprintf(stderr, "bench_gate: %s\n", v.text);
            return 1;
        }
        gate_verdict_release(&v);
        t[i] = now_us() - t0;
    }
    qsort(t, (size_t)n, sizeof(*t), cmp);
    printf("decide + record, %d calls: median %.1f us, p99 %.1f us\n", n, t[n / 2],
           t[n * 99 / 100]);
    gate_close(g);
    ledger_close(log);
    gate_config_release(&cfg);
    json_decref(tools);
    json_decref(params);
    json_decref(resp);
    free(t);
    return bench_remove_dir(run) ? 1 : 0;
}
