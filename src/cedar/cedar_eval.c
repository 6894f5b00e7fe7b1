#include "cedar_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cedar_ext.h"
#include "cedar_limits.h"

#define FAIL(ev, ...)                                                                              \
    do {                                                                                           \
        cedar_seterr(&(ev)->err, __VA_ARGS__);                                                     \
        return -1;                                                                                 \
    } while (0)

static int
type_error(struct cedar_eval *ev, const char *op, const char *expected,
           const struct cedar_value *got)
{
    FAIL(ev, "type error: %s expects %s, got %s", op, expected,
         cedar_kind_name((enum cedar_kind)got->kind));
}

static int
eval_kind(struct cedar_eval *ev, const struct cedar_expr *e, enum cedar_kind k, const char *op,
          struct cedar_value *out)
{
    if (cedar_eval_expr(ev, e, out))
        return -1;
    if (out->kind != k)
        return type_error(ev, op, cedar_kind_name(k), out);
    return 0;
}

static int
nomem(struct cedar_eval *ev)
{
    ev->exhausted = true;
    FAIL(ev, "evaluation exceeded its memory limit of %u bytes", CEDAR_MAX_REQUEST_ARENA);
}

bool
cedar_like(const char *s, size_t n, const struct cedar_pattern *pat)
{
    /* Greedy match with backtracking to the last star: O(n * m) at worst. */
    size_t si = 0, pi = 0, star_pi = (size_t)-1, star_si = 0;
    while (si < n) {
        if (pi < pat->n && pat->e[pi] == CEDAR_PAT_STAR) {
            star_pi = pi++;
            star_si = si;
        } else if (pi < pat->n && pat->e[pi] == (int16_t)(unsigned char)s[si]) {
            pi++;
            si++;
        } else if (star_pi != (size_t)-1) {
            pi = star_pi + 1;
            si = ++star_si;
        } else {
            return false;
        }
    }
    while (pi < pat->n && pat->e[pi] == CEDAR_PAT_STAR)
        pi++;
    return pi == pat->n;
}

void
cedar_eval_bind(struct cedar_eval *ev)
{
    const struct cedar_entities *es = ev->es;
    ev->principal_ent = es ? cedar_entities_find(es, ev->req->principal) : NULL;
    ev->action_ent = es ? cedar_entities_find(es, ev->req->action) : NULL;
    ev->resource_ent = es ? cedar_entities_find(es, ev->req->resource) : NULL;
    ev->bound = true;
}

static const struct cedar_entity *
find_entity(const struct cedar_eval *ev, const struct cedar_uid *uid)
{
    /* A canonical UID of the store being used knows its entity. */
    if (uid->ent && ev->es)
        return uid->ent;
    if (!ev->bound)
        return ev->es ? cedar_entities_find(ev->es, uid) : NULL;
    if (uid == ev->req->principal)
        return ev->principal_ent;
    if (uid == ev->req->resource)
        return ev->resource_ent;
    if (uid == ev->req->action)
        return ev->action_ent;
    return ev->es ? cedar_entities_find(ev->es, uid) : NULL;
}

static bool
entity_in(const struct cedar_eval *ev, const struct cedar_uid *a, const struct cedar_uid *b)
{
    return cedar_entity_in(find_entity(ev, a), a, b);
}

static const struct cedar_record *
entity_attrs(const struct cedar_eval *ev, const struct cedar_uid *uid)
{
    const struct cedar_entity *ent = find_entity(ev, uid);
    return ent ? ent->attrs : NULL;
}

static int
uid_fail(struct cedar_eval *ev, const char *what, const struct cedar_uid *u)
{
    FAIL(ev, "%s %.*s::\"%.*s\"", what, (int)(u->type.n > 60 ? 60 : u->type.n), u->type.p,
         (int)(u->id.n > 60 ? 60 : u->id.n), u->id.p);
}

