/*
 * inspect_text: the cases of tests/data/inspect-text.txt (text for people
 * and the commands found in it), and the snippet limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect_text.h"
#include "test_util.h"

static void
render(const char *text, size_t len, char *out, size_t cap)
{
    struct inspect_snippets s;
    size_t off = 0;
    out[0] = '\0';
    assert_int_equal(inspect_text_snippets(text, len, &s), 0);
    for (size_t i = 0; i < s.n && off < cap; i++) {
        const struct inspect_snippet *p = &s.v[i];
        char k = "FIPC"[p->kind];
        off += (size_t)snprintf(out + off, cap - off, "%s%c{%.*s}", i ? " " : "",
                                p->strong ? k : (char)(k + 32), (int)p->len, text + p->off);
    }
    inspect_snippets_release(&s);
}

/* Escape newlines and backslashes in out the way the case file writes them. */
static void
render_escaped(const char *text, size_t len, char *out, size_t cap)
{
    char *raw = malloc(cap);
    assert_non_null(raw);
    render(text, len, raw, cap);
    size_t o = 0;
    for (size_t i = 0; raw[i] && o + 3 < cap; i++) {
        static const char special[] = "\n\t\r\\", letter[] = "ntr\\";
        const char *esc = raw[i] ? strchr(special, raw[i]) : NULL;
        if (esc) {
            out[o++] = '\\';
            out[o++] = letter[esc - special];
        } else {
            out[o++] = raw[i];
        }
    }
    out[o] = '\0';
    free(raw);
}

static void
test_cases(void **state)
{
    (void)state;
    assert_true(tu_run_cases("inspect-text.txt", render_escaped, 1) >= 19);
}

/* More snippets than INSPECT_MAX_SNIPPETS: the rest is not read, and says so. */
static void
test_limit(void **state)
{
    (void)state;
    size_t n = INSPECT_MAX_SNIPPETS + 1, len = n * 4;
    char *t = malloc(len + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * 4, "`x` ", 4);
    struct inspect_snippets s;
    assert_int_equal(inspect_text_snippets(t, len - 1, &s), 0);
    assert_int_equal(s.n, INSPECT_MAX_SNIPPETS);
    assert_true(s.truncated);
    inspect_snippets_release(&s);
    assert_int_equal(inspect_text_snippets(t, (n - 1) * 4 - 1, &s), 0);
    assert_int_equal(s.n, INSPECT_MAX_SNIPPETS);
    assert_false(s.truncated);
    inspect_snippets_release(&s);
    free(t);
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
