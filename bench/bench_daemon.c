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
 *   build/bench/bench_daemon DIR [N [SESSIONS]]
 *
 * With SESSIONS, then that many sessions at once (threads), N calls in all:
 * in process, gates sharing one ledger, and through one airlockd.
 */
#include <pthread.h>
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
#include "../src/client/client.h"
#include "../src/gate/gate.h"
#include "../src/gate/gate_decider.h"
#include "../src/ledger/ledger_log.h"
#include "bench_util.h"

#define ROUND 500 /* calls one way, then the other, then again */

/* n calls on g, their times into t. */
static int
run(struct gate_decider *g, int n, double *t)
{
    json_t *params = json_pack("{s:s}", "uri", "file:///srv/report.txt");
    json_t *resp = json_pack("{s:{s:[]}}", "result", "contents");
    if (!params || !resp)
        return -1;
    for (int i = 0; i < n; i++) {
        struct gate_verdict v;
        double t0 = now_us();
        gate_decider_decide(g, "resources/read", params, &v);
        if (v.outcome != GATE_PERMIT) {
            fprintf(stderr, "bench_daemon: not permitted: %s\n", v.text);
            return -1;
        }
        gate_decider_record_outcome(g, &v, resp, NULL, 1.0);
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
    struct gate_decider *local, *remote;
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
    struct gate_opts o = {
        .cfg = &b->cfg, .log = b->log, .dir = dir, .server = "bench", .agent = "bench-agent"};
    struct gate *g;
    if (gate_open(&g, &o, err, errlen))
        return -1;
    b->local = gate_decider(g);
    return gate_decider_set_tools(b->local, b->tools, err, errlen);
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
    return client_connect(&b->remote, sock, "bench", "bench-agent", err, errlen) ||
           gate_decider_set_tools(b->remote, b->tools, err, errlen);
}

static void
close_both(struct both *b)
{
    gate_decider_close(b->local);
    gate_decider_close(b->remote);
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

/* ---- S sessions at once ---- */

#define MAX_SESSIONS 64

struct session {
    struct gate_decider *g;
    int n;
    double *t;
    pthread_barrier_t *go;
};

static void *
session_run(void *arg)
{
    struct session *s = arg;
    pthread_barrier_wait(s->go);
    if (run(s->g, s->n, s->t))
        exit(1);
    return NULL;
}

/* S sessions each making per calls at once, through b's gates (local or
 * remote ones, made by open_one): median and p99 latency, and calls a
 * second. */
static int
sessions(int S, int per, struct gate_decider *(*open_one)(void *), void *arg, double out[3])
{
    struct session ss[MAX_SESSIONS];
    pthread_t th[MAX_SESSIONS];
    pthread_barrier_t go;
    double *t = malloc((size_t)S * (size_t)per * sizeof(double));
    if (!t || S > MAX_SESSIONS || pthread_barrier_init(&go, NULL, (unsigned)S + 1))
        return -1;
    for (int i = 0; i < S; i++) {
        ss[i] = (struct session){.g = open_one(arg), .n = per, .t = t + (size_t)i * per, .go = &go};
        if (!ss[i].g)
            return -1;
        pthread_create(&th[i], NULL, session_run, &ss[i]);
    }
    pthread_barrier_wait(&go);
    double t0 = now_us();
    for (int i = 0; i < S; i++)
        pthread_join(th[i], NULL);
    double wall = now_us() - t0;
    for (int i = 0; i < S; i++)
        gate_decider_close(ss[i].g);
    size_t n = (size_t)S * per;
    qsort(t, n, sizeof(double), cmp);
    out[0] = t[n / 2];
    out[1] = t[n * 99 / 100];
    out[2] = (double)n / (wall / 1e6);
    free(t);
    pthread_barrier_destroy(&go);
    return 0;
}

struct openers {
    struct ledger_log *log;
    struct gate_config *cfg;
    const char *dir, *sock;
    json_t *tools;
};

static struct gate_decider *
open_local_one(void *arg)
{
    struct openers *o = arg;
    struct gate *local;
    struct gate_decider *g = NULL;
    char err[1024];
    struct gate_opts go = {
        .cfg = o->cfg, .log = o->log, .dir = o->dir, .server = "bench", .agent = "bench-agent"};
    if (gate_open(&local, &go, err, sizeof(err)))
        return fprintf(stderr, "bench_daemon: %s\n", err), NULL;
    g = gate_decider(local);
    if (gate_decider_set_tools(g, o->tools, err, sizeof(err))) {
        gate_decider_close(g);
        return fprintf(stderr, "bench_daemon: %s\n", err), NULL;
    }
    return g;
}

static struct gate_decider *
open_remote_one(void *arg)
{
    struct openers *o = arg;
    struct gate_decider *g;
    char err[1024];
    if (client_connect(&g, o->sock, "bench", "bench-agent", err, sizeof(err)) ||
        gate_decider_set_tools(g, o->tools, err, sizeof(err)))
        return fprintf(stderr, "bench_daemon: %s\n", err), NULL;
    return g;
}

/* In process, S gates share one ledger (its group commit batches their
 * records); through airlockd, S connections to one daemon (one thread). */
static int
concurrent(const char *base, int S, int per)
{
    char dir[600], sock[600], vkey[512], err[1024], sub[500];
    double l[3], r[3];
    struct gate_config cfg;
    struct ledger_log *log;
    gate_config_init(&cfg);
    snprintf(sub, sizeof(sub), "%s/concurrent", base);
    snprintf(dir, sizeof(dir), "%s/local", sub);
    snprintf(sock, sizeof(sock), "%s/airlockd.sock", sub);
    if (mkdir(sub, 0700) ||
        ledger_create(dir, "bench/concurrent", vkey, sizeof(vkey), err, sizeof(err)) ||
        ledger_open(dir, 1, &log, err, sizeof(err)))
        return fprintf(stderr, "bench_daemon: %s\n", err), -1;
    struct openers o = {.log = log, .cfg = &cfg, .dir = dir, .sock = sock, .tools = json_array()};
    int rc = sessions(S, per, open_local_one, &o, l);
    ledger_close(log);
    pid_t pid = rc ? -1 : start_daemon(sub, sock, NULL);
    if (pid < 0 || sessions(S, per, open_remote_one, &o, r))
        rc = -1;
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    json_decref(o.tools);
    gate_config_release(&cfg);
    if (rc)
        return -1;
    printf("%d sessions at once, %d calls each, us, median / p99, and calls a second:\n", S, per);
    printf("  in process, one ledger %8.1f / %8.1f  %8.0f/s\n", l[0], l[1], l[2]);
    printf("  through airlockd       %8.1f / %8.1f  %8.0f/s\n", r[0], r[1], r[2]);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_daemon DIR [N [SESSIONS]]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    char base[400];
    if (bench_run_dir(argv[1], "airlock-bench-daemon", base, sizeof(base)))
        return 1;
    double *local = malloc((size_t)n * sizeof(double)),
           *remote = malloc((size_t)n * sizeof(double));
    if (n < ROUND || !local || !remote || cedar_hash_init() || measure(base, n, local, remote))
        return 1;
    qsort(local, (size_t)n, sizeof(double), cmp);
    qsort(remote, (size_t)n, sizeof(double), cmp);
    double lm = local[n / 2], lp = local[n * 99 / 100], rm = remote[n / 2],
           rp = remote[n * 99 / 100];
    printf("%d decisions each way, in alternating rounds of %d (resources/read, permitted, "
           "request and outcome recorded), us, median / p99:\n",
           n, ROUND);
    printf("  in process         %8.1f / %8.1f\n", lm, lp);
    printf("  through airlockd   %8.1f / %8.1f\n", rm, rp);
    printf("  added by the socket %7.1f / %8.1f  (target: under 20 median)\n", rm - lm, rp - lp);
    free(local);
    free(remote);
    int S = argc > 3 ? atoi(argv[3]) : 0;
    if (S > 0 && (S > MAX_SESSIONS || concurrent(base, S, n / S < 100 ? 100 : n / S)))
        return 1;
    return bench_remove_dir(base) ? 1 : 0;
}
