/*
 * Fuzz target: documents that change access (inspect_doc.h): the input
 * read as JSON, YAML, HCL and as whatever it looks like; every change
 * reported has its texts, a change of the model, and no more of them than
 * INSPECT_MAX_DOC_CHANGES per reading.
 */
#include <stdint.h>
#include <string.h>

#include "../src/inspect/inspect_access.h"
#include "../src/inspect/inspect_doc.h"

static void
change(void *arg, const struct inspect_doc_change *c)
{
    unsigned *n = arg;
    if (!c->rule || !c->grantee || !c->privilege || !c->kind || !c->object ||
        !inspect_change_valid(c->change) || ++*n > INSPECT_MAX_DOC_CHANGES)
        __builtin_trap();
    (void)strlen(c->grantee);
    (void)strlen(c->object);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const enum inspect_doc_lang langs[] = {DOC_SNIFF, DOC_JSON, DOC_YAML, DOC_HCL};
    for (size_t i = 0; i < sizeof(langs) / sizeof(*langs); i++) {
        unsigned n = 0;
        int r = inspect_doc_access((const char *)data, size, langs[i], change, &n);
        /* a broken document may have given the changes before its break */
        if (r < -1 || r > INSPECT_DOC_BROKEN || (r == INSPECT_DOC_NONE && n))
            __builtin_trap();
    }
    return 0;
}
