/*
 * People's commands, through airlockd (docs/approvals.md):
 *
 *   airlock pending [--json]
 *   airlock approve ID [--for DURATION] [--reason TEXT] [--code CODE]
 *   airlock deny ID --reason TEXT
 *   airlock grants [--json]
 *   airlock revoke ID
 *   airlock exposure [--open] [--json]
 *   airlock exposure close ID --note TEXT
 *   airlock totp enroll [--code CODE]
 *   airlock shadow [on|off] [--reason TEXT] [--json]
 *
 * Each takes --socket PATH (else $AIRLOCK_SOCKET, else
 * /run/airlock/airlockd.sock).  Who is asking is what the kernel tells
 * airlockd, never an option.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../approve/approve_time.h"
#include "../daemon/daemon_wire.h"
#include "cli.h"

struct admin_opts {
    const char *socket, *reason, *code, *note, *duration;
    int json, open_only;
};

/* Options common to the commands; the rest are positional. */
static int
parse(int argc, char **argv, struct admin_opts *o, const char *cmd)
{
    static const struct option opts[] = {
        {"socket", required_argument, NULL, 's'}, {"reason", required_argument, NULL, 'r'},
        {"code", required_argument, NULL, 'c'},   {"note", required_argument, NULL, 'n'},
        {"for", required_argument, NULL, 'f'},    {"json", no_argument, NULL, 'j'},
        {"open", no_argument, NULL, 'o'},         {0, 0, 0, 0},
    };
    int c;
    memset(o, 0, sizeof(*o));
    opterr = 0;
    optind = 1;
    /* Options may follow the id (GNU order): "airlock deny ID --reason ...". */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->socket = optarg;
            break;
        case 'r':
            o->reason = optarg;
            break;
        case 'c':
            o->code = optarg;
            break;
        case 'n':
            o->note = optarg;
            break;
        case 'f':
            o->duration = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'o':
            o->open_only = 1;
            break;
        default:
            return cli_usage("%s: unknown or incomplete option '%s'", cmd, argv[optind - 1]);
        }
    }
    o->socket = cli_socket(o->socket);
    return 0;
}

const char *
cli_env_socket(void)
{
    const char *env = getenv("AIRLOCK_SOCKET");
    return env && *env ? env : NULL;
}

const char *
cli_socket(const char *given)
{
    if (given)
        return given;
    return cli_env_socket() ? cli_env_socket() : CLI_DEFAULT_SOCKET;
}

static int
ask(const struct admin_opts *o, const char *what, json_t *args, json_t **out)
{
    return cli_admin_ask(o->socket, what, args, out);
}

int
cli_admin_ask(const char *socket, const char *what, json_t *args, json_t **out)
{
    char err[512];
    char *s = json_dumps(args, JSON_COMPACT);
    json_decref(args);
    struct wire_buf w = {0};
    struct wire_in in = {0};
    struct wire_msg m;
    const char *body;
    size_t len;
    int fd = s ? wire_dial(socket, err, sizeof(err)) : -1;
    int rc = CLI_EXIT_FAIL;
    if (!s)
        snprintf(err, sizeof(err), "out of memory");
    if (fd >= 0) {
        wire_begin(&w, WIRE_ADMIN);
        wire_add_str(&w, WT_WHAT, what);
        wire_add_str(&w, WT_JSON, s);
        if (wire_send(fd, &w) || wire_next(fd, &in, &body, &len, err, sizeof(err)) ||
            wire_parse(body, len, &m, err, sizeof(err)))
            snprintf(err + strlen(err), sizeof(err) - strlen(err), "%s",
                     err[0] ? "" : "airlockd closed the connection");
        else if (m.type == WIRE_ERROR)
            snprintf(err, sizeof(err), "%.*s", (int)m.f[WT_TEXT].n, m.f[WT_TEXT].p);
        else if (m.type != WIRE_OK || !(*out = json_loadb(m.f[WT_JSON].p, m.f[WT_JSON].n, 0, NULL)))
            snprintf(err, sizeof(err), "airlockd gave an answer that is not one");
        else
            rc = CLI_EXIT_OK;
        close(fd);
    }
    free(s);
    wire_release(&w);
    wire_in_release(&in);
    if (rc)
        fprintf(stderr, "airlock: %s: %s\n", what, err);
    return rc;
}

static const char *
s_(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static json_int_t
i_(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int
print_json(json_t *r)
{
    char *s = json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(r);
    if (s)
        puts(s);
    free(s);
    return s ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* The agent's text as the terminal shows it: control characters (C0, DEL
 * and C1, which can move the cursor or hide what follows) as \xNN.  The
 * width printed, in bytes. */
static size_t
put_visible(const char *s)
{
    size_t w = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f || (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)) {
            unsigned v = *c == 0xc2 ? *++c : *c;
            w += (size_t)printf("\\x%02x", v);
        } else {
            putchar(*c);
            w += (*c & 0xc0) != 0x80; /* one column a character */
        }
    }
    return w;
}

