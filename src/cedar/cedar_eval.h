/*
 * cedar_eval.h - evaluation of expressions and policies against a request.
 *
 * Follows Cedar's semantics exactly (cedar-spec, Evaluator.lean): `&&`,
 * `||` and `if` short-circuit; every other operator evaluates its operands
 * left to right and fails with a type error on operands of the wrong type;
 * `==` never fails; arithmetic overflow is an error.  An error makes the
 * whole policy erroring; the authorizer then skips it and reports it.
 */
#ifndef CEDAR_EVAL_H
#define CEDAR_EVAL_H

#include <stdbool.h>

#include "cedar_arena.h"
#include "cedar_ast.h"
#include "cedar_entities.h"
#include "cedar_err.h"

struct cedar_request {
    const struct cedar_uid *principal;
    const struct cedar_uid *action;
    const struct cedar_uid *resource;
    struct cedar_value context; /* a record */
};

struct cedar_eval {
    const struct cedar_request *req;
    const struct cedar_entities *es; /* may be NULL: no entities */
    struct cedar_arena *arena;       /* results of this request */
    /* The request's own entities, looked up once (NULL when absent): most
     * attribute and `in` checks are on these. */
    const struct cedar_entity *principal_ent, *action_ent, *resource_ent;
    bool bound;             /* the three above are set (cedar_eval_bind) */
    struct cedar_error err; /* set when a call returns -1 */
    /* Set when evaluation ran out of its memory budget.  That is not a
     * Cedar error that skips one policy: the authorizer fails the whole
     * request, so the caller denies (fail closed). */
    bool exhausted;
};

/* Look up the request's entities into ev (call once per request). */
void cedar_eval_bind(struct cedar_eval *ev);

/* 0 with *out, or -1 with ev->err set. */
int cedar_eval_expr(struct cedar_eval *ev, const struct cedar_expr *e, struct cedar_value *out);

/* Whether the policy's scope matches the request (never an error). */
bool cedar_scope_matches(struct cedar_eval *ev, const struct cedar_policy *p);

/* Scope and conditions: 0 with *sat, or -1 with ev->err set. */
int cedar_eval_policy(struct cedar_eval *ev, const struct cedar_policy *p, bool *sat);

/* Extension constructor fn (ip, decimal, datetime, duration) on a string
 * value: 0 with *out, -1 on an invalid argument, -2 on exhaustion. */
int cedar_ext_construct(struct cedar_arena *a, enum cedar_fn fn, const struct cedar_value *arg,
                        struct cedar_value *out);

/* An extension function (constructor or method) on evaluated arguments, the
 * receiver first: 0 with *out, -1 with err set, or -2 when memory ran out. */
int cedar_ext_apply(struct cedar_arena *arena, enum cedar_fn fn, const struct cedar_value *args,
                    uint32_t n, struct cedar_value *out, struct cedar_error *err);

/* Cedar's `like`: s matches the pattern (a `*` matches any run of bytes). */
bool cedar_like(const char *s, size_t n, const struct cedar_pattern *pat);

#endif
