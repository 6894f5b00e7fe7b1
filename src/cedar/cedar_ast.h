/*
 * cedar_ast.h - parsed policies: expressions, scopes, conditions.
 *
 * The parser builds these in the policy set's arena; the evaluator reads
 * them; the formatter prints them back.  Nodes keep the operator the source
 * used (`!=`, `>`) so that formatting round-trips the policy's meaning and
 * shape.
 */
#ifndef CEDAR_AST_H
#define CEDAR_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar_value.h"

enum cedar_var { CEDAR_VAR_PRINCIPAL, CEDAR_VAR_ACTION, CEDAR_VAR_RESOURCE, CEDAR_VAR_CONTEXT };

enum cedar_expr_kind {
    CX_LIT,  /* lit */
    CX_VAR,  /* var */
    CX_SLOT, /* var: PRINCIPAL or RESOURCE (?principal, ?resource) */
    CX_IF,   /* a ? b : c */
    CX_AND,  /* a && b */
    CX_OR,   /* a || b */
    CX_NOT,  /* !a */
    CX_NEG,  /* -a */
    CX_EQ,
    CX_NE,
    CX_LT,
    CX_LE,
    CX_GT,
    CX_GE,
    CX_ADD,
    CX_SUB,
    CX_MUL,
    CX_IN,     /* a in b */
    CX_HAS,    /* a has path[0].path[1]... */
    CX_LIKE,   /* a like pattern */
    CX_IS,     /* a is type [in b] */
    CX_ATTR,   /* a.name or a["name"] */
    CX_METHOD, /* a.fn(args) : fn, args[0] is the receiver */
    CX_CALL,   /* fn(args) */
    CX_SET,    /* [args] */
    CX_RECORD, /* {keys[i]: args[i]} */
};

/* Extension functions and methods, by name. */
enum cedar_fn {
    FN_IP,
    FN_DECIMAL,
    FN_DATETIME,
    FN_DURATION,
    /* methods */
    FN_CONTAINS,
    FN_CONTAINS_ALL,
    FN_CONTAINS_ANY,
    FN_IS_EMPTY,
    FN_GET_TAG,
    FN_HAS_TAG,
    FN_IS_IPV4,
    FN_IS_IPV6,
    FN_IS_LOOPBACK,
    FN_IS_MULTICAST,
    FN_IS_IN_RANGE,
    FN_LESS_THAN,
    FN_LESS_THAN_OR_EQUAL,
    FN_GREATER_THAN,
    FN_GREATER_THAN_OR_EQUAL,
    FN_OFFSET,
    FN_DURATION_SINCE,
    FN_TO_DATE,
    FN_TO_TIME,
    FN_TO_MILLISECONDS,
    FN_TO_SECONDS,
    FN_TO_MINUTES,
    FN_TO_HOURS,
    FN_TO_DAYS,
    FN_COUNT_
};

struct cedar_fn_info {
    const char *name;
    uint8_t arity; /* arguments including the receiver of a method */
    bool is_method;
};
extern const struct cedar_fn_info cedar_fns[FN_COUNT_];

/* A `like` pattern: n elements, each a byte (0..255) or CEDAR_PAT_STAR. */
#define CEDAR_PAT_STAR (-1)
struct cedar_pattern {
    uint32_t n;
    int16_t *e;
};

struct cedar_expr {
    uint8_t kind;    /* enum cedar_expr_kind */
    uint8_t fn;      /* enum cedar_fn for CX_METHOD / CX_CALL */
    bool has_cached; /* CX_CALL with a literal argument, evaluated once */
    uint32_t nargs;  /* CX_METHOD, CX_CALL, CX_SET, CX_RECORD, CX_HAS path */
    uint32_t line, col;
    struct cedar_expr *a, *b, *c;
    struct cedar_expr **args;
    struct cedar_str *keys; /* CX_RECORD keys, CX_HAS path */
    struct cedar_str name;  /* CX_ATTR attribute, CX_IS type */
    struct cedar_pattern pat;
    struct cedar_value lit; /* CX_LIT; CX_CALL cached value */
    uint8_t var;            /* CX_VAR / CX_SLOT */
};

enum cedar_scope_op {
    SCOPE_ANY,
    SCOPE_EQ,     /* == uid */
    SCOPE_IN,     /* in uid */
    SCOPE_IS,     /* is type */
    SCOPE_IS_IN,  /* is type in uid */
    SCOPE_IN_SET, /* action in [uids] */
};

struct cedar_scope {
    uint8_t op;                  /* enum cedar_scope_op */
    bool slot;                   /* uid is ?principal / ?resource (templates) */
    struct cedar_str type;       /* SCOPE_IS, SCOPE_IS_IN */
    const struct cedar_uid *uid; /* SCOPE_EQ, SCOPE_IN, SCOPE_IS_IN */
    const struct cedar_uid **uids;
    uint32_t nuids; /* SCOPE_IN_SET */
};

struct cedar_cond {
    bool when; /* false: unless */
    struct cedar_expr *e;
};

struct cedar_annotation {
    struct cedar_str key;
    struct cedar_str value;
    bool has_value;
};

struct cedar_policy {
    const char *id;
    bool permit;
    bool is_template;                /* has a slot; not evaluated itself */
    const struct cedar_policy *tmpl; /* set on template-linked policies */
    struct cedar_scope principal, action, resource;
    struct cedar_cond *conds;
    uint32_t nconds;
    struct cedar_annotation *annos;
    uint32_t nannos;
    uint32_t line, col;
    uint32_t index; /* position in the policy set */
};

#endif
