/*
 * xc_xml_parse.c — the byte-level machine of the restricted-XML stream parser.
 *
 * Every byte goes through exactly one state transition (xc_xml_step), so where a read ends
 * never matters: one byte at a time and all at once produce the same events. Two fast paths
 * copy runs of plain bytes in character data and attribute values; they do what the slow path
 * would do byte by byte, only faster.
 *
 * Memory: names, values and text are built at the top of the stream's arena (the "token"),
 * then frozen in place; nodes are allocated after them. Nothing is ever copied twice and
 * nothing is allocated outside the arena's budget. Between the header and each stanza the
 * arena is rewound to its mark, so a stream holds at most one stanza tree at a time.
 *
 * Refusals (RFC 3920 §11.1, §4.7.3; RFC 6120 §11.1, DESIGN.md):
 *   comment, PI, DOCTYPE, unknown entity        -> restricted-xml
 *   not well-formed or namespace-ill-formed     -> xml-not-well-formed (incl. bad UTF-8)
 *   encoding other than UTF-8 declared/detected -> unsupported-encoding
 *   any cap exceeded                            -> policy-violation
 *   character data between stanzas, controls in attribute values or namespace names
 *                                               -> bad-format
 */
#include "xc_xml.h"
#include "xc_xml_decl.h"
#include "xc_xml_internal.h"

#include <string.h>

const xc_xml_limits xc_xml_limits_preauth = {
    .max_stanza_bytes = 10000u,
    .max_header_bytes = 4096u,
    .max_elements = 48u,
    .max_arena_bytes = 32768u,
    .max_depth = 8u,
    .max_attrs = 16u,
    .max_ns_decls = 8u,
    .max_name_bytes = 256u,
};

const xc_xml_limits xc_xml_limits_c2s = {
    .max_stanza_bytes = 262144u,
    .max_header_bytes = 4096u,
    .max_elements = 8192u,
    .max_arena_bytes = 1048576u,
    .max_depth = 64u,
    .max_attrs = 64u,
    .max_ns_decls = 32u,
    .max_name_bytes = 1024u,
};

const xc_xml_limits xc_xml_limits_s2s = {
    .max_stanza_bytes = 524288u,
    .max_header_bytes = 4096u,
    .max_elements = 16384u,
    .max_arena_bytes = 2097152u,
    .max_depth = 64u,
    .max_attrs = 64u,
    .max_ns_decls = 32u,
    .max_name_bytes = 1024u,
};

/* ---- errors ------------------------------------------------------------------------- */

xc_xml_event xc_xml_fail(xc_xml_parser *p, xc_stream_error e, const char *reason)
{
    p->error = e;
    p->error_reason = reason;
    p->state = XS_ERROR;
    return XC_XML_EV_ERROR;
}

#define NWF(p, why) xc_xml_fail((p), XC_SE_XML_NOT_WELL_FORMED, (why))
#define POLICY(p, why) xc_xml_fail((p), XC_SE_POLICY_VIOLATION, (why))

/* ---- the token at the arena top ----------------------------------------------------- */

static void tok_begin(xc_xml_parser *p)
{
    p->tok_start = p->arena.top;
}

static xc_xml_event tok_push(xc_xml_parser *p, uint8_t c)
{
    if (p->arena.top >= p->arena.cap)
        return POLICY(p, "arena budget exhausted");
    p->arena.base[p->arena.top] = c;
    p->arena.top++;
    return XC_XML_NEED_MORE;
}

static xc_xml_event tok_push_run(xc_xml_parser *p, const uint8_t *src, size_t n)
{
    if (n > p->arena.cap - p->arena.top)
        return POLICY(p, "arena budget exhausted");
    memcpy(p->arena.base + p->arena.top, src, n);
    p->arena.top += n;
    return XC_XML_NEED_MORE;
}

