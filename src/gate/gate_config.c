/*
 * gate_config.c - the gateway's configuration file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util_file.h"
#include "../inspect/inspect.h"
#include "gate_config.h"

#define CONFIG_MAX_BYTES (4u * 1024 * 1024)

/* Passed to the upstream when the file has no "env": what a program needs
 * to find itself and its files, and nothing that carries credentials. */
static const char *const default_env[] = {
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR",
};

static const char *const audience_names[] = {NULL, "self", "team", "company", "public"};

const char *
gate_audience_name(enum gate_audience a)
{
    return a > GATE_AUD_UNKNOWN && a <= GATE_AUD_PUBLIC ? audience_names[a] : NULL;
}

static const char *const sensitivity_names[] = {"public", "internal", "confidential", "secret"};

int
gate_sensitivity_valid(const char *s)
{
    for (size_t i = 0; i < sizeof(sensitivity_names) / sizeof(sensitivity_names[0]); i++)
        if (!strcmp(s, sensitivity_names[i]))
            return 1;
    return 0;
}

int
gate_sensitivity_high(const char *s)
{
    return s && (!strcmp(s, "confidential") || !strcmp(s, "secret"));
}

enum gate_audience
gate_audience_parse(const char *s)
{
    for (int i = GATE_AUD_SELF; i <= GATE_AUD_PUBLIC; i++)
        if (!strcmp(s, audience_names[i]))
            return (enum gate_audience)i;
    return GATE_AUD_UNKNOWN;
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void
gate_facts_init(struct gate_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->read_only = f->destructive = f->idempotent = f->open_world = f->untrusted = FACT_UNSET;
}

void
gate_facts_release(struct gate_facts *f)
{
    free(f->audience_from);
    free(f->sensitivity);
    json_decref(f->tags);
    json_decref(f->groups);
    json_decref(f->commands);
    gate_facts_init(f);
}

static int
string_array(const json_t *v, const char *what, json_t **out, char *err, size_t errlen)
{
    size_t i;
    json_t *s;
    if (!json_is_array(v) || json_array_size(v) > GATE_MAX_TAGS)
        return fail(err, errlen, "\"%s\" must be an array of at most %u strings", what,
                    GATE_MAX_TAGS);
    json_array_foreach(v, i, s) {
        if (!json_is_string(s) || json_string_length(s) == 0 ||
            strlen(json_string_value(s)) != json_string_length(s))
            return fail(err, errlen, "\"%s\" must hold non-empty strings", what);
    }
    *out = json_incref((json_t *)v);
    return 0;
}

/* MCP annotations: hints from the server, read leniently (a value of the
 * wrong type is no claim at all). */
static void
facts_from_annotations(struct gate_facts *f, const json_t *o)
{
    static const struct {
        const char *key;
        size_t off;
    } hints[] = {
        {"readOnlyHint", offsetof(struct gate_facts, read_only)},
        {"destructiveHint", offsetof(struct gate_facts, destructive)},
        {"idempotentHint", offsetof(struct gate_facts, idempotent)},
        {"openWorldHint", offsetof(struct gate_facts, open_world)},
    };
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
        const json_t *v = json_object_get(o, hints[i].key);
        if (json_is_boolean(v))
            *((signed char *)f + hints[i].off) = json_is_true(v) ? FACT_YES : FACT_NO;
    }
}

static int
fact_member(struct gate_facts *f, const char *key, const json_t *v, char *err, size_t errlen)
{
    static const struct {
        const char *key;
        size_t off;
    } flags[] = {
        {"readOnly", offsetof(struct gate_facts, read_only)},
        {"destructive", offsetof(struct gate_facts, destructive)},
        {"idempotent", offsetof(struct gate_facts, idempotent)},
        {"openWorld", offsetof(struct gate_facts, open_world)},
        {"untrusted", offsetof(struct gate_facts, untrusted)},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (strcmp(key, flags[i].key))
            continue;
        if (!json_is_boolean(v))
            return fail(err, errlen, "\"%s\" must be true or false", key);
        *((signed char *)f + flags[i].off) = json_is_true(v) ? FACT_YES : FACT_NO;
        return 0;
    }
    if (!strcmp(key, "audience")) {
        if (!json_is_string(v) || !(f->audience = gate_audience_parse(json_string_value(v))))
            return fail(err, errlen,
                        "\"audience\" must be \"self\", \"team\", \"company\" or \"public\"");
        return 0;
    }
    if (!strcmp(key, "sensitivity")) {
        if (!json_is_string(v) || !gate_sensitivity_valid(json_string_value(v)))
            return fail(err, errlen,
                        "\"sensitivity\" must be \"public\", \"internal\", "
                        "\"confidential\" or \"secret\"");
        free(f->sensitivity);
        if (!(f->sensitivity = strdup(json_string_value(v))))
            return fail(err, errlen, "out of memory");
        return 0;
    }
    if (!strcmp(key, "audienceFrom")) {
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > GATE_NAME_MAX ||
            strlen(json_string_value(v)) != json_string_length(v))
            return fail(err, errlen, "\"%s\" must be a string of 1 to %d characters", key,
                        GATE_NAME_MAX);
        free(f->audience_from);
        if (!(f->audience_from = strdup(json_string_value(v))))
            return fail(err, errlen, "out of memory");
        return 0;
    }
    if (!strcmp(key, "tags"))
        return string_array(v, key, &f->tags, err, errlen);
    if (!strcmp(key, "groups"))
        return string_array(v, key, &f->groups, err, errlen);
    if (!strcmp(key, "commands"))
        return string_array(v, key, &f->commands, err, errlen);
    return fail(err, errlen, "unknown member \"%s\"", key);
}

