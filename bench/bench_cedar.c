/*
 * airlock's Cedar authorizer on benchmark inputs (bench/gen.mjs): policies
 * and entities loaded and requests parsed before timing; each authorization
 * timed alone.  Prints one JSON line like bench_wasm.mjs.
 *   bench_cedar POLICIES.cedar DIR HIERARCHIES
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
        fprintf(stderr, "usage: bench_cedar POLICIES DIR HIERARCHIES\n");
        return 2;
    }
    cedar_hash_init();
    size_t len;
    char *text = slurp(argv[1], &len);
    struct cedar_policyset *ps = cedar_policyset_new();
    static struct cedar_diags diags;
    if (cedar_policyset_add_text(ps, text, len, 0, &diags)) {
        fprintf(stderr, "%s:%u:%u: %s\n", argv[1], diags.v[0].line, diags.v[0].col, diags.v[0].msg);
        return 1;
    }
    free(text);
    int nh = atoi(argv[3]);
    size_t cap = 1 << 20, n = 0, allow = 0;
    uint64_t *times = malloc(cap * sizeof(*times));
    struct cedar_authorizer *az = cedar_authorizer_new();
    for (int h = 0; h < nh; h++) {
        char path[4096];
        struct cedar_error err;
        snprintf(path, sizeof(path), "%s/h%d.entities.json", argv[2], h);
        char *ej = slurp(path, &len);
        struct cedar_entities *es = cedar_entities_new();
        if (cedar_entities_load_json(es, ej, len, &err)) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            return 1;
        }
        free(ej);
        snprintf(path, sizeof(path), "%s/h%d.requests.json", argv[2], h);
        char *rj = slurp(path, &len);
        struct cedar_arena a;
        cedar_arena_init(&a, 0);
        struct jv *doc;
        if (jv_parse(&a, rj, len, &doc, &err) || doc->type != JV_ARRAY) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            return 1;
        }
        struct cedar_request *reqs = calloc(doc->n ? doc->n : 1, sizeof(*reqs));
        for (uint32_t i = 0; i < doc->n; i++) {
            const struct jv *q = doc->items[i];
            if (cedar_request_build(&a, jv_get(q, "principal"), jv_get(q, "action"),
                                    jv_get(q, "resource"), jv_get(q, "context"), &reqs[i], &err)) {
                fprintf(stderr, "%s: %s\n", path, err.msg);
                return 1;
            }
        }
        for (uint32_t i = 0; i < doc->n; i++) {
            struct cedar_response resp;
            uint64_t t0 = now_ns();
            int rc = cedar_authorize(az, ps, es, &reqs[i], &resp);
            uint64_t t1 = now_ns();
            if (rc) {
                fprintf(stderr, "authorize: %s\n", cedar_strerror(rc));
                return 1;
            }
            allow += resp.allow;
            if (n == cap)
                times = realloc(times, (cap *= 2) * sizeof(*times));
            times[n++] = t1 - t0;
        }
        free(reqs);
        cedar_arena_release(&a);
        free(rj);
        cedar_entities_free(es);
    }
    qsort(times, n, sizeof(*times), cmp_u64);
    printf("{\"engine\":\"airlock\",\"n\":%zu,\"allow\":%zu,\"median_ns\":%llu,\"p99_ns\":%llu}\n",
           n, allow, (unsigned long long)times[n / 2],
           (unsigned long long)times[(size_t)(n * 0.99) < n ? (size_t)(n * 0.99) : n - 1]);
    free(times);
    cedar_authorizer_free(az);
    cedar_policyset_free(ps);
    return 0;
}
