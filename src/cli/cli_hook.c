/*
 * airlock hook: an agent's pre- and post-tool hook (docs/hooks.md).
 *
 *   airlock hook claude-code|codex|gemini|copilot|openclaw [--policies FILE]
 *               [--entities FILE] [--config FILE] [--agent ID] [--dir DIR]
 *               [--daemon SOCKET] [--wait SECONDS]
 *
 * Reads the agent's hook event on standard input and answers in that
 * agent's format: a pre-tool event is decided (each file of a patch on its
 * own, the strictest verdict winning) and recorded as an MCP call is,
 * through the same decider (the local gate, or airlockd's client); a
 * post-tool event is recorded.  A call airlockd holds for a person is
 * waited for (--wait, default HOOK_WAIT_SECONDS), then refused as still
 * held: the person's approval stands for the same call when the agent
 * retries it.  Fails closed: an event that cannot be read, a decision that
 * cannot be made or recorded, is a refusal with the reason (exit 2, the
 * reason on standard error).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../client/client.h"
#include "../gate/gate.h"
#include "../gate/gate_agent.h"
#include "../gate/gate_decider.h"
#include "../gate/gate_sessions.h"
#include "../hook/hook.h"
#include "../inspect/inspect.h"
#include "../ledger/ledger_log.h"
#include "cli.h"

/* Seconds a hook waits for a person to decide a held call (agents give
 * their hooks 60 s by default; the answer must come before). */
#define HOOK_WAIT_SECONDS 50
#define HOOK_WAIT_MAX 3600
/* Milliseconds a hook waits for another's turn at an embedded ledger. */
#define HOOK_LEDGER_WAIT_MS 10000

struct hook_opts {
    struct cli_decider_opts dec;
    const char *string; /* airlock exec -c STRING */
    long wait;
    enum hook_agent kind;
    char **argv; /* airlock exec -- COMMAND... */
};

/* Refused before anything was decided: exit 2, the reason on stderr (each
 * agent blocks the tool on it). */
static int
refuse_early(const char *what, const char *why)
{
    fprintf(stderr, "airlock refused this tool call: %s%s\n", what, why);
    return 2;
}

