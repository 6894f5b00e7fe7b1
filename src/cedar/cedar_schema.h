/*
 * cedar_schema.h - Cedar schemas: the human-readable (.cedarschema) and
 * JSON formats, read and written, and the schema resolved for the
 * validator (cedar_validate.h).
 *
 * Two layers.  The written schema (struct cs_src) is what a file says,
 * namespace by namespace, with names as written and common types not
 * expanded: both readers produce it and both printers consume it, so that
 * `airlock schema format` and `translate` keep what the author wrote.  The
 * resolved schema (struct cedar_schema) has every name fully qualified,
 * every common type expanded, the entity types' and actions' ancestors
 * closed, and is what validation reads.  Both live in the schema's arena.
 */
#ifndef CEDAR_SCHEMA_H
#define CEDAR_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util_buf.h"
#include "cedar_arena.h"
#include "cedar_ast.h"
#include "cedar_parse.h"

/* ---- the written schema ---- */

enum cs_kind {
    CS_NAME,      /* a name: a common type, an entity type or a builtin */
    CS_SET,       /* Set<elem> */
    CS_RECORD,    /* { attrs } */
    CS_ENTITY,    /* JSON {"type": "Entity", "name": ...} */
    CS_EXTENSION, /* JSON {"type": "Extension", "name": ...} */
    CS_LONG,      /* JSON "Long" */
    CS_STRING,    /* JSON "String" */
    CS_BOOL,      /* JSON "Boolean" */
};

struct cs_annos {
    struct cedar_annotation *v;
    uint32_t n;
};

struct cs_attr;

struct cs_type {
    uint8_t kind;          /* enum cs_kind */
    struct cedar_str name; /* CS_NAME, CS_ENTITY, CS_EXTENSION */
    struct cs_type *elem;  /* CS_SET */
    struct cs_attr *attrs; /* CS_RECORD, as written */
    uint32_t nattrs;
    uint32_t line, col;
};

struct cs_attr {
    struct cedar_str name;
    bool required;
    struct cs_type *type;
    struct cs_annos annos;
    uint32_t line, col;
};

struct cs_entity {
    struct cedar_str name;
    struct cedar_str *parents; /* memberOfTypes, as written */
    uint32_t nparents;
    struct cs_type *shape; /* NULL: no attributes */
    struct cs_type *tags;  /* NULL: no tags */
    bool is_enum;
    struct cedar_str *enums;
    uint32_t nenums;
    struct cs_annos annos;
    uint32_t line, col;
};

/* An action named by another: type empty for this namespace's Action. */
struct cs_aref {
    struct cedar_str type, id;
};

struct cs_action {
    struct cedar_str name;
    struct cs_aref *parents;
    uint32_t nparents;
    bool applies; /* has appliesTo */
    struct cedar_str *principals, *resources;
    uint32_t nprincipals, nresources;
    struct cs_type *context; /* NULL: {} */
    struct cs_annos annos;
    uint32_t line, col;
};

struct cs_common {
    struct cedar_str name;
    struct cs_type *type;
    struct cs_annos annos;
    uint32_t line, col;
};

struct cs_namespace {
    struct cedar_str name; /* empty: declarations outside any namespace */
    struct cs_annos annos;
    struct cs_common *commons;
    struct cs_entity *entities;
    struct cs_action *actions;
    uint32_t ncommons, nentities, nactions;
};

struct cs_src {
    struct cs_namespace *ns;
    uint32_t nns;
};

/* ---- the resolved schema ---- */

enum cedar_tkind {
    TK_BOOL, /* b: its bool type */
    TK_LONG,
    TK_STRING,
    TK_ENTITY, /* name */
    TK_SET,    /* elem */
    TK_RECORD, /* attrs, sorted by name */
    TK_DECIMAL,
    TK_IPADDR,
    TK_DATETIME,
    TK_DURATION,
};

/* The validator's bool types: true only, false only, either. */
enum cedar_bt { BT_ANY, BT_TT, BT_FF };

