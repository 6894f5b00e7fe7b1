/*
 * inspect_rules.c - rule tables and the findings they give.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect_access.h"
#include "inspect_doc.h"
#include "inspect_embed.h"
#include "inspect_mode.h"
#include "inspect_opts.h"
#include "inspect_re.h"
#include "inspect_rules.h"
#include "inspect_shell.h"
#include "inspect_table.h"
#include "inspect_wrap.h"

enum cond_kind {
    C_CMD,
    C_SUB,
    C_ARG,
    C_FLAG,
    C_MODE,
    C_MODE_WRITE,
    C_MODE_READ,
    C_REDIRECT,
    C_INTO_SHELL,
    C_SQL,
    C_POLICY_PUBLIC,
    C_LAST,
    C_PATH,
    C_INTO_SSH,
    C_WORD,
    C_HAS,
};

struct cond {
    enum cond_kind kind;
    char *text;           /* cmd names (|-separated), sub word, flag name */
    struct inspect_pat p; /* arg, redirect */
    int negate;           /* "!COND": holds when COND does not */
};

/* Where an access change's grantee, privilege or object is in a command
 * (inspect_rules.h): [PREFIX~]BASE[/RE/]. */
enum src_kind { S_OPT, S_NTH, S_ANY, S_CONST };

struct src {
    enum src_kind kind;
    char *text;           /* S_OPT: names, |-separated; S_CONST: the value */
    char *prefix;         /* put before each value ("group:"), or NULL */
    char *as;             /* ">TEXT": a value found stands for TEXT, or NULL */
    unsigned nth;         /* S_NTH: 1 for the first operand after the subs */
    struct inspect_pat p; /* a value must match; group 1, if set, is the value */
};

struct access_spec {
    const char *change; /* static */
    struct src grantee[INSPECT_MAX_SOURCES], privilege[INSPECT_MAX_SOURCES],
        object[INSPECT_MAX_SOURCES];
    unsigned ngrantee, nprivilege, nobject;
    char *kind; /* the object's kind */
    int sql;    /* the grantees, privileges and object of carried GRANT/REVOKE */
    int doc;    /* ... of carried documents (inspect_doc.h); none: no finding */
};

struct rule {
    char *id, *category, *severity, *explanation, *example;
    struct cond conds[INSPECT_MAX_CONDS];
    unsigned nconds;
    int autosev; /* severity "auto": from the access change */
    struct access_spec *acc;
};

/* Which rules name a command: (name, rule) sorted, so that a command
 * looks up its own rules instead of every rule testing its name. */
struct name_ix {
    const char *name; /* in the rule's cmd text, not terminated */
    size_t len;
    uint32_t rule;
};

struct inspect_rules {
    struct rule *v;
    size_t n;
    struct name_ix *ix;
    size_t nix;
    /* Each distinct name's first entry in ix, by hash (open addressing):
     * every command and every word of prose asks, a binary search each
     * was a tenth of a Markdown document's inspection. */
    uint32_t *hash; /* ix position + 1; 0: empty */
    size_t hmask;
    const struct inspect_access_tables *access; /* borrowed; NULL: none */
};

static int
one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

static void
free_srcs(struct src *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        free(v[i].text);
        free(v[i].prefix);
        free(v[i].as);
        inspect_pat_free(&v[i].p);
    }
}

static void
free_rule(struct rule *r)
{
    if (r->acc) {
        free_srcs(r->acc->grantee, r->acc->ngrantee);
        free_srcs(r->acc->privilege, r->acc->nprivilege);
        free_srcs(r->acc->object, r->acc->nobject);
        free(r->acc->kind);
        free(r->acc);
    }
    free(r->id);
    for (unsigned k = 0; k < r->nconds; k++) {
        free(r->conds[k].text);
        inspect_pat_free(&r->conds[k].p);
    }
}

/* Keep "/RE/" (s, n bytes) to compile when first matched (inspect_re.h).
 * 0, or -1 when it is not between slashes or out of memory. */
static int
compile(const char *s, size_t n, uint32_t flags, struct inspect_pat *p)
{
    if (n < 2 || s[0] != '/' || s[n - 1] != '/')
        return -1;
    return inspect_pat_set(p, s + 1, n - 2, flags);
}

static int
regex(const char *s, struct cond *c, uint32_t flags)
{
    return compile(s, strlen(s), flags, &c->p);
}

/* One source: [PREFIX~]BASE[/RE/], BASE --name|-x, #N, * or =TEXT. */
static int
parse_src(const char *s, size_t n, struct src *out)
{
    memset(out, 0, sizeof(*out));
    /* ">TEXT" at the end: right after the /RE/ when there is one */
    const char *gt = NULL;
    if (s[0] != '=') {
        if (memchr(s, '/', n)) {
            for (size_t i = 0; i + 1 < n && !gt; i++)
                if (s[i] == '/' && s[i + 1] == '>')
                    gt = s + i + 1;
        } else {
            gt = memchr(s, '>', n);
        }
    }
    if (gt) {
        if (!(out->as = strndup(gt + 1, n - (size_t)(gt + 1 - s))))
            return -1;
        n = (size_t)(gt - s);
    }
    const char *tilde = memchr(s, '~', n);
    if (tilde && s[0] != '=') {
        if (!(out->prefix = strndup(s, (size_t)(tilde - s))))
            return -1;
        n -= (size_t)(tilde - s) + 1;
        s = tilde + 1;
    }
    if (n && s[0] == '=') {
        out->kind = S_CONST;
        return (out->text = strndup(s + 1, n - 1)) ? 0 : -1;
    }
    const char *slash = memchr(s, '/', n);
    size_t base = slash ? (size_t)(slash - s) : n;
    if (slash && compile(slash, n - base, 0, &out->p))
        return -1;
    if (base >= 2 && s[0] == '-') {
        out->kind = S_OPT;
        return (out->text = strndup(s, base)) ? 0 : -1;
    }
    if (base >= 2 && s[0] == '#' && s[1] >= '1' && s[1] <= '9' && base == 2) {
        out->kind = S_NTH;
        out->nth = (unsigned)(s[1] - '0');
        return 0;
    }
    if (base == 1 && s[0] == '*' && inspect_pat_given(&out->p)) {
        out->kind = S_ANY;
        return 0;
    }
    return -1;
}

/* key=SRC,SRC... into v (at most INSPECT_MAX_SOURCES). */
static int
parse_srcs(const char *s, struct src *v, unsigned *n)
{
    while (*s) {
        /* A comma inside /RE/ does not split. */
        size_t k = 0;
        int in_re = 0;
        for (; s[k] && (in_re || s[k] != ','); k++)
            if (s[k] == '/' && (k == 0 || s[k - 1] != '\\'))
                in_re = !in_re;
        if (*n == INSPECT_MAX_SOURCES || parse_src(s, k, &v[*n]))
            return -1;
        (*n)++;
        s += k + (s[k] == ',');
    }
    return 0;
}

/* The access field: change=C grantee=... privilege=... object=KIND[:SRC] [sql]. */
static int
parse_access(char *f, struct rule *r)
{
    static const char *const changes[] = {"grant",  "revoke",       "make-public",
                                          "expose", "remove-guard", "add-credential"};
    struct access_spec *a = calloc(1, sizeof(*a));
    if (!a)
        return -1;
    r->acc = a;
    for (char *w = f; w && *w;) {
        char *sp = strchr(w, ' ');
        if (sp)
            *sp = '\0';
        char *eq = strchr(w, '=');
        if (!strcmp(w, "sql")) {
            a->sql = 1;
        } else if (!strcmp(w, "doc")) {
            a->doc = 1;
        } else if (!eq) {
            return -1;
        } else {
            *eq = '\0';
            const char *v = eq + 1;
            if (!strcmp(w, "change")) {
                for (size_t i = 0; i < sizeof(changes) / sizeof(*changes); i++)
                    if (!strcmp(v, changes[i]))
                        a->change = changes[i];
                if (!a->change)
                    return -1;
            } else if (!strcmp(w, "grantee")) {
                if (parse_srcs(v, a->grantee, &a->ngrantee))
                    return -1;
            } else if (!strcmp(w, "privilege")) {
                if (parse_srcs(v, a->privilege, &a->nprivilege))
                    return -1;
            } else if (!strcmp(w, "object")) {
                const char *colon = strchr(v, ':');
                if (!(a->kind = colon ? strndup(v, (size_t)(colon - v)) : strdup(v)))
                    return -1;
                if (colon && parse_srcs(colon + 1, a->object, &a->nobject))
                    return -1;
            } else {
                return -1;
            }
        }
        w = sp ? sp + 1 : NULL;
    }
    return a->change ? 0 : -1;
}

