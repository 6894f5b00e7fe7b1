#include "cedar_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cedar_err.h"
#include "cedar_eval.h"
#include "cedar_lex.h"

const struct cedar_fn_info cedar_fns[FN_COUNT_] = {
    [FN_IP] = {"ip", 1, false},
    [FN_DECIMAL] = {"decimal", 1, false},
    [FN_DATETIME] = {"datetime", 1, false},
    [FN_DURATION] = {"duration", 1, false},
    [FN_CONTAINS] = {"contains", 2, true},
    [FN_CONTAINS_ALL] = {"containsAll", 2, true},
    [FN_CONTAINS_ANY] = {"containsAny", 2, true},
    [FN_IS_EMPTY] = {"isEmpty", 1, true},
    [FN_GET_TAG] = {"getTag", 2, true},
    [FN_HAS_TAG] = {"hasTag", 2, true},
    [FN_IS_IPV4] = {"isIpv4", 1, true},
    [FN_IS_IPV6] = {"isIpv6", 1, true},
    [FN_IS_LOOPBACK] = {"isLoopback", 1, true},
    [FN_IS_MULTICAST] = {"isMulticast", 1, true},
    [FN_IS_IN_RANGE] = {"isInRange", 2, true},
    [FN_LESS_THAN] = {"lessThan", 2, true},
    [FN_LESS_THAN_OR_EQUAL] = {"lessThanOrEqual", 2, true},
    [FN_GREATER_THAN] = {"greaterThan", 2, true},
    [FN_GREATER_THAN_OR_EQUAL] = {"greaterThanOrEqual", 2, true},
    [FN_OFFSET] = {"offset", 2, true},
    [FN_DURATION_SINCE] = {"durationSince", 2, true},
    [FN_TO_DATE] = {"toDate", 1, true},
    [FN_TO_TIME] = {"toTime", 1, true},
    [FN_TO_MILLISECONDS] = {"toMilliseconds", 1, true},
    [FN_TO_SECONDS] = {"toSeconds", 1, true},
    [FN_TO_MINUTES] = {"toMinutes", 1, true},
    [FN_TO_HOURS] = {"toHours", 1, true},
    [FN_TO_DAYS] = {"toDays", 1, true},
};

/* At most this many `!` or `-` in a row, as in Cedar. */
#define MAX_UNARY_OPS 4

struct parser {
    struct cedar_lexer lx;
    struct cedar_token tok;
    struct cedar_arena *a;
    struct cedar_diags *diags;
    int failed; /* an error in the current policy */
    int fatal;  /* CEDAR_E_NOMEM or CEDAR_E_LIMIT: stop everything */
    unsigned depth;
};

static void
advance(struct parser *p)
{
    cedar_lex_next(&p->lx, &p->tok);
}

static void __attribute__((format(printf, 4, 5)))
error_at(struct parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    if (p->diags->n >= CEDAR_MAX_DIAGS) {
        p->diags->dropped++;
        return;
    }
    struct cedar_diag *d = &p->diags->v[p->diags->n++];
    d->line = line;
    d->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

static void
unexpected(struct parser *p, const char *expected)
{
    const struct cedar_token *t = &p->tok;
    if (t->kind == T_ERROR)
        error_at(p, t->line, t->col, "%s", p->lx.err);
    else if (t->kind == T_EOF)
        error_at(p, t->line, t->col, "unexpected end of input, expected %s", expected);
    else
        error_at(p, t->line, t->col, "unexpected `%.*s`, expected %s", (int)(t->n > 40 ? 40 : t->n),
                 t->p, expected);
}

static void
oom(struct parser *p)
{
    if (!p->fatal)
        p->fatal = CEDAR_E_NOMEM;
    error_at(p, p->tok.line, p->tok.col, "out of memory");
}

static void *
alloc(struct parser *p, size_t n)
{
    void *x = cedar_arena_alloc(p->a, n);
    if (!x)
        oom(p);
    return x;
}

static int
tok_is(const struct parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->tok.kind == T_IDENT && p->tok.n == n && memcmp(p->tok.p, word, n) == 0;
}

static int
expect(struct parser *p, enum cedar_tok k)
{
    if (p->tok.kind != k) {
        unexpected(p, cedar_tok_name(k));
        return -1;
    }
    advance(p);
    return 0;
}

static int
expect_word(struct parser *p, const char *word)
{
    if (!tok_is(p, word)) {
        char what[40];
        snprintf(what, sizeof(what), "`%s`", word);
        unexpected(p, what);
        return -1;
    }
    advance(p);
    return 0;
}

static const char *const reserved[] = {"true", "false", "if",   "then", "else",
                                       "in",   "is",    "like", "has"};

static int
is_reserved(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strlen(reserved[i]) == n && memcmp(reserved[i], s, n) == 0)
            return 1;
    return n >= 7 && memcmp(s, "__cedar", 7) == 0;
}

