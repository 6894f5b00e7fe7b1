/*
 * gate_agent.c - the agents' built-in tools, their groups, and what a path
 * is (gate_agent.h).
 */
#include <stdio.h>
#include <string.h>

#include "gate.h"
#include "gate_agent.h"

/* Sources: each agent's tool reference (Claude Code's tools, Codex's
 * shell and apply_patch, Gemini CLI's tools, Copilot CLI's), at the
 * versions named in docs/hooks.md. */
static const struct gate_agent_tool tools[] = {
    /* Claude Code */
    {"Bash", "shell", NULL, NULL, GATE_EFFECT_EXTERNAL},
    {"Write", "file_write", "file_path", NULL, 0},
    {"Edit", "file_write", "file_path", NULL, 0},
    {"MultiEdit", "file_write", "file_path", NULL, 0},
    {"NotebookEdit", "file_write", "notebook_path", NULL, 0},
    {"Read", "file_read", "file_path", NULL, 0},
    {"Glob", "file_read", "path", NULL, 0},
    {"Grep", "file_read", "path", NULL, 0},
    {"LS", "file_read", "path", NULL, 0},
    {"WebFetch", "web_fetch", NULL, "url", GATE_EFFECT_UNTRUSTED},
    {"WebSearch", "web_fetch", NULL, NULL, GATE_EFFECT_UNTRUSTED},
    /* Codex CLI (its shell tool reaches hooks as "Bash") */
    {"local_shell", "shell", NULL, NULL, GATE_EFFECT_EXTERNAL},
    {"exec_command", "shell", NULL, NULL, GATE_EFFECT_EXTERNAL},
    {"apply_patch", "file_write", "path", NULL, 0},
    /* Gemini CLI */
    {"run_shell_command", "shell", NULL, NULL, GATE_EFFECT_EXTERNAL},
    {"write_file", "file_write", "file_path", NULL, 0},
    {"replace", "file_write", "file_path", NULL, 0},
    {"read_file", "file_read", "file_path", NULL, 0},
    {"read_many_files", "file_read", NULL, NULL, 0},
    {"list_directory", "file_read", "path", NULL, 0},
    {"glob", "file_read", "path", NULL, 0},
    {"search_file_content", "file_read", "path", NULL, 0},
    {"web_fetch", "web_fetch", NULL, "url", GATE_EFFECT_UNTRUSTED}, /* OpenClaw's too */
    {"google_web_search", "web_fetch", NULL, NULL, GATE_EFFECT_UNTRUSTED},
    /* Copilot CLI */
    {"bash", "shell", NULL, NULL, GATE_EFFECT_EXTERNAL},
    {"create", "file_write", "path", NULL, 0},
    {"edit", "file_write", "path", NULL, 0},
    {"view", "file_read", "path", NULL, 0},
    /* OpenClaw (its edit is Copilot CLI's shape, its web_fetch Gemini CLI's
     * name, its apply_patch Codex's patch) */
    {"exec", "shell", NULL, NULL, GATE_EFFECT_EXTERNAL},
    {"write", "file_write", "path", NULL, 0},
    {"read", "file_read", "path", NULL, 0},
    {"ls", "file_read", "path", NULL, 0},
};

static const char *const groups[] = {"shell", "file_read", "file_write", "web_fetch"};

const struct gate_agent_tool *
gate_agent_tool(const char *name)
{
    for (size_t i = 0; name && i < sizeof(tools) / sizeof(*tools); i++)
        if (!strcmp(tools[i].name, name))
            return &tools[i];
    return NULL;
}

int
gate_decides_agent(const char *method)
{
    return !strcmp(method, GATE_AGENT_TOOL);
}

static json_t *
action(const char *id, const char *parent)
{
    return json_pack("{s:{s:s, s:s}, s:{}, s:[{s:s, s:s}]}", "uid", "type", "Action", "id", id,
                     "attrs", "parents", "type", "Action", "id", parent);
}