/* Appends a code point as UTF-8 (character references). */
static xc_xml_event tok_push_cp(xc_xml_parser *p, uint32_t cp)
{
    uint8_t b[4];
    size_t n;

    if (cp < 0x80u) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800u) {
        b[0] = (uint8_t)(0xC0u | (cp >> 6));
        b[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 2;
    } else if (cp < 0x10000u) {
        b[0] = (uint8_t)(0xE0u | (cp >> 12));
        b[1] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        b[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0u | ((cp >> 18) & 0x07u));
        b[1] = (uint8_t)(0x80u | ((cp >> 12) & 0x3Fu));
        b[2] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        b[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 4;
    }
    return tok_push_run(p, b, n);
}

static xc_str tok_take(const xc_xml_parser *p)
{
    xc_str s;
    s.ptr = (const char *)(p->arena.base + p->tok_start);
    s.len = (uint32_t)(p->arena.top - p->tok_start);
    return s;
}

/* ---- names -------------------------------------------------------------------------- */

static void name_begin(xc_xml_parser *p)
{
    tok_begin(p);
    p->name_chars = 0;
    p->name_colons = 0;
    p->name_prev_colon = 0;
}

/* One byte of a QName (Namespaces in XML 1.0 [7]): NCName (':' NCName)?, checked as it
 * arrives so that a name is never longer than max_name_bytes in memory. */
static xc_xml_event name_byte(xc_xml_parser *p, uint8_t c)
{
    int first = (p->name_chars == 0 || p->name_prev_colon);
    xc_xml_event ev;

    if (p->arena.top - p->tok_start >= p->lim.max_name_bytes)
        return POLICY(p, "name too long");
    ev = tok_push(p, c);
    if (ev != XC_XML_NEED_MORE)
        return ev;
    if (c < 0x80u && p->u8.need == 0) {
        if (c == ':') {
            if (first || p->name_colons > 0)
                return NWF(p, "malformed qualified name");
            p->name_colons = 1;
            p->name_prev_colon = 1;
            p->name_chars++;
            return XC_XML_NEED_MORE;
        }
        if (!(xc_char_class[c] & (first ? XC_C_NAME_START : XC_C_NAME)))
            return NWF(p, "invalid name character");
    } else {
        xc_utf8_status st = xc_utf8_byte(&p->u8, c);
        if (st == XC_UTF8_BAD)
            return NWF(p, "invalid UTF-8 in name");
        if (st == XC_UTF8_MORE)
            return XC_XML_NEED_MORE;
        if (!(first ? xc_is_name_start_cp(p->u8.cp) : xc_is_name_cp(p->u8.cp)))
            return NWF(p, "invalid name character");
    }
    p->name_prev_colon = 0;
    p->name_chars++;
    return XC_XML_NEED_MORE;
}

static xc_xml_event name_end(xc_xml_parser *p)
{
    if (p->name_chars == 0 || p->name_prev_colon)
        return NWF(p, "malformed qualified name");
    return XC_XML_NEED_MORE;
}

/* ---- tree building ------------------------------------------------------------------ */

/* Pool links are checked where they are followed: a node index read from the pool must name
 * a node already built. The check keeps the proof local (no invariant quantified over the
 * whole pool); it cannot fail while the parser's own writes are correct. */
static int node_ok(const xc_xml_parser *p, uint32_t i)
{
    return i < p->tree.nodes_used;
}

static uint32_t node_new(xc_xml_parser *p, xc_xml_kind kind)
{
    xc_xml_tree *t = &p->tree;
    xc_xml_node *n;
    uint32_t i;

    if (t->nodes_used >= t->nodes_cap)
        return XC_XML_NONE;
    i = t->nodes_used;
    t->nodes_used++;
    n = &t->nodes[i];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->parent = XC_XML_NONE;
    n->next = XC_XML_NONE;
    n->first_child = XC_XML_NONE;
    n->last_child = XC_XML_NONE;
    n->attr_first = t->attrs_used;
    n->decl_first = t->attrs_used;
    return i;
}

/* Links node i as the last child of p->cur (or as a root when outside the stream). */
static xc_xml_event append_child(xc_xml_parser *p, uint32_t i)
{
    xc_xml_node *nodes = p->tree.nodes;
    uint32_t parent = p->cur;
    uint32_t last;

    if (parent == XC_XML_NONE)
        return XC_XML_NEED_MORE;
    if (!node_ok(p, parent) || !node_ok(p, i))
        return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
    nodes[i].parent = parent;
    last = nodes[parent].last_child;
    if (last == XC_XML_NONE) {
        nodes[parent].first_child = i;
    } else {
        if (!node_ok(p, last))
            return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
        nodes[last].next = i;
    }
    nodes[parent].last_child = i;
    return XC_XML_NEED_MORE;
}

/* Character data collected since the last tag becomes one text node (depth >= 2 only). */
static xc_xml_event flush_text(xc_xml_parser *p)
{
    xc_str text;
    uint32_t i;

    if (p->depth < 2 || p->arena.top == p->tok_start)
        return XC_XML_NEED_MORE;
    text = tok_take(p);
    i = node_new(p, XC_XML_TEXT_NODE);
    if (i == XC_XML_NONE)
        return POLICY(p, "node pool exhausted");
    p->tree.nodes[i].text = text;
    return append_child(p, i);
}

static void content_begin(xc_xml_parser *p)
{
    p->state = XS_CONTENT;
    p->brackets = 0;
    p->cr = 0;
    tok_begin(p);
}

/* The element name is complete: make the node and apply the nesting caps. */
static xc_xml_event element_open(xc_xml_parser *p)
{
    xc_xml_event ev = name_end(p);
    xc_str qname;
    uint32_t i;

    if (ev != XC_XML_NEED_MORE)
        return ev;
    if (p->depth >= 1) {
        /* depth 1 is the stream; a first-level element is at nesting 1 */
        if (p->depth > p->lim.max_depth)
            return POLICY(p, "element nesting too deep");
        if (p->elements >= p->lim.max_elements)
            return POLICY(p, "too many elements in one stanza");
        p->elements++;
    }
    qname = tok_take(p);
    i = node_new(p, XC_XML_ELEMENT_NODE);
    if (i == XC_XML_NONE)
        return POLICY(p, "node pool exhausted");
    p->tree.nodes[i].name = qname; /* split into prefix and local name by xc_xml_resolve */
    ev = append_child(p, i);
    if (ev != XC_XML_NEED_MORE)
        return ev;
    p->cur = i;
    p->depth++;
    return XC_XML_NEED_MORE;
}

/* The attribute value is complete: the raw attribute joins the element's contiguous range. */
static xc_xml_event attr_value_done(xc_xml_parser *p)
{
    xc_xml_tree *t = &p->tree;
    xc_xml_attr *a;

    if (!node_ok(p, p->cur))
        return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
    if (t->attrs_used >= t->attrs_cap)
        return POLICY(p, "attribute pool exhausted");
    a = &t->attrs[t->attrs_used];
    t->attrs_used++;
    a->ns.ptr = NULL;
    a->ns.len = 0;
    a->name = p->attr_qname; /* resolved by xc_xml_resolve */
    a->value = tok_take(p);
    t->nodes[p->cur].n_attrs++;
    p->state = XS_STAG_AFTER_ATTR;
    return XC_XML_NEED_MORE;
}

/* An element ends: its tree is complete. Depth 2 -> 1 is a stanza; 1 -> 0 the stream. */
static xc_xml_event element_close(xc_xml_parser *p)
{
    uint32_t n = p->cur;
    uint32_t parent;

    if (!node_ok(p, n) || p->depth == 0)
        return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
    parent = p->tree.nodes[n].parent;
    if (parent != XC_XML_NONE && !node_ok(p, parent))
        return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
    p->depth--;
    p->cur = parent;
    if (p->depth == 0) {
        p->state = XS_AFTER_CLOSE;
        return XC_XML_EV_STREAM_CLOSE;
    }
    if (p->depth == 1) {
        p->done = n;
        p->rewind_pending = 1;
        p->elements = 0;
        p->stanza_bytes = 0;
        p->state = XS_CONTENT;
        return XC_XML_EV_ELEMENT;
    }
    content_begin(p);
    return XC_XML_NEED_MORE;
}

static xc_xml_event start_tag_done(xc_xml_parser *p, int empty)
{
    xc_stream_error e;
    const char *why = NULL;

    e = xc_xml_resolve(p, &why);
    if (e != XC_SE_NONE)
        return xc_xml_fail(p, e, why);
    if (p->depth == 1) {
        e = xc_xml_check_header(p, &why);
        if (e != XC_SE_NONE)
            return xc_xml_fail(p, e, why);
        p->header = p->cur;
        xc_arena_set_mark(&p->arena);
        p->tree.nodes_mark = p->tree.nodes_used;
        p->tree.attrs_mark = p->tree.attrs_used;
        p->stanza_bytes = 0;
        p->state = XS_CONTENT;
        p->pending_close = (uint8_t)(empty != 0);
        return XC_XML_EV_STREAM_OPEN;
    }
    if (p->depth == 2) {
        e = xc_xml_check_first_level(p, &why);
        if (e != XC_SE_NONE)
            return xc_xml_fail(p, e, why);
    }
    if (empty)
        return element_close(p);
    content_begin(p);
    return XC_XML_NEED_MORE;
}

/* The end tag's name is complete: it must repeat the start tag's qualified name. */
static xc_xml_event end_tag_done(xc_xml_parser *p)
{
    xc_str got = tok_take(p);
    const xc_xml_node *n;
    uint32_t plen;
    int match;

    if (!node_ok(p, p->cur))
        return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
    n = &p->tree.nodes[p->cur];
    plen = n->prefix.len;
    if (plen > 0)
        match = got.len == plen + 1u + n->name.len && memcmp(got.ptr, n->prefix.ptr, plen) == 0 &&
                got.ptr[plen] == ':' && memcmp(got.ptr + plen + 1, n->name.ptr, n->name.len) == 0;
    else
        match = got.len == n->name.len && memcmp(got.ptr, n->name.ptr, n->name.len) == 0;
    p->arena.top = p->tok_start; /* the end tag's name is not kept */
    if (!match)
        return NWF(p, "end tag does not match start tag");
    return element_close(p);
}

/* ---- character data ----------------------------------------------------------------- */

/* One byte of character data inside an element or a CDATA section (depth >= 2). */
static xc_xml_event text_byte(xc_xml_parser *p, uint8_t c)
{
    xc_xml_event ev;

    if (c >= 0x80u || p->u8.need > 0) {
        xc_utf8_status st = xc_utf8_byte(&p->u8, c);
        p->brackets = 0;
        p->cr = 0;
        if (st == XC_UTF8_BAD)
            return NWF(p, "invalid UTF-8");
        if (st == XC_UTF8_DONE && !xc_is_xml_char(p->u8.cp))
            return NWF(p, "character outside XML's Char production");
        return tok_push(p, c);
    }
    if (xc_char_class[c] & XC_C_CTRL)
        return NWF(p, "control character");
    if (c == '\r') {
        /* XML 1.0 §2.11: CR LF and lone CR both become LF */
        p->cr = 1;
        p->brackets = 0;
        return tok_push(p, '\n');
    }
    if (c == '\n' && p->cr) {
        p->cr = 0;
        return XC_XML_NEED_MORE;
    }
    p->cr = 0;
    if (c == ']') {
        if (p->brackets < 2)
            p->brackets++;
        return tok_push(p, c);
    }
    if (c == '>' && p->brackets >= 2) {
        if (p->in_cdata) {
            /* "]]>" closes the section; the two brackets were not data */
            p->arena.top -= 2;
            p->in_cdata = 0;
            p->brackets = 0;
            p->state = XS_CONTENT;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "']]>' in character data");
    }
    p->brackets = 0;
    ev = tok_push(p, c);
    return ev;
}

/* One byte of an attribute value (XML 1.0 §3.3.3 normalisation for CDATA attributes). */
static xc_xml_event attr_byte(xc_xml_parser *p, uint8_t c)
{
    if (c >= 0x80u || p->u8.need > 0) {
        xc_utf8_status st = xc_utf8_byte(&p->u8, c);
        p->cr = 0;
        if (st == XC_UTF8_BAD)
            return NWF(p, "invalid UTF-8 in attribute value");
        if (st == XC_UTF8_DONE) {
            if (!xc_is_xml_char(p->u8.cp))
                return NWF(p, "character outside XML's Char production");
            if (p->u8.cp <= 0x9Fu)
                return xc_xml_fail(p, XC_SE_BAD_FORMAT, "control character in attribute value");
        }
        return tok_push(p, c);
    }
    if (c == p->quote) {
        p->cr = 0;
        return attr_value_done(p);
    }
    if (c == '\n' && p->cr) {
        p->cr = 0;
        return XC_XML_NEED_MORE;
    }
    p->cr = (uint8_t)(c == '\r');
    if (c == '\r' || c == '\n' || c == '\t')
        return tok_push(p, ' ');
    if (xc_char_class[c] & XC_C_CTRL)
        return NWF(p, "control character");
    if (c == 0x7Fu)
        return xc_xml_fail(p, XC_SE_BAD_FORMAT, "control character in attribute value");
    if (c == '<')
        return NWF(p, "'<' in attribute value");
    if (c == '&') {
        p->ref_return = XS_ATTR_VALUE;
        p->state = XS_REF;
        return XC_XML_NEED_MORE;
    }
    return tok_push(p, c);
}

/* ---- references --------------------------------------------------------------------- */

static xc_xml_event ref_done(xc_xml_parser *p, uint32_t cp)
{
    if (p->ref_return == XS_ATTR_VALUE && cp >= 0x7Fu && cp <= 0x9Fu)
        return xc_xml_fail(p, XC_SE_BAD_FORMAT, "control character in attribute value");
    p->state = p->ref_return;
    p->brackets = 0;
    p->cr = 0;
    return tok_push_cp(p, cp);
}

static xc_xml_event entity_done(xc_xml_parser *p)
{
    /* RFC 3920 §11.1: only the five predefined entities exist in XMPP */
    static const struct { char name[5]; uint8_t len; uint8_t ch; } predefined[5] = {
        { "lt", 2, '<' }, { "gt", 2, '>' }, { "amp", 3, '&' }, { "quot", 4, '"' }, { "apos", 4, '\'' },
    };
    unsigned i;

    /*@ loop invariant 0 <= i <= 5;
        loop assigns i;
        loop variant 5 - i;
    */
    for (i = 0; i < 5u; i++) {
        if (predefined[i].len == p->ref_len && memcmp(predefined[i].name, p->ent, p->ref_len) == 0)
            return ref_done(p, predefined[i].ch);
    }
    return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "entity reference other than the predefined five");
}