int
cedar_is_ident(const char *s, size_t n)
{
    if (!n || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return !is_reserved(s, n);
}

/* An identifier that is not reserved; returns -1 after an error. */
static int
take_ident(struct parser *p, struct cedar_str *out, const char *what)
{
    if (p->tok.kind != T_IDENT) {
        unexpected(p, what);
        return -1;
    }
    if (is_reserved(p->tok.p, p->tok.n)) {
        error_at(p, p->tok.line, p->tok.col, "`%.*s` is a reserved identifier", (int)p->tok.n,
                 p->tok.p);
        return -1;
    }
    /* Policies outlive their source text: keep a copy. */
    out->p = cedar_arena_strndup(p->a, p->tok.p, p->tok.n);
    if (!out->p) {
        oom(p);
        return -1;
    }
    out->n = (uint32_t)p->tok.n;
    advance(p);
    return 0;
}

static int
take_string(struct parser *p, struct cedar_str *out)
{
    if (p->tok.kind != T_STRING) {
        unexpected(p, "string literal");
        return -1;
    }
    const char *err;
    if (cedar_unescape(p->a, p->tok.p, p->tok.n, out, &err)) {
        error_at(p, p->tok.line, p->tok.col, "%s", err);
        return -1;
    }
    advance(p);
    return 0;
}

/*
 * Path segments joined with "::" into one arena string.  The caller has
 * consumed the first identifier into first; we continue while `::` IDENT
 * follows.  When `::` STRING follows instead, *uid_id receives the string
 * and *is_uid is set.
 */
static int
continue_path(struct parser *p, struct cedar_str first, struct cedar_str *path, int *is_uid,
              struct cedar_str *uid_id)
{
    struct util_buf b;
    util_buf_init(&b, CEDAR_MAX_STRING);
    *is_uid = 0;
    int rc = -1;
    if (util_buf_add(&b, first.p, first.n))
        goto nomem;
    while (p->tok.kind == T_COLONCOLON) {
        advance(p);
        if (p->tok.kind == T_STRING) {
            if (!uid_id) {
                unexpected(p, "identifier");
                goto out;
            }
            if (take_string(p, uid_id))
                goto out;
            *is_uid = 1;
            break;
        }
        struct cedar_str seg;
        if (take_ident(p, &seg, "identifier or string"))
            goto out;
        if (util_buf_add(&b, "::", 2) || util_buf_add(&b, seg.p, seg.n))
            goto nomem;
    }
    path->p = cedar_arena_strndup(p->a, util_buf_str(&b), b.len);
    if (!path->p)
        goto nomem;
    path->n = (uint32_t)b.len;
    rc = 0;
    goto out;
nomem:
    oom(p);
out:
    util_buf_free(&b);
    return rc;
}

static const struct cedar_uid *
make_uid(struct parser *p, struct cedar_str type, struct cedar_str id)
{
    const struct cedar_uid *u = cedar_uid_new(p->a, type.p, type.n, id.p, id.n);
    if (!u)
        oom(p);
    return u;
}

/* Entity UID: Path '::' STRING. */
static const struct cedar_uid *
parse_uid(struct parser *p)
{
    struct cedar_str first, path, id;
    int is_uid;
    if (take_ident(p, &first, "entity type"))
        return NULL;
    if (continue_path(p, first, &path, &is_uid, &id))
        return NULL;
    if (!is_uid) {
        unexpected(p, "`::` and an entity id string");
        return NULL;
    }
    return make_uid(p, path, id);
}

static struct cedar_expr *
new_expr(struct parser *p, enum cedar_expr_kind k, const struct cedar_token *at)
{
    struct cedar_expr *e = alloc(p, sizeof(*e));
    if (!e)
        return NULL;
    e->kind = (uint8_t)k;
    e->line = at->line;
    e->col = at->col;
    return e;
}

static struct cedar_expr *parse_expr(struct parser *p);

static int
enter(struct parser *p)
{
    if (++p->depth > CEDAR_MAX_EXPR_DEPTH) {
        if (!p->fatal)
            p->fatal = CEDAR_E_LIMIT;
        error_at(p, p->tok.line, p->tok.col, "expression nested deeper than %u",
                 CEDAR_MAX_EXPR_DEPTH);
        return -1;
    }
    return 0;
}

/* Comma-separated expressions up to the closing token; *out in the arena. */
static int
parse_list(struct parser *p, enum cedar_tok close, struct cedar_expr ***out, uint32_t *count)
{
    struct cedar_expr *small[8];
    struct cedar_expr **v = small;
    size_t n = 0, cap = 8;
    *count = 0;
    *out = NULL;
    if (p->tok.kind == close) {
        advance(p);
        return 0;
    }
    for (;;) {
        struct cedar_expr *e = parse_expr(p);
        if (!e)
            return -1;
        if (n >= CEDAR_MAX_ELEMENTS) {
            if (!p->fatal)
                p->fatal = CEDAR_E_LIMIT;
            error_at(p, p->tok.line, p->tok.col, "more than %u elements", CEDAR_MAX_ELEMENTS);
            return -1;
        }
        if (n == cap) {
            struct cedar_expr **nv = alloc(p, cap * 2 * sizeof(*nv));
            if (!nv)
                return -1;
            memcpy(nv, v, n * sizeof(*v));
            v = nv;
            cap *= 2;
        }
        v[n++] = e;
        if (p->tok.kind == T_COMMA) {
            advance(p);
            continue;
        }
        if (expect(p, close))
            return -1;
        break;
    }
    struct cedar_expr **res = alloc(p, n * sizeof(*res));
    if (!res)
        return -1;
    memcpy(res, v, n * sizeof(*v));
    *out = res;
    *count = (uint32_t)n;
    return 0;
}

static struct cedar_expr *
parse_record(struct parser *p, const struct cedar_token *at)
{
    struct cedar_expr *e = new_expr(p, CX_RECORD, at);
    if (!e)
        return NULL;
    size_t cap = 8, n = 0;
    struct cedar_str *keys = alloc(p, cap * sizeof(*keys));
    struct cedar_expr **vals = alloc(p, cap * sizeof(*vals));
    if (!keys || !vals)
        return NULL;
    while (p->tok.kind != T_RBRACE) {
        struct cedar_str key;
        struct cedar_token kt = p->tok;
        if (p->tok.kind == T_STRING) {
            if (take_string(p, &key))
                return NULL;
        } else if (take_ident(p, &key, "record key")) {
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            if (cedar_str_cmp(keys[i], key) == 0) {
                error_at(p, kt.line, kt.col, "duplicate key `%.*s` in record literal", (int)key.n,
                         key.p);
                return NULL;
            }
        }
        if (expect(p, T_COLON))
            return NULL;
        struct cedar_expr *v = parse_expr(p);
        if (!v)
            return NULL;
        if (n >= CEDAR_MAX_ELEMENTS) {
            if (!p->fatal)
                p->fatal = CEDAR_E_LIMIT;
            error_at(p, at->line, at->col, "record literal with more than %u attributes",
                     CEDAR_MAX_ELEMENTS);
            return NULL;
        }
        if (n == cap) {
            struct cedar_str *nk = alloc(p, cap * 2 * sizeof(*nk));
            struct cedar_expr **nv = alloc(p, cap * 2 * sizeof(*nv));
            if (!nk || !nv)
                return NULL;
            memcpy(nk, keys, n * sizeof(*keys));
            memcpy(nv, vals, n * sizeof(*vals));
            keys = nk;
            vals = nv;
            cap *= 2;
        }
        keys[n] = key;
        vals[n++] = v;
        if (p->tok.kind != T_COMMA)
            break;
        advance(p);
    }
    if (expect(p, T_RBRACE))
        return NULL;
    e->keys = keys;
    e->args = vals;
    e->nargs = (uint32_t)n;
    return e;
}

static int
lookup_fn(const char *name, size_t n, int method)
{
    for (int i = 0; i < FN_COUNT_; i++) {
        if (cedar_fns[i].is_method == method && strlen(cedar_fns[i].name) == n &&
            memcmp(cedar_fns[i].name, name, n) == 0)
            return i;
    }
    return -1;
}

static struct cedar_expr *
parse_call(struct parser *p, struct cedar_str name, const struct cedar_token *at)
{
    int fn = lookup_fn(name.p, name.n, 0);
    if (fn < 0) {
        error_at(p, at->line, at->col, "`%.*s` is not a function", (int)name.n, name.p);
        return NULL;
    }
    struct cedar_expr *e = new_expr(p, CX_CALL, at);
    if (!e)
        return NULL;
    advance(p); /* ( */
    if (parse_list(p, T_RPAREN, &e->args, &e->nargs))
        return NULL;
    e->fn = (uint8_t)fn;
    if (e->nargs != 1)
        return e; /* Cedar makes wrong arity an evaluation error */
    /* A constant argument is converted once, here; an invalid one stays an
     * evaluation error, as in Cedar. */
    if (e->args[0]->kind == CX_LIT && e->args[0]->lit.kind == CEDAR_STRING) {
        int rc = cedar_ext_construct(p->a, (enum cedar_fn)fn, &e->args[0]->lit, &e->lit);
        if (rc == -2) {
            oom(p);
            return NULL;
        }
        e->has_cached = rc == 0;
    }
    return e;
}

/* Primary with the identifier already in hand: var, bool, entity or call. */
static struct cedar_expr *
parse_ident_primary(struct parser *p, const struct cedar_token *at)
{
    static const struct {
        const char *name;
        uint8_t var;
    } vars[] = {{"principal", CEDAR_VAR_PRINCIPAL},
                {"action", CEDAR_VAR_ACTION},
                {"resource", CEDAR_VAR_RESOURCE},
                {"context", CEDAR_VAR_CONTEXT}};
    if (tok_is(p, "true") || tok_is(p, "false")) {
        struct cedar_expr *e = new_expr(p, CX_LIT, at);
        if (!e)
            return NULL;
        e->lit = cedar_bool(tok_is(p, "true"));
        advance(p);
        return e;
    }
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        if (tok_is(p, vars[i].name)) {
            struct cedar_expr *e = new_expr(p, CX_VAR, at);
            if (!e)
                return NULL;
            e->var = vars[i].var;
            advance(p);
            return e;
        }
    }
    struct cedar_str first, path, id;
    int is_uid;
    if (take_ident(p, &first, "expression"))
        return NULL;
    if (continue_path(p, first, &path, &is_uid, &id))
        return NULL;
    if (is_uid) {
        struct cedar_expr *e = new_expr(p, CX_LIT, at);
        if (!e)
            return NULL;
        const struct cedar_uid *u = make_uid(p, path, id);
        if (!u)
            return NULL;
        e->lit = cedar_entity(u);
        return e;
    }
    if (p->tok.kind == T_LPAREN)
        return parse_call(p, path, at);
    error_at(p, at->line, at->col, "unknown variable `%.*s`", (int)path.n, path.p);
    return NULL;
}

