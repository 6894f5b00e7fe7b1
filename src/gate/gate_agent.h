/*
 * gate_agent.h - the agents' own tools (shell, files, web) as Cedar
 * requests, decided like MCP calls (docs/hooks.md).
 *
 *   method     GATE_AGENT_TOOL, params {tool, input, cwd}
 *   principal  Agent::"<agent>"
 *   action     Action::"<tool>" (Bash, Write, run_shell_command...), a
 *              member of its group (shell, file_read, file_write,
 *              web_fetch), each a member of Action::"agent_tool"
 *   resource   Workspace::"<cwd>"
 *   context    {input, command (Set of the programs a shell command runs),
 *              path {name, sensitive}, url, session, effects, findings,
 *              user, time, method, approved}
 *
 * The tools are the agents' built-in ones, by the names each agent gives
 * them (gate_agent.c); any other name is refused (fail closed).
 */
#ifndef GATE_AGENT_H
#define GATE_AGENT_H

#include <jansson.h>
#include <stddef.h>

#define GATE_AGENT_TOOL "agent/tool"
/* Bytes of a normalised path. */
#define GATE_AGENT_PATH_MAX 4096u

struct gate_agent_tool {
    const char *name;  /* as the agent names it */
    const char *group; /* shell, file_read, file_write, web_fetch */
    const char *path;  /* the input member naming a file, or NULL */
    const char *url;   /* the input member naming a URL, or NULL */
    unsigned effects;  /* GATE_EFFECT_* it brings (a sensitive path adds its own) */
};

/* The built-in tool called name, or NULL. */
const struct gate_agent_tool *gate_agent_tool(const char *name);
/* Whether method is the agents' tools (decided, held, recorded as MCP calls
 * are, never relayed to an MCP server). */
int gate_decides_agent(const char *method);

/* The Action entities of the built-in tools and their groups, appended to
 * arr (skipping any name in taken: an upstream tool of the same name is
 * the upstream's).  0 or -1. */
int gate_agent_entities(json_t *arr, int (*taken)(const char *name, void *arg), void *arg);

/* path made absolute against cwd, with "." and ".." and repeated "/"
 * resolved as text (symbolic links are not followed: the file may not
 * exist yet), "~/" as home.  0, or -1 when it does not fit. */
int gate_agent_normalise(const char *cwd, const char *home, const char *path, char *out,
                         size_t cap);
/* Whether an absolute path is a credential, a key or a shell's start-up
 * file (~/.ssh, ~/.aws/credentials, .bashrc, /etc/shadow, ...). */
int gate_agent_sensitive(const char *path);

#endif