static xc_xml_event charref_byte(xc_xml_parser *p, uint8_t c)
{
    uint32_t digit;
    uint32_t base = (p->state == XS_CHARREF_HEX) ? 16u : 10u;

    if (c == ';') {
        if (p->ref_len == 0)
            return NWF(p, "empty character reference");
        if (!xc_is_xml_char(p->charref))
            return NWF(p, "character reference outside XML's Char production");
        return ref_done(p, p->charref);
    }
    if (c >= '0' && c <= '9')
        digit = (uint32_t)(c - '0');
    else if (base == 16u && c >= 'a' && c <= 'f')
        digit = (uint32_t)(c - 'a') + 10u;
    else if (base == 16u && c >= 'A' && c <= 'F')
        digit = (uint32_t)(c - 'A') + 10u;
    else
        return NWF(p, "malformed character reference");
    /* charref <= 0x10FFFF before this step, so the product stays far below 2^32 */
    p->charref = p->charref * base + digit;
    if (p->charref > 0x10FFFFu)
        return NWF(p, "character reference out of range");
    if (p->ref_len < XC_XML_ENT_MAX)
        p->ref_len++;
    return XC_XML_NEED_MORE;
}

/* ---- markup after '<' --------------------------------------------------------------- */

static void keyword_begin(xc_xml_parser *p, const char *kw, xc_stream_error on_match)
{
    p->keyword = kw;
    p->keyword_pos = 0;
    p->keyword_error = on_match;
    p->state = XS_KEYWORD;
}

