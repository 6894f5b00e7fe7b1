/*
 * gate_int.h - the gate's state, shared by its .c files (not an API).
 */
#ifndef GATE_INT_H
#define GATE_INT_H

#include "../cedar/cedar.h"
#include "gate.h"
#include "gate_inspect.h"
#include "../daemon/daemon_wire.h"
#include "../util/util_poll.h"

struct gate {
    const struct gate_config *cfg;
    struct ledger_log *log;
    char *dir, *server, *agent;
    char *user; /* context.user: User::"<user>" */
    char session[33];
    int holds; /* gate_opts.holds */
    struct cedar_policyset *ps;
    char policy_hash[65], entities_hash[65];
    char *entities_text; /* the configured entities, kept to rebuild es */
    size_t entities_len;
    struct cedar_entities *es; /* configured + the catalogue's actions */
    struct cedar_authorizer *az;
    struct cedar_arena arena; /* one request's values */
    struct gate_catalog cat;
    json_t *pins;
    struct inspect *insp;        /* rules and secret formats */
    struct inspect_list scratch; /* one string's findings */
    struct gate_found found;     /* the current call's */
    unsigned session_effects;    /* GATE_EFFECT_* so far */
    uint64_t calls;
    int unsigned_records;          /* written since the last idle checkpoint */
    int64_t unsigned_since;        /* when the first of those was written, monotonic ms */
    int idle_failed;               /* the last idle flush or checkpoint failed */
    int hold;                      /* records are held appends: the owner syncs */
    char *queued[GATE_MAX_QUEUED]; /* outcome records not yet written */
    size_t nqueued;
    /* A remote gate (gate_connect): airlockd decides; only these are used. */
    int remote;
    int fd; /* the connection, -1 when lost */
    char *socket_path;
    struct wire_in rin;    /* answers, read ahead */
    struct wire_buf wb;    /* the request being sent */
    json_t *tools_sent;    /* replayed after a reconnection */
    char rerr[512];        /* why the last exchange failed */
    struct util_spin spin; /* waiting for airlockd's answers (util_poll.h) */
    json_t *held;          /* ids of the calls airlockd holds (asked for again after a
                              reconnection) */
    struct gate_frame {
        char *p;
        size_t n;
    } * stash; /* WIRE_RESOLVED frames read while
waiting for another answer, set aside */
    size_t nstash;
    json_t *lost; /* held ids airlockd no longer knows (handed out as refusals) */
};

/* The remote gate's side of each call (gate_remote.c). */
void gate_remote_close(struct gate *g);
int gate_remote_set_agent(struct gate *g, const char *agent);
int gate_remote_set_tools(struct gate *g, const json_t *tools, char *err, size_t errlen);
void gate_remote_tools_stale(struct gate *g);
void gate_remote_decide(struct gate *g, const char *method, const json_t *params,
                        struct gate_verdict *v);
int gate_remote_record_outcome(struct gate *g, const struct gate_verdict *v, const json_t *response,
                               const char *what, double ms);
int gate_remote_record_event(struct gate *g, const char *type, json_t *fields);
size_t gate_remote_filter_tools(struct gate *g, json_t *result);

/* Ledger records (gate_record.c). */
int gate_record_request(struct gate *g, const char *method, const json_t *params,
                        struct gate_verdict *v);
int gate_record_json(struct gate *g, json_t *entry, uint64_t *index);

/* Reload pins.json, recording acceptances made while we held the ledger. */
int gate_reload_pins(struct gate *g);

/* Rebuild es from the configured entities and the catalogue. */
int gate_rebuild_entities(struct gate *g, char *err, size_t errlen);

#endif
