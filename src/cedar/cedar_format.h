/*
 * cedar_format.h - print policies and expressions in a canonical layout.
 *
 * The output parses back to the same policies (tests/cedar_format_test.c
 * checks the round trip on Cedar's corpus).  Parentheses appear only where
 * precedence needs them.  Comments in the source are not kept.
 */
#ifndef CEDAR_FORMAT_H
#define CEDAR_FORMAT_H

#include "cedar_ast.h"
#include "../util/util_buf.h"

int cedar_format_policy(struct util_buf *b, const struct cedar_policy *p);
int cedar_format_expr(struct util_buf *b, const struct cedar_expr *e);

#endif
