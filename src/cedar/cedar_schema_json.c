/*
 * cedar_schema_json.c - the JSON schema format: read into the written
 * schema (cedar_schema.h), and printed from it.
 *
 *   { "NS": { "annotations": {..}, "commonTypes": {"T": TYPE},
 *             "entityTypes": {"E": {"memberOfTypes": [..], "shape": TYPE,
 *                                   "tags": TYPE, "enum": [..]}},
 *             "actions": {"a": {"memberOf": [{"id": .., "type": ..}],
 *                               "appliesTo": {"principalTypes": [..],
 *                                             "resourceTypes": [..],
 *                                             "context": TYPE}}} } }
 *   TYPE := {"type": "Long" | "String" | "Boolean"}
 *         | {"type": "Set", "element": TYPE}
 *         | {"type": "Record", "attributes": {"a": TYPE + "required"}}
 *         | {"type": "Entity" | "Extension" | "EntityOrCommon", "name": ..}
 *         | {"type": NAME}                       (a common type)
 * Every object may carry "annotations"; an unknown key is an error, as
 * Cedar's reader has it, so that a misspelt "requried" is not ignored.
 */
#include <stdio.h>
#include <string.h>

#include "cedar_err.h"
#include "cedar_jsonr.h"
#include "cedar_schema_int.h"

struct jr {
    struct cedar_arena *a;
    struct cedar_diags *d;
    char where[256]; /* the path of what is read, for messages */
    int rc;
    unsigned decls;
};

static int __attribute__((format(printf, 2, 3))) bad(struct jr *r, const char *fmt, ...)
{
    char msg[CEDAR_MAX_ERRMSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!r->rc)
        r->rc = CEDAR_E_PARSE;
    cs_diag(r->d, 1, 1, "%s%s%s", r->where, *r->where ? ": " : "", msg);
    return -1;
}

static int
nomem(struct jr *r)
{
    r->rc = CEDAR_E_NOMEM;
    return bad(r, "out of memory");
}

static int
key_is(const struct jv_member *m, const char *k)
{
    return m->key.n == strlen(k) && !memcmp(m->key.p, k, m->key.n);
}

/* Every member of object v is one of the NULL-ended keys. */
static int
only_keys(struct jr *r, const struct jv *v, const char *const *keys)
{
    for (uint32_t i = 0; i < v->n; i++) {
        int ok = 0;
        for (const char *const *k = keys; *k && !ok; k++)
            ok = key_is(&v->members[i], *k);
        if (!ok)
            return bad(r, "unknown key \"%.*s\"", (int)v->members[i].key.n, v->members[i].key.p);
    }
    return 0;
}

static int
want(struct jr *r, const struct jv *v, int type, const char *what)
{
    if (!v || v->type != type)
        return bad(r, "%s must be %s", what, jv_type_name(type));
    return 0;
}

static void
push(struct jr *r, size_t *mark, const char *sep, struct cedar_str s)
{
    *mark = strlen(r->where);
    snprintf(r->where + *mark, sizeof(r->where) - *mark, "%s%.*s", *mark ? sep : "",
             (int)(s.n > 64 ? 64 : s.n), s.p);
}

static int
annos(struct jr *r, const struct jv *v, struct cs_annos *out)
{
    out->v = NULL;
    out->n = 0;
    if (!v)
        return 0;
    if (want(r, v, JV_OBJECT, "annotations"))
        return -1;
    if (v->n > CEDAR_MAX_SCHEMA_ANNOTATIONS) {
        r->rc = CEDAR_E_LIMIT;
        return bad(r, "more than %u annotations", CEDAR_MAX_SCHEMA_ANNOTATIONS);
    }
    if (!(out->v = cedar_arena_alloc(r->a, (v->n ? v->n : 1) * sizeof(*out->v))))
        return nomem(r);
    for (uint32_t i = 0; i < v->n; i++) {
        const struct jv *val = v->members[i].v;
        if (want(r, val, JV_STRING, "an annotation's value"))
            return -1;
        out->v[i].key = v->members[i].key;
        out->v[i].value = val->s;
        out->v[i].has_value = true;
    }
    out->n = v->n;
    return 0;
}

