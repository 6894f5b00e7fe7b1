#include "cedar_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar_json.h"

struct uidmap_entry {
    const struct cedar_uid *key;
    uint32_t *v;
    uint32_t n, cap;
};

struct cedar_uidmap {
    struct uidmap_entry *slots;
    size_t nslots, count;
};

struct cedar_policyset {
    struct cedar_arena arena;
    struct cedar_policy **v;
    size_t n, cap;
    /* Index: by the scope entity of principal, else resource, else action. */
    struct cedar_uidmap by[3];
    uint32_t *unindexed;
    uint32_t nunindexed, unindexed_cap;
    /* Policy ids: open addressing, index + 1, 0 = empty. */
    uint32_t *ids;
    size_t nids;
    int broken; /* an add ran out of memory half way: refuse to decide */
};

enum { IDX_PRINCIPAL, IDX_ACTION, IDX_RESOURCE };

struct cedar_policyset *
cedar_policyset_new(void)
{
    struct cedar_policyset *ps = calloc(1, sizeof(*ps));
    if (ps)
        cedar_arena_init(&ps->arena, 0);
    return ps;
}

static void
uidmap_free(struct cedar_uidmap *m)
{
    for (size_t i = 0; i < m->nslots; i++)
        free(m->slots[i].v);
    free(m->slots);
}

void
cedar_policyset_free(struct cedar_policyset *ps)
{
    if (!ps)
        return;
    for (int i = 0; i < 3; i++)
        uidmap_free(&ps->by[i]);
    free(ps->unindexed);
    free(ps->ids);
    free(ps->v);
    cedar_arena_release(&ps->arena);
    free(ps);
}

struct cedar_arena *
cedar_policyset_arena(struct cedar_policyset *ps)
{
    return &ps->arena;
}

int
cedar_policyset_usable(const struct cedar_policyset *ps)
{
    return !ps->broken;
}

size_t
cedar_policyset_count(const struct cedar_policyset *ps)
{
    return ps->n;
}

const struct cedar_policy *
cedar_policyset_at(const struct cedar_policyset *ps, size_t i)
{
    return i < ps->n ? ps->v[i] : NULL;
}

static uint64_t
id_hash(const char *id)
{
    return cedar_hash_uid("", 0, id, strlen(id));
}

/* The slot holding id, or the empty slot where it would go. */
static size_t
id_slot(const struct cedar_policyset *ps, const char *id)
{
    size_t mask = ps->nids - 1;
    for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        uint32_t k = ps->ids[i];
        if (!k || strcmp(ps->v[k - 1]->id, id) == 0)
            return i;
    }
}

const struct cedar_policy *
cedar_policyset_find(const struct cedar_policyset *ps, const char *id)
{
    if (!ps->nids)
        return NULL;
    uint32_t k = ps->ids[id_slot(ps, id)];
    return k ? ps->v[k - 1] : NULL;
}

/* Record ps->v[ps->n - 1] under its id, growing the table at half full. */
static int
id_insert(struct cedar_policyset *ps)
{
    if (ps->n * 2 > ps->nids) {
        size_t n = ps->nids ? ps->nids * 2 : 64;
        uint32_t *ids = calloc(n, sizeof(*ids));
        if (!ids)
            return -1;
        free(ps->ids);
        ps->ids = ids;
        ps->nids = n;
        for (size_t i = 0; i + 1 < ps->n; i++)
            ps->ids[id_slot(ps, ps->v[i]->id)] = (uint32_t)i + 1;
    }
    ps->ids[id_slot(ps, ps->v[ps->n - 1]->id)] = (uint32_t)ps->n;
    return 0;
}

static struct uidmap_entry *
uidmap_slot(const struct cedar_uidmap *m, const struct cedar_uid *key)
{
    size_t mask = m->nslots - 1;
    for (size_t i = key->hash & mask;; i = (i + 1) & mask) {
        struct uidmap_entry *e = &m->slots[i];
        if (!e->key || cedar_uid_eq(e->key, key))
            return e;
    }
}

