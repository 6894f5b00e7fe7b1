/*
 * The options of the commands that decide (airlock mcp, hook, exec): where
 * the policies, entities, configuration and ledger are, or airlockd's
 * socket in their place.
 */
#include "cli.h"

int
cli_decider_opt(int c, const char *arg, struct cli_decider_opts *o)
{
    switch (c) {
    case CLI_OPT_POLICIES:
        o->policies = arg;
        return 1;
    case CLI_OPT_ENTITIES:
        o->entities = arg;
        return 1;
    case CLI_OPT_CONFIG:
        o->config = arg;
        return 1;
    case CLI_OPT_AGENT:
        o->agent = arg;
        return 1;
    case CLI_OPT_DIR:
        o->dir = arg;
        return 1;
    case CLI_OPT_DAEMON:
        o->daemon = arg;
        return 1;
    case CLI_OPT_SCHEMA:
        o->schema = arg;
        return 1;
    default:
        return 0;
    }
}

int
cli_decider_check(const char *cmd, const struct cli_decider_opts *o)
{
    if (o->agent && !*o->agent)
        return cli_usage("%s: --agent must not be empty", cmd);
    if (o->daemon && (o->policies || o->entities || o->dir || o->schema))
        return cli_usage("%s: with --daemon, the policies, entities, schema and ledger are "
                         "airlockd's: leave out --policies, --entities, --schema and --dir",
                         cmd);
    return 0;
}

void
cli_decider_defaults(struct cli_decider_opts *o)
{
    if (!o->daemon && !o->policies && !o->entities && !o->dir && !o->schema)
        o->daemon = cli_env_socket();
    if (!o->dir)
        o->dir = cli_data_dir();
}
