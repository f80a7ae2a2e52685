/*
 * xc_chars.c — XML 1.0 character classes (Fifth Edition productions [2], [4], [4a]) and UTF-8.
 */
#include "xc_chars.h"

#define W XC_C_WS
#define NS (XC_C_NAME_START | XC_C_NAME | XC_C_NCNAME | XC_C_TEXT | XC_C_ATTR)
#define N (XC_C_NAME | XC_C_NCNAME | XC_C_TEXT | XC_C_ATTR)
#define T (XC_C_TEXT | XC_C_ATTR)
#define C XC_C_CTRL

const uint8_t xc_char_class[256] = {
    /* 0x00 */ C, C, C, C, C, C, C, C, C, W | XC_C_TEXT, W | XC_C_TEXT, C, C, W, C, C,
    /* 0x10 */ C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
    /* 0x20 ' ' ! " # $ % & ' ( ) * + , - . / */
    W | T, T, XC_C_TEXT, T, T, T, 0, XC_C_TEXT, T, T, T, T, T, N, N, T,
    /* 0x30 0-9 : ; < = > ? */
    N, N, N, N, N, N, N, N, N, N, XC_C_NAME_START | XC_C_NAME | XC_C_TEXT | XC_C_ATTR, T, 0, T, XC_C_ATTR, T,
    /* 0x40 @ A-O */
    T, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS,
    /* 0x50 P-Z [ \ ] ^ _ */
    NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, T, T, XC_C_ATTR, T, NS,
    /* 0x60 ` a-o */
    T, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS,
    /* 0x70 p-z { | } ~ DEL */
    NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, NS, T, T, T, T, XC_C_TEXT,
    /* 0x80 - 0xff: multi-byte UTF-8, handled by the decoder */
};

#undef W
#undef NS
#undef N
#undef T
#undef C

int xc_is_xml_char(uint32_t cp)
{
    /* [2] Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] */
    if (cp == 0x9u || cp == 0xAu || cp == 0xDu)
        return 1;
    if (cp >= 0x20u && cp <= 0xD7FFu)
        return 1;
    if (cp >= 0xE000u && cp <= 0xFFFDu)
        return 1;
    return cp >= 0x10000u && cp <= 0x10FFFFu;
}

int xc_is_name_start_cp(uint32_t cp)
{
    /* [4] NameStartChar, the ranges above U+007F */
    return (cp >= 0xC0u && cp <= 0xD6u) || (cp >= 0xD8u && cp <= 0xF6u) ||
           (cp >= 0xF8u && cp <= 0x2FFu) || (cp >= 0x370u && cp <= 0x37Du) ||
           (cp >= 0x37Fu && cp <= 0x1FFFu) || (cp >= 0x200Cu && cp <= 0x200Du) ||
           (cp >= 0x2070u && cp <= 0x218Fu) || (cp >= 0x2C00u && cp <= 0x2FEFu) ||
           (cp >= 0x3001u && cp <= 0xD7FFu) || (cp >= 0xF900u && cp <= 0xFDCFu) ||
           (cp >= 0xFDF0u && cp <= 0xFFFDu) || (cp >= 0x10000u && cp <= 0xEFFFFu);
}

int xc_is_name_cp(uint32_t cp)
{
    /* [4a] NameChar adds #xB7, [#x0300-#x036F] and [#x203F-#x2040] above U+007F */
    return xc_is_name_start_cp(cp) || cp == 0xB7u || (cp >= 0x300u && cp <= 0x36Fu) ||
           (cp >= 0x203Fu && cp <= 0x2040u);
}

xc_utf8_status xc_utf8_byte(xc_utf8 *u, uint8_t c)
{
    xc_utf8_status st = XC_UTF8_MORE;

    if (u->need == 0) {
        /* A lead byte: 0xC0/0xC1 and 0xF5-0xFF can never start a valid sequence. */
        if (c >= 0xC2u && c <= 0xDFu) {
            u->need = 1;
            u->cp = c & 0x1Fu;
            u->min = 0x80u;
        } else if (c >= 0xE0u && c <= 0xEFu) {
            u->need = 2;
            u->cp = c & 0x0Fu;
            u->min = 0x800u;
        } else if (c >= 0xF0u && c <= 0xF4u) {
            u->need = 3;
            u->cp = c & 0x07u;
            u->min = 0x10000u;
        } else {
            st = XC_UTF8_BAD;
        }
        return st;
    }
    if ((c & 0xC0u) != 0x80u) {
        u->need = 0;
        return XC_UTF8_BAD;
    }
    /* u->cp < 2^18 here, so the shift cannot overflow 32 bits. */
    u->cp = ((u->cp & 0x3FFFFu) << 6) | (uint32_t)(c & 0x3Fu);
    u->need--;
    if (u->need == 0) {
        /* Overlong forms, UTF-16 surrogates and values above U+10FFFF are not UTF-8. */
        if (u->cp < u->min || (u->cp >= 0xD800u && u->cp <= 0xDFFFu) || u->cp > 0x10FFFFu) {
            u->cp = 0;
            st = XC_UTF8_BAD;
        } else {
            st = XC_UTF8_DONE;
        }
    }
    return st;
}
