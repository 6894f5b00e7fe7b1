/*
 * The decision's round trip to airlockd against the same decision in
 * process, in one run (issue 6's target: under 20 us added, median): a
 * resources/read decided (permitted by the default policies), its request
 * and outcome recorded, N times each way in alternating rounds; both
 * ledgers on DIR (give a
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

#define ROUND 500 /* calls one way, then the other, then again */

/* n calls on g, their times into t. */
static int
run(struct gate *g, int n, double *t)
{
    json_t *params = json_pack("{s:s}", "uri", "file:///srv/report.txt");
    json_t *resp = json_pack("{s:{s:[]}}", "result", "contents");
    if (!params || !resp)
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
    json_decref(params);
    json_decref(resp);
    return 0;
}

struct both {
    struct ledger_log *log;
    struct gate_config cfg;
    struct gate *local, *remote;
    json_t *tools;
    pid_t daemon;
};

static int
open_local(struct both *b, const char *base, char *err, size_t errlen)
{
    char vkey[512], dir[600];
    snprintf(dir, sizeof(dir), "%s/local", base);
    if (ledger_create(dir, "bench/local", vkey, sizeof(vkey), err, errlen) ||
        ledger_open(dir, 1, &b->log, err, errlen))
        return -1;
    struct gate_opts o = {.cfg = &b->cfg, .log = b->log, .dir = dir, .server = "bench",
                          .agent = "bench-agent"};
    return gate_open(&b->local, &o, err, errlen) ||
           gate_set_tools(b->local, b->tools, err, errlen);
}

static int
open_remote(struct both *b, const char *base, char *err, size_t errlen)
{
    char sock[600];
    snprintf(sock, sizeof(sock), "%s/airlockd.sock", base);
    if ((b->daemon = start_daemon(base, sock, NULL)) < 0) {
        snprintf(err, errlen, "cannot start airlockd");
        return -1;
    }
    return gate_connect(&b->remote, sock, "bench", "bench-agent", err, errlen) ||
           gate_set_tools(b->remote, b->tools, err, errlen);
}

static void
close_both(struct both *b)
{
    gate_close(b->local);
    gate_close(b->remote);
    if (b->log)
        ledger_close(b->log);
    if (b->daemon > 0) {
        kill(b->daemon, SIGTERM);
        waitpid(b->daemon, NULL, 0);
    }
    json_decref(b->tools);
    gate_config_release(&b->cfg);
}

/* Both ways in alternating rounds, so that whatever else the machine does
 * weighs on both alike. */
static int
measure(const char *base, int n, double *local, double *remote)
{
    char err[1024];
    struct both b = {.tools = json_array()};
    gate_config_init(&b.cfg);
    int rc = open_local(&b, base, err, sizeof(err)) || open_remote(&b, base, err, sizeof(err));
    if (rc)
        fprintf(stderr, "bench_daemon: %s\n", err);
    for (int done = 0; !rc && done < n; done += ROUND) {
        int k = n - done < ROUND ? n - done : ROUND;
        rc = run(b.local, k, local + done) || run(b.remote, k, remote + done);
    }
    close_both(&b);
    return rc ? -1 : 0;
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
    double *local = malloc((size_t)n * sizeof(double)), *remote = malloc((size_t)n * sizeof(double));
    if (n < ROUND || !local || !remote || cedar_hash_init() || measure(base, n, local, remote))
        return 1;
    qsort(local, (size_t)n, sizeof(double), cmp);
    qsort(remote, (size_t)n, sizeof(double), cmp);
    double lm = local[n / 2], lp = local[n * 99 / 100], rm = remote[n / 2], rp = remote[n * 99 / 100];
    printf("%d decisions each way, in alternating rounds of %d (resources/read, permitted, "
           "request and outcome recorded), us, median / p99:\n", n, ROUND);
    printf("  in process         %8.1f / %8.1f\n", lm, lp);
    printf("  through airlockd   %8.1f / %8.1f\n", rm, rp);
    printf("  added by the socket %7.1f / %8.1f  (target: under 20 median)\n", rm - lm, rp - lp);
    free(local);
    free(remote);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    return system(cmd) == 0 ? 0 : 1;
}
