/*
 * hook.c - the agents' hook protocols (hook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook.h"

static const char *const names[] = {"claude-code", "codex", "gemini", "copilot", "openclaw"};

int
hook_agent_of(const char *name, enum hook_agent *out)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (!strcmp(name, names[i])) {
            *out = (enum hook_agent)i;
            return 0;
        }
    return -1;
}

const char *
hook_agent_name(enum hook_agent a)
{
    return (unsigned)a < sizeof(names) / sizeof(*names) ? names[a] : "?";
}

static int
fail(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return -1;
}

/* The event's kind from its name, in the agent's words. */
static enum hook_kind
kind_of(enum hook_agent a, const char *event)
{
    /* Each agent's names for the events before and after a tool. */
    static const char *const pre[] = {
        [HOOK_CLAUDE_CODE] = "PreToolUse",    [HOOK_CODEX] = "PreToolUse",
        [HOOK_GEMINI] = "BeforeTool",         [HOOK_COPILOT] = "preToolUse",
        [HOOK_OPENCLAW] = "before_tool_call",
    };
    static const char *const post[] = {
        [HOOK_CLAUDE_CODE] = "PostToolUse",  [HOOK_CODEX] = "PostToolUse",
        [HOOK_GEMINI] = "AfterTool",         [HOOK_COPILOT] = "postToolUse",
        [HOOK_OPENCLAW] = "after_tool_call",
    };
    if (!event)
        return a == HOOK_COPILOT ? HOOK_PRE_TOOL : HOOK_OTHER;
    if (!strcmp(event, pre[a]))
        return HOOK_PRE_TOOL;
    if (!strcmp(event, post[a]))
        return HOOK_POST_TOOL;
    return HOOK_OTHER;
}

/* ---- Codex's patches ---- */

static int
add_file(json_t *out, const char *path, size_t plen, const char *action, const char *text,
         size_t tlen)
{
    if (plen == 0 || json_array_size(out) >= HOOK_MAX_FILES)
        return -1;
    json_t *f =
        json_pack("{s:s%, s:s, s:s%}", "path", path, plen, "action", action, "text", text, tlen);
    return f ? json_array_append_new(out, f) : -1;
}

int
hook_patch_files(const char *patch, json_t *out)
{
    static const struct {
        const char *mark, *action;
    } marks[] = {{"*** Add File: ", "add"},
                 {"*** Update File: ", "update"},
                 {"*** Delete File: ", "delete"},
                 {"*** Move to: ", "move"}};
    const char *p = strstr(patch, "*** Begin Patch");
    if (!p)
        return -1;
    /* Each file's part runs from its mark to the next file's mark. */
    const char *cur = NULL, *cur_action = NULL, *start = NULL;
    size_t cur_len = 0, found = 0;
    while (*p) {
        const char *eol = p + strcspn(p, "\n");
        int which = -1;
        for (size_t i = 0; i < sizeof(marks) / sizeof(*marks) && which < 0; i++)
            if (!strncmp(p, marks[i].mark, strlen(marks[i].mark)))
                which = (int)i;
        int end = !strncmp(p, "*** End Patch", 13);
        if ((which >= 0 && which != 3) || end) {
            if (cur && add_file(out, cur, cur_len, cur_action, start, (size_t)(p - start)))
                return -1;
            cur = NULL;
            if (end)
                break;
            const char *path = p + strlen(marks[which].mark);
            cur = path, cur_len = (size_t)(eol - path), cur_action = marks[which].action;
            start = p;
            found++;
        } else if (which == 3 && cur) {
            /* a move writes its destination too */
            const char *path = p + strlen(marks[3].mark);
            if (add_file(out, path, (size_t)(eol - path), "move", p, (size_t)(eol - p)))
                return -1;
        }
        p = *eol ? eol + 1 : eol;
    }
    if (cur && add_file(out, cur, cur_len, cur_action, start, (size_t)(p - start)))
        return -1;
    return found ? 0 : -1;
}

/* Codex's apply_patch: its patch text, wherever the input keeps it. */
static const char *
patch_text(const json_t *input)
{
    static const char *const keys[] = {"input", "patch", "command"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        const json_t *v = json_object_get(input, keys[i]);
        if (json_is_string(v))
            return json_string_value(v);
        /* ["apply_patch", "*** Begin Patch..."] */
        if (json_is_array(v) && json_is_string(json_array_get(v, json_array_size(v) - 1)))
            return json_string_value(json_array_get(v, json_array_size(v) - 1));
    }
    return NULL;
}

/* ---- reading ---- */

static int
one_call(struct hook_event *ev, const char *tool, const json_t *input)
{
    json_t *c = json_pack("{s:s, s:O, s:s, s:s*}", "tool", tool, "input", input, "cwd", ev->cwd,
                          "session", ev->session);
    return c ? json_array_append_new(ev->calls, c) : -1;
}

