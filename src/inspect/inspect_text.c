/*
 * inspect_text.c - the commands in Markdown and plain text.
 *
 * A line scanner after CommonMark's block rules, only as far as they
 * decide where code is: fences (``` or ~~~, up to three spaces of indent,
 * closed by a run of the same character at least as long, or by the end of
 * the text), indented blocks (which cannot interrupt a paragraph), and
 * inline code spans (within one line here: a span that CommonMark would
 * let run across lines is not seen as code; its text is still searched for
 * secrets by the caller).  Offsets are kept, never copies: a snippet is a
 * span of the text, so that shell offsets map back to it unchanged; a
 * block's indentation stays in (the shell does not mind leading blanks).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect_text.h"

enum lang { L_SKIP, L_SHELL, L_CONSOLE, L_NONE, L_JSON, L_YAML, L_HCL };

struct scan {
    const char *t;
    size_t len;
    struct inspect_snippets *s;
    int failed;
    int (*is_command)(const char *w, size_t n, void *arg); /* NULL: no prose */
    void *arg;
};

static void
add(struct scan *S, size_t off, size_t end, enum inspect_snippet_kind kind, int strong)
{
    struct inspect_snippets *s = S->s;
    while (off < end && strchr(" \t\r\n", S->t[off]))
        off++;
    while (end > off && strchr(" \t\r\n", S->t[end - 1]))
        end--;
    if (off == end || s->truncated || S->failed)
        return;
    if (s->n == INSPECT_MAX_SNIPPETS) {
        s->truncated = 1;
        return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct inspect_snippet *v = realloc(s->v, cap * sizeof(*v));
        if (!v) {
            S->failed = 1;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (struct inspect_snippet){(uint32_t)off, (uint32_t)(end - off), (uint8_t)kind,
                                            (uint8_t)strong, 0};
}

static size_t
line_end(const struct scan *S, size_t i)
{
    const char *nl = memchr(S->t + i, '\n', S->len - i);
    return nl ? (size_t)(nl - S->t) : S->len;
}

static size_t
next_line(const struct scan *S, size_t e)
{
    return e < S->len ? e + 1 : S->len;
}

static int
blank(const char *t, size_t i, size_t e)
{
    for (; i < e; i++)
        if (!strchr(" \t\r", t[i]))
            return 0;
    return 1;
}

/* The first non-blank byte of the line, and its column (tabs to 4). */
static size_t
indent(const char *t, size_t i, size_t e, unsigned *col)
{
    *col = 0;
    for (; i < e && (t[i] == ' ' || t[i] == '\t'); i++)
        *col = t[i] == '\t' ? (*col + 4) & ~3u : *col + 1;
    return i;
}

static size_t
run(const char *t, size_t i, size_t e, char c)
{
    size_t n = 0;
    while (i + n < e && t[i + n] == c)
        n++;
    return n;
}

struct fence {
    char ch;
    size_t n;
    enum lang lang;
    size_t body; /* where the content starts */
};

static enum lang
language(const char *w, size_t n)
{
    static const char *const shell[] = {"sh", "bash", "shell", "zsh", "ksh", "dash", "ash"};
    static const char *const console[] = {"console", "shell-session", "shellsession", "sh-session",
                                          "terminal"};
    if (n == 0)
        return L_NONE;
    for (size_t i = 0; i < sizeof(shell) / sizeof(shell[0]); i++)
        if (strlen(shell[i]) == n && !strncasecmp(w, shell[i], n))
            return L_SHELL;
    for (size_t i = 0; i < sizeof(console) / sizeof(console[0]); i++)
        if (strlen(console[i]) == n && !strncasecmp(w, console[i], n))
            return L_CONSOLE;
    static const struct {
        const char *name;
        enum lang lang;
    } docs[] = {{"json", L_JSON},    {"jsonc", L_JSON}, {"json5", L_JSON}, {"yaml", L_YAML},
                {"yml", L_YAML},     {"hcl", L_HCL},    {"tf", L_HCL},     {"terraform", L_HCL},
                {"opentofu", L_HCL}, {"tofu", L_HCL}};
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        if (strlen(docs[i].name) == n && !strncasecmp(w, docs[i].name, n))
            return docs[i].lang;
    return L_SKIP;
}

/* An opening fence on line [i, e)?  Fills f. */
static int
fence_open(const char *t, size_t i, size_t e, struct fence *f)
{
    unsigned col;
    i = indent(t, i, e, &col);
    if (col > 3 || i == e || (t[i] != '`' && t[i] != '~'))
        return 0;
    f->ch = t[i];
    f->n = run(t, i, e, f->ch);
    if (f->n < 3)
        return 0;
    size_t w = i + f->n;
    if (f->ch == '`' && memchr(t + w, '`', e - w))
        return 0; /* ``` a ` b: inline code, not a fence */
    while (w < e && (t[w] == ' ' || t[w] == '\t'))
        w++;
    size_t we = w;
    while (we < e && !strchr(" \t\r{", t[we]))
        we++;
    f->lang = language(t + w, we - w);
    return 1;
}

static int
fence_close(const char *t, size_t i, size_t e, const struct fence *f)
{
    unsigned col;
    i = indent(t, i, e, &col);
    size_t n = run(t, i, e, f->ch);
    return col <= 3 && n >= f->n && blank(t, i + n, e);
}

/* Whether line [i, e) starts with a prompt; where its command starts. */
static int
prompt(const char *t, size_t i, size_t e, int root, size_t *cmd)
{
    unsigned col;
    i = indent(t, i, e, &col);
    if (i + 1 < e && (t[i] == '$' || (root && t[i] == '#')) && t[i + 1] == ' ') {
        *cmd = i + 2;
        return 1;
    }
    return 0;
}

static int
has_prompt(const struct scan *S, size_t i, size_t end)
{
    size_t cmd;
    for (; i < end; i = next_line(S, line_end(S, i)))
        if (prompt(S->t, i, line_end(S, i) < end ? line_end(S, i) : end, 0, &cmd))
            return 1;
    return 0;
}

/* A line whose text (trailing blanks aside) ends in a backslash goes on. */
static int
continues(const char *t, size_t i, size_t e)
{
    while (e > i && strchr(" \t\r", t[e - 1]))
        e--;
    return e > i && t[e - 1] == '\\';
}

/* The prompt command starting on line [i, e), with its continuation lines
 * up to end; returns the end of its last line. */
static size_t
prompt_command(struct scan *S, size_t cmd, size_t e, size_t end)
{
    while (continues(S->t, cmd, e) && e < end) {
        size_t ne = line_end(S, e + 1);
        e = ne < end ? ne : end;
    }
    add(S, cmd, e, SNIP_PROMPT, 1);
    return e;
}

/* Every prompt line in [i, end); the other lines are output. */
static void
prompts(struct scan *S, size_t i, size_t end, int root)
{
    while (i < end) {
        size_t e = line_end(S, i), cmd;
        if (e > end)
            e = end;
        if (prompt(S->t, i, e, root, &cmd))
            e = prompt_command(S, cmd, e, end);
        i = next_line(S, e);
    }
}

/* A code block's content [i, end) in language lang. */
static void
block(struct scan *S, size_t i, size_t end, enum lang lang, enum inspect_snippet_kind kind)
{
    switch (lang) {
    case L_SKIP:
        return;
    case L_JSON:
    case L_YAML:
    case L_HCL: {
        size_t before = S->s->n;
        add(S, i, end, SNIP_DOC, 1);
        if (S->s->n > before)
            S->s->v[before].doc = (uint8_t)(lang - L_JSON + 1);
        return;
    }
    case L_CONSOLE:
        prompts(S, i, end, 1);
        return;
    case L_SHELL:
    case L_NONE:
        if (has_prompt(S, i, end))
            prompts(S, i, end, 0);
        else
            add(S, i, end, kind, lang == L_SHELL);
        return;
    }
}

/* The inline code spans of line [i, e). */
static void
inline_code(struct scan *S, size_t i, size_t e)
{
    const char *t = S->t;
    while (i < e) {
        if (t[i] == '\\') {
            i += 2; /* \` is a literal backtick */
            continue;
        }
        if (t[i] != '`') {
            i++;
            continue;
        }
        size_t n = run(t, i, e, '`'), a = i + n, j = a;
        for (;;) {
            const char *b = memchr(t + j, '`', e - j);
            if (!b) {
                j = e;
                break;
            }
            j = (size_t)(b - t);
            size_t m = run(t, j, e, '`');
            if (m == n)
                break;
            j += m;
        }
        if (j >= e) {
            i = a; /* no closing run: the backticks are text */
            continue;
        }
        size_t from = a, cmd;
        if (prompt(t, from, j, 0, &cmd))
            from = cmd;
        add(S, from, j, SNIP_INLINE, 0);
        i = j + n;
    }
}

static int
word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+';
}

/* Where the sentence that starts at i on line [i, e) ends: at ". ", "! ",
 * "? " before a capital or the line's end, or a backtick; trailing
 * punctuation left out. */
static size_t
sentence_end(const char *t, size_t i, size_t e)
{
    size_t j = i;
    for (; j < e; j++) {
        if (t[j] == '`')
            break;
        if ((t[j] == '.' || t[j] == '!' || t[j] == '?') &&
            (j + 1 == e ||
             (t[j + 1] == ' ' && (j + 2 >= e || (t[j + 2] >= 'A' && t[j + 2] <= 'Z')))))
            break;
    }
    while (j > i && strchr(" \t\r.,:;!?)", t[j - 1]))
        j--;
    return j;
}

/* Commands named in the plain words of line [i, e) (outside code spans). */
static void
prose(struct scan *S, size_t i, size_t e)
{
    const char *t = S->t;
    int in_code = 0;
    for (size_t k = i; k < e;) {
        if (t[k] == '`') {
            in_code = !in_code;
            k++;
            continue;
        }
        if (in_code || !word_char(t[k]) || (k > i && !strchr(" (\"':", t[k - 1]))) {
            k++;
            continue;
        }
        size_t w = k;
        while (w < e && word_char(t[w]))
            w++;
        /* a command with words after it, that the judge knows */
        if (w + 1 < e && t[w] == ' ' && t[w + 1] != ' ' && S->is_command(t + k, w - k, S->arg)) {
            size_t end = sentence_end(t, k, e);
            if (end > w) {
                add(S, k, end, SNIP_PROSE, 0);
                k = end;
                continue;
            }
        }
        k = w;
    }
}

int
inspect_text_unquote(const char *text, size_t len, char **out)
{
    char *c = NULL;
    for (size_t i = 0; i < len;) {
        size_t k = i;
        for (;;) {
            size_t sp = 0;
            while (k < len && text[k] == ' ' && sp < 3)
                k++, sp++;
            if (k >= len || text[k] != '>')
                break;
            if (!c) {
                if (!(c = malloc(len)))
                    return -1;
                memcpy(c, text, len);
            }
            c[k++] = ' ';
            if (k < len && text[k] == ' ')
                k++;
        }
        const char *nl = memchr(text + i, '\n', len - i);
        i = nl ? (size_t)(nl - text) + 1 : len;
    }
    *out = c;
    return 0;
}

int
inspect_text_snippets(const char *text, size_t len, struct inspect_snippets *s)
{
    return inspect_text_snippets_prose(text, len, s, NULL, NULL);
}

int
inspect_text_snippets_prose(const char *text, size_t len, struct inspect_snippets *s,
                            int (*is_command)(const char *w, size_t n, void *arg), void *arg)
{
    struct scan S = {.t = text, .len = len, .s = s, .is_command = is_command, .arg = arg};
    struct fence f;
    int in_fence = 0, in_para = 0;
    size_t ind = 0, ind_end = 0; /* an open indented block: [ind, ind_end) */
    int ind_open = 0;
    memset(s, 0, sizeof(*s));
    for (size_t i = 0, next; i < len && !S.failed && !s->truncated; i = next) {
        size_t e = line_end(&S, i), cmd;
        unsigned col;
        next = next_line(&S, e);
        if (in_fence) {
            if (fence_close(text, i, e, &f)) {
                block(&S, f.body, i, f.lang, SNIP_FENCED);
                in_fence = 0;
            }
            continue;
        }
        int is_blank = blank(text, i, e);
        if (ind_open) {
            if (is_blank)
                continue;
            indent(text, i, e, &col);
            if (col >= 4) {
                ind_end = e;
                continue;
            }
            block(&S, ind, ind_end, L_NONE, SNIP_INDENTED);
            ind_open = 0;
        }
        if (is_blank) {
            in_para = 0;
            continue;
        }
        indent(text, i, e, &col);
        if (col >= 4 && !in_para) {
            ind_open = 1, ind = i, ind_end = e;
            continue;
        }
        if (fence_open(text, i, e, &f)) {
            in_fence = 1, in_para = 0;
            f.body = next;
            continue;
        }
        in_para = 1;
        if (prompt(text, i, e, 0, &cmd)) {
            /* the scan goes on after the command's last line */
            next = next_line(&S, prompt_command(&S, cmd, e, len));
            continue;
        }
        inline_code(&S, i, e);
        if (is_command)
            prose(&S, i, e);
    }
    if (in_fence)
        block(&S, f.body, len, f.lang, SNIP_FENCED); /* unclosed: to the end */
    if (ind_open)
        block(&S, ind, ind_end, L_NONE, SNIP_INDENTED);
    if (S.failed) {
        inspect_snippets_release(s);
        return -1;
    }
    return 0;
}

void
inspect_snippets_release(struct inspect_snippets *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}
