#include "cedar_format.h"

#include <string.h>

#include "cedar_parse.h"

enum prec { P_IF = 1, P_OR, P_AND, P_REL, P_ADD, P_MUL, P_UNARY, P_MEMBER, P_PRIMARY };

static enum prec
prec_of(const struct cedar_expr *e)
{
    switch ((enum cedar_expr_kind)e->kind) {
    case CX_IF:
        return P_IF;
    case CX_OR:
        return P_OR;
    case CX_AND:
        return P_AND;
    case CX_EQ:
    case CX_NE:
    case CX_LT:
    case CX_LE:
    case CX_GT:
    case CX_GE:
    case CX_IN:
    case CX_HAS:
    case CX_LIKE:
    case CX_IS:
        return P_REL;
    case CX_ADD:
    case CX_SUB:
        return P_ADD;
    case CX_MUL:
        return P_MUL;
    case CX_NOT:
    case CX_NEG:
        return P_UNARY;
    case CX_ATTR:
    case CX_METHOD:
        return P_MEMBER;
    case CX_LIT:
        /* A negative number is a unary minus to the parser. */
        return e->lit.kind == CEDAR_LONG && e->lit.u.l < 0 ? P_UNARY : P_PRIMARY;
    default:
        return P_PRIMARY;
    }
}

static int fmt(struct util_buf *b, const struct cedar_expr *e, enum prec min);

static int
fmt_list(struct util_buf *b, struct cedar_expr *const *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if ((i && util_buf_puts(b, ", ")) || fmt(b, v[i], P_IF))
            return -1;
    return 0;
}

static int
fmt_name(struct util_buf *b, struct cedar_str s)
{
    return util_buf_add(b, s.p, s.n);
}

/* An identifier when it reads as one, else a string literal. */
static int
fmt_key(struct util_buf *b, struct cedar_str s)
{
    return cedar_is_ident(s.p, s.n) ? fmt_name(b, s) : cedar_print_string(b, s.p, s.n);
}

static int
fmt_pattern(struct util_buf *b, const struct cedar_pattern *pat)
{
    if (util_buf_add(b, "\"", 1))
        return -1;
    for (uint32_t i = 0; i < pat->n; i++) {
        int rc;
        if (pat->e[i] == CEDAR_PAT_STAR) {
            rc = util_buf_add(b, "*", 1);
        } else if (pat->e[i] == '*') {
            rc = util_buf_add(b, "\\*", 2);
        } else {
            char c = (char)pat->e[i];
            /* Reuse string escaping for one byte, without its quotes. */
            struct util_buf one;
            util_buf_init(&one, 16);
            rc = cedar_print_string(&one, &c, 1);
            if (!rc)
                rc = util_buf_add(b, one.p + 1, one.len - 2);
            util_buf_free(&one);
        }
        if (rc)
            return -1;
    }
    return util_buf_add(b, "\"", 1);
}

static const char *
binop_text(enum cedar_expr_kind k)
{
    switch (k) {
    case CX_OR:
        return " || ";
    case CX_AND:
        return " && ";
    case CX_EQ:
        return " == ";
    case CX_NE:
        return " != ";
    case CX_LT:
        return " < ";
    case CX_LE:
        return " <= ";
    case CX_GT:
        return " > ";
    case CX_GE:
        return " >= ";
    case CX_IN:
        return " in ";
    case CX_ADD:
        return " + ";
    case CX_SUB:
        return " - ";
    case CX_MUL:
        return " * ";
    default:
        return NULL;
    }
}

