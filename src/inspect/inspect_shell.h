/*
 * inspect_shell.h - the commands a shell text would run.
 *
 * Built on the lexer (inspect_lex.h): the text's simple commands, each with
 * its words, assignments and redirections, and how it is connected: which
 * pipeline and where in it, run in the background, negated, inside a
 * subshell or group, inside a control structure, or inside a command,
 * process or arithmetic substitution (parsed again, to any depth up to
 * INSPECT_MAX_NESTING).  The reserved words of if/then/elif/else/fi,
 * while/until/do/done, for/in, case/in/esac and function definitions are
 * understood, so that `for x in rm -rf` runs nothing and `if rm -rf /;
 * then :; fi` runs rm.
 *
 * What a later stage must not take for harmless is said here: a command
 * whose name is not a plain word (a variable, a substitution) is marked
 * opaque, as is an eval.  A text that does not parse is an error with its
 * offset, never an empty list.
 */
#ifndef INSPECT_SHELL_H
#define INSPECT_SHELL_H

#include "inspect_lex.h"

#define INSPECT_MAX_COMMANDS 4096u

#define CMD_BACKGROUND 0x01 /* ends with & */
#define CMD_NEGATED 0x02    /* ! pipeline */
#define CMD_SUBSHELL 0x04   /* inside ( ... ) */
#define CMD_CONTROL 0x08    /* inside if/while/until/for/case/function */
#define CMD_SUBST 0x10      /* inside $( ), ` `, <( ), >( ) */
#define CMD_OPAQUE 0x20     /* its name is not known before it runs */

struct inspect_redir {
    char op[4];
    int fd;
    char *target;  /* the word after the operator (owned) */
    char *heredoc; /* << bodies (owned) */
};

struct inspect_cmd {
    char **argv;        /* words, quotes removed (owned) */
    unsigned *argflags; /* WORD_* of each word */
    size_t argc;
    char **assigns; /* NAME=value before the command (owned) */
    size_t nassigns;
    struct inspect_redir *redirs;
    size_t nredirs;
    unsigned pipeline; /* commands with the same number share a pipeline */
    unsigned stage;    /* 0 for the first command of its pipeline */
    unsigned depth;    /* substitutions it is inside */
    unsigned flags;    /* CMD_* */
    uint32_t off;      /* where it starts in the outermost text */
    uint32_t end;      /* and where its last word or redirection ends */
};

struct inspect_script {
    struct inspect_cmd *cmds;
    size_t n, cap;
    unsigned pipelines;
    const char *error;
    uint32_t error_off;
};

/* 0, or -1 with s->error and s->error_off (the commands before the error
 * are kept).  Release with inspect_script_release. */
int inspect_shell_parse(const char *text, size_t len, struct inspect_script *s);
void inspect_script_release(struct inspect_script *s);

#endif
