/*
 * Replays a fuzz target's corpus without libFuzzer, so the normal test run
 * (gcc or clang, ASan+UBSan) executes every saved input: replay_main DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/util/util_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open corpus folder\n", dir);
        return -1;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *path = util_path_join(dir, de->d_name), *buf;
        size_t len;
        char err[256];
        if (!path || util_read_file(path, 1u << 26, &buf, &len, err, sizeof(err))) {
            fprintf(stderr, "%s\n", path ? err : "out of memory");
            free(path);
            closedir(d);
            return -1;
        }
        /* A copy of exactly len bytes, so ASan sees reads past the input. */
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact) {
            free(buf);
            free(path);
            closedir(d);
            return -1;
        }
        memcpy(exact, buf, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        free(buf);
        free(path);
        (*count)++;
    }
    closedir(d);
    return 0;
}

int
main(int argc, char **argv)
{
    unsigned count = 0;
    for (int i = 1; i < argc; i++)
        if (replay_dir(argv[i], &count))
            return 1;
    if (count == 0) {
        fprintf(stderr, "no inputs replayed: an empty corpus tests nothing\n");
        return 1;
    }
    printf("replayed %u inputs\n", count);
    return 0;
}
