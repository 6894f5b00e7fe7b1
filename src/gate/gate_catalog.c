/*
 * gate_catalog.c - the upstream's tools, their facts and their actions.
 */
#include <sodium.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_agent.h"
#include "gate_catalog.h"

static const char *const fixed_groups[] = {
    "call_tool",  "read_only",     "destructive",     "idempotent",
    "open_world", "read_resource", "get_prompt",      "server_requests",
    "sampling",   "elicitation",   "sampling_answer", "elicitation_answer",
};

/* The server's requests and the client's answers (gate.h). */
static const char *const server_actions[] = {
    "sampling",
    "elicitation",
    "sampling_answer",
    "elicitation_answer",
};

/* Whether a tool of a "tools" object is put in the group name. */
static int
names_group(const json_t *tools, const char *name)
{
    const char *tool;
    json_t *facts;
    json_object_foreach((json_t *)tools, tool, facts) {
        size_t i;
        json_t *g;
        json_array_foreach(json_object_get(facts, "groups"), i, g)
            if (!strcmp(json_string_value(g), name))
                return 1;
    }
    return 0;
}

int
gate_reserved_name(const struct gate_config *cfg, const char *name)
{
    for (size_t i = 0; i < sizeof(fixed_groups) / sizeof(fixed_groups[0]); i++)
        if (!strcmp(name, fixed_groups[i]))
            return 1;
    if (!strncmp(name, "audience_", 9))
        return 1;
    if (names_group(cfg->tools, name))
        return 1;
    const char *server;
    json_t *s;
    json_object_foreach(cfg->servers, server, s)
        if (names_group(json_object_get(s, "tools"), name))
            return 1;
    return 0;
}

int
gate_tool_pin(const json_t *def, char out[65])
{
    static const char *const keys[] = {"name", "title", "description", "inputSchema",
                                       "annotations"};
    json_t *sub = json_object();
    if (!sub)
        return -1;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(def, keys[i]);
        if (v && json_object_set(sub, keys[i], v)) {
            json_decref(sub);
            return -1;
        }
    }
    char *text = json_dumps(sub, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(sub);
    if (!text)
        return -1;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    free(text);
    sodium_bin2hex(out, 65, h, sizeof(h));
    return 0;
}

/* The configuration's fact wins; a trusted upstream's annotation fills in. */
static void
merge_flag(signed char *dst, signed char cfg, signed char ann, int trusted, signed char dflt,
           int *from_ann)
{
    if (cfg != FACT_UNSET) {
        *dst = cfg;
    } else if (trusted && ann != FACT_UNSET) {
        *dst = ann;
        *from_ann = 1;
    } else {
        *dst = dflt;
    }
}

static int
tool_facts(struct gate_tool *t, const struct gate_config *cfg, const char *server,
           const json_t *def, char *err, size_t errlen)
{
    struct gate_facts c, a;
    gate_facts_init(&c);
    gate_facts_init(&a);
    int trusted = gate_config_trusted(cfg, server);
    /* The configuration was validated when it was loaded. */
    const json_t *conf = gate_config_tool(cfg, server, t->name);
    if (conf && gate_facts_from_json(&c, conf, 0, err, errlen))
        goto fail;
    gate_facts_from_json(&a, json_object_get(def, "annotations"), 1, err, errlen);
    struct gate_facts *f = &t->facts;
    gate_facts_init(f);
    merge_flag(&f->read_only, c.read_only, a.read_only, trusted, FACT_NO, &t->facts_trusted);
    /* MCP: destructiveHint is meaningful only when the tool is not read-only. */
    signed char ro = f->read_only == FACT_YES;
    merge_flag(&f->destructive, c.destructive, ro ? FACT_NO : a.destructive, trusted,
               ro ? FACT_NO : FACT_YES, &t->facts_trusted);
    merge_flag(&f->idempotent, c.idempotent, a.idempotent, trusted, FACT_NO, &t->facts_trusted);
    merge_flag(&f->open_world, c.open_world, a.open_world, trusted, FACT_YES, &t->facts_trusted);
    f->untrusted = c.untrusted == FACT_YES;
    /* Configuration-only facts move over whole. */
    f->audience = c.audience;
    f->audience_from = c.audience_from;
    f->sensitivity = c.sensitivity;
    f->tags = c.tags;
    f->groups = c.groups;
    f->commands = c.commands;
    c.audience_from = c.sensitivity = NULL;
    c.tags = c.groups = c.commands = NULL;
    gate_facts_release(&c);
    gate_facts_release(&a);
    return 0;
fail:
    gate_facts_release(&c);
    gate_facts_release(&a);
    return -1;
}

static int
by_name(const void *x, const void *y)
{
    return strcmp(((const struct gate_tool *)x)->name, ((const struct gate_tool *)y)->name);
}

static void
release_tools(struct gate_tool *tools, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(tools[i].name);
        gate_facts_release(&tools[i].facts);
    }
    free(tools);
}