static xc_xml_event lt_byte(xc_xml_parser *p, uint8_t c)
{
    xc_xml_event ev;

    if (c == '/') {
        if (p->depth == 0)
            return NWF(p, "end tag before the stream header");
        ev = flush_text(p);
        if (ev != XC_XML_NEED_MORE)
            return ev;
        name_begin(p);
        p->state = XS_ETAG_NAME;
        return XC_XML_NEED_MORE;
    }
    if (c == '!') {
        p->state = XS_BANG;
        return XC_XML_NEED_MORE;
    }
    if (c == '?')
        return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "processing instruction");
    if (c >= 0x80u || (xc_char_class[c] & XC_C_NAME_START)) {
        ev = flush_text(p);
        if (ev != XC_XML_NEED_MORE)
            return ev;
        name_begin(p);
        p->state = XS_STAG_NAME;
        return name_byte(p, c);
    }
    return NWF(p, "invalid character after '<'");
}

static xc_xml_event bang_byte(xc_xml_parser *p, uint8_t c)
{
    if (c == '-') {
        keyword_begin(p, "-", XC_SE_RESTRICTED_XML); /* "<!--": a comment */
        return XC_XML_NEED_MORE;
    }
    if (c == 'D') {
        keyword_begin(p, "OCTYPE", XC_SE_RESTRICTED_XML);
        return XC_XML_NEED_MORE;
    }
    if (c == '[') {
        keyword_begin(p, "CDATA[", XC_SE_NONE);
        return XC_XML_NEED_MORE;
    }
    return NWF(p, "invalid markup declaration");
}

