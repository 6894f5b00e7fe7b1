/*
 * mcp_rpc.c - JSON-RPC 2.0 parsing and replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_rpc.h"

/* Strings with NUL are valid JSON and reach tools as such; duplicate keys
 * are refused (see the header). */
#define PARSE_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

int
rpc_id_valid(const json_t *id)
{
    return json_is_string(id) || json_is_integer(id);
}

/* MCP's requests and notifications from client to server that carry no
 * action of their own (2025-11-25, and the earlier versions airlock
 * relays).  tools/call, resources/read and prompts/get are decided. */
static const char *const relayed_requests[] = {
    "initialize",
    "ping",
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "completion/complete",
    "logging/setLevel",
    "tasks/get",
    "tasks/result",
    "tasks/list",
    "tasks/cancel",
};
/* MCP's requests from server to client; sampling/createMessage and
 * elicitation/create are decided (gate_decides_server), the rest relayed. */
static const char *const server_requests[] = {
    "ping",         "roots/list", "sampling/createMessage", "elicitation/create", "tasks/get",
    "tasks/result", "tasks/list", "tasks/cancel",
};
static const char *const relayed_notifications[] = {
    "notifications/initialized",        "notifications/cancelled",    "notifications/progress",
    "notifications/roots/list_changed", "notifications/tasks/status",
};

static int
listed(const char *const *list, size_t n, const char *method)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], method))
            return 1;
    return 0;
}

int
rpc_relayed_request(const char *method)
{
    return listed(relayed_requests, sizeof(relayed_requests) / sizeof(*relayed_requests), method);
}

int
rpc_server_request(const char *method)
{
    return listed(server_requests, sizeof(server_requests) / sizeof(*server_requests), method);
}

int
rpc_relayed_notification(const char *method)
{
    return listed(relayed_notifications,
                  sizeof(relayed_notifications) / sizeof(*relayed_notifications), method);
}

static void
invalid(struct rpc_msg *m, const char *why)
{
    m->kind = RPC_INVALID;
    m->why = why;
}

static void
classify(struct rpc_msg *m)
{
    json_t *r = m->root;
    if (json_is_array(r))
        return invalid(m, "batches are not supported (MCP 2025-06-18 removed them)");
    if (!json_is_object(r))
        return invalid(m, "a message must be a JSON object");
    /* The id first: even an invalid request gets its error under its id. */
    m->id = json_object_get(r, "id");
    json_t *ver = json_object_get(r, "jsonrpc");
    if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0"))
        return invalid(m, "\"jsonrpc\" must be \"2.0\"");
    json_t *method = json_object_get(r, "method");
    m->params = json_object_get(r, "params");
    if (method) {
        if (!json_is_string(method))
            return invalid(m, "\"method\" must be a string");
        m->method = json_string_value(method);
        if (m->params && !json_is_object(m->params) && !json_is_array(m->params))
            return invalid(m, "\"params\" must be an object");
        if (!m->id) {
            m->kind = RPC_NOTIFICATION;
            return;
        }
        if (!rpc_id_valid(m->id))
            return invalid(m, "\"id\" must be a string or an integer");
        m->kind = RPC_REQUEST;
        return;
    }
    json_t *res = json_object_get(r, "result"), *err = json_object_get(r, "error");
    if (!m->id || (!res == !err))
        return invalid(m, "neither a request, a notification nor a response");
    if (!rpc_id_valid(m->id) && !json_is_null(m->id))
        return invalid(m, "\"id\" must be a string or an integer");
    if (err && !json_is_object(err))
        return invalid(m, "\"error\" must be an object");
    m->kind = RPC_RESPONSE;
}

int
rpc_parse(const char *line, size_t len, struct rpc_msg *m, char *why, size_t whylen)
{
    json_error_t e;
    memset(m, 0, sizeof(*m));
    /* Never valid in JSON text, and jansson would not see what follows it:
     * refused, so no two readers of the line can disagree. */
    if (memchr(line, '\0', len)) {
        snprintf(why, whylen, "a NUL byte in the message (column %zu)",
                 (size_t)((const char *)memchr(line, '\0', len) - line) + 1);
        return -1;
    }
    m->line = line;
    m->len = len;
    m->root = json_loadb(line, len, PARSE_FLAGS, &e);
    if (!m->root) {
        snprintf(why, whylen, "%s (column %d)", e.text, e.column);
        return -1;
    }
    classify(m);
    return 0;
}

void
rpc_msg_release(struct rpc_msg *m)
{
    json_decref(m->root);
    memset(m, 0, sizeof(*m));
}

char *
rpc_dump_line(const json_t *v, size_t *len)
{
    size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
    if (n == 0)
        return NULL;
    char *s = malloc(n + 2);
    if (!s)
        return NULL;
    if (json_dumpb(v, s, n, JSON_COMPACT) != n) {
        free(s);
        return NULL;
    }
    s[n] = '\n';
    s[n + 1] = '\0';
    *len = n + 1;
    return s;
}

