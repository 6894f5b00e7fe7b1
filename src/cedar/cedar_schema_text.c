/*
 * cedar_schema_text.c - the human-readable schema format (.cedarschema):
 * read into the written schema, and printed from it.
 *
 *   Schema    := {Namespace}
 *   Namespace := Annotations 'namespace' Path '{' {Decl} '}' | Decl
 *   Decl      := Entity | Action | TypeDecl
 *   Entity    := Annotations 'entity' Idents ['in' EntOrTyps] [['='] RecType]
 *                ['tags' Type] ';'
 *              | Annotations 'entity' Idents 'enum' '[' STR {',' STR} ']' ';'
 *   Action    := Annotations 'action' Names ['in' RefOrRefs] [AppliesTo] ';'
 *   TypeDecl  := Annotations 'type' IDENT '=' Type ';'
 *   Type      := Path | 'Set' '<' Type '>' | RecType
 *   RecType   := '{' [Annotations Name ['?'] ':' Type {',' ...} [',']] '}'
 *   AppliesTo := 'appliesTo' '{' (('principal' | 'resource') ':' EntOrTyps
 *                | 'context' ':' Type) {',' ...} [','] '}'
 *   Ref       := Path '::' STR | STR
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cedar_err.h"
#include "cedar_lex.h"
#include "cedar_schema_int.h"

struct sp {
    struct cedar_lexer lx;
    struct cedar_token t;
    struct cedar_arena *a;
    struct cedar_diags *d;
    struct cs_src *src;
    int failed, rc;
    unsigned depth, decls;
};

static void __attribute__((format(printf, 2, 3))) fail(struct sp *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    if (!p->rc)
        p->rc = CEDAR_E_PARSE;
    va_list ap;
    va_start(ap, fmt);
    cs_diag_v(p->d, p->t.line, p->t.col, fmt, ap);
    va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
fail_at(struct sp *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    p->rc = CEDAR_E_PARSE;
    va_list ap;
    va_start(ap, fmt);
    cs_diag_v(p->d, line, col, fmt, ap);
    va_end(ap);
}

static void
next(struct sp *p)
{
    cedar_lex_next(&p->lx, &p->t);
    if (p->t.kind == T_ERROR)
        fail(p, "%s", p->lx.err ? p->lx.err : "invalid token");
}

static int
is_word(const struct sp *p, const char *w)
{
    return p->t.kind == T_IDENT && p->t.n == strlen(w) && !memcmp(p->t.p, w, p->t.n);
}

static int
expect(struct sp *p, int kind)
{
    if (p->failed)
        return -1;
    if (p->t.kind != kind) {
        fail(p, "expected %s, found %s", cedar_tok_name(kind),
             p->t.kind == T_EOF ? "end of input" : "something else");
        return -1;
    }
    next(p);
    return p->failed ? -1 : 0;
}

static int
nomem(struct sp *p)
{
    p->rc = CEDAR_E_NOMEM;
    fail(p, "out of memory");
    return -1;
}

/* The current identifier, copied; then the next token. */
static int
ident(struct sp *p, struct cedar_str *out)
{
    if (p->failed)
        return -1;
    if (p->t.kind != T_IDENT) {
        fail(p, "expected an identifier");
        return -1;
    }
    out->p = cedar_arena_strndup(p->a, p->t.p, p->t.n);
    out->n = (uint32_t)p->t.n;
    if (!out->p)
        return nomem(p);
    next(p);
    return p->failed ? -1 : 0;
}

static int
string(struct sp *p, struct cedar_str *out)
{
    if (p->failed)
        return -1;
    if (p->t.kind != T_STRING) {
        fail(p, "expected a string");
        return -1;
    }
    const char *err = NULL;
    if (cedar_unescape(p->a, p->t.p, p->t.n, out, &err)) {
        fail(p, "%s", err ? err : "invalid string");
        return -1;
    }
    next(p);
    return p->failed ? -1 : 0;
}

