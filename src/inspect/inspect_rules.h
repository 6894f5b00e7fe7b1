/*
 * inspect_rules.h - the knowledge, as data: which commands do what.
 *
 * A rule table is text, one rule per line, tab-separated:
 *
 *   id  category  severity  match  explanation  example
 *
 * category is one of the eleven of inspection (widens-access, disables-
 * control, destructive, remote-code, exfiltration, persistence, privilege-
 * escalation, credential-access, opaque, secret, personal-data); severity
 * low, medium, high or critical; example a command line the rule must find
 * (the tests run every example; \n in it is a newline).  match is conditions joined by " && ",
 * all of which must hold for one command, seen through its wrappers:
 *
 *   cmd NAME|NAME...   the command's base name ("*": any command; such
 *                      rules are tried for every command: keep them few)
 *   path /RE/          the command's name as written (./a.out, /tmp/x)
 *   sub WORD           the next operand is WORD (gsutil iam ch: two subs)
 *   arg /RE/           some operand matches RE (PCRE2)
 *   last /RE/          the last operand matches RE (scp FILE HOST:PATH)
 *   has TEXT|TEXT...   some word (the name too) contains one of the texts:
 *                      a cheap test to put first in "cmd *" rules
 *   word /RE/          some word after the name matches RE, as written
 *                      (find -perm -4000, whose syntax is not getopt's)
 *   flag F|G...        option F (or G...) is given (a letter or a long name)
 *   mode-widens        the first operand is a chmod mode that widens access
 *   mode-writable      ... that lets others or the group write
 *   mode-readable      ... that lets others read, and no more (not write, no set-id)
 *   redirect /RE/      some redirection's target matches RE (tee's
 *                      files count: tee -a FILE writes as >> FILE)
 *   into-shell         its output is piped into a shell
 *   into-ssh           its output is piped into ssh (to another host)
 *   sql /RE/           a SQL statement it carries (an operand, an option's
 *                      value, a here-document) matches RE, any case
 *                      (inspect_embed.h: one statement, comments out,
 *                      blanks collapsed)
 *   policy-public      a JSON policy document it carries lets anyone in
 *   !COND              COND does not hold (not for the first, the command:
 *                      "gsutil iam ch -d allUsers:..." removes access)
 *
 * A seventh field, when a rule changes who may do what, describes the
 * access change (inspect_access.h), words separated by spaces:
 *
 *   change=C           grant, revoke, make-public, expose, remove-guard,
 *                      add-credential
 *   grantee=SRC,...    who gains it: the widest of the values found
 *   privilege=SRC,...  the role or permission (read through the access
 *                      table's privilege lines): the highest found
 *   object=KIND[:SRC,...]  what it is on: its kind, the first value found
 *   sql                grantees, privileges and object from the GRANT and
 *                      REVOKE statements the command carries
 *   doc                ... from the policies, RBAC bindings or Terraform
 *                      it carries (inspect_doc.h); the rule finds nothing
 *                      when they grant nothing
 *
 * A SRC is [PREFIX~]BASE[/RE/]: BASE is --name|-x (the values of those
 * options), #N (the Nth operand after the rule's subs), * (every operand
 * and option value) or =TEXT (that text); /RE/ keeps the values it
 * matches, its first group (when set) being the value; >TEXT after it
 * makes a value found stand for TEXT ("--grant-read>read"); PREFIX is put
 * before each ("group:~--group" reads kubectl's --group=x as group:x).
 * With such a field the severity may be "auto": then it comes from the
 * access table's severity lines (breadth x privilege x sensitivity).
 *
 * Each NAME=value assignment before a command (or alone) is also seen as
 * the command "=" with that one operand: "cmd = && arg /^LD_PRELOAD=/".
 *
 * Lines starting with # and empty lines are ignored.  A malformed line is
 * an error naming it: a rule table that half loads must not half protect.
 * A loaded table keeps match state: use it from one thread at a time.
 */
#ifndef INSPECT_RULES_H
#define INSPECT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "inspect_finding.h"

#define INSPECT_MAX_RULES 4096u
#define INSPECT_MAX_CONDS 16u      /* conditions in one rule */
#define INSPECT_MAX_CARRY_DEPTH 8u /* sh -c 'sh -c ...' levels followed */
#define INSPECT_MAX_SOURCES 8u     /* sources of one access field's part */
/* Files one script downloads (curl -O, wget) that inspection remembers, to
 * see them run later in it; past that, a script run by its path is
 * reported as one that may be a download. */
#define INSPECT_MAX_FETCHED 16u
/* Code on an interpreter's command line (python -c, perl -e, node -e ...)
 * longer than this is opaque, not read: a person cannot read it either. */
#define INSPECT_MAX_PLAIN_CODE 1024u

struct inspect_rules;

/* 0, or -1 with err ("line N: what is wrong"). */
int inspect_rules_load(struct inspect_rules **out, const char *text, size_t len, char *err,
                       size_t errlen);
void inspect_rules_free(struct inspect_rules *r);
/* Compile every pattern now (they are compiled when first matched
 * otherwise): 0, or -1 with err naming the rule whose pattern does not
 * compile.  For a table given by the operator, and the tests. */
int inspect_rules_compile(struct inspect_rules *r, char *err, size_t errlen);
/* The access tables the rules use (borrowed: they must outlive the rules);
 * without them rules find no access change and "auto" is high. */
struct inspect_access_tables;
void inspect_rules_set_access(struct inspect_rules *r, const struct inspect_access_tables *t);
size_t inspect_rules_count(const struct inspect_rules *r);
/* 1 if some rule names the command name[0..n) ("cmd NAME"). */
int inspect_rules_name(const struct inspect_rules *r, const char *name, size_t n);
/* Rule i's id and example (for the tests that run every example). */
const char *inspect_rule_id(const struct inspect_rules *r, size_t i);
const char *inspect_rule_example(const struct inspect_rules *r, size_t i);

/*
 * The findings for a shell text: every rule that matches one of its
 * commands (in substitutions, through wrappers, in carried texts such as
 * sh -c, in find -exec and xargs), plus an "opaque" finding for what cannot
 * be known (a name from a variable, eval, a shell reading a script or its
 * input) and a "parse" finding when the text does not parse.  *out is
 * malloc'd (free it); its strings belong to the rules or are static.
 */
/* The same, added to l with offsets shifted by base. */
void inspect_shell_findings(const struct inspect_rules *r, const char *text, size_t len,
                            uint32_t base, struct inspect_list *l);
int inspect_findings(const struct inspect_rules *r, const char *text, size_t len,
                     struct inspect_finding **out, size_t *n);

#endif
