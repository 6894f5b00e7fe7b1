#include "cedar_json.h"
#include "cedar_schema.h"

#include <string.h>

#include "cedar_eval.h"
#include "cedar_ext.h"
#include "cedar_limits.h"
#include "cedar_limits.h"
#include "cedar_parse.h"

static int
get_str(const struct jv *obj, const char *key, struct cedar_str *out, struct cedar_error *err,
        const char *what)
{
    const struct jv *v = jv_get(obj, key);
    if (!v || v->type != JV_STRING) {
        cedar_seterr(err, "%s: expected a string \"%s\"", what, key);
        return CEDAR_E_JSON;
    }
    *out = v->s;
    return 0;
}

static int
uid_from_object(struct cedar_arena *a, const struct jv *j, const struct cedar_uid **out,
                struct cedar_error *err)
{
    struct cedar_str type, id;
    int rc;
    if ((rc = get_str(j, "type", &type, err, "entity uid")) ||
        (rc = get_str(j, "id", &id, err, "entity uid")))
        return rc;
    if (j->n != 2) {
        cedar_seterr(err, "entity uid: expected only \"type\" and \"id\"");
        return CEDAR_E_JSON;
    }
    if (!cedar_valid_type_name(type.p, type.n)) {
        cedar_seterr(err, "entity uid: invalid entity type name \"%.*s\"",
                     (int)(type.n > 60 ? 60 : type.n), type.p);
        return CEDAR_E_JSON;
    }
    const struct cedar_uid *u = cedar_uid_new(a, type.p, type.n, id.p, id.n);
    if (!u) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    *out = u;
    return 0;
}

int
cedar_json_uid(struct cedar_arena *a, const struct jv *j, const struct cedar_uid **out,
               struct cedar_error *err)
{
    if (j->type == JV_STRING) {
        int rc = cedar_parse_uid(a, j->s.p, j->s.n, out);
        if (rc)
            cedar_seterr(err, "invalid entity uid \"%.*s\": expected Type::\"id\"",
                         (int)(j->s.n > 60 ? 60 : j->s.n), j->s.p);
        return rc == CEDAR_E_PARSE ? CEDAR_E_JSON : rc;
    }
    if (j->type != JV_OBJECT) {
        cedar_seterr(err, "entity uid: expected an object or a string, got %s",
                     jv_type_name((enum jv_type)j->type));
        return CEDAR_E_JSON;
    }
    const struct jv *inner = jv_get(j, "__entity");
    if (inner) {
        if (j->n != 1 || inner->type != JV_OBJECT) {
            cedar_seterr(err, "__entity: expected {\"__entity\": {\"type\": .., \"id\": ..}}");
            return CEDAR_E_JSON;
        }
        j = inner;
    }
    return uid_from_object(a, j, out, err);
}

static int
lookup_ext(struct cedar_str fn)
{
    for (int i = 0; i < FN_COUNT_; i++)
        if (cedar_str_eq(fn, cedar_fns[i].name, strlen(cedar_fns[i].name)))
            return i;
    if (cedar_str_eq(fn, "ipaddr", 6))
        return FN_IP;
    return -1;
}

/* {"fn": F, "arg": A} or {"fn": F, "args": [A, ...]}: F applied to the values. */
static int
extn_value(struct cedar_arena *a, const struct jv *x, unsigned depth, struct cedar_value *out,
           struct cedar_error *err)
{
    struct cedar_str fn;
    int rc;
    if (x->type != JV_OBJECT) {
        cedar_seterr(err, "__extn: expected {\"fn\": .., \"arg\": ..}");
        return CEDAR_E_JSON;
    }
    if ((rc = get_str(x, "fn", &fn, err, "__extn")))
        return rc;
    int f = lookup_ext(fn);
    if (f < 0) {
        cedar_seterr(err, "__extn: unknown extension function \"%.*s\"",
                     (int)(fn.n > 40 ? 40 : fn.n), fn.p);
        return CEDAR_E_JSON;
    }
    const struct jv *one = jv_get(x, "arg"), *many = jv_get(x, "args");
    if (!!one == !!many || (many && many->type != JV_ARRAY) || x->n != 2) {
        cedar_seterr(err, "__extn: expected \"fn\" and one of \"arg\" or \"args\"");
        return CEDAR_E_JSON;
    }
    uint32_t n = one ? 1 : many->n;
    if (n > 8) {
        cedar_seterr(err, "__extn: too many arguments");
        return CEDAR_E_JSON;
    }
    struct cedar_value args[8];
    for (uint32_t i = 0; i < n; i++)
        if ((rc = cedar_json_value(a, one ? one : many->items[i], depth + 1, &args[i], err)))
            return rc;
    struct cedar_error inner;
    rc = cedar_ext_apply(a, (enum cedar_fn)f, args, n, out, &inner);
    if (rc) {
        cedar_seterr(err, "__extn: %s", inner.msg);
        return rc == -2 ? CEDAR_E_NOMEM : CEDAR_E_JSON;
    }
    return 0;
}

