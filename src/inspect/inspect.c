/*
 * inspect.c - rules, text extraction and secrets put together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../defaults/defaults.h"
#include "inspect.h"
#include "inspect_access.h"
#include "inspect_doc.h"
#include "inspect_re.h"
#include "inspect_rules.h"
#include "inspect_secret.h"
#include "inspect_text.h"
#include "inspect_wrap.h"

struct inspect {
    struct inspect_rules *rules;
    struct inspect_access_tables *access;
    struct inspect_secrets *secrets;
    struct inspect_list tmp; /* a weak snippet's findings, before they are kept */
};

int
inspect_open(struct inspect **out, const char *rules, const char *secrets, char *err, size_t errlen)
{
    struct inspect *in = calloc(1, sizeof(*in));
    char why[256];
    const char *r = rules ? rules : defaults_inspect_rules;
    const char *s = secrets ? secrets : defaults_inspect_secrets;
    if (!in || inspect_list_init(&in->tmp)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* The operator's table is compiled whole now, so that a bad pattern
     * is an error here; the built-in one when each pattern is first used
     * (its tests compile it whole). */
    if (inspect_rules_load(&in->rules, r, strlen(r), why, sizeof(why)) ||
        (rules && inspect_rules_compile(in->rules, why, sizeof(why)))) {
        snprintf(err, errlen, "rule table: %s", why);
        goto fail;
    }
    if (inspect_access_load(&in->access, defaults_inspect_access, strlen(defaults_inspect_access),
                            why, sizeof(why))) {
        snprintf(err, errlen, "access table: %s", why);
        goto fail;
    }
    inspect_rules_set_access(in->rules, in->access);
    if (inspect_secrets_load(&in->secrets, s, strlen(s), why, sizeof(why))) {
        snprintf(err, errlen, "secret formats: %s", why);
        goto fail;
    }
    *out = in;
    return 0;
fail:
    inspect_close(in);
    return -1;
}

void
inspect_close(struct inspect *in)
{
    if (!in)
        return;
    inspect_rules_free(in->rules);
    inspect_access_free(in->access);
    inspect_secrets_free(in->secrets);
    inspect_list_release(&in->tmp);
    free(in);
}

int
inspect_set_org(struct inspect *in, const char *const *domains, size_t nd,
                const char *const *groups, size_t ng, char *err, size_t errlen)
{
    return inspect_access_org(in->access, domains, nd, groups, ng, err, errlen);
}

static int
one_word(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n')
            return 0;
    return 1;
}

/* Keep tmp's findings of weak snippet [off, off+n) of text, forgiven
 * what a snippet that may not be shell cannot help. */
static void
keep_weak(struct inspect *in, const char *t, uint32_t off, uint32_t n, struct inspect_list *l)
{
    int word = one_word(t + off, n);
    for (size_t i = 0; i < in->tmp.n; i++) {
        const struct inspect_finding *f = &in->tmp.v[i];
        if (!strcmp(f->rule, "parse") || (word && !strcmp(f->rule, "opaque")))
            continue;
        inspect_list_add(l, f);
    }
}

static int
has_parse(const struct inspect_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].rule, "parse"))
            return 1;
    return 0;
}

/* 0 when the snippet parsed as shell, 1 when it was read line by line. */
static int
weak_snippet(struct inspect *in, const char *t, uint32_t off, uint32_t n, struct inspect_list *l)
{
    in->tmp.n = 0, in->tmp.full = 0;
    inspect_shell_findings(in->rules, t + off, n, off, &in->tmp);
    if (!has_parse(&in->tmp)) {
        keep_weak(in, t, off, n, l);
        return 0;
    }
    /* Not shell as a whole: perhaps some of its lines are. */
    for (uint32_t i = off, end = off + n; i < end;) {
        const char *nl = memchr(t + i, '\n', end - i);
        uint32_t e = nl ? (uint32_t)(nl - t) : end;
        in->tmp.n = 0, in->tmp.full = 0;
        inspect_shell_findings(in->rules, t + i, e - i, i, &in->tmp);
        keep_weak(in, t, i, e - i, l);
        i = e + 1;
    }
    return 1;
}

