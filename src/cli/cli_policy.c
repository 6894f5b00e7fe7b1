/*
 * airlock policy check | format | test | validate | reload
 * airlock schema format | translate
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cedar/cedar_schema.h"
#include "../cedar/cedar_testfile.h"
#include "../cedar/cedar_validate.h"
#include "../gate/gate.h"
#include "../gate/gate_pins.h"
#include "../gate/gate_schema.h"
#include "cli.h"

/* Print the source line of a diagnostic with a caret under the column. */
static void
show_spot(const char *text, size_t len, uint32_t line, uint32_t col)
{
    const char *p = text, *end = text + len;
    for (uint32_t l = 1; l < line && p < end; p++)
        if (*p == '\n')
            l++;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    if ((size_t)(eol - p) > 200)
        return;
    fprintf(stderr, "  %.*s\n  ", (int)(eol - p), p);
    for (uint32_t c = 1; c < col; c++)
        fputc(p[c - 1] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

static int
add_policies(struct cedar_policyset *ps, const char *path, int verbose)
{
    char *text;
    size_t len;
    if (cli_read(path, CEDAR_MAX_POLICY_TEXT, &text, &len))
        return -1;
    static struct cedar_diags diags;
    diags.n = 0;
    diags.dropped = 0;
    int rc = cedar_policyset_add_text(ps, text, len, 0, &diags);
    for (uint32_t i = 0; i < diags.n; i++) {
        fprintf(stderr, "%s:%u:%u: error: %s\n", path, diags.v[i].line, diags.v[i].col,
                diags.v[i].msg);
        if (verbose)
            show_spot(text, len, diags.v[i].line, diags.v[i].col);
    }
    if (diags.dropped)
        fprintf(stderr, "%s: %u more errors not shown\n", path, diags.dropped);
    if (rc && !diags.n)
        fprintf(stderr, "%s: %s\n", path, cedar_strerror(rc));
    free(text);
    return rc ? -1 : 0;
}

int
cli_load_policies(struct cedar_policyset *ps, const char *path)
{
    return add_policies(ps, path, 1);
}

static int
policy_check(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("policy check: expected one or more FILE arguments");
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("policy check: unknown option '%s'", argv[i]);
    }
    for (int i = 1; i < argc; i++) {
        struct cedar_policyset *ps = cedar_policyset_new();
        if (!ps)
            return cli_fail("out of memory");
        if (add_policies(ps, argv[i], 1))
            bad++;
        else
            printf("%s: %zu policies OK\n", argv[i], cedar_policyset_count(ps));
        cedar_policyset_free(ps);
    }
    return bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int
policy_format(int argc, char **argv)
{
    if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
        return cli_usage("policy format: expected exactly one FILE");
    struct cedar_policyset *ps = cedar_policyset_new();
    if (!ps)
        return cli_fail("out of memory");
    int rc = CLI_EXIT_FAIL;
    struct util_buf b;
    util_buf_init(&b, (size_t)CEDAR_MAX_POLICY_TEXT * 4);
    if (add_policies(ps, argv[1], 1))
        goto out;
    for (size_t i = 0; i < cedar_policyset_count(ps); i++) {
        if ((i && util_buf_puts(&b, "\n")) || cedar_format_policy(&b, cedar_policyset_at(ps, i))) {
            rc = cli_fail("policy format: output too large");
            goto out;
        }
    }
    fwrite(b.p ? b.p : "", 1, b.len, stdout);
    rc = CLI_EXIT_OK;
out:
    util_buf_free(&b);
    cedar_policyset_free(ps);
    return rc;
}

static int
policy_test(int argc, char **argv)
{
    static const struct option opts[] = {{"root", required_argument, NULL, 'r'}, {0, 0, 0, 0}};
    const char *root = ".";
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'r')
            root = optarg;
        else
            return cli_usage("policy test: unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind >= argc)
        return cli_usage("policy test: expected one or more FILE.json arguments");
    unsigned passed = 0, failed = 0;
    for (int i = optind; i < argc; i++) {
        struct cedar_testfile_result res = {0, 0, 0};
        struct util_buf report;
        struct cedar_error err;
        util_buf_init(&report, 64u << 20);
        int rc = cedar_testfile_run(argv[i], root, &report, &res, &err);
        fputs(util_buf_str(&report), stdout);
        util_buf_free(&report);
        if (rc) {
            printf("FAIL %s: %s\n", argv[i], err.msg);
            failed++;
        }
        passed += res.passed;
        failed += res.failed;
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* Exit status of `policy validate` when a policy does not validate. */
#define CLI_EXIT_INVALID 3

int
cli_load_schema(const char *path, struct cedar_schema **out)
{
    char *text;
    size_t len;
    static struct cedar_diags diags;
    if (cli_read(path, CEDAR_MAX_SCHEMA_TEXT, &text, &len))
        return -1;
    diags.n = diags.dropped = 0;
    int rc = cedar_schema_parse(text, len, out, &diags);
    for (uint32_t i = 0; i < diags.n; i++) {
        fprintf(stderr, "%s:%u:%u: error: %s\n", path, diags.v[i].line, diags.v[i].col,
                diags.v[i].msg);
        show_spot(text, len, diags.v[i].line, diags.v[i].col);
    }
    if (rc && !diags.n)
        fprintf(stderr, "%s: %s\n", path, cedar_strerror(rc));
    free(text);
    return rc ? -1 : 0;
}

/* Entities read with the schema's types: 0, 3 when they do not fit it,
 * 1 when the file cannot be read or is not JSON. */
static int
validate_entities(const struct cedar_schema *s, const char *path)
{
    char *text;
    size_t len;
    struct cedar_error err;
    if (cli_read(path, CEDAR_MAX_JSON_TEXT, &text, &len))
        return CLI_EXIT_FAIL;
    struct cedar_entities *plain = cedar_entities_new(), *typed = cedar_entities_new();
    int rc = CLI_EXIT_OK;
    if (!plain || !typed) {
        rc = cli_fail("out of memory");
    } else if (cedar_entities_load_json(plain, text, len, &err)) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_EXIT_FAIL;
    } else if (cedar_entities_load_json_schema(typed, text, len, s, &err)) {
        fprintf(stderr, "%s: error: %s\n", path, err.msg);
        rc = CLI_EXIT_INVALID;
    } else {
        printf("%s: %zu entities fit the schema\n", path, cedar_entities_count(typed));
    }
    cedar_entities_free(plain);
    cedar_entities_free(typed);
    free(text);
    return rc;
}

/* airlock policy validate --schema S [--entities E] POLICIES...: 0 when
 * every policy validates (and the entities fit the schema), 3 when one
 * does not (each error with its policy's id and position), 1 when a file
 * cannot be read or does not parse. */
static int
policy_validate(int argc, char **argv)
{
    static const struct option opts[] = {{"schema", required_argument, NULL, 's'},
                                         {"entities", required_argument, NULL, 'e'},
                                         {0, 0, 0, 0}};
    const char *schema = NULL, *entities = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's')
            schema = optarg;
        else if (c == 'e')
            entities = optarg;
        else
            return cli_usage("policy validate: unknown or incomplete option '%s'",
                             argv[optind - 1]);
    }
    if (!schema)
        return cli_usage("policy validate: --schema FILE is required");
    if (optind >= argc)
        return cli_usage("policy validate: expected one or more policy FILE arguments");
    struct cedar_schema *s;
    if (cli_load_schema(schema, &s))
        return CLI_EXIT_FAIL;
    int rc = entities ? validate_entities(s, entities) : CLI_EXIT_OK;
    static struct cedar_vresult res;
    for (int i = optind; i < argc && rc != CLI_EXIT_FAIL; i++) {
        struct cedar_policyset *ps = cedar_policyset_new();
        if (!ps) {
            rc = cli_fail("out of memory");
            break;
        }
        if (add_policies(ps, argv[i], 1)) {
            rc = CLI_EXIT_FAIL;
        } else {
            int bad = cedar_validate(s, ps, &res);
            if (bad < 0) {
                rc = cli_fail("policy validate: %s", cedar_strerror(bad));
            } else {
                for (uint32_t k = 0; k < res.n; k++)
                    fprintf(stderr, "%s:%u:%u: %s: %s: %s\n", argv[i], res.v[k].line, res.v[k].col,
                            res.v[k].warning ? "warning" : "error", res.v[k].policy, res.v[k].msg);
                if (res.dropped)
                    fprintf(stderr, "%s: %u more errors not shown\n", argv[i], res.dropped);
            }
            if (bad > 0) {
                rc = rc == CLI_EXIT_FAIL ? rc : CLI_EXIT_INVALID;
            } else if (bad == 0) {
                printf("%s: %zu policies validate against %s\n", argv[i], cedar_policyset_count(ps),
                       schema);
            }
        }
        cedar_policyset_free(ps);
    }
    cedar_schema_free(s);
    return rc;
}

/* airlockd reads its administrative policies and entities again
 * (`airlock policy reload [--socket PATH]`); sessions read theirs when
 * they start. */
static int
policy_reload(int argc, char **argv)
{
    const char *socket = NULL;
    json_t *r = NULL;
    if (argc == 3 && !strcmp(argv[1], "--socket"))
        socket = argv[2];
    else if (argc != 1)
        return cli_usage("policy reload: the only option is --socket PATH");
    if (cli_admin_ask(cli_socket(socket), "reload", json_object(), &r))
        return CLI_EXIT_FAIL;
    printf("airlockd reloaded its administrative policies and entities; sessions read the "
           "agents' policies when they start\n");
    json_decref(r);
    return CLI_EXIT_OK;
}

int
cli_policy(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("policy: expected 'check', 'format', 'test', 'validate' or 'reload'");
    if (strcmp(argv[1], "check") == 0)
        return policy_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "format") == 0)
        return policy_format(argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0)
        return policy_test(argc - 1, argv + 1);
    if (strcmp(argv[1], "reload") == 0)
        return policy_reload(argc - 1, argv + 1);
    if (strcmp(argv[1], "validate") == 0)
        return policy_validate(argc - 1, argv + 1);
    return cli_usage("policy: unknown subcommand '%s'", argv[1]);
}

