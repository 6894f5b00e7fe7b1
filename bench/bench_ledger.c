/*
 * Ledger benchmarks (not tests):
 *   bench_ledger appends DIR SECONDS [WRITERS...]  durable appends/s with 1, 8, 64 writers,
 *                                          against SQLite WAL synchronous=FULL inserts, in a
 *                                          new folder under DIR, removed afterwards
 *                                          (BENCH_KEEP=1 keeps it)
 *   bench_ledger proofs DIR ENTRIES         build a log of ENTRIES, then time inclusion
 *                                          proofs and `log verify`
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/ledger/ledger_log.h"
#include "../src/ledger/ledger_verify.h"
#include "bench_util.h"

#define MAX_WRITERS 64

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct worker {
    struct ledger_log *log;
    int durable_only;
    sqlite3 *db;
    double until;
    long done;
    int id;
    int timed;
};

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One writer's append latencies (the gateway's case), in seconds. */
#define LAT_MAX 1000000
static double lat[LAT_MAX];
static long nlat;

static void *
ledger_worker(void *arg)
{
    struct worker *w = arg;
    char text[96], err[512];
    for (double t0 = now(); t0 < w->until; t0 = now()) {
        int l = snprintf(
            text, sizeof(text),
            "{\"agent\":\"a%d\",\"tool\":\"post_message\",\"decision\":\"deny\",\"n\":%ld}", w->id,
            w->done);
        struct ledger_entry e = {text, (size_t)l};
        uint64_t first;
        if ((w->durable_only ? ledger_append_durable : ledger_append)(w->log, &e, 1, &first, err,
                                                                      sizeof(err))) {
            fprintf(stderr, "append: %s\n", err);
            exit(1);
        }
        if (w->timed && nlat < LAT_MAX)
            lat[nlat++] = now() - t0;
        w->done++;
    }
    return NULL;
}

static void *
sqlite_worker(void *arg)
{
    struct worker *w = arg;
    char text[96];
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(w->db, "INSERT INTO log(entry) VALUES (?)", -1, &st, NULL) != SQLITE_OK)
        exit(1);
    while (now() < w->until) {
        int l = snprintf(
            text, sizeof(text),
            "{\"agent\":\"a%d\",\"tool\":\"post_message\",\"decision\":\"deny\",\"n\":%ld}", w->id,
            w->done);
        sqlite3_bind_text(st, 1, text, l, SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_BUSY)
            ;
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(w->db));
            exit(1);
        }
        sqlite3_reset(st);
        w->done++;
    }
    sqlite3_finalize(st);
    return NULL;
}

static double
run_ledger(const char *dir, int writers, double secs, int durable_only)
{
    char path[1024], err[512], vkey[512];
    snprintf(path, sizeof(path), "%s/ledger-%d-%d", dir, writers, durable_only);
    if (ledger_create(path, "bench.example/log", vkey, sizeof(vkey), err, sizeof(err)))
        return fprintf(stderr, "%s\n", err), -1;
    struct ledger_log *log;
    if (ledger_open(path, 1, &log, err, sizeof(err)))
        return fprintf(stderr, "%s\n", err), -1;
    pthread_t th[MAX_WRITERS];
    struct worker w[MAX_WRITERS];
    double start = now();
    for (int i = 0; i < writers; i++) {
        w[i] = (struct worker){.log = log,
                               .until = start + secs,
                               .id = i,
                               .durable_only = durable_only,
                               .timed = writers == 1};
        pthread_create(&th[i], NULL, ledger_worker, &w[i]);
    }
    long total = 0;
    for (int i = 0; i < writers; i++) {
        pthread_join(th[i], NULL);
        total += w[i].done;
    }
    double rate = (double)total / (now() - start);
    ledger_close(log);
    if (nlat) {
        qsort(lat, (size_t)nlat, sizeof(lat[0]), cmp_double);
        fprintf(stderr,
                "1 writer, %s: append latency median %.0f us, p99 %.0f, p99.99 %.0f, max %.0f (%ld "
                "appends)\n",
                durable_only ? "durable" : "checkpointed", lat[nlat / 2] * 1e6,
                lat[nlat * 99 / 100] * 1e6, lat[nlat * 9999 / 10000] * 1e6, lat[nlat - 1] * 1e6,
                nlat);
        nlat = 0;
    }
    return rate;
}

static double
run_sqlite(const char *dir, int writers, double secs)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/sqlite-%d.db", dir, writers);
    pthread_t th[MAX_WRITERS];
    struct worker w[MAX_WRITERS];
    sqlite3 *setup;
    if (sqlite3_open(path, &setup) != SQLITE_OK ||
        sqlite3_exec(setup,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE log(id INTEGER PRIMARY KEY, entry TEXT NOT NULL);",
                     NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(setup));
        sqlite3_close(setup);
        return -1;
    }
    sqlite3_close(setup);
    double start = now();
    for (int i = 0; i < writers; i++) {
        w[i] = (struct worker){.until = start + secs, .id = i};
        sqlite3_open(path, &w[i].db);
        sqlite3_exec(w[i].db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL);
        sqlite3_busy_timeout(w[i].db, 10000);
        pthread_create(&th[i], NULL, sqlite_worker, &w[i]);
    }
    long total = 0;
    for (int i = 0; i < writers; i++) {
        pthread_join(th[i], NULL);
        total += w[i].done;
        sqlite3_close(w[i].db);
    }
    return (double)total / (now() - start);
}