static int
strings(struct jr *r, const struct jv *v, const char *what, struct cedar_str **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (want(r, v, JV_ARRAY, what))
        return -1;
    if (!(*out = cedar_arena_alloc(r->a, (v->n ? v->n : 1) * sizeof(**out))))
        return nomem(r);
    for (uint32_t i = 0; i < v->n; i++) {
        if (want(r, v->items[i], JV_STRING, what))
            return -1;
        (*out)[i] = v->items[i]->s;
    }
    *n = v->n;
    return 0;
}

static struct cs_type *type(struct jr *r, const struct jv *v, unsigned depth);

static int
attrs(struct jr *r, const struct jv *v, struct cs_type *t, unsigned depth)
{
    if (!v) /* "attributes" omitted: no attributes */
        return 0;
    if (want(r, v, JV_OBJECT, "attributes"))
        return -1;
    if (v->n > CEDAR_MAX_ELEMENTS) {
        r->rc = CEDAR_E_LIMIT;
        return bad(r, "a record type of more than %u attributes", CEDAR_MAX_ELEMENTS);
    }
    if (!(t->attrs = cedar_arena_alloc(r->a, (v->n ? v->n : 1) * sizeof(*t->attrs))))
        return nomem(r);
    for (uint32_t i = 0; i < v->n; i++) {
        size_t mark;
        push(r, &mark, ".", v->members[i].key);
        const struct jv *av = v->members[i].v, *req;
        struct cs_attr *at = &t->attrs[i];
        at->name = v->members[i].key;
        at->required = true;
        at->line = at->col = 1;
        if (!(at->type = type(r, av, depth + 1)))
            return -1;
        if ((req = jv_get(av, "required"))) {
            if (want(r, req, JV_BOOL, "\"required\""))
                return -1;
            at->required = req->b;
        }
        if (annos(r, jv_get(av, "annotations"), &at->annos))
            return -1;
        r->where[mark] = '\0';
    }
    t->nattrs = v->n;
    return 0;
}

static struct cs_type *
type(struct jr *r, const struct jv *v, unsigned depth)
{
    static const char *const set_keys[] = {"type", "element", "required", "annotations", NULL};
    static const char *const rec_keys[] = {"type",     "attributes",  "additionalAttributes",
                                           "required", "annotations", NULL};
    static const char *const named_keys[] = {"type", "name", "required", "annotations", NULL};
    static const char *const plain_keys[] = {"type", "required", "annotations", NULL};
    if (depth > CEDAR_MAX_TYPE_DEPTH) {
        r->rc = CEDAR_E_LIMIT;
        bad(r, "types nested deeper than %u", CEDAR_MAX_TYPE_DEPTH);
        return NULL;
    }
    if (want(r, v, JV_OBJECT, "a type") || want(r, jv_get(v, "type"), JV_STRING, "\"type\""))
        return NULL;
    struct cs_type *t = cedar_arena_alloc(r->a, sizeof(*t));
    if (!t) {
        nomem(r);
        return NULL;
    }
    t->line = t->col = 1;
    struct cedar_str k = jv_get(v, "type")->s;
#define IS(w) (k.n == strlen(w) && !memcmp(k.p, w, k.n))
    const char *const *keys = plain_keys;
    if (IS("Long") || IS("String") || IS("Boolean")) {
        t->kind = IS("Long") ? CS_LONG : IS("String") ? CS_STRING : CS_BOOL;
    } else if (IS("Set")) {
        t->kind = CS_SET;
        keys = set_keys;
        if (!jv_get(v, "element")) {
            bad(r, "a Set type needs \"element\"");
            return NULL;
        }
        if (!(t->elem = type(r, jv_get(v, "element"), depth + 1)))
            return NULL;
    } else if (IS("Record")) {
        t->kind = CS_RECORD;
        keys = rec_keys;
        const struct jv *extra = jv_get(v, "additionalAttributes");
        if (extra && (extra->type != JV_BOOL || extra->b)) {
            bad(r, "\"additionalAttributes\" must be false (open records are not supported)");
            return NULL;
        }
        if (attrs(r, jv_get(v, "attributes"), t, depth))
            return NULL;
    } else if (IS("Entity") || IS("Extension") || IS("EntityOrCommon")) {
        t->kind = IS("Entity") ? CS_ENTITY : IS("Extension") ? CS_EXTENSION : CS_NAME;
        keys = named_keys;
        if (want(r, jv_get(v, "name"), JV_STRING, "\"name\""))
            return NULL;
        t->name = jv_get(v, "name")->s;
    } else {
        t->kind = CS_NAME; /* a common type's name */
        t->name = k;
    }
#undef IS
    return only_keys(r, v, keys) ? NULL : t;
}

