/*
 * xc_xml_decl.c — the XML declaration, the only "<?" XMPP allows (RFC 3920 §11.1, §11.4).
 *
 * It may open each stream (and each restarted stream); anything else that starts with "<?"
 * is a processing instruction and refused with <restricted-xml/>. The declaration is
 * collected into a fixed buffer of XC_XML_DECL_MAX bytes and parsed once complete:
 *   'xml' S 'version' Eq ('1.0') [S 'encoding' Eq EncName] [S 'standalone' Eq (yes|no)] S? '?>'
 * An encoding other than UTF-8 is <unsupported-encoding/> (RFC 3920 §11.5).
 */
#include "xc_xml_decl.h"

#include <string.h>

typedef struct decl_cursor {
    const uint8_t *s;
    uint32_t n;
    uint32_t i;
} decl_cursor;

static int skip_ws(decl_cursor *c)
{
    uint32_t start = c->i;
    while (c->i < c->n && (xc_char_class[c->s[c->i]] & XC_C_WS))
        c->i++;
    return c->i > start;
}

static int take_word(decl_cursor *c, const char *w)
{
    size_t len = strlen(w);
    if (c->n - c->i < len || memcmp(c->s + c->i, w, len) != 0)
        return 0;
    c->i += (uint32_t)len;
    return 1;
}

/* Eq ::= S? '=' S?, then an opening quote; returns the quote or 0. */
static uint8_t take_eq_quote(decl_cursor *c)
{
    uint8_t q;
    skip_ws(c);
    if (c->i >= c->n || c->s[c->i] != '=')
        return 0;
    c->i++;
    skip_ws(c);
    if (c->i >= c->n)
        return 0;
    q = c->s[c->i];
    if (q != '\'' && q != '"')
        return 0;
    c->i++;
    return q;
}

/* The quoted value up to quote q; the cursor ends after the closing quote. */
static int take_value(decl_cursor *c, uint8_t q, uint32_t *start, uint32_t *len)
{
    *start = c->i;
    while (c->i < c->n && c->s[c->i] != q)
        c->i++;
    if (c->i >= c->n)
        return 0;
    *len = c->i - *start;
    c->i++;
    return 1;
}

static int is_utf8_name(const uint8_t *v, uint32_t len)
{
    static const char utf8[] = "utf-8";
    uint32_t k;
    if (len != 5)
        return 0;
    for (k = 0; k < 5; k++) {
        uint8_t ch = v[k];
        if (ch >= 'A' && ch <= 'Z')
            ch = (uint8_t)(ch + ('a' - 'A'));
        if (ch != (uint8_t)utf8[k])
            return 0;
    }
    return 1;
}

static int is_enc_name(const uint8_t *v, uint32_t len)
{
    uint32_t k;
    if (len == 0 || !((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')))
        return 0;
    for (k = 1; k < len; k++) {
        uint8_t ch = v[k];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

/* s[0 .. n-1] is what follows "xml" up to, not including, "?>". */
static xc_stream_error parse_decl(const uint8_t *s, uint32_t n, const char **why)
{
    decl_cursor c = { s, n, 0 };
    uint32_t vs, vl;
    uint8_t q;
    int seen_enc = 0, seen_sa = 0;

    *why = "malformed XML declaration";
    if (!skip_ws(&c) || !take_word(&c, "version") || (q = take_eq_quote(&c)) == 0 ||
        !take_value(&c, q, &vs, &vl) || vl != 3 || memcmp(s + vs, "1.0", 3) != 0)
        return XC_SE_XML_NOT_WELL_FORMED;
    for (;;) {
        int ws = skip_ws(&c);
        if (c.i >= c.n)
            return XC_SE_NONE;
        if (!ws)
            return XC_SE_XML_NOT_WELL_FORMED;
        if (!seen_enc && !seen_sa && take_word(&c, "encoding")) {
            seen_enc = 1;
            if ((q = take_eq_quote(&c)) == 0 || !take_value(&c, q, &vs, &vl) || !is_enc_name(s + vs, vl))
                return XC_SE_XML_NOT_WELL_FORMED;
            if (!is_utf8_name(s + vs, vl)) {
                *why = "encoding other than UTF-8 declared";
                return XC_SE_UNSUPPORTED_ENCODING;
            }
        } else if (!seen_sa && take_word(&c, "standalone")) {
            seen_sa = 1;
            if ((q = take_eq_quote(&c)) == 0 || !take_value(&c, q, &vs, &vl) ||
                !((vl == 3 && memcmp(s + vs, "yes", 3) == 0) || (vl == 2 && memcmp(s + vs, "no", 2) == 0)))
                return XC_SE_XML_NOT_WELL_FORMED;
        } else {
            return XC_SE_XML_NOT_WELL_FORMED;
        }
    }
}

xc_xml_event xc_xml_decl_byte(xc_xml_parser *p, uint8_t c)
{
    static const char target[] = "xml";
    uint32_t len;
    xc_stream_error e;
    const char *why = NULL;

    if (p->decl_len >= XC_XML_DECL_MAX)
        return xc_xml_fail(p, XC_SE_XML_NOT_WELL_FORMED, "XML declaration too long");
    p->decl[p->decl_len] = c;
    p->decl_len++;
    len = p->decl_len;
    if (len <= 3) {
        if (c != (uint8_t)target[len - 1])
            return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "processing instruction");
        return XC_XML_NEED_MORE;
    }
    if (len == 4) {
        if (xc_char_class[c] & XC_C_WS)
            return XC_XML_NEED_MORE;
        if (c == '?')
            return xc_xml_fail(p, XC_SE_XML_NOT_WELL_FORMED, "XML declaration without version");
        return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "processing instruction");
    }
    if (c != '>' || p->decl[len - 2] != '?')
        return XC_XML_NEED_MORE;
    e = parse_decl(p->decl + 3, len - 5, &why);
    if (e != XC_SE_NONE)
        return xc_xml_fail(p, e, why);
    p->state = XS_PROLOG;
    return XC_XML_NEED_MORE;
}
