/*
 * inspect_wrap: the cases of tests/data/inspect-wrap.txt (a command line
 * and what really runs through its wrappers), and the wrapper limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect_shell.h"
#include "../src/inspect/inspect_wrap.h"
#include "test_util.h"

static void
cat(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s", s);
}

static void
words(char *out, size_t cap, char *const *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (i > from)
            cat(out, cap, " ");
        cat(out, cap, v[i]);
    }
}

static void
render(const struct inspect_cmd *c, const struct inspect_unwrapped *u, char *out, size_t cap)
{
    out[0] = '\0';
    cat(out, cap, "runs:");
    if (u->cmd < c->argc) {
        cat(out, cap, " ");
        words(out, cap, c->argv, u->cmd, c->argc);
    }
    cat(out, cap, " | via:");
    for (size_t i = 0; i < u->nvia; i++) {
        cat(out, cap, " ");
        cat(out, cap, u->via[i]);
    }
    if (u->ncarried) {
        cat(out, cap, " | carried:");
        for (size_t i = 0; i < u->ncarried; i++) {
            cat(out, cap, " {");
            cat(out, cap, u->carried[i]);
            cat(out, cap, "}");
        }
    }
    if (u->nrun) {
        cat(out, cap, " | exec:");
        for (size_t i = 0; i < u->nrun; i++) {
            cat(out, cap, " {");
            words(out, cap, c->argv, u->run_start[i], u->run_end[i]);
            cat(out, cap, "}");
        }
    }
    if (u->privileged)
        cat(out, cap, " | privileged");
    if (u->remote)
        cat(out, cap, " | remote");
    if (u->opaque)
        cat(out, cap, " | opaque");
}

static void
wrap_case(const char *text, size_t len, char *got, size_t cap)
{
    struct inspect_script s;
    struct inspect_unwrapped u;
    if (inspect_shell_parse(text, len, &s) || s.n != 1 ||
        inspect_unwrap(s.cmds[0].argv, s.cmds[0].argc, &u)) {
        snprintf(got, cap, "not one command that unwraps");
        inspect_script_release(&s);
        return;
    }
    render(&s.cmds[0], &u, got, cap);
    inspect_unwrapped_release(&u);
    inspect_script_release(&s);
}

static void
test_cases(void **state)
{
    (void)state;
    assert_true(tu_run_cases("inspect-wrap.txt", wrap_case, 0) >= 15);
}

static void
test_wrapper_limit(void **state)
{
    (void)state;
    char *argv[INSPECT_MAX_WRAPPERS + 2];
    struct inspect_unwrapped u;
    for (size_t i = 0; i < INSPECT_MAX_WRAPPERS; i++)
        argv[i] = "nohup";
    argv[INSPECT_MAX_WRAPPERS] = "id";
    assert_int_equal(inspect_unwrap(argv, INSPECT_MAX_WRAPPERS + 1, &u), 0);
    assert_int_equal(u.cmd, INSPECT_MAX_WRAPPERS);
    inspect_unwrapped_release(&u);
    argv[INSPECT_MAX_WRAPPERS] = "nohup";
    argv[INSPECT_MAX_WRAPPERS + 1] = "id";
    assert_int_equal(inspect_unwrap(argv, INSPECT_MAX_WRAPPERS + 2, &u), -1);
    inspect_unwrapped_release(&u);
}

static void
test_exec_limit(void **state)
{
    (void)state;
    /* INSPECT_MAX_CARRIED commands of find -exec are looked at; one more
     * makes the whole opaque (it would not be inspected). */
    char *argv[2 + 3 * (INSPECT_MAX_CARRIED + 1)];
    size_t n = 0;
    struct inspect_unwrapped u;
    argv[n++] = "find";
    argv[n++] = ".";
    for (size_t i = 0; i < INSPECT_MAX_CARRIED; i++) {
        argv[n++] = "-exec";
        argv[n++] = "id";
        argv[n++] = ";";
    }
    assert_int_equal(inspect_unwrap(argv, n, &u), 0);
    assert_int_equal(u.nrun, INSPECT_MAX_CARRIED);
    assert_false(u.opaque);
    inspect_unwrapped_release(&u);
    argv[n++] = "-exec";
    argv[n++] = "rm";
    argv[n++] = ";";
    assert_int_equal(inspect_unwrap(argv, n, &u), 0);
    assert_true(u.opaque);
    inspect_unwrapped_release(&u);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_wrapper_limit),
        cmocka_unit_test(test_exec_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
