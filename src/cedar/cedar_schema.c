/*
 * cedar_schema.c - a written schema resolved for validation
 * (cedar_schema.h): names qualified, common types expanded, ancestors
 * closed; and the helpers the schema's readers share.
 *
 * Names, as Cedar resolves them: inside namespace N an unqualified type
 * name X is the common type N::X, else the entity type N::X, else the
 * common type X, else the entity type X, else a builtin (Long, String,
 * Bool, and the extension types ipaddr, decimal, datetime, duration);
 * a qualified name is taken as written; __cedar::X is always the builtin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar_err.h"
#include "cedar_lex.h"
#include "cedar_schema_int.h"

int
cs_grow(struct cedar_arena *a, void **v, uint32_t *cap, uint32_t n, size_t size)
{
    if (n < *cap)
        return 0;
    uint32_t nc = *cap ? *cap * 2 : 8;
    void *nv = cedar_arena_alloc(a, (size_t)nc * size);
    if (!nv)
        return -1;
    if (n)
        memcpy(nv, *v, (size_t)n * size);
    *v = nv;
    *cap = nc;
    return 0;
}

void
cs_diag_v(struct cedar_diags *d, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    if (d->n >= CEDAR_MAX_DIAGS) {
        d->dropped++;
        return;
    }
    struct cedar_diag *x = &d->v[d->n++];
    x->line = line;
    x->col = col;
    vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
}

void
cs_diag(struct cedar_diags *d, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_diag_v(d, line, col, fmt, ap);
    va_end(ap);
}

/* ---- resolution ---- */

struct common {
    struct cedar_str full;
    const struct cs_common *c;
    const struct cs_namespace *ns;
    const struct cedar_type *done;
    int busy; /* being resolved: a cycle when met again */
};

struct rs {
    struct cedar_schema *s;
    struct cedar_diags *d;
    struct common *commons;
    uint32_t ncommons;
    int rc;
};

static const struct cedar_type builtin[] = {
    [TK_BOOL] = {TK_BOOL, BT_ANY, {0}, 0, 0, 0},    [TK_LONG] = {TK_LONG, 0, {0}, 0, 0, 0},
    [TK_STRING] = {TK_STRING, 0, {0}, 0, 0, 0},     [TK_DECIMAL] = {TK_DECIMAL, 0, {0}, 0, 0, 0},
    [TK_IPADDR] = {TK_IPADDR, 0, {0}, 0, 0, 0},     [TK_DATETIME] = {TK_DATETIME, 0, {0}, 0, 0, 0},
    [TK_DURATION] = {TK_DURATION, 0, {0}, 0, 0, 0},
};

