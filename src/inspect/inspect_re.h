/*
 * inspect_re.h - one regex match of a whole word, the way inspection's
 * tables make them (PCRE2, JIT-compiled when the platform can).
 */
#ifndef AIRLOCK_INSPECT_RE_H
#define AIRLOCK_INSPECT_RE_H

#include <string.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

/* Whether re matches somewhere in s, its groups in md.  jit: re was
 * JIT-compiled, so pcre2_jit_match runs it without pcre2_match's checks
 * of its arguments (a quarter of a short word's cost): the arguments here
 * are always valid, and the patterns are compiled with
 * PCRE2_MATCH_INVALID_UTF or without UTF, so no subject needs checking. */
static inline int
inspect_re_match(const pcre2_code *re, int jit, const char *s, pcre2_match_data *md)
{
    size_t n = strlen(s);
    int rc = jit ? pcre2_jit_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL)
                 : pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
    return rc >= 0;
}

#endif
