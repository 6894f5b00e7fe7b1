/*
 * inspect_shell: the cases of tests/data/inspect-shell.txt (shell text and
 * the commands it would run), and the command limit crossed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect_shell.h"
#include "test_util.h"

static void
cat(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s", s);
}

/* Pipelines renumbered in order of first appearance. */
static void
render(const struct inspect_script *s, char *out, size_t cap)
{
    unsigned seen[INSPECT_MAX_COMMANDS];
    size_t nseen = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        const struct inspect_cmd *c = &s->cmds[i];
        size_t p = 0;
        while (p < nseen && seen[p] != c->pipeline)
            p++;
        if (p == nseen)
            seen[nseen++] = c->pipeline;
        char head[64], fl[16] = "";
        size_t nf = 0;
        static const char letters[] = "bnscuo";
        for (int b = 0; b < 6; b++)
            if (c->flags & (1u << b))
                fl[nf++] = letters[b];
        if (c->depth)
            nf += (size_t)snprintf(fl + nf, sizeof(fl) - nf, "@%u", c->depth);
        snprintf(head, sizeof(head), "%s%zu.%u%s%s%s", i ? " ; " : "", p, c->stage, nf ? "[" : "",
                 fl, nf ? "]" : "");
        cat(out, cap, head);
        for (size_t k = 0; k < c->nassigns; k++) {
            cat(out, cap, " ");
            cat(out, cap, c->assigns[k]);
        }
        for (size_t k = 0; k < c->argc; k++) {
            cat(out, cap, " ");
            cat(out, cap, c->argv[k]);
        }
        for (size_t k = 0; k < c->nredirs; k++) {
            cat(out, cap, " ");
            cat(out, cap, c->redirs[k].op);
            cat(out, cap, c->redirs[k].target);
        }
    }
    if (s->error) {
        char e[160];
        snprintf(e, sizeof(e), "%serror: %s @%u", s->n ? " ; " : "", s->error, s->error_off);
        cat(out, cap, e);
    }
}

static void
shell_case(const char *text, size_t len, char *got, size_t cap)
{
    struct inspect_script s;
    inspect_shell_parse(text, len, &s);
    render(&s, got, cap);
    inspect_script_release(&s);
}

static void
test_cases(void **state)
{
    (void)state;
    assert_true(tu_run_cases("inspect-shell.txt", shell_case, 1) >= 20);
}

static void
test_command_limit(void **state)
{
    (void)state;
    struct inspect_script s;
    size_t n = INSPECT_MAX_COMMANDS;
    char *text = malloc(2 * n + 3);
    for (size_t i = 0; i < n; i++)
        text[2 * i] = 'a', text[2 * i + 1] = ';';
    assert_int_equal(inspect_shell_parse(text, 2 * n, &s), 0);
    assert_int_equal(s.n, n);
    inspect_script_release(&s);
    text[2 * n] = 'a';
    assert_int_equal(inspect_shell_parse(text, 2 * n + 1, &s), -1);
    assert_non_null(strstr(s.error, "more commands"));
    inspect_script_release(&s);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_command_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
