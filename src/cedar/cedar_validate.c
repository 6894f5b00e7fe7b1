/*
 * cedar_validate.c - the validator (cedar_validate.h): Typechecker.lean's
 * typeOf over the parsed policies, with its capabilities (what `has` has
 * proven of an expression, so that an optional attribute or a tag may be
 * read after it), its bool types that know true and false, and its lub
 * (Subtyping.lean); Validator.lean's request environments, the action
 * substituted by its literal, and the impossible-policy check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar_ext.h"
#include "cedar_schema_int.h"
#include "cedar_validate.h"

static const struct cedar_type t_any = {TK_BOOL, BT_ANY, {0}, 0, 0, 0},
                               t_tt = {TK_BOOL, BT_TT, {0}, 0, 0, 0},
                               t_ff = {TK_BOOL, BT_FF, {0}, 0, 0, 0},
                               t_long = {TK_LONG, 0, {0}, 0, 0, 0},
                               t_string = {TK_STRING, 0, {0}, 0, 0, 0},
                               t_decimal = {TK_DECIMAL, 0, {0}, 0, 0, 0},
                               t_ipaddr = {TK_IPADDR, 0, {0}, 0, 0, 0},
                               t_datetime = {TK_DATETIME, 0, {0}, 0, 0, 0},
                               t_duration = {TK_DURATION, 0, {0}, 0, 0, 0};

/* What `has` proved: x has attribute name, or (tag) x has tag tagx. */
struct cap {
    const struct cedar_expr *x;
    const struct cedar_expr *tagx; /* NULL: an attribute */
    struct cedar_str name;
};

struct caps {
    const struct cap *v;
    uint32_t n;
};

struct tres {
    const struct cedar_type *ty;
    struct caps c;
};

struct vx {
    const struct cedar_schema *s;
    const struct cedar_saction *act;
    struct cedar_str principal, resource;
    struct cedar_arena *a;
    const struct cedar_expr *at; /* where the error is */
    char msg[CEDAR_MAX_ERRMSG];
    int nomem;
    unsigned depth;
};

static const struct caps none = {NULL, 0};

static int __attribute__((format(printf, 3, 4)))
terr(struct vx *v, const struct cedar_expr *at, const char *fmt, ...)
{
    v->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
    va_end(ap);
    return -1;
}

static int
nomem(struct vx *v)
{
    v->nomem = 1;
    return terr(v, NULL, "out of memory");
}

/* ---- types ---- */

static const struct cedar_type *
boolt(int bt)
{
    return bt == BT_TT ? &t_tt : bt == BT_FF ? &t_ff : &t_any;
}

static const struct cedar_type *
mk(struct vx *v, int kind)
{
    struct cedar_type *t = cedar_arena_alloc(v->a, sizeof(*t));
    if (t)
        t->kind = (uint8_t)kind;
    return t;
}

static int
same(const struct cedar_type *a, const struct cedar_type *b)
{
    if (a == b)
        return 1;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case TK_BOOL:
        return a->b == b->b;
    case TK_ENTITY:
        return cs_str_eq(a->name, b->name);
    case TK_SET:
        return same(a->elem, b->elem);
    case TK_RECORD:
        if (a->nattrs != b->nattrs)
            return 0;
        for (uint32_t i = 0; i < a->nattrs; i++)
            if (!cs_str_eq(a->attrs[i].name, b->attrs[i].name) ||
                a->attrs[i].required != b->attrs[i].required ||
                !same(a->attrs[i].type, b->attrs[i].type))
                return 0;
        return 1;
    default:
        return 1;
    }
}

/* The least upper bound, NULL when there is none (strict). */
static const struct cedar_type *
lub(struct vx *v, const struct cedar_type *a, const struct cedar_type *b)
{
    if (a->kind == TK_BOOL && b->kind == TK_BOOL)
        return a->b == b->b ? a : &t_any;
    if (a->kind == TK_SET && b->kind == TK_SET) {
        const struct cedar_type *e = lub(v, a->elem, b->elem);
        if (!e)
            return NULL;
        if (e == a->elem)
            return a;
        struct cedar_type *s = (struct cedar_type *)mk(v, TK_SET);
        if (s)
            s->elem = e;
        return s;
    }
    if (a->kind == TK_RECORD && b->kind == TK_RECORD) {
        if (a->nattrs != b->nattrs)
            return NULL;
        struct cedar_rattr *at = cedar_arena_alloc(v->a, (a->nattrs ? a->nattrs : 1) * sizeof(*at));
        struct cedar_type *r = (struct cedar_type *)mk(v, TK_RECORD);
        if (!at || !r)
            return NULL;
        for (uint32_t i = 0; i < a->nattrs; i++) {
            if (!cs_str_eq(a->attrs[i].name, b->attrs[i].name))
                return NULL;
            at[i].name = a->attrs[i].name;
            at[i].required = a->attrs[i].required && b->attrs[i].required;
            if (!(at[i].type = lub(v, a->attrs[i].type, b->attrs[i].type)))
                return NULL;
        }
        r->attrs = at;
        r->nattrs = a->nattrs;
        return r;
    }
    return same(a, b) ? a : NULL;
}

/* ---- capabilities ---- */

static int expr_eq(const struct cedar_expr *a, const struct cedar_expr *b);

static int
args_eq(const struct cedar_expr *a, const struct cedar_expr *b)
{
    if (a->nargs != b->nargs)
        return 0;
    for (uint32_t i = 0; i < a->nargs; i++)
        if (!expr_eq(a->args[i], b->args[i]))
            return 0;
    return 1;
}

