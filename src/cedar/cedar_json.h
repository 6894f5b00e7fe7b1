/*
 * cedar_json.h - Cedar values and entity UIDs from JSON (jansson).
 *
 * Cedar's JSON data format: booleans, integers (exact, 64-bit), strings
 * (may contain NUL), arrays as sets, objects as records, and the escapes
 * {"__entity": {"type": T, "id": I}} and {"__extn": {"fn": F, "arg": A}}.
 * Floating-point numbers and null are errors.  Documents must be parsed
 * with cedar_json_load() so that NUL and duplicate keys are handled.
 */
#ifndef CEDAR_JSON_H
#define CEDAR_JSON_H

#include <jansson.h>

#include "cedar_arena.h"
#include "cedar_err.h"
#include "cedar_value.h"

/* Parse a JSON document with Cedar's settings; NULL with err set. */
json_t *cedar_json_load(const char *text, size_t n, struct cedar_error *err);

int cedar_json_value(struct cedar_arena *a, json_t *j, unsigned depth, struct cedar_value *out,
                     struct cedar_error *err);

/* An entity UID: {"type","id"}, {"__entity": {...}} or the string T::"id". */
int cedar_json_uid(struct cedar_arena *a, json_t *j, const struct cedar_uid **out,
                   struct cedar_error *err);

/* Write v as Cedar JSON (records, sets, __entity and __extn escapes). */
json_t *cedar_value_to_json(const struct cedar_value *v);

#endif
