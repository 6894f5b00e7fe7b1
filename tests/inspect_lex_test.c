/*
 * inspect_lex: the cases of tests/data/inspect-lex.txt (shell text and the
 * tokens bash reads in it), and the lexer's limits crossed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/inspect/inspect_lex.h"
#include "test_util.h"

struct out {
    char buf[4096];
    size_t n;
};

static void
put(struct out *o, const char *s, size_t n)
{
    if (o->n + n < sizeof(o->buf)) {
        memcpy(o->buf + o->n, s, n);
        o->n += n;
        o->buf[o->n] = '\0';
    }
}

static void
puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Newlines in values and bodies as \n, other control characters but tab
 * as \xNN, so a case stays on one visible line. */
static void
put_escaped(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char hex[8];
        if (c == '\n') {
            puts_(o, "\\n");
        } else if (c < 0x20 && c != '\t') {
            snprintf(hex, sizeof(hex), "\\x%02x", c);
            puts_(o, hex);
        } else {
            put(o, s + i, 1);
        }
    }
}

static void
render(const struct inspect_tokens *t, struct out *o)
{
    static const char *const ops[] = {
        [TOK_NEWLINE] = "\\n", [TOK_SEMI] = ";",   [TOK_DSEMI] = ";;", [TOK_AMP] = "&",
        [TOK_AND_IF] = "&&",   [TOK_OR_IF] = "||", [TOK_PIPE] = "|",   [TOK_PIPE_AMP] = "|&",
        [TOK_LPAREN] = "(",    [TOK_RPAREN] = ")",
    };
    for (size_t i = 0; i < t->n; i++) {
        const struct inspect_token *k = &t->v[i];
        if (i)
            puts_(o, " ");
        if (k->type == TOK_WORD) {
            puts_(o, "[");
            put_escaped(o, k->value, k->vlen);
            puts_(o, "]");
            static const char letters[] = "qpcasget";
            char f[10];
            size_t nf = 0;
            for (int b = 0; b < 8; b++)
                if (k->flags & (1u << b))
                    f[nf++] = letters[b];
            if (nf) {
                puts_(o, "/");
                put(o, f, nf);
            }
        } else if (k->type == TOK_REDIR) {
            char fd[16] = "";
            if (k->fd >= 0)
                snprintf(fd, sizeof(fd), "%d", k->fd);
            puts_(o, fd);
            puts_(o, k->op);
            if (k->heredoc) {
                puts_(o, "{");
                put_escaped(o, k->heredoc, k->hlen);
                puts_(o, "}");
                if (k->heredoc_quoted)
                    puts_(o, "quoted");
            }
        } else {
            puts_(o, ops[k->type]);
        }
    }
    if (t->error) {
        char e[160];
        snprintf(e, sizeof(e), "%serror: %s @%u", t->n ? " " : "", t->error, t->error_off);
        puts_(o, e);
    }
}

static void
lex_case(const char *text, size_t len, char *got, size_t cap)
{
    struct inspect_tokens t;
    struct out o = {.n = 0};
    inspect_lex(text, len, &t);
    render(&t, &o);
    inspect_tokens_release(&t);
    snprintf(got, cap, "%s", o.buf);
}

static void
test_cases(void **state)
{
    (void)state;
    assert_true(tu_run_cases("inspect-lex.txt", lex_case, 1) >= 20);
}

static void
test_limits(void **state)
{
    (void)state;
    struct inspect_tokens t;
    /* INSPECT_MAX_NESTING substitutions deep, and one more. */
    char deep[512] = "echo ", *p = deep + 5;
    for (unsigned i = 0; i < INSPECT_MAX_NESTING; i++)
        p += sprintf(p, "$(");
    *p++ = 'x';
    for (unsigned i = 0; i < INSPECT_MAX_NESTING; i++)
        *p++ = ')';
    *p = '\0';
    assert_int_equal(inspect_lex(deep, strlen(deep), &t), 0);
    inspect_tokens_release(&t);
    char deeper[520];
    snprintf(deeper, sizeof(deeper), "echo $(%s)", deep + 5);
    assert_int_equal(inspect_lex(deeper, strlen(deeper), &t), -1);
    assert_non_null(strstr(t.error, "nested deeper"));
    inspect_tokens_release(&t);
    /* INSPECT_MAX_TOKENS tokens, and one more. */
    size_t n = INSPECT_MAX_TOKENS;
    char *many = malloc(2 * n + 2);
    for (size_t i = 0; i < n; i++)
        many[2 * i] = 'a', many[2 * i + 1] = ' ';
    assert_int_equal(inspect_lex(many, 2 * n, &t), 0);
    assert_int_equal(t.n, n);
    inspect_tokens_release(&t);
    many[2 * n] = 'a';
    assert_int_equal(inspect_lex(many, 2 * n + 1, &t), -1);
    assert_non_null(strstr(t.error, "more tokens"));
    inspect_tokens_release(&t);
    free(many);
    /* INSPECT_MAX_INPUT bytes, and one more; a NUL byte. */
    char *big = malloc(INSPECT_MAX_INPUT + 1);
    memset(big, ' ', INSPECT_MAX_INPUT + 1);
    assert_int_equal(inspect_lex(big, INSPECT_MAX_INPUT, &t), 0);
    inspect_tokens_release(&t);
    assert_int_equal(inspect_lex(big, INSPECT_MAX_INPUT + 1, &t), -1);
    inspect_tokens_release(&t);
    free(big);
    assert_int_equal(inspect_lex("a\0b", 3, &t), -1);
    assert_int_equal(t.error_off, 1);
    inspect_tokens_release(&t);
    /* INSPECT_MAX_SUBSTS substitutions in one word, and one more. */
    for (unsigned extra = 0; extra < 2; extra++) {
        char w[1024] = "echo ", *r = w + 5;
        for (unsigned i = 0; i < INSPECT_MAX_SUBSTS + extra; i++)
            r += sprintf(r, "$(x)");
        assert_int_equal(inspect_lex(w, strlen(w), &t), extra ? -1 : 0);
        if (extra)
            assert_non_null(strstr(t.error, "substitutions in one word"));
        inspect_tokens_release(&t);
    }
    /* INSPECT_MAX_HEREDOCS on one line, and one more. */
    char hd[4096] = "cat", *q = hd + 3;
    for (unsigned i = 0; i <= INSPECT_MAX_HEREDOCS; i++)
        q += sprintf(q, " <<E");
    sprintf(q, "\n");
    assert_int_equal(inspect_lex(hd, strlen(hd), &t), -1);
    assert_non_null(strstr(t.error, "here-documents on one line"));
    inspect_tokens_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
