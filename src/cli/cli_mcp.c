/*
 * airlock mcp: the gateway between an agent and one MCP server.
 *
 *   airlock mcp [--policies FILE] [--entities FILE] [--config FILE]
 *               [--agent ID] [--dir DIR] [--max-line BYTES] [--daemon SOCKET]
 *               -- COMMAND [ARG...]
 *
 * With --daemon (or $AIRLOCK_SOCKET), airlockd decides and records: this
 * process holds no policy, ledger or key (the configuration still says how
 * to run the upstream: its name, environment and line limit).
 *
 * Runs COMMAND as the upstream server and relays the client's session to
 * it, every tools/call, resources/read and prompts/get decided by Cedar and
 * written to the ledger in DIR first.  Fails closed: a policy that does not
 * parse, an unreadable configuration or a ledger that cannot be opened
 * stops it before the upstream starts.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../client/client.h"
#include "../gate/gate.h"
#include "../gate/gate_decider.h"
#include "../mcp/mcp_proxy.h"
#include "../mcp/mcp_upstream.h"
#include "cli.h"

struct mcp_opts {
    struct cli_decider_opts dec;
    unsigned long long max_line;
    char **argv;
};

static int
parse_opts(int argc, char **argv, struct mcp_opts *o)
{
    static const struct option opts[] = {
        CLI_DECIDER_OPTIONS,
        {"max-line", required_argument, NULL, 'm'},
        {0, 0, 0, 0},
    };
    int c;
    char *end;
    memset(o, 0, sizeof(*o));
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            errno = 0;
            o->max_line = strtoull(optarg, &end, 10);
            if (*optarg == '-' || *end || errno || o->max_line < GATE_MIN_MAX_LINE ||
                o->max_line > GATE_MAX_MAX_LINE)
                return cli_usage("mcp: --max-line takes a number of bytes from %u to %u",
                                 GATE_MIN_MAX_LINE, GATE_MAX_MAX_LINE);
            break;
        default:
            if (cli_decider_opt(c, optarg, &o->dec))
                break;
            return cli_usage("mcp: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage("mcp: give the upstream server's command after --");
    if (strcmp(argv[optind - 1], "--") != 0)
        return cli_usage("mcp: put -- before the upstream server's command");
    if (cli_decider_check("mcp", &o->dec))
        return CLI_EXIT_USAGE;
    o->argv = argv + optind;
    return 0;
}

/* The data directory: created with a new signing key on first use. */
static int
open_ledger(const char *dir, struct ledger_log **log)
{
    char err[LEDGER_ERR_MAX], vkey[512], path[4096];
    snprintf(path, sizeof(path), "%s/key", dir);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        char host[256] = "localhost", name[300];
        gethostname(host, sizeof(host) - 1);
        snprintf(name, sizeof(name), "%s/airlock", host);
        if (ledger_create(dir, name, vkey, sizeof(vkey), err, sizeof(err)) == 0)
            fprintf(stderr,
                    "airlock: created the ledger in %s with a new signing key; its "
                    "verifier key is\nairlock: %s\n",
                    dir, vkey);
        else if (access(path, F_OK) != 0) /* not another gateway creating it just now */
            return cli_fail("%s", err);
    }
    int rc = ledger_open(dir, 1, log, err, sizeof(err));
    if (rc == LEDGER_E_BUSY)
        return cli_fail("%s: in embedded mode each airlock mcp needs a data directory of its "
                        "own (--dir)",
                        err);
    if (rc)
        return cli_fail("%s", err);
    return 0;
}

static int
run(const struct mcp_opts *o, struct gate_config *cfg, struct ledger_log *log)
{
    char err[GATE_ERR_MAX], *argv0 = strdup(o->argv[0]);
    struct gate *g = NULL;
    struct gate_decider *d = NULL;
    char **env = mcp_env_build(cfg->env, cfg->nenv);
    int rc = CLI_EXIT_FAIL;
    if (!argv0 || !env) {
        cli_fail("out of memory");
        goto out;
    }
    struct gate_opts go = {
        .policies = o->dec.policies,
        .entities = o->dec.entities,
        .schema = o->dec.schema,
        .cfg = cfg,
        .log = log,
        .dir = o->dec.dir,
        .agent = o->dec.agent ? o->dec.agent : cfg->agent,
        .server = cfg->server_name ? cfg->server_name : basename(argv0),
    };
    if (o->dec.daemon ? client_connect(&d, o->dec.daemon, go.server, go.agent, err, sizeof(err))
                      : gate_open(&g, &go, err, sizeof(err))) {
        cli_fail("%s", err);
        goto out;
    }
    if (g) /* the decider closes it */
        d = gate_decider(g), g = NULL;
    if (o->dec.daemon)
        fprintf(stderr, "airlock: decisions by airlockd at %s\n", o->dec.daemon);
    else
        fprintf(stderr, "airlock: embedded mode: the policies, the ledger and its key are "
                        "files this user can change (docs/mcp.md); use airlockd for a trust "
                        "boundary\n");
    if (!o->dec.daemon && !o->dec.policies)
        fprintf(stderr, "airlock: no --policies: using the built-in default policies\n");
    struct mcp_proxy_opts po = {
        .argv = o->argv,
        .env = env,
        .gate = d,
        .in = 0,
        .out = 1,
        .max_line = o->max_line ? o->max_line : cfg->max_line,
        .agent_fixed = go.agent != NULL,
    };
    rc = mcp_proxy_run(&po, err, sizeof(err));
    if (rc)
        cli_fail("%s", err);
out:
    gate_decider_close(d);
    mcp_env_free(env);
    free(argv0);
    return rc;
}

int
cli_mcp(int argc, char **argv)
{
    struct mcp_opts o;
    struct gate_config cfg;
    struct ledger_log *log = NULL;
    char err[GATE_ERR_MAX];
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    cli_decider_defaults(&o.dec);
    gate_config_init(&cfg);
    if (gate_config_load(&cfg, o.dec.config, err, sizeof(err))) {
        gate_config_release(&cfg);
        return cli_fail("%s", err);
    }
    rc = o.dec.daemon ? 0 : open_ledger(o.dec.dir, &log);
    if (!rc)
        rc = run(&o, &cfg, log);
    ledger_close(log);
    gate_config_release(&cfg);
    return rc;
}
