/*
 * inspect_lex.c - bash's tokens, read without running anything.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/util_buf.h"
#include "inspect_lex.h"

struct heredoc_wait {
    size_t tok; /* the redirection token waiting for its body */
    char *delim;
    int strip_tabs; /* <<- */
};

struct lexer {
    const char *s;
    size_t n, i;
    struct inspect_subst *subs; /* of the word being read */
    uint32_t nsubs;
    struct inspect_tokens *t;
    struct heredoc_wait wait[INSPECT_MAX_HEREDOCS];
    size_t nwait;
    int want_delim; /* the next word is a here-document delimiter */
    int delim_strip;
};

/* Values and bodies grow in util_buf (NUL-terminated, with a ceiling: no
 * value can outgrow the input it comes from). */
static struct util_buf
vb_new(void)
{
    struct util_buf b;
    util_buf_init(&b, INSPECT_MAX_INPUT + 1);
    return b;
}

static int
vb_addc(struct util_buf *b, char c)
{
    if (b->len + 2 <= b->cap && b->len < b->max) { /* room for it and the NUL */
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return 0;
    }
    return util_buf_add(b, &c, 1);
}

static int
fail(struct lexer *L, const char *why, size_t at)
{
    if (!L->t->error) {
        L->t->error = why;
        L->t->error_off = (uint32_t)at;
    }
    return -1;
}

static struct inspect_token *
push(struct lexer *L, enum inspect_tok type, size_t off, size_t len)
{
    struct inspect_tokens *t = L->t;
    if (t->n == INSPECT_MAX_TOKENS) {
        fail(L, "more tokens than inspection reads", off);
        return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 12; /* 12 stay under malloc's large sizes */
        struct inspect_token *v = realloc(t->v, cap * sizeof(*v));
        if (!v) {
            fail(L, "out of memory", off);
            return NULL;
        }
        t->v = v;
        t->cap = cap;
    }
    struct inspect_token *k = &t->v[t->n++];
    memset(k, 0, sizeof(*k));
    k->type = type;
    k->off = (uint32_t)off;
    k->len = (uint32_t)len;
    k->fd = -1;
    return k;
}

static int
is_meta(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '|' || c == '&' || c == ';' || c == '(' ||
           c == ')' || c == '<' || c == '>';
}

