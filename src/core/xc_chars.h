/*
 * xc_chars.h — character classes of XML 1.0 (Fifth Edition) and an incremental UTF-8 decoder.
 *
 * ASCII is classified by a 256-entry table (one load per byte on the hot path); code points
 * above U+007F are classified by range functions after the decoder has rebuilt them. The
 * decoder refuses overlong forms, surrogates, values above U+10FFFF and, through
 * xc_is_xml_char, everything outside XML's Char production (RFC 3920 §11.5, RFC 6120 §11.6).
 */
#ifndef XC_CHARS_H
#define XC_CHARS_H

#include "xc_base.h"

enum {
    XC_C_WS = 0x01,         /* S: space, tab, CR, LF */
    XC_C_NAME_START = 0x02, /* ASCII NameStartChar (':' included) */
    XC_C_NAME = 0x04,       /* ASCII NameChar */
    XC_C_TEXT = 0x08,       /* copied as-is in content: not < & ] CR, not a control, not >= 0x80 */
    XC_C_ATTR = 0x10,       /* copied as-is in attribute values: also not quotes, TAB or LF */
    XC_C_CTRL = 0x20,       /* C0 control other than TAB, LF, CR: never allowed */
    XC_C_NCNAME = 0x40      /* ASCII NameChar other than ':' (Namespaces in XML [5] NCName) */
};

extern const uint8_t xc_char_class[256];

/*@ // [2] Char
    predicate xc_xml_char(integer cp) =
      cp == 0x9 || cp == 0xA || cp == 0xD || (0x20 <= cp <= 0xD7FF) ||
      (0xE000 <= cp <= 0xFFFD) || (0x10000 <= cp <= 0x10FFFF);

*/

/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> xc_xml_char(cp);
*/
int xc_is_xml_char(uint32_t cp);

/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
int xc_is_name_start_cp(uint32_t cp);

/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
int xc_is_name_cp(uint32_t cp);

/* Decoder state carried between bytes (and between reads). */
typedef struct xc_utf8 {
    uint32_t cp;
    uint32_t min;
    uint8_t need;
} xc_utf8;

typedef enum xc_utf8_status { XC_UTF8_MORE = 0, XC_UTF8_DONE = 1, XC_UTF8_BAD = 2 } xc_utf8_status;

/* Feeds one byte >= 0x80 (or a continuation byte). On XC_UTF8_DONE, u->cp is a code point
 * that is a valid, shortest-form scalar value; the Char check is the caller's. */
/*@ requires \valid(u) && u->need <= 3;
    assigns *u;
    ensures u->need <= 3;
    ensures \result == XC_UTF8_MORE || \result == XC_UTF8_DONE || \result == XC_UTF8_BAD;
    ensures \result == XC_UTF8_MORE ==> 1 <= u->need <= 3;
    ensures \result == XC_UTF8_DONE ==>
              u->need == 0 && u->cp <= 0x10FFFF && !(0xD800 <= u->cp <= 0xDFFF) && u->cp >= u->min;
    ensures \result == XC_UTF8_BAD ==> u->need == 0;
    ensures \old(u->need) == 0 && c < 0x80 ==> \result == XC_UTF8_BAD;
*/
xc_utf8_status xc_utf8_byte(xc_utf8 *u, uint8_t c);

#endif
