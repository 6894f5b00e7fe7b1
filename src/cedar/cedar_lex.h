/*
 * cedar_lex.h - tokens of the Cedar policy language.
 *
 * The lexer walks bounded text one token at a time and never allocates.
 * String tokens are returned raw (between the quotes); cedar_unescape()
 * decodes them when the parser needs their value.
 */
#ifndef CEDAR_LEX_H
#define CEDAR_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "cedar_arena.h"
#include "cedar_value.h"

enum cedar_tok {
    T_EOF,
    T_ERROR, /* text of the offending spot; message in lex->err */
    T_IDENT,
    T_INT,
    T_STRING,
    T_SLOT, /* ?principal or ?resource */
    T_LPAREN,
    T_RPAREN,
    T_LBRACKET,
    T_RBRACKET,
    T_LBRACE,
    T_RBRACE,
    T_COMMA,
    T_SEMI,
    T_DOT,
    T_COLON,
    T_COLONCOLON,
    T_AT,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_AND,
    T_OR,
    T_NOT,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_QUESTION, /* schema text only: `?` */
    T_ASSIGN,   /* schema text only: `=` */
};

struct cedar_token {
    uint8_t kind;
    const char *p; /* token text (for T_STRING: between the quotes) */
    size_t n;
    uint32_t line, col;
};

struct cedar_lexer {
    const char *src, *cur, *end;
    uint32_t line;
    const char *line_start;
    const char *err; /* static message for T_ERROR */
    int schema;      /* Cedar schema text: `?` and `=` are tokens */
};

void cedar_lex_init(struct cedar_lexer *lx, const char *src, size_t n);
void cedar_lex_next(struct cedar_lexer *lx, struct cedar_token *t);
const char *cedar_tok_name(enum cedar_tok k);

/* UTF-8 bytes of code point cp (at most 0x10FFFF) into out; their count. */
size_t cedar_utf8_encode(uint32_t cp, char out[4]);
/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, at most U+10FFFF), or 0. */
size_t cedar_utf8_len(const unsigned char *p, const unsigned char *end);

/*
 * Decode the escapes of a string token (\n \r \t \\ \0 \' \" \xHH \u{H..H});
 * with star_escape, `\*` is kept as a pattern's literal star and bare `*`
 * becomes a wildcard (CEDAR_PAT_STAR in the int16 output).  Returns 0, or -1
 * with *err set.  Output is allocated in a.
 */
int cedar_unescape(struct cedar_arena *a, const char *p, size_t n, struct cedar_str *out,
                   const char **err);
int cedar_unescape_pattern(struct cedar_arena *a, const char *p, size_t n, int16_t **out,
                           uint32_t *count, const char **err);

#endif