static int
array_value(struct cedar_arena *a, const struct jv *j, unsigned depth, struct cedar_value *out,
            struct cedar_error *err)
{
    if (j->n > CEDAR_MAX_ELEMENTS) {
        cedar_seterr(err, "set with more than %u elements", CEDAR_MAX_ELEMENTS);
        return CEDAR_E_LIMIT;
    }
    struct cedar_value *tmp = cedar_arena_alloc(a, (j->n ? j->n : 1) * sizeof(*tmp));
    if (!tmp) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    for (uint32_t i = 0; i < j->n; i++) {
        int rc = cedar_json_value(a, j->items[i], depth + 1, &tmp[i], err);
        if (rc)
            return rc;
    }
    const struct cedar_set *s = cedar_set_make(a, tmp, j->n);
    if (!s) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    out->kind = CEDAR_SET;
    out->u.set = s;
    return 0;
}

static int
object_value(struct cedar_arena *a, const struct jv *j, unsigned depth, struct cedar_value *out,
             struct cedar_error *err)
{
    if (j->n == 1 && jv_get(j, "__extn"))
        return extn_value(a, jv_get(j, "__extn"), depth, out, err);
    if (j->n == 1 && jv_get(j, "__entity")) {
        out->kind = CEDAR_ENTITY;
        return cedar_json_uid(a, j, &out->u.uid, err);
    }
    if (j->n > CEDAR_MAX_ELEMENTS) {
        cedar_seterr(err, "record with more than %u attributes", CEDAR_MAX_ELEMENTS);
        return CEDAR_E_LIMIT;
    }
    struct cedar_attr *tmp = cedar_arena_alloc(a, (j->n ? j->n : 1) * sizeof(*tmp));
    if (!tmp) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    for (uint32_t i = 0; i < j->n; i++) {
        const struct cedar_str *k = &j->members[i].key;
        /* Keys outlive the JSON document: copy them. */
        tmp[i].key.p = cedar_arena_strndup(a, k->p, k->n);
        if (!tmp[i].key.p) {
            cedar_seterr(err, "out of memory");
            return CEDAR_E_NOMEM;
        }
        tmp[i].key.n = k->n;
        int rc = cedar_json_value(a, j->members[i].v, depth + 1, &tmp[i].v, err);
        if (rc)
            return rc;
    }
    const struct cedar_record *r;
    if (cedar_record_make(a, tmp, j->n, &r, NULL)) {
        cedar_seterr(err, "out of memory or duplicate key");
        return CEDAR_E_JSON;
    }
    out->kind = CEDAR_RECORD;
    out->u.rec = r;
    return 0;
}

int
cedar_json_value(struct cedar_arena *a, const struct jv *j, unsigned depth, struct cedar_value *out,
                 struct cedar_error *err)
{
    if (depth > CEDAR_MAX_JSON_DEPTH) {
        cedar_seterr(err, "JSON value nested deeper than %u", CEDAR_MAX_JSON_DEPTH);
        return CEDAR_E_LIMIT;
    }
    memset(out, 0, sizeof(*out));
    switch ((enum jv_type)j->type) {
    case JV_BOOL:
        *out = cedar_bool(j->b);
        return 0;
    case JV_INT:
        *out = cedar_long(j->i);
        return 0;
    case JV_STRING: {
        char *s = cedar_arena_strndup(a, j->s.p, j->s.n);
        if (!s) {
            cedar_seterr(err, "out of memory");
            return CEDAR_E_NOMEM;
        }
        out->kind = CEDAR_STRING;
        out->u.s.p = s;
        out->u.s.n = j->s.n;
        return 0;
    }
    case JV_ARRAY:
        return array_value(a, j, depth, out, err);
    case JV_OBJECT:
        return object_value(a, j, depth, out, err);
    case JV_REAL:
        cedar_seterr(err, "%.*s: not a 64-bit integer (Cedar has no floating point; use decimal)",
                     (int)(j->s.n > 40 ? 40 : j->s.n), j->s.p);
        return CEDAR_E_JSON;
    case JV_NULL:
        cedar_seterr(err, "null is not a Cedar value");
        return CEDAR_E_JSON;
    }
    cedar_seterr(err, "unsupported JSON value");
    return CEDAR_E_JSON;
}

