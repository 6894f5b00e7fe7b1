#include "cedar_authz.h"

#include <stdlib.h>
#include <string.h>

#include "cedar_limits.h"

struct cedar_authorizer {
    struct cedar_arena arena; /* evaluation and the response; reset per request */
    uint32_t *stamp;          /* per policy: generation that saw it */
    size_t nstamp;
    uint32_t gen;
    uint32_t *cand;
    size_t ncand_cap;
};

struct cedar_authorizer *
cedar_authorizer_new(void)
{
    struct cedar_authorizer *az = calloc(1, sizeof(*az));
    if (!az)
        return NULL;
    cedar_arena_init(&az->arena, CEDAR_MAX_REQUEST_ARENA);
    return az;
}

void
cedar_authorizer_free(struct cedar_authorizer *az)
{
    if (!az)
        return;
    cedar_arena_release(&az->arena);
    free(az->stamp);
    free(az->cand);
    free(az);
}

static int
reserve(struct cedar_authorizer *az, size_t npol)
{
    if (az->nstamp < npol) {
        uint32_t *s = realloc(az->stamp, npol * sizeof(*s));
        uint32_t *c = realloc(az->cand, npol * sizeof(*c));
        if (s)
            az->stamp = s;
        if (c)
            az->cand = c;
        if (!s || !c)
            return -1;
        memset(az->stamp + az->nstamp, 0, (npol - az->nstamp) * sizeof(*s));
        az->nstamp = npol;
        az->ncand_cap = npol;
    }
    if (++az->gen == 0) {
        memset(az->stamp, 0, az->nstamp * sizeof(*az->stamp));
        az->gen = 1;
    }
    return 0;
}

static void
add_list(struct cedar_authorizer *az, const uint32_t *v, uint32_t n, size_t *count)
{
    for (uint32_t i = 0; i < n; i++) {
        if (az->stamp[v[i]] == az->gen)
            continue;
        az->stamp[v[i]] = az->gen;
        az->cand[(*count)++] = v[i];
    }
}

/* Policies keyed by the variable's entity or any of its ancestors. */
static void
add_keyed(struct cedar_authorizer *az, const struct cedar_policyset *ps, int var,
          const struct cedar_entity *e, const struct cedar_uid *uid, size_t *count)
{
    const struct cedar_uidmap *m = cedar_policyset_index(ps, var);
    uint32_t n;
    const uint32_t *v = cedar_uidmap_get(m, uid, &n);
    add_list(az, v, n, count);
    for (uint32_t i = 0; e && i < e->nancestors; i++) {
        v = cedar_uidmap_get(m, e->ancestors[i], &n);
        add_list(az, v, n, count);
    }
}

static int
u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Candidates in policy-set order; a request usually has a handful. */
static void
sort_candidates(uint32_t *v, size_t n)
{
    if (n > 32) {
        qsort(v, n, sizeof(*v), u32_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t k = i;
        for (; k > 0 && v[k - 1] > x; k--)
            v[k] = v[k - 1];
        v[k] = x;
    }
}

int
cedar_authorize(struct cedar_authorizer *az, const struct cedar_policyset *ps,
                const struct cedar_entities *es, const struct cedar_request *req,
                struct cedar_response *resp)
{
    if (!cedar_policyset_usable(ps))
        return CEDAR_E_NOMEM;
    size_t npol = cedar_policyset_count(ps), ncand = 0;
    cedar_arena_reset(&az->arena);
    if (reserve(az, npol ? npol : 1))
        return CEDAR_E_NOMEM;
    struct cedar_eval ev = {.req = req, .es = es, .arena = &az->arena};
    cedar_eval_bind(&ev);
    uint32_t nun;
    const uint32_t *un = cedar_policyset_unindexed(ps, &nun);
    add_list(az, un, nun, &ncand);
    add_keyed(az, ps, 0, ev.principal_ent, req->principal, &ncand);
    add_keyed(az, ps, 1, ev.action_ent, req->action, &ncand);
    add_keyed(az, ps, 2, ev.resource_ent, req->resource, &ncand);
    sort_candidates(az->cand, ncand);

    /* Worst case every candidate is a reason or an error. */
    const struct cedar_policy **permits = NULL, **forbids = NULL;
    struct cedar_policy_error *errors = NULL;
    size_t np = 0, nf = 0, ne = 0, cap = ncand ? ncand : 1;
    permits = cedar_arena_alloc(&az->arena, cap * sizeof(*permits));
    forbids = cedar_arena_alloc(&az->arena, cap * sizeof(*forbids));
    errors = cedar_arena_alloc(&az->arena, cap * sizeof(*errors));
    if (!permits || !forbids || !errors)
        return CEDAR_E_LIMIT;
    for (size_t i = 0; i < ncand; i++) {
        const struct cedar_policy *p = cedar_policyset_at(ps, az->cand[i]);
        bool sat;
        if (cedar_eval_policy(&ev, p, &sat)) {
            errors[ne].policy = p;
            errors[ne].msg = cedar_arena_strndup(&az->arena, ev.err.msg, strlen(ev.err.msg));
            if (!errors[ne].msg)
                return CEDAR_E_LIMIT;
            ne++;
        } else if (sat) {
            if (p->permit)
                permits[np++] = p;
            else
                forbids[nf++] = p;
        }
    }
    if (ev.exhausted)
        return CEDAR_E_LIMIT;
    resp->allow = nf == 0 && np > 0;
    if (nf == 0 && np > 0) {
        memcpy(forbids, permits, np * sizeof(*permits));
        nf = np;
    }
    resp->reasons = forbids;
    resp->nreasons = (uint32_t)nf;
    resp->errors = errors;
    resp->nerrors = (uint32_t)ne;
    return 0;
}
