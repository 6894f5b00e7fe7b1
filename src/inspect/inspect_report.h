/*
 * inspect_report.h - findings as JSON, and the excerpt a person is shown.
 *
 * The excerpt is the finding's span of the text, at most
 * INSPECT_MAX_EXCERPT bytes (cut at a character boundary, "..." added).  A
 * secret is never copied whole: its excerpt keeps the first four
 * characters and stars the rest, so that reports, terminals and the ledger
 * do not become a second place the secret leaks from.
 */
#ifndef INSPECT_REPORT_H
#define INSPECT_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "inspect_finding.h"

#define INSPECT_MAX_EXCERPT 240u

/* The excerpt into buf (cap > INSPECT_MAX_EXCERPT + 4), NUL-terminated;
 * returns its length. */
size_t inspect_excerpt(const struct inspect_finding *f, const char *text, size_t len, char *buf,
                       size_t cap);

/* Bytes of b that are not UTF-8, and NULs, become '?'. */
void inspect_sanitize(char *b, size_t n);

/* {"category","severity","start","end","text","explanation","rule"}, and
 * "access" when the finding changes who may do what; NULL
 * when out of memory. */
json_t *inspect_finding_json(const struct inspect_finding *f, const char *text, size_t len);

/* An access change as {"change","breadth","privilege","grantee",
 * "object":{"kind","name"}}; NULL when there is none or memory ran out. */
json_t *inspect_access_json(const struct inspect_access *a);

/* For a person: "grant to group:all@acme.example (broad-group), read, on
 * bucket gs://b" into buf; its length ("" when a changes no access). */
size_t inspect_access_describe(const struct inspect_access *a, char *buf, size_t cap);

/* [finding...] of l; NULL when out of memory. */
json_t *inspect_list_json(const struct inspect_list *l, const char *text, size_t len);

#endif
