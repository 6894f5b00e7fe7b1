/*
 * Fuzz target: entity JSON (the JSON reader, values, __entity / __extn
 * escapes, the hierarchy and its cycle check).
 */
#include <stdint.h>

#include "../src/cedar/cedar.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cedar_error err;
    cedar_hash_init();
    struct cedar_entities *es = cedar_entities_new();
    cedar_entities_load_json(es, (const char *)data, size, &err);
    cedar_entities_free(es);
    return 0;
}
