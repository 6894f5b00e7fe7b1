/*
 * test_util.h - helpers shared by the cmocka tests.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "../src/cedar/cedar.h"

/* The shared/ folder beside the repository (or $AIRLOCK_SHARED). */
const char *tu_shared_dir(void);
/* The repository's build/ folder (for extracted corpora and scratch files). */
const char *tu_build_dir(void);

/* A policy set from text; fails the test on a parse error. */
struct cedar_policyset *tu_policies(const char *text);
struct cedar_entities *tu_entities(const char *json);

/* Authorize principal/action/resource given as Cedar UID text with a
 * context given as JSON ("{}" when NULL). */
int tu_authorize(const struct cedar_policyset *ps, const struct cedar_entities *es,
                 const char *principal, const char *action, const char *resource,
                 const char *context, struct cedar_response *resp);

/* Evaluate one expression with a fixed request (principal User::"alice",
 * action Action::"view", resource Doc::"d", context given) and entities.
 * Returns 0 and writes the value printed in Cedar syntax to out, or -1 and
 * the error message. */
int tu_eval(const char *expr, const char *entities, const char *context, char *out, size_t n);

/* Shorthands: the printed value, or "error: <msg>". */
const char *tu_eval_str(const char *expr);

/* Cases as data: tests/data/NAME holds "> TEXT" and "= EXPECTED" lines;
 * render(text, len, out, cap) must write EXPECTED.  With unescape, \n \t
 * and \\ in TEXT stand for newline, tab and backslash.  Every difference
 * is printed; the test fails if there is one.  Returns the number of cases. */
/* The case files' escapes: \n newline, \r carriage return, \t tab, \\
 * backslash; out may be in (it never grows).  Returns out's length. */
size_t tu_unescape(const char *in, char *out);

typedef void (*tu_render_fn)(const char *text, size_t len, char *out, size_t cap);
int tu_run_cases(const char *name, tu_render_fn render, int unescape);

/* An Atomic Red Team test's command with its #{arguments} replaced by
 * their defaults (malloc'd; NULL when out of memory). */
char *tu_art_command(const json_t *test);

/* airlockd in a child process (the daemon's own code): base is
 * build/NAME.PID, made here and, as root, given to nobody, whom the daemon
 * then runs as; its socket base/s, its data base/data; permit-all
 * administrative policies, and permit-all agent policies too when
 * permit_all (else the built-in default).  prepare (may be NULL) runs in
 * the child first. */
struct tu_daemon {
    char base[512], sock[600];
    int pid;
};
/* 0 once the socket is there, else -1. */
int tu_daemon_start(struct tu_daemon *t, const char *name, int permit_all, void (*prepare)(void));
/* SIGTERM (and SIGCONT, should it be stopped), wait; pid 0 after. */
void tu_daemon_stop(struct tu_daemon *t);
/* Stop it if running, and remove base.  0 or -1. */
int tu_daemon_remove(struct tu_daemon *t);

#endif
