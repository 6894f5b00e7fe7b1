/*
 * inspect_lex.h - shell text as bash reads it: tokens.
 *
 * The first stage of command inspection (issue 4).  The lexer follows
 * bash's token rules: blanks separate words; quotes (single, double,
 * $'...' ANSI-C, backslash, backslash-newline) are kept in the word's raw
 * text and removed in its value; $(...), `...`, $((...)), ${...}, <(...) and
 * >(...) nest inside a word and are marked, never expanded; operators are
 * the longest match (&&, ||, ;;, |&, <<-, <<<, &>>, >|, ...); a digit
 * string right before a redirection is its file descriptor; # starts a
 * comment at the start of a word; here-document bodies are read after the
 * line that asked for them and attached to their redirection.
 *
 * What cannot be read (an unterminated quote or substitution, a crossed
 * limit) is an error with the offset where it starts: for inspection that
 * is a finding, never "all clear".
 *
 * A token list owns its memory (each value and body is its own allocation).
 */
#ifndef INSPECT_LEX_H
#define INSPECT_LEX_H

#include <stddef.h>
#include <stdint.h>

#define INSPECT_MAX_INPUT (1u << 20) /* bytes of shell text */
#define INSPECT_MAX_TOKENS 65536u    /* tokens in one text */
#define INSPECT_MAX_NESTING 32u      /* substitutions inside substitutions */
#define INSPECT_MAX_HEREDOCS 64u     /* pending here-documents on one line */

enum inspect_tok {
    TOK_WORD,
    TOK_NEWLINE,
    TOK_SEMI,     /* ; */
    TOK_DSEMI,    /* ;; (also ;& and ;;&) */
    TOK_AMP,      /* & */
    TOK_AND_IF,   /* && */
    TOK_OR_IF,    /* || */
    TOK_PIPE,     /* | */
    TOK_PIPE_AMP, /* |& */
    TOK_LPAREN,   /* ( */
    TOK_RPAREN,   /* ) */
    TOK_REDIR,    /* < > >> >| <> <& >& &> &>> << <<- <<< */
};

/* Word flags: what the word holds that is not plain text. */
#define WORD_QUOTED 0x01  /* some part was quoted */
#define WORD_PARAM 0x02   /* $name, ${...} */
#define WORD_CMDSUB 0x04  /* $(...) or `...` */
#define WORD_ARITH 0x08   /* $((...)) */
#define WORD_PROCSUB 0x10 /* <(...) or >(...) */
#define WORD_GLOB 0x20    /* unquoted * ? [ */
#define WORD_ASSIGN 0x40  /* NAME=... (or NAME+=...) */
#define WORD_TILDE 0x80   /* leading unquoted ~ */

/* A substitution inside a word, whose text is shell to parse again. */
struct inspect_subst {
    uint32_t off, len; /* its inner text in the input: between $( and ), ` and `, <( and ) */
    char kind;         /* '$' $(...), '`' `...` (inner text still backslash-escaped),
                        * '<' '>' process substitution; 'a' $((...)) and 'p' ${...}:
                        * not commands, but the substitutions they hold run */
};

#define INSPECT_MAX_SUBSTS 64u /* substitutions in one word */

struct inspect_token {
    enum inspect_tok type;
    uint32_t off, len; /* the raw text in the input */
    /* TOK_WORD: the value after quote removal (expansions kept as written),
     * NUL-terminated (a NUL inside comes only from $'\0', which bash ends
     * the word at; so does this) */
    char *value;
    uint32_t vlen;
    unsigned flags;
    struct inspect_subst *substs; /* top-level substitutions in the word (owned) */
    uint32_t nsubsts;
    /* TOK_REDIR: the operator, the fd before it (-1: none) */
    char op[4];
    int fd;
    /* << and <<-: the here-document's body and whether its delimiter was
     * quoted (then the body is not expanded) */
    char *heredoc;
    uint32_t hlen;
    int heredoc_quoted;
};

struct inspect_tokens {
    struct inspect_token *v;
    size_t n;
    size_t cap;
    /* On error: why, and where it starts. */
    const char *error;
    uint32_t error_off;
};

/* Tokenize text.  0, or -1 with t->error and t->error_off set (the tokens
 * before the error are kept).  Release with inspect_tokens_release. */
int inspect_lex(const char *text, size_t len, struct inspect_tokens *t);
void inspect_tokens_release(struct inspect_tokens *t);

#endif