/*
 * Integer literal.  Its magnitude may be 2^63 only when a minus sign
 * precedes it (neg_ok); the caller then folds the sign in.
 */
static struct cedar_expr *
parse_int(struct parser *p, const struct cedar_token *at, int neg)
{
    uint64_t v = 0;
    for (size_t i = 0; i < p->tok.n; i++) {
        unsigned d = (unsigned)(p->tok.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10 || v * 10 + d > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
            error_at(p, at->line, at->col, "integer literal `%.*s` is too large",
                     (int)(p->tok.n > 30 ? 30 : p->tok.n), p->tok.p);
            return NULL;
        }
        v = v * 10 + d;
    }
    advance(p);
    struct cedar_expr *e = new_expr(p, CX_LIT, at);
    if (!e)
        return NULL;
    e->lit = cedar_long(neg ? (int64_t)(0 - v) : (int64_t)v);
    return e;
}

static struct cedar_expr *
parse_primary(struct parser *p, int neg_int)
{
    struct cedar_token at = p->tok;
    switch (p->tok.kind) {
    case T_INT:
        return parse_int(p, &at, neg_int);
    case T_STRING: {
        struct cedar_expr *e = new_expr(p, CX_LIT, &at);
        if (!e)
            return NULL;
        e->lit.kind = CEDAR_STRING;
        if (take_string(p, &e->lit.u.s))
            return NULL;
        return e;
    }
    case T_IDENT:
        return parse_ident_primary(p, &at);
    case T_LPAREN: {
        advance(p);
        struct cedar_expr *e = parse_expr(p);
        if (!e || expect(p, T_RPAREN))
            return NULL;
        return e;
    }
    case T_LBRACKET: {
        advance(p);
        struct cedar_expr *e = new_expr(p, CX_SET, &at);
        if (!e || parse_list(p, T_RBRACKET, &e->args, &e->nargs))
            return NULL;
        return e;
    }
    case T_LBRACE:
        advance(p);
        return parse_record(p, &at);
    case T_SLOT:
        error_at(p, at.line, at.col, "slots may only appear in a policy's scope");
        return NULL;
    default:
        unexpected(p, "expression");
        return NULL;
    }
}