const uint32_t *
cedar_uidmap_get(const struct cedar_uidmap *m, const struct cedar_uid *key, uint32_t *n)
{
    if (!m->nslots) {
        *n = 0;
        return NULL;
    }
    const struct uidmap_entry *e = uidmap_slot(m, key);
    *n = e->key ? e->n : 0;
    return e->key ? e->v : NULL;
}

static int
push_u32(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 4;
        uint32_t *nv = realloc(*v, nc * sizeof(**v));
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static int
uidmap_add(struct cedar_uidmap *m, const struct cedar_uid *key, uint32_t val)
{
    if ((m->count + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 16;
        struct uidmap_entry *old = m->slots;
        size_t oldn = m->nslots;
        m->slots = calloc(ns, sizeof(*m->slots));
        if (!m->slots) {
            m->slots = old;
            return -1;
        }
        m->nslots = ns;
        for (size_t i = 0; i < oldn; i++)
            if (old[i].key)
                *uidmap_slot(m, old[i].key) = old[i];
        free(old);
    }
    struct uidmap_entry *e = uidmap_slot(m, key);
    if (!e->key) {
        e->key = key;
        m->count++;
    }
    return push_u32(&e->v, &e->n, &e->cap, val);
}

const struct cedar_uidmap *
cedar_policyset_index(const struct cedar_policyset *ps, int var)
{
    return &ps->by[var];
}

const uint32_t *
cedar_policyset_unindexed(const struct cedar_policyset *ps, uint32_t *n)
{
    *n = ps->nunindexed;
    return ps->unindexed;
}

static const struct cedar_uid *
scope_key(const struct cedar_scope *s)
{
    return (s->op == SCOPE_EQ || s->op == SCOPE_IN || s->op == SCOPE_IS_IN) ? s->uid : NULL;
}

/*
 * A request reaches the policy only through its key entity, so index there.
 * An `==` key is preferred to an `in` key: many policies share a group, few
 * share one user or one document, and the fewer policies a key collects,
 * the fewer candidates a request evaluates.
 */
static int
index_policy(struct cedar_policyset *ps, const struct cedar_policy *p)
{
    const struct cedar_uid *k;
    if (p->principal.op == SCOPE_EQ)
        return uidmap_add(&ps->by[IDX_PRINCIPAL], p->principal.uid, p->index);
    if (p->resource.op == SCOPE_EQ)
        return uidmap_add(&ps->by[IDX_RESOURCE], p->resource.uid, p->index);
    if ((k = scope_key(&p->principal)))
        return uidmap_add(&ps->by[IDX_PRINCIPAL], k, p->index);
    if ((k = scope_key(&p->resource)))
        return uidmap_add(&ps->by[IDX_RESOURCE], k, p->index);
    if ((k = scope_key(&p->action)))
        return uidmap_add(&ps->by[IDX_ACTION], k, p->index);
    if (p->action.op == SCOPE_IN_SET) {
        for (uint32_t i = 0; i < p->action.nuids; i++) {
            /* The same action listed twice must not make a duplicate candidate;
             * the authorizer deduplicates with stamps anyway. */
            if (uidmap_add(&ps->by[IDX_ACTION], p->action.uids[i], p->index))
                return -1;
        }
        if (p->action.nuids)
            return 0;
    }
    return push_u32(&ps->unindexed, &ps->nunindexed, &ps->unindexed_cap, p->index);
}

const char *
cedar_policy_annotation(const struct cedar_policy *p, const char *key)
{
    for (uint32_t i = 0; i < p->nannos; i++)
        if (p->annos[i].has_value && cedar_str_eq(p->annos[i].key, key, strlen(key)))
            return p->annos[i].value.p;
    return NULL;
}

static int
append(struct cedar_policyset *ps, struct cedar_policy *p, struct cedar_error *err)
{
    if (ps->n >= CEDAR_MAX_POLICIES) {
        cedar_seterr(err, "more than %u policies", CEDAR_MAX_POLICIES);
        return CEDAR_E_LIMIT;
    }
    if (cedar_policyset_find(ps, p->id)) {
        cedar_seterr(err, "duplicate policy id \"%.100s\"", p->id);
        return CEDAR_E_LINK;
    }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        struct cedar_policy **v = realloc(ps->v, cap * sizeof(*v));
        if (!v)
            goto nomem;
        ps->v = v;
        ps->cap = cap;
    }
    p->index = (uint32_t)ps->n;
    ps->v[ps->n++] = p;
    if (id_insert(ps) || (!p->is_template && index_policy(ps, p)))
        goto nomem;
    return 0;
nomem:
    cedar_seterr(err, "out of memory");
    return CEDAR_E_NOMEM;
}

static int
id_ptr_cmp(const void *a, const void *b)
{
    return strcmp((*(struct cedar_policy *const *)a)->id, (*(struct cedar_policy *const *)b)->id);
}

/* A policy of got[] whose id is already in ps or twice in got[], or NULL. */
static const struct cedar_policy *
duplicate_id(const struct cedar_policyset *ps, struct cedar_policy **got, size_t n, int *rc)
{
    if (n == 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (cedar_policyset_find(ps, got[i]->id))
            return got[i];
    struct cedar_policy **sorted = malloc((n ? n : 1) * sizeof(*sorted));
    if (!sorted) {
        *rc = CEDAR_E_NOMEM;
        return NULL;
    }
    memcpy(sorted, got, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), id_ptr_cmp);
    const struct cedar_policy *dup = NULL;
    for (size_t i = 1; i < n && !dup; i++)
        if (strcmp(sorted[i - 1]->id, sorted[i]->id) == 0)
            dup = sorted[i];
    free(sorted);
    return dup;
}

struct add_ctx {
    struct cedar_policyset *ps;
    struct cedar_policy **got;
    size_t n, cap;
    int flags;
};

static int
collect(void *vctx, struct cedar_policy *p)
{
    struct add_ctx *c = vctx;
    if (c->ps->n + c->n >= CEDAR_MAX_POLICIES)
        return CEDAR_E_LIMIT;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct cedar_policy **v = realloc(c->got, cap * sizeof(*v));
        if (!v)
            return CEDAR_E_NOMEM;
        c->got = v;
        c->cap = cap;
    }
    c->got[c->n++] = p;
    return 0;
}

