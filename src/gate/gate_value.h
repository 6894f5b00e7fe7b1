/*
 * gate_value.h - MCP's JSON as Cedar values.
 *
 * Tool arguments reach policies as `context.input`.  The conversion is
 * literal: no `__entity` or `__extn` escapes are honoured (an argument must
 * never become an entity reference because the agent spelled it so).
 *
 *   object -> record        string -> String       true/false -> Bool
 *   integer -> Long          other numbers -> String of their JSON text
 *   array -> Set (Cedar has no lists: order and duplicates are lost)
 *   null -> left out (an object member that is null is absent: use `has`)
 */
#ifndef GATE_VALUE_H
#define GATE_VALUE_H

#include <jansson.h>

#include "../cedar/cedar.h"

/* 0 with *out, -1 when memory ran out or the nesting is deeper than
 * GATE_MAX_INPUT_DEPTH (why says which). */
int gate_value_from_json(struct cedar_arena *a, const json_t *j, struct cedar_value *out,
                         const char **why);

/* A Cedar String value copied into a. */
int gate_string(struct cedar_arena *a, const char *s, size_t n, struct cedar_value *out);

/* A Set of the n values vs (duplicates removed). */
int gate_set(struct cedar_arena *a, const struct cedar_value *vs, size_t n,
             struct cedar_value *out);

/* Build a record of n attributes (keys must be distinct). */
int gate_record(struct cedar_arena *a, const struct cedar_attr *attrs, size_t n,
                struct cedar_value *out);

#endif