struct cedar_rattr;

struct cedar_type {
    uint8_t kind; /* enum cedar_tkind */
    uint8_t b;    /* enum cedar_bt, TK_BOOL */
    struct cedar_str name;
    const struct cedar_type *elem;
    const struct cedar_rattr *attrs;
    uint32_t nattrs;
};

struct cedar_rattr {
    struct cedar_str name;
    bool required;
    const struct cedar_type *type;
};

struct cedar_etype {
    struct cedar_str name;          /* fully qualified */
    const struct cedar_type *attrs; /* a record; empty when none */
    const struct cedar_type *tags;  /* NULL: no tags */
    bool is_enum;
    const struct cedar_str *enums;
    uint32_t nenums;
    struct cedar_str *ancestors; /* entity types it may be in, closed, sorted */
    uint32_t nancestors;
};

struct cedar_saction {
    struct cedar_uid uid;
    const struct cedar_str *principals, *resources; /* entity type names */
    uint32_t nprincipals, nresources;
    const struct cedar_type *context;   /* a record */
    const struct cedar_uid **ancestors; /* closed */
    uint32_t nancestors;
};

struct cedar_schema {
    struct cedar_arena arena;
    struct cs_src src;
    struct cedar_etype *etypes;    /* sorted by name */
    struct cedar_saction *actions; /* sorted by type, then id */
    uint32_t netypes, nactions;
};

/* Read a schema in either format (JSON when its first non-blank byte is
 * `{`) and resolve it.  0; CEDAR_E_PARSE with diagnostics (line and
 * column) when it does not parse or does not resolve; CEDAR_E_LIMIT;
 * CEDAR_E_NOMEM.  *out is set on success only. */
int cedar_schema_parse(const char *text, size_t n, struct cedar_schema **out,
                       struct cedar_diags *diags);
/* The same for one format: 'c' human-readable, 'j' JSON. */
int cedar_schema_parse_as(const char *text, size_t n, int format, struct cedar_schema **out,
                          struct cedar_diags *diags);
void cedar_schema_free(struct cedar_schema *s);

/* The written schema printed in either format. 0, or -1 when b is full. */
int cedar_schema_print_cedar(struct util_buf *b, const struct cs_src *s);
int cedar_schema_print_json(struct util_buf *b, const struct cs_src *s);

const struct cedar_etype *cedar_schema_etype(const struct cedar_schema *s, const char *name,
                                             size_t n);
const struct cedar_saction *cedar_schema_action(const struct cedar_schema *s,
                                                const struct cedar_uid *uid);

/* Whether value v fits type t of schema s: of its kind, entities of the
 * named type (and of its values when enumerated), a record's required
 * attributes present and each attribute it declares of its type
 * (attributes it does not declare are let be: no policy that validates
 * reads them).  1, or 0 with why (the first misfit, by its path). */
int cedar_value_fits(const struct cedar_schema *s, const struct cedar_value *v,
                     const struct cedar_type *t, char *why, size_t n);

/* A type's Cedar-schema spelling (Set<Long>, {a: String, b?: Bool}). */
int cedar_type_print(struct util_buf *b, const struct cedar_type *t);
/* The same into buf (n bytes; "(a long type)" when it does not fit), for
 * messages; buf. */
const char *cedar_type_str(const struct cedar_type *t, char *buf, size_t n);

/* Limits of schema text (crossing one is CEDAR_E_LIMIT, with a diagnostic). */
#define CEDAR_MAX_SCHEMA_TEXT (16u * 1024 * 1024)
#define CEDAR_MAX_SCHEMA_DECLS 100000u       /* common types, entity types and actions */
#define CEDAR_MAX_SCHEMA_ANNOTATIONS 10000u  /* on one declaration or attribute */
#define CEDAR_MAX_SCHEMA_ANCESTORS 10000000u /* links after the hierarchies are closed */
#define CEDAR_MAX_TYPE_DEPTH 64u             /* Set and record nesting, and common-type chains */

#endif
