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
};

struct inspect_snippet {
    uint32_t off, len;  /* in the text */
    uint8_t kind;       /* enum inspect_snippet_kind */
    uint8_t strong;
};

struct inspect_snippets {
    struct inspect_snippet *v;
    size_t n, cap;
    int truncated;      /* more than INSPECT_MAX_SNIPPETS: the rest was not read */
};

/* 0, or -1 when out of memory.  len must be below 4 GiB (the caller
 * bounds it).  Release with inspect_snippets_release. */
int inspect_text_snippets(const char *text, size_t len, struct inspect_snippets *s);
void inspect_snippets_release(struct inspect_snippets *s);

#endif
