/*
 * The policy parser: scopes, annotations, ids, templates, precedence, and
 * errors that name the line and column.
 */
#include <stdio.h>
#include <string.h>

#include "test_util.h"

static int
parse(const char *text, struct cedar_policyset **out, struct cedar_diags *d)
{
    cedar_hash_init();
    struct cedar_policyset *ps = cedar_policyset_new();
    d->n = 0;
    d->dropped = 0;
    int rc = cedar_policyset_add_text(ps, text, strlen(text), 0, d);
    if (out)
        *out = ps;
    else
        cedar_policyset_free(ps);
    return rc;
}

static void
expect_error(const char *text, uint32_t line, uint32_t col, const char *msg_part)
{
    static struct cedar_diags d;
    int rc = parse(text, NULL, &d);
    if (rc != CEDAR_E_PARSE || d.n == 0 || d.v[0].line != line || d.v[0].col != col ||
        !strstr(d.v[0].msg, msg_part)) {
        fprintf(stderr, "text: %s\nrc %d, got %u:%u %s\nwant %u:%u ...%s...\n", text, rc,
                d.n ? d.v[0].line : 0, d.n ? d.v[0].col : 0, d.n ? d.v[0].msg : "", line, col,
                msg_part);
        fail();
    }
}

static void
test_default_and_annotated_ids(void **state)
{
    (void)state;
    struct cedar_policyset *ps =
        tu_policies("permit(principal, action, resource);\n"
                    "@id(\"named\") @advice forbid(principal, action, resource);\n"
                    "permit(principal, action, resource);");
    assert_int_equal(cedar_policyset_count(ps), 3);
    assert_string_equal(cedar_policyset_at(ps, 0)->id, "policy0");
    assert_string_equal(cedar_policyset_at(ps, 1)->id, "named");
    assert_int_equal(cedar_policyset_at(ps, 1)->nannos, 2);
    assert_false(cedar_policyset_at(ps, 1)->annos[1].has_value);
    assert_string_equal(cedar_policyset_at(ps, 2)->id, "policy2");
    cedar_policyset_free(ps);
}

static void
test_a_text_is_added_whole_or_not_at_all(void **state)
{
    (void)state;
    static struct cedar_diags d;
    struct cedar_policyset *ps;
    /* The duplicate id comes last: the forbid before it must not go in alone. */
    int rc = parse("@id(\"a\") permit(principal, action, resource);\n"
                   "forbid(principal, action, resource);\n"
                   "@id(\"a\") permit(principal, action, resource);\n",
                   &ps, &d);
    assert_int_equal(rc, CEDAR_E_PARSE);
    assert_int_equal(d.v[0].line, 3);
    assert_non_null(strstr(d.v[0].msg, "duplicate policy id"));
    assert_int_equal(cedar_policyset_count(ps), 0);
    /* And against ids already in the set. */
    const char *one = "@id(\"b\") permit(principal, action, resource);";
    assert_int_equal(cedar_policyset_add_text(ps, one, strlen(one), 0, &d), 0);
    const char *two =
        "forbid(principal, action, resource); @id(\"b\") forbid(principal, action, resource);";
    assert_int_equal(cedar_policyset_add_text(ps, two, strlen(two), 0, &d), CEDAR_E_PARSE);
    assert_int_equal(cedar_policyset_count(ps), 1);
    cedar_policyset_free(ps);
}

static void
test_scopes(void **state)
{
    (void)state;
    struct cedar_policyset *ps = tu_policies(
        "permit(principal == User::\"a\", action == Action::\"v\", resource in Folder::\"f\");\n"
        "permit(principal is User, action in [Action::\"a\", NS::Action::\"b\"], resource is Doc "
        "in Folder::\"f\");\n"
        "permit(principal in Group::\"g\", action in Action::\"all\", resource);");
    const struct cedar_policy *p = cedar_policyset_at(ps, 0);
    assert_int_equal(p->principal.op, SCOPE_EQ);
    assert_int_equal(p->resource.op, SCOPE_IN);
    p = cedar_policyset_at(ps, 1);
    assert_int_equal(p->principal.op, SCOPE_IS);
    assert_int_equal(p->action.op, SCOPE_IN_SET);
    assert_int_equal(p->action.nuids, 2);
    assert_int_equal(p->resource.op, SCOPE_IS_IN);
    cedar_policyset_free(ps);
}

static void
test_errors_point_at_the_spot(void **state)
{
    (void)state;
    expect_error("permit(principal, action, resource)", 1, 36, "expected `;`");
    expect_error("permit(\n  principal ==,\n  action, resource);", 2, 15, "unexpected `,`");
    expect_error("permit(principal, action, resource) when { 1 < 2 < 3 };", 1, 50,
                 "unexpected `<`");
    expect_error("permit(principal, action, resource) when { x };", 1, 44, "unknown variable");
    expect_error("permit(principal, action, resource) when { \"\\q\" };", 1, 44, "invalid escape");
    expect_error("permit(principal, action, resource) when { 9223372036854775808 };", 1, 44,
                 "too large");
    expect_error("permit(principal, action, resource) when { !!!!!true };", 1, 48, "unary");
    expect_error("permit(principal, action == User::\"a\", resource);", 1, 29, "Action");
    expect_error("permit(principal is User in ?resource, action, resource);", 1, 29,
                 "expected ?principal");
    expect_error("permit(principal, action, resource) when { principal.if };", 1, 54, "reserved");
    expect_error("@a(\"x\") @a(\"y\") permit(principal, action, resource);", 1, 9, "duplicate");
    expect_error("permit(principal, action, resource) when { {a: 1, a: 2} };", 1, 51, "duplicate");
    expect_error("permit(principal, action, resource) when { \"abc };", 1, 44, "unterminated");
    expect_error("permit(principal, action, resource, context);", 1, 35, "three");
    expect_error("permit(principal, action, resource) when { };", 1, 44, "empty");
    expect_error("permit(principal, action is Action, resource);", 1, 26, "`is`");
    expect_error("permit(principal, action, resource) when { ?principal };", 1, 44, "slots");
}

