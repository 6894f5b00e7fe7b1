/*
 * Fuzz target: the gateway's configuration file and the tool catalogue
 * built from an upstream's tool list (both JSON from outside).
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "../src/gate/gate_catalog.h"
#include "../src/gate/gate_config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gate_config c;
    char err[512];
    gate_config_init(&c);
    if (gate_config_parse(&c, "fuzz", (const char *)data, size, err, sizeof(err)) == 0) {
        /* The same bytes as a tool list, judged by this configuration. */
        json_t *tools = json_loadb((const char *)data, size, 0, NULL);
        json_t *list = json_object_get(tools, "tools");
        struct gate_catalog cat = {0};
        /* As the first server it names, if any: its own facts count. */
        void *first = json_object_iter(c.servers);
        const char *server = first ? json_object_iter_key(first) : "fuzz";
        if (json_is_array(list) &&
            gate_catalog_set(&cat, &c, server, list, err, sizeof(err)) == 0) {
            size_t n;
            char *ents = gate_catalog_entities(&cat, &n);
            free(ents);
        }
        gate_catalog_release(&cat);
        json_decref(tools);
    }
    gate_config_release(&c);
    return 0;
}
