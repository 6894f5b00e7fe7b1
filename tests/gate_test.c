/*
 * The gate: configuration, arguments as Cedar values, the tool catalogue
 * and its pins, decisions with their reasons, hidden tools, and refusal
 * when the ledger cannot record.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/gate/gate.h"
#include "../src/gate/gate_agent.h"
#include "../src/gate/gate_catalog.h"
#include "../src/gate/gate_pins.h"
#include "../src/gate/gate_value.h"
#include "../src/ledger/ledger_tile.h"
#include "../src/mcp/mcp_rpc.h"
#include "test_util.h"

static char base[64];

static int
setup(void **state)
{
    (void)state;
    snprintf(base, sizeof(base), "/tmp/airlock-gate-XXXXXX");
    return mkdtemp(base) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    return system(cmd);
}

static int
config_error(const char *text, const char *want)
{
    struct gate_config c;
    char err[512];
    gate_config_init(&c);
    int rc = gate_config_parse(&c, "c.json", text, strlen(text), err, sizeof(err));
    gate_config_release(&c);
    if (rc == 0)
        return 0;
    if (!strstr(err, want))
        fail_msg("error '%s' does not say '%s'", err, want);
    return 1;
}

static void
test_config(void **state)
{
    (void)state;
    assert_false(config_error("{\"server\":{\"name\":\"s\",\"trusted\":true},\"agent\":\"a\","
                              "\"env\":[\"PATH\",\"X=1\"],\"maxLine\":1024,"
                              "\"tools\":{\"t\":{\"readOnly\":true,\"audience\":\"team\","
                              "\"sensitivity\":\"secret\",\"tags\":[\"x\"],\"groups\":[\"g\"]}}}",
                              ""));
    assert_true(config_error("{\"sever\":{}}", "unknown member \"sever\""));
    assert_true(config_error("{\"server\":{\"trusted\":1}}", "server.trusted"));
    assert_true(config_error("{\"tools\":{\"t\":{\"audience\":\"world\"}}}", "tool \"t\""));
    assert_true(config_error("{\"tools\":{\"t\":{\"readonly\":true}}}", "unknown member"));
    assert_true(config_error("{\"tools\":{\"t\":{\"sensitivity\":\"high\"}}}", "sensitivity"));
    assert_true(config_error("{\"env\":[\"=x\"]}", "env"));
    assert_true(config_error("[]", "must be a JSON object"));
    assert_true(config_error("{\"a\":1,\"a\":2}", "c.json:1"));
    /* maxLine: the limits themselves pass, one beyond either does not. */
    char t[128];
    snprintf(t, sizeof(t), "{\"maxLine\":%u}", GATE_MIN_MAX_LINE);
    assert_false(config_error(t, ""));
    snprintf(t, sizeof(t), "{\"maxLine\":%u}", GATE_MIN_MAX_LINE - 1);
    assert_true(config_error(t, "maxLine"));
    snprintf(t, sizeof(t), "{\"maxLine\":%u}", GATE_MAX_MAX_LINE + 1);
    assert_true(config_error(t, "maxLine"));
    /* GATE_MAX_ENV names at most. */
    char *big = malloc(GATE_MAX_ENV * 8 + 64);
    size_t off = (size_t)sprintf(big, "{\"env\":[");
    for (unsigned i = 0; i <= GATE_MAX_ENV; i++)
        off += (size_t)sprintf(big + off, "%s\"V%u\"", i ? "," : "", i);
    sprintf(big + off, "]}");
    assert_true(config_error(big, "at most"));
    /* GATE_MAX_TAGS tags, and one more. */
    for (unsigned extra = 0; extra < 2; extra++) {
        off = (size_t)sprintf(big, "{\"tools\":{\"t\":{\"tags\":[");
        for (unsigned i = 0; i < GATE_MAX_TAGS + extra; i++)
            off += (size_t)sprintf(big + off, "%s\"g%u\"", i ? "," : "", i);
        sprintf(big + off, "]}}}");
        assert_int_equal(config_error(big, "at most"), (int)extra);
    }
    free(big);
}

/* "servers": one file for airlockd's many upstreams.  A server's own
 * entry for a tool wins over "tools", its "trusted" over "server.trusted";
 * a server it does not name gets the top level. */
