/*
 * Every limit in cedar_limits.h, crossed: each gives a clear error, never a
 * crash, and the value at the limit itself is still accepted where that is
 * cheap to show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * n + tl + 1);
    assert_non_null(s);
    memcpy(s, head, hl);
    for (size_t i = 0; i < n; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * n, tail, tl + 1);
    return s;
}

static int
parse_rc(const char *text, size_t len, struct cedar_diags *d)
{
    cedar_hash_init();
    struct cedar_policyset *ps = cedar_policyset_new();
    d->n = 0;
    d->dropped = 0;
    int rc = cedar_policyset_add_text(ps, text, len, 0, d);
    cedar_policyset_free(ps);
    return rc;
}

static struct cedar_diags diags;

static void
test_policy_text_size(void **state)
{
    (void)state;
    size_t n = CEDAR_MAX_POLICY_TEXT + 1;
    char *s = malloc(n);
    assert_non_null(s);
    memset(s, ' ', n);
    assert_int_equal(parse_rc(s, n, &diags), CEDAR_E_LIMIT);
    assert_non_null(strstr(diags.v[0].msg, "larger than"));
    assert_int_equal(parse_rc(s, n - 1, &diags), 0);
    free(s);
}

static void
test_policy_count(void **state)
{
    (void)state;
    char *s = repeat("", "permit(principal,action,resource);", CEDAR_MAX_POLICIES + 1, "");
    assert_int_equal(parse_rc(s, strlen(s), &diags), CEDAR_E_LIMIT);
    assert_non_null(strstr(diags.v[0].msg, "policies"));
    s[strlen(s) - 34] = '\0';
    assert_int_equal(parse_rc(s, strlen(s), &diags), 0);
    free(s);
}

static void
test_expression_depth(void **state)
{
    (void)state;
    char head[64];
    snprintf(head, sizeof(head), "permit(principal,action,resource) when { ");
    char *deep = repeat(head, "(", CEDAR_MAX_EXPR_DEPTH + 1, "true");
    char *text = repeat(deep, ")", CEDAR_MAX_EXPR_DEPTH + 1, " };");
    assert_int_equal(parse_rc(text, strlen(text), &diags), CEDAR_E_LIMIT);
    assert_non_null(strstr(diags.v[0].msg, "nested deeper"));
    free(deep);
    free(text);
    deep = repeat(head, "(", CEDAR_MAX_EXPR_DEPTH - 2, "true");
    text = repeat(deep, ")", CEDAR_MAX_EXPR_DEPTH - 2, " };");
    assert_int_equal(parse_rc(text, strlen(text), &diags), 0);
    free(deep);
    free(text);
}

static void
test_string_length(void **state)
{
    (void)state;
    char *text = repeat("permit(principal,action,resource) when { \"", "a", CEDAR_MAX_STRING + 1,
                        "\" == \"\" };");
    assert_int_equal(parse_rc(text, strlen(text), &diags), CEDAR_E_PARSE);
    assert_non_null(strstr(diags.v[0].msg, "too long"));
    free(text);
    char *json = repeat("[\"", "a", CEDAR_MAX_STRING + 1, "\"]");
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *v;
    struct cedar_error err;
    assert_int_equal(jv_parse(&a, json, strlen(json), &v, &err), CEDAR_E_LIMIT);
    cedar_arena_release(&a);
    free(json);
}

static void
test_set_and_record_elements(void **state)
{
    (void)state;
    char *text = repeat("permit(principal,action,resource) when { [", "1,", CEDAR_MAX_ELEMENTS,
                        "1].isEmpty() };");
    assert_int_equal(parse_rc(text, strlen(text), &diags), CEDAR_E_LIMIT);
    free(text);
    char *json = repeat("{\"s\": [", "1,", CEDAR_MAX_ELEMENTS, "1]}");
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *v;
    struct cedar_value val;
    struct cedar_error err;
    assert_int_equal(jv_parse(&a, json, strlen(json), &v, &err), 0);
    assert_int_equal(cedar_json_value(&a, v, 0, &val, &err), CEDAR_E_LIMIT);
    assert_non_null(strstr(err.msg, "more than"));
    cedar_arena_release(&a);
    free(json);
}

static void
test_annotations_and_conditions(void **state)
{
    (void)state;
    struct util_buf b;
    util_buf_init(&b, 1 << 20);
    for (unsigned i = 0; i <= CEDAR_MAX_ANNOTATIONS; i++)
        util_buf_printf(&b, "@a%u(\"x\")\n", i);
    util_buf_puts(&b, "permit(principal,action,resource);");
    assert_int_equal(parse_rc(b.p, b.len, &diags), CEDAR_E_PARSE);
    assert_non_null(strstr(diags.v[0].msg, "annotations"));
    util_buf_free(&b);
    char *text = repeat("permit(principal,action,resource)", " when { true }",
                        CEDAR_MAX_CONDITIONS + 1, ";");
    assert_int_equal(parse_rc(text, strlen(text), &diags), CEDAR_E_PARSE);
    assert_non_null(strstr(diags.v[0].msg, "conditions"));
    free(text);
}

static void
test_diagnostics_count(void **state)
{
    (void)state;
    char *text =
        repeat("", "permit(principal,action,resource) when { + };\n", CEDAR_MAX_DIAGS + 5, "");
    assert_int_equal(parse_rc(text, strlen(text), &diags), CEDAR_E_PARSE);
    assert_int_equal(diags.n, CEDAR_MAX_DIAGS);
    assert_int_equal(diags.dropped, 5);
    free(text);
}

static int
load_entities(const char *json, struct cedar_error *err)
{
    cedar_hash_init();
    struct cedar_entities *es = cedar_entities_new();
    int rc = cedar_entities_load_json(es, json, strlen(json), err);
    cedar_entities_free(es);
    return rc;
}

static void
test_entity_count(void **state)
{
    (void)state;
    struct util_buf b;
    util_buf_init(&b, (size_t)CEDAR_MAX_JSON_TEXT);
    util_buf_puts(&b, "[");
    for (unsigned i = 0; i <= CEDAR_MAX_ENTITIES; i++)
        util_buf_printf(&b, "%s{\"uid\":{\"type\":\"A\",\"id\":\"%u\"}}", i ? "," : "", i);
    util_buf_puts(&b, "]");
    struct cedar_error err;
    assert_int_equal(load_entities(b.p, &err), CEDAR_E_LIMIT);
    assert_non_null(strstr(err.msg, "more than"));
    util_buf_free(&b);
}

static void
test_parents_and_depth(void **state)
{
    (void)state;
    struct cedar_error err;
    char *json = repeat("[{\"uid\":{\"type\":\"A\",\"id\":\"x\"},\"parents\":[",
                        "{\"type\":\"G\",\"id\":\"g\"},", CEDAR_MAX_PARENTS,
                        "{\"type\":\"G\",\"id\":\"h\"}]}]");
    assert_int_equal(load_entities(json, &err), CEDAR_E_LIMIT);
    assert_non_null(strstr(err.msg, "parents"));
    free(json);
    char *open = repeat("[{\"uid\":{\"type\":\"A\",\"id\":\"x\"},\"attrs\":{\"a\":", "[",
                        CEDAR_MAX_JSON_DEPTH + 1, "");
    char *deep = repeat(open, "]", CEDAR_MAX_JSON_DEPTH + 1, "}}]");
    assert_int_equal(load_entities(deep, &err), CEDAR_E_LIMIT);
    assert_non_null(strstr(err.msg, "deep"));
    free(open);
    free(deep);
}

static void
test_json_text_size(void **state)
{
    (void)state;
    size_t n = (size_t)CEDAR_MAX_JSON_TEXT + 1;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, ' ', n);
    s[0] = '[';
    s[n - 1] = ']';
    s[n] = '\0';
    struct cedar_error err;
    assert_int_equal(load_entities(s, &err), CEDAR_E_LIMIT);
    assert_non_null(strstr(err.msg, "larger than"));
    free(s);
}

static void
test_json_items(void **state)
{
    (void)state;
    char *json = repeat("[", "0,", CEDAR_MAX_JSON_ITEMS, "0]");
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *v;
    struct cedar_error err;
    assert_int_equal(jv_parse(&a, json, strlen(json), &v, &err), CEDAR_E_LIMIT);
    cedar_arena_release(&a);
    free(json);
}

static void
test_ancestor_links(void **state)
{
    (void)state;
    /* A chain of n entities has n(n-1)/2 ancestor links. */
    unsigned n = 2;
    while ((unsigned long long)n * (n - 1) / 2 <= CEDAR_MAX_ANCESTOR_LINKS)
        n++;
    struct util_buf b;
    util_buf_init(&b, (size_t)CEDAR_MAX_JSON_TEXT);
    util_buf_puts(&b, "[");
    for (unsigned i = 0; i < n; i++)
        util_buf_printf(&b,
                        "%s{\"uid\":{\"type\":\"A\",\"id\":\"%u\"},\"parents\":"
                        "[{\"type\":\"A\",\"id\":\"%u\"}]}",
                        i ? "," : "", i, i + 1);
    util_buf_puts(&b, "]");
    struct cedar_error err;
    assert_int_equal(load_entities(b.p, &err), CEDAR_E_LIMIT);
    assert_non_null(strstr(err.msg, "hierarchy too large"));
    util_buf_free(&b);
}