static int
is_name_start(char c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_name(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* ---- nested constructs: skipped over, kept as written ---- */

static int skip_nested(struct lexer *L, size_t *i, char close, unsigned depth);

/* s[*i] is a quote: past its end. */
static int
skip_quote(struct lexer *L, size_t *i, unsigned depth)
{
    const char *s = L->s;
    size_t start = *i;
    char q = s[(*i)++];
    while (*i < L->n) {
        char c = s[*i];
        if (q == '\'' && c == '\'') {
            (*i)++;
            return 0;
        }
        if (q != '\'' && c == '\\') {
            *i += 2;
            continue;
        }
        if (q == '"' && c == '$' && *i + 1 < L->n && (s[*i + 1] == '(' || s[*i + 1] == '{')) {
            *i += 2;
            if (skip_nested(L, i, s[*i - 1] == '(' ? ')' : '}', depth + 1))
                return -1;
            continue;
        }
        if (c == q) {
            (*i)++;
            return 0;
        }
        (*i)++;
    }
    return fail(L, q == '`' ? "unterminated `...`" : "unterminated quote", start);
}

/* Past the close that matches an opening already consumed, skipping quotes
 * and nested constructs. */
static int
skip_nested(struct lexer *L, size_t *i, char close, unsigned depth)
{
    const char *s = L->s;
    size_t start = *i;
    char open = close == ')' ? '(' : '{';
    unsigned level = 1;
    if (depth > INSPECT_MAX_NESTING)
        return fail(L, "substitutions nested deeper than inspection reads", start);
    while (*i < L->n) {
        char c = s[*i];
        if (c == '\\') {
            *i += 2;
        } else if (c == '\'' || c == '"' || c == '`') {
            if (skip_quote(L, i, depth))
                return -1;
        } else if (c == '$' && *i + 1 < L->n && (s[*i + 1] == '(' || s[*i + 1] == '{')) {
            *i += 2;
            if (skip_nested(L, i, s[*i - 1] == '(' ? ')' : '}', depth + 1))
                return -1;
        } else if (c == '#' && close == ')' &&
                   (*i == 0 || s[*i - 1] == ' ' || s[*i - 1] == '\n' || s[*i - 1] == '\t' ||
                    s[*i - 1] == ';')) {
            while (*i < L->n && s[*i] != '\n')
                (*i)++;
        } else {
            if (c == open)
                level++;
            else if (c == close && --level == 0) {
                (*i)++;
                return 0;
            }
            (*i)++;
        }
    }
    return fail(L, close == ')' ? "unterminated $( ... )" : "unterminated ${ ... }", start);
}

/* ---- words ---- */

static int
ansi_c(struct lexer *L, struct util_buf *v)
{
    const char *s = L->s;
    size_t start = L->i;
    L->i += 2; /* $' */
    while (L->i < L->n && s[L->i] != '\'') {
        char c = s[L->i++];
        if (c != '\\' || L->i >= L->n) {
            if (vb_addc(v, c))
                return -1;
            continue;
        }
        char e = s[L->i++];
        static const char from[] = "abefnrtv\\'\"?", to[] = "\a\b\x1b\f\n\r\t\v\\'\"?";
        const char *k = strchr(from, e);
        if (k && e) {
            c = to[k - from];
        } else if (e == 'x' || (e >= '0' && e <= '7')) {
            unsigned val = 0, digits = 0, max = e == 'x' ? 2 : 3, base = e == 'x' ? 16 : 8;
            if (e != 'x')
                L->i--;
            while (digits < max && L->i < L->n) {
                char d = s[L->i];
                int x = d >= '0' && d <= '9' ? d - '0'
                        : base == 16 && (d | 0x20) >= 'a' && (d | 0x20) <= 'f'
                            ? (d | 0x20) - 'a' + 10
                            : -1;
                if (x < 0 || (unsigned)x >= base)
                    break;
                val = val * base + (unsigned)x;
                L->i++;
                digits++;
            }
            c = (char)val;
        } else {
            if (vb_addc(v, '\\'))
                return -1;
            c = e;
        }
        if (c == '\0') {
            /* bash ends the word's value at a NUL; skip to the quote. */
            while (L->i < L->n && s[L->i] != '\'')
                L->i += s[L->i] == '\\' ? 2 : 1;
            break;
        }
        if (vb_addc(v, c))
            return -1;
    }
    if (L->i >= L->n)
        return fail(L, "unterminated $'...'", start);
    L->i++;
    return 0;
}

/* Remember a substitution's inner text for the parser. */
static int
note_subst(struct lexer *L, size_t off, size_t end, char kind)
{
    if (L->nsubs == INSPECT_MAX_SUBSTS)
        return fail(L, "more substitutions in one word than inspection reads", off);
    struct inspect_subst *v = realloc(L->subs, (L->nsubs + 1) * sizeof(*v));
    if (!v)
        return fail(L, "out of memory", off);
    L->subs = v;
    v[L->nsubs++] = (struct inspect_subst){(uint32_t)off, (uint32_t)(end - off), kind};
    return 0;
}

/* An expansion at s[L->i] == '$' or '`' or a <( >( ): kept as written. */
static int
expansion(struct lexer *L, struct util_buf *v, unsigned *flags)
{
    const char *s = L->s;
    size_t a = L->i;
    char c = s[a];
    if (c == '`') {
        if (skip_quote(L, &L->i, 0) || note_subst(L, a + 1, L->i - 1, '`'))
            return -1;
        *flags |= WORD_CMDSUB;
    } else if (c == '<' || c == '>') {
        L->i += 2;
        if (skip_nested(L, &L->i, ')', 1) || note_subst(L, a + 2, L->i - 1, c))
            return -1;
        *flags |= WORD_PROCSUB;
    } else if (a + 1 < L->n && s[a + 1] == '(') {
        int arith = a + 2 < L->n && s[a + 2] == '(';
        L->i += 2;
        if (skip_nested(L, &L->i, ')', 1))
            return -1;
        /* An arithmetic expansion runs what substitutions it holds. */
        if (arith ? note_subst(L, a + 3, L->i - 2, 'a') : note_subst(L, a + 2, L->i - 1, '$'))
            return -1;
        *flags |= arith ? WORD_ARITH : WORD_CMDSUB;
    } else if (a + 1 < L->n && s[a + 1] == '{') {
        L->i += 2;
        /* ${x:-$(cmd)} runs cmd: the inner text is searched too. */
        if (skip_nested(L, &L->i, '}', 1) || note_subst(L, a + 2, L->i - 1, 'p'))
            return -1;
        *flags |= WORD_PARAM;
    } else if (a + 1 < L->n && (is_name_start(s[a + 1]) || strchr("0123456789@*#?$!-", s[a + 1]))) {
        L->i += 2;
        if (is_name_start(s[a + 1]))
            while (L->i < L->n && is_name(s[L->i]))
                L->i++;
        *flags |= WORD_PARAM;
    } else {
        L->i++; /* a lone $ is itself */
    }
    return util_buf_add(v, s + a, L->i - a);
}

static int
double_quoted(struct lexer *L, struct util_buf *v, unsigned *flags)
{
    const char *s = L->s;
    size_t start = L->i++;
    while (L->i < L->n && s[L->i] != '"') {
        char c = s[L->i];
        if (c == '\\' && L->i + 1 < L->n && strchr("$`\"\\\n", s[L->i + 1])) {
            if (s[L->i + 1] != '\n' && vb_addc(v, s[L->i + 1]))
                return -1;
            L->i += 2;
        } else if (c == '$' || c == '`') {
            if (expansion(L, v, flags))
                return -1;
        } else {
            /* a run of plain characters at once */
            size_t a = L->i;
            while (L->i < L->n && s[L->i] != '"' && s[L->i] != '\\' && s[L->i] != '$' &&
                   s[L->i] != '`')
                L->i++;
            if (L->i == a)
                L->i++; /* a backslash that escapes nothing is itself */
            if (util_buf_add(v, s + a, L->i - a))
                return -1;
        }
    }
    if (L->i >= L->n)
        return fail(L, "unterminated quote", start);
    L->i++;
    return 0;
}

/* One word from s[L->i]. */
static int
word(struct lexer *L)
{
    const char *s = L->s;
    size_t start = L->i;
    struct util_buf v = vb_new();
    unsigned flags = 0;
    int rc = 0;
    if (s[L->i] == '~')
        flags |= WORD_TILDE;
    while (!rc && L->i < L->n) {
        char c = s[L->i];
        if ((c == '<' || c == '>') && L->i + 1 < L->n && s[L->i + 1] == '(') {
            rc = expansion(L, &v, &flags);
        } else if (is_meta(c)) {
            break;
        } else if (c == '\\') {
            if (L->i + 1 >= L->n) {
                rc = vb_addc(&v, c); /* a backslash at the very end is itself */
                L->i++;
                continue;
            }
            if (s[L->i + 1] != '\n') {
                rc = vb_addc(&v, s[L->i + 1]);
                flags |= WORD_QUOTED;
            }
            L->i += 2;
        } else if (c == '\'') {
            size_t a = L->i;
            const char *e = memchr(s + a + 1, '\'', L->n - a - 1);
            if (!e) {
                rc = fail(L, "unterminated quote", a);
                break;
            }
            rc = util_buf_add(&v, s + a + 1, (size_t)(e - s) - a - 1);
            L->i = (size_t)(e - s) + 1;
            flags |= WORD_QUOTED;
        } else if (c == '$' && L->i + 1 < L->n && s[L->i + 1] == '\'') {
            rc = ansi_c(L, &v);
            flags |= WORD_QUOTED;
        } else if (c == '"') {
            rc = double_quoted(L, &v, &flags);
            flags |= WORD_QUOTED;
        } else if (c == '$' || c == '`') {
            rc = expansion(L, &v, &flags);
        } else {
            /* a run of plain characters at once (most of a command is) */
            size_t a = L->i;
            for (; L->i < L->n; L->i++) {
                char d = s[L->i];
                if (is_meta(d) || d == '\\' || d == '\'' || d == '"' || d == '$' || d == '`')
                    break;
                if (d == '*' || d == '?' || d == '[')
                    flags |= WORD_GLOB;
            }
            rc = util_buf_add(&v, s + a, L->i - a);
        }
    }
    if (rc) {
        free(v.p);
        free(L->subs);
        L->subs = NULL;
        L->nsubs = 0;
        return L->t->error ? -1 : fail(L, "out of memory", start);
    }
    /* NAME=value (or NAME+=value) with NAME unquoted at the start. */
    size_t k = start;
    if (k < L->n && is_name_start(s[k])) {
        while (k < L->i && is_name(s[k]))
            k++;
        if (k < L->i && (s[k] == '=' || (s[k] == '+' && k + 1 < L->i && s[k + 1] == '=')))
            flags |= WORD_ASSIGN;
    }
    struct inspect_token *t = push(L, TOK_WORD, start, L->i - start);
    if (!t) {
        free(v.p);
        free(L->subs);
        L->subs = NULL;
        L->nsubs = 0;
        return -1;
    }
    t->substs = L->subs;
    t->nsubsts = L->nsubs;
    L->subs = NULL;
    L->nsubs = 0;
    if (!v.p && util_buf_add(&v, "", 0)) { /* an empty word ("") still has a value */
        L->t->n--;
        return fail(L, "out of memory", start);
    }
    t->value = v.p;
    t->vlen = (uint32_t)v.len;
    t->flags = flags;
    return 0;
}

/* ---- operators and here-documents ---- */

static const char *const operators[] = {
    ";;&", "<<<", "<<-", "&>>", "&&", "||", ";;", ";&", "|&", "&>", ">>", ">|",
    ">&",  "<<",  "<>",  "<&",  "&",  "|",  ";",  "(",  ")",  "<",  ">",
};

static enum inspect_tok
op_type(const char *op)
{
    if (!strcmp(op, "&&"))
        return TOK_AND_IF;
    if (!strcmp(op, "||"))
        return TOK_OR_IF;
    if (!strcmp(op, ";;") || !strcmp(op, ";&") || !strcmp(op, ";;&"))
        return TOK_DSEMI;
    if (!strcmp(op, "|&"))
        return TOK_PIPE_AMP;
    if (!strcmp(op, "&"))
        return TOK_AMP;
    if (!strcmp(op, "|"))
        return TOK_PIPE;
    if (!strcmp(op, ";"))
        return TOK_SEMI;
    if (!strcmp(op, "("))
        return TOK_LPAREN;
    if (!strcmp(op, ")"))
        return TOK_RPAREN;
    return TOK_REDIR;
}

/* A word of digits just before a redirection is its file descriptor. */
static void
take_fd(struct lexer *L, struct inspect_token *r)
{
    struct inspect_tokens *t = L->t;
    if (t->n < 2)
        return;
    struct inspect_token *w = &t->v[t->n - 2];
    if (w->type != TOK_WORD || w->flags || w->off + w->len != r->off || w->vlen == 0 ||
        w->vlen > 9 || strspn(w->value, "0123456789") != w->vlen)
        return;
    int fd = 0;
    for (size_t i = 0; i < w->vlen; i++) /* at most 9 digits: no overflow */
        fd = fd * 10 + (w->value[i] - '0');
    r->fd = fd;
    r->off = w->off;
    r->len += w->len;
    free(w->value);
    *w = *r;
    t->n--;
}

static int
operator(struct lexer *L)
{
    for (size_t k = 0; k < sizeof(operators) / sizeof(operators[0]); k++) {
        size_t n = strlen(operators[k]);
        if (L->i + n > L->n || memcmp(L->s + L->i, operators[k], n))
            continue;
        struct inspect_token *t = push(L, op_type(operators[k]), L->i, n);
        if (!t)
            return -1;
        L->i += n;
        if (t->type == TOK_REDIR) {
            memcpy(t->op, operators[k], n + 1);
            take_fd(L, t);
            if (!strcmp(operators[k], "<<") || !strcmp(operators[k], "<<-")) {
                L->want_delim = 1;
                L->delim_strip = operators[k][2] == '-';
            }
        }
        return 0;
    }
    return fail(L, "not a shell operator", L->i);
}

/* After a word that is a here-document's delimiter: remember it. */
static int
note_delim(struct lexer *L)
{
    struct inspect_tokens *t = L->t;
    struct inspect_token *w = &t->v[t->n - 1];
    if (L->nwait == INSPECT_MAX_HEREDOCS)
        return fail(L, "more here-documents on one line than inspection reads", w->off);
    struct heredoc_wait *h = &L->wait[L->nwait];
    h->tok = t->n - 2; /* the << token before it */
    h->delim = strdup(w->value);
    h->strip_tabs = L->delim_strip;
    if (!h->delim)
        return fail(L, "out of memory", w->off);
    t->v[h->tok].heredoc_quoted = (w->flags & WORD_QUOTED) != 0;
    L->nwait++;
    L->want_delim = 0;
    return 0;
}

/* At the start of a line: the bodies of the here-documents asked for. */
static int
read_bodies(struct lexer *L)
{
    int rc = 0;
    for (size_t k = 0; k < L->nwait; k++) {
        struct heredoc_wait *h = &L->wait[k];
        struct util_buf body = vb_new();
        size_t start = L->i;
        int found = 0;
        while (!rc && L->i < L->n) {
            const char *nl = memchr(L->s + L->i, '\n', L->n - L->i);
            size_t end = nl ? (size_t)(nl - L->s) : L->n, a = L->i;
            if (h->strip_tabs)
                while (a < end && L->s[a] == '\t')
                    a++;
            L->i = nl ? end + 1 : end;
            if (end - a == strlen(h->delim) && !memcmp(L->s + a, h->delim, end - a)) {
                found = 1;
                break;
            }
            rc = util_buf_add(&body, L->s + a, end - a) || vb_addc(&body, '\n');
        }
        if (!rc && !found)
            rc = fail(L, "here-document without its delimiter line", start);
        struct inspect_token *t = &L->t->v[h->tok];
        t->heredoc = body.p ? body.p : strdup("");
        t->hlen = (uint32_t)body.len;
        free(h->delim);
        if (!t->heredoc && !rc)
            rc = fail(L, "out of memory", start);
    }
    L->nwait = 0;
    return rc;
}

int
inspect_lex(const char *text, size_t len, struct inspect_tokens *t)
{
    struct lexer L = {.s = text, .n = len, .t = t};
    memset(t, 0, sizeof(*t));
    if (len > INSPECT_MAX_INPUT)
        return fail(&L, "longer than inspection reads", 0);
    if (memchr(text, '\0', len))
        return fail(&L, "a NUL byte in shell text",
                    (size_t)((const char *)memchr(text, '\0', len) - text));
    int rc = 0;
    while (!rc && L.i < len) {
        char c = text[L.i];
        if (c == ' ' || c == '\t') {
            L.i++;
        } else if (c == '\\' && L.i + 1 < len && text[L.i + 1] == '\n') {
            L.i += 2;
        } else if (c == '#') {
            while (L.i < len && text[L.i] != '\n')
                L.i++;
        } else if (c == '\n') {
            rc = push(&L, TOK_NEWLINE, L.i, 1) ? 0 : -1;
            L.i++;
            if (!rc && L.nwait)
                rc = read_bodies(&L);
        } else if (is_meta(c) &&
                   !((c == '<' || c == '>') && L.i + 1 < len && text[L.i + 1] == '(')) {
            rc = operator(&L);
        } else {
            rc = word(&L);
            if (!rc && L.want_delim)
                rc = note_delim(&L);
        }
    }
    if (!rc && L.want_delim)
        rc = fail(&L, "<< without a delimiter", len);
    if (!rc && L.nwait)
        rc = fail(&L, "here-document without its body", len);
    for (size_t k = 0; rc && k < L.nwait; k++)
        free(L.wait[k].delim);
    return rc;
}

void
inspect_tokens_release(struct inspect_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].value);
        free(t->v[i].heredoc);
        free(t->v[i].substs);
    }
    free(t->v);
    memset(t, 0, sizeof(*t));
}