/* The tool definitions in a tools/list answer: {"tools": [...]}, the
 * JSON-RPC response holding it, or the array itself. */
static const json_t *
tools_of(const json_t *doc)
{
    if (json_is_array(doc))
        return doc;
    const json_t *r = json_object_get(doc, "result");
    const json_t *t = json_object_get(r ? r : doc, "tools");
    return json_is_array(t) ? t : NULL;
}

/* airlock schema from-mcp [--config FILE] [--server NAME] [--to cedar|json]
 * [TOOLS.json | --pins DIR]: the schema of airlock's requests for those
 * tools (gate_schema.h). */
static int
schema_from_mcp(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"server", required_argument, NULL, 's'},
                                         {"to", required_argument, NULL, 't'},
                                         {"pins", required_argument, NULL, 'p'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *server = NULL, *to = "cedar", *pins = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 's')
            server = optarg;
        else if (c == 't')
            to = optarg;
        else if (c == 'p')
            pins = optarg;
        else
            return cli_usage("schema from-mcp: unknown or incomplete option '%s'",
                             argv[optind - 1]);
    }
    if (strcmp(to, "cedar") && strcmp(to, "json"))
        return cli_usage("schema from-mcp: --to takes cedar or json");
    if ((optind == argc) == !pins || argc - optind > 1)
        return cli_usage("schema from-mcp: expected one TOOLS.json (a tools/list answer) or "
                         "--pins DIR");
    struct gate_config cfg;
    char err[GATE_ERR_MAX];
    json_t *doc = NULL, *own = NULL;
    const json_t *tools;
    gate_config_init(&cfg);
    if (gate_config_load(&cfg, config, err, sizeof(err))) {
        gate_config_release(&cfg);
        return cli_fail("%s", err);
    }
    if (!server)
        server = cfg.server_name ? cfg.server_name : "default";
    if (pins) {
        if (!(own = gate_pins_definitions(pins, server, err, sizeof(err)))) {
            gate_config_release(&cfg);
            return cli_fail("%s", err);
        }
        tools = own;
    } else {
        char *text;
        size_t len;
        json_error_t je;
        if (cli_read(argv[optind], 64u << 20, &text, &len)) {
            gate_config_release(&cfg);
            return CLI_EXIT_FAIL;
        }
        doc = json_loadb(text, len, 0, &je);
        free(text);
        if (!doc || !(tools = tools_of(doc))) {
            json_decref(doc);
            gate_config_release(&cfg);
            return cli_fail("%s:%d:%d: %s", argv[optind], doc ? 1 : je.line, doc ? 1 : je.column,
                            doc ? "expected a tools/list answer ({\"tools\": [...]})" : je.text);
        }
    }
    struct util_buf b;
    util_buf_init(&b, (size_t)CEDAR_MAX_SCHEMA_TEXT);
    int rc = gate_schema_generate(&cfg, server, tools, &b, err, sizeof(err));
    json_decref(doc);
    json_decref(own);
    gate_config_release(&cfg);
    if (rc) {
        util_buf_free(&b);
        return cli_fail("schema from-mcp: %s", err);
    }
    /* read back: what is printed is a schema that loads */
    static struct cedar_diags diags;
    struct cedar_schema *s;
    diags.n = diags.dropped = 0;
    rc = cedar_schema_parse(b.p, b.len, &s, &diags);
    if (rc) {
        util_buf_free(&b);
        return cli_fail("schema from-mcp: the generated schema does not load (%u:%u: %s)",
                        diags.n ? diags.v[0].line : 0, diags.n ? diags.v[0].col : 0,
                        diags.n ? diags.v[0].msg : cedar_strerror(rc));
    }
    if (!strcmp(to, "json")) {
        struct util_buf j;
        util_buf_init(&j, (size_t)CEDAR_MAX_SCHEMA_TEXT * 8);
        rc = cedar_schema_print_json(&j, &s->src);
        if (!rc)
            fwrite(j.p, 1, j.len, stdout);
        util_buf_free(&j);
    } else {
        fwrite(b.p, 1, b.len, stdout);
    }
    cedar_schema_free(s);
    util_buf_free(&b);
    return rc ? cli_fail("schema from-mcp: output too large") : CLI_EXIT_OK;
}