static struct cedar_expr *
parse_method(struct parser *p, struct cedar_expr *recv, struct cedar_str name,
             const struct cedar_token *at)
{
    int fn = lookup_fn(name.p, name.n, 1);
    if (fn < 0) {
        error_at(p, at->line, at->col, "`%.*s` is not a method", (int)name.n, name.p);
        return NULL;
    }
    struct cedar_expr *e = new_expr(p, CX_METHOD, at);
    if (!e)
        return NULL;
    advance(p); /* ( */
    struct cedar_expr **args;
    uint32_t n;
    if (parse_list(p, T_RPAREN, &args, &n))
        return NULL;
    /* Builtin methods have a fixed arity; extension methods fail at run time. */
    if (fn >= FN_CONTAINS && fn <= FN_HAS_TAG && n + 1 != cedar_fns[fn].arity) {
        error_at(p, at->line, at->col, "`%s` takes %u argument(s), got %u", cedar_fns[fn].name,
                 cedar_fns[fn].arity - 1u, n);
        return NULL;
    }
    e->args = alloc(p, (n + 1) * sizeof(*e->args));
    if (!e->args)
        return NULL;
    e->args[0] = recv;
    if (n)
        memcpy(e->args + 1, args, n * sizeof(*args));
    e->nargs = n + 1;
    e->fn = (uint8_t)fn;
    return e;
}

