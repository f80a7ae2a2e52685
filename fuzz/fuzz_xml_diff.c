/*
 * fuzz_xml_diff.c — our stream parser against expat (the oracle named in DESIGN.md).
 *
 * The whole input is one c2s stream (jabber:client, c2s caps). Our parser takes it whole;
 * expat (XML_ParserCreateNS with separator '\x01', which cannot occur in a namespace name we
 * accept: we refuse controls there) takes the same bytes in pieces of 1..64 bytes, never with
 * isFinal set (it cannot know the stream is unterminated). From expat's callbacks we build the
 * same canonical form (support_xml.h) for every first-level element (depth 2 for expat): expanded
 * names, attributes in document order, adjacent text merged. Rules, abort() if broken:
 *  (a) every element our parser returned before any error, expat returned too, ending at the
 *      same byte offset, with the same canonical tree;
 *  (b) when expat reports an error after being fed D bytes, our parser refused by then: it
 *      stopped with an error after consuming at most D bytes;
 *  (c) when our parser refuses with xml-not-well-formed after consuming O bytes (the refused
 *      byte is the O-th), expat refuses a token that starts before O. Refusals that are XMPP
 *      rules stricter than XML (restricted-xml, policy-violation, bad-format, invalid-namespace,
 *      bad-namespace-prefix, unsupported-encoding) are not checked this way.
 * Expat is only ever fed the bytes our parser consumed (up to its error, or all), so (b) looks
 * at exactly what we accepted, and expat never expands a DTD we would have refused.
 *
 * Exceptions (each is XML 1.0 Fifth Edition or XMPP being stricter/looser than expat 2.5,
 * not a disagreement about well-formedness):
 *  E1 names: expat classifies non-ASCII name characters with XML 1.0 Fourth Edition tables
 *     (Unicode 2.0 letters); we use the Fifth Edition NameStartChar/NameChar ranges (which
 *     RFC 6120 references). When expat says XML_ERROR_INVALID_TOKEN on a token that has a
 *     non-ASCII byte outside quotes, (a) and (b) are not checked.
 *  E2 undecided: when expat has seen the whole input and is still inside an unfinished token
 *     that holds the byte we refused (XML_ERROR_UNCLOSED_TOKEN / XML_ERROR_PARTIAL_CHAR on a
 *     final call), it has not judged that byte (it checks a character reference's value only
 *     at ';', for example); such a token counts as refused for (c).
 *  E3 the XML declaration: we accept only version='1.0' (RFC 3920 §11.4, XML 1.0), expat
 *     accepts any version number of the form 1.x; we refuse other versions as
 *     xml-not-well-formed, so (c) is not checked when our refusal falls inside "<?xml ...?>".
 *     We also judge the declaration as a whole at "?>" (it is collected into XC_XML_DECL_MAX
 *     bytes), so for an error expat finds inside it (b) only asks that we refuse, not where,
 *     and nothing while the declaration is unfinished at the end of the input.
 *  E5 markup keywords: we classify "<!" markup by its whole keyword ("<!DOCTYPE", "<!--" are
 *     restricted-xml, anything else xml-not-well-formed), so we may refuse a few bytes after
 *     expat did; (b) accepts our refusal anywhere before the '>' that would end expat's token
 *     (and no refusal yet when the input ends inside that markup, e.g. "<![" before the header).
 *     The other way round, expat tokenizes a whole start tag before it evaluates references in
 *     attribute values, so where we refuse "&#x110000;" at once, expat may report a bad byte
 *     later in the same tag; (c) accepts an expat refusal inside the same markup.
 *  E6 QNames: expat's tokenizer takes any XML 1.0 Name and applies the Namespaces-in-XML QName
 *     syntax only where it resolves a prefix (not in end tags), so on "</a:b:c>" it refuses a
 *     later token; for our "malformed qualified name" (c) only asks that expat refuses.
 *  E7 UTF-16: expat takes a zero among the first two bytes as UTF-16 without a BOM ("\n\0" is
 *     a line feed to it); we refuse such input (unsupported-encoding, or xml-not-well-formed
 *     for a NUL after whitespace). (c) is not checked then.
 *  E8 character references: we refuse "&#x1F6001" at the digit that takes it past U+10FFFF;
 *     expat lexes the whole reference and refuses the first byte after its digits, or the
 *     value at ';'. (c) accepts expat's refusal anywhere in the rest of the digits.
 *  E4 prolog and epilog: outside the root element expat tokenizes first and applies the
 *     prolog grammar after, so a quote starts a literal token that may swallow the byte we
 *     refused, and after "</stream:stream>er:x'" it reports the quote, not the junk name;
 *     its error position is that of a later token. Outside the stream element (expat's
 *     depth 0), (c) only asks that expat refuses, not where.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

/* Expat 2.6.0 (and Debian's 2.5.0 from +deb12u5 on, which carries the CVE-2023-52425 fix under
 * the old version number) has reparse deferral; older builds have neither the behaviour nor the
 * function. A weak reference is NULL where the library lacks it, so one binary fits both. */
