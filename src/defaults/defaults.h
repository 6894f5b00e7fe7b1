/*
 * defaults.h - what airlock ships compiled in, in one place below every
 * component: each reads its defaults from here, none from another's.
 *
 * The texts are the files named, as they are, generated into
 * build/gen/defaults.c by scripts/embed.sh (Makefile); a component that is
 * given a file of its own reads that instead.
 */
#ifndef DEFAULTS_H
#define DEFAULTS_H

/* `airlock mcp` and airlockd's sessions: policies/default.cedar and
 * policies/default-entities.json (the entities airlockd's administrative
 * policies also start from). */
extern const char defaults_mcp_policies[];
extern const char defaults_mcp_entities[];
/* Who may approve what: policies/admin.cedar. */
extern const char defaults_admin_policies[];
/* Inspection's knowledge: src/inspect/rules.tsv, secrets.tsv, access.tsv. */
extern const char defaults_inspect_rules[];
extern const char defaults_inspect_secrets[];
extern const char defaults_inspect_access[];

#endif
