/*
 * xc_jid.c — JIDs per RFC 3920 §3; see xc_jid.h for the API and the invariants.
 *
 * What this file keeps true:
 *  - It never reads outside in[0 .. len-1] and never writes outside the caller's xc_jid or
 *    output buffer; each part is prepared into its own fixed 1023-byte slot of xc_jid.buf, so a
 *    part that grows under preparation is cut off by the slot, never by luck (RFC 3920 §3.1).
 *  - A parsed JID is canonical: node after Nodeprep, domain after Nameprep (or an IP literal
 *    kept as written), resource after Resourceprep, so comparison is byte equality
 *    (RFC 3920 §3.2–§3.4: compare only after preparation). Formatting a parsed JID and parsing
 *    it again gives the same JID (the fuzzer checks this).
 *  - Each rule that fails has its own status; the first rule that fails, in input order
 *    (split, UTF-8, node, domain, resource), is the one reported.
 *
 * Where RFC 6122 (the 6120-era address format) is stricter than RFC 3920 it is followed:
 * empty node/resource after '@'/'/' are errors (6122 §2.3, §2.4), a trailing dot of the
 * domain is removed (6122 §2.2), IPv6 literals are written in brackets (6122 §2.2, RFC 3986
 * §3.2.2), and domain labels follow the STD3 ASCII rules (RFC 3490 §4.1 step 3).
 *
 * Every loop is bounded by a length the caller gave and carries an invariant and a variant;
 * there is no recursion, no allocation, and no state outside the arguments.
 */
#include "xc_jid.h"

/* Longest DNS label in bytes (RFC 1035 §2.3.4; RFC 3490 §4.1 step 8 for the ASCII form). */
#define XC_JID_LABEL_MAX 63u

/* A byte of a string as 0..255, whatever the signedness of char (no narrowing cast). */
/*@ assigns \nothing;
    ensures 0 <= \result <= 255;
*/
static int xc_jid_byte(char c)
{
    int v = c;

    if (v < 0)
        v += 256;
    return v;
}

/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*@ requires n <= XC_JID_FULL_MAX;
    requires \valid(dst + (0 .. n - 1));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
