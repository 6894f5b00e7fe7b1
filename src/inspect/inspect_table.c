/*
 * inspect_table.c - the line reading the knowledge tables share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect_table.h"

int
inspect_table_lines(const char *text, size_t len,
                    int (*fn)(void *arg, char *line, const char **why), void *arg, char *err,
                    size_t errlen)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    unsigned lineno = 0;
    int rc = 0;
    for (char *line = copy, *next; line && !rc; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (!*line || *line == '#')
            continue;
        const char *why = "malformed";
        if (fn(arg, line, &why)) {
            snprintf(err, errlen, "line %u: %s", lineno, why);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}
