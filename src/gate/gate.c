/*
 * gate.c - a gate's life: policies, entities, tools and pins.
 */
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/util_file.h"
#include "../util/util_hash.h"
#include "../util/util_log.h"
#include "../defaults/defaults.h"
#include "gate_int.h"
#include "gate_pins.h"
#include "gate_schema.h"

static int
load_policies(struct gate *g, const char *path, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len;
    const char *src = defaults_mcp_policies, *name = "built-in default policies";
    len = strlen(src);
    if (path) {
        if (util_read_file(path, CEDAR_MAX_POLICY_TEXT, &text, &len, err, errlen))
            return -1;
        src = text;
        name = path;
    }
    struct cedar_diags *d = calloc(1, sizeof(*d));
    int rc = d ? cedar_policyset_add_text(g->ps, src, len, 0, d) : CEDAR_E_NOMEM;
    if (rc && d && d->n)
        snprintf(err, errlen, "%s:%u:%u: %s", name, d->v[0].line, d->v[0].col, d->v[0].msg);
    else if (rc)
        snprintf(err, errlen, "%s: %s", name, cedar_strerror(rc));
    else if (cedar_policyset_count(g->ps) == 0)
        snprintf(err, errlen, "%s: no policies (everything would be refused)", name);
    else
        util_sha256_hex(src, len, g->policy_hash);
    if (!rc && cedar_policyset_count(g->ps) == 0)
        rc = -1;
    free(d);
    free(text);
    return rc ? -1 : 0;
}

static int
load_entities(struct gate *g, const char *path, char *err, size_t errlen)
{
    if (path) {
        if (util_read_file(path, CEDAR_MAX_JSON_TEXT, &g->entities_text, &g->entities_len, err,
                           errlen))
            return -1;
    } else {
        g->entities_text = strdup(defaults_mcp_entities);
        if (!g->entities_text) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        g->entities_len = strlen(g->entities_text);
    }
    util_sha256_hex(g->entities_text, g->entities_len, g->entities_hash);
    if (gate_rebuild_entities(g, err, errlen)) {
        /* Say which file is wrong. */
        char why[GATE_ERR_MAX];
        snprintf(why, sizeof(why), "%s", err);
        snprintf(err, errlen, "%s: %s", path ? path : "built-in default entities", why);
        return -1;
    }
    return 0;
}

int
gate_rebuild_entities(struct gate *g, char *err, size_t errlen)
{
    struct cedar_error ce;
    size_t alen;
    char *actions = gate_catalog_entities(&g->cat, &alen);
    struct cedar_entities *es = cedar_entities_new();
    int rc = -1;
    if (!actions || !es) {
        snprintf(err, errlen, "out of memory");
    } else if (cedar_entities_load_json(es, g->entities_text, g->entities_len, &ce)) {
        snprintf(err, errlen, "%s", ce.msg);
    } else if (cedar_entities_load_json(es, actions, alen, &ce)) {
        snprintf(err, errlen,
                 "the tools' actions: %s (Action entities of tools are airlock's; "
                 "use \"groups\" in the configuration)",
                 ce.msg);
    } else {
        cedar_entities_free(g->es);
        g->es = es;
        es = NULL;
        rc = 0;
    }
    cedar_entities_free(es);
    free(actions);
    return rc;
}

/* The schema o names, read (or generated: "auto"), into *s. */
static int
load_schema(const struct gate_opts *o, struct cedar_schema **s, char *err, size_t errlen)
{
    struct util_buf b;
    char *text = NULL;
    size_t len = 0;
    const char *name = o->schema;
    util_buf_init(&b, CEDAR_MAX_SCHEMA_TEXT);
    if (!strcmp(o->schema, "auto")) {
        json_t *tools = gate_pins_definitions(o->dir, o->server, err, errlen);
        int rc = !tools || gate_schema_generate(o->cfg, o->server, tools, &b, err, errlen);
        json_decref(tools);
        if (rc) {
            util_buf_free(&b);
            return -1;
        }
        text = b.p, len = b.len;
        name = "the schema generated from the pinned tools";
    } else if (util_read_file(o->schema, CEDAR_MAX_SCHEMA_TEXT, &text, &len, err, errlen)) {
        return -1;
    }
    struct cedar_diags *d = calloc(1, sizeof(*d));
    int rc = d ? cedar_schema_parse(text ? text : "", len, s, d) : CEDAR_E_NOMEM;
    if (rc && d && d->n)
        snprintf(err, errlen, "%s:%u:%u: %s", name, d->v[0].line, d->v[0].col, d->v[0].msg);
    else if (rc)
        snprintf(err, errlen, "%s: %s", name, cedar_strerror(rc));
    free(d);
    if (text != b.p)
        free(text);
    util_buf_free(&b);
    return rc ? -1 : 0;
}

