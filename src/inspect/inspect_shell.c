/*
 * inspect_shell.c - the commands a shell text would run (see the header).
 */
#include <stdlib.h>
#include <string.h>

#include "inspect_shell.h"

#define MAX_BLOCKS 256 /* open ( { if while for case, all nestings together */

struct parser {
    const struct inspect_tokens *t;
    const char *text; /* the text the tokens index */
    size_t i;
    struct inspect_script *s;
    unsigned depth;          /* substitutions we are inside */
    unsigned base_flags;     /* CMD_SUBST inside a substitution */
    uint32_t base_off;       /* where text starts in the outermost text */
    char blocks[MAX_BLOCKS]; /* 'S' subshell, 'G' group, 'F' function body, 'C' control */
    unsigned nblocks;
    int case_pattern; /* inside case, before a pattern's ) */
    int func_next;    /* the next { is a function body */
    long cur;         /* index of the command being built, -1: none (an index:
                       * substitutions parsed meanwhile may move the array) */
    unsigned pipe;    /* this parser's current pipeline number */
    unsigned stage;
    int negate;
    int after_compound; /* a ( ) { } or control block just ended: | may follow */
};

static int
fail(struct parser *P, const char *why, uint32_t off)
{
    if (!P->s->error) {
        P->s->error = why;
        P->s->error_off = P->base_off + off;
    }
    return -1;
}

static unsigned
block_flags(const struct parser *P)
{
    unsigned f = P->base_flags;
    for (unsigned k = 0; k < P->nblocks; k++)
        f |= P->blocks[k] == 'S' ? CMD_SUBSHELL : P->blocks[k] == 'G' ? 0 : CMD_CONTROL;
    return f;
}

static int
open_block(struct parser *P, char kind, uint32_t off)
{
    if (P->nblocks == MAX_BLOCKS)
        return fail(P, "blocks nested deeper than inspection reads", off);
    P->blocks[P->nblocks++] = kind;
    return 0;
}

static int
close_block(struct parser *P, const char *kinds, const char *what, uint32_t off)
{
    if (!P->nblocks || !strchr(kinds, P->blocks[P->nblocks - 1]))
        return fail(P, what, off);
    P->nblocks--;
    return 0;
}

/* An array of n elements grown one at a time has room for 4, 8, 16...:
 * whether adding one needs a larger allocation, and its new count. */
static int
full_at(size_t n)
{
    return n == 0 || (n >= 4 && !(n & (n - 1)));
}

static size_t
grown(size_t n)
{
    return n ? 2 * n : 4;
}

static int
append(char ***v, size_t *n, const char *s)
{
    char **nv = *v;
    if (full_at(*n) && !(nv = realloc(*v, grown(*n) * sizeof(*nv))))
        return -1;
    *v = nv;
    if (!(nv[*n] = strdup(s)))
        return -1;
    (*n)++;
    return 0;
}

/* The command being built, started on first need. */
static struct inspect_cmd *
current(struct parser *P, uint32_t off)
{
    struct inspect_script *s = P->s;
    if (P->cur >= 0)
        return &s->cmds[P->cur];
    if (s->n == INSPECT_MAX_COMMANDS) {
        fail(P, "more commands than inspection reads", off);
        return NULL;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct inspect_cmd *c = realloc(s->cmds, cap * sizeof(*c));
        if (!c) {
            fail(P, "out of memory", off);
            return NULL;
        }
        s->cmds = c;
        s->cap = cap;
    }
    P->cur = (long)s->n;
    struct inspect_cmd *c = &s->cmds[s->n++];
    memset(c, 0, sizeof(*c));
    c->pipeline = P->pipe;
    c->stage = P->stage;
    c->depth = P->depth;
    c->flags = block_flags(P) | (P->negate ? CMD_NEGATED : 0);
    c->off = c->end = P->base_off + off;
    return c;
}

/* The end of a command: the next one is a new stage or a new pipeline. */
static void
end_command(struct parser *P, int new_pipeline)
{
    P->cur = -1;
    if (new_pipeline) {
        P->pipe = P->s->pipelines++; /* numbers are unique across nested texts */
        P->stage = 0;
        P->negate = 0;
    } else {
        P->stage++;
    }
}

