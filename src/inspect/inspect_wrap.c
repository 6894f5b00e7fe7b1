/*
 * inspect_wrap.c - wrappers and carriers as data.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect_wrap.h"

enum wrap_kind {
    RUNS_NEXT,    /* options, then the command: sudo, nice, ... */
    SKIP_ONE,     /* options, one positional, then the command: timeout DUR, chroot DIR */
    SHELL_C,      /* sh -c TEXT */
    REMOTE_TEXT,  /* ssh [opts] HOST TEXT... */
    WATCH_TEXT,   /* watch [opts] TEXT... (run by sh -c) */
    FIND_EXEC,    /* find ... -exec CMD... ; */
    XARGS,        /* xargs [opts] [CMD...] (default echo) */
    AFTER_DASHES, /* kubectl exec ... -- CMD */
    DOCKER_EXEC,  /* docker exec [opts] CONTAINER CMD */
    GIT_CONFIG,   /* git -c core.pager=CMD ...: git runs, and so may its config */
};

struct wrapper {
    const char *name;
    enum wrap_kind kind;
    const char *argopts;  /* short options taking an argument, as letters */
    const char *longargs; /* long options taking an argument, space separated */
    int privileged, remote;
    int empty_shell; /* with no command, it starts a shell (pkexec, unshare) */
};

/* Sources: each tool's manual page (sudo(8), env(1), timeout(1), ssh(1), ...). */
static const struct wrapper wrappers[] = {
    {"sudo", RUNS_NEXT, "ugpChDrtTUR",
     " user group prompt close-from host chdir role type "
     "command-timeout other-user chroot ",
     1, 0, 0},
    {"doas", RUNS_NEXT, "uC", "", 1, 0, 0},
    {"pkexec", RUNS_NEXT, "", " user ", 1, 0, 1},
    {"env", RUNS_NEXT, "uCS", " unset chdir split-string ", 0, 0, 0},
    {"nice", RUNS_NEXT, "n", " adjustment ", 0, 0, 0},
    {"nohup", RUNS_NEXT, "", "", 0, 0, 0},
    {"setsid", RUNS_NEXT, "", "", 0, 0, 0},
    {"stdbuf", RUNS_NEXT, "ioe", " input output error ", 0, 0, 0},
    {"ionice", RUNS_NEXT, "cnp", " class classdata pid ", 0, 0, 0},
    {"command", RUNS_NEXT, "", "", 0, 0, 0},
    {"builtin", RUNS_NEXT, "", "", 0, 0, 0},
    {"exec", RUNS_NEXT, "a", "", 0, 0, 0},
    {"time", RUNS_NEXT, "fo", " format output ", 0, 0, 0},
    {"unbuffer", RUNS_NEXT, "", "", 0, 0, 0},
    {"timeout", SKIP_ONE, "ks", " kill-after signal ", 0, 0, 0},
    {"chroot", SKIP_ONE, "", " userspec groups ", 1, 0, 0},
    {"taskset", SKIP_ONE, "", "", 0, 0, 0},
    {"sh", SHELL_C, "oO", "", 0, 0, 0},
    {"bash", SHELL_C, "oO", " rcfile init-file ", 0, 0, 0},
    {"dash", SHELL_C, "oO", "", 0, 0, 0},
    {"zsh", SHELL_C, "oO", "", 0, 0, 0},
    {"ksh", SHELL_C, "oO", "", 0, 0, 0},
    {"ash", SHELL_C, "oO", "", 0, 0, 0},
    {"su", SHELL_C, "gGs", " group supp-group shell ", 1, 0, 0},
    {"ssh", REMOTE_TEXT, "BbcDEeFIiJLlmOoPpQRSWw", "", 0, 1, 0},
    {"watch", WATCH_TEXT, "dnq", " differences interval equexit ", 0, 0, 0},
    {"find", FIND_EXEC, "", "", 0, 0, 0},
    {"xargs", XARGS, "adEeIiLlnPs",
     " arg-file delimiter eof replace max-lines max-args "
     "max-procs max-chars process-slot-var ",
     0, 0, 0},
    {"kubectl", AFTER_DASHES, "", "", 0, 1, 0},
    {"oc", AFTER_DASHES, "", "", 0, 1, 0},
    {"docker", DOCKER_EXEC, "ewu", " env env-file user workdir detach-keys ", 0, 1, 0},
    {"podman", DOCKER_EXEC, "ewu", " env env-file user workdir detach-keys ", 0, 1, 0},
    {"git", GIT_CONFIG, "C", "", 0, 0, 0},
    /* multi-call binaries: the applet is the command */
    {"busybox", RUNS_NEXT, "", "", 0, 0, 0},
    {"toybox", RUNS_NEXT, "", "", 0, 0, 0},
    {"flock", SKIP_ONE, "wEc", " timeout conflict-exit-code command ", 0, 0, 0},
    {"firejail", RUNS_NEXT, "", " profile private whitelist blacklist ", 0, 0, 1},
    {"torsocks", RUNS_NEXT, "aPiu", " address port user pass ", 0, 1, 1},
    {"caffeinate", RUNS_NEXT, "tw", "", 0, 0, 0},
    {"chrt", SKIP_ONE, "", "", 0, 0, 0},
    {"unshare", RUNS_NEXT, "SG", " setuid setgid map-user map-group root wd ", 1, 0, 1},
    {"nsenter", RUNS_NEXT, "tSGrw", " target setuid setgid root wd ", 1, 0, 1},
    {"setpriv", RUNS_NEXT, "", " reuid regid groups inh-caps bounding-set ", 1, 0, 0},
    {"runuser", SHELL_C, "ugs", " user group shell ", 1, 0, 0},
};

