/*
 * gate_decide.c - an MCP request as a Cedar request, and its verdict.
 *
 *   principal  Agent::"<agent>"
 *   action     Action::"<tool>" (tools/call), or one of methods[] below
 *              (resources/read, prompts/get; the server's sampling and
 *              elicitation requests, and the client's answers to them)
 *   resource   McpServer::"<server>"
 *   context    {input, tool, session, effects, findings, user, approved, time, method}
 *
 * A request is decided with approved = false; when that is a deny, again
 * with approved = true, and if that permits, the verdict is "needs
 * approval".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../inspect/inspect_shell.h"
#include "../inspect/inspect_wrap.h"
#include "gate_agent.h"
#include "gate_int.h"
#include "gate_pins.h"
#include "gate_sessions.h"
#include "gate_value.h"

/* The requests decided that are not tool calls: their action, and what
 * running them brings to the session.  The server's sampling request puts
 * its text before the model and the model's answer goes back to it; an
 * elicitation's answer, a person's, goes to the server too. */
static const struct method {
    const char *method, *action;
    unsigned effects;
    int from_server;
} methods[] = {
    {"resources/read", "read_resource", 0, 0},
    {"prompts/get", "get_prompt", 0, 0},
    {"sampling/createMessage", "sampling", GATE_EFFECT_UNTRUSTED | GATE_EFFECT_EXTERNAL, 1},
    {"elicitation/create", "elicitation", GATE_EFFECT_EXTERNAL, 1},
    {GATE_SAMPLING_ANSWER, "sampling_answer", GATE_EFFECT_EXTERNAL, 1},
    {GATE_ELICITATION_ANSWER, "elicitation_answer", GATE_EFFECT_EXTERNAL, 1},
};

static const struct method *
method_of(const char *method)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(*methods); i++)
        if (!strcmp(methods[i].method, method))
            return &methods[i];
    return NULL;
}

int
gate_decides(const char *method)
{
    const struct method *k = method_of(method);
    return !strcmp(method, "tools/call") || (k && !k->from_server);
}

int
gate_decides_server(const char *method)
{
    const struct method *k = method_of(method);
    return k && k->from_server;
}

const char *
gate_answer_method(const char *method)
{
    return !strcmp(method, "sampling/createMessage") ? GATE_SAMPLING_ANSWER
           : !strcmp(method, "elicitation/create")   ? GATE_ELICITATION_ANSWER
                                                     : NULL;
}

/* What a call is about, gathered before the Cedar request is built. */
struct call {
    const char *method;
    const char *action;           /* Action id */
    const json_t *input;          /* object; NULL: empty */
    const struct gate_tool *tool; /* tools/call */
    enum gate_audience audience;
    unsigned effects;
    const struct gate_found *found; /* NULL: nothing was inspected */
    /* the agents' own tools (gate_agent.h) */
    const struct gate_agent_tool *agent;
    const char *cwd;                /* the workspace */
    char path[GATE_AGENT_PATH_MAX]; /* normalised; "" when none */
    int sensitive;                  /* path is a credential, a key, a start-up file */
    const char *url;                /* or NULL */
};

static const struct gate_found nothing_found = {.worst = INSPECT_SEV_NONE};

#define ATTR(k) ((struct cedar_str){(k), (uint32_t)(sizeof(k) - 1)})

static int
str_attr(struct cedar_arena *a, struct cedar_attr *at, const char *key, size_t klen, const char *s)
{
    at->key = (struct cedar_str){key, (uint32_t)klen};
    return gate_string(a, s, strlen(s), &at->v);
}

static int
tag_set(struct cedar_arena *a, const json_t *tags, struct cedar_value *out)
{
    size_t n = json_array_size(tags), i;
    struct cedar_value *vs = cedar_arena_alloc(a, (n ? n : 1) * sizeof(*vs));
    json_t *t;
    if (!vs)
        return -1;
    json_array_foreach(tags, i, t)
        if (gate_string(a, json_string_value(t), json_string_length(t), &vs[i]))
            return -1;
    return gate_set(a, vs, n, out);
}

