/*
 * xc_arena.c — bounded bump allocation; see xc_arena.h for the invariants.
 */
#include "xc_arena.h"

#define XC_ARENA_ALIGN 8u

void xc_arena_init(xc_arena *a, uint8_t *base, size_t size)
{
    a->base = base;
    a->size = size;
    a->cap = size;
    a->top = 0;
    a->mark = 0;
}

void *xc_arena_alloc(xc_arena *a, size_t n)
{
    size_t pad = (XC_ARENA_ALIGN - (a->top % XC_ARENA_ALIGN)) % XC_ARENA_ALIGN;
    size_t room = a->cap - a->top;
    void *p;

    if (pad > room || n > room - pad)
        return NULL;
    p = a->base + a->top + pad;
    a->top += pad + n;
    return p;
}

size_t xc_arena_room(const xc_arena *a)
{
    return a->cap - a->top;
}

void xc_arena_set_mark(xc_arena *a)
{
    a->mark = a->top;
}

void xc_arena_rewind(xc_arena *a)
{
    a->top = a->mark;
}