XML_Bool XML_SetReparseDeferralEnabled(XML_Parser parser, XML_Bool enabled) __attribute__((weak));

#include "support_xml.h"
#include "xc_xml.h"
#include "xc_xml_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A disagreement: say which rule broke and where, then crash (the fuzzer keeps the input). */
#define FAIL(rule)                                                                                  \
    do {                                                                                            \
        fprintf(stderr, "xml_diff: rule %s: ours %s after %zu bytes (%zu elements); expat %s at %zu " \
                        "after %zu bytes (%zu elements)\n",                                          \
                rule, xc_stream_error_name(our_err)->ptr, limit, ours.n, XML_ErrorString(x_err),     \
                x_index, x_fed, theirs.n);                                                          \
        abort();                                                                                    \
    } while (0)

#define NS_SEP '\x01'
#define MAX_EL 4096

typedef struct side {
    fx_buf canon;        /* canonical forms, one after the other */
    size_t start[MAX_EL + 1];
    size_t end_off[MAX_EL];
    size_t n;
} side;

static side ours, theirs;
static fx_buf text;
static int depth;
static XML_Parser xp;

static void record(side *s, size_t end_off)
{
    if (s->n >= MAX_EL)
        return;
    s->end_off[s->n] = end_off;
    s->n++;
    s->start[s->n] = s->canon.len;
}

static void split_name(const char *qn, const char **ns, size_t *ns_len, const char **local, size_t *local_len)
{
    const char *sep = strchr(qn, NS_SEP);
    if (sep == NULL) {
        *ns = "";
        *ns_len = 0;
        *local = qn;
    } else {
        *ns = qn;
        *ns_len = (size_t)(sep - qn);
        *local = sep + 1;
    }
    *local_len = strlen(*local);
}

static void flush_text(void)
{
    fx_canon_text(&theirs.canon, text.p, text.len);
    text.len = 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    const char *ns, *local;
    size_t ns_len, local_len;
    uint32_t n = 0, k;

    (void)ud;
    depth++;
    if (depth < 2)
        return;
    flush_text();
    while (atts[2 * n] != NULL)
        n++;
    split_name(name, &ns, &ns_len, &local, &local_len);
    fx_canon_start(&theirs.canon, ns, ns_len, local, local_len, n);
    for (k = 0; k < n; k++) {
        split_name(atts[2 * k], &ns, &ns_len, &local, &local_len);
        fx_canon_attr(&theirs.canon, ns, ns_len, local, local_len, atts[2 * k + 1], strlen(atts[2 * k + 1]));
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)ud;
    (void)name;
    if (depth >= 2) {
        flush_text();
        fx_canon_end(&theirs.canon);
        if (depth == 2)
            record(&theirs, (size_t)XML_GetCurrentByteIndex(xp) + (size_t)XML_GetCurrentByteCount(xp));
    }
    depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    (void)ud;
    if (depth >= 2 && len > 0)
        fx_put(&text, s, (size_t)len);
}

static int skip_class(xc_stream_error e)
{
    return e == XC_SE_RESTRICTED_XML || e == XC_SE_POLICY_VIOLATION || e == XC_SE_BAD_FORMAT ||
           e == XC_SE_INVALID_NAMESPACE || e == XC_SE_BAD_NAMESPACE_PREFIX || e == XC_SE_UNSUPPORTED_ENCODING;
}