/* Whether a and b are the same expression (Lean's Expr equality). */
static int
expr_eq(const struct cedar_expr *a, const struct cedar_expr *b)
{
    if (a == b)
        return 1;
    if (!a || !b || a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case CX_LIT:
        return cedar_value_eq(&a->lit, &b->lit);
    case CX_VAR:
    case CX_SLOT:
        return a->var == b->var;
    case CX_ATTR:
    case CX_IS:
        return cs_str_eq(a->name, b->name) && expr_eq(a->a, b->a) && expr_eq(a->b, b->b);
    case CX_HAS:
        if (a->nargs != b->nargs || !expr_eq(a->a, b->a))
            return 0;
        for (uint32_t i = 0; i < a->nargs; i++)
            if (!cs_str_eq(a->keys[i], b->keys[i]))
                return 0;
        return 1;
    case CX_LIKE:
        return a->pat.n == b->pat.n && !memcmp(a->pat.e, b->pat.e, a->pat.n * sizeof(*a->pat.e)) &&
               expr_eq(a->a, b->a);
    case CX_METHOD:
    case CX_CALL:
        return a->fn == b->fn && args_eq(a, b);
    case CX_SET:
        return args_eq(a, b);
    case CX_RECORD:
        if (!args_eq(a, b))
            return 0;
        for (uint32_t i = 0; i < a->nargs; i++)
            if (!cs_str_eq(a->keys[i], b->keys[i]))
                return 0;
        return 1;
    default:
        return expr_eq(a->a, b->a) && expr_eq(a->b, b->b) && expr_eq(a->c, b->c);
    }
}

static int
cap_eq(const struct cap *x, const struct cap *y)
{
    return expr_eq(x->x, y->x) && (x->tagx ? y->tagx && expr_eq(x->tagx, y->tagx)
                                           : !y->tagx && cs_str_eq(x->name, y->name));
}

static int
has_cap(struct caps c, const struct cap *k)
{
    for (uint32_t i = 0; i < c.n; i++)
        if (cap_eq(&c.v[i], k))
            return 1;
    return 0;
}

static int
cunion(struct vx *v, struct caps a, struct caps b, struct caps *out)
{
    if (!b.n || !a.n) {
        *out = a.n ? a : b;
        return 0;
    }
    struct cap *c = cedar_arena_alloc(v->a, (a.n + b.n) * sizeof(*c));
    if (!c)
        return nomem(v);
    memcpy(c, a.v, a.n * sizeof(*c));
    uint32_t n = a.n;
    for (uint32_t i = 0; i < b.n; i++)
        if (!has_cap(a, &b.v[i]))
            c[n++] = b.v[i];
    out->v = c;
    out->n = n;
    return 0;
}

static int
cinter(struct vx *v, struct caps a, struct caps b, struct caps *out)
{
    struct cap *c = cedar_arena_alloc(v->a, (a.n ? a.n : 1) * sizeof(*c));
    if (!c)
        return nomem(v);
    uint32_t n = 0;
    for (uint32_t i = 0; i < a.n; i++)
        if (has_cap(b, &a.v[i]))
            c[n++] = a.v[i];
    out->v = c;
    out->n = n;
    return 0;
}

static int
single(struct vx *v, const struct cedar_expr *x, const struct cedar_expr *tagx,
       struct cedar_str name, struct caps *out)
{
    struct cap *c = cedar_arena_alloc(v->a, sizeof(*c));
    if (!c)
        return nomem(v);
    c->x = x;
    c->tagx = tagx;
    c->name = name;
    out->v = c;
    out->n = 1;
    return 0;
}

/* ---- the environment ---- */

static const struct cedar_uid *
lit_uid(const struct vx *v, const struct cedar_expr *e)
{
    if (e->kind == CX_LIT && e->lit.kind == CEDAR_ENTITY)
        return e->lit.u.uid;
    if (e->kind == CX_VAR && e->var == CEDAR_VAR_ACTION)
        return &v->act->uid; /* the action substituted by its literal */
    return NULL;
}

static int
action_is(const struct cedar_schema *s, const struct cedar_uid *u)
{
    return cedar_schema_action(s, u) != NULL;
}

static int
action_descendant(const struct cedar_schema *s, const struct cedar_uid *a,
                  const struct cedar_uid *b)
{
    if (cedar_uid_eq(a, b))
        return 1;
    const struct cedar_saction *x = cedar_schema_action(s, a);
    for (uint32_t i = 0; x && i < x->nancestors; i++)
        if (cedar_uid_eq(x->ancestors[i], b))
            return 1;
    return 0;
}

static int
action_type(const struct cedar_schema *s, struct cedar_str t)
{
    for (uint32_t i = 0; i < s->nactions; i++)
        if (cs_str_eq(s->actions[i].uid.type, t))
            return 1;
    return 0;
}

static int
etype_descendant(const struct cedar_schema *s, struct cedar_str a, struct cedar_str b)
{
    if (cs_str_eq(a, b))
        return 1;
    const struct cedar_etype *e = cedar_schema_etype(s, a.p, a.n);
    if (e) {
        for (uint32_t i = 0; i < e->nancestors; i++)
            if (cs_str_eq(e->ancestors[i], b))
                return 1;
        return 0;
    }
    /* an action type: whether an action of it is in one of type b */
    for (uint32_t i = 0; i < s->nactions; i++)
        if (cs_str_eq(s->actions[i].uid.type, a))
            for (uint32_t j = 0; j < s->actions[i].nancestors; j++)
                if (cs_str_eq(s->actions[i].ancestors[j]->type, b))
                    return 1;
    return 0;
}

static int
valid_uid(const struct cedar_schema *s, const struct cedar_uid *u)
{
    const struct cedar_etype *e = cedar_schema_etype(s, u->type.p, u->type.n);
    if (e) {
        if (!e->is_enum)
            return 1;
        for (uint32_t i = 0; i < e->nenums; i++)
            if (cs_str_eq(e->enums[i], u->id))
                return 1;
        return 0;
    }
    return action_is(s, u);
}