static int
add_tool(struct gate_tool *t, const struct gate_config *cfg, const char *server, const json_t *def,
         char *err, size_t errlen)
{
    const json_t *name = json_object_get(def, "name");
    if (!json_is_string(name) || json_string_length(name) == 0) {
        snprintf(err, errlen, "the upstream listed a tool without a name");
        return -1;
    }
    memset(t, 0, sizeof(*t));
    gate_facts_init(&t->facts);
    if (!(t->name = strdup(json_string_value(name))) || gate_tool_pin(def, t->pin)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (strlen(t->name) != json_string_length(name) || gate_reserved_name(cfg, t->name))
        t->state = GATE_TOOL_RESERVED;
    return tool_facts(t, cfg, server, def, err, errlen);
}

int
gate_catalog_set(struct gate_catalog *cat, const struct gate_config *cfg, const char *server,
                 const json_t *tools, char *err, size_t errlen)
{
    size_t n = json_array_size(tools), i;
    if (n > GATE_MAX_TOOLS) {
        snprintf(err, errlen, "the upstream lists %zu tools, more than %u", n, GATE_MAX_TOOLS);
        return -1;
    }
    struct gate_tool *ts = calloc(n ? n : 1, sizeof(*ts));
    if (!ts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    json_t *def;
    json_array_foreach(tools, i, def) {
        if (add_tool(&ts[i], cfg, server, def, err, errlen)) {
            release_tools(ts, i + 1);
            return -1;
        }
    }
    qsort(ts, n, sizeof(*ts), by_name);
    for (i = 1; i < n; i++) {
        if (!strcmp(ts[i - 1].name, ts[i].name)) {
            snprintf(err, errlen, "the upstream lists the tool \"%s\" twice", ts[i].name);
            release_tools(ts, n);
            return -1;
        }
    }
    release_tools(cat->tools, cat->n);
    cat->tools = ts;
    cat->n = n;
    cat->known = 1;
    return 0;
}

const struct gate_tool *
gate_catalog_find(const struct gate_catalog *cat, const char *name)
{
    struct gate_tool key = {.name = (char *)name};
    return cat->n ? bsearch(&key, cat->tools, cat->n, sizeof(key), by_name) : NULL;
}

void
gate_catalog_release(struct gate_catalog *cat)
{
    release_tools(cat->tools, cat->n);
    memset(cat, 0, sizeof(*cat));
}

static int
add_parent(json_t *parents, const char *id)
{
    return json_array_append_new(parents, json_pack("{s:s, s:s}", "type", "Action", "id", id));
}

static int
add_action(json_t *arr, const char *id, json_t *parents)
{
    json_t *e = json_pack("{s:{s:s, s:s}, s:{}, s:o}", "uid", "type", "Action", "id", id, "attrs",
                          "parents", parents);
    return e ? json_array_append_new(arr, e) : -1;
}

static int
tool_action(json_t *arr, const struct gate_tool *t)
{
    const struct gate_facts *f = &t->facts;
    json_t *p = json_array();
    int rc = !p || add_parent(p, "call_tool");
    if (f->read_only == FACT_YES)
        rc |= add_parent(p, "read_only");
    if (f->destructive == FACT_YES)
        rc |= add_parent(p, "destructive");
    if (f->idempotent == FACT_YES)
        rc |= add_parent(p, "idempotent");
    if (f->open_world == FACT_YES)
        rc |= add_parent(p, "open_world");
    if (f->audience) {
        char g[32];
        snprintf(g, sizeof(g), "audience_%s", gate_audience_name(f->audience));
        rc |= add_parent(p, g);
    }
    size_t i;
    json_t *g;
    json_array_foreach(f->groups, i, g)
        rc |= add_parent(p, json_string_value(g));
    if (rc) {
        json_decref(p);
        return -1;
    }
    return add_action(arr, t->name, p);
}

/* Whether the catalogue has a tool called name. */
static int
listed(const char *name, void *arg)
{
    return gate_catalog_find(arg, name) != NULL;
}

static char *entities_text(const struct gate_catalog *cat);

/* With no tools listed (an agent's hook, a session before tools/list) the
 * actions are always the same: made once for the process (airlockd makes
 * a gate for every hook process it serves). */
static pthread_once_t empty_once = PTHREAD_ONCE_INIT;
static char *empty_text;

static void
make_empty(void)
{
    struct gate_catalog none = {0};
    empty_text = entities_text(&none);
}

char *
gate_catalog_entities(const struct gate_catalog *cat, size_t *len)
{
    char *text;
    if (cat->n == 0) {
        pthread_once(&empty_once, make_empty);
        text = empty_text ? strdup(empty_text) : NULL;
    } else {
        text = entities_text(cat);
    }
    if (text)
        *len = strlen(text);
    return text;
}

static char *
entities_text(const struct gate_catalog *cat)
{
    json_t *arr = json_array(), *ro = json_array();
    int rc = !arr || !ro || add_parent(ro, "read_only");
    json_t *ro2 = json_deep_copy(ro);
    rc = rc || !ro2 || add_action(arr, "read_resource", ro) || add_action(arr, "get_prompt", ro2);
    for (size_t i = 0; !rc && i < sizeof(server_actions) / sizeof(*server_actions); i++) {
        json_t *sr = json_array();
        rc = !sr || add_parent(sr, "server_requests") || add_action(arr, server_actions[i], sr);
    }
    for (size_t i = 0; !rc && i < cat->n; i++)
        if (cat->tools[i].state != GATE_TOOL_RESERVED)
            rc = tool_action(arr, &cat->tools[i]);
    /* The agents' own tools (an upstream's tool of the same name is its). */
    rc = rc || gate_agent_entities(arr, listed, (void *)cat);
    char *text = rc ? NULL : json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return text;
}

const json_t *
gate_tool_definition(const json_t *tools, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(tools, i, d) {
        const char *n = json_string_value(json_object_get(d, "name"));
        if (n && !strcmp(n, name))
            return d;
    }
    return NULL;
}
