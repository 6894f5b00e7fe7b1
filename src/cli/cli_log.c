/*
 * airlock log: the audit ledger from the command line.
 *   keygen NAME | append [--raw] | show [--from N] [--json] | checkpoint |
 *   prove INDEX | consistency OLD NEW | verify [--vkey KEY] [--witness KEY]... [--state F]
 * Every subcommand takes --dir DIR (default $AIRLOCK_LEDGER_DIR, else
 * ./airlock-ledger); show and checkpoint take --socket PATH instead, for
 * airlockd's ledger (default $AIRLOCK_SOCKET when neither --dir nor
 * $AIRLOCK_LEDGER_DIR says where the ledger is).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../gate/gate.h"
#include "../ledger/ledger_log.h"
#include "../ledger/ledger_tile.h"
#include "../ledger/ledger_state.h"
#include "../ledger/ledger_verify.h"
#include "cli.h"

#define MAX_WITNESSES 16
#define STDIN_MAX (256u << 20) /* bytes read from standard input */

struct log_opts {
    const char *dir;
    const char *vkey;
    const char *witness[MAX_WITNESSES];
    int nwitness;
    int raw, json;
    const char *socket; /* show, checkpoint: airlockd's ledger, through it */
    const char *state;  /* verify: what was seen before (NULL: the default) */
    int no_state;
    unsigned long long from;
    int argc;
    char **argv; /* positional arguments */
};

static int
parse_u64(const char *s, unsigned long long *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

static int
parse_log_opts(const char *sub, int argc, char **argv, struct log_opts *o)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},     {"vkey", required_argument, NULL, 'k'},
        {"witness", required_argument, NULL, 'w'}, {"raw", no_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},          {"from", required_argument, NULL, 'f'},
        {"socket", required_argument, NULL, 's'},  {"state", required_argument, NULL, 'S'},
        {"no-state", no_argument, NULL, 'N'},      {0, 0, 0, 0},
    };
    memset(o, 0, sizeof(*o));
    o->dir = cli_data_dir();
    int c, dir_given = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->dir = optarg, dir_given = 1;
            break;
        case 'k':
            o->vkey = optarg;
            break;
        case 'w':
            if (o->nwitness == MAX_WITNESSES)
                return cli_usage("log %s: more than %d witness keys", sub, MAX_WITNESSES);
            o->witness[o->nwitness++] = optarg;
            break;
        case 'r':
            o->raw = 1;
            break;
        case 'j':
            o->json = 1;
            break;
        case 's':
            o->socket = optarg;
            break;
        case 'S':
            o->state = optarg;
            break;
        case 'N':
            o->no_state = 1;
            break;
        case 'f':
            if (parse_u64(optarg, &o->from))
                return cli_usage("log %s: --from takes an entry index", sub);
            break;
        default:
            return cli_usage("log %s: unknown or incomplete option '%s'", sub, argv[optind - 1]);
        }
    }
    if (dir_given && o->socket)
        return cli_usage("log %s: --dir or --socket, not both", sub);
    if ((o->state || o->no_state) && strcmp(sub, "verify"))
        return cli_usage("log %s: --state and --no-state are for verify", sub);
    if (o->state && o->no_state)
        return cli_usage("log verify: --state or --no-state, not both");
    /* A person with $AIRLOCK_SOCKET set (as for pending, approve, ...)
     * reads airlockd's ledger, not ./airlock-ledger. */
    const char *env_dir = getenv("AIRLOCK_LEDGER_DIR");
    if (!dir_given && !o->socket && !(env_dir && *env_dir) &&
        (!strcmp(sub, "show") || !strcmp(sub, "checkpoint")))
        o->socket = cli_env_socket();
    o->argc = argc - optind;
    o->argv = argv + optind;
    return 0;
}

/* Say so, and 1, when dir does not exist: where the ledger is may just
 * not have been said. */
static int
no_ledger(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0 || errno != ENOENT)
        return 0;
    cli_fail("log: no ledger at %s (--dir DIR, $AIRLOCK_LEDGER_DIR; airlockd's: --socket PATH, "
             "$AIRLOCK_SOCKET)",
             dir);
    return 1;
}

static struct ledger_log *
open_log(const struct log_opts *o, int writable)
{
    struct ledger_log *log;
    char err[LEDGER_ERR_MAX];
    /* Durable entries a killed writer left without a checkpoint are
     * invisible to readers: when nobody writes the log now and we can sign,
     * checkpoint them first (what opening for writing does). */
    char pending[LEDGER_PATH_MAX + 16], key[LEDGER_PATH_MAX + 16];
    struct stat st;
    snprintf(pending, sizeof(pending), "%s/pending", o->dir);
    snprintf(key, sizeof(key), "%s/key", o->dir);
    if (!writable && stat(pending, &st) == 0 && st.st_size > 0 && access(key, R_OK) == 0 &&
        ledger_open(o->dir, 1, &log, err, sizeof(err)) == 0)
        ledger_close(log);
    if (ledger_open(o->dir, writable, &log, err, sizeof(err))) {
        if (!no_ledger(o->dir))
            cli_fail("log: %s", err);
        return NULL;
    }
    return log;
}