/* ---- typeOf ---- */

static int tc(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out);

static void
ok(struct tres *out, const struct cedar_type *ty, struct caps c)
{
    out->ty = ty;
    out->c = c;
}

static int
unexpected(struct vx *v, const struct cedar_expr *at, const struct cedar_type *t, const char *where)
{
    char b[256];
    return terr(v, at, "%s: unexpected type %s", where, cedar_type_str(t, b, sizeof(b)));
}

static int
lub_err(struct vx *v, const struct cedar_expr *at, const struct cedar_type *a,
        const struct cedar_type *b, const char *where)
{
    char x[200], y[200];
    return terr(v, at, "%s: types %s and %s are incompatible", where,
                cedar_type_str(a, x, sizeof(x)), cedar_type_str(b, y, sizeof(y)));
}

static int
type_if(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    struct tres r1, r2, r3;
    if (tc(v, e->a, c, &r1))
        return -1;
    if (r1.ty->kind != TK_BOOL)
        return unexpected(v, e->a, r1.ty, "`if` condition");
    struct caps c1c;
    if (r1.ty->b == BT_TT) {
        if (cunion(v, c, r1.c, &c1c) || tc(v, e->b, c1c, &r2))
            return -1;
        struct caps u;
        if (cunion(v, r1.c, r2.c, &u))
            return -1;
        ok(out, r2.ty, u);
        return 0;
    }
    if (r1.ty->b == BT_FF) {
        if (tc(v, e->c, c, &r3))
            return -1;
        ok(out, r3.ty, r3.c);
        return 0;
    }
    if (cunion(v, c, r1.c, &c1c) || tc(v, e->b, c1c, &r2) || tc(v, e->c, c, &r3))
        return -1;
    const struct cedar_type *t = lub(v, r2.ty, r3.ty);
    if (!t)
        return lub_err(v, e, r2.ty, r3.ty, "`if` branches");
    struct caps u, i;
    if (cunion(v, r1.c, r2.c, &u) || cinter(v, u, r3.c, &i))
        return -1;
    ok(out, t, i);
    return 0;
}

/* typeOfAnd, r1 already typed; x2 typed with c ∪ c1. */
static int
type_and_rest(struct vx *v, const struct cedar_expr *at, struct tres r1,
              const struct cedar_expr *x2, struct caps c, struct tres *out)
{
    if (r1.ty->kind != TK_BOOL)
        return unexpected(v, at, r1.ty, "`&&`");
    if (r1.ty->b == BT_FF) {
        ok(out, &t_ff, none);
        return 0;
    }
    struct caps cc, u;
    struct tres r2;
    if (cunion(v, c, r1.c, &cc) || tc(v, x2, cc, &r2))
        return -1;
    if (r2.ty->kind != TK_BOOL)
        return unexpected(v, x2, r2.ty, "`&&`");
    if (r2.ty->b == BT_FF) {
        ok(out, &t_ff, none);
        return 0;
    }
    if (cunion(v, r1.c, r2.c, &u))
        return -1;
    ok(out, r2.ty->b == BT_TT ? r1.ty : &t_any, u);
    return 0;
}

static int
type_or(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    struct tres r1, r2;
    if (tc(v, e->a, c, &r1))
        return -1;
    if (r1.ty->kind != TK_BOOL)
        return unexpected(v, e->a, r1.ty, "`||`");
    if (r1.ty->b == BT_TT) {
        ok(out, &t_tt, none);
        return 0;
    }
    if (tc(v, e->b, c, &r2))
        return -1;
    if (r2.ty->kind != TK_BOOL)
        return unexpected(v, e->b, r2.ty, "`||`");
    if (r1.ty->b == BT_FF) {
        ok(out, r2.ty, r2.c);
        return 0;
    }
    if (r2.ty->b == BT_TT) {
        ok(out, &t_tt, none);
        return 0;
    }
    if (r2.ty->b == BT_FF) {
        ok(out, &t_any, r1.c);
        return 0;
    }
    struct caps i;
    if (cinter(v, r1.c, r2.c, &i))
        return -1;
    ok(out, &t_any, i);
    return 0;
}

/* A literal of a primitive value, the action (substituted) included. */
static int
is_lit(const struct cedar_expr *e)
{
    return (e->kind == CX_LIT && e->lit.kind <= CEDAR_ENTITY) ||
           (e->kind == CX_VAR && e->var == CEDAR_VAR_ACTION);
}

static int
type_eq(struct vx *v, const struct cedar_expr *e, const struct cedar_expr *x1,
        const struct cedar_expr *x2, int negate, struct caps c, struct tres *out)
{
    struct tres r1, r2;
    if (tc(v, x1, c, &r1) || tc(v, x2, c, &r2))
        return -1;
    int bt;
    if (is_lit(x1) && is_lit(x2)) {
        int eq;
        const struct cedar_uid *u1 = lit_uid(v, x1), *u2 = lit_uid(v, x2);
        if (u1 || u2)
            eq = u1 && u2 && cedar_uid_eq(u1, u2);
        else
            eq = cedar_value_eq(&x1->lit, &x2->lit);
        bt = eq ? BT_TT : BT_FF;
    } else if (lub(v, r1.ty, r2.ty)) {
        bt = BT_ANY;
    } else if (r1.ty->kind == TK_ENTITY && r2.ty->kind == TK_ENTITY) {
        bt = BT_FF;
    } else {
        return lub_err(v, e, r1.ty, r2.ty, negate ? "`!=`" : "`==`");
    }
    if (negate)
        bt = bt == BT_TT ? BT_FF : bt == BT_FF ? BT_TT : BT_ANY;
    ok(out, boolt(bt), none);
    return 0;
}

