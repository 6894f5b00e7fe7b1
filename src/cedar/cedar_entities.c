#include "cedar_entities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar_json.h"
#include "cedar_schema.h"
#include "cedar_limits.h"

struct cedar_entities {
    struct cedar_arena arena;
    struct cedar_entity *v;
    size_t n, cap;
    uint32_t *slots; /* open addressing: index + 1, 0 = empty */
    size_t nslots;   /* power of two */
};

static const struct cedar_record empty_record = {0};

struct cedar_entities *
cedar_entities_new(void)
{
    struct cedar_entities *es = calloc(1, sizeof(*es));
    if (!es)
        return NULL;
    cedar_arena_init(&es->arena, 0);
    return es;
}

void
cedar_entities_free(struct cedar_entities *es)
{
    if (!es)
        return;
    cedar_arena_release(&es->arena);
    free(es->v);
    free(es->slots);
    free(es);
}

struct cedar_arena *
cedar_entities_arena(struct cedar_entities *es)
{
    return &es->arena;
}

size_t
cedar_entities_count(const struct cedar_entities *es)
{
    return es->n;
}

static long
slot_find(const struct cedar_entities *es, const struct cedar_uid *uid)
{
    if (!es->nslots)
        return -1;
    size_t mask = es->nslots - 1;
    for (size_t i = uid->hash & mask;; i = (i + 1) & mask) {
        uint32_t s = es->slots[i];
        if (!s)
            return -1;
        if (cedar_uid_eq(es->v[s - 1].uid, uid))
            return (long)(s - 1);
    }
}

const struct cedar_entity *
cedar_entities_find(const struct cedar_entities *es, const struct cedar_uid *uid)
{
    long i = slot_find(es, uid);
    return i < 0 ? NULL : &es->v[i];
}

static int
rehash(struct cedar_entities *es, size_t want)
{
    size_t n = 16;
    while (n < want * 2)
        n *= 2;
    uint32_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t k = 0; k < es->n; k++) {
        size_t i = es->v[k].uid->hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)(k + 1);
    }
    free(es->slots);
    es->slots = slots;
    es->nslots = n;
    return 0;
}

static int
add_entity(struct cedar_entities *es, const struct cedar_entity *e, struct cedar_error *err)
{
    if (slot_find(es, e->uid) >= 0) {
        cedar_seterr(err, "duplicate entity %.*s::\"%.*s\"", (int)e->uid->type.n, e->uid->type.p,
                     (int)(e->uid->id.n > 60 ? 60 : e->uid->id.n), e->uid->id.p);
        return CEDAR_E_JSON;
    }
    if (es->n >= CEDAR_MAX_ENTITIES) {
        cedar_seterr(err, "more than %u entities", CEDAR_MAX_ENTITIES);
        return CEDAR_E_LIMIT;
    }
    if (es->n == es->cap) {
        size_t cap = es->cap ? es->cap * 2 : 64;
        struct cedar_entity *v = realloc(es->v, cap * sizeof(*v));
        if (!v)
            goto nomem;
        es->v = v;
        es->cap = cap;
    }
    es->v[es->n++] = *e;
    if ((es->n) * 2 > es->nslots && rehash(es, es->n))
        goto nomem;
    size_t mask = es->nslots - 1, i = e->uid->hash & mask;
    while (es->slots[i] && es->slots[i] != es->n)
        i = (i + 1) & mask;
    es->slots[i] = (uint32_t)es->n;
    return 0;
nomem:
    cedar_seterr(err, "out of memory");
    return CEDAR_E_NOMEM;
}

static int
record_field(struct cedar_arena *a, const struct jv *obj, const char *key,
             const struct cedar_record **out, struct cedar_error *err)
{
    const struct jv *j = jv_get(obj, key);
    *out = &empty_record;
    if (!j)
        return 0;
    if (j->type != JV_OBJECT) {
        cedar_seterr(err, "entity \"%s\": expected an object", key);
        return CEDAR_E_JSON;
    }
    struct cedar_value v;
    int rc = cedar_json_value(a, j, 1, &v, err);
    if (rc)
        return rc;
    if (v.kind != CEDAR_RECORD) {
        cedar_seterr(err, "entity \"%s\": expected a record, not an escape", key);
        return CEDAR_E_JSON;
    }
    *out = v.u.rec;
    return 0;
}