/* Attribute access on a record or an entity (which must exist). */
static int
get_attr(struct cedar_eval *ev, const struct cedar_value *v, struct cedar_str name,
         struct cedar_value *out)
{
    const struct cedar_record *r;
    if (v->kind == CEDAR_RECORD) {
        r = v->u.rec;
    } else if (v->kind == CEDAR_ENTITY) {
        r = entity_attrs(ev, v->u.uid);
        if (!r)
            return uid_fail(ev, "entity does not exist:", v->u.uid);
    } else {
        return type_error(ev, "attribute access", "entity or record", v);
    }
    const struct cedar_value *a = cedar_record_get(r, name.p, name.n);
    if (!a)
        FAIL(ev, "attribute `%.*s` does not exist", (int)(name.n > 60 ? 60 : name.n), name.p);
    *out = *a;
    return 0;
}

/* `has`: missing entities have no attributes (never an error). */
static int
has_attr(struct cedar_eval *ev, const struct cedar_value *v, struct cedar_str name, bool *out)
{
    const struct cedar_record *r;
    if (v->kind == CEDAR_RECORD)
        r = v->u.rec;
    else if (v->kind == CEDAR_ENTITY)
        r = entity_attrs(ev, v->u.uid);
    else
        return type_error(ev, "`has`", "entity or record", v);
    *out = r && cedar_record_get(r, name.p, name.n) != NULL;
    return 0;
}

static int
eval_has(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    struct cedar_value v;
    if (cedar_eval_expr(ev, e->a, &v))
        return -1;
    /* `e has a.b` is `e has a && e.a has b`. */
    for (uint32_t i = 0; i < e->nargs; i++) {
        bool has;
        if (has_attr(ev, &v, e->keys[i], &has))
            return -1;
        if (!has || i + 1 == e->nargs) {
            *out = cedar_bool(has);
            return 0;
        }
        if (get_attr(ev, &v, e->keys[i], &v))
            return -1;
    }
    *out = cedar_bool(false);
    return 0;
}

static int
eval_in(struct cedar_eval *ev, const struct cedar_value *l, const struct cedar_value *r,
        struct cedar_value *out)
{
    if (l->kind != CEDAR_ENTITY)
        return type_error(ev, "`in`", "an entity on the left", l);
    if (r->kind == CEDAR_ENTITY) {
        *out = cedar_bool(entity_in(ev, l->u.uid, r->u.uid));
        return 0;
    }
    if (r->kind != CEDAR_SET)
        return type_error(ev, "`in`", "an entity or a set of entities on the right", r);
    for (uint32_t i = 0; i < r->u.set->n; i++)
        if (r->u.set->v[i].kind != CEDAR_ENTITY)
            return type_error(ev, "`in`", "a set of entities", &r->u.set->v[i]);
    bool found = false;
    for (uint32_t i = 0; i < r->u.set->n && !found; i++)
        found = entity_in(ev, l->u.uid, r->u.set->v[i].u.uid);
    *out = cedar_bool(found);
    return 0;
}

static int
eval_arith(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    static const char *const names[] = {[CX_ADD] = "`+`", [CX_SUB] = "`-`", [CX_MUL] = "`*`"};
    struct cedar_value a, b;
    const char *op = names[e->kind];
    if (eval_kind(ev, e->a, CEDAR_LONG, op, &a) || eval_kind(ev, e->b, CEDAR_LONG, op, &b))
        return -1;
    int64_t r;
    bool ovf = e->kind == CX_ADD   ? __builtin_add_overflow(a.u.l, b.u.l, &r)
               : e->kind == CX_SUB ? __builtin_sub_overflow(a.u.l, b.u.l, &r)
                                   : __builtin_mul_overflow(a.u.l, b.u.l, &r);
    if (ovf)
        FAIL(ev, "integer overflow: %lld %s %lld", (long long)a.u.l, op, (long long)b.u.l);
    *out = cedar_long(r);
    return 0;
}

