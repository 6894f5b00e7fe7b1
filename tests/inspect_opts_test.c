/*
 * inspect_opts: options read as getopt_long reads them (the issue's
 * examples: rm -fr, -Rf, long options with =), and the limit crossed.
 */
#include <stdio.h>
#include <string.h>

#include "../src/inspect/inspect_opts.h"
#include "../src/inspect/inspect_shell.h"
#include "test_util.h"

static const struct inspect_optspec rm = {"", "", "recursive=r force=f interactive=i", 0, 0, ""};
static const struct inspect_optspec chmod_ = {"", "reference", "recursive=R", 0, 0, ""};
static const struct inspect_optspec tar = {"fCT", "file directory", "", 0, 0, ""};
static const struct inspect_optspec sshlike = {"p", "", "", 1, 0, ""};

static void
opts_case(const char *text, size_t len, char *got, size_t cap)
{
    struct inspect_script s;
    struct inspect_opts o;
    if (inspect_shell_parse(text, len, &s) || s.n != 1) {
        snprintf(got, cap, "not one command");
        inspect_script_release(&s);
        return;
    }
    const struct inspect_cmd *c = &s.cmds[0];
    const struct inspect_optspec *spec = !strcmp(c->argv[0], "rm")      ? &rm
                                         : !strcmp(c->argv[0], "chmod") ? &chmod_
                                         : !strcmp(c->argv[0], "tar")   ? &tar
                                                                        : &sshlike;
    inspect_opts_parse(c->argv, c->argc, spec, &o);
    size_t n = 0;
    for (size_t i = 0; i < o.n; i++)
        n += (size_t)snprintf(got + n, cap - n, "%s%s%s%s", n ? " " : "", o.v[i].name,
                              o.v[i].value ? "=" : "", o.v[i].value ? o.v[i].value : "");
    n += (size_t)snprintf(got + n, cap - n, "%s|", n ? " " : "");
    for (size_t i = 0; i < o.noperands; i++)
        n += (size_t)snprintf(got + n, cap - n, " %s", c->argv[o.operands[i]]);
    inspect_script_release(&s);
}

static void
test_cases(void **state)
{
    (void)state;
    assert_true(tu_run_cases("inspect-opts.txt", opts_case, 0) >= 10);
}

static void
test_limit(void **state)
{
    (void)state;
    char *argv[INSPECT_MAX_OPTS + 2];
    struct inspect_opts o;
    argv[0] = "rm";
    for (size_t i = 1; i <= INSPECT_MAX_OPTS; i++)
        argv[i] = "-f";
    inspect_opts_parse(argv, INSPECT_MAX_OPTS + 1, &rm, &o);
    assert_int_equal(o.n, INSPECT_MAX_OPTS);
    assert_false(o.truncated);
    argv[INSPECT_MAX_OPTS + 1] = "-r";
    inspect_opts_parse(argv, INSPECT_MAX_OPTS + 2, &rm, &o);
    assert_true(o.truncated);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