static int
type_in(struct vx *v, const struct cedar_expr *x1, const struct cedar_expr *x2, struct caps c,
        struct tres *out)
{
    struct tres r1, r2;
    if (tc(v, x1, c, &r1) || tc(v, x2, c, &r2))
        return -1;
    if (r1.ty->kind != TK_ENTITY)
        return unexpected(v, x1, r1.ty, "`in`");
    const struct cedar_uid *u1 = lit_uid(v, x1);
    if (u1 && !action_is(v->s, u1))
        u1 = NULL;
    if (r2.ty->kind == TK_ENTITY) {
        const struct cedar_uid *u2 = lit_uid(v, x2);
        int bt;
        if (u1 && u2)
            bt = action_descendant(v->s, u1, u2) ? BT_TT : BT_FF;
        else
            bt = etype_descendant(v->s, r1.ty->name, r2.ty->name) ? BT_ANY : BT_FF;
        ok(out, boolt(bt), none);
        return 0;
    }
    if (r2.ty->kind == TK_SET && r2.ty->elem->kind == TK_ENTITY) {
        int all_lits = x2->kind == CX_SET, any = 0;
        for (uint32_t i = 0; all_lits && i < x2->nargs; i++) {
            const struct cedar_uid *u2 = lit_uid(v, x2->args[i]);
            if (!u2 || x2->args[i]->kind != CX_LIT)
                all_lits = 0;
            else if (u1 && action_descendant(v->s, u1, u2))
                any = 1;
        }
        int bt;
        if (u1 && all_lits)
            bt = any ? BT_TT : BT_FF;
        else
            bt = etype_descendant(v->s, r1.ty->name, r2.ty->elem->name) ? BT_ANY : BT_FF;
        ok(out, boolt(bt), none);
        return 0;
    }
    return unexpected(v, x1, r1.ty, "`in`");
}

