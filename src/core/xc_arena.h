/*
 * xc_arena.h — the per-stream bump allocator.
 *
 * The caller hands the arena one buffer; every tree node and string the parser builds lives
 * in it. Allocation never goes past `cap` (which may be lowered below the buffer size to apply
 * the tighter pre-authentication budget), so a hostile peer can make the arena *fail*, never
 * grow. `mark` separates what must survive a stanza (the stream header and its namespace
 * bindings) from what is discarded after each first-level element.
 */
#ifndef XC_ARENA_H
#define XC_ARENA_H

#include "xc_base.h"

typedef struct xc_arena {
    uint8_t *base;
    size_t size; /* bytes in the buffer */
    size_t cap;  /* current budget, cap <= size */
    size_t top;  /* next free byte, top <= cap */
    size_t mark; /* rewind point, mark <= top */
} xc_arena;

/*@ predicate xc_arena_ok(xc_arena *a) =
      \valid(a) && a->mark <= a->top && a->top <= a->cap && a->cap <= a->size &&
      a->size <= 0x7fffffff &&
      (a->size == 0 || \valid(a->base + (0 .. a->size - 1)));
*/

/*@ requires \valid(a);
    requires size <= 0x7fffffff;
    requires size == 0 || \valid(base + (0 .. size - 1));
    requires \separated(a, base + (0 .. size - 1));
    assigns *a;
    ensures xc_arena_ok(a);
    ensures a->top == 0 && a->mark == 0 && a->cap == size && a->size == size && a->base == base;
*/
void xc_arena_init(xc_arena *a, uint8_t *base, size_t size);

/* Returns `n` bytes aligned for any core structure, or NULL when the budget is spent. */
/*@ requires xc_arena_ok(a);
    assigns a->top;
    ensures xc_arena_ok(a);
    ensures \result == \null || \valid(\result + (0 .. n - 1));
    ensures \result != \null ==> \result == a->base + \old(a->top) + (a->top - \old(a->top) - n);
    ensures \result == \null ==> a->top == \old(a->top);
*/
void *xc_arena_alloc(xc_arena *a, size_t n);

/* Bytes still available before the budget is spent. */
/*@ requires xc_arena_ok(a);
    assigns \nothing;
    ensures \result == a->cap - a->top;
*/
size_t xc_arena_room(const xc_arena *a);

/*@ requires xc_arena_ok(a);
    assigns a->mark;
    ensures xc_arena_ok(a) && a->mark == a->top;
*/
void xc_arena_set_mark(xc_arena *a);

/*@ requires xc_arena_ok(a);
    assigns a->top;
    ensures xc_arena_ok(a) && a->top == a->mark;
*/
void xc_arena_rewind(xc_arena *a);

#endif