/* The policies validate against the schema, or the gate does not open:
 * a policy that cannot be typed would be skipped at evaluation, silently
 * (a forbid that never forbids). */
static int validate_against(struct gate *g, const char *policies, struct cedar_schema *s, char *err,
                            size_t errlen);

static int
check_schema(struct gate *g, const struct gate_opts *o, struct cedar_schema **keep, char *err,
             size_t errlen)
{
    struct cedar_schema *s = NULL;
    if (!o->schema)
        return 0;
    if (load_schema(o, &s, err, errlen))
        return -1;
    int rc = validate_against(g, o->policies, s, err, errlen);
    if (!rc && keep)
        *keep = s;
    else
        cedar_schema_free(s);
    return rc;
}

/* The policies (read from file policies, NULL: the built-in ones)
 * validate against s, or err says which does not. */
static int
validate_against(struct gate *g, const char *policies, struct cedar_schema *s, char *err,
                 size_t errlen)
{
    struct cedar_vresult *r = calloc(1, sizeof(*r));
    int bad = r ? cedar_validate(s, g->ps, r) : CEDAR_E_NOMEM;
    const char *pol = policies ? policies : "built-in default policies";
    if (bad < 0) {
        snprintf(err, errlen, "validating %s: %s", pol, cedar_strerror(bad));
    } else if (bad) {
        const struct cedar_verror *e = NULL;
        for (uint32_t i = 0; i < r->n && !e; i++)
            if (!r->v[i].warning)
                e = &r->v[i];
        snprintf(err, errlen,
                 "%s:%u:%u: %s does not validate against the schema: %s%s (`airlock policy "
                 "validate` lists every error)",
                 pol, e ? e->line : 0, e ? e->col : 0, e ? e->policy : "a policy", e ? e->msg : "",
                 bad > 1 ? "; other policies do not either" : "");
    }
    free(r);
    return bad ? -1 : 0;
}

int
gate_check_policies(const struct gate_opts *o, char *err, size_t errlen)
{
    struct gate g;
    memset(&g, 0, sizeof(g));
    if (cedar_hash_init() || !(g.ps = cedar_policyset_new())) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = load_policies(&g, o->policies, err, errlen) || check_schema(&g, o, NULL, err, errlen);
    cedar_policyset_free(g.ps);
    return rc ? -1 : 0;
}

int
gate_open(struct gate **out, const struct gate_opts *o, char *err, size_t errlen)
{
    struct gate *g = calloc(1, sizeof(*g));
    if (!g || cedar_hash_init())
        goto nomem;
    g->cfg = o->cfg;
    g->log = o->log;
    g->holds = o->holds;
    g->sessions = o->sessions;
    cedar_arena_init(&g->arena, CEDAR_MAX_REQUEST_ARENA);
    unsigned char sid[16];
    randombytes_buf(sid, sizeof(sid));
    sodium_bin2hex(g->session, sizeof(g->session), sid, sizeof(sid));
    char uid[32];
    struct passwd *pw = o->user ? NULL : getpwuid(geteuid());
    snprintf(uid, sizeof(uid), "uid %u", (unsigned)geteuid());
    if (!(g->user = strdup(o->user ? o->user
                           : pw    ? pw->pw_name
                                   : uid)) ||
        !(g->dir = strdup(o->dir)) || !(g->server = strdup(o->server)) ||
        (o->agent && gate_set_agent(g, o->agent)) || !(g->ps = cedar_policyset_new()) ||
        !(g->az = cedar_authorizer_new()))
        goto nomem;
    if (load_policies(g, o->policies, err, errlen) || load_entities(g, o->entities, err, errlen) ||
        check_schema(g, o, &g->schema, err, errlen))
        goto fail;
    if (o->schema && (!(g->schema_opt = strdup(o->schema)) ||
                      (o->policies && !(g->policies_name = strdup(o->policies)))))
        goto nomem;
    if (!(g->pins = gate_pins_load(g->dir, err, errlen)))
        goto fail;
    if (inspect_list_init(&g->scratch))
        goto nomem;
    if (o->insp)
        g->insp = o->insp, g->insp_borrowed = 1;
    else if (inspect_open(&g->insp, NULL, NULL, err, errlen) ||
             gate_config_org(g->cfg, g->insp, err, errlen))
        goto fail;
    *out = g;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
fail:
    gate_close(g);
    return -1;
}