static xc_xml_event keyword_byte(xc_xml_parser *p, uint8_t c)
{
    if ((uint8_t)p->keyword[p->keyword_pos] != c)
        return NWF(p, "invalid markup declaration");
    p->keyword_pos++;
    if (p->keyword[p->keyword_pos] != '\0')
        return XC_XML_NEED_MORE;
    if (p->keyword_error == XC_SE_RESTRICTED_XML)
        return xc_xml_fail(p, XC_SE_RESTRICTED_XML,
                           p->keyword[0] == '-' ? "comment" : "document type declaration");
    /* "<![CDATA[": character data continues in the current text token */
    if (p->depth == 0)
        return NWF(p, "CDATA section outside the stream");
    if (p->depth == 1)
        return xc_xml_fail(p, XC_SE_BAD_FORMAT, "character data between stanzas");
    p->in_cdata = 1;
    p->brackets = 0;
    p->state = XS_CDATA;
    return XC_XML_NEED_MORE;
}

/* ---- one byte ----------------------------------------------------------------------- */

static int is_ws(uint8_t c)
{
    return (xc_char_class[c] & XC_C_WS) != 0;
}

static xc_xml_event count_byte(xc_xml_parser *p, uint8_t c)
{
    if (p->state == XS_AFTER_CLOSE)
        return XC_XML_NEED_MORE;
    if (p->header == XC_XML_NONE) {
        if (p->header_bytes >= p->lim.max_header_bytes)
            return POLICY(p, "stream header too long");
        p->header_bytes++;
        return XC_XML_NEED_MORE;
    }
    /* whitespace between stanzas costs nothing and is not counted (RFC 6120 §4.6.1) */
    if (p->depth == 1 && p->state == XS_CONTENT && is_ws(c))
        return XC_XML_NEED_MORE;
    if (p->stanza_bytes >= p->lim.max_stanza_bytes)
        return POLICY(p, "stanza too large");
    p->stanza_bytes++;
    return XC_XML_NEED_MORE;
}

