/*
 * xc_arena.c — bounded bump allocation; see xc_arena.h for the invariants.
 */
#include "xc_arena.h"

void xc_arena_init(xc_arena *a, uint8_t *base, size_t size)
{
    a->base = base;
    a->size = size;
    a->cap = size;
    a->top = 0;
    a->mark = 0;
}

void xc_arena_set_mark(xc_arena *a)
{
    a->mark = a->top;
}

void xc_arena_rewind(xc_arena *a)
{
    a->top = a->mark;
}