/* context.tool: what is known about the tool. */
static int
tool_record(struct cedar_arena *a, const struct call *c, struct cedar_value *out)
{
    struct cedar_attr at[10];
    size_t n = 0;
    const struct gate_facts *f = &c->tool->facts;
    if (str_attr(a, &at[n++], "name", 4, c->tool->name))
        return -1;
    at[n].key = ATTR("readOnly"), at[n++].v = cedar_bool(f->read_only == FACT_YES);
    at[n].key = ATTR("destructive"), at[n++].v = cedar_bool(f->destructive == FACT_YES);
    at[n].key = ATTR("idempotent"), at[n++].v = cedar_bool(f->idempotent == FACT_YES);
    at[n].key = ATTR("openWorld"), at[n++].v = cedar_bool(f->open_world == FACT_YES);
    at[n].key = ATTR("untrusted"), at[n++].v = cedar_bool(f->untrusted == FACT_YES);
    at[n].key = ATTR("annotationsTrusted"), at[n++].v = cedar_bool(c->tool->facts_trusted);
    if (c->audience && str_attr(a, &at[n++], "audience", 8, gate_audience_name(c->audience)))
        return -1;
    if (f->sensitivity && str_attr(a, &at[n++], "sensitivity", 11, f->sensitivity))
        return -1;
    at[n].key = ATTR("tags");
    if (tag_set(a, f->tags, &at[n++].v))
        return -1;
    return gate_record(a, at, n, out);
}

static int
effects_record(struct cedar_arena *a, unsigned e, struct cedar_value *out)
{
    struct cedar_attr at[3] = {
        {ATTR("untrustedInput"), cedar_bool(e & GATE_EFFECT_UNTRUSTED)},
        {ATTR("sensitiveData"), cedar_bool(e & GATE_EFFECT_SENSITIVE)},
        {ATTR("externalEffect"), cedar_bool(e & GATE_EFFECT_EXTERNAL)},
    };
    return gate_record(a, at, 3, out);
}

static int
session_record(struct gate *g, struct cedar_value *out)
{
    struct cedar_arena *a = &g->arena;
    unsigned e = g->session_effects;
    struct cedar_attr at[5] = {
        {ATTR("id"), {0}},
        {ATTR("calls"), cedar_long((int64_t)g->calls)},
        {ATTR("untrustedInput"), cedar_bool(e & GATE_EFFECT_UNTRUSTED)},
        {ATTR("sensitiveData"), cedar_bool(e & GATE_EFFECT_SENSITIVE)},
        {ATTR("externalEffect"), cedar_bool(e & GATE_EFFECT_EXTERNAL)},
    };
    if (gate_string(a, g->session, strlen(g->session), &at[0].v))
        return -1;
    return gate_record(a, at, 5, out);
}

static int
now_value(struct cedar_value *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    out->kind = CEDAR_DATETIME;
    out->u.l = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return 0;
}

/* The programs a shell command runs (each command's, seen through its
 * wrappers: sudo, env, sh -c...), as a set of names; an argv is its words
 * quoted.  An empty set when there is no command. */
static int
command_set(struct cedar_arena *a, const json_t *cmd, struct cedar_value *out)
{
    char *text = NULL;
    if (json_is_string(cmd)) {
        text = strdup(json_string_value(cmd));
    } else if (json_is_array(cmd)) {
        size_t i, n = 1;
        json_t *w;
        json_array_foreach(cmd, i, w)
            n += json_string_length(w) * 4 + 3;
        if ((text = malloc(n))) {
            char *p = text;
            json_array_foreach(cmd, i, w) {
                if (i)
                    *p++ = ' ';
                *p++ = '\'';
                for (const char *q = json_string_value(w); q && *q; q++)
                    if (*q == '\'')
                        memcpy(p, "'\\''", 4), p += 4;
                    else
                        *p++ = *q;
                *p++ = '\'';
            }
            *p = '\0';
        }
    }
    if (!text)
        return cmd && (json_is_string(cmd) || json_is_array(cmd)) ? -1 : gate_set(a, NULL, 0, out);
    struct inspect_script s;
    (void)inspect_shell_parse(text, strlen(text), &s); /* what parsed: a refusal is the findings' */
    struct cedar_value *vs = cedar_arena_alloc(a, (s.n ? s.n : 1) * sizeof(*vs));
    size_t n = 0;
    int rc = vs ? 0 : -1;
    for (size_t i = 0; !rc && i < s.n; i++) {
        struct inspect_unwrapped u;
        if (inspect_unwrap(s.cmds[i].argv, s.cmds[i].argc, &u) == 0 && u.cmd < s.cmds[i].argc) {
            const char *name = inspect_basename(s.cmds[i].argv[u.cmd]);
            rc = gate_string(a, name, strlen(name), &vs[n++]);
        }
        inspect_unwrapped_release(&u);
    }
    inspect_script_release(&s);
    free(text);
    return rc ? -1 : gate_set(a, vs, n, out);
}