static json_t *
extn_json(const char *fn, const struct cedar_value *v)
{
    struct util_buf b;
    util_buf_init(&b, 256);
    int rc;
    switch (v->kind) {
    case CEDAR_DECIMAL:
        rc = cedar_decimal_print(&b, v->u.l);
        break;
    case CEDAR_IPADDR:
        rc = cedar_ip_print(&b, v->u.ip);
        break;
    case CEDAR_DATETIME:
        rc = cedar_datetime_print(&b, v->u.l);
        break;
    default:
        rc = cedar_duration_print(&b, v->u.l);
        break;
    }
    json_t *j =
        rc ? NULL : json_pack("{s:{s:s,s:s%}}", "__extn", "fn", fn, "arg", util_buf_str(&b), b.len);
    util_buf_free(&b);
    return j;
}

json_t *
cedar_value_to_json(const struct cedar_value *v)
{
    switch ((enum cedar_kind)v->kind) {
    case CEDAR_BOOL:
        return json_boolean(v->u.b);
    case CEDAR_LONG:
        return json_integer(v->u.l);
    case CEDAR_STRING:
        return json_stringn_nocheck(v->u.s.p, v->u.s.n);
    case CEDAR_ENTITY:
        return json_pack("{s:{s:s%,s:s%}}", "__entity", "type", v->u.uid->type.p,
                         (size_t)v->u.uid->type.n, "id", v->u.uid->id.p, (size_t)v->u.uid->id.n);
    case CEDAR_SET: {
        json_t *arr = json_array();
        for (uint32_t i = 0; arr && i < v->u.set->n; i++)
            if (json_array_append_new(arr, cedar_value_to_json(&v->u.set->v[i]))) {
                json_decref(arr);
                return NULL;
            }
        return arr;
    }
    case CEDAR_RECORD: {
        json_t *obj = json_object();
        for (uint32_t i = 0; obj && i < v->u.rec->n; i++) {
            const struct cedar_attr *at = &v->u.rec->a[i];
            if (json_object_setn_new_nocheck(obj, at->key.p, at->key.n,
                                             cedar_value_to_json(&at->v))) {
                json_decref(obj);
                return NULL;
            }
        }
        return obj;
    }
    case CEDAR_DECIMAL:
        return extn_json("decimal", v);
    case CEDAR_IPADDR:
        return extn_json("ip", v);
    case CEDAR_DATETIME:
        return extn_json("datetime", v);
    case CEDAR_DURATION:
        return extn_json("duration", v);
    }
    return NULL;
}

/* ---- values read with their schema type ---- */

static int
typed_bad(struct cedar_error *err, const char *path, const struct cedar_type *t)
{
    char ty[200];
    cedar_seterr(err, "%s%sexpected %s", path, *path ? ": " : "",
                 cedar_type_str(t, ty, sizeof(ty)));
    return CEDAR_E_JSON;
}

/* An extension value written as {"__extn": ..}, {"fn": .., "arg": ..}, or
 * (its type being known) the constructor's string alone. */
static int
typed_extension(struct cedar_arena *a, const struct jv *j, const struct cedar_type *t,
                unsigned depth, struct cedar_value *out, struct cedar_error *err)
{
    static const int kinds[] = {[TK_DECIMAL] = CEDAR_DECIMAL,
                                [TK_IPADDR] = CEDAR_IPADDR,
                                [TK_DATETIME] = CEDAR_DATETIME,
                                [TK_DURATION] = CEDAR_DURATION};
    static const enum cedar_fn ctor[] = {[TK_DECIMAL] = FN_DECIMAL,
                                         [TK_IPADDR] = FN_IP,
                                         [TK_DATETIME] = FN_DATETIME,
                                         [TK_DURATION] = FN_DURATION};
    int rc;
    if (j->type == JV_STRING) {
        struct cedar_value arg;
        struct cedar_error inner;
        if ((rc = cedar_json_value(a, j, depth + 1, &arg, err)))
            return rc;
        rc = cedar_ext_apply(a, ctor[t->kind], &arg, 1, out, &inner);
        if (rc) {
            cedar_seterr(err, "%s", inner.msg);
            return rc == -2 ? CEDAR_E_NOMEM : CEDAR_E_JSON;
        }
    } else if (j->type == JV_OBJECT && jv_get(j, "fn") && j->n == 2) {
        if ((rc = extn_value(a, j, depth, out, err)))
            return rc;
    } else if ((rc = cedar_json_value(a, j, depth, out, err))) {
        return rc;
    }
    return out->kind == kinds[t->kind] ? 0 : CEDAR_E_JSON;
}

