/*
 * gate_schema.c - the Cedar schema of airlock's requests (gate_schema.h).
 * The action hierarchy is the catalogue's own (gate_catalog_entities):
 * what policies are decided against is what the schema says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cedar/cedar.h"
#include "../cedar/cedar_schema.h"
#include "gate_agent.h"
#include "gate_catalog.h"
#include "gate_schema.h"

/* Nesting of a tool's input typed; deeper members are left untyped. */
#define GATE_SCHEMA_INPUT_DEPTH 16u

static const char preamble[] =
    "// The Cedar schema of airlock's requests (docs/cedar.md, \"Schemas\").\n"
    "entity Group in [Group];\n"
    "entity User in [Group];\n"
    "entity Agent in [Group];\n"
    "entity McpServer;\n"
    "entity Workspace;\n"
    "type Tool = {\n"
    "  name: __cedar::String, readOnly: __cedar::Bool, destructive: __cedar::Bool,\n"
    "  idempotent: __cedar::Bool, openWorld: __cedar::Bool, untrusted: __cedar::Bool,\n"
    "  annotationsTrusted: __cedar::Bool, audience?: __cedar::String,\n"
    "  sensitivity?: __cedar::String, tags: Set<__cedar::String>\n"
    "};\n"
    "type Session = {\n"
    "  id: __cedar::String, calls: __cedar::Long, untrustedInput: __cedar::Bool,\n"
    "  sensitiveData: __cedar::Bool, externalEffect: __cedar::Bool\n"
    "};\n"
    "type Effects = {\n"
    "  untrustedInput: __cedar::Bool, sensitiveData: __cedar::Bool,\n"
    "  externalEffect: __cedar::Bool\n"
    "};\n"
    "type Finding = {\n"
    "  rule: __cedar::String, category: __cedar::String, severity: __cedar::String,\n"
    "  argument: __cedar::String, start: __cedar::Long, end: __cedar::Long,\n"
    "  text: __cedar::String, change?: __cedar::String, breadth?: __cedar::String,\n"
    "  privilege?: __cedar::String, grantee?: __cedar::String,\n"
    "  object?: { kind: __cedar::String, name: __cedar::String }\n"
    "};\n"
    "type Findings = {\n"
    "  count: __cedar::Long, severity: __cedar::Long, categories: Set<__cedar::String>,\n"
    "  rules: Set<__cedar::String>, items: Set<Finding>, widest: __cedar::String,\n"
    "  changes: Set<__cedar::String>\n"
    "};\n"
    "type Path = { name: __cedar::String, sensitive: __cedar::Bool };\n";

/* What every decided request's context has beside its input. */
static const char common_context[] =
    "session: Session, effects: Effects, findings: Findings, user: User,\n"
    "    time: __cedar::datetime, method: __cedar::String, approved: __cedar::Bool";

/* The groups that always exist (a policy may name one no tool is in). */
static const char *const fixed_groups[] = {
    "call_tool",     "read_only",     "destructive",      "idempotent",      "open_world",
    "audience_self", "audience_team", "audience_company", "audience_public", "server_requests",
    "agent_tool",    "shell",         "file_read",        "file_write",      "web_fetch",
};

static int
put_name(struct util_buf *b, const char *s)
{
    return cedar_print_string(b, s, strlen(s));
}

/* An attribute's name: an identifier when it reads as one. */
static int
put_key(struct util_buf *b, const char *s)
{
    size_t n = strlen(s);
    return cedar_is_ident(s, n) ? util_buf_add(b, s, n) : cedar_print_string(b, s, n);
}

/* A JSON Schema as a Cedar type, or 0 written when it has none. */
static int input_type(struct util_buf *b, const json_t *js, unsigned depth, int *typed);

static const char *
schema_type(const json_t *js, int *nullable)
{
    const json_t *t = json_object_get(js, "type");
    *nullable = 0;
    if (json_is_string(t))
        return json_string_value(t);
    if (json_is_array(t)) {
        const char *one = NULL;
        size_t i;
        json_t *x;
        json_array_foreach(t, i, x) {
            if (!json_is_string(x))
                return NULL;
            if (!strcmp(json_string_value(x), "null"))
                *nullable = 1;
            else if (one)
                return NULL; /* a union: no one type */
            else
                one = json_string_value(x);
        }
        return one;
    }
    /* an enum of strings alone */
    const json_t *e = json_object_get(js, "enum");
    if (json_is_array(e) && json_array_size(e)) {
        size_t i;
        json_t *x;
        json_array_foreach(e, i, x)
            if (!json_is_string(x))
                return NULL;
        return "string";
    }
    return NULL;
}