/* IDENT {'::' IDENT}; stops before '::' followed by a string (a Ref). */
static int
path(struct sp *p, struct cedar_str *out)
{
    if (p->t.kind != T_IDENT) {
        fail(p, "expected a name");
        return -1;
    }
    const char *start = p->t.p, *end = p->t.p + p->t.n;
    next(p);
    while (!p->failed && p->t.kind == T_COLONCOLON) {
        struct cedar_lexer look = p->lx;
        struct cedar_token nt;
        cedar_lex_next(&look, &nt);
        if (nt.kind != T_IDENT)
            break; /* the '::' of a Ref */
        p->lx = look;
        end = nt.p + nt.n;
        next(p);
    }
    if (p->failed)
        return -1;
    /* as written, but without blanks around '::' */
    char *s = cedar_arena_alloc(p->a, (size_t)(end - start) + 1);
    if (!s)
        return nomem(p);
    size_t k = 0;
    for (const char *c = start; c < end; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
            s[k++] = *c;
    out->p = s;
    out->n = (uint32_t)k;
    return 0;
}

static int
peek(const struct sp *p)
{
    struct cedar_lexer look = p->lx;
    struct cedar_token nt;
    cedar_lex_next(&look, &nt);
    return nt.kind;
}

static int
annotations(struct sp *p, struct cs_annos *out)
{
    uint32_t cap = 0;
    out->v = NULL;
    out->n = 0;
    while (!p->failed && p->t.kind == T_AT) {
        next(p);
        struct cedar_annotation an = {{0}, {"", 0}, false};
        if (ident(p, &an.key))
            return -1;
        if (p->t.kind == T_LPAREN) {
            next(p);
            if (string(p, &an.value) || expect(p, T_RPAREN))
                return -1;
            an.has_value = true;
        }
        for (uint32_t i = 0; i < out->n; i++)
            if (cs_str_eq(out->v[i].key, an.key)) {
                fail(p, "duplicate annotation @%.*s", (int)an.key.n, an.key.p);
                return -1;
            }
        if (out->n >= CEDAR_MAX_SCHEMA_ANNOTATIONS) {
            p->rc = CEDAR_E_LIMIT;
            fail(p, "more than %u annotations", CEDAR_MAX_SCHEMA_ANNOTATIONS);
            return -1;
        }
        if (cs_grow(p->a, (void **)&out->v, &cap, out->n, sizeof(*out->v)))
            return nomem(p);
        out->v[out->n++] = an;
    }
    return p->failed ? -1 : 0;
}

static struct cs_type *type(struct sp *p);

static struct cs_type *
new_type(struct sp *p, int kind)
{
    struct cs_type *t = cedar_arena_alloc(p->a, sizeof(*t));
    if (!t) {
        nomem(p);
        return NULL;
    }
    t->kind = (uint8_t)kind;
    t->line = p->t.line;
    t->col = p->t.col;
    return t;
}

static struct cs_type *
record(struct sp *p)
{
    struct cs_type *t = new_type(p, CS_RECORD);
    uint32_t cap = 0;
    if (!t || expect(p, T_LBRACE))
        return NULL;
    while (!p->failed && p->t.kind != T_RBRACE) {
        struct cs_attr at = {{0}, true, NULL, {0}, p->t.line, p->t.col};
        if (annotations(p, &at.annos))
            return NULL;
        at.line = p->t.line, at.col = p->t.col;
        if (p->t.kind == T_STRING ? string(p, &at.name) : ident(p, &at.name))
            return NULL;
        if (p->t.kind == T_QUESTION) {
            at.required = false;
            next(p);
        }
        if (expect(p, T_COLON) || !(at.type = type(p)))
            return NULL;
        /* an attribute declared twice is found when resolved (sorted) */
        if (t->nattrs >= CEDAR_MAX_ELEMENTS) {
            p->rc = CEDAR_E_LIMIT;
            fail(p, "a record type of more than %u attributes", CEDAR_MAX_ELEMENTS);
            return NULL;
        }
        if (cs_grow(p->a, (void **)&t->attrs, &cap, t->nattrs, sizeof(*t->attrs))) {
            nomem(p);
            return NULL;
        }
        t->attrs[t->nattrs++] = at;
        if (p->t.kind != T_COMMA)
            break;
        next(p);
    }
    return expect(p, T_RBRACE) ? NULL : t;
}

static struct cs_type *
type(struct sp *p)
{
    if (p->failed)
        return NULL;
    if (++p->depth > CEDAR_MAX_TYPE_DEPTH) {
        p->rc = CEDAR_E_LIMIT;
        fail(p, "types nested deeper than %u", CEDAR_MAX_TYPE_DEPTH);
        return NULL;
    }
    struct cs_type *t = NULL;
    if (p->t.kind == T_LBRACE) {
        t = record(p);
    } else if (is_word(p, "Set") && peek(p) == T_LT) {
        next(p);
        next(p);
        if ((t = new_type(p, CS_SET)) && (!(t->elem = type(p)) || expect(p, T_GT)))
            t = NULL;
    } else if ((t = new_type(p, CS_NAME)) && path(p, &t->name)) {
        t = NULL;
    }
    p->depth--;
    return t;
}

/* ONE | '[' [ONE {',' ONE}] ']': elements of size bytes into *v, each
 * read by one (path: an entity type; aref: an action). */
static int
list(struct sp *p, void **v, uint32_t *n, size_t size, int (*one)(struct sp *, void *))
{
    uint32_t cap = 0;
    *v = NULL;
    *n = 0;
    int bracket = p->t.kind == T_LBRACKET;
    if (bracket)
        next(p);
    while (!p->failed && (!bracket || p->t.kind != T_RBRACKET)) {
        if (cs_grow(p->a, v, &cap, *n, size))
            return nomem(p);
        if (one(p, (char *)*v + (size_t)*n * size))
            return -1;
        ++*n;
        if (!bracket || p->t.kind != T_COMMA)
            break;
        next(p);
    }
    return bracket ? expect(p, T_RBRACKET) : p->failed ? -1 : 0;
}

static int
one_path(struct sp *p, void *out)
{
    return path(p, out);
}

/* Path '::' STR | STR */
static int
one_aref(struct sp *p, void *out)
{
    struct cs_aref *r = out;
    r->type.p = "";
    r->type.n = 0;
    if (p->t.kind == T_IDENT) {
        if (path(p, &r->type) || expect(p, T_COLONCOLON))
            return -1;
    }
    return string(p, &r->id);
}

static int
types_list(struct sp *p, struct cedar_str **v, uint32_t *n)
{
    return list(p, (void **)v, n, sizeof(**v), one_path);
}

static int
count_decl(struct sp *p)
{
    if (++p->decls > CEDAR_MAX_SCHEMA_DECLS) {
        p->rc = CEDAR_E_LIMIT;
        fail(p, "more than %u declarations", CEDAR_MAX_SCHEMA_DECLS);
        return -1;
    }
    return 0;
}

static int
entity_decl(struct sp *p, struct cs_namespace *ns, const struct cs_annos *annos, uint32_t *cap)
{
    uint32_t line = p->t.line, col = p->t.col, first = ns->nentities;
    next(p); /* entity */
    do {
        if (ns->nentities > first)
            next(p); /* , */
        if (count_decl(p) ||
            cs_grow(p->a, (void **)&ns->entities, cap, ns->nentities, sizeof(*ns->entities)))
            return p->failed ? -1 : nomem(p);
        struct cs_entity *e = &ns->entities[ns->nentities];
        memset(e, 0, sizeof(*e));
        e->annos = *annos;
        e->line = line;
        e->col = col;
        if (ident(p, &e->name))
            return -1;
        ns->nentities++;
    } while (p->t.kind == T_COMMA);
    struct cs_entity proto = ns->entities[first];
    if (is_word(p, "enum")) {
        next(p);
        uint32_t ecap = 0;
        if (expect(p, T_LBRACKET))
            return -1;
        while (!p->failed && p->t.kind != T_RBRACKET) {
            if (cs_grow(p->a, (void **)&proto.enums, &ecap, proto.nenums, sizeof(*proto.enums)))
                return nomem(p);
            if (string(p, &proto.enums[proto.nenums]))
                return -1;
            proto.nenums++;
            if (p->t.kind != T_COMMA)
                break;
            next(p);
        }
        if (expect(p, T_RBRACKET))
            return -1;
        if (!proto.nenums) {
            fail(p, "an enumerated entity type needs at least one value");
            return -1;
        }
        proto.is_enum = true;
    } else {
        if (is_word(p, "in")) {
            next(p);
            if (types_list(p, &proto.parents, &proto.nparents))
                return -1;
        }
        if (p->t.kind == T_ASSIGN)
            next(p);
        if (p->t.kind == T_LBRACE && !(proto.shape = record(p)))
            return -1;
        if (is_word(p, "tags")) {
            next(p);
            if (!(proto.tags = type(p)))
                return -1;
        }
    }
    if (expect(p, T_SEMI))
        return -1;
    for (uint32_t i = first; i < ns->nentities; i++) {
        struct cedar_str name = ns->entities[i].name;
        ns->entities[i] = proto;
        ns->entities[i].name = name;
    }
    return 0;
}

static int
applies_to(struct sp *p, struct cs_action *a)
{
    int seen_p = 0, seen_r = 0, seen_c = 0;
    uint32_t line = p->t.line, col = p->t.col;
    next(p); /* appliesTo */
    if (expect(p, T_LBRACE))
        return -1;
    a->applies = true;
    while (!p->failed && p->t.kind != T_RBRACE) {
        int *seen = is_word(p, "principal")  ? &seen_p
                    : is_word(p, "resource") ? &seen_r
                    : is_word(p, "context")  ? &seen_c
                                             : NULL;
        if (!seen) {
            fail(p, "expected principal, resource or context");
            return -1;
        }
        if (*seen) {
            fail(p, "%.*s declared twice", (int)p->t.n, p->t.p);
            return -1;
        }
        *seen = 1;
        next(p);
        if (expect(p, T_COLON))
            return -1;
        if (seen == &seen_c) {
            if (!(a->context = type(p)))
                return -1;
        } else if (types_list(p,
                              seen == &seen_p ? (struct cedar_str **)&a->principals
                                              : (struct cedar_str **)&a->resources,
                              seen == &seen_p ? &a->nprincipals : &a->nresources)) {
            return -1;
        }
        if (p->t.kind != T_COMMA)
            break;
        next(p);
    }
    if (expect(p, T_RBRACE))
        return -1;
    /* as Cedar has it: both, and neither empty (JSON may say []) */
    if (!seen_p || !seen_r || !a->nprincipals || !a->nresources) {
        fail_at(p, line, col, "appliesTo needs %s (a list that is not empty)",
                !seen_p || !a->nprincipals ? "principal" : "resource");
        return -1;
    }
    return 0;
}

static int
action_decl(struct sp *p, struct cs_namespace *ns, const struct cs_annos *annos, uint32_t *cap)
{
    uint32_t line = p->t.line, col = p->t.col, first = ns->nactions;
    next(p); /* action */
    do {
        if (ns->nactions > first)
            next(p);
        if (count_decl(p) ||
            cs_grow(p->a, (void **)&ns->actions, cap, ns->nactions, sizeof(*ns->actions)))
            return p->failed ? -1 : nomem(p);
        struct cs_action *a = &ns->actions[ns->nactions];
        memset(a, 0, sizeof(*a));
        if (p->t.kind == T_STRING ? string(p, &a->name) : ident(p, &a->name))
            return -1;
        ns->nactions++;
    } while (p->t.kind == T_COMMA);
    struct cs_action proto;
    memset(&proto, 0, sizeof(proto));
    proto.annos = *annos;
    proto.line = line;
    proto.col = col;
    if (is_word(p, "in")) {
        next(p);
        if (list(p, (void **)&proto.parents, &proto.nparents, sizeof(*proto.parents), one_aref))
            return -1;
    }
    if (is_word(p, "appliesTo") && applies_to(p, &proto))
        return -1;
    if (expect(p, T_SEMI))
        return -1;
    for (uint32_t i = first; i < ns->nactions; i++) {
        struct cedar_str name = ns->actions[i].name;
        ns->actions[i] = proto;
        ns->actions[i].name = name;
    }
    return 0;
}

static int
type_decl(struct sp *p, struct cs_namespace *ns, const struct cs_annos *annos, uint32_t *cap)
{
    uint32_t line = p->t.line, col = p->t.col;
    next(p); /* type */
    if (count_decl(p) ||
        cs_grow(p->a, (void **)&ns->commons, cap, ns->ncommons, sizeof(*ns->commons)))
        return p->failed ? -1 : nomem(p);
    struct cs_common *c = &ns->commons[ns->ncommons];
    memset(c, 0, sizeof(*c));
    c->annos = *annos;
    c->line = line;
    c->col = col;
    if (ident(p, &c->name) || expect(p, T_ASSIGN) || !(c->type = type(p)) || expect(p, T_SEMI))
        return -1;
    ns->ncommons++;
    return 0;
}

struct ns_caps {
    uint32_t commons, entities, actions;
};

static int
decl(struct sp *p, struct cs_namespace *ns, struct ns_caps *caps)
{
    struct cs_annos annos;
    if (annotations(p, &annos))
        return -1;
    if (is_word(p, "entity"))
        return entity_decl(p, ns, &annos, &caps->entities);
    if (is_word(p, "action"))
        return action_decl(p, ns, &annos, &caps->actions);
    if (is_word(p, "type"))
        return type_decl(p, ns, &annos, &caps->commons);
    fail(p, "expected `entity`, `action`, `type` or `namespace`");
    return -1;
}

int
cs_parse_cedar(struct cedar_arena *a, const char *text, size_t n, struct cs_src *out,
               struct cedar_diags *d)
{
    struct sp p;
    memset(&p, 0, sizeof(p));
    cedar_lex_init(&p.lx, text, n);
    p.lx.schema = 1;
    p.a = a;
    p.d = d;
    p.src = out;
    memset(out, 0, sizeof(*out));
    /* One written namespace per block; caps are per block too, the
     * arrays being grown only while their block is read. */
    uint32_t nscap = 0;
    next(&p);
    while (!p.failed && p.t.kind != T_EOF) {
        struct cs_annos annos = {NULL, 0};
        struct cedar_lexer save = p.lx;
        struct cedar_token st = p.t;
        if (annotations(&p, &annos))
            break;
        if (cs_grow(a, (void **)&out->ns, &nscap, out->nns, sizeof(*out->ns))) {
            nomem(&p);
            break;
        }
        struct cs_namespace *ns = &out->ns[out->nns];
        memset(ns, 0, sizeof(*ns));
        struct ns_caps caps = {0, 0, 0};
        if (is_word(&p, "namespace")) {
            next(&p);
            ns->annos = annos;
            uint32_t line = p.t.line, col = p.t.col;
            if (path(&p, &ns->name))
                break;
            for (uint32_t k = 0; k < out->nns; k++)
                if (cs_str_eq(out->ns[k].name, ns->name)) {
                    fail_at(&p, line, col, "namespace %.*s declared twice", (int)ns->name.n,
                            ns->name.p);
                    break;
                }
            if (expect(&p, T_LBRACE))
                break;
            while (!p.failed && p.t.kind != T_RBRACE && p.t.kind != T_EOF)
                decl(&p, ns, &caps);
            if (expect(&p, T_RBRACE))
                break;
        } else {
            /* declarations outside a namespace, up to the next one */
            p.lx = save, p.t = st;
            ns->name.p = "";
            while (!p.failed && p.t.kind != T_EOF) {
                struct cedar_lexer s2 = p.lx;
                struct cedar_token t2 = p.t;
                struct cs_annos skip;
                if (annotations(&p, &skip))
                    break;
                int is_ns = is_word(&p, "namespace");
                p.lx = s2, p.t = t2;
                if (is_ns)
                    break;
                decl(&p, ns, &caps);
            }
        }
        out->nns++;
    }
    return p.failed ? (p.rc ? p.rc : CEDAR_E_PARSE) : 0;
}

/* ---- printing ---- */

static int
put_name(struct util_buf *b, struct cedar_str s)
{
    return util_buf_add(b, s.p, s.n);
}

/* An identifier when it reads as one, else a string literal. */
static int
put_key(struct util_buf *b, struct cedar_str s)
{
    return cedar_is_ident(s.p, s.n) ? put_name(b, s) : cedar_print_string(b, s.p, s.n);
}

static int
indent(struct util_buf *b, unsigned level)
{
    for (unsigned i = 0; i < level; i++)
        if (util_buf_puts(b, "  "))
            return -1;
    return 0;
}

static int
put_annos(struct util_buf *b, const struct cs_annos *an, unsigned level, int inline_)
{
    for (uint32_t i = 0; i < an->n; i++) {
        if ((!inline_ && indent(b, level)) || util_buf_puts(b, "@") || put_name(b, an->v[i].key))
            return -1;
        if (an->v[i].has_value &&
            (util_buf_puts(b, "(") || cedar_print_string(b, an->v[i].value.p, an->v[i].value.n) ||
             util_buf_puts(b, ")")))
            return -1;
        if (util_buf_puts(b, inline_ ? " " : "\n"))
            return -1;
    }
    return 0;
}

static int
put_type(struct util_buf *b, const struct cs_type *t, unsigned level)
{
    switch (t->kind) {
    case CS_NAME:
    case CS_ENTITY:
        return put_name(b, t->name);
    case CS_EXTENSION:
        return util_buf_puts(b, "__cedar::") || put_name(b, t->name);
    case CS_LONG:
        return util_buf_puts(b, "__cedar::Long");
    case CS_STRING:
        return util_buf_puts(b, "__cedar::String");
    case CS_BOOL:
        return util_buf_puts(b, "__cedar::Bool");
    case CS_SET:
        return util_buf_puts(b, "Set<") || put_type(b, t->elem, level) || util_buf_puts(b, ">");
    case CS_RECORD:
        if (!t->nattrs)
            return util_buf_puts(b, "{}");
        if (util_buf_puts(b, "{\n"))
            return -1;
        for (uint32_t i = 0; i < t->nattrs; i++) {
            const struct cs_attr *at = &t->attrs[i];
            if (put_annos(b, &at->annos, level + 1, 0) || indent(b, level + 1) ||
                put_key(b, at->name) || util_buf_puts(b, at->required ? ": " : "?: ") ||
                put_type(b, at->type, level + 1) ||
                util_buf_puts(b, i + 1 < t->nattrs ? ",\n" : "\n"))
                return -1;
        }
        return indent(b, level) || util_buf_puts(b, "}");
    }
    return -1;
}

static int
put_list(struct util_buf *b, const struct cedar_str *v, uint32_t n)
{
    if (util_buf_puts(b, "["))
        return -1;
    for (uint32_t i = 0; i < n; i++)
        if ((i && util_buf_puts(b, ", ")) || put_name(b, v[i]))
            return -1;
    return util_buf_puts(b, "]");
}

static int
put_entity(struct util_buf *b, const struct cs_entity *e, unsigned level)
{
    if (put_annos(b, &e->annos, level, 0) || indent(b, level) || util_buf_puts(b, "entity ") ||
        put_name(b, e->name))
        return -1;
    if (e->is_enum) {
        if (util_buf_puts(b, " enum ["))
            return -1;
        for (uint32_t i = 0; i < e->nenums; i++)
            if ((i && util_buf_puts(b, ", ")) ||
                cedar_print_string(b, e->enums[i].p, e->enums[i].n))
                return -1;
        return util_buf_puts(b, "];\n");
    }
    if (e->nparents && (util_buf_puts(b, " in ") || put_list(b, e->parents, e->nparents)))
        return -1;
    if (e->shape && (util_buf_puts(b, " = ") || put_type(b, e->shape, level)))
        return -1;
    if (e->tags && (util_buf_puts(b, " tags ") || put_type(b, e->tags, level)))
        return -1;
    return util_buf_puts(b, ";\n");
}

static int
put_action(struct util_buf *b, const struct cs_action *a, unsigned level)
{
    if (put_annos(b, &a->annos, level, 0) || indent(b, level) || util_buf_puts(b, "action ") ||
        cedar_print_string(b, a->name.p, a->name.n))
        return -1;
    if (a->nparents) {
        if (util_buf_puts(b, " in ["))
            return -1;
        for (uint32_t i = 0; i < a->nparents; i++) {
            if (i && util_buf_puts(b, ", "))
                return -1;
            if (a->parents[i].type.n && (put_name(b, a->parents[i].type) || util_buf_puts(b, "::")))
                return -1;
            if (cedar_print_string(b, a->parents[i].id.p, a->parents[i].id.n))
                return -1;
        }
        if (util_buf_puts(b, "]"))
            return -1;
    }
    /* JSON may say an action applies to [] principals or resources, the
     * human format cannot: without appliesTo it applies to nothing too */
    if (a->applies && a->nprincipals && a->nresources) {
        if (util_buf_puts(b, " appliesTo {\n") || indent(b, level + 1) ||
            util_buf_puts(b, "principal: ") || put_list(b, a->principals, a->nprincipals) ||
            util_buf_puts(b, ",\n") || indent(b, level + 1) || util_buf_puts(b, "resource: ") ||
            put_list(b, a->resources, a->nresources) || util_buf_puts(b, ",\n") ||
            indent(b, level + 1) || util_buf_puts(b, "context: "))
            return -1;
        if (a->context ? put_type(b, a->context, level + 1) : util_buf_puts(b, "{}"))
            return -1;
        if (util_buf_puts(b, "\n") || indent(b, level) || util_buf_puts(b, "}"))
            return -1;
    }
    return util_buf_puts(b, ";\n");
}

int
cedar_schema_print_cedar(struct util_buf *b, const struct cs_src *s)
{
    for (uint32_t k = 0; k < s->nns; k++) {
        const struct cs_namespace *ns = &s->ns[k];
        unsigned level = ns->name.n ? 1 : 0;
        if (k && util_buf_puts(b, "\n"))
            return -1;
        if (ns->name.n && (put_annos(b, &ns->annos, 0, 0) || util_buf_puts(b, "namespace ") ||
                           put_name(b, ns->name) || util_buf_puts(b, " {\n")))
            return -1;
        for (uint32_t i = 0; i < ns->ncommons; i++) {
            const struct cs_common *c = &ns->commons[i];
            if (put_annos(b, &c->annos, level, 0) || indent(b, level) ||
                util_buf_puts(b, "type ") || put_name(b, c->name) || util_buf_puts(b, " = ") ||
                put_type(b, c->type, level) || util_buf_puts(b, ";\n"))
                return -1;
        }
        for (uint32_t i = 0; i < ns->nentities; i++)
            if (put_entity(b, &ns->entities[i], level))
                return -1;
        for (uint32_t i = 0; i < ns->nactions; i++)
            if (put_action(b, &ns->actions[i], level))
                return -1;
        if (ns->name.n && util_buf_puts(b, "}\n"))
            return -1;
    }
    return 0;
}