*/
static void xc_jid_copy(char *dst, const char *src, size_t n)
{
    size_t i;

    /*@ loop invariant 0 <= i <= n;
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0; i < n; i++)
        dst[i] = src[i];
}

/*@ requires n <= XC_JID_PART_MAX;
    requires \valid_read(a + (0 .. n - 1));
    requires \valid_read(b + (0 .. n - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_mem_eq(const char *a, const char *b, size_t n)
{
    size_t i;
    int eq = 1;

    /*@ loop invariant 0 <= i <= n;
        loop assigns i, eq;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            eq = 0;
            break;
        }
    }
    return eq;
}

/* Finds the domain [*dstart, *dend) of in[0 .. len-1] (RFC 3920 §3.1): the resource starts
 * after the first '/', and only an '@' before that '/' ends a node. An '@' with nothing
 * before it, nothing between '@'/start and '/', or a '/' with nothing after it is an error:
 * the ABNF has no empty node, domain or resource (RFC 6122 §2.1–§2.4 says so in words). */
/*@ requires 1 <= len <= XC_JID_IN_MAX;
    requires \valid_read(in + (0 .. len - 1));
    requires \valid(dstart) && \valid(dend);
    requires \separated(dstart, dend, in + (0 .. len - 1));
    assigns *dstart, *dend;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_NODE_EMPTY ||
            \result == XC_JID_ERR_DOMAIN_EMPTY || \result == XC_JID_ERR_RESOURCE_EMPTY;
    ensures \result == XC_JID_OK ==> *dstart < *dend <= len;
    ensures \result == XC_JID_OK ==> *dstart == 0 || *dstart >= 2;
    ensures \result == XC_JID_OK ==> *dend == len || *dend + 1 < len;
*/
static xc_jid_status xc_jid_locate(const char *in, size_t len, size_t *dstart, size_t *dend)
{
    size_t slash = len;
    size_t at = len;
    size_t i;
    xc_jid_status st = XC_JID_OK;

    /*@ loop invariant 0 <= i <= len;
        loop invariant slash == len;
        loop assigns i, slash;
        loop variant len - i;
    */
    for (i = 0; i < len; i++) {
        if (in[i] == '/') {
            slash = i;
            break;
        }
    }
    /*@ loop invariant 0 <= i <= slash;
        loop invariant at == len;
        loop assigns i, at;
        loop variant slash - i;
    */
    for (i = 0; i < slash; i++) {
        if (in[i] == '@') {
            at = i;
            break;
        }
    }
    *dstart = 0;
    *dend = slash;
    if (at < slash) {
        if (at == 0) {
            st = XC_JID_ERR_NODE_EMPTY;
            goto out;
        }
        *dstart = at + 1;
    }
    if (*dstart == slash) {
        st = XC_JID_ERR_DOMAIN_EMPTY;
        goto out;
    }
    if (slash < len && slash + 1 == len) {
        st = XC_JID_ERR_RESOURCE_EMPTY;
        goto out;
    }
out:
    return st;
}

/* Well-formed UTF-8 (RFC 3629 §4: no overlong forms, no surrogates, nothing above
 * U+10FFFF) without U+0000. A JID travels in XML, which allows neither (RFC 3920 §11.5,
 * XML 1.0 Char), and libidn takes NUL-terminated strings, so a NUL would make it prepare a
 * shorter string than the one checked here. */
/*@ requires len <= XC_JID_IN_MAX;
    requires \valid_read(s + (0 .. len - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_utf8_ok(const char *s, size_t len)
{
    size_t i = 0;
    size_t need;
    size_t k;
    int ok = 1;
    int c;
    int lo;
    int hi;

    /*@ loop invariant 0 <= i <= len;
        loop assigns i, need, k, ok, c, lo, hi;
        loop variant len - i;
    */
    while (i < len) {
        c = xc_jid_byte(s[i]);
        lo = 0x80;
        hi = 0xBF;
        if (c == 0) {
            ok = 0;
            break;
        } else if (c < 0x80) {
            need = 0;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c == 0xE0) {
            need = 2;
            lo = 0xA0; /* no overlong 3-byte form */
        } else if (c == 0xED) {
            need = 2;
            hi = 0x9F; /* no UTF-16 surrogates */
        } else if (c >= 0xE1 && c <= 0xEF) {
            need = 2;
        } else if (c == 0xF0) {
            need = 3;
            lo = 0x90; /* no overlong 4-byte form */
        } else if (c >= 0xF1 && c <= 0xF3) {
            need = 3;
        } else if (c == 0xF4) {
            need = 3;
            hi = 0x8F; /* nothing above U+10FFFF */
        } else {
            ok = 0;
            break;
        }
        if (need > len - i - 1) {
            ok = 0;
            break;
        }
        if (need > 0) {
            c = xc_jid_byte(s[i + 1]);
            if (c < lo || c > hi) {
                ok = 0;
                break;
            }
            /*@ loop invariant 2 <= k <= need + 1;
                loop assigns k, c, ok;
                loop variant need + 1 - k;
            */
            for (k = 2; k <= need; k++) {
                c = xc_jid_byte(s[i + k]);
                if (c < 0x80 || c > 0xBF) {
                    ok = 0;
                    break;
                }
            }
            if (ok == 0)
                break;
        }
        i += need + 1;
    }
    return ok;
}

/* RFC 3920 Appendix A.5: Nodeprep prohibits " & ' / : < > @ and (via table C.1.1) space.
 * Checked on the raw node first so that these, the common case, get their own status. */
/*@ requires n <= XC_JID_IN_MAX;
    requires \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_node_chars_ok(const char *s, size_t n)
{
    size_t i;
    int ok = 1;
    char c;

    /*@ loop invariant 0 <= i <= n;
        loop assigns i, c, ok;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        c = s[i];
        if (c == '"' || c == '&' || c == '\'' || c == '/' || c == ':' || c == '<' || c == '>' ||
            c == '@' || c == ' ') {
            ok = 0;
            break;
        }
    }
    return ok;
}

/* 1 when s is non-empty and only ASCII digits and dots: an attempt at an IPv4 address. Such
 * a name is never a host name (RFC 1123 §2.1: a top-level label is alphabetic). */
/*@ requires n <= XC_JID_IN_MAX;
    requires \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_digits_dots(const char *s, size_t n)
{
    size_t i;
    int ok = n > 0;

    /*@ loop invariant 0 <= i <= n;
        loop assigns i, ok;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) {
            ok = 0;
            break;
        }
    }
    return ok;
}

/* IPv4address of RFC 3986 §3.2.2 (the form RFC 3920 §3.1 cites from RFC 3513 App. B):
 * four dec-octets 0..255 without leading zeros, separated by single dots. */
