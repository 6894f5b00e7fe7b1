/*
 * cedar_policy.h - a policy set: static policies, templates, template links,
 * and the scope index that lets a request evaluate only the policies that
 * can match it.
 *
 * Ids: a policy's @id annotation when it has one, else Cedar's default
 * `policyN`, N counting every policy and template added so far.  Ids are
 * unique within a set.
 */
#ifndef CEDAR_POLICY_H
#define CEDAR_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cedar_ast.h"
#include "cedar_err.h"
#include "cedar_parse.h"

struct cedar_policyset;

/* Options for cedar_policyset_add_text(). */
enum {
    /* Ignore @id annotations and use the default ids (Cedar's own test
     * corpora expect policyN whatever the annotations say). */
    CEDAR_IDS_DEFAULT_ONLY = 1,
};

struct cedar_policyset *cedar_policyset_new(void);
void cedar_policyset_free(struct cedar_policyset *ps);

/* Parse and add policies; on CEDAR_E_PARSE diags says where.  Nothing is
 * added unless the whole text parses. */
int cedar_policyset_add_text(struct cedar_policyset *ps, const char *text, size_t n, int flags,
                             struct cedar_diags *diags);

/* Link template tmpl_id under new_id, filling ?principal and ?resource
 * (each NULL when the template has no such slot). */
int cedar_policyset_link(struct cedar_policyset *ps, const char *tmpl_id, const char *new_id,
                         const struct cedar_uid *principal, const struct cedar_uid *resource,
                         struct cedar_error *err);

/* Links from JSON: [{"templateId": T, "newId": N, "values": {"?principal": UID, ...}}]
 * (snake_case keys template_id / new_id are accepted too). */
int cedar_policyset_link_json(struct cedar_policyset *ps, const char *text, size_t n,
                              struct cedar_error *err);

/* 0 when an add ran out of memory half way: the set must not decide. */
int cedar_policyset_usable(const struct cedar_policyset *ps);
size_t cedar_policyset_count(const struct cedar_policyset *ps);
const struct cedar_policy *cedar_policyset_at(const struct cedar_policyset *ps, size_t i);
const struct cedar_policy *cedar_policyset_find(const struct cedar_policyset *ps, const char *id);
struct cedar_arena *cedar_policyset_arena(struct cedar_policyset *ps);
/* The value of p's annotation @key("..."), NUL-terminated, or NULL. */
const char *cedar_policy_annotation(const struct cedar_policy *p, const char *key);

/*
 * Candidates for a request: calls visit(ctx, policy index) for every
 * non-template policy whose scope could match, given the ids that equal or
 * contain the request's principal, action and resource.  Used by the
 * authorizer; see cedar_authz.c.
 */
struct cedar_uidmap;
const struct cedar_uidmap *cedar_policyset_index(const struct cedar_policyset *ps, int var);
const uint32_t *cedar_uidmap_get(const struct cedar_uidmap *m, const struct cedar_uid *key,
                                 uint32_t *n);
const uint32_t *cedar_policyset_unindexed(const struct cedar_policyset *ps, uint32_t *n);

#endif
