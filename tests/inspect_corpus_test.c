/*
 * inspect_corpus: inspection against corpora, with its figures printed.
 *
 *  - the Linux tests of Atomic Red Team (../shared/data/inspect/), each
 *    with its ATT&CK technique's expected categories
 *    (tests/data/attack-categories.tsv): recall is printed, and must not
 *    fall below ATTACK_RECALL_FLOOR (the figure when it was last raised);
 *  - the bypass classes (tests/data/inspect-bypass.txt): every one found;
 *  - everyday developer commands (tests/data/inspect-benign.txt): the
 *    false-positive rate (a finding of medium or worse) is printed and must
 *    be zero; tldr-pages' 29,496 examples: the share with a finding of
 *    medium or worse is printed and bounded;
 *  - GTFOBins' file-read, upload and shell examples: the share flagged.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect.h"
#include "test_util.h"

/* Tests of the corpus whose expected category was found, in percent. */
#define ATTACK_RECALL_FLOOR 90

static struct inspect *in;
static struct inspect_list l;

static int
setup(void **state)
{
    (void)state;
    char err[256];
    return inspect_open(&in, NULL, NULL, err, sizeof(err)) || inspect_list_init(&l);
}

static int
teardown(void **state)
{
    (void)state;
    inspect_list_release(&l);
    inspect_close(in);
    return 0;
}

static void
run(const char *cmd)
{
    l.n = 0;
    l.full = 0;
    assert_int_equal(inspect_run(in, INSPECT_COMMAND, cmd, strlen(cmd), &l), 0);
}

/* The lines of a file under tests/data, without comments; NULL-terminated. */
static char **
data_lines(const char *name)
{
    char path[512], line[8192];
    snprintf(path, sizeof(path), "%s/../tests/data/%s", tu_build_dir(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: cannot open", path);
    char **v = calloc(1024, sizeof(*v));
    size_t n = 0;
    while (v && n < 1023 && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] && line[0] != '#')
            v[n++] = strdup(line);
    }
    fclose(f);
    return v;
}

