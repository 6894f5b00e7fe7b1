/*
 * inspect_access.h - who gains what on what: the access-change model.
 *
 * A command, document or SQL statement that changes who may do what is,
 * besides its finding, an access change (DESIGN.md):
 *
 *   change     grant, revoke, make-public, expose (a service reachable from
 *              a network), remove-guard, add-credential
 *   grantee    as written: group:all-employees@acme.example, PUBLIC,
 *              'app'@'%', 0.0.0.0/0, system:authenticated
 *   breadth    public, any-authenticated, organization, broad-group,
 *              unknown, group, user, service (widest first)
 *   privilege  read, write, admin, owner (or unknown)
 *   object     its kind (bucket, project, table, port, ...) and name
 *
 * The knowledge is data (src/inspect/access.tsv, compiled in): which
 * grantee names how wide a set of people, what a role gives, which object
 * names look sensitive (user, customer, export, prod, backup, secret ...),
 * the severity of breadth x privilege x sensitivity, and which options of
 * the large CLIs take a value.  The operator's organization (its domains
 * and broad groups) is consulted before the table's names, so that
 * "group:eng-all@acme.example" is as wide as the operator says it is.
 *
 * Loaded tables are read-only but keep match state: one thread at a time.
 */
#ifndef INSPECT_ACCESS_H
#define INSPECT_ACCESS_H

#include <stddef.h>

struct inspect_optspec;

#define INSPECT_MAX_ACCESS_TEXT 96u   /* bytes of a grantee or object name kept */
#define INSPECT_MAX_ACCESS_ROWS 1024u /* lines of an access table */
#define INSPECT_MAX_ORG_NAMES 256u    /* domains and broad groups of the organization */

/* The grantee of what was not read (past a limit): no breadth table names
 * it, so it is "unknown", which the default policy holds. */
#define INSPECT_UNREAD_GRANTEE "(more grantees than inspection reads)"

/* An access change, inside a finding (inspect_finding.h). */
struct inspect_access {
    const char *change;                    /* NULL: the finding changes no access */
    const char *breadth;                   /* of the widest grantee ("" when it has none) */
    const char *privilege;                 /* "" when none applies */
    const char *kind;                      /* the object's kind, "" when unknown */
    char grantee[INSPECT_MAX_ACCESS_TEXT]; /* cut to fit */
    char object[INSPECT_MAX_ACCESS_TEXT];
};

/* How wide a breadth is: 1 (service) .. 8 (public), 0 for none. */
int inspect_breadth_rank(const char *breadth);
/* 1 if s is a change the model knows. */
int inspect_change_valid(const char *s);

struct inspect_access_tables;

/* 0, or -1 with err ("line N: what is wrong"). */
int inspect_access_load(struct inspect_access_tables **out, const char *text, size_t len, char *err,
                        size_t errlen);
void inspect_access_free(struct inspect_access_tables *t);
/* Compile every pattern now (they are compiled when first matched
 * otherwise, inspect_re.h): 0, or -1 with err.  For the tests. */
int inspect_access_compile(struct inspect_access_tables *t, char *err, size_t errlen);

/* The organization the operator names: its domains ("acme.example") and
 * its broad groups ("all-employees@acme.example", or a name alone, matched
 * against a group's name before its "@").  Replaces what was set before.
 * 0, or -1 with err (too many, an empty name, out of memory). */
int inspect_access_org(struct inspect_access_tables *t, const char *const *domains, size_t nd,
                       const char *const *groups, size_t ng, char *err, size_t errlen);

/* A grantee's breadth (a static string). */
const char *inspect_access_breadth(const struct inspect_access_tables *t, const char *grantee);
/* What a role or permission gives: read, write, admin, owner or unknown. */
const char *inspect_access_privilege(const struct inspect_access_tables *t, const char *role);
/* 1 if an object's name looks sensitive. */
int inspect_access_sensitive(const struct inspect_access_tables *t, const char *object);
/* The severity (enum inspect_severity, low .. critical) of an access change. */
int inspect_access_severity(const struct inspect_access_tables *t, const struct inspect_access *a);

/* The highest of a comma-separated list of roles ("s3:GetObject,s3:Put*"):
 * read < write < unknown < admin < owner; "" for an empty list. */
const char *inspect_access_highest(const struct inspect_access_tables *t, const char *roles);
/* The rank of a privilege in that order: 1 (read) .. 5 (owner), 0 none. */
int inspect_privilege_rank(const char *privilege);

/* An access change from texts as written (a document's grantee, role,
 * object): *a filled, its breadth and privilege classified ("" for a text
 * not given).  Returns its severity rank.  change must be static. */
int inspect_access_make(const struct inspect_access_tables *t, const char *change,
                        const char *grantee, const char *role, const char *kind, const char *object,
                        struct inspect_access *a);

/* Command name's option spec from the table, or NULL (read generically). */
const struct inspect_optspec *inspect_access_options(const struct inspect_access_tables *t,
                                                     const char *name);

/* Copy s into a kept text of an access change, cut between characters. */
void inspect_access_text(char *dst, const char *s);

#endif
