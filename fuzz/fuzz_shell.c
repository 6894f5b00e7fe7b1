/*
 * Fuzz target: inspection's shell reading: the lexer (bash's token rules:
 * quotes, nested substitutions, operators, here-documents) and the commands
 * parsed from the tokens, substitutions parsed again.  Checks that every
 * token lies inside the input, every word has a value, and every command
 * starts inside the input; and what the wrappers are seen through to
 * (inspect_wrap.h) stays inside each command's words; every word is also
 * read as a chmod mode (inspect_mode.h), and its options are read
 * (inspect_opts.h) with operands inside its words; then the findings of the
 * shipped rules (inspect_rules.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/defaults/defaults.h"
#include "../src/inspect/inspect_shell.h"
#include "../src/inspect/inspect_mode.h"
#include "../src/inspect/inspect_opts.h"
#include "../src/inspect/inspect_rules.h"
#include "../src/inspect/inspect_wrap.h"

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
    struct inspect_script sc;
    inspect_shell_parse((const char *)data, size, &sc);
    for (size_t i = 0; i < sc.n; i++) {
        const struct inspect_cmd *c = &sc.cmds[i];
        if (c->off > size || (c->argc && !c->argv[0]))
            __builtin_trap();
        for (size_t k = 0; k < c->argc; k++) {
            struct inspect_mode m;
            inspect_mode_parse(c->argv[k], &m); /* every word as a chmod mode */
        }
        static const struct inspect_optspec spec = {"fCn", "file mode", "recursive=r", 0, 0, ""};
        /* as the large CLIs are read: every long option takes a value */
        static const struct inspect_optspec cli = {"n", "", "", 0, 1, "force dry-run"};
        struct inspect_opts o;
        inspect_opts_parse(c->argv, c->argc, &spec, &o);
        inspect_opts_parse(c->argv, c->argc, &cli, &o);
        for (size_t k = 0; k < o.noperands; k++)
            if (o.operands[k] == 0 || o.operands[k] >= c->argc)
                __builtin_trap();
        struct inspect_unwrapped u;
        if (inspect_unwrap(c->argv, c->argc, &u) == 0) {
            if (u.cmd > c->argc)
                __builtin_trap();
            for (size_t k = 0; k < u.nrun; k++)
                if (u.run_start[k] >= u.run_end[k] || u.run_end[k] > c->argc)
                    __builtin_trap();
        }
        inspect_unwrapped_release(&u);
    }
    inspect_script_release(&sc);
    /* And the findings of the shipped rules. */
    static struct inspect_rules *rules;
    char err[256];
    if (!rules && inspect_rules_load(&rules, defaults_inspect_rules, strlen(defaults_inspect_rules),
                                     err, sizeof(err)))
        __builtin_trap();
    struct inspect_finding *f;
    size_t nf;
    if (inspect_findings(rules, (const char *)data, size, &f, &nf) == 0) {
        if (nf > INSPECT_MAX_FINDINGS)
            __builtin_trap();
        free(f);
    }
    return 0;
}
