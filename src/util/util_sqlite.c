/*
 * util_sqlite.c - SQLite loaded on first use (util_sqlite.h).
 */
#include "util_dl.h"
#include "util_sqlite.h"

static struct util_sqlite table;
static const struct util_dl_sym syms[] = {
    {"sqlite3_open_v2", (void **)&table.open_v2},
    {"sqlite3_close", (void **)&table.close},
    {"sqlite3_exec", (void **)&table.exec},
    {"sqlite3_errmsg", (void **)&table.errmsg},
    {"sqlite3_changes", (void **)&table.changes},
    {"sqlite3_prepare_v2", (void **)&table.prepare_v2},
    {"sqlite3_step", (void **)&table.step},
    {"sqlite3_finalize", (void **)&table.finalize},
    {"sqlite3_bind_text", (void **)&table.bind_text},
    {"sqlite3_bind_int64", (void **)&table.bind_int64},
    {"sqlite3_bind_null", (void **)&table.bind_null},
    {"sqlite3_bind_blob", (void **)&table.bind_blob},
    {"sqlite3_column_text", (void **)&table.column_text},
    {"sqlite3_column_int64", (void **)&table.column_int64},
    {"sqlite3_column_bytes", (void **)&table.column_bytes},
    {"sqlite3_column_type", (void **)&table.column_type},
    {"sqlite3_column_blob", (void **)&table.column_blob},
};
static struct util_dl_lib lib = {.soname = UTIL_SQLITE_SONAME,
                                 .what = "SQLite",
                                 .syms = syms,
                                 .n = sizeof(syms) / sizeof(*syms)};

const struct util_sqlite *
util_sqlite(char *err, size_t errlen)
{
    return util_dl_get(&lib, err, errlen) ? NULL : &table;
}
