/*
 * inspect_finding.h - what inspection reports, and the list it goes into.
 *
 * A finding names the rule that found it, its category and severity (the
 * names of the issue, nothing else), an explanation for a person, and the
 * span of the text it is about: the whole command a rule matched (a person
 * sees what would run), the secret itself, or the rest of a text that did
 * not parse.
 */
#ifndef INSPECT_FINDING_H
#define INSPECT_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "inspect_access.h"

#define INSPECT_MAX_FINDINGS 1024u /* findings for one text */

struct inspect_finding {
    const char *rule; /* the rule's id (or "parse", "opaque", "limit") */
    const char *category;
    const char *severity;
    const char *explanation;      /* for a person */
    uint32_t off, end;            /* the span in the text inspected */
    struct inspect_access access; /* access.change NULL: no access change */
};

/* Findings gathered from one text (or several, with offsets shifted).
 * When more than INSPECT_MAX_FINDINGS are found the last kept one says so
 * (rule "limit", opaque, high): a full list is never an all clear. */
struct inspect_list {
    struct inspect_finding *v;
    size_t n;
    int full;
};

/* 0, or -1 when out of memory. */
int inspect_list_init(struct inspect_list *l);
void inspect_list_add(struct inspect_list *l, const struct inspect_finding *f);
void inspect_list_release(struct inspect_list *l);

#define INSPECT_CATEGORIES 11

/* 1 if s is one of the eleven categories / four severities. */
int inspect_category_valid(const char *s);
/* The category's number (0 .. INSPECT_CATEGORIES - 1), -1 if none. */
int inspect_category_index(const char *s);
const char *inspect_category_name(int i);
/* The one severity scale of airlock: inspection's findings, the gate's
 * context.findings.severity, the administrative policies' context, the
 * holds' store and the ledger all count this way. */
enum inspect_severity {
    INSPECT_SEV_NONE = 0, /* no finding */
    INSPECT_SEV_LOW,      /* information */
    INSPECT_SEV_MEDIUM,
    INSPECT_SEV_HIGH,
    INSPECT_SEV_CRITICAL,
};
/* INSPECT_SEV_LOW .. INSPECT_SEV_CRITICAL, or -1 if s is no severity. */
int inspect_severity_rank(const char *s);
/* "low" .. "critical"; "none" for INSPECT_SEV_NONE (and anything else). */
const char *inspect_severity_name(int rank);

#endif
