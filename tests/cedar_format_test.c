/*
 * The formatter on Cedar's whole corpus: formatting is idempotent, and the
 * formatted policies decide every corpus request exactly as the originals.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/util/util_file.h"
#include "test_util.h"

static char *
format_all(const struct cedar_policyset *ps)
{
    struct util_buf b;
    util_buf_init(&b, 1 << 26);
    for (size_t i = 0; i < cedar_policyset_count(ps); i++)
        assert_int_equal(cedar_format_policy(&b, cedar_policyset_at(ps, i)), 0);
    char *s = strdup(util_buf_str(&b));
    util_buf_free(&b);
    return s;
}

static int
same_response(const struct cedar_response *a, const struct cedar_response *b)
{
    if (a->allow != b->allow || a->nreasons != b->nreasons || a->nerrors != b->nerrors)
        return 0;
    for (uint32_t i = 0; i < a->nreasons; i++)
        if (strcmp(a->reasons[i]->id, b->reasons[i]->id))
            return 0;
    for (uint32_t i = 0; i < a->nerrors; i++)
        if (strcmp(a->errors[i].policy->id, b->errors[i].policy->id))
            return 0;
    return 1;
}

/* One corpus case: returns the number of requests compared. */
static unsigned
check_case(const char *dir, const char *name)
{
    char path[2048], *text, *ents, *doc_text;
    size_t len, elen, dlen;
    char err[256];
    snprintf(path, sizeof(path), "%s/%s.cedar", dir, name);
    assert_int_equal(util_read_file(path, 1 << 24, &text, &len, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/%s.entities.json", dir, name);
    assert_int_equal(util_read_file(path, 1 << 26, &ents, &elen, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/%s.json", dir, name);
    assert_int_equal(util_read_file(path, 1 << 26, &doc_text, &dlen, err, sizeof(err)), 0);

    struct cedar_policyset *ps = tu_policies(text);
    char *once = format_all(ps);
    struct cedar_policyset *ps2 = tu_policies(once);
    char *twice = format_all(ps2);
    if (strcmp(once, twice)) {
        fprintf(stderr, "%s: format is not idempotent\n--- once\n%s\n--- twice\n%s\n", name, once,
                twice);
        fail();
    }
    struct cedar_entities *es = tu_entities(ents);
    struct cedar_arena a;
    cedar_arena_init(&a, 0);
    struct jv *doc;
    struct cedar_error jerr;
    assert_int_equal(jv_parse(&a, doc_text, dlen, &doc, &jerr), 0);
    const struct jv *reqs = jv_get(doc, "requests");
    struct cedar_authorizer *az1 = cedar_authorizer_new(), *az2 = cedar_authorizer_new();
    unsigned n = 0;
    for (uint32_t i = 0; i < reqs->n; i++) {
        const struct jv *r = reqs->items[i];
        struct cedar_request req;
        assert_int_equal(cedar_request_build(&a, jv_get(r, "principal"), jv_get(r, "action"),
                                             jv_get(r, "resource"), jv_get(r, "context"), &req,
                                             &jerr),
                         0);
        struct cedar_response r1, r2;
        assert_int_equal(cedar_authorize(az1, ps, es, &req, &r1), 0);
        assert_int_equal(cedar_authorize(az2, ps2, es, &req, &r2), 0);
        if (!same_response(&r1, &r2)) {
            fprintf(stderr, "%s request %u: formatted policies decide differently\n%s\n", name, i,
                    once);
            fail();
        }
        n++;
    }
    cedar_authorizer_free(az1);
    cedar_authorizer_free(az2);
    cedar_arena_release(&a);
    cedar_entities_free(es);
    cedar_policyset_free(ps);
    cedar_policyset_free(ps2);
    free(once);
    free(twice);
    free(text);
    free(ents);
    free(doc_text);
    return n;
}

static void
test_corpus_round_trip(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/corpus/corpus-tests", tu_build_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    unsigned files = 0, requests = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 7 || strcmp(de->d_name + len - 6, ".cedar") != 0)
            continue;
        char name[512];
        snprintf(name, sizeof(name), "%.*s", (int)(len - 6), de->d_name);
        requests += check_case(dir, name);
        files++;
    }
    closedir(d);
    fprintf(stderr, "format round trip: %u policy files, %u requests decided alike\n", files,
            requests);
    assert_true(files > 3900);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