static const struct cedar_rattr *
find_attr(const struct cedar_type *rec, struct cedar_str name)
{
    size_t lo = 0, hi = rec->nattrs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cedar_str_cmp(rec->attrs[mid].name, name);
        if (!c)
            return &rec->attrs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* x has a, x of type ty. */
static int
has_attr(struct vx *v, const struct cedar_expr *at, const struct cedar_expr *x,
         const struct cedar_type *ty, struct cedar_str a, struct caps c, struct tres *out)
{
    const struct cedar_type *rec;
    int known = 1;
    if (ty->kind == TK_RECORD) {
        rec = ty;
    } else if (ty->kind == TK_ENTITY) {
        const struct cedar_etype *et = cedar_schema_etype(v->s, ty->name.p, ty->name.n);
        if (!et) {
            if (action_type(v->s, ty->name)) {
                ok(out, &t_ff, none);
                return 0;
            }
            return terr(v, at, "unknown entity type `%.*s`", (int)ty->name.n, ty->name.p);
        }
        rec = et->attrs;
        known = 0;
    } else {
        return unexpected(v, x, ty, "`has`");
    }
    const struct cedar_rattr *f = find_attr(rec, a);
    if (!f) {
        ok(out, &t_ff, none);
        return 0;
    }
    struct cap k = {x, NULL, a};
    if (has_cap(c, &k) || (f->required && known)) {
        ok(out, &t_tt, none);
        return 0;
    }
    struct caps s = none;
    if (single(v, x, NULL, a, &s))
        return -1;
    ok(out, &t_any, s);
    return 0;
}

static int
get_attr(struct vx *v, const struct cedar_expr *at, const struct cedar_expr *x,
         const struct cedar_type *ty, struct cedar_str a, struct caps c, struct tres *out)
{
    const struct cedar_type *rec;
    char b[256];
    if (ty->kind == TK_RECORD) {
        rec = ty;
    } else if (ty->kind == TK_ENTITY) {
        const struct cedar_etype *et = cedar_schema_etype(v->s, ty->name.p, ty->name.n);
        if (!et)
            return terr(v, at, "unknown entity type `%.*s` (actions have no attributes)",
                        (int)ty->name.n, ty->name.p);
        rec = et->attrs;
    } else {
        return unexpected(v, x, ty, "attribute access");
    }
    const struct cedar_rattr *f = find_attr(rec, a);
    if (!f)
        return terr(v, at, "attribute `%.*s` is not declared in %s", (int)a.n, a.p,
                    cedar_type_str(ty, b, sizeof(b)));
    struct cap k = {x, NULL, a};
    if (!f->required && !has_cap(c, &k))
        return terr(v, at,
                    "attribute `%.*s` of %s is optional: test it with `has` before reading it",
                    (int)a.n, a.p, cedar_type_str(ty, b, sizeof(b)));
    ok(out, f->type, none);
    return 0;
}

/* e has k0.k1...: `e has k0 && e.k0 has k1 && ...` */
static int
type_has(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    struct tres r1, acc;
    if (tc(v, e->a, c, &r1))
        return -1;
    const struct cedar_expr *x = e->a;
    if (has_attr(v, e, x, r1.ty, e->keys[0], c, &acc))
        return -1;
    for (uint32_t i = 1; i < e->nargs; i++) {
        if (acc.ty->b == BT_FF)
            break;
        struct cedar_expr *g = cedar_arena_alloc(v->a, sizeof(*g));
        if (!g)
            return nomem(v);
        *g = *e;
        g->kind = CX_ATTR;
        g->a = (struct cedar_expr *)x;
        g->name = e->keys[i - 1];
        g->nargs = 0;
        x = g;
        /* the next `has`, typed with what the previous ones proved */
        struct caps cc, u;
        struct tres rx, rh;
        if (cunion(v, c, acc.c, &cc) || tc(v, x, cc, &rx) ||
            has_attr(v, e, x, rx.ty, e->keys[i], cc, &rh))
            return -1;
        if (rh.ty->b == BT_FF) {
            ok(&acc, &t_ff, none);
            break;
        }
        if (cunion(v, acc.c, rh.c, &u))
            return -1;
        ok(&acc, rh.ty->b == BT_TT ? acc.ty : &t_any, u);
    }
    *out = acc;
    return 0;
}

static int
type_tag(struct vx *v, const struct cedar_expr *e, int get, struct caps c, struct tres *out)
{
    struct tres r1, r2;
    const struct cedar_expr *x = e->args[0], *t = e->args[1];
    if (tc(v, x, c, &r1) || tc(v, t, c, &r2))
        return -1;
    if (r1.ty->kind != TK_ENTITY || r2.ty->kind != TK_STRING)
        return unexpected(v, r1.ty->kind != TK_ENTITY ? x : t,
                          r1.ty->kind != TK_ENTITY ? r1.ty : r2.ty, get ? "getTag" : "hasTag");
    const struct cedar_etype *et = cedar_schema_etype(v->s, r1.ty->name.p, r1.ty->name.n);
    if (!et) {
        if (!get && action_type(v->s, r1.ty->name)) {
            ok(out, &t_ff, none);
            return 0;
        }
        return terr(v, e, "unknown entity type `%.*s`", (int)r1.ty->name.n, r1.ty->name.p);
    }
    struct cap k = {x, t, {0}};
    if (get) {
        if (!et->tags || !has_cap(c, &k))
            return terr(v, e,
                        et->tags ? "a tag of `%.*s` read without `hasTag` proving it first"
                                 : "entity type `%.*s` has no tags",
                        (int)r1.ty->name.n, r1.ty->name.p);
        ok(out, et->tags, none);
        return 0;
    }
    if (!et->tags) {
        ok(out, &t_ff, none);
        return 0;
    }
    if (has_cap(c, &k)) {
        ok(out, &t_tt, none);
        return 0;
    }
    struct caps s = none;
    if (single(v, x, t, (struct cedar_str){0}, &s))
        return -1;
    ok(out, &t_any, s);
    return 0;
}

static int
constructor(struct vx *v, const struct cedar_expr *e, const struct cedar_type *ty)
{
    const struct cedar_expr *a = e->nargs == 1 ? e->args[0] : NULL;
    if (!a || a->kind != CX_LIT || a->lit.kind != CEDAR_STRING)
        return terr(v, e, "%s() takes one string literal", cedar_fns[e->fn].name);
    const char *p = a->lit.u.s.p;
    size_t n = a->lit.u.s.n;
    int64_t l;
    struct cedar_ip ip;
    int bad = ty == &t_decimal    ? cedar_decimal_parse(p, n, &l)
              : ty == &t_ipaddr   ? cedar_ip_parse(p, n, &ip)
              : ty == &t_datetime ? cedar_datetime_parse(p, n, &l)
                                  : cedar_duration_parse(p, n, &l);
    if (bad)
        return terr(v, e, "%s(\"%.*s\") is not a valid %s", cedar_fns[e->fn].name,
                    (int)(n > 60 ? 60 : n), p, cedar_fns[e->fn].name);
    return 0;
}

static int
type_call(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    static const struct {
        uint8_t fn, nargs;
        const struct cedar_type *a0, *a1, *ret;
    } sigs[] = {
        {FN_LESS_THAN, 2, &t_decimal, &t_decimal, &t_any},
        {FN_LESS_THAN_OR_EQUAL, 2, &t_decimal, &t_decimal, &t_any},
        {FN_GREATER_THAN, 2, &t_decimal, &t_decimal, &t_any},
        {FN_GREATER_THAN_OR_EQUAL, 2, &t_decimal, &t_decimal, &t_any},
        {FN_IS_IPV4, 1, &t_ipaddr, NULL, &t_any},
        {FN_IS_IPV6, 1, &t_ipaddr, NULL, &t_any},
        {FN_IS_LOOPBACK, 1, &t_ipaddr, NULL, &t_any},
        {FN_IS_MULTICAST, 1, &t_ipaddr, NULL, &t_any},
        {FN_IS_IN_RANGE, 2, &t_ipaddr, &t_ipaddr, &t_any},
        {FN_OFFSET, 2, &t_datetime, &t_duration, &t_datetime},
        {FN_DURATION_SINCE, 2, &t_datetime, &t_datetime, &t_duration},
        {FN_TO_DATE, 1, &t_datetime, NULL, &t_datetime},
        {FN_TO_TIME, 1, &t_datetime, NULL, &t_duration},
        {FN_TO_MILLISECONDS, 1, &t_duration, NULL, &t_long},
        {FN_TO_SECONDS, 1, &t_duration, NULL, &t_long},
        {FN_TO_MINUTES, 1, &t_duration, NULL, &t_long},
        {FN_TO_HOURS, 1, &t_duration, NULL, &t_long},
        {FN_TO_DAYS, 1, &t_duration, NULL, &t_long},
    };
    const struct cedar_type *tys[2] = {NULL, NULL};
    for (uint32_t i = 0; i < e->nargs && i < 2; i++) {
        struct tres r;
        if (tc(v, e->args[i], c, &r))
            return -1;
        tys[i] = r.ty;
    }
    switch (e->fn) {
    case FN_IP:
    case FN_DECIMAL:
    case FN_DATETIME:
    case FN_DURATION: {
        const struct cedar_type *ty = e->fn == FN_IP         ? &t_ipaddr
                                      : e->fn == FN_DECIMAL  ? &t_decimal
                                      : e->fn == FN_DATETIME ? &t_datetime
                                                             : &t_duration;
        if (constructor(v, e, ty))
            return -1;
        ok(out, ty, none);
        return 0;
    }
    default:
        break;
    }
    for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
        if (sigs[i].fn != e->fn)
            continue;
        if (e->nargs != sigs[i].nargs || !same(tys[0], sigs[i].a0) ||
            (sigs[i].a1 && !same(tys[1], sigs[i].a1))) {
            char b[200];
            return terr(v, e, "%s: wrong argument types (the first is %s)", cedar_fns[e->fn].name,
                        tys[0] ? cedar_type_str(tys[0], b, sizeof(b)) : "missing");
        }
        ok(out, sigs[i].ret, none);
        return 0;
    }
    return terr(v, e, "%s: not an extension function", cedar_fns[e->fn].name);
}

