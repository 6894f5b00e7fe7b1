/*
 * util_file.h - read a whole file, with a ceiling on its size.
 */
#ifndef UTIL_FILE_H
#define UTIL_FILE_H

#include <stddef.h>

/* 0 with *out (malloc'd, NUL-terminated) and *len; -1 with errbuf set. */
int util_read_file(const char *path, size_t max, char **out, size_t *len, char *errbuf,
                   size_t errlen);

/* dir/rel when rel is relative and dir is non-NULL, else rel; malloc'd. */
char *util_path_join(const char *dir, const char *rel);

#endif