static int
parse_cond(char *s, struct cond *c)
{
    memset(c, 0, sizeof(*c));
    if (*s == '!') {
        c->negate = 1;
        s++;
    }
    char *sp = strchr(s, ' ');
    char *arg = sp ? sp + 1 : NULL;
    if (sp)
        *sp = '\0';
    if (!strcmp(s, "mode-widens") && !arg)
        return c->kind = C_MODE, 0;
    if (!strcmp(s, "mode-writable") && !arg)
        return c->kind = C_MODE_WRITE, 0;
    if (!strcmp(s, "mode-readable") && !arg)
        return c->kind = C_MODE_READ, 0;
    if (!strcmp(s, "policy-public") && !arg)
        return c->kind = C_POLICY_PUBLIC, 0;
    if (!strcmp(s, "into-shell") && !arg)
        return c->kind = C_INTO_SHELL, 0;
    if (!strcmp(s, "into-ssh") && !arg)
        return c->kind = C_INTO_SSH, 0;
    if (!arg || !*arg)
        return -1;
    if (!strcmp(s, "cmd") || !strcmp(s, "sub") || !strcmp(s, "flag") || !strcmp(s, "has")) {
        c->kind = s[0] == 'c' ? C_CMD : s[0] == 's' ? C_SUB : s[0] == 'f' ? C_FLAG : C_HAS;
        return (c->text = strdup(arg)) ? 0 : -1;
    }
    if (!strcmp(s, "arg") || !strcmp(s, "redirect") || !strcmp(s, "last") || !strcmp(s, "path") ||
        !strcmp(s, "word")) {
        c->kind = s[0] == 'a'   ? C_ARG
                  : s[0] == 'r' ? C_REDIRECT
                  : s[0] == 'l' ? C_LAST
                  : s[0] == 'p' ? C_PATH
                                : C_WORD;
        return regex(arg, c, 0);
    }
    if (!strcmp(s, "sql")) {
        c->kind = C_SQL;
        return regex(arg, c, PCRE2_CASELESS);
    }
    return -1;
}

/* One line, split in place by tabs, into r. */
static int
parse_rule(char *line, struct rule *r, const char **why)
{
    char *f[7] = {0};
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < 7 && line; i++) {
        f[i] = line;
        char *tab = strchr(line, '\t');
        if (i < 5 && !tab) {
            *why = "expected six tab-separated fields (and an access change)";
            return -1;
        }
        if (tab)
            *tab = '\0';
        line = tab ? tab + 1 : NULL;
    }
    if (line)
        return *why = "more than seven fields", -1;
    if (!inspect_category_valid(f[1]))
        return *why = "unknown category", -1;
    r->autosev = !strcmp(f[2], "auto");
    if (inspect_severity_rank(f[2]) < 0 && !r->autosev)
        return *why = "unknown severity", -1;
    if (f[6] && *f[6] && parse_access(f[6], r))
        return *why = "an access change that is not change=... [grantee=SRC,...] "
                      "[privilege=SRC,...] [object=KIND[:SRC,...]] [sql] [doc]",
               -1;
    if (r->autosev && !r->acc)
        return *why = "severity auto needs an access change", -1;
    /* One allocation for the texts: id, category, severity, explanation, example. */
    size_t need = strlen(f[0]) + strlen(f[1]) + strlen(f[2]) + strlen(f[4]) + strlen(f[5]) + 5;
    char *p = malloc(need);
    if (!p)
        return *why = "out of memory", -1;
    r->id = p;
    const int order[] = {0, 1, 2, 4, 5};
    char **dst[] = {&r->id, &r->category, &r->severity, &r->explanation, &r->example};
    for (int k = 0; k < 5; k++) {
        *dst[k] = p;
        size_t l = strlen(f[order[k]]) + 1;
        memcpy(p, f[order[k]], l);
        p += l;
    }
    /* "\n" in an example is a newline (a here-document's lines) */
    for (char *w = r->example, *q = r->example;; q++) {
        if (q[0] == '\\' && q[1] == 'n')
            *w++ = '\n', q++;
        else if (!(*w++ = *q))
            break;
    }
    for (char *c = f[3]; c && *c;) {
        char *sep = strstr(c, " && ");
        if (sep)
            *sep = '\0';
        if (r->nconds == INSPECT_MAX_CONDS)
            return *why = "too many conditions", -1;
        if (parse_cond(c, &r->conds[r->nconds]))
            return *why = "a condition that is not [!]cmd, sub, arg, last, path, word, has, flag, "
                          "mode-widens, redirect, into-shell, into-ssh, sql or policy-public, or a "
                          "bad "
                          "/regex/",
                   -1;
        r->nconds++;
        c = sep ? sep + 4 : NULL;
    }
    if (!r->nconds || r->conds[0].kind != C_CMD || r->conds[0].negate)
        return *why = "a rule's first condition must be cmd", -1;
    return 0;
}

static int
ix_cmp(const void *a, const void *b)
{
    const struct name_ix *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c || x->len != y->len)
        return c ? c : x->len < y->len ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* FNV-1a: names are a few bytes, the table is built from our own rules. */
static size_t
name_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static int
index_names(struct inspect_rules *rs)
{
    size_t cap = 0;
    for (size_t i = 0; i < rs->n; i++)
        for (const char *p = rs->v[i].conds[0].text; p; p = strchr(p, '|'), p = p ? p + 1 : p)
            cap++;
    if (!(rs->ix = malloc((cap ? cap : 1) * sizeof(*rs->ix))))
        return -1;
    for (size_t i = 0; i < rs->n; i++)
        for (const char *p = rs->v[i].conds[0].text; p;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            rs->ix[rs->nix++] = (struct name_ix){p, len, (uint32_t)i};
            p = bar ? bar + 1 : NULL;
        }
    qsort(rs->ix, rs->nix, sizeof(*rs->ix), ix_cmp);
    size_t slots = 16;
    while (slots < rs->nix * 2)
        slots *= 2;
    if (!(rs->hash = calloc(slots, sizeof(*rs->hash))))
        return -1;
    rs->hmask = slots - 1;
    for (size_t k = 0; k < rs->nix; k++) {
        if (k && rs->ix[k].len == rs->ix[k - 1].len &&
            !memcmp(rs->ix[k].name, rs->ix[k - 1].name, rs->ix[k].len))
            continue; /* not the name's first entry */
        size_t h = name_hash(rs->ix[k].name, rs->ix[k].len) & rs->hmask;
        while (rs->hash[h])
            h = (h + 1) & rs->hmask;
        rs->hash[h] = (uint32_t)k + 1;
    }
    return 0;
}

/* The first index entry for name[0, n), or nix when no rule names it. */
static size_t
ix_find(const struct inspect_rules *rs, const char *name, size_t n)
{
    if (!rs->hash)
        return rs->nix;
    for (size_t h = name_hash(name, n) & rs->hmask; rs->hash[h]; h = (h + 1) & rs->hmask) {
        const struct name_ix *e = &rs->ix[rs->hash[h] - 1];
        if (e->len == n && !memcmp(e->name, name, n))
            return rs->hash[h] - 1;
    }
    return rs->nix;
}

