/*
 * inspect_re.h - one regex match of a whole word, the way inspection's
 * tables make them (PCRE2, JIT-compiled when the platform can).
 */
#ifndef AIRLOCK_INSPECT_RE_H
#define AIRLOCK_INSPECT_RE_H

#include <stddef.h>
#include <stdint.h>
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

/* A table's pattern, compiled when first matched: a process that inspects
 * one command (an agent's hook, airlock check) compiles the few patterns
 * that command reaches, not the hundreds its tables hold (compiling them
 * all was half of such a process's work).  A table given by the operator
 * is compiled whole when it loads (inspect_rules_compile), so that a bad
 * pattern is an error then; the built-in ones are compiled whole by their
 * tests.  The match data is made once: a table is used by one thread. */
struct inspect_pat {
    char *src;      /* "RE" without its slashes, until compiled (owned) */
    uint32_t flags; /* PCRE2 options beyond UTF */
    pcre2_code *re; /* NULL: not compiled yet, or no pattern */
    pcre2_match_data *md;
    int jit;    /* inspect_re_jit's */
    int failed; /* it did not compile */
    int bytes;  /* inspect_pat_bytes */
};

/* Set when a pattern could not be compiled while matching (out of
 * memory): inspect_run says so with a finding, then clears it. */
extern __thread int inspect_pat_failed;

/* Keep RE (n bytes, without slashes) to compile when first matched.  0, or
 * -1 when out of memory. */
int inspect_pat_set(struct inspect_pat *p, const char *re, size_t n, uint32_t flags);
/* Match it on bytes, not UTF-8 characters, when it is ASCII alone: for
 * the access tables, whose short subjects (a grantee, a role, an object)
 * are classified, not reported; PCRE2 is twice as fast so.  An ASCII
 * pattern matches the same but for `.` and negated classes, which count a
 * character of several bytes as several. */
void inspect_pat_bytes(struct inspect_pat *p);
/* Compile it now if not yet: 1 when it can be matched. */
int inspect_pat_ready(struct inspect_pat *p);
/* Whether it was given a pattern at all. */
int inspect_pat_given(const struct inspect_pat *p);
/* Whether it matches somewhere in s (its groups in p->md); one that cannot
 * be compiled matches nothing and sets inspect_pat_failed. */
int inspect_pat_match(const struct inspect_pat *p, const char *s);
void inspect_pat_free(struct inspect_pat *p);

#endif
