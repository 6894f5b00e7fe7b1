#include "cedar_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16u
#define ARENA_MIN_BLOCK 4096u

struct cedar_arena_block {
    struct cedar_arena_block *next;
    size_t size; /* usable bytes in data */
    size_t off;  /* next free offset in data */
    _Alignas(16) unsigned char data[];
};

void
cedar_arena_init(struct cedar_arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->reserved = 0;
    a->max = max;
}

static struct cedar_arena_block *
arena_grow(struct cedar_arena *a, size_t n)
{
    size_t size = a->head ? a->head->size * 2 : ARENA_MIN_BLOCK;
    if (size < n)
        size = n;
    if (a->max && (size > a->max || a->reserved > a->max - size)) {
        /* Try the smallest block that fits before giving up. */
        size = n;
        if (size > a->max || a->reserved > a->max - size)
            return NULL;
    }
    struct cedar_arena_block *b = malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->next = a->head;
    b->size = size;
    b->off = 0;
    a->head = b;
    a->reserved += size;
    return b;
}

void *
cedar_arena_alloc(struct cedar_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct cedar_arena_block *b = a->head;
    if (!b || b->size - b->off < n) {
        b = arena_grow(a, n);
        if (!b)
            return NULL;
    }
    void *p = b->data + b->off;
    b->off += n;
    a->used += n;
    memset(p, 0, n);
    return p;
}

char *
cedar_arena_strndup(struct cedar_arena *a, const char *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *s = cedar_arena_alloc(a, n + 1);
    if (!s)
        return NULL;
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void
cedar_arena_reset(struct cedar_arena *a)
{
    struct cedar_arena_block *keep = a->head;
    if (!keep)
        return;
    /* Keep the newest block: it is the largest, the one a steady state fits in. */
    struct cedar_arena_block *b = keep->next;
    while (b) {
        struct cedar_arena_block *next = b->next;
        free(b);
        b = next;
    }
    keep->next = NULL;
    keep->off = 0;
    a->reserved = keep->size;
    a->used = 0;
}

void
cedar_arena_release(struct cedar_arena *a)
{
    struct cedar_arena_block *b = a->head;
    while (b) {
        struct cedar_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
    a->reserved = 0;
}