int
hook_read(enum hook_agent a, const char *text, size_t n, struct hook_event *ev, char *err,
          size_t errlen)
{
    json_error_t je;
    memset(ev, 0, sizeof(*ev));
    if (n > HOOK_MAX_EVENT)
        return fail(err, errlen, "the hook event is larger than airlock reads");
    ev->root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(ev->root)) {
        snprintf(err, errlen, "the hook event is not a JSON object%s%s", ev->root ? "" : ": ",
                 ev->root ? "" : je.text);
        return -1;
    }
    const json_t *r = ev->root;
    const char *event = json_string_value(json_object_get(r, "hook_event_name"));
    if (!event && a == HOOK_COPILOT)
        event = json_string_value(json_object_get(r, "hookEventName"));
    ev->kind = kind_of(a, event);
    /* Copilot CLI (1.0.102) names neither event: the one after the tool
     * carries its result. */
    if (!event && a == HOOK_COPILOT && json_object_get(r, "toolResult"))
        ev->kind = HOOK_POST_TOOL;
    if (ev->kind == HOOK_OTHER)
        return 0;
    const char *tool_key = a == HOOK_COPILOT ? "toolName" : "tool_name";
    const char *input_key = a == HOOK_COPILOT ? "toolArgs" : "tool_input";
    ev->tool = json_string_value(json_object_get(r, tool_key));
    ev->cwd = json_string_value(json_object_get(r, "cwd"));
    ev->session =
        json_string_value(json_object_get(r, a == HOOK_COPILOT ? "sessionId" : "session_id"));
    json_t *input = json_object_get(r, input_key), *parsed = NULL;
    if (json_is_string(input)) /* Copilot CLI sends its arguments as JSON text */
        input = parsed = json_loads(json_string_value(input), JSON_REJECT_DUPLICATES, NULL);
    if (!ev->tool || !*ev->tool)
        return json_decref(parsed), fail(err, errlen, "the hook event names no tool");
    if (!ev->cwd || ev->cwd[0] != '/')
        return json_decref(parsed), fail(err, errlen, "the hook event has no absolute \"cwd\"");
    if (!json_is_object(input))
        return json_decref(parsed),
               fail(err, errlen, "the hook event's tool input is not a JSON object");
    ev->response = json_object_get(r, a == HOOK_COPILOT ? "toolResult" : "tool_response");
    int rc = -1;
    if (!(ev->calls = json_array()))
        snprintf(err, errlen, "out of memory");
    else if (!strcmp(ev->tool, "apply_patch") && ev->kind == HOOK_PRE_TOOL) {
        /* One call for each file it touches: the strictest verdict wins. */
        json_t *files = json_array();
        const char *patch = patch_text(input);
        size_t i;
        json_t *f;
        if (!files || !patch || hook_patch_files(patch, files))
            snprintf(err, errlen,
                     "apply_patch's input is not a patch airlock can read (at "
                     "most %u files)",
                     HOOK_MAX_FILES);
        else {
            rc = 0;
            json_array_foreach(files, i, f)
                if (!rc)
                    rc = one_call(ev, ev->tool, f);
            if (rc)
                snprintf(err, errlen, "out of memory");
        }
        json_decref(files);
    } else if (one_call(ev, ev->tool, input)) {
        snprintf(err, errlen, "out of memory");
    } else {
        rc = 0;
    }
    json_decref(parsed);
    return rc;
}

void
hook_event_release(struct hook_event *ev)
{
    json_decref(ev->calls);
    json_decref(ev->root);
    memset(ev, 0, sizeof(*ev));
}

/* ---- answering ---- */

/* Each agent's words for a decision, or NULL where it has none (the
 * answer falls back: an allow it cannot say is deferred, an ask it cannot
 * say is a refusal). */
static const char *
word(enum hook_agent a, enum hook_decision d)
{
    switch (d) {
    case HOOK_ALLOW:
        /* Codex's PreToolUse answers only refusals; OpenClaw's plugin
         * result has no "allow". */
        return a == HOOK_CODEX || a == HOOK_OPENCLAW ? NULL : "allow";
    case HOOK_ASK:
        /* Codex and Gemini CLI cannot ask their user from a hook. */
        return a == HOOK_CLAUDE_CODE || a == HOOK_COPILOT || a == HOOK_OPENCLAW ? "ask" : NULL;
    case HOOK_DENY:
        return "deny";
    case HOOK_DEFER:
        break;
    }
    return NULL;
}

int
hook_answer(enum hook_agent a, enum hook_decision d, const char *reason, char **out)
{
    json_t *j = NULL;
    char why[4096];
    *out = NULL;
    if (d == HOOK_ALLOW && !word(a, d))
        d = HOOK_DEFER;
    if (d == HOOK_ASK && !word(a, d)) {
        snprintf(why, sizeof(why),
                 "%s. %s hooks cannot ask you to confirm it, so it is refused: run it yourself "
                 "if you mean it",
                 reason, a == HOOK_CODEX ? "Codex's" : "Gemini CLI's");
        reason = why, d = HOOK_DENY;
    }
    if (d == HOOK_DEFER) {
        /* Permitted: the agent's own permission flow goes on. */
        *out = strdup(a == HOOK_GEMINI || a == HOOK_OPENCLAW ? "{}\n" : "");
        return *out ? 0 : -1;
    }
    const char *w = word(a, d);
    switch (a) {
    case HOOK_CLAUDE_CODE:
    case HOOK_CODEX:
        j = json_pack("{s:{s:s, s:s, s:s}}", "hookSpecificOutput", "hookEventName", "PreToolUse",
                      "permissionDecision", w, "permissionDecisionReason", reason);
        break;
    case HOOK_GEMINI:
        j = json_pack("{s:s, s:s}", "decision", w, "reason", reason);
        break;
    case HOOK_COPILOT:
        j = json_pack("{s:s, s:s}", "permissionDecision", w, "permissionDecisionReason", reason);
        break;
    case HOOK_OPENCLAW:
        /* OpenClaw's own approval asks its user: what @confirm("user")
         * allows. */
        j = d == HOOK_ASK ? json_pack("{s:{s:s, s:s, s:s}}", "requireApproval", "title",
                                      "airlock: confirm this call", "description", reason,
                                      "severity", "warning")
                          : json_pack("{s:b, s:s}", "block", 1, "blockReason", reason);
        break;
    }
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return -1;
    size_t n = strlen(s);
    *out = realloc(s, n + 2);
    if (!*out) {
        free(s);
        return -1;
    }
    (*out)[n] = '\n', (*out)[n + 1] = '\0';
    return 0;
}
