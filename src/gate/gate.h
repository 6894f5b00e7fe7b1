/*
 * gate.h - the decision: an MCP request as a Cedar request, decided,
 * written to the ledger.
 *
 * A gate owns the policy set, the entities (the configured ones plus the
 * Action entities of the upstream's tools), the tool catalogue and pins,
 * the session's Rule-of-Two state and the ledger it writes to.  It is
 * single-threaded: one gate per session.
 *
 * Every decided request is written to the ledger (durably) before the
 * verdict is returned; a request that cannot be recorded is refused.  The
 * mapping is documented in docs/mcp.md.
 */
#ifndef GATE_H
#define GATE_H

#include <jansson.h>
#include <stdint.h>

#include "../ledger/ledger_log.h"
#include "gate_catalog.h"
#include "gate_config.h"

#define GATE_ERR_MAX 1024
/* Bytes of a refusal's text and reasons. */
#define GATE_REASON_MAX 2048
/* Outcome records held for the next durable write (or the idle moment). */
#define GATE_MAX_QUEUED 64
/* Longest a record waits for a signed checkpoint while a session is too
 * busy to be idle (gate_checkpoint_due). */
#define GATE_CHECKPOINT_MAX_MS 1000
/* Determining policies named in a verdict. */
#define GATE_MAX_REASONS 16

struct gate;

struct gate_sessions;

struct gate_opts {
    const char *policies; /* file, or NULL for the built-in default */
    const char *entities; /* file, or NULL for the built-in default */
    const char *schema;   /* Cedar schema file the policies must validate against,
                             "auto" for the one generated from the pinned tool
                             definitions (gate_schema.h), or NULL: none */
    const struct gate_config *cfg;
    struct ledger_log *log;         /* open for appending; borrowed */
    const char *dir;                /* data directory (pins) */
    const char *server;             /* resource id: McpServer::"<server>" */
    const char *agent;              /* NULL until the client says who it is */
    const char *user;               /* on whose behalf (airlockd: the kernel's user of the
                                       connection); NULL: this process's user */
    int holds;                      /* airlockd: a person can be asked (else "needs approval"
                                       is a refusal saying that nobody can be) */
    struct inspect *insp;           /* inspection shared by many gates (airlockd's: loaded
                                       once, the organization set), borrowed; NULL: the
                                       gate loads its own */
    struct gate_sessions *sessions; /* agent sessions' effects across gates
                                       (gate_sessions.h), borrowed; NULL: the
                                       gate's own session only */
};

/* Why a request was refused, in the gate's terms: each transport says it
 * in its own (the MCP relay: a JSON-RPC error code, mcp_refusal_code). */
enum gate_refusal {
    GATE_REFUSED_NONE,       /* not refused */
    GATE_REFUSED_POLICY,     /* by policy, or by a failure on the decision path */
    GATE_REFUSED_APPROVAL,   /* permitted only with a person's approval */
    GATE_REFUSED_UNRECORDED, /* the ledger could not record it */
    GATE_REFUSED_INVALID,    /* the request is malformed (no tool name, ...) */
    /* An agent's own tool call that every forbid stopping it marks
     * @confirm("user"): the agent's own user may confirm it (the hook
     * asks them), no hold.  Last: the wire checks the range. */
    GATE_REFUSED_CONFIRM,
};

enum gate_outcome {
    GATE_PERMIT,
    GATE_DENY,
    GATE_NEEDS_APPROVAL,
    GATE_HELD, /* airlockd holds it for a person: the answer comes later */
};

#define GATE_HOLD_MAX 16 /* bytes of a hold's id, with its NUL */

struct gate_verdict {
    enum gate_outcome outcome;
    enum gate_refusal refusal;  /* why, when refused */
    char text[GATE_REASON_MAX]; /* for a person: what was decided and why */
    json_t *policies;           /* ids of the determining policies (owned) */
    json_t *cedar;              /* the Cedar request, as recorded (owned; may be NULL) */
    uint64_t entry;             /* ledger index of the request's record */
    const char *tool;           /* tools/call: the tool's name (borrowed, or tool_copy) */
    char *tool_copy;            /* airlockd's client: the tool's name (owned) */
    unsigned effects;           /* GATE_EFFECT_* this call brings */
    char hold[GATE_HOLD_MAX];   /* GATE_HELD: the hold's id */
    /* What inspection found (local gates only; airlockd reads them): the
     * kept findings as JSON (owned; NULL when none), the worst severity
     * (enum inspect_severity) and the categories (JSON array, owned). */
    json_t *findings, *categories;
    int severity;
    /* Shadow mode let it through: the record keeps what was decided
     * ("shadow": true), the outcome is GATE_PERMIT. */
    int shadow;
};

#define GATE_EFFECT_UNTRUSTED 1u /* reads untrusted input */
#define GATE_EFFECT_SENSITIVE 2u /* touches sensitive data */
#define GATE_EFFECT_EXTERNAL 4u  /* has an effect beyond the session */

