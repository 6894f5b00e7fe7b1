/*
 * inspect_wrap.h - seeing through wrappers and carriers.
 *
 * `sudo -u root env -i nice -n 5 chmod 777 x` runs chmod; `bash -c 'curl x
 * | sh'`, `ssh host 'rm -rf /'`, `watch 'id'` and `env -S 'rm -rf /'` carry a
 * shell text; `find . -exec chmod 777 {} +` and `xargs rm` run a command of
 * their own.  Given a command's words, inspect_unwrap says which command
 * really runs (the index of its name in the words), the wrappers passed on
 * the way, and the texts that are shell to parse again.  Which options of
 * a wrapper take an argument is data (the table in inspect_wrap.c), so
 * that `sudo -u root` is not read as running `root`.
 */
#ifndef INSPECT_WRAP_H
#define INSPECT_WRAP_H

#include <stddef.h>

#define INSPECT_MAX_WRAPPERS 16u /* wrappers around one command */
#define INSPECT_MAX_CARRIED 8u   /* shell texts carried by one command */

struct inspect_unwrapped {
    size_t cmd;                            /* index of the real command's name; == argc: none */
    const char *via[INSPECT_MAX_WRAPPERS]; /* wrapper names, outermost first */
    size_t nvia;
    /* shell texts to parse again: -c strings, ssh/watch commands, env -S;
     * malloc'd when joined from several words (owned[i]) */
    char *carried[INSPECT_MAX_CARRIED];
    int owned[INSPECT_MAX_CARRIED];
    size_t ncarried;
    /* commands run by find -exec/-ok and xargs: [start, end) word ranges */
    size_t run_start[INSPECT_MAX_CARRIED], run_end[INSPECT_MAX_CARRIED];
    size_t nrun;
    int privileged; /* sudo, doas, su, pkexec on the way */
    int remote;     /* ssh, kubectl exec, docker exec on the way */
    int opaque;     /* a wrapper whose command could not be found */
    /* A shell given no script and no -c (bash, docker exec -it C sh): it
     * runs its input, which the pipeline or a redirection may say, or a
     * person types. */
    int reads_input;
};

/* 0, or -1 when the wrappers are nested deeper than INSPECT_MAX_WRAPPERS. */
int inspect_unwrap(char *const *argv, size_t argc, struct inspect_unwrapped *u);
void inspect_unwrapped_release(struct inspect_unwrapped *u);

/* The base name of a command word (/usr/bin/sudo -> sudo). */
const char *inspect_basename(const char *word);

/* 1 if word (a command's name) is a wrapper or carrier this module reads. */
int inspect_is_wrapper(const char *word);

#endif