/* Member ::= Primary { '.' IDENT ['(' args ')'] | '[' STRING ']' } */
static struct cedar_expr *
parse_member(struct parser *p, int neg_int)
{
    struct cedar_expr *e = parse_primary(p, neg_int);
    while (e) {
        struct cedar_token at = p->tok;
        if (p->tok.kind == T_DOT) {
            advance(p);
            struct cedar_token name_tok = p->tok;
            struct cedar_str name;
            if (take_ident(p, &name, "attribute or method name"))
                return NULL;
            if (p->tok.kind == T_LPAREN) {
                e = parse_method(p, e, name, &name_tok);
                continue;
            }
            struct cedar_expr *g = new_expr(p, CX_ATTR, &at);
            if (!g)
                return NULL;
            g->a = e;
            g->name = name;
            e = g;
        } else if (p->tok.kind == T_LBRACKET) {
            advance(p);
            struct cedar_expr *g = new_expr(p, CX_ATTR, &at);
            if (!g || take_string(p, &g->name) || expect(p, T_RBRACKET))
                return NULL;
            g->a = e;
            e = g;
        } else {
            break;
        }
    }
    return e;
}

/* Unary ::= ['!' | '-']{0,4} Member; `-` directly before an integer is its sign. */
static struct cedar_expr *
parse_unary(struct parser *p)
{
    struct cedar_token ops[MAX_UNARY_OPS + 1];
    int n = 0;
    while (p->tok.kind == T_NOT || p->tok.kind == T_MINUS) {
        if (n == MAX_UNARY_OPS) {
            error_at(p, p->tok.line, p->tok.col, "more than %d unary operators in a row",
                     MAX_UNARY_OPS);
            return NULL;
        }
        ops[n++] = p->tok;
        advance(p);
    }
    int fold = n > 0 && ops[n - 1].kind == T_MINUS && p->tok.kind == T_INT;
    struct cedar_expr *e = parse_member(p, fold);
    if (!e)
        return NULL;
    if (fold)
        n--;
    while (n > 0) {
        n--;
        struct cedar_expr *u = new_expr(p, ops[n].kind == T_NOT ? CX_NOT : CX_NEG, &ops[n]);
        if (!u)
            return NULL;
        u->a = e;
        e = u;
    }
    return e;
}

static struct cedar_expr *
binary(struct parser *p, enum cedar_expr_kind k, const struct cedar_token *at, struct cedar_expr *a,
       struct cedar_expr *b)
{
    if (!a || !b)
        return NULL;
    struct cedar_expr *e = new_expr(p, k, at);
    if (!e)
        return NULL;
    e->a = a;
    e->b = b;
    return e;
}

static struct cedar_expr *
parse_mult(struct parser *p)
{
    struct cedar_expr *e = parse_unary(p);
    while (e && p->tok.kind == T_STAR) {
        struct cedar_token at = p->tok;
        advance(p);
        e = binary(p, CX_MUL, &at, e, parse_unary(p));
    }
    return e;
}

static struct cedar_expr *
parse_add(struct parser *p)
{
    struct cedar_expr *e = parse_mult(p);
    while (e && (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS)) {
        struct cedar_token at = p->tok;
        advance(p);
        e = binary(p, at.kind == T_PLUS ? CX_ADD : CX_SUB, &at, e, parse_mult(p));
    }
    return e;
}

/* `has` IDENT {'.' IDENT} | `has` STRING */
static struct cedar_expr *
parse_has(struct parser *p, struct cedar_expr *lhs, const struct cedar_token *at)
{
    struct cedar_expr *e = new_expr(p, CX_HAS, at);
    if (!e)
        return NULL;
    e->a = lhs;
    struct cedar_str seg[CEDAR_MAX_EXPR_DEPTH];
    uint32_t n = 0;
    if (p->tok.kind == T_STRING) {
        if (take_string(p, &seg[n++]))
            return NULL;
    } else {
        if (take_ident(p, &seg[n++], "attribute name"))
            return NULL;
        while (p->tok.kind == T_DOT) {
            advance(p);
            if (n == CEDAR_MAX_EXPR_DEPTH) {
                error_at(p, at->line, at->col, "`has` path longer than %u", CEDAR_MAX_EXPR_DEPTH);
                return NULL;
            }
            if (take_ident(p, &seg[n++], "attribute name"))
                return NULL;
        }
    }
    e->keys = alloc(p, n * sizeof(*e->keys));
    if (!e->keys)
        return NULL;
    memcpy(e->keys, seg, n * sizeof(*seg));
    e->nargs = n;
    return e;
}

static struct cedar_expr *
parse_like(struct parser *p, struct cedar_expr *lhs, const struct cedar_token *at)
{
    struct cedar_expr *e = new_expr(p, CX_LIKE, at);
    if (!e)
        return NULL;
    e->a = lhs;
    if (p->tok.kind != T_STRING) {
        unexpected(p, "pattern string");
        return NULL;
    }
    const char *err;
    if (cedar_unescape_pattern(p->a, p->tok.p, p->tok.n, &e->pat.e, &e->pat.n, &err)) {
        error_at(p, p->tok.line, p->tok.col, "%s", err);
        return NULL;
    }
    advance(p);
    return e;
}

