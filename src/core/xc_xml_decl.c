/*
 * xc_xml_decl.c — the XML declaration, the only "<?" XMPP allows (RFC 3920 §11.1, §11.4).
 *
 * It may open each stream (and each restarted stream); anything else that starts with "<?"
 * is a processing instruction and refused with <restricted-xml/>. The declaration is
 * collected into a fixed buffer of XC_XML_DECL_MAX bytes and parsed once complete:
 *   'xml' S 'version' Eq ('1.0') [S 'encoding' Eq EncName] [S 'standalone' Eq (yes|no)] S? '?>'
 * An encoding other than UTF-8 is <unsupported-encoding/> (RFC 3920 §11.5).
 *
 * The parse works on a cursor over the collected bytes whose position only moves forward and
 * never passes the end (cursor_ok), which is what bounds every read and every loop.
 */
#include "xc_xml_decl.h"

typedef struct decl_cursor {
    const uint8_t *s;
    uint32_t n;
    uint32_t i;
} decl_cursor;

/*@ predicate cursor_ok(decl_cursor *c) =
      \valid(c) && c->i <= c->n && (c->n == 0 || \valid_read(c->s + (0 .. c->n - 1))) &&
      \separated(c, c->s + (0 .. c->n - 1));
*/

/* a[0 .. n-1] and b[0 .. n-1] hold the same bytes (compared as unsigned char, as memcmp). */
/*@ requires n == 0 || (\valid_read(a + (0 .. n - 1)) && \valid_read(b + (0 .. n - 1)));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int bytes_eq(const uint8_t *a, const char *b, uint32_t n)
{
    uint32_t k;
    /*@ loop invariant 0 <= k <= n;
        loop assigns k;
        loop variant n - k;
    */
    for (k = 0; k < n; k++) {
        if (a[k] != (b[k] < 0 ? b[k] + 256 : b[k]))
            return 0;
    }
    return 1;
}

/*@ requires cursor_ok(c);
    assigns c->i;
    ensures cursor_ok(c) && \old(c->i) <= c->i;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> c->i > \old(c->i);
*/
static int skip_ws(decl_cursor *c)
{
    uint32_t start = c->i;
    /*@ loop invariant start <= c->i <= c->n;
        loop assigns c->i;
        loop variant c->n - c->i;
    */
    while (c->i < c->n && (xc_char_class[c->s[c->i]] & XC_C_WS))
        c->i++;
    return c->i > start;
}

/*@ requires cursor_ok(c) && len > 0 && \valid_read(w + (0 .. len - 1));
    assigns c->i;
    ensures cursor_ok(c);
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> c->i == \old(c->i) + len;
    ensures \result == 0 ==> c->i == \old(c->i);
*/
static int take_word(decl_cursor *c, const char *w, uint32_t len)
{
    if (c->n - c->i < len || !bytes_eq(c->s + c->i, w, len))
        return 0;
    c->i += len;
    return 1;
}

/* Eq ::= S? '=' S?, then an opening quote; returns the quote or 0. */
/*@ requires cursor_ok(c);
    assigns c->i;
    ensures cursor_ok(c) && \old(c->i) <= c->i;
    ensures \result == 0 || \result == '\'' || \result == '"';
    ensures \result != 0 ==> c->i > \old(c->i);
*/
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
/*@ requires cursor_ok(c) && \valid(start) && \valid(len);
    requires \separated(start, len, c, c->s + (0 .. c->n - 1));
    assigns c->i, *start, *len;
    ensures cursor_ok(c) && \old(c->i) <= c->i;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> \old(c->i) <= *start && *start + *len < c->i;
*/
static int take_value(decl_cursor *c, uint8_t q, uint32_t *start, uint32_t *len)
{
    *start = c->i;
    /*@ loop invariant *start <= c->i <= c->n;
        loop assigns c->i;
        loop variant c->n - c->i;
    */
    while (c->i < c->n && c->s[c->i] != q)
        c->i++;
    if (c->i >= c->n)
        return 0;
    *len = c->i - *start;
    c->i++;
    return 1;
}