/* context.path: {name, sensitive}. */
static int
path_record(struct cedar_arena *a, const struct call *c, struct cedar_value *out)
{
    struct cedar_attr at[2] = {{ATTR("name"), {0}}, {ATTR("sensitive"), cedar_bool(c->sensitive)}};
    return gate_string(a, c->path, strlen(c->path), &at[0].v) || gate_record(a, at, 2, out);
}

/* The context record; approved is the last attribute so that the second
 * decision only flips it. */
static int
build_context(struct gate *g, const struct call *c, bool approved, struct cedar_value *out,
              const char **why)
{
    struct cedar_arena *a = &g->arena;
    struct cedar_attr at[12];
    size_t n = 0;
    at[n].key = ATTR("input");
    if (c->input) {
        if (gate_value_from_json(a, c->input, &at[n].v, why))
            return -1;
    } else if (gate_record(a, NULL, 0, &at[n].v)) {
        goto nomem;
    }
    n++;
    if (c->tool) {
        at[n].key = ATTR("tool");
        if (tool_record(a, c, &at[n++].v))
            goto nomem;
    }
    if (c->agent) {
        at[n].key = ATTR("command");
        if (command_set(a, json_object_get(c->input, "command"), &at[n++].v))
            goto nomem;
        if (c->path[0]) {
            at[n].key = ATTR("path");
            if (path_record(a, c, &at[n++].v))
                goto nomem;
        }
        if (c->url && str_attr(a, &at[n++], "url", 3, c->url))
            goto nomem;
    }
    at[n].key = ATTR("session");
    if (session_record(g, &at[n++].v))
        goto nomem;
    at[n].key = ATTR("effects");
    if (effects_record(a, c->effects, &at[n++].v))
        goto nomem;
    at[n].key = ATTR("findings");
    if (gate_findings_value(a, c->found ? c->found : &nothing_found, &at[n++].v))
        goto nomem;
    const struct cedar_uid *user = cedar_uid_new(a, "User", 4, g->user, strlen(g->user));
    if (!user)
        goto nomem;
    at[n].key = ATTR("user"), at[n++].v = cedar_entity(user);
    at[n].key = ATTR("time"), now_value(&at[n++].v);
    if (str_attr(a, &at[n++], "method", 6, c->method))
        goto nomem;
    at[n].key = ATTR("approved"), at[n++].v = cedar_bool(approved);
    if (gate_record(a, at, n, out))
        goto nomem;
    return 0;
nomem:
    *why = "out of memory building the request";
    return -1;
}

static int
build_request(struct gate *g, const struct call *c, bool approved, struct cedar_request *req,
              const char **why)
{
    struct cedar_arena *a = &g->arena;
    const char *agent = g->agent ? g->agent : "unknown";
    req->principal = cedar_uid_new(a, "Agent", 5, agent, strlen(agent));
    req->action = cedar_uid_new(a, "Action", 6, c->action, strlen(c->action));
    req->resource = c->agent ? cedar_uid_new(a, "Workspace", 9, c->cwd, strlen(c->cwd))
                             : cedar_uid_new(a, "McpServer", 9, g->server, strlen(g->server));
    if (!req->principal || !req->action || !req->resource) {
        *why = "out of memory building the request";
        return -1;
    }
    return build_context(g, c, approved, &req->context, why);
}

/* Whether the agent's own user may confirm it: every policy that stops it
 * is marked @confirm("user") (there is at least one). */