/*@ requires n <= XC_JID_IN_MAX;
    requires \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_ipv4(const char *s, size_t n)
{
    size_t i;
    unsigned v = 0;
    unsigned nd = 0;
    unsigned dots = 0;
    int ok = 1;
    char c;

    /*@ loop invariant 0 <= i <= n;
        loop invariant v <= 255 && nd <= 3 && dots <= 3;
        loop assigns i, v, nd, dots, ok, c;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        c = s[i];
        if (c >= '0' && c <= '9') {
            if (nd == 3 || (nd == 1 && v == 0)) { /* fourth digit, or a leading zero */
                ok = 0;
                break;
            }
            v = v * 10u + (unsigned)(c - '0');
            nd++;
            if (v > 255u) {
                ok = 0;
                break;
            }
        } else if (c == '.' && nd > 0 && dots < 3) {
            dots++;
            nd = 0;
            v = 0;
        } else {
            ok = 0;
            break;
        }
    }
    if (ok == 1 && (dots != 3 || nd == 0))
        ok = 0;
    return ok;
}

/* IPv6address of RFC 3986 §3.2.2 (without the brackets): eight groups of 1–4 hex digits,
 * one "::" standing for one or more zero groups, and an optional IPv4 tail standing for the
 * last two groups. No zone identifier and no IPvFuture. */
/*@ requires n <= XC_JID_IN_MAX;
    requires \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int xc_jid_ipv6(const char *s, size_t n)
{
    size_t i = 0;
    size_t start;
    size_t h;
    unsigned groups = 0;
    int dc = 0;
    int ok = 1;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        dc = 1;
        i = 2;
    }
    /*@ loop invariant 0 <= i <= n;
        loop invariant groups <= 8;
        loop invariant dc == 0 || dc == 1;
        loop invariant ok == 1;
        loop assigns i, start, h, groups, dc, ok;
        loop variant n - i;
    */
    while (i < n) {
        start = i;
        h = 0;
        /*@ loop invariant start <= i <= n;
            loop invariant h == i - start && h <= 4;
            loop assigns i, h;
            loop variant n - i;
        */
        while (i < n && h < 4 && xc_jid_is_hex(s[i])) {
            i++;
            h++;
        }
        if (i < n && s[i] == '.') {
            /* ls32: the IPv4 tail ends the address and counts as two groups */
            if (groups > 6 || xc_jid_ipv4(s + start, n - start) == 0)
                ok = 0;
            else
                groups += 2;
            break;
        }
        if (h == 0 || groups == 8) {
            ok = 0;
            break;
        }
        groups++;
        if (i == n)
            break;
        if (s[i] != ':') { /* a fifth hex digit, or any other character */
            ok = 0;
            break;
        }
        i++;
        if (i < n && s[i] == ':') {
            if (dc == 1) { /* a second "::" */
                ok = 0;
                break;
            }
            dc = 1;
            i++;
        } else if (i == n) { /* a single trailing ':' */
            ok = 0;
            break;
        }
    }
    if (ok == 1)
        ok = dc == 1 ? groups <= 7 : groups == 8;
    return ok;
}

/* Label separators after Nameprep: IDNA2003 §3.1 requirement 1 makes U+3002, U+FF0E and
 * U+FF61 dots too. Nameprep's NFKC already turns U+FF0E into '.' and U+FF61 into U+3002, so
 * only U+3002 (E3 80 82) is left to rewrite. Then one trailing dot goes (RFC 6122 §2.2: a
 * final label separator is stripped before the JID is compared or used). In place: the
 * result is never longer. */
/*@ requires 1 <= n <= XC_JID_PART_MAX;
    requires \valid(d + (0 .. n - 1));
    requires \valid(out_n);
    requires \separated(d + (0 .. n - 1), out_n);
    assigns d[0 .. n - 1], *out_n;
    ensures *out_n <= n;
*/
static void xc_jid_dots(char *d, size_t n, size_t *out_n)
{
    size_t r = 0;
    size_t w = 0;

    /*@ loop invariant 0 <= w <= r <= n;
        loop assigns r, w, d[0 .. n - 1];
        loop variant n - r;
    */
    while (r < n) {
        if (r + 2 < n && xc_jid_byte(d[r]) == 0xE3 && xc_jid_byte(d[r + 1]) == 0x80 &&
            xc_jid_byte(d[r + 2]) == 0x82) {
            d[w] = '.';
            r += 3;
        } else {
            d[w] = d[r];
            r++;
        }
        w++;
    }
    if (w > 0 && d[w - 1] == '.')
        w--;
    *out_n = w;
}