/* E1: the markup token starting at `at` has a non-ASCII byte outside quotes. */
static int nonascii_name_token(const uint8_t *s, size_t n, size_t at)
{
    uint8_t q = 0;
    size_t i;
    for (i = at; i < n; i++) {
        if (q) {
            if (s[i] == q)
                q = 0;
            continue;
        }
        if (s[i] == '\'' || s[i] == '"')
            q = s[i];
        else if (s[i] == '>')
            return 0;
        else if (s[i] >= 0x80)
            return 1;
    }
    return 0;
}

/* E5: expat's error position `at` and the byte we refused (s[o - 1]) fall inside one markup
 * token: the same '<' starts both, and the quote-aware scan from it reaches the later of the
 * two before the '>' that ends the tag. */
static int same_markup(const uint8_t *s, size_t n, size_t at, size_t o)
{
    size_t lo, hi, i;
    uint8_t q = 0;
    if (o == 0 || at >= n)
        return 0;
    lo = at < o - 1 ? at : o - 1;
    hi = at < o - 1 ? o - 1 : at;
    for (i = lo + 1; i > 0 && s[i - 1] != '<'; i--)
        ;
    if (i == 0)
        return 0;
    for (i = i - 1; i < hi; i++) {
        if (q) {
            if (s[i] == q)
                q = 0;
        } else if (s[i] == '\'' || s[i] == '"') {
            q = s[i];
        } else if (s[i] == '>') {
            return 0;
        }
    }
    return 1;
}

/* E8: s[o .. at-1] are all hex digits: the rest of the character reference we refused. */
static int ref_tail(const uint8_t *s, size_t o, size_t at)
{
    size_t i;
    for (i = o; i < at; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    }
    return 1;
}

/* E3: offset o lies inside an XML declaration at the start of the stream (after a BOM);
 * o == n + 1 asks whether the declaration is unfinished at the end of the input. */
