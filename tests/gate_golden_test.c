/*
 * gate_golden: the gate's decisions as data (tests/golden/gate/).
 *
 * Each folder is one case:
 *
 *   case.json     {"policies": FILE (in the folder; absent: the built-in
 *                 default), "config": {...} (absent: none), "agent": NAME,
 *                 "tools": [tool definitions], "method": M, "params": {...}}
 *   verdict.json  what the gate answers: outcome, refusal, the determining
 *                 policies and the text for a person
 *   record.json   the ledger record of the request, byte for byte, with
 *                 what changes from run to run (the time, the session's
 *                 random id) written as <time> and <session>
 *
 * A case whose files differ fails with both texts.  AIRLOCK_GOLDEN_UPDATE=1
 * writes verdict.json and record.json from what the gate does now (read
 * the diff before committing it).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/gate/gate.h"
#include "../src/ledger/ledger_log.h"
#include "../src/util/util_buf.h"
#include "test_util.h"

static char base[512];

static int
setup(void **state)
{
    (void)state;
    snprintf(base, sizeof(base), "%s/golden.%d", tu_build_dir(), (int)getpid());
    return mkdir(base, 0700);
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    return system(cmd) == -1;
}

static const char *
outcome_name(enum gate_outcome o)
{
    static const char *const n[] = {"permit", "deny", "needs-approval", "held"};
    return o <= GATE_HELD ? n[o] : "?";
}

static const char *
refusal_name(enum gate_refusal r)
{
    static const char *const n[] = {"none", "policy", "approval", "unrecorded", "invalid"};
    return r <= GATE_REFUSED_INVALID ? n[r] : "?";
}

/* s with every occurrence of what replaced by with (malloc'd). */
static char *
replace_all(const char *s, const char *what, const char *with)
{
    struct util_buf b;
    util_buf_init(&b, 64u << 20);
    size_t n = strlen(what);
    for (const char *p = s, *q; *p; p = q + n) {
        if (!n || !(q = strstr(p, what))) {
            util_buf_puts(&b, p);
            break;
        }
        util_buf_add(&b, p, (size_t)(q - p));
        util_buf_puts(&b, with);
    }
    char *out = strdup(util_buf_str(&b));
    util_buf_free(&b);
    return out;
}

/* The ledger's times ("2026-12-07T10:00:00.123Z") as <time>: every
 * quoted value that starts as one does. */
