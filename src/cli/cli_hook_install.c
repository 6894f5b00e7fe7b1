/*
 * airlock hook install | uninstall AGENT [--scope user|project]: the
 * agent's settings gain (or lose) airlock's hook entries (docs/hooks.md).
 *
 *   claude-code  ~/.claude/settings.json or ./.claude/settings.json:
 *                hooks.PreToolUse and hooks.PostToolUse entries
 *   gemini       ~/.gemini/settings.json or ./.gemini/settings.json:
 *                hooks.BeforeTool and hooks.AfterTool entries
 *   codex        ~/.codex/config.toml or ./.codex/config.toml: a
 *                [[hooks.PreToolUse]] block between airlock's marks
 *   copilot      $COPILOT_HOME/hooks/airlock.json (~/.copilot/...) or
 *                ./.github/hooks/airlock.json: hooks.preToolUse and
 *                hooks.postToolUse entries
 *
 * Before its first change to a file, install keeps a copy of it beside it
 * (FILE.airlock-backup; FILE.airlock-absent when there was none).
 * Installing twice changes nothing; uninstall takes out exactly what
 * install put in (the person's own entries and later edits stay), and
 * removes the file again when install created it.  Files are replaced
 * whole (written beside, then renamed), never left half written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../hook/hook.h"
#include "../util/util_file.h"
#include "cli.h"

/* Bytes of an agent's settings file airlock reads. */
#define HOOK_MAX_SETTINGS (4u * 1024 * 1024)

struct target {
    enum hook_agent agent;
    char path[PATH_MAX];
    char command[PATH_MAX + 64]; /* "/usr/bin/airlock hook claude-code" */
};

/* The agent's settings file for scope, and airlock's command. */
static int
target_of(enum hook_agent a, int user, struct target *t)
{
    static const char *const files[] = {
        [HOOK_CLAUDE_CODE] = ".claude/settings.json",
        [HOOK_CODEX] = ".codex/config.toml",
        [HOOK_GEMINI] = ".gemini/settings.json",
        [HOOK_COPILOT] = ".copilot/hooks/airlock.json",
        [HOOK_OPENCLAW] = NULL, /* a plugin, set up by hand */
    };
    char self[PATH_MAX];
    const char *file = files[a];
    if (!file)
        return cli_fail("hook install: %s's hooks are set up by hand (docs/hooks.md)",
                        hook_agent_name(a));
    const char *base = user ? getenv("HOME") : ".";
    if (a == HOOK_COPILOT && !user)
        file = ".github/hooks/airlock.json"; /* the repository's hooks */
    else if (a == HOOK_COPILOT && getenv("COPILOT_HOME") && *getenv("COPILOT_HOME"))
        base = getenv("COPILOT_HOME"), file = "hooks/airlock.json";
    if (!base || !*base)
        return cli_fail("hook install: HOME is not set");
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return cli_fail("hook install: the airlock program's path cannot be read");
    self[n] = '\0';
    t->agent = a;
    if ((size_t)snprintf(t->path, sizeof(t->path), "%s/%s", base, file) >= sizeof(t->path))
        return cli_fail("hook install: the settings' path is too long");
    snprintf(t->command, sizeof(t->command), "%s hook %s", self, hook_agent_name(a));
    return 0;
}

static int
write_whole(const char *path, const char *text)
{
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof(tmp), "%s.airlock-new", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd) || rename(tmp, path)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The folders above path, each made when missing (mode 0700). */
static int
make_parent(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(dir, 0700) && errno != EEXIST)
            return -1;
        *slash = '/';
    }
    return 0;
}

/* The backup before the first change: a copy, or a mark that there was no
 * file.  Kept once: a second install does not overwrite it. */
static int
keep_backup(const char *path, const char *text, int existed)
{
    char b[PATH_MAX + 32], m[PATH_MAX + 32];
    snprintf(b, sizeof(b), "%s.airlock-backup", path);
    snprintf(m, sizeof(m), "%s.airlock-absent", path);
    if (access(b, F_OK) == 0 || access(m, F_OK) == 0)
        return 0;
    return write_whole(existed ? b : m, existed ? text : "");
}

/* ---- JSON settings (Claude Code, Gemini CLI, Copilot CLI) ---- */

