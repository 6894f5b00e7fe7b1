/*
 * gate_pins.c - tool definitions pinned on first sight.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../ledger/ledger_tile.h"
#include "../util/util_file.h"
#include "gate_pins.h"

json_t *
gate_pins_load(const char *dir, char *err, size_t errlen)
{
    char *path = util_path_join(dir, GATE_PINS_FILE), *text;
    size_t len;
    json_error_t je;
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (access(path, F_OK) && errno == ENOENT) {
        free(path);
        return json_pack("{s:{}}", "servers");
    }
    if (util_read_file(path, GATE_PINS_MAX_BYTES, &text, &len, err, errlen)) {
        free(path);
        return NULL;
    }
    json_t *pins = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!pins || !json_is_object(json_object_get(pins, "servers"))) {
        snprintf(err, errlen, "%s: not a pins file%s%s", path, pins ? "" : ": ",
                 pins ? "" : je.text);
        json_decref(pins);
        pins = NULL;
    }
    free(path);
    return pins;
}

int
gate_pins_save(const char *dir, const json_t *pins, char *err, size_t errlen)
{
    char *path = util_path_join(dir, GATE_PINS_FILE);
    char *text = json_dumps(pins, JSON_INDENT(1) | JSON_SORT_KEYS);
    int rc = -1;
    if (!path || !text)
        snprintf(err, errlen, "out of memory");
    else if (ledger_write_file(path, text, strlen(text)))
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    else
        rc = 0;
    free(path);
    free(text);
    return rc;
}

static void
now_text(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
server_pins(json_t *pins, const char *server)
{
    json_t *servers = json_object_get(pins, "servers");
    json_t *s = json_object_get(servers, server);
    if (!json_is_object(s)) {
        s = json_object();
        if (!s || json_object_set_new(servers, server, s))
            return NULL;
    }
    return s;
}

int
gate_pins_apply(json_t *pins, const char *server, struct gate_catalog *cat, const json_t *tools,
                json_t **pinned, json_t **changed, int *dirty)
{
    json_t *sp = server_pins(pins, server);
    char since[32];
    now_text(since, sizeof(since));
    *pinned = json_array();
    *changed = json_array();
    *dirty = 0;
    if (!sp || !*pinned || !*changed)
        return -1;
    for (size_t i = 0; i < cat->n; i++) {
        struct gate_tool *t = &cat->tools[i];
        json_t *e = json_object_get(sp, t->name);
        const char *pin = json_string_value(json_object_get(e, "pin"));
        const char *seen = json_string_value(json_object_get(e, "seen"));
        if (!pin) {
            e = json_pack("{s:s, s:s, s:O, s:s}", "pin", t->pin, "seen", t->pin, "definition",
                          (json_t *)gate_tool_definition(tools, t->name), "since", since);
            if (!e || json_object_set_new(sp, t->name, e) ||
                json_array_append_new(*pinned, json_string(t->name)))
                return -1;
            *dirty = 1;
            continue;
        }
        if (strcmp(pin, t->pin)) {
            if (t->state == GATE_TOOL_OK)
                t->state = GATE_TOOL_CHANGED;
            if (json_array_append_new(*changed, json_string(t->name)))
                return -1;
        }
        if (!seen || strcmp(seen, t->pin)) {
            if (json_object_set_new(e, "seen", json_string(t->pin)) ||
                json_object_set(e, "definition", (json_t *)gate_tool_definition(tools, t->name)) ||
                json_object_set_new(e, "since", json_string(since)))
                return -1;
            *dirty = 1;
        }
    }
    return 0;
}

static int
wanted(const char *tool, char **names, int nnames)
{
    for (int i = 0; i < nnames; i++)
        if (!strcmp(names[i], tool))
            return 1;
    return nnames == 0;
}

int
gate_pins_accept(json_t *pins, const char *server, char **names, int nnames, json_t **accepted,
                 char *err, size_t errlen)
{
    json_t *sp = json_object_get(json_object_get(pins, "servers"), server);
    if (!json_is_object(sp)) {
        snprintf(err, errlen, "no tools of server \"%s\" are pinned", server);
        return -1;
    }
    for (int i = 0; i < nnames; i++) {
        if (!json_object_get(sp, names[i])) {
            snprintf(err, errlen, "server \"%s\" has no tool \"%s\"", server, names[i]);
            return -1;
        }
    }
    if (!(*accepted = json_array()))
        return -1;
    const char *tool;
    json_t *e;
    json_object_foreach(sp, tool, e) {
        json_t *seen = json_object_get(e, "seen");
        if (!wanted(tool, names, nnames) || !json_is_string(seen) ||
            json_equal(seen, json_object_get(e, "pin")))
            continue;
        if (json_object_set(e, "pin", seen) ||
            json_array_append_new(*accepted, json_string(tool))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

json_t *
gate_pins_take_unrecorded(json_t *pins)
{
    json_t *list = json_object_get(pins, "unrecorded");
    json_t *out = json_is_array(list) ? json_incref(list) : json_array();
    json_object_del(pins, "unrecorded");
    return out;
}

json_t *
gate_pins_definitions(const char *dir, const char *server, char *err, size_t errlen)
{
    json_t *pins = gate_pins_load(dir, err, errlen), *out = json_array();
    if (!pins || !out) {
        json_decref(pins);
        json_decref(out);
        if (pins)
            snprintf(err, errlen, "out of memory");
        return NULL;
    }
    const json_t *mine = json_object_get(json_object_get(pins, "servers"), server ? server : "");
    const char *name;
    json_t *entry;
    json_object_foreach((json_t *)mine, name, entry) {
        const json_t *def = json_object_get(entry, "definition");
        if (json_is_object(def) && json_array_append(out, (json_t *)def)) {
            snprintf(err, errlen, "out of memory");
            json_decref(out);
            out = NULL;
            break;
        }
    }
    json_decref(pins);
    return out;
}
