/*
 * The decision's round trip to airlockd against the same decision in
 * process, in one run (issue 6's target: under 20 us added, median): a
 * resources/read decided (permitted by the default policies), its request
 * and outcome recorded, N times each way; both ledgers on DIR (give a
 * tmpfs, e.g. /dev/shm, so that fsync is nearly free and what differs is
 * the socket, the framing and the JSON both ways).  The daemon is a child
 * process running airlock's daemon code; as root it drops to `nobody`.
 *
 *   build/bench/bench_daemon DIR [N]
 */
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/cedar/cedar.h"
#include "../src/daemon/daemon.h"
#include "../src/gate/gate.h"
#include "../src/ledger/ledger_log.h"
#include "bench_util.h"

/* Median and p99 of n calls on g, into med/p99. */
static int
run(struct gate *g, int n, double *med, double *p99)
{
    double *t = malloc((size_t)n * sizeof(*t));
    json_t *params = json_pack("{s:s}", "uri", "file:///srv/report.txt");
    json_t *resp = json_pack("{s:{s:[]}}", "result", "contents");
    if (!t || !params || !resp)
        return -1;
    for (int i = 0; i < n; i++) {
        struct gate_verdict v;
        double t0 = now_us();
        gate_decide(g, "resources/read", params, &v);
        if (v.outcome != GATE_PERMIT) {
            fprintf(stderr, "bench_daemon: not permitted: %s\n", v.text);
            return -1;
        }
        gate_record_outcome(g, &v, resp, NULL, 1.0);
        t[i] = now_us() - t0;
        gate_verdict_release(&v);
    }
    qsort(t, (size_t)n, sizeof(*t), cmp);
    *med = t[n / 2];
    *p99 = t[n * 99 / 100];
    free(t);
    json_decref(params);
    json_decref(resp);
    return 0;
}

static int
in_process(const char *base, int n, double *med, double *p99)
{
    char err[1024], vkey[512], dir[600];
    struct ledger_log *log;
    struct gate_config cfg;
    struct gate *g;
    snprintf(dir, sizeof(dir), "%s/local", base);
    gate_config_init(&cfg);
    if (ledger_create(dir, "bench/local", vkey, sizeof(vkey), err, sizeof(err)) ||
        ledger_open(dir, 1, &log, err, sizeof(err))) {
        fprintf(stderr, "bench_daemon: %s\n", err);
        return -1;
    }
    struct gate_opts o = {.cfg = &cfg, .log = log, .dir = dir, .server = "bench",
                          .agent = "bench-agent"};
    json_t *tools = json_array();
    if (gate_open(&g, &o, err, sizeof(err)) || gate_set_tools(g, tools, err, sizeof(err))) {
        fprintf(stderr, "bench_daemon: %s\n", err);
        return -1;
    }
    int rc = run(g, n, med, p99);
    gate_close(g);
    ledger_close(log);
    json_decref(tools);
    gate_config_release(&cfg);
    return rc;
}

static int
remote(const char *base, int n, double *med, double *p99)
{
    char sock[600], err[1024];
    snprintf(sock, sizeof(sock), "%s/airlockd.sock", base);
    pid_t pid = start_daemon(base, sock, NULL);
    struct gate *g = NULL;
    json_t *tools = json_array();
    int rc = -1;
    if (pid < 0 || gate_connect(&g, sock, "bench", "bench-agent", err, sizeof(err)) ||
        gate_set_tools(g, tools, err, sizeof(err)))
        fprintf(stderr, "bench_daemon: %s\n", pid < 0 ? "cannot start airlockd" : err);
    else
        rc = run(g, n, med, p99);
    gate_close(g);
    json_decref(tools);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    return rc;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_daemon DIR [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    char base[400];
    snprintf(base, sizeof(base), "%.300s/airlock-bench-daemon-%d", argv[1], (int)getpid());
    if (mkdir(base, 0700)) {
        perror(base);
        return 1;
    }
    double lm, lp, rm, rp;
    if (cedar_hash_init() || in_process(base, n, &lm, &lp) || remote(base, n, &rm, &rp))
        return 1;
    printf("%d decisions (resources/read, permitted, request and outcome recorded), us, "
           "median / p99:\n", n);
    printf("  in process         %8.1f / %8.1f\n", lm, lp);
    printf("  through airlockd   %8.1f / %8.1f\n", rm, rp);
    printf("  added by the socket %7.1f / %8.1f  (target: under 20 median)\n", rm - lm, rp - lp);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    return system(cmd) == 0 ? 0 : 1;
}
