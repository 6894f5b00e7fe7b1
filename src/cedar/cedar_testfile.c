#include "cedar_testfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util_file.h"
#include "cedar_authz.h"
#include "cedar_jsonr.h"
#include "cedar_request.h"
#include "cedar_schema.h"
#include "cedar_validate.h"

struct run {
    const char *path;
    struct cedar_policyset *ps;
    struct cedar_entities *es;
    struct cedar_authorizer *az;
    struct util_buf *report;
    struct cedar_testfile_result *res;
    struct cedar_schema *schema; /* NULL: none named, or it did not load */
    char schema_err[CEDAR_MAX_ERRMSG * 2];
};

static int
load_file(const char *root, const struct jv *name, size_t max, char **text, size_t *len,
          struct cedar_error *err)
{
    if (!name || name->type != JV_STRING) {
        cedar_seterr(err, "test file: expected file names for \"policies\" and \"entities\"");
        return CEDAR_E_JSON;
    }
    char *path = util_path_join(root, name->s.p);
    if (!path) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    int rc = util_read_file(path, max, text, len, err->msg, sizeof(err->msg));
    free(path);
    return rc ? CEDAR_E_IO : 0;
}

static int
load_policies(struct run *r, const char *root, const struct jv *name, struct cedar_error *err)
{
    char *text;
    size_t len;
    int rc = load_file(root, name, CEDAR_MAX_POLICY_TEXT, &text, &len, err);
    if (rc)
        return rc;
    static struct cedar_diags diags;
    diags.n = 0;
    rc = cedar_policyset_add_text(r->ps, text, len, 0, &diags);
    if (rc && diags.n)
        cedar_seterr(err, "%s:%u:%u: %s", name->s.p, diags.v[0].line, diags.v[0].col,
                     diags.v[0].msg);
    else if (rc)
        cedar_seterr(err, "%s: %s", name->s.p, cedar_strerror(rc));
    free(text);
    return rc;
}

static int
load_entities(struct run *r, const char *root, const struct jv *name, struct cedar_error *err)
{
    if (name && name->type == JV_NULL)
        return 0;
    char *text;
    size_t len;
    int rc = load_file(root, name, CEDAR_MAX_JSON_TEXT, &text, &len, err);
    if (rc)
        return rc;
    rc = cedar_entities_load_json_schema(r->es, text, len, r->schema, err);
    free(text);
    return rc;
}

static int
str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ids sorted and joined with ", " into out (for comparing and reporting). */
static int
join_ids(const char **v, size_t n, struct util_buf *out)
{
    qsort(v, n, sizeof(*v), str_ptr_cmp);
    for (size_t i = 0; i < n; i++)
        if ((i && util_buf_puts(out, ", ")) || util_buf_puts(out, v[i]))
            return -1;
    return 0;
}

static int
expected_ids(const struct jv *arr, struct util_buf *out)
{
    size_t n = arr && arr->type == JV_ARRAY ? arr->n : 0;
    const char **v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct jv *x = arr->items[i];
        /* Some corpora give errors as {"policyId": .., "error": ..}. */
        if (x->type == JV_OBJECT)
            x = jv_get(x, "policyId");
        v[i] = x && x->type == JV_STRING ? x->s.p : "?";
    }
    int rc = join_ids(v, n, out);
    free(v);
    return rc;
}

static int
actual_ids(const struct cedar_response *resp, int errors, struct util_buf *out)
{
    size_t n = errors ? resp->nerrors : resp->nreasons;
    const char **v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = errors ? resp->errors[i].policy->id : resp->reasons[i]->id;
    int rc = join_ids(v, n, out);
    free(v);
    return rc;
}

static void
report_failure(struct run *r, size_t idx, const struct jv *req, const char *what)
{
    const struct jv *desc = jv_get(req, "description");
    int has = desc && desc->type == JV_STRING;
    util_buf_printf(r->report, "FAIL %s request %zu%s%s%s: %s\n", r->path, idx, has ? " (" : "",
                    has ? desc->s.p : "", has ? ")" : "", what);
    r->res->failed++;
}

static void
run_request(struct run *r, size_t idx, const struct jv *req)
{
    struct cedar_request creq;
    struct cedar_error err;
    struct cedar_arena reqa;
    cedar_arena_init(&reqa, CEDAR_MAX_REQUEST_ARENA);
    struct cedar_response resp;
    struct util_buf want_r, got_r, want_e, got_e, msg;
    util_buf_init(&want_r, 1 << 20);
    util_buf_init(&got_r, 1 << 20);
    util_buf_init(&want_e, 1 << 20);
    util_buf_init(&got_e, 1 << 20);
    util_buf_init(&msg, 1 << 20);
    const struct jv *decision = jv_get(req, "decision");
    /* with the schema, unless the request says "validateRequest": false */
    const struct jv *vreq = jv_get(req, "validateRequest");
    const struct cedar_schema *s = vreq && vreq->type == JV_BOOL && !vreq->b ? NULL : r->schema;
    int rc =
        cedar_request_build_schema(&reqa, jv_get(req, "principal"), jv_get(req, "action"),
                                   jv_get(req, "resource"), jv_get(req, "context"), s, &creq, &err);
    if (rc) {
        report_failure(r, idx, req, err.msg);
        goto out;
    }
    rc = cedar_authorize(r->az, r->ps, r->es, &creq, &resp);
    if (rc) {
        report_failure(r, idx, req, cedar_strerror(rc));
        goto out;
    }
    const char *got = resp.allow ? "allow" : "deny";
    const char *want = decision && decision->type == JV_STRING ? decision->s.p : "?";
    if (expected_ids(jv_get(req, "reason"), &want_r) ||
        expected_ids(jv_get(req, "errors"), &want_e) || actual_ids(&resp, 0, &got_r) ||
        actual_ids(&resp, 1, &got_e)) {
        report_failure(r, idx, req, "out of memory");
        goto out;
    }
    if (strcmp(got, want) == 0 && strcmp(util_buf_str(&want_r), util_buf_str(&got_r)) == 0 &&
        strcmp(util_buf_str(&want_e), util_buf_str(&got_e)) == 0) {
        r->res->passed++;
        goto out;
    }
    util_buf_printf(&msg, "expected %s reasons [%s] errors [%s], got %s reasons [%s] errors [%s]",
                    want, util_buf_str(&want_r), util_buf_str(&want_e), got, util_buf_str(&got_r),
                    util_buf_str(&got_e));
    for (uint32_t i = 0; i < resp.nerrors; i++)
        util_buf_printf(&msg, "\n    %s: %s", resp.errors[i].policy->id, resp.errors[i].msg);
    report_failure(r, idx, req, util_buf_str(&msg));
out:
    util_buf_free(&want_r);
    util_buf_free(&got_r);
    util_buf_free(&want_e);
    util_buf_free(&got_e);
    util_buf_free(&msg);
    cedar_arena_release(&reqa);
}

