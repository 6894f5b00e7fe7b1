/*
 * The validator (src/cedar/cedar_validate.h), case by case: what must be
 * refused (each error with the policy and the part that is wrong) and
 * what must pass, beside the corpus run of cedar_integration_test.
 */
#include <stdio.h>
#include <string.h>

#include "../src/cedar/cedar_schema.h"
#include "../src/cedar/cedar_validate.h"
#include "test_util.h"

static const char schema[] =
    "entity Group;\n"
    "entity User in [Group] = { name: String, level: Long, manager?: User, ip?: ipaddr };\n"
    "entity Post = { author: User, audience: String, tags: Set<String>, draft?: Bool }\n"
    "  tags String;\n"
    "entity Color enum [\"red\"];\n"
    "type Input = { audience: String, text: String, channel?: String };\n"
    "action publish appliesTo {\n"
    "  principal: [User], resource: [Post],\n"
    "  context: { input: Input, when: datetime, approved?: Bool }\n"
    "};\n"
    "action read appliesTo { principal: [User, Group], resource: [Post] };\n"
    "action admin;\n"
    "action manage in [\"admin\"] appliesTo { principal: User, resource: Post };\n";

static const struct {
    const char *policy;
    const char *want; /* NULL: validates; "warning: ..." or an error's text */
} cases[] = {
    /* the silent fail-open this exists for: a misspelt attribute */
    {"forbid(principal, action == Action::\"publish\", resource) when "
     "{ context.input.audiance == \"public\" };",
     "attribute `audiance` is not declared"},
    {"forbid(principal, action == Action::\"publish\", resource) when "
     "{ context.input.audience == \"public\" };",
     NULL},
    /* optional attributes need has; has proves them in && and if */
    {"permit(principal, action, resource) when { principal.manager.name == \"a\" };",
     "optional: test it with `has`"},
    {"permit(principal, action, resource) when { principal has manager && principal.manager.level "
     "> 3 };",
     NULL},
    {"permit(principal, action == Action::\"publish\", resource) when { if context has approved "
     "then context.approved else false };",
     NULL},
    {"permit(principal, action == Action::\"publish\", resource) when { context has approved || "
     "context.approved };",
     "optional"},
    {"permit(principal, action == Action::\"publish\", resource) when { context.input has "
     "channel && context.input.channel like \"#*\" };",
     NULL},
    {"permit(principal, action == Action::\"publish\", resource) when { context has input.channel "
     "&& context.input.channel == \"x\" };",
     NULL},
    /* operand types */
    {"permit(principal, action, resource) when { principal.level == \"3\" };", "are incompatible"},
    {"permit(principal, action, resource) when { principal.name > 3 };", "unexpected type String"},
    {"permit(principal, action == Action::\"publish\", resource) when { principal.level + 1 > 2 "
     "};",
     NULL},
    {"permit(principal, action, resource) when { principal.level > 2 };",
     "`level` is not declared in Group"},
    {"permit(principal, action, resource) when { principal.name };", "unexpected type String"},
    {"permit(principal, action, resource) when { resource.tags.contains(\"x\") };", NULL},
    {"permit(principal, action, resource) when { resource.tags.contains(1) };", "are incompatible"},
    {"permit(principal, action, resource) when { [] == [] };", "empty set"},
    {"permit(principal, action, resource) when { [1, \"a\"].isEmpty() };", "set elements"},
    {"permit(principal, action, resource) when { if true then 1 else \"a\" };",
     "unexpected type Long"},
    {"permit(principal, action, resource) when { (if principal.level > 1 then 1 else \"a\") == 1 "
     "};",
     "`if` branches"},
    /* extensions */
    {"permit(principal, action == Action::\"publish\", resource) when { context.when < "
     "datetime(\"2026-01-01\") };",
     NULL},
    {"permit(principal, action == Action::\"publish\", resource) when { context.when < "
     "datetime(\"yesterday\") };",
     "not a valid datetime"},
    {"permit(principal, action, resource) when { principal has ip && "
     "principal.ip.isInRange(ip(\"10.0.0.0/8\")) };",
     NULL},
    {"permit(principal, action, resource) when { decimal(\"1.0\").lessThan(ip(\"::1\")) };",
     "wrong argument types"},
    /* entities, enums, tags */
    {"permit(principal == Nobody::\"x\", action, resource);", "unknown entity type or action"},
    {"permit(principal, action, resource) when { Color::\"red\" == Color::\"red\" };", NULL},
    {"permit(principal, action, resource) when { Color::\"blue\" == Color::\"red\" };",
     "not one of the values"},
    {"permit(principal, action, resource) when { resource.hasTag(\"x\") && resource.getTag(\"x\") "
     "== \"y\" };",
     NULL},
    {"permit(principal, action, resource) when { resource.getTag(\"x\") == \"y\" };",
     "without `hasTag`"},
    {"permit(principal, action, resource) when { principal.getTag(\"x\") == \"y\" };",
     "has no tags"},
    {"permit(principal, action, resource) when { action.name == \"x\" };",
     "actions have no attributes"},
    /* scopes: one no environment matches is an error; a condition never
     * true is a warning */
    {"permit(principal is Group, action == Action::\"publish\", resource);",
     "matches the policy's scope"},
    {"permit(principal, action == Action::\"admin\", resource);", "matches the policy's scope"},
    {"permit(principal, action in Action::\"admin\", resource);", NULL},
    {"permit(principal in Group::\"g\", action, resource is Post);", NULL},
    {"permit(principal, action, resource) when { false };", "warning: the policy is impossible"},
    {"permit(principal, action, resource) when { principal is User && principal.name == \"a\" "
     "};",
     NULL},
    {"permit(principal, action, resource) when { principal is Group && principal.name == \"a\" "
     "};",
     "`name` is not declared in Group"},
    {"permit(principal, action, resource) when { principal == resource };", "warning"},
    /* templates validate with their slots */
    {"permit(principal == ?principal, action == Action::\"read\", resource);", NULL},
    {"@id(\"a\") permit(principal, action == Action::\"read\", resource) when { "
     "context.input.text == \"\" };",
     "attribute `input` is not declared"},
};

