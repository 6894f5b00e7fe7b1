/*
 * gate_int.h - the gate's state, shared by its .c files (not an API).
 */
#ifndef GATE_INT_H
#define GATE_INT_H

#include "../cedar/cedar.h"
#include "gate.h"
#include "gate_decider.h"
#include "gate_inspect.h"

struct gate {
    struct gate_decider base; /* first: the local gate is a decider */
    const struct gate_config *cfg;
    struct ledger_log *log;
    char *dir, *server, *agent;
    char *user; /* context.user: User::"<user>" */
    char session[33];
    int holds;  /* gate_opts.holds */
    int shadow; /* gate_set_shadow */
    struct cedar_policyset *ps;
    /* --schema: what the policies validated against; every request must
     * fit it (a missing attribute would make a policy error, and be
     * skipped).  With "auto" it follows the tools listed; schema_bad says
     * the policies no longer validate, and why: every call is refused. */
    struct cedar_schema *schema;
    char *schema_opt, *policies_name;
    int schema_bad;
    char schema_err[GATE_ERR_MAX];
    char policy_hash[65], entities_hash[65];
    char *entities_text; /* the configured entities, kept to rebuild es */
    size_t entities_len;
    struct cedar_entities *es; /* configured + the catalogue's actions */
    struct cedar_authorizer *az;
    struct cedar_arena arena; /* one request's values */
    struct gate_catalog cat;
    json_t *pins;
    struct inspect *insp;           /* rules and secret formats */
    int insp_borrowed;              /* gate_opts.insp: not the gate's to close */
    struct inspect_list scratch;    /* one string's findings */
    struct gate_found found;        /* the current call's */
    unsigned session_effects;       /* GATE_EFFECT_* so far */
    struct gate_sessions *sessions; /* gate_opts.sessions */
    uint64_t calls;
    int unsigned_records;          /* written since the last idle checkpoint */
    int64_t unsigned_since;        /* when the first of those was written, monotonic ms */
    int idle_failed;               /* the last idle flush or checkpoint failed */
    int hold;                      /* records are held appends: the owner syncs */
    char err[LEDGER_ERR_MAX];      /* why the last write to the ledger failed */
    char *queued[GATE_MAX_QUEUED]; /* outcome records not yet written */
    size_t nqueued;
};

/* Ledger records (gate_record.c). */
int gate_record_request(struct gate *g, const char *method, const json_t *params,
                        struct gate_verdict *v);
int gate_record_json(struct gate *g, json_t *entry, uint64_t *index);

/* Reload pins.json, recording acceptances made while we held the ledger. */
int gate_reload_pins(struct gate *g);

/* Rebuild es from the configured entities and the catalogue. */
int gate_rebuild_entities(struct gate *g, char *err, size_t errlen);

#endif
