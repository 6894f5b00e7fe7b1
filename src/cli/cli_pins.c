/*
 * airlock pins: the tool definitions `airlock mcp` pinned.
 *
 *   airlock pins [--dir DIR] [--json]          list them; changed ones first
 *   airlock pins accept [--dir DIR] [--server NAME] [TOOL...]
 *                                              accept changed definitions
 *
 * Accepting is recorded in the ledger with the uid of whoever did it.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../gate/gate_pins.h"
#include "../ledger/ledger_log.h"
#include "../gate/gate.h"
#include "cli.h"

struct pins_opts {
    const char *dir, *server;
    const char *policies, *config; /* pins accept: policies to validate after */
    int json;
};

static int
parse_opts(const char *sub, int argc, char **argv, struct pins_opts *o)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},    {"server", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},         {"policies", required_argument, NULL, 'p'},
        {"config", required_argument, NULL, 'c'}, {0, 0, 0, 0},
    };
    int c;
    memset(o, 0, sizeof(*o));
    o->dir = cli_data_dir();
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->dir = optarg;
            break;
        case 's':
            o->server = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'p':
            o->policies = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        default:
            return cli_usage("%s: unknown or incomplete option '%s'", sub, argv[optind - 1]);
        }
    }
    return 0;
}

static void
list_server(const char *server, json_t *tools)
{
    const char *name;
    json_t *e;
    for (int changed = 1; changed >= 0; changed--) {
        json_object_foreach(tools, name, e) {
            const char *pin = json_string_value(json_object_get(e, "pin"));
            const char *seen = json_string_value(json_object_get(e, "seen"));
            int differs = pin && seen && strcmp(pin, seen);
            if (differs != changed)
                continue;
            printf("%-8s %s %s  pin %.12s", differs ? "CHANGED" : "pinned", server, name,
                   pin ? pin : "?");
            if (differs)
                printf("  seen %.12s since %s", seen,
                       json_string_value(json_object_get(e, "since")));
            putchar('\n');
        }
    }
}