static char *
reply(const json_t *id, const char *key, json_t *value, size_t *len)
{
    json_t *msg =
        json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), key, value);
    if (!msg)
        return NULL;
    char *s = rpc_dump_line(msg, len);
    json_decref(msg);
    return s;
}

char *
rpc_error_line(const json_t *id, int code, const char *message, json_t *data, size_t *len)
{
    json_t *err = json_pack("{s:i, s:s}", "code", code, "message", message);
    if (err && data && json_object_set(err, "data", data)) {
        json_decref(err);
        return NULL;
    }
    return err ? reply(id, "error", err, len) : NULL;
}

char *
rpc_result_line(const json_t *id, json_t *result, size_t *len)
{
    return reply(id, "result", json_incref(result), len);
}

/* ---- spans in validated JSON text ---- */

static size_t
skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* s[i] is '"': the index just past the closing quote. */
static size_t
skip_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

static size_t
skip_value(const char *s, size_t i, size_t n)
{
    if (i < n && s[i] == '"')
        return skip_string(s, i, n);
    if (i < n && (s[i] == '{' || s[i] == '[')) {
        int depth = 0;
        while (i < n) {
            if (s[i] == '"') {
                i = skip_string(s, i, n);
                continue;
            }
            if (s[i] == '{' || s[i] == '[')
                depth++;
            else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return n;
    }
    while (i < n && !strchr(",}] \t\r\n", s[i]))
        i++;
    return i;
}

static int
hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    *out = v;
    return 0;
}

/* Whether the key string at s[a..b) (quotes excluded) decodes to key.
 * Only ASCII keys are looked for, so escapes beyond \uXXXX below 0x80 and
 * the simple ones never match. */
static int
key_is(const char *s, size_t a, size_t b, const char *key)
{
    size_t k = 0, kl = strlen(key);
    for (size_t i = a; i < b; k++) {
        unsigned c = (unsigned char)s[i++];
        if (c == '\\') {
            if (i < b && s[i] == 'u' && i + 5 <= b) {
                hex4(s + i + 1, &c);
                i += 5;
            } else if (i < b) {
                c = (unsigned char)s[i++];
                if (c != '"' && c != '\\' && c != '/')
                    return 0;
            }
        }
        if (k >= kl || c != (unsigned char)key[k])
            return 0;
    }
    return k == kl;
}

int
rpc_member_span(const char *s, size_t n, const char *key, size_t *start, size_t *end)
{
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{')
        return -1;
    for (i = skip_ws(s, i + 1, n); i < n && s[i] == '"';) {
        size_t kend = skip_string(s, i, n);
        int match = kend <= n && key_is(s, i + 1, kend - 1, key);
        i = skip_ws(s, kend, n);
        if (i >= n || s[i] != ':')
            return -1;
        i = skip_ws(s, i + 1, n);
        size_t vend = skip_value(s, i, n);
        if (match) {
            *start = i;
            *end = vend;
            return 0;
        }
        i = skip_ws(s, vend, n);
        if (i < n && s[i] == ',')
            i = skip_ws(s, i + 1, n);
    }
    return -1;
}

char *
rpc_line_with_id(const struct rpc_msg *m, const char *id_text, size_t id_len, size_t *outlen)
{
    size_t a, b;
    if (m->modified || !m->line || (id_text && rpc_member_span(m->line, m->len, "id", &a, &b))) {
        if (id_text) {
            json_t *id = json_loadb(id_text, id_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            if (!id || json_object_set_new(m->root, "id", id))
                return NULL;
        }
        return rpc_dump_line(m->root, outlen);
    }
    if (!id_text)
        a = b = 0, id_len = 0;
    size_t n = m->len - (b - a) + id_len;
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    memcpy(out, m->line, a);
    if (id_len)
        memcpy(out + a, id_text, id_len);
    memcpy(out + a + id_len, m->line + b, m->len - b);
    out[n] = '\n';
    out[n + 1] = '\0';
    *outlen = n + 1;
    return out;
}

int
mcp_refusal_code(enum gate_refusal why)
{
    switch (why) {
    case GATE_REFUSED_APPROVAL:
    case GATE_REFUSED_CONFIRM: /* never an MCP call's: held as any other */
        return RPC_AIRLOCK_NEEDS_APPROVAL;
    case GATE_REFUSED_UNRECORDED:
        return RPC_AIRLOCK_UNRECORDED;
    case GATE_REFUSED_INVALID:
        return RPC_INVALID_PARAMS;
    case GATE_REFUSED_NONE:
    case GATE_REFUSED_POLICY:
        break;
    }
    return RPC_AIRLOCK_DENIED;
}
