/*
 * inspect_text.h - the commands in text written for people.
 *
 * A message an agent posts (Markdown or plain text) tells a person what to
 * run in a few recognisable ways; this finds them, with their position:
 *
 *   fenced blocks     ```sh, bash, shell, zsh, console, shell-session,
 *                     terminal, or no language (~~~ too); other languages
 *                     are not shell and are skipped
 *   indented blocks   four spaces or a tab, after a blank line
 *   console prompts   a line starting with "$ " anywhere; inside console
 *                     blocks "# " too (root's prompt); a line ending in a
 *                     backslash continues the command
 *   inline code       `...` spans (a "$ " prompt inside is dropped)
 *   documents         fenced json, yaml/yml, hcl/tf/terraform blocks, for
 *                     the document readers (inspect_doc.h)
 *   prose             with a judge of command names: in a paragraph's
 *                     plain words, a name that is a command's (not an
 *                     English word: the judge says) followed by words, up
 *                     to the end of the sentence ("Just run sudo chmod
 *                     -R 777 /srv and it works")
 *
 * Block quotes ("> ", nested or not) hold the same: inspect_text_unquote
 * blanks their markers in a copy of the same length, so that offsets still
 * point into the original.
 *
 * A snippet is "strong" when the text says it is shell (a shell language,
 * a prompt) and "weak" when it may be anything (no language, indented,
 * inline): the caller forgives a weak snippet for not parsing as shell.
 */
#ifndef INSPECT_TEXT_H
#define INSPECT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define INSPECT_MAX_SNIPPETS 65536u /* commands found in one text */

enum inspect_snippet_kind {
    SNIP_FENCED,   /* a fenced block's whole content */
    SNIP_INDENTED, /* an indented block's whole content */
    SNIP_PROMPT,   /* the command after a prompt, with its continuation lines */
    SNIP_INLINE,   /* an inline code span */
    SNIP_PROSE,    /* a command in a sentence */
    SNIP_DOC,      /* a fenced json, yaml or hcl (terraform) block: a document */
};

struct inspect_snippet {
    uint32_t off, len; /* in the text */
    uint8_t kind;      /* enum inspect_snippet_kind */
    uint8_t strong;
    uint8_t doc; /* SNIP_DOC: 1 JSON, 2 YAML, 3 HCL (inspect_doc.h's order) */
};

struct inspect_snippets {
    struct inspect_snippet *v;
    size_t n, cap;
    int truncated; /* more than INSPECT_MAX_SNIPPETS: the rest was not read */
};

/* 0, or -1 when out of memory.  len must be below 4 GiB (the caller
 * bounds it).  Release with inspect_snippets_release. */
int inspect_text_snippets(const char *text, size_t len, struct inspect_snippets *s);

/* The same, and commands in prose: is_command(word, n, arg) says whether a
 * word of a sentence starts a command. */
int inspect_text_snippets_prose(const char *text, size_t len, struct inspect_snippets *s,
                                int (*is_command)(const char *w, size_t n, void *arg), void *arg);

/* A copy of text with its block quote markers (up to three spaces, ">",
 * one space; nested ones too) made blanks: *out (malloc'd) when text has
 * any, else NULL.  0, or -1 when out of memory. */
int inspect_text_unquote(const char *text, size_t len, char **out);
void inspect_snippets_release(struct inspect_snippets *s);

#endif
