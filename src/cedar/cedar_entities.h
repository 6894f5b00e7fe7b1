/*
 * cedar_entities.h - the entity store: attributes, tags and hierarchy.
 *
 * Loaded once from Cedar's entity JSON, then read-only, so any number of
 * authorizations may share it.  The transitive closure of the parent
 * relation is computed at load time: each entity keeps all its ancestors
 * sorted by hash, and `a in b` is one binary search.
 */
#ifndef CEDAR_ENTITIES_H
#define CEDAR_ENTITIES_H

#include <stdbool.h>
#include <stddef.h>

#include "cedar_arena.h"
#include "cedar_err.h"
#include "cedar_value.h"

struct cedar_entity {
    const struct cedar_uid *uid;
    const struct cedar_record *attrs; /* never NULL */
    const struct cedar_record *tags;  /* never NULL */
    const struct cedar_uid **parents;
    uint32_t nparents;
    const struct cedar_uid **ancestors; /* sorted by hash */
    uint32_t nancestors;
};

struct cedar_entities;

struct cedar_entities *cedar_entities_new(void);
void cedar_entities_free(struct cedar_entities *es);

/* Add the entities of a JSON array; computes the hierarchy.  0 or CEDAR_E_*. */
int cedar_entities_load_json(struct cedar_entities *es, const char *text, size_t n,
                             struct cedar_error *err);
struct cedar_schema;
/* The same read with the schema's types (cedar_json_typed): entities and
 * extension values without their escapes, and an entity that does not fit
 * its type (undeclared type or attribute, a value of the wrong type, a
 * missing required attribute, a parent its type cannot have) an error. */
int cedar_entities_load_json_schema(struct cedar_entities *es, const char *text, size_t n,
                                    const struct cedar_schema *s, struct cedar_error *err);

const struct cedar_entity *cedar_entities_find(const struct cedar_entities *es,
                                               const struct cedar_uid *uid);
size_t cedar_entities_count(const struct cedar_entities *es);

/* Cedar's `in` on two entities: equal, or b is an ancestor of a. */
bool cedar_entities_in(const struct cedar_entities *es, const struct cedar_uid *a,
                       const struct cedar_uid *b);

/* The same when a's entity is already at hand (ea may be NULL). */
bool cedar_entity_in(const struct cedar_entity *ea, const struct cedar_uid *a,
                     const struct cedar_uid *b);

/* The arena entity data lives in (for callers building requests alongside). */
struct cedar_arena *cedar_entities_arena(struct cedar_entities *es);

#endif
