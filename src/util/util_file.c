#include "util_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
util_read_file(const char *path, size_t max, char **out, size_t *len, char *errbuf, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                snprintf(errbuf, errlen, "%s: larger than %zu bytes", path, max);
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                snprintf(errbuf, errlen, "%s: out of memory", path);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        snprintf(errbuf, errlen, "%s: larger than %zu bytes", path, max);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

char *
util_path_join(const char *dir, const char *rel)
{
    size_t rl = strlen(rel);
    if (!dir || rel[0] == '/') {
        char *s = malloc(rl + 1);
        if (s)
            memcpy(s, rel, rl + 1);
        return s;
    }
    size_t dl = strlen(dir);
    char *s = malloc(dl + 1 + rl + 1);
    if (!s)
        return NULL;
    memcpy(s, dir, dl);
    s[dl] = '/';
    memcpy(s + dl + 1, rel, rl + 1);
    return s;
}
