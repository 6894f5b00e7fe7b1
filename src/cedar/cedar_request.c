#include "cedar_request.h"

#include <stdio.h>

#include "cedar_json.h"
#include "cedar_schema.h"

static const struct cedar_record empty_context = {0};

static int
field_uid(struct cedar_arena *a, const struct jv *j, const char *what, const struct cedar_uid **out,
          struct cedar_error *err)
{
    if (!j) {
        cedar_seterr(err, "request: missing \"%s\"", what);
        return CEDAR_E_JSON;
    }
    int rc = cedar_json_uid(a, j, out, err);
    if (rc) {
        char inner[CEDAR_MAX_ERRMSG];
        snprintf(inner, sizeof(inner), "%s", err->msg);
        cedar_seterr(err, "request \"%s\": %s", what, inner);
    }
    return rc;
}

int
cedar_request_build(struct cedar_arena *a, const struct jv *principal, const struct jv *action,
                    const struct jv *resource, const struct jv *context, struct cedar_request *out,
                    struct cedar_error *err)
{
    return cedar_request_build_schema(a, principal, action, resource, context, NULL, out, err);
}

static int
type_listed(const struct cedar_str *v, uint32_t n, struct cedar_str t)
{
    for (uint32_t i = 0; i < n; i++)
        if (!cedar_str_cmp(v[i], t))
            return 1;
    return 0;
}

/* The request fits the schema: a declared action that applies to its
 * principal's and resource's types, a context of the action's type. */
static int
typed_request(struct cedar_arena *a, const struct jv *context, const struct cedar_schema *s,
              struct cedar_request *r, struct cedar_error *err)
{
    static const struct jv empty = {JV_OBJECT, false, 0, {"", 0}, 0, NULL, NULL};
    const struct cedar_saction *act = cedar_schema_action(s, r->action);
    if (!act) {
        cedar_seterr(err, "request: action %.*s::\"%.*s\" is not declared in the schema",
                     (int)r->action->type.n, r->action->type.p,
                     (int)(r->action->id.n > 60 ? 60 : r->action->id.n), r->action->id.p);
        return CEDAR_E_JSON;
    }
    int p_ok = type_listed(act->principals, act->nprincipals, r->principal->type);
    if (!p_ok || !type_listed(act->resources, act->nresources, r->resource->type)) {
        struct cedar_str t = p_ok ? r->resource->type : r->principal->type;
        cedar_seterr(err, "request: action \"%.*s\" does not apply to a %s of type %.*s",
                     (int)(act->uid.id.n > 60 ? 60 : act->uid.id.n), act->uid.id.p,
                     p_ok ? "resource" : "principal", (int)(t.n > 60 ? 60 : t.n), t.p);
        return CEDAR_E_JSON;
    }
    if (context && context->type != JV_NULL && context->type != JV_OBJECT) {
        cedar_seterr(err, "request \"context\": expected a JSON object");
        return CEDAR_E_JSON;
    }
    return cedar_json_typed(a, context && context->type == JV_OBJECT ? context : &empty,
                            act->context, 1, "request context", &r->context, err);
}

int
cedar_request_build_schema(struct cedar_arena *a, const struct jv *principal,
                           const struct jv *action, const struct jv *resource,
                           const struct jv *context, const struct cedar_schema *s,
                           struct cedar_request *out, struct cedar_error *err)
{
    struct cedar_request r;
    int rc;
    if ((rc = field_uid(a, principal, "principal", &r.principal, err)) ||
        (rc = field_uid(a, action, "action", &r.action, err)) ||
        (rc = field_uid(a, resource, "resource", &r.resource, err)))
        return rc;
    if (s) {
        if ((rc = typed_request(a, context, s, &r, err)))
            return rc;
    } else if (!context || context->type == JV_NULL) {
        r.context.kind = CEDAR_RECORD;
        r.context.u.rec = &empty_context;
    } else {
        if (context->type != JV_OBJECT) {
            cedar_seterr(err, "request \"context\": expected a JSON object");
            return CEDAR_E_JSON;
        }
        if ((rc = cedar_json_value(a, context, 1, &r.context, err)))
            return rc;
        if (r.context.kind != CEDAR_RECORD) {
            cedar_seterr(err, "request \"context\": expected a record");
            return CEDAR_E_JSON;
        }
    }
    *out = r;
    return 0;
}

int
cedar_request_from_json(struct cedar_arena *a, const char *text, size_t n,
                        struct cedar_request *out, struct cedar_error *err)
{
    struct cedar_arena tmp;
    cedar_arena_init(&tmp, CEDAR_MAX_REQUEST_ARENA);
    struct jv *root;
    int rc = jv_parse(&tmp, text, n, &root, err);
    if (rc)
        goto out;
    if (root->type != JV_OBJECT) {
        cedar_seterr(err, "request: expected a JSON object");
        rc = CEDAR_E_JSON;
        goto out;
    }
    rc = cedar_request_build(a, jv_get(root, "principal"), jv_get(root, "action"),
                             jv_get(root, "resource"), jv_get(root, "context"), out, err);
out:
    cedar_arena_release(&tmp);
    return rc;
}