static int
proofs(const char *dir, long entries)
{
    char path[1024], err[512], vkey[512];
    snprintf(path, sizeof(path), "%s/proofs-%ld", dir, entries);
    struct ledger_log *log;
    if (access(path, F_OK) != 0) {
        if (ledger_create(path, "bench.example/proofs", vkey, sizeof(vkey), err, sizeof(err)) ||
            ledger_open(path, 1, &log, err, sizeof(err)))
            return fprintf(stderr, "%s\n", err), 1;
        static char text[LEDGER_MAX_BATCH][32];
        static struct ledger_entry e[LEDGER_MAX_BATCH];
        double t0 = now();
        for (long done = 0; done < entries;) {
            long n = entries - done > LEDGER_MAX_BATCH ? LEDGER_MAX_BATCH : entries - done;
            for (long i = 0; i < n; i++)
                e[i] = (struct ledger_entry){text[i],
                                             (size_t)snprintf(text[i], 32, "record %ld", done + i)};
            uint64_t first;
            if (ledger_append(log, e, (size_t)n, &first, err, sizeof(err)))
                return fprintf(stderr, "%s\n", err), 1;
            done += n;
        }
        fprintf(stderr, "built %ld entries in %.1f s\n", entries, now() - t0);
        ledger_close(log);
    }
    if (ledger_open(path, 0, &log, err, sizeof(err)))
        return fprintf(stderr, "%s\n", err), 1;
    enum { N = 20000 };
    static double t[N];
    srand(1);
    uint64_t size = ledger_size(log);
    for (int i = 0; i < N; i++) {
        uint64_t idx = ((uint64_t)rand() << 31 ^ (uint64_t)rand()) % size;
        ledger_hash proof[LEDGER_MAX_PROOF];
        size_t n;
        double t0 = now();
        if (ledger_prove_inclusion(log, idx, size, proof, &n))
            return fprintf(stderr, "prove %llu failed\n", (unsigned long long)idx), 1;
        t[i] = now() - t0;
    }
    qsort(t, N, sizeof(t[0]), cmp_double);
    printf("inclusion proof, %ld entries: median %.2f us, p99 %.2f us (%d random indexes over the "
           "whole log)\n",
           entries, t[N / 2] * 1e6, t[N * 99 / 100] * 1e6, N);
    /* The gateway's case: a proof for an entry it just appended. */
    for (int i = 0; i < N; i++) {
        uint64_t idx = size - 1 - (uint64_t)rand() % (size < 4096 ? size : 4096);
        ledger_hash proof[LEDGER_MAX_PROOF];
        size_t n;
        double t0 = now();
        if (ledger_prove_inclusion(log, idx, size, proof, &n))
            return 1;
        t[i] = now() - t0;
    }
    qsort(t, N, sizeof(t[0]), cmp_double);
    printf("inclusion proof, %ld entries: median %.2f us, p99 %.2f us (%d indexes among the last "
           "4096)\n",
           entries, t[N / 2] * 1e6, t[N * 99 / 100] * 1e6, N);
    struct ledger_verify_result res;
    double t0 = now();
    int rc = ledger_verify_dir(path, ledger_vkey(log), NULL, 0, &res);
    double dt = now() - t0;
    printf("log verify, %ld entries: %s in %.2f s, %.0f entries/s\n", entries, rc ? res.msg : "OK",
           dt, (double)entries / dt);
    ledger_close(log);
    return rc;
}

/* Every run in a folder of its own: a log or database left by an earlier
 * run would refuse to be created again (or be appended to). */
static int
appends(const char *dir, double secs, const int *writers, int nw)
{
    char run[512];
    if (bench_run_dir(dir, "appends", run, sizeof(run)))
        return 1;
    int failed = 0;
    printf("%-8s %18s %8s %22s %8s %16s\n", "writers", "durable appends/s", "ratio",
           "checkpointed appends/s", "ratio", "sqlite WAL/s");
    for (int i = 0; i < nw && !failed; i++) {
        double d = run_ledger(run, writers[i], secs, 1);
        double c = getenv("BENCH_DURABLE_ONLY") ? 0 : run_ledger(run, writers[i], secs, 0);
        double s = getenv("BENCH_DURABLE_ONLY") ? 1 : run_sqlite(run, writers[i], secs);
        failed = d < 0 || c < 0 || s < 0;
        if (!failed)
            printf("%-8d %18.0f %7.1fx %22.0f %7.1fx %16.0f\n", writers[i], d, d / s, c, c / s, s);
    }
    if (failed)
        fprintf(stderr, "bench_ledger: a run failed (above); its files are in %s\n", run);
    else
        failed = bench_remove_dir(run) != 0;
    return failed;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "appends") == 0) {
        double secs = atof(argv[3]);
        int writers[MAX_WRITERS] = {1, 8, 64}, nw = 3;
        if (argc > 4)
            for (nw = 0; nw < argc - 4 && nw < MAX_WRITERS; nw++)
                if ((writers[nw] = atoi(argv[4 + nw])) < 1 || writers[nw] > MAX_WRITERS)
                    return fprintf(stderr, "writers: 1 to %d\n", MAX_WRITERS), 2;
        return appends(argv[2], secs, writers, nw);
    }
    if (argc == 4 && strcmp(argv[1], "proofs") == 0)
        return proofs(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: bench_ledger appends DIR SECONDS [WRITERS...] | proofs DIR ENTRIES\n");
    return 2;
}