static struct cedar_expr *
parse_is(struct parser *p, struct cedar_expr *lhs, const struct cedar_token *at)
{
    struct cedar_expr *e = new_expr(p, CX_IS, at);
    if (!e)
        return NULL;
    e->a = lhs;
    struct cedar_str first;
    int is_uid;
    if (take_ident(p, &first, "entity type") || continue_path(p, first, &e->name, &is_uid, NULL))
        return NULL;
    if (tok_is(p, "in")) {
        advance(p);
        e->b = parse_add(p);
        if (!e->b)
            return NULL;
    }
    return e;
}

/* Relation ::= Add [RELOP Add | 'has' ... | 'like' PAT | 'is' Path ['in' Add]] */
static struct cedar_expr *
parse_relation(struct parser *p)
{
    static const struct {
        uint8_t tok;
        uint8_t kind;
    } relops[] = {{T_EQ, CX_EQ}, {T_NE, CX_NE}, {T_LT, CX_LT},
                  {T_LE, CX_LE}, {T_GT, CX_GT}, {T_GE, CX_GE}};
    struct cedar_expr *e = parse_add(p);
    if (!e)
        return NULL;
    struct cedar_token at = p->tok;
    for (size_t i = 0; i < sizeof(relops) / sizeof(relops[0]); i++) {
        if (p->tok.kind == relops[i].tok) {
            advance(p);
            return binary(p, relops[i].kind, &at, e, parse_add(p));
        }
    }
    if (tok_is(p, "in")) {
        advance(p);
        return binary(p, CX_IN, &at, e, parse_add(p));
    }
    if (tok_is(p, "has")) {
        advance(p);
        return parse_has(p, e, &at);
    }
    if (tok_is(p, "like")) {
        advance(p);
        return parse_like(p, e, &at);
    }
    if (tok_is(p, "is")) {
        advance(p);
        return parse_is(p, e, &at);
    }
    return e;
}

static struct cedar_expr *
parse_and(struct parser *p)
{
    struct cedar_expr *e = parse_relation(p);
    while (e && p->tok.kind == T_AND) {
        struct cedar_token at = p->tok;
        advance(p);
        e = binary(p, CX_AND, &at, e, parse_relation(p));
    }
    return e;
}

static struct cedar_expr *
parse_or(struct parser *p)
{
    struct cedar_expr *e = parse_and(p);
    while (e && p->tok.kind == T_OR) {
        struct cedar_token at = p->tok;
        advance(p);
        e = binary(p, CX_OR, &at, e, parse_and(p));
    }
    return e;
}

static struct cedar_expr *
parse_expr(struct parser *p)
{
    if (enter(p))
        return NULL;
    struct cedar_expr *e;
    if (tok_is(p, "if")) {
        struct cedar_token at = p->tok;
        advance(p);
        e = new_expr(p, CX_IF, &at);
        if (!e || !(e->a = parse_expr(p)) || expect_word(p, "then") || !(e->b = parse_expr(p)) ||
            expect_word(p, "else") || !(e->c = parse_expr(p)))
            e = NULL;
    } else {
        e = parse_or(p);
    }
    p->depth--;
    return e;
}

/* Entity or slot after `==` / `in` in a principal or resource scope. */
static int
parse_scope_target(struct parser *p, struct cedar_scope *s, const char *slot_name)
{
    if (p->tok.kind == T_SLOT) {
        if (p->tok.n != strlen(slot_name) || memcmp(p->tok.p, slot_name, p->tok.n) != 0) {
            error_at(p, p->tok.line, p->tok.col, "expected %s here, got `%.*s`", slot_name,
                     (int)p->tok.n, p->tok.p);
            return -1;
        }
        s->slot = true;
        advance(p);
        return 0;
    }
    s->uid = parse_uid(p);
    return s->uid ? 0 : -1;
}

static int
parse_var_scope(struct parser *p, struct cedar_scope *s, const char *var, const char *slot)
{
    if (expect_word(p, var))
        return -1;
    if (p->tok.kind == T_EQ) {
        advance(p);
        s->op = SCOPE_EQ;
        return parse_scope_target(p, s, slot);
    }
    if (tok_is(p, "is")) {
        advance(p);
        struct cedar_str first;
        int is_uid;
        if (take_ident(p, &first, "entity type") ||
            continue_path(p, first, &s->type, &is_uid, NULL))
            return -1;
        s->op = SCOPE_IS;
        if (tok_is(p, "in")) {
            advance(p);
            s->op = SCOPE_IS_IN;
            return parse_scope_target(p, s, slot);
        }
        return 0;
    }
    if (tok_is(p, "in")) {
        advance(p);
        s->op = SCOPE_IN;
        return parse_scope_target(p, s, slot);
    }
    s->op = SCOPE_ANY;
    return 0;
}

