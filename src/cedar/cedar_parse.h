/*
 * cedar_parse.h - the Cedar policy language parser.
 *
 * Reads policy text into cedar_policy structures allocated in the caller's
 * arena.  On a syntax error it records a diagnostic (line, column, message),
 * skips to the next policy and goes on, so one run reports every error.
 */
#ifndef CEDAR_PARSE_H
#define CEDAR_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cedar_arena.h"
#include "cedar_ast.h"
#include "cedar_limits.h"

#define CEDAR_MAX_DIAGS 100u

struct cedar_diag {
    uint32_t line, col;
    char msg[CEDAR_MAX_ERRMSG];
};

struct cedar_diags {
    struct cedar_diag v[CEDAR_MAX_DIAGS];
    uint32_t n;
    uint32_t dropped; /* errors past CEDAR_MAX_DIAGS */
};

/* Callback receiving each parsed policy; non-zero stops the parse. */
typedef int (*cedar_policy_cb)(void *ctx, struct cedar_policy *p);

/*
 * Parse every policy in text.  Returns 0 when all parsed, CEDAR_E_PARSE
 * when diags holds errors, CEDAR_E_LIMIT / CEDAR_E_NOMEM on exhaustion.
 */
int cedar_parse_policies(struct cedar_arena *a, const char *text, size_t n, cedar_policy_cb cb,
                         void *ctx, struct cedar_diags *diags);

/* Parse one expression (for tests and the differential harness). */
int cedar_parse_expr(struct cedar_arena *a, const char *text, size_t n, struct cedar_expr **out,
                     struct cedar_diags *diags);

/* Parse an entity UID written as in policies: Type::"id" (with namespaces). */
int cedar_parse_uid(struct cedar_arena *a, const char *text, size_t n,
                    const struct cedar_uid **out);

/* Whether s is a valid entity type name: Ident(::Ident)*. */
int cedar_valid_type_name(const char *s, size_t n);

/* Whether s can be written as an identifier (not a reserved word): else
 * as a string literal (record keys, schema names). */
int cedar_is_ident(const char *s, size_t n);

#endif
