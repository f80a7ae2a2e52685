/*
 * proofs/mutants/base64_offbyone.c — MUTANT of src/core/xc_base64.c (off-by-one in the
 * decoder's last-byte bound check); the proof must FAIL on it.
 *
 * xc_base64.c — strict, canonical base64 (RFC 3548 §3) for SASL payloads; see xc_base64.h.
 *
 * Decoding is two passes over the input. The first only reads: it checks the length, finds
 * the padding and looks every other character up in a 256-entry table in which '=' and every
 * byte outside the alphabet (whitespace, line breaks, NUL, 0x80-0xff, "-", "_") is 0xff. Only
 * when the whole text is canonical, and the output fits, does the second pass write. That is
 * what lets the contract promise that out[] is untouched on every failure.
 *
 * Encoding emits the one canonical form the decoder accepts, so decode(encode(x)) == x and
 * encode(decode(t)) == t for every accepted t other than "" (which re-encodes as "=").
 */
#include "xc_base64.h"

/* RFC 3548 §3 Table 1 (the same in RFC 4648 §4): value -> character. 65 bytes so that the
 * string literal's NUL fits; index 64 is never used. */
static const char xc_b64_alpha[65] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Character -> value (0..63), 0xff for everything else, '=' included: padding is handled by
 * position, never by lookup, so '=' in the body is rejected by the same test as a space. */
static const uint8_t xc_b64_dec[256] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x00 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x10 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3e, 0xff, 0xff, 0xff, 0x3f, /* 0x20 */
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x30 */
    0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, /* 0x40 */
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x50 */
    0xff, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, /* 0x60 */
    0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x70 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x80 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0x90 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0xa0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0xb0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0xc0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0xd0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0xe0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 0xf0 */
};

/* The byte value 0..255 of a char, whether char is signed or not. Plain arithmetic rather than
 * a cast to unsigned char (which -warn-unsigned-downcast flags for negative chars) or "& 0xff"
 * (whose bounds the SMT provers cannot see): WP proves the table index in range on its own. */
/*@ logic integer xc_b64_byte_l(integer c) = c < 0 ? c + 256 : c; */

/*@ requires -128 <= c <= 255;
    assigns \nothing;
    ensures 0 <= \result <= 255;
    ensures \result == xc_b64_byte_l(c);
*/
static int xc_b64_byte(int c)
{
    return c < 0 ? c + 256 : c;
}

/* The value of character c: 0..63 for the alphabet, 0xff for anything else (XC_B64_VAL_L is
 * the same in ACSL, where C functions cannot be called). */
#define XC_B64_VAL(c) (xc_b64_dec[xc_b64_byte(c)])
#define XC_B64_VAL_L(c) (xc_b64_dec[xc_b64_byte_l(c)])

/*@ assigns \nothing;
    ensures \result == (in_len / 4) * 3;
    ensures \result <= in_len;
*/
size_t xc_base64_decoded_max(size_t in_len)
{
    /* Every 4 characters carry at most 3 bytes; "=" and padding only lower the count. */
    return (in_len / 4u) * 3u;
}

/*@ assigns \nothing;
    ensures n > XC_B64_ENCODE_MAX_IN ==> \result == 0;
    ensures n <= XC_B64_ENCODE_MAX_IN ==> \result == xc_b64_enc_len(n);
    ensures n <= XC_B64_ENCODE_MAX_IN ==> \result >= 1;
*/
size_t xc_base64_encoded_len(size_t n)
{
    size_t r;

    if (n == 0)
        r = 1u; /* RFC 3920 §6.2: the empty payload is sent as "=" */
    else if (n > XC_B64_ENCODE_MAX_IN)
        r = 0u; /* 4 * ceil(n / 3) would wrap: refuse rather than return a short length */
    else
        r = (n / 3u + (n % 3u != 0u ? 1u : 0u)) * 4u;
    return r;
}

