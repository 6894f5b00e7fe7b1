/*
 * inspect_embed.h - languages carried in a command's arguments.
 *
 * SQL (psql -c, mysql -e, a here-document into psql): a text is cut into
 * statements at semicolons outside quotes, comments (-- and / * * /) are
 * removed and blanks collapsed, so that a rule's regex sees each statement
 * as one line: "GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC".
 *
 * Policy documents (IAM and resource policies given inline to a cloud
 * CLI): whether a JSON document has a statement that allows anyone in
 * (Effect "Allow", Principal "*" or {"AWS": "*"} or a list holding "*"),
 * with no Condition (a Condition may narrow it; inspection does not judge
 * conditions).
 */
#ifndef INSPECT_EMBED_H
#define INSPECT_EMBED_H

#include <stddef.h>

#define INSPECT_MAX_STATEMENT 65536u /* bytes of one SQL statement looked at */

/* Call fn for each statement of text (normalised, NUL-terminated); stop
 * when fn returns non-zero and return that. */
int inspect_sql_each(const char *text, size_t len, int (*fn)(const char *stmt, void *arg),
                     void *arg);

/* A GRANT or REVOKE statement (as inspect_sql_each gives it) read:
 * GRANT privileges ON object TO grantees [WITH ...], GRANT role TO
 * grantees, REVOKE ... FROM grantees.  Texts point into buf (cap bytes);
 * grantees are split at commas outside quotes, double quotes around one
 * removed, PUBLIC in capitals.  1 when stmt is one, else 0. */
#define INSPECT_MAX_SQL_GRANTEES 16u
struct inspect_sql_grant {
    int revoke;
    const char *privileges; /* "SELECT, INSERT", or the role granted */
    const char *object;     /* "ALL TABLES IN SCHEMA public"; "" for a role */
    const char *grantees[INSPECT_MAX_SQL_GRANTEES];
    size_t ngrantees;
    int more; /* more grantees than INSPECT_MAX_SQL_GRANTEES */
};
int inspect_sql_grant(const char *stmt, char *buf, size_t cap, struct inspect_sql_grant *g);

/* 1 if text is a JSON policy document that lets anyone in. */
int inspect_policy_public(const char *text, size_t len);

#endif
