/*
 * inspect_opts.h - a command's options understood, not matched as text.
 *
 * Given a command's words and which of its options take an argument, the
 * options are read as getopt_long reads them: bundled short flags (-fr,
 * -Rf), attached or separate arguments (-n5, -n 5), long options with or
 * without = (--mode=777, --mode 777), "--" ending the options, and options
 * after operands (GNU order) unless the command stops at the first operand.
 * `rm -fr x`, `rm -r -f x`, `rm x -rf` and `rm --recursive --force x` then
 * all say the same: flags r and f, operand x.
 */
#ifndef INSPECT_OPTS_H
#define INSPECT_OPTS_H

#include <stddef.h>

#define INSPECT_MAX_OPTS 128u /* options of one command kept */

struct inspect_optspec {
    const char *argshort; /* short options taking an argument, as letters */
    const char *arglong;  /* long options taking an argument, space separated */
    const char *aliases;  /* long to short, "recursive=r force=f ..." */
    int posix;            /* options end at the first operand */
    /* Every long option without "=" takes the next word (unless that word
     * is an option, or the name is in longbool): the large CLIs (aws,
     * gcloud, az), whose options nearly all take a value. */
    int longall;
    const char *longbool; /* space separated */
};

struct inspect_opt {
    char name[32];     /* "r" for -r, "recursive" for --recursive (or its alias) */
    const char *value; /* the argument, or NULL (points into the words) */
};

struct inspect_opts {
    struct inspect_opt v[INSPECT_MAX_OPTS];
    size_t n;
    size_t operands[INSPECT_MAX_OPTS]; /* indexes of the operand words */
    size_t noperands;
    int truncated; /* more than INSPECT_MAX_OPTS: not all kept */
};

/* Read argv[1..argc) under spec. */
void inspect_opts_parse(char *const *argv, size_t argc, const struct inspect_optspec *spec,
                        struct inspect_opts *o);

/* The option named name (a letter or a long name), or NULL. */
const struct inspect_opt *inspect_opt_get(const struct inspect_opts *o, const char *name);

#endif