static xc_xml_event step(xc_xml_parser *p, uint8_t c)
{
    xc_xml_event ev = count_byte(p, c);

    if (ev != XC_XML_NEED_MORE)
        return ev;
    switch (p->state) {
    case XS_START:
        if (c == 0xEFu && !p->bom_seen) {
            p->state = XS_BOM2;
            return XC_XML_NEED_MORE;
        }
        if (c == 0xFEu || c == 0xFFu || c == 0x00u)
            return xc_xml_fail(p, XC_SE_UNSUPPORTED_ENCODING, "UTF-16 or UTF-32 input");
        if (c == '<') {
            p->state = XS_START_LT;
            return XC_XML_NEED_MORE;
        }
        if (is_ws(c)) {
            p->state = XS_PROLOG;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "content before the stream header");
    case XS_BOM2:
        if (c != 0xBBu)
            return NWF(p, "invalid UTF-8");
        p->state = XS_BOM3;
        return XC_XML_NEED_MORE;
    case XS_BOM3:
        if (c != 0xBFu)
            return NWF(p, "invalid UTF-8");
        p->bom_seen = 1;
        p->state = XS_START;
        return XC_XML_NEED_MORE;
    case XS_START_LT:
        if (c == '?') {
            p->decl_len = 0;
            p->state = XS_DECL;
            return XC_XML_NEED_MORE;
        }
        if (c == 0x00u)
            return xc_xml_fail(p, XC_SE_UNSUPPORTED_ENCODING, "UTF-16 input");
        return lt_byte(p, c);
    case XS_DECL:
        return xc_xml_decl_byte(p, c);
    case XS_PROLOG:
        if (is_ws(c))
            return XC_XML_NEED_MORE;
        if (c == '<') {
            p->state = XS_LT;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "content before the stream header");
    case XS_LT:
        return lt_byte(p, c);
    case XS_BANG:
        return bang_byte(p, c);
    case XS_KEYWORD:
        return keyword_byte(p, c);
    case XS_STAG_NAME:
        if (c >= 0x80u || p->u8.need > 0 || (xc_char_class[c] & XC_C_NAME) || c == ':')
            return name_byte(p, c);
        ev = element_open(p);
        if (ev != XC_XML_NEED_MORE)
            return ev;
        if (is_ws(c)) {
            p->state = XS_STAG_SPACE;
            return XC_XML_NEED_MORE;
        }
        if (c == '>')
            return start_tag_done(p, 0);
        if (c == '/') {
            p->state = XS_EMPTY_SLASH;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "invalid character in start tag");
    case XS_STAG_SPACE:
        if (is_ws(c))
            return XC_XML_NEED_MORE;
        if (c == '>')
            return start_tag_done(p, 0);
        if (c == '/') {
            p->state = XS_EMPTY_SLASH;
            return XC_XML_NEED_MORE;
        }
        if (c >= 0x80u || (xc_char_class[c] & XC_C_NAME_START)) {
            if (!node_ok(p, p->cur))
                return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "broken tree link");
            if (p->tree.nodes[p->cur].n_attrs >= (uint32_t)p->lim.max_attrs + p->lim.max_ns_decls)
                return POLICY(p, "too many attributes");
            name_begin(p);
            p->state = XS_ATTR_NAME;
            return name_byte(p, c);
        }
        return NWF(p, "invalid character in start tag");
    case XS_ATTR_NAME:
        if (c >= 0x80u || p->u8.need > 0 || (xc_char_class[c] & XC_C_NAME) || c == ':')
            return name_byte(p, c);
        ev = name_end(p);
        if (ev != XC_XML_NEED_MORE)
            return ev;
        p->attr_qname = tok_take(p);
        if (c == '=') {
            p->state = XS_ATTR_QUOTE;
            return XC_XML_NEED_MORE;
        }
        if (is_ws(c)) {
            p->state = XS_ATTR_EQ;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "attribute without value");
    case XS_ATTR_EQ:
        if (is_ws(c))
            return XC_XML_NEED_MORE;
        if (c == '=') {
            p->state = XS_ATTR_QUOTE;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "attribute without value");
    case XS_ATTR_QUOTE:
        if (is_ws(c))
            return XC_XML_NEED_MORE;
        if (c == '\'' || c == '"') {
            p->quote = c;
            p->cr = 0;
            tok_begin(p);
            p->state = XS_ATTR_VALUE;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "attribute value not quoted");
    case XS_ATTR_VALUE:
        return attr_byte(p, c);
    case XS_STAG_AFTER_ATTR:
        if (is_ws(c)) {
            p->state = XS_STAG_SPACE;
            return XC_XML_NEED_MORE;
        }
        if (c == '>')
            return start_tag_done(p, 0);
        if (c == '/') {
            p->state = XS_EMPTY_SLASH;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "missing space between attributes");
    case XS_EMPTY_SLASH:
        if (c == '>')
            return start_tag_done(p, 1);
        return NWF(p, "'/' not followed by '>'");
    case XS_CONTENT:
        if (p->u8.need > 0)
            return text_byte(p, c); /* a multi-byte character is never cut by markup */
        if (c == '<') {
            p->state = XS_LT;
            return XC_XML_NEED_MORE;
        }
        if (p->depth == 1) {
            if (is_ws(c))
                return XC_XML_NEED_MORE;
            return xc_xml_fail(p, XC_SE_BAD_FORMAT, "character data between stanzas");
        }
        if (c == '&') {
            p->ref_return = XS_CONTENT;
            p->state = XS_REF;
            return XC_XML_NEED_MORE;
        }
        return text_byte(p, c);
    case XS_CDATA:
        return text_byte(p, c);
    case XS_ETAG_NAME:
        if (c >= 0x80u || p->u8.need > 0 || (xc_char_class[c] & XC_C_NAME) || c == ':')
            return name_byte(p, c);
        ev = name_end(p);
        if (ev != XC_XML_NEED_MORE)
            return ev;
        if (c == '>')
            return end_tag_done(p);
        if (is_ws(c)) {
            p->state = XS_ETAG_SPACE;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "invalid character in end tag");
    case XS_ETAG_SPACE:
        if (is_ws(c))
            return XC_XML_NEED_MORE;
        if (c == '>')
            return end_tag_done(p);
        return NWF(p, "invalid character in end tag");
    case XS_REF:
        p->ref_len = 0;
        p->charref = 0;
        if (c == '#') {
            p->state = XS_CHARREF;
            return XC_XML_NEED_MORE;
        }
        if (c < 0x80u && (xc_char_class[c] & XC_C_NAME_START) && c != ':') {
            p->ent[0] = c;
            p->ref_len = 1;
            p->state = XS_ENTREF;
            return XC_XML_NEED_MORE;
        }
        if (c >= 0x80u)
            return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "entity reference other than the predefined five");
        return NWF(p, "'&' not starting a reference");
    case XS_CHARREF:
        if (c == 'x') {
            p->state = XS_CHARREF_HEX;
            return XC_XML_NEED_MORE;
        }
        p->state = XS_CHARREF_DEC;
        return charref_byte(p, c);
    case XS_CHARREF_DEC:
    case XS_CHARREF_HEX:
        return charref_byte(p, c);
    case XS_ENTREF:
        if (c == ';')
            return entity_done(p);
        if (c >= 0x80u || ((xc_char_class[c] & XC_C_NAME) && c != ':')) {
            if (c >= 0x80u || p->ref_len >= 4u)
                return xc_xml_fail(p, XC_SE_RESTRICTED_XML,
                                   "entity reference other than the predefined five");
            p->ent[p->ref_len] = c;
            p->ref_len++;
            return XC_XML_NEED_MORE;
        }
        return NWF(p, "malformed entity reference");
    case XS_AFTER_CLOSE:
        if (is_ws(c))
            return XC_XML_NEED_MORE;
        return NWF(p, "content after the end of the stream");
    case XS_ERROR:
    default:
        break;
    }
    return xc_xml_fail(p, p->error != XC_SE_NONE ? p->error : XC_SE_INTERNAL_SERVER_ERROR,
                       p->error_reason != NULL ? p->error_reason : "parser in no state");
}