/*@ requires in_len == 0 || \valid_read(in + (0 .. in_len - 1));
    requires out_cap == 0 || \valid(out + (0 .. out_cap - 1));
    requires \valid(out_len);
    requires \separated(out_len, out + (0 .. out_cap - 1));
    requires \separated(out_len, in + (0 .. in_len - 1));
    requires \separated(out + (0 .. out_cap - 1), in + (0 .. in_len - 1));
    assigns *out_len, out[0 .. out_cap - 1];
    ensures \result == XC_B64_OK || \result == XC_B64_BAD_ENCODING || \result == XC_B64_NO_ROOM;
    ensures \result != XC_B64_OK ==> *out_len == 0;
    ensures \result != XC_B64_OK ==>
        \forall integer k; 0 <= k < out_cap ==> out[k] == \old(out[k]);
    ensures \result == XC_B64_OK ==> *out_len <= out_cap;
    ensures \result == XC_B64_OK ==> *out_len <= (in_len / 4) * 3;
    ensures \result == XC_B64_OK ==>
        in_len == 0 || (in_len == 1 && in[0] == '=') ||
        (in_len % 4 == 0 && *out_len == (in_len / 4) * 3 - \old(xc_b64_pads(in, in_len)));
    ensures \result == XC_B64_OK && in_len % 4 == 0 && in_len > 0 ==>
        \forall integer k; 0 <= k < in_len - \old(xc_b64_pads(in, in_len)) ==> in[k] != '=';
    ensures \result == XC_B64_OK ==>
        \forall integer k; *out_len <= k < out_cap ==> out[k] == \old(out[k]);
    ensures in_len % 4 != 0 && !(in_len == 1 && in[0] == '=') ==>
        \result == XC_B64_BAD_ENCODING;
*/
xc_b64_status xc_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    xc_b64_status st = XC_B64_OK;
    size_t quads, pads = 0u, body, need, i, q;
    uint32_t v;

    *out_len = 0u;
    /* RFC 3920 §6.2 / RFC 6120 §6.4.2: "=" alone is the empty payload; "" is too. */
    if (in_len == 0u || (in_len == 1u && in[0] == '='))
        goto out;
    /* RFC 3548 §3 / RFC 6120 §13.9.1: canonical text is whole quanta of 4 characters (and,
     * "=" aside, at least one of them). */
    if (in_len < 4u || in_len % 4u != 0u) {
        st = XC_B64_BAD_ENCODING;
        goto out;
    }
    quads = in_len / 4u;
    /* RFC 3548 §3: "=" only at the very end, one or two of them (a third "=" would sit at
     * in_len - 3 and fail the alphabet check below, as would any "=" before the tail). */
    if (in[in_len - 1u] == '=')
        pads = in[in_len - 2u] == '=' ? 2u : 1u;
    body = in_len - pads;

    /* Every non-pad character must be in the alphabet: no whitespace, no line break (RFC
     * 3548 §2.1 and §2.3, RFC 6120 §13.9.1), no '=' in the body. '=' is 0xff in the table too;
     * naming it here lets the proof of "padding only at the end" stand without the table. */
    /*@ loop invariant 0 <= i <= body;
        loop invariant \forall integer k;
            0 <= k < i ==> in[k] != '=' && XC_B64_VAL_L(in[k]) <= 63;
        loop assigns i;
        loop variant body - i;
    */
    for (i = 0u; i < body; i++) {
        if (in[i] == '=' || XC_B64_VAL(in[i]) > 63u)
            break;
    }
    if (i != body) {
        st = XC_B64_BAD_ENCODING;
        goto out;
    }

    /* RFC 3548 §3 / RFC 6120 §13.9.1: the bits of the last character that padding makes
     * unused must be zero, or "QR==" and "QQ==" would both decode to "A". */
    if (pads == 1u && (XC_B64_VAL(in[in_len - 2u]) & 0x03u) != 0u) {
        st = XC_B64_BAD_ENCODING;
        goto out;
    }
    if (pads == 2u && (XC_B64_VAL(in[in_len - 3u]) & 0x0fu) != 0u) {
        st = XC_B64_BAD_ENCODING;
        goto out;
    }

    need = quads * 3u - pads;
    if (need > out_cap) {
        st = XC_B64_NO_ROOM;
        goto out;
    }

    /* Valid and it fits: now write. Each quantum gives 3 bytes, the padded last one 1 or 2:
     * a pad character counts as 0 and the bytes it would complete are not written. */
    /*@ loop invariant 0 <= q <= quads;
        loop invariant 3 * quads - 2 <= need <= 3 * quads && need <= out_cap;
        loop invariant 4 * quads == in_len && body <= in_len && in_len - body <= 2;
        loop invariant \forall integer k; 0 <= k < body ==> XC_B64_VAL_L(in[k]) <= 63;
        loop invariant \forall integer k; 3 * q <= k < out_cap ==> out[k] == \at(out[k], Pre);
        loop assigns q, v, out[0 .. need - 1];
        loop variant quads - q;
    */
    for (q = 0u; q < quads; q++) {
        v = ((uint32_t)XC_B64_VAL(in[4u * q]) << 18) |
            ((uint32_t)XC_B64_VAL(in[4u * q + 1u]) << 12);
        if (4u * q + 2u < body)
            v |= (uint32_t)XC_B64_VAL(in[4u * q + 2u]) << 6;
        if (4u * q + 3u < body)
            v |= (uint32_t)XC_B64_VAL(in[4u * q + 3u]);
        out[3u * q] = (uint8_t)((v >> 16) & 0xffu);
        if (3u * q + 1u < need)
            out[3u * q + 1u] = (uint8_t)((v >> 8) & 0xffu);
        if (3u * q + 2u <= need) /* MUTANT: off by one, writes out[need] */
            out[3u * q + 2u] = (uint8_t)(v & 0xffu);
    }
    *out_len = need;
