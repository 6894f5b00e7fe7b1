/*
 * gate_inspect.h - what inspection finds in a call's arguments, as facts
 * for the policy (context.findings) and for the record.
 *
 * Every string in the arguments is inspected: as a shell command when its
 * top-level argument is one the tool's facts name in "commands" (by
 * default, for a tool that names none: command, cmd, script, shell; an
 * array of strings there is an argv, quoted and joined), else as text for
 * people (Markdown or plain: the commands in it, secrets, personal data).
 *
 *   context.findings = {
 *     count:      every finding (Long),
 *     severity:   the worst: 0 none, 1 low, 2 medium, 3 high, 4 critical,
 *     categories: the categories of findings of medium severity or worse
 *                 (low ones are information, not reasons),
 *     rules:      the rule ids of the findings kept (Set of String),
 *     items:      the findings kept: {rule, category, severity, argument,
 *                 start, end, text}, the GATE_MAX_FINDINGS worst
 *   }
 *
 * count, severity and categories cover every finding, kept or not.
 */
#ifndef GATE_INSPECT_H
#define GATE_INSPECT_H

#include <jansson.h>

#include "../cedar/cedar.h"
#include "../inspect/inspect.h"
#include "../inspect/inspect_report.h"
#include "gate_config.h"

#define GATE_MAX_FINDINGS 64u  /* findings kept for one call */
#define GATE_ARG_PATH_MAX 128u /* bytes of an argument's path (body, files/0/text) */

struct gate_finding {
    struct inspect_finding f;
    char arg[GATE_ARG_PATH_MAX];
    char text[INSPECT_MAX_EXCERPT + 8];
};

struct gate_found {
    struct gate_finding v[GATE_MAX_FINDINGS];
    size_t n;            /* kept */
    size_t count;        /* found */
    int worst;           /* enum inspect_severity: INSPECT_SEV_NONE when none */
    unsigned categories; /* bit i: category i at medium or worse */
    int widest;          /* inspect_breadth_rank of the widest access
                            change that is not a revoke; 0 none */
    unsigned changes;    /* bit i: access change i (gate_change_name) */
};

/* Inspect the arguments (an object, or NULL) of a call to a tool with
 * facts f (NULL: not a tool), using scratch (an initialised list) for each
 * string's findings.  Fills out; never fails: what could not be inspected
 * is an opaque finding. */
void gate_inspect_args(struct inspect *in, struct inspect_list *scratch, const struct gate_facts *f,
                       const json_t *args, struct gate_found *out);

/* context.findings, built in a. */
int gate_findings_value(struct cedar_arena *a, const struct gate_found *fd,
                        struct cedar_value *out);

/* The kept findings for the ledger: [{rule, category, severity, argument,
 * start, end, text, explanation}], without text and explanation when
 * brief.  NULL when out of memory. */
json_t *gate_findings_json(const struct gate_found *fd, int brief);

/* "RULE (category, severity) in ARG: text; ..." for a person: at most n
 * bytes of the worst findings. */
void gate_findings_text(const struct gate_found *fd, char *buf, size_t n);

#endif
