/*
 * gate_replay.c - re-decide recorded requests with other policies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_replay.h"
#include "gate_value.h"

/* The Action entity of the request with its recorded groups. */
static char *
action_entities(const json_t *cedar, size_t *len)
{
    json_t *parents = json_array(), *p;
    size_t i;
    json_array_foreach(json_object_get(cedar, "actionParents"), i, p)
        json_array_append_new(parents, json_pack("{s:s, s:O}", "type", "Action", "id", p));
    json_t *arr = json_pack("[{s:O, s:{}, s:o}]", "uid", json_object_get(cedar, "action"), "attrs",
                            "parents", parents);
    char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (text)
        *len = strlen(text);
    return text;
}

/* ctx with key set to v (added, or replaced). */
static int
with_attr(struct cedar_arena *a, const struct cedar_record *ctx, const char *key,
          struct cedar_value v, struct cedar_value *out)
{
    struct cedar_attr *at = cedar_arena_alloc(a, (ctx->n + 1) * sizeof(*at));
    size_t n = 0;
    if (!at)
        return -1;
    for (uint32_t i = 0; i < ctx->n; i++)
        if (!cedar_str_eq(ctx->a[i].key, key, strlen(key)))
            at[n++] = ctx->a[i];
    at[n].key = (struct cedar_str){key, (uint32_t)strlen(key)};
    at[n++].v = v;
    return gate_record(a, at, n, out);
}

static const char *
judge(struct cedar_authorizer *az, const struct cedar_policyset *ps,
      const struct cedar_entities *es, struct cedar_request *req, struct cedar_arena *a,
      json_t *policies)
{
    struct cedar_response r;
    struct cedar_value approved;
    if (cedar_authorize(az, ps, es, req, &r))
        return NULL;
    for (uint32_t i = 0; i < r.nreasons; i++)
        json_array_append_new(policies, json_string(r.reasons[i]->id));
    if (r.allow)
        return "permit";
    if (with_attr(a, req->context.u.rec, "approved", cedar_bool(true), &approved))
        return NULL;
    req->context = approved;
    if (cedar_authorize(az, ps, es, req, &r))
        return NULL;
    return r.allow ? "needs-approval" : "deny";
}

/* Decide one record again; NULL when it cannot be (skipped). */
static const char *
redecide(const json_t *rec, const struct cedar_policyset *ps, const char *entities, size_t elen,
         struct cedar_authorizer *az, json_t *policies)
{
    const json_t *cedar = json_object_get(rec, "cedar");
    const char *result = NULL;
    size_t alen;
    char *actions = action_entities(cedar, &alen);
    json_t *shell =
        json_pack("{s:O, s:O, s:O, s:O}", "principal", json_object_get(cedar, "principal"),
                  "action", json_object_get(cedar, "action"), "resource",
                  json_object_get(cedar, "resource"), "context", json_object_get(cedar, "context"));
    char *text = shell ? json_dumps(shell, JSON_COMPACT) : NULL;
    struct cedar_entities *es = cedar_entities_new();
    struct cedar_arena a;
    struct cedar_error ce;
    struct cedar_request req;
    struct cedar_value input;
    const char *why;
    cedar_arena_init(&a, CEDAR_MAX_REQUEST_ARENA);
    if (!actions || !text || !es || cedar_entities_load_json(es, entities, elen, &ce) ||
        cedar_entities_load_json(es, actions, alen, &ce) ||
        cedar_request_from_json(&a, text, strlen(text), &req, &ce) ||
        req.context.kind != CEDAR_RECORD)
        goto out;
    /* The input goes in as the gateway put it: literally, never as Cedar
     * JSON with its escapes. */
    if (gate_value_from_json(&a, json_object_get(rec, "input"), &input, &why) ||
        with_attr(&a, req.context.u.rec, "input", input, &req.context))
        goto out;
    result = judge(az, ps, es, &req, &a, policies);
out:
    cedar_arena_release(&a);
    cedar_entities_free(es);
    json_decref(shell);
    free(text);
    free(actions);
    return result;
}

int
gate_replay(struct ledger_log *log, uint64_t from, const struct cedar_policyset *ps,
            const char *entities, size_t elen, gate_replay_cb cb, void *ctx,
            struct gate_replay_stats *st, char *err, size_t errlen)
{
    struct cedar_authorizer *az = cedar_authorizer_new();
    memset(st, 0, sizeof(*st));
    if (!az || cedar_hash_init()) {
        cedar_authorizer_free(az);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (uint64_t i = from; i < ledger_size(log); i++) {
        uint8_t *p;
        size_t n;
        if (ledger_read_entry(log, i, &p, &n)) {
            snprintf(err, errlen, "entry %llu cannot be read (run airlock log verify)",
                     (unsigned long long)i);
            rc = -1;
            break;
        }
        json_t *rec = json_loadb((const char *)p, n, JSON_ALLOW_NUL, NULL);
        free(p);
        const char *type = json_string_value(json_object_get(rec, "type"));
        if (!type || strcmp(type, "request")) {
            json_decref(rec);
            continue;
        }
        st->requests++;
        json_t *policies = json_array();
        const char *after = NULL;
        if (json_object_get(rec, "cedar") && json_is_true(json_object_get(rec, "inputComplete")))
            after = redecide(rec, ps, entities, elen, az, policies);
        const char *before = json_string_value(json_object_get(rec, "decision"));
        if (!after || !before) {
            st->skipped++;
        } else {
            st->redecided++;
            if (strcmp(before, after)) {
                st->changed++;
                struct gate_replay_change c = {i, rec, before, after, policies};
                cb(ctx, &c);
            }
        }
        json_decref(policies);
        json_decref(rec);
    }
    cedar_authorizer_free(az);
    return rc;
}
