#include "cedar_json.h"

#include <string.h>

#include "cedar_ext.h"
#include "cedar_limits.h"
#include "cedar_parse.h"

json_t *
cedar_json_load(const char *text, size_t n, struct cedar_error *err)
{
    if (n > CEDAR_MAX_JSON_TEXT) {
        cedar_seterr(err, "JSON document larger than %u bytes", CEDAR_MAX_JSON_TEXT);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(text, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j)
        cedar_seterr(err, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
    return j;
}

static int
get_str(json_t *obj, const char *key, struct cedar_str *out, struct cedar_error *err,
        const char *what)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_string(v)) {
        cedar_seterr(err, "%s: expected a string \"%s\"", what, key);
        return CEDAR_E_JSON;
    }
    out->p = json_string_value(v);
    out->n = (uint32_t)json_string_length(v);
    if (json_string_length(v) > CEDAR_MAX_STRING) {
        cedar_seterr(err, "%s: \"%s\" longer than %u bytes", what, key, CEDAR_MAX_STRING);
        return CEDAR_E_LIMIT;
    }
    return 0;
}

static int
uid_from_object(struct cedar_arena *a, json_t *j, const struct cedar_uid **out,
                struct cedar_error *err)
{
    struct cedar_str type, id;
    int rc;
    if ((rc = get_str(j, "type", &type, err, "entity uid")) ||
        (rc = get_str(j, "id", &id, err, "entity uid")))
        return rc;
    if (json_object_size(j) != 2) {
        cedar_seterr(err, "entity uid: expected only \"type\" and \"id\"");
        return CEDAR_E_JSON;
    }
    if (!cedar_valid_type_name(type.p, type.n)) {
        cedar_seterr(err, "entity uid: invalid entity type name \"%.*s\"", (int)type.n, type.p);
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
cedar_json_uid(struct cedar_arena *a, json_t *j, const struct cedar_uid **out,
               struct cedar_error *err)
{
    if (json_is_string(j)) {
        int rc = cedar_parse_uid(a, json_string_value(j), json_string_length(j), out);
        if (rc)
            cedar_seterr(err, "invalid entity uid \"%.60s\": expected Type::\"id\"",
                         json_string_value(j));
        return rc == CEDAR_E_PARSE ? CEDAR_E_JSON : rc;
    }
    if (!json_is_object(j)) {
        cedar_seterr(err, "entity uid: expected an object or a string");
        return CEDAR_E_JSON;
    }
    json_t *inner = json_object_get(j, "__entity");
    if (inner) {
        if (json_object_size(j) != 1 || !json_is_object(inner)) {
            cedar_seterr(err, "__entity: expected {\"__entity\": {\"type\": .., \"id\": ..}}");
            return CEDAR_E_JSON;
        }
        j = inner;
    }
    return uid_from_object(a, j, out, err);
}

static int
extn_value(struct cedar_arena *a, json_t *x, struct cedar_value *out, struct cedar_error *err)
{
    struct cedar_str fn, arg;
    int rc;
    if (!json_is_object(x)) {
        cedar_seterr(err, "__extn: expected {\"fn\": .., \"arg\": ..}");
        return CEDAR_E_JSON;
    }
    if ((rc = get_str(x, "fn", &fn, err, "__extn")) || (rc = get_str(x, "arg", &arg, err, "__extn")))
        return rc;
    struct cedar_value v = {0};
    int bad = -1;
    if (cedar_str_eq(fn, "decimal", 7)) {
        v.kind = CEDAR_DECIMAL;
        bad = cedar_decimal_parse(arg.p, arg.n, &v.u.l);
    } else if (cedar_str_eq(fn, "datetime", 8)) {
        v.kind = CEDAR_DATETIME;
        bad = cedar_datetime_parse(arg.p, arg.n, &v.u.l);
    } else if (cedar_str_eq(fn, "duration", 8)) {
        v.kind = CEDAR_DURATION;
        bad = cedar_duration_parse(arg.p, arg.n, &v.u.l);
    } else if (cedar_str_eq(fn, "ip", 2) || cedar_str_eq(fn, "ipaddr", 6)) {
        struct cedar_ip *ip = cedar_arena_alloc(a, sizeof(*ip));
        if (!ip) {
            cedar_seterr(err, "out of memory");
            return CEDAR_E_NOMEM;
        }
        v.kind = CEDAR_IPADDR;
        v.u.ip = ip;
        bad = cedar_ip_parse(arg.p, arg.n, ip);
    } else {
        cedar_seterr(err, "__extn: unknown extension function \"%.40s\"", fn.p);
        return CEDAR_E_JSON;
    }
    if (bad) {
        cedar_seterr(err, "__extn: invalid argument \"%.60s\" for %s", arg.p, fn.p);
        return CEDAR_E_JSON;
    }
    *out = v;
    return 0;
}

static int
array_value(struct cedar_arena *a, json_t *j, unsigned depth, struct cedar_value *out,
            struct cedar_error *err)
{
    size_t n = json_array_size(j);
    if (n > CEDAR_MAX_ELEMENTS) {
        cedar_seterr(err, "set with more than %u elements", CEDAR_MAX_ELEMENTS);
        return CEDAR_E_LIMIT;
    }
    struct cedar_value *tmp = cedar_arena_alloc(a, (n ? n : 1) * sizeof(*tmp));
    if (!tmp) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = cedar_json_value(a, json_array_get(j, i), depth + 1, &tmp[i], err);
        if (rc)
            return rc;
    }
    const struct cedar_set *s = cedar_set_make(a, tmp, n);
    if (!s) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    out->kind = CEDAR_SET;
    out->u.set = s;
    return 0;
}

static int
object_value(struct cedar_arena *a, json_t *j, unsigned depth, struct cedar_value *out,
             struct cedar_error *err)
{
    size_t n = json_object_size(j);
    if (n == 1 && json_object_get(j, "__extn"))
        return extn_value(a, json_object_get(j, "__extn"), out, err);
    if (n == 1 && json_object_get(j, "__entity")) {
        out->kind = CEDAR_ENTITY;
        return cedar_json_uid(a, j, &out->u.uid, err);
    }
    if (n > CEDAR_MAX_ELEMENTS) {
        cedar_seterr(err, "record with more than %u attributes", CEDAR_MAX_ELEMENTS);
        return CEDAR_E_LIMIT;
    }
    struct cedar_attr *tmp = cedar_arena_alloc(a, (n ? n : 1) * sizeof(*tmp));
    if (!tmp) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    size_t i = 0;
    for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
        const char *key = json_object_iter_key(it);
        json_t *v = json_object_iter_value(it);
        size_t klen = json_object_iter_key_len(it);
        if (klen > CEDAR_MAX_STRING) {
            cedar_seterr(err, "attribute name longer than %u bytes", CEDAR_MAX_STRING);
            return CEDAR_E_LIMIT;
        }
        /* Keys outlive the JSON document: copy them. */
        tmp[i].key.p = cedar_arena_strndup(a, key, klen);
        if (!tmp[i].key.p) {
            cedar_seterr(err, "out of memory");
            return CEDAR_E_NOMEM;
        }
        tmp[i].key.n = (uint32_t)klen;
        int rc = cedar_json_value(a, v, depth + 1, &tmp[i].v, err);
        if (rc)
            return rc;
        i++;
    }
    const struct cedar_record *r;
    if (cedar_record_make(a, tmp, i, &r, NULL)) {
        cedar_seterr(err, "out of memory");
        return CEDAR_E_NOMEM;
    }
    out->kind = CEDAR_RECORD;
    out->u.rec = r;
    return 0;
}

