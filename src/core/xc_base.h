/*
 * xc_base.h — the few types every part of libxcore shares.
 *
 * libxcore is sans-I/O: it never calls the operating system, never calls malloc, and keeps
 * no global mutable state. Strings handed out by the core are (pointer, length) pairs into
 * memory the caller owns (its input buffer or its per-stream arena); they are never assumed
 * to be NUL-terminated, because XMPP payloads may legitimately be any length up to the caps.
 */
#ifndef XC_BASE_H
#define XC_BASE_H

#include <stddef.h>
#include <stdint.h>

/* A byte string: ptr may be NULL only when len == 0. */
typedef struct xc_str {
    const char *ptr;
    uint32_t len;
} xc_str;

/*@ predicate xc_str_valid(xc_str s) =
      s.len == 0 || \valid_read(s.ptr + (0 .. s.len - 1));

    // A string no store can reach (a string literal): apart from every writable object, so a
    // writer need not be told it is separated from it.
    predicate xc_str_read_only(xc_str s) =
      \forall integer k; 0 <= k < s.len ==> !\valid(s.ptr + k);
*/

#endif
