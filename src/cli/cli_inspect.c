/*
 * airlock check, airlock scan: inspection on the command line.
 *
 *   airlock check [OPTIONS] COMMAND      a shell command
 *   airlock scan [OPTIONS] [FILE|-]      text for people (Markdown or plain)
 *
 *   --json              {"findings":[{category, severity, start, end, text,
 *                        explanation, rule}]}
 *   --fail-on SEVERITY  exit 3 when a finding is at least that severe
 *   --rules FILE        a rule table instead of the shipped one
 *   --secrets FILE      secret formats instead of the shipped ones
 *   --config FILE       the organization (domains, broad groups) of a
 *                       configuration file: how wide a grantee is
 *
 * For a person, each finding is shown as a compiler shows an error: where
 * (line:column), how bad, what kind, the line with the part marked, and
 * the explanation.  Secrets are shown starred (inspect_report.h).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/gate_config.h"
#include "../inspect/inspect.h"
#include "../inspect/inspect_report.h"
#include "cli.h"

#define CLI_EXIT_FOUND 3
#define SHOW_WIDTH 160u /* bytes of a long line shown around a finding */

struct inspect_opts {
    const char *rules, *secrets, *config;
    int json;
    int fail_on; /* severity rank, -1: never */
};

static int
parse_opts(const char *sub, int argc, char **argv, struct inspect_opts *o)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},         {"fail-on", required_argument, NULL, 'f'},
        {"rules", required_argument, NULL, 'r'},  {"secrets", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'}, {0, 0, 0, 0},
    };
    int c;
    memset(o, 0, sizeof(*o));
    o->fail_on = -1;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            o->json = 1;
            break;
        case 'f':
            if ((o->fail_on = inspect_severity_rank(optarg)) < 0)
                return cli_usage("%s: --fail-on takes low, medium, high or critical, not '%s'", sub,
                                 optarg);
            break;
        case 'r':
            o->rules = optarg;
            break;
        case 's':
            o->secrets = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        default:
            return cli_usage("%s: unknown or incomplete option '%s'", sub, argv[optind - 1]);
        }
    }
    return 0;
}

static int
open_inspector(const struct inspect_opts *o, struct inspect **in)
{
    char *rules = NULL, *secrets = NULL, err[512];
    size_t n;
    int rc = -1;
    if (o->rules && cli_read(o->rules, INSPECT_MAX_TEXT, &rules, &n))
        goto out;
    if (o->secrets && cli_read(o->secrets, INSPECT_MAX_TEXT, &secrets, &n))
        goto out;
    if (inspect_open(in, rules, secrets, err, sizeof(err))) {
        cli_fail("%s: %s", o->rules || o->secrets ? "cannot load" : "built-in tables", err);
        goto out;
    }
    /* The configuration's organization: how wide its groups and domain are. */
    if (o->config) {
        struct gate_config cfg;
        gate_config_init(&cfg);
        if (gate_config_load(&cfg, o->config, err, sizeof(err)) ||
            gate_config_org(&cfg, *in, err, sizeof(err))) {
            cli_fail("%s", err);
            gate_config_release(&cfg);
            inspect_close(*in);
            *in = NULL;
            goto out;
        }
        gate_config_release(&cfg);
    }
    rc = 0;
out:
    free(rules);
    free(secrets);
    return rc;
}

/* Star the secrets of l inside window [ws, ws + n) of the text, held in buf:
 * a line shown for another finding must not show them either. */
static void
star_secrets(const struct inspect_list *l, size_t ws, char *buf, size_t n)
{
    for (size_t k = 0; k < l->n; k++) {
        if (strcmp(l->v[k].category, "secret"))
            continue;
        for (size_t i = (size_t)l->v[k].off + 4; i < l->v[k].end; i++)
            if (i >= ws && i < ws + n)
                buf[i - ws] = '*';
    }
}