static int parse_text(struct inspect_script *s, const char *text, size_t len, uint32_t base,
                      unsigned depth, unsigned flags, int substs_only);

/* Parse the substitutions a word holds, one level deeper. */
static int
word_substs(struct parser *P, const struct inspect_token *w)
{
    for (uint32_t k = 0; k < w->nsubsts; k++) {
        const struct inspect_subst *u = &w->substs[k];
        const char *inner = P->text + u->off;
        size_t n = u->len;
        char *copy = NULL;
        if (u->kind == '`') {
            /* Inside backquotes, \` \\ \$ stand for the character itself. */
            copy = malloc(n + 1);
            if (!copy)
                return fail(P, "out of memory", u->off);
            size_t m = 0;
            for (size_t j = 0; j < n; j++) {
                if (inner[j] == '\\' && j + 1 < n && strchr("`\\$", inner[j + 1]))
                    j++;
                copy[m++] = inner[j];
            }
            inner = copy;
            n = m;
        }
        if (P->depth + 1 > INSPECT_MAX_NESTING) {
            free(copy);
            return fail(P, "substitutions nested deeper than inspection reads", u->off);
        }
        /* ${...} and $((...)) are no level of their own: what they hold is. */
        int holder = u->kind == 'a' || u->kind == 'p';
        int rc = parse_text(P->s, inner, n, P->base_off + u->off, P->depth + !holder,
                            holder ? P->base_flags : P->base_flags | CMD_SUBST, holder);
        free(copy);
        if (rc)
            return -1;
    }
    return 0;
}

static int
is_word(const struct parser *P, size_t i, const char *w)
{
    const struct inspect_token *k = i < P->t->n ? &P->t->v[i] : NULL;
    return k && k->type == TOK_WORD && !(k->flags & WORD_QUOTED) && !strcmp(k->value, w);
}

/* Skip `for NAME [in WORDS]` up to its ; or newline (or do).  The words'
 * substitutions run. */
static int
skip_for_head(struct parser *P)
{
    P->i++; /* the NAME */
    if (!is_word(P, P->i + 1, "in"))
        return 0;
    P->i++;
    while (P->i + 1 < P->t->n && P->t->v[P->i + 1].type == TOK_WORD &&
           !is_word(P, P->i + 1, "do")) {
        P->i++;
        if (word_substs(P, &P->t->v[P->i]))
            return -1;
    }
    return 0;
}

/* A reserved word at command position; 1 if it was one (consumed). */
static int
reserved(struct parser *P, const struct inspect_token *k, int *rc)
{
    const char *w = k->value;
    if (k->flags & WORD_QUOTED)
        return 0;
    *rc = 0;
    if (!strcmp(w, "!")) {
        P->negate = 1;
    } else if (!strcmp(w, "if") || !strcmp(w, "while") || !strcmp(w, "until")) {
        *rc = open_block(P, 'C', k->off);
    } else if (!strcmp(w, "then") || !strcmp(w, "else") || !strcmp(w, "elif") || !strcmp(w, "do")) {
        /* inside the block already open */
    } else if (!strcmp(w, "fi") || !strcmp(w, "done")) {
        *rc = close_block(P, "C", "fi or done without its if, while, until or for", k->off);
    } else if (!strcmp(w, "for") || !strcmp(w, "select")) {
        *rc = open_block(P, 'C', k->off);
        if (!*rc)
            *rc = skip_for_head(P);
    } else if (!strcmp(w, "case")) {
        *rc = open_block(P, 'C', k->off);
        P->i++; /* the word */
        if (!is_word(P, P->i + 1, "in"))
            return *rc = fail(P, "case without in", k->off), 1;
        if (!*rc)
            *rc = word_substs(P, &P->t->v[P->i]);
        P->i++;
        P->case_pattern = 1;
    } else if (!strcmp(w, "esac")) {
        P->case_pattern = 0;
        *rc = close_block(P, "C", "esac without case", k->off);
    } else if (!strcmp(w, "{")) {
        *rc = open_block(P, P->func_next ? 'F' : 'G', k->off);
        P->func_next = 0;
    } else if (!strcmp(w, "}")) {
        *rc = close_block(P, "GF", "} without {", k->off);
    } else if (!strcmp(w, "function")) {
        P->i++; /* the name */
        if (P->i + 2 < P->t->n && P->t->v[P->i + 1].type == TOK_LPAREN &&
            P->t->v[P->i + 2].type == TOK_RPAREN)
            P->i += 2;
        P->func_next = 1;
    } else {
        return 0;
    }
    return 1;
}

