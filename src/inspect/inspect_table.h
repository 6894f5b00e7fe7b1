/*
 * inspect_table.h - the line reading the knowledge tables share.
 *
 * The rule table, the access table and the secret formats are text, one
 * entry a line; empty lines and lines starting with # are skipped, and
 * the first malformed line refuses the whole table, named by its number:
 * a table that half loads must not half protect.
 */
#ifndef INSPECT_TABLE_H
#define INSPECT_TABLE_H

#include <stddef.h>

/* Call fn(arg, line, &why) for each entry line of text[0..len), the line
 * NUL-terminated and writable; fn returns non-zero with why set to stop.
 * 0, or -1 with err "line N: why" (or "out of memory"). */
int inspect_table_lines(const char *text, size_t len,
                        int (*fn)(void *arg, char *line, const char **why), void *arg, char *err,
                        size_t errlen);

#endif
