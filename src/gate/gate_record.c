/*
 * gate_record.c - what the gateway writes to the ledger.
 *
 * Each record is one ledger entry of canonical JSON (compact, keys sorted),
 * with "type" saying which kind it is: "session" (a session starts or
 * ends), "pins" (tool definitions pinned or found changed), "request" (a
 * decided request, written before it is forwarded) and "outcome" (its
 * reply, naming the request's entry index).  docs/mcp.md lists the fields.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/util_buf.h"
#include "../util/util_log.h"
#include "../util/util_poll.h"
#include "gate_agent.h"
#include "gate_int.h"

void
gate_time_text(char *buf, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, n - k, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* The record's text with its time and session, malloc'd; NULL when it
 * cannot be made or is over the ledger's entry limit. */
static char *
record_text(struct gate *g, json_t *entry, size_t *len)
{
    char t[40];
    gate_time_text(t, sizeof(t));
    if (json_object_set_new(entry, "time", json_string(t)) ||
        json_object_set_new(entry, "session", json_string(g->session)))
        return NULL;
    char *text = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
    if (text && (*len = strlen(text)) > LEDGER_MAX_ENTRY) {
        free(text);
        text = NULL;
    }
    return text;
}

/* A record is about to wait for a checkpoint: the first since the last
 * one starts the clock of gate_checkpoint_due. */
static void
unsigned_from_now(struct gate *g)
{
    if (!g->unsigned_records && !g->nqueued)
        g->unsigned_since = util_mono_us() / 1000;
}

/*
 * Write the queued outcome records and then text (may be NULL), durably, in
 * one append: one fsync for all (held, when the owner syncs for many
 * sessions at once: gate_hold_records).  *index gets text's entry index.
 * On failure the queue stays for the next attempt.
 */
static int
flush(struct gate *g, const char *text, size_t len, uint64_t *index)
{
    size_t nq = g->nqueued, n = nq + (text != NULL);
    char err[LEDGER_ERR_MAX];
    uint64_t first;
    if (n == 0)
        return 0;
    struct ledger_entry *e = calloc(n, sizeof(*e));
    if (!e) {
        snprintf(g->err, sizeof(g->err), "out of memory");
        return -1;
    }
    for (size_t i = 0; i < nq; i++)
        e[i] = (struct ledger_entry){g->queued[i], strlen(g->queued[i])};
    if (text)
        e[nq] = (struct ledger_entry){text, len};
    int rc = (g->hold ? ledger_append_held : ledger_append_durable)(g->log, e, n, &first, err,
                                                                    sizeof(err));
    free(e);
    if (rc) { /* said once, by whoever gave up on it (gate_error) */
        snprintf(g->err, sizeof(g->err), "%s", err);
        return -1;
    }
    unsigned_from_now(g); /* while the queue, which may have started it, is there */
    for (size_t i = 0; i < nq; i++)
        free(g->queued[i]);
    g->nqueued = 0;
    g->unsigned_records = 1;
    g->idle_failed = 0;
    if (index)
        *index = first + nq;
    return 0;
}

int
gate_record_json(struct gate *g, json_t *entry, uint64_t *index)
{
    size_t len;
    char *text = record_text(g, entry, &len);
    int rc = text ? flush(g, text, len, index) : -1;
    free(text);
    return rc;
}

/* Queue a record to go with the next durable write (or the idle moment):
 * an outcome must not cost the next call an fsync of its own. */
static int
record_later(struct gate *g, json_t *entry)
{
    size_t len;
    if (g->nqueued == GATE_MAX_QUEUED && flush(g, NULL, 0, NULL))
        return -1;
    char *text = record_text(g, entry, &len);
    if (!text)
        return -1;
    unsigned_from_now(g);
    g->queued[g->nqueued++] = text;
    return 0;
}

void
gate_hold_records(struct gate *g)
{
    g->hold = 1;
}

int
gate_flush(struct gate *g)
{
    return flush(g, NULL, 0, NULL);
}