static int
count_decls(struct jr *r, uint32_t n)
{
    if ((r->decls += n) > CEDAR_MAX_SCHEMA_DECLS) {
        r->rc = CEDAR_E_LIMIT;
        return bad(r, "more than %u declarations", CEDAR_MAX_SCHEMA_DECLS);
    }
    return 0;
}

static int
entity(struct jr *r, const struct jv *v, struct cs_entity *e)
{
    static const char *const keys[] = {"memberOfTypes", "shape",       "tags",
                                       "enum",          "annotations", NULL};
    if (want(r, v, JV_OBJECT, "an entity type") || only_keys(r, v, keys) ||
        strings(r, jv_get(v, "memberOfTypes"), "\"memberOfTypes\"", &e->parents, &e->nparents) ||
        annos(r, jv_get(v, "annotations"), &e->annos))
        return -1;
    if (jv_get(v, "enum")) {
        if (strings(r, jv_get(v, "enum"), "\"enum\"", &e->enums, &e->nenums))
            return -1;
        if (!e->nenums)
            return bad(r, "an enumerated entity type needs at least one value");
        if (jv_get(v, "shape") || jv_get(v, "tags") || e->nparents)
            return bad(r, "an enumerated entity type has no shape, tags or parents");
        e->is_enum = true;
        return 0;
    }
    if (jv_get(v, "shape") && !(e->shape = type(r, jv_get(v, "shape"), 0)))
        return -1;
    if (jv_get(v, "tags") && !(e->tags = type(r, jv_get(v, "tags"), 0)))
        return -1;
    return 0;
}

static int
action(struct jr *r, const struct jv *v, struct cs_action *a)
{
    static const char *const keys[] = {"memberOf", "appliesTo", "attributes", "annotations", NULL};
    static const char *const ref_keys[] = {"id", "type", NULL};
    static const char *const at_keys[] = {"principalTypes", "resourceTypes", "context", NULL};
    if (want(r, v, JV_OBJECT, "an action") || only_keys(r, v, keys) ||
        annos(r, jv_get(v, "annotations"), &a->annos))
        return -1;
    if (jv_get(v, "attributes"))
        return bad(r, "actions have no attributes");
    const struct jv *m = jv_get(v, "memberOf");
    if (m) {
        if (want(r, m, JV_ARRAY, "\"memberOf\""))
            return -1;
        if (!(a->parents = cedar_arena_alloc(r->a, (m->n ? m->n : 1) * sizeof(*a->parents))))
            return nomem(r);
        for (uint32_t i = 0; i < m->n; i++) {
            const struct jv *ref = m->items[i];
            if (want(r, ref, JV_OBJECT, "a \"memberOf\" item") || only_keys(r, ref, ref_keys) ||
                want(r, jv_get(ref, "id"), JV_STRING, "\"id\""))
                return -1;
            a->parents[i].id = jv_get(ref, "id")->s;
            a->parents[i].type.p = "";
            if (jv_get(ref, "type")) {
                if (want(r, jv_get(ref, "type"), JV_STRING, "\"type\""))
                    return -1;
                a->parents[i].type = jv_get(ref, "type")->s;
            }
        }
        a->nparents = m->n;
    }
    const struct jv *at = jv_get(v, "appliesTo");
    if (!at || at->type == JV_NULL)
        return 0;
    if (want(r, at, JV_OBJECT, "\"appliesTo\"") || only_keys(r, at, at_keys) ||
        strings(r, jv_get(at, "principalTypes"), "\"principalTypes\"",
                (struct cedar_str **)&a->principals, &a->nprincipals) ||
        strings(r, jv_get(at, "resourceTypes"), "\"resourceTypes\"",
                (struct cedar_str **)&a->resources, &a->nresources))
        return -1;
    a->applies = true;
    if (jv_get(at, "context") && !(a->context = type(r, jv_get(at, "context"), 0)))
        return -1;
    return 0;
}

