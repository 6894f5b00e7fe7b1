/*
 * Cedar's own integration tests, run in place from shared/data/cedar:
 * the 74 handwritten requests and every request of the fuzz-generated
 * corpus (which tests/run.sh extracts into build/corpus), entities and
 * requests read with each test's schema; and each file's shouldValidate
 * against the validator's outcome.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/cedar/cedar_testfile.h"
#include "test_util.h"

struct tally {
    unsigned passed, failed, files, validations;
};

static int
run_file(const char *path, const char *root, struct tally *t, struct util_buf *report)
{
    struct cedar_testfile_result res = {0, 0, 0};
    struct cedar_error err;
    int rc = cedar_testfile_run(path, root, report, &res, &err);
    if (rc) {
        util_buf_printf(report, "FAIL %s: %s\n", path, err.msg);
        t->failed++;
    }
    t->passed += res.passed;
    t->failed += res.failed;
    t->validations += res.validations;
    t->files++;
    return rc;
}

static void
test_handwritten(void **state)
{
    (void)state;
    char root[1024];
    snprintf(root, sizeof(root), "%s/data/cedar", tu_shared_dir());
    static const char *const dirs[] = {"decimal", "ip", "multi", "example_use_cases"};
    struct tally t = {0, 0, 0, 0};
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
    fprintf(stderr, "handwritten: %u files, %u passed, %u failed (%u of them validations)\n",
            t.files, t.passed, t.failed, t.validations);
    if (t.failed)
        fputs(util_buf_str(&report), stderr);
    util_buf_free(&report);
    /* 74 requests and 22 files' shouldValidate, the schema's 13 included */
    assert_int_equal(t.passed + t.failed, 74 + 22);
    assert_int_equal(t.validations, 22);
    assert_int_equal(t.failed, 0);
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
    struct tally t = {0, 0, 0, 0};
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
    fprintf(stderr,
            "corpus: %u files, %u checks passed, %u failed (%u shouldValidate, the rest "
            "requests)\n",
            t.files, t.passed, t.failed, t.validations);
    assert_true(t.files > 3900);
    assert_int_equal(t.validations, t.files);
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