static int
parse_opts(int argc, char **argv, struct hook_opts *o)
{
    static const struct option opts[] = {
        CLI_DECIDER_OPTIONS,
        {"wait", required_argument, NULL, 'w'},
        {0, 0, 0, 0},
    };
    int c;
    char *end;
    memset(o, 0, sizeof(*o));
    o->wait = HOOK_WAIT_SECONDS;
    if (argc < 2 || hook_agent_of(argv[1], &o->kind))
        return cli_usage("hook: name the agent: claude-code, codex, gemini, copilot or openclaw");
    opterr = 0;
    optind = 2;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'w':
            errno = 0;
            o->wait = strtol(optarg, &end, 10);
            if (*end || errno || o->wait < 0 || o->wait > HOOK_WAIT_MAX)
                return cli_usage("hook: --wait takes seconds from 0 to %d", HOOK_WAIT_MAX);
            break;
        default:
            if (cli_decider_opt(c, optarg, &o->dec))
                break;
            return cli_usage("hook: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage("hook: the event comes on standard input, not as '%s'", argv[optind]);
    if (cli_decider_check("hook", &o->dec))
        return CLI_EXIT_USAGE;
    return 0;
}

/* Standard input, whole, up to HOOK_MAX_EVENT (one byte more is an error). */
static char *
read_event(size_t *n)
{
    size_t cap = 65536, len = 0;
    char *b = malloc(cap);
    while (b) {
        if (len == cap) {
            if (cap > HOOK_MAX_EVENT)
                break;
            char *nb = realloc(b, cap * 2);
            if (!nb)
                break;
            b = nb, cap *= 2;
        }
        ssize_t r = read(0, b + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (r == 0) {
            *n = len;
            return b;
        }
        len += (size_t)r;
    }
    free(b);
    return NULL;
}

/* The embedded ledger, waiting for another hook's turn (a tool call at a
 * time holds it). */
static int
open_ledger_waiting(const char *dir, struct ledger_log **log, char *err, size_t errlen)
{
    char vkey[512], path[4096];
    snprintf(path, sizeof(path), "%s/key", dir);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        char host[256] = "localhost", name[300];
        gethostname(host, sizeof(host) - 1);
        snprintf(name, sizeof(name), "%s/airlock", host);
        if (ledger_create(dir, name, vkey, sizeof(vkey), err, errlen) && access(path, F_OK) != 0)
            return -1;
    }
    for (int waited = 0;; waited += 20) {
        int rc = ledger_open(dir, 1, log, err, errlen);
        if (rc != LEDGER_E_BUSY || waited >= HOOK_LEDGER_WAIT_MS)
            return rc ? -1 : 0;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* airlockd's client, or the local gate on its ledger, deciding as the
 * agent --agent, else the configuration's, else server.  NULL, or which
 * step failed ("airlockd did not answer: ", "its ledger: ", "") with err
 * saying why. */
static const char *
open_decider(const struct cli_decider_opts *o, struct gate_config *cfg, const char *server,
             struct ledger_log **log, struct gate_sessions **sessions, struct gate_decider **d,
             char *err, size_t errlen)
{
    const char *agent = o->agent ? o->agent : cfg->agent ? cfg->agent : server;
    char path[4096];
    struct gate *g;
    struct gate_opts go = {.policies = o->policies,
                           .entities = o->entities,
                           .schema = o->schema,
                           .cfg = cfg,
                           .dir = o->dir,
                           .server = server,
                           .agent = agent};
    if (o->daemon)
        return client_connect(d, o->daemon, server, agent, err, errlen)
                   ? "airlockd did not answer: "
                   : NULL;
    if (open_ledger_waiting(o->dir, log, err, errlen))
        return "its ledger: ";
    go.log = *log;
    /* The agent sessions' effects, beside the ledger (gate_sessions.h). */
    snprintf(path, sizeof(path), "%s/agent-sessions", o->dir);
    if (sessions && gate_sessions_open(sessions, path, err, errlen))
        return "its agent sessions: ";
    go.sessions = sessions ? *sessions : NULL;
    if (gate_open(&g, &go, err, errlen))
        return "";
    *d = gate_decider(g);
    return NULL;
}

static void
take(void *arg, struct gate_verdict *v)
{
    struct gate_verdict *out = arg;
    if (!strcmp(out->hold, v->hold)) {
        char hold[GATE_HOLD_MAX];
        snprintf(hold, sizeof(hold), "%s", v->hold);
        gate_verdict_release(out);
        *out = *v;
        snprintf(out->hold, sizeof(out->hold), "%s", hold);
    } else {
        gate_verdict_release(v);
    }
}

/* A call airlockd holds: waited for up to seconds; still held then, it is
 * left to the person (their approval stands for the same call again). */
static void
wait_held(struct gate_decider *d, struct gate_verdict *v, long seconds)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (gate_decider_resolved(d, take, v) < 0 || v->outcome != GATE_HELD)
            break;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left =
            seconds * 1000 - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0)
            break;
        struct pollfd p = {gate_decider_fd(d), POLLIN, 0};
        (void)poll(&p, p.fd >= 0 ? 1 : 0, left > 1000 ? 1000 : (int)left);
    }
    if (v->outcome == GATE_HELD) {
        char hold[GATE_HOLD_MAX];
        snprintf(hold, sizeof(hold), "%s", v->hold);
        gate_decider_withdraw(d, hold, "timeout");
        v->outcome = GATE_NEEDS_APPROVAL;
        snprintf(v->text, sizeof(v->text),
                 "airlock holds this call for a person's approval (%s): it is still held. Once "
                 "someone approves it (airlock approve %s), retry the same call",
                 hold, hold);
    }
}

/* The answer a verdict gives (allow_permitted: the configuration's
 * hooks.permitted is "allow").  A patch's files each have theirs: the
 * strictest wins (enum hook_decision is ordered so). */
static enum hook_decision
decision_of(const struct gate_verdict *v, int allow_permitted)
{
    if (v->outcome == GATE_PERMIT)
        return allow_permitted ? HOOK_ALLOW : HOOK_DEFER;
    if (v->outcome == GATE_NEEDS_APPROVAL && v->refusal == GATE_REFUSED_CONFIRM)
        return HOOK_ASK;
    return HOOK_DENY;
}

/* Decide each call of ev: *d the strictest answer, reason its text. */
static void
decide_calls(struct gate_decider *dec, const struct hook_event *ev, long wait, int allow_permitted,
             enum hook_decision *d, char *reason, size_t n)
{
    size_t i;
    json_t *call;
    const char *home = getenv("HOME");
    int first = 1;
    *d = HOOK_DEFER;
    reason[0] = '\0';
    json_array_foreach(ev->calls, i, call) {
        struct gate_verdict v;
        if (home && *home == '/')
            json_object_set_new(call, "home", json_string(home));
        gate_decider_decide(dec, GATE_AGENT_TOOL, call, &v);
        if (v.outcome == GATE_HELD)
            wait_held(dec, &v, wait);
        enum hook_decision one = decision_of(&v, allow_permitted);
        if (first || one > *d) {
            *d = one;
            snprintf(reason, n, "%s", v.text);
        }
        first = 0;
        gate_verdict_release(&v);
    }
}