static size_t
ix_first(const struct inspect_rules *rs, const char *name)
{
    return ix_find(rs, name, strlen(name));
}

/* One line of a rule table into rs. */
static int
add_rule(void *arg, char *line, const char **why)
{
    struct inspect_rules *rs = arg;
    if (rs->n == INSPECT_MAX_RULES)
        return *why = "more rules than inspection loads", -1;
    struct rule *v = realloc(rs->v, (rs->n + 1) * sizeof(*v));
    if (!v)
        return *why = "out of memory", -1;
    rs->v = v;
    if (parse_rule(line, &v[rs->n], why)) {
        free_rule(&v[rs->n]);
        return -1;
    }
    rs->n++;
    return 0;
}

int
inspect_rules_load(struct inspect_rules **out, const char *text, size_t len, char *err,
                   size_t errlen)
{
    struct inspect_rules *rs = calloc(1, sizeof(*rs));
    if (!rs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = inspect_table_lines(text, len, add_rule, rs, err, errlen);
    if (!rc && index_names(rs)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc) {
        inspect_rules_free(rs);
        return -1;
    }
    *out = rs;
    return 0;
}

void
inspect_rules_free(struct inspect_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free_rule(&r->v[i]);
    free(r->v);
    free(r->ix);
    free(r->hash);
    free(r);
}

static int
compile_srcs(struct src *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (inspect_pat_given(&v[i].p) && !inspect_pat_ready(&v[i].p))
            return -1;
    return 0;
}

int
inspect_rules_compile(struct inspect_rules *r, char *err, size_t errlen)
{
    for (size_t i = 0; i < r->n; i++) {
        struct rule *u = &r->v[i];
        int bad = 0;
        for (unsigned k = 0; k < u->nconds && !bad; k++)
            bad = inspect_pat_given(&u->conds[k].p) && !inspect_pat_ready(&u->conds[k].p);
        if (!bad && u->acc)
            bad = compile_srcs(u->acc->grantee, u->acc->ngrantee) ||
                  compile_srcs(u->acc->privilege, u->acc->nprivilege) ||
                  compile_srcs(u->acc->object, u->acc->nobject);
        if (bad) {
            snprintf(err, errlen, "rule %s: a pattern does not compile", u->id);
            return -1;
        }
    }
    return 0;
}

void
inspect_rules_set_access(struct inspect_rules *r, const struct inspect_access_tables *t)
{
    r->access = t;
}

int
inspect_rules_name(const struct inspect_rules *r, const char *name, size_t n)
{
    return n > 0 && ix_find(r, name, n) < r->nix;
}

size_t
inspect_rules_count(const struct inspect_rules *r)
{
    return r->n;
}

const char *
inspect_rule_id(const struct inspect_rules *r, size_t i)
{
    return r->v[i].id;
}

const char *
inspect_rule_example(const struct inspect_rules *r, size_t i)
{
    return r->v[i].example;
}

/* ---- matching ---- */

struct view {          /* one command as the rules see it */
    char *const *argv; /* argv[0] is the command */
    size_t argc;
    const struct inspect_cmd *cmd; /* for redirections; NULL for exec'd ones */
    int into_shell;
    int into_ssh; /* its output is piped into ssh */
};

static int
re_match(const struct cond *c, const char *s)
{
    return inspect_pat_match(&c->p, s);
}

static int
names_match(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, "|");
        if (k == n && !memcmp(p, name, n))
            return 1;
        p += k + (p[k] == '|');
    }
    return 0;
}

/* The texts a command carries in its words: operands, option values,
 * here-documents and here-strings.  fn(text, arg) != 0 stops. */
static int
each_text(const struct view *v, const struct inspect_opts *o, int (*fn)(const char *, void *),
          void *arg)
{
    for (size_t i = 0; i < o->noperands; i++)
        if (fn(v->argv[o->operands[i]], arg))
            return 1;
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].value && fn(o->v[i].value, arg))
            return 1;
    for (size_t i = 0; v->cmd && i < v->cmd->nredirs; i++) {
        const struct inspect_redir *r = &v->cmd->redirs[i];
        const char *t = r->heredoc ? r->heredoc : !strcmp(r->op, "<<<") ? r->target : NULL;
        if (t && fn(t, arg))
            return 1;
    }
    return 0;
}

static int
statement_matches(const char *stmt, void *arg)
{
    return re_match(arg, stmt);
}

static int
sql_matches(const char *text, void *arg)
{
    return inspect_sql_each(text, strlen(text), statement_matches, arg) > 0;
}

static int
policy_public(const char *text, void *arg)
{
    (void)arg;
    return inspect_policy_public(text, strlen(text));
}

/* Does w contain one of the |-separated texts of list? */
static int
has_any(const char *w, const char *list)
{
    char one[64];
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, "|");
        if (k && k < sizeof(one)) {
            memcpy(one, p, k);
            one[k] = '\0';
            if (strstr(w, one))
                return 1;
        }
        p += k + (p[k] == '|');
    }
    return 0;
}

/* flag r|R|recursive: any of them given. */
static int
any_flag(const struct inspect_opts *o, const char *names)
{
    char one[64];
    for (const char *p = names; *p;) {
        size_t k = strcspn(p, "|");
        if (k < sizeof(one)) {
            memcpy(one, p, k);
            one[k] = '\0';
            if (inspect_opt_get(o, one))
                return 1;
        }
        p += k + (p[k] == '|');
    }
    return 0;
}

/* Could operand k be the value of the option before it?  Read without a
 * spec, "--profile prod" gives flag profile and operand prod: a sub
 * condition looks past such words (aws --profile prod s3api ...). */
static int
maybe_value(const struct view *v, const struct inspect_opts *o, size_t k)
{
    size_t at = o->operands[k];
    if (at < 2)
        return 0;
    const char *prev = v->argv[at - 1];
    return prev[0] == '-' && prev[1] != '\0' && !strchr(prev, '=') && strcmp(prev, "--") &&
           (k == 0 || o->operands[k - 1] != at - 1);
}

static int
rule_matches(const struct rule *r, const struct view *v, const struct inspect_opts *o,
             size_t *after)
{
    size_t sub = 0; /* operands consumed by sub conditions */
    /* conds[0], the command's name, is how the rule was found (ix_first). */
    for (unsigned k = 1; k < r->nconds; k++) {
        const struct cond *c = &r->conds[k];
        int ok = 0;
        switch (c->kind) {
        case C_CMD:
            ok = names_match(c->text, inspect_basename(v->argv[0]));
            break;
        case C_SUB:
            while (sub < o->noperands && strcmp(v->argv[o->operands[sub]], c->text) &&
                   maybe_value(v, o, sub))
                sub++;
            ok = sub < o->noperands && !strcmp(v->argv[o->operands[sub]], c->text);
            sub++;
            break;
        case C_ARG:
            for (size_t i = 0; !ok && i < o->noperands; i++)
                ok = re_match(c, v->argv[o->operands[i]]);
            for (size_t i = 0; !ok && i < o->n; i++)
                ok = o->v[i].value && re_match(c, o->v[i].value);
            break;
        case C_FLAG:
            ok = any_flag(o, c->text);
            break;
        case C_PATH:
            ok = re_match(c, v->argv[0]);
            break;
        case C_WORD:
            for (size_t i = 1; !ok && i < v->argc; i++)
                ok = re_match(c, v->argv[i]);
            break;
        case C_HAS: /* a cheap test before the regexes of rules for any command */
            ok = k == 1 && !c->negate; /* as the second, cheap_reject passed it already */
            for (size_t i = 0; !ok && i < v->argc; i++)
                ok = has_any(v->argv[i], c->text);
            break;
        case C_LAST:
            ok = o->noperands > sub && re_match(c, v->argv[o->operands[o->noperands - 1]]);
            break;
        case C_MODE:
        case C_MODE_WRITE:
        case C_MODE_READ: {
            struct inspect_mode m;
            /* chmod's mode is its first operand; a mode like -w can look like an option */
            ok = o->noperands && !inspect_mode_parse(v->argv[o->operands[0]], &m);
            int writes = m.other_write || m.group_write;
            if (ok)
                ok = c->kind == C_MODE_WRITE  ? writes
                     : c->kind == C_MODE_READ ? inspect_mode_widens(&m) && !writes && !m.setid
                                              : inspect_mode_widens(&m);
            break;
        }
        case C_REDIRECT:
            for (size_t i = 0; !ok && v->cmd && i < v->cmd->nredirs; i++)
                ok = re_match(c, v->cmd->redirs[i].target);
            /* tee FILE writes FILE as > FILE does */
            for (size_t i = 0;
                 !ok && !strcmp(inspect_basename(v->argv[0]), "tee") && i < o->noperands; i++)
                ok = re_match(c, v->argv[o->operands[i]]);
            break;
        case C_INTO_SHELL:
            ok = v->into_shell;
            break;
        case C_INTO_SSH:
            ok = v->into_ssh;
            break;
        case C_SQL:
            ok = each_text(v, o, sql_matches, (void *)c);
            break;
        case C_POLICY_PUBLIC:
            ok = each_text(v, o, policy_public, NULL);
            break;
        }
        if (ok == c->negate)
            return 0;
    }
    *after = sub;
    return 1;
}

