/*
 * cli.h - the `airlock` command's subcommands.
 *
 * Exit codes: 0 success (ALLOW for authorize), 1 failure, 2 usage error
 * (and DENY for authorize, as the `cedar` tool does).  Usage errors are one
 * line on stderr.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#include <jansson.h>

#include "../cedar/cedar.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2
/* airlock exec: the command was refused (it did not run). */
#define CLI_EXIT_REFUSED 126

/* The commands' synopsis: src/cli/synopsis.txt, compiled in
 * (build/gen/cli_synopsis.c); the README shows the same file. */
extern const char cli_synopsis[];

int cli_authorize(int argc, char **argv);
int cli_policy(int argc, char **argv);
int cli_schema(int argc, char **argv);
struct cedar_schema;
/* Read and resolve a schema, its errors on stderr.  0 or -1. */
int cli_load_schema(const char *path, struct cedar_schema **out);
int cli_log(int argc, char **argv);
int cli_mcp(int argc, char **argv);
int cli_hook(int argc, char **argv);
int cli_hook_install(int argc, char **argv);
int cli_exec(int argc, char **argv);
int cli_pins(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_daemon(int argc, char **argv);
int cli_scan(int argc, char **argv);
int cli_pending(int argc, char **argv);
int cli_approve(int argc, char **argv);
int cli_deny(int argc, char **argv);
int cli_grants(int argc, char **argv);
int cli_revoke(int argc, char **argv);
int cli_shadow(int argc, char **argv);
int cli_exposure(int argc, char **argv);
int cli_totp(int argc, char **argv);

/* airlockd's socket: given, else $AIRLOCK_SOCKET, else CLI_DEFAULT_SOCKET. */
#define CLI_DEFAULT_SOCKET "/run/airlock/airlockd.sock"
const char *cli_socket(const char *given);
/* $AIRLOCK_SOCKET when set and not empty, else NULL: commands that also work
 * on local files (mcp, log show) go to airlockd when it is set and nothing
 * local was named. */
const char *cli_env_socket(void);
/* A person's command to airlockd (WIRE_ADMIN): args (consumed) as its JSON
 * arguments, *out the answer.  0, or an exit code after saying why. */
int cli_admin_ask(const char *socket, const char *what, json_t *args, json_t **out);

/* The options every command that decides takes (mcp, hook, exec):
 * CLI_DECIDER_OPTIONS in its getopt_long table, cli_decider_opt for each
 * option it returns (1: taken), cli_decider_check once all are read. */
struct cli_decider_opts {
    const char *policies, *entities, *config, *agent, *dir, *daemon, *schema;
};
enum {
    CLI_OPT_POLICIES = 0x100,
    CLI_OPT_ENTITIES,
    CLI_OPT_CONFIG,
    CLI_OPT_AGENT,
    CLI_OPT_DIR,
    CLI_OPT_DAEMON,
    CLI_OPT_SCHEMA
};
#define CLI_DECIDER_OPTIONS                                                                        \
    {"policies", required_argument, NULL, CLI_OPT_POLICIES},                                       \
        {"entities", required_argument, NULL, CLI_OPT_ENTITIES},                                   \
        {"config", required_argument, NULL, CLI_OPT_CONFIG},                                       \
        {"agent", required_argument, NULL, CLI_OPT_AGENT},                                         \
        {"dir", required_argument, NULL, CLI_OPT_DIR},                                             \
        {"schema", required_argument, NULL, CLI_OPT_SCHEMA},                                       \
    {                                                                                              \
        "daemon", required_argument, NULL, CLI_OPT_DAEMON                                          \
    }
int cli_decider_opt(int c, const char *arg, struct cli_decider_opts *o);
/* A usage error (2, said) for an empty --agent or --daemon with local
 * policies, entities or ledger; else 0. */
int cli_decider_check(const char *cmd, const struct cli_decider_opts *o);
/* airlockd at $AIRLOCK_SOCKET when nothing local was named; the data
 * directory cli_data_dir() when none was given. */
void cli_decider_defaults(struct cli_decider_opts *o);

/* The data directory (ledger, pins): $AIRLOCK_LEDGER_DIR, else
 * ./airlock-ledger.  --dir overrides it in every command. */
const char *cli_data_dir(void);

/* Print "airlock: <msg>" on stderr and return CLI_EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "airlock: <msg>" on stderr and return CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* All of standard input, NUL-terminated: 0, -1 when it cannot be read or
 * memory ran out, -2 when it holds more than max bytes. */
int cli_read_stdin(size_t max, char **out, size_t *len);

/* Read a file; on failure print why and return -1. */
int cli_read(const char *path, size_t max, char **out, size_t *len);

/* Parse a policy file into ps, printing every error as file:line:col with
 * the line and a caret.  0 when it all parsed. */
int cli_load_policies(struct cedar_policyset *ps, const char *path);

#endif