/* `<` and friends: on longs, and on datetimes or durations of one kind. */
static int
eval_compare(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    struct cedar_value a, b;
    if (cedar_eval_expr(ev, e->a, &a) || cedar_eval_expr(ev, e->b, &b))
        return -1;
    bool ok_kind = a.kind == CEDAR_LONG || a.kind == CEDAR_DATETIME || a.kind == CEDAR_DURATION;
    if (!ok_kind)
        return type_error(ev, "comparison", "long, datetime or duration", &a);
    if (b.kind != a.kind)
        return type_error(ev, "comparison", cedar_kind_name((enum cedar_kind)a.kind), &b);
    bool r;
    switch (e->kind) {
    case CX_LT:
        r = a.u.l < b.u.l;
        break;
    case CX_LE:
        r = a.u.l <= b.u.l;
        break;
    case CX_GT:
        r = a.u.l > b.u.l;
        break;
    default:
        r = a.u.l >= b.u.l;
        break;
    }
    *out = cedar_bool(r);
    return 0;
}

static int
eval_set(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    struct cedar_value *tmp =
        cedar_arena_alloc(ev->arena, (e->nargs ? e->nargs : 1) * sizeof(*tmp));
    if (!tmp)
        return nomem(ev);
    for (uint32_t i = 0; i < e->nargs; i++)
        if (cedar_eval_expr(ev, e->args[i], &tmp[i]))
            return -1;
    const struct cedar_set *s = cedar_set_make(ev->arena, tmp, e->nargs);
    if (!s)
        return nomem(ev);
    out->kind = CEDAR_SET;
    out->u.set = s;
    return 0;
}

static int
eval_record(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    struct cedar_attr *tmp = cedar_arena_alloc(ev->arena, (e->nargs ? e->nargs : 1) * sizeof(*tmp));
    if (!tmp)
        return nomem(ev);
    for (uint32_t i = 0; i < e->nargs; i++) {
        tmp[i].key = e->keys[i];
        if (cedar_eval_expr(ev, e->args[i], &tmp[i].v))
            return -1;
    }
    const struct cedar_record *r;
    if (cedar_record_make(ev->arena, tmp, e->nargs, &r, NULL))
        return nomem(ev);
    out->kind = CEDAR_RECORD;
    out->u.rec = r;
    return 0;
}

int
cedar_ext_construct(struct cedar_arena *a, enum cedar_fn fn, const struct cedar_value *arg,
                    struct cedar_value *out)
{
    const char *p = arg->u.s.p;
    size_t n = arg->u.s.n;
    struct cedar_value v = {0};
    switch (fn) {
    case FN_DECIMAL:
        v.kind = CEDAR_DECIMAL;
        if (cedar_decimal_parse(p, n, &v.u.l))
            return -1;
        break;
    case FN_DATETIME:
        v.kind = CEDAR_DATETIME;
        if (cedar_datetime_parse(p, n, &v.u.l))
            return -1;
        break;
    case FN_DURATION:
        v.kind = CEDAR_DURATION;
        if (cedar_duration_parse(p, n, &v.u.l))
            return -1;
        break;
    default: {
        struct cedar_ip ip, *heap;
        if (cedar_ip_parse(p, n, &ip))
            return -1;
        heap = cedar_arena_alloc(a, sizeof(*heap));
        if (!heap)
            return -2;
        *heap = ip;
        v.kind = CEDAR_IPADDR;
        v.u.ip = heap;
    }
    }
    *out = v;
    return 0;
}