/* ---- access changes ---- */

struct acc_eval {
    const struct inspect_access_tables *t;
    struct inspect_access *a;
    int widest, highest, have_object;
};

enum part { P_GRANTEE, P_PRIVILEGE, P_OBJECT };

/* One value found for a part of the access change. */
static void
take(struct acc_eval *e, enum part part, const char *prefix, const char *val, size_t n)
{
    char buf[INSPECT_MAX_ACCESS_TEXT * 2];
    if (!n)
        return;
    /* prefix and value, cut to fit (snprintf was a tenth of the change's cost) */
    size_t pl = prefix ? strlen(prefix) : 0;
    pl = pl < sizeof(buf) - 1 ? pl : sizeof(buf) - 1;
    size_t vl = n < sizeof(buf) - 1 - pl ? n : sizeof(buf) - 1 - pl;
    if (pl)
        memcpy(buf, prefix, pl);
    memcpy(buf + pl, val, vl);
    buf[pl + vl] = '\0';
    if (part == P_GRANTEE) {
        const char *b = inspect_access_breadth(e->t, buf);
        int rank = inspect_breadth_rank(b);
        if (rank > e->widest) {
            e->widest = rank;
            e->a->breadth = b;
            inspect_access_text(e->a->grantee, buf);
        }
    } else if (part == P_PRIVILEGE) {
        /* "SELECT, INSERT" and "read,write": the highest of them */
        const char *pv = inspect_access_highest(e->t, buf);
        if (inspect_privilege_rank(pv) > e->highest) {
            e->highest = inspect_privilege_rank(pv);
            e->a->privilege = pv;
        }
    } else if (!e->have_object) {
        e->have_object = 1;
        inspect_access_text(e->a->object, buf);
    }
}

