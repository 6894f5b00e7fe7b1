/*
 * Fuzz target: airlockd's wire protocol (src/daemon/daemon_wire.h), the
 * parser every client frame goes through.  A frame that parses has every
 * field inside it and under its limit, and built again from its fields it
 * parses to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/daemon/daemon_wire.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_msg m, again;
    char err[128];
    if (wire_parse(data, size, &m, err, sizeof(err)))
        return 0;
    struct wire_buf w = {0};
    wire_begin(&w, (enum wire_type)m.type);
    for (int t = 1; t < WT_TAGS_END; t++) {
        if (!wire_has(&m, (enum wire_tag)t))
            continue;
        const char *p = m.f[t].p;
        if (p < (const char *)data || p + m.f[t].n > (const char *)data + size)
            __builtin_trap();
        int64_t v;
        (void)wire_number(&m, (enum wire_tag)t, &v);
        wire_add(&w, (enum wire_tag)t, p, m.f[t].n);
    }
    if (w.failed || wire_parse(w.b + 4, w.n - 4, &again, err, sizeof(err)) ||
        again.present != m.present || again.type != m.type)
        __builtin_trap();
    for (int t = 1; t < WT_TAGS_END; t++)
        if (wire_has(&m, (enum wire_tag)t) &&
            (again.f[t].n != m.f[t].n || memcmp(again.f[t].p, m.f[t].p, m.f[t].n)))
            __builtin_trap();
    wire_release(&w);
    return 0;
}