/* Cedar requires the entities in an action scope to be actions. */
static int
check_action_uid(struct parser *p, const struct cedar_uid *u, const struct cedar_token *at)
{
    size_t n = u->type.n;
    if (n == 6 && memcmp(u->type.p, "Action", 6) == 0)
        return 0;
    if (n > 8 && memcmp(u->type.p + n - 8, "::Action", 8) == 0)
        return 0;
    error_at(p, at->line, at->col, "expected an entity of type `Action` in the action scope");
    return -1;
}

static int
parse_action_scope(struct parser *p, struct cedar_scope *s)
{
    if (expect_word(p, "action"))
        return -1;
    struct cedar_token at = p->tok;
    if (p->tok.kind == T_EQ) {
        advance(p);
        at = p->tok;
        s->op = SCOPE_EQ;
        s->uid = parse_uid(p);
        return s->uid ? check_action_uid(p, s->uid, &at) : -1;
    }
    if (tok_is(p, "is")) {
        error_at(p, at.line, at.col, "`is` is not allowed in the action scope");
        return -1;
    }
    if (!tok_is(p, "in")) {
        s->op = SCOPE_ANY;
        return 0;
    }
    advance(p);
    at = p->tok;
    if (p->tok.kind != T_LBRACKET) {
        s->op = SCOPE_IN;
        s->uid = parse_uid(p);
        return s->uid ? check_action_uid(p, s->uid, &at) : -1;
    }
    advance(p);
    struct cedar_expr **list;
    uint32_t n;
    if (parse_list(p, T_RBRACKET, &list, &n))
        return -1;
    s->op = SCOPE_IN_SET;
    s->uids = alloc(p, (n ? n : 1) * sizeof(*s->uids));
    if (!s->uids)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        if (list[i]->kind != CX_LIT || list[i]->lit.kind != CEDAR_ENTITY) {
            error_at(p, list[i]->line, list[i]->col,
                     "expected an entity uid in the action scope's list");
            return -1;
        }
        struct cedar_token lat = {.line = list[i]->line, .col = list[i]->col};
        if (check_action_uid(p, list[i]->lit.u.uid, &lat))
            return -1;
        s->uids[i] = list[i]->lit.u.uid;
    }
    s->nuids = n;
    return 0;
}

static int
parse_annotations(struct parser *p, struct cedar_policy *pol)
{
    struct cedar_annotation tmp[CEDAR_MAX_ANNOTATIONS];
    uint32_t n = 0;
    while (p->tok.kind == T_AT) {
        struct cedar_token at = p->tok;
        advance(p);
        if (n == CEDAR_MAX_ANNOTATIONS) {
            error_at(p, at.line, at.col, "more than %u annotations", CEDAR_MAX_ANNOTATIONS);
            return -1;
        }
        struct cedar_annotation *an = &tmp[n];
        memset(an, 0, sizeof(*an));
        if (p->tok.kind != T_IDENT) {
            unexpected(p, "annotation name");
            return -1;
        }
        /* Annotation keys may be any identifier, reserved words included. */
        an->key.p = cedar_arena_strndup(p->a, p->tok.p, p->tok.n);
        if (!an->key.p) {
            oom(p);
            return -1;
        }
        an->key.n = (uint32_t)p->tok.n;
        advance(p);
        for (uint32_t i = 0; i < n; i++) {
            if (cedar_str_cmp(tmp[i].key, an->key) == 0) {
                error_at(p, at.line, at.col, "duplicate annotation `@%.*s`", (int)an->key.n,
                         an->key.p);
                return -1;
            }
        }
        if (p->tok.kind == T_LPAREN) {
            advance(p);
            if (take_string(p, &an->value) || expect(p, T_RPAREN))
                return -1;
            an->has_value = true;
        }
        n++;
    }
    if (n) {
        pol->annos = alloc(p, n * sizeof(*pol->annos));
        if (!pol->annos)
            return -1;
        memcpy(pol->annos, tmp, n * sizeof(*tmp));
    }
    pol->nannos = n;
    return 0;
}

static int
parse_conditions(struct parser *p, struct cedar_policy *pol)
{
    struct cedar_cond tmp[CEDAR_MAX_CONDITIONS];
    uint32_t n = 0;
    while (tok_is(p, "when") || tok_is(p, "unless")) {
        if (n == sizeof(tmp) / sizeof(tmp[0])) {
            error_at(p, p->tok.line, p->tok.col, "more than %u conditions", CEDAR_MAX_CONDITIONS);
            return -1;
        }
        tmp[n].when = tok_is(p, "when");
        advance(p);
        if (expect(p, T_LBRACE))
            return -1;
        if (p->tok.kind == T_RBRACE) {
            error_at(p, p->tok.line, p->tok.col, "empty condition");
            return -1;
        }
        tmp[n].e = parse_expr(p);
        if (!tmp[n].e || expect(p, T_RBRACE))
            return -1;
        n++;
    }
    if (n) {
        pol->conds = alloc(p, n * sizeof(*pol->conds));
        if (!pol->conds)
            return -1;
        memcpy(pol->conds, tmp, n * sizeof(*tmp));
    }
    pol->nconds = n;
    return 0;
}

