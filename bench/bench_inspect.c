/*
 * Inspection's speed (issue 4's targets: a 100-byte command analysed in
 * under 5 us, 1 MB of Markdown in under 20 ms): lexing, parsing and
 * unwrapping a 100-byte command line; its findings with the shipped rules;
 * the whole inspection the gateway runs (rules and secrets); then a 1 MB
 * Markdown document: its snippets, its secrets, the whole inspection, each
 * against the baseline of reading the bytes once (counting lines) in the
 * same run.  Not part of the tests.
 *
 *   build/bench/bench_inspect [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/defaults/defaults.h"
#include "../src/inspect/inspect.h"
#include "../src/inspect/inspect_secret.h"
#include "../src/inspect/inspect_shell.h"
#include "../src/inspect/inspect_text.h"
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

/* About 1 KB of what an agent writes on a forum, repeated to 1 MB: every
 * part is read whole (the findings stay under INSPECT_MAX_FINDINGS). */
static char *
document(size_t *len)
{
    static const char part[] =
        "## Fixing the nightly job\n\n"
        "The analytics job fails with 403 on the bucket since this morning. Ask\n"
        "Dana in #data-eng if unsure, or see https://wiki.example.com/jobs for the\n"
        "runbook. The quick fix people suggest is `gsutil iam ch` for allUsers,\n"
        "which is wrong: it opens the bucket to everyone.\n\n"
        "```bash\n"
        "gcloud auth login\n"
        "gsutil iam ch projectViewer:acme-analytics:objectViewer \\\n"
        "    gs://acme-user-exports\n"
        "for f in $(ls /srv/jobs); do echo \"$f\"; done\n"
        "```\n\n"
        "Then check it:\n\n"
        "```console\n"
        "$ gsutil iam get gs://acme-user-exports | jq '.bindings[] | .role'\n"
        "\"roles/storage.objectViewer\"\n"
        "```\n\n"
        "    make test && ./run.sh --dry-run\n\n"
        "- keep `~/.config/gcloud` private (`chmod 700 ~/.config/gcloud`)\n"
        "- never paste tokens here; rotate them with `gh auth refresh`\n\n";
    size_t plen = sizeof(part) - 1, n = (1u << 20) / plen + 1;
    char *d = malloc(n * plen + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(d + i * plen, part, plen);
    *len = n * plen;
    d[*len] = '\0';
    return d;
}

static void
markdown(struct inspect *in, struct inspect_list *l)
{
    size_t len, lines = 0;
    char *d = document(&len);
    if (!d)
        return;
    const int reps = 20;
    double t0 = now_us();
    for (int r = 0; r < reps; r++)
        for (const char *p = d; (p = memchr(p, '\n', (size_t)(d + len - p))); p++)
            lines++;
    double base = (now_us() - t0) / reps / 1000;
    struct inspect_snippets s = {0};
    t0 = now_us();
    for (int r = 0; r < reps; r++) {
        inspect_snippets_release(&s);
        inspect_text_snippets(d, len, &s);
    }
    double snip = (now_us() - t0) / reps / 1000;
    t0 = now_us();
    for (int r = 0; r < reps; r++) {
        l->n = 0, l->full = 0;
        inspect_run(in, INSPECT_TEXT, d, len, l);
    }
    double all = (now_us() - t0) / reps / 1000;
    struct inspect_secrets *sec;
    char err[256];
    double secrets = 0;
    if (inspect_secrets_load(&sec, defaults_inspect_secrets, strlen(defaults_inspect_secrets), err,
                             sizeof(err)) == 0) {
        t0 = now_us();
        for (int r = 0; r < reps; r++) {
            l->n = 0, l->full = 0;
            inspect_secrets_find(sec, d, len, 0, l);
        }
        secrets = (now_us() - t0) / reps / 1000;
        inspect_secrets_free(sec);
    }
    printf("%.2f MB of Markdown (%zu lines, %zu snippets):\n"
           "  reading it once (baseline)   %8.3f ms\n"
           "  finding its snippets         %8.3f ms (%.0fx the baseline)\n"
           "  its secrets alone            %8.3f ms (%.0fx the baseline)\n"
           "  the whole inspection         %8.3f ms (%.0fx the baseline), %.1f MB/s, "
           "%zu findings%s\n",
           len / 1048576.0, lines / reps, s.n, base, snip, snip / base, secrets, secrets / base,
           all, all / base, len / 1048576.0 / (all / 1000), l->n, l->full ? " (the limit)" : "");
    inspect_snippets_release(&s);
    free(d);
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
    if (inspect_rules_load(&rules, defaults_inspect_rules, strlen(defaults_inspect_rules), err,
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
    struct inspect *in;
    if (inspect_open(&in, NULL, NULL, err, sizeof(err))) {
        fprintf(stderr, "bench_inspect: %s\n", err);
        return 1;
    }
    struct inspect_list l;
    if (inspect_list_init(&l))
        return 1;
    t0 = now_us();
    for (int i = 0; i < n; i++) {
        l.n = 0;
        inspect_run(in, INSPECT_COMMAND, cmd, len, &l);
    }
    per = (now_us() - t0) / n;
    printf("%zu-byte command, whole inspection (rules and secrets, as the gateway runs it): "
           "%.2f us each, %zu finding(s)\n",
           len, per, l.n);
    markdown(in, &l);
    inspect_list_release(&l);
    inspect_close(in);
    if (!sink)
        printf("(nothing was parsed)\n");
    return 0;
}