static void
test_servers(void **state)
{
    (void)state;
    static const char *conf =
        "{\"server\":{\"trusted\":false},"
        " \"tools\":{\"post\":{\"audience\":\"public\"},\"read\":{\"sensitivity\":\"secret\"}},"
        " \"servers\":{\"wiki\":{\"trusted\":true,\"tools\":{\"post\":{\"audience\":\"team\","
        "\"groups\":[\"wiki_posts\"]}}}, \"forum\":{}}}";
    struct gate_config c;
    char err[512];
    gate_config_init(&c);
    assert_int_equal(gate_config_parse(&c, "c", conf, strlen(conf), err, sizeof(err)), 0);
    json_t *list = json_loads("[{\"name\":\"post\",\"annotations\":{\"readOnlyHint\":true}},"
                              " {\"name\":\"read\"}]",
                              0, NULL);
    static const struct {
        const char *server;
        enum gate_audience audience;
        signed char read_only; /* the annotation counts only where trusted */
    } want[] = {
        {"wiki", GATE_AUD_TEAM, FACT_YES},
        {"forum", GATE_AUD_PUBLIC, FACT_NO},
        {"elsewhere", GATE_AUD_PUBLIC, FACT_NO},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct gate_catalog cat = {0};
        assert_int_equal(gate_catalog_set(&cat, &c, want[i].server, list, err, sizeof(err)), 0);
        const struct gate_tool *post = gate_catalog_find(&cat, "post"),
                               *read = gate_catalog_find(&cat, "read");
        assert_int_equal(post->facts.audience, want[i].audience);
        assert_int_equal(post->facts.read_only, want[i].read_only);
        /* What the server's entry does not name comes from "tools". */
        assert_string_equal(read->facts.sensitivity, "secret");
        gate_catalog_release(&cat);
    }
    /* A group named under any server is reserved, as under "tools". */
    assert_true(gate_reserved_name(&c, "wiki_posts"));
    json_decref(list);
    gate_config_release(&c);
    assert_true(config_error("{\"servers\":[]}", "\"servers\" must be an object"));
    assert_true(config_error("{\"servers\":{\"w\":1}}", "\"servers.w\" must be an object"));
    assert_true(config_error("{\"servers\":{\"w\":{\"trusted\":\"yes\"}}}", "servers.w.trusted"));
    assert_true(config_error("{\"servers\":{\"w\":{\"name\":\"x\"}}}",
                             "unknown member \"servers.w.name\""));
    assert_true(config_error("{\"servers\":{\"w\":{\"tools\":{\"t\":{\"audience\":\"all\"}}}}}",
                             "tool \"t\""));
    /* GATE_MAX_SERVERS servers, and one more. */
    char *big = malloc(GATE_MAX_SERVERS * 16 + 64);
    for (unsigned extra = 0; extra < 2; extra++) {
        size_t off = (size_t)sprintf(big, "{\"servers\":{");
        for (unsigned i = 0; i < GATE_MAX_SERVERS + extra; i++)
            off += (size_t)sprintf(big + off, "%s\"s%u\":{}", i ? "," : "", i);
        sprintf(big + off, "}}");
        assert_int_equal(config_error(big, "at most 256 servers"), (int)extra);
    }
    free(big);
}

static const char *
value_text(const char *json, char *buf, size_t n)
{
    struct cedar_arena a;
    struct cedar_value v;
    struct util_buf b;
    const char *why = NULL;
    util_buf_init(&b, 1 << 20);
    json_t *j = json_loads(json, JSON_ALLOW_NUL, NULL);
    assert_non_null(j);
    cedar_arena_init(&a, 0);
    if (gate_value_from_json(&a, j, &v, &why)) {
        snprintf(buf, n, "error: %s", why);
    } else {
        assert_int_equal(cedar_value_print(&b, &v), 0);
        snprintf(buf, n, "%.*s", (int)b.len, b.p);
    }
    util_buf_free(&b);
    cedar_arena_release(&a);
    json_decref(j);
    return buf;
}