/* Receiver and argument kinds of each method. */
static const struct {
    uint8_t recv, arg; /* enum cedar_kind; 255 = any */
} method_kinds[FN_COUNT_] = {
    [FN_CONTAINS] = {CEDAR_SET, 255},
    [FN_CONTAINS_ALL] = {CEDAR_SET, CEDAR_SET},
    [FN_CONTAINS_ANY] = {CEDAR_SET, CEDAR_SET},
    [FN_IS_EMPTY] = {CEDAR_SET, 255},
    [FN_GET_TAG] = {CEDAR_ENTITY, CEDAR_STRING},
    [FN_HAS_TAG] = {CEDAR_ENTITY, CEDAR_STRING},
    [FN_IS_IPV4] = {CEDAR_IPADDR, 255},
    [FN_IS_IPV6] = {CEDAR_IPADDR, 255},
    [FN_IS_LOOPBACK] = {CEDAR_IPADDR, 255},
    [FN_IS_MULTICAST] = {CEDAR_IPADDR, 255},
    [FN_IS_IN_RANGE] = {CEDAR_IPADDR, CEDAR_IPADDR},
    [FN_LESS_THAN] = {CEDAR_DECIMAL, CEDAR_DECIMAL},
    [FN_LESS_THAN_OR_EQUAL] = {CEDAR_DECIMAL, CEDAR_DECIMAL},
    [FN_GREATER_THAN] = {CEDAR_DECIMAL, CEDAR_DECIMAL},
    [FN_GREATER_THAN_OR_EQUAL] = {CEDAR_DECIMAL, CEDAR_DECIMAL},
    [FN_OFFSET] = {CEDAR_DATETIME, CEDAR_DURATION},
    [FN_DURATION_SINCE] = {CEDAR_DATETIME, CEDAR_DATETIME},
    [FN_TO_DATE] = {CEDAR_DATETIME, 255},
    [FN_TO_TIME] = {CEDAR_DATETIME, 255},
    [FN_TO_MILLISECONDS] = {CEDAR_DURATION, 255},
    [FN_TO_SECONDS] = {CEDAR_DURATION, 255},
    [FN_TO_MINUTES] = {CEDAR_DURATION, 255},
    [FN_TO_HOURS] = {CEDAR_DURATION, 255},
    [FN_TO_DAYS] = {CEDAR_DURATION, 255},
};

static bool
set_subset(const struct cedar_set *small, const struct cedar_set *big)
{
    for (uint32_t i = 0; i < small->n; i++)
        if (!cedar_set_contains(big, &small->v[i]))
            return false;
    return true;
}

static bool
set_intersects(const struct cedar_set *a, const struct cedar_set *b)
{
    if (a->n > b->n) {
        const struct cedar_set *t = a;
        a = b;
        b = t;
    }
    for (uint32_t i = 0; i < a->n; i++)
        if (cedar_set_contains(b, &a->v[i]))
            return true;
    return false;
}

static int
tag_lookup(struct cedar_eval *ev, const struct cedar_value *ent, const struct cedar_value *tag,
           const struct cedar_value **out)
{
    const struct cedar_entity *e = find_entity(ev, ent->u.uid);
    *out = e ? cedar_record_get(e->tags, tag->u.s.p, tag->u.s.n) : NULL;
    return 0;
}

/* The builtin methods on sets and entities (fixed arity, checked at parse). */
static int
apply_builtin(struct cedar_eval *ev, enum cedar_fn fn, const struct cedar_value *a,
              const struct cedar_value *b, struct cedar_value *out)
{
    const struct cedar_value *tv;
    switch (fn) {
    case FN_CONTAINS:
        *out = cedar_bool(cedar_set_contains(a->u.set, b));
        return 0;
    case FN_CONTAINS_ALL:
        *out = cedar_bool(set_subset(b->u.set, a->u.set));
        return 0;
    case FN_CONTAINS_ANY:
        *out = cedar_bool(set_intersects(a->u.set, b->u.set));
        return 0;
    case FN_IS_EMPTY:
        *out = cedar_bool(a->u.set->n == 0);
        return 0;
    case FN_HAS_TAG:
        tag_lookup(ev, a, b, &tv);
        *out = cedar_bool(tv != NULL);
        return 0;
    case FN_GET_TAG:
        tag_lookup(ev, a, b, &tv);
        if (!tv)
            FAIL(ev, "tag `%.*s` does not exist", (int)(b->u.s.n > 60 ? 60 : b->u.s.n), b->u.s.p);
        *out = *tv;
        return 0;
    default:
        FAIL(ev, "internal error: not a builtin method");
    }
}

