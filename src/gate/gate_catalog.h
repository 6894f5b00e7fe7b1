/*
 * gate_catalog.h - the upstream's tools as airlock knows them.
 *
 * A tool's facts are merged field by field: what the configuration says
 * wins; else, for an upstream the configuration trusts, the MCP annotation
 * the upstream declares; else MCP's own conservative default (not
 * read-only, destructive, not idempotent, open-world).  The audience has
 * no default: unknown is absent from the context.
 *
 * Each tool becomes the Cedar action Action::"<name>", a member of
 * Action::"call_tool" and of the groups its facts imply: read_only,
 * destructive, idempotent, open_world, audience_<audience>, and the
 * configured "groups".  A tool whose name is one of those group names (or
 * holds a NUL) is never offered or called: it would be a member of itself.
 * Action::"read_resource" and Action::"get_prompt" are members of
 * Action::"read_only"; Action::"sampling", "elicitation" (the server's
 * requests), "sampling_answer" and "elicitation_answer" (the client's
 * answers) of Action::"server_requests".
 */
#ifndef GATE_CATALOG_H
#define GATE_CATALOG_H

#include <jansson.h>

#include "gate_config.h"

enum gate_tool_state {
    GATE_TOOL_OK,
    GATE_TOOL_CHANGED,   /* definition differs from its pin: hidden, refused */
    GATE_TOOL_RESERVED,  /* name collides with a group: hidden, refused */
    GATE_TOOL_TWO_FACED, /* listed to the client unlike its pin: hidden, refused */
};

struct gate_tool {
    char *name;
    struct gate_facts facts; /* effective, after the merge */
    int facts_trusted;       /* some fact came from the upstream's annotations */
    char pin[65];            /* SHA-256 (hex) of the definition */
    enum gate_tool_state state;
};

struct gate_catalog {
    struct gate_tool *tools; /* sorted by name */
    size_t n;
    int known; /* a complete tools/list has been seen */
};

/* Replace the catalogue with the tools of a complete list (the "tools"
 * arrays of every page, concatenated) of the upstream named server (its
 * facts: gate_config_tool).  0, or -1 with err. */
int gate_catalog_set(struct gate_catalog *cat, const struct gate_config *cfg, const char *server,
                     const json_t *tools, char *err, size_t errlen);
const struct gate_tool *gate_catalog_find(const struct gate_catalog *cat, const char *name);
void gate_catalog_release(struct gate_catalog *cat);

/* SHA-256 hex of a tool definition's name, title, description, input
 * schema and annotations in canonical JSON (the pin). */
int gate_tool_pin(const json_t *def, char out[65]);

/* The definition called name in tools (a tools/list array), or NULL. */
const json_t *gate_tool_definition(const json_t *tools, const char *name);

/* Whether name is one of airlock's action group names. */
int gate_reserved_name(const struct gate_config *cfg, const char *name);

/* The Action entities (Cedar JSON array text, malloc'd) for the catalogue. */
char *gate_catalog_entities(const struct gate_catalog *cat, size_t *len);

#endif
