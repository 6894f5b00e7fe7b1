/*
 * airlock replay: how other policies would have decided the requests in the
 * ledger.
 *
 *   airlock replay --policies NEW.cedar [--entities E.json] [--dir DIR]
 *                  [--from N] [--json]
 *
 * Lists each recorded request whose decision would change, then a count.
 * Exit 0 when nothing would change, 3 when something would (so scripts can
 * gate a policy change on it), 1 on failure, 2 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gate/gate_replay.h"
#include "../util/util_file.h"
#include "cli.h"

#define REPLAY_CHANGED 3

struct replay_opts {
    const char *policies, *entities, *dir;
    unsigned long long from;
    int json;
};

static int
parse_opts(int argc, char **argv, struct replay_opts *o)
{
    static const struct option opts[] = {
        {"policies", required_argument, NULL, 'p'}, {"entities", required_argument, NULL, 'e'},
        {"dir", required_argument, NULL, 'd'},      {"from", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},           {0, 0, 0, 0},
    };
    int c;
    char *end;
    memset(o, 0, sizeof(*o));
    o->dir = cli_data_dir();
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            o->policies = optarg;
            break;
        case 'e':
            o->entities = optarg;
            break;
        case 'd':
            o->dir = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'f':
            o->from = strtoull(optarg, &end, 10);
            if (!*optarg || *optarg == '-' || *end)
                return cli_usage("replay: --from takes an entry index");
            break;
        default:
            return cli_usage("replay: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage("replay: unexpected argument '%s'", argv[optind]);
    if (!o->policies)
        return cli_usage("replay: --policies is required");
    return 0;
}

static void
print_change(void *ctx, const struct gate_replay_change *c)
{
    const struct replay_opts *o = ctx;
    const json_t *r = c->record;
    if (o->json) {
        json_t *j =
            json_pack("{s:I, s:O*, s:O*, s:O*, s:O*, s:s, s:s, s:O}", "index", (json_int_t)c->index,
                      "time", json_object_get(r, "time"), "agent", json_object_get(r, "agent"),
                      "method", json_object_get(r, "method"), "tool", json_object_get(r, "tool"),
                      "before", c->before, "after", c->after, "policies", c->policies);
        json_dumpf(j, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(j);
        return;
    }
    const char *tool = json_string_value(json_object_get(r, "tool"));
    char *ids = json_dumps(c->policies, JSON_COMPACT);
    printf("%llu\t%s  %s -> %s %s: %s -> %s  by %s\n", (unsigned long long)c->index,
           json_string_value(json_object_get(r, "time")),
           json_string_value(json_object_get(r, "agent")),
           json_string_value(json_object_get(r, "method")), tool ? tool : "", c->before, c->after,
           ids ? ids : "?");
    free(ids);
}

int
cli_replay(int argc, char **argv)
{
    struct replay_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    struct cedar_policyset *ps = cedar_policyset_new();
    struct ledger_log *log = NULL;
    char *ents = NULL, err[LEDGER_ERR_MAX];
    size_t elen = 2;
    struct gate_replay_stats st;
    rc = CLI_EXIT_FAIL;
    if (!ps || cedar_hash_init()) {
        cli_fail("out of memory");
        goto out;
    }
    if (cli_load_policies(ps, o.policies))
        goto out;
    if (o.entities ? util_read_file(o.entities, CEDAR_MAX_JSON_TEXT, &ents, &elen, err, sizeof(err))
                   : !(ents = strdup("[]"))) {
        cli_fail("%s", o.entities ? err : "out of memory");
        goto out;
    }
    if (ledger_open(o.dir, 0, &log, err, sizeof(err))) {
        cli_fail("%s", err);
        goto out;
    }
    if (gate_replay(log, o.from, ps, ents, elen, print_change, &o, &st, err, sizeof(err))) {
        cli_fail("replay: %s", err);
        goto out;
    }
    fprintf(o.json ? stderr : stdout,
            "%llu requests, %llu decided again, %llu would change, %llu skipped\n",
            (unsigned long long)st.requests, (unsigned long long)st.redecided,
            (unsigned long long)st.changed, (unsigned long long)st.skipped);
    rc = st.changed ? REPLAY_CHANGED : CLI_EXIT_OK;
out:
    ledger_close(log);
    cedar_policyset_free(ps);
    free(ents);
    return rc;
}
