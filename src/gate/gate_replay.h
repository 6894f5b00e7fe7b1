/*
 * gate_replay.h - re-decide the requests in a ledger with other policies.
 *
 * Every "request" record the gateway wrote holds the Cedar request it
 * decided (the context but its input, and the action's groups); with the
 * record's input it is decided again under a new policy set and entities,
 * so a policy change can be judged on real traffic before it is deployed.
 * A request whose input was too large to log whole, or that was refused
 * before Cedar decided it (an unknown tool, a changed pin), is counted as
 * skipped.
 */
#ifndef GATE_REPLAY_H
#define GATE_REPLAY_H

#include <jansson.h>
#include <stdint.h>

#include "../cedar/cedar.h"
#include "../ledger/ledger_log.h"

struct gate_replay_change {
    uint64_t index;         /* the request's ledger entry */
    const json_t *record;   /* the request record */
    const char *before;     /* its recorded decision */
    const char *after;      /* the decision under the new policies */
    const json_t *policies; /* ids of the new determining policies */
};

struct gate_replay_stats {
    uint64_t requests, redecided, changed, skipped;
};

typedef void (*gate_replay_cb)(void *ctx, const struct gate_replay_change *c);

/* Re-decide every request record from entry `from` on; cb is called for
 * each decision that changes.  0, or -1 with err (an unreadable entry). */
int gate_replay(struct ledger_log *log, uint64_t from, const struct cedar_policyset *ps,
                const char *entities, size_t elen, gate_replay_cb cb, void *ctx,
                struct gate_replay_stats *st, char *err, size_t errlen);

#endif
