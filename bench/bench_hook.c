/*
 * The agents' hook (issue 20's targets: an event through `airlock hook`
 * under 2 ms median with airlockd, under 6 ms embedded, p99 under twice
 * that): N Claude Code PreToolUse events (a permitted Bash command), each
 * a process started with the event on its standard input as the agent
 * starts its hook, through `airlock hook claude-code` embedded (a ledger
 * of its own) and with airlockd, against an empty C program started the
 * same way (the floor: what starting any hook costs), in alternating
 * rounds so that whatever else the machine does weighs on all alike.
 * Not part of the tests.
 *
 *   build/bench/bench_hook AIRLOCK DIR [N]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define ROUND 50

static const char event[] = "{\"session_id\":\"b\",\"transcript_path\":\"/t\",\"cwd\":\"/tmp\","
                            "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
                            "\"tool_input\":{\"command\":\"make test\"}}";

/* Start argv with the event on its standard input; wait for it.  Its
 * microseconds, or -1 when it did not exit 0. */
static double
once(char *const *argv)
{
    int p[2];
    if (pipe(p))
        return -1;
    double t0 = now_us();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[0]);
    /* The floor reads nothing: the event may meet a closed pipe (EPIPE). */
    (void)!write(p[1], event, sizeof(event) - 1);
    close(p[1]);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
        return -1;
    return now_us() - t0;
}

static void
report(const char *what, double *v, int n, double floor_median)
{
    qsort(v, (size_t)n, sizeof(double), cmp);
    double m = v[n / 2] / 1000, p = v[n * 99 / 100] / 1000;
    printf("  %-28s median %7.2f ms  p99 %7.2f ms", what, m, p);
    if (floor_median > 0)
        printf("  (%.1fx the floor)", m / floor_median);
    printf("\n");
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_hook AIRLOCK DIR [N]\n");
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 1000;
    signal(SIGPIPE, SIG_IGN);
    char base[400], floor_c[520], floor_bin[520], ledger[520], sock[520], cmd[1200];
    if (n < ROUND || bench_run_dir(argv[2], "airlock-bench-hook", base, sizeof(base)))
        return 1;
    /* The floor: an empty C program. */
    snprintf(floor_c, sizeof(floor_c), "%s/empty.c", base);
    snprintf(floor_bin, sizeof(floor_bin), "%s/empty", base);
    FILE *f = fopen(floor_c, "w");
    if (!f)
        return 1;
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "cc -O2 -o '%s' '%s'", floor_bin, floor_c);
    if (system(cmd)) {
        fprintf(stderr, "bench_hook: cannot build the empty program\n");
        return 1;
    }
    snprintf(ledger, sizeof(ledger), "%s/ledger", base);
    snprintf(sock, sizeof(sock), "%s/airlockd.sock", base);
    pid_t daemon = start_daemon(base, sock, NULL);
    char *floor_argv[] = {floor_bin, NULL};
    char *embedded[] = {argv[1], "hook", "claude-code", "--dir", ledger, NULL};
    char *remote[] = {argv[1], "hook", "claude-code", "--daemon", sock, NULL};
    double *v[3];
    for (int k = 0; k < 3; k++)
        if (!(v[k] = malloc((size_t)n * sizeof(double))))
            return 1;
    for (int i = 0; i < n; i += ROUND)
        for (int k = 0; k < 3; k++)
            for (int j = i; j < i + ROUND && j < n; j++) {
                char *const *a = k == 0 ? floor_argv : k == 1 ? embedded : remote;
                if ((v[k][j] = once(a)) < 0) {
                    fprintf(stderr, "bench_hook: %s did not answer 0 (event %d)\n",
                            k == 0   ? "the empty program"
                            : k == 1 ? "airlock hook (embedded)"
                                     : "airlock hook (airlockd)",
                            j);
                    if (daemon > 0)
                        kill(daemon, SIGTERM);
                    return 1;
                }
            }
    printf("%d Claude Code PreToolUse events (Bash, permitted), each a process started as the "
           "agent starts its hook, in alternating rounds of %d:\n",
           n, ROUND);
    qsort(v[0], (size_t)n, sizeof(double), cmp);
    double floor_median = v[0][n / 2] / 1000;
    report("an empty C program (floor)", v[0], n, 0);
    report("airlock hook, embedded", v[1], n, floor_median);
    report("airlock hook, airlockd", v[2], n, floor_median);
    printf("  (targets: under 6 ms embedded and 2 ms with airlockd, median; p99 under twice)\n");
    if (daemon > 0) {
        kill(daemon, SIGTERM);
        waitpid(daemon, NULL, 0);
    }
    for (int k = 0; k < 3; k++)
        free(v[k]);
    return bench_remove_dir(base) ? 1 : 0;
}