static int
ns_read(struct jr *r, struct cedar_str name, const struct jv *v, struct cs_namespace *ns)
{
    static const char *const keys[] = {"commonTypes", "entityTypes", "actions", "annotations",
                                       NULL};
    memset(ns, 0, sizeof(*ns));
    ns->name = name;
    if (want(r, v, JV_OBJECT, "a namespace") || only_keys(r, v, keys) ||
        annos(r, jv_get(v, "annotations"), &ns->annos))
        return -1;
    const struct jv *c = jv_get(v, "commonTypes"), *e = jv_get(v, "entityTypes"),
                    *a = jv_get(v, "actions");
    if ((c && want(r, c, JV_OBJECT, "\"commonTypes\"")) ||
        want(r, e, JV_OBJECT, "\"entityTypes\"") || want(r, a, JV_OBJECT, "\"actions\"") ||
        count_decls(r, (c ? c->n : 0) + e->n + a->n))
        return -1;
    size_t mark;
    if (c) {
        if (!(ns->commons = cedar_arena_alloc(r->a, (c->n ? c->n : 1) * sizeof(*ns->commons))))
            return nomem(r);
        for (uint32_t i = 0; i < c->n; i++, ns->ncommons++) {
            push(r, &mark, ".", c->members[i].key);
            ns->commons[i].name = c->members[i].key;
            ns->commons[i].line = ns->commons[i].col = 1;
            if (!(ns->commons[i].type = type(r, c->members[i].v, 0)) ||
                annos(r, jv_get(c->members[i].v, "annotations"), &ns->commons[i].annos))
                return -1;
            r->where[mark] = '\0';
        }
    }
    if (!(ns->entities = cedar_arena_alloc(r->a, (e->n ? e->n : 1) * sizeof(*ns->entities))))
        return nomem(r);
    for (uint32_t i = 0; i < e->n; i++, ns->nentities++) {
        push(r, &mark, ".", e->members[i].key);
        ns->entities[i].name = e->members[i].key;
        ns->entities[i].line = ns->entities[i].col = 1;
        if (entity(r, e->members[i].v, &ns->entities[i]))
            return -1;
        r->where[mark] = '\0';
    }
    if (!(ns->actions = cedar_arena_alloc(r->a, (a->n ? a->n : 1) * sizeof(*ns->actions))))
        return nomem(r);
    for (uint32_t i = 0; i < a->n; i++, ns->nactions++) {
        push(r, &mark, ".", a->members[i].key);
        ns->actions[i].name = a->members[i].key;
        ns->actions[i].line = ns->actions[i].col = 1;
        if (action(r, a->members[i].v, &ns->actions[i]))
            return -1;
        r->where[mark] = '\0';
    }
    return 0;
}

int
cs_parse_json(struct cedar_arena *a, const char *text, size_t n, struct cs_src *out,
              struct cedar_diags *d)
{
    struct jr r = {a, d, "", 0, 0};
    struct jv *root;
    struct cedar_error err;
    memset(out, 0, sizeof(*out));
    int rc = jv_parse(a, text, n, &root, &err);
    if (rc) {
        cs_diag(d, 1, 1, "%s", err.msg);
        return rc == CEDAR_E_NOMEM || rc == CEDAR_E_LIMIT ? rc : CEDAR_E_PARSE;
    }
    if (want(&r, root, JV_OBJECT, "a schema"))
        return r.rc;
    if (!(out->ns = cedar_arena_alloc(a, (root->n ? root->n : 1) * sizeof(*out->ns))))
        return nomem(&r), r.rc;
    for (uint32_t i = 0; i < root->n; i++, out->nns++) {
        size_t mark;
        push(&r, &mark, "", root->members[i].key);
        if (ns_read(&r, root->members[i].key, root->members[i].v, &out->ns[i]))
            return r.rc ? r.rc : CEDAR_E_PARSE;
        r.where[0] = '\0';
    }
    return 0;
}

/* ---- printing ---- */

static int
jstr(struct util_buf *b, const char *p, size_t n)
{
    if (util_buf_puts(b, "\""))
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int rc;
        if (c == '"' || c == '\\')
            rc = util_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            rc = util_buf_puts(b, "\\n");
        else if (c == '\t')
            rc = util_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            rc = util_buf_printf(b, "\\u%04x", c);
        else
            rc = util_buf_add(b, &p[i], 1);
        if (rc)
            return -1;
    }
    return util_buf_puts(b, "\"");
}

