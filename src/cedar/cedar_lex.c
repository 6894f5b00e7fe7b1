#include "cedar_lex.h"

#include <string.h>

#include "cedar_ast.h"
#include "cedar_limits.h"

void
cedar_lex_init(struct cedar_lexer *lx, const char *src, size_t n)
{
    lx->src = lx->cur = src;
    lx->end = src + n;
    lx->line = 1;
    lx->line_start = src;
    lx->err = NULL;
    lx->schema = 0;
}

static int
is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static void
skip_space(struct cedar_lexer *lx)
{
    while (lx->cur < lx->end) {
        char c = *lx->cur;
        if (c == '\n') {
            lx->cur++;
            lx->line++;
            lx->line_start = lx->cur;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->cur++;
        } else if (c == '/' && lx->cur + 1 < lx->end && lx->cur[1] == '/') {
            while (lx->cur < lx->end && *lx->cur != '\n')
                lx->cur++;
        } else {
            return;
        }
    }
}

static void
lex_string(struct cedar_lexer *lx, struct cedar_token *t)
{
    const char *p = lx->cur + 1;
    while (p < lx->end && *p != '"') {
        if (*p == '\\' && p + 1 < lx->end)
            p++;
        if (*p == '\n') {
            lx->line++;
            lx->line_start = p + 1;
        }
        p++;
    }
    if (p >= lx->end) {
        t->kind = T_ERROR;
        lx->err = "unterminated string literal";
        lx->cur = lx->end;
        return;
    }
    t->kind = T_STRING;
    t->p = lx->cur + 1;
    t->n = (size_t)(p - t->p);
    lx->cur = p + 1;
}

struct punct {
    const char *text;
    uint8_t len;
    uint8_t kind;
};

/* Longest first, so "::" wins over ":" and "==" over "=". */
static const struct punct puncts[] = {
    {"::", 2, T_COLONCOLON}, {"==", 2, T_EQ},      {"!=", 2, T_NE},      {"<=", 2, T_LE},
    {">=", 2, T_GE},         {"&&", 2, T_AND},     {"||", 2, T_OR},      {"(", 1, T_LPAREN},
    {")", 1, T_RPAREN},      {"[", 1, T_LBRACKET}, {"]", 1, T_RBRACKET}, {"{", 1, T_LBRACE},
    {"}", 1, T_RBRACE},      {",", 1, T_COMMA},    {";", 1, T_SEMI},     {".", 1, T_DOT},
    {":", 1, T_COLON},       {"@", 1, T_AT},       {"<", 1, T_LT},       {">", 1, T_GT},
    {"!", 1, T_NOT},         {"+", 1, T_PLUS},     {"-", 1, T_MINUS},    {"*", 1, T_STAR},
};

void
cedar_lex_next(struct cedar_lexer *lx, struct cedar_token *t)
{
    skip_space(lx);
    t->p = lx->cur;
    t->n = 0;
    t->line = lx->line;
    t->col = (uint32_t)(lx->cur - lx->line_start) + 1;
    if (lx->cur >= lx->end) {
        t->kind = T_EOF;
        return;
    }
    char c = *lx->cur;
    if (is_ident_start(c)) {
        const char *p = lx->cur;
        while (p < lx->end && is_ident_char(*p))
            p++;
        t->kind = T_IDENT;
        t->n = (size_t)(p - lx->cur);
        lx->cur = p;
        return;
    }
    if (c >= '0' && c <= '9') {
        const char *p = lx->cur;
        while (p < lx->end && *p >= '0' && *p <= '9')
            p++;
        t->kind = T_INT;
        t->n = (size_t)(p - lx->cur);
        lx->cur = p;
        return;
    }
    if (c == '"') {
        lex_string(lx, t);
        return;
    }
    if (lx->schema && (c == '?' || (c == '=' && (lx->cur + 1 >= lx->end || lx->cur[1] != '=')))) {
        t->kind = c == '?' ? T_QUESTION : T_ASSIGN;
        t->n = 1;
        lx->cur++;
        return;
    }
    if (c == '?') {
        const char *p = lx->cur + 1;
        while (p < lx->end && is_ident_char(*p))
            p++;
        size_t n = (size_t)(p - lx->cur);
        if ((n == 10 && memcmp(lx->cur, "?principal", 10) == 0) ||
            (n == 9 && memcmp(lx->cur, "?resource", 9) == 0)) {
            t->kind = T_SLOT;
            t->n = n;
            lx->cur = p;
            return;
        }
        t->kind = T_ERROR;
        lx->err = "invalid slot: expected ?principal or ?resource";
        lx->cur = p > lx->cur + 1 ? p : lx->cur + 1;
        return;
    }
    for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
        size_t len = puncts[i].len;
        if ((size_t)(lx->end - lx->cur) >= len && memcmp(lx->cur, puncts[i].text, len) == 0) {
            t->kind = puncts[i].kind;
            t->n = len;
            lx->cur += len;
            return;
        }
    }
    t->kind = T_ERROR;
    t->n = 1;
    lx->err = "unexpected character";
    lx->cur++;
}

