/*
 * inspect_shfmt: the shell parser against another one, shfmt's (Debian
 * package shfmt, `shfmt --to-json`), on every command of the corpora: the
 * Atomic Red Team tests, the bypass classes, the benign commands and the
 * parser's own cases.  Both must find the same simple commands with the
 * same words after quote removal.  Only commands whose every word is
 * literal are compared (a word with an expansion is kept as written here
 * and split into parts there); declarations (export, local, ...) and
 * [[ ]] are commands here and clauses there, and are left out, as is the
 * keyword time before a command.  A text either parser refuses is not
 * compared.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/inspect/inspect_shell.h"
#include "test_util.h"

#define EXPANDS (WORD_PARAM | WORD_CMDSUB | WORD_ARITH | WORD_PROCSUB)
#define MAX_CMDS 512

struct cmds {
    char *v[MAX_CMDS];
    size_t n;
};

static void
add(struct cmds *c, char *s)
{
    if (c->n < MAX_CMDS)
        c->v[c->n++] = s;
    else
        free(s);
}

static void
release(struct cmds *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    c->n = 0;
}

static int
declaration(const char *w)
{
    static const char *const d[] = {"export",  "local", "declare", "readonly", "typeset",
                                    "nameref", "let",   "[[",      "eval"};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        if (!strcmp(w, d[i]))
            return 1;
    return 0;
}

/* A Lit's value after quote removal: outside double quotes a backslash
 * quotes the next character (and with a newline disappears); inside, only
 * before $ ` " \ and newline. */
static void
unquote_lit(const char *s, int dq, char *out, size_t *n, size_t cap)
{
    for (; *s && *n + 1 < cap; s++) {
        if (s[0] == '\\' && s[1] && (!dq || strchr("$`\"\\\n", s[1]))) {
            s++;
            if (*s == '\n')
                continue;
        }
        out[(*n)++] = *s;
    }
}

/* $'...' (bash's ANSI-C quoting), decoded: the escapes a command name
 * could be spelt with. */
static void
ansi_c(const char *s, char *out, size_t *n, size_t cap)
{
    static const char from[] = "abefnrtv\\'\"?", to[] = "\a\b\033\f\n\r\t\v\\'\"?";
    for (; *s && *n + 1 < cap; s++) {
        const char *e = s[0] == '\\' && s[1] ? strchr(from, s[1]) : NULL;
        if (e) {
            out[(*n)++] = to[e - from];
            s++;
        } else if (s[0] == '\\' && s[1] == 'x') {
            unsigned v = 0, k = 0;
            for (s += 2; k < 2 && strchr("0123456789abcdefABCDEF", *s) && *s; k++, s++)
                v = v * 16 + (unsigned)(*s <= '9' ? *s - '0' : (*s | 32) - 'a' + 10);
            out[(*n)++] = (char)v;
            s--;
        } else {
            out[(*n)++] = *s;
        }
    }
}

/* A shfmt Word as literal text; 0 if some part expands. */
static int
word_text(const json_t *w, char *out, size_t cap)
{
    size_t n = 0, i, k;
    json_t *p, *q;
    json_array_foreach(json_object_get(w, "Parts"), i, p) {
        const char *type = json_string_value(json_object_get(p, "Type"));
        const char *val = json_string_value(json_object_get(p, "Value"));
        if (!type)
            return 0;
        if (!val)
            val = "";
        if (!strcmp(type, "Lit")) {
            unquote_lit(val, 0, out, &n, cap);
        } else if (!strcmp(type, "SglQuoted")) {
            if (json_is_true(json_object_get(p, "Dollar")))
                ansi_c(val, out, &n, cap);
            else
                for (; *val && n + 1 < cap; val++)
                    out[n++] = *val;
        } else if (!strcmp(type, "DblQuoted") && !json_is_true(json_object_get(p, "Dollar"))) {
            json_array_foreach(json_object_get(p, "Parts"), k, q) {
                const char *qt = json_string_value(json_object_get(q, "Type"));
                const char *qv = json_string_value(json_object_get(q, "Value"));
                if (!qt || strcmp(qt, "Lit") || !qv)
                    return 0;
                unquote_lit(qv, 1, out, &n, cap);
            }
        } else {
            return 0;
        }
    }
    out[n] = '\0';
    return 1;
}

/* Every CallExpr in shfmt's tree whose words are all literal. */
static void
walk(const json_t *j, struct cmds *c)
{
    size_t i;
    const char *k;
    json_t *v;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v)
            walk(v, c);
        return;
    }
    if (!json_is_object(j))
        return;
    const char *type = json_string_value(json_object_get(j, "Type"));
    const json_t *args = json_object_get(j, "Args");
    if (type && !strcmp(type, "CallExpr") && json_array_size(args)) {
        char line[8192] = "", word[4096];
        int literal = 1;
        json_array_foreach(args, i, v) {
            if (!word_text(v, word, sizeof(word))) {
                literal = 0;
                break;
            }
            if (i)
                strncat(line, " | ", sizeof(line) - strlen(line) - 1);
            strncat(line, word, sizeof(line) - strlen(line) - 1);
        }
        if (literal && word_text(json_array_get(args, 0), word, sizeof(word)) && !declaration(word))
            add(c, strdup(line));
    }
    json_object_foreach((json_t *)j, k, v)
        walk(v, c);
}

