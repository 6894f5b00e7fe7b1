/*
 * airlock - an action firewall for AI agents.  The command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util_file.h"
#include "cli.h"

#ifndef AIRLOCK_VERSION
#define AIRLOCK_VERSION "0.1.0"
#endif

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"authorize", cli_authorize, "decide one request with Cedar policies"},
    {"policy", cli_policy, "check, format, test and validate Cedar policies"},
    {"schema", cli_schema, "Cedar schemas: format, translate between their two formats"},
    {"log", cli_log, "the audit ledger: keygen, append, show, checkpoint, prove, verify"},
    {"mcp", cli_mcp, "the gateway: relay an MCP server, Cedar on every call"},
    {"hook", cli_hook, "an agent's own tools (shell, files, web) through its hook"},
    {"exec", cli_exec, "decide a command, record it, then run it (for agents without a hook)"},
    {"pins", cli_pins, "tool definitions pinned by the gateway: list, accept"},
    {"replay", cli_replay, "re-decide the ledger's requests with other policies"},
    {"daemon", cli_daemon, "airlockd: the policies, the ledger and its key, behind a socket"},
    {"check", cli_check, "what a shell command would do: findings for a person"},
    {"scan", cli_scan, "commands, secrets and personal data in a text (Markdown)"},
    {"pending", cli_pending, "calls held for a person's approval (airlockd)"},
    {"approve", cli_approve, "approve a held call, optionally granting it for a while"},
    {"deny", cli_deny, "deny a held call, with a reason"},
    {"grants", cli_grants, "time-boxed grants: active, expired, revoked"},
    {"revoke", cli_revoke, "end a grant now"},
    {"exposure", cli_exposure, "access widened through airlock: open and closed"},
    {"totp", cli_totp, "enroll an authenticator for approving critical findings"},
    {"shadow", cli_shadow, "shadow mode for the agents' own tools: decide, record, let through"},
    {"help", cmd_help, "show this help"},
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: airlock <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    /* src/cli/synopsis.txt, which the README shows too */
    fputc('\n', f);
    for (const char *p = cli_synopsis; *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(f, "  %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

static int
cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    usage(stdout);
    return CLI_EXIT_OK;
}

static int __attribute__((format(printf, 2, 0))) vreport(int code, const char *fmt, va_list ap)
{
    fputs("airlock: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return code;
}

const char *
cli_data_dir(void)
{
    const char *d = getenv("AIRLOCK_LEDGER_DIR");
    return d && *d ? d : "airlock-ledger";
}

int
cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vreport(CLI_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return rc;
}

int
cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vreport(CLI_EXIT_FAIL, fmt, ap);
    va_end(ap);
    return rc;
}

int
cli_read(const char *path, size_t max, char **out, size_t *len)
{
    char err[512];
    if (util_read_file(path, max, out, len, err, sizeof(err))) {
        fprintf(stderr, "airlock: %s\n", err);
        return -1;
    }
    return 0;
}

int
cli_read_stdin(size_t max, char **out, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    for (;;) {
        size_t r = fread(buf + n, 1, cap - n, stdin);
        n += r;
        if (n > max) {
            free(buf);
            return -2;
        }
        if (r == 0)
            break;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (ferror(stdin)) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int
main(int argc, char **argv)
{
    if (cedar_hash_init()) {
        fprintf(stderr, "airlock: cannot initialise libsodium\n");
        return CLI_EXIT_FAIL;
    }
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("airlock %s\n", AIRLOCK_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cmd_help(argc, argv);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return cli_usage("unknown option '%s' (try 'airlock help')", cmd);
    return cli_usage("unknown command '%s' (try 'airlock help')", cmd);
}