static int
user_confirms(const struct cedar_response *r)
{
    for (uint32_t i = 0; i < r->nreasons; i++) {
        const char *who = cedar_policy_annotation(r->reasons[i], "confirm");
        if (!who || strcmp(who, "user"))
            return 0;
    }
    return r->nreasons > 0;
}

/* "reason (policy id); ..." into buf, the ids into v->policies.  Up to
 * GATE_MAX_REASONS policies are named. */
static void
reasons(struct gate_verdict *v, const struct cedar_response *r, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < r->nreasons && i < GATE_MAX_REASONS && off < n; i++) {
        const struct cedar_policy *p = r->reasons[i];
        const char *why = cedar_policy_annotation(p, "reason");
        json_array_append_new(v->policies, json_string(p->id));
        if (why)
            off +=
                (size_t)snprintf(buf + off, n - off, "%s%s (policy %s)", i ? "; " : "", why, p->id);
        else
            off += (size_t)snprintf(buf + off, n - off, "%spolicy %s", i ? "; " : "", p->id);
    }
}

static void __attribute__((format(printf, 3, 4)))
refuse(struct gate_verdict *v, enum gate_refusal why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    v->outcome = GATE_DENY;
    v->refusal = why;
    vsnprintf(v->text, sizeof(v->text), fmt, ap);
    va_end(ap);
}

/* With --schema, the request fits the schema the policies were validated
 * against, or it is refused: a missing or mistyped attribute would make a
 * policy that reads it error, and Cedar skips a policy that errors (a
 * forbid that does not forbid). */
static int
fits_schema(struct gate *g, const struct cedar_request *req, struct gate_verdict *v)
{
    char why[GATE_ERR_MAX / 2];
    if (g->schema_bad) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: the policies do not validate against the schema "
               "of the tools listed: %s",
               g->schema_err);
        return 0;
    }
    if (!g->schema)
        return 1;
    const struct cedar_saction *a = cedar_schema_action(g->schema, req->action);
    if (!a) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: action \"%.*s\" is not in the schema the "
               "policies were validated against",
               (int)(req->action->id.n > 200 ? 200 : req->action->id.n), req->action->id.p);
        return 0;
    }
    if (!cedar_value_fits(g->schema, &req->context, a->context, why, sizeof(why))) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: it does not fit the schema the policies were "
               "validated against (context.%s)",
               why);
        return 0;
    }
    return 1;
}

static int
authorize(struct gate *g, const struct call *c, bool approved, struct cedar_response *r,
          struct gate_verdict *v, struct cedar_request *reqp)
{
    struct cedar_request tmp, *req = reqp ? reqp : &tmp;
    const char *why = NULL;
    cedar_arena_reset(&g->arena);
    if (build_request(g, c, approved, req, &why)) {
        refuse(v, GATE_REFUSED_POLICY, "airlock refused this request: %s", why);
        return -1;
    }
    /* the second decision only flips approved: the first checked the rest */
    if (!approved && !fits_schema(g, req, v))
        return -1;
    int rc = cedar_authorize(g->az, g->ps, g->es, req, r);
    if (rc) {
        refuse(v, GATE_REFUSED_POLICY, "airlock refused this request: %s", cedar_strerror(rc));
        return -1;
    }
    return 0;
}

/* The Cedar request as the ledger keeps it, for `airlock replay`: the
 * context without its input (the record has that, bounded), and the
 * action's groups at the time. */
static json_t *
request_json(struct gate *g, const struct cedar_request *req)
{
    json_t *ctx = cedar_value_to_json(&req->context), *parents = json_array();
    const struct cedar_entity *ae = cedar_entities_find(g->es, req->action);
    for (uint32_t i = 0; ae && parents && i < ae->nparents; i++)
        json_array_append_new(parents, json_stringn(ae->parents[i]->id.p, ae->parents[i]->id.n));
    json_object_del(ctx, "input");
    return json_pack("{s:{s:s, s:s%}, s:{s:s, s:s%}, s:{s:s%, s:s%}, s:o*, s:o*}", "principal",
                     "type", "Agent", "id", req->principal->id.p, (size_t)req->principal->id.n,
                     "action", "type", "Action", "id", req->action->id.p, (size_t)req->action->id.n,
                     "resource", "type", req->resource->type.p, (size_t)req->resource->type.n, "id",
                     req->resource->id.p, (size_t)req->resource->id.n, "context", ctx,
                     "actionParents", parents);
}