const char *
cedar_tok_name(enum cedar_tok k)
{
    static const char *const names[] = {
        [T_EOF] = "end of input", [T_ERROR] = "invalid token",
        [T_IDENT] = "identifier", [T_INT] = "integer",
        [T_STRING] = "string",    [T_SLOT] = "slot",
        [T_LPAREN] = "`(`",       [T_RPAREN] = "`)`",
        [T_LBRACKET] = "`[`",     [T_RBRACKET] = "`]`",
        [T_LBRACE] = "`{`",       [T_RBRACE] = "`}`",
        [T_COMMA] = "`,`",        [T_SEMI] = "`;`",
        [T_DOT] = "`.`",          [T_COLON] = "`:`",
        [T_COLONCOLON] = "`::`",  [T_AT] = "`@`",
        [T_EQ] = "`==`",          [T_NE] = "`!=`",
        [T_LT] = "`<`",           [T_LE] = "`<=`",
        [T_GT] = "`>`",           [T_GE] = "`>=`",
        [T_AND] = "`&&`",         [T_OR] = "`||`",
        [T_NOT] = "`!`",          [T_PLUS] = "`+`",
        [T_MINUS] = "`-`",        [T_STAR] = "`*`",
        [T_QUESTION] = "`?`",     [T_ASSIGN] = "`=`",
    };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t
cedar_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * One escape at p[0] == '\\'.  Writes its bytes to out (up to 4) and returns
 * how many source bytes it used, or 0 on an invalid escape.  *star is set
 * for `\*` when stars are allowed.
 */
static size_t
unescape_one(const char *p, const char *end, char out[4], size_t *outn, int star_ok, int *star)
{
    *star = 0;
    if (p + 1 >= end)
        return 0;
    char c = p[1];
    switch (c) {
    case 'n':
        out[0] = '\n';
        *outn = 1;
        return 2;
    case 'r':
        out[0] = '\r';
        *outn = 1;
        return 2;
    case 't':
        out[0] = '\t';
        *outn = 1;
        return 2;
    case '0':
        out[0] = '\0';
        *outn = 1;
        return 2;
    case '\\':
    case '\'':
    case '"':
        out[0] = c;
        *outn = 1;
        return 2;
    case '*':
        if (!star_ok)
            return 0;
        out[0] = '*';
        *outn = 1;
        *star = 1;
        return 2;
    case 'x': {
        if (p + 4 > end)
            return 0;
        int h = hexval(p[2]), l = hexval(p[3]);
        if (h < 0 || l < 0 || h > 7)
            return 0;
        out[0] = (char)(h * 16 + l);
        *outn = 1;
        return 4;
    }
    case 'u': {
        if (p + 2 >= end || p[2] != '{')
            return 0;
        const char *q = p + 3;
        uint32_t cp = 0;
        int digits = 0;
        while (q < end && *q != '}') {
            int h = hexval(*q);
            if (h < 0 || ++digits > 6)
                return 0;
            cp = cp * 16 + (uint32_t)h;
            q++;
        }
        if (q >= end || digits == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        *outn = cedar_utf8_encode(cp, out);
        return (size_t)(q + 1 - p);
    }
    default:
        return 0;
    }
}

int
cedar_unescape(struct cedar_arena *a, const char *p, size_t n, struct cedar_str *out,
               const char **err)
{
    if (n > CEDAR_MAX_STRING) {
        *err = "string literal too long";
        return -1;
    }
    /* Unescaped text is never longer than the source. */
    char *buf = cedar_arena_alloc(a, n + 1);
    if (!buf) {
        *err = "out of memory";
        return -1;
    }
    size_t o = 0;
    const char *end = p + n;
    while (p < end) {
        if (*p != '\\') {
            buf[o++] = *p++;
            continue;
        }
        char tmp[4];
        size_t tn;
        int star;
        size_t used = unescape_one(p, end, tmp, &tn, 0, &star);
        if (!used) {
            *err = "invalid escape sequence in string";
            return -1;
        }
        memcpy(buf + o, tmp, tn);
        o += tn;
        p += used;
    }
    out->p = buf;
    out->n = (uint32_t)o;
    return 0;
}

int
cedar_unescape_pattern(struct cedar_arena *a, const char *p, size_t n, int16_t **out,
                       uint32_t *count, const char **err)
{
    if (n > CEDAR_MAX_STRING) {
        *err = "pattern too long";
        return -1;
    }
    int16_t *buf = cedar_arena_alloc(a, (n + 1) * sizeof(int16_t));
    if (!buf) {
        *err = "out of memory";
        return -1;
    }
    size_t o = 0;
    const char *end = p + n;
    while (p < end) {
        if (*p == '*') {
            /* Consecutive stars match the same as one. */
            if (!o || buf[o - 1] != CEDAR_PAT_STAR)
                buf[o++] = CEDAR_PAT_STAR;
            p++;
            continue;
        }
        if (*p != '\\') {
            buf[o++] = (int16_t)(unsigned char)*p++;
            continue;
        }
        char tmp[4];
        size_t tn;
        int star;
        size_t used = unescape_one(p, end, tmp, &tn, 1, &star);
        if (!used) {
            *err = "invalid escape sequence in pattern";
            return -1;
        }
        for (size_t i = 0; i < tn; i++)
            buf[o++] = (int16_t)(unsigned char)tmp[i];
        p += used;
    }
    *out = buf;
    *count = (uint32_t)o;
    return 0;
}

/* Length of a valid UTF-8 sequence at p (RFC 3629), or 0. */
size_t
cedar_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}