/* airlock schema format FILE | schema translate [--to cedar|json] FILE:
 * the schema printed again in its own format, or in the other one. */
int
cli_schema(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("schema: expected 'format', 'translate' or 'from-mcp'");
    if (!strcmp(argv[1], "from-mcp"))
        return schema_from_mcp(argc - 1, argv + 1);
    int translate = !strcmp(argv[1], "translate");
    if (!translate && strcmp(argv[1], "format"))
        return cli_usage("schema: unknown subcommand '%s'", argv[1]);
    int to = 0, i = 2;
    if (translate && i + 1 < argc && !strcmp(argv[i], "--to")) {
        if (!strcmp(argv[i + 1], "json"))
            to = 'j';
        else if (!strcmp(argv[i + 1], "cedar"))
            to = 'c';
        else
            return cli_usage("schema translate: --to takes cedar or json");
        i += 2;
    }
    if (i + 1 != argc || (argv[i][0] == '-' && argv[i][1]))
        return cli_usage("schema %s: expected exactly one FILE", argv[1]);
    const char *path = argv[i];
    char *text;
    size_t len;
    if (cli_read(path, CEDAR_MAX_SCHEMA_TEXT, &text, &len))
        return CLI_EXIT_FAIL;
    size_t k = 0;
    while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r'))
        k++;
    int from = k < len && text[k] == '{' ? 'j' : 'c';
    if (!to)
        to = translate ? (from == 'j' ? 'c' : 'j') : from;
    static struct cedar_diags diags;
    diags.n = diags.dropped = 0;
    struct cedar_schema *s;
    /* resolved too: a schema that would not load is not printed */
    int rc = cedar_schema_parse_as(text, len, from, &s, &diags);
    for (uint32_t d = 0; d < diags.n; d++) {
        fprintf(stderr, "%s:%u:%u: error: %s\n", path, diags.v[d].line, diags.v[d].col,
                diags.v[d].msg);
        show_spot(text, len, diags.v[d].line, diags.v[d].col);
    }
    if (rc && !diags.n)
        fprintf(stderr, "%s: %s\n", path, cedar_strerror(rc));
    free(text);
    if (rc)
        return CLI_EXIT_FAIL;
    struct util_buf b;
    util_buf_init(&b, (size_t)CEDAR_MAX_SCHEMA_TEXT * 8);
    rc = to == 'j' ? cedar_schema_print_json(&b, &s->src) : cedar_schema_print_cedar(&b, &s->src);
    if (rc)
        rc = cli_fail("schema %s: output too large", argv[1]);
    else
        fwrite(b.p ? b.p : "", 1, b.len, stdout);
    util_buf_free(&b);
    cedar_schema_free(s);
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