/* The command's text now reaches to the end of token k.  In a carried or
 * substituted text the offsets are the outer text's (base_off). */
static void
extend(struct parser *P, struct inspect_cmd *c, const struct inspect_token *k)
{
    uint32_t end = P->base_off + k->off + k->len;
    if (end > c->end)
        c->end = end;
}

static int
add_word(struct parser *P, const struct inspect_token *k)
{
    struct inspect_cmd *c;
    if (P->case_pattern && !is_word(P, P->i, "esac")) {
        /* a pattern: alternatives up to ), none of them run */
        return word_substs(P, k);
    }
    if (P->cur < 0) {
        int rc;
        if (reserved(P, k, &rc))
            return rc;
        /* NAME ( ) { ... }: a function definition, its body follows. */
        if (P->i + 2 < P->t->n && P->t->v[P->i + 1].type == TOK_LPAREN &&
            P->t->v[P->i + 2].type == TOK_RPAREN && !(k->flags & ~WORD_GLOB)) {
            P->i += 2;
            P->func_next = 1;
            return 0;
        }
    }
    if (!(c = current(P, k->off)))
        return -1;
    extend(P, c, k);
    if (c->argc == 0 && (k->flags & WORD_ASSIGN)) {
        if (append(&c->assigns, &c->nassigns, k->value))
            return fail(P, "out of memory", k->off);
        return word_substs(P, k);
    }
    if (c->argc == 0 && ((k->flags & (WORD_PARAM | WORD_CMDSUB | WORD_ARITH | WORD_PROCSUB)) ||
                         !strcmp(k->value, "eval")))
        c->flags |= CMD_OPAQUE;
    unsigned *f = c->argflags;
    if (full_at(c->argc) && !(f = realloc(c->argflags, grown(c->argc) * sizeof(*f))))
        return fail(P, "out of memory", k->off);
    c->argflags = f;
    f[c->argc] = k->flags;
    if (append(&c->argv, &c->argc, k->value))
        return fail(P, "out of memory", k->off);
    return word_substs(P, k);
}

static int
add_redir(struct parser *P, const struct inspect_token *k)
{
    const struct inspect_token *w = P->i + 1 < P->t->n ? &P->t->v[P->i + 1] : NULL;
    if (!w || w->type != TOK_WORD)
        return fail(P, "a redirection without its target", k->off);
    struct inspect_cmd *c = current(P, k->off);
    if (!c)
        return -1;
    struct inspect_redir *r = realloc(c->redirs, (c->nredirs + 1) * sizeof(*r));
    if (!r)
        return fail(P, "out of memory", k->off);
    c->redirs = r;
    r = &r[c->nredirs++];
    memset(r, 0, sizeof(*r));
    memcpy(r->op, k->op, sizeof(r->op));
    r->fd = k->fd;
    r->target = strdup(w->value);
    r->heredoc = k->heredoc ? strdup(k->heredoc) : NULL;
    extend(P, c, w);
    if (!r->target || (k->heredoc && !r->heredoc))
        return fail(P, "out of memory", k->off);
    P->i++;
    /* An unquoted here-document's body is expanded: its substitutions run. */
    if (k->heredoc && !k->heredoc_quoted && strpbrk(k->heredoc, "$`") &&
        parse_text(P->s, k->heredoc, k->hlen, P->base_off + k->off, P->depth, P->base_flags, 1))
        return -1;
    return word_substs(P, w);
}

/* Background: every command of the pipeline that just ended. */
static void
mark_background(struct parser *P)
{
    for (size_t k = 0; k < P->s->n; k++)
        if (P->s->cmds[k].pipeline == P->pipe && P->s->cmds[k].depth == P->depth)
            P->s->cmds[k].flags |= CMD_BACKGROUND;
}