/* A value through the source's /RE/ (its first group, when set). */
static void
filtered(struct acc_eval *e, enum part part, const struct src *s, const char *val)
{
    if (!inspect_pat_given(&s->p) && s->as) {
        take(e, part, s->prefix, s->as, strlen(s->as));
        return;
    }
    if (!inspect_pat_given(&s->p)) {
        take(e, part, s->prefix, val, strlen(val));
        return;
    }
    if (!inspect_pat_match(&s->p, val))
        return;
    if (s->as) {
        take(e, part, s->prefix, s->as, strlen(s->as));
        return;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->p.md);
    size_t g = pcre2_get_ovector_count(s->p.md) > 1 && ov[2] != PCRE2_UNSET ? 1 : 0;
    take(e, part, s->prefix, val + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* Is word a the option name (--member, -u), with its value where? */
static const char *
opt_value(const char *a, const char *name, size_t n, const char *next)
{
    if (strncmp(a, name, n))
        return NULL;
    if (a[n] == '\0')
        return next;
    if (a[n] == '=' && name[1] == '-')
        return a + n + 1;
    if (name[1] != '-' && n == 2)
        return a + 2; /* -uVALUE */
    return NULL;
}

static void
from_src(struct acc_eval *e, enum part part, const struct src *s, const struct view *v,
         const struct inspect_opts *o, size_t after)
{
    switch (s->kind) {
    case S_CONST:
        take(e, part, s->prefix, s->text, strlen(s->text));
        break;
    case S_NTH:
        if (after + s->nth - 1 < o->noperands)
            filtered(e, part, s, v->argv[o->operands[after + s->nth - 1]]);
        break;
    case S_ANY:
        for (size_t i = after; i < o->noperands; i++)
            filtered(e, part, s, v->argv[o->operands[i]]);
        for (size_t i = 0; i < o->n; i++)
            if (o->v[i].value)
                filtered(e, part, s, o->v[i].value);
        break;
    case S_OPT:
        for (size_t i = 1; i < v->argc; i++) {
            if (!strcmp(v->argv[i], "--"))
                break;
            for (const char *p = s->text; *p;) {
                size_t k = strcspn(p, "|");
                const char *val =
                    opt_value(v->argv[i], p, k, i + 1 < v->argc ? v->argv[i + 1] : NULL);
                if (val)
                    filtered(e, part, s, val);
                p += k + (p[k] == '|');
            }
        }
        break;
    }
}

struct sql_acc {
    struct acc_eval *e;
    int revoke;
};

static int
sql_grant(const char *stmt, void *arg)
{
    struct sql_acc *x = arg;
    struct inspect_sql_grant g;
    char buf[4096];
    if (!inspect_sql_grant(stmt, buf, sizeof(buf), &g))
        return 0;
    x->revoke |= g.revoke;
    for (size_t i = 0; i < g.ngrantees; i++)
        take(x->e, P_GRANTEE, NULL, g.grantees[i], strlen(g.grantees[i]));
    if (g.more)
        take(x->e, P_GRANTEE, NULL, INSPECT_UNREAD_GRANTEE, strlen(INSPECT_UNREAD_GRANTEE));
    take(x->e, P_PRIVILEGE, NULL, g.privileges, strlen(g.privileges));
    /* WITH GRANT OPTION: they may pass it on */
    for (const char *p = stmt; (p = strchr(p, ' ')) != NULL; p++)
        if (!strncasecmp(p, " WITH GRANT OPTION", 18) || !strncasecmp(p, " WITH ADMIN", 11))
            x->e->a->privilege = "admin", x->e->highest = inspect_privilege_rank("admin");
    if (*g.object)
        take(x->e, P_OBJECT, NULL, g.object, strlen(g.object));
    else
        take(x->e, P_OBJECT, "role ", g.privileges, strlen(g.privileges));
    return 0;
}

struct doc_acc {
    struct acc_eval *e;
    unsigned found, broken;
};

static void
doc_change(void *arg, const struct inspect_doc_change *c)
{
    struct doc_acc *x = arg;
    x->found++;
    take(x->e, P_GRANTEE, NULL, c->grantee, strlen(c->grantee));
    take(x->e, P_PRIVILEGE, NULL, c->privilege, strlen(c->privilege));
    if (*c->object)
        take(x->e, P_OBJECT, NULL, c->object, strlen(c->object));
}

static int
doc_text(const char *text, void *arg)
{
    struct doc_acc *x = arg;
    int r = inspect_doc_access(text, strlen(text), DOC_SNIFF, doc_change, x);
    x->broken += r == INSPECT_DOC_BROKEN || r < 0;
    return 0;
}

static int
sql_text(const char *text, void *arg)
{
    (void)inspect_sql_each(text, strlen(text), sql_grant, arg);
    return 0;
}

/* The access change rule r finds in v, and its severity rank; -1 when a
 * rule reading documents found none. */
static int
access_of(const struct inspect_rules *rs, const struct rule *r, const struct view *v,
          const struct inspect_opts *o, size_t after, struct inspect_access *a)
{
    const struct access_spec *sp = r->acc;
    memset(a, 0, sizeof(*a));
    a->change = sp->change;
    a->breadth = a->privilege = "";
    a->kind = sp->kind ? sp->kind : "";
    if (!rs->access)
        return INSPECT_SEV_HIGH;
    struct acc_eval e = {rs->access, a, 0, 0, 0};
    for (unsigned i = 0; i < sp->ngrantee; i++)
        from_src(&e, P_GRANTEE, &sp->grantee[i], v, o, after);
    for (unsigned i = 0; i < sp->nprivilege; i++)
        from_src(&e, P_PRIVILEGE, &sp->privilege[i], v, o, after);
    for (unsigned i = 0; i < sp->nobject; i++)
        from_src(&e, P_OBJECT, &sp->object[i], v, o, after);
    if (sp->sql) {
        struct sql_acc x = {&e, 0};
        (void)each_text(v, o, sql_text, &x);
        if (x.revoke)
            a->change = "revoke";
    }
    if (sp->doc) {
        struct doc_acc x = {&e, 0, 0};
        (void)each_text(v, o, doc_text, &x);
        if (!x.found && !x.broken)
            return -1; /* no document that grants anything: not this rule's */
    }
    /* A change with a grantee that could not be read is of unknown breadth. */
    if ((sp->ngrantee || sp->sql || sp->doc) && !*a->breadth)
        a->breadth = "unknown";
    if ((sp->nprivilege || sp->sql || sp->doc) && !*a->privilege)
        a->privilege = "unknown";
    return inspect_access_severity(rs->access, a);
}

struct ctx {
    const struct inspect_rules *r;
    int weak; /* code's string literals: a parse error is no finding */
    struct inspect_list *l;
    uint32_t base; /* where the text starts in what the list is about */
    /* Inside a carried text (sh -c '...') offsets are the carrier's: the
     * command a person sees is the one that carries. */
    int pinned;
    uint32_t pin_off, pin_end;
};

static void
found_access(struct ctx *x, const char *rule, const char *cat, const char *sev, const char *why,
             uint32_t off, uint32_t end, const struct inspect_access *a)
{
    if (x->pinned)
        off = x->pin_off, end = x->pin_end;
    struct inspect_finding f = {
        rule, cat, sev, why, x->base + off, x->base + (end < off ? off : end), {0}};
    if (a)
        f.access = *a;
    inspect_list_add(x->l, &f);
}

static void
found(struct ctx *x, const char *rule, const char *cat, const char *sev, const char *why,
      uint32_t off, uint32_t end)
{
    found_access(x, rule, cat, sev, why, off, end, NULL);
}

/* A view's words joined, each ended by a NUL, for the "has" tests of the
 * rules for any command: one search for each text, not one for each word
 * and text.  len 0: the words did not fit, and each is searched. */
struct joined {
    char b[2048];
    size_t len;
};

static void
join_view(const struct view *v, struct joined *j)
{
    j->len = 0;
    for (size_t i = 0; i < v->argc; i++) {
        size_t n = strlen(v->argv[i]) + 1;
        if (n > sizeof(j->b) - j->len) {
            j->len = 0;
            return;
        }
        memcpy(j->b + j->len, v->argv[i], n);
        j->len += n;
    }
}

/* Whether b[0, n) holds the k bytes of t: memchr for the first, then a
 * compare (the texts are a few bytes long, the words a few hundred; the
 * C library's memmem prepares for long needles). */
static int
contains(const char *b, size_t n, const char *t, size_t k)
{
    for (const char *p = b, *end = b + n; (size_t)(end - p) >= k;) {
        const char *q = memchr(p, t[0], (size_t)(end - p) - k + 1);
        if (!q)
            return 0;
        if (!memcmp(q + 1, t + 1, k - 1))
            return 1;
        p = q + 1;
    }
    return 0;
}

/* A rule whose second condition is "has" and fails, known before the
 * command's options are read (the rules for any command start so). */
static int
cheap_reject(const struct rule *r, const struct view *v, const struct joined *j)
{
    if (r->nconds < 2 || r->conds[1].kind != C_HAS || r->conds[1].negate)
        return 0;
    if (!j->len) {
        for (size_t i = 0; i < v->argc; i++)
            if (has_any(v->argv[i], r->conds[1].text))
                return 0;
        return 1;
    }
    for (const char *p = r->conds[1].text; *p;) {
        size_t k = strcspn(p, "|");
        if (k && contains(j->b, j->len, p, k))
            return 0;
        p += k + (p[k] == '|');
    }
    return 1;
}

/* Only the command's help, its version or its shell completion script:
 * what the rules for that command describe does not happen (the rules
 * for any command still run: ./tool --help runs ./tool). */
static int
asks_info(const struct view *v)
{
    static const char *const info[] = {"--help",   "-h",   "-help",   "--version", "-V",
                                       "-version", "help", "version", "--usage"};
    if (v->argc == 2)
        return one_of(v->argv[1], info, sizeof(info) / sizeof(*info));
    return v->argc >= 2 && v->argc <= 4 && !strcmp(v->argv[1], "completion");
}

static void
match_view(struct ctx *x, const struct view *v, const struct inspect_cmd *c)
{
    static const struct inspect_optspec generic = {"", "", "", 0, 0, ""};
    struct inspect_opts o;
    struct joined j;
    int parsed = 0, joined_made = 0;
    if (v->argc == 0)
        return;
    const char *name = inspect_basename(v->argv[0]);
    /* Every rule starts with cmd: only the rules naming this command are
     * tried (in table order), then those for any command ("cmd *"), and
     * the options are read only for them. */
    const char *const keys[2] = {name, "*"};
    for (int pass = asks_info(v); pass < 2; pass++) {
        size_t nlen = strlen(keys[pass]);
        if (pass && !strcmp(name, "*"))
            break;
        for (size_t k = ix_first(x->r, keys[pass]); k < x->r->nix; k++) {
            const struct name_ix *e = &x->r->ix[k];
            if (e->len != nlen || memcmp(e->name, keys[pass], nlen))
                break;
            const struct rule *r = &x->r->v[e->rule];
            if (r->nconds > 1 && r->conds[1].kind == C_HAS && !joined_made++)
                join_view(v, &j);
            if (cheap_reject(r, v, &j))
                continue;
            if (!parsed++) {
                const struct inspect_optspec *spec = inspect_access_options(x->r->access, name);
                inspect_opts_parse(v->argv, v->argc, spec ? spec : &generic, &o);
            }
            size_t after;
            if (!rule_matches(r, v, &o, &after))
                continue;
            if (!r->acc) {
                found(x, r->id, r->category, r->severity, r->explanation, c->off, c->end);
                continue;
            }
            struct inspect_access a;
            int rank = access_of(x->r, r, v, &o, after, &a);
            if (rank < 0)
                continue;
            const char *sev = r->autosev ? inspect_severity_name(rank) : r->severity;
            found_access(x, r->id, r->category, sev, r->explanation, c->off, c->end, &a);
        }
    }
}

static int
is_shell(const char *w)
{
    static const char *const shells[] = {"sh",     "bash",    "dash", "zsh",  "ksh", "ash",
                                         "python", "python3", "perl", "ruby", "node"};
    return one_of(inspect_basename(w), shells, sizeof(shells) / sizeof(shells[0]));
}

static void analyse(struct ctx *x, const char *text, size_t len, unsigned depth);
static void fetched_then_run(struct ctx *x, const struct inspect_script *s,
                             const struct inspect_unwrapped *uw, const int *ok, size_t n);

/* Interpreters and the option that hands them code on the command line. */
static const struct {
    const char *name, *opts;
} interpreters[] = {
    {"python", "c"},    {"python2", "c"}, {"python3", "c"}, {"pypy", "c"},    {"pypy3", "c"},
    {"perl", "eE"},     {"ruby", "e"},    {"node", "ep"},   {"nodejs", "ep"}, {"deno", ""},
    {"php", "r"},       {"lua", "e"},     {"Rscript", "e"}, {"R", "e"},       {"tclsh", ""},
    {"osascript", "e"}, {"jjs", ""},      {"bun", "e"},
};

/* The code given to interpreter argv[0] (-c CODE, -e CODE, --eval=CODE), or NULL. */
static const char *
interpreter_code(char *const *argv, size_t argc)
{
    const char *name = inspect_basename(argv[0]), *opts = NULL;
    for (size_t i = 0; i < sizeof(interpreters) / sizeof(*interpreters) && !opts; i++)
        if (name[0] == interpreters[i].name[0] && !strcmp(name, interpreters[i].name))
            opts = interpreters[i].opts;
    for (size_t i = 1; opts && *opts && i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "--eval", 6) || !strncmp(a, "--print", 7))
            return a[strcspn(a, "=")] ? a + strcspn(a, "=") + 1 : i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
            return NULL; /* a script or its arguments: the code is in a file */
        /* -c CODE, -Ic CODE, -cCODE */
        for (const char *p = a + 1; *p; p++)
            if (strchr(opts, *p))
                return p[1] ? p + 1 : i + 1 < argc ? argv[i + 1] : NULL;
    }
    return NULL;
}

