/*
 * Fuzz target: request JSON, then one authorization of it against a fixed
 * policy set that touches the context in many ways.
 */
#include <stdint.h>
#include <string.h>

#include "../src/cedar/cedar.h"

static const char *policies =
    "permit(principal, action, resource) when { context.a + 1 > 2 && context has b.c };\n"
    "forbid(principal in Group::\"g\", action, resource) unless { context.s like \"a*\" };\n"
    "permit(principal, action, resource) when { context.ip.isInRange(ip(\"10.0.0.0/8\")) };\n"
    "permit(principal, action, resource) when { context.set.containsAny([1, \"x\", User::\"u\"]) "
    "};\n"
    "permit(principal, action, resource) when { context.t.offset(duration(\"1h\")) > "
    "datetime(\"2024-01-01\") };\n"
    "permit(principal, action, resource) when { principal.getTag(\"k\") == context };\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cedar_policyset *ps;
    static struct cedar_entities *es;
    static struct cedar_authorizer *az;
    static struct cedar_diags diags;
    if (!ps) {
        cedar_hash_init();
        ps = cedar_policyset_new();
        es = cedar_entities_new();
        az = cedar_authorizer_new();
        if (cedar_policyset_add_text(ps, policies, strlen(policies), 0, &diags))
            __builtin_trap();
    }
    struct cedar_arena a;
    cedar_arena_init(&a, CEDAR_MAX_REQUEST_ARENA);
    struct cedar_request req;
    struct cedar_error err;
    if (cedar_request_from_json(&a, (const char *)data, size, &req, &err) == 0) {
        struct cedar_response resp;
        cedar_authorize(az, ps, es, &req, &resp);
    }
    cedar_arena_release(&a);
    return 0;
}