static int
log_keygen(struct log_opts *o)
{
    if (o->argc != 1)
        return cli_usage(
            "log keygen: expected the log's NAME (its origin, e.g. example.com/audit)");
    char vkey[512], err[LEDGER_ERR_MAX];
    if (ledger_create(o->dir, o->argv[0], vkey, sizeof(vkey), err, sizeof(err)))
        return cli_fail("log keygen: %s", err);
    fprintf(stderr, "airlock: new log in %s; its signer key is %s/key (keep it secret)\n", o->dir,
            o->dir);
    printf("%s\n", vkey);
    return CLI_EXIT_OK;
}

static int
log_append(struct log_opts *o)
{
    if (o->argc)
        return cli_usage("log append: entries come from standard input, not arguments");
    char *in;
    size_t len;
    int r = cli_read_stdin(STDIN_MAX, &in, &len);
    if (r)
        return cli_fail("log append: %s",
                        r == -2 ? "standard input too large" : "cannot read standard input");
    size_t cap = 1024, n = 0;
    struct ledger_entry *e = malloc(cap * sizeof(*e));
    int rc = CLI_EXIT_FAIL;
    if (!e)
        goto out;
    if (o->raw) {
        e[n++] = (struct ledger_entry){in, len};
    } else {
        for (size_t i = 0; i < len;) {
            char *nl = memchr(in + i, '\n', len - i);
            size_t l = nl ? (size_t)(nl - (in + i)) : len - i;
            if (n == cap) {
                struct ledger_entry *ne = realloc(e, (cap *= 2) * sizeof(*e));
                if (!ne)
                    goto out;
                e = ne;
            }
            e[n++] = (struct ledger_entry){in + i, l};
            i += l + 1;
        }
    }
    struct ledger_log *log = open_log(o, 1);
    if (!log)
        goto out;
    char err[LEDGER_ERR_MAX];
    for (size_t done = 0; done < n;) {
        size_t chunk = n - done > LEDGER_MAX_BATCH ? LEDGER_MAX_BATCH : n - done;
        uint64_t first;
        if (ledger_append(log, e + done, chunk, &first, err, sizeof(err))) {
            cli_fail("log append: %s (%zu entries appended before the failure)", err, done);
            ledger_close(log);
            goto out;
        }
        for (size_t i = 0; i < chunk; i++)
            printf("%llu\n", (unsigned long long)(first + i));
        done += chunk;
    }
    ledger_close(log);
    rc = CLI_EXIT_OK;
out:
    free(e);
    free(in);
    return rc;
}

static void
print_escaped(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\')
            fputs("\\\\", stdout);
        else if (p[i] >= 0x20 && p[i] < 0x7f)
            putchar(p[i]);
        else
            printf("\\x%02x", p[i]);
    }
}

static void show_entry(uint64_t i, const uint8_t *p, size_t n, int json);

static int
log_show(struct log_opts *o)
{
    if (o->argc)
        return cli_usage("log show: unexpected argument '%s'", o->argv[0]);
    struct ledger_log *log = open_log(o, 0);
    if (!log)
        return CLI_EXIT_FAIL;
    int rc = CLI_EXIT_OK;
    for (uint64_t i = o->from; i < ledger_size(log); i++) {
        uint8_t *p;
        size_t n;
        if (ledger_read_entry(log, i, &p, &n)) {
            rc = cli_fail("log show: entry %llu cannot be read (run airlock log verify)",
                          (unsigned long long)i);
            break;
        }
        show_entry(i, p, n, o->json);
        free(p);
    }
    ledger_close(log);
    return rc;
}

static int
log_checkpoint(struct log_opts *o)
{
    if (o->argc)
        return cli_usage("log checkpoint: unexpected argument '%s'", o->argv[0]);
    struct ledger_log *log = open_log(o, 0);
    if (!log)
        return CLI_EXIT_FAIL;
    size_t len;
    const char *note = ledger_checkpoint_note(log, &len);
    fwrite(note, 1, len, stdout);
    ledger_close(log);
    return CLI_EXIT_OK;
}

static void
print_hashes(const ledger_hash *h, size_t n)
{
    char b64[64];
    for (size_t i = 0; i < n; i++) {
        sodium_bin2base64(b64, sizeof(b64), h[i], LEDGER_HASH_BYTES,
                          sodium_base64_VARIANT_ORIGINAL);
        printf("%s\n", b64);
    }
}

