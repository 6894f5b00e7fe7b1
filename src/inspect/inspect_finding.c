/*
 * inspect_finding.c - the findings list, categories and severities.
 */
#include <stdlib.h>
#include <string.h>

#include "inspect_finding.h"

static const char *const categories[] = {
    "widens-access", "disables-control", "destructive",          "remote-code",
    "exfiltration",  "persistence",      "privilege-escalation", "credential-access",
    "opaque",        "secret",           "personal-data",
};
static const char *const severities[] = {"low", "medium", "high", "critical"};

_Static_assert(sizeof(categories) / sizeof(categories[0]) == INSPECT_CATEGORIES,
               "the category list and INSPECT_CATEGORIES agree");

int
inspect_category_index(const char *s)
{
    for (int i = 0; i < INSPECT_CATEGORIES; i++)
        if (!strcmp(s, categories[i]))
            return i;
    return -1;
}

int
inspect_category_valid(const char *s)
{
    return inspect_category_index(s) >= 0;
}

const char *
inspect_category_name(int i)
{
    return i >= 0 && i < INSPECT_CATEGORIES ? categories[i] : NULL;
}

int
inspect_severity_rank(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, severities[i]))
            return INSPECT_SEV_LOW + i;
    return -1;
}

const char *
inspect_severity_name(int rank)
{
    return rank >= INSPECT_SEV_LOW && rank <= INSPECT_SEV_CRITICAL
               ? severities[rank - INSPECT_SEV_LOW]
               : "none";
}

int
inspect_list_init(struct inspect_list *l)
{
    memset(l, 0, sizeof(*l));
    l->v = malloc(INSPECT_MAX_FINDINGS * sizeof(*l->v));
    return l->v ? 0 : -1;
}

void
inspect_list_add(struct inspect_list *l, const struct inspect_finding *f)
{
    if (l->full)
        return;
    if (l->n == INSPECT_MAX_FINDINGS - 1) {
        l->full = 1;
        l->v[l->n++] = (struct inspect_finding){
            "limit", "opaque", "high", "more findings than inspection reports",
            f->off,  f->end,   {0}};
        return;
    }
    l->v[l->n++] = *f;
}

void
inspect_list_release(struct inspect_list *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}
