/*
 * Held calls in airlockd (issue 7's targets): memory per held action
 * (under 4 KB) and the approval's round trip, against a plain decision's
 * round trip through the same daemon, in one run.
 *
 * A daemon child (as root it drops to `nobody`) on DIR (give a tmpfs,
 * e.g. /dev/shm, so that fsync is nearly free); this process is both the
 * agent's session (airlockd's client) and the person (WIRE_ADMIN on a second
 * connection).  Administrative policies that permit everything are used:
 * one process cannot be both an agent's user and a person under the
 * default ones, and the Cedar decision is still made.
 *
 *   build/bench/bench_approve DIR [HOLDS]   (at most DAEMON_MAX_WAITS: one session)
 *
 * Memory: the daemon's resident set (VmRSS) before and after HOLDS calls
 * are held, divided by HOLDS.  Round trip: approve sent -> the held call's
 * answer read by the session, for each of the first 1,000 holds.
 */
#include <poll.h>
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
#include "../src/daemon/daemon_wire.h"
#include "../src/client/client.h"
#include "../src/gate/gate.h"
#include "../src/gate/gate_decider.h"
#include "bench_util.h"

#define ROUND_TRIPS 1000

static long
rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* The median of n samples (sorted in place). */
static double
median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof(*t), cmp);
    return t[n / 2];
}

/* A plain decision's round trip (resources/read: permitted). */
static int
plain(struct gate_decider *g, double *t, int n)
{
    json_t *params = json_pack("{s:s}", "uri", "file:///srv/report.txt");
    for (int i = 0; i < n; i++) {
        struct gate_verdict v;
        double t0 = now_us();
        gate_decider_decide(g, "resources/read", params, &v);
        t[i] = now_us() - t0;
        int ok = v.outcome == GATE_PERMIT;
        if (!ok)
            fprintf(stderr, "bench_approve: not permitted: %s\n", v.text);
        gate_verdict_release(&v);
        if (!ok)
            return -1;
    }
    json_decref(params);
    return 0;
}

static int
hold_all(struct gate_decider *g, int n, char (*ids)[GATE_HOLD_MAX])
{
    for (int i = 0; i < n; i++) {
        json_t *params = json_pack("{s:s, s:{s:i}}", "name", "post", "arguments", "n", i);
        struct gate_verdict v;
        gate_decider_decide(g, "tools/call", params, &v);
        json_decref(params);
        if (v.outcome != GATE_HELD) {
            fprintf(stderr, "bench_approve: not held: %s\n", v.text);
            return -1;
        }
        memcpy(ids[i], v.hold, GATE_HOLD_MAX);
        gate_verdict_release(&v);
    }
    return 0;
}

static int got;

static void
take(void *arg, struct gate_verdict *v)
{
    (void)arg;
    got += v->outcome == GATE_PERMIT;
    gate_verdict_release(v);
}

/* Approve id as the person; wait for the session to read its answer. */
static int
approve(int admin, struct wire_in *in, struct gate_decider *g, const char *id)
{
    struct wire_buf w = {0};
    struct wire_msg m;
    const char *body;
    size_t len;
    char err[256], args[64];
    snprintf(args, sizeof(args), "{\"id\":\"%s\"}", id);
    wire_begin(&w, WIRE_ADMIN);
    wire_add_str(&w, WT_WHAT, "approve");
    wire_add_str(&w, WT_JSON, args);
    int rc = wire_send(admin, &w) || wire_next(admin, in, &body, &len, err, sizeof(err)) ||
             wire_parse(body, len, &m, err, sizeof(err)) || m.type != WIRE_OK;
    wire_release(&w);
    if (rc) {
        fprintf(stderr, "bench_approve: approve %s: %.*s\n", id, (int)m.f[WT_TEXT].n,
                m.f[WT_TEXT].p);
        return -1;
    }
    int before = got;
    while (got == before) {
        struct pollfd p = {gate_decider_fd(g), POLLIN, 0};
        poll(&p, 1, 1000);
        if (gate_decider_resolved(g, take, NULL) < 0)
            return -1;
    }
    return 0;
}

static int
bench(const char *base, int holds)
{
    char sock[600], admin_file[600], err[1024];
    snprintf(sock, sizeof(sock), "%s/airlockd.sock", base);
    snprintf(admin_file, sizeof(admin_file), "%s/admin.cedar", base);
    FILE *f = fopen(admin_file, "w");
    if (!f || fputs("permit (principal, action, resource);\n", f) < 0 || fclose(f))
        return -1;
    chmod(admin_file, 0644);
    pid_t pid = start_daemon(base, sock, admin_file);
    struct gate_decider *g = NULL;
    json_t *tools = json_pack("[{s:s}]", "name", "post");
    int n = holds < ROUND_TRIPS ? holds : ROUND_TRIPS, rc = -1;
    double *t = malloc(sizeof(double) * (size_t)n), *p = malloc(sizeof(double) * (size_t)n);
    char(*ids)[GATE_HOLD_MAX] = malloc((size_t)holds * GATE_HOLD_MAX);
    struct wire_in in = {0};
    int admin = -1;
    if (pid < 0 || !t || !p || !ids ||
        client_connect(&g, sock, "bench", "bench-agent", err, sizeof(err)) ||
        gate_decider_set_tools(g, tools, err, sizeof(err)) ||
        (admin = wire_dial(sock, err, sizeof(err))) < 0) {
        fprintf(stderr, "bench_approve: %s\n", pid < 0 ? "cannot start airlockd" : err);
        goto out;
    }
    if (plain(g, p, n))
        goto out;
    long before = rss_kb(pid);
    double h0 = now_us();
    if (hold_all(g, holds, ids))
        goto out;
    double held_us = (now_us() - h0) / holds;
    long after = rss_kb(pid);
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (approve(admin, &in, g, ids[i]))
            goto out;
        t[i] = now_us() - t0;
    }
    double per = (double)(after - before) * 1024.0 / holds;
    printf("%d calls held in airlockd (request and hold recorded, stored in SQLite), "
           "%.1f us each:\n",
           holds, held_us);
    printf("  daemon resident     %ld kB -> %ld kB\n", before, after);
    printf("  memory per held     %8.0f bytes  (target: under 4096; ratio %.2f)\n", per,
           per / 4096.0);
    double pm = median(p, n), am = median(t, n);
    printf("%d round trips, us, median / p99:\n", n);
    printf("  plain decision      %8.1f / %8.1f\n", pm, p[n * 99 / 100]);
    printf("  approval -> answer  %8.1f / %8.1f  (%.1fx a plain decision)\n", am, t[n * 99 / 100],
           am / pm);
    rc = 0;
out:
    if (admin >= 0)
        close(admin);
    wire_in_release(&in);
    gate_decider_close(g);
    json_decref(tools);
    free(t);
    free(p);
    free(ids);
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
        fprintf(stderr, "usage: bench_approve DIR [HOLDS]\n");
        return 2;
    }
    int holds = argc > 2 ? atoi(argv[2]) : DAEMON_MAX_WAITS;
    char base[400];
    if (holds < 1) {
        fprintf(stderr, "bench_approve: HOLDS must be positive\n");
        return 2;
    }
    if (bench_run_dir(argv[1], "airlock-bench-approve", base, sizeof(base)))
        return 1;
    int rc = cedar_hash_init() || bench(base, holds);
    return bench_remove_dir(base) == 0 && !rc ? 0 : 1;
}