static const char *const events[][2] = {
    [HOOK_CLAUDE_CODE] = {"PreToolUse", "PostToolUse"},
    [HOOK_CODEX] = {NULL, NULL}, /* TOML */
    [HOOK_GEMINI] = {"BeforeTool", "AfterTool"},
    [HOOK_COPILOT] = {"preToolUse", "postToolUse"},
    [HOOK_OPENCLAW] = {NULL, NULL}, /* a plugin */
};

static const char *
matcher(enum hook_agent a, int post)
{
    if (a == HOOK_GEMINI)
        return post ? "run_shell_command|write_file|replace"
                    : "run_shell_command|write_file|replace|read_file|web_fetch";
    return post ? "Bash|Write|Edit|MultiEdit|NotebookEdit"
                : "Bash|Write|Edit|MultiEdit|NotebookEdit|Read|WebFetch";
}

/* Whether entry (a matcher group; Copilot CLI: one hook) runs command. */
static int
runs(const json_t *entry, const char *command)
{
    size_t i;
    json_t *h;
    const char *bash = json_string_value(json_object_get(entry, "bash"));
    if (bash && !strcmp(bash, command))
        return 1;
    json_array_foreach(json_object_get(entry, "hooks"), i, h) {
        const char *c = json_string_value(json_object_get(h, "command"));
        if (c && !strcmp(c, command))
            return 1;
    }
    return 0;
}

/* Install (add) or uninstall (remove) airlock's entries in settings.
 * *changed: whether anything was. */
static int
edit_json(json_t *settings, const struct target *t, int add, int *changed)
{
    json_t *hooks = json_object_get(settings, "hooks");
    if (hooks && !json_is_object(hooks))
        return cli_fail("hook install: %s: \"hooks\" is not an object", t->path);
    for (int post = 0; post < 2; post++) {
        const char *ev = events[t->agent][post];
        json_t *list = hooks ? json_object_get(hooks, ev) : NULL;
        if (list && !json_is_array(list))
            return cli_fail("hook install: %s: hooks.%s is not an array", t->path, ev);
        size_t i;
        json_t *e;
        int have = 0;
        for (i = 0; list && i < json_array_size(list);) {
            e = json_array_get(list, i);
            if (runs(e, t->command)) {
                have = 1;
                if (!add) {
                    json_array_remove(list, i);
                    *changed = 1;
                    continue;
                }
            }
            i++;
        }
        if (!add) {
            if (list && json_array_size(list) == 0)
                json_object_del(hooks, ev);
            continue;
        }
        if (have)
            continue;
        if (!hooks) {
            hooks = json_object();
            if (!hooks || json_object_set_new(settings, "hooks", hooks))
                return cli_fail("out of memory");
        }
        if (!list) {
            list = json_array();
            if (!list || json_object_set_new(hooks, ev, list))
                return cli_fail("out of memory");
        }
        json_t *entry = t->agent == HOOK_COPILOT
                            ? json_pack("{s:s, s:s}", "type", "command", "bash", t->command)
                            : json_pack("{s:s, s:[{s:s, s:s}]}", "matcher", matcher(t->agent, post),
                                        "hooks", "type", "command", "command", t->command);
        if (!entry || json_array_append_new(list, entry))
            return cli_fail("out of memory");
        *changed = 1;
    }
    if (!add && hooks && json_object_size(hooks) == 0)
        json_object_del(settings, "hooks");
    /* Copilot CLI's hooks files carry their format's version. */
    if (t->agent == HOOK_COPILOT && add && !json_object_get(settings, "version") &&
        json_object_set_new(settings, "version", json_integer(1)))
        return cli_fail("out of memory");
    if (t->agent == HOOK_COPILOT && !add && json_object_size(settings) == 1 &&
        json_object_get(settings, "version"))
        json_object_del(settings, "version");
    return 0;
}

/* ---- TOML settings (Codex): a block between marks ---- */

#define MARK_BEGIN "# airlock: begin (airlock hook install codex; airlock hook uninstall codex)\n"
#define MARK_END "# airlock: end\n"