const char *
inspect_basename(const char *w)
{
    const char *s = strrchr(w, '/');
    return s ? s + 1 : w;
}

static const struct wrapper *find_wrapper(const char *word);

/* Wrapper argv[i]'s words after it ask only for its help or version, or
 * manage what it runs (firejail --list, --netstats, --shutdown=PID). */
static int
info_only(char *const *argv, size_t argc, size_t i)
{
    static const char *const info[] = {"--help", "-h",         "--version", "-V",
                                       "--list", "--netstats", "--tree",    "--top"};
    if (i + 1 >= argc)
        return 0;
    for (size_t k = i + 1; k < argc; k++) {
        size_t m = 0;
        while (m < sizeof(info) / sizeof(*info) && strcmp(argv[k], info[m]))
            m++;
        if (m == sizeof(info) / sizeof(*info) && strncmp(argv[k], "--shutdown=", 11))
            return 0;
    }
    return 1;
}

int
inspect_is_wrapper(const char *word)
{
    return find_wrapper(word) != NULL;
}

#define NWRAPPERS (sizeof(wrappers) / sizeof(wrappers[0]))
_Static_assert(NWRAPPERS < 255, "a wrapper's index is a byte");

/* The wrappers by their first byte (every command and every word of prose
 * asks): by_first[c] lists their indexes, ended by NWRAPPERS. */
static uint8_t by_first[256][16];
static int by_first_full; /* a byte has more than fit: search them all */
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void
index_wrappers(void)
{
    uint8_t n[256] = {0};
    memset(by_first, NWRAPPERS, sizeof(by_first));
    for (size_t i = 0; i < NWRAPPERS; i++) {
        unsigned char c = (unsigned char)wrappers[i].name[0];
        if (n[c] < sizeof(by_first[c]) - 1)
            by_first[c][n[c]++] = (uint8_t)i;
        else
            by_first_full = 1;
    }
}