int
cedar_policyset_add_text(struct cedar_policyset *ps, const char *text, size_t n, int flags,
                         struct cedar_diags *diags)
{
    struct add_ctx c = {.ps = ps, .flags = flags};
    int rc = cedar_parse_policies(&ps->arena, text, n, collect, &c, diags);
    if (rc == CEDAR_E_LIMIT && diags->n == 0) {
        diags->v[diags->n].line = diags->v[diags->n].col = 1;
        snprintf(diags->v[diags->n].msg, CEDAR_MAX_ERRMSG, "more than %u policies",
                 CEDAR_MAX_POLICIES);
        diags->n++;
    }
    /* Name every policy and check every id before adding any: a text that
     * cannot be added whole adds nothing (a forbid must not go in without
     * the rest of its file, nor a permit without its forbids). */
    size_t base = ps->n;
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        struct cedar_policy *p = c.got[i];
        const char *id = (flags & CEDAR_IDS_DEFAULT_ONLY) ? NULL : cedar_policy_annotation(p, "id");
        char buf[32];
        if (!id) {
            snprintf(buf, sizeof(buf), "policy%zu", base + i);
            id = buf;
        }
        p->id = cedar_arena_strndup(&ps->arena, id, strlen(id));
        if (!p->id)
            rc = CEDAR_E_NOMEM;
    }
    const struct cedar_policy *dup = rc ? NULL : duplicate_id(ps, c.got, c.n, &rc);
    if (dup) {
        diags->v[0].line = dup->line;
        diags->v[0].col = dup->col;
        snprintf(diags->v[0].msg, CEDAR_MAX_ERRMSG, "duplicate policy id \"%.100s\"", dup->id);
        diags->n = 1;
        rc = CEDAR_E_PARSE;
    }
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        struct cedar_error err;
        if ((rc = append(ps, c.got[i], &err))) {
            /* Only exhaustion is left here; the set is now incomplete. */
            ps->broken = 1;
            diags->v[0].line = c.got[i]->line;
            diags->v[0].col = c.got[i]->col;
            snprintf(diags->v[0].msg, CEDAR_MAX_ERRMSG, "%s", err.msg);
            diags->n = 1;
        }
    }
    free(c.got);
    return rc;
}