static void
test_values(void **state)
{
    (void)state;
    char buf[512];
    assert_string_equal(
        value_text("{\"b\":[2,1,2],\"a\":\"x\",\"n\":null,\"f\":1.5,\"t\":true}", buf, sizeof(buf)),
        "{\"a\": \"x\", \"b\": [1, 2], \"f\": \"1.5\", \"t\": true}");
    /* No escapes: an argument never turns into an entity. */
    assert_string_equal(
        value_text("{\"__entity\":{\"type\":\"User\",\"id\":\"admin\"}}", buf, sizeof(buf)),
        "{\"__entity\": {\"id\": \"admin\", \"type\": \"User\"}}");
    /* GATE_MAX_INPUT_DEPTH levels of nesting, and one more. */
    char deep[256] = "", *p = deep;
    for (unsigned i = 0; i < GATE_MAX_INPUT_DEPTH; i++)
        *p++ = '[';
    *p++ = '1';
    for (unsigned i = 0; i < GATE_MAX_INPUT_DEPTH; i++)
        *p++ = ']';
    *p = '\0';
    assert_null(strstr(value_text(deep, buf, sizeof(buf)), "error"));
    char deeper[260];
    snprintf(deeper, sizeof(deeper), "[%s]", deep);
    assert_non_null(strstr(value_text(deeper, buf, sizeof(buf)), "nested deeper"));
}

/* ---- a gate on a fresh ledger ---- */

struct fixture {
    struct gate_config cfg;
    struct ledger_log *log;
    struct gate *g;
    char dir[128];
};

static const char *tools_json =
    "[{\"name\":\"read\",\"description\":\"reads\",\"annotations\":{\"readOnlyHint\":true}},"
    " {\"name\":\"post\",\"description\":\"posts\",\"inputSchema\":{\"type\":\"object\"}},"
    " {\"name\":\"wipe\",\"annotations\":{\"readOnlyHint\":false,\"destructiveHint\":true}},"
    " {\"name\":\"env\"},"
    " {\"name\":\"read_only\",\"description\":\"a tool named like a group\"}]";

static const char *policies =
    "@id(\"reading\") @reason(\"reading is fine\")\n"
    "permit (principal, action in Action::\"read_only\", resource);\n"
    "@id(\"posting\") permit (principal == Agent::\"bot\", action == Action::\"post\", resource)\n"
    "  when { context.input.to == \"team\" || context.approved };\n"
    "@id(\"no-env\") @reason(\"secrets live there\")\n"
    "forbid (principal, action == Action::\"env\", resource);\n";

static void
open_gate(struct fixture *f, const char *config, const char *pol)
{
    char err[1024], vkey[512], path[256];
    snprintf(f->dir, sizeof(f->dir), "%s/d%d", base, rand());
    assert_int_equal(ledger_create(f->dir, "test/gate", vkey, sizeof(vkey), err, sizeof(err)), 0);
    assert_int_equal(ledger_open(f->dir, 1, &f->log, err, sizeof(err)), 0);
    gate_config_init(&f->cfg);
    if (config)
        assert_int_equal(gate_config_parse(&f->cfg, "c", config, strlen(config), err, sizeof(err)),
                         0);
    snprintf(path, sizeof(path), "%s/p.cedar", f->dir);
    FILE *fp = fopen(path, "w");
    fputs(pol, fp);
    fclose(fp);
    struct gate_opts o = {.policies = path,
                          .cfg = &f->cfg,
                          .log = f->log,
                          .dir = f->dir,
                          .server = "srv",
                          .agent = "bot"};
    if (gate_open(&f->g, &o, err, sizeof(err)))
        fail_msg("gate_open: %s", err);
    json_t *tools = json_loads(tools_json, 0, NULL);
    assert_int_equal(gate_set_tools(f->g, tools, err, sizeof(err)), 0);
    json_decref(tools);
}

static void
close_gate(struct fixture *f)
{
    gate_close(f->g);
    ledger_close(f->log);
    gate_config_release(&f->cfg);
}

static enum gate_outcome
decide(struct fixture *f, const char *tool, const char *args, char *text, size_t n)
{
    char *params;
    assert_true(asprintf(&params, "{\"name\":\"%s\",\"arguments\":%s}", tool, args) > 0);
    json_t *p = json_loads(params, JSON_ALLOW_NUL, NULL);
    free(params);
    struct gate_verdict v;
    gate_decide(f->g, "tools/call", p, &v);
    snprintf(text, n, "%s", v.text);
    enum gate_outcome o = v.outcome;
    if (o == GATE_PERMIT) {
        json_t *resp = json_loads("{\"result\":{}}", 0, NULL);
        assert_int_equal(gate_record_outcome(f->g, &v, resp, NULL, 1.0), 0);
        json_decref(resp);
    }
    gate_verdict_release(&v);
    json_decref(p);
    return o;
}

