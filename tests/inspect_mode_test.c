/*
 * inspect_mode: chmod modes read as chmod reads them (the examples
 * and more): what widens access and what does not.
 */
#include <string.h>

#include "../src/inspect/inspect_mode.h"
#include "test_util.h"

/* "w" for a mode that widens, "-" for one that does not, "x" invalid. */
static const char *const cases[][2] = {
    {"777", "w"},      {"0777", "w"}, {"00777", "w"},     {"a+rwx", "w"},  {"o+r", "w"},
    {"644", "w"},      {"755", "w"},  {"4755", "w"},      {"u+s", "w"},    {"g+s", "w"},
    {"o=rw", "w"},     {"+w", "w"},   {"u=rwx,o=u", "w"}, {"go+w", "w"},   {"a=r", "w"},
    {"600", "-"},      {"0600", "-"}, {"700", "-"},       {"go-rwx", "-"}, {"o-w", "-"},
    {"u=rw,go=", "-"}, {"u+x", "-"},  {"0", "-"},         {"a-rwx", "-"},  {"+t", "-"},
    {"711", "-"},      {"o+x", "-"},  {"u+rw,g-w", "-"},  {"", "x"},       {"888", "x"},
    {"17777", "x"},    {"o", "x"},    {"o+r,", "x"},      {"z+r", "x"},    {"o!r", "x"},
    {",o+r", "x"},
};

static void
test_modes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct inspect_mode m;
        const char *got = inspect_mode_parse(cases[i][0], &m) ? "x"
                          : inspect_mode_widens(&m)           ? "w"
                                                              : "-";
        if (strcmp(got, cases[i][1]))
            fail_msg("mode '%s': want %s, got %s", cases[i][0], cases[i][1], got);
    }
}

static void
test_what_is_granted(void **state)
{
    (void)state;
    struct inspect_mode m;
    assert_int_equal(inspect_mode_parse("a+rwx", &m), 0);
    assert_true(m.other_write && m.other_read && m.other_exec && m.group_write && !m.absolute);
    assert_int_equal(inspect_mode_parse("o+r", &m), 0);
    assert_true(m.other_read && !m.other_write);
    assert_int_equal(inspect_mode_parse("0770", &m), 0);
    assert_true(m.absolute && m.group_write && !m.other_read);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_what_is_granted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