/* The test's "schema", read once: it types the entities and requests,
 * and validates the policies. */
static void
load_schema(struct run *r, const char *root, const struct jv *doc)
{
    const struct jv *name = jv_get(doc, "schema");
    char *text;
    size_t len;
    struct cedar_error err;
    static struct cedar_diags diags;
    diags.n = diags.dropped = 0;
    r->schema_err[0] = '\0';
    if (!name || name->type != JV_STRING)
        return;
    if (load_file(root, name, CEDAR_MAX_SCHEMA_TEXT, &text, &len, &err)) {
        snprintf(r->schema_err, sizeof(r->schema_err), "%s", err.msg);
        return;
    }
    int rc = cedar_schema_parse(text, len, &r->schema, &diags);
    free(text);
    if (rc)
        snprintf(r->schema_err, sizeof(r->schema_err), "%s:%u:%u: %s", name->s.p,
                 diags.n ? diags.v[0].line : 0, diags.n ? diags.v[0].col : 0,
                 diags.n ? diags.v[0].msg : cedar_strerror(rc));
}

/* "shouldValidate": whether the policies validate against the schema is
 * one check of the file. */
static void
check_validation(struct run *r, const struct jv *doc)
{
    const struct jv *want = jv_get(doc, "shouldValidate");
    static struct cedar_vresult vr;
    if (!want || want->type != JV_BOOL || !jv_get(doc, "schema"))
        return;
    r->res->validations++;
    if (!r->schema) {
        util_buf_printf(r->report, "FAIL %s validation: %s\n", r->path, r->schema_err);
        r->res->failed++;
        return;
    }
    int bad = cedar_validate(r->schema, r->ps, &vr);
    if (bad < 0) {
        util_buf_printf(r->report, "FAIL %s validation: %s\n", r->path, cedar_strerror(bad));
        r->res->failed++;
    } else if ((bad == 0) != want->b) {
        const struct cedar_verror *e = NULL;
        for (uint32_t i = 0; i < vr.n && !e; i++)
            if (!vr.v[i].warning)
                e = &vr.v[i];
        util_buf_printf(r->report, "FAIL %s validation: expected %s, got %s%s%s%s\n", r->path,
                        want->b ? "valid" : "invalid", bad ? "invalid" : "valid", e ? " (" : "",
                        e ? e->msg : "", e ? ")" : "");
        r->res->failed++;
    } else {
        r->res->passed++;
    }
}

int
cedar_testfile_run(const char *path, const char *root, struct util_buf *report,
                   struct cedar_testfile_result *res, struct cedar_error *err)
{
    char *text = NULL;
    size_t len;
    struct jv *doc;
    struct cedar_arena tmp;
    struct run r = {.path = path, .report = report, .res = res};
    int rc = CEDAR_E_NOMEM;
    if (util_read_file(path, CEDAR_MAX_JSON_TEXT, &text, &len, err->msg, sizeof(err->msg)))
        return CEDAR_E_IO;
    cedar_arena_init(&tmp, 0);
    if ((rc = jv_parse(&tmp, text, len, &doc, err)))
        goto out;
    const struct jv *reqs = jv_get(doc, "requests");
    if (!reqs || reqs->type != JV_ARRAY) {
        cedar_seterr(err, "%s: expected an object with \"requests\"", path);
        rc = CEDAR_E_JSON;
        goto out;
    }
    r.ps = cedar_policyset_new();
    r.es = cedar_entities_new();
    r.az = cedar_authorizer_new();
    if (!r.ps || !r.es || !r.az) {
        cedar_seterr(err, "out of memory");
        rc = CEDAR_E_NOMEM;
        goto out;
    }
    load_schema(&r, root, doc);
    if ((rc = load_policies(&r, root, jv_get(doc, "policies"), err)) ||
        (rc = load_entities(&r, root, jv_get(doc, "entities"), err)))
        goto out;
    check_validation(&r, doc);
    for (uint32_t i = 0; i < reqs->n; i++)
        run_request(&r, i, reqs->items[i]);
    rc = 0;
out:
    cedar_policyset_free(r.ps);
    cedar_entities_free(r.es);
    cedar_authorizer_free(r.az);
    cedar_schema_free(r.schema);
    cedar_arena_release(&tmp);
    free(text);
    return rc;
}