void
gate_close(struct gate *g)
{
    if (!g)
        return;
    if (g->nqueued && gate_flush(g))
        util_log("airlock: %zu outcome records could not be written to the ledger: %s\n",
                 g->nqueued, g->err);
    for (size_t i = 0; i < g->nqueued; i++)
        free(g->queued[i]);
    cedar_policyset_free(g->ps);
    cedar_schema_free(g->schema);
    free(g->schema_opt);
    free(g->policies_name);
    cedar_entities_free(g->es);
    cedar_authorizer_free(g->az);
    cedar_arena_release(&g->arena);
    gate_catalog_release(&g->cat);
    json_decref(g->pins);
    if (!g->insp_borrowed)
        inspect_close(g->insp);
    inspect_list_release(&g->scratch);
    free(g->entities_text);
    free(g->dir);
    free(g->user);
    free(g->server);
    free(g->agent);
    free(g);
}

const char *
gate_error(const struct gate *g)
{
    return g->err[0] ? g->err : "no error";
}

const char *
gate_policy_hash(const struct gate *g)
{
    return g->policy_hash;
}

void
gate_set_shadow(struct gate *g, int on)
{
    g->shadow = on != 0;
}

int
gate_set_agent(struct gate *g, const char *agent)
{
    char *a = strdup(agent);
    if (!a)
        return -1;
    free(g->agent);
    g->agent = a;
    return 0;
}

const char *
gate_agent(const struct gate *g)
{
    return g->agent;
}

const char *
gate_session(const struct gate *g)
{
    return g->session;
}

const char *
gate_server(const struct gate *g)
{
    return g->server;
}

int
gate_tools_known(const struct gate *g)
{
    return g->cat.known;
}

void
gate_tools_stale(struct gate *g)
{
    g->cat.known = 0;
}

static int
record_pins(struct gate *g, json_t *pinned, json_t *changed)
{
    if (!json_array_size(pinned) && !json_array_size(changed))
        return 0;
    json_t *e = json_pack("{s:s, s:s, s:O, s:O}", "type", "pins", "server", g->server, "pinned",
                          pinned, "changed", changed);
    int rc = e ? gate_record_json(g, e, NULL) : -1;
    json_decref(e);
    return rc;
}

/*
 * Fresh pins from disk, replacing g->pins.  Acceptances made while this
 * session held the ledger are written to it first; if that fails, the old
 * pins stay (an acceptance that is not in the ledger does not count).
 */
int
gate_reload_pins(struct gate *g)
{
    char err[GATE_ERR_MAX];
    json_t *fresh = gate_pins_load(g->dir, err, sizeof(err));
    if (!fresh)
        return -1;
    json_t *todo = gate_pins_take_unrecorded(fresh);
    size_t i;
    json_t *e;
    int rc = 0;
    json_array_foreach(todo, i, e) {
        json_t *copy = json_deep_copy(e);
        if (!copy || gate_record_json(g, copy, NULL))
            rc = -1;
        json_decref(copy);
    }
    if (!rc && json_array_size(todo) && gate_pins_save(g->dir, fresh, err, sizeof(err)))
        rc = -1;
    json_decref(todo);
    if (rc) {
        json_decref(fresh);
        return -1;
    }
    json_decref(g->pins);
    g->pins = fresh;
    return 0;
}

/* --schema auto: the schema of the tools just listed, and the policies
 * validated against it; when they do not validate, every call is refused
 * saying why (the session's policies were checked against older tools). */
static void
follow_schema(struct gate *g, const json_t *tools)
{
    struct util_buf b;
    struct cedar_schema *s = NULL;
    struct cedar_diags *d = calloc(1, sizeof(*d));
    util_buf_init(&b, CEDAR_MAX_SCHEMA_TEXT);
    g->schema_bad = 1;
    if (!d ||
        gate_schema_generate(g->cfg, g->server, tools, &b, g->schema_err, sizeof(g->schema_err))) {
        if (!d)
            snprintf(g->schema_err, sizeof(g->schema_err), "out of memory");
    } else if (cedar_schema_parse(b.p, b.len, &s, d)) {
        snprintf(g->schema_err, sizeof(g->schema_err),
                 "the schema of the tools listed does not load (%s)",
                 d->n ? d->v[0].msg : "out of memory");
    } else if (!validate_against(g, g->policies_name, s, g->schema_err, sizeof(g->schema_err))) {
        cedar_schema_free(g->schema);
        g->schema = s;
        s = NULL;
        g->schema_bad = 0;
    }
    cedar_schema_free(s);
    util_buf_free(&b);
    free(d);
}

