/*
 * airlock authorize: one Cedar decision from files, like `cedar authorize`.
 * Exit 0 on ALLOW, 2 on DENY, 1 when the request could not be decided.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct authz_opts {
    const char *policies, *entities, *request, *links;
    const char *principal, *action, *resource, *context;
    int json;
};

static int
parse_opts(int argc, char **argv, struct authz_opts *o)
{
    static const struct option opts[] = {
        {"policies", required_argument, NULL, 'p'},
        {"entities", required_argument, NULL, 'e'},
        {"request-json", required_argument, NULL, 'R'},
        {"principal", required_argument, NULL, 'P'},
        {"action", required_argument, NULL, 'a'},
        {"resource", required_argument, NULL, 'r'},
        {"context", required_argument, NULL, 'c'},
        {"template-linked", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {0, 0, 0, 0},
    };
    int c;
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
        case 'R':
            o->request = optarg;
            break;
        case 'P':
            o->principal = optarg;
            break;
        case 'a':
            o->action = optarg;
            break;
        case 'r':
            o->resource = optarg;
            break;
        case 'c':
            o->context = optarg;
            break;
        case 't':
            o->links = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        default:
            return cli_usage("authorize: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage("authorize: unexpected argument '%s'", argv[optind]);
    if (!o->policies)
        return cli_usage("authorize: --policies is required");
    int parts = !!o->principal + !!o->action + !!o->resource;
    if (o->request ? (parts || o->context) : parts != 3)
        return cli_usage("authorize: give --request-json, or all of --principal, --action and "
                         "--resource");
    return 0;
}

static int
load_request(const struct authz_opts *o, struct cedar_arena *a, struct cedar_request *req)
{
    struct cedar_error err;
    char *text = NULL;
    size_t len;
    int rc;
    if (o->request) {
        if (cli_read(o->request, CEDAR_MAX_JSON_TEXT, &text, &len))
            return -1;
        rc = cedar_request_from_json(a, text, len, req, &err);
    } else {
        /* Build the request from the flags as if they were a JSON document. */
        struct cedar_arena tmp;
        cedar_arena_init(&tmp, 0);
        struct jv *ctx = NULL;
        if (o->context) {
            if (cli_read(o->context, CEDAR_MAX_JSON_TEXT, &text, &len)) {
                cedar_arena_release(&tmp);
                return -1;
            }
            if (jv_parse(&tmp, text, len, &ctx, &err)) {
                free(text);
                cedar_arena_release(&tmp);
                cli_fail("%s: %s", o->context, err.msg);
                return -1;
            }
        }
        struct jv p = {.type = JV_STRING}, ac = {.type = JV_STRING}, r = {.type = JV_STRING};
        p.s = (struct cedar_str){o->principal, (uint32_t)strlen(o->principal)};
        ac.s = (struct cedar_str){o->action, (uint32_t)strlen(o->action)};
        r.s = (struct cedar_str){o->resource, (uint32_t)strlen(o->resource)};
        rc = cedar_request_build(a, &p, &ac, &r, ctx, req, &err);
        cedar_arena_release(&tmp);
    }
    free(text);
    if (rc)
        cli_fail("%s", err.msg);
    return rc ? -1 : 0;
}

/* Read path (if given) and hand its text to load; one line on failure. */
static int
load_json_file(const char *path, int (*load)(void *, const char *, size_t, struct cedar_error *),
               void *into)
{
    if (!path)
        return 0;
    char *text;
    size_t len;
    struct cedar_error err;
    if (cli_read(path, CEDAR_MAX_JSON_TEXT, &text, &len))
        return -1;
    int rc = load(into, text, len, &err);
    free(text);
    if (rc)
        cli_fail("%s: %s", path, err.msg);
    return rc ? -1 : 0;
}

static int
entities_json(void *es, const char *text, size_t len, struct cedar_error *err)
{
    return cedar_entities_load_json(es, text, len, err);
}

static int
links_json(void *ps, const char *text, size_t len, struct cedar_error *err)
{
    return cedar_policyset_link_json(ps, text, len, err);
}

static void
print_text(const struct cedar_response *r)
{
    printf("%s\n", r->allow ? "ALLOW" : "DENY");
    if (r->nreasons) {
        printf("\nreasons:\n");
        for (uint32_t i = 0; i < r->nreasons; i++)
            printf("  %s\n", r->reasons[i]->id);
    }
    if (r->nerrors) {
        printf("\nerrors:\n");
        for (uint32_t i = 0; i < r->nerrors; i++)
            printf("  %s: %s\n", r->errors[i].policy->id, r->errors[i].msg);
    }
}

static int
print_json(const struct cedar_response *r)
{
    json_t *reasons = json_array(), *errors = json_array();
    for (uint32_t i = 0; i < r->nreasons; i++)
        json_array_append_new(reasons, json_string(r->reasons[i]->id));
    for (uint32_t i = 0; i < r->nerrors; i++)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "policy", r->errors[i].policy->id,
                                                "message", r->errors[i].msg));
    json_t *out = json_pack("{s:s,s:o,s:o}", "decision", r->allow ? "allow" : "deny", "reasons",
                            reasons, "errors", errors);
    if (!out)
        return -1;
    int rc = json_dumpf(out, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(out);
    return rc;
}

int
cli_authorize(int argc, char **argv)
{
    struct authz_opts o = {0};
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    rc = CLI_EXIT_FAIL;
    struct cedar_policyset *ps = cedar_policyset_new();
    struct cedar_entities *es = cedar_entities_new();
    struct cedar_authorizer *az = cedar_authorizer_new();
    struct cedar_arena reqa;
    cedar_arena_init(&reqa, CEDAR_MAX_REQUEST_ARENA);
    struct cedar_request req;
    struct cedar_response resp;
    if (!ps || !es || !az) {
        cli_fail("out of memory");
        goto out;
    }
    if (cli_load_policies(ps, o.policies) || load_json_file(o.links, links_json, ps) ||
        load_json_file(o.entities, entities_json, es) || load_request(&o, &reqa, &req))
        goto out;
    int arc = cedar_authorize(az, ps, es, &req, &resp);
    if (arc) {
        cli_fail("authorization failed: %s", cedar_strerror(arc));
        goto out;
    }
    if (o.json ? print_json(&resp) : (print_text(&resp), 0)) {
        cli_fail("cannot write the answer");
        goto out;
    }
    rc = resp.allow ? CLI_EXIT_OK : CLI_EXIT_USAGE;
out:
    cedar_arena_release(&reqa);
    cedar_authorizer_free(az);
    cedar_entities_free(es);
    cedar_policyset_free(ps);
    return rc;
}
