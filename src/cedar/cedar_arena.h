/*
 * cedar_arena.h - bump allocator with a ceiling.
 *
 * Everything a parse, an entity store or one authorization request allocates
 * comes from one arena and is freed at once with it; there is no per-object
 * free.  An arena has a maximum size: allocation past it fails (returns NULL)
 * and the caller reports CEDAR_E_LIMIT.  cedar_arena_reset() keeps the first
 * block, so a request arena reused across requests allocates nothing in the
 * steady state.
 */
#ifndef CEDAR_ARENA_H
#define CEDAR_ARENA_H

#include <stddef.h>

struct cedar_arena_block;

struct cedar_arena {
    struct cedar_arena_block *head; /* current block; older ones follow */
    size_t used;                    /* bytes handed out in all blocks */
    size_t reserved;                /* bytes obtained from malloc */
    size_t max;                     /* ceiling on reserved; 0 = none */
};

void cedar_arena_init(struct cedar_arena *a, size_t max);
/* Zeroed memory aligned for any object, or NULL on exhaustion. */
void *cedar_arena_alloc(struct cedar_arena *a, size_t n);
/* Copy of [p, p+n) followed by a NUL, or NULL. */
char *cedar_arena_strndup(struct cedar_arena *a, const char *p, size_t n);
/* Free all blocks but the first and forget every allocation. */
void cedar_arena_reset(struct cedar_arena *a);
void cedar_arena_release(struct cedar_arena *a);

#endif
