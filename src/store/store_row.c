/*
 * store_row.c - the store's rows: ids, releasing, and their JSON for
 * people (the same object whichever implementation read them).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

void
store_new_id(char prefix, char out[STORE_ID_MAX])
{
    unsigned char r[STORE_ID_LEN / 2];
    randombytes_buf(r, sizeof(r));
    out[0] = prefix;
    out[1] = '-';
    sodium_bin2hex(out + 2, STORE_ID_MAX - 2, r, sizeof(r));
}

void
store_hold_release(struct store_hold *h)
{
    free(h->user), free(h->agent), free(h->session), free(h->server), free(h->method);
    free(h->tool), free(h->text), free(h->decided_by), free(h->reason);
    json_decref(h->params), json_decref(h->findings), json_decref(h->categories);
    json_decref(h->cedar);
    memset(h, 0, sizeof(*h));
}

void
store_grant_release(struct store_grant *g)
{
    free(g->agent), free(g->server), free(g->method), free(g->tool), free(g->by);
    free(g->revoked_by);
    memset(g, 0, sizeof(*g));
}

void
store_exposure_release(struct store_exposure *e)
{
    free(e->agent), free(e->user), free(e->server), free(e->tool), free(e->rule), free(e->what);
    free(e->explanation), free(e->key), free(e->approved_by), free(e->closed_by), free(e->note);
    json_decref(e->access);
    memset(e, 0, sizeof(*e));
}

void
store_holds_release(struct store_holds *l)
{
    for (size_t i = 0; i < l->n; i++)
        store_hold_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void
store_grants_release(struct store_grants *l)
{
    for (size_t i = 0; i < l->n; i++)
        store_grant_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void
store_exposures_release(struct store_exposures *l)
{
    for (size_t i = 0; i < l->n; i++)
        store_exposure_release(&l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void
store_ids_release(struct store_ids *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* ---- JSON: the columns' names, absent fields left out ---- */

static int
put_str(json_t *o, const char *k, const char *v)
{
    return v ? json_object_set_new(o, k, json_string(v)) : 0;
}

static int
put_int(json_t *o, const char *k, int64_t v)
{
    return json_object_set_new(o, k, json_integer(v));
}

/* A time or count that the store keeps as NULL when 0. */
static int
put_set(json_t *o, const char *k, int64_t v)
{
    return v ? put_int(o, k, v) : 0;
}

static int
put_json(json_t *o, const char *k, const json_t *v)
{
    return v ? json_object_set(o, k, (json_t *)v) : 0;
}

static json_t *
done(json_t *o, int bad)
{
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
store_hold_json(const struct store_hold *h)
{
    json_t *o = json_object();
    int bad = !o || put_str(o, "id", h->id) || put_int(o, "created", h->created) ||
              put_int(o, "expires", h->expires) ||
              put_str(o, "status", store_status_name(h->status)) || put_int(o, "uid", h->uid) ||
              put_str(o, "user", h->user) || put_str(o, "agent", h->agent) ||
              put_str(o, "session", h->session) || put_str(o, "server", h->server) ||
              put_str(o, "method", h->method) || put_str(o, "tool", h->tool) ||
              put_json(o, "params", h->params) || put_json(o, "findings", h->findings) ||
              put_int(o, "severity", h->severity) || put_json(o, "categories", h->categories) ||
              put_str(o, "bind", h->bind) || put_int(o, "entry", (int64_t)h->entry) ||
              put_str(o, "text", h->text) || put_int(o, "effects", h->effects) ||
              (h->match[0] && put_str(o, "match", h->match)) || put_json(o, "cedar", h->cedar) ||
              put_set(o, "decided", h->decided) || put_str(o, "decidedBy", h->decided_by) ||
              put_str(o, "reason", h->reason) || put_set(o, "grantSeconds", h->grant_seconds) ||
              put_set(o, "usableUntil", h->usable_until);
    return done(o, bad);
}

json_t *
store_grant_json(const struct store_grant *g)
{
    json_t *o = json_object();
    int bad = !o || put_str(o, "id", g->id) || put_str(o, "hold", g->hold) ||
              put_int(o, "uid", g->uid) || put_str(o, "agent", g->agent) ||
              put_str(o, "server", g->server) || put_str(o, "method", g->method) ||
              put_str(o, "tool", g->tool) || put_str(o, "match", g->match) ||
              put_int(o, "created", g->created) || put_int(o, "expires", g->expires) ||
              put_str(o, "by", g->by) || put_set(o, "revoked", g->revoked) ||
              put_str(o, "revokedBy", g->revoked_by) || put_set(o, "ended", g->ended);
    return done(o, bad);
}

json_t *
store_exposure_json(const struct store_exposure *e)
{
    json_t *o = json_object();
    int bad = !o || put_str(o, "id", e->id) || (e->hold[0] && put_str(o, "hold", e->hold)) ||
              put_int(o, "entry", (int64_t)e->entry) || put_str(o, "agent", e->agent) ||
              put_str(o, "user", e->user) || put_str(o, "server", e->server) ||
              put_str(o, "tool", e->tool) || put_str(o, "rule", e->rule) ||
              put_str(o, "what", e->what) || put_str(o, "explanation", e->explanation) ||
              put_str(o, "key", e->key) || put_str(o, "approvedBy", e->approved_by) ||
              put_int(o, "opened", e->opened) || put_set(o, "closed", e->closed) ||
              put_str(o, "closedBy", e->closed_by) || put_str(o, "note", e->note) ||
              put_int(o, "alerted", e->alerted) || put_json(o, "access", e->access);
    return done(o, bad);
}