int
gate_facts_from_json(struct gate_facts *f, const json_t *o, int annotations, char *err,
                     size_t errlen)
{
    if (!json_is_object(o))
        return annotations ? 0 : fail(err, errlen, "a tool's facts must be an object");
    if (annotations) {
        facts_from_annotations(f, o);
        return 0;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        if (fact_member(f, key, v, err, errlen))
            return -1;
    }
    return 0;
}

void
gate_config_init(struct gate_config *c)
{
    memset(c, 0, sizeof(*c));
    c->max_line = GATE_DEFAULT_MAX_LINE;
    c->max_logged_args = GATE_DEFAULT_MAX_LOGGED_ARGS;
    c->tools = json_object();
}

void
gate_config_release(struct gate_config *c)
{
    free(c->server_name);
    free(c->agent);
    for (size_t i = 0; i < c->nenv; i++)
        free(c->env[i]);
    free(c->env);
    json_decref(c->tools);
    json_decref(c->servers);
    json_decref(c->users);
    json_decref(c->approvals);
    json_decref(c->org_domains);
    json_decref(c->org_groups);
    memset(c, 0, sizeof(*c));
}

static int
set_string(char **dst, const json_t *v, const char *what, char *err, size_t errlen)
{
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 256 ||
        strlen(json_string_value(v)) != json_string_length(v))
        return fail(err, errlen, "%s must be a string of 1 to 256 characters", what);
    free(*dst);
    *dst = strdup(json_string_value(v));
    return *dst ? 0 : fail(err, errlen, "out of memory");
}

static int
load_server(struct gate_config *c, const json_t *s, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    if (!json_is_object(s))
        return fail(err, errlen, "\"server\" must be an object");
    json_object_foreach((json_t *)s, key, v) {
        if (!strcmp(key, "name")) {
            if (set_string(&c->server_name, v, "\"server.name\"", err, errlen))
                return -1;
        } else if (!strcmp(key, "trusted")) {
            if (!json_is_boolean(v))
                return fail(err, errlen, "\"server.trusted\" must be true or false");
            c->trusted = json_is_true(v);
        } else {
            return fail(err, errlen, "unknown member \"server.%s\"", key);
        }
    }
    return 0;
}

static int
load_env(struct gate_config *c, const json_t *v, char *err, size_t errlen)
{
    size_t i;
    json_t *s;
    if (!json_is_array(v) || json_array_size(v) > GATE_MAX_ENV)
        return fail(err, errlen, "\"env\" must be an array of at most %u strings", GATE_MAX_ENV);
    c->env = calloc(json_array_size(v) + 1, sizeof(*c->env));
    if (!c->env)
        return fail(err, errlen, "out of memory");
    c->env_given = 1;
    json_array_foreach(v, i, s) {
        const char *str = json_string_value(s);
        if (!str || !*str || *str == '=' || strlen(str) != json_string_length(s))
            return fail(err, errlen, "\"env\" must hold NAME or NAME=value strings");
        if (!(c->env[c->nenv++] = strdup(str)))
            return fail(err, errlen, "out of memory");
    }
    return 0;
}

static int
load_size(size_t *dst, const json_t *v, const char *what, size_t lo, size_t hi, char *err,
          size_t errlen)
{
    if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
        json_integer_value(v) > (json_int_t)hi)
        return fail(err, errlen, "\"%s\" must be an integer from %zu to %zu", what, lo, hi);
    *dst = (size_t)json_integer_value(v);
    return 0;
}

