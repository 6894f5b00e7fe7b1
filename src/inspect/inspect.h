/*
 * inspect.h - inspection as the rest of airlock uses it.
 *
 * An inspector holds the shell rules and the secret formats; given a text
 * and what kind of text it is, it returns the findings sorted by where
 * they start:
 *
 *   INSPECT_COMMAND  a shell command (airlock check, a tool argument that
 *                    is a command): every rule, opaque and parse finding,
 *                    and the secrets in it
 *   INSPECT_TEXT     text written for people, Markdown or plain (airlock
 *                    scan, a message an agent posts): the commands in its
 *                    code blocks, prompts and inline code (inspect_text.h),
 *                    and the secrets and personal data anywhere in it
 *
 * A snippet that the text does not say is shell (no language, indented,
 * inline) may be anything: a parse error in it is no finding, and it is
 * then read line by line; a single word that is a variable ($HOME) is not
 * an opaque command.  A text over INSPECT_MAX_TEXT is not read: its only
 * finding says so (opaque, high), never an all clear.
 *
 * An inspector keeps match state: one thread at a time.
 */
#ifndef INSPECT_H
#define INSPECT_H

#include <stddef.h>

#include "inspect_finding.h"

#define INSPECT_MAX_TEXT (16u << 20) /* bytes of one text */

/* A shell command; text for people (inspect_text.h); or code in some other
 * language (Python, JavaScript, ...): read as shell where it parses as
 * shell, else line by line and each string literal in it (what code hands
 * to a shell: os.system("..."), execSync('...')), forgiven for not being
 * shell as text snippets are. */
enum inspect_kind { INSPECT_COMMAND, INSPECT_TEXT, INSPECT_CODE };

struct inspect;

/* Rules and secret formats: the texts of their tables, NULL for the ones
 * airlock ships.  0, or -1 with err naming the table and line. */
int inspect_open(struct inspect **out, const char *rules, const char *secrets, char *err,
                 size_t errlen);
void inspect_close(struct inspect *in);

/* The operator's organization: its domains and broad groups, consulted
 * before the access table's names when judging how wide a grantee is
 * (inspect_access.h).  0, or -1 with err. */
int inspect_set_org(struct inspect *in, const char *const *domains, size_t nd,
                    const char *const *groups, size_t ng, char *err, size_t errlen);

/* The findings of text into l (initialised by the caller; not cleared).
 * 0, or -1 when out of memory (l then says so with an opaque finding). */
int inspect_run(struct inspect *in, enum inspect_kind kind, const char *text, size_t len,
                struct inspect_list *l);

/* The highest severity in l (enum inspect_severity): INSPECT_SEV_NONE if empty. */
int inspect_list_worst(const struct inspect_list *l);

#endif