static int
record_type(struct util_buf *b, const json_t *js, unsigned depth, int *typed)
{
    const json_t *props = json_object_get(js, "properties"), *req = json_object_get(js, "required");
    const char *k;
    json_t *v;
    int first = 1;
    *typed = 1;
    if (util_buf_puts(b, "{"))
        return -1;
    json_object_foreach((json_t *)props, k, v) {
        struct util_buf one;
        int t = 0, nullable = 0, required = 0;
        util_buf_init(&one, 1u << 20);
        (void)schema_type(v, &nullable);
        if (input_type(&one, v, depth + 1, &t)) {
            util_buf_free(&one);
            return -1;
        }
        size_t i;
        json_t *r;
        json_array_foreach(req, i, r)
            if (json_is_string(r) && !strcmp(json_string_value(r), k))
                required = !nullable;
        int rc = 0;
        if (t)
            rc = (!first && util_buf_puts(b, ", ")) || put_key(b, k) ||
                 util_buf_puts(b, required ? ": " : "?: ") ||
                 util_buf_add(b, one.p ? one.p : "", one.len);
        first = first && !t;
        util_buf_free(&one);
        if (rc)
            return -1;
    }
    return util_buf_puts(b, "}");
}

static int
input_type(struct util_buf *b, const json_t *js, unsigned depth, int *typed)
{
    int nullable;
    const char *t = json_is_object(js) ? schema_type(js, &nullable) : NULL;
    *typed = 0;
    if (!t || depth > GATE_SCHEMA_INPUT_DEPTH)
        return 0;
    if (!strcmp(t, "string") || !strcmp(t, "integer") || !strcmp(t, "boolean")) {
        *typed = 1;
        return util_buf_puts(b, !strcmp(t, "string")    ? "__cedar::String"
                                : !strcmp(t, "integer") ? "__cedar::Long"
                                                        : "__cedar::Bool");
    }
    if (!strcmp(t, "array")) {
        struct util_buf one;
        int et = 0;
        util_buf_init(&one, 1u << 20);
        int rc = input_type(&one, json_object_get(js, "items"), depth + 1, &et);
        if (!rc && et)
            rc = util_buf_puts(b, "Set<") || util_buf_add(b, one.p, one.len) ||
                 util_buf_puts(b, ">");
        *typed = et;
        util_buf_free(&one);
        return rc;
    }
    if (!strcmp(t, "object") && json_is_object(json_object_get(js, "properties")))
        return record_type(b, js, depth, typed);
    return 0;
}

/* The action entities' parents, as Cedar's "in [...]". */
static int
put_parents(struct util_buf *b, const json_t *parents)
{
    size_t i;
    json_t *p;
    if (!json_array_size(parents))
        return 0;
    if (util_buf_puts(b, " in ["))
        return -1;
    json_array_foreach(parents, i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        if ((i && util_buf_puts(b, ", ")) || put_name(b, id ? id : ""))
            return -1;
    }
    return util_buf_puts(b, "]");
}

/* A tool's input type: a record from its input schema, or {} */
static int
tool_input(struct util_buf *b, const json_t *def)
{
    int typed = 0;
    struct util_buf one;
    util_buf_init(&one, 1u << 22);
    int rc = input_type(&one, json_object_get(def, "inputSchema"), 0, &typed);
    rc =
        rc || (typed && one.p[0] == '{' ? util_buf_add(b, one.p, one.len) : util_buf_puts(b, "{}"));
    util_buf_free(&one);
    return rc;
}

/* An agent's own tool: the input members airlock reads (a file's path, a
 * URL).  A shell command is not typed: agents give it as a string or as
 * an argv; context.command has the programs it runs, whichever. */
static int
agent_input(struct util_buf *b, const struct gate_agent_tool *t)
{
    if (util_buf_puts(b, "{"))
        return -1;
    int n = 0;
    if (t->path && ((n++ && util_buf_puts(b, ", ")) || put_key(b, t->path) ||
                    util_buf_puts(b, "?: __cedar::String")))
        return -1;
    if (t->url && ((n++ && util_buf_puts(b, ", ")) || put_key(b, t->url) ||
                   util_buf_puts(b, "?: __cedar::String")))
        return -1;
    return util_buf_puts(b, "}");
}

/* The requests a group's members are: its own appliesTo, so that a policy
 * naming a group no tool is in yet validates (a group is never itself
 * requested: a tool named like one is refused, gate_catalog.h). */
enum family { FAMILY_TOOL, FAMILY_AGENT, FAMILY_REQUEST };

static enum family
family_of(const char *group)
{
    static const char *const agent[] = {"agent_tool", "shell", "file_read", "file_write",
                                        "web_fetch"};
    for (size_t i = 0; i < sizeof(agent) / sizeof(*agent); i++)
        if (!strcmp(group, agent[i]))
            return FAMILY_AGENT;
    return strcmp(group, "server_requests") ? FAMILY_TOOL : FAMILY_REQUEST;
}

/* appliesTo for a request of family f, its input of type input (NULL:
 * not typed here, {}). */