static int
js(struct util_buf *b, struct cedar_str s)
{
    return jstr(b, s.p, s.n);
}

static int
nl(struct util_buf *b, unsigned level)
{
    if (util_buf_puts(b, "\n"))
        return -1;
    for (unsigned i = 0; i < level; i++)
        if (util_buf_puts(b, "  "))
            return -1;
    return 0;
}

/* ,"annotations": {...} when there are any */
static int
put_annos(struct util_buf *b, const struct cs_annos *an, unsigned level)
{
    if (!an->n)
        return 0;
    if (util_buf_puts(b, ",") || nl(b, level) || util_buf_puts(b, "\"annotations\": {"))
        return -1;
    for (uint32_t i = 0; i < an->n; i++)
        if ((i && util_buf_puts(b, ",")) || nl(b, level + 1) || js(b, an->v[i].key) ||
            util_buf_puts(b, ": ") ||
            js(b, an->v[i].has_value ? an->v[i].value : (struct cedar_str){"", 0}))
            return -1;
    return nl(b, level) || util_buf_puts(b, "}");
}

static int
put_type(struct util_buf *b, const struct cs_type *t, unsigned level, const struct cs_attr *as)
{
    static const char *const plain[] = {
        [CS_LONG] = "Long", [CS_STRING] = "String", [CS_BOOL] = "Boolean"};
    if (util_buf_puts(b, "{") || nl(b, level + 1) || util_buf_puts(b, "\"type\": "))
        return -1;
    int rc = 0;
    switch (t->kind) {
    case CS_LONG:
    case CS_STRING:
    case CS_BOOL:
        rc = jstr(b, plain[t->kind], strlen(plain[t->kind]));
        break;
    case CS_NAME:
    case CS_ENTITY:
    case CS_EXTENSION:
        rc = util_buf_puts(b, t->kind == CS_NAME     ? "\"EntityOrCommon\""
                              : t->kind == CS_ENTITY ? "\"Entity\""
                                                     : "\"Extension\"") ||
             util_buf_puts(b, ",") || nl(b, level + 1) || util_buf_puts(b, "\"name\": ") ||
             js(b, t->name);
        break;
    case CS_SET:
        rc = util_buf_puts(b, "\"Set\",") || nl(b, level + 1) ||
             util_buf_puts(b, "\"element\": ") || put_type(b, t->elem, level + 1, NULL);
        break;
    case CS_RECORD:
        rc = util_buf_puts(b, "\"Record\",") || nl(b, level + 1) ||
             util_buf_puts(b, "\"attributes\": {");
        for (uint32_t i = 0; !rc && i < t->nattrs; i++)
            rc = (i && util_buf_puts(b, ",")) || nl(b, level + 2) || js(b, t->attrs[i].name) ||
                 util_buf_puts(b, ": ") || put_type(b, t->attrs[i].type, level + 2, &t->attrs[i]);
        rc = rc || (t->nattrs && nl(b, level + 1)) || util_buf_puts(b, "}");
        break;
    }
    if (!rc && as && !as->required)
        rc = util_buf_puts(b, ",") || nl(b, level + 1) || util_buf_puts(b, "\"required\": false");
    if (!rc && as)
        rc = put_annos(b, &as->annos, level + 1);
    return rc || nl(b, level) || util_buf_puts(b, "}");
}

static int
put_names(struct util_buf *b, const struct cedar_str *v, uint32_t n)
{
    if (util_buf_puts(b, "["))
        return -1;
    for (uint32_t i = 0; i < n; i++)
        if ((i && util_buf_puts(b, ", ")) || js(b, v[i]))
            return -1;
    return util_buf_puts(b, "]");
}

