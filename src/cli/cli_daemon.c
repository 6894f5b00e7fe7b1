/*
 * airlock daemon: airlockd, the trust boundary (src/daemon/daemon.h).
 *
 *   airlock daemon --socket PATH [--dir DIR] [--policies FILE]
 *                  [--entities FILE] [--config FILE] [--user NAME]
 *                  [--admin-policies FILE]
 *
 * `airlock mcp --daemon PATH` then asks it for every decision.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../daemon/daemon.h"
#include "cli.h"

int
cli_daemon(int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'},
        {"dir", required_argument, NULL, 'd'},
        {"policies", required_argument, NULL, 'p'},
        {"entities", required_argument, NULL, 'e'},
        {"config", required_argument, NULL, 'c'},
        {"user", required_argument, NULL, 'u'},
        {"admin-policies", required_argument, NULL, 'a'},
        {"schema", required_argument, NULL, 'S'},
        {0, 0, 0, 0},
    };
    struct daemon_opts o = {0};
    char err[1024];
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            o.socket = optarg;
            break;
        case 'd':
            o.dir = optarg;
            break;
        case 'p':
            o.policies = optarg;
            break;
        case 'e':
            o.entities = optarg;
            break;
        case 'c':
            o.config = optarg;
            break;
        case 'u':
            o.user = optarg;
            break;
        case 'a':
            o.admin_policies = optarg;
            break;
        case 'S':
            o.schema = optarg;
            break;
        default:
            return cli_usage("daemon: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage("daemon: unexpected argument '%s'", argv[optind]);
    if (!o.socket)
        return cli_usage("daemon: give --socket PATH (where airlock mcp --daemon finds it)");
    o.dir = o.dir ? o.dir : cli_data_dir();
    if (daemon_run(&o, err, sizeof(err)))
        return cli_fail("daemon: %s", err);
    return CLI_EXIT_OK;
}