static const struct wrapper *
find_wrapper(const char *word)
{
    const char *b = inspect_basename(word);
    pthread_once(&by_first_once, index_wrappers);
    if (by_first_full) {
        for (size_t i = 0; i < NWRAPPERS; i++)
            if (!strcmp(b, wrappers[i].name))
                return &wrappers[i];
        return NULL;
    }
    for (const uint8_t *i = by_first[(unsigned char)b[0]]; *i < NWRAPPERS; i++)
        if (!strcmp(b, wrappers[*i].name))
            return &wrappers[*i];
    return NULL;
}

/* Does long option "--name" (without =value) take an argument? */
static int
long_takes_arg(const struct wrapper *w, const char *opt)
{
    char key[64];
    size_t n = strcspn(opt, "=");
    if (opt[n] == '=' || n + 3 > sizeof(key))
        return 0;
    key[0] = ' ';
    memcpy(key + 1, opt, n);
    key[n + 1] = ' ';
    key[n + 2] = '\0';
    return strstr(w->longargs, key) != NULL;
}

/*
 * Skip the options of a wrapper starting at i; returns the index of the
 * first word that is not an option.  Bundled short options (-nEu root) and
 * attached arguments (-uroot, --user=root) are understood.  *sval gets the
 * argument of a given short option letter (env -S, sh -c handled apart).
 */
static size_t
skip_options(const struct wrapper *w, char *const *argv, size_t argc, size_t i, char want,
             const char **sval)
{
    while (i < argc) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            return i + 1;
        if (a[0] != '-' || a[1] == '\0')
            return i;
        if (a[1] == '-') {
            i += long_takes_arg(w, a + 2) ? 2 : 1;
            continue;
        }
        size_t next = i + 1;
        for (const char *p = a + 1; *p; p++) {
            if (!strchr(w->argopts, *p))
                continue;
            const char *val = p[1] ? p + 1 : (next < argc ? argv[next] : NULL);
            if (!p[1])
                next++;
            if (*p == want && sval)
                *sval = val;
            break;
        }
        i = next;
    }
    return i;
}

static int
carry(struct inspect_unwrapped *u, char *text, int owned)
{
    if (u->ncarried == INSPECT_MAX_CARRIED) {
        if (owned)
            free(text);
        u->opaque = 1;
        return 0;
    }
    u->carried[u->ncarried] = text;
    u->owned[u->ncarried++] = owned;
    return 0;
}

