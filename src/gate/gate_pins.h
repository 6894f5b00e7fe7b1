/*
 * gate_pins.h - tool definitions pinned on first sight.
 *
 * The first time airlock sees an upstream's tool it pins the definition's
 * hash (gate_tool_pin) in DIR/pins.json.  When a later list shows a
 * different definition under the same name, the tool is marked changed:
 * hidden from tools/list and refused, until a person accepts the new
 * definition (`airlock pins accept`).  A tool that is new by name is pinned
 * on first sight, as the first list was.
 *
 *   {"servers": {"<server>": {"<tool>": {"pin": HEX,
 *        "seen": HEX, "definition": {...}, "since": TIME}}}}
 *
 * "pin" is the accepted hash, "seen" the latest one observed with its
 * definition (shown by `airlock pins`).  "unrecorded" (top level) lists
 * acceptances made while a gateway held the ledger; the gateway writes
 * them to the ledger (gate_pins_take_unrecorded) when it reads the pins.
 */
#ifndef GATE_PINS_H
#define GATE_PINS_H

#include <jansson.h>

#include "gate_catalog.h"

#define GATE_PINS_FILE "pins.json"
#define GATE_PINS_MAX_BYTES (64u * 1024 * 1024)

/* Load DIR/pins.json (an absent file is an empty one).  NULL with err. */
json_t *gate_pins_load(const char *dir, char *err, size_t errlen);
/* Write it atomically (temporary file, fsync, rename). */
int gate_pins_save(const char *dir, const json_t *pins, char *err, size_t errlen);

/*
 * Compare the catalogue (built from the definitions in tools, a JSON array)
 * with the pins of server: pin new tools, mark changed ones, record what
 * was seen.  *pinned / *changed get arrays of tool names (new pins, changed
 * definitions; caller owns them).  *dirty says whether pins needs saving.
 */
int gate_pins_apply(json_t *pins, const char *server, struct gate_catalog *cat, const json_t *tools,
                    json_t **pinned, json_t **changed, int *dirty);

/* The definitions pinned for server in DIR/pins.json (each tool's last
 * seen), as a JSON array (caller owns it), or NULL with err. */
json_t *gate_pins_definitions(const char *dir, const char *server, char *err, size_t errlen);
/* Remove and return the "unrecorded" acceptances (an array, maybe empty). */
json_t *gate_pins_take_unrecorded(json_t *pins);

/* Accept the seen definitions of the named tools (all changed ones when
 * names is empty) of server; *accepted lists them. */
int gate_pins_accept(json_t *pins, const char *server, char **names, int nnames, json_t **accepted,
                     char *err, size_t errlen);

#endif
