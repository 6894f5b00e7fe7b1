/*
 * daemon_admin.c - people's commands over the socket: pending, approve,
 * deny, grants, revoke, exposures, close, totp-enroll, log, reload.
 *
 * Who is asking is the kernel's word (the peer's uid, its login name as
 * User::"<name>"); each command is a call of the approvals desk
 * (approve_desk.h), which decides it with Cedar on the administrative
 * policies and records it; airlockd adds only what is its own: who the
 * caller is, and reading its ledger.
 */
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ledger/ledger_log.h"
#include "../util/util_file.h"
#include "daemon_int.h"

const char *
daemon_user_name(const struct conn *c, char *buf, size_t n)
{
    struct passwd *pw = getpwuid(c->uid);
    if (!pw)
        return NULL;
    snprintf(buf, n, "%s", pw->pw_name);
    return buf;
}

static int
answer(struct conn *c, json_t *result)
{
    char *s = result ? json_dumps(result, JSON_COMPACT) : NULL;
    json_decref(result);
    wire_begin(&c->out, s ? WIRE_OK : WIRE_ERROR);
    if (s)
        wire_add_str(&c->out, WT_JSON, s);
    else
        wire_add_str(&c->out, WT_TEXT, "out of memory");
    free(s);
    return daemon_send(c);
}

static int __attribute__((format(printf, 2, 3))) refuse(struct conn *c, const char *fmt, ...)
{
    char text[WIRE_MAX_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    wire_begin(&c->out, WIRE_ERROR);
    wire_add_str(&c->out, WT_TEXT, text);
    return daemon_send(c);
}

/* Whether the caller's user runs agents, as airlockd knows it: named in
 * the configuration's "users", or a session of its uid is open now (the
 * desk also asks the store, which remembers every one that ever was). */
static int
runs_agents(const struct daemon *d, const struct conn *c, const char *user)
{
    if (d->cfg.users && user && json_object_get(d->cfg.users, user))
        return 1;
    for (size_t i = 0; i < d->nconns; i++)
        if (d->conns[i].gate && d->conns[i].uid == c->uid)
            return 1;
    return 0;
}

/* Entries from "from" on: at most DAEMON_MAX_LOG_ENTRIES of them and about
 * DAEMON_MAX_LOG_BYTES (the answer says where to go on), with the signed
 * checkpoint.  Records are JSON text; an entry that is not UTF-8 is given
 * in base64.  What is durable is checkpointed first: the daemon signs when
 * idle or a second after a record, and a person reading the log must see
 * what happened up to the moment they asked (the hold they decide, say). */
static int
read_log(struct daemon *d, struct conn *c, const struct approve_caller *who, const json_t *args)
{
    char why[APPROVE_REASON_MAX], path[4096], err[LEDGER_ERR_MAX];
    if (!approve_desk_allowed(&d->desk, who, "log", "read_log", "Airlock", "ledger", why,
                              sizeof(why)))
        return refuse(c, "%s", why);
    if (ledger_checkpoint_now(d->log, err, sizeof(err)))
        return refuse(c, "the ledger cannot be checkpointed: %s", err);
    json_int_t from = json_integer_value(json_object_get(args, "from"));
    uint64_t size = ledger_size(d->log), i = from > 0 ? (uint64_t)from : 0;
    size_t bytes = 0;
    json_t *entries = json_array();
    for (; entries && i < size && json_array_size(entries) < DAEMON_MAX_LOG_ENTRIES &&
           bytes < DAEMON_MAX_LOG_BYTES;
         i++) {
        uint8_t *p;
        size_t n;
        if (ledger_read_entry(d->log, i, &p, &n)) {
            json_decref(entries);
            return refuse(c, "entry %llu cannot be read", (unsigned long long)i);
        }
        json_t *text = json_stringn((const char *)p, n), *e;
        if (text) {
            e = json_pack("{s:I, s:o}", "index", (json_int_t)i, "text", text);
        } else {
            char *b64 = malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL));
            if (b64)
                sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL),
                                  p, n, sodium_base64_VARIANT_ORIGINAL);
            e = json_pack("{s:I, s:s*}", "index", (json_int_t)i, "entry", b64);
            free(b64);
        }
        json_array_append_new(entries, e);
        bytes += n;
        free(p);
    }
    char *cp = NULL;
    size_t cplen;
    snprintf(path, sizeof(path), "%s/checkpoint", d->o->dir);
    if (util_read_file(path, LEDGER_MAX_ENTRY, &cp, &cplen, err, sizeof(err)))
        cp = NULL;
    json_t *r = json_pack("{s:I, s:I, s:o, s:s*}", "size", (json_int_t)size, "next", (json_int_t)i,
                          "entries", entries, "checkpoint", cp);
    free(cp);
    return answer(c, r);
}

/* With a schema file, whether the agents' policies (read by each session
 * when it starts) validate against it now: a reload says so. */
static int
agents_policies_invalid(struct daemon *d, char *err, size_t errlen)
{
    if (!d->o->schema || !strcmp(d->o->schema, "auto"))
        return 0;
    struct gate_opts go = {.policies = d->o->policies,
                           .schema = d->o->schema,
                           .cfg = &d->cfg,
                           .dir = d->o->dir,
                           .server = ""};
    return gate_check_policies(&go, err, errlen) != 0;
}

int
daemon_admin(struct daemon *d, struct conn *c, const struct wire_msg *m)
{
    char user[256], what[32], err[WIRE_MAX_TEXT];
    const struct wire_field *w = &m->f[WT_WHAT];
    json_t *args = wire_has(m, WT_JSON)
                       ? json_loadb(m->f[WT_JSON].p, m->f[WT_JSON].n, JSON_REJECT_DUPLICATES, NULL)
                       : json_object();
    struct approve_caller who = {c->uid, daemon_user_name(c, user, sizeof(user)), 0};
    json_t *result = NULL;
    int rc;
    who.runs_agents = runs_agents(d, c, who.user);
    snprintf(what, sizeof(what), "%.*s", (int)(w->n < sizeof(what) ? w->n : 0), w->p);
    if (!json_is_object(args))
        rc = refuse(c, "a command's arguments must be a JSON object");
    else if (!who.user)
        rc = refuse(c, "uid %u has no user name: it cannot be a person here", (unsigned)c->uid);
    else if (!strcmp(what, "log"))
        rc = read_log(d, c, &who, args);
    else if (!strcmp(what, "reload"))
        rc = approve_desk_reload(&d->desk, &who, d->o->admin_policies, d->o->entities, err,
                                 sizeof(err))
                 ? refuse(c, "%s", err)
             : agents_policies_invalid(d, err, sizeof(err))
                 ? refuse(c,
                          "the administrative policies were reloaded, but the agents' "
                          "policies do not validate against the schema, and sessions will be "
                          "refused until they do: %s",
                          err)
                 : answer(c, json_pack("{s:s}", "status", "reloaded"));
    else if (approve_desk_command(&d->desk, &who, what, args, &result, err, sizeof(err)))
        rc = refuse(c, "%s", err);
    else
        rc = answer(c, result);
    json_decref(args);
    return rc;
}
