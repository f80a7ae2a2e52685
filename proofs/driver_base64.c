/*
 * driver_base64.c — Frama-C entry point for the base64 codec (ANSSI x509-parser's style).
 *
 * Calls every public function of xc_base64.h with buffers of unknown content and unknown
 * length, and with NULL where the contract allows it (in when in_len == 0, out when
 * out_cap == 0), so EVA explores the whole API rather than today's callers, and WP checks
 * that each call meets its contract. Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_base64.h"

#define XC_DRV_MAX 64

void xc_drive_base64(void);

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_base64(void)
{
    char text[XC_DRV_MAX];
    uint8_t bytes[XC_DRV_MAX] = { 0 };
    char enc[XC_DRV_MAX];
    size_t in_len, out_cap, out_len = 0u, n, i;
    xc_b64_status st;

    Frama_C_make_unknown(text, XC_DRV_MAX);
    /* Unknown bytes without a char* cast (WP's typed memory model rejects uint8_t* as char*). */
    /*@ loop invariant 0 <= i <= XC_DRV_MAX;
        loop assigns i, bytes[0 .. XC_DRV_MAX - 1], Frama_C_entropy_source;
        loop variant XC_DRV_MAX - i;
    */
    for (i = 0u; i < XC_DRV_MAX; i++)
        bytes[i] = Frama_C_unsigned_char_interval(0, 255);

    /* Sizing helpers over their whole domain. */
    n = (size_t)Frama_C_size_t_interval(0u, SIZE_MAX);
    (void)xc_base64_decoded_max(n);
    (void)xc_base64_encoded_len(n);

    /* Decode: unknown text of unknown length into an unknown-size output. */
    in_len = (size_t)Frama_C_interval(0, XC_DRV_MAX);
    out_cap = (size_t)Frama_C_interval(0, XC_DRV_MAX);
    st = xc_base64_decode(text, in_len, bytes, out_cap, &out_len);
    /*@ assert st == XC_B64_OK ==> out_len <= out_cap; */

    /* Decode with NULL pointers where the contract allows them. */
    st = xc_base64_decode((const char *)0, 0u, bytes, out_cap, &out_len);
    st = xc_base64_decode(text, in_len, (uint8_t *)0, 0u, &out_len);
    st = xc_base64_decode((const char *)0, 0u, (uint8_t *)0, 0u, &out_len);

    /* Encode: unknown bytes of unknown length into an unknown-size output. */
    in_len = (size_t)Frama_C_interval(0, XC_DRV_MAX);
    out_cap = (size_t)Frama_C_interval(0, XC_DRV_MAX);
    st = xc_base64_encode(bytes, in_len, enc, out_cap, &out_len);
    /*@ assert st == XC_B64_OK ==> out_len <= out_cap; */
    st = xc_base64_encode((const uint8_t *)0, 0u, enc, out_cap, &out_len);
    st = xc_base64_encode(bytes, in_len, (char *)0, 0u, &out_len);
    st = xc_base64_encode((const uint8_t *)0, 0u, (char *)0, 0u, &out_len);
    (void)st;
}
#endif