/* Label rules for a prepared domain name (RFC 3920 §3.2 requires an IDN, RFC 3490 §4.1 step
 * 3 applies the STD3 ASCII rules): no empty label, ASCII bytes only letters, digits and '-',
 * no '-' at either end of a label, and an all-ASCII label at most 63 bytes. A label with
 * non-ASCII characters is limited by its ACE form, which only ToASCII computes; its UTF-8
 * length is bounded by the 1023-byte part limit. */
/*@ requires 1 <= n <= XC_JID_PART_MAX;
    requires \valid_read(d + (0 .. n - 1));
    assigns \nothing;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_DOMAIN_LABEL_EMPTY ||
            \result == XC_JID_ERR_DOMAIN_LABEL_TOO_LONG ||
            \result == XC_JID_ERR_DOMAIN_LABEL_CHAR || \result == XC_JID_ERR_DOMAIN_LABEL_HYPHEN;
*/
static xc_jid_status xc_jid_labels(const char *d, size_t n)
{
    size_t i;
    size_t start = 0;
    int ascii = 1;
    int c;
    xc_jid_status st = XC_JID_OK;

    /*@ loop invariant 0 <= start <= i <= n + 1;
        loop invariant start <= n;
        loop invariant st == XC_JID_OK;
        loop assigns i, start, ascii, c, st;
        loop variant n + 1 - i;
    */
    for (i = 0; i <= n; i++) {
        if (i == n || d[i] == '.') {
            if (i == start) {
                st = XC_JID_ERR_DOMAIN_LABEL_EMPTY;
                break;
            }
            if (d[start] == '-' || d[i - 1] == '-') {
                st = XC_JID_ERR_DOMAIN_LABEL_HYPHEN;
                break;
            }
            if (ascii == 1 && i - start > XC_JID_LABEL_MAX) {
                st = XC_JID_ERR_DOMAIN_LABEL_TOO_LONG;
                break;
            }
            if (i == n)
                break;
            start = i + 1;
            ascii = 1;
        } else {
            c = xc_jid_byte(d[i]);
            if (c >= 0x80) {
                ascii = 0;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-')) {
                st = XC_JID_ERR_DOMAIN_LABEL_CHAR;
                break;
            }
        }
    }
    return st;
}

/* The node: RFC 3920 §3.3, Nodeprep (Appendix A). */
/*@ requires 1 <= rn <= XC_JID_IN_MAX;
    requires \valid_read(raw + (0 .. rn - 1));
    requires \valid(d + (0 .. XC_JID_PART_MAX - 1));
    requires \valid(dlen);
    requires \separated(d + (0 .. XC_JID_PART_MAX - 1), raw + (0 .. rn - 1), dlen);
    requires \separated(raw + (0 .. rn - 1), dlen);
    assigns d[0 .. XC_JID_PART_MAX - 1], *dlen;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_NODE_EMPTY ||
            \result == XC_JID_ERR_NODE_TOO_LONG || \result == XC_JID_ERR_NODE_PROHIBITED ||
            \result == XC_JID_ERR_NODE_PREP;
    ensures \result == XC_JID_OK ==> 1 <= *dlen <= XC_JID_PART_MAX;
*/
static xc_jid_status xc_jid_prep_node(const char *raw, size_t rn, char *d, size_t *dlen)
{
    size_t n = 0;
    xc_jid_status st = XC_JID_OK;
    xc_prep_status ps;

    *dlen = 0;
    if (rn > XC_PREP_IN_MAX) {
        st = XC_JID_ERR_NODE_TOO_LONG;
        goto out;
    }
    if (xc_jid_node_chars_ok(raw, rn) == 0) {
        st = XC_JID_ERR_NODE_PROHIBITED;
        goto out;
    }
    ps = xc_stringprep(XC_PREP_NODE, raw, rn, d, XC_JID_PART_MAX, &n);
    if (ps == XC_PREP_TOO_LONG) {
        st = XC_JID_ERR_NODE_TOO_LONG;
        goto out;
    }
    if (ps != XC_PREP_OK) {
        st = XC_JID_ERR_NODE_PREP;
        goto out;
    }
    if (n == 0) { /* only characters Nodeprep maps to nothing (RFC 3454 table B.1) */
        st = XC_JID_ERR_NODE_EMPTY;
        goto out;
    }
    /* The adapter's contract does not promise Nodeprep's table A.5, so check the result too:
     * a prepared node must never hold a separator that would change the split. */
    if (xc_jid_node_chars_ok(d, n) == 0) {
        st = XC_JID_ERR_NODE_PROHIBITED;
        goto out;
    }
    *dlen = n;
out:
    return st;
}