/* What inspection found, after the policies' reasons: the person and the
 * agent see what was dangerous, not only that something was. */
static void
add_findings(const struct call *c, char *why, size_t n)
{
    size_t off = strlen(why);
    if (!c->found || !c->found->n || off + 32 >= n)
        return;
    off += (size_t)snprintf(why + off, n - off, ". Inspection found: ");
    gate_findings_text(c->found, why + off, n - off);
}

static void
decide_call(struct gate *g, const struct call *c, struct gate_verdict *v)
{
    struct cedar_response r;
    struct cedar_request req;
    char why[GATE_REASON_MAX - 256];
    const char *what = c->tool ? c->tool->name : c->agent ? c->agent->name : c->method;
    if (authorize(g, c, false, &r, v, &req))
        return;
    v->cedar = request_json(g, &req);
    reasons(v, &r, why, sizeof(why));
    if (r.allow) {
        v->outcome = GATE_PERMIT;
        snprintf(v->text, sizeof(v->text), "airlock permitted %s: %s", what, why);
        return;
    }
    if (!why[0])
        snprintf(why, sizeof(why), "no policy permits it");
    add_findings(c, why, sizeof(why));
    /* Asked before the next decision reuses the response's reasons. */
    int confirm = c->agent && user_confirms(&r);
    /* Would a person's approval change the answer? */
    struct cedar_response r2;
    struct gate_verdict tmp = {0};
    if (authorize(g, c, true, &r2, &tmp, NULL) == 0 && r2.allow) {
        v->outcome = GATE_NEEDS_APPROVAL;
        v->refusal = GATE_REFUSED_APPROVAL;
        if (confirm) {
            v->refusal = GATE_REFUSED_CONFIRM;
            snprintf(v->text, sizeof(v->text), "airlock asks the user to confirm %s: %s", what,
                     why);
        } else if (gate_decides_server(c->method))
            snprintf(v->text, sizeof(v->text),
                     "airlock held back %s: %s. The server's requests and the answers to "
                     "them are not held for a person, so it is refused",
                     what, why);
        else if (g->holds)
            snprintf(v->text, sizeof(v->text), "airlock holds %s for a person's approval: %s", what,
                     why);
        else
            snprintf(v->text, sizeof(v->text),
                     "airlock held back %s: %s. Nobody can approve it here (approvals need "
                     "airlockd: docs/approvals.md), so the call is refused",
                     what, why);
        return;
    }
    v->outcome = GATE_DENY;
    v->refusal = GATE_REFUSED_POLICY;
    snprintf(v->text, sizeof(v->text), "airlock refused %s by policy: %s", what, why);
}

/* The audience of this call: the configured one, or the argument named by
 * audienceFrom (anything but a known audience counts as public). */
static enum gate_audience
call_audience(const struct gate_tool *t, const json_t *input)
{
    const struct gate_facts *f = &t->facts;
    if (!f->audience_from)
        return f->audience;
    const json_t *j = json_object_get(input, f->audience_from);
    const char *s = json_string_value(j);
    /* A value with a NUL is no audience ("self\u0000..." is not "self"). */
    enum gate_audience a =
        s && strlen(s) == json_string_length(j) ? gate_audience_parse(s) : GATE_AUD_UNKNOWN;
    return a ? a : GATE_AUD_PUBLIC;
}

static unsigned
tool_effects(const struct gate_tool *t, enum gate_audience aud)
{
    const struct gate_facts *f = &t->facts;
    unsigned e = 0;
    if (f->untrusted == FACT_YES || f->open_world == FACT_YES)
        e |= GATE_EFFECT_UNTRUSTED;
    if (gate_sensitivity_high(f->sensitivity))
        e |= GATE_EFFECT_SENSITIVE;
    if (f->read_only != FACT_YES || aud > GATE_AUD_SELF)
        e |= GATE_EFFECT_EXTERNAL;
    return e;
}