static void
test_decisions(void **state)
{
    (void)state;
    struct fixture f;
    char t[GATE_REASON_MAX];
    /* The upstream is not trusted: its readOnlyHint does not count. */
    open_gate(&f, NULL, policies);
    assert_int_equal(decide(&f, "read", "{}", t, sizeof(t)), GATE_DENY);
    assert_non_null(strstr(t, "no policy permits it"));
    assert_int_equal(decide(&f, "post", "{\"to\":\"team\"}", t, sizeof(t)), GATE_PERMIT);
    assert_int_equal(decide(&f, "post", "{\"to\":\"world\"}", t, sizeof(t)), GATE_NEEDS_APPROVAL);
    assert_int_equal(decide(&f, "env", "{}", t, sizeof(t)), GATE_DENY);
    assert_non_null(strstr(t, "secrets live there (policy no-env)"));
    assert_int_equal(decide(&f, "nope", "{}", t, sizeof(t)), GATE_DENY);
    assert_non_null(strstr(t, "did not list a tool \"nope\""));
    assert_int_equal(decide(&f, "read_only", "{}", t, sizeof(t)), GATE_DENY);
    assert_non_null(strstr(t, "reserved"));
    assert_int_equal(decide(&f, "post", "[1]", t, sizeof(t)), GATE_DENY);
    /* A NUL in the name: never decided as the name before it. */
    assert_int_equal(decide(&f, "post\\u0000x", "{\"to\":\"team\"}", t, sizeof(t)), GATE_DENY);
    assert_non_null(strstr(t, "must not contain NUL"));
    close_gate(&f);
    /* Trusted: it does, and the configuration still wins over it. */
    open_gate(&f, "{\"server\":{\"trusted\":true},\"tools\":{\"wipe\":{\"readOnly\":true}}}",
              policies);
    assert_int_equal(decide(&f, "read", "{}", t, sizeof(t)), GATE_PERMIT);
    assert_non_null(strstr(t, "reading is fine (policy reading)"));
    assert_int_equal(decide(&f, "wipe", "{}", t, sizeof(t)), GATE_PERMIT);
    close_gate(&f);
}

/* What inspection finds reaches the policy as context.findings and the
 * refusal's text. */
static const char *finding_policies =
    "@id(\"clean\") permit (principal, action, resource) when { context.findings.count == 0 };\n"
    "@id(\"info\") permit (principal, action, resource)\n"
    "  when { context.findings.rules.contains(\"EMAIL\") && context.findings.severity == 1 &&\n"
    "         context.findings.categories.isEmpty() };\n"
    "@id(\"kept\") permit (principal, action, resource)\n"
    "  when { context.findings.count == 71 && context.findings.severity == 4 &&\n"
    "         context.findings.rules.contains(\"RM-ROOT\") };\n"
    "@id(\"where\") permit (principal, action, resource)\n"
    "  when { context.findings.items.contains({rule: \"UFW-DISABLE\", category:\n"
    "         \"disables-control\", severity: \"high\", argument: \"a/b/1\", start: 3,\n"
    "         end: 14, text: \"ufw disable\"}) };\n"
    "@id(\"approved\") permit (principal, action, resource) when { context.approved };\n";