/* The secrets and personal data in what a tool returned, as rule ids
 * (inspection of the text, as for MCP results); NULL when it cannot be
 * inspected (said in the record). */
static json_t *
secrets_in(const char *text, size_t len)
{
    struct inspect *in;
    struct inspect_list l;
    char err[256];
    json_t *out = NULL;
    if (inspect_open(&in, NULL, NULL, err, sizeof(err)))
        return NULL;
    if (!inspect_list_init(&l)) {
        inspect_run(in, INSPECT_TEXT, text, len, &l);
        out = json_array();
        for (size_t i = 0; out && i < l.n; i++)
            if (!strcmp(l.v[i].category, "secret") || !strcmp(l.v[i].category, "personal-data"))
                json_array_append_new(out, json_string(l.v[i].rule));
        inspect_list_release(&l);
    }
    inspect_close(in);
    return out;
}

/* A post-tool event: what came of the call, recorded: its exit status when
 * the agent says it, the size and SHA-256 of what the tool returned (not
 * its content), and the secrets inspection found in it. */
static int
record_outcome(struct gate_decider *d, const struct hook_event *ev)
{
    static const char *const status_keys[] = {"exit_code", "exitCode", "returnCode", "code"};
    char *text = ev->response ? json_dumps(ev->response, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof(h) + 1] = "";
    size_t len = text ? strlen(text) : 0;
    json_t *found = NULL, *status = NULL;
    if (text) {
        crypto_hash_sha256(h, (const unsigned char *)text, len);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        found = secrets_in(text, len);
    }
    for (size_t i = 0; !status && i < sizeof(status_keys) / sizeof(*status_keys); i++)
        if (json_is_integer(json_object_get(ev->response, status_keys[i])))
            status = json_object_get(ev->response, status_keys[i]);
    json_t *f = json_pack("{s:s, s:s, s:I, s:s*, s:O*, s:o*}", "tool", ev->tool, "cwd", ev->cwd,
                          "bytes", (json_int_t)len, "sha256", text ? hex : NULL, "exitStatus",
                          status, "secrets", found);
    if (f && text && !found)
        json_object_set_new(f, "secrets", json_string("not inspected (out of memory)"));
    if (json_array_size(found))
        fprintf(stderr, "airlock: %s returned %zu secret(s) or personal data: on the record\n",
                ev->tool, json_array_size(found));
    free(text);
    int rc = f ? gate_decider_record_event(d, "agent-tool-outcome", f) : -1;
    json_decref(f);
    return rc;
}

int
cli_hook(int argc, char **argv)
{
    struct hook_opts o;
    struct hook_event ev;
    struct gate_config cfg;
    struct ledger_log *log = NULL;
    struct gate_sessions *sessions = NULL;
    struct gate_decider *d = NULL;
    char err[GATE_ERR_MAX], reason[GATE_REASON_MAX];
    size_t n = 0;
    if (argc > 1 && (!strcmp(argv[1], "install") || !strcmp(argv[1], "uninstall")))
        return cli_hook_install(argc - 1, argv + 1);
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    char *text = read_event(&n);
    if (!text)
        return refuse_early("", "its event could not be read (larger than airlock reads?)");
    if (hook_read(o.kind, text, n, &ev, err, sizeof(err))) {
        free(text);
        hook_event_release(&ev);
        return refuse_early("", err);
    }
    free(text);
    if (ev.kind == HOOK_OTHER) {
        hook_event_release(&ev);
        return 0; /* not ours: nothing to say */
    }
    cli_decider_defaults(&o.dec);
    gate_config_init(&cfg);
    const char *server = hook_agent_name(o.kind);
    if (gate_config_load(&cfg, o.dec.config, err, sizeof(err))) {
        rc = refuse_early("its configuration: ", err);
        goto out;
    }
    const char *what = open_decider(&o.dec, &cfg, server, &log, &sessions, &d, err, sizeof(err));
    if (what) {
        rc = refuse_early(what, err);
        goto out;
    }
    if (ev.kind == HOOK_POST_TOOL) {
        if (record_outcome(d, &ev))
            fprintf(stderr, "airlock: could not record the outcome of %s: %s\n", ev.tool,
                    gate_decider_error(d));
        rc = 0; /* the tool ran: its outcome cannot be refused */
    } else {
        enum hook_decision dec;
        char *out = NULL;
        decide_calls(d, &ev, o.wait, cfg.hooks_allow, &dec, reason, sizeof(reason));
        if (hook_answer(o.kind, dec, reason, &out)) {
            rc = refuse_early("", "out of memory");
        } else {
            fputs(out, stdout);
            rc = fflush(stdout) ? 2 : 0;
        }
        free(out);
    }
    gate_decider_idle(d);
out:
    gate_decider_close(d);
    gate_sessions_close(sessions);
    ledger_close(log);
    gate_config_release(&cfg);
    hook_event_release(&ev);
    return rc;
}