/* The domain: RFC 3920 §3.2. An IP literal is kept as written and not nameprepped; a
 * name is nameprepped, its separators normalised, its trailing dot removed, then its labels
 * checked. A name that is only digits and dots after all that must be an IPv4 address, so
 * that parsing the formatted result gives the same verdict (idempotence). */
/*@ requires 1 <= rn <= XC_JID_IN_MAX;
    requires \valid_read(raw + (0 .. rn - 1));
    requires \valid(d + (0 .. XC_JID_PART_MAX - 1));
    requires \valid(dlen);
    requires \separated(d + (0 .. XC_JID_PART_MAX - 1), raw + (0 .. rn - 1), dlen);
    requires \separated(raw + (0 .. rn - 1), dlen);
    assigns d[0 .. XC_JID_PART_MAX - 1], *dlen;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_DOMAIN_EMPTY ||
            \result == XC_JID_ERR_DOMAIN_TOO_LONG || \result == XC_JID_ERR_DOMAIN_PREP ||
            \result == XC_JID_ERR_DOMAIN_BAD_IPV4 || \result == XC_JID_ERR_DOMAIN_BAD_IPV6 ||
            \result == XC_JID_ERR_DOMAIN_LABEL_EMPTY ||
            \result == XC_JID_ERR_DOMAIN_LABEL_TOO_LONG ||
            \result == XC_JID_ERR_DOMAIN_LABEL_CHAR || \result == XC_JID_ERR_DOMAIN_LABEL_HYPHEN;
    ensures \result == XC_JID_OK ==> 1 <= *dlen <= XC_JID_PART_MAX;
*/
static xc_jid_status xc_jid_prep_domain(const char *raw, size_t rn, char *d, size_t *dlen)
{
    size_t n = 0;
    size_t m = 0;
    xc_jid_status st = XC_JID_OK;
    xc_prep_status ps;

    *dlen = 0;
    if (rn > XC_PREP_IN_MAX) {
        st = XC_JID_ERR_DOMAIN_TOO_LONG;
        goto out;
    }
    if (raw[0] == '[') {
        /* IP-literal, RFC 3986 §3.2.2 as RFC 6122 §2.2 requires for IPv6 */
        if (rn > XC_JID_PART_MAX) {
            st = XC_JID_ERR_DOMAIN_TOO_LONG;
            goto out;
        }
        if (rn < 2 || raw[rn - 1] != ']' || xc_jid_ipv6(raw + 1, rn - 2) == 0) {
            st = XC_JID_ERR_DOMAIN_BAD_IPV6;
            goto out;
        }
        xc_jid_copy(d, raw, rn);
        *dlen = rn;
        goto out;
    }
    if (xc_jid_digits_dots(raw, rn) == 1) {
        /* Nameprep is the identity on digits and dots: nothing to prepare (§3.2) */
        if (rn > XC_JID_PART_MAX) {
            st = XC_JID_ERR_DOMAIN_TOO_LONG;
            goto out;
        }
        xc_jid_copy(d, raw, rn);
        n = rn;
    } else {
        ps = xc_stringprep(XC_PREP_NAME, raw, rn, d, XC_JID_PART_MAX, &n);
        if (ps == XC_PREP_TOO_LONG) {
            st = XC_JID_ERR_DOMAIN_TOO_LONG;
            goto out;
        }
        if (ps != XC_PREP_OK) {
            st = XC_JID_ERR_DOMAIN_PREP;
            goto out;
        }
    }
    if (n == 0) {
        st = XC_JID_ERR_DOMAIN_EMPTY;
        goto out;
    }
    xc_jid_dots(d, n, &m);
    if (m == 0) { /* "." alone: nothing left once the trailing dot is gone */
        st = XC_JID_ERR_DOMAIN_EMPTY;
        goto out;
    }
    if (xc_jid_digits_dots(d, m) == 1) {
        if (xc_jid_ipv4(d, m) == 0) {
            st = XC_JID_ERR_DOMAIN_BAD_IPV4;
            goto out;
        }
    } else {
        st = xc_jid_labels(d, m);
        if (st != XC_JID_OK)
            goto out;
    }
    *dlen = m;
out:
    return st;
}