static void
test_findings(void **state)
{
    (void)state;
    struct fixture f;
    char t[GATE_REASON_MAX];
    open_gate(&f, NULL, finding_policies);
    assert_int_equal(decide(&f, "post", "{\"text\":\"hello\"}", t, sizeof(t)), GATE_PERMIT);
    assert_int_equal(decide(&f, "post", "{\"text\":\"run `chmod 777 /srv`\"}", t, sizeof(t)),
                     GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(t, "Inspection found: CHMOD-WIDEN (widens-access, high) in text "
                              "`chmod 777 /srv`"));
    /* A low finding is information: not in categories. */
    assert_int_equal(decide(&f, "post", "{\"text\":\"mail a@example.com\"}", t, sizeof(t)),
                     GATE_PERMIT);
    assert_non_null(strstr(t, "policy info"));
    /* Where it was: a nested argument's path, the span in that string. */
    assert_int_equal(
        decide(&f, "post", "{\"a\":{\"b\":[\"x\",\"x `ufw disable`\"]}}", t, sizeof(t)),
        GATE_PERMIT);
    assert_non_null(strstr(t, "policy where"));
    /* A command argument is a shell command (no code block needed); an argv
     * is quoted and joined. */
    assert_int_equal(decide(&f, "post", "{\"command\":\"rm -rf /\"}", t, sizeof(t)),
                     GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(t, "RM-ROOT (destructive, critical) in command"));
    assert_int_equal(
        decide(&f, "post", "{\"cmd\":[\"bash\",\"-c\",\"chmod 777 '/x'\"]}", t, sizeof(t)),
        GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(t, "CHMOD-WIDEN"));
    /* Commands are found by the argument's name at any depth, the name's
     * case and separators aside; code is read for what it hands a shell,
     * and forgiven for not being shell itself. */
    static const struct {
        const char *args, *rule; /* NULL: nothing found */
    } named[] = {
        {"{\"job\":{\"command\":\"chmod -R 777 /srv\"}}", "CHMOD-WIDEN"},
        {"{\"commands\":[\"echo hi\",\"rm -rf /\"]}", "RM-ROOT"},
        {"{\"steps\":[{\"name\":\"x\",\"run\":\"iptables -F\"}]}", "IPTABLES-FLUSH"},
        {"{\"cmdline\":\"ufw disable\"}", "UFW-DISABLE"},
        {"{\"commandLine\":\"ufw disable\"}", "UFW-DISABLE"},
        {"{\"Shell_Command\":\"ufw disable\"}", "UFW-DISABLE"},
        {"{\"argv\":[\"chmod\",\"-R\",\"777\",\"/srv\"]}", "CHMOD-WIDEN"},
        {"{\"code\":\"import os\\nos.system(\\\"chmod -R 777 /srv\\\")\"}", "CHMOD-WIDEN"},
        {"{\"python\":\"subprocess.run('rm -rf /', shell=True)\"}", "RM-ROOT"},
        {"{\"js\":\"require('child_process').execSync(`ufw disable`)\"}", "UFW-DISABLE"},
        {"{\"code\":\"print('hello')\\nfor i in range(3): print(i)\"}", NULL},
        {"{\"code\":\"x = \\\"unclosed\"}", NULL},
    };
    for (size_t i = 0; i < sizeof(named) / sizeof(*named); i++) {
        int got = decide(&f, "post", named[i].args, t, sizeof(t));
        if (named[i].rule ? got != GATE_NEEDS_APPROVAL || !strstr(t, named[i].rule)
                          : got != GATE_PERMIT)
            fail_msg("%s: %s", named[i].args, t);
    }
    /* Secrets are starred in what the agent and the ledger are told. */
    assert_int_equal(
        decide(&f, "post", "{\"text\":\"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\"}", t, sizeof(t)),
        GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(t, "GITHUB-TOKEN (secret, critical) in text `ghp_****"));
    assert_null(strstr(t, "R7kLq"));
    /* GATE_MAX_FINDINGS: 70 high findings and a critical one; 64 are kept,
     * the critical among them, and all 71 are counted. */
    char *args = malloc(71 * 24 + 64), *p = args;
    p += sprintf(p, "{\"text\":\"");
    for (int i = 0; i < 70; i++)
        p += sprintf(p, "`chmod 777 /x` ");
    sprintf(p, "`rm -rf /`\"}");
    assert_int_equal(decide(&f, "post", args, t, sizeof(t)), GATE_PERMIT);
    assert_non_null(strstr(t, "policy kept"));
    free(args);
    close_gate(&f);
    /* The configuration names the command arguments: then only those are. */
    open_gate(&f, "{\"tools\":{\"post\":{\"commands\":[\"q\"]}}}", finding_policies);
    assert_int_equal(decide(&f, "post", "{\"q\":\"iptables -F\"}", t, sizeof(t)),
                     GATE_NEEDS_APPROVAL);
    assert_non_null(strstr(t, "IPTABLES-FLUSH"));
    /* "command" is then text: a bare word is no command in a sentence
     * (as a command, "reboot" is SHUTDOWN) */
    assert_int_equal(decide(&f, "post", "{\"command\":\"reboot\"}", t, sizeof(t)), GATE_PERMIT);
    close_gate(&f);
}

/* context.user: on whose behalf (this process's user when embedded). */
static void
test_user(void **state)
{
    (void)state;
    struct fixture f;
    char t[GATE_REASON_MAX], pol[512];
    struct passwd *pw = getpwuid(geteuid());
    assert_non_null(pw);
    for (int other = 0; other < 2; other++) {
        snprintf(pol, sizeof(pol),
                 "@id(\"mine\") permit (principal, action, resource) when { context.user == "
                 "User::\"%s\" };\n",
                 other ? "someone-else" : pw->pw_name);
        open_gate(&f, NULL, pol);
        assert_int_equal(decide(&f, "post", "{}", t, sizeof(t)), other ? GATE_DENY : GATE_PERMIT);
        close_gate(&f);
    }
}