/* Code read plainly: each string literal in it ("...", '...', `...`) read
 * as a shell command (what code hands to a shell: os.system("..."),
 * execSync('...')), forgiven for not being shell. */
static void
code_literals(struct ctx *x, const char *code, unsigned depth)
{
    size_t len = strlen(code);
    int was = x->weak;
    x->weak = 1;
    for (size_t i = 0; i < len && !x->l->full;) {
        char q = code[i];
        if (q != '"' && q != '\'' && q != '`') {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < len && code[j] != q)
            j += code[j] == '\\' && j + 1 < len ? 2 : 1;
        if (j > i + 1 && j <= len)
            analyse(x, code + i + 1, j - i - 1, depth + 1);
        i = j + 1;
    }
    x->weak = was;
}

/* Code on an interpreter's command line: read plainly when it is short
 * and plain, else opaque: never nothing. */
static void
interpreted(struct ctx *x, const struct inspect_cmd *c, const char *code, unsigned depth)
{
    static const char *const hidden[] = {
        "b64decode", "base64", "decode(", "exec(", "eval(",   "compile(",  "fromCharCode", "\\x",
        "chr(",      "pack(",  "unhex",   "zlib",  "marshal", "Function(", "atob(",
    };
    int plain = strlen(code) <= INSPECT_MAX_PLAIN_CODE;
    for (size_t i = 0; plain && i < sizeof(hidden) / sizeof(*hidden); i++)
        plain = !strstr(code, hidden[i]);
    if (!plain) {
        found(x, "opaque-code", "opaque", "medium",
              "code handed to an interpreter that inspection cannot read plainly (long, encoded "
              "or built at run time)",
              c->off, c->end);
        return;
    }
    if (depth + 1 > INSPECT_MAX_CARRY_DEPTH)
        return;
    int was = x->pinned;
    if (!was)
        x->pinned = 1, x->pin_off = c->off, x->pin_end = c->end;
    code_literals(x, code, depth);
    x->pinned = was;
}

/* Whether command u (unwrapped) is a shell: its real command, or a shell
 * wrapper that runs a script or its input. */
static int
runs_shell(const struct inspect_cmd *c, const struct inspect_unwrapped *u)
{
    return (u->cmd < c->argc && is_shell(c->argv[u->cmd])) ||
           ((u->opaque || u->reads_input) && u->nvia && is_shell(u->via[u->nvia - 1]));
}

/* Words [from, argc) of c joined by spaces, when none has a flag of
 * reject (an expansion) nor, with no_escapes, a % or a backslash; else
 * NULL.  malloc'd. */
static char *
literal_words(const struct inspect_cmd *c, size_t from, unsigned reject, int no_escapes)
{
    size_t need = 1;
    for (size_t k = from; k < c->argc; k++) {
        if ((c->argflags[k] & reject) ||
            (no_escapes && (strchr(c->argv[k], '%') || strchr(c->argv[k], '\\'))))
            return NULL;
        need += strlen(c->argv[k]) + 1;
    }
    char *t = malloc(need), *p = t;
    for (size_t k = from; t && k < c->argc; k++) {
        size_t n = strlen(c->argv[k]);
        if (k > from)
            *p++ = ' ';
        memcpy(p, c->argv[k], n);
        p += n;
    }
    if (t)
        *p = '\0';
    return t;
}

/* text analysed as a script c carries, its findings pinned to c. */
static void
analyse_pinned(struct ctx *x, const struct inspect_cmd *c, const char *text, unsigned depth)
{
    int was = x->pinned;
    if (!was)
        x->pinned = 1, x->pin_off = c->off, x->pin_end = c->end;
    analyse(x, text, strlen(text), depth + 1);
    x->pinned = was;
}

/* "eval 'TEXT'" whose words expand nothing: TEXT analysed as the command
 * it is (pinned to the eval).  1 when it was. */
static int
eval_literal(struct ctx *x, const struct inspect_cmd *c, unsigned depth)
{
    if (c->argc < 2 || strcmp(c->argv[0], "eval") || depth + 1 > INSPECT_MAX_CARRY_DEPTH)
        return 0;
    char *t = literal_words(c, 1, WORD_PARAM | WORD_CMDSUB | WORD_ARITH | WORD_PROCSUB, 0);
    if (!t)
        return 0;
    analyse_pinned(x, c, t, depth);
    free(t);
    return 1;
}

/* The text echo or printf writes when every word of it is literal (no
 * expansion, no printf conversion), or NULL.  malloc'd. */
static char *
literal_output(const struct inspect_cmd *p, size_t from)
{
    const char *name = inspect_basename(p->argv[from]);
    int is_printf = !strcmp(name, "printf");
    if (!is_printf && strcmp(name, "echo"))
        return NULL;
    size_t i = from + 1;
    while (!is_printf && i < p->argc &&
           (!strcmp(p->argv[i], "-n") || !strcmp(p->argv[i], "-e") || !strcmp(p->argv[i], "-E")))
        i++;
    if (is_printf && p->argc - i != 1)
        return NULL; /* a format and its arguments */
    /* printf's conversions and escapes, echo -e's: not read here */
    return literal_words(p, i, WORD_PARAM | WORD_CMDSUB | WORD_ARITH | WORD_PROCSUB | WORD_GLOB, 1);
}

/* A shell given no script (uw[i].reads_input): what it reads is read as a
 * script when the command line says it (a here-document, a here-string,
 * echo or printf of literal words piped in); otherwise (a file, another
 * command, a terminal) it is opaque. */
static void
shell_input(struct ctx *x, const struct inspect_script *s, size_t i,
            const struct inspect_unwrapped *uw, const int *ok, unsigned depth)
{
    const struct inspect_cmd *c = &s->cmds[i];
    const char *why = NULL;
    char *text = NULL;
    for (size_t k = 0; k < c->nredirs && !why && !text; k++) {
        const struct inspect_redir *r = &c->redirs[k];
        if (r->fd != 0 && r->op[0] != '<')
            continue;
        if (r->heredoc || !strcmp(r->op, "<<<"))
            text = strdup(r->heredoc ? r->heredoc : r->target);
        else if (!strcmp(r->op, "<") || !strcmp(r->op, "<>"))
            why = "a shell runs a file given as its input, which inspection cannot see";
    }
    if (!why && !text && c->stage > 0) {
        const struct inspect_cmd *p = i > 0 ? &s->cmds[i - 1] : NULL;
        if (p && p->pipeline == c->pipeline && p->stage + 1 == c->stage && ok[i - 1] &&
            uw[i - 1].nvia == 0 && uw[i - 1].cmd < p->argc)
            text = literal_output(p, uw[i - 1].cmd);
        if (!text)
            why = "a shell runs what another command writes to it, which inspection cannot see";
    }
    /* Nothing says what it reads: a person at a terminal, or whatever
     * started it (GTFOBins' shell escapes are shells started so). */
    if (!why && !text)
        why = "a shell runs its input, which inspection cannot see";
    if (why) {
        if (!uw[i].opaque) /* said already */
            found(x, "opaque", "opaque", "medium", why, c->off, c->end);
    } else if (text && depth + 1 > INSPECT_MAX_CARRY_DEPTH) {
        found(x, "opaque", "opaque", "high", "shells carried deeper than inspection reads", c->off,
              c->end);
    } else if (text) {
        analyse_pinned(x, c, text, depth);
    }
    free(text);
}

