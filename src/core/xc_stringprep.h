/*
 * xc_stringprep.h — the stringprep interface libxcore needs for JIDs (RFC 3920 §3.2–§3.4).
 *
 * libxcore links no library (DESIGN.md), so the three stringprep profiles of RFC 3920 —
 * Nodeprep (Appendix A), Nameprep (RFC 3491) and Resourceprep (Appendix B) — come in through
 * this one plain extern function. The server links src/server/adapter_stringprep_libidn.c
 * (GNU libidn); the proof of the core is relative to the contract below, which is *assumed*,
 * never proven (proofs/REPORT.md lists it as such).
 *
 * It is a plain function, not a pointer in a context, because WP cannot follow function
 * pointers. Input is UTF-8 (the core has already checked it is well formed and free of U+0000)
 * and is never read past in_len: it is not NUL-terminated.
 */
#ifndef XC_STRINGPREP_H
#define XC_STRINGPREP_H

#include "xc_base.h"

/* Longest raw input the core ever hands in. Preparation may only shrink a part below this
 * (characters mapped to nothing, RFC 3454 table B.1), and a part longer than 1023 bytes after
 * preparation is malformed anyway (RFC 3920 §3.1), so anything longer is refused up front. */
#define XC_PREP_IN_MAX 4096u

typedef enum {
    XC_PREP_NODE = 0,     /* Nodeprep, RFC 3920 Appendix A */
    XC_PREP_NAME = 1,     /* Nameprep, RFC 3491 (RFC 3920 §3.2) */
    XC_PREP_RESOURCE = 2  /* Resourceprep, RFC 3920 Appendix B */
} xc_prep_profile;

typedef enum {
    XC_PREP_OK = 0,
    XC_PREP_FAILED = 1,   /* prohibited or unassigned code point, bidi rule, bad UTF-8 */
    XC_PREP_TOO_LONG = 2  /* the prepared string does not fit in out_cap bytes */
} xc_prep_status;

/* Prepares in[0 .. in_len-1] with `profile` and writes the result (UTF-8, no NUL) to out.
 * On XC_PREP_OK, *out_len <= out_cap bytes of out hold the prepared string. */
/*@ requires profile == XC_PREP_NODE || profile == XC_PREP_NAME || profile == XC_PREP_RESOURCE;
    requires 1 <= in_len <= XC_PREP_IN_MAX;
    requires \valid_read(in + (0 .. in_len - 1));
    requires 1 <= out_cap;
    requires \valid(out + (0 .. out_cap - 1));
    requires \valid(out_len);
    requires \separated(out + (0 .. out_cap - 1), out_len, in + (0 .. in_len - 1));
    requires \separated(out + (0 .. out_cap - 1), out_len);
    assigns out[0 .. out_cap - 1] \from profile, in[0 .. in_len - 1], in_len, out_cap;
    assigns *out_len \from profile, in[0 .. in_len - 1], in_len, out_cap;
    assigns \result \from profile, in[0 .. in_len - 1], in_len, out_cap;
    ensures \result == XC_PREP_OK || \result == XC_PREP_FAILED || \result == XC_PREP_TOO_LONG;
    ensures \result == XC_PREP_OK ==> *out_len <= out_cap;
*/
xc_prep_status xc_stringprep(xc_prep_profile profile, const char *in, size_t in_len, char *out,
                             size_t out_cap, size_t *out_len);

#endif