void
gate_idle(struct gate *g)
{
    char err[LEDGER_ERR_MAX];
    /* A failure is reported once; the next record tries again. */
    g->idle_failed = 1;
    if (gate_flush(g)) {
        util_log("airlock: ledger: %s\n", g->err);
        return;
    }
    g->unsigned_records = 0;
    if (ledger_checkpoint_now(g->log, err, sizeof(err)))
        util_log("airlock: ledger: %s (the entries are durable; the checkpoint waits)\n", err);
    else
        g->idle_failed = 0;
}

int
gate_unsigned(const struct gate *g)
{
    return !g->idle_failed && (g->unsigned_records || g->nqueued);
}

int
gate_checkpoint_due(const struct gate *g)
{
    return gate_unsigned(g) && util_mono_us() / 1000 - g->unsigned_since >= GATE_CHECKPOINT_MAX_MS;
}

/* The input as logged: whole up to the configured bound (*complete set),
 * else its digest, its size and a prefix cut at a character boundary. */
static json_t *
bounded_input(const json_t *input, size_t max, int digest_only, int *complete)
{
    *complete = !digest_only;
    if (!input)
        return json_object();
    char *text = json_dumps(input, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    json_t *out;
    if (n <= max && !digest_only) {
        out = json_incref((json_t *)input); /* never changed: shared */
    } else {
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[2 * sizeof(h) + 1];
        crypto_hash_sha256(h, (const unsigned char *)text, n);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        size_t cut = digest_only ? 0 : max;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--;
        out = json_pack("{s:s, s:I, s:s%}", "sha256", hex, "bytes", (json_int_t)n, "prefix", text,
                        cut);
        *complete = 0;
    }
    free(text);
    return out;
}

static const char *
decision_name(enum gate_outcome o)
{
    return o == GATE_PERMIT ? "permit" : o == GATE_NEEDS_APPROVAL ? "needs-approval" : "deny";
}

static json_t *
request_entry(struct gate *g, const char *method, const json_t *params,
              const struct gate_verdict *v, int small)
{
    const json_t *input = params;
    if (!strcmp(method, "tools/call"))
        input = json_object_get(params, "arguments");
    else if (gate_decides_agent(method))
        input = json_object_get(params, "input");
    int complete;
    json_t *in = bounded_input(input, g->cfg->max_logged_args, small, &complete);
    if (!in)
        return NULL;
    json_t *found = gate_findings_json(&g->found, small);
    if (!found) {
        json_decref(in);
        return NULL;
    }
    /* "o" hands each reference over, on failure too (jansson) */
    json_t *pol = small ? json_array() : json_incref(v->policies);
    json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:s, s:s}", "type",
                          "request", "agent", g->agent ? g->agent : "unknown", "server", g->server,
                          "method", method, "input", in, "findings", found, "decision",
                          decision_name(v->outcome), "reason", v->text, "policies", pol,
                          "policySet", g->policy_hash, "entities", g->entities_hash);
    if (e && ((v->tool && json_object_set_new(e, "tool", json_string(v->tool))) ||
              (v->shadow && json_object_set_new(e, "shadow", json_true())) ||
              json_object_set_new(e, "inputComplete", json_boolean(complete)) ||
              (v->cedar && !small && json_object_set(e, "cedar", v->cedar)))) {
        json_decref(e);
        return NULL;
    }
    return e;
}

int
gate_record_request(struct gate *g, const char *method, const json_t *params,
                    struct gate_verdict *v)
{
    /* When the full record does not fit an entry, log the input's digest. */
    for (int small = 0; small < 2; small++) {
        json_t *e = request_entry(g, method, params, v, small);
        size_t len;
        char *text = e ? record_text(g, e, &len) : NULL;
        json_decref(e);
        if (!text)
            continue;
        int rc = flush(g, text, len, &v->entry);
        free(text);
        return rc;
    }
    return -1;
}

/* An outcome without an error, written directly: it is made on every call,
 * and the same bytes as the JSON library's canonical form (keys sorted). */
static int
outcome_plain(struct gate *g, uint64_t entry, const char *kind, double ms)
{
    char t[40], *text;
    if (g->nqueued == GATE_MAX_QUEUED && flush(g, NULL, 0, NULL))
        return -1;
    gate_time_text(t, sizeof(t));
    if (asprintf(&text,
                 "{\"durationUs\":%lld,\"request\":%llu,\"result\":\"%s\",\"session\":\"%s\","
                 "\"time\":\"%s\",\"type\":\"outcome\"}",
                 (long long)(ms * 1000), (unsigned long long)entry, kind, g->session, t) < 0)
        return -1;
    g->queued[g->nqueued++] = text;
    return 0;
}