/* Command i of s, with uw[i] its unwrapping (ok[i]: it unwrapped). */
static void
analyse_cmd(struct ctx *x, const struct inspect_script *s, size_t i,
            const struct inspect_unwrapped *uw, const int *ok, unsigned depth)
{
    const struct inspect_cmd *c = &s->cmds[i];
    const struct inspect_unwrapped *u = &uw[i];
    /* eval of words that expand nothing runs them as a command: read it */
    if (eval_literal(x, c, depth))
        return;
    if (c->flags & CMD_OPAQUE)
        found(x, "opaque", "opaque", "high",
              "the command's name is only known when it runs (a variable, a substitution, "
              "eval)",
              c->off, c->end);
    if (!ok[i]) {
        found(x, "opaque", "opaque", "high", "wrappers nested deeper than inspection reads", c->off,
              c->end);
        return;
    }
    /* Is the next stage of this pipeline a shell? */
    const struct inspect_cmd *d = i + 1 < s->n ? &s->cmds[i + 1] : NULL;
    int into = d && ok[i + 1] && d->pipeline == c->pipeline && d->stage == c->stage + 1 &&
               runs_shell(d, &uw[i + 1]);
    if (u->opaque)
        found(x, "opaque", "opaque", "medium",
              "a shell runs a script or its input, which inspection cannot see", c->off, c->end);
    if (u->reads_input)
        shell_input(x, s, i, uw, ok, depth);
    int to_ssh = d && ok[i + 1] && d->pipeline == c->pipeline && d->stage == c->stage + 1 &&
                 uw[i + 1].cmd < d->argc &&
                 !strcmp(inspect_basename(d->argv[uw[i + 1].cmd]), "ssh");
    if (u->cmd < c->argc) {
        struct view v = {c->argv + u->cmd, c->argc - u->cmd, c, into, to_ssh};
        match_view(x, &v, c);
    }
    /* Each NAME=value before a command (or alone) is seen as the command
     * "=" with that one operand: LD_PRELOAD=..., NODE_TLS_REJECT_UNAUTHORIZED=0. */
    for (size_t k = 0; k < c->nassigns; k++) {
        char *av[2] = {"=", c->assigns[k]};
        struct view v = {av, 2, c, 0, 0};
        match_view(x, &v, c);
    }
    for (size_t k = 0; k < u->nrun; k++) {
        struct view v = {c->argv + u->run_start[k], u->run_end[k] - u->run_start[k], NULL, 0, 0};
        match_view(x, &v, c);
    }
    const char *code =
        u->cmd < c->argc ? interpreter_code(c->argv + u->cmd, c->argc - u->cmd) : NULL;
    if (code)
        interpreted(x, c, code, depth);
    int was = x->pinned;
    if (!was)
        x->pinned = 1, x->pin_off = c->off, x->pin_end = c->end;
    for (size_t k = 0; k < u->ncarried; k++) {
        if (depth + 1 > INSPECT_MAX_CARRY_DEPTH)
            found(x, "opaque", "opaque", "high", "shells carried deeper than inspection reads",
                  c->off, c->end);
        else
            analyse(x, u->carried[k], strlen(u->carried[k]), depth + 1);
    }
    x->pinned = was;
}

/* ---- variables whose value can be known before the script runs ---- */

struct var {
    char name[64];
    char *value; /* NULL: set more than once, or to what cannot be known */
};

static struct var *
var_find(struct var *v, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i].name) == len && !memcmp(v[i].name, name, len))
            return &v[i];
    return NULL;
}

/* The value an assignment's text gives, when it can be known: a word
 * without expansions, or $(which CMD), $(command -v CMD), `which CMD`
 * (the program's name stands for its path).  NULL otherwise. */
static char *
known_value(const char *val)
{
    if (!strpbrk(val, "$`\\"))
        return strdup(val);
    static const char *const lookups[] = {"$(which ", "$(command -v ", "`which ", "$(type -P ",
                                          "`command -v "};
    for (size_t i = 0; i < sizeof(lookups) / sizeof(*lookups); i++) {
        size_t k = strlen(lookups[i]);
        if (strncmp(val, lookups[i], k))
            continue;
        const char *name = val + k;
        size_t n =
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-");
        char close = lookups[i][0] == '`' ? '`' : ')';
        if (n && name[n] == close && name[n + 1] == '\0')
            return strndup(name, n);
    }
    return NULL;
}

/* Is w the name of v's variable, or NAME=... of it (export X=..., read X,
 * unset X, printf -v X, local X ...)? */
static int
names_var(const char *w, const struct var *v)
{
    size_t n = strlen(v->name);
    return !strncmp(w, v->name, n) && (w[n] == '\0' || w[n] == '=' || w[n] == '+');
}

/* Set the variables of s's assignments, and read words that are exactly
 * $NAME or ${NAME} as their value: "M=777; chmod -R $M /srv" and
 * "x=$(which chmod); $x 777 /srv" are read as what they run.  Only what
 * cannot be otherwise is read: a variable assigned once, by a plain
 * assignment outside control structures, substitutions and subshells, to
 * a literal (or the path of a named program), whose name no command's
 * words mention (export X=..., read X, unset X, X+=...), in a text without
 * eval or source; and only in commands outside control structures.  Else
 * the word stays an expansion, and a command named by one opaque.  VARS
 * bounds what is remembered. */
#define VARS 64
static void
resolve_vars(struct inspect_script *s)
{
    struct var v[VARS];
    size_t nv = 0;
    /* 1: the candidates */
    for (size_t i = 0; i < s->n; i++) {
        const struct inspect_cmd *c = &s->cmds[i];
        if (c->argc && (!strcmp(c->argv[0], "eval") || !strcmp(c->argv[0], "source") ||
                        !strcmp(c->argv[0], ".")))
            goto out; /* what they set cannot be known */
        for (size_t k = 0; c->argc == 0 && k < c->nassigns; k++) {
            const char *a = c->assigns[k], *eq = strchr(a, '=');
            if (!eq || eq == a || (size_t)(eq - a) >= sizeof(v[0].name))
                continue;
            size_t n = (size_t)(eq - a) - (eq[-1] == '+');
            struct var *e = var_find(v, nv, a, n);
            if (!e && nv < VARS) {
                e = &v[nv++];
                snprintf(e->name, sizeof(e->name), "%.*s", (int)n, a);
                e->value = (c->flags & (CMD_CONTROL | CMD_SUBST | CMD_SUBSHELL)) || eq[-1] == '+'
                               ? NULL
                               : known_value(eq + 1);
            } else if (e) {
                free(e->value); /* set again: which one holds is not known */
                e->value = NULL;
            }
        }
    }
    /* 2: names other commands set or change */
    for (size_t i = 0; i < s->n; i++) {
        const struct inspect_cmd *c = &s->cmds[i];
        for (size_t k = 0; k < c->argc; k++)
            for (size_t j = 0; j < nv; j++)
                if (v[j].value && names_var(c->argv[k], &v[j])) {
                    free(v[j].value);
                    v[j].value = NULL;
                }
        for (size_t k = 0; c->argc && k < c->nassigns; k++) /* X=y cmd: for cmd only */
            for (size_t j = 0; j < nv; j++)
                if (v[j].value && names_var(c->assigns[k], &v[j])) {
                    free(v[j].value);
                    v[j].value = NULL;
                }
    }
    /* 3: the words read */
    for (size_t i = 0; i < s->n; i++) {
        struct inspect_cmd *c = &s->cmds[i];
        if (c->flags & CMD_CONTROL)
            continue;
        for (size_t k = 0; k < c->argc; k++) {
            const char *w = c->argv[k];
            size_t len = strlen(w);
            const char *name = NULL;
            size_t n = 0;
            if (len > 1 && w[0] == '$' && w[1] != '{')
                name = w + 1, n = len - 1;
            else if (len > 3 && w[0] == '$' && w[1] == '{' && w[len - 1] == '}')
                name = w + 2, n = len - 3;
            if (!name ||
                strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                    n)
                continue;
            struct var *e = var_find(v, nv, name, n);
            char *val = e && e->value ? strdup(e->value) : NULL;
            if (!val)
                continue;
            free(c->argv[k]);
            c->argv[k] = val;
            c->argflags[k] &= ~(unsigned)WORD_PARAM;
            if (k == 0 &&
                !(c->argflags[0] & (WORD_PARAM | WORD_CMDSUB | WORD_ARITH | WORD_PROCSUB)))
                c->flags &= ~(unsigned)CMD_OPAQUE;
        }
    }
out:
    for (size_t i = 0; i < nv; i++)
        free(v[i].value);
}

