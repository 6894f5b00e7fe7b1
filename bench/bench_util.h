/*
 * bench_util.h - what the benchmarks share: a clock, a comparison for
 * sorting samples, a folder of its own for each run, and airlockd in a
 * child process.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/daemon/daemon.h"
#include "../src/util/util_file.h"

static inline double
now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static inline int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The same in nanoseconds, as integers. */
static inline uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A whole input file, or exit(1) saying why. */
static inline char *
slurp(const char *path, size_t *len)
{
    char *buf, err[512];
    if (util_read_file(path, 1u << 28, &buf, len, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    return buf;
}

/* A new folder under dir for one run (named what-XXXXXX) into out: what an
 * earlier run left (a log's key, a table) is never in the way.  0, or -1
 * with the reason on stderr. */
static inline int
bench_run_dir(const char *dir, const char *what, char *out, size_t n)
{
    if ((size_t)snprintf(out, n, "%s/%s-XXXXXX", dir, what) >= n || !mkdtemp(out)) {
        fprintf(stderr, "bench: cannot make a folder under %s: %m\n", dir);
        return -1;
    }
    return 0;
}

static inline int
bench_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Remove a run's folder, unless BENCH_KEEP is set; 0, or -1 said on stderr. */
static inline int
bench_remove_dir(const char *path)
{
    if (getenv("BENCH_KEEP"))
        return fprintf(stderr, "bench: kept %s\n", path), 0;
    if (nftw(path, bench_remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0)
        return 0;
    fprintf(stderr, "bench: cannot remove %s: %m\n", path);
    return -1;
}

/* airlockd in a child on base/daemon, listening at sock, with the
 * administrative policies admin (NULL: the built-in ones); as root it
 * drops to `nobody` (base becomes its).  Its pid, or -1. */
static inline pid_t
start_daemon(const char *base, const char *sock, const char *admin)
{
    static char dir[600];
    snprintf(dir, sizeof(dir), "%s/daemon", base);
    struct passwd *pw = geteuid() == 0 ? getpwnam("nobody") : NULL;
    if (pw && (chown(base, pw->pw_uid, pw->pw_gid) || chmod(base, 0700)))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        struct daemon_opts o = {
            .dir = dir, .socket = sock, .admin_policies = admin, .user = pw ? "nobody" : NULL};
        char err[1024];
        if (daemon_run(&o, err, sizeof(err)))
            fprintf(stderr, "bench: airlockd: %s\n", err);
        _exit(0);
    }
    for (int i = 0; i < 200 && access(sock, F_OK); i++)
        usleep(10000);
    usleep(100000);
    return pid;
}

#endif