/* A "tools" object (what names where it is): every tool's facts valid. */
static int
check_tools(const json_t *t, const char *what, char *err, size_t errlen)
{
    const char *name;
    json_t *v;
    if (!json_is_object(t) || json_object_size(t) > GATE_MAX_TOOLS)
        return fail(err, errlen, "\"%s\" must be an object of at most %u tools", what,
                    GATE_MAX_TOOLS);
    json_object_foreach((json_t *)t, name, v) {
        struct gate_facts f;
        char why[256];
        gate_facts_init(&f);
        int rc = gate_facts_from_json(&f, v, 0, why, sizeof(why));
        gate_facts_release(&f);
        if (rc)
            return fail(err, errlen, "tool \"%s\": %s", name, why);
    }
    return 0;
}

static int
load_tools(struct gate_config *c, const json_t *t, char *err, size_t errlen)
{
    if (check_tools(t, "tools", err, errlen))
        return -1;
    json_decref(c->tools);
    c->tools = json_incref((json_t *)t);
    return 0;
}

/* "servers": {"wiki": {"trusted": true, "tools": {...}}}. */
static int
load_servers(struct gate_config *c, const json_t *v, char *err, size_t errlen)
{
    const char *name, *key;
    json_t *s, *m;
    if (!json_is_object(v) || json_object_size(v) > GATE_MAX_SERVERS)
        return fail(err, errlen, "\"servers\" must be an object of at most %u servers",
                    GATE_MAX_SERVERS);
    json_object_foreach((json_t *)v, name, s) {
        char what[GATE_NAME_MAX + 32];
        snprintf(what, sizeof(what), "servers.%.*s", GATE_NAME_MAX, name);
        if (!json_is_object(s))
            return fail(err, errlen, "\"%s\" must be an object", what);
        json_object_foreach(s, key, m) {
            if (!strcmp(key, "trusted") && !json_is_boolean(m))
                return fail(err, errlen, "\"%s.trusted\" must be true or false", what);
            if (!strcmp(key, "tools") && check_tools(m, what, err, errlen))
                return -1;
            if (strcmp(key, "trusted") && strcmp(key, "tools"))
                return fail(err, errlen, "unknown member \"%s.%s\"", what, key);
        }
    }
    json_decref(c->servers);
    c->servers = json_incref((json_t *)v);
    return 0;
}

const json_t *
gate_config_tool(const struct gate_config *c, const char *server, const char *tool)
{
    const json_t *own =
        json_object_get(json_object_get(json_object_get(c->servers, server), "tools"), tool);
    return own ? own : json_object_get(c->tools, tool);
}

int
gate_config_trusted(const struct gate_config *c, const char *server)
{
    const json_t *t = json_object_get(json_object_get(c->servers, server), "trusted");
    return t ? json_is_true(t) : c->trusted;
}

/* "users": {"alice": ["forum-helper", ...]}: who may run which agents
 * (airlockd; the user is what the kernel says a connection is). */
static int
load_users(struct gate_config *c, const json_t *v, char *err, size_t errlen)
{
    const char *name;
    json_t *agents, *checked;
    if (!json_is_object(v) || json_object_size(v) > GATE_MAX_USERS)
        return fail(err, errlen, "\"users\" must be an object of at most %u users", GATE_MAX_USERS);
    json_object_foreach((json_t *)v, name, agents) {
        char what[GATE_NAME_MAX + 32];
        snprintf(what, sizeof(what), "users.%.*s", GATE_NAME_MAX, name);
        if (string_array(agents, what, &checked, err, errlen))
            return -1;
        json_decref(checked);
    }
    json_decref(c->users);
    c->users = json_incref((json_t *)v);
    return 0;
}

/* "organization": {"domains": ["acme.example"], "broadGroups":
 * ["all-employees@acme.example", "everyone"]}. */
static int
load_org(struct gate_config *c, const json_t *v, char *err, size_t errlen)
{
    const char *key;
    json_t *m;
    if (!json_is_object(v))
        return fail(err, errlen, "\"organization\" must be an object");
    json_object_foreach((json_t *)v, key, m) {
        json_t **dst = !strcmp(key, "domains")       ? &c->org_domains
                       : !strcmp(key, "broadGroups") ? &c->org_groups
                                                     : NULL;
        size_t i;
        json_t *s;
        if (!dst)
            return fail(err, errlen, "unknown member \"organization.%s\"", key);
        if (!json_is_array(m) || json_array_size(m) > INSPECT_MAX_ORG_NAMES)
            return fail(err, errlen, "\"organization.%s\" must be an array of at most %u strings",
                        key, INSPECT_MAX_ORG_NAMES);
        json_array_foreach(m, i, s) {
            if (!json_is_string(s) || json_string_length(s) == 0 ||
                json_string_length(s) >= INSPECT_MAX_ACCESS_TEXT ||
                strlen(json_string_value(s)) != json_string_length(s))
                return fail(err, errlen, "\"organization.%s\" must hold names of 1 to %u bytes",
                            key, INSPECT_MAX_ACCESS_TEXT - 1);
        }
        json_decref(*dst);
        *dst = json_incref(m);
    }
    size_t n = json_array_size(c->org_domains) + json_array_size(c->org_groups);
    if (n > INSPECT_MAX_ORG_NAMES)
        return fail(err, errlen, "\"organization\" names more than %u domains and groups",
                    INSPECT_MAX_ORG_NAMES);
    return 0;
}