static void
analyse(struct ctx *x, const char *text, size_t len, unsigned depth)
{
    struct inspect_script s;
    if (inspect_shell_parse(text, len, &s) && !x->weak)
        found(x, "parse", "opaque", "high", s.error ? s.error : "the text does not parse",
              s.error_off, (uint32_t)len);
    resolve_vars(&s);
    /* Each command unwrapped once: the pipeline check looks at the next. */
    struct inspect_unwrapped *uw = calloc(s.n ? s.n : 1, sizeof(*uw));
    int *ok = calloc(s.n ? s.n : 1, sizeof(*ok));
    size_t n = uw && ok ? s.n : 0;
    if (n < s.n)
        found(x, "opaque", "opaque", "high", "out of memory while inspecting", 0, (uint32_t)len);
    for (size_t i = 0; i < n; i++)
        ok[i] = inspect_unwrap(s.cmds[i].argv, s.cmds[i].argc, &uw[i]) == 0;
    for (size_t i = 0; i < n && !x->l->full; i++)
        analyse_cmd(x, &s, i, uw, ok, depth);
    fetched_then_run(x, &s, uw, ok, n);
    for (size_t i = 0; i < n; i++)
        inspect_unwrapped_release(&uw[i]);
    free(uw);
    free(ok);
    inspect_script_release(&s);
}

/* ---- a file downloaded, then run: curl -O URL; bash file ---- */

/* Where command c (its real command at u->cmd) downloads to: the file it
 * writes (-o FILE, wget -O FILE) or the URL's last part (-O, wget's
 * default), as a base name.  NULL when it downloads nowhere. */
static const char *
downloads_to(const struct inspect_cmd *c, const struct inspect_unwrapped *u, char *out, size_t cap)
{
    static const struct inspect_optspec curl = {
        "AbcCdDEeFHKmoPQrtTuUwxXyYz",
        " agent cookie cookie-jar continue-at data data-raw data-binary data-urlencode "
        "dump-header cert referer form header config max-time output proxy range upload-file "
        "user proxy-user write-out request connect-timeout retry output-dir url ",
        "output=o remote-name=O",
        0,
        0,
        ""};
    static const struct inspect_optspec wget = {
        "OoPUeiatTwlARDBQ",
        " output-document output-file directory-prefix user-agent execute input-file header "
        "user password post-data post-file tries timeout wait ",
        "output-document=O",
        0,
        0,
        ""};
    if (u->cmd >= c->argc)
        return NULL;
    const char *name = inspect_basename(c->argv[u->cmd]);
    int is_curl = !strcmp(name, "curl");
    if (!is_curl && strcmp(name, "wget"))
        return NULL;
    struct inspect_opts o;
    inspect_opts_parse(c->argv + u->cmd, c->argc - u->cmd, is_curl ? &curl : &wget, &o);
    const struct inspect_opt *f = inspect_opt_get(&o, is_curl ? "o" : "O");
    const char *file = f && f->value ? f->value : NULL;
    if (!file && (!is_curl || inspect_opt_get(&o, "O"))) {
        for (size_t k = 0; k < o.noperands && !file; k++) {
            const char *w = c->argv[u->cmd + o.operands[k]];
            if (strstr(w, "://"))
                file = w;
        }
        if (file) { /* the URL's last part, before its query */
            size_t n = strcspn(file, "?#");
            const char *b = file;
            for (size_t k = 0; k < n; k++)
                if (file[k] == '/')
                    b = file + k + 1;
            snprintf(out, cap, "%.*s", (int)(n - (size_t)(b - file)), b);
            return out[0] ? out : NULL;
        }
    }
    if (!file || !strcmp(file, "-"))
        return NULL;
    snprintf(out, cap, "%s", inspect_basename(file));
    return out[0] ? out : NULL;
}

/* Does command c run the file named base: as its command (./base,
 * /tmp/base), or as the script of a shell (bash base, . base)?  An
 * empty base: any file by its path. */
static int
runs_file(const struct inspect_cmd *c, const struct inspect_unwrapped *u, const char *base)
{
    for (size_t k = 0; k < u->nrun; k++)
        if (!strcmp(inspect_basename(c->argv[u->run_start[k]]), base))
            return 1;
    if (u->cmd >= c->argc)
        return 0;
    const char *w = c->argv[u->cmd];
    if (strchr(w, '/') && (!*base || !strcmp(inspect_basename(w), base)))
        return 1;
    return (!strcmp(w, ".") || !strcmp(w, "source")) && u->cmd + 1 < c->argc &&
           (!*base || !strcmp(inspect_basename(c->argv[u->cmd + 1]), base));
}

static void
fetched_then_run(struct ctx *x, const struct inspect_script *s, const struct inspect_unwrapped *uw,
                 const int *ok, size_t n)
{
    char got[INSPECT_MAX_FETCHED][128], one[128];
    size_t ngot = 0;
    int past = 0; /* more downloads than remembered */
    for (size_t i = 0; i < n && !x->l->full; i++) {
        if (!ok[i])
            continue;
        const struct inspect_cmd *c = &s->cmds[i];
        int runs = 0;
        for (size_t k = 0; k < ngot && !runs; k++)
            runs = runs_file(c, &uw[i], got[k]);
        if (runs)
            found(x, "FETCH-THEN-RUN", "remote-code", "critical",
                  "runs a file it has just downloaded: code from the network, unseen", c->off,
                  c->end);
        else if (past && (runs_file(c, &uw[i], "") || uw[i].nrun))
            found(x, "FETCH-THEN-RUN", "remote-code", "high",
                  "runs a file after more downloads than inspection follows: it may be one", c->off,
                  c->end);
        if (!downloads_to(c, &uw[i], one, sizeof(one)))
            continue;
        if (ngot < INSPECT_MAX_FETCHED)
            memcpy(got[ngot++], one, sizeof(one));
        else
            past = 1;
    }
}

void
inspect_shell_findings(const struct inspect_rules *r, const char *text, size_t len, uint32_t base,
                       struct inspect_list *l)
{
    struct ctx x = {.r = r, .l = l, .base = base};
    analyse(&x, text, len, 0);
}

int
inspect_findings(const struct inspect_rules *r, const char *text, size_t len,
                 struct inspect_finding **out, size_t *n)
{
    struct inspect_list l;
    if (inspect_list_init(&l))
        return -1;
    inspect_shell_findings(r, text, len, 0, &l);
    *out = l.v;
    *n = l.n;
    return 0;
}
