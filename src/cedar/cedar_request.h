/*
 * cedar_request.h - authorization requests from JSON.
 *
 * A request document: {"principal": UID, "action": UID, "resource": UID,
 * "context": {...}} where UID is {"type": T, "id": I}, {"__entity": ...} or
 * the string T::"id".  A missing context is the empty record.
 */
#ifndef CEDAR_REQUEST_H
#define CEDAR_REQUEST_H

#include "cedar_arena.h"
#include "cedar_err.h"
#include "cedar_eval.h"
#include "cedar_jsonr.h"

int cedar_request_from_json(struct cedar_arena *a, const char *text, size_t n,
                            struct cedar_request *out, struct cedar_error *err);

/* The same from already-parsed parts; context may be NULL. */
int cedar_request_build(struct cedar_arena *a, const struct jv *principal, const struct jv *action,
                        const struct jv *resource, const struct jv *context,
                        struct cedar_request *out, struct cedar_error *err);
struct cedar_schema;
/* The same checked against schema s (NULL: not): the action declared and
 * applying to the principal's and resource's types, the context read with
 * the action's context type (cedar_json_typed). */
int cedar_request_build_schema(struct cedar_arena *a, const struct jv *principal,
                               const struct jv *action, const struct jv *resource,
                               const struct jv *context, const struct cedar_schema *s,
                               struct cedar_request *out, struct cedar_error *err);

#endif