static int
step(struct parser *P)
{
    const struct inspect_token *k = &P->t->v[P->i];
    int after = P->after_compound;
    P->after_compound = 0;
    switch (k->type) {
    case TOK_WORD: {
        int rc = add_word(P, k);
        /* fi, done, esac, }: what follows may pipe from the block */
        if (!rc && P->cur < 0 && !(k->flags & WORD_QUOTED) &&
            (!strcmp(k->value, "fi") || !strcmp(k->value, "done") || !strcmp(k->value, "esac") ||
             !strcmp(k->value, "}")))
            P->after_compound = 1;
        return rc;
    }
    case TOK_REDIR:
        return add_redir(P, k);
    case TOK_PIPE:
    case TOK_PIPE_AMP:
        if (P->case_pattern)
            return 0; /* a|b) in a case: alternatives */
        if (P->cur < 0 && !after)
            return fail(P, "| without a command before it", k->off);
        if (after)
            P->stage = 1; /* the block was stage 0 */
        else
            end_command(P, 0);
        return 0;
    case TOK_AMP:
        end_command(P, 0);
        mark_background(P);
        end_command(P, 1);
        return 0;
    case TOK_AND_IF:
    case TOK_OR_IF:
    case TOK_SEMI:
    case TOK_NEWLINE:
        end_command(P, 1);
        return 0;
    case TOK_DSEMI:
        end_command(P, 1);
        P->case_pattern = 1;
        return 0;
    case TOK_LPAREN:
        if (P->case_pattern)
            return 0;
        if (P->cur >= 0)
            return fail(P, "( in the middle of a command", k->off);
        return open_block(P, 'S', k->off);
    case TOK_RPAREN:
        if (P->case_pattern) {
            P->case_pattern = 0;
            return 0;
        }
        end_command(P, 1);
        P->after_compound = 1;
        return close_block(P, "S", ") without (", k->off);
    }
    return 0;
}

static int
parse_text(struct inspect_script *s, const char *text, size_t len, uint32_t base, unsigned depth,
           unsigned flags, int substs_only)
{
    struct inspect_tokens t;
    struct parser P = {.t = &t,
                       .text = text,
                       .s = s,
                       .depth = depth,
                       .base_flags = flags,
                       .base_off = base,
                       .cur = -1,
                       .pipe = s->pipelines++};
    int rc = inspect_lex(text, len, &t);
    if (rc) {
        fail(&P, t.error, t.error_off);
    } else if (substs_only) {
        /* ${...}, $((...)), here-document bodies: only their substitutions run. */
        for (size_t i = 0; !rc && i < t.n; i++)
            if (t.v[i].type == TOK_WORD)
                rc = word_substs(&P, &t.v[i]);
    } else {
        for (P.i = 0; !rc && P.i < t.n; P.i++)
            rc = step(&P);
        if (!rc && P.nblocks)
            rc = fail(&P,
                      P.blocks[P.nblocks - 1] == 'S'   ? "( without )"
                      : P.blocks[P.nblocks - 1] == 'C' ? "if, while, until, for or case "
                                                         "without its end"
                                                       : "{ without }",
                      (uint32_t)len);
        if (!rc && P.func_next)
            rc = fail(&P, "a function without its body", (uint32_t)len);
        end_command(&P, 1);
    }
    inspect_tokens_release(&t);
    return rc ? -1 : 0;
}

int
inspect_shell_parse(const char *text, size_t len, struct inspect_script *s)
{
    memset(s, 0, sizeof(*s));
    return parse_text(s, text, len, 0, 0, 0, 0);
}

void
inspect_script_release(struct inspect_script *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct inspect_cmd *c = &s->cmds[i];
        for (size_t k = 0; k < c->argc; k++)
            free(c->argv[k]);
        for (size_t k = 0; k < c->nassigns; k++)
            free(c->assigns[k]);
        for (size_t k = 0; k < c->nredirs; k++) {
            free(c->redirs[k].target);
            free(c->redirs[k].heredoc);
        }
        free(c->argv);
        free(c->argflags);
        free(c->assigns);
        free(c->redirs);
    }
    free(s->cmds);
    memset(s, 0, sizeof(*s));
}
