/*
 * gate_inspect.c - a call's arguments through inspection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_inspect.h"
#include "gate_value.h"

struct walk {
    struct inspect *in;
    struct inspect_list *l;
    struct gate_found *fd;
    const struct gate_facts *facts; /* the tool's, or NULL */
};

static const char *const change_names[] = {"grant",  "revoke",       "make-public",
                                           "expose", "remove-guard", "add-credential"};
#define NCHANGES (sizeof(change_names) / sizeof(*change_names))

static const char *const breadth_names[] = {"none",         "service",           "user",
                                            "group",        "unknown",           "broad-group",
                                            "organization", "any-authenticated", "public"};

static int
rank(const struct gate_finding *g)
{
    return inspect_severity_rank(g->f.severity);
}

/* Count f; keep it unless GATE_MAX_FINDINGS worse ones are kept. */
static void
keep(struct gate_found *fd, const struct inspect_finding *f, const char *arg, const char *text,
     size_t len)
{
    int sev = inspect_severity_rank(f->severity), ci = inspect_category_index(f->category);
    size_t slot = fd->n;
    fd->count++;
    if (sev > fd->worst)
        fd->worst = sev;
    if (sev >= INSPECT_SEV_MEDIUM && ci >= 0) /* low is information */
        fd->categories |= 1u << ci;
    if (f->access.change) {
        for (size_t i = 0; i < NCHANGES; i++)
            if (!strcmp(f->access.change, change_names[i]))
                fd->changes |= 1u << i;
        int b = inspect_breadth_rank(f->access.breadth);
        if (strcmp(f->access.change, "revoke") && b > fd->widest)
            fd->widest = b;
    }
    if (fd->n == GATE_MAX_FINDINGS) {
        size_t min = 0;
        for (size_t i = 1; i < fd->n; i++)
            if (rank(&fd->v[i]) < rank(&fd->v[min]))
                min = i;
        if (rank(&fd->v[min]) >= sev)
            return;
        slot = min;
    } else {
        fd->n++;
    }
    struct gate_finding *g = &fd->v[slot];
    g->f = *f;
    snprintf(g->arg, sizeof(g->arg), "%s", arg);
    if (text)
        inspect_excerpt(f, text, len, g->text, sizeof(g->text));
    else
        g->text[0] = '\0';
}

static void
cannot(struct walk *w, const char *path, const char *why)
{
    struct inspect_finding f = {"limit", "opaque", "high", why, 0, 0, {0}};
    keep(w->fd, &f, path, NULL, 0);
}

static void
inspect_string(struct walk *w, enum inspect_kind kind, const char *s, size_t n, const char *path)
{
    w->l->n = 0;
    w->l->full = 0;
    inspect_run(w->in, kind, s, n, w->l);
    for (size_t i = 0; i < w->l->n; i++)
        keep(w->fd, &w->l->v[i], path, s, n);
}

/* path + "/" + key, cut to fit. */
static void
subpath(char *dst, const char *path, const char *key)
{
    snprintf(dst, GATE_ARG_PATH_MAX, "%s%s%s", path, *path ? "/" : "", key);
}

static void member(struct walk *w, const char *key, const json_t *v, const char *path,
                   enum inspect_kind kind, unsigned depth);

static void
walk(struct walk *w, const json_t *j, const char *path, enum inspect_kind kind, unsigned depth)
{
    char sub[GATE_ARG_PATH_MAX];
    const char *key;
    json_t *v;
    size_t i;
    /* Deeper arguments are refused anyway (gate_value: GATE_MAX_INPUT_DEPTH). */
    if (depth > GATE_MAX_INPUT_DEPTH) {
        cannot(w, path, "arguments nested deeper than inspection reads");
        return;
    }
    if (json_is_string(j)) {
        inspect_string(w, kind, json_string_value(j), json_string_length(j), path);
    } else if (json_is_object(j)) {
        json_object_foreach((json_t *)j, key, v) {
            subpath(sub, path, key);
            member(w, key, v, sub, kind, depth + 1);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v) {
            char idx[24];
            snprintf(idx, sizeof(idx), "%zu", i);
            subpath(sub, path, idx);
            walk(w, v, sub, kind, depth + 1);
        }
    }
}

/* An argument's name as compared: lower case, without "_", "-" or ".", so
 * that command_line, commandLine and CMD-LINE are one name. */
static void
fold_name(const char *key, char *out, size_t cap)
{
    size_t n = 0;
    for (; *key && n + 1 < cap; key++)
        if (*key != '_' && *key != '-' && *key != '.')
            out[n++] = (char)(*key >= 'A' && *key <= 'Z' ? *key - 'A' + 'a' : *key);
    out[n] = '\0';
}

static int
listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

/* What an argument holds, by its name (docs/inspect.md): a command, a list
 * of commands, code, or text. */
enum arg_kind { ARG_TEXT, ARG_COMMAND, ARG_COMMANDS, ARG_CODE };