static int
fmt_inner(struct util_buf *b, const struct cedar_expr *e)
{
    enum cedar_expr_kind k = (enum cedar_expr_kind)e->kind;
    enum prec p = prec_of(e);
    const char *op = binop_text(k);
    if (op) {
        /* Left-associative chains keep their shape; relations take sums. */
        enum prec lmin = p == P_REL ? P_ADD : p, rmin = p == P_REL ? P_ADD : (enum prec)(p + 1);
        return fmt(b, e->a, lmin) || util_buf_puts(b, op) || fmt(b, e->b, rmin) ? -1 : 0;
    }
    static const char *const vars[] = {"principal", "action", "resource", "context"};
    switch (k) {
    case CX_LIT:
        return cedar_value_print(b, &e->lit);
    case CX_VAR:
        return util_buf_puts(b, vars[e->var]);
    case CX_SLOT:
        return util_buf_puts(b, e->var == CEDAR_VAR_PRINCIPAL ? "?principal" : "?resource");
    case CX_IF:
        return util_buf_puts(b, "if ") || fmt(b, e->a, P_IF) || util_buf_puts(b, " then ") ||
                       fmt(b, e->b, P_IF) || util_buf_puts(b, " else ") || fmt(b, e->c, P_IF)
                   ? -1
                   : 0;
    case CX_NOT:
    case CX_NEG:
        /* `- 5` would read back as the literal -5: keep the operand apart. */
        if (util_buf_puts(b, k == CX_NOT ? "!" : "-"))
            return -1;
        if (k == CX_NEG && e->a->kind == CX_LIT && e->a->lit.kind == CEDAR_LONG)
            return util_buf_puts(b, "(") || fmt(b, e->a, P_IF) || util_buf_puts(b, ")") ? -1 : 0;
        return fmt(b, e->a, P_UNARY);
    case CX_HAS:
        if (fmt(b, e->a, P_ADD) || util_buf_puts(b, " has "))
            return -1;
        if (e->nargs == 1)
            return fmt_key(b, e->keys[0]);
        for (uint32_t i = 0; i < e->nargs; i++)
            if ((i && util_buf_puts(b, ".")) || fmt_name(b, e->keys[i]))
                return -1;
        return 0;
    case CX_LIKE:
        return fmt(b, e->a, P_ADD) || util_buf_puts(b, " like ") || fmt_pattern(b, &e->pat) ? -1
                                                                                            : 0;
    case CX_IS:
        if (fmt(b, e->a, P_ADD) || util_buf_puts(b, " is ") || fmt_name(b, e->name))
            return -1;
        return e->b && (util_buf_puts(b, " in ") || fmt(b, e->b, P_ADD)) ? -1 : 0;
    case CX_ATTR: {
        if (fmt(b, e->a, P_MEMBER))
            return -1;
        struct util_buf key;
        util_buf_init(&key, 1u << 21);
        int rc = fmt_key(&key, e->name);
        /* Use `.name` when the key reads as an identifier, else `["key"]`. */
        if (!rc)
            rc = key.len && key.p[0] != '"'
                     ? util_buf_puts(b, ".") || util_buf_add(b, key.p, key.len)
                     : util_buf_puts(b, "[") || util_buf_add(b, key.p, key.len) ||
                           util_buf_puts(b, "]");
        util_buf_free(&key);
        return rc ? -1 : 0;
    }
    case CX_METHOD:
        return fmt(b, e->args[0], P_MEMBER) || util_buf_printf(b, ".%s(", cedar_fns[e->fn].name) ||
                       fmt_list(b, e->args + 1, e->nargs - 1) || util_buf_puts(b, ")")
                   ? -1
                   : 0;
    case CX_CALL:
        return util_buf_printf(b, "%s(", cedar_fns[e->fn].name) || fmt_list(b, e->args, e->nargs) ||
                       util_buf_puts(b, ")")
                   ? -1
                   : 0;
    case CX_SET:
        return util_buf_puts(b, "[") || fmt_list(b, e->args, e->nargs) || util_buf_puts(b, "]") ? -1
                                                                                                : 0;
    case CX_RECORD:
        if (util_buf_puts(b, "{"))
            return -1;
        for (uint32_t i = 0; i < e->nargs; i++)
            if ((i && util_buf_puts(b, ", ")) || fmt_key(b, e->keys[i]) || util_buf_puts(b, ": ") ||
                fmt(b, e->args[i], P_IF))
                return -1;
        return util_buf_puts(b, "}");
    default:
        return -1;
    }
}

static int
fmt(struct util_buf *b, const struct cedar_expr *e, enum prec min)
{
    if (prec_of(e) >= min)
        return fmt_inner(b, e);
    return util_buf_puts(b, "(") || fmt_inner(b, e) || util_buf_puts(b, ")") ? -1 : 0;
}

int
cedar_format_expr(struct util_buf *b, const struct cedar_expr *e)
{
    return fmt(b, e, P_IF);
}

static int
fmt_scope(struct util_buf *b, const char *var, const struct cedar_scope *s, const char *slot)
{
    static const char *const ops[] = {
        [SCOPE_EQ] = " == ", [SCOPE_IN] = " in ", [SCOPE_IS_IN] = " in ", [SCOPE_IN_SET] = " in "};
    if (util_buf_printf(b, "  %s", var))
        return -1;
    if (s->op == SCOPE_IS || s->op == SCOPE_IS_IN)
        if (util_buf_puts(b, " is ") || fmt_name(b, s->type))
            return -1;
    if (s->op == SCOPE_ANY || s->op == SCOPE_IS)
        return 0;
    if (util_buf_puts(b, ops[s->op]))
        return -1;
    if (s->op == SCOPE_IN_SET) {
        if (util_buf_puts(b, "["))
            return -1;
        for (uint32_t i = 0; i < s->nuids; i++)
            if ((i && util_buf_puts(b, ", ")) || cedar_uid_print(b, s->uids[i]))
                return -1;
        return util_buf_puts(b, "]");
    }
    return s->slot ? util_buf_puts(b, slot) : cedar_uid_print(b, s->uid);
}

int
cedar_format_policy(struct util_buf *b, const struct cedar_policy *p)
{
    for (uint32_t i = 0; i < p->nannos; i++) {
        const struct cedar_annotation *an = &p->annos[i];
        if (util_buf_puts(b, "@") || fmt_name(b, an->key))
            return -1;
        if (an->has_value &&
            (util_buf_puts(b, "(") || cedar_print_string(b, an->value.p, an->value.n) ||
             util_buf_puts(b, ")")))
            return -1;
        if (util_buf_puts(b, "\n"))
            return -1;
    }
    if (util_buf_puts(b, p->permit ? "permit (\n" : "forbid (\n") ||
        fmt_scope(b, "principal", &p->principal, "?principal") || util_buf_puts(b, ",\n") ||
        fmt_scope(b, "action", &p->action, "") || util_buf_puts(b, ",\n") ||
        fmt_scope(b, "resource", &p->resource, "?resource") || util_buf_puts(b, "\n)"))
        return -1;
    for (uint32_t i = 0; i < p->nconds; i++) {
        if (util_buf_puts(b, p->conds[i].when ? "\nwhen {\n  " : "\nunless {\n  ") ||
            fmt(b, p->conds[i].e, P_IF) || util_buf_puts(b, "\n}"))
            return -1;
    }
    return util_buf_puts(b, ";\n");
}
