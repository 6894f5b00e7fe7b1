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

/* A pattern is JIT-compiled the first time it is matched, not when its
 * table loads: a process that inspects one command (a hook, airlock
 * check) compiles the few patterns that command reaches, not the hundreds
 * a table holds (JIT compilation is most of a table's load).  *jit: 0 not
 * yet tried, 1 compiled, -1 not available (interpreted). */
static inline int
inspect_re_jit(pcre2_code *re, int *jit)
{
    if (*jit == 0)
        *jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0 ? 1 : -1;
    return *jit > 0;
}

/* Whether re matches somewhere in s, its groups in md.  JIT-compiled, it
 * runs through pcre2_jit_match, without pcre2_match's checks of its
 * arguments (a quarter of a short word's cost): the arguments here are
 * always valid, and the patterns are compiled with PCRE2_MATCH_INVALID_UTF
 * or without UTF, so no subject needs checking. */
static inline int
inspect_re_match(pcre2_code *re, int *jit, const char *s, pcre2_match_data *md)
{
    size_t n = strlen(s);
    int rc = inspect_re_jit(re, jit) ? pcre2_jit_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL)
                                     : pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
    return rc >= 0;
}

#endif
