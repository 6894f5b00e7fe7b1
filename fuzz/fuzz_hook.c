/*
 * Fuzz target: the agents' hook events (src/hook/hook.h), as each agent's
 * reader takes them, and Codex's patches.  The first byte picks the agent.
 * An event that reads has calls that each name a tool, carry an object
 * input and an absolute cwd; a patch's files each have a path; answers
 * are JSON or empty.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/hook/hook.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum hook_agent a = (enum hook_agent)(data[0] % (HOOK_OPENCLAW + 1));
    struct hook_event ev;
    char err[256];
    if (hook_read(a, (const char *)data + 1, size - 1, &ev, err, sizeof(err)) == 0) {
        size_t i;
        json_t *c;
        json_array_foreach(ev.calls, i, c) {
            const char *cwd = json_string_value(json_object_get(c, "cwd"));
            if (!json_string_value(json_object_get(c, "tool")) ||
                !json_is_object(json_object_get(c, "input")) || !cwd || cwd[0] != '/')
                __builtin_trap();
        }
        if (ev.kind != HOOK_OTHER && json_array_size(ev.calls) == 0)
            __builtin_trap();
    }
    hook_event_release(&ev);
    /* The same bytes as a patch. */
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    json_t *files = json_array();
    if (files && hook_patch_files(text, files) == 0) {
        size_t i;
        json_t *f;
        if (json_array_size(files) > HOOK_MAX_FILES)
            __builtin_trap();
        json_array_foreach(files, i, f)
            if (!json_string_length(json_object_get(f, "path")))
                __builtin_trap();
    }
    json_decref(files);
    free(text);
    /* An answer is JSON (or nothing). */
    char *out = NULL;
    if (hook_answer(a, (enum hook_decision)(size % 4), "a reason with \"quotes\" and \n", &out) ==
            0 &&
        *out) {
        json_t *j = json_loads(out, 0, NULL);
        if (!j)
            __builtin_trap();
        json_decref(j);
    }
    free(out);
    return 0;
}