/* "ok", "tool-error" (a result with isError), "error" (a JSON-RPC error). */
static const char *
result_kind(const json_t *response)
{
    if (json_object_get(response, "error"))
        return "error";
    const json_t *r = json_object_get(response, "result");
    return json_is_true(json_object_get(r, "isError")) ? "tool-error" : "ok";
}

int
gate_record_outcome(struct gate *g, const struct gate_verdict *v, const json_t *response,
                    const char *what, double ms)
{
    const char *kind = response ? result_kind(response) : what;
    const json_t *err0 = json_object_get(response, "error");
    /* The Rule of Two counts what actually happened: a call that came back,
     * as a result or as an error (whose message and data the model reads
     * as it would the tool's content). */
    if (response)
        g->session_effects |= v->effects;
    if (!err0)
        return outcome_plain(g, v->entry, kind, ms);
    json_t *e =
        json_pack("{s:s, s:I, s:s, s:I}", "type", "outcome", "request", (json_int_t)v->entry,
                  "result", kind, "durationUs", (json_int_t)(ms * 1000));
    if (!e)
        return -1;
    const json_t *err = json_object_get(response, "error");
    if (err) {
        json_t *code = json_object_get(err, "code");
        json_t *msg = json_object_get(err, "message");
        /* Messages are the upstream's words: bounded before they are kept. */
        json_t *small =
            json_pack("{s:O*, s:s%}", "code", code, "message", msg ? json_string_value(msg) : "",
                      msg ? (json_string_length(msg) > 512 ? 512 : json_string_length(msg)) : 0);
        json_object_set_new(e, "error", small);
    }
    int rc = record_later(g, e);
    json_decref(e);
    return rc;
}

int
gate_record_event(struct gate *g, const char *type, json_t *fields)
{
    json_t *e = json_pack("{s:s, s:s, s:s}", "type", type, "server", g->server, "agent",
                          g->agent ? g->agent : "unknown");
    if (!e || (fields && json_object_update(e, fields))) {
        json_decref(e);
        return -1;
    }
    int rc = gate_record_json(g, e, NULL);
    json_decref(e);
    return rc;
}

/* ---- reading records back (airlock log show) ---- */

static const char *
field(const json_t *r, const char *key)
{
    const char *s = json_string_value(json_object_get(r, key));
    return s ? s : "?";
}

/* How log show prints the records airlockd writes about people and holds
 * (docs/approvals.md lists them): {key} is the record's field. */
static const struct {
    const char *type, *text;
} describe_as[] = {
    {"hold", "{hold} holds entry {request} for a person (findings {findings}; expires {expires})"},
    {"approval", "{by} approved {hold}: {reason} (approvers {approvers}, released {released}, "
                 "grant {grant})"},
    {"denial", "{by} denied {hold}: {reason}"},
    {"refused", "{by} may not {command} {on}: {why}"},
    {"approval-used", "the approval of {hold} is used: the call goes through"},
    {"hold-expired", "nobody decided {hold} in time: refused"},
    {"hold-left", "the client stopped waiting for {hold}; it stays pending for a person"},
    {"withdrawn", "the client cancelled {hold}"},
    {"grant-used", "grant {grant} let entry {request} through"},
    {"grant-revoked", "{by} revoked grant {grant}"},
    {"grant-expired", "grant {grant} expired"},
    {"exposure-open", "exposure {id} opened by {agent} (for {user}), entry {entry}: {what} "
                      "({rule})"},
    {"exposure-closed", "{by} closed exposure {exposure}: {note}"},
    {"exposure-alert", "exposure {exposure} is still open after {age}"},
    {"totp-enrolled", "{user} enrolled an authenticator for one-time codes"},
    {"policies-reloaded", "{by} reloaded the administrative policies and the entities"},
};

/* One field as text: strings as they are, times (seconds since 1970) as
 * UTC, anything else as compact JSON, "-" when absent. */