/*@ requires len == 0 || \valid_read(v + (0 .. len - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> len == 5;
*/
static int is_utf8_name(const uint8_t *v, uint32_t len)
{
    static const uint8_t utf8[5] = { 'u', 't', 'f', '-', '8' };
    uint32_t k;
    if (len != 5)
        return 0;
    /*@ loop invariant 0 <= k <= 5;
        loop assigns k;
        loop variant 5 - k;
    */
    for (k = 0; k < 5; k++) {
        uint8_t ch = v[k];
        if (ch >= 'A' && ch <= 'Z')
            ch = (uint8_t)(ch + ('a' - 'A'));
        if (ch != utf8[k])
            return 0;
    }
    return 1;
}

/* EncName ::= [A-Za-z] ([A-Za-z0-9._] | '-')* */
/*@ requires len == 0 || \valid_read(v + (0 .. len - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> len > 0;
*/
static int is_enc_name(const uint8_t *v, uint32_t len)
{
    uint32_t k;
    if (len == 0 || !((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')))
        return 0;
    /*@ loop invariant 1 <= k <= len;
        loop assigns k;
        loop variant len - k;
    */
    for (k = 1; k < len; k++) {
        uint8_t ch = v[k];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

/* s[0 .. n-1] is what follows "xml" up to, not including, "?>". */
/*@ requires n == 0 || \valid_read(s + (0 .. n - 1));
    requires \valid(why) && \separated(why, s + (0 .. n - 1));
    assigns *why;
    ensures \result == XC_SE_NONE || \result == XC_SE_XML_NOT_WELL_FORMED ||
            \result == XC_SE_UNSUPPORTED_ENCODING;
*/
static xc_stream_error parse_decl(const uint8_t *s, uint32_t n, const char **why)
{
    decl_cursor c = { s, n, 0 };
    uint32_t vs, vl;
    uint8_t q;
    int seen_enc = 0, seen_sa = 0;

    *why = "malformed XML declaration";
    if (!skip_ws(&c) || !take_word(&c, "version", 7) || (q = take_eq_quote(&c)) == 0 ||
        !take_value(&c, q, &vs, &vl) || vl != 3 || !bytes_eq(s + vs, "1.0", 3))
        return XC_SE_XML_NOT_WELL_FORMED;
    /*@ loop invariant cursor_ok(&c) && c.s == s && c.n == n;
        loop assigns c.i, seen_enc, seen_sa, q, vs, vl, *why;
        loop variant c.n - c.i;
    */
    for (;;) {
        int ws = skip_ws(&c);
        if (c.i >= c.n)
            return XC_SE_NONE;
        if (!ws)
            return XC_SE_XML_NOT_WELL_FORMED;
        if (!seen_enc && !seen_sa && take_word(&c, "encoding", 8)) {
            seen_enc = 1;
            if ((q = take_eq_quote(&c)) == 0 || !take_value(&c, q, &vs, &vl) || !is_enc_name(s + vs, vl))
                return XC_SE_XML_NOT_WELL_FORMED;
            if (!is_utf8_name(s + vs, vl)) {
                *why = "encoding other than UTF-8 declared";
                return XC_SE_UNSUPPORTED_ENCODING;
            }
        } else if (!seen_sa && take_word(&c, "standalone", 10)) {
            seen_sa = 1;
            if ((q = take_eq_quote(&c)) == 0 || !take_value(&c, q, &vs, &vl) ||
                !((vl == 3 && bytes_eq(s + vs, "yes", 3)) || (vl == 2 && bytes_eq(s + vs, "no", 2))))
                return XC_SE_XML_NOT_WELL_FORMED;
        } else {
            return XC_SE_XML_NOT_WELL_FORMED;
        }
    }
}

xc_xml_event xc_xml_decl_byte(xc_xml_parser *p, uint8_t c)
{
    static const uint8_t target[3] = { 'x', 'm', 'l' };
    uint32_t len;
    xc_stream_error e;
    const char *why = NULL;

    if (p->decl_len >= XC_XML_DECL_MAX)
        return xc_xml_fail(p, XC_SE_XML_NOT_WELL_FORMED, "XML declaration too long");
    p->decl[p->decl_len] = c;
    p->decl_len++;
    len = p->decl_len;
    if (len <= 3) {
        if (c != target[len - 1])
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
