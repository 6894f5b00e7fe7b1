/*
 * inspect_re.c - tables' patterns compiled when first matched
 * (inspect_re.h).
 */
#include <stdlib.h>

#include "inspect_re.h"

__thread int inspect_pat_failed;

int
inspect_pat_set(struct inspect_pat *p, const char *re, size_t n, uint32_t flags)
{
    p->flags = flags;
    p->bytes = 0;
    return (p->src = strndup(re, n)) ? 0 : -1;
}

void
inspect_pat_bytes(struct inspect_pat *p)
{
    p->bytes = 1;
}

static int
ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

int
inspect_pat_ready(struct inspect_pat *p)
{
    if (p->re)
        return 1;
    if (!p->src || p->failed)
        return 0;
    int e;
    PCRE2_SIZE at;
    /* Words are bytes: one that is not UTF-8 must still be matched. */
    uint32_t utf = p->bytes && ascii(p->src) ? 0 : PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    p->re = pcre2_compile((PCRE2_SPTR)p->src, PCRE2_ZERO_TERMINATED, utf | p->flags, &e, &at, NULL);
    if (p->re && !(p->md = pcre2_match_data_create_from_pattern(p->re, NULL))) {
        pcre2_code_free(p->re);
        p->re = NULL;
    }
    if (!p->re) {
        p->failed = 1;
        return 0;
    }
    free(p->src);
    p->src = NULL;
    return 1;
}

int
inspect_pat_given(const struct inspect_pat *p)
{
    return p->src || p->re || p->failed;
}

int
inspect_pat_match(const struct inspect_pat *cp, const char *s)
{
    struct inspect_pat *p = (struct inspect_pat *)cp; /* the table's lazy state */
    if (!inspect_pat_ready(p)) {
        inspect_pat_failed = 1;
        return 0;
    }
    return inspect_re_match(p->re, &p->jit, s, p->md);
}

void
inspect_pat_free(struct inspect_pat *p)
{
    free(p->src);
    pcre2_match_data_free(p->md);
    pcre2_code_free(p->re);
}