static char *
without_times(const char *s)
{
    struct util_buf b;
    util_buf_init(&b, 64u << 20);
    for (const char *p = s; *p;) {
        const char *q = strchr(p, '"');
        if (!q) {
            util_buf_puts(&b, p);
            break;
        }
        util_buf_add(&b, p, (size_t)(q - p) + 1);
        const char *v = q + 1, *end = strchr(v, '"');
        size_t n = end ? (size_t)(end - v) : 0;
        if (end && n >= 20 && n <= 30 && v[4] == '-' && v[7] == '-' && v[10] == 'T' &&
            v[n - 1] == 'Z') {
            util_buf_puts(&b, "<time>\"");
            p = end + 1;
        } else {
            p = v;
        }
    }
    char *out = strdup(util_buf_str(&b));
    util_buf_free(&b);
    return out;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    struct util_buf b;
    util_buf_init(&b, 64u << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        util_buf_add(&b, chunk, n);
    fclose(f);
    char *out = strdup(b.p ? b.p : "");
    util_buf_free(&b);
    return out;
}

static void
spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Compare text with the file (or write it, updating): 0 same, 1 not. */
static int
golden(const char *dir, const char *name, const char *text)
{
    char path[1400];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (getenv("AIRLOCK_GOLDEN_UPDATE")) {
        spit(path, text);
        return 0;
    }
    char *want = slurp(path);
    int differ = !want || strcmp(want, text);
    if (differ)
        fprintf(stderr, "%s: %s differs\n  want: %s\n  got:  %s\n", dir, name,
                want ? want : "(no file)", text);
    free(want);
    return differ;
}

/* One case: 0 when everything matches. */
static int
run_case(const char *dir, const char *name)
{
    char path[1400], err[GATE_ERR_MAX], vkey[512], ldir[1400];
    snprintf(path, sizeof(path), "%s/case.json", dir);
    json_error_t je;
    json_t *c = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!c)
        fail_msg("%s: %s", path, je.text);
    snprintf(ldir, sizeof(ldir), "%s/%s", base, name);
    struct ledger_log *log;
    if (ledger_create(ldir, "test/golden", vkey, sizeof(vkey), err, sizeof(err)) ||
        ledger_open(ldir, 1, &log, err, sizeof(err)))
        fail_msg("%s: ledger: %s", name, err);
    struct gate_config cfg;
    gate_config_init(&cfg);
    const json_t *config = json_object_get(c, "config");
    if (config) {
        char *t = json_dumps(config, JSON_COMPACT);
        if (gate_config_parse(&cfg, "config", t, strlen(t), err, sizeof(err)))
            fail_msg("%s: config: %s", name, err);
        free(t);
    }
    char policies[1400];
    const char *pol = json_string_value(json_object_get(c, "policies"));
    if (pol)
        snprintf(policies, sizeof(policies), "%s/%s", dir, pol);
    struct gate_opts o = {.policies = pol ? policies : NULL,
                          .cfg = &cfg,
                          .log = log,
                          .dir = ldir,
                          .server = "srv",
                          .agent = json_string_value(json_object_get(c, "agent")),
                          .user = "dana"};
    struct gate *g;
    if (gate_open(&g, &o, err, sizeof(err)))
        fail_msg("%s: gate_open: %s", name, err);
    if (gate_set_tools(g, json_object_get(c, "tools"), err, sizeof(err)))
        fail_msg("%s: tools: %s", name, err);
    (void)gate_flush(g); /* the tools' pins, before the call */
    uint64_t before = ledger_size(log);
    struct gate_verdict v;
    gate_decide(g, json_string_value(json_object_get(c, "method")), json_object_get(c, "params"),
                &v);
    json_t *verdict =
        json_pack("{s:s, s:s, s:O, s:s}", "outcome", outcome_name(v.outcome), "refusal",
                  refusal_name(v.refusal), "policies", v.policies, "text", v.text);
    char *vt = json_dumps(verdict, JSON_INDENT(1) | JSON_SORT_KEYS);
    int failed = golden(dir, "verdict.json", vt);
    /* The request's record: the entry the verdict names, which the
     * decision wrote (there was none before it). */
    uint8_t *rec = NULL;
    size_t rlen = 0;
    assert_true(v.entry >= before);
    gate_idle(g); /* a checkpoint over it: readable */
    assert_int_equal(ledger_read_entry(log, v.entry, &rec, &rlen), 0);
    char *text = strndup((const char *)rec, rlen);
    char *s1 = replace_all(text, gate_session(g), "<session>");
    char *s2 = without_times(s1);
    size_t n = strlen(s2);
    char *s3 = malloc(n + 2);
    memcpy(s3, s2, n);
    s3[n] = '\n', s3[n + 1] = '\0';
    failed |= golden(dir, "record.json", s3);
    free(s3);
    free(s2);
    free(s1);
    free(text);
    free(rec);
    free(vt);
    json_decref(verdict);
    gate_verdict_release(&v);
    gate_close(g);
    gate_config_release(&cfg);
    ledger_close(log);
    json_decref(c);
    return failed;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_golden(void **state)
{
    (void)state;
    char root[512];
    snprintf(root, sizeof(root), "%s/../tests/golden/gate", tu_build_dir());
    DIR *d = opendir(root);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s/%s", root, names[i]);
        failed += run_case(dir, names[i]) != 0;
        free(names[i]);
    }
    printf("gate golden cases: %zu of %zu as recorded\n", n - failed, n);
    assert_true(n >= 10);
    assert_int_equal(failed, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_golden)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