int
gate_set_tools(struct gate *g, const json_t *tools, char *err, size_t errlen)
{
    json_t *pinned = NULL, *changed = NULL;
    int dirty, rc = -1;
    if (gate_catalog_set(&g->cat, g->cfg, g->server, tools, err, errlen))
        return -1;
    /* Pins may have been accepted by a person since they were loaded. */
    (void)gate_reload_pins(g);
    if (gate_pins_apply(g->pins, g->server, &g->cat, tools, &pinned, &changed, &dirty)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (dirty && gate_pins_save(g->dir, g->pins, err, errlen))
        goto out;
    if (record_pins(g, pinned, changed)) {
        snprintf(err, errlen, "cannot record the tools' pins in the ledger: %s", g->err);
        goto out;
    }
    rc = gate_rebuild_entities(g, err, errlen);
    if (!rc && g->schema_opt && !strcmp(g->schema_opt, "auto"))
        follow_schema(g, tools);
out:
    json_decref(pinned);
    json_decref(changed);
    return rc;
}

/* ---- the local gate as a decider (gate_decider.h) ---- */

static struct gate *
of(struct gate_decider *d)
{
    return (struct gate *)d; /* base is the first member */
}

static const struct gate *
of_const(const struct gate_decider *d)
{
    return (const struct gate *)d;
}

static int
d_set_agent(struct gate_decider *d, const char *agent)
{
    return gate_set_agent(of(d), agent);
}

static int
d_set_tools(struct gate_decider *d, const json_t *tools, char *err, size_t errlen)
{
    return gate_set_tools(of(d), tools, err, errlen);
}

static int
d_tools_known(const struct gate_decider *d)
{
    return gate_tools_known(of_const(d));
}

static void
d_tools_stale(struct gate_decider *d)
{
    gate_tools_stale(of(d));
}

static size_t
d_filter_tools(struct gate_decider *d, json_t *result)
{
    return gate_filter_tools(of(d), result);
}

static void
d_decide(struct gate_decider *d, const char *method, const json_t *params, struct gate_verdict *v)
{
    gate_decide(of(d), method, params, v);
}

static int
d_record_outcome(struct gate_decider *d, const struct gate_verdict *v, const json_t *response,
                 const char *what, double ms)
{
    return gate_record_outcome(of(d), v, response, what, ms);
}

static int
d_record_event(struct gate_decider *d, const char *type, json_t *fields)
{
    return gate_record_event(of(d), type, fields);
}

/* The local gate holds nothing for a person: needs-approval is its answer. */
static int
d_fd(const struct gate_decider *d)
{
    (void)d;
    return -1;
}

static int
d_holds(const struct gate_decider *d)
{
    (void)d;
    return 0;
}

static int
d_resolved(struct gate_decider *d, void (*fn)(void *, struct gate_verdict *), void *arg)
{
    (void)d, (void)fn, (void)arg;
    return 0;
}

static void
d_withdraw(struct gate_decider *d, const char *hold, const char *what)
{
    (void)d, (void)hold, (void)what;
}

static void
d_idle(struct gate_decider *d)
{
    gate_idle(of(d));
}

static int
d_unsigned(const struct gate_decider *d)
{
    return gate_unsigned(of_const(d));
}

static int
d_checkpoint_due(const struct gate_decider *d)
{
    return gate_checkpoint_due(of_const(d));
}

static int
d_flush(struct gate_decider *d)
{
    return gate_flush(of(d));
}

static const char *
d_error(const struct gate_decider *d)
{
    return gate_error(of_const(d));
}

static void
d_close(struct gate_decider *d)
{
    gate_close(of(d));
}

static const struct gate_decider_ops local_ops = {
    .set_agent = d_set_agent,
    .set_tools = d_set_tools,
    .tools_known = d_tools_known,
    .tools_stale = d_tools_stale,
    .filter_tools = d_filter_tools,
    .decide = d_decide,
    .record_outcome = d_record_outcome,
    .record_event = d_record_event,
    .fd = d_fd,
    .holds = d_holds,
    .resolved = d_resolved,
    .withdraw = d_withdraw,
    .idle = d_idle,
    .unsigned_records = d_unsigned,
    .checkpoint_due = d_checkpoint_due,
    .flush = d_flush,
    .error = d_error,
    .close = d_close,
};

struct gate_decider *
gate_decider(struct gate *g)
{
    g->base.ops = &local_ops;
    return &g->base;
}
