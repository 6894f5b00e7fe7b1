#include "ledger_tile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int (*ledger_fault_hook)(const char *op);

static int
fault(const char *op)
{
    return ledger_fault_hook ? ledger_fault_hook(op) : 0;
}

int
ledger_tile_path(char *buf, size_t n, const char *dir, int level, uint64_t index, unsigned width)
{
    unsigned groups[8];
    int ng = 0;
    do {
        groups[ng++] = (unsigned)(index % 1000);
        index /= 1000;
    } while (index);
    char num[48];
    size_t o = 0;
    for (int i = ng - 1; i >= 0; i--)
        o += (size_t)snprintf(num + o, sizeof(num) - o, i ? "x%03u/" : "%03u", groups[i]);
    char lev[8];
    if (level == LEDGER_LEVEL_ENTRIES)
        snprintf(lev, sizeof(lev), "entries");
    else
        snprintf(lev, sizeof(lev), "%d", level);
    int w;
    if (width > 0 && width < LEDGER_TILE_WIDTH)
        w = snprintf(buf, n, "%s/tile/%s/%s.p/%u", dir, lev, num, width);
    else
        w = snprintf(buf, n, "%s/tile/%s/%s", dir, lev, num);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* mkdir -p of path's parent directories. */
static int
make_parents(const char *path)
{
    char tmp[LEDGER_PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof(tmp))
        return -ENAMETOOLONG;
    memcpy(tmp, path, len + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return 0;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        int f = fault("write");
        if (f)
            return f;
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int
ledger_sync_dir(const char *path)
{
    int f = fault("fsync");
    if (f)
        return f;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

/* Create path's temporary and write data into it: an fd, or -errno. */
static int
write_tmp(const char *path, const void *data, size_t n)
{
    char tmp[LEDGER_PATH_MAX];
    int rc = make_parents(path);
    if (rc)
        return rc;
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    rc = write_all(fd, data, n);
    if (rc) {
        close(fd);
        unlink(tmp);
        return rc;
    }
    return fd;
}

/* fsync and close fd, then rename path's temporary into place. */
static int
sync_rename(int fd, const char *path)
{
    char tmp[LEDGER_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int rc = fault("fsync");
    if (!rc && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && !rc)
        rc = -errno;
    if (!rc && (rc = fault("rename")) == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

int
ledger_write_file(const char *path, const void *data, size_t n)
{
    int fd = write_tmp(path, data, n);
    return fd < 0 ? fd : sync_rename(fd, path);
}

void
ledger_files_init(struct ledger_files *b)
{
    b->n = 0;
}

void
ledger_files_abandon(struct ledger_files *b)
{
    char tmp[LEDGER_PATH_MAX];
    for (int i = 0; i < b->n; i++) {
        close(b->fd[i]);
        snprintf(tmp, sizeof(tmp), "%s.tmp", b->path[i]);
        unlink(tmp);
    }
    b->n = 0;
}

static int
sync_fs(int fd)
{
    int rc = fault("fsync");
    if (!rc && syncfs(fd) != 0)
        rc = -errno;
    return rc;
}

int
ledger_sync_fs(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = sync_fs(fd);
    close(fd);
    return rc;
}

int
ledger_files_sync(struct ledger_files *b)
{
    char tmp[LEDGER_PATH_MAX];
    int rc = b->n ? sync_fs(b->fd[0]) : 0;
    for (int i = 0; i < b->n; i++) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", b->path[i]);
        if (close(b->fd[i]) != 0 && !rc)
            rc = -errno;
        if (!rc && (rc = fault("rename")) == 0 && rename(tmp, b->path[i]) != 0)
            rc = -errno;
        if (rc)
            unlink(tmp);
    }
    b->n = 0;
    return rc;
}

int
ledger_files_put(struct ledger_files *b, const char *path, const void *data, size_t n)
{
    if (strlen(path) + 5 > LEDGER_PATH_MAX) {
        ledger_files_abandon(b);
        return -ENAMETOOLONG;
    }
    int rc = b->n == LEDGER_FILES_MAX ? ledger_files_sync(b) : 0;
    int fd = rc ? rc : write_tmp(path, data, n);
    if (fd < 0) {
        ledger_files_abandon(b);
        return fd;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* Start write-back now (a hint; fsync later is what counts). */
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    b->fd[b->n] = fd;
    snprintf(b->path[b->n], LEDGER_PATH_MAX, "%s", path);
    b->n++;
    return 0;
}

int
ledger_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        close(fd);
        return -EINVAL;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? -errno : -EIO;
            free(buf);
            close(fd);
            return e;
        }
        got += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return 0;
}
