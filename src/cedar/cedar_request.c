#include "cedar_request.h"

#include <stdio.h>

#include "cedar_json.h"

static const struct cedar_record empty_context = {0};

static int
field_uid(struct cedar_arena *a, json_t *j, const char *what, const struct cedar_uid **out,
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
cedar_request_build(struct cedar_arena *a, json_t *principal, json_t *action, json_t *resource,
                    json_t *context, struct cedar_request *out, struct cedar_error *err)
{
    struct cedar_request r;
    int rc;
    if ((rc = field_uid(a, principal, "principal", &r.principal, err)) ||
        (rc = field_uid(a, action, "action", &r.action, err)) ||
        (rc = field_uid(a, resource, "resource", &r.resource, err)))
        return rc;
    if (!context || json_is_null(context)) {
        r.context.kind = CEDAR_RECORD;
        r.context.u.rec = &empty_context;
    } else {
        if (!json_is_object(context)) {
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
    json_t *root = cedar_json_load(text, n, err);
    if (!root)
        return CEDAR_E_JSON;
    int rc;
    if (!json_is_object(root)) {
        cedar_seterr(err, "request: expected a JSON object");
        rc = CEDAR_E_JSON;
    } else {
        rc = cedar_request_build(a, json_object_get(root, "principal"),
                                 json_object_get(root, "action"),
                                 json_object_get(root, "resource"),
                                 json_object_get(root, "context"), out, err);
    }
    json_decref(root);
    return rc;
}
