/*
 * gate_value.c - MCP's JSON as Cedar values (see the header for the rules).
 */
#include <stdio.h>
#include <string.h>

#include "gate_config.h"
#include "gate_value.h"

int
gate_string(struct cedar_arena *a, const char *s, size_t n, struct cedar_value *out)
{
    if (n > CEDAR_MAX_STRING)
        return -1;
    char *p = cedar_arena_strndup(a, s, n);
    if (!p)
        return -1;
    out->kind = CEDAR_STRING;
    out->u.s = (struct cedar_str){p, (uint32_t)n};
    return 0;
}

int
gate_record(struct cedar_arena *a, const struct cedar_attr *attrs, size_t n,
            struct cedar_value *out)
{
    const struct cedar_record *r;
    struct cedar_str dup;
    if (cedar_record_make(a, attrs, n, &r, &dup))
        return -1;
    out->kind = CEDAR_RECORD;
    out->u.rec = r;
    return 0;
}

int
gate_set(struct cedar_arena *a, const struct cedar_value *vs, size_t n, struct cedar_value *out)
{
    const struct cedar_set *s = cedar_set_make(a, vs, n);
    if (!s)
        return -1;
    out->kind = CEDAR_SET;
    out->u.set = s;
    return 0;
}

static int convert(struct cedar_arena *a, const json_t *j, unsigned depth, struct cedar_value *out,
                   const char **why);

static int
convert_object(struct cedar_arena *a, const json_t *j, unsigned depth, struct cedar_value *out,
               const char **why)
{
    size_t n = json_object_size(j), k = 0;
    struct cedar_attr *attrs = cedar_arena_alloc(a, (n ? n : 1) * sizeof(*attrs));
    if (!attrs)
        goto nomem;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v) {
        if (json_is_null(v))
            continue;
        struct cedar_value kv;
        if (gate_string(a, key, strlen(key), &kv))
            goto nomem;
        attrs[k].key = kv.u.s;
        if (convert(a, v, depth + 1, &attrs[k].v, why))
            return -1;
        k++;
    }
    if (gate_record(a, attrs, k, out))
        goto nomem;
    return 0;
nomem:
    *why = "out of memory converting the arguments";
    return -1;
}

static int
convert_array(struct cedar_arena *a, const json_t *j, unsigned depth, struct cedar_value *out,
              const char **why)
{
    size_t n = json_array_size(j), k = 0;
    if (n > CEDAR_MAX_ELEMENTS) {
        *why = "an array in the arguments has more elements than Cedar allows";
        return -1;
    }
    struct cedar_value *vs = cedar_arena_alloc(a, (n ? n : 1) * sizeof(*vs));
    if (!vs)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(j, i);
        if (json_is_null(v))
            continue;
        if (convert(a, v, depth + 1, &vs[k++], why))
            return -1;
    }
    if (gate_set(a, vs, k, out))
        goto nomem;
    return 0;
nomem:
    *why = "out of memory converting the arguments";
    return -1;
}

static int
convert(struct cedar_arena *a, const json_t *j, unsigned depth, struct cedar_value *out,
        const char **why)
{
    if (depth > GATE_MAX_INPUT_DEPTH) {
        *why = "the arguments are nested deeper than airlock accepts";
        return -1;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return convert_object(a, j, depth, out, why);
    case JSON_ARRAY:
        return convert_array(a, j, depth, out, why);
    case JSON_TRUE:
        *out = cedar_bool(true);
        return 0;
    case JSON_FALSE:
        *out = cedar_bool(false);
        return 0;
    case JSON_INTEGER:
        *out = cedar_long(json_integer_value(j));
        return 0;
    case JSON_REAL: {
        char num[64];
        int n = snprintf(num, sizeof(num), "%.17g", json_real_value(j));
        if (gate_string(a, num, (size_t)n, out))
            break;
        return 0;
    }
    case JSON_STRING:
        if (gate_string(a, json_string_value(j), json_string_length(j), out)) {
            *why = "a string in the arguments is longer than Cedar allows";
            return -1;
        }
        return 0;
    case JSON_NULL:
        *out = cedar_bool(false);
        return 0; /* not reached: callers skip null */
    }
    *why = "out of memory converting the arguments";
    return -1;
}

int
gate_value_from_json(struct cedar_arena *a, const json_t *j, struct cedar_value *out,
                     const char **why)
{
    return convert(a, j, 0, out, why);
}
