/*
 * gate_schema.h - the Cedar schema of airlock's requests, generated from
 * an upstream's tool definitions (`airlock schema from-mcp`, and
 * `--schema auto` from the pinned definitions), in the conventions of
 * cedar-for-agents: one action per tool, context.input typed from the
 * tool's input schema, beside airlock's own context attributes.
 *
 *   entity Group; entity User in [Group]; entity Agent in [Group];
 *   entity McpServer; entity Workspace;
 *   type Tool, Session, Effects, Finding, Findings, Path  (the context's parts)
 *   action call_tool, read_only, ..., agent_tool, shell, ...  (the groups)
 *   action "<tool>" in [the groups its facts imply] appliesTo {
 *     principal: Agent, resource: McpServer,
 *     context: {input: <typed>, tool: Tool, session: Session, effects:
 *               Effects, findings: Findings, user: User, time: datetime,
 *               method: String, approved: Bool} };
 *   action read_resource, get_prompt, sampling, ... (MCP's other requests)
 *   action Bash, write_file, ... (the agents' own tools: resource Workspace,
 *     context with command, path?, url?)
 *
 * Input types: string -> String, integer -> Long, boolean -> Bool, array
 * with typed items -> Set, object with properties -> a record whose
 * members outside "required" are optional (a null member is absent), a
 * string enum -> String.  A "number" is not typed (airlock passes an
 * integer as Long and any other number as its JSON text: no one Cedar
 * type), nor is a member without a type: a policy cannot read them when
 * the schema is enforced.
 */
#ifndef GATE_SCHEMA_H
#define GATE_SCHEMA_H

#include <jansson.h>

#include "../util/util_buf.h"
#include "gate_config.h"

/* The schema's text (human-readable format) for the tools of upstream
 * server (tools: the definitions, a JSON array; NULL or empty for none)
 * into out.  0, or -1 with err. */
int gate_schema_generate(const struct gate_config *cfg, const char *server, const json_t *tools,
                         struct util_buf *out, char *err, size_t errlen);

#endif
