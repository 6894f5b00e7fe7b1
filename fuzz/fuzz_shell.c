/*
 * Fuzz target: the shell lexer of inspection (bash's token rules: quotes,
 * nested substitutions, operators, here-documents).  Checks that every
 * token lies inside the input and every word has a value.
 */
#include <stdint.h>
#include <string.h>

#include "../src/inspect/inspect_lex.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct inspect_tokens t;
    inspect_lex((const char *)data, size, &t);
    for (size_t i = 0; i < t.n; i++) {
        const struct inspect_token *k = &t.v[i];
        if ((size_t)k->off + k->len > size)
            __builtin_trap();
        if (k->type == TOK_WORD && (!k->value || strlen(k->value) > k->vlen))
            __builtin_trap();
    }
    if (t.error && t.error_off > size)
        __builtin_trap();
    inspect_tokens_release(&t);
    return 0;
}