int gate_open(struct gate **out, const struct gate_opts *o, char *err, size_t errlen);
/* What gate_open checks of o's policies (they read; they validate against
 * o->schema when one is given), without opening anything: airlockd's
 * check when it starts.  0, or -1 with err. */
int gate_check_policies(const struct gate_opts *o, char *err, size_t errlen);
void gate_close(struct gate *g);
/* The gate as the transports see a decider (gate_decider.h): closing the
 * decider closes the gate.  airlockd's client is the other decider
 * (src/client/client.h). */
struct gate_decider *gate_decider(struct gate *g);

/* Why the last write to the ledger failed (a record refused, a flush),
 * for the one place that reports it. */
const char *gate_error(const struct gate *g);

/* Hashes identifying what decides (SHA-256 hex of the texts). */
const char *gate_policy_hash(const struct gate *g);

/* Shadow mode (airlockd's, switched by a person: docs/hooks.md): an
 * agent's own tool call that would be refused or held for a person is
 * decided and recorded as such, then let through.  Malformed calls and
 * calls that cannot be recorded are refused still. */
void gate_set_shadow(struct gate *g, int on);

/* The principal, once known (--agent or the client's clientInfo.name). */
int gate_set_agent(struct gate *g, const char *agent);
const char *gate_agent(const struct gate *g);
/* The session's id (random, per gate) and the upstream server's name. */
const char *gate_session(const struct gate *g);
const char *gate_server(const struct gate *g);

/* The upstream's complete tool list (definitions): catalogue, pins,
 * entities; recorded in the ledger.  -1 with err: the session must stop. */
int gate_set_tools(struct gate *g, const json_t *tools, char *err, size_t errlen);
int gate_tools_known(const struct gate *g);
/* Forget the catalogue (after notifications/tools/list_changed). */
void gate_tools_stale(struct gate *g);

/* Whether method is a client's request that the gate decides (tools/call,
 * resources/read, prompts/get). */
int gate_decides(const char *method);
/* Whether it is a server's request the gate decides (sampling/createMessage,
 * elicitation/create), or the client's answer to one: the answer is decided
 * as a request of its own, named gate_answer_method(request's method) (not
 * an MCP method: the name the ledger and context.method give it), its
 * params the answer's result.  Neither is ever held for a person. */
int gate_decides_server(const char *method);
#define GATE_SAMPLING_ANSWER "sampling/createMessage:answer"
#define GATE_ELICITATION_ANSWER "elicitation/create:answer"
const char *gate_answer_method(const char *method);

/* Decide a request and record it.  Always fills v (release it with
 * gate_verdict_release); a failure anywhere is a refusal saying why. */
void gate_decide(struct gate *g, const char *method, const json_t *params, struct gate_verdict *v);
void gate_verdict_release(struct gate_verdict *v);

/* Record the reply to a permitted request (response: the JSON-RPC message,
 * or NULL with what in its place: "cancelled", "upstream exited"), and
 * update the session's state.  The record is queued and written with the
 * next record, at the next idle moment, or by gate_flush (a process killed
 * before then loses it; the request's own record is always durable before
 * the request is forwarded).  0, or -1 when it could not be queued. */
int gate_record_outcome(struct gate *g, const struct gate_verdict *v, const json_t *response,
                        const char *what, double ms);

/* Nothing to do right now: sign a checkpoint over what the ledger holds, so
 * that it is visible to readers even if this process is killed later. */
void gate_idle(struct gate *g);
/* Whether records were written since the last gate_idle. */
int gate_unsigned(const struct gate *g);
/* Whether a record has waited GATE_CHECKPOINT_MAX_MS for a checkpoint: a
 * session that is never idle (a call always in flight, calls closer than
 * the idle pause) calls gate_idle anyway, so that what it recorded is
 * signed within about a second, not after thousands of entries. */
int gate_checkpoint_due(const struct gate *g);

/* Write the queued records now.  0 or -1. */
int gate_flush(struct gate *g);

/* From now on the session's records are held appends (ledger_append_held):
 * written with their indexes, durable only at the owner's ledger_sync(),
 * and the owner answers nothing that depends on them before.  airlockd
 * uses it so that the sessions of one round share one fdatasync. */
void gate_hold_records(struct gate *g);

/* The ledger's time: "2026-12-02T07:45:01.123Z". */
void gate_time_text(char *buf, size_t n);

/* Record a session event (start, end) with extra fields (borrowed). */
int gate_record_event(struct gate *g, const char *type, json_t *fields);

/* A gateway record (a ledger entry) for a person, malloc'd; NULL when the
 * entry is not one. */
#define GATE_MAX_DESCRIBED (1u << 20) /* bytes of one record described */
char *gate_record_describe(const void *data, size_t n);

/* Remove from a tools/list result the tools no approval could permit:
 * changed or reserved ones, and those that no permit policy's scope
 * matches or an unconditional forbid covers.  Returns how many it hid. */
size_t gate_filter_tools(struct gate *g, json_t *result);

#endif
