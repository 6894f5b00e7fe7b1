/*
 * Fuzz target: the policy parser.  Whatever parses must format, and the
 * formatted text must parse again to the same formatted text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cedar/cedar.h"

static char *
format_set(const struct cedar_policyset *ps)
{
    struct util_buf b;
    util_buf_init(&b, 1u << 26);
    for (size_t i = 0; i < cedar_policyset_count(ps); i++)
        if (cedar_format_policy(&b, cedar_policyset_at(ps, i)))
            abort();
    char *s = strdup(util_buf_str(&b));
    util_buf_free(&b);
    return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cedar_diags diags;
    cedar_hash_init();
    struct cedar_policyset *ps = cedar_policyset_new();
    diags.n = 0;
    if (cedar_policyset_add_text(ps, (const char *)data, size, 0, &diags) == 0) {
        char *once = format_set(ps);
        struct cedar_policyset *ps2 = cedar_policyset_new();
        diags.n = 0;
        if (cedar_policyset_add_text(ps2, once, strlen(once), 0, &diags) != 0) {
            fprintf(stderr, "formatted policies do not parse: %s\n%s\n", diags.v[0].msg, once);
            abort();
        }
        char *twice = format_set(ps2);
        if (strcmp(once, twice) != 0) {
            fprintf(stderr, "format is not stable:\n%s\n---\n%s\n", once, twice);
            abort();
        }
        free(once);
        free(twice);
        cedar_policyset_free(ps2);
    }
    cedar_policyset_free(ps);
    return 0;
}