/* A changed tool's pin may have been accepted since: look again. */
static void
recheck_pin(struct gate *g, struct gate_tool *t)
{
    if (gate_reload_pins(g))
        return;
    json_t *e =
        json_object_get(json_object_get(json_object_get(g->pins, "servers"), g->server), t->name);
    const char *pin = json_string_value(json_object_get(e, "pin"));
    if (pin && !strcmp(pin, t->pin))
        t->state = GATE_TOOL_OK;
}

static int
describe_tool(struct gate *g, const json_t *params, struct call *c, struct gate_verdict *v)
{
    const json_t *jname = json_object_get(params, "name");
    const char *name = json_string_value(jname);
    if (!name) {
        refuse(v, GATE_REFUSED_INVALID, "%s", "tools/call needs a tool \"name\"");
        return -1;
    }
    /* "a\u0000b" would be decided as "a" and forwarded as itself. */
    if (strlen(name) != json_string_length(jname)) {
        refuse(v, GATE_REFUSED_INVALID, "%s", "a tool name must not contain NUL");
        return -1;
    }
    v->tool = name;
    struct gate_tool *t = (struct gate_tool *)gate_catalog_find(&g->cat, name);
    if (!t) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: the upstream did not list a tool \"%s\"", name);
        return -1;
    }
    if (t->state == GATE_TOOL_CHANGED)
        recheck_pin(g, t);
    if (t->state == GATE_TOOL_CHANGED) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: the definition of tool \"%s\" changed since it "
               "was pinned; a person must accept it (airlock pins accept)",
               name);
        return -1;
    }
    if (t->state == GATE_TOOL_TWO_FACED) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: the upstream listed tool \"%s\" to the client "
               "with another definition than the one airlock pinned",
               name);
        return -1;
    }
    if (t->state == GATE_TOOL_RESERVED) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: the tool name \"%s\" is reserved for an action "
               "group",
               name);
        return -1;
    }
    c->tool = t;
    c->action = t->name;
    c->input = json_object_get(params, "arguments");
    c->audience = call_audience(t, c->input);
    c->effects = tool_effects(t, c->audience);
    return 0;
}

/* An agent's own tool: {tool, input, cwd[, home]}. */
static int
describe_agent(const json_t *params, struct call *c, struct gate_verdict *v)
{
    const char *name = json_string_value(json_object_get(params, "tool"));
    const json_t *input = json_object_get(params, "input");
    c->cwd = json_string_value(json_object_get(params, "cwd"));
    if (!name || !json_is_object(input) || !c->cwd || c->cwd[0] != '/') {
        refuse(v, GATE_REFUSED_INVALID, "%s",
               "an agent's tool call needs its \"tool\", its \"input\" (an object) and the "
               "absolute \"cwd\" it runs in");
        return -1;
    }
    v->tool = name;
    if (!(c->agent = gate_agent_tool(name))) {
        refuse(v, GATE_REFUSED_POLICY,
               "airlock refused this request: \"%s\" is not one of the agents' tools it knows "
               "(docs/hooks.md)",
               name);
        return -1;
    }
    c->action = name;
    c->input = input;
    c->effects = c->agent->effects;
    const char *path =
        c->agent->path ? json_string_value(json_object_get(input, c->agent->path)) : NULL;
    if (path) {
        const char *home = json_string_value(json_object_get(params, "home"));
        if (gate_agent_normalise(c->cwd, home, path, c->path, sizeof(c->path))) {
            refuse(v, GATE_REFUSED_INVALID, "%s", "a path longer than airlock reads");
            return -1;
        }
        c->sensitive = gate_agent_sensitive(c->path);
        if (c->sensitive)
            c->effects |= GATE_EFFECT_SENSITIVE;
    }
    c->url = c->agent->url ? json_string_value(json_object_get(input, c->agent->url)) : NULL;
    return 0;
}