static struct cedar_policy *
parse_policy(struct parser *p)
{
    struct cedar_policy *pol = alloc(p, sizeof(*pol));
    if (!pol)
        return NULL;
    pol->line = p->tok.line;
    pol->col = p->tok.col;
    if (parse_annotations(p, pol))
        return NULL;
    if (tok_is(p, "permit")) {
        pol->permit = true;
    } else if (!tok_is(p, "forbid")) {
        unexpected(p, "`permit` or `forbid`");
        return NULL;
    }
    advance(p);
    if (expect(p, T_LPAREN) || parse_var_scope(p, &pol->principal, "principal", "?principal") ||
        expect(p, T_COMMA) || parse_action_scope(p, &pol->action) || expect(p, T_COMMA) ||
        parse_var_scope(p, &pol->resource, "resource", "?resource"))
        return NULL;
    if (p->tok.kind == T_COMMA) {
        error_at(p, p->tok.line, p->tok.col, "a policy scope has exactly three parts");
        return NULL;
    }
    if (expect(p, T_RPAREN) || parse_conditions(p, pol) || expect(p, T_SEMI))
        return NULL;
    pol->is_template = pol->principal.slot || pol->resource.slot;
    return pol;
}

/* After an error, skip to just past the next `;` that ends a policy. */
static void
recover(struct parser *p)
{
    int depth = 0;
    while (p->tok.kind != T_EOF) {
        enum cedar_tok k = p->tok.kind;
        if (k == T_LPAREN || k == T_LBRACE || k == T_LBRACKET)
            depth++;
        else if ((k == T_RPAREN || k == T_RBRACE || k == T_RBRACKET) && depth > 0)
            depth--;
        advance(p);
        if (k == T_SEMI && depth == 0)
            return;
    }
}

static void
parser_init(struct parser *p, struct cedar_arena *a, const char *text, size_t n,
            struct cedar_diags *diags)
{
    memset(p, 0, sizeof(*p));
    p->a = a;
    p->diags = diags;
    cedar_lex_init(&p->lx, text, n);
    advance(p);
}

int
cedar_parse_policies(struct cedar_arena *a, const char *text, size_t n, cedar_policy_cb cb,
                     void *ctx, struct cedar_diags *diags)
{
    if (n > CEDAR_MAX_POLICY_TEXT) {
        struct cedar_diag *d = &diags->v[diags->n < CEDAR_MAX_DIAGS ? diags->n++ : 0];
        d->line = 1;
        d->col = 1;
        snprintf(d->msg, sizeof(d->msg), "policy text larger than %u bytes", CEDAR_MAX_POLICY_TEXT);
        return CEDAR_E_LIMIT;
    }
    struct parser p;
    parser_init(&p, a, text, n, diags);
    int errors = 0;
    while (p.tok.kind != T_EOF) {
        p.failed = 0;
        p.depth = 0;
        struct cedar_policy *pol = parse_policy(&p);
        if (p.fatal)
            return p.fatal;
        if (!pol) {
            errors++;
            recover(&p);
            continue;
        }
        int rc = cb(ctx, pol);
        if (rc)
            return rc;
    }
    return errors ? CEDAR_E_PARSE : CEDAR_OK;
}

int
cedar_parse_expr(struct cedar_arena *a, const char *text, size_t n, struct cedar_expr **out,
                 struct cedar_diags *diags)
{
    struct parser p;
    parser_init(&p, a, text, n, diags);
    struct cedar_expr *e = parse_expr(&p);
    if (e && p.tok.kind != T_EOF) {
        unexpected(&p, "end of expression");
        e = NULL;
    }
    if (!e)
        return p.fatal ? p.fatal : CEDAR_E_PARSE;
    *out = e;
    return CEDAR_OK;
}

int
cedar_parse_uid(struct cedar_arena *a, const char *text, size_t n, const struct cedar_uid **out)
{
    struct cedar_diags diags;
    diags.n = 0;
    struct parser p;
    parser_init(&p, a, text, n, &diags);
    const struct cedar_uid *u = parse_uid(&p);
    if (!u || p.tok.kind != T_EOF)
        return p.fatal ? p.fatal : CEDAR_E_PARSE;
    *out = u;
    return CEDAR_OK;
}

int
cedar_valid_type_name(const char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        size_t start = i;
        if (i >= n ||
            !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
            return 0;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            i++;
        if (is_reserved(s + start, i - start))
            return 0;
        if (i == n)
            return 1;
        if (n - i < 2 || s[i] != ':' || s[i + 1] != ':')
            return 0;
        i += 2;
    }
}
