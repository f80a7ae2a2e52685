/*
 * xc_arena.h — the per-stream byte arena the parser builds strings in.
 *
 * The caller hands the arena one buffer; every name, value and text the parser keeps lives in
 * it, appended at `top`. Nothing is ever written at or past `cap` (which may be lowered below
 * the buffer size to apply the tighter pre-authentication budget), so a hostile peer can make
 * the arena *fail*, never grow. `mark` separates what must survive a stanza (the stream
 * header's strings) from what is discarded after each first-level element. The bytes are
 * `char` because the strings handed out (xc_str) are: no pointer is ever converted.
 */
#ifndef XC_ARENA_H
#define XC_ARENA_H

#include "xc_base.h"

typedef struct xc_arena {
    char *base;
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

#endif