/* An entity's attributes and tags read with the types its schema gives. */
static int
typed_entity(struct cedar_arena *a, const struct jv *j, const struct cedar_schema *s,
             struct cedar_entity *e, struct cedar_error *err)
{
    const struct cedar_etype *t = cedar_schema_etype(s, e->uid->type.p, e->uid->type.n);
    int rc;
    if (!t) {
        if (cedar_schema_action(s, e->uid))
            return 0; /* an action: no attributes */
        cedar_seterr(err, "entity type \"%.*s\" is not declared in the schema",
                     (int)(e->uid->type.n > 60 ? 60 : e->uid->type.n), e->uid->type.p);
        return CEDAR_E_JSON;
    }
    if (t->is_enum) {
        int ok = 0;
        for (uint32_t i = 0; i < t->nenums && !ok; i++)
            ok = !cedar_str_cmp(t->enums[i], e->uid->id);
        if (!ok) {
            cedar_seterr(err, "\"%.*s\" is not one of the values of entity type %.*s",
                         (int)(e->uid->id.n > 60 ? 60 : e->uid->id.n), e->uid->id.p, (int)t->name.n,
                         t->name.p);
            return CEDAR_E_JSON;
        }
    }
    static const struct jv empty = {JV_OBJECT, false, 0, {"", 0}, 0, NULL, NULL};
    const struct jv *attrs = jv_get(j, "attrs"), *tags = jv_get(j, "tags");
    struct cedar_value v;
    if ((rc = cedar_json_typed(a, attrs ? attrs : &empty, t->attrs, 1, "attrs", &v, err)))
        return rc;
    e->attrs = v.u.rec;
    if (tags && tags->type == JV_OBJECT && tags->n) {
        if (!t->tags) {
            cedar_seterr(err, "entity type %.*s has no tags", (int)t->name.n, t->name.p);
            return CEDAR_E_JSON;
        }
        struct cedar_type rec;
        struct cedar_rattr *at = cedar_arena_alloc(a, tags->n * sizeof(*at));
        if (!at) {
            cedar_seterr(err, "out of memory");
            return CEDAR_E_NOMEM;
        }
        for (uint32_t i = 0; i < tags->n; i++)
            at[i].name = tags->members[i].key, at[i].required = false, at[i].type = t->tags;
        memset(&rec, 0, sizeof(rec));
        rec.kind = TK_RECORD;
        rec.attrs = at;
        rec.nattrs = tags->n;
        if ((rc = cedar_json_typed(a, tags, &rec, 1, "tags", &v, err)))
            return rc;
        e->tags = v.u.rec;
    }
    for (uint32_t i = 0; i < e->nparents; i++) {
        const struct cedar_uid *p = e->parents[i];
        int ok = cedar_schema_action(s, p) != NULL;
        for (uint32_t k = 0; k < t->nancestors && !ok; k++)
            ok = !cedar_str_cmp(t->ancestors[k], p->type);
        if (!ok) {
            cedar_seterr(err, "an entity of type %.*s cannot be in one of type %.*s",
                         (int)t->name.n, t->name.p, (int)(p->type.n > 60 ? 60 : p->type.n),
                         p->type.p);
            return CEDAR_E_JSON;
        }
    }
    return 0;
}

static int
parse_entity(struct cedar_arena *a, const struct jv *j, const struct cedar_schema *s,
             struct cedar_entity *e, struct cedar_error *err)
{
    static const char *const fields[] = {"uid", "attrs", "parents", "tags"};
    int rc;
    memset(e, 0, sizeof(*e));
    if (j->type != JV_OBJECT) {
        cedar_seterr(err, "expected an entity object");
        return CEDAR_E_JSON;
    }
    for (uint32_t i = 0; i < j->n; i++) {
        int known = 0;
        for (size_t f = 0; f < 4 && !known; f++)
            known = cedar_str_eq(j->members[i].key, fields[f], strlen(fields[f]));
        if (!known) {
            cedar_seterr(err, "entity: unexpected field \"%.40s\"", j->members[i].key.p);
            return CEDAR_E_JSON;
        }
    }
    const struct jv *uid = jv_get(j, "uid");
    if (!uid) {
        cedar_seterr(err, "entity: missing \"uid\"");
        return CEDAR_E_JSON;
    }
    if ((rc = cedar_json_uid(a, uid, &e->uid, err)) ||
        (!s && ((rc = record_field(a, j, "attrs", &e->attrs, err)) ||
                (rc = record_field(a, j, "tags", &e->tags, err)))))
        return rc;
    e->attrs = e->attrs ? e->attrs : &empty_record;
    e->tags = e->tags ? e->tags : &empty_record;
    const struct jv *parents = jv_get(j, "parents");
    if (!parents)
        return s ? typed_entity(a, j, s, e, err) : 0;
    if (parents->type != JV_ARRAY) {
        cedar_seterr(err, "entity \"parents\": expected an array");
        return CEDAR_E_JSON;
    }
    if (parents->n > CEDAR_MAX_PARENTS) {
        cedar_seterr(err, "entity with more than %u parents", CEDAR_MAX_PARENTS);
        return CEDAR_E_LIMIT;
    }
    e->parents = cedar_arena_alloc(a, (parents->n ? parents->n : 1) * sizeof(*e->parents));
    if (!e->parents) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    for (uint32_t i = 0; i < parents->n; i++)
        if ((rc = cedar_json_uid(a, parents->items[i], &e->parents[i], err)))
            return rc;
    e->nparents = parents->n;
    return s ? typed_entity(a, j, s, e, err) : 0;
}

