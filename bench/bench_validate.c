/*
 * airlock's validator on benchmark inputs: REPS times, the schema parsed,
 * the policies parsed and validated, each step timed (cedar-wasm's
 * validate does all three in one call).  Prints one JSON line like
 * bench_validate.mjs, the baseline (cedar-wasm on the same files).
 *   bench_validate SCHEMA POLICIES REPS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/cedar/cedar.h"
#include "../src/util/util_file.h"
#include "bench_util.h"

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_validate SCHEMA POLICIES REPS\n");
        return 2;
    }
    cedar_hash_init();
    size_t slen, plen;
    char *stext = slurp(argv[1], &slen), *ptext = slurp(argv[2], &plen);
    int reps = atoi(argv[3]);
    static struct cedar_diags d;
    static struct cedar_vresult r;
    uint64_t *t[4];
    for (int k = 0; k < 4; k++)
        t[k] = malloc((size_t)reps * sizeof(uint64_t));
    int errors = -1;
    size_t npol = 0;
    for (int i = 0; i < reps; i++) {
        struct cedar_schema *s;
        struct cedar_policyset *ps = cedar_policyset_new();
        uint64_t t0 = now_ns();
        if (cedar_schema_parse(stext, slen, &s, &d)) {
            fprintf(stderr, "%s: does not load\n", argv[1]);
            return 1;
        }
        uint64_t t1 = now_ns();
        if (!ps || cedar_policyset_add_text(ps, ptext, plen, 0, &d)) {
            fprintf(stderr, "%s: does not parse\n", argv[2]);
            return 1;
        }
        uint64_t t2 = now_ns();
        errors = cedar_validate(s, ps, &r);
        uint64_t t3 = now_ns();
        t[0][i] = t1 - t0, t[1][i] = t2 - t1, t[2][i] = t3 - t2, t[3][i] = t3 - t0;
        npol = cedar_policyset_count(ps);
        cedar_schema_free(s);
        cedar_policyset_free(ps);
    }
    for (int k = 0; k < 4; k++)
        qsort(t[k], (size_t)reps, sizeof(uint64_t), cmp_u64);
    printf("{\"engine\": \"airlock\", \"n\": %d, \"policies\": %zu, \"invalid\": %d, "
           "\"schema_ns\": %llu, \"parse_ns\": %llu, \"validate_ns\": %llu, "
           "\"median_ns\": %llu}\n",
           reps, npol, errors, (unsigned long long)t[0][reps / 2],
           (unsigned long long)t[1][reps / 2], (unsigned long long)t[2][reps / 2],
           (unsigned long long)t[3][reps / 2]);
    for (int k = 0; k < 4; k++)
        free(t[k]);
    free(stext);
    free(ptext);
    return 0;
}