static int
put_entity(struct util_buf *b, const struct cs_entity *e, unsigned l)
{
    if (js(b, e->name) || util_buf_puts(b, ": {"))
        return -1;
    int first = 1;
#define SEP() ((!first && util_buf_puts(b, ",")) || (first = 0) || nl(b, l + 1))
    if (e->is_enum) {
        if (SEP() || util_buf_puts(b, "\"enum\": ") || put_names(b, e->enums, e->nenums))
            return -1;
    } else {
        if (SEP() || util_buf_puts(b, "\"memberOfTypes\": ") ||
            put_names(b, e->parents, e->nparents))
            return -1;
        if (e->shape &&
            (SEP() || util_buf_puts(b, "\"shape\": ") || put_type(b, e->shape, l + 1, NULL)))
            return -1;
        if (e->tags &&
            (SEP() || util_buf_puts(b, "\"tags\": ") || put_type(b, e->tags, l + 1, NULL)))
            return -1;
    }
#undef SEP
    return put_annos(b, &e->annos, l + 1) || nl(b, l) || util_buf_puts(b, "}");
}

static int
put_action(struct util_buf *b, const struct cs_action *a, unsigned l)
{
    if (js(b, a->name) || util_buf_puts(b, ": {") || nl(b, l + 1) ||
        util_buf_puts(b, "\"memberOf\": ["))
        return -1;
    for (uint32_t i = 0; i < a->nparents; i++) {
        if ((i && util_buf_puts(b, ", ")) || util_buf_puts(b, "{\"id\": ") ||
            js(b, a->parents[i].id))
            return -1;
        if (a->parents[i].type.n && (util_buf_puts(b, ", \"type\": ") || js(b, a->parents[i].type)))
            return -1;
        if (util_buf_puts(b, "}"))
            return -1;
    }
    if (util_buf_puts(b, "]"))
        return -1;
    if (a->applies) {
        if (util_buf_puts(b, ",") || nl(b, l + 1) || util_buf_puts(b, "\"appliesTo\": {") ||
            nl(b, l + 2) || util_buf_puts(b, "\"principalTypes\": ") ||
            put_names(b, a->principals, a->nprincipals) || util_buf_puts(b, ",") || nl(b, l + 2) ||
            util_buf_puts(b, "\"resourceTypes\": ") || put_names(b, a->resources, a->nresources))
            return -1;
        if (a->context &&
            (util_buf_puts(b, ",") || nl(b, l + 2) || util_buf_puts(b, "\"context\": ") ||
             put_type(b, a->context, l + 2, NULL)))
            return -1;
        if (nl(b, l + 1) || util_buf_puts(b, "}"))
            return -1;
    }
    return put_annos(b, &a->annos, l + 1) || nl(b, l) || util_buf_puts(b, "}");
}

int
cedar_schema_print_json(struct util_buf *b, const struct cs_src *s)
{
    if (util_buf_puts(b, "{"))
        return -1;
    for (uint32_t k = 0; k < s->nns; k++) {
        const struct cs_namespace *ns = &s->ns[k];
        if ((k && util_buf_puts(b, ",")) || nl(b, 1) || js(b, ns->name) || util_buf_puts(b, ": {"))
            return -1;
        if (ns->ncommons) {
            if (nl(b, 2) || util_buf_puts(b, "\"commonTypes\": {"))
                return -1;
            for (uint32_t i = 0; i < ns->ncommons; i++) {
                const struct cs_common *c = &ns->commons[i];
                if ((i && util_buf_puts(b, ",")) || nl(b, 3) || js(b, c->name) ||
                    util_buf_puts(b, ": ") || put_type(b, c->type, 3, NULL))
                    return -1;
            }
            if (nl(b, 2) || util_buf_puts(b, "},"))
                return -1;
        }
        if (nl(b, 2) || util_buf_puts(b, "\"entityTypes\": {"))
            return -1;
        for (uint32_t i = 0; i < ns->nentities; i++)
            if ((i && util_buf_puts(b, ",")) || nl(b, 3) || put_entity(b, &ns->entities[i], 3))
                return -1;
        if ((ns->nentities && nl(b, 2)) || util_buf_puts(b, "},") || nl(b, 2) ||
            util_buf_puts(b, "\"actions\": {"))
            return -1;
        for (uint32_t i = 0; i < ns->nactions; i++)
            if ((i && util_buf_puts(b, ",")) || nl(b, 3) || put_action(b, &ns->actions[i], 3))
                return -1;
        if ((ns->nactions && nl(b, 2)) || util_buf_puts(b, "}") || put_annos(b, &ns->annos, 2) ||
            nl(b, 1) || util_buf_puts(b, "}"))
            return -1;
    }
    return (s->nns && nl(b, 0)) || util_buf_puts(b, "}\n");
}