static void
test_every_error_is_reported(void **state)
{
    (void)state;
    static struct cedar_diags d;
    int rc = parse("permit(principal, action, resource) when { 1 + };\n"
                   "permit(principal, action, resource);\n"
                   "forbid(principal, action, resource) unless { ) };\n",
                   NULL, &d);
    assert_int_equal(rc, CEDAR_E_PARSE);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.v[0].line, 1);
    assert_int_equal(d.v[1].line, 3);
}

static void
test_templates_and_links(void **state)
{
    (void)state;
    struct cedar_policyset *ps =
        tu_policies("@id(\"t\") permit(principal == ?principal, action, resource in ?resource);");
    assert_true(cedar_policyset_at(ps, 0)->is_template);
    struct cedar_error err;
    const char *links =
        "[{\"templateId\": \"t\", \"newId\": \"l1\", \"values\": "
        "{\"?principal\": \"User::\\\"a\\\"\", \"?resource\": {\"type\": \"F\", \"id\": \"f\"}}}]";
    assert_int_equal(cedar_policyset_link_json(ps, links, strlen(links), &err), 0);
    struct cedar_entities *es =
        tu_entities("[{\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {}, \"parents\": "
                    "[{\"type\": \"F\", \"id\": \"f\"}]}]");
    struct cedar_response r;
    assert_int_equal(
        tu_authorize(ps, es, "User::\\\"a\\\"", "Action::\\\"v\\\"", "Doc::\\\"d\\\"", NULL, &r),
        0);
    assert_true(r.allow);
    assert_int_equal(r.nreasons, 1);
    assert_string_equal(r.reasons[0]->id, "l1");
    assert_int_equal(
        tu_authorize(ps, es, "User::\\\"b\\\"", "Action::\\\"v\\\"", "Doc::\\\"d\\\"", NULL, &r),
        0);
    assert_false(r.allow);
    /* Missing slot values, unknown templates and duplicate ids are refused. */
    const char *bad1 = "[{\"templateId\": \"t\", \"newId\": \"l2\", \"values\": {\"?principal\": "
                       "\"User::\\\"a\\\"\"}}]";
    assert_int_equal(cedar_policyset_link_json(ps, bad1, strlen(bad1), &err), CEDAR_E_LINK);
    const char *bad2 = "[{\"templateId\": \"nope\", \"newId\": \"l3\", \"values\": {}}]";
    assert_int_equal(cedar_policyset_link_json(ps, bad2, strlen(bad2), &err), CEDAR_E_LINK);
    assert_int_equal(cedar_policyset_link_json(ps, links, strlen(links), &err), CEDAR_E_LINK);
    assert_non_null(strstr(err.msg, "duplicate"));
    cedar_entities_free(es);
    cedar_policyset_free(ps);
}

static void
test_format_round_trip(void **state)
{
    (void)state;
    const char *text =
        "@id(\"x\") @note(\"a\\nb\")\n"
        "permit(principal is User in Group::\"g\", action in [Action::\"a\"], resource)\n"
        "when { (1 + 2) * 3 == 9 && !(context.a < -5) || context has \"b c\" && context.x has y.z "
        "}\n"
        "unless { if principal[\"k\"] like \"a\\*b*\" then [1, {a: 2}] == [] else "
        "ip(\"::1\").isLoopback() };\n"
        "forbid(principal, action, resource) when { -(-(1)) == --1 && (principal is User in "
        "[Group::\"a\"]) };\n";
    struct cedar_policyset *ps = tu_policies(text);
    struct util_buf once, twice;
    util_buf_init(&once, 1 << 20);
    util_buf_init(&twice, 1 << 20);
    for (size_t i = 0; i < cedar_policyset_count(ps); i++)
        assert_int_equal(cedar_format_policy(&once, cedar_policyset_at(ps, i)), 0);
    struct cedar_policyset *ps2 = tu_policies(util_buf_str(&once));
    for (size_t i = 0; i < cedar_policyset_count(ps2); i++)
        assert_int_equal(cedar_format_policy(&twice, cedar_policyset_at(ps2, i)), 0);
    assert_string_equal(util_buf_str(&once), util_buf_str(&twice));
    util_buf_free(&once);
    util_buf_free(&twice);
    cedar_policyset_free(ps);
    cedar_policyset_free(ps2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_and_annotated_ids),
        cmocka_unit_test(test_a_text_is_added_whole_or_not_at_all),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_errors_point_at_the_spot),
        cmocka_unit_test(test_every_error_is_reported),
        cmocka_unit_test(test_templates_and_links),
        cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