static int
type_method(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    struct tres r1, r2;
    switch (e->fn) {
    case FN_CONTAINS:
    case FN_CONTAINS_ALL:
    case FN_CONTAINS_ANY: {
        if (tc(v, e->args[0], c, &r1) || tc(v, e->args[1], c, &r2))
            return -1;
        if (r1.ty->kind != TK_SET)
            return unexpected(v, e->args[0], r1.ty, cedar_fns[e->fn].name);
        const struct cedar_type *a = r1.ty->elem, *b = r2.ty;
        if (e->fn != FN_CONTAINS) {
            if (r2.ty->kind != TK_SET)
                return unexpected(v, e->args[0], r1.ty, cedar_fns[e->fn].name);
            b = r2.ty->elem;
        }
        if (!lub(v, b, a))
            return lub_err(v, e, a, b, cedar_fns[e->fn].name);
        ok(out, &t_any, none);
        return 0;
    }
    case FN_IS_EMPTY:
        if (tc(v, e->args[0], c, &r1))
            return -1;
        if (r1.ty->kind != TK_SET)
            return unexpected(v, e->args[0], r1.ty, "isEmpty");
        ok(out, &t_any, none);
        return 0;
    case FN_GET_TAG:
    case FN_HAS_TAG:
        return type_tag(v, e, e->fn == FN_GET_TAG, c, out);
    default:
        return type_call(v, e, c, out);
    }
}

static int
arith(struct vx *v, const struct cedar_expr *e, const char *op, int cmp, struct caps c,
      struct tres *out)
{
    struct tres r1, r2;
    const struct cedar_expr *x1 = e->a, *x2 = e->b;
    if (e->kind == CX_GT || e->kind == CX_GE)
        x1 = e->b, x2 = e->a; /* a > b is b < a */
    if (tc(v, x1, c, &r1) || tc(v, x2, c, &r2))
        return -1;
    int k1 = r1.ty->kind, k2 = r2.ty->kind;
    if (k1 == TK_LONG && k2 == TK_LONG) {
        ok(out, cmp ? &t_any : &t_long, none);
        return 0;
    }
    if (cmp && k1 == k2 && (k1 == TK_DATETIME || k1 == TK_DURATION)) {
        ok(out, &t_any, none);
        return 0;
    }
    return unexpected(v, k1 == TK_LONG ? x2 : x1, k1 == TK_LONG ? r2.ty : r1.ty, op);
}