out:
    return st;
}

/*@ requires in_len == 0 || \valid_read(in + (0 .. in_len - 1));
    requires out_cap == 0 || \valid(out + (0 .. out_cap - 1));
    requires \valid(out_len);
    requires \separated(out_len, out + (0 .. out_cap - 1));
    requires \separated(out_len, in + (0 .. in_len - 1));
    requires \separated(out + (0 .. out_cap - 1), in + (0 .. in_len - 1));
    assigns *out_len, out[0 .. out_cap - 1];
    ensures \result == XC_B64_OK || \result == XC_B64_NO_ROOM;
    ensures \result == XC_B64_OK <==>
        (in_len <= XC_B64_ENCODE_MAX_IN && xc_b64_enc_len(in_len) <= out_cap);
    ensures \result == XC_B64_OK ==> *out_len == xc_b64_enc_len(in_len);
    ensures \result == XC_B64_NO_ROOM ==> *out_len == 0;
    ensures \result == XC_B64_NO_ROOM ==>
        \forall integer k; 0 <= k < out_cap ==> out[k] == \old(out[k]);
    ensures \result == XC_B64_OK ==>
        \forall integer k; *out_len <= k < out_cap ==> out[k] == \old(out[k]);
*/
xc_b64_status xc_base64_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                               size_t *out_len)
{
    xc_b64_status st = XC_B64_OK;
    size_t need = xc_base64_encoded_len(in_len);
    size_t groups, g;
    uint32_t v;

    *out_len = 0u;
    /* need == 0 means the length itself would overflow: treat it as "no room". */
    if (need == 0u || need > out_cap) {
        st = XC_B64_NO_ROOM;
        goto out;
    }
    if (in_len == 0u) {
        out[0] = '='; /* RFC 3920 §6.2: an empty response is a single "=" */
        *out_len = 1u;
        goto out;
    }
    /* RFC 3548 §3: each group of 3 bytes gives 4 characters. A final group of 1 or 2 bytes is
     * zero-extended (so its pad bits are zero, the canonical form RFC 6120 §13.9.1 asks for)
     * and completed with "==" or "=". */
    groups = need / 4u;
    /*@ loop invariant 0 <= g <= groups;
        loop invariant need == 4 * groups && need <= out_cap;
        loop invariant 3 * groups - 2 <= in_len <= 3 * groups;
        loop invariant \forall integer k; 4 * g <= k < out_cap ==> out[k] == \at(out[k], Pre);
        loop assigns g, v, out[0 .. need - 1];
        loop variant groups - g;
    */
    for (g = 0u; g < groups; g++) {
        v = (uint32_t)in[3u * g] << 16;
        if (3u * g + 1u < in_len)
            v |= (uint32_t)in[3u * g + 1u] << 8;
        if (3u * g + 2u < in_len)
            v |= (uint32_t)in[3u * g + 2u];
        out[4u * g] = xc_b64_alpha[(v >> 18) & 0x3fu];
        out[4u * g + 1u] = xc_b64_alpha[(v >> 12) & 0x3fu];
        out[4u * g + 2u] = 3u * g + 1u < in_len ? xc_b64_alpha[(v >> 6) & 0x3fu] : '=';
        out[4u * g + 3u] = 3u * g + 2u < in_len ? xc_b64_alpha[v & 0x3fu] : '=';
    }
    *out_len = need;
out:
    return st;
}