static void
test_request_memory(void **state)
{
    (void)state;
    /* Each evaluation of a 100,000-element set literal takes about 5 MB of
     * the request's budget; enough of them exhaust it, and then the whole
     * authorization fails (the caller denies), instead of the policy being
     * skipped as a Cedar error would be. */
    char *set = repeat("[", "1,", CEDAR_MAX_ELEMENTS - 1, "1].isEmpty()");
    unsigned per = (unsigned)((size_t)CEDAR_MAX_ELEMENTS * 2 * sizeof(struct cedar_value));
    unsigned count = CEDAR_MAX_REQUEST_ARENA / per + 2;
    struct util_buf b;
    util_buf_init(&b, (size_t)CEDAR_MAX_POLICY_TEXT);
    for (unsigned i = 0; i < count; i++)
        util_buf_printf(&b, "forbid(principal,action,resource) when { %s };\n", set);
    util_buf_puts(&b, "permit(principal,action,resource);\n");
    struct cedar_policyset *ps = tu_policies(b.p);
    struct cedar_entities *es = tu_entities("[]");
    struct cedar_response r;
    assert_int_equal(
        tu_authorize(ps, es, "U::\\\"a\\\"", "Action::\\\"a\\\"", "R::\\\"r\\\"", NULL, &r),
        CEDAR_E_LIMIT);
    cedar_policyset_free(ps);
    cedar_entities_free(es);
    util_buf_free(&b);
    free(set);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_text_size),
        cmocka_unit_test(test_policy_count),
        cmocka_unit_test(test_expression_depth),
        cmocka_unit_test(test_string_length),
        cmocka_unit_test(test_set_and_record_elements),
        cmocka_unit_test(test_annotations_and_conditions),
        cmocka_unit_test(test_diagnostics_count),
        cmocka_unit_test(test_entity_count),
        cmocka_unit_test(test_parents_and_depth),
        cmocka_unit_test(test_json_text_size),
        cmocka_unit_test(test_json_items),
        cmocka_unit_test(test_ancestor_links),
        cmocka_unit_test(test_request_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
