/*
 * Cedar's own integration tests, run in place from shared/data/cedar:
 * the 74 handwritten requests (13 need a schema: listed as expected
 * failures) and every request of the fuzz-generated corpus, which
 * tests/run.sh extracts into build/corpus.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/cedar/cedar_testfile.h"
#include "test_util.h"

struct tally {
    unsigned passed, failed, files;
};

static int
run_file(const char *path, const char *root, struct tally *t, struct util_buf *report)
{
    struct cedar_testfile_result res = {0, 0};
    struct cedar_error err;
    int rc = cedar_testfile_run(path, root, report, &res, &err);
    if (rc) {
        util_buf_printf(report, "FAIL %s: %s\n", path, err.msg);
        t->failed++;
    }
    t->passed += res.passed;
    t->failed += res.failed;
    t->files++;
    return rc;
}

/* "FAIL <file> request <i> ..." lines of a report, as "file i" strings. */
static int
failed_ids(const char *report, char ids[][256], int max)
{
    int n = 0;
    for (const char *p = report; p && *p;) {
        const char *eol = strchr(p, '\n');
        char file[200];
        int idx;
        if (sscanf(p, "FAIL %199s request %d", file, &idx) == 2 && n < max)
            snprintf(ids[n++], 256, "%s %d", file, idx);
        p = eol ? eol + 1 : NULL;
    }
    return n;
}

static void
test_handwritten(void **state)
{
    (void)state;
    char root[1024];
    snprintf(root, sizeof(root), "%s/data/cedar", tu_shared_dir());
    static const char *const dirs[] = {"decimal", "ip", "multi", "example_use_cases"};
    struct tally t = {0, 0, 0};
    struct util_buf report;
    util_buf_init(&report, 1 << 24);
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(root), 0);
    for (size_t d = 0; d < 4; d++) {
        for (int i = 1; i < 10; i++) {
            static const char *const suffixes[] = {"", "a", "b", "c", "d", "e", "f"};
            for (size_t s = 0; s < 7; s++) {
                char path[256];
                snprintf(path, sizeof(path), "tests/%s/%d%s.json", dirs[d], i, suffixes[s]);
                if (access(path, R_OK) == 0)
                    run_file(path, ".", &t, &report);
            }
        }
    }
    assert_int_equal(chdir(cwd), 0);
    fprintf(stderr, "handwritten: %u files, %u passed, %u failed\n", t.files, t.passed, t.failed);
    static char got[200][256];
    int n = failed_ids(util_buf_str(&report), got, 200);
    FILE *f = fopen("tests/data/cedar-handwritten-xfail.txt", "r");
    assert_non_null(f);
    char line[256];
    int expected = 0, unexpected = 0;
    int matched[200] = {0};
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        expected++;
        int found = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(got[i], line) == 0)
                found = matched[i] = 1;
        if (!found) {
            fprintf(stderr, "expected failure now passes (update the list): %s\n", line);
            unexpected++;
        }
    }
    fclose(f);
    for (int i = 0; i < n; i++)
        if (!matched[i]) {
            fprintf(stderr, "unexpected failure: %s\n", got[i]);
            unexpected++;
        }
    if (unexpected)
        fputs(util_buf_str(&report), stderr);
    util_buf_free(&report);
    assert_int_equal(t.passed + t.failed, 74);
    assert_int_equal(expected, 13);
    assert_int_equal(unexpected, 0);
}

static void
test_corpus(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/corpus/corpus-tests", tu_build_dir());
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr,
                "%s missing: tests/run.sh extracts it from "
                "shared/data/cedar/corpus-tests-dev.tar.gz\n",
                dir);
        fail();
    }
    char root[1024];
    snprintf(root, sizeof(root), "%s/corpus", tu_build_dir());
    struct tally t = {0, 0, 0};
    struct util_buf report;
    util_buf_init(&report, 1 << 26);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 ||
            (len > 14 && strcmp(de->d_name + len - 14, ".entities.json") == 0))
            continue;
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        run_file(path, root, &t, &report);
    }
    closedir(d);
    fputs(util_buf_str(&report), stderr);
    util_buf_free(&report);
    fprintf(stderr, "corpus: %u files, %u requests passed, %u failed\n", t.files, t.passed,
            t.failed);
    assert_true(t.files > 3900);
    assert_true(t.passed > 31000);
    assert_int_equal(t.failed, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handwritten),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
