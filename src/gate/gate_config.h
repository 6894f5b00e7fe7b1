/*
 * gate_config.h - the gateway's configuration file (JSON).
 *
 *   {
 *     "server":  {"name": "forum", "trusted": false},
 *     "agent":   "forum-helper",
 *     "env":     ["PATH", "HOME", "FORUM_DB=/srv/forum.db"],
 *     "maxLine": 8388608,
 *     "maxLoggedArguments": 4096,
 *     "users":   {"alice": ["forum-helper"]},
 *     "approvals": {"timeout": "10m", "webhook": "https://hooks.example/T0"},
 *     "tools": {
 *       "read_question": {"readOnly": true, "audience": "self",
 *                         "untrusted": true, "sensitivity": "internal"},
 *       "post_reply":    {"audienceFrom": "audience", "tags": ["forum"]},
 *       "run_command":   {"destructive": true, "groups": ["shell"],
 *                         "commands": ["command"]}
 *     },
 *     "servers": {
 *       "wiki": {"trusted": true, "tools": {"post_reply": {"audience": "team"}}}
 *     }
 *   }
 *
 * "servers" is for airlockd, which serves sessions of many upstreams from
 * one file: a tool's entry under its server's name wins over the one in
 * "tools", and a server's "trusted" over "server.trusted".
 *
 * Every member is optional; an unknown member is an error (a misspelt key
 * in a security configuration must not be silently ignored).  What the file
 * says about a tool always wins over what the upstream declares; see
 * gate_catalog.h for how the two meet.  docs/mcp.md documents each field.
 */
#ifndef GATE_CONFIG_H
#define GATE_CONFIG_H

#include <jansson.h>
#include <stddef.h>

/* Limits of what the configuration and the requests decided may hold;
 * each is crossed by a test (tests/gate_test.c, tests/mcp_*_test.c). */
/* One JSON-RPC message (one line of stdio), default; --max-line changes it. */
#define GATE_DEFAULT_MAX_LINE (8u * 1024 * 1024)
/* The smallest and largest --max-line accepted. */
#define GATE_MIN_MAX_LINE 1024u
#define GATE_MAX_MAX_LINE (256u * 1024 * 1024)
/* Tools one upstream may declare; more and airlock stops the session. */
#define GATE_MAX_TOOLS 4096u
/* Nesting depth of JSON airlock turns into a Cedar value (arguments). */
#define GATE_MAX_INPUT_DEPTH 32u
/* Arguments written to the ledger in full up to this many bytes of JSON;
 * beyond it the ledger keeps their SHA-256 and this many bytes as prefix. */
#define GATE_DEFAULT_MAX_LOGGED_ARGS 4096u
/* Environment variables passed to the upstream. */
#define GATE_MAX_ENV 256u

enum gate_audience {
    GATE_AUD_UNKNOWN = 0,
    GATE_AUD_SELF,
    GATE_AUD_TEAM,
    GATE_AUD_COMPANY,
    GATE_AUD_PUBLIC,
};

/* A tri-state fact: said to be false, said to be true, or nobody said. */
enum { FACT_UNSET = -1, FACT_NO = 0, FACT_YES = 1 };

struct gate_facts {
    signed char read_only, destructive, idempotent, open_world, untrusted;
    enum gate_audience audience;
    char *audience_from; /* argument naming the audience, or NULL */
    char *sensitivity;   /* NULL when unset */
    json_t *tags;        /* array of strings, or NULL */
    json_t *groups;      /* array of strings: extra Action groups, or NULL */
    json_t *commands;    /* array of strings: arguments that are shell commands, or NULL */
};

struct gate_config {
    char *server_name; /* NULL: the upstream command's base name */
    int trusted;       /* the upstream's own tool annotations count */
    char *agent;       /* NULL: --agent, else the client's clientInfo.name */
    char **env;        /* NAME (passed on if set) or NAME=value */
    size_t nenv;
    int env_given; /* "env" was in the file (else the default list) */
    size_t max_line;
    size_t max_logged_args;
    json_t *tools;       /* name -> facts object, validated; never NULL */
    json_t *servers;     /* server name -> {"trusted", "tools"}, validated, or NULL */
    json_t *users;       /* airlockd: user name -> agents it may run; NULL: anyone, any */
    json_t *approvals;   /* airlockd: the "approvals" object (approve_config.h), or NULL */
    json_t *org_domains; /* "organization": {"domains": [...]}, or NULL */
    json_t *org_groups;  /* ... {"broadGroups": [...]}, or NULL */
    /* "hooks": {"permitted": "allow"}: a permitted agent's own tool call is
     * allowed outright (the agent asks its user nothing more); default
     * "defer": the agent's own permission flow goes on. */
    int hooks_allow;
};

#define GATE_NAME_MAX 64 /* an argument name in audienceFrom */
#define GATE_MAX_TAGS 64
#define GATE_MAX_USERS 1024  /* entries in "users" */
#define GATE_MAX_SERVERS 256 /* entries in "servers" */

/* The organization's domains and broad groups given to an inspector
 * (inspect_set_org): how wide a grantee is, as the operator says.  0, or
 * -1 with err. */
struct inspect;
int gate_config_org(const struct gate_config *c, struct inspect *in, char *err, size_t errlen);

/* Defaults (no file). */
void gate_config_init(struct gate_config *c);
/* Read path; 0, or -1 with err ("file: what is wrong"). */
int gate_config_load(struct gate_config *c, const char *path, char *err, size_t errlen);
/* The same from text (tests, fuzzing); name is used in messages. */
int gate_config_parse(struct gate_config *c, const char *name, const char *text, size_t len,
                      char *err, size_t errlen);
void gate_config_release(struct gate_config *c);

/* What the configuration says of tool on server: the server's own entry
 * under "servers" when it has one for the tool, else the top-level
 * "tools" entry; NULL when neither says anything. */
const json_t *gate_config_tool(const struct gate_config *c, const char *server, const char *tool);
/* Whether server's own tool annotations count: its "servers" entry's
 * "trusted" when given, else "server.trusted". */
int gate_config_trusted(const struct gate_config *c, const char *server);

/* Facts from a JSON object in the config's tool format (which is also how
 * MCP annotations are turned into facts).  0 or -1 with err. */
int gate_facts_from_json(struct gate_facts *f, const json_t *o, int annotations, char *err,
                         size_t errlen);
void gate_facts_init(struct gate_facts *f);
void gate_facts_release(struct gate_facts *f);

/* "public" | "internal" | "confidential" | "secret"; the last two count as
 * sensitive data for the Rule of Two. */
int gate_sensitivity_valid(const char *s);
int gate_sensitivity_high(const char *s);

const char *gate_audience_name(enum gate_audience a);
enum gate_audience gate_audience_parse(const char *s);

#endif
