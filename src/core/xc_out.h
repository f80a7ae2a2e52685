/*
 * xc_out.h — a bounded output buffer: everything the core writes for the shell goes through it.
 *
 * Writes land only inside out[len .. cap-1]. Once a piece does not fit the buffer is marked
 * full and nothing more is written, so a caller checks once at the end (the one idiom for
 * "no room" in the core) and a half-written piece can never be followed by more bytes.
 */
#ifndef XC_OUT_H
#define XC_OUT_H

#include "xc_base.h"

typedef struct xc_out {
    uint8_t *out;
    size_t cap;
    size_t len;
    int full;
} xc_out;

/*@ predicate xc_out_ok(xc_out *w) =
      \valid(w) && w->len <= w->cap && w->cap <= 0x7fffffff &&
      (w->cap == 0 || \valid(w->out + (0 .. w->cap - 1))) &&
      (w->full == 0 || w->full == 1) && \separated(w, w->out + (0 .. w->cap - 1));
*/

/*@ requires \valid(w) && cap <= 0x7fffffff && (cap == 0 || \valid(out + (0 .. cap - 1)));
    requires \separated(w, out + (0 .. cap - 1));
    assigns *w;
    ensures xc_out_ok(w) && w->out == out && w->cap == cap && w->len == 0 && w->full == 0;
*/
void xc_out_init(xc_out *w, uint8_t *out, size_t cap);

/*@ requires xc_out_ok(w);
    requires n == 0 || \valid_read(s + (0 .. n - 1));
    requires n == 0 || \separated(w, s + (0 .. n - 1));
    assigns w->full, w->len, w->out[w->len .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
    ensures \old(w->len) <= w->len;
    ensures \old(w->full) == 0 && n <= \old(w->cap - w->len) ==> w->len == \old(w->len) + n && w->full == 0;
*/
void xc_out_put(xc_out *w, const char *s, size_t n);

/*@ requires xc_out_ok(w) && xc_str_valid(s);
    requires s.len == 0 || \separated(w, s.ptr + (0 .. s.len - 1));
    assigns w->full, w->len, w->out[w->len .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
    ensures \old(w->len) <= w->len;
*/
void xc_out_str(xc_out *w, xc_str s);

/* Character data or an attribute value with the five predefined entities escaped, and the
 * characters a parser would normalise (CR anywhere; TAB and LF in attributes) as references. */
/*@ requires xc_out_ok(w) && xc_str_valid(s);
    requires s.len == 0 || \separated(w, s.ptr + (0 .. s.len - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
    ensures \old(w->len) <= w->len;
*/
void xc_out_escaped(xc_out *w, xc_str s, int in_attr);

#define XC_OUT_LIT(w, lit) xc_out_put((w), (lit), sizeof(lit) - 1u)

#endif