static void
free_lines(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* The expected categories of a technique (T1222.002 falls back to T1222). */
static const char *
expected(char **map, const char *technique)
{
    size_t best = 0;
    const char *cats = NULL;
    for (size_t i = 0; map[i]; i++) {
        size_t k = strcspn(map[i], "\t");
        if (!strncmp(technique, map[i], k) && (technique[k] == '\0' || technique[k] == '.') &&
            k > best) {
            best = k;
            cats = map[i] + k + 1;
        }
    }
    return cats;
}

static int
has_category(const char *cats)
{
    for (size_t i = 0; i < l.n; i++) {
        const char *c = l.v[i].category;
        size_t n = strlen(c);
        for (const char *p = cats; p && *p;) {
            size_t k = strcspn(p, "|");
            if (k == n && !strncmp(p, c, n))
                return 1;
            p += k + (p[k] == '|');
        }
    }
    return 0;
}

static void
test_atomic_red_team(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/data/inspect/atomic-red-team-linux.json", tu_shared_dir());
    json_error_t e;
    json_t *all = json_load_file(path, 0, &e);
    if (!all)
        fail_msg("%s: %s", path, e.text);
    char **map = data_lines("attack-categories.tsv");
    size_t i, shell = 0, counted = 0, hit = 0, flagged = 0, unmapped = 0;
    json_t *t;
    json_array_foreach(all, i, t) {
        const char *ex = json_string_value(json_object_get(t, "executor"));
        if (!ex || (strcmp(ex, "sh") && strcmp(ex, "bash")))
            continue; /* powershell, manual */
        shell++;
        char *cmd = tu_art_command(t);
        assert_non_null(cmd);
        run(cmd);
        free(cmd);
        flagged += inspect_list_worst(&l) >= INSPECT_SEV_MEDIUM;
        const char *cats = expected(map, json_string_value(json_object_get(t, "technique")));
        if (!cats) {
            unmapped++;
            continue;
        }
        if (!strcmp(cats, "-"))
            continue;
        counted++;
        hit += has_category(cats);
    }
    unsigned recall = counted ? (unsigned)(hit * 100 / counted) : 0;
    printf("atomic red team (linux, sh and bash): %zu tests; expected category found in %zu of "
           "%zu (recall %u%%); a finding of medium or worse in %zu of %zu; %zu techniques "
           "without a mapping\n",
           shell, hit, counted, recall, flagged, shell, unmapped);
    assert_int_equal(unmapped, 0);
    assert_true((int)recall >= ATTACK_RECALL_FLOOR);
    free_lines(map);
    json_decref(all);
}

static void
test_bypasses(void **state)
{
    (void)state;
    char **v = data_lines("inspect-bypass.txt");
    size_t n = 0, missed = 0;
    for (; v[n]; n++) {
        char *tab = strchr(v[n], '\t');
        assert_non_null(tab);
        *tab = '\0';
        tu_unescape(tab + 1, tab + 1);
        run(tab + 1);
        int found = 0;
        for (size_t k = 0; k < l.n; k++)
            found |= !strcmp(l.v[k].rule, v[n]);
        if (!found) {
            missed++;
            fprintf(stderr, "bypass not seen: %s (wanted %s)\n", tab + 1, v[n]);
        }
    }
    printf("bypass classes: %zu of %zu seen\n", n - missed, n);
    assert_int_equal(missed, 0);
    free_lines(v);
}

/* tldr-pages' everyday commands with their placeholders filled in as
 * words: {{path/to/file}} -> path/to/file, {{bash|zsh|fish}} -> bash (a
 * placeholder's alternatives; "a | b" with spaces is a pipeline, kept),
 * [-s|--long] -> -s (the pages' notation for one option spelt two ways). */
static void
tldr_command(const char *page, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = page; *p && n + 1 < cap;) {
        if (p[0] == '{' && p[1] == '{') {
            p += 2;
            const char *close = strstr(p, "}}"), *bar = strchr(p, '|');
            if (close && bar && bar < close && bar > p && bar[-1] != ' ' && bar[1] != ' ') {
                /* {{[-r|--restricted]}}: an option's two spellings */
                int opt = p[0] == '[' && close[-1] == ']';
                p += opt;
                size_t k = (size_t)(bar - p);
                if (n + k + 1 < cap) {
                    memcpy(out + n, p, k);
                    n += k;
                }
                p = close + 2;
            }
            continue;
        }
        if (p[0] == '}' && p[1] == '}') {
            p += 2;
            continue;
        }
        if (p[0] == '[' && p[1] == '-') {
            const char *bar = strchr(p, '|'), *close = strchr(p, ']');
            if (bar && close && bar < close && !memchr(p, ' ', (size_t)(close - p))) {
                size_t k = (size_t)(bar - p - 1);
                if (n + k + 1 < cap) {
                    memcpy(out + n, p + 1, k);
                    n += k;
                }
                p = close + 1;
                continue;
            }
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
}

/* The false alarms on everyday commands: tldr-pages (29,496 examples from
 * ../shared/data/inspect/tldr-commands.tsv).  Printed: how many get a
 * finding of medium or worse, and how many of those are only "parse" (the
 * pages' notation, such as <Ctrl> keys, is not shell); each rule's count
 * goes to the log.  Must not rise above TLDR_FLAGGED_CEILING (per ten
 * thousand, excluding parse), the figure when it was last lowered. */
#define TLDR_FLAGGED_CEILING 154

static void
test_tldr(void **state)
{
    (void)state;
    char path[512], line[16384], cmd[16384];
    snprintf(path, sizeof(path), "%s/data/inspect/tldr-commands.tsv", tu_shared_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: cannot open", path);
    size_t n = 0, flagged = 0, only_parse = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#')
            continue;
        char *c = line;
        for (int k = 0; k < 3 && c; k++)
            c = strchr(c, '\t') ? strchr(c, '\t') + 1 : NULL;
        if (!c)
            continue;
        tldr_command(c, cmd, sizeof(cmd));
        run(cmd);
        n++;
        int worst_real = -1, parse = 0;
        for (size_t i = 0; i < l.n; i++) {
            int sev = inspect_severity_rank(l.v[i].severity);
            if (sev < INSPECT_SEV_MEDIUM)
                continue;
            if (!strcmp(l.v[i].rule, "parse"))
                parse = 1;
            else if (sev > worst_real)
                worst_real = sev;
        }
        if (worst_real >= 1) {
            flagged++;
            for (size_t i = 0; i < l.n; i++)
                if (inspect_severity_rank(l.v[i].severity) >= INSPECT_SEV_MEDIUM &&
                    strcmp(l.v[i].rule, "parse"))
                    fprintf(stderr, "tldr flagged: %s: %s\n", l.v[i].rule, cmd);
        } else if (parse) {
            only_parse++;
        }
    }
    fclose(f);
    printf("tldr-pages: %zu commands; a finding of medium or worse in %zu (%.2f%%), and %zu more "
           "(%.2f%%) only because the pages' notation is not shell (parse)\n",
           n, flagged, 100.0 * (double)flagged / (double)n, only_parse,
           100.0 * (double)only_parse / (double)n);
    assert_true(n > 29000);
    assert_true(flagged * 10000 <= TLDR_FLAGGED_CEILING * n);
}

/* GTFOBins (../shared/data/inspect/gtfobins.json): what each Unix binary
 * can be made to do.  Its file-read, upload and shell examples, with the
 * pages' /path/to/input-file as the file an attacker would read
 * (/etc/shadow): the share of each that gets a finding is printed, and
 * must not fall below GTFOBINS_FLOOR (per cent, each function). */
#define GTFOBINS_FLOOR_READ 93
#define GTFOBINS_FLOOR_UPLOAD 95
#define GTFOBINS_FLOOR_SHELL 86

static void
test_gtfobins(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/data/inspect/gtfobins.json", tu_shared_dir());
    json_error_t e;
    json_t *all = json_load_file(path, 0, &e);
    if (!all)
        fail_msg("%s: %s", path, e.text);
    static const char *const fns[] = {"file-read", "upload", "shell"};
    static const unsigned floors[] = {GTFOBINS_FLOOR_READ, GTFOBINS_FLOOR_UPLOAD,
                                      GTFOBINS_FLOOR_SHELL};
    size_t seen[3] = {0}, flagged[3] = {0};
    const char *bin;
    json_t *b;
    json_object_foreach(all, bin, b) {
        for (int k = 0; k < 3; k++) {
            size_t i;
            json_t *ex;
            json_array_foreach(json_object_get(json_object_get(b, "functions"), fns[k]), i, ex) {
                const char *t = json_string_value(ex);
                if (!t)
                    continue;
                /* /path/to/input-file -> /etc/shadow */
                char cmd[8192];
                size_t n = 0;
                for (const char *p = t; *p && n + 16 < sizeof(cmd);) {
                    if (!strncmp(p, "/path/to/input-file", 19)) {
                        memcpy(cmd + n, "/etc/shadow", 11);
                        n += 11, p += 19;
                    } else {
                        cmd[n++] = *p++;
                    }
                }
                cmd[n] = '\0';
                run(cmd);
                seen[k]++;
                if (l.n)
                    flagged[k]++;
                else
                    fprintf(stderr, "gtfobins %s not flagged: %s\n", fns[k], cmd);
            }
        }
    }
    for (int k = 0; k < 3; k++) {
        printf("gtfobins %s: %zu of %zu examples flagged (%zu%%)\n", fns[k], flagged[k], seen[k],
               seen[k] ? flagged[k] * 100 / seen[k] : 0);
        assert_true(seen[k] > 0);
        assert_true(flagged[k] * 100 >= floors[k] * seen[k]);
    }
    json_decref(all);
}

static void
test_benign(void **state)
{
    (void)state;
    char **v = data_lines("inspect-benign.txt");
    size_t n = 0, fp = 0;
    for (; v[n]; n++) {
        run(v[n]);
        if (inspect_list_worst(&l) >= INSPECT_SEV_MEDIUM) {
            fp++;
            fprintf(stderr, "false positive: %s (%s %s)\n", v[n], l.v[0].rule, l.v[0].severity);
        }
    }
    printf("benign commands: %zu, false positives (medium or worse) %zu (%.1f%%)\n", n, fp,
           n ? 100.0 * (double)fp / (double)n : 0.0);
    assert_int_equal(fp, 0);
    free_lines(v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atomic_red_team), cmocka_unit_test(test_bypasses),
        cmocka_unit_test(test_benign),          cmocka_unit_test(test_tldr),
        cmocka_unit_test(test_gtfobins),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