static int
put_applies(struct util_buf *b, enum family f, const struct util_buf *input)
{
    const char *in = input && input->len ? util_buf_str(input) : "{}";
    if (f == FAMILY_AGENT)
        return util_buf_puts(b, " appliesTo {\n  principal: [Agent], resource: [Workspace],\n"
                                "  context: {\n    input: ") ||
               util_buf_puts(b, in) ||
               util_buf_puts(b, ",\n    command: Set<__cedar::String>, path?: Path, url?: "
                                "__cedar::String,\n    ") ||
               util_buf_puts(b, common_context) || util_buf_puts(b, "\n  }\n}");
    return util_buf_puts(b, " appliesTo {\n  principal: [Agent], resource: [McpServer],\n"
                            "  context: {\n    input: ") ||
           util_buf_puts(b, in) ||
           util_buf_puts(b, f == FAMILY_TOOL ? ",\n    tool: Tool, " : ", ") ||
           util_buf_puts(b, common_context) || util_buf_puts(b, "\n  }\n}");
}

static int
group_listed(const json_t *seen, const char *id)
{
    return json_object_get(seen, id) != NULL;
}

int
gate_schema_generate(const struct gate_config *cfg, const char *server, const json_t *tools,
                     struct util_buf *b, char *err, size_t errlen)
{
    struct gate_catalog cat = {0};
    size_t len, i, j;
    char *text = NULL;
    json_t *none = json_array(), *ents = NULL, *groups = json_object(), *ids = json_object(), *e,
           *p;
    int rc = -1;
    if (!none || !groups || !ids)
        goto nomem;
    if (gate_catalog_set(&cat, cfg, server, tools ? tools : none, err, errlen))
        goto out;
    if (!(text = gate_catalog_entities(&cat, &len)) || !(ents = json_loads(text, 0, NULL)))
        goto nomem;
    /* the groups: the fixed ones and every parent named; the actions */
    for (i = 0; i < sizeof(fixed_groups) / sizeof(*fixed_groups); i++)
        json_object_set_new(groups, fixed_groups[i], json_true());
    json_array_foreach(ents, i, e) {
        const char *id = json_string_value(json_object_get(json_object_get(e, "uid"), "id"));
        if (id)
            json_object_set_new(ids, id, json_true());
        json_array_foreach(json_object_get(e, "parents"), j, p) {
            const char *pid = json_string_value(json_object_get(p, "id"));
            if (pid)
                json_object_set_new(groups, pid, json_true());
        }
    }
    if (util_buf_puts(b, preamble) || util_buf_puts(b, "\n// Groups of actions.\n"))
        goto nomem;
    const char *g;
    json_t *unused;
    json_object_foreach(groups, g, unused) {
        if (group_listed(ids, g))
            continue; /* an action below too (the agents' groups) */
        int in_agent = family_of(g) == FAMILY_AGENT && strcmp(g, "agent_tool");
        if (util_buf_puts(b, "action ") || put_name(b, g) ||
            (in_agent && util_buf_puts(b, " in [\"agent_tool\"]")) ||
            put_applies(b, family_of(g), NULL) || util_buf_puts(b, ";\n"))
            goto nomem;
    }
    if (util_buf_puts(b, "\n// MCP's requests, the upstream's tools, the agents' own tools.\n"))
        goto nomem;
    json_array_foreach(ents, i, e) {
        const char *id = json_string_value(json_object_get(json_object_get(e, "uid"), "id"));
        if (!id)
            continue;
        const struct gate_tool *t = gate_catalog_find(&cat, id);
        const struct gate_agent_tool *at = t ? NULL : gate_agent_tool(id);
        struct util_buf in;
        util_buf_init(&in, 1u << 22);
        /* a group: its members' family; MCP's other requests (resources/
         * read, prompts/get, the server's requests and the answers to
         * them): their input is MCP's, not typed here */
        enum family f = t                          ? FAMILY_TOOL
                        : group_listed(groups, id) ? family_of(id)
                        : at                       ? FAMILY_AGENT
                                                   : FAMILY_REQUEST;
        int rcw = (t && tool_input(&in, gate_tool_definition(tools ? tools : none, id))) ||
                  (at && !group_listed(groups, id) && agent_input(&in, at)) ||
                  util_buf_puts(b, "action ") || put_name(b, id) ||
                  put_parents(b, json_object_get(e, "parents")) || put_applies(b, f, &in) ||
                  util_buf_puts(b, ";\n");
        util_buf_free(&in);
        if (rcw)
            goto nomem;
    }
    rc = 0;
    goto out;
nomem:
    snprintf(err, errlen, "out of memory, or the schema is too large");
out:
    gate_catalog_release(&cat);
    free(text);
    json_decref(ents);
    json_decref(groups);
    json_decref(ids);
    json_decref(none);
    return rc;
}