static int
fill_slot(struct cedar_scope *s, const struct cedar_uid *v, const char *name,
          struct cedar_error *err)
{
    if (!s->slot)
        return 0;
    if (!v) {
        cedar_seterr(err, "template link is missing a value for %s", name);
        return CEDAR_E_LINK;
    }
    s->uid = v;
    s->slot = false;
    return 0;
}

int
cedar_policyset_link(struct cedar_policyset *ps, const char *tmpl_id, const char *new_id,
                     const struct cedar_uid *principal, const struct cedar_uid *resource,
                     struct cedar_error *err)
{
    const struct cedar_policy *t = cedar_policyset_find(ps, tmpl_id);
    if (!t || !t->is_template) {
        cedar_seterr(err, "no template with id \"%.100s\"", tmpl_id);
        return CEDAR_E_LINK;
    }
    if ((principal && !t->principal.slot) || (resource && !t->resource.slot)) {
        cedar_seterr(err, "template \"%.100s\" has no slot for a value given", tmpl_id);
        return CEDAR_E_LINK;
    }
    struct cedar_policy *p = cedar_arena_alloc(&ps->arena, sizeof(*p));
    if (!p) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    *p = *t;
    int rc;
    if ((rc = fill_slot(&p->principal, principal, "?principal", err)) ||
        (rc = fill_slot(&p->resource, resource, "?resource", err)))
        return rc;
    p->is_template = false;
    p->tmpl = t;
    p->id = cedar_arena_strndup(&ps->arena, new_id, strlen(new_id));
    if (!p->id) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    return append(ps, p, err);
}

static const struct cedar_str *
link_field(const struct jv *o, const char *camel, const char *snake)
{
    const struct jv *v = jv_get(o, camel);
    if (!v)
        v = jv_get(o, snake);
    return v && v->type == JV_STRING ? &v->s : NULL;
}

static int
link_one(struct cedar_policyset *ps, const struct jv *o, struct cedar_error *err)
{
    const struct cedar_str *tid = link_field(o, "templateId", "template_id");
    const struct cedar_str *nid = link_field(o, "newId", "new_id");
    const struct jv *vals = jv_get(o, "values");
    if (!tid || !nid || !vals || vals->type != JV_OBJECT) {
        cedar_seterr(err, "a link needs \"templateId\", \"newId\" and \"values\"");
        return CEDAR_E_JSON;
    }
    const struct cedar_uid *slot[2] = {NULL, NULL};
    for (uint32_t i = 0; i < vals->n; i++) {
        const struct cedar_str *k = &vals->members[i].key;
        int which = cedar_str_eq(*k, "?principal", 10) ? 0
                    : cedar_str_eq(*k, "?resource", 9) ? 1
                                                       : -1;
        if (which < 0) {
            cedar_seterr(err, "unknown slot \"%.40s\"", k->p);
            return CEDAR_E_JSON;
        }
        int rc = cedar_json_uid(&ps->arena, vals->members[i].v, &slot[which], err);
        if (rc)
            return rc;
    }
    return cedar_policyset_link(ps, tid->p, nid->p, slot[0], slot[1], err);
}

int
cedar_policyset_link_json(struct cedar_policyset *ps, const char *text, size_t n,
                          struct cedar_error *err)
{
    struct cedar_arena tmp;
    cedar_arena_init(&tmp, 0);
    struct jv *root;
    int rc = jv_parse(&tmp, text, n, &root, err);
    if (rc)
        goto out;
    if (root->type != JV_ARRAY) {
        cedar_seterr(err, "template links: expected a JSON array");
        rc = CEDAR_E_JSON;
        goto out;
    }
    for (uint32_t i = 0; i < root->n && !rc; i++) {
        if (root->items[i]->type != JV_OBJECT) {
            cedar_seterr(err, "template link #%u: expected an object", i);
            rc = CEDAR_E_JSON;
            break;
        }
        rc = link_one(ps, root->items[i], err);
    }
out:
    cedar_arena_release(&tmp);
    return rc;
}
