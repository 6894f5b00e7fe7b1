/*
 * Fuzz target: signed notes (C2SP signed-note, cosignatures), checkpoints,
 * key texts, and the state files of what a verifier saw (ledger_state.h):
 * one that parses is formatted again to the same text.
 */
#include <stdint.h>
#include <string.h>

#include "../src/ledger/ledger_checkpoint.h"
#include "../src/ledger/ledger_note.h"
#include "../src/ledger/ledger_state.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ledger_vkey keys[3];
    static int ready;
    if (!ready) {
        static const char *const k[] = {
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "witness.example.org+b8a2cf20+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN",
        };
        for (int i = 0; i < 3; i++)
            if (ledger_vkey_parse(k[i], strlen(k[i]), &keys[i]))
                __builtin_trap();
        ready = 1;
    }
    const char *text = (const char *)data;
    struct ledger_note note;
    char err[256];
    if (ledger_note_open(text, size, keys, 3, &note, err, sizeof(err)) == 0) {
        struct ledger_checkpoint cp;
        ledger_checkpoint_parse(note.text, note.text_len, &cp, err, sizeof(err));
    }
    struct ledger_checkpoint cp;
    ledger_checkpoint_parse(text, size, &cp, err, sizeof(err));
    struct ledger_vkey vk;
    ledger_vkey_parse(text, size, &vk);
    struct ledger_skey sk;
    if (ledger_skey_parse(text, size, &sk) == 0)
        ledger_skey_wipe(&sk);
    struct ledger_state st;
    char again[LEDGER_STATE_MAX + 1];
    if (ledger_state_parse(text, size, &st, err, sizeof(err)) == 0) {
        int n = ledger_state_format(&st, again, sizeof(again));
        if (n < 0 || (size_t)n != size || memcmp(again, text, size))
            __builtin_trap();
    }
    return 0;
}
