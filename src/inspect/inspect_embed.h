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

/* 1 if text is a JSON policy document that lets anyone in. */
int inspect_policy_public(const char *text, size_t len);

#endif