static int
log_prove(struct log_opts *o)
{
    unsigned long long index;
    if (o->argc != 1 || parse_u64(o->argv[0], &index))
        return cli_usage("log prove: expected one entry INDEX");
    struct ledger_log *log = open_log(o, 0);
    if (!log)
        return CLI_EXIT_FAIL;
    ledger_hash proof[LEDGER_MAX_PROOF];
    size_t n;
    int rc = CLI_EXIT_OK;
    if (index >= ledger_size(log))
        rc = cli_fail("log prove: entry %llu is not in the log (size %llu)", index,
                      (unsigned long long)ledger_size(log));
    else if (ledger_prove_inclusion(log, index, ledger_size(log), proof, &n))
        rc = cli_fail("log prove: cannot build the proof (run airlock log verify)");
    else {
        size_t len;
        const char *note = ledger_checkpoint_note(log, &len);
        printf("c2sp.org/tlog-proof@v1\nindex %llu\n", index);
        print_hashes(proof, n);
        printf("\n");
        fwrite(note, 1, len, stdout);
    }
    ledger_close(log);
    return rc;
}

static int
log_consistency(struct log_opts *o)
{
    unsigned long long a, b;
    if (o->argc != 2 || parse_u64(o->argv[0], &a) || parse_u64(o->argv[1], &b))
        return cli_usage("log consistency: expected OLD and NEW tree sizes");
    struct ledger_log *log = open_log(o, 0);
    if (!log)
        return CLI_EXIT_FAIL;
    ledger_hash proof[LEDGER_MAX_PROOF];
    size_t n;
    int rc = CLI_EXIT_OK;
    if (a == 0 || a > b || b > ledger_size(log))
        rc = cli_fail("log consistency: need 0 < OLD <= NEW <= %llu",
                      (unsigned long long)ledger_size(log));
    else if (ledger_prove_consistency(log, a, b, proof, &n))
        rc = cli_fail("log consistency: cannot build the proof (run airlock log verify)");
    else
        print_hashes(proof, n);
    ledger_close(log);
    return rc;
}

static int
read_vkey(const char *text, struct ledger_vkey *k)
{
    return ledger_vkey_parse(text, strlen(text), k);
}

/* Where `log verify` keeps what it saw of the log with this key: given, or
 * $AIRLOCK_STATE_DIR, $XDG_STATE_HOME/airlock, ~/.local/state/airlock;
 * then ledgers/<origin, "/" as "_">+<key id>.  0, or -1 if none. */
static int
state_path(const char *given, const struct ledger_vkey *k, char *buf, size_t n)
{
    if (given) {
        snprintf(buf, n, "%s", given);
        return 0;
    }
    const char *d = getenv("AIRLOCK_STATE_DIR"), *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");
    char base[LEDGER_PATH_MAX], name[LEDGER_KEY_NAME_MAX + 1];
    if (d && *d)
        snprintf(base, sizeof(base), "%s", d);
    else if (x && *x == '/')
        snprintf(base, sizeof(base), "%s/airlock", x);
    else if (h && *h == '/')
        snprintf(base, sizeof(base), "%s/.local/state/airlock", h);
    else
        return -1;
    snprintf(name, sizeof(name), "%s", k->name);
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '_';
    int w = snprintf(buf, n, "%s/ledgers/%s+%08x", base, name, (unsigned)k->id);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

static int
log_verify(struct log_opts *o)
{
    if (o->argc)
        return cli_usage("log verify: unexpected argument '%s'", o->argv[0]);
    struct ledger_vkey key, wit[MAX_WITNESSES];
    if (o->vkey) {
        if (read_vkey(o->vkey, &key) || key.type != LEDGER_SIG_ED25519)
            return cli_usage("log verify: --vkey is not an Ed25519 verifier key (name+id+key)");
    } else {
        char path[LEDGER_PATH_MAX], *text;
        size_t len;
        snprintf(path, sizeof(path), "%s/vkey", o->dir);
        if (no_ledger(o->dir) || cli_read(path, 4096, &text, &len))
            return CLI_EXIT_FAIL;
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            text[--len] = '\0';
        int bad = read_vkey(text, &key);
        free(text);
        if (bad)
            return cli_fail("log verify: %s is not a verifier key", path);
    }
    for (int i = 0; i < o->nwitness; i++)
        if (read_vkey(o->witness[i], &wit[i]) || wit[i].type != LEDGER_SIG_COSIGNATURE)
            return cli_usage("log verify: --witness %s is not a cosignature (type 0x04) key",
                             o->witness[i]);
    /* What was seen of this log before (ledger_state.h), unless told not to. */
    char state[LEDGER_PATH_MAX], err[LEDGER_ERR_MAX];
    struct ledger_state seen = {.size = UINT64_MAX};
    if (!o->no_state) {
        if (state_path(o->state, &key, state, sizeof(state)))
            return cli_fail("log verify: no place to keep what was verified: set "
                            "$AIRLOCK_STATE_DIR or $HOME, or give --state FILE (or --no-state)");
        if (ledger_state_load(state, key.name, &seen, err, sizeof(err)))
            return cli_fail("log verify: %s", err);
    }
    struct ledger_verify_result res;
    if (ledger_verify_dir_prefix(o->dir, &key, wit, (size_t)o->nwitness, seen.size, &res)) {
        if (res.bad_index >= 0)
            return cli_fail("log verify: FAILED at entry %lld: %s", (long long)res.bad_index,
                            res.msg);
        return cli_fail("log verify: FAILED: %s", res.msg);
    }
    if (!o->no_state) {
        if (ledger_state_judge(&seen, res.size, res.prefix_root, err, sizeof(err)))
            return cli_fail("log verify: FAILED: %s (what was seen is in %s)", err, state);
        if ((!seen.seen || res.size > seen.size) &&
            ledger_state_save(state, key.name, res.size, res.root, err, sizeof(err)))
            return cli_fail("log verify: %s", err);
    }
    printf("OK: %s\n", res.msg);
    return CLI_EXIT_OK;
}

/* One entry as `log show` prints it. */
static void
show_entry(uint64_t i, const uint8_t *p, size_t n, int json)
{
    if (json) {
        char *b64 = malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL));
        if (b64)
            sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), p,
                              n, sodium_base64_VARIANT_ORIGINAL);
        json_t *j = json_pack("{s:I,s:s}", "index", (json_int_t)i, "entry", b64 ? b64 : "");
        json_t *text = json_stringn((const char *)p, n);
        if (text)
            json_object_set_new(j, "text", text);
        json_dumpf(j, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(j);
        free(b64);
        return;
    }
    /* Gateway records read as sentences; anything else as it is. */
    char *text = gate_record_describe(p, n);
    printf("%llu\t", (unsigned long long)i);
    if (text)
        fputs(text, stdout);
    else
        print_escaped(p, n);
    putchar('\n');
    free(text);
}