static enum arg_kind
kind_of(const struct gate_facts *f, const char *key)
{
    static const char *const command[] = {
        "command", "cmd", "cmdline", "commandline", "script", "shell", "shellcommand",
        "bash",    "sh",  "zsh",     "exec",        "argv",   "run",   "runcommand",
    };
    static const char *const commands[] = {"commands", "cmds", "scripts", "steps"};
    static const char *const code[] = {
        "code",       "source", "sourcecode", "program", "python", "py",  "javascript", "js",
        "typescript", "ts",     "node",       "ruby",    "perl",   "php", "lua",
    };
    char name[64];
    size_t i;
    json_t *s;
    if (f && f->commands) {
        json_array_foreach(f->commands, i, s)
            if (!strcmp(json_string_value(s), key))
                return ARG_COMMAND;
    }
    fold_name(key, name, sizeof(name));
    if (listed(code, sizeof(code) / sizeof(*code), name))
        return ARG_CODE;
    if (f && f->commands)
        return ARG_TEXT; /* the configuration names the tool's commands */
    if (listed(command, sizeof(command) / sizeof(*command), name))
        return ARG_COMMAND;
    if (listed(commands, sizeof(commands) / sizeof(*commands), name))
        return ARG_COMMANDS;
    return ARG_TEXT;
}

static int
all_strings(const json_t *a)
{
    size_t i;
    json_t *s;
    json_array_foreach(a, i, s)
        if (!json_is_string(s))
            return 0;
    return json_array_size(a) > 0;
}

/* An argv (array of strings) as the shell command that runs it: each word
 * single-quoted.  NULL when memory ran out. */