static int
describe(struct gate *g, const char *method, const json_t *params, struct call *c,
         struct gate_verdict *v)
{
    memset(c, 0, sizeof(*c));
    c->method = method;
    if (!json_is_object(params)) {
        refuse(v, GATE_REFUSED_INVALID, "%s needs params", method);
        return -1;
    }
    if (gate_decides_agent(method))
        return describe_agent(params, c, v);
    if (!strcmp(method, "tools/call")) {
        if (describe_tool(g, params, c, v))
            return -1;
        if (c->input && !json_is_object(c->input)) {
            refuse(v, GATE_REFUSED_INVALID, "%s", "tools/call \"arguments\" must be an object");
            return -1;
        }
        return 0;
    }
    /* resources/read {uri}, prompts/get {name, arguments}, the server's
     * requests and the client's answers: params are the input. */
    const struct method *k = method_of(method);
    if (!k) {
        refuse(v, GATE_REFUSED_POLICY, "airlock refused this request: it does not decide %s",
               method);
        return -1;
    }
    c->action = k->action;
    c->effects = k->effects;
    c->input = params;
    return 0;
}

/* The findings on the verdict, for airlockd's holds and exposures. */
static int
found_facts(const struct gate_found *fd, struct gate_verdict *v)
{
    v->severity = fd->worst;
    v->categories = json_array();
    for (int c = 0; v->categories && c < INSPECT_CATEGORIES; c++)
        if ((fd->categories >> c) & 1u)
            json_array_append_new(v->categories, json_string(inspect_category_name(c)));
    if (fd->n && !(v->findings = gate_findings_json(fd, 0)))
        return -1;
    return v->categories ? 0 : -1;
}

/* The key of params' agent session (an agent's own tool call naming the
 * agent's session id) into key: 1, 0 when it names none, -1 when the id
 * is not one airlock reads (GATE_AGENT_SESSION_MAX bytes or more, a NUL):
 * then the call is refused, never decided as a session of its own. */
static int
agent_session_key(const struct gate *g, const char *method, const json_t *params, char *key,
                  size_t n)
{
    const json_t *j = json_object_get(params, "session");
    const char *sid = json_string_value(j);
    if (!g->sessions || !gate_decides_agent(method) || !sid || !*sid)
        return 0;
    if (json_string_length(j) >= GATE_AGENT_SESSION_MAX || strlen(sid) != json_string_length(j))
        return -1;
    return (size_t)snprintf(key, n, "%s\n%s\n%s", g->agent ? g->agent : "unknown",
                            g->user ? g->user : "", sid) < n
               ? 1
               : -1;
}

void
gate_decide(struct gate *g, const char *method, const json_t *params, struct gate_verdict *v)
{
    struct call c;
    char key[GATE_AGENT_SESSION_MAX + 2 * GATE_NAME_MAX + 512];
    unsigned carried = 0, own = g->session_effects;
    memset(v, 0, sizeof(*v));
    g->found.n = g->found.count = 0; /* nothing inspected yet: no stale findings */
    g->found.worst = INSPECT_SEV_NONE;
    g->found.categories = 0;
    v->policies = json_array();
    if (!v->policies) {
        refuse(v, GATE_REFUSED_POLICY, "%s", "airlock refused this request: out of memory");
        return;
    }
    /* What the agent's session did in earlier calls (other processes)
     * counts for the Rule of Two as this gate's own session does. */
    int keyed = agent_session_key(g, method, params, key, sizeof(key));
    int unread = keyed < 0 || (keyed && gate_sessions_get(g->sessions, key, &carried));
    g->session_effects |= carried;
    if (keyed < 0) {
        memset(&c, 0, sizeof(c));
        refuse(v, GATE_REFUSED_INVALID,
               "airlock refused this request: its agent session id is "
               "not one airlock reads (under %u bytes, no NUL)",
               GATE_AGENT_SESSION_MAX);
    } else if (unread) {
        memset(&c, 0, sizeof(c));
        refuse(v, GATE_REFUSED_POLICY, "%s",
               "airlock refused this request: what its agent session did before could not be "
               "read (the Rule of Two)");
    } else if (describe(g, method, params, &c, v) == 0) {
        gate_inspect_args(g->insp, &g->scratch, c.tool ? &c.tool->facts : NULL, c.input, &g->found);
        c.found = &g->found;
        decide_call(g, &c, v);
        if (g->holds && found_facts(&g->found, v))
            refuse(v, GATE_REFUSED_POLICY, "%s", "airlock refused this request: out of memory");
    }
    g->session_effects = own;
    v->effects = c.effects;
    g->calls++;
    v->shadow = g->shadow && gate_decides_agent(method) && v->outcome != GATE_PERMIT &&
                v->refusal != GATE_REFUSED_INVALID && !unread;
    /* A call let through adds its effects to its agent session's (counted
     * when it is let through: an agent's hooks may not report outcomes). */
    if (keyed > 0 && (v->outcome == GATE_PERMIT || v->shadow) &&
        gate_sessions_add(g->sessions, key, c.effects)) {
        v->shadow = 0;
        refuse(v, GATE_REFUSED_POLICY, "%s",
               "airlock refused this request: what its agent session does could not be kept "
               "(the Rule of Two)");
    }
    if (gate_record_request(g, method, params, v)) {
        v->outcome = GATE_DENY;
        v->refusal = GATE_REFUSED_UNRECORDED;
        v->shadow = 0;
        snprintf(v->text, sizeof(v->text),
                 "airlock refused this request: it could not be written to the audit ledger (%s)",
                 gate_error(g));
    } else if (v->shadow) {
        /* Recorded as decided; let through. */
        char was[GATE_REASON_MAX - 64];
        snprintf(was, sizeof(was), "%.*s", (int)sizeof(was) - 1, v->text);
        v->outcome = GATE_PERMIT;
        v->refusal = GATE_REFUSED_NONE;
        snprintf(v->text, sizeof(v->text), "shadow mode let it through; %s", was);
    }
}

