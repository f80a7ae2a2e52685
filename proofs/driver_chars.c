/*
 * driver_chars.c — Frama-C entry point for the small leaf modules of the XML core
 * (ANSSI x509-parser's style): character classes and the UTF-8 decoder (xc_chars.h),
 * string comparison (xc_str.h) and stream error names (xc_stream_error.h).
 *
 * Every public function is called on unknown inputs over its whole domain: any code point,
 * any byte in any decoder state, strings of unknown bytes and unknown length (and NULL where
 * the length is 0), every stream error condition and out-of-range values. Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_chars.h"
#include "xc_str.h"
#include "xc_stream_error.h"

#define XC_DRV_MAX 32

void xc_drive_chars(void);

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_chars(void)
{
    char sa[XC_DRV_MAX], sb[XC_DRV_MAX];
    xc_utf8 u;
    xc_str a, b;
    uint32_t cp;
    int r, e;
    const xc_str *name;
    xc_utf8_status st;

    /* Character classes: any 32-bit value. */
    cp = Frama_C_unsigned_int_interval(0u, 0xFFFFFFFFu);
    r = xc_is_xml_char(cp);
    r = xc_is_name_start_cp(cp);
    r = xc_is_name_cp(cp);
    (void)r;

    /* The decoder: any byte, in any state the parser can hold (need <= 3). */
    u.need = Frama_C_unsigned_char_interval(0u, 3u);
    u.cp = Frama_C_unsigned_int_interval(0u, 0xFFFFFFFFu);
    u.min = Frama_C_unsigned_int_interval(0u, 0xFFFFFFFFu);
    st = xc_utf8_byte(&u, Frama_C_unsigned_char_interval(0u, 255u));
    /*@ assert st == XC_UTF8_DONE ==> u.cp <= 0x10FFFF; */
    /* A whole sequence from a fresh state: lead byte, then continuation bytes. */
    u.need = 0u;
    st = xc_utf8_byte(&u, Frama_C_unsigned_char_interval(0u, 255u));
    st = xc_utf8_byte(&u, Frama_C_unsigned_char_interval(0u, 255u));
    st = xc_utf8_byte(&u, Frama_C_unsigned_char_interval(0u, 255u));
    st = xc_utf8_byte(&u, Frama_C_unsigned_char_interval(0u, 255u));
    (void)st;

    /* Strings of unknown bytes and unknown lengths; NULL with length 0. */
    Frama_C_make_unknown(sa, XC_DRV_MAX);
    Frama_C_make_unknown(sb, XC_DRV_MAX);
    a.ptr = sa;
    a.len = Frama_C_unsigned_int_interval(0u, XC_DRV_MAX);
    b.ptr = sb;
    b.len = Frama_C_unsigned_int_interval(0u, XC_DRV_MAX);
    r = xc_str_eq(a, b);
    r = xc_str_eq(a, a);
    b.ptr = (const char *)0;
    b.len = 0u;
    r = xc_str_eq(a, b);
    r = xc_str_eq(b, b);

    /* Every condition, one at a time, then values outside the enumeration. */
    /*@ loop unroll XC_SE_COUNT + 1;
        loop invariant 0 <= e <= XC_SE_COUNT;
        loop assigns e, name;
        loop variant XC_SE_COUNT - e;
    */
    for (e = 0; e < (int)XC_SE_COUNT; e++) {
        name = xc_stream_error_name((xc_stream_error)e);
    }
    name = xc_stream_error_name((xc_stream_error)Frama_C_interval((int)XC_SE_COUNT, 0x7fffffff));
    (void)name;

}
#endif
