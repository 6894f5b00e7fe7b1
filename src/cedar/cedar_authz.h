/*
 * cedar_authz.h - the authorizer: Cedar's isAuthorized.
 *
 * Default deny; a satisfied forbid overrides any permit; a policy whose
 * evaluation errors is skipped and listed.  The response names the
 * determining policies (satisfied forbids on deny, satisfied permits on
 * allow) and the erroring ones, in policy-set order, as the `cedar` tool does.
 *
 * An authorizer is the per-thread scratch space: one arena reset at each
 * request, so the steady state allocates nothing.  The response points into
 * it and stays valid until the next call.
 */
#ifndef CEDAR_AUTHZ_H
#define CEDAR_AUTHZ_H

#include <stdbool.h>

#include "cedar_entities.h"
#include "cedar_eval.h"
#include "cedar_policy.h"

struct cedar_policy_error {
    const struct cedar_policy *policy;
    const char *msg;
};

struct cedar_response {
    bool allow;
    const struct cedar_policy **reasons;
    uint32_t nreasons;
    struct cedar_policy_error *errors;
    uint32_t nerrors;
};

struct cedar_authorizer;

struct cedar_authorizer *cedar_authorizer_new(void);
void cedar_authorizer_free(struct cedar_authorizer *az);

/* 0 with *resp filled; CEDAR_E_NOMEM / CEDAR_E_LIMIT when scratch space ran
 * out (the caller must then deny: fail closed). */
int cedar_authorize(struct cedar_authorizer *az, const struct cedar_policyset *ps,
                    const struct cedar_entities *es, const struct cedar_request *req,
                    struct cedar_response *resp);

#endif