int
cedar_json_typed(struct cedar_arena *a, const struct jv *j, const struct cedar_type *t,
                 unsigned depth, const char *path, struct cedar_value *out, struct cedar_error *err)
{
    int rc;
    if (depth > CEDAR_MAX_JSON_DEPTH) {
        cedar_seterr(err, "JSON value nested deeper than %u", CEDAR_MAX_JSON_DEPTH);
        return CEDAR_E_LIMIT;
    }
    switch (t->kind) {
    case TK_BOOL:
        if (j->type != JV_BOOL)
            return typed_bad(err, path, t);
        *out = cedar_bool(j->b);
        return 0;
    case TK_LONG:
        if (j->type != JV_INT)
            return typed_bad(err, path, t);
        *out = cedar_long(j->i);
        return 0;
    case TK_STRING:
        if (j->type != JV_STRING)
            return typed_bad(err, path, t);
        return cedar_json_value(a, j, depth, out, err);
    case TK_ENTITY:
        if (j->type != JV_OBJECT)
            return typed_bad(err, path, t);
        out->kind = CEDAR_ENTITY;
        if ((rc = cedar_json_uid(a, j, &out->u.uid, err)))
            return rc;
        if (cedar_str_cmp(out->u.uid->type, t->name))
            return typed_bad(err, path, t);
        return 0;
    case TK_DECIMAL:
    case TK_IPADDR:
    case TK_DATETIME:
    case TK_DURATION:
        rc = typed_extension(a, j, t, depth, out, err);
        return rc == CEDAR_E_JSON ? typed_bad(err, path, t) : rc;
    case TK_SET: {
        if (j->type != JV_ARRAY)
            return typed_bad(err, path, t);
        if (j->n > CEDAR_MAX_ELEMENTS) {
            cedar_seterr(err, "set with more than %u elements", CEDAR_MAX_ELEMENTS);
            return CEDAR_E_LIMIT;
        }
        struct cedar_value *tmp = cedar_arena_alloc(a, (j->n ? j->n : 1) * sizeof(*tmp));
        if (!tmp)
            goto nomem;
        for (uint32_t i = 0; i < j->n; i++)
            if ((rc = cedar_json_typed(a, j->items[i], t->elem, depth + 1, path, &tmp[i], err)))
                return rc;
        if (!(out->u.set = cedar_set_make(a, tmp, j->n)))
            goto nomem;
        out->kind = CEDAR_SET;
        return 0;
    }
    case TK_RECORD: {
        if (j->type != JV_OBJECT || jv_get(j, "__extn") || jv_get(j, "__entity"))
            return typed_bad(err, path, t);
        if (j->n > CEDAR_MAX_ELEMENTS) {
            cedar_seterr(err, "record with more than %u attributes", CEDAR_MAX_ELEMENTS);
            return CEDAR_E_LIMIT;
        }
        struct cedar_attr *tmp = cedar_arena_alloc(a, (j->n ? j->n : 1) * sizeof(*tmp));
        if (!tmp)
            goto nomem;
        for (uint32_t i = 0; i < j->n; i++) {
            const struct cedar_str *k = &j->members[i].key;
            const struct cedar_rattr *at = NULL;
            for (uint32_t f = 0; f < t->nattrs && !at; f++)
                if (!cedar_str_cmp(t->attrs[f].name, *k))
                    at = &t->attrs[f];
            if (!at) {
                cedar_seterr(err, "%s%sattribute \"%.*s\" is not declared in the schema", path,
                             *path ? ": " : "", (int)(k->n > 60 ? 60 : k->n), k->p);
                return CEDAR_E_JSON;
            }
            char sub[160];
            snprintf(sub, sizeof(sub), "%s%sattribute \"%.*s\"", path, *path ? ", " : "",
                     (int)(k->n > 40 ? 40 : k->n), k->p);
            if (!(tmp[i].key.p = cedar_arena_strndup(a, k->p, k->n)))
                goto nomem;
            tmp[i].key.n = k->n;
            if ((rc = cedar_json_typed(a, j->members[i].v, at->type, depth + 1, sub, &tmp[i].v,
                                       err)))
                return rc;
        }
        for (uint32_t f = 0; f < t->nattrs; f++)
            if (t->attrs[f].required) {
                int found = 0;
                for (uint32_t i = 0; i < j->n && !found; i++)
                    found = !cedar_str_cmp(j->members[i].key, t->attrs[f].name);
                if (!found) {
                    cedar_seterr(err, "%s%srequired attribute \"%.*s\" is missing", path,
                                 *path ? ": " : "",
                                 (int)(t->attrs[f].name.n > 60 ? 60 : t->attrs[f].name.n),
                                 t->attrs[f].name.p);
                    return CEDAR_E_JSON;
                }
            }
        const struct cedar_record *r;
        if (cedar_record_make(a, tmp, j->n, &r, NULL)) {
            cedar_seterr(err, "out of memory or duplicate key");
            return CEDAR_E_JSON;
        }
        out->kind = CEDAR_RECORD;
        out->u.rec = r;
        return 0;
    }
    }
    return typed_bad(err, path, t);
nomem:
    cedar_seterr(err, "out of memory");
    return CEDAR_E_NOMEM;
}