static const struct cedar_type *
builtin_named(struct cedar_str n, int extensions_only)
{
    static const struct {
        const char *name;
        int kind, ext;
    } names[] = {
        {"Long", TK_LONG, 0},         {"String", TK_STRING, 0},     {"Bool", TK_BOOL, 0},
        {"Boolean", TK_BOOL, 0},      {"ipaddr", TK_IPADDR, 1},     {"decimal", TK_DECIMAL, 1},
        {"datetime", TK_DATETIME, 1}, {"duration", TK_DURATION, 1},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if ((!extensions_only || names[i].ext) && strlen(names[i].name) == n.n &&
            !memcmp(names[i].name, n.p, n.n))
            return &builtin[names[i].kind];
    return NULL;
}

static int __attribute__((format(printf, 4, 5)))
rbad(struct rs *r, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_diag_v(r->d, line, col, fmt, ap);
    va_end(ap);
    if (!r->rc)
        r->rc = CEDAR_E_PARSE;
    return -1;
}

static int
qualify(struct rs *r, struct cedar_str ns, struct cedar_str name, struct cedar_str *out)
{
    if (!ns.n) {
        *out = name;
        return 0;
    }
    char *p = cedar_arena_alloc(&r->s->arena, (size_t)ns.n + 2 + name.n);
    if (!p) {
        r->rc = CEDAR_E_NOMEM;
        return -1;
    }
    memcpy(p, ns.p, ns.n);
    memcpy(p + ns.n, "::", 2);
    memcpy(p + ns.n + 2, name.p, name.n);
    out->p = p;
    out->n = ns.n + 2 + name.n;
    return 0;
}

static int
qualified(struct cedar_str n)
{
    for (uint32_t i = 0; i + 1 < n.n; i++)
        if (n.p[i] == ':' && n.p[i + 1] == ':')
            return 1;
    return 0;
}

static int
common_cmp(const void *a, const void *b)
{
    return cedar_str_cmp(((const struct common *)a)->full, ((const struct common *)b)->full);
}

/* The common type of that name (r->commons is sorted once all are in). */
static struct common *
find_common(struct rs *r, struct cedar_str full)
{
    struct common key;
    key.full = full;
    return r->ncommons ? bsearch(&key, r->commons, r->ncommons, sizeof(key), common_cmp) : NULL;
}

static int
etype_cmp(const void *a, const void *b)
{
    return cedar_str_cmp(((const struct cedar_etype *)a)->name,
                         ((const struct cedar_etype *)b)->name);
}

static const struct cedar_etype *
find_etype(const struct cedar_schema *s, struct cedar_str name)
{
    struct cedar_etype key;
    key.name = name;
    return s->netypes ? bsearch(&key, s->etypes, s->netypes, sizeof(key), etype_cmp) : NULL;
}

const struct cedar_etype *
cedar_schema_etype(const struct cedar_schema *s, const char *name, size_t n)
{
    struct cedar_str k = {name, (uint32_t)n};
    return find_etype(s, k);
}

/* An entity type name in namespace ns: its qualified name, or an error. */
static int
entity_name(struct rs *r, struct cedar_str ns, struct cedar_str name, uint32_t line, uint32_t col,
            struct cedar_str *out)
{
    struct cedar_str q;
    if (!qualified(name) && ns.n) {
        if (qualify(r, ns, name, &q))
            return -1;
        if (find_etype(r->s, q)) {
            *out = find_etype(r->s, q)->name;
            return 0;
        }
    }
    if (find_etype(r->s, name)) {
        *out = find_etype(r->s, name)->name;
        return 0;
    }
    return rbad(r, line, col, "undeclared entity type `%.*s`", (int)name.n, name.p);
}

static const struct cedar_type *resolve(struct rs *r, const struct cs_type *t, struct cedar_str ns,
                                        unsigned depth);

static const struct cedar_type *
entity_type(struct rs *r, struct cedar_str name)
{
    struct cedar_type *t = cedar_arena_alloc(&r->s->arena, sizeof(*t));
    if (!t) {
        r->rc = CEDAR_E_NOMEM;
        return NULL;
    }
    t->kind = TK_ENTITY;
    t->name = name;
    return t;
}

static const struct cedar_type *
common_type(struct rs *r, struct common *c, uint32_t line, uint32_t col, unsigned depth)
{
    if (c->done)
        return c->done;
    if (c->busy) {
        rbad(r, line, col, "common type `%.*s` is defined in terms of itself", (int)c->full.n,
             c->full.p);
        return NULL;
    }
    c->busy = 1;
    c->done = resolve(r, c->c->type, c->ns->name, depth + 1);
    c->busy = 0;
    return c->done;
}

static const struct cedar_type *
named(struct rs *r, struct cedar_str name, struct cedar_str ns, uint32_t line, uint32_t col,
      unsigned depth)
{
    if (name.n > 9 && !memcmp(name.p, "__cedar::", 9)) {
        struct cedar_str rest = {name.p + 9, name.n - 9};
        const struct cedar_type *b = builtin_named(rest, 0);
        if (!b)
            rbad(r, line, col, "unknown builtin type `%.*s`", (int)name.n, name.p);
        return b;
    }
    struct cedar_str q;
    if (!qualified(name) && ns.n) {
        if (qualify(r, ns, name, &q))
            return NULL;
        struct common *c = find_common(r, q);
        if (c)
            return common_type(r, c, line, col, depth);
        if (find_etype(r->s, q))
            return entity_type(r, find_etype(r->s, q)->name);
    }
    struct common *c = find_common(r, name);
    if (c)
        return common_type(r, c, line, col, depth);
    if (find_etype(r->s, name))
        return entity_type(r, find_etype(r->s, name)->name);
    const struct cedar_type *b = qualified(name) ? NULL : builtin_named(name, 0);
    if (!b)
        rbad(r, line, col, "undeclared type `%.*s`", (int)name.n, name.p);
    return b;
}

static int
cs_attr_cmp(const void *a, const void *b)
{
    return cedar_str_cmp((*(const struct cs_attr *const *)a)->name,
                         (*(const struct cs_attr *const *)b)->name);
}

static int
rattr_cmp(const void *a, const void *b)
{
    return cedar_str_cmp(((const struct cedar_rattr *)a)->name,
                         ((const struct cedar_rattr *)b)->name);
}

static const struct cedar_type *
resolve(struct rs *r, const struct cs_type *t, struct cedar_str ns, unsigned depth)
{
    if (depth > CEDAR_MAX_TYPE_DEPTH) {
        r->rc = CEDAR_E_LIMIT;
        rbad(r, t->line, t->col, "types nested deeper than %u", CEDAR_MAX_TYPE_DEPTH);
        return NULL;
    }
    switch (t->kind) {
    case CS_LONG:
        return &builtin[TK_LONG];
    case CS_STRING:
        return &builtin[TK_STRING];
    case CS_BOOL:
        return &builtin[TK_BOOL];
    case CS_EXTENSION: {
        const struct cedar_type *b = builtin_named(t->name, 1);
        if (!b)
            rbad(r, t->line, t->col, "unknown extension type `%.*s`", (int)t->name.n, t->name.p);
        return b;
    }
    case CS_ENTITY: {
        struct cedar_str full;
        if (entity_name(r, ns, t->name, t->line, t->col, &full))
            return NULL;
        return entity_type(r, full);
    }
    case CS_NAME:
        return named(r, t->name, ns, t->line, t->col, depth);
    case CS_SET: {
        struct cedar_type *s = cedar_arena_alloc(&r->s->arena, sizeof(*s));
        if (!s) {
            r->rc = CEDAR_E_NOMEM;
            return NULL;
        }
        s->kind = TK_SET;
        return (s->elem = resolve(r, t->elem, ns, depth + 1)) ? s : NULL;
    }
    case CS_RECORD: {
        struct cedar_type *rt = cedar_arena_alloc(&r->s->arena, sizeof(*rt));
        struct cedar_rattr *at =
            cedar_arena_alloc(&r->s->arena, (t->nattrs ? t->nattrs : 1) * sizeof(*at));
        if (!rt || !at) {
            r->rc = CEDAR_E_NOMEM;
            return NULL;
        }
        rt->kind = TK_RECORD;
        /* duplicates first, sorted by name with their positions */
        const struct cs_attr **byname = malloc((t->nattrs ? t->nattrs : 1) * sizeof(*byname));
        if (!byname) {
            r->rc = CEDAR_E_NOMEM;
            return NULL;
        }
        for (uint32_t i = 0; i < t->nattrs; i++)
            byname[i] = &t->attrs[i];
        qsort(byname, t->nattrs, sizeof(*byname), cs_attr_cmp);
        for (uint32_t i = 1; i < t->nattrs; i++)
            if (cs_str_eq(byname[i - 1]->name, byname[i]->name)) {
                const struct cs_attr *x = byname[i - 1], *y = byname[i];
                const struct cs_attr *later =
                    y->line > x->line || (y->line == x->line && y->col > x->col) ? y : x;
                uint32_t line = later->line, col = later->col;
                struct cedar_str name = later->name;
                free(byname);
                rbad(r, line, col, "attribute `%.*s` declared twice", (int)name.n, name.p);
                return NULL;
            }
        free(byname);
        for (uint32_t i = 0; i < t->nattrs; i++) {
            at[i].name = t->attrs[i].name;
            at[i].required = t->attrs[i].required;
            if (!(at[i].type = resolve(r, t->attrs[i].type, ns, depth + 1)))
                return NULL;
        }
        qsort(at, t->nattrs, sizeof(*at), rattr_cmp);
        rt->attrs = at;
        rt->nattrs = t->nattrs;
        return rt;
    }
    }
    return NULL;
}

static const struct cedar_type *
record_of(struct rs *r, const struct cs_type *t, struct cedar_str ns, const char *what)
{
    static const struct cedar_type empty = {TK_RECORD, 0, {0}, 0, 0, 0};
    if (!t)
        return &empty;
    const struct cedar_type *rt = resolve(r, t, ns, 0);
    if (rt && rt->kind != TK_RECORD) {
        rbad(r, t->line, t->col, "%s must be a record type", what);
        return NULL;
    }
    return rt;
}

static int
uid_cmp(const struct cedar_uid *a, const struct cedar_uid *b)
{
    int c = cedar_str_cmp(a->type, b->type);
    return c ? c : cedar_str_cmp(a->id, b->id);
}

static int
action_cmp(const void *a, const void *b)
{
    return uid_cmp(&((const struct cedar_saction *)a)->uid,
                   &((const struct cedar_saction *)b)->uid);
}

const struct cedar_saction *
cedar_schema_action(const struct cedar_schema *s, const struct cedar_uid *uid)
{
    struct cedar_saction key;
    key.uid = *uid;
    return s->nactions ? bsearch(&key, s->actions, s->nactions, sizeof(key), action_cmp) : NULL;
}

static int
u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The transitive closure of a graph of n nodes (parents[i], nparents[i]:
 * node i's, as indices): for each node, what it reaches, in index order,
 * handed to emit.  Each node's walk costs what it reaches (marks stamped
 * with the node, not cleared).  With no_cycles, a node that reaches itself
 * stops it: *cyclic is that node.  0, -1 (out of memory, or a cycle). */
static int
closure(uint32_t n, uint32_t *const *parents, const uint32_t *nparents, int no_cycles,
        uint32_t *cyclic, size_t *links,
        int (*emit)(void *arg, uint32_t i, const uint32_t *v, uint32_t nv), void *arg)
{
    uint32_t *mark = calloc(n ? n : 1, sizeof(*mark));
    uint32_t *stack = malloc((n ? n : 1) * sizeof(*stack));
    uint32_t *list = malloc((n ? n : 1) * sizeof(*list));
    int rc = mark && stack && list ? 0 : -1;
    for (uint32_t i = 0; !rc && i < n; i++) {
        uint32_t sp = 0, nl = 0;
        stack[sp++] = i;
        while (sp && !rc) {
            uint32_t k = stack[--sp];
            for (uint32_t j = 0; j < nparents[k]; j++) {
                uint32_t p = parents[k][j];
                if (no_cycles && p == i) {
                    *cyclic = i;
                    rc = -1;
                    break;
                }
                if (mark[p] != i + 1) {
                    mark[p] = i + 1;
                    list[nl++] = p;
                    stack[sp++] = p;
                }
            }
        }
        if (!rc && (*links += nl) > CEDAR_MAX_SCHEMA_ANCESTORS) {
            *cyclic = UINT32_MAX - 1; /* the limit, not a cycle */
            rc = -1;
        }
        if (!rc) {
            qsort(list, nl, sizeof(*list), u32_cmp);
            rc = emit(arg, i, list, nl);
        }
    }
    free(mark);
    free(stack);
    free(list);
    return rc;
}

static int
emit_etype(void *arg, uint32_t i, const uint32_t *v, uint32_t nv)
{
    struct rs *r = arg;
    struct cedar_etype *e = &r->s->etypes[i];
    if (!(e->ancestors = cedar_arena_alloc(&r->s->arena, (nv ? nv : 1) * sizeof(*e->ancestors))))
        return -1;
    for (uint32_t j = 0; j < nv; j++)
        e->ancestors[j] = r->s->etypes[v[j]].name;
    e->nancestors = nv;
    return 0;
}

static int
emit_action(void *arg, uint32_t i, const uint32_t *v, uint32_t nv)
{
    struct rs *r = arg;
    struct cedar_saction *a = &r->s->actions[i];
    if (!(a->ancestors = cedar_arena_alloc(&r->s->arena, (nv ? nv : 1) * sizeof(*a->ancestors))))
        return -1;
    for (uint32_t j = 0; j < nv; j++)
        a->ancestors[j] = &r->s->actions[v[j]].uid;
    a->nancestors = nv;
    return 0;
}

/* The ancestors of every entity type (the types it may be a member of,
 * directly or through others: cycles are allowed) and of every action (a
 * cycle is refused). */
static int
close_all(struct rs *r, uint32_t **eparents, const uint32_t *neparents, uint32_t **aparents,
          const uint32_t *naparents)
{
    uint32_t cyclic = UINT32_MAX;
    size_t links = 0;
    if (closure(r->s->netypes, eparents, neparents, 0, &cyclic, &links, emit_etype, r) ||
        closure(r->s->nactions, aparents, naparents, 1, &cyclic, &links, emit_action, r)) {
        if (cyclic == UINT32_MAX - 1) {
            r->rc = CEDAR_E_LIMIT;
            return rbad(r, 1, 1, "more than %u ancestor links once the hierarchies are closed",
                        CEDAR_MAX_SCHEMA_ANCESTORS);
        }
        if (cyclic == UINT32_MAX) {
            r->rc = CEDAR_E_NOMEM;
            return -1;
        }
        const struct cedar_uid *u = &r->s->actions[cyclic].uid;
        return rbad(r, 1, 1, "action %.*s::\"%.*s\" is a member of itself", (int)u->type.n,
                    u->type.p, (int)u->id.n, u->id.p);
    }
    return 0;
}

/* A declaration and where it was written, sorted together. */
struct ent_row {
    struct cedar_etype e;
    const struct cs_entity *src;
    const struct cs_namespace *ns;
};
struct act_row {
    struct cedar_saction a;
    const struct cs_action *src;
    const struct cs_namespace *ns;
};

static int
ent_row_cmp(const void *a, const void *b)
{
    return cedar_str_cmp(((const struct ent_row *)a)->e.name, ((const struct ent_row *)b)->e.name);
}

static int
act_row_cmp(const void *a, const void *b)
{
    return uid_cmp(&((const struct act_row *)a)->a.uid, &((const struct act_row *)b)->a.uid);
}

static int
sort_decls(struct rs *r, const struct cs_entity **esrc, const struct cs_namespace **ens,
           const struct cs_action **asrc, const struct cs_namespace **ans)
{
    struct cedar_schema *s = r->s;
    struct ent_row *er = malloc((s->netypes ? s->netypes : 1) * sizeof(*er));
    struct act_row *ar = malloc((s->nactions ? s->nactions : 1) * sizeof(*ar));
    if (!er || !ar) {
        free(er);
        free(ar);
        r->rc = CEDAR_E_NOMEM;
        return -1;
    }
    for (uint32_t i = 0; i < s->netypes; i++)
        er[i] = (struct ent_row){s->etypes[i], esrc[i], ens[i]};
    for (uint32_t i = 0; i < s->nactions; i++)
        ar[i] = (struct act_row){s->actions[i], asrc[i], ans[i]};
    qsort(er, s->netypes, sizeof(*er), ent_row_cmp);
    qsort(ar, s->nactions, sizeof(*ar), act_row_cmp);
    for (uint32_t i = 0; i < s->netypes; i++)
        s->etypes[i] = er[i].e, esrc[i] = er[i].src, ens[i] = er[i].ns;
    for (uint32_t i = 0; i < s->nactions; i++)
        s->actions[i] = ar[i].a, asrc[i] = ar[i].src, ans[i] = ar[i].ns;
    free(er);
    free(ar);
    return 0;
}

static int
resolve_all(struct rs *r)
{
    struct cedar_schema *s = r->s;
    const struct cs_src *src = &s->src;
    struct cedar_arena *a = &s->arena;
    uint32_t ne = 0, na = 0, nc = 0;
    for (uint32_t k = 0; k < src->nns; k++) {
        ne += src->ns[k].nentities;
        na += src->ns[k].nactions;
        nc += src->ns[k].ncommons;
        struct cedar_str n = src->ns[k].name;
        if (n.n >= 7 && !memcmp(n.p, "__cedar", 7))
            return rbad(r, 1, 1, "the namespace __cedar is reserved");
    }
    s->etypes = cedar_arena_alloc(a, (ne ? ne : 1) * sizeof(*s->etypes));
    s->actions = cedar_arena_alloc(a, (na ? na : 1) * sizeof(*s->actions));
    r->commons = cedar_arena_alloc(a, (nc ? nc : 1) * sizeof(*r->commons));
    uint32_t **eparents = cedar_arena_alloc(a, (ne ? ne : 1) * sizeof(*eparents));
    uint32_t *neparents = cedar_arena_alloc(a, (ne ? ne : 1) * sizeof(*neparents));
    uint32_t **aparents = cedar_arena_alloc(a, (na ? na : 1) * sizeof(*aparents));
    uint32_t *naparents = cedar_arena_alloc(a, (na ? na : 1) * sizeof(*naparents));
    const struct cs_entity **esrc = cedar_arena_alloc(a, (ne ? ne : 1) * sizeof(*esrc));
    const struct cs_action **asrc = cedar_arena_alloc(a, (na ? na : 1) * sizeof(*asrc));
    const struct cs_namespace **ens = cedar_arena_alloc(a, (ne ? ne : 1) * sizeof(*ens));
    const struct cs_namespace **ans = cedar_arena_alloc(a, (na ? na : 1) * sizeof(*ans));
    if (!s->etypes || !s->actions || !r->commons || !eparents || !neparents || !aparents ||
        !naparents || !esrc || !asrc || !ens || !ans) {
        r->rc = CEDAR_E_NOMEM;
        return -1;
    }
    /* names first: every declaration, qualified; duplicates refused */
    uint32_t nc_in = 0;
    for (uint32_t k = 0; k < src->nns; k++) {
        const struct cs_namespace *ns = &src->ns[k];
        for (uint32_t i = 0; i < ns->ncommons; i++) {
            struct common *c = &r->commons[nc_in];
            if (qualify(r, ns->name, ns->commons[i].name, &c->full))
                return -1;
            c->c = &ns->commons[i];
            c->ns = ns;
            nc_in++;
        }
        for (uint32_t i = 0; i < ns->nentities; i++) {
            struct cedar_etype *e = &s->etypes[s->netypes];
            memset(e, 0, sizeof(*e));
            if (qualify(r, ns->name, ns->entities[i].name, &e->name))
                return -1;
            esrc[s->netypes] = &ns->entities[i];
            ens[s->netypes] = ns;
            s->netypes++;
        }
        struct cedar_str atype;
        struct cedar_str act = {"Action", 6};
        if (qualify(r, ns->name, act, &atype))
            return -1;
        for (uint32_t i = 0; i < ns->nactions; i++) {
            struct cedar_saction *x = &s->actions[s->nactions];
            memset(x, 0, sizeof(*x));
            x->uid.type = atype;
            x->uid.id = ns->actions[i].name;
            x->uid.hash = cedar_hash_uid(atype.p, atype.n, x->uid.id.p, x->uid.id.n);
            asrc[s->nactions] = &ns->actions[i];
            ans[s->nactions] = ns;
            s->nactions++;
        }
    }
    qsort(r->commons, nc_in, sizeof(*r->commons), common_cmp);
    for (uint32_t i = 1; i < nc_in; i++)
        if (cs_str_eq(r->commons[i - 1].full, r->commons[i].full)) {
            const struct cs_common *later = r->commons[i].c->line > r->commons[i - 1].c->line
                                                ? r->commons[i].c
                                                : r->commons[i - 1].c;
            return rbad(r, later->line, later->col, "common type `%.*s` declared twice",
                        (int)r->commons[i].full.n, r->commons[i].full.p);
        }
    r->ncommons = nc_in;
    /* sorted, with their sources alongside */
    if (sort_decls(r, esrc, ens, asrc, ans))
        return -1;
    for (uint32_t i = 1; i < s->netypes; i++)
        if (cs_str_eq(s->etypes[i - 1].name, s->etypes[i].name))
            return rbad(r, esrc[i]->line, esrc[i]->col, "entity type `%.*s` declared twice",
                        (int)s->etypes[i].name.n, s->etypes[i].name.p);
    for (uint32_t i = 1; i < s->nactions; i++)
        if (!uid_cmp(&s->actions[i - 1].uid, &s->actions[i].uid))
            return rbad(r, asrc[i]->line, asrc[i]->col, "action \"%.*s\" declared twice",
                        (int)s->actions[i].uid.id.n, s->actions[i].uid.id.p);
    /* then what each says: every common type, used or not */
    for (uint32_t i = 0; i < r->ncommons; i++)
        if (!common_type(r, &r->commons[i], r->commons[i].c->line, r->commons[i].c->col, 0))
            return -1;
    for (uint32_t i = 0; i < s->netypes; i++) {
        const struct cs_entity *src_e = esrc[i];
        struct cedar_etype *e = &s->etypes[i];
        struct cedar_str ns = ens[i]->name;
        e->is_enum = src_e->is_enum;
        e->enums = src_e->enums;
        e->nenums = src_e->nenums;
        if (!(e->attrs = record_of(r, src_e->shape, ns, "an entity type's shape")))
            return -1;
        if (src_e->tags && !(e->tags = resolve(r, src_e->tags, ns, 0)))
            return -1;
        if (!(eparents[i] = cedar_arena_alloc(a, (src_e->nparents ? src_e->nparents : 1) *
                                                     sizeof(**eparents)))) {
            r->rc = CEDAR_E_NOMEM;
            return -1;
        }
        for (uint32_t j = 0; j < src_e->nparents; j++) {
            struct cedar_str full;
            if (entity_name(r, ns, src_e->parents[j], src_e->line, src_e->col, &full))
                return -1;
            eparents[i][j] = (uint32_t)(find_etype(s, full) - s->etypes);
        }
        neparents[i] = src_e->nparents;
    }
    for (uint32_t i = 0; i < s->nactions; i++) {
        const struct cs_action *src_a = asrc[i];
        struct cedar_saction *x = &s->actions[i];
        struct cedar_str ns = ans[i]->name;
        if (!(x->context = record_of(r, src_a->context, ns, "an action's context")))
            return -1;
        struct cedar_str *pv = cedar_arena_alloc(a, (src_a->nprincipals + 1) * sizeof(*pv));
        struct cedar_str *rv = cedar_arena_alloc(a, (src_a->nresources + 1) * sizeof(*rv));
        if (!(aparents[i] = cedar_arena_alloc(a, (src_a->nparents + 1) * sizeof(**aparents))) ||
            !pv || !rv) {
            r->rc = CEDAR_E_NOMEM;
            return -1;
        }
        for (uint32_t j = 0; j < src_a->nprincipals; j++)
            if (entity_name(r, ns, src_a->principals[j], src_a->line, src_a->col, &pv[j]))
                return -1;
        for (uint32_t j = 0; j < src_a->nresources; j++)
            if (entity_name(r, ns, src_a->resources[j], src_a->line, src_a->col, &rv[j]))
                return -1;
        x->principals = pv;
        x->nprincipals = src_a->nprincipals;
        x->resources = rv;
        x->nresources = src_a->nresources;
        for (uint32_t j = 0; j < src_a->nparents; j++) {
            const struct cs_aref *ref = &src_a->parents[j];
            struct cedar_uid u;
            const struct cedar_saction *p = NULL;
            u.id = ref->id;
            if (!ref->type.n) {
                u.type = x->uid.type;
                p = cedar_schema_action(s, &u);
            } else {
                if (!qualified(ref->type) && ns.n) {
                    if (qualify(r, ns, ref->type, &u.type))
                        return -1;
                    p = cedar_schema_action(s, &u);
                }
                if (!p) {
                    u.type = ref->type;
                    p = cedar_schema_action(s, &u);
                }
            }
            if (!p)
                return rbad(r, src_a->line, src_a->col,
                            "action \"%.*s\" is in an undeclared action \"%.*s\"", (int)x->uid.id.n,
                            x->uid.id.p, (int)ref->id.n, ref->id.p);
            aparents[i][j] = (uint32_t)(p - s->actions);
        }
        naparents[i] = src_a->nparents;
    }
    if (r->rc)
        return -1;
    return close_all(r, eparents, neparents, aparents, naparents);
}

/* The length of the well-formed UTF-8 prefix of p[0, n). */
static size_t
utf8_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0, k;
    while (i < n && (k = cedar_utf8_len(p + i, p + n)))
        i += k;
    return i;
}

