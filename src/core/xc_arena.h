/*
 * xc_arena.h — the per-stream byte arena the parser builds strings in.
 *
 * The caller hands the arena one buffer; every name, value and text the parser keeps lives in
 * it, appended at `top`. Nothing is ever written at or past `cap` (which may be lowered below
 * the buffer size to apply the tighter pre-authentication budget), so a hostile peer can make
 * the arena *fail*, never grow. `mark` separates what must survive a stanza (the stream
 * header's strings) from what is discarded after each first-level element.
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