static int
tc_inner(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    struct tres r;
    switch (e->kind) {
    case CX_LIT:
        switch (e->lit.kind) {
        case CEDAR_BOOL:
            ok(out, e->lit.u.b ? &t_tt : &t_ff, none);
            return 0;
        case CEDAR_LONG:
            ok(out, &t_long, none);
            return 0;
        case CEDAR_STRING:
            ok(out, &t_string, none);
            return 0;
        case CEDAR_ENTITY: {
            const struct cedar_uid *u = e->lit.u.uid;
            if (!valid_uid(v->s, u))
                return terr(v, e,
                            cedar_schema_etype(v->s, u->type.p, u->type.n)
                                ? "`%.*s::\"%.*s\"` is not one of the values of its type"
                                : "unknown entity type or action `%.*s::\"%.*s\"`",
                            (int)u->type.n, u->type.p, (int)u->id.n, u->id.p);
            struct cedar_type *t = (struct cedar_type *)mk(v, TK_ENTITY);
            if (!t)
                return nomem(v);
            t->name = u->type;
            ok(out, t, none);
            return 0;
        }
        default:
            return terr(v, e, "unexpected literal");
        }
    case CX_VAR:
    case CX_SLOT: {
        if (e->var == CEDAR_VAR_CONTEXT) {
            ok(out, v->act->context, none);
            return 0;
        }
        struct cedar_type *t = (struct cedar_type *)mk(v, TK_ENTITY);
        if (!t)
            return nomem(v);
        t->name = e->var == CEDAR_VAR_PRINCIPAL  ? v->principal
                  : e->var == CEDAR_VAR_RESOURCE ? v->resource
                                                 : v->act->uid.type;
        ok(out, t, none);
        return 0;
    }
    case CX_IF:
        return type_if(v, e, c, out);
    case CX_AND:
        if (tc(v, e->a, c, &r))
            return -1;
        return type_and_rest(v, e->a, r, e->b, c, out);
    case CX_OR:
        return type_or(v, e, c, out);
    case CX_NOT:
        if (tc(v, e->a, c, &r))
            return -1;
        if (r.ty->kind != TK_BOOL)
            return unexpected(v, e->a, r.ty, "`!`");
        ok(out, boolt(r.ty->b == BT_TT ? BT_FF : r.ty->b == BT_FF ? BT_TT : BT_ANY), none);
        return 0;
    case CX_NEG:
        if (tc(v, e->a, c, &r))
            return -1;
        if (r.ty->kind != TK_LONG)
            return unexpected(v, e->a, r.ty, "unary `-`");
        ok(out, &t_long, none);
        return 0;
    case CX_EQ:
    case CX_NE:
        return type_eq(v, e, e->a, e->b, e->kind == CX_NE, c, out);
    case CX_LT:
    case CX_LE:
    case CX_GT:
    case CX_GE:
        return arith(v, e, "comparison", 1, c, out);
    case CX_ADD:
    case CX_SUB:
    case CX_MUL:
        return arith(v, e, "arithmetic", 0, c, out);
    case CX_IN:
        return type_in(v, e->a, e->b, c, out);
    case CX_HAS:
        return type_has(v, e, c, out);
    case CX_LIKE:
        if (tc(v, e->a, c, &r))
            return -1;
        if (r.ty->kind != TK_STRING)
            return unexpected(v, e->a, r.ty, "`like`");
        ok(out, &t_any, none);
        return 0;
    case CX_IS: {
        if (tc(v, e->a, c, &r))
            return -1;
        if (r.ty->kind != TK_ENTITY)
            return unexpected(v, e->a, r.ty, "`is`");
        struct tres is = {cs_str_eq(r.ty->name, e->name) ? &t_tt : &t_ff, none};
        if (!e->b) {
            *out = is;
            return 0;
        }
        /* x is T in y: x is T && x in y */
        struct cedar_expr *in = cedar_arena_alloc(v->a, sizeof(*in));
        if (!in)
            return nomem(v);
        *in = *e;
        in->kind = CX_IN;
        return type_and_rest(v, e, is, in, c, out);
    }
    case CX_ATTR:
        if (tc(v, e->a, c, &r))
            return -1;
        return get_attr(v, e, e->a, r.ty, e->name, c, out);
    case CX_METHOD:
        return type_method(v, e, c, out);
    case CX_CALL:
        return type_call(v, e, c, out);
    case CX_SET: {
        if (!e->nargs)
            return terr(v, e, "an empty set literal has no type: it cannot be validated");
        const struct cedar_type *t = NULL;
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (tc(v, e->args[i], c, &r))
                return -1;
            const struct cedar_type *l = t ? lub(v, t, r.ty) : r.ty;
            if (!l)
                return lub_err(v, e->args[i], t, r.ty, "set elements");
            t = l;
        }
        struct cedar_type *s = (struct cedar_type *)mk(v, TK_SET);
        if (!s)
            return nomem(v);
        s->elem = t;
        ok(out, s, none);
        return 0;
    }
    case CX_RECORD: {
        struct cedar_rattr *at = cedar_arena_alloc(v->a, (e->nargs ? e->nargs : 1) * sizeof(*at));
        struct cedar_type *rt = (struct cedar_type *)mk(v, TK_RECORD);
        if (!at || !rt)
            return nomem(v);
        for (uint32_t i = 0; i < e->nargs; i++) {
            if (tc(v, e->args[i], c, &r))
                return -1;
            at[i].name = e->keys[i];
            at[i].required = true;
            at[i].type = r.ty;
        }
        /* sorted by name, as the schema's records are */
        for (uint32_t i = 1; i < e->nargs; i++)
            for (uint32_t j = i; j > 0 && cedar_str_cmp(at[j - 1].name, at[j].name) > 0; j--) {
                struct cedar_rattr t = at[j];
                at[j] = at[j - 1], at[j - 1] = t;
            }
        rt->attrs = at;
        rt->nattrs = e->nargs;
        ok(out, rt, none);
        return 0;
    }
    }
    return terr(v, e, "unexpected expression");
}

static int
tc(struct vx *v, const struct cedar_expr *e, struct caps c, struct tres *out)
{
    if (++v->depth > CEDAR_MAX_EXPR_DEPTH * 2) {
        v->depth--;
        return terr(v, e, "expression nested too deeply");
    }
    int rc = tc_inner(v, e, c, out);
    v->depth--;
    return rc;
}

/* ---- policies ---- */

static struct cedar_expr *
node(struct vx *v, int kind, const struct cedar_policy *p)
{
    struct cedar_expr *e = cedar_arena_alloc(v->a, sizeof(*e));
    if (e) {
        e->kind = (uint8_t)kind;
        e->line = p->line;
        e->col = p->col;
    }
    return e;
}

static struct cedar_expr *
bin(struct vx *v, int kind, const struct cedar_policy *p, struct cedar_expr *a,
    struct cedar_expr *b)
{
    struct cedar_expr *e = a && b ? node(v, kind, p) : NULL;
    if (e)
        e->a = a, e->b = b;
    return e;
}

static struct cedar_expr *
lit_true(struct vx *v, const struct cedar_policy *p)
{
    struct cedar_expr *e = node(v, CX_LIT, p);
    if (e)
        e->lit = cedar_bool(true);
    return e;
}

static struct cedar_expr *
uid_lit(struct vx *v, const struct cedar_policy *p, const struct cedar_uid *u, int var, bool slot)
{
    struct cedar_expr *e = node(v, slot ? CX_SLOT : CX_LIT, p);
    if (!e)
        return NULL;
    if (slot) {
        e->var = (uint8_t)var;
        return e;
    }
    e->lit.kind = CEDAR_ENTITY;
    e->lit.u.uid = u;
    return e;
}

/* A scope constraint as the expression it stands for. */
static struct cedar_expr *
scope_expr(struct vx *v, const struct cedar_policy *p, const struct cedar_scope *s, int var)
{
    struct cedar_expr *x = node(v, CX_VAR, p);
    if (!x)
        return NULL;
    x->var = (uint8_t)var;
    switch (s->op) {
    case SCOPE_ANY:
        return lit_true(v, p);
    case SCOPE_EQ:
        return bin(v, CX_EQ, p, x, uid_lit(v, p, s->uid, var, s->slot));
    case SCOPE_IN:
        return bin(v, CX_IN, p, x, uid_lit(v, p, s->uid, var, s->slot));
    case SCOPE_IS:
    case SCOPE_IS_IN: {
        struct cedar_expr *is = node(v, CX_IS, p);
        if (!is)
            return NULL;
        is->a = x;
        is->name = s->type;
        if (s->op == SCOPE_IS_IN && !(is->b = uid_lit(v, p, s->uid, var, s->slot)))
            return NULL;
        return is;
    }
    case SCOPE_IN_SET: {
        struct cedar_expr *set = node(v, CX_SET, p);
        if (!set || !(set->args = cedar_arena_alloc(v->a, (s->nuids + 1) * sizeof(*set->args))))
            return NULL;
        for (uint32_t i = 0; i < s->nuids; i++)
            if (!(set->args[i] = uid_lit(v, p, s->uids[i], var, false)))
                return NULL;
        set->nargs = s->nuids;
        return bin(v, CX_IN, p, x, set);
    }
    }
    return NULL;
}