/* ---- public API ----------------------------------------------------------------------- */

void xc_xml_memory_need(const xc_xml_limits *limits, xc_xml_memory *need)
{
    /* Elements are capped; a text node sits only between two tags, so text nodes are at most
     * two per element; the header and its declarations come on top. Attributes: the per-element
     * cap (declarations are stored twice during resolution), bounded by what the bytes allow. */
    uint32_t per_elem = 2u * ((uint32_t)limits->max_attrs + limits->max_ns_decls);
    uint32_t by_bytes = limits->max_stanza_bytes / 2u + 2u * per_elem;
    uint64_t by_count = (uint64_t)per_elem * (limits->max_elements + 1u);

    need->nodes_n = 3u * limits->max_elements + 4u;
    need->attrs_n = by_count < by_bytes ? (uint32_t)by_count : by_bytes;
    need->bytes_n = limits->max_arena_bytes;
}

void xc_xml_init(xc_xml_parser *p, xc_xml_content_ns content_ns, const xc_xml_limits *limits,
                 const xc_xml_memory *mem)
{
    memset(p, 0, sizeof(*p));
    p->content_ns = content_ns;
    p->lim = *limits;
    xc_arena_init(&p->arena, mem->bytes, mem->bytes_n);
    p->tree.nodes = mem->nodes;
    p->tree.nodes_cap = mem->nodes_n;
    p->tree.attrs = mem->attrs;
    p->tree.attrs_cap = mem->attrs_n;
    xc_xml_set_limits(p, limits);
    xc_xml_reset(p);
}

