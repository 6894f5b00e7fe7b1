/*
 * cedar_json.h - Cedar values and entity UIDs from JSON, and back.
 *
 * Cedar's JSON data format: booleans, integers (exact, 64-bit), strings
 * (may contain NUL), arrays as sets, objects as records, and the escapes
 * {"__entity": {"type": T, "id": I}} and {"__extn": {"fn": F, "arg": A}}
 * (or "args": [...] for functions of several arguments, such as offset).
 * Numbers with a fraction or exponent, and null, are errors.  Input is read
 * with cedar_jsonr.h; output is written with jansson.
 */
#ifndef CEDAR_JSON_H
#define CEDAR_JSON_H

#include <jansson.h>

#include "cedar_arena.h"
#include "cedar_err.h"
#include "cedar_jsonr.h"
#include "cedar_value.h"

/* Everything the value points to is copied into a. */
int cedar_json_value(struct cedar_arena *a, const struct jv *j, unsigned depth,
                     struct cedar_value *out, struct cedar_error *err);

/* An entity UID: {"type","id"}, {"__entity": {...}} or the string T::"id". */
int cedar_json_uid(struct cedar_arena *a, const struct jv *j, const struct cedar_uid **out,
                   struct cedar_error *err);

/* Write v as Cedar JSON (records, sets, __entity and __extn escapes). */
struct cedar_type;
/* j read as a value of schema type t (cedar_schema.h): an entity written
 * {"type": .., "id": ..} without __entity, an extension value without
 * __extn; a value of another type, an undeclared attribute or a missing
 * required one is an error naming it (path: where j is, for the message). */
int cedar_json_typed(struct cedar_arena *a, const struct jv *j, const struct cedar_type *t,
                     unsigned depth, const char *path, struct cedar_value *out,
                     struct cedar_error *err);
json_t *cedar_value_to_json(const struct cedar_value *v);

#endif