/* One finding for a person: where, what, the line with the span marked. */
static void
show(const char *where, const struct inspect_list *l, const struct inspect_finding *f,
     const char *t, size_t len)
{
    size_t s = f->off < len ? f->off : len, e = f->end < len ? f->end : len;
    size_t ls = s, line = 1, col;
    while (ls > 0 && t[ls - 1] != '\n')
        ls--;
    for (size_t i = 0; i < ls; i++)
        line += t[i] == '\n';
    col = s - ls + 1;
    const char *nl = memchr(t + s, '\n', len - s);
    size_t le = nl ? (size_t)(nl - t) : len, ws = ls, we = le;
    if (e > le)
        e = le;
    if (we - ws > SHOW_WIDTH) {
        ws = s > ls + 40 ? s - 40 : ls;
        we = ws + SHOW_WIDTH < le ? ws + SHOW_WIDTH : le;
    }
    char buf[SHOW_WIDTH + 1];
    size_t n = we - ws;
    memcpy(buf, t + ws, n);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\t' || buf[i] == '\r')
            buf[i] = ' ';
    star_secrets(l, ws, buf, n);
    inspect_sanitize(buf, n);
    printf("%s:%zu:%zu: %s %s [%s]\n", where, line, col, f->severity, f->category, f->rule);
    printf("    %s%.*s%s\n", ws > ls ? "..." : "", (int)n, buf, we < le ? "..." : "");
    printf("    %*s", (int)(s - ws + (ws > ls ? 3 : 0)), "");
    for (size_t i = s; i < (e > s ? e : s + 1) && i < we; i++)
        putchar(i == s ? '^' : '~');
    printf("\n    %s\n", f->explanation);
    char acc[INSPECT_MAX_ACCESS_TEXT * 3];
    if (inspect_access_describe(&f->access, acc, sizeof(acc)))
        printf("    access: %s\n", acc);
}

static int
report(const struct inspect_opts *o, const char *where, const struct inspect_list *l, const char *t,
       size_t len)
{
    int worst = inspect_list_worst(l);
    if (o->json) {
        json_t *a = inspect_list_json(l, t, len);
        json_t *doc = a ? json_pack("{s:o}", "findings", a) : NULL;
        char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (!s)
            return cli_fail("out of memory writing the findings");
        puts(s);
        free(s);
    } else {
        for (size_t i = 0; i < l->n; i++)
            show(where, l, &l->v[i], t, len);
        if (l->n)
            printf("%zu finding%s, the worst %s\n", l->n, l->n == 1 ? "" : "s",
                   inspect_severity_name(worst));
        else
            printf("no findings\n");
    }
    if (fflush(stdout))
        return cli_fail("cannot write the findings");
    return o->fail_on >= 0 && worst >= o->fail_on ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static int
run(const struct inspect_opts *o, enum inspect_kind kind, const char *where, const char *t,
    size_t len)
{
    struct inspect *in;
    struct inspect_list l;
    if (open_inspector(o, &in))
        return CLI_EXIT_FAIL;
    if (inspect_list_init(&l)) {
        inspect_close(in);
        return cli_fail("out of memory");
    }
    int rc = inspect_run(in, kind, t, len, &l) ? cli_fail("out of memory while inspecting")
                                               : report(o, where, &l, t, len);
    inspect_list_release(&l);
    inspect_close(in);
    return rc;
}

int
cli_check(int argc, char **argv)
{
    struct inspect_opts o;
    int rc = parse_opts("check", argc, argv, &o);
    if (rc)
        return rc;
    if (argc - optind != 1)
        return cli_usage("check: give the command as one argument (quote it): "
                         "airlock check 'COMMAND'");
    const char *cmd = argv[optind];
    size_t len = strlen(cmd);
    if (len > INSPECT_MAX_TEXT)
        return cli_fail("check: the command is larger than inspection reads (%u bytes)",
                        INSPECT_MAX_TEXT);
    return run(&o, INSPECT_COMMAND, "command", cmd, len);
}

int
cli_scan(int argc, char **argv)
{
    struct inspect_opts o;
    int rc = parse_opts("scan", argc, argv, &o);
    if (rc)
        return rc;
    if (argc - optind > 1)
        return cli_usage("scan: one file at a time (or - for standard input)");
    const char *path = argc > optind ? argv[optind] : "-";
    char *t;
    size_t len;
    if (!strcmp(path, "-")) {
        int r = cli_read_stdin(INSPECT_MAX_TEXT, &t, &len);
        if (r)
            return cli_fail(r == -2 ? "standard input is larger than inspection reads (%u bytes)"
                                    : "cannot read standard input (%u bytes at most)",
                            INSPECT_MAX_TEXT);
    } else if (cli_read(path, INSPECT_MAX_TEXT, &t, &len)) {
        return CLI_EXIT_FAIL;
    }
    rc = run(&o, INSPECT_TEXT, !strcmp(path, "-") ? "stdin" : path, t, len);
    free(t);
    return rc;
}
