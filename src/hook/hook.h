/*
 * hook.h - the agents' hook protocols: a pre- or post-tool event read from
 * what the agent writes on the hook's standard input, and airlock's answer
 * written the way that agent reads it (docs/hooks.md).
 *
 *   claude-code  {hook_event_name: PreToolUse|PostToolUse, tool_name,
 *                tool_input, cwd, session_id[, tool_response]}
 *                answer: hookSpecificOutput.permissionDecision "deny" with
 *                permissionDecisionReason; nothing when permitted (the
 *                agent's own permission flow goes on); exit 2 with the
 *                reason on stderr when the event cannot be read
 *   codex        the same shape and answer; apply_patch's patch is split
 *                into one call per file it adds, updates, moves or deletes
 *   gemini       {hook_event_name: BeforeTool|AfterTool, tool_name,
 *                tool_input, cwd, session_id}; answer {decision, reason}
 *   copilot      {toolName, toolArgs (an object or its JSON text), cwd
 *                [, toolResult: after the tool]}; answer
 *                {permissionDecision, permissionDecisionReason}
 *   openclaw     what airlock's OpenClaw plugin (integrations/openclaw)
 *                writes: {hook_event_name: before_tool_call|after_tool_call,
 *                tool_name, tool_input, cwd, session_id[, tool_response]};
 *                answer {block, blockReason}, OpenClaw's own result shape
 *
 * Reading is strict: a payload that is not the agent's shape is an error,
 * which the command answers with a refusal (fail closed).
 */
#ifndef HOOK_H
#define HOOK_H

#include <jansson.h>
#include <stddef.h>

/* Bytes of one hook event read from standard input. */
#define HOOK_MAX_EVENT (8u * 1024 * 1024)
/* Files of one patch decided (apply_patch). */
#define HOOK_MAX_FILES 256u

/* HOOK_OPENCLAW last: fuzz/fuzz_hook.c picks among them all. */
enum hook_agent { HOOK_CLAUDE_CODE, HOOK_CODEX, HOOK_GEMINI, HOOK_COPILOT, HOOK_OPENCLAW };

enum hook_kind {
    HOOK_PRE_TOOL,  /* decide before the tool runs */
    HOOK_POST_TOOL, /* record what came of it */
    HOOK_OTHER,     /* an event airlock does not act on: answered with nothing */
};

struct hook_event {
    enum hook_kind kind;
    const char *tool;    /* the agent's name for it (borrowed from root) */
    const char *cwd;     /* absolute (borrowed) */
    const char *session; /* the agent's session id, or NULL (borrowed) */
    /* The calls to decide, each {tool, input, cwd[, session]}: one, or one
     * for each file of a patch (owned). */
    json_t *calls;
    const json_t *response; /* HOOK_POST_TOOL: what the tool gave, or NULL */
    json_t *root;           /* the payload (owned) */
};

/* The agent called name ("claude-code", "codex", "gemini", "copilot",
 * "openclaw"). */
int hook_agent_of(const char *name, enum hook_agent *out);
const char *hook_agent_name(enum hook_agent a);

/* Read one event.  0, or -1 with err saying what is wrong with it. */
int hook_read(enum hook_agent a, const char *text, size_t n, struct hook_event *ev, char *err,
              size_t errlen);
void hook_event_release(struct hook_event *ev);

/* The files a patch (Codex's apply_patch: "*** Begin Patch" ... "*** End
 * Patch") touches, each {path, action: add|update|delete|move, text: its
 * part of the patch}, appended to out.  0, or -1 when it is not a patch or
 * has more than HOOK_MAX_FILES files. */
int hook_patch_files(const char *patch, json_t *out);

/* airlock's answer for a pre-tool event, from the most to the least
 * lenient. */
enum hook_decision {
    HOOK_DEFER, /* permitted: the agent's own permission flow goes on */
    HOOK_ALLOW, /* permitted outright (the configuration's hooks.permitted) */
    HOOK_ASK,   /* the agent's own user may confirm it (@confirm("user")) */
    HOOK_DENY,  /* refused, with the reason */
};
/* *out is what to write on standard output (malloc'd; "" for nothing),
 * and the exit status is 0.  An agent that cannot ask (Codex) is answered
 * a refusal that says its user's confirmation was needed. */
int hook_answer(enum hook_agent a, enum hook_decision d, const char *reason, char **out);

#endif