int
gate_config_org(const struct gate_config *c, struct inspect *in, char *err, size_t errlen)
{
    const char *d[INSPECT_MAX_ORG_NAMES], *g[INSPECT_MAX_ORG_NAMES];
    size_t nd = 0, ng = 0, i;
    json_t *s;
    if (!c || (!c->org_domains && !c->org_groups))
        return 0;
    json_array_foreach(c->org_domains, i, s)
        if (nd < INSPECT_MAX_ORG_NAMES)
            d[nd++] = json_string_value(s);
    json_array_foreach(c->org_groups, i, s)
        if (ng < INSPECT_MAX_ORG_NAMES)
            g[ng++] = json_string_value(s);
    return inspect_set_org(in, d, nd, g, ng, err, errlen);
}

/* "hooks": {"permitted": "defer" | "allow"} (docs/hooks.md). */
static int
load_hooks(struct gate_config *c, const json_t *v, char *err, size_t errlen)
{
    const char *key;
    json_t *m;
    if (!json_is_object(v))
        return fail(err, errlen, "\"hooks\" must be an object");
    json_object_foreach((json_t *)v, key, m) {
        const char *s = json_string_value(m);
        if (strcmp(key, "permitted"))
            return fail(err, errlen, "unknown member \"hooks.%s\"", key);
        if (!s || (strcmp(s, "defer") && strcmp(s, "allow")))
            return fail(err, errlen, "\"hooks.permitted\" is \"defer\" or \"allow\"");
        c->hooks_allow = !strcmp(s, "allow");
    }
    return 0;
}

static int
load_member(struct gate_config *c, const char *key, const json_t *v, char *err, size_t errlen)
{
    if (!strcmp(key, "organization"))
        return load_org(c, v, err, errlen);
    if (!strcmp(key, "server"))
        return load_server(c, v, err, errlen);
    if (!strcmp(key, "agent"))
        return set_string(&c->agent, v, "\"agent\"", err, errlen);
    if (!strcmp(key, "env"))
        return load_env(c, v, err, errlen);
    if (!strcmp(key, "maxLine"))
        return load_size(&c->max_line, v, key, GATE_MIN_MAX_LINE, GATE_MAX_MAX_LINE, err, errlen);
    if (!strcmp(key, "maxLoggedArguments"))
        return load_size(&c->max_logged_args, v, key, 64, 60000, err, errlen);
    if (!strcmp(key, "tools"))
        return load_tools(c, v, err, errlen);
    if (!strcmp(key, "users"))
        return load_users(c, v, err, errlen);
    if (!strcmp(key, "servers"))
        return load_servers(c, v, err, errlen);
    if (!strcmp(key, "hooks"))
        return load_hooks(c, v, err, errlen);
    if (!strcmp(key, "approvals")) {
        /* airlockd reads it (approve_config.h); here it need only be an object. */
        if (!json_is_object(v))
            return fail(err, errlen, "\"approvals\" must be an object");
        json_decref(c->approvals);
        c->approvals = json_incref((json_t *)v);
        return 0;
    }
    return fail(err, errlen, "unknown member \"%s\"", key);
}

static int
default_env_list(struct gate_config *c)
{
    size_t n = sizeof(default_env) / sizeof(default_env[0]);
    c->env = calloc(n + 1, sizeof(*c->env));
    if (!c->env)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(c->env[c->nenv++] = strdup(default_env[i])))
            return -1;
    return 0;
}

int
gate_config_parse(struct gate_config *c, const char *name, const char *text, size_t len, char *err,
                  size_t errlen)
{
    json_error_t je;
    char why[512];
    int rc = -1;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    if (!json_is_object(root)) {
        fail(err, errlen, "%s: the configuration must be a JSON object", name);
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (load_member(c, key, v, why, sizeof(why))) {
            fail(err, errlen, "%s: %s", name, why);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int
gate_config_load(struct gate_config *c, const char *path, char *err, size_t errlen)
{
    char *text;
    size_t len;
    int rc;
    if (path) {
        if (util_read_file(path, CONFIG_MAX_BYTES, &text, &len, err, errlen))
            return -1;
        rc = gate_config_parse(c, path, text, len, err, errlen);
        free(text);
        if (rc)
            return -1;
    }
    if (!c->env_given && !c->env && default_env_list(c))
        return fail(err, errlen, "out of memory");
    return 0;
}
