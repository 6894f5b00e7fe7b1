/*
 * Fuzz target: Cedar schemas in both formats, and the validator.  The
 * input is a schema, then optionally "\n----\n" and policies.  A schema
 * that reads is printed in both formats, and each print must read back
 * and print the same (abort otherwise); the policies are validated
 * against it; entity data is read with its types.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cedar/cedar.h"
#include "../src/cedar/cedar_schema.h"
#include "../src/cedar/cedar_validate.h"

static char *
print(const struct cedar_schema *s, int json)
{
    struct util_buf b;
    util_buf_init(&b, 1 << 24);
    char *out = NULL;
    if ((json ? cedar_schema_print_json(&b, &s->src) : cedar_schema_print_cedar(&b, &s->src)) == 0)
        out = strdup(util_buf_str(&b));
    util_buf_free(&b);
    return out;
}

/* The print reads back, and prints the same again. */
static void
round_trip(const struct cedar_schema *s, int json)
{
    static struct cedar_diags d;
    char *a = print(s, json);
    if (!a)
        return;
    struct cedar_schema *again;
    d.n = d.dropped = 0;
    int rc = cedar_schema_parse(a, strlen(a), &again, &d);
    if (rc == CEDAR_E_NOMEM || rc == CEDAR_E_LIMIT) {
        free(a);
        return;
    }
    if (rc)
        abort(); /* a printed schema that does not read */
    char *b = print(again, json);
    if (b && strcmp(a, b))
        abort(); /* printing is not idempotent */
    free(a);
    free(b);
    cedar_schema_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cedar_diags d;
    static struct cedar_vresult vr;
    const char *text = (const char *)data, *sep = memmem(data, size, "\n----\n", 6);
    size_t slen = sep ? (size_t)(sep - text) : size;
    cedar_hash_init();
    struct cedar_schema *s;
    d.n = d.dropped = 0;
    if (cedar_schema_parse(text, slen, &s, &d))
        return 0;
    round_trip(s, 0);
    round_trip(s, 1);
    if (sep) {
        struct cedar_policyset *ps = cedar_policyset_new();
        if (ps && cedar_policyset_add_text(ps, sep + 6, size - slen - 6, 0, &d) == 0)
            cedar_validate(s, ps, &vr);
        cedar_policyset_free(ps);
    }
    static const char entities[] = "[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": "
                                   "{\"name\": \"a\", \"n\": 1}, \"parents\": []}]";
    struct cedar_error err;
    struct cedar_entities *es = cedar_entities_new();
    if (es)
        cedar_entities_load_json_schema(es, entities, sizeof(entities) - 1, s, &err);
    cedar_entities_free(es);
    cedar_schema_free(s);
    return 0;
}