/* `log show` and `log checkpoint` on airlockd's ledger, through its socket
 * (as a person: the daemon's policies say who may read it). */
static int
log_remote(const char *sub, struct log_opts *o)
{
    if (strcmp(sub, "show") && strcmp(sub, "checkpoint"))
        return cli_usage("log %s: only show and checkpoint go through airlockd (--socket); "
                         "verify as a user who can read the data directory (--dir)",
                         sub);
    if (o->argc)
        return cli_usage("log %s: unexpected argument '%s'", sub, o->argv[0]);
    for (json_int_t from = (json_int_t)o->from;;) {
        json_t *r = NULL, *e;
        size_t i;
        if (cli_admin_ask(o->socket, "log", json_pack("{s:I}", "from", from), &r))
            return CLI_EXIT_FAIL;
        if (!strcmp(sub, "checkpoint")) {
            fputs(json_string_value(json_object_get(r, "checkpoint")) ?: "", stdout);
            json_decref(r);
            return CLI_EXIT_OK;
        }
        json_array_foreach(json_object_get(r, "entries"), i, e) {
            const json_t *t = json_object_get(e, "text");
            json_int_t idx = json_integer_value(json_object_get(e, "index"));
            if (t) {
                show_entry((uint64_t)idx, (const uint8_t *)json_string_value(t),
                           json_string_length(t), o->json);
            } else {
                const char *b64 = json_string_value(json_object_get(e, "entry"));
                size_t cap = b64 ? strlen(b64) : 0, n = 0;
                uint8_t *bin = malloc(cap + 1);
                if (bin && b64 &&
                    !sodium_base642bin(bin, cap, b64, cap, NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL))
                    show_entry((uint64_t)idx, bin, n, o->json);
                free(bin);
            }
        }
        json_int_t next = json_integer_value(json_object_get(r, "next"));
        int more = next > from && next < json_integer_value(json_object_get(r, "size"));
        json_decref(r);
        if (!more)
            return CLI_EXIT_OK;
        from = next;
    }
}

int
cli_log(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(struct log_opts *);
    } subs[] = {
        {"keygen", log_keygen},         {"append", log_append}, {"show", log_show},
        {"checkpoint", log_checkpoint}, {"prove", log_prove},   {"consistency", log_consistency},
        {"verify", log_verify},
    };
    if (argc < 2)
        return cli_usage(
            "log: expected keygen, append, show, checkpoint, prove, consistency or verify");
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            struct log_opts o;
            int rc = parse_log_opts(subs[i].name, argc - 1, argv + 1, &o);
            if (!rc && o.socket)
                return log_remote(subs[i].name, &o);
            return rc ? rc : subs[i].run(&o);
        }
    }
    return cli_usage("log: unknown subcommand '%s'", argv[1]);
}
