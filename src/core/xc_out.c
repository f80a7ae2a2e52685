/*
 * xc_out.c — the bounded output buffer (see xc_out.h).
 */
#include "xc_out.h"

void xc_out_init(xc_out *w, uint8_t *out, size_t cap)
{
    w->out = out;
    w->cap = cap;
    w->len = 0;
    w->full = 0;
}

void xc_out_put(xc_out *w, const char *s, size_t n)
{
    size_t k;

    if (w->full || n > w->cap - w->len) {
        w->full = 1;
        return;
    }
    /*@ loop invariant 0 <= k <= n;
        loop assigns k, w->out[w->len .. w->len + n - 1];
        loop variant n - k;
    */
    for (k = 0; k < n; k++)
        w->out[w->len + k] = (uint8_t)(s[k] < 0 ? s[k] + 256 : s[k]);
    w->len += n;
}

void xc_out_str(xc_out *w, xc_str s)
{
    xc_out_put(w, s.ptr, s.len);
}

void xc_out_escaped(xc_out *w, xc_str s, int in_attr)
{
    uint32_t i, run = 0;

    /* an empty string may have no pointer at all: nothing to add an offset to */
    if (s.len == 0)
        return;
    /*@ loop invariant 0 <= run <= i <= s.len;
        loop invariant xc_out_ok(w) && w->out == \at(w->out, LoopEntry) && w->cap == \at(w->cap, LoopEntry);
        loop invariant \at(w->len, LoopEntry) <= w->len;
        loop assigns i, run, w->full, w->len, w->out[0 .. w->cap - 1];
        loop variant s.len - i;
    */
    for (i = 0; i < s.len; i++) {
        const char *rep = NULL;
        size_t rep_len = 0;
        switch (s.ptr[i]) {
        case '&': rep = "&amp;"; rep_len = 5; break;
        case '<': rep = "&lt;"; rep_len = 4; break;
        case '>': rep = "&gt;"; rep_len = 4; break;
        case '"': rep = "&quot;"; rep_len = 6; break;
        case '\'': rep = "&apos;"; rep_len = 6; break;
        case '\r': rep = "&#xD;"; rep_len = 5; break;
        case '\n':
            if (in_attr) {
                rep = "&#xA;";
                rep_len = 5;
            }
            break;
        case '\t':
            if (in_attr) {
                rep = "&#x9;";
                rep_len = 5;
            }
            break;
        default: break;
        }
        if (rep != NULL) {
            xc_out_put(w, s.ptr + run, i - run);
            xc_out_put(w, rep, rep_len);
            run = i + 1;
        }
    }
    xc_out_put(w, s.ptr + run, s.len - run);
}