/* The resource: RFC 3920 §3.4, Resourceprep (Appendix B). It keeps case, and may hold '@'
 * and '/' (everything after the first '/' is the resource, §3.1). */
/*@ requires 1 <= rn <= XC_JID_IN_MAX;
    requires \valid_read(raw + (0 .. rn - 1));
    requires \valid(d + (0 .. XC_JID_PART_MAX - 1));
    requires \valid(dlen);
    requires \separated(d + (0 .. XC_JID_PART_MAX - 1), raw + (0 .. rn - 1), dlen);
    requires \separated(raw + (0 .. rn - 1), dlen);
    assigns d[0 .. XC_JID_PART_MAX - 1], *dlen;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_RESOURCE_EMPTY ||
            \result == XC_JID_ERR_RESOURCE_TOO_LONG || \result == XC_JID_ERR_RESOURCE_PREP;
    ensures \result == XC_JID_OK ==> 1 <= *dlen <= XC_JID_PART_MAX;
*/
static xc_jid_status xc_jid_prep_resource(const char *raw, size_t rn, char *d, size_t *dlen)
{
    size_t n = 0;
    xc_jid_status st = XC_JID_OK;
    xc_prep_status ps;

    *dlen = 0;
    if (rn > XC_PREP_IN_MAX) {
        st = XC_JID_ERR_RESOURCE_TOO_LONG;
        goto out;
    }
    ps = xc_stringprep(XC_PREP_RESOURCE, raw, rn, d, XC_JID_PART_MAX, &n);
    if (ps == XC_PREP_TOO_LONG) {
        st = XC_JID_ERR_RESOURCE_TOO_LONG;
        goto out;
    }
    if (ps != XC_PREP_OK) {
        st = XC_JID_ERR_RESOURCE_PREP;
        goto out;
    }
    if (n == 0) { /* only characters Resourceprep maps to nothing */
        st = XC_JID_ERR_RESOURCE_EMPTY;
        goto out;
    }
    *dlen = n;
out:
    return st;
}

xc_jid_status xc_jid_split(const char *in, size_t len, xc_jid_parts *out)
{
    size_t ds = 0;
    size_t de = 0;
    xc_jid_status st;

    out->node.ptr = NULL;
    out->node.len = 0;
    out->domain.ptr = NULL;
    out->domain.len = 0;
    out->resource.ptr = NULL;
    out->resource.len = 0;
    if (len == 0) {
        st = XC_JID_ERR_EMPTY;
        goto out;
    }
    if (len > XC_JID_IN_MAX) {
        st = XC_JID_ERR_TOO_LONG;
        goto out;
    }
    st = xc_jid_locate(in, len, &ds, &de);
    if (st != XC_JID_OK)
        goto out;
    if (ds > 0) {
        out->node.ptr = in;
        out->node.len = (uint32_t)(ds - 1);
    }
    out->domain.ptr = in + ds;
    out->domain.len = (uint32_t)(de - ds);
    if (de < len) {
        out->resource.ptr = in + de + 1;
        out->resource.len = (uint32_t)(len - de - 1);
    }
out:
    return st;
}

xc_jid_status xc_jid_parse(const char *in, size_t len, xc_jid *out)
{
    size_t ds = 0;
    size_t de = 0;
    size_t n = 0;
    xc_jid_status st;

    out->node_len = 0;
    out->domain_len = 0;
    out->resource_len = 0;
    if (len == 0) {
        st = XC_JID_ERR_EMPTY;
        goto out;
    }
    if (len > XC_JID_IN_MAX) {
        st = XC_JID_ERR_TOO_LONG;
        goto out;
    }
    st = xc_jid_locate(in, len, &ds, &de);
    if (st != XC_JID_OK)
        goto out;
    if (xc_jid_utf8_ok(in, len) == 0) {
        st = XC_JID_ERR_UTF8;
        goto out;
    }
    if (ds > 0) {
        st = xc_jid_prep_node(in, ds - 1, &out->buf[XC_JID_NODE_OFF], &n);
        if (st != XC_JID_OK)
            goto out;
        out->node_len = (uint32_t)n;
    }
    st = xc_jid_prep_domain(in + ds, de - ds, &out->buf[XC_JID_DOMAIN_OFF], &n);
    if (st != XC_JID_OK)
        goto out;
    out->domain_len = (uint32_t)n;
    if (de < len) {
        st = xc_jid_prep_resource(in + de + 1, len - de - 1, &out->buf[XC_JID_RESOURCE_OFF], &n);
        if (st != XC_JID_OK)
            goto out;
        out->resource_len = (uint32_t)n;
    }
out:
    if (st != XC_JID_OK) {
        out->node_len = 0;
        out->domain_len = 0;
        out->resource_len = 0;
    }
    return st;
}