static int
uid_hash_cmp(const void *x, const void *y)
{
    const struct cedar_uid *a = *(const struct cedar_uid *const *)x;
    const struct cedar_uid *b = *(const struct cedar_uid *const *)y;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/*
 * Transitive closure, one breadth-first walk per entity over its parents.
 * A stamp per entity marks what this walk has seen, so cycles terminate and
 * no ancestor is listed twice.  Parents that are not in the store are
 * ancestors too (Cedar says so) but have no parents of their own.
 */
static int
compute_ancestors(struct cedar_entities *es, struct cedar_error *err)
{
    size_t n = es->n, total = 0;
    uint32_t *stamp = calloc(n ? n : 1, sizeof(*stamp));
    const struct cedar_uid **queue = malloc((n + 1) * sizeof(*queue));
    const struct cedar_uid **found = NULL;
    size_t found_cap = 0;
    int rc = CEDAR_E_NOMEM;
    if (!stamp || !queue)
        goto out;
    for (size_t k = 0; k < n; k++) {
        struct cedar_entity *e = &es->v[k];
        size_t nfound = 0, head = 0, tail = 0;
        stamp[k] = (uint32_t)k + 1;
        queue[tail++] = e->uid;
        while (head < tail) {
            long idx = slot_find(es, queue[head++]);
            if (idx < 0)
                continue;
            const struct cedar_entity *cur = &es->v[idx];
            for (uint32_t i = 0; i < cur->nparents; i++) {
                const struct cedar_uid *par = cur->parents[i];
                long pi = slot_find(es, par);
                if (pi >= 0) {
                    if ((size_t)pi == k) {
                        /* Cedar requires a DAG: an entity may not be its own ancestor. */
                        cedar_seterr(err, "entity hierarchy has a cycle containing %.*s::\"%.*s\"",
                                     (int)(e->uid->type.n > 60 ? 60 : e->uid->type.n),
                                     e->uid->type.p, (int)(e->uid->id.n > 60 ? 60 : e->uid->id.n),
                                     e->uid->id.p);
                        rc = CEDAR_E_JSON;
                        goto out;
                    }
                    if (stamp[pi] == k + 1)
                        continue;
                    stamp[pi] = (uint32_t)k + 1;
                    queue[tail++] = par;
                } else {
                    /* Not in the store: dedupe against what we found. */
                    int dup = 0;
                    for (size_t f = 0; f < nfound && !dup; f++)
                        dup = cedar_uid_eq(found[f], par);
                    if (dup)
                        continue;
                }
                if (nfound == found_cap) {
                    found_cap = found_cap ? found_cap * 2 : 16;
                    const struct cedar_uid **nf = realloc(found, found_cap * sizeof(*nf));
                    if (!nf)
                        goto out;
                    found = nf;
                }
                found[nfound++] = par;
            }
        }
        total += nfound;
        if (total > CEDAR_MAX_ANCESTOR_LINKS) {
            cedar_seterr(err, "entity hierarchy too large (more than %u ancestor links)",
                         CEDAR_MAX_ANCESTOR_LINKS);
            rc = CEDAR_E_LIMIT;
            goto out;
        }
        e->ancestors = cedar_arena_alloc(&es->arena, (nfound ? nfound : 1) * sizeof(*found));
        if (!e->ancestors)
            goto out;
        if (nfound)
            memcpy(e->ancestors, found, nfound * sizeof(*found));
        qsort(e->ancestors, nfound, sizeof(*found), uid_hash_cmp);
        e->nancestors = (uint32_t)nfound;
    }
    rc = 0;
out:
    if (rc == CEDAR_E_NOMEM)
        cedar_seterr(err, "out of memory");
    free(stamp);
    free(queue);
    free(found);
    return rc;
}

/* Point every UID in v that names a stored entity at the canonical UID. */
static void
canon_value(struct cedar_entities *es, struct cedar_value *v)
{
    switch (v->kind) {
    case CEDAR_ENTITY: {
        long i = slot_find(es, v->u.uid);
        if (i >= 0)
            v->u.uid = es->v[i].uid;
        break;
    }
    case CEDAR_SET: {
        /* Same content, so the set's order is unchanged. */
        struct cedar_set *set = (struct cedar_set *)v->u.set;
        for (uint32_t k = 0; k < set->n; k++)
            canon_value(es, &set->v[k]);
        break;
    }
    case CEDAR_RECORD: {
        struct cedar_record *r = (struct cedar_record *)v->u.rec;
        for (uint32_t k = 0; k < r->n; k++)
            canon_value(es, &r->a[k].v);
        break;
    }
    default:
        break;
    }
}

/* After every load (the entity array may have moved): canonical UIDs. */
static void
canonicalize(struct cedar_entities *es)
{
    for (size_t k = 0; k < es->n; k++)
        ((struct cedar_uid *)es->v[k].uid)->ent = &es->v[k];
    for (size_t k = 0; k < es->n; k++) {
        struct cedar_entity *e = &es->v[k];
        for (uint32_t i = 0; i < e->nparents; i++) {
            long j = slot_find(es, e->parents[i]);
            if (j >= 0)
                e->parents[i] = es->v[j].uid;
        }
        for (uint32_t i = 0; i < e->nancestors; i++) {
            long j = slot_find(es, e->ancestors[i]);
            if (j >= 0)
                e->ancestors[i] = es->v[j].uid;
        }
        struct cedar_value r = {.kind = CEDAR_RECORD};
        r.u.rec = e->attrs;
        canon_value(es, &r);
        r.u.rec = e->tags;
        canon_value(es, &r);
    }
}

int
cedar_entities_load_json(struct cedar_entities *es, const char *text, size_t n,
                         struct cedar_error *err)
{
    return cedar_entities_load_json_schema(es, text, n, NULL, err);
}

int
cedar_entities_load_json_schema(struct cedar_entities *es, const char *text, size_t n,
                                const struct cedar_schema *s, struct cedar_error *err)
{
    struct cedar_arena tmp;
    cedar_arena_init(&tmp, 0);
    struct jv *root;
    int rc = jv_parse(&tmp, text, n, &root, err);
    if (rc)
        goto out;
    if (root->type != JV_ARRAY) {
        cedar_seterr(err, "entities: expected a JSON array");
        rc = CEDAR_E_JSON;
        goto out;
    }
    for (uint32_t i = 0; i < root->n; i++) {
        struct cedar_entity e;
        if ((rc = parse_entity(&es->arena, root->items[i], s, &e, err)) ||
            (rc = add_entity(es, &e, err))) {
            char ctx[CEDAR_MAX_ERRMSG];
            snprintf(ctx, sizeof(ctx), "%s", err->msg);
            cedar_seterr(err, "entity #%u: %s", i, ctx);
            goto out;
        }
    }
    rc = compute_ancestors(es, err);
    if (!rc)
        canonicalize(es);
out:
    cedar_arena_release(&tmp);
    return rc;
}

bool
cedar_entities_in(const struct cedar_entities *es, const struct cedar_uid *a,
                  const struct cedar_uid *b)
{
    if (cedar_uid_eq(a, b))
        return true;
    return cedar_entity_in(es ? cedar_entities_find(es, a) : NULL, a, b);
}

bool
cedar_entity_in(const struct cedar_entity *e, const struct cedar_uid *a, const struct cedar_uid *b)
{
    if (cedar_uid_eq(a, b))
        return true;
    if (!e)
        return false;
    size_t lo = 0, hi = e->nancestors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t h = e->ancestors[mid]->hash;
        if (h < b->hash) {
            lo = mid + 1;
        } else if (h > b->hash) {
            hi = mid;
        } else {
            /* Equal hashes: scan the run both ways. */
            for (size_t k = mid; k < e->nancestors && e->ancestors[k]->hash == b->hash; k++)
                if (cedar_uid_eq(e->ancestors[k], b))
                    return true;
            for (size_t k = mid; k-- > 0 && e->ancestors[k]->hash == b->hash;)
                if (cedar_uid_eq(e->ancestors[k], b))
                    return true;
            return false;
        }
    }
    return false;
}