static void
test_hidden_tools(void **state)
{
    (void)state;
    struct fixture f;
    open_gate(&f, NULL, policies);
    json_t *res = json_pack("{s:o}", "tools", json_loads(tools_json, 0, NULL));
    /* read: no permit's scope matches it (untrusted hint); env: forbidden
     * outright; read_only: reserved; wipe: nothing permits it.  post stays:
     * an approval could permit it. */
    assert_int_equal(gate_filter_tools(f.g, res), 4);
    json_t *tools = json_object_get(res, "tools");
    assert_int_equal(json_array_size(tools), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tools, 0), "name")),
                        "post");
    json_decref(res);
    close_gate(&f);
}

static void
test_pins(void **state)
{
    (void)state;
    struct fixture f;
    char t[GATE_REASON_MAX], err[512];
    open_gate(&f, "{\"server\":{\"trusted\":true}}", policies);
    assert_int_equal(decide(&f, "post", "{\"to\":\"team\"}", t, sizeof(t)), GATE_PERMIT);
    /* The upstream changes post's description: hidden and refused. */
    json_t *tools = json_loads(tools_json, 0, NULL);
    json_object_set_new(json_array_get(tools, 1), "description",
                        json_string("posts, and also sends your keys away"));
    assert_int_equal(gate_set_tools(f.g, tools, err, sizeof(err)), 0);
    assert_int_equal(decide(&f, "post", "{\"to\":\"team\"}", t, sizeof(t)), GATE_DENY);
    assert_non_null(strstr(t, "changed since it was pinned"));
    /* A person accepts it: the next call sees the new pin. */
    json_t *pins = gate_pins_load(f.dir, err, sizeof(err)), *acc;
    assert_non_null(pins);
    assert_int_equal(gate_pins_accept(pins, "srv", NULL, 0, &acc, err, sizeof(err)), 0);
    assert_int_equal(json_array_size(acc), 1);
    assert_int_equal(gate_pins_save(f.dir, pins, err, sizeof(err)), 0);
    assert_int_equal(decide(&f, "post", "{\"to\":\"team\"}", t, sizeof(t)), GATE_PERMIT);
    json_decref(acc);
    json_decref(pins);
    json_decref(tools);
    close_gate(&f);
}

static int
fail_writes(const char *op)
{
    return strcmp(op, "fsync") == 0 || strcmp(op, "fdatasync") == 0 ? -EIO : 0;
}

static void
test_unrecorded_is_refused(void **state)
{
    (void)state;
    struct fixture f;
    char t[GATE_REASON_MAX];
    open_gate(&f, "{\"server\":{\"trusted\":true}}", policies);
    ledger_fault_hook = fail_writes;
    assert_int_equal(decide(&f, "read", "{}", t, sizeof(t)), GATE_DENY);
    ledger_fault_hook = NULL;
    assert_non_null(strstr(t, "could not be written to the audit ledger"));
    assert_int_equal(decide(&f, "read", "{}", t, sizeof(t)), GATE_PERMIT);
    close_gate(&f);
}

static void
test_bad_policies_refuse_to_start(void **state)
{
    (void)state;
    struct fixture f;
    char err[1024], vkey[512], path[256];
    snprintf(f.dir, sizeof(f.dir), "%s/bad", base);
    assert_int_equal(ledger_create(f.dir, "test/gate", vkey, sizeof(vkey), err, sizeof(err)), 0);
    assert_int_equal(ledger_open(f.dir, 1, &f.log, err, sizeof(err)), 0);
    gate_config_init(&f.cfg);
    const char *texts[] = {"permit (principal, action, resource) when { 1 + };", "// none\n"};
    const char *want[] = {"p.cedar:1:", "no policies"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/p.cedar", f.dir);
        FILE *fp = fopen(path, "w");
        fputs(texts[i], fp);
        fclose(fp);
        struct gate_opts o = {
            .policies = path, .cfg = &f.cfg, .log = f.log, .dir = f.dir, .server = "srv"};
        assert_int_equal(gate_open(&f.g, &o, err, sizeof(err)), -1);
        assert_non_null(strstr(err, want[i]));
    }
    ledger_close(f.log);
    gate_config_release(&f.cfg);
}