static int inside_xml_decl(const uint8_t *s, size_t n, size_t o)
{
    size_t b = (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) ? 3 : 0;
    size_t i;
    if (n - b < 5 || memcmp(s + b, "<?xml", 5) != 0)
        return 0;
    for (i = b + 5; i + 1 < n; i++) {
        if (s[i] == '?' && s[i + 1] == '>')
            return o <= i + 2;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static xc_xml_parser p;
    xc_stream_error our_err = XC_SE_NONE;
    size_t off = 0, limit, feed_to, fed = 0, k;
    enum XML_Error x_err = XML_ERROR_NONE;
    size_t x_index = 0, x_fed = 0;
    uint32_t seed = (uint32_t)size * 2654435761u;

    ours.canon.len = theirs.canon.len = text.len = 0;
    ours.n = theirs.n = 0;
    ours.start[0] = theirs.start[0] = 0;
    depth = 0;

    /* ours, whole */
    fx_parser_init(&p, 3, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s, &xc_xml_limits_c2s);
    while (our_err == XC_SE_NONE) {
        size_t c = 0;
        xc_xml_event ev = xc_xml_feed(&p, data + off, size - off, &c);
        off += c;
        if (ev == XC_XML_EV_ERROR) {
            our_err = xc_xml_error(&p);
        } else if (ev == XC_XML_EV_ELEMENT) {
            fx_canon_tree(&ours.canon, xc_xml_tree_of(&p), xc_xml_element(&p));
            record(&ours, off);
        } else if (ev == XC_XML_NEED_MORE && off >= size) {
            break;
        }
    }
    if (our_err != XC_SE_NONE && our_err != XC_SE_XML_NOT_WELL_FORMED && !skip_class(our_err))
        abort(); /* a refusal this harness does not know (internal-server-error: a broken tree) */
    limit = off;  /* everything our parser consumed, up to and including a refused byte */

    /* expat, in pieces, the same bytes */
    xp = XML_ParserCreateNS(NULL, NS_SEP);
    if (xp == NULL)
        abort();
    XML_SetHashSalt(xp, 1);
    /* with reparse deferral, a token that arrived in small pieces is parsed only once enough
     * further input has piled up */
    if (XML_SetReparseDeferralEnabled != NULL)
        XML_SetReparseDeferralEnabled(xp, XML_FALSE);
    XML_SetElementHandler(xp, on_start, on_end);
    XML_SetCharacterDataHandler(xp, on_text);
    /* On a not-well-formed refusal expat gets the rest of the input too, so that it can finish
     * the token holding the refused byte; otherwise only what we consumed. */
    feed_to = our_err == XC_SE_XML_NOT_WELL_FORMED ? size : limit;
    while (fed < feed_to) {
        size_t piece;
        seed = seed * 1103515245u + 12345u;
        piece = 1 + (seed >> 8) % 64;
        if (piece > feed_to - fed)
            piece = feed_to - fed;
        if (XML_Parse(xp, (const char *)data + fed, (int)piece, 0) != XML_STATUS_OK) {
            x_err = XML_GetErrorCode(xp);
            x_index = (size_t)XML_GetCurrentByteIndex(xp);
            x_fed = fed + piece;
            break;
        }
        fed += piece;
    }
    /* Expat reports an element whose end is the last byte it has only once it sees one more
     * byte: give it a space, and ignore whatever it says about that space. */
    if (x_err == XML_ERROR_NONE && our_err != XC_SE_XML_NOT_WELL_FORMED)
        (void)XML_Parse(xp, " ", 1, 0);

    /* (a) */
    for (k = 0; k < ours.n && k < MAX_EL; k++) {
        if (k >= theirs.n) {
            if (x_err == XML_ERROR_INVALID_TOKEN && nonascii_name_token(data, limit, x_index))
                goto out; /* E1 */
            FAIL("a: expat did not return the element");
        }
        if (ours.end_off[k] != theirs.end_off[k] ||
            ours.start[k + 1] - ours.start[k] != theirs.start[k + 1] - theirs.start[k] ||
            memcmp(ours.canon.p + ours.start[k], theirs.canon.p + theirs.start[k],
                   ours.start[k + 1] - ours.start[k]) != 0)
            FAIL("a: different element");
    }

    /* (b) */
    if (x_err != XML_ERROR_NONE) {
        if (x_err == XML_ERROR_INVALID_TOKEN && nonascii_name_token(data, limit, x_index))
            goto out; /* E1 */
        if (our_err == XC_SE_NONE && inside_xml_decl(data, size, size + 1))
            goto out; /* E3: our parser has not judged the unfinished declaration yet */
        if (our_err == XC_SE_NONE && memchr(data + x_index, '>', size - x_index) == NULL)
            goto out; /* E5: our parser is still inside the markup expat refused */
        if (our_err == XC_SE_NONE ||
            (limit > x_fed && !inside_xml_decl(data, size, x_index) && !same_markup(data, size, x_index, limit)))
            FAIL("b: expat refused what we accepted");
    }

    /* (c) */
    if (our_err == XC_SE_XML_NOT_WELL_FORMED && !inside_xml_decl(data, size, limit) &&
        !(size >= 2 && (data[0] == 0 || data[1] == 0))) { /* E7 */
        /* E4 (outside the root), E5 (same markup), E6 (QName), E8 (reference): position not compared */
        int lax_position = depth == 0 || strcmp(p.error_reason, "malformed qualified name") == 0 ||
                           same_markup(data, size, x_index, limit) ||
                           (strcmp(p.error_reason, "character reference out of range") == 0 &&
                            ref_tail(data, limit, x_index));
        if (x_err == XML_ERROR_NONE) {
            /* a final call makes expat judge the unfinished token, if any */
            XML_Parse(xp, NULL, 0, 1);
            x_err = XML_GetErrorCode(xp);
            x_index = (size_t)XML_GetCurrentByteIndex(xp);
            x_fed = size;
            if (x_err == XML_ERROR_NO_ELEMENTS || (x_index >= limit && !lax_position))
                FAIL("c: expat accepted the refused byte");
            /* E2: an unclosed token holding the byte is undecided; any other error is a refusal */
        } else if (x_index >= limit && !lax_position) {
            FAIL("c: expat refused later");
        }
    }
out:
    XML_ParserFree(xp);
    return 0;
}