void
gate_verdict_release(struct gate_verdict *v)
{
    json_decref(v->policies);
    json_decref(v->cedar);
    json_decref(v->findings);
    json_decref(v->categories);
    free(v->tool_copy);
    v->policies = v->cedar = v->findings = v->categories = NULL;
    v->tool_copy = NULL;
}

/* Could any approval ever permit this tool?  Only scopes are looked at:
 * no permit whose scope matches, or a forbid that matches with no
 * condition, means never. */
static int
never_permitted(struct gate *g, const struct gate_tool *t)
{
    struct call c = {.method = "tools/call", .tool = t, .action = t->name};
    struct cedar_request req;
    const char *why;
    c.audience = t->facts.audience;
    cedar_arena_reset(&g->arena);
    if (build_request(g, &c, true, &req, &why))
        return 1;
    struct cedar_eval ev = {.req = &req, .es = g->es, .arena = &g->arena};
    cedar_eval_bind(&ev);
    int permit = 0;
    for (size_t i = 0; i < cedar_policyset_count(g->ps); i++) {
        const struct cedar_policy *p = cedar_policyset_at(g->ps, i);
        if (p->is_template || !cedar_scope_matches(&ev, p))
            continue;
        if (!p->permit && p->nconds == 0)
            return 1;
        permit |= p->permit;
    }
    return !permit;
}

size_t
gate_filter_tools(struct gate *g, json_t *result)
{
    json_t *tools = json_object_get(result, "tools");
    size_t hidden = 0;
    for (size_t i = 0; i < json_array_size(tools);) {
        const json_t *def = json_array_get(tools, i);
        const char *name = json_string_value(json_object_get(def, "name"));
        struct gate_tool *t = name ? (struct gate_tool *)gate_catalog_find(&g->cat, name) : NULL;
        char pin[65];
        /* The client gets exactly what airlock read and pinned: an upstream
         * that lists a tool one way to airlock and another way to the
         * client is lying about it, and the tool is refused from then on
         * (until the upstream's list is read again). */
        if (t && gate_tool_pin(def, pin)) {
            t = NULL; /* no memory to compare: hidden (fails closed), nothing said */
        } else if (t && strcmp(pin, t->pin)) {
            if (t->state == GATE_TOOL_OK || t->state == GATE_TOOL_CHANGED) {
                t->state = GATE_TOOL_TWO_FACED;
                json_t *ev = json_pack("{s:s, s:s}", "tool", t->name, "pin", t->pin);
                /* Best effort: the tool is refused whether or not this is kept. */
                if (ev)
                    (void)gate_record_event(g, "tool-two-faced", ev);
                json_decref(ev);
            }
            t = NULL;
        }
        if (!t || t->state != GATE_TOOL_OK || never_permitted(g, t)) {
            json_array_remove(tools, i);
            hidden++;
        } else {
            i++;
        }
    }
    return hidden;
}