/* Findings with the dangerous part marked (compiler-style, as airlock check). */
static void
print_findings(const json_t *fs)
{
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f) {
        printf("    finding  %s (%s, %s) in %s: %s\n", s_(f, "rule"), s_(f, "category"),
               s_(f, "severity"), s_(f, "argument"), s_(f, "explanation"));
        printf("             | ");
        size_t w = put_visible(s_(f, "text"));
        printf("\n             | ");
        for (size_t k = 0; k < w; k++)
            putchar('^');
        putchar('\n');
    }
}

int
cli_pending(int argc, char **argv)
{
    struct admin_opts o;
    json_t *r = NULL, *h;
    size_t i;
    if (parse(argc, argv, &o, "pending") || optind != argc)
        return CLI_EXIT_USAGE;
    if (ask(&o, "pending", json_object(), &r))
        return CLI_EXIT_FAIL;
    if (o.json)
        return print_json(r);
    const json_t *holds = json_object_get(r, "holds");
    if (!json_array_size(holds))
        printf("nothing is held\n");
    json_array_foreach(holds, i, h) {
        char age[32], left[32];
        /* Whole, never cut: an approver must see all of what they approve.
         * ASCII only, so that no byte of the agent's can steer the
         * terminal (or hide behind a look-alike character). */
        char *args =
            json_dumps(json_object_get(json_object_get(h, "params"), "arguments"),
                       JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        approve_duration_text(i_(h, "age"), age, sizeof(age));
        approve_duration_text(i_(h, "expires") - i_(h, "created") - i_(h, "age"), left,
                              sizeof(left));
        printf("%s  %s ago  %s (for %s) -> %s %s on %s\n", s_(h, "id"), age, s_(h, "agent"),
               s_(h, "user"), s_(h, "method"), s_(h, "tool"), s_(h, "server"));
        printf("    arguments ");
        for (const char *c = args ? args : "{}"; *c; c++) {
            putchar(*c);
            if (*c == '\n')
                fputs("              ", stdout);
        }
        putchar('\n');
        print_findings(json_object_get(h, "findings"));
        printf("    held      ");
        put_visible(s_(h, "text")); /* quotes what inspection found */
        printf("\n    expires   in %s\n", left);
        free(args);
    }
    json_decref(r);
    return CLI_EXIT_OK;
}

int
cli_approve(int argc, char **argv)
{
    struct admin_opts o;
    json_t *r = NULL;
    int64_t grant = 0;
    if (parse(argc, argv, &o, "approve"))
        return CLI_EXIT_USAGE;
    if (optind != argc - 1)
        return cli_usage("approve: give one held call's id (airlock pending lists them)");
    if (o.duration && approve_duration(o.duration, &grant))
        return cli_usage("approve: --for %s is not a duration (15m, 2h, 1d)", o.duration);
    json_t *args =
        json_pack("{s:s, s:s*, s:s*}", "id", argv[optind], "reason", o.reason, "code", o.code);
    if (grant)
        json_object_set_new(args, "for", json_integer(grant));
    if (ask(&o, "approve", args, &r))
        return CLI_EXIT_FAIL;
    if (o.json)
        return print_json(r);
    if (!strcmp(s_(r, "status"), "approved"))
        printf("approved %s: the call goes through%s%s%s\n", s_(r, "hold"),
               json_object_get(r, "grant") ? "; grant " : "",
               json_object_get(r, "grant") ? s_(r, "grant") : "",
               json_object_get(r, "grant") ? " lets the same call through until it expires" : "");
    else
        printf("%s: your approval is recorded (%lld so far); it still waits: %s\n", s_(r, "hold"),
               (long long)i_(r, "approvers"), s_(r, "why"));
    json_decref(r);
    return CLI_EXIT_OK;
}

/* A command on one id with one required text: deny --reason, revoke,
 * exposure close --note. */
static int
one(int argc, char **argv, const char *cmd, const char *what, const char *text_key)
{
    struct admin_opts o;
    json_t *r = NULL;
    if (parse(argc, argv, &o, cmd))
        return CLI_EXIT_USAGE;
    if (optind != argc - 1)
        return cli_usage("%s: give one id", cmd);
    const char *text = !text_key ? NULL : !strcmp(text_key, "note") ? o.note : o.reason;
    if (text_key && (!text || !*text))
        return cli_usage("%s: give --%s TEXT", cmd, text_key);
    json_t *args = json_pack("{s:s}", "id", argv[optind]);
    if (text_key)
        json_object_set_new(args, text_key, json_string(text));
    if (ask(&o, what, args, &r))
        return CLI_EXIT_FAIL;
    printf("%s %s\n", s_(r, "status"), argv[optind]);
    json_decref(r);
    return CLI_EXIT_OK;
}

int
cli_grants(int argc, char **argv)
{
    struct admin_opts o;
    json_t *r = NULL, *g;
    size_t i;
    if (parse(argc, argv, &o, "grants") || optind != argc)
        return CLI_EXIT_USAGE;
    if (ask(&o, "grants", json_object(), &r))
        return CLI_EXIT_FAIL;
    if (o.json)
        return print_json(r);
    const json_t *gs = json_object_get(r, "grants");
    if (!json_array_size(gs))
        printf("no grants\n");
    json_array_foreach(gs, i, g) {
        char left[32];
        approve_duration_text(i_(g, "expires") - approve_now(), left, sizeof(left));
        printf("%s  %-7s %s -> %s %s on %s, granted by %s (hold %s)%s%s\n", s_(g, "id"),
               s_(g, "state"), s_(g, "agent"), s_(g, "method"), s_(g, "tool"), s_(g, "server"),
               s_(g, "by"), s_(g, "hold"), strcmp(s_(g, "state"), "active") ? "" : ", ends in ",
               strcmp(s_(g, "state"), "active") ? "" : left);
    }
    json_decref(r);
    return CLI_EXIT_OK;
}

int
cli_exposure(int argc, char **argv)
{
    struct admin_opts o;
    json_t *r = NULL, *e;
    size_t i;
    if (argc > 1 && !strcmp(argv[1], "close"))
        return one(argc - 1, argv + 1, "exposure close", "close", "note");
    if (parse(argc, argv, &o, "exposure") || optind != argc)
        return CLI_EXIT_USAGE;
    if (ask(&o, "exposures", json_pack("{s:b}", "open", o.open_only), &r))
        return CLI_EXIT_FAIL;
    if (o.json)
        return print_json(r);
    const json_t *es = json_object_get(r, "exposures");
    if (!json_array_size(es))
        printf("no exposures\n");
    json_array_foreach(es, i, e) {
        char dur[32];
        int open = !json_object_get(e, "closed");
        approve_duration_text(i_(e, "duration"), dur, sizeof(dur));
        printf("%s  %s %s  %s by %s (for %s)\n    what      %s\n    how       %s\n", s_(e, "id"),
               open ? "OPEN for" : "closed after", dur, s_(e, "rule"), s_(e, "agent"),
               s_(e, "user"), s_(e, "what"), s_(e, "explanation"));
        if (!open)
            printf("    closed    by %s: %s\n", s_(e, "closedBy"), s_(e, "note"));
    }
    json_decref(r);
    return CLI_EXIT_OK;
}

int
cli_totp(int argc, char **argv)
{
    struct admin_opts o;
    json_t *r = NULL;
    if (argc < 2 || strcmp(argv[1], "enroll"))
        return cli_usage("totp: the command is: airlock totp enroll [--code CODE]");
    if (parse(argc - 1, argv + 1, &o, "totp enroll") || optind != argc - 1)
        return CLI_EXIT_USAGE;
    if (ask(&o, "totp-enroll", json_pack("{s:s*}", "code", o.code), &r))
        return CLI_EXIT_FAIL;
    printf("authenticator for %s: add this to your authenticator app, then keep it there\n"
           "secret  %s\nuri     %s\n",
           s_(r, "user"), s_(r, "secret"), s_(r, "uri"));
    json_decref(r);
    return CLI_EXIT_OK;
}

/* Shadow mode for the agents' own tools: said, or switched (a person's
 * command, decided by the admin policies and recorded). */
int
cli_shadow(int argc, char **argv)
{
    struct admin_opts o;
    json_t *r = NULL;
    if (parse(argc, argv, &o, "shadow") || optind < argc - 1)
        return cli_usage("shadow: the command is: airlock shadow [on|off] [--reason TEXT]");
    const char *set = optind < argc ? argv[optind] : NULL;
    if (set && strcmp(set, "on") && strcmp(set, "off"))
        return cli_usage("shadow: on or off, not '%s'", set);
    if (ask(&o, "shadow", json_pack("{s:s*, s:s*}", "set", set, "reason", o.reason), &r))
        return CLI_EXIT_FAIL;
    if (o.json)
        return print_json(r);
    int on = json_is_true(json_object_get(r, "on"));
    char ago[32] = "";
    approve_duration_text(approve_now() - i_(r, "since"), ago, sizeof(ago));
    if (!json_object_get(r, "by"))
        printf("shadow mode is off (never switched)\n");
    else
        printf("shadow mode is %s: switched %s by %s %s ago%s%s\n", on ? "ON" : "off",
               on ? "on" : "off", s_(r, "by"), ago, json_object_get(r, "reason") ? ": " : "",
               json_object_get(r, "reason") ? s_(r, "reason") : "");
    printf("%s\n", on ? "the agents' own tools are decided and recorded, and every call is let "
                        "through"
                      : "the agents' own tools are decided and enforced");
    json_decref(r);
    return CLI_EXIT_OK;
}

int
cli_deny(int argc, char **argv)
{
    return one(argc, argv, "deny", "deny", "reason");
}

int
cli_revoke(int argc, char **argv)
{
    return one(argc, argv, "revoke", "revoke", NULL);
}