void xc_xml_reset(xc_xml_parser *p)
{
    xc_arena arena = p->arena;
    xc_xml_tree tree = p->tree;
    xc_xml_limits lim = p->lim;
    xc_xml_content_ns ns = p->content_ns;

    memset(p, 0, sizeof(*p));
    p->arena = arena;
    p->arena.top = 0;
    p->arena.mark = 0;
    p->tree = tree;
    p->tree.nodes_used = 0;
    p->tree.nodes_mark = 0;
    p->tree.attrs_used = 0;
    p->tree.attrs_mark = 0;
    p->lim = lim;
    p->content_ns = ns;
    p->state = XS_START;
    p->error = XC_SE_NONE;
    p->header = XC_XML_NONE;
    p->cur = XC_XML_NONE;
    p->done = XC_XML_NONE;
}

void xc_xml_set_limits(xc_xml_parser *p, const xc_xml_limits *limits)
{
    size_t cap = limits->max_arena_bytes;

    p->lim = *limits;
    if (cap > p->arena.size)
        cap = p->arena.size;
    if (cap < p->arena.top)
        cap = p->arena.top;
    p->arena.cap = cap;
}

/* Length of the run of bytes at buf[0 .. n-1] whose class has `flag`. */
static size_t plain_run(const uint8_t *buf, size_t n, uint8_t flag)
{
    size_t i = 0;
    while (i < n && (xc_char_class[buf[i]] & flag))
        i++;
    return i;
}

xc_xml_event xc_xml_feed(xc_xml_parser *p, const uint8_t *buf, size_t len, size_t *consumed)
{
    size_t i = 0;
    xc_xml_event ev = XC_XML_NEED_MORE;

    *consumed = 0;
    if (p->state == XS_ERROR)
        return XC_XML_EV_ERROR;
    if (p->rewind_pending) {
        xc_arena_rewind(&p->arena);
        p->tree.nodes_used = p->tree.nodes_mark;
        p->tree.attrs_used = p->tree.attrs_mark;
        p->done = XC_XML_NONE;
        p->rewind_pending = 0;
    }
    if (p->pending_close) {
        p->pending_close = 0;
        p->depth = 0;
        p->cur = XC_XML_NONE;
        p->state = XS_AFTER_CLOSE;
        return XC_XML_EV_STREAM_CLOSE;
    }
    while (i < len && ev == XC_XML_NEED_MORE) {
        /* Fast paths: a run of plain bytes does exactly what step() would do to each. */
        if (p->u8.need == 0 && !p->cr && p->depth >= 2 &&
            (p->state == XS_CONTENT || p->state == XS_ATTR_VALUE)) {
            uint8_t flag = p->state == XS_CONTENT ? XC_C_TEXT : XC_C_ATTR;
            size_t budget = p->lim.max_stanza_bytes - p->stanza_bytes;
            size_t run = plain_run(buf + i, (len - i < budget) ? len - i : budget, flag);
            if (run > 0) {
                ev = tok_push_run(p, buf + i, run);
                if (ev != XC_XML_NEED_MORE)
                    break;
                p->stanza_bytes += (uint32_t)run;
                p->brackets = 0;
                p->cr = 0;
                i += run;
                continue;
            }
        }
        ev = step(p, buf[i]);
        i++;
    }
    *consumed = i;
    return ev;
}

xc_stream_error xc_xml_error(const xc_xml_parser *p)
{
    return p->error;
}

const xc_xml_tree *xc_xml_tree_of(const xc_xml_parser *p)
{
    return &p->tree;
}

const xc_xml_node *xc_xml_header(const xc_xml_parser *p)
{
    if (p->header >= p->tree.nodes_used)
        return NULL;
    return &p->tree.nodes[p->header];
}

const xc_xml_node *xc_xml_element(const xc_xml_parser *p)
{
    if (p->done >= p->tree.nodes_used)
        return NULL;
    return &p->tree.nodes[p->done];
}
