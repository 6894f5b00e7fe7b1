/*
 * cedar_validate.h - Cedar's policy validator (strict mode): every policy
 * typed against a schema for every request environment the schema allows
 * (each action with each principal and resource type it applies to), as
 * cedar-spec's Validator.lean and Typechecker.lean define it.
 *
 * A policy fails validation when its condition does not type in some
 * environment (a misspelt or unguarded optional attribute, operands of
 * the wrong type, an unknown entity type, an empty set literal...): the
 * errors that would make Cedar skip it at evaluation, silently.  A policy
 * false in every environment (impossible: it never applies) is warned of.
 */
#ifndef CEDAR_VALIDATE_H
#define CEDAR_VALIDATE_H

#include "cedar_policy.h"
#include "cedar_schema.h"

struct cedar_verror {
    const char *policy; /* its id */
    int warning;        /* impossible: reported, not an error (as Cedar has it) */
    uint32_t line, col;
    char msg[CEDAR_MAX_ERRMSG];
};

struct cedar_vresult {
    struct cedar_verror v[CEDAR_MAX_DIAGS];
    uint32_t n;
    uint32_t dropped;
};

/* 0 when every policy of ps validates; the count of policies that do not
 * (their first error each in out, with the warnings); CEDAR_E_NOMEM.  An
 * impossible policy is a warning, not an error: Cedar's validator (and
 * the corpus's shouldValidate) has it so. */
int cedar_validate(const struct cedar_schema *s, const struct cedar_policyset *ps,
                   struct cedar_vresult *out);

#endif