/* Code that is not shell: each string literal ("...", '...', `...`, up to
 * the end of its line; a backslash escapes the next byte) is a weak
 * snippet too. */
static void
code_findings(struct inspect *in, const char *t, size_t len, struct inspect_list *l)
{
    if (!weak_snippet(in, t, 0, (uint32_t)len, l))
        return;
    for (size_t i = 0; i < len && !l->full;) {
        char q = t[i];
        if (q != '"' && q != '\'' && q != '`') {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < len && t[j] != q && t[j] != '\n')
            j += t[j] == '\\' && j + 1 < len ? 2 : 1;
        if (j < len && t[j] == q && j > i + 1)
            (void)weak_snippet(in, t, (uint32_t)(i + 1), (uint32_t)(j - i - 1), l);
        i = j < len && t[j] == q ? j + 1 : j;
    }
}

/* ---- documents: policies, bindings, Terraform ---- */

struct docx {
    struct inspect *in;
    struct inspect_list *l;
    uint32_t off, end;
};

static void
doc_change(void *arg, const struct inspect_doc_change *c)
{
    struct docx *x = arg;
    struct inspect_finding f = {c->rule, "widens-access", "", inspect_doc_explanation(c->rule),
                                x->off,  x->end,          {0}};
    static const char *const changes[] = {"grant",  "revoke",       "make-public",
                                          "expose", "remove-guard", "add-credential"};
    const char *change = "grant";
    for (size_t i = 0; i < sizeof(changes) / sizeof(*changes); i++)
        if (!strcmp(c->change, changes[i]))
            change = changes[i];
    int sev = inspect_access_make(x->in->access, change, c->grantee, c->privilege, c->kind,
                                  c->object, &f.access);
    if (!strcmp(change, "remove-guard")) {
        f.category = "disables-control";
        sev = sev < INSPECT_SEV_HIGH ? INSPECT_SEV_HIGH : sev; /* a guard off: high at least */
    }
    f.severity = inspect_severity_name(sev);
    inspect_list_add(x->l, &f);
}

/* The access changes of document [off, off+len) of text (lang, or
 * guessed); one that does not parse is opaque.  1 if it was a document. */
static int
doc_findings(struct inspect *in, const char *text, uint32_t off, size_t len,
             enum inspect_doc_lang lang, struct inspect_list *l)
{
    struct docx x = {in, l, off, off + (uint32_t)len};
    int r = inspect_doc_access(text + off, len, lang, doc_change, &x);
    if (r == INSPECT_DOC_BROKEN || r < 0) {
        struct inspect_finding f = {"DOC-BROKEN",
                                    "opaque",
                                    "high",
                                    r < 0 ? "out of memory while reading a document"
                                          : inspect_doc_explanation("DOC-BROKEN"),
                                    off,
                                    off + (uint32_t)len,
                                    {0}};
        inspect_list_add(l, &f);
    }
    return r != INSPECT_DOC_NONE;
}

/* Does a word of prose start a command?  A name some rule or wrapper
 * knows, unless it is also an everyday English word (people write "find",
 * "at", "kill" and "time" in sentences, not commands). */
static int
prose_command(const char *w, size_t n, void *arg)
{
    static const char *const english[] = {
        "at",      "batch",  "bat",      "bore",   "builtin", "cat",     "chrt",   "code",
        "command", "copy",   "date",     "delete", "dig",     "ed",      "env",    "ex",
        "exec",    "export", "file",     "find",   "flock",   "free",    "halt",   "head",
        "history", "host",   "http",     "https",  "import",  "install", "join",   "kill",
        "last",    "less",   "link",     "lt",     "make",    "man",     "more",   "move",
        "nice",    "pass",   "passwd",   "reboot", "remove",  "run",     "script", "service",
        "set",     "sh",     "shutdown", "sort",   "split",   "su",      "sync",   "tail",
        "tar",     "tee",    "test",     "time",   "top",     "touch",   "trap",   "true",
        "trust",   "type",   "unlink",   "view",   "watch",   "which",   "wipe",   "zip",
        "age",
    };
    struct inspect *in = arg;
    char word[64];
    /* Most words of prose name no command: the index first (a binary
     * search), the English words only for the names it knows. */
    if (n >= sizeof(word) || n < 2)
        return 0;
    memcpy(word, w, n);
    word[n] = '\0';
    if (!inspect_rules_name(in->rules, w, n) && !inspect_is_wrapper(word))
        return 0;
    for (size_t i = 0; i < sizeof(english) / sizeof(*english); i++)
        if (!strcmp(word, english[i]))
            return 0;
    return 1;
}