/* Words [from, argc) joined by spaces, as ssh and watch pass them to a shell. */
static char *
join(char *const *argv, size_t argc, size_t from)
{
    size_t n = 1;
    for (size_t i = from; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    for (size_t i = from; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (i > from)
            *p++ = ' ';
        memcpy(p, argv[i], l);
        p += l;
    }
    *p = '\0';
    return s;
}

/* Words [from, argc) each quoted for sh, joined: a command given as words
 * (kubectl run ... -- CMD ARGS) read again as the text it is. */
static char *
join_quoted(char *const *argv, size_t argc, size_t from)
{
    size_t n = 1; /* each word: 'WORD' and a space; each ' in it: '\'' */
    for (size_t i = from; i < argc; i++) {
        n += strlen(argv[i]) + 3;
        for (const char *q = strchr(argv[i], '\''); q; q = strchr(q + 1, '\''))
            n += 3;
    }
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    for (size_t i = from; i < argc; i++) {
        if (i > from)
            *p++ = ' ';
        *p++ = '\'';
        for (const char *q = argv[i]; *q; q++) {
            if (*q == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *q;
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

/* Remember the command words [s, e); one too many makes the whole opaque:
 * a command not looked at must never pass for harmless. */
static void
run(struct inspect_unwrapped *u, size_t s, size_t e)
{
    if (u->nrun == INSPECT_MAX_CARRIED) {
        u->opaque = 1;
        return;
    }
    u->run_start[u->nrun] = s;
    u->run_end[u->nrun++] = e;
}

static void
find_exec(char *const *argv, size_t argc, size_t i, struct inspect_unwrapped *u)
{
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-exec") && strcmp(argv[i], "-execdir") && strcmp(argv[i], "-ok") &&
            strcmp(argv[i], "-okdir"))
            continue;
        size_t s = i + 1, e = s;
        while (e < argc && strcmp(argv[e], ";") && strcmp(argv[e], "+"))
            e++;
        if (e > s)
            run(u, s, e);
        i = e;
    }
}

/* One wrapper at argv[i]: where the command it runs starts (argc: none). */
static size_t
step(const struct wrapper *w, char *const *argv, size_t argc, size_t i, struct inspect_unwrapped *u)
{
    const char *sval = NULL;
    size_t j;
    switch (w->kind) {
    case RUNS_NEXT:
        j = skip_options(w, argv, argc, i + 1, 'S', &sval);
        if (!strcmp(w->name, "env")) {
            if (sval)
                carry(u, (char *)sval, 0);
            while (j < argc && strchr(argv[j], '=') && argv[j][0] != '=')
                j++; /* NAME=value */
        }
        if (!strcmp(w->name, "command") && i + 1 < argc &&
            (!strcmp(argv[i + 1], "-v") || !strcmp(argv[i + 1], "-V")))
            return argc; /* command -v only looks */
        return j;
    case SKIP_ONE:
        j = skip_options(w, argv, argc, i + 1, 0, NULL);
        return j < argc ? j + 1 : argc;
    case SHELL_C:
        for (j = i + 1; j < argc && argv[j][0] == '-'; j++) {
            if (strchr(argv[j] + 1, 'c') && argv[j][1] != '-') {
                if (j + 1 < argc)
                    carry(u, argv[j + 1], 0);
                return argc;
            }
            if (argv[j][1] && strchr(w->argopts, argv[j][1]) && !argv[j][2])
                j++; /* -o OPTION */
        }
        /* sh script.sh: not a known command; the script's name and
         * arguments are still seen as a command (bash ./mimipenguin.sh),
         * as su's user is not.  A shell reading its input runs what the
         * pipeline or a here-document gives it (inspect_rules.c reads it
         * when it is literal); a root shell (su, sudo bash) is opaque
         * whatever it reads. */
        if (!info_only(argv, argc, i)) {
            int script = j < argc && strcmp(argv[j], "-");
            u->opaque = script || u->privileged;
            u->reads_input = !script;
        }
        if (!w->privileged && j < argc && strcmp(argv[j], "-"))
            run(u, j, argc);
        return argc;
    case REMOTE_TEXT:
        j = skip_options(w, argv, argc, i + 1, 0, NULL);
        if (j + 1 < argc) {
            char *t = join(argv, argc, j + 1);
            if (t)
                carry(u, t, 1);
        }
        return argc;
    case WATCH_TEXT:
        j = skip_options(w, argv, argc, i + 1, 0, NULL);
        if (j < argc) {
            char *t = join(argv, argc, j);
            if (t)
                carry(u, t, 1);
        }
        return argc;
    case FIND_EXEC:
        find_exec(argv, argc, i + 1, u);
        return argc;
    case XARGS:
        j = skip_options(w, argv, argc, i + 1, 0, NULL);
        if (j < argc)
            run(u, j, argc);
        return argc;
    case AFTER_DASHES:
        if (i + 1 >= argc || strcmp(argv[i + 1], "exec"))
            return argc;
        for (j = i + 2; j < argc; j++)
            if (!strcmp(argv[j], "--"))
                return j + 1;
        return argc;
    case GIT_CONFIG:
        return argc; /* handled by inspect_unwrap */
    case DOCKER_EXEC:
        if (i + 1 >= argc || strcmp(argv[i + 1], "exec"))
            return argc;
        j = skip_options(w, argv, argc, i + 2, 0, NULL);
        return j < argc ? j + 1 : argc;
    }
    return argc;
}

/* The git configuration keys whose value git runs as a shell command
 * (git-config(1)); alias.* and credential.helper only when it starts with !. */
static const char *
git_command(const char *kv)
{
    static const char *const keys[] = {"core.pager",     "core.editor",     "core.sshcommand",
                                       "core.fsmonitor", "sequence.editor", "diff.external",
                                       "gpg.program"};
    const char *eq = strchr(kv, '=');
    if (!eq)
        return NULL;
    size_t n = (size_t)(eq - kv);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strlen(keys[i]) == n && !strncasecmp(kv, keys[i], n))
            return eq + 1;
    if (!strncasecmp(kv, "pager.", 6))
        return eq + 1;
    if ((!strncasecmp(kv, "alias.", 6) || !strncasecmp(kv, "credential.helper=", 18)) &&
        eq[1] == '!')
        return eq + 2;
    return NULL;
}

/* git's own options before its subcommand: -c KEY=VALUE may carry a command. */
static void
git_config(char *const *argv, size_t argc, size_t i, struct inspect_unwrapped *u)
{
    for (size_t j = i + 1; j < argc && argv[j][0] == '-'; j++) {
        const char *kv = NULL;
        if (!strcmp(argv[j], "-c") && j + 1 < argc)
            kv = argv[++j];
        else if (!strncmp(argv[j], "-c", 2) && argv[j][2])
            kv = argv[j] + 2;
        else if (!strcmp(argv[j], "-C") && j + 1 < argc)
            j++;
        const char *cmd = kv ? git_command(kv) : NULL;
        if (cmd && *cmd)
            carry(u, (char *)cmd, 0);
    }
}

int
inspect_unwrap(char *const *argv, size_t argc, struct inspect_unwrapped *u)
{
    memset(u, 0, sizeof(*u));
    size_t i = 0;
    const struct wrapper *w;
    while (i < argc && (w = find_wrapper(argv[i]))) {
        /* kubectl get, docker ps: the tool itself is the command; kubectl
         * run ... -- CMD is too, and CMD is read as what the pod runs */
        if (w->kind == AFTER_DASHES && i + 1 < argc && !strcmp(argv[i + 1], "run")) {
            for (size_t j = i + 2; j + 1 < argc; j++)
                if (!strcmp(argv[j], "--")) {
                    char *t = join_quoted(argv, argc, j + 1);
                    if (t)
                        carry(u, t, 1);
                    else
                        u->opaque = 1;
                    break;
                }
            break;
        }
        if ((w->kind == AFTER_DASHES || w->kind == DOCKER_EXEC) &&
            (i + 1 >= argc || strcmp(argv[i + 1], "exec")))
            break;
        if (u->nvia == INSPECT_MAX_WRAPPERS)
            return -1;
        u->via[u->nvia++] = w->name;
        u->privileged |= w->privileged;
        u->remote |= w->remote;
        /* git, find and ssh are commands of their own as well as carriers. */
        if (w->kind == REMOTE_TEXT) {
            step(w, argv, argc, i, u);
            break;
        }
        if (w->kind == GIT_CONFIG) {
            git_config(argv, argc, i, u);
            break;
        }
        if (w->kind == FIND_EXEC) {
            find_exec(argv, argc, i + 1, u);
            break;
        }
        size_t j = step(w, argv, argc, i, u);
        if (j >= argc) {
            /* runs nothing itself beyond what it carries; those that then
             * start a shell (pkexec, unshare, firejail...) run what it reads */
            if (w->kind == RUNS_NEXT && !u->ncarried && w->empty_shell && !info_only(argv, argc, i))
                u->opaque = 1;
            u->cmd = argc;
            return 0;
        }
        i = j;
    }
    u->cmd = i;
    return 0;
}

void
inspect_unwrapped_release(struct inspect_unwrapped *u)
{
    for (size_t i = 0; i < u->ncarried; i++)
        if (u->owned[i])
            free(u->carried[i]);
    memset(u, 0, sizeof(*u));
}
