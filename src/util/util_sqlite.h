/*
 * util_sqlite.h - SQLite, loaded when first needed.
 *
 * Only airlockd's store uses SQLite (store_sqlite.c), which opens it
 * before the sandbox closes; every other airlock process (an agent's
 * hook on each tool call) would otherwise pay for binding its symbols at
 * start (bench/bench_hook.c).
 */
#ifndef UTIL_SQLITE_H
#define UTIL_SQLITE_H

#include <sqlite3.h>
#include <stddef.h>

#define UTIL_SQLITE_SONAME "libsqlite3.so.0"

struct util_sqlite {
    int (*open_v2)(const char *name, sqlite3 **db, int flags, const char *vfs);
    int (*close)(sqlite3 *db);
    int (*exec)(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
                char **errmsg);
    const char *(*errmsg)(sqlite3 *db);
    int (*changes)(sqlite3 *db);
    int (*prepare_v2)(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st, const char **tail);
    int (*step)(sqlite3_stmt *st);
    int (*finalize)(sqlite3_stmt *st);
    int (*bind_text)(sqlite3_stmt *st, int i, const char *s, int n, void (*del)(void *));
    int (*bind_int64)(sqlite3_stmt *st, int i, sqlite3_int64 v);
    int (*bind_null)(sqlite3_stmt *st, int i);
    int (*bind_blob)(sqlite3_stmt *st, int i, const void *p, int n, void (*del)(void *));
    const unsigned char *(*column_text)(sqlite3_stmt *st, int i);
    sqlite3_int64 (*column_int64)(sqlite3_stmt *st, int i);
    int (*column_bytes)(sqlite3_stmt *st, int i);
    int (*column_type)(sqlite3_stmt *st, int i);
    const void *(*column_blob)(sqlite3_stmt *st, int i);
};

/* SQLite's functions, loaded once (thread-safe): the table, or NULL with
 * err saying why. */
const struct util_sqlite *util_sqlite(char *err, size_t errlen);

#endif
