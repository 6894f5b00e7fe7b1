/*
 * approve_authz.c - administrative decisions with the Cedar engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cedar/cedar.h"
#include "../defaults/defaults.h"
#include "../util/util_file.h"
#include "approve_authz.h"

struct approve_authz {
    struct cedar_policyset *ps;
    struct cedar_entities *es;
    struct cedar_authorizer *az;
    struct cedar_arena arena;
};

static int
load(struct approve_authz *az, const char *policies, const char *entities, char *err, size_t errlen)
{
    char *ptext = NULL, *etext = NULL;
    size_t plen, elen;
    struct cedar_diags *d = calloc(1, sizeof(*d));
    struct cedar_error ce;
    int rc = -1;
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if ((policies && util_read_file(policies, CEDAR_MAX_POLICY_TEXT, &ptext, &plen, err, errlen)) ||
        (entities && util_read_file(entities, CEDAR_MAX_JSON_TEXT, &etext, &elen, err, errlen)))
        goto out;
    const char *p = ptext ? ptext : defaults_admin_policies;
    const char *e = etext ? etext : defaults_mcp_entities;
    const char *pname = policies ? policies : "built-in administrative policies";
    int prc = cedar_policyset_add_text(az->ps, p, strlen(p), 0, d);
    if (prc && d->n)
        snprintf(err, errlen, "%s:%u:%u: %s", pname, d->v[0].line, d->v[0].col, d->v[0].msg);
    else if (prc)
        snprintf(err, errlen, "%s: %s", pname, cedar_strerror(prc));
    else if (cedar_entities_load_json(az->es, e, strlen(e), &ce))
        snprintf(err, errlen, "%s: %s", entities ? entities : "built-in entities", ce.msg);
    else
        rc = 0;
out:
    free(d);
    free(ptext);
    free(etext);
    return rc;
}

int
approve_authz_open(struct approve_authz **out, const char *policies, const char *entities,
                   char *err, size_t errlen)
{
    struct approve_authz *az = calloc(1, sizeof(*az));
    if (!az || cedar_hash_init()) {
        free(az);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cedar_arena_init(&az->arena, CEDAR_MAX_REQUEST_ARENA);
    az->ps = cedar_policyset_new();
    az->es = cedar_entities_new();
    az->az = cedar_authorizer_new();
    if (!az->ps || !az->es || !az->az) {
        snprintf(err, errlen, "out of memory");
        approve_authz_close(az);
        return -1;
    }
    if (load(az, policies, entities, err, errlen)) {
        approve_authz_close(az);
        return -1;
    }
    *out = az;
    return 0;
}

void
approve_authz_close(struct approve_authz *az)
{
    if (!az)
        return;
    cedar_policyset_free(az->ps);
    cedar_entities_free(az->es);
    cedar_authorizer_free(az->az);
    cedar_arena_release(&az->arena);
    free(az);
}

json_t *
approve_entity(const char *type, const char *id)
{
    return json_pack("{s:{s:s, s:s}}", "__entity", "type", type, "id", id);
}

static void
reasons(const struct cedar_response *r, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < r->nreasons && off < n; i++) {
        const char *why = cedar_policy_annotation(r->reasons[i], "reason");
        off += (size_t)snprintf(buf + off, n - off, "%s%s (policy %s)", i ? "; " : "",
                                why ? why : "", r->reasons[i]->id);
    }
    if (!buf[0])
        snprintf(buf, n, "no policy permits it");
}

int
approve_authz_decide(struct approve_authz *az, const char *user, const char *action,
                     const char *rtype, const char *rid, const json_t *context, char *why, size_t n)
{
    json_t *doc = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:O}", "principal", "type",
                            "User", "id", user, "action", "type", "Action", "id", action,
                            "resource", "type", rtype, "id", rid, "context", context);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    struct cedar_request req;
    struct cedar_response r;
    struct cedar_error ce;
    int rc;
    cedar_arena_reset(&az->arena);
    if (!text) {
        snprintf(why, n, "out of memory");
        return 0;
    }
    if (cedar_request_from_json(&az->arena, text, strlen(text), &req, &ce)) {
        snprintf(why, n, "not a valid request: %s", ce.msg);
        rc = 0;
    } else if ((rc = cedar_authorize(az->az, az->ps, az->es, &req, &r)) != 0) {
        snprintf(why, n, "%s", cedar_strerror(rc));
        rc = 0;
    } else {
        reasons(&r, why, n);
        rc = r.allow;
    }
    free(text);
    return rc;
}