static int
pins_list(const struct pins_opts *o)
{
    char err[1024];
    json_t *pins = gate_pins_load(o->dir, err, sizeof(err));
    if (!pins)
        return cli_fail("%s", err);
    if (o->json) {
        json_dumpf(pins, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        putchar('\n');
    } else {
        const char *server;
        json_t *tools;
        json_object_foreach(json_object_get(pins, "servers"), server, tools)
            list_server(server, tools);
    }
    json_decref(pins);
    return CLI_EXIT_OK;
}

/*
 * Record the acceptance in the ledger.  When a gateway session holds the
 * ledger (one writer at a time), the record goes into pins.json's
 * "unrecorded" list instead, and that session writes it to the ledger when
 * it next reads the pins, before it lets the accepted tool be called.
 */
static int
record_accept(const char *dir, json_t *pins, const char *server, json_t *accepted, int *deferred)
{
    struct ledger_log *log;
    char err[LEDGER_ERR_MAX], t[32];
    struct passwd *pw = getpwuid(getuid());
    time_t now = time(NULL);
    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    json_t *e = json_pack("{s:s, s:s, s:O, s:I, s:s, s:s}", "type", "pins-accepted", "server",
                          server, "tools", accepted, "uid", (json_int_t)getuid(), "user",
                          pw ? pw->pw_name : "?", "acceptedAt", t);
    int rc = ledger_open(dir, 1, &log, err, sizeof(err));
    if (rc == LEDGER_E_BUSY && e) {
        json_t *list = json_object_get(pins, "unrecorded");
        if (!json_is_array(list))
            json_object_set_new(pins, "unrecorded", list = json_array());
        json_array_append_new(list, e);
        *deferred = 1;
        return CLI_EXIT_OK;
    }
    if (rc) {
        json_decref(e);
        return cli_fail("%s", err);
    }
    char *text = e ? json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    uint64_t idx;
    rc = CLI_EXIT_OK;
    struct ledger_entry le = {text, text ? strlen(text) : 0};
    if (!text || ledger_append(log, &le, 1, &idx, err, sizeof(err)))
        rc = cli_fail("cannot record the acceptance in the ledger: %s", text ? err : "no memory");
    free(text);
    json_decref(e);
    ledger_close(log);
    return rc;
}

static const char *
only_server(json_t *pins)
{
    json_t *servers = json_object_get(pins, "servers");
    if (json_object_size(servers) != 1)
        return NULL;
    return json_object_iter_key(json_object_iter(servers));
}

/* With --policies: whether they still validate against the schema of the
 * accepted definitions (`--schema auto` would refuse them at the next
 * session): 0, or 3 with the error. */
static int
validate_after(const struct pins_opts *o, const char *server)
{
    struct gate_config cfg;
    char err[GATE_ERR_MAX];
    gate_config_init(&cfg);
    if (gate_config_load(&cfg, o->config, err, sizeof(err))) {
        gate_config_release(&cfg);
        return cli_fail("%s", err);
    }
    struct gate_opts go = {
        .policies = o->policies, .schema = "auto", .cfg = &cfg, .dir = o->dir, .server = server};
    int rc = gate_check_policies(&go, err, sizeof(err));
    gate_config_release(&cfg);
    if (rc) {
        fprintf(stderr,
                "airlock: accepted, but with these definitions the policies do not validate "
                "(sessions with --schema auto will not start): %s\n",
                err);
        return 3;
    }
    printf("%s validates against the accepted definitions\n", o->policies);
    return CLI_EXIT_OK;
}

static int
pins_accept(const struct pins_opts *o, int argc, char **argv)
{
    char err[1024];
    /* policies to validate after must be readable before anything is accepted */
    if (o->policies && access(o->policies, R_OK))
        return cli_fail("%s: %s", o->policies, strerror(errno));
    json_t *pins = gate_pins_load(o->dir, err, sizeof(err)), *accepted = NULL;
    int rc = CLI_EXIT_FAIL;
    if (!pins)
        return cli_fail("%s", err);
    const char *server = o->server ? o->server : only_server(pins);
    if (!server) {
        rc = cli_usage("pins accept: more than one server has pins: say which with --server");
        goto out;
    }
    if (gate_pins_accept(pins, server, argv, argc, &accepted, err, sizeof(err))) {
        rc = cli_fail("%s", err);
        goto out;
    }
    if (json_array_size(accepted) == 0) {
        printf("nothing to accept: no changed definitions\n");
        rc = CLI_EXIT_OK;
        goto out;
    }
    /* Ledger first: an acceptance nobody can see must not take effect. */
    int deferred = 0;
    if ((rc = record_accept(o->dir, pins, server, accepted, &deferred)))
        goto out;
    if (gate_pins_save(o->dir, pins, err, sizeof(err))) {
        rc = cli_fail("%s", err);
        goto out;
    }
    size_t i;
    json_t *t;
    json_array_foreach(accepted, i, t)
        printf("accepted %s %s\n", server, json_string_value(t));
    if (deferred)
        printf("(a gateway session holds the ledger: it records the acceptance there before "
               "the tool's next call)\n");
    rc = o->policies ? validate_after(o, server) : CLI_EXIT_OK;
out:
    json_decref(accepted);
    json_decref(pins);
    return rc;
}

int
cli_pins(int argc, char **argv)
{
    struct pins_opts o;
    int accept = argc > 1 && !strcmp(argv[1], "accept");
    int rc = parse_opts(accept ? "pins accept" : "pins", argc - accept, argv + accept, &o);
    if (rc)
        return rc;
    if (accept)
        return pins_accept(&o, argc - accept - optind, argv + accept + optind);
    if (optind < argc)
        return cli_usage("pins: unexpected argument '%s'", argv[optind]);
    return pins_list(&o);
}