/* principal && (action && (resource && conditions)), as Policy.toExpr;
 * *scope the same without the conditions. */
static struct cedar_expr *
policy_expr(struct vx *v, const struct cedar_policy *p, struct cedar_expr **scope)
{
    struct cedar_expr *cond = NULL;
    for (uint32_t i = p->nconds; i-- > 0;) {
        struct cedar_expr *one = p->conds[i].e;
        if (!p->conds[i].when) {
            struct cedar_expr *n = node(v, CX_NOT, p);
            if (!n)
                return NULL;
            n->a = one;
            n->line = one->line, n->col = one->col;
            one = n;
        }
        cond = cond ? bin(v, CX_AND, p, one, cond) : one;
        if (!cond)
            return NULL;
    }
    if (!cond && !(cond = lit_true(v, p)))
        return NULL;
    struct cedar_expr *r = scope_expr(v, p, &p->resource, CEDAR_VAR_RESOURCE);
    struct cedar_expr *a = scope_expr(v, p, &p->action, CEDAR_VAR_ACTION);
    struct cedar_expr *pr = scope_expr(v, p, &p->principal, CEDAR_VAR_PRINCIPAL);
    *scope = bin(v, CX_AND, p, pr, bin(v, CX_AND, p, a, r));
    return *scope ? bin(v, CX_AND, p, pr, bin(v, CX_AND, p, a, bin(v, CX_AND, p, r, cond))) : NULL;
}

static void
add_error(struct cedar_vresult *out, const struct cedar_policy *p, const struct vx *v,
          const char *env, int warning)
{
    if (out->n >= CEDAR_MAX_DIAGS) {
        out->dropped++;
        return;
    }
    struct cedar_verror *e = &out->v[out->n++];
    e->policy = p->id;
    e->warning = warning;
    e->line = v->at && v->at->line ? v->at->line : p->line;
    e->col = v->at && v->at->line ? v->at->col : p->col;
    snprintf(e->msg, sizeof(e->msg), "%s%s", v->msg, env);
}

/* 1 when p validates, 0 when not (error in out), -1 out of memory. */
static int
validate_one(const struct cedar_schema *s, const struct cedar_policy *p,
             struct cedar_arena *scratch, struct cedar_vresult *out)
{
    struct vx v;
    memset(&v, 0, sizeof(v));
    v.s = s;
    v.a = scratch;
    struct cedar_expr *scope;
    const struct cedar_expr *x = policy_expr(&v, p, &scope);
    if (!x)
        return -1;
    int possible = 0, applies = 0;
    for (uint32_t k = 0; k < s->nactions; k++) {
        const struct cedar_saction *act = &s->actions[k];
        for (uint32_t i = 0; i < act->nprincipals; i++)
            for (uint32_t j = 0; j < act->nresources; j++) {
                v.act = act;
                v.principal = act->principals[i];
                v.resource = act->resources[j];
                struct tres r;
                int rc = tc(&v, x, none, &r);
                if (v.nomem)
                    return -1;
                if (!rc && r.ty->kind != TK_BOOL)
                    rc = unexpected(&v, x, r.ty, "the policy's condition");
                if (rc) {
                    char env[CEDAR_MAX_ERRMSG / 2];
                    snprintf(env, sizeof(env),
                             " (for principal %.*s, action %.*s::\"%.*s\", resource %.*s)",
                             (int)v.principal.n, v.principal.p, (int)act->uid.type.n,
                             act->uid.type.p, (int)act->uid.id.n, act->uid.id.p, (int)v.resource.n,
                             v.resource.p);
                    add_error(out, p, &v, env, 0);
                    return 0;
                }
                if (r.ty->b != BT_FF)
                    possible = 1;
                if (!applies && !tc(&v, scope, none, &r) && r.ty->b != BT_FF)
                    applies = 1;
                if (v.nomem)
                    return -1;
            }
    }
    if (!applies) {
        /* Cedar's "invalid action application": an error */
        v.at = NULL;
        snprintf(v.msg, sizeof(v.msg),
                 "no request the schema allows matches the policy's scope: no action it names "
                 "applies to such a principal and resource");
        add_error(out, p, &v, "", 0);
        return 0;
    }
    if (!possible) {
        v.at = NULL;
        snprintf(v.msg, sizeof(v.msg),
                 "the policy is impossible: it is false for every principal, action and "
                 "resource the schema allows, so it never applies");
        add_error(out, p, &v, "", 1);
    }
    return 1;
}

int
cedar_validate(const struct cedar_schema *s, const struct cedar_policyset *ps,
               struct cedar_vresult *out)
{
    struct cedar_arena scratch;
    cedar_arena_init(&scratch, CEDAR_MAX_REQUEST_ARENA);
    out->n = out->dropped = 0;
    int bad = 0;
    for (size_t i = 0; i < cedar_policyset_count(ps); i++) {
        const struct cedar_policy *p = cedar_policyset_at(ps, i);
        if (p->tmpl)
            continue; /* a template's link: the template is validated */
        int rc = validate_one(s, p, &scratch, out);
        cedar_arena_reset(&scratch);
        if (rc < 0) {
            cedar_arena_release(&scratch);
            return CEDAR_E_NOMEM;
        }
        bad += rc == 0;
    }
    cedar_arena_release(&scratch);
    return bad;
}
