/*
 * Expression semantics, as data: tests/data/cedar-eval.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const char *entities =
    "[{\"uid\": {\"type\": \"User\", \"id\": \"alice\"},"
    "  \"attrs\": {\"age\": 30, \"manager\": {\"__entity\": {\"type\": \"User\", \"id\": "
    "\"bob\"}}},"
    "  \"parents\": [{\"type\": \"Group\", \"id\": \"admins\"}],"
    "  \"tags\": {\"level\": 3}},"
    " {\"uid\": {\"type\": \"User\", \"id\": \"bob\"}, \"attrs\": {\"age\": 50}, \"parents\": []},"
    " {\"uid\": {\"type\": \"Group\", \"id\": \"admins\"}, \"attrs\": {},"
    "  \"parents\": [{\"type\": \"Group\", \"id\": \"all\"}]}]";

static const char *context = "{\"n\": 42, \"s\": \"hi\"}";

static void
test_eval_table(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "tests/data/cedar-eval.txt");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096], got[4096];
    int lineno = 0, cases = 0, bad = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *arrow = strstr(line, " => ");
        assert_non_null(arrow);
        *arrow = '\0';
        const char *want = arrow + 4;
        tu_eval(line, entities, context, got, sizeof(got));
        cases++;
        int ok = strncmp(want, "error: ", 7) == 0 || strncmp(want, "parse error: ", 13) == 0
                     ? strncmp(got, want, strlen(want)) == 0
                     : strcmp(got, want) == 0;
        if (!ok) {
            fprintf(stderr, "cedar-eval.txt:%d: %s\n  want: %s\n  got:  %s\n", lineno, line, want,
                    got);
            bad++;
        }
    }
    fclose(f);
    fprintf(stderr, "cedar-eval.txt: %d cases, %d wrong\n", cases, bad);
    assert_true(cases > 100);
    assert_int_equal(bad, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