/* shfmt's commands for text; -1 when shfmt refuses it. */
static int
theirs(const char *text, struct cmds *c)
{
    char in[] = "/tmp/airlock-shfmt-XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "shfmt --to-json < %s 2>/dev/null", in);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    json_t *ast = json_loadf(p, 0, NULL);
    int rc = pclose(p);
    unlink(in);
    if (rc != 0 || !ast) {
        json_decref(ast);
        return -1;
    }
    walk(ast, c);
    json_decref(ast);
    return 0;
}

static int
ours(const char *text, struct cmds *c)
{
    struct inspect_script s;
    if (inspect_shell_parse(text, strlen(text), &s)) {
        inspect_script_release(&s);
        return -1;
    }
    for (size_t i = 0; i < s.n; i++) {
        const struct inspect_cmd *k = &s.cmds[i];
        int literal = k->argc > 0 && !declaration(k->argv[0]);
        for (size_t w = 0; literal && w < k->argc; w++)
            literal = !(k->argflags[w] & EXPANDS);
        if (!literal)
            continue;
        char line[8192] = "";
        /* time is a keyword to bash (and shfmt), a wrapper here */
        size_t first = !strcmp(k->argv[0], "time") && k->argc > 1;
        for (size_t w = first; w < k->argc; w++) {
            if (w > first)
                strncat(line, " | ", sizeof(line) - strlen(line) - 1);
            strncat(line, k->argv[w], sizeof(line) - strlen(line) - 1);
        }
        add(c, strdup(line));
    }
    inspect_script_release(&s);
    return 0;
}

static int
by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tally {
    size_t texts, compared, commands, refused, differ, ours_only;
};

static void
compare(const char *text, struct tally *t)
{
    struct cmds a = {0}, b = {0};
    t->texts++;
    int th = theirs(text, &b), ou = ours(text, &a);
    if (th || ou) {
        if (ou && !th) { /* valid to shfmt, not read here: a finding, and worth knowing */
            t->ours_only++;
            fprintf(stderr, "refused here only: %.200s\n", text);
        }
        t->refused++;
        release(&a);
        release(&b);
        return;
    }
    t->compared++;
    qsort(a.v, a.n, sizeof(char *), by_text);
    qsort(b.v, b.n, sizeof(char *), by_text);
    int same = a.n == b.n;
    for (size_t i = 0; same && i < a.n; i++)
        same = !strcmp(a.v[i], b.v[i]);
    t->commands += a.n;
    if (!same) {
        t->differ++;
        fprintf(stderr, "differs: %s\n", text);
        for (size_t i = 0; i < a.n; i++)
            fprintf(stderr, "  ours:   %s\n", a.v[i]);
        for (size_t i = 0; i < b.n; i++)
            fprintf(stderr, "  shfmt:  %s\n", b.v[i]);
    }
    release(&a);
    release(&b);
}

static void
data_file(const char *name, int tabbed, struct tally *t)
{
    char path[512], line[8192];
    snprintf(path, sizeof(path), "%s/../tests/data/%s", tu_build_dir(), name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#' || (!tabbed && strncmp(line, "> ", 2) && tabbed >= 0))
            continue;
        const char *text = tabbed > 0 ? strchr(line, '\t') : tabbed < 0 ? line : line + 2;
        if (text && tabbed > 0)
            text++;
        if (text && !strstr(text, "\\n")) /* escaped cases are not plain text */
            compare(text, t);
    }
    fclose(f);
}

static void
test_against_shfmt(void **state)
{
    (void)state;
    assert_int_equal(system("shfmt --version >/dev/null 2>&1"), 0);
    struct tally t = {0};
    char path[512];
    snprintf(path, sizeof(path), "%s/data/inspect/atomic-red-team-linux.json", tu_shared_dir());
    json_t *all = json_load_file(path, 0, NULL);
    assert_non_null(all);
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        const char *ex = json_string_value(json_object_get(e, "executor"));
        if (!ex || (strcmp(ex, "sh") && strcmp(ex, "bash")))
            continue;
        char *cmd = tu_art_command(e);
        compare(cmd, &t);
        free(cmd);
    }
    json_decref(all);
    data_file("inspect-bypass.txt", 1, &t);
    data_file("inspect-benign.txt", -1, &t);
    data_file("inspect-shell.txt", 0, &t);
    printf("shfmt differential: %zu texts, %zu compared (%zu refused by a parser, %zu of them "
           "only here), %zu simple commands, %zu texts differ\n",
           t.texts, t.compared, t.refused, t.ours_only, t.commands, t.differ);
    assert_true(t.compared > 400);
    assert_int_equal(t.differ, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_shfmt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