static void
put_field(struct util_buf *f, const json_t *r, const char *key, size_t keylen)
{
    char k[64];
    struct tm tm;
    snprintf(k, sizeof(k), "%.*s", (int)(keylen < sizeof(k) ? keylen : sizeof(k) - 1), key);
    const json_t *v = json_object_get(r, k);
    if (!v || json_is_null(v)) {
        util_buf_add(f, "-", 1);
    } else if (json_is_string(v)) {
        util_buf_add(f, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v) && !strcmp(k, "expires") &&
               gmtime_r(&(time_t){(time_t)json_integer_value(v)}, &tm)) {
        char t[32];
        strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
        util_buf_puts(f, t);
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        util_buf_puts(f, s ? s : "?");
        free(s);
    }
}

static int
describe_event(struct util_buf *f, const json_t *r, const char *type)
{
    for (size_t i = 0; i < sizeof(describe_as) / sizeof(describe_as[0]); i++) {
        if (strcmp(type, describe_as[i].type))
            continue;
        for (const char *p = describe_as[i].text; *p; p++) {
            const char *end = *p == '{' ? strchr(p, '}') : NULL;
            if (!end) {
                util_buf_add(f, p, 1);
                continue;
            }
            put_field(f, r, p + 1, (size_t)(end - p - 1));
            p = end;
        }
        return 1;
    }
    return 0;
}

char *
gate_record_describe(const void *data, size_t n)
{
    json_t *r = json_loadb(data, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    const char *type = json_string_value(json_object_get(r, "type"));
    struct util_buf text, *f = &text;
    if (!type) {
        json_decref(r);
        return NULL;
    }
    util_buf_init(&text, GATE_MAX_DESCRIBED);
    util_buf_printf(f, "%s  %-8s ", field(r, "time"), type);
    if (!strcmp(type, "request")) {
        const char *tool = json_string_value(json_object_get(r, "tool"));
        char *in = json_dumps(json_object_get(r, "input"), JSON_COMPACT | JSON_ENCODE_ANY);
        util_buf_printf(f, "%s -> %s %s: %s%s\n      input %.200s%s\n      %s", field(r, "agent"),
                        field(r, "method"), tool ? tool : "", field(r, "decision"),
                        json_is_true(json_object_get(r, "shadow")) ? " (shadow mode: let through)"
                                                                   : "",
                        in ? in : "?", in && strlen(in) > 200 ? "..." : "", field(r, "reason"));
        free(in);
    } else if (!strcmp(type, "outcome")) {
        util_buf_printf(f, "of entry %lld: %s after %.3f ms",
                        (long long)json_integer_value(json_object_get(r, "request")),
                        field(r, "result"),
                        (double)json_integer_value(json_object_get(r, "durationUs")) / 1000.0);
    } else if (!strcmp(type, "session")) {
        util_buf_printf(f, "%s started with server %s (MCP %s)", field(r, "agent"),
                        field(r, "server"), field(r, "protocolVersion"));
    } else if (!strcmp(type, "session-end")) {
        util_buf_printf(f, "%s with server %s ended: the server %s", field(r, "agent"),
                        field(r, "server"), field(r, "end"));
    } else if (!strcmp(type, "pins") || !strcmp(type, "pins-accepted")) {
        char *a = json_dumps(json_object_get(r, type[4] ? "tools" : "pinned"), JSON_COMPACT);
        char *b = json_dumps(json_object_get(r, "changed"), JSON_COMPACT);
        if (type[4])
            util_buf_printf(f, "%s accepted new definitions of %s tools %s", field(r, "user"),
                            field(r, "server"), a ? a : "?");
        else
            util_buf_printf(f, "%s tools pinned %s, changed %s", field(r, "server"), a ? a : "?",
                            b ? b : "?");
        free(a);
        free(b);
    } else if (!describe_event(f, r, type)) {
        char *rest = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
        util_buf_printf(f, "%s", rest ? rest : "");
        free(rest);
    }
    json_decref(r);
    /* a line cut at GATE_MAX_DESCRIBED is shown as far as it went */
    char *out = strdup(util_buf_str(&text));
    util_buf_free(&text);
    return out;
}