static int __attribute__((format(printf, 2, 3)))
ext_fail(struct cedar_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

int
cedar_ext_apply(struct cedar_arena *arena, enum cedar_fn fn, const struct cedar_value *args,
                uint32_t n, struct cedar_value *out, struct cedar_error *err)
{
    const char *name = cedar_fns[fn].name;
    if (fn < FN_IP || fn > FN_TO_DAYS || (fn >= FN_CONTAINS && fn <= FN_HAS_TAG))
        return ext_fail(err, "`%s` is not an extension function", name);
    if (n != cedar_fns[fn].arity)
        return ext_fail(err, "type error: wrong number of arguments to `%s`", name);
    if (fn <= FN_DURATION) {
        if (args[0].kind != CEDAR_STRING)
            return ext_fail(err, "type error: `%s` expects a string", name);
        int rc = cedar_ext_construct(arena, fn, &args[0], out);
        if (rc == -2) {
            ext_fail(err, "evaluation exceeded its memory limit");
            return -2;
        }
        if (rc)
            return ext_fail(err, "extension error: invalid argument to `%s`", name);
        return 0;
    }
    const struct cedar_value *a = &args[0], *b = n > 1 ? &args[1] : NULL;
    if (a->kind != method_kinds[fn].recv || (b && b->kind != method_kinds[fn].arg)) {
        cedar_seterr(err, "type error: `%s` expects %s%s%s", name,
                     cedar_kind_name((enum cedar_kind)method_kinds[fn].recv), b ? " and " : "",
                     b ? cedar_kind_name((enum cedar_kind)method_kinds[fn].arg) : "");
        return -1;
    }
    int64_t r;
    switch (fn) {
    case FN_IS_IPV4:
        *out = cedar_bool(!a->u.ip->v6);
        return 0;
    case FN_IS_IPV6:
        *out = cedar_bool(a->u.ip->v6);
        return 0;
    case FN_IS_LOOPBACK:
        *out = cedar_bool(cedar_ip_is_loopback(a->u.ip));
        return 0;
    case FN_IS_MULTICAST:
        *out = cedar_bool(cedar_ip_is_multicast(a->u.ip));
        return 0;
    case FN_IS_IN_RANGE:
        *out = cedar_bool(cedar_ip_in_range(a->u.ip, b->u.ip));
        return 0;
    case FN_LESS_THAN:
        *out = cedar_bool(a->u.l < b->u.l);
        return 0;
    case FN_LESS_THAN_OR_EQUAL:
        *out = cedar_bool(a->u.l <= b->u.l);
        return 0;
    case FN_GREATER_THAN:
        *out = cedar_bool(a->u.l > b->u.l);
        return 0;
    case FN_GREATER_THAN_OR_EQUAL:
        *out = cedar_bool(a->u.l >= b->u.l);
        return 0;
    case FN_OFFSET:
    case FN_DURATION_SINCE:
        if (fn == FN_OFFSET ? __builtin_add_overflow(a->u.l, b->u.l, &r)
                            : __builtin_sub_overflow(a->u.l, b->u.l, &r))
            return ext_fail(err, "extension error: `%s` overflows", name);
        out->kind = fn == FN_OFFSET ? CEDAR_DATETIME : CEDAR_DURATION;
        out->u.l = r;
        return 0;
    case FN_TO_DATE:
        if (cedar_datetime_to_date(a->u.l, &r))
            return ext_fail(err, "extension error: `%s` overflows", name);
        out->kind = CEDAR_DATETIME;
        out->u.l = r;
        return 0;
    case FN_TO_TIME:
        out->kind = CEDAR_DURATION;
        out->u.l = cedar_datetime_to_time(a->u.l);
        return 0;
    case FN_TO_MILLISECONDS:
        *out = cedar_long(a->u.l);
        return 0;
    case FN_TO_SECONDS:
        *out = cedar_long(a->u.l / 1000);
        return 0;
    case FN_TO_MINUTES:
        *out = cedar_long(a->u.l / 60000);
        return 0;
    case FN_TO_HOURS:
        *out = cedar_long(a->u.l / 3600000);
        return 0;
    case FN_TO_DAYS:
        *out = cedar_long(a->u.l / CEDAR_MS_PER_DAY);
        return 0;
    default:
        return ext_fail(err, "internal error: `%s`", name);
    }
}

/* Extension calls, as functions or methods: every argument is evaluated
 * first, then arity and types are checked (wrong arity is an evaluation
 * error in Cedar, not a syntax error). */
static int
eval_ext(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    if (e->has_cached) {
        *out = e->lit;
        return 0;
    }
    struct cedar_value small[2], *args = small;
    if (e->nargs > 2) {
        args = cedar_arena_alloc(ev->arena, e->nargs * sizeof(*args));
        if (!args)
            return nomem(ev);
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        if (cedar_eval_expr(ev, e->args[i], &args[i]))
            return -1;
    int rc = cedar_ext_apply(ev->arena, (enum cedar_fn)e->fn, args, e->nargs, out, &ev->err);
    if (rc == -2)
        ev->exhausted = true;
    return rc ? -1 : 0;
}

static int
eval_method(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    enum cedar_fn fn = (enum cedar_fn)e->fn;
    if (fn < FN_CONTAINS || fn > FN_HAS_TAG)
        return eval_ext(ev, e, out);
    struct cedar_value a, b = {0};
    const char *name = cedar_fns[fn].name;
    if (cedar_eval_expr(ev, e->args[0], &a))
        return -1;
    if (e->nargs > 1 && cedar_eval_expr(ev, e->args[1], &b))
        return -1;
    if (a.kind != method_kinds[fn].recv)
        return type_error(ev, name, cedar_kind_name((enum cedar_kind)method_kinds[fn].recv), &a);
    if (e->nargs > 1 && method_kinds[fn].arg != 255 && b.kind != method_kinds[fn].arg)
        return type_error(ev, name, cedar_kind_name((enum cedar_kind)method_kinds[fn].arg), &b);
    return apply_builtin(ev, fn, &a, &b, out);
}

static int
eval_var(const struct cedar_eval *ev, uint8_t var, struct cedar_value *out)
{
    switch (var) {
    case CEDAR_VAR_PRINCIPAL:
        *out = cedar_entity(ev->req->principal);
        break;
    case CEDAR_VAR_ACTION:
        *out = cedar_entity(ev->req->action);
        break;
    case CEDAR_VAR_RESOURCE:
        *out = cedar_entity(ev->req->resource);
        break;
    default:
        *out = ev->req->context;
        break;
    }
    return 0;
}

static int
eval_bool_op(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    const char *op = e->kind == CX_AND ? "`&&`" : "`||`";
    struct cedar_value a;
    if (eval_kind(ev, e->a, CEDAR_BOOL, op, &a))
        return -1;
    if (a.u.b == (e->kind == CX_OR)) {
        *out = a;
        return 0;
    }
    return eval_kind(ev, e->b, CEDAR_BOOL, op, out);
}

static int
eval_is(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    struct cedar_value a;
    if (eval_kind(ev, e->a, CEDAR_ENTITY, "`is`", &a))
        return -1;
    bool is = cedar_str_cmp(a.u.uid->type, e->name) == 0;
    if (!e->b) {
        *out = cedar_bool(is);
        return 0;
    }
    /* `x is T in y` is `x is T && x in y`: y is evaluated only when needed. */
    if (!is) {
        *out = cedar_bool(false);
        return 0;
    }
    struct cedar_value b;
    if (cedar_eval_expr(ev, e->b, &b))
        return -1;
    return eval_in(ev, &a, &b, out);
}

int
cedar_eval_expr(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out)
{
    struct cedar_value a, b;
    switch ((enum cedar_expr_kind)e->kind) {
    case CX_LIT:
        *out = e->lit;
        return 0;
    case CX_VAR:
        return eval_var(ev, e->var, out);
    case CX_SLOT:
        FAIL(ev, "unlinked template slot");
    case CX_IF:
        if (eval_kind(ev, e->a, CEDAR_BOOL, "`if`", &a))
            return -1;
        return cedar_eval_expr(ev, a.u.b ? e->b : e->c, out);
    case CX_AND:
    case CX_OR:
        return eval_bool_op(ev, e, out);
    case CX_NOT:
        if (eval_kind(ev, e->a, CEDAR_BOOL, "`!`", &a))
            return -1;
        *out = cedar_bool(!a.u.b);
        return 0;
    case CX_NEG:
        if (eval_kind(ev, e->a, CEDAR_LONG, "unary `-`", &a))
            return -1;
        if (a.u.l == INT64_MIN)
            FAIL(ev, "integer overflow: -(%lld)", (long long)a.u.l);
        *out = cedar_long(-a.u.l);
        return 0;
    case CX_EQ:
    case CX_NE:
        if (cedar_eval_expr(ev, e->a, &a) || cedar_eval_expr(ev, e->b, &b))
            return -1;
        *out = cedar_bool(cedar_value_eq(&a, &b) == (e->kind == CX_EQ));
        return 0;
    case CX_LT:
    case CX_LE:
    case CX_GT:
    case CX_GE:
        return eval_compare(ev, e, out);
    case CX_ADD:
    case CX_SUB:
    case CX_MUL:
        return eval_arith(ev, e, out);
    case CX_IN:
        if (cedar_eval_expr(ev, e->a, &a) || cedar_eval_expr(ev, e->b, &b))
            return -1;
        return eval_in(ev, &a, &b, out);
    case CX_HAS:
        return eval_has(ev, e, out);
    case CX_LIKE:
        if (eval_kind(ev, e->a, CEDAR_STRING, "`like`", &a))
            return -1;
        *out = cedar_bool(cedar_like(a.u.s.p, a.u.s.n, &e->pat));
        return 0;
    case CX_IS:
        return eval_is(ev, e, out);
    case CX_ATTR:
        if (cedar_eval_expr(ev, e->a, &a))
            return -1;
        return get_attr(ev, &a, e->name, out);
    case CX_METHOD:
        return eval_method(ev, e, out);
    case CX_CALL:
        return eval_ext(ev, e, out);
    case CX_SET:
        return eval_set(ev, e, out);
    case CX_RECORD:
        return eval_record(ev, e, out);
    }
    FAIL(ev, "internal error: unknown expression kind");
}

static bool
scope_var_matches(const struct cedar_scope *s, const struct cedar_entity *e,
                  const struct cedar_uid *v)
{
    switch (s->op) {
    case SCOPE_ANY:
        return true;
    case SCOPE_EQ:
        return cedar_uid_eq(v, s->uid);
    case SCOPE_IN:
        return cedar_entity_in(e, v, s->uid);
    case SCOPE_IS:
        return cedar_str_cmp(v->type, s->type) == 0;
    case SCOPE_IS_IN:
        return cedar_str_cmp(v->type, s->type) == 0 && cedar_entity_in(e, v, s->uid);
    case SCOPE_IN_SET:
        for (uint32_t i = 0; i < s->nuids; i++)
            if (cedar_entity_in(e, v, s->uids[i]))
                return true;
        return false;
    }
    return false;
}

bool
cedar_scope_matches(struct cedar_eval *ev, const struct cedar_policy *p)
{
    if (!ev->bound)
        cedar_eval_bind(ev);
    return scope_var_matches(&p->principal, ev->principal_ent, ev->req->principal) &&
           scope_var_matches(&p->action, ev->action_ent, ev->req->action) &&
           scope_var_matches(&p->resource, ev->resource_ent, ev->req->resource);
}

int
cedar_eval_policy(struct cedar_eval *ev, const struct cedar_policy *p, bool *sat)
{
    if (!cedar_scope_matches(ev, p)) {
        *sat = false;
        return 0;
    }
    for (uint32_t i = 0; i < p->nconds; i++) {
        struct cedar_value v;
        if (cedar_eval_expr(ev, p->conds[i].e, &v))
            return -1;
        if (v.kind != CEDAR_BOOL)
            return type_error(ev, p->conds[i].when ? "`when`" : "`unless`", "bool", &v);
        if (v.u.b != p->conds[i].when) {
            *sat = false;
            return 0;
        }
    }
    *sat = true;
    return 0;
}
