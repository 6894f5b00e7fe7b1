/*
 * cedar_limits.h - every size, depth and count that input controls.
 *
 * Input to the Cedar engine (policy text, entity JSON, request JSON) may be
 * hostile.  Each quantity it can grow is bounded here, in one place, and each
 * bound has a test that crosses it (tests/cedar_limits_test.c).  Crossing a
 * limit is a clear error (CEDAR_E_LIMIT), never a crash.
 */
#ifndef CEDAR_LIMITS_H
#define CEDAR_LIMITS_H

/* Bytes of policy text accepted in one policy set source. */
#define CEDAR_MAX_POLICY_TEXT (16u * 1024 * 1024)
/* Policies (including template links) in one policy set. */
#define CEDAR_MAX_POLICIES 200000u
/* Nesting depth of expressions while parsing; bounds evaluator recursion too. */
#define CEDAR_MAX_EXPR_DEPTH 200u
/* Bytes in one string or identifier literal, after unescaping. */
#define CEDAR_MAX_STRING 1048576u
/* Elements in one set or record, literal or JSON. */
#define CEDAR_MAX_ELEMENTS 100000u
/* Annotations on one policy. */
#define CEDAR_MAX_ANNOTATIONS 64u
/* Entities in one entity store. */
#define CEDAR_MAX_ENTITIES 1000000u
/* Parents listed for one entity. */
#define CEDAR_MAX_PARENTS 10000u
/* Nesting depth of JSON values (records and sets) in entity or request data. */
#define CEDAR_MAX_JSON_DEPTH 64u
/* Bytes of one JSON document (entities, request, context, test file). */
#define CEDAR_MAX_JSON_TEXT (64u * 1024 * 1024)
/* Bytes the evaluator may allocate for one authorization request. */
#define CEDAR_MAX_REQUEST_ARENA (64u * 1024 * 1024)
/* Total ancestor links after transitive closure: the closure is kept in
 * memory (8 bytes a link), so a deep hierarchy is refused past this. */
#define CEDAR_MAX_ANCESTOR_LINKS 10000000u
/* Items in one JSON array or object (an entity list is one array). */
#define CEDAR_MAX_JSON_ITEMS 2000000u
/* `when` / `unless` clauses on one policy. */
#define CEDAR_MAX_CONDITIONS 64u
/* Bytes of one error message. */
#define CEDAR_MAX_ERRMSG 512u

#endif