static int
text_findings(struct inspect *in, const char *text, size_t len, struct inspect_list *l)
{
    struct inspect_snippets s;
    char *plain = NULL; /* the text with its block quote markers blanked */
    if (inspect_text_unquote(text, len, &plain))
        return -1;
    const char *t = plain ? plain : text;
    if (inspect_text_snippets_prose(t, len, &s, prose_command, in)) {
        free(plain);
        return -1;
    }
    for (size_t i = 0; i < s.n && !l->full; i++) {
        const struct inspect_snippet *p = &s.v[i];
        if (p->kind == SNIP_DOC)
            (void)doc_findings(in, t, p->off, p->len, (enum inspect_doc_lang)p->doc, l);
        else if (p->strong)
            inspect_shell_findings(in->rules, t + p->off, p->len, p->off, l);
        else
            (void)weak_snippet(in, t, p->off, p->len, l);
    }
    if (s.truncated) {
        struct inspect_finding f = {"limit",
                                    "opaque",
                                    "high",
                                    "more commands in the text than inspection reads",
                                    s.v[s.n - 1].off,
                                    (uint32_t)len,
                                    {0}};
        inspect_list_add(l, &f);
    }
    inspect_snippets_release(&s);
    free(plain);
    return 0;
}

static int
by_offset(const void *a, const void *b)
{
    const struct inspect_finding *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    int rx = inspect_severity_rank(x->severity), ry = inspect_severity_rank(y->severity);
    return ry - rx; /* the worst first */
}

int
inspect_run(struct inspect *in, enum inspect_kind kind, const char *text, size_t len,
            struct inspect_list *l)
{
    size_t first = l->n;
    int rc = 0;
    inspect_pat_failed = 0;
    if (len > INSPECT_MAX_TEXT) {
        struct inspect_finding f = {
            "limit", "opaque",
            "high",  "the text is larger than inspection reads (INSPECT_MAX_TEXT)",
            0,       0,
            {0}};
        inspect_list_add(l, &f);
        return 0;
    }
    /* A text (an argument) that is itself a policy, binding or Terraform
     * document: what it grants.  Markdown with fences is read by blocks. */
    if (kind != INSPECT_COMMAND && !memmem(text, len, "```", 3) && !memmem(text, len, "~~~", 3))
        (void)doc_findings(in, text, 0, len, DOC_SNIFF, l);
    if (kind == INSPECT_COMMAND)
        inspect_shell_findings(in->rules, text, len, 0, l);
    else if (kind == INSPECT_CODE)
        code_findings(in, text, len, l);
    else
        rc = text_findings(in, text, len, l);
    /* A table's pattern that could not be compiled when first matched
     * (inspect_re.h) matched nothing: said, whichever table it was in. */
    if (inspect_pat_failed)
        rc = -1;
    inspect_pat_failed = 0;
    if (rc) {
        struct inspect_finding f = {
            "opaque", "opaque", "high", "out of memory while inspecting", 0, (uint32_t)len, {0}};
        inspect_list_add(l, &f);
    }
    inspect_secrets_find(in->secrets, text, len, 0, l);
    qsort(l->v + first, l->n - first, sizeof(*l->v), by_offset);
    return rc;
}

int
inspect_list_worst(const struct inspect_list *l)
{
    int worst = INSPECT_SEV_NONE;
    for (size_t i = 0; i < l->n; i++) {
        int r = inspect_severity_rank(l->v[i].severity);
        if (r > worst)
            worst = r;
    }
    return worst;
}