int
cedar_schema_parse_as(const char *text, size_t n, int format, struct cedar_schema **out,
                      struct cedar_diags *diags)
{
    *out = NULL;
    if (n > CEDAR_MAX_SCHEMA_TEXT) {
        cs_diag(diags, 1, 1, "schema text larger than %u bytes", CEDAR_MAX_SCHEMA_TEXT);
        return CEDAR_E_LIMIT;
    }
    size_t good = utf8_prefix((const unsigned char *)text, n);
    if (good < n) {
        /* Cedar text is UTF-8 (a JSON reader says so itself, more precisely) */
        uint32_t line = 1, col = 1;
        for (size_t i = 0; i < good; i++)
            text[i] == '\n' ? (line++, col = 1) : col++;
        cs_diag(diags, line, col, "invalid UTF-8");
        return CEDAR_E_PARSE;
    }
    struct cedar_schema *s = calloc(1, sizeof(*s));
    if (!s)
        return CEDAR_E_NOMEM;
    cedar_arena_init(&s->arena, (size_t)CEDAR_MAX_SCHEMA_TEXT * 16);
    int rc = format == 'j' ? cs_parse_json(&s->arena, text, n, &s->src, diags)
                           : cs_parse_cedar(&s->arena, text, n, &s->src, diags);
    if (!rc) {
        struct rs r = {s, diags, NULL, 0, 0};
        if (resolve_all(&r))
            rc = r.rc ? r.rc : CEDAR_E_PARSE;
    }
    if (rc) {
        cedar_schema_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int
cedar_schema_parse(const char *text, size_t n, struct cedar_schema **out, struct cedar_diags *diags)
{
    size_t i = 0;
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    return cedar_schema_parse_as(text, n, i < n && text[i] == '{' ? 'j' : 'c', out, diags);
}

void
cedar_schema_free(struct cedar_schema *s)
{
    if (!s)
        return;
    cedar_arena_release(&s->arena);
    free(s);
}

int
cedar_type_print(struct util_buf *b, const struct cedar_type *t)
{
    static const char *const names[] = {
        [TK_BOOL] = "Bool",         [TK_LONG] = "Long",     [TK_STRING] = "String",
        [TK_DECIMAL] = "decimal",   [TK_IPADDR] = "ipaddr", [TK_DATETIME] = "datetime",
        [TK_DURATION] = "duration",
    };
    switch (t->kind) {
    case TK_BOOL:
        return util_buf_puts(b, t->b == BT_TT ? "true" : t->b == BT_FF ? "false" : "Bool");
    case TK_ENTITY:
        return util_buf_add(b, t->name.p, t->name.n);
    case TK_SET:
        return util_buf_puts(b, "Set<") || cedar_type_print(b, t->elem) || util_buf_puts(b, ">");
    case TK_RECORD:
        if (util_buf_puts(b, "{"))
            return -1;
        for (uint32_t i = 0; i < t->nattrs; i++) {
            const struct cedar_rattr *a = &t->attrs[i];
            if ((i && util_buf_puts(b, ", ")) ||
                (cedar_is_ident(a->name.p, a->name.n)
                     ? util_buf_add(b, a->name.p, a->name.n)
                     : cedar_print_string(b, a->name.p, a->name.n)) ||
                util_buf_puts(b, a->required ? ": " : "?: ") || cedar_type_print(b, a->type))
                return -1;
        }
        return util_buf_puts(b, "}");
    default:
        return util_buf_puts(b, names[t->kind]);
    }
}

const char *
cedar_type_str(const struct cedar_type *t, char *buf, size_t n)
{
    struct util_buf b;
    util_buf_init(&b, n - 1);
    snprintf(buf, n, "%s", cedar_type_print(&b, t) ? "(a long type)" : util_buf_str(&b));
    util_buf_free(&b);
    return buf;
}

/* ---- values against types ---- */

static int
misfit(char *why, size_t n, const char *path, const struct cedar_type *t)
{
    char ty[200];
    snprintf(why, n, "%s%sexpected %s", path, *path ? ": " : "", cedar_type_str(t, ty, sizeof(ty)));
    return 0;
}

static int
fits(const struct cedar_schema *s, const struct cedar_value *v, const struct cedar_type *t,
     char *path, size_t plen, char *why, size_t n, unsigned depth)
{
    static const int kinds[] = {
        [TK_BOOL] = CEDAR_BOOL,        [TK_LONG] = CEDAR_LONG,     [TK_STRING] = CEDAR_STRING,
        [TK_ENTITY] = CEDAR_ENTITY,    [TK_SET] = CEDAR_SET,       [TK_RECORD] = CEDAR_RECORD,
        [TK_DECIMAL] = CEDAR_DECIMAL,  [TK_IPADDR] = CEDAR_IPADDR, [TK_DATETIME] = CEDAR_DATETIME,
        [TK_DURATION] = CEDAR_DURATION};
    if (depth > CEDAR_MAX_JSON_DEPTH * 2)
        return snprintf(why, n, "%s: nested too deeply", path), 0;
    if (v->kind != kinds[t->kind])
        return misfit(why, n, path, t);
    if (t->kind == TK_ENTITY) {
        const struct cedar_uid *u = v->u.uid;
        if (cedar_str_cmp(u->type, t->name))
            return misfit(why, n, path, t);
        const struct cedar_etype *e = find_etype(s, t->name);
        int ok = !e || !e->is_enum;
        for (uint32_t i = 0; e && !ok && i < e->nenums; i++)
            ok = cs_str_eq(e->enums[i], u->id);
        return ok ? 1
                  : (snprintf(why, n, "%s: not one of the values of %.*s", path, (int)t->name.n,
                              t->name.p),
                     0);
    }
    if (t->kind == TK_SET) {
        for (uint32_t i = 0; i < v->u.set->n; i++)
            if (!fits(s, &v->u.set->v[i], t->elem, path, plen, why, n, depth + 1))
                return 0;
        return 1;
    }
    if (t->kind != TK_RECORD)
        return 1;
    size_t len = strlen(path);
    for (uint32_t i = 0; i < t->nattrs; i++) {
        const struct cedar_rattr *a = &t->attrs[i];
        const struct cedar_value *x = cedar_record_get(v->u.rec, a->name.p, a->name.n);
        snprintf(path + len, plen - len, "%s%.*s", len ? "." : "",
                 (int)(a->name.n > 40 ? 40 : a->name.n), a->name.p);
        if (!x && a->required) {
            snprintf(why, n, "%s: required, and missing", path);
            return 0;
        }
        if (x && !fits(s, x, a->type, path, plen, why, n, depth + 1))
            return 0;
        path[len] = '\0';
    }
    return 1;
}

int
cedar_value_fits(const struct cedar_schema *s, const struct cedar_value *v,
                 const struct cedar_type *t, char *why, size_t n)
{
    char path[256] = "";
    return fits(s, v, t, path, sizeof(path), why, n, 0);
}