static void
test_catalogue_limit(void **state)
{
    (void)state;
    struct gate_config cfg;
    struct gate_catalog cat = {0};
    char err[256];
    gate_config_init(&cfg);
    json_t *tools = json_array();
    for (unsigned i = 0; i < GATE_MAX_TOOLS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "t%u", i);
        json_array_append_new(tools, json_pack("{s:s}", "name", name));
    }
    assert_int_equal(gate_catalog_set(&cat, &cfg, "s", tools, err, sizeof(err)), 0);
    assert_int_equal(cat.n, GATE_MAX_TOOLS);
    json_array_append_new(tools, json_pack("{s:s}", "name", "one-more"));
    assert_int_equal(gate_catalog_set(&cat, &cfg, "s", tools, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "more than"));
    json_array_set_new(tools, GATE_MAX_TOOLS, json_pack("{s:s}", "name", "t0"));
    json_array_remove(tools, 1);
    assert_int_equal(gate_catalog_set(&cat, &cfg, "s", tools, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "twice"));
    gate_catalog_release(&cat);
    json_decref(tools);
    gate_config_release(&cfg);
}

/* The request records of a closed log, in order. */
static json_t *
request_records(const char *dir)
{
    struct ledger_log *log;
    char err[256];
    json_t *out = json_array();
    assert_int_equal(ledger_open(dir, 0, &log, err, sizeof(err)), 0);
    for (uint64_t i = 0; i < ledger_size(log); i++) {
        uint8_t *p;
        size_t n;
        assert_int_equal(ledger_read_entry(log, i, &p, &n), 0);
        json_t *r = json_loadb((const char *)p, n, 0, NULL);
        free(p);
        if (!strcmp(json_string_value(json_object_get(r, "type")), "request"))
            json_array_append(out, r);
        json_decref(r);
    }
    ledger_close(log);
    return out;
}

static void
test_logged_arguments_bounded(void **state)
{
    (void)state;
    struct fixture f;
    char t[GATE_REASON_MAX], args[256];
    open_gate(&f, "{\"maxLoggedArguments\":64}", policies);
    /* {"to":"team","x":"..."} of exactly 64 bytes is logged whole, one byte
     * more as its digest, its size and a 64-byte prefix. */
    for (int extra = 0; extra < 2; extra++) {
        snprintf(args, sizeof(args), "{\"to\":\"team\",\"x\":\"%0*d\"}", 44 + extra, 0);
        assert_int_equal(strlen(args), 64 + extra);
        assert_int_equal(decide(&f, "post", args, t, sizeof(t)), GATE_PERMIT);
    }
    close_gate(&f);
    json_t *recs = request_records(f.dir);
    assert_int_equal(json_array_size(recs), 2);
    json_t *whole = json_array_get(recs, 0), *cut = json_array_get(recs, 1);
    assert_true(json_is_true(json_object_get(whole, "inputComplete")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(whole, "input"), "to")),
                        "team");
    json_t *in = json_object_get(cut, "input");
    assert_false(json_is_true(json_object_get(cut, "inputComplete")));
    assert_int_equal(json_integer_value(json_object_get(in, "bytes")), 65);
    assert_int_equal(strlen(json_string_value(json_object_get(in, "sha256"))), 64);
    assert_int_equal(json_string_length(json_object_get(in, "prefix")), 64);
    json_decref(recs);
}

/* What `airlock log show` prints of a record: airlockd's records about
 * holds and people in words, absent fields as "-", times in UTC, records
 * of a type it does not know as their JSON. */