int
cedar_json_value(struct cedar_arena *a, json_t *j, unsigned depth, struct cedar_value *out,
                 struct cedar_error *err)
{
    if (depth > CEDAR_MAX_JSON_DEPTH) {
        cedar_seterr(err, "JSON value nested deeper than %u", CEDAR_MAX_JSON_DEPTH);
        return CEDAR_E_LIMIT;
    }
    memset(out, 0, sizeof(*out));
    switch (json_typeof(j)) {
    case JSON_TRUE:
    case JSON_FALSE:
        *out = cedar_bool(json_is_true(j));
        return 0;
    case JSON_INTEGER:
        *out = cedar_long((int64_t)json_integer_value(j));
        return 0;
    case JSON_STRING: {
        if (json_string_length(j) > CEDAR_MAX_STRING) {
            cedar_seterr(err, "string longer than %u bytes", CEDAR_MAX_STRING);
            return CEDAR_E_LIMIT;
        }
        char *s = cedar_arena_strndup(a, json_string_value(j), json_string_length(j));
        if (!s) {
            cedar_seterr(err, "out of memory");
            return CEDAR_E_NOMEM;
        }
        out->kind = CEDAR_STRING;
        out->u.s.p = s;
        out->u.s.n = (uint32_t)json_string_length(j);
        return 0;
    }
    case JSON_ARRAY:
        return array_value(a, j, depth, out, err);
    case JSON_OBJECT:
        return object_value(a, j, depth, out, err);
    case JSON_REAL:
        cedar_seterr(err, "floating-point numbers are not Cedar values (use decimal)");
        return CEDAR_E_JSON;
    case JSON_NULL:
        cedar_seterr(err, "null is not a Cedar value");
        return CEDAR_E_JSON;
    }
    cedar_seterr(err, "unsupported JSON value");
    return CEDAR_E_JSON;
}

static json_t *
extn_json(const char *fn, const struct cedar_value *v)
{
    struct cedar_buf b;
    cedar_buf_init(&b, 256);
    int rc;
    switch (v->kind) {
    case CEDAR_DECIMAL: rc = cedar_decimal_print(&b, v->u.l); break;
    case CEDAR_IPADDR: rc = cedar_ip_print(&b, v->u.ip); break;
    case CEDAR_DATETIME: rc = cedar_datetime_print(&b, v->u.l); break;
    default: rc = cedar_duration_print(&b, v->u.l); break;
    }
    json_t *j = rc ? NULL
                   : json_pack("{s:{s:s,s:s%}}", "__extn", "fn", fn, "arg", cedar_buf_str(&b),
                               b.len);
    cedar_buf_free(&b);
    return j;
}

json_t *
cedar_value_to_json(const struct cedar_value *v)
{
    switch ((enum cedar_kind)v->kind) {
    case CEDAR_BOOL: return json_boolean(v->u.b);
    case CEDAR_LONG: return json_integer(v->u.l);
    case CEDAR_STRING: return json_stringn_nocheck(v->u.s.p, v->u.s.n);
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
    case CEDAR_DECIMAL: return extn_json("decimal", v);
    case CEDAR_IPADDR: return extn_json("ip", v);
    case CEDAR_DATETIME: return extn_json("datetime", v);
    case CEDAR_DURATION: return extn_json("duration", v);
    }
    return NULL;
}