static void
test_cases(void **state)
{
    (void)state;
    static struct cedar_diags d;
    static struct cedar_vresult r;
    struct cedar_schema *s;
    assert_int_equal(cedar_schema_parse(schema, strlen(schema), &s, &d), 0);
    unsigned bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        struct cedar_policyset *ps = tu_policies(cases[i].policy);
        assert_non_null(ps);
        int rc = cedar_validate(s, ps, &r);
        const char *want = cases[i].want;
        int warn = want && !strncmp(want, "warning", 7);
        int ok;
        if (!want)
            ok = rc == 0 && r.n == 0;
        else if (warn)
            ok = rc == 0 && r.n == 1 && r.v[0].warning &&
                 (!want[7] || strstr(r.v[0].msg, want + 9)); /* "warning: TEXT" */
        else
            ok = rc == 1 && r.n == 1 && !r.v[0].warning && strstr(r.v[0].msg, want);
        if (!ok) {
            fprintf(stderr, "case %zu: %s\n  want %s, got rc %d: %s\n", i, cases[i].policy,
                    want ? want : "valid", rc, r.n ? r.v[0].msg : "(nothing)");
            bad++;
        } else if (r.n && !warn) {
            /* the error names its policy and points into it */
            assert_non_null(r.v[0].policy);
            assert_true(r.v[0].line >= 1 && r.v[0].col >= 1);
        }
        cedar_policyset_free(ps);
    }
    cedar_schema_free(s);
    assert_int_equal(bad, 0);
}

static void
test_position(void **state)
{
    (void)state;
    static struct cedar_diags d;
    static struct cedar_vresult r;
    struct cedar_schema *s;
    assert_int_equal(cedar_schema_parse(schema, strlen(schema), &s, &d), 0);
    struct cedar_policyset *ps =
        tu_policies("permit(principal, action, resource);\n"
                    "forbid(principal, action == Action::\"publish\", resource)\n"
                    "  when { context.input.audiance == \"public\" };\n");
    assert_int_equal(cedar_validate(s, ps, &r), 1);
    assert_string_equal(r.v[0].policy, "policy1");
    assert_int_equal(r.v[0].line, 3);
    assert_int_equal(r.v[0].col, 23);
    cedar_policyset_free(ps);
    cedar_schema_free(s);
}

static int
setup(void **state)
{
    (void)state;
    return cedar_hash_init();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_position),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