int
gate_agent_entities(json_t *arr, int (*taken)(const char *name, void *arg), void *arg)
{
    json_t *top = json_pack("{s:{s:s, s:s}, s:{}, s:[]}", "uid", "type", "Action", "id",
                            "agent_tool", "attrs", "parents");
    if (!top || json_array_append_new(arr, top))
        return -1;
    for (size_t i = 0; i < sizeof(groups) / sizeof(*groups); i++)
        if (!taken(groups[i], arg) && json_array_append_new(arr, action(groups[i], "agent_tool")))
            return -1;
    /* A tool named as its group (Gemini CLI's web_fetch) is the group. */
    for (size_t i = 0; i < sizeof(tools) / sizeof(*tools); i++)
        if (strcmp(tools[i].name, tools[i].group) && !taken(tools[i].name, arg) &&
            json_array_append_new(arr, action(tools[i].name, tools[i].group)))
            return -1;
    return 0;
}

int
gate_agent_normalise(const char *cwd, const char *home, const char *path, char *out, size_t cap)
{
    char buf[GATE_AGENT_PATH_MAX];
    int n;
    if (path[0] == '/')
        n = snprintf(buf, sizeof(buf), "%s", path);
    else if (path[0] == '~' && (path[1] == '/' || !path[1]) && home)
        n = snprintf(buf, sizeof(buf), "%s/%s", home, path[1] ? path + 2 : "");
    else
        n = snprintf(buf, sizeof(buf), "%s/%s", cwd && *cwd ? cwd : "/", path);
    if (n < 0 || (size_t)n >= sizeof(buf) || cap < 2)
        return -1;
    /* Each part in turn: "." dropped, ".." drops the one before. */
    size_t len = 0;
    out[0] = '\0';
    for (char *p = buf; *p;) {
        while (*p == '/')
            p++;
        size_t k = strcspn(p, "/");
        if (k == 0)
            break;
        if (k == 1 && p[0] == '.') {
            /* nothing */
        } else if (k == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* the "/" before it */
        } else {
            if (len + 1 + k + 1 > cap)
                return -1;
            out[len++] = '/';
            memcpy(out + len, p, k);
            len += k;
        }
        out[len] = '\0';
        p += k;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return 0;
}

/* A credential, a key, or a shell's start-up file: the tail of the path
 * (a directory part ends with "/": anything under it). */
static const char *const sensitive[] = {
    "/.ssh/",
    "/.gnupg/",
    "/.aws/credentials",
    "/.aws/config",
    "/.config/gcloud/",
    "/.azure/",
    "/.kube/config",
    "/.docker/config.json",
    "/.netrc",
    "/.git-credentials",
    "/.npmrc",
    "/.pypirc",
    "/.vault-token",
    "/.bashrc",
    "/.bash_profile",
    "/.bash_login",
    "/.profile",
    "/.zshrc",
    "/.zprofile",
    "/.zshenv",
    "/.config/fish/config.fish",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d/",
    "/etc/passwd",
    "/etc/ld.so.preload",
    "/etc/pam.d/",
    "/etc/profile",
    "/etc/profile.d/",
    "/etc/bash.bashrc",
    "/etc/environment",
    "/etc/crontab",
    "/etc/cron.d/",
    "/var/spool/cron/",
    "/.git/hooks/",
    "/.env",
};

int
gate_agent_sensitive(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof(sensitive) / sizeof(*sensitive); i++) {
        const char *s = sensitive[i];
        size_t k = strlen(s);
        if (s[k - 1] == '/') {
            /* a folder: the path is in it, or is it */
            if (strstr(path, s) || (n + 1 == k && !memcmp(path, s, n)) ||
                (n >= k - 1 && !memcmp(path + n - (k - 1), s, k - 1)))
                return 1;
        } else if (n >= k && !memcmp(path + n - k, s, k)) {
            return 1; /* the file itself */
        } else if (s[1] != '.' && !strncmp(path, s, k)) {
            return 1; /* /etc/... from the root */
        }
    }
    /* private keys by their names */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return !strncmp(base, "id_rsa", 6) || !strncmp(base, "id_ed25519", 10) ||
           !strncmp(base, "id_ecdsa", 8) || strstr(base, ".pem") || strstr(base, ".key");
}