static char *
edit_toml(const char *text, const struct target *t, int add, int *changed)
{
    const char *b = strstr(text, MARK_BEGIN), *e = b ? strstr(b, MARK_END) : NULL;
    char *out = NULL;
    if (add) {
        if (b && e)
            return strdup(text); /* there already */
        size_t n = strlen(text);
        if (asprintf(&out,
                     "%s%s%s[[hooks.PreToolUse]]\n[[hooks.PreToolUse.hooks]]\ntype = "
                     "\"command\"\ncommand = \"%s\"\n%s",
                     text, n && text[n - 1] != '\n' ? "\n" : "", MARK_BEGIN, t->command,
                     MARK_END) < 0)
            return NULL;
        *changed = 1;
        return out;
    }
    if (!b || !e)
        return strdup(text);
    e += strlen(MARK_END);
    if (asprintf(&out, "%.*s%s", (int)(b - text), text, e) < 0)
        return NULL;
    *changed = 1;
    return out;
}

int
cli_hook_install(int argc, char **argv)
{
    int add = !strcmp(argv[0], "install"), user = 1, changed = 0;
    enum hook_agent a;
    struct target t;
    char err[512];
    if (argc < 2 || hook_agent_of(argv[1], &a))
        return cli_usage("hook %s: name the agent: claude-code, codex, gemini or copilot", argv[0]);
    if (argc == 4 && !strcmp(argv[2], "--scope") &&
        (!strcmp(argv[3], "user") || !strcmp(argv[3], "project")))
        user = !strcmp(argv[3], "user");
    else if (argc != 2)
        return cli_usage("hook %s: the only option is --scope user|project", argv[0]);
    if (target_of(a, user, &t))
        return 1;
    char *text = NULL, *out = NULL;
    size_t len = 0;
    int existed = access(t.path, F_OK) == 0;
    if (existed && util_read_file(t.path, HOOK_MAX_SETTINGS, &text, &len, err, sizeof(err)))
        return cli_fail("hook %s: %s", argv[0], err);
    if (!existed && !add) {
        printf("airlock is not in %s: there is no such file\n", t.path);
        return 0;
    }
    int rc = 0;
    if (a == HOOK_CODEX) {
        out = edit_toml(text ? text : "", &t, add, &changed);
        if (!out)
            rc = cli_fail("out of memory");
    } else {
        json_error_t je;
        json_t *s = text && len ? json_loads(text, JSON_REJECT_DUPLICATES, &je) : json_object();
        if (!json_is_object(s))
            rc = cli_fail("hook %s: %s is not a JSON object%s%s", argv[0], t.path, s ? "" : ": ",
                          s ? "" : je.text);
        else if (!(rc = edit_json(s, &t, add, &changed)) &&
                 !(out = json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
            rc = cli_fail("out of memory");
        json_decref(s);
    }
    if (!rc && changed) {
        char absent[PATH_MAX + 32], backup[PATH_MAX + 32];
        snprintf(absent, sizeof(absent), "%s.airlock-absent", t.path);
        snprintf(backup, sizeof(backup), "%s.airlock-backup", t.path);
        size_t n = strlen(out);
        int was_absent = access(absent, F_OK) == 0;
        if (add && (make_parent(t.path) || keep_backup(t.path, text ? text : "", existed)))
            rc = cli_fail("hook install: %s: the backup cannot be written: %s", t.path,
                          strerror(errno));
        else if (!add && was_absent && (a == HOOK_CODEX ? n == 0 : !strcmp(out, "{}")))
            rc = unlink(t.path) || unlink(absent)
                     ? cli_fail("hook uninstall: %s: %s", t.path, strerror(errno))
                     : 0; /* install made it: it goes */
        else {
            if (a != HOOK_CODEX) { /* JSON ends with a newline, as editors leave it */
                char *o2 = realloc(out, n + 2);
                if (!o2)
                    rc = cli_fail("out of memory");
                else
                    out = o2, out[n] = '\n', out[n + 1] = '\0';
            }
            if (!rc && write_whole(t.path, out))
                rc =
                    cli_fail("hook %s: %s cannot be written: %s", argv[0], t.path, strerror(errno));
            else if (!rc && !add)
                unlink(backup), unlink(absent); /* taken out: nothing left to restore */
        }
    }
    if (!rc)
        printf("%s %s%s\n",
               changed ? (add ? "airlock is now in" : "airlock is no longer in")
                       : (add ? "airlock was already in" : "airlock was not in"),
               t.path, changed && add ? " (a backup beside it)" : "");
    if (!rc && add && a == HOOK_CODEX)
        printf("Codex runs it once trusted: start codex and trust it in /hooks\n");
    free(text);
    free(out);
    return rc;
}