static void
test_record_describe(void **state)
{
    (void)state;
    static const struct {
        const char *record, *text;
    } cases[] = {
        {"{\"type\":\"hold\",\"time\":\"T\",\"hold\":\"h-1\",\"request\":4,"
         "\"expires\":86400,\"findings\":[\"widens-access\"]}",
         "T  hold     h-1 holds entry 4 for a person (findings [\"widens-access\"]; expires "
         "1970-01-02T00:00:00Z)"},
        {"{\"type\":\"approval\",\"time\":\"T\",\"hold\":\"h-1\",\"by\":\"sam\","
         "\"approvers\":1,\"released\":true}",
         "T  approval sam approved h-1: - (approvers 1, released true, grant -)"},
        {"{\"type\":\"denial\",\"time\":\"T\",\"hold\":\"h-2\",\"by\":\"sam\","
         "\"reason\":\"no {way}\"}",
         "T  denial   sam denied h-2: no {way}"},
        {"{\"type\":\"hold\",\"time\":\"T\",\"hold\":\"h-3\",\"request\":1,"
         "\"expires\":9223372036854775807,\"findings\":[]}",
         "T  hold     h-3 holds entry 1 for a person (findings []; expires 9223372036854775807)"},
        {"{\"type\":\"something-new\",\"time\":\"T\",\"n\":1}",
         "T  something-new {\"n\":1,\"time\":\"T\",\"type\":\"something-new\"}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = gate_record_describe(cases[i].record, strlen(cases[i].record));
        assert_non_null(text);
        assert_string_equal(text, cases[i].text);
        free(text);
    }
    assert_null(gate_record_describe("{\"no\":\"type\"}", 13));
    assert_null(gate_record_describe("not json", 8));
}

/* Shadow mode: an agent's own tool call that would be held is recorded
 * as decided, marked, and let through; MCP calls, malformed agent calls
 * and the same call with shadow mode off are not. */
static const char *agent_policies =
    "@id(\"agent-tools\") permit (principal, action in Action::\"agent_tool\", resource);\n"
    "@id(\"approved\") permit (principal, action, resource) when { context.approved };\n"
    "@id(\"sensitive\") @reason(\"keys need a person\")\n"
    "forbid (principal, action in Action::\"agent_tool\", resource)\n"
    "  when { context has path && context.path.sensitive } unless { context.approved };\n"
    "@id(\"no-env\") forbid (principal, action == Action::\"env\", resource);\n";

static enum gate_outcome
decide_agent(struct fixture *f, const char *params, struct gate_verdict *v, json_t **record)
{
    json_t *p = json_loads(params, 0, NULL);
    uint8_t *rec;
    size_t n;
    gate_decide(f->g, GATE_AGENT_TOOL, p, v);
    json_decref(p);
    *record = NULL;
    gate_idle(f->g); /* a checkpoint over it: readable */
    if (ledger_read_entry(f->log, v->entry, &rec, &n) == 0) {
        *record = json_loadb((const char *)rec, n, 0, NULL);
        free(rec);
    }
    return v->outcome;
}

static void
test_shadow(void **state)
{
    (void)state;
    struct fixture f;
    struct gate_verdict v;
    json_t *r;
    char t[GATE_REASON_MAX];
    const char *key = "{\"tool\":\"Write\",\"cwd\":\"/tmp\",\"input\":{\"file_path\":"
                      "\"/home/dev/.ssh/authorized_keys\",\"content\":\"ssh-ed25519 AAAA\"}}";
    open_gate(&f, NULL, agent_policies);
    assert_int_equal(decide_agent(&f, key, &v, &r), GATE_NEEDS_APPROVAL);
    assert_false(v.shadow);
    assert_null(json_object_get(r, "shadow"));
    gate_verdict_release(&v);
    json_decref(r);
    gate_set_shadow(f.g, 1);
    assert_int_equal(decide_agent(&f, key, &v, &r), GATE_PERMIT);
    assert_true(v.shadow);
    assert_int_equal(strncmp(v.text,
                             "shadow mode let it through; airlock held back Write: keys "
                             "need a person (policy sensitive)",
                             80),
                     0);
    assert_string_equal(json_string_value(json_object_get(r, "decision")), "needs-approval");
    assert_true(json_is_true(json_object_get(r, "shadow")));
    gate_verdict_release(&v);
    json_decref(r);
    /* Malformed: refused still. */
    assert_int_equal(decide_agent(&f, "{\"tool\":\"Write\",\"input\":{}}", &v, &r), GATE_DENY);
    assert_false(v.shadow);
    gate_verdict_release(&v);
    json_decref(r);
    /* An MCP call: refused still. */
    assert_int_equal(decide(&f, "env", "{}", t, sizeof(t)), GATE_DENY);
    gate_set_shadow(f.g, 0);
    assert_int_equal(decide_agent(&f, key, &v, &r), GATE_NEEDS_APPROVAL);
    gate_verdict_release(&v);
    json_decref(r);
    close_gate(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_servers),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_findings),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_hidden_tools),
        cmocka_unit_test(test_pins),
        cmocka_unit_test(test_unrecorded_is_refused),
        cmocka_unit_test(test_bad_policies_refuse_to_start),
        cmocka_unit_test(test_catalogue_limit),
        cmocka_unit_test(test_logged_arguments_bounded),
        cmocka_unit_test(test_record_describe),
        cmocka_unit_test(test_shadow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
