/*
 * Inspection's speed so far (issue 4's target: a 100-byte command analysed
 * in under 5 us): lexing, parsing and unwrapping a 100-byte command line,
 * then its findings with the shipped rules.
 * (The 1 MB target is for Markdown, which inspection does not read yet.)
 * Not part of the tests.
 *
 *   build/bench/bench_inspect [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/inspect/inspect_shell.h"
#include "../src/inspect/inspect_rules.h"
#include "../src/inspect/inspect_wrap.h"

static double
now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static size_t
analyse(const char *text, size_t len)
{
    struct inspect_script s;
    size_t n = 0;
    inspect_shell_parse(text, len, &s);
    for (size_t i = 0; i < s.n; i++) {
        struct inspect_unwrapped u;
        if (inspect_unwrap(s.cmds[i].argv, s.cmds[i].argc, &u) == 0)
            n += u.cmd;
        inspect_unwrapped_release(&u);
    }
    n += s.n;
    inspect_script_release(&s);
    return n;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    /* 100 bytes: the incident's kind of advice. */
    const char *cmd = "sudo -u admin gsutil iam ch allUsers:objectViewer gs://acme-user-exports "
                      "&& echo \"done: $(date)\"";
    size_t len = strlen(cmd), sink = 0;
    double t0 = now_us();
    for (int i = 0; i < n; i++)
        sink += analyse(cmd, len);
    double per = (now_us() - t0) / n;
    printf("%zu-byte command: %.2f us each (%d runs)\n", len, per, n);
    /* The whole analysis: findings of the shipped rules. */
    struct inspect_rules *rules;
    char err[256];
    if (inspect_rules_load(&rules, inspect_default_rules, strlen(inspect_default_rules), err,
                           sizeof(err))) {
        fprintf(stderr, "bench_inspect: %s\n", err);
        return 1;
    }
    size_t nf = 0;
    t0 = now_us();
    for (int i = 0; i < n; i++) {
        struct inspect_finding *f;
        size_t k;
        if (inspect_findings(rules, cmd, len, &f, &k) == 0) {
            nf = k;
            free(f);
        }
    }
    per = (now_us() - t0) / n;
    printf("%zu-byte command with the %zu shipped rules: %.2f us each, %zu finding(s)\n", len,
           inspect_rules_count(rules), per, nf);
    inspect_rules_free(rules);
    if (!sink)
        printf("(nothing was parsed)\n");
    return 0;
}
