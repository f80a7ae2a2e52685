/*
 * xc_base64.h — the strict base64 codec of libxcore (SASL payloads).
 *
 * RFC 3920 §6.2 and §14.9 carry every SASL challenge, response and success payload as base64
 * "as defined in RFC 3548 §3"; RFC 6120 §13.9.1 hardens this: a receiver MUST reject any
 * payload that is not canonical (no line breaks or whitespace, padding only at the end, pad
 * bits zero). DESIGN.md settles it: anything non-canonical is <incorrect-encoding/>. So this
 * codec has exactly one spelling for every byte string, which the fuzzer checks by re-encoding.
 *
 * The text "=" alone is the empty payload (RFC 3920 §6.2 / RFC 6120 §6.4.2: an empty response
 * is sent as a single "="); the empty text also decodes to zero bytes. Telling "no payload at
 * all" from "=" is the caller's business (it sees whether the element had character data).
 *
 * Invariants the contracts below state and Frama-C WP proves:
 *   - nothing is read outside in[0 .. in_len-1], nothing written outside out[0 .. out_cap-1];
 *   - on any failure *out_len is 0 and out[] is left exactly as it was (the whole input is
 *     validated before the first byte is written), so a caller never sees half a payload;
 *   - a bad encoding is reported as such whatever out_cap is (validation comes before the
 *     room check), so a short buffer never hides a malformed payload.
 */
#ifndef XC_BASE64_H
#define XC_BASE64_H

#include "xc_base.h"

typedef enum {
    XC_B64_OK = 0,
    XC_B64_BAD_ENCODING, /* not canonical RFC 3548 §3 base64: <incorrect-encoding/> */
    XC_B64_NO_ROOM       /* valid, but the output buffer is too small */
} xc_b64_status;

/* Largest input the encoder accepts: its encoding, 4 * ceil(n / 3), still fits a size_t. */
#define XC_B64_ENCODE_MAX_IN ((SIZE_MAX / 4u) * 3u)

/*@ // Length of the canonical encoding of n bytes ("=" for the empty payload).
    logic integer xc_b64_enc_len(integer n) = n == 0 ? 1 : 4 * ((n + 2) / 3);

    // Number of '=' pad characters at the end of a text of length n (n >= 4).
    logic integer xc_b64_pads{L}(char *s, integer n) =
        s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
*/

/* Upper bound on the bytes that xc_base64_decode can produce from in_len characters: size
 * out[] with it. Never overflows (the result is smaller than in_len). */
/*@ assigns \nothing;
    ensures \result == (in_len / 4) * 3;
    ensures \result <= in_len;
*/
size_t xc_base64_decoded_max(size_t in_len);

/* Strict decode for SASL payloads. The text "=" alone means an empty payload (RFC 3920
 * §6.2/6120 §6.4.2) and decodes to 0 bytes; the empty text also decodes to 0 bytes. Anything
 * else must be a multiple of 4 chars of the RFC 3548 §3 alphabet, '=' only as final padding (1
 * or 2), pad bits zero (6120 §13.9.1); ANY whitespace, line break or other character is
 * XC_B64_BAD_ENCODING. XC_B64_NO_ROOM when the input is valid but needs more than out_cap
 * bytes. in may be NULL when in_len is 0, out may be NULL when out_cap is 0. */
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
                               size_t *out_len);

/* Length of the canonical encoding of n bytes: 4 * ceil(n / 3), and 1 for n == 0 (the "="
 * of an empty SASL payload). Returns 0 — never a valid length — when the encoding would not
 * fit a size_t, i.e. when n > XC_B64_ENCODE_MAX_IN. */
/*@ assigns \nothing;
    ensures n > XC_B64_ENCODE_MAX_IN ==> \result == 0;
    ensures n <= XC_B64_ENCODE_MAX_IN ==> \result == xc_b64_enc_len(n);
    ensures n <= XC_B64_ENCODE_MAX_IN ==> \result >= 1;
*/
size_t xc_base64_encoded_len(size_t n);

/* Canonical encoding (RFC 3548 §3 alphabet, '=' padding, no line breaks, zero pad bits) of
 * in[0 .. in_len-1]; zero bytes encode as "=" (RFC 3920 §6.2). No NUL is written. Returns
 * XC_B64_NO_ROOM, writing nothing, when out_cap < xc_base64_encoded_len(in_len) or the
 * encoding would overflow. in may be NULL when in_len is 0, out may be NULL when out_cap is 0. */
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
                               size_t *out_len);

#endif
