#include "cedar_testfile.h"

#include <stdlib.h>
#include <string.h>

#include "../util/util_file.h"
#include "cedar_authz.h"
#include "cedar_json.h"
#include "cedar_request.h"

struct run {
    const char *path;
    struct cedar_policyset *ps;
    struct cedar_entities *es;
    struct cedar_authorizer *az;
    struct cedar_buf *report;
    struct cedar_testfile_result *res;
};

static int
load_file(const char *root, json_t *name, size_t max, char **text, size_t *len,
          struct cedar_error *err)
{
    if (!json_is_string(name)) {
        cedar_seterr(err, "test file: expected file names for \"policies\" and \"entities\"");
        return CEDAR_E_JSON;
    }
    char *path = util_path_join(root, json_string_value(name));
    if (!path) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    int rc = util_read_file(path, max, text, len, err->msg, sizeof(err->msg));
    free(path);
    return rc ? CEDAR_E_IO : 0;
}

static int
load_policies(struct run *r, const char *root, json_t *name, struct cedar_error *err)
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
        cedar_seterr(err, "%s:%u:%u: %s", json_string_value(name), diags.v[0].line,
                     diags.v[0].col, diags.v[0].msg);
    else if (rc)
        cedar_seterr(err, "%s: %s", json_string_value(name), cedar_strerror(rc));
    free(text);
    return rc;
}

static int
load_entities(struct run *r, const char *root, json_t *name, struct cedar_error *err)
{
    if (json_is_null(name))
        return 0;
    char *text;
    size_t len;
    int rc = load_file(root, name, CEDAR_MAX_JSON_TEXT, &text, &len, err);
    if (rc)
        return rc;
    rc = cedar_entities_load_json(r->es, text, len, err);
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
join_ids(const char **v, size_t n, struct cedar_buf *out)
{
    qsort(v, n, sizeof(*v), str_ptr_cmp);
    for (size_t i = 0; i < n; i++)
        if ((i && cedar_buf_puts(out, ", ")) || cedar_buf_puts(out, v[i]))
            return -1;
    return 0;
}

static int
expected_ids(json_t *arr, struct cedar_buf *out)
{
    size_t n = json_array_size(arr);
    const char **v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(arr, i);
        /* Some corpora give errors as {"policyId": .., "error": ..}. */
        if (json_is_object(x))
            x = json_object_get(x, "policyId");
        v[i] = json_is_string(x) ? json_string_value(x) : "?";
    }
    int rc = join_ids(v, n, out);
    free(v);
    return rc;
}

static int
actual_ids(const struct cedar_response *resp, int errors, struct cedar_buf *out)
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
report_failure(struct run *r, size_t idx, json_t *req, const char *what)
{
    json_t *desc = json_object_get(req, "description");
    cedar_buf_printf(r->report, "FAIL %s request %zu%s%s%s: %s\n", r->path, idx,
                     json_is_string(desc) ? " (" : "",
                     json_is_string(desc) ? json_string_value(desc) : "",
                     json_is_string(desc) ? ")" : "", what);
    r->res->failed++;
}

static void
run_request(struct run *r, size_t idx, json_t *req)
{
    struct cedar_request creq;
    struct cedar_error err;
    struct cedar_arena *a = cedar_authorizer_arena(r->az);
    struct cedar_arena reqa;
    cedar_arena_init(&reqa, CEDAR_MAX_REQUEST_ARENA);
    (void)a;
    struct cedar_response resp;
    struct cedar_buf want_r, got_r, want_e, got_e, msg;
    cedar_buf_init(&want_r, 1 << 20);
    cedar_buf_init(&got_r, 1 << 20);
    cedar_buf_init(&want_e, 1 << 20);
    cedar_buf_init(&got_e, 1 << 20);
    cedar_buf_init(&msg, 1 << 20);
    json_t *decision = json_object_get(req, "decision");
    int rc = cedar_request_build(&reqa, json_object_get(req, "principal"),
                                 json_object_get(req, "action"), json_object_get(req, "resource"),
                                 json_object_get(req, "context"), &creq, &err);
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
    const char *want = json_is_string(decision) ? json_string_value(decision) : "?";
    if (expected_ids(json_object_get(req, "reason"), &want_r) ||
        expected_ids(json_object_get(req, "errors"), &want_e) || actual_ids(&resp, 0, &got_r) ||
        actual_ids(&resp, 1, &got_e)) {
        report_failure(r, idx, req, "out of memory");
        goto out;
    }
    if (strcmp(got, want) == 0 && strcmp(cedar_buf_str(&want_r), cedar_buf_str(&got_r)) == 0 &&
        strcmp(cedar_buf_str(&want_e), cedar_buf_str(&got_e)) == 0) {
        r->res->passed++;
        goto out;
    }
    cedar_buf_printf(&msg, "expected %s reasons [%s] errors [%s], got %s reasons [%s] errors [%s]",
                     want, cedar_buf_str(&want_r), cedar_buf_str(&want_e), got,
                     cedar_buf_str(&got_r), cedar_buf_str(&got_e));
    for (uint32_t i = 0; i < resp.nerrors; i++)
        cedar_buf_printf(&msg, "\n    %s: %s", resp.errors[i].policy->id, resp.errors[i].msg);
    report_failure(r, idx, req, cedar_buf_str(&msg));
out:
    cedar_buf_free(&want_r);
    cedar_buf_free(&got_r);
    cedar_buf_free(&want_e);
    cedar_buf_free(&got_e);
    cedar_buf_free(&msg);
    cedar_arena_release(&reqa);
}

int
cedar_testfile_run(const char *path, const char *root, struct cedar_buf *report,
                   struct cedar_testfile_result *res, struct cedar_error *err)
{
    char *text = NULL;
    size_t len;
    json_t *doc = NULL;
    struct run r = {.path = path, .report = report, .res = res};
    int rc = CEDAR_E_NOMEM;
    if (util_read_file(path, CEDAR_MAX_JSON_TEXT, &text, &len, err->msg, sizeof(err->msg)))
        return CEDAR_E_IO;
    doc = cedar_json_load(text, len, err);
    if (!doc) {
        rc = CEDAR_E_JSON;
        goto out;
    }
    json_t *reqs = json_object_get(doc, "requests");
    if (!json_is_object(doc) || !json_is_array(reqs)) {
        cedar_seterr(err, "%s: expected an object with \"requests\"", path);
        rc = CEDAR_E_JSON;
        goto out;
    }
    r.ps = cedar_policyset_new();
    r.es = cedar_entities_new();
    r.az = cedar_authorizer_new();
    if (!r.ps || !r.es || !r.az) {
        cedar_seterr(err, "out of memory");
        goto out;
    }
    if ((rc = load_policies(&r, root, json_object_get(doc, "policies"), err)) ||
        (rc = load_entities(&r, root, json_object_get(doc, "entities"), err)))
        goto out;
    size_t i;
    json_t *req;
    json_array_foreach(reqs, i, req)
        run_request(&r, i, req);
    rc = 0;
out:
    cedar_policyset_free(r.ps);
    cedar_entities_free(r.es);
    cedar_authorizer_free(r.az);
    json_decref(doc);
    free(text);
    return rc;
}