/* Shared by the two formatters: full == 0 leaves the resource out. */
/*@ requires xc_jid_ok(j);
    requires full == 0 || full == 1;
    requires \valid(out + (0 .. cap - 1));
    requires \valid(out_len);
    requires \separated(out + (0 .. cap - 1), out_len, j);
    requires \separated(out + (0 .. cap - 1), out_len);
    assigns out[0 .. cap - 1], *out_len;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_NO_ROOM;
    ensures \result == XC_JID_OK ==> *out_len <= cap && *out_len <= XC_JID_FULL_MAX;
    ensures \result != XC_JID_OK ==> *out_len == 0;
*/
static xc_jid_status xc_jid_format(const xc_jid *j, int full, char *out, size_t cap,
                                   size_t *out_len)
{
    size_t nl = j->node_len;
    size_t dl = j->domain_len;
    size_t rl = full == 1 ? j->resource_len : 0;
    size_t need = dl;
    size_t pos = 0;
    xc_jid_status st = XC_JID_OK;

    *out_len = 0;
    if (nl > 0)
        need += nl + 1;
    if (rl > 0)
        need += rl + 1;
    if (need > cap) {
        st = XC_JID_ERR_NO_ROOM;
        goto out;
    }
    if (nl > 0) {
        xc_jid_copy(out, &j->buf[XC_JID_NODE_OFF], nl);
        out[nl] = '@';
        pos = nl + 1;
    }
    xc_jid_copy(out + pos, &j->buf[XC_JID_DOMAIN_OFF], dl);
    pos += dl;
    if (rl > 0) {
        out[pos] = '/';
        pos++;
        xc_jid_copy(out + pos, &j->buf[XC_JID_RESOURCE_OFF], rl);
        pos += rl;
    }
    *out_len = pos;
out:
    return st;
}

xc_jid_status xc_jid_format_bare(const xc_jid *j, char *out, size_t cap, size_t *out_len)
{
    return xc_jid_format(j, 0, out, cap, out_len);
}

xc_jid_status xc_jid_format_full(const xc_jid *j, char *out, size_t cap, size_t *out_len)
{
    return xc_jid_format(j, 1, out, cap, out_len);
}

int xc_jid_equal_bare(const xc_jid *a, const xc_jid *b)
{
    int eq = 0;

    if (a->node_len == b->node_len && a->domain_len == b->domain_len &&
        xc_jid_mem_eq(&a->buf[XC_JID_NODE_OFF], &b->buf[XC_JID_NODE_OFF], a->node_len) == 1 &&
        xc_jid_mem_eq(&a->buf[XC_JID_DOMAIN_OFF], &b->buf[XC_JID_DOMAIN_OFF], a->domain_len) == 1)
        eq = 1;
    return eq;
}

int xc_jid_equal_full(const xc_jid *a, const xc_jid *b)
{
    int eq = 0;

    if (xc_jid_equal_bare(a, b) == 1 && a->resource_len == b->resource_len &&
        xc_jid_mem_eq(&a->buf[XC_JID_RESOURCE_OFF], &b->buf[XC_JID_RESOURCE_OFF],
                      a->resource_len) == 1)
        eq = 1;
    return eq;
}

xc_str xc_jid_node(const xc_jid *j)
{
    xc_str s;

    s.ptr = &j->buf[XC_JID_NODE_OFF];
    s.len = j->node_len;
    return s;
}

xc_str xc_jid_domain(const xc_jid *j)
{
    xc_str s;

    s.ptr = &j->buf[XC_JID_DOMAIN_OFF];
    s.len = j->domain_len;
    return s;
}

xc_str xc_jid_resource(const xc_jid *j)
{
    xc_str s;

    s.ptr = &j->buf[XC_JID_RESOURCE_OFF];
    s.len = j->resource_len;
    return s;
}