static char *
argv_command(const json_t *a, size_t *len)
{
    size_t i, need = 1;
    json_t *s;
    json_array_foreach(a, i, s)
        need += json_string_length(s) * 4 + 3;
    char *b = malloc(need), *p = b;
    if (!b)
        return NULL;
    json_array_foreach(a, i, s) {
        const char *w = json_string_value(s);
        size_t n = json_string_length(s);
        if (i)
            *p++ = ' ';
        *p++ = '\'';
        for (size_t k = 0; k < n; k++) {
            if (w[k] == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = w[k];
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    *len = (size_t)(p - b);
    return b;
}

/* A command argument: an argv (an array of strings) is the command that
 * runs it; anything else is read as commands throughout. */
static void
command_argument(struct walk *w, const json_t *v, const char *path, unsigned depth)
{
    if (!all_strings(v)) {
        walk(w, v, path, INSPECT_COMMAND, depth);
        return;
    }
    size_t n;
    char *cmd = argv_command(v, &n);
    if (!cmd) {
        cannot(w, path, "out of memory inspecting a command");
        return;
    }
    inspect_string(w, INSPECT_COMMAND, cmd, n, path);
    free(cmd);
}

/* An object's member: its name says what it holds, at any depth (a
 * command in {"job": {"steps": [{"run": "..."}]}} is a command), until a
 * command or code argument says so for all that is inside it. */
static void
member(struct walk *w, const char *key, const json_t *v, const char *path, enum inspect_kind kind,
       unsigned depth)
{
    if (kind != INSPECT_TEXT) {
        walk(w, v, path, kind, depth);
        return;
    }
    switch (kind_of(w->facts, key)) {
    case ARG_COMMAND:
        command_argument(w, v, path, depth);
        break;
    case ARG_COMMANDS:
        /* Each string of a list is a command ("steps": [{...}] is read on). */
        walk(w, v, path, json_is_string(v) || all_strings(v) ? INSPECT_COMMAND : INSPECT_TEXT,
             depth);
        break;
    case ARG_CODE:
        walk(w, v, path, INSPECT_CODE, depth);
        break;
    case ARG_TEXT:
        walk(w, v, path, INSPECT_TEXT, depth);
        break;
    }
}

void
gate_inspect_args(struct inspect *in, struct inspect_list *scratch, const struct gate_facts *f,
                  const json_t *args, struct gate_found *out)
{
    struct walk w = {in, scratch, out, f};
    out->n = out->count = 0;
    out->worst = INSPECT_SEV_NONE;
    out->categories = 0;
    out->widest = 0;
    out->changes = 0;
    if (json_is_object(args))
        walk(&w, args, "", INSPECT_TEXT, 0);
}

#define ATTR(k) ((struct cedar_str){(k), (uint32_t)(sizeof(k) - 1)})

/* The access change's attributes, after the item's own. */
static int
access_attrs(struct cedar_arena *a, const struct inspect_access *acc, struct cedar_attr *at)
{
    struct cedar_attr obj[2] = {{ATTR("kind"), {0}}, {ATTR("name"), {0}}};
    const char *s[] = {acc->change, acc->breadth, acc->privilege, acc->grantee};
    static const struct cedar_str names[] = {ATTR("change"), ATTR("breadth"), ATTR("privilege"),
                                             ATTR("grantee")};
    for (int i = 0; i < 4; i++) {
        at[i].key = names[i];
        if (gate_string(a, s[i], strlen(s[i]), &at[i].v))
            return -1;
    }
    at[4].key = (struct cedar_str)ATTR("object");
    if (gate_string(a, acc->kind, strlen(acc->kind), &obj[0].v) ||
        gate_string(a, acc->object, strlen(acc->object), &obj[1].v))
        return -1;
    return gate_record(a, obj, 2, &at[4].v);
}

static int
item_value(struct cedar_arena *a, const struct gate_finding *g, struct cedar_value *out)
{
    struct cedar_attr at[12] = {
        {ATTR("rule"), {0}},
        {ATTR("category"), {0}},
        {ATTR("severity"), {0}},
        {ATTR("argument"), {0}},
        {ATTR("start"), cedar_long((int64_t)g->f.off)},
        {ATTR("end"), cedar_long((int64_t)g->f.end)},
        {ATTR("text"), {0}},
    };
    const char *s[] = {g->f.rule, g->f.category, g->f.severity, g->arg};
    for (int i = 0; i < 4; i++)
        if (gate_string(a, s[i], strlen(s[i]), &at[i].v))
            return -1;
    if (gate_string(a, g->text, strlen(g->text), &at[6].v))
        return -1;
    if (!g->f.access.change)
        return gate_record(a, at, 7, out);
    if (access_attrs(a, &g->f.access, at + 7))
        return -1;
    return gate_record(a, at, 12, out);
}

int
gate_findings_value(struct cedar_arena *a, const struct gate_found *fd, struct cedar_value *out)
{
    struct cedar_value items[GATE_MAX_FINDINGS], rules[GATE_MAX_FINDINGS], cats[INSPECT_CATEGORIES],
        changes[NCHANGES];
    size_t nc = 0, nch = 0;
    for (size_t i = 0; i < fd->n; i++)
        if (item_value(a, &fd->v[i], &items[i]) ||
            gate_string(a, fd->v[i].f.rule, strlen(fd->v[i].f.rule), &rules[i]))
            return -1;
    for (int c = 0; c < INSPECT_CATEGORIES; c++)
        if ((fd->categories >> c) & 1u) {
            const char *name = inspect_category_name(c);
            if (gate_string(a, name, strlen(name), &cats[nc++]))
                return -1;
        }
    for (size_t c = 0; c < NCHANGES; c++)
        if ((fd->changes >> c) & 1u &&
            gate_string(a, change_names[c], strlen(change_names[c]), &changes[nch++]))
            return -1;
    const char *widest = breadth_names[fd->widest >= 0 && fd->widest <= 8 ? fd->widest : 0];
    struct cedar_attr at[7] = {
        {ATTR("count"), cedar_long((int64_t)fd->count)},
        {ATTR("severity"), cedar_long((int64_t)fd->worst)},
        {ATTR("categories"), {0}},
        {ATTR("rules"), {0}},
        {ATTR("items"), {0}},
        {ATTR("widest"), {0}},
        {ATTR("changes"), {0}},
    };
    if (gate_set(a, cats, nc, &at[2].v) || gate_set(a, rules, fd->n, &at[3].v) ||
        gate_set(a, items, fd->n, &at[4].v) || gate_string(a, widest, strlen(widest), &at[5].v) ||
        gate_set(a, changes, nch, &at[6].v))
        return -1;
    return gate_record(a, at, 7, out);
}

json_t *
gate_findings_json(const struct gate_found *fd, int brief)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < fd->n; i++) {
        const struct gate_finding *g = &fd->v[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "rule", g->f.rule, "category",
                              g->f.category, "severity", g->f.severity, "argument", g->arg, "start",
                              (json_int_t)g->f.off, "end", (json_int_t)g->f.end);
        if (o && !brief &&
            (json_object_set_new(o, "text", json_string(g->text)) ||
             json_object_set_new(o, "explanation", json_string(g->f.explanation)))) {
            json_decref(o);
            o = NULL;
        }
        json_t *acc = o && g->f.access.change ? inspect_access_json(&g->f.access) : NULL;
        if (o && g->f.access.change && (!acc || json_object_set_new(o, "access", acc))) {
            json_decref(o);
            o = NULL;
        }
        if (json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

void
gate_findings_text(const struct gate_found *fd, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int sev = INSPECT_SEV_CRITICAL; sev >= INSPECT_SEV_LOW; sev--)
        for (size_t i = 0; i < fd->n && off + 1 < n; i++) {
            const struct gate_finding *g = &fd->v[i];
            if (rank(g) != sev)
                continue;
            char acc[INSPECT_MAX_ACCESS_TEXT * 3];
            size_t an = inspect_access_describe(&g->f.access, acc, sizeof(acc));
            int k = snprintf(buf + off, n - off, "%s%s (%s, %s) in %s%s%s%s: %s%s%s%s",
                             off ? "; " : "", g->f.rule, g->f.category, g->f.severity, g->arg,
                             g->text[0] ? " `" : "", g->text, g->text[0] ? "`" : "",
                             g->f.explanation, an ? " [" : "", acc, an ? "]" : "");
            if (k < 0 || (size_t)k >= n - off) {
                buf[off] = '\0'; /* a cut item is left out whole */
                return;
            }
            off += (size_t)k;
        }
}
