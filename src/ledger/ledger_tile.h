/*
 * ledger_tile.h - C2SP tlog-tiles paths and files.
 *
 * tile/<L>/<N>[.p/<W>] hold hashes, tile/entries/<N>[.p/<W>] entry bundles
 * (big-endian uint16 length, then the entry).  <N> is written in groups of
 * three digits, all but the last prefixed with "x": 1234067 -> x001/x234/067.
 * Files are written whole: to a temporary name, fsync'd, renamed into place,
 * and the directory fsync'd, so a reader never sees half a tile.
 */
#ifndef LEDGER_TILE_H
#define LEDGER_TILE_H

#include <stddef.h>
#include <stdint.h>

#define LEDGER_TILE_WIDTH 256
#define LEDGER_TILE_HEIGHT 8
#define LEDGER_MAX_LEVELS 8 /* 256^8 = 2^64 leaves */
#define LEDGER_LEVEL_ENTRIES (-1)
#define LEDGER_PATH_MAX 4096
#define LEDGER_DIR_MAX 1024 /* a log directory's path */

/* "tile/<L>/<N>" or with ".p/<W>" when 0 < width < 256; level -1: entries. */
int ledger_tile_path(char *buf, size_t n, const char *dir, int level, uint64_t index,
                     unsigned width);

/* Fault injection for tests: when set, called before each write, fsync
 * (of tiles, directories, the filesystem), fdatasync (of the write-ahead
 * file) and rename with the operation's name; a non-zero return makes it fail (EIO or
 * ENOSPC as returned). */
extern int (*ledger_fault_hook)(const char *op);

/* Write data to path atomically and durably (parents created). 0 or -errno. */
int ledger_write_file(const char *path, const void *data, size_t n);
/*
 * Several files written together, durable together: each is written to
 * "<path>.tmp" and its write-back started at once (ledger_files_put); then
 * ledger_files_sync makes them durable with one syncfs() and renames each
 * into place.  One fsync per file flushed the disk's cache once per file
 * (about 300 us each on this project's virtual disk, some 10 ms for the 32
 * tiles of a 4,096-entry checkpoint, during which the write-ahead's own
 * fdatasync waited behind them); syncfs flushes it once, at the price of
 * also writing back whatever else is dirty on that filesystem.  Its error
 * covers every write-back on the filesystem since the files were opened
 * (Linux 5.8 and later).  A batch holds at most LEDGER_FILES_MAX files
 * (open descriptors); put syncs a full batch first (tests/ledger_log_test.c
 * commits 40,000 entries, over 300 files, at once).  On failure every
 * temporary not yet renamed is removed.
 */
#define LEDGER_FILES_MAX 64
struct ledger_files {
    int n;
    int fd[LEDGER_FILES_MAX];
    char path[LEDGER_FILES_MAX][LEDGER_PATH_MAX];
};
void ledger_files_init(struct ledger_files *b);
/* 0 or -errno (the batch is then abandoned: its temporaries removed). */
int ledger_files_put(struct ledger_files *b, const char *path, const void *data, size_t n);
int ledger_files_sync(struct ledger_files *b);
/* Close and remove what was put and not synced. */
void ledger_files_abandon(struct ledger_files *b);

/* fsync a directory. 0 or -errno. */
int ledger_sync_dir(const char *path);
/* syncfs() the filesystem holding the directory path: everything written
 * and renamed on it durable, with one flush of the disk's cache. 0 or
 * -errno. */
int ledger_sync_fs(const char *path);
/* Read a whole file (at most max bytes). 0, -ENOENT, or -errno. */
int ledger_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

#endif