/* ---- airlock exec: decide, record, then exec ---- */

static int
exec_opts(int argc, char **argv, struct hook_opts *o)
{
    static const struct option opts[] = {
        CLI_DECIDER_OPTIONS,
        {0, 0, 0, 0},
    };
    int c;
    memset(o, 0, sizeof(*o));
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+c:", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->string = optarg;
            break;
        default:
            if (cli_decider_opt(c, optarg, &o->dec))
                break;
            return cli_usage("exec: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (o->string ? optind < argc : optind >= argc || strcmp(argv[optind - 1], "--"))
        return cli_usage("exec: give the command after --, or as one string with -c");
    if (cli_decider_check("exec", &o->dec))
        return CLI_EXIT_USAGE;
    o->argv = argv + optind;
    return 0;
}

int
cli_exec(int argc, char **argv)
{
    struct hook_opts o;
    struct gate_config cfg;
    struct ledger_log *log = NULL;
    struct gate_decider *d = NULL;
    char err[GATE_ERR_MAX], cwd[GATE_AGENT_PATH_MAX];
    int rc = exec_opts(argc, argv, &o), permitted = 0;
    if (rc)
        return rc;
    if (!getcwd(cwd, sizeof(cwd)))
        return cli_fail("exec: the working directory cannot be read");
    cli_decider_defaults(&o.dec);
    gate_config_init(&cfg);
    json_t *cmd = json_array(), *call = NULL;
    for (char **a = o.argv; cmd && !o.string && *a; a++)
        json_array_append_new(cmd, json_string(*a));
    if (cmd && o.string) {
        json_decref(cmd);
        cmd = json_string(o.string);
    }
    const char *home = getenv("HOME");
    if (!cmd || !(call = json_pack("{s:s, s:{s:O}, s:s, s:s*}", "tool", "exec", "input", "command",
                                   cmd, "cwd", cwd, "home", home && *home == '/' ? home : NULL))) {
        rc = cli_fail("out of memory");
        goto out;
    }
    if (gate_config_load(&cfg, o.dec.config, err, sizeof(err))) {
        rc = cli_fail("%s", err);
        goto out;
    }
    const char *what = open_decider(&o.dec, &cfg, "exec", &log, NULL, &d, err, sizeof(err));
    if (what) {
        rc = cli_fail("%s%s", what, err);
        goto out;
    }
    struct gate_verdict v;
    gate_decider_decide(d, GATE_AGENT_TOOL, call, &v);
    if (v.outcome == GATE_HELD)
        wait_held(d, &v, HOOK_WAIT_SECONDS);
    permitted = v.outcome == GATE_PERMIT;
    if (!permitted) {
        fprintf(stderr, "%s\n", v.text);
        rc = CLI_EXIT_REFUSED;
    }
    gate_verdict_release(&v);
    if (gate_decider_flush(d)) {
        rc = cli_fail("the decision could not be written to the ledger: %s", gate_decider_error(d));
        permitted = 0;
    }
    gate_decider_idle(d);
out:
    gate_decider_close(d);
    ledger_close(log);
    gate_config_release(&cfg);
    json_decref(call);
    json_decref(cmd);
    if (!permitted)
        return rc;
    /* Permitted and on the record: it runs in airlock's place. */
    if (o.string)
        execl("/bin/sh", "sh", "-c", o.string, (char *)NULL);
    else
        execvp(o.argv[0], o.argv);
    fprintf(stderr, "airlock: exec: %s: %s\n", o.string ? "/bin/sh" : o.argv[0], strerror(errno));
    return 127;
}
