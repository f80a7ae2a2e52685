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
#include "xc_str.h"

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

/* The char holding byte c: exact arithmetic, never an out-of-range conversion. */
/*@ assigns \nothing;
    ensures -128 <= \result <= 127;
*/
static char byte_to_char(uint8_t c)
{
    return (char)(c < 128u ? (int)c : (int)c - 256);
}

/*@ requires xc_xml_parser_ok(p);
    assigns p->tok_start;
    ensures xc_xml_parser_ok(p) && p->tok_start == p->arena.top;
*/
static void tok_begin(xc_xml_parser *p)
{
    p->tok_start = p->arena.top;
}

/*@ requires xc_xml_parser_ok(p);
    assigns p->arena.top, p->arena.base[p->arena.top], p->error, p->error_reason, p->state;
    ensures xc_xml_parser_ok(p);
    ensures \result == XC_XML_NEED_MORE || \result == XC_XML_EV_ERROR;
*/
static xc_xml_event tok_push(xc_xml_parser *p, uint8_t c)
{
    if (p->arena.top >= p->arena.cap)
        return POLICY(p, "arena budget exhausted");
    p->arena.base[p->arena.top] = byte_to_char(c);
    p->arena.top++;
    return XC_XML_NEED_MORE;
}

/*@ requires xc_xml_parser_ok(p);
    requires n <= 0x7fffffff;
    requires n == 0 || \valid_read(src + (0 .. n - 1));
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1], p->error, p->error_reason, p->state;
    ensures xc_xml_parser_ok(p);
    ensures \result == XC_XML_NEED_MORE || \result == XC_XML_EV_ERROR;
*/
static xc_xml_event tok_push_run(xc_xml_parser *p, const uint8_t *src, size_t n)
{
    size_t i;
    char *dst;

    if (n > p->arena.cap - p->arena.top)
        return POLICY(p, "arena budget exhausted");
    dst = p->arena.base + p->arena.top;
    /*@ loop invariant 0 <= i <= n;
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0; i < n; i++)
        dst[i] = byte_to_char(src[i]);
    p->arena.top += n;
    return XC_XML_NEED_MORE;
}

/* Appends a code point as UTF-8 (character references). Arithmetic, not bit operations, so
 * that every byte value is visibly below 256. */
/*@ requires xc_xml_parser_ok(p) && cp <= 0x10FFFF;
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1], p->error, p->error_reason, p->state;
    ensures xc_xml_parser_ok(p);
    ensures \result == XC_XML_NEED_MORE || \result == XC_XML_EV_ERROR;
*/
static xc_xml_event tok_push_cp(xc_xml_parser *p, uint32_t cp)
{
    uint8_t b[4];
    size_t n;

    if (cp < 0x80u) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800u) {
        b[0] = (uint8_t)(0xC0u + cp / 64u);
        b[1] = (uint8_t)(0x80u + cp % 64u);
        n = 2;
    } else if (cp < 0x10000u) {
        b[0] = (uint8_t)(0xE0u + cp / 4096u);
        b[1] = (uint8_t)(0x80u + (cp / 64u) % 64u);
        b[2] = (uint8_t)(0x80u + cp % 64u);
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0u + cp / 262144u);
        b[1] = (uint8_t)(0x80u + (cp / 4096u) % 64u);
        b[2] = (uint8_t)(0x80u + (cp / 64u) % 64u);
        b[3] = (uint8_t)(0x80u + cp % 64u);
        n = 4;
    }
    return tok_push_run(p, b, n);
}

/*@ requires xc_xml_parser_ok((xc_xml_parser *)p);
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str tok_take(const xc_xml_parser *p)
{
    xc_str s;
    s.ptr = p->arena.base + p->tok_start;
    s.len = (uint32_t)(p->arena.top - p->tok_start);
    return s;
}

/* ---- names -------------------------------------------------------------------------- */

/*@ requires xc_xml_parser_ok(p);
    assigns p->tok_start, p->name_chars, p->name_colons, p->name_prev_colon;
    ensures xc_xml_parser_ok(p);
*/
static void name_begin(xc_xml_parser *p)
{
    tok_begin(p);
    p->name_chars = 0;
    p->name_colons = 0;
    p->name_prev_colon = 0;
}

/* One byte of a QName (Namespaces in XML 1.0 [7]): NCName (':' NCName)?, checked as it
 * arrives so that a name is never longer than max_name_bytes in memory. */
/*@ requires xc_xml_parser_ok(p);
    assigns p->arena.top, p->arena.base[p->arena.top], p->error, p->error_reason, p->state, p->u8.cp,
            p->u8.min, p->u8.need, p->name_chars, p->name_colons, p->name_prev_colon;
    ensures xc_xml_parser_ok(p);
*/
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
            p->name_chars = 1;
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
    p->name_chars = 1;
    return XC_XML_NEED_MORE;
}

/*@ requires \valid(p);
    assigns p->error, p->error_reason, p->state;
*/
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
/*@ requires \valid_read(p);
    assigns \nothing;
    ensures \result != 0 <==> i < p->tree.nodes_used;
*/
static int node_ok(const xc_xml_parser *p, uint32_t i)
{
    return i < p->tree.nodes_used;
}

/* A fresh node at the end of the pool, every field set (no memset: the prover follows fields). */
/*@ requires xc_xml_parser_ok(p);
    assigns p->tree.nodes_used, p->tree.nodes[p->tree.nodes_used];
    ensures xc_xml_parser_ok(p);
    ensures \result == XC_XML_NONE || \result < p->tree.nodes_used;
*/
static uint32_t node_new(xc_xml_parser *p, xc_xml_kind kind)
{
    xc_xml_tree *t = &p->tree;
    xc_xml_node *n;
    uint32_t i;

    if (t->nodes_used >= t->nodes_cap)
        return XC_XML_NONE;
    i = t->nodes_used;
    n = &t->nodes[i];
    n->ns.ptr = NULL;
    n->ns.len = 0;
    n->prefix.ptr = NULL;
    n->prefix.len = 0;
    n->name.ptr = NULL;
    n->name.len = 0;
    n->default_ns.ptr = NULL;
    n->default_ns.len = 0;
    n->text.ptr = NULL;
    n->text.len = 0;
    n->n_attrs = 0;
    n->n_decls = 0;
    t->nodes_used++;
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
/*@ requires xc_xml_parser_ok(p);
    assigns p->tree.nodes[0 .. p->tree.nodes_cap - 1].parent, p->tree.nodes[0 .. p->tree.nodes_cap - 1].next,
            p->tree.nodes[0 .. p->tree.nodes_cap - 1].first_child,
            p->tree.nodes[0 .. p->tree.nodes_cap - 1].last_child, p->error, p->error_reason, p->state;
    ensures xc_xml_parser_ok(p);
*/
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
/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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

/*@ requires xc_xml_parser_ok(p);
    assigns p->state, p->brackets, p->cr, p->tok_start;
    ensures xc_xml_parser_ok(p);
*/
static void content_begin(xc_xml_parser *p)
{
    p->state = XS_CONTENT;
    p->brackets = 0;
    p->cr = 0;
    tok_begin(p);
}

/* The element name is complete: make the node and apply the nesting caps. */
/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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
    p->tag_attrs = 0;
    return XC_XML_NEED_MORE;
}

/* The attribute value is complete: the raw attribute joins the element's contiguous range. */
/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
static xc_xml_event attr_value_done(xc_xml_parser *p)
{
    xc_xml_tree *t = &p->tree;
    xc_xml_attr *a;

    if (t->attrs_used >= t->attrs_cap)
        return POLICY(p, "attribute pool exhausted");
    a = &t->attrs[t->attrs_used];
    t->attrs_used++;
    a->ns.ptr = NULL;
    a->ns.len = 0;
    a->name = p->attr_qname; /* resolved by xc_xml_resolve */
    a->value = tok_take(p);
    p->state = XS_STAG_AFTER_ATTR;
    return XC_XML_NEED_MORE;
}

/* An element ends: its tree is complete. Depth 2 -> 1 is a stanza; 1 -> 0 the stream. */
/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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

/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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
        p->arena.mark = p->arena.top;
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
/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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
    if (plen == 0) {
        match = xc_str_eq(got, n->name);
    } else if (got.len > plen && got.len - plen - 1u == n->name.len) {
        xc_str head = { got.ptr, plen };
        xc_str tail = { got.ptr + plen + 1, n->name.len };
        match = got.ptr[plen] == ':' && xc_str_eq(head, n->prefix) && xc_str_eq(tail, n->name);
    } else {
        match = 0;
    }
    p->arena.top = p->tok_start; /* the end tag's name is not kept */
    if (!match)
        return NWF(p, "end tag does not match start tag");
    return element_close(p);
}

/* ---- character data ----------------------------------------------------------------- */

/* One byte of character data inside an element or a CDATA section (depth >= 2). */
/*@ requires xc_xml_parser_ok(p);
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1], p->error, p->error_reason, p->state,
            p->u8.cp, p->u8.min, p->u8.need, p->brackets, p->cr, p->in_cdata;
    ensures xc_xml_parser_ok(p);
*/
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
        if (p->in_cdata && p->arena.top - p->tok_start >= 2u) {
            /* "]]>" closes the section; the two brackets were not data (they are the last two
               bytes of the token: each ']' was pushed, and brackets counts them) */
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
/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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

/*@ requires xc_xml_parser_ok(p) && cp <= 0x10FFFF;
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1], p->error, p->error_reason, p->state,
            p->brackets, p->cr;
    ensures xc_xml_parser_ok(p);
*/
static xc_xml_event ref_done(xc_xml_parser *p, uint32_t cp)
{
    if (p->ref_return == XS_ATTR_VALUE && cp >= 0x7Fu && cp <= 0x9Fu)
        return xc_xml_fail(p, XC_SE_BAD_FORMAT, "control character in attribute value");
    p->state = p->ref_return;
    p->brackets = 0;
    p->cr = 0;
    return tok_push_cp(p, cp);
}

/*@ requires xc_xml_parser_ok(p);
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1], p->error, p->error_reason, p->state,
            p->brackets, p->cr;
    ensures xc_xml_parser_ok(p);
*/
static xc_xml_event entity_done(xc_xml_parser *p)
{
    /* RFC 3920 §11.1: only the five predefined entities exist in XMPP */
    const uint8_t *e = p->ent;
    uint32_t ch = 0;

    if (p->ref_len == 2 && e[1] == 't' && (e[0] == 'l' || e[0] == 'g'))
        ch = e[0] == 'l' ? '<' : '>';
    else if (p->ref_len == 3 && e[0] == 'a' && e[1] == 'm' && e[2] == 'p')
        ch = '&';
    else if (p->ref_len == 4 && e[0] == 'q' && e[1] == 'u' && e[2] == 'o' && e[3] == 't')
        ch = '"';
    else if (p->ref_len == 4 && e[0] == 'a' && e[1] == 'p' && e[2] == 'o' && e[3] == 's')
        ch = '\'';
    if (ch == 0)
        return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "entity reference other than the predefined five");
    return ref_done(p, ch);
}

/*@ requires xc_xml_parser_ok(p);
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1], p->error, p->error_reason, p->state,
            p->brackets, p->cr, p->charref, p->ref_len;
    ensures xc_xml_parser_ok(p);
*/
static xc_xml_event charref_byte(xc_xml_parser *p, uint8_t c)
{
    uint32_t digit, value;
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
    value = p->charref * base + digit;
    if (value > 0x10FFFFu)
        return NWF(p, "character reference out of range");
    p->charref = value;
    if (p->ref_len < XC_XML_ENT_MAX)
        p->ref_len++;
    return XC_XML_NEED_MORE;
}

/* ---- markup after '<' --------------------------------------------------------------- */

/* The keywords that may follow "<!": what completes "<!--", "<!DOCTYPE" and "<![CDATA[". */
enum { KW_COMMENT = 0, KW_DOCTYPE = 1, KW_CDATA = 2 };
static const char xc_keywords[3][7] = { "-", "OCTYPE", "CDATA[" };

/*@ assigns \nothing;
    ensures 1 <= \result <= 6;
*/
static uint8_t keyword_len(uint8_t k)
{
    return k == KW_COMMENT ? 1u : 6u;
}

/*@ requires xc_xml_parser_ok(p) && k <= KW_CDATA;
    assigns p->keyword, p->keyword_pos, p->state;
    ensures xc_xml_parser_ok(p);
*/
static void keyword_begin(xc_xml_parser *p, uint8_t k)
{
    p->keyword = k;
    p->keyword_pos = 0;
    p->state = XS_KEYWORD;
}

/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
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

/*@ requires xc_xml_parser_ok(p);
    assigns p->keyword, p->keyword_pos, p->state, p->error, p->error_reason;
    ensures xc_xml_parser_ok(p);
*/
static xc_xml_event bang_byte(xc_xml_parser *p, uint8_t c)
{
    if (c == '-') {
        keyword_begin(p, KW_COMMENT);
        return XC_XML_NEED_MORE;
    }
    if (c == 'D') {
        keyword_begin(p, KW_DOCTYPE);
        return XC_XML_NEED_MORE;
    }
    if (c == '[') {
        keyword_begin(p, KW_CDATA);
        return XC_XML_NEED_MORE;
    }
    return NWF(p, "invalid markup declaration");
}

/*@ requires xc_xml_parser_ok(p);
    assigns p->keyword_pos, p->state, p->error, p->error_reason, p->in_cdata, p->brackets;
    ensures xc_xml_parser_ok(p);
*/
static xc_xml_event keyword_byte(xc_xml_parser *p, uint8_t c)
{
    uint8_t k = p->keyword;
    uint8_t len;

    if (k > KW_CDATA)
        return xc_xml_fail(p, XC_SE_INTERNAL_SERVER_ERROR, "parser in no state");
    len = keyword_len(k);
    if (p->keyword_pos >= len || (uint8_t)xc_keywords[k][p->keyword_pos] != c)
        return NWF(p, "invalid markup declaration");
    p->keyword_pos++;
    if (p->keyword_pos < len)
        return XC_XML_NEED_MORE;
    if (k == KW_COMMENT)
        return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "comment");
    if (k == KW_DOCTYPE)
        return xc_xml_fail(p, XC_SE_RESTRICTED_XML, "document type declaration");
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

/*@ assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int is_ws(uint8_t c)
{
    return (xc_char_class[c] & XC_C_WS) != 0 ? 1 : 0;
}

/*@ requires xc_xml_parser_ok(p);
    assigns p->header_bytes, p->stanza_bytes, p->error, p->error_reason, p->state;
    ensures xc_xml_parser_ok(p);
*/
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

/*@ requires xc_xml_parser_ok(p);
    assigns XC_XML_PARSER_MEMORY(p);
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
*/
static xc_xml_event xml_step(xc_xml_parser *p, uint8_t c)
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
            if (p->tag_attrs >= (uint32_t)p->lim.max_attrs + p->lim.max_ns_decls)
                return POLICY(p, "too many attributes");
            p->tag_attrs++;
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

/* Every field of the parser except its memory and limits, to the start of a document. The
 * decl[] and ent[] buffers are not cleared: decl_len and ref_len say that nothing in them is
 * meaningful, and nothing reads them past those lengths. */
/*@ requires \valid(p) && p->arena.cap <= p->arena.size && p->arena.size <= 0x7fffffff;
    requires p->arena.size == 0 || \valid(p->arena.base + (0 .. p->arena.size - 1));
    requires p->tree.nodes_cap < XC_XML_NONE && p->tree.attrs_cap < XC_XML_NONE;
    requires p->tree.nodes_cap == 0 || \valid(p->tree.nodes + (0 .. p->tree.nodes_cap - 1));
    requires p->tree.attrs_cap == 0 || \valid(p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    requires \separated(p, p->arena.base + (0 .. p->arena.size - 1), p->tree.nodes + (0 .. p->tree.nodes_cap - 1),
                        p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    requires xc_xml_limits_ok(p->lim);
    assigns p->state, p->error, p->error_reason, p->header, p->cur, p->done, p->depth,
            p->stanza_bytes, p->header_bytes, p->elements, p->pending_close, p->rewind_pending,
            p->tok_start, p->name_chars, p->name_colons, p->name_prev_colon, p->quote, p->cr,
            p->brackets, p->in_cdata, p->u8.cp, p->u8.min, p->u8.need, p->bom_seen, p->ref_return,
            p->charref, p->ref_len, p->keyword, p->keyword_pos, p->decl_len, p->attr_qname.ptr,
            p->attr_qname.len, p->tag_attrs, p->arena.top, p->arena.mark, p->tree.nodes_used,
            p->tree.nodes_mark, p->tree.attrs_used, p->tree.attrs_mark;
    ensures xc_xml_parser_ok(p);
    ensures p->state == XS_START && p->error == XC_SE_NONE && p->header == XC_XML_NONE;
    ensures p->arena.top == 0 && p->tree.nodes_used == 0 && p->tree.attrs_used == 0;
*/
static void clear_state(xc_xml_parser *p)
{
    p->state = XS_START;
    p->error = XC_SE_NONE;
    p->error_reason = NULL;
    p->header = XC_XML_NONE;
    p->cur = XC_XML_NONE;
    p->done = XC_XML_NONE;
    p->depth = 0;
    p->stanza_bytes = 0;
    p->header_bytes = 0;
    p->elements = 0;
    p->pending_close = 0;
    p->rewind_pending = 0;
    p->tok_start = 0;
    p->name_chars = 0;
    p->name_colons = 0;
    p->name_prev_colon = 0;
    p->quote = 0;
    p->cr = 0;
    p->brackets = 0;
    p->in_cdata = 0;
    p->u8.cp = 0;
    p->u8.min = 0;
    p->u8.need = 0;
    p->bom_seen = 0;
    p->ref_return = XS_START;
    p->charref = 0;
    p->ref_len = 0;
    p->keyword = 0;
    p->keyword_pos = 0;
    p->decl_len = 0;
    p->attr_qname.ptr = NULL;
    p->attr_qname.len = 0;
    p->tag_attrs = 0;
    p->arena.top = 0;
    p->arena.mark = 0;
    p->tree.nodes_used = 0;
    p->tree.nodes_mark = 0;
    p->tree.attrs_used = 0;
    p->tree.attrs_mark = 0;
}

void xc_xml_init(xc_xml_parser *p, xc_xml_content_ns content_ns, const xc_xml_limits *limits,
                 const xc_xml_memory *mem)
{
    p->content_ns = content_ns;
    p->arena.base = mem->bytes;
    p->arena.size = mem->bytes_n;
    p->arena.cap = 0;
    p->tree.nodes = mem->nodes;
    p->tree.nodes_cap = mem->nodes_n;
    p->tree.attrs = mem->attrs;
    p->tree.attrs_cap = mem->attrs_n;
    p->lim.max_stanza_bytes = limits->max_stanza_bytes;
    p->lim.max_header_bytes = limits->max_header_bytes;
    p->lim.max_elements = limits->max_elements;
    p->lim.max_arena_bytes = limits->max_arena_bytes;
    p->lim.max_depth = limits->max_depth;
    p->lim.max_attrs = limits->max_attrs;
    p->lim.max_ns_decls = limits->max_ns_decls;
    p->lim.max_name_bytes = limits->max_name_bytes;
    clear_state(p);
    xc_xml_set_limits(p, limits);
}

void xc_xml_reset(xc_xml_parser *p)
{
    clear_state(p);
}

void xc_xml_set_limits(xc_xml_parser *p, const xc_xml_limits *limits)
{
    size_t cap = limits->max_arena_bytes;

    p->lim.max_stanza_bytes = limits->max_stanza_bytes;
    p->lim.max_header_bytes = limits->max_header_bytes;
    p->lim.max_elements = limits->max_elements;
    p->lim.max_arena_bytes = limits->max_arena_bytes;
    p->lim.max_depth = limits->max_depth;
    p->lim.max_attrs = limits->max_attrs;
    p->lim.max_ns_decls = limits->max_ns_decls;
    p->lim.max_name_bytes = limits->max_name_bytes;
    if (cap > p->arena.size)
        cap = p->arena.size;
    if (cap < p->arena.top)
        cap = p->arena.top;
    p->arena.cap = cap;
    /* counters above the new caps would break nothing, but keep them within them */
    if (p->stanza_bytes > p->lim.max_stanza_bytes)
        p->stanza_bytes = p->lim.max_stanza_bytes;
    if (p->header_bytes > p->lim.max_header_bytes)
        p->header_bytes = p->lim.max_header_bytes;
    if (p->elements > p->lim.max_elements)
        p->elements = p->lim.max_elements;
    p->tag_attrs = 0;
}

/*@ logic integer xc_xml_budget(xc_xml_parser *p) =
      p->header == XC_XML_NONE ? p->lim.max_header_bytes - p->header_bytes
                               : p->lim.max_stanza_bytes - p->stanza_bytes;
*/

/* Bytes the current cap still allows: the header's until the stream is open, then the stanza's. */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p);
    assigns \nothing;
    ensures \result == xc_xml_budget((xc_xml_parser *)p);
*/
static size_t count_budget(const xc_xml_parser *p)
{
    if (p->header == XC_XML_NONE)
        return (size_t)p->lim.max_header_bytes - p->header_bytes;
    return (size_t)p->lim.max_stanza_bytes - p->stanza_bytes;
}

/*@ requires xc_xml_parser_ok(p) && n <= xc_xml_budget(p);
    assigns p->header_bytes, p->stanza_bytes;
    ensures xc_xml_parser_ok(p);
*/
static void count_run(xc_xml_parser *p, size_t n)
{
    if (p->header == XC_XML_NONE)
        p->header_bytes += (uint32_t)n;
    else
        p->stanza_bytes += (uint32_t)n;
}

/* Fast paths: copies to the token the run at b[0 .. n-1] that xml_step() would only append,
 * byte after byte, with no other effect — plain character data, plain attribute-value
 * bytes, ASCII NCName characters after a name's first character (':' and non-ASCII bytes
 * go through xml_step(), which checks QName and UTF-8 rules) — and returns its length. The run
 * stops before the cap and the arena budget, so xml_step() reports those on the next byte. */
/*@ requires xc_xml_parser_ok(p);
    requires n == 0 || \valid_read(b + (0 .. n - 1));
    assigns p->arena.top, p->arena.base[0 .. p->arena.size - 1];
    ensures xc_xml_parser_ok(p);
    ensures \result <= n && \result <= xc_xml_budget(p);
*/
static size_t fast_run(xc_xml_parser *p, const uint8_t *b, size_t n)
{
    size_t max = count_budget(p);
    size_t room = p->arena.cap - p->arena.top;
    size_t i = 0;
    uint8_t flag;
    char *dst;

    if (p->u8.need != 0 || p->cr)
        return 0;
    if (p->state == XS_CONTENT && p->depth >= 2) {
        flag = XC_C_TEXT;
    } else if (p->state == XS_ATTR_VALUE) {
        flag = XC_C_ATTR;
    } else if ((p->state == XS_STAG_NAME || p->state == XS_ATTR_NAME || p->state == XS_ETAG_NAME) &&
               p->name_chars && !p->name_prev_colon) {
        size_t used = p->arena.top - p->tok_start;
        size_t name_room = used < p->lim.max_name_bytes ? (size_t)p->lim.max_name_bytes - used : 0u;
        flag = XC_C_NCNAME;
        if (name_room < max)
            max = name_room;
    } else {
        return 0;
    }
    if (room < max)
        max = room;
    if (n < max)
        max = n;
    dst = p->arena.base + p->arena.top;
    /*@ loop invariant 0 <= i <= max;
        loop assigns i, dst[0 .. max - 1];
        loop variant max - i;
    */
    while (i < max && (xc_char_class[b[i]] & flag)) {
        dst[i] = byte_to_char(b[i]);
        i++;
    }
    p->arena.top += i;
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
        /* the last element's tree is released: back to what the header left */
        p->arena.top = p->arena.mark;
        p->tok_start = p->arena.mark;
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
    /*@ loop invariant 0 <= i <= len;
        loop invariant xc_xml_parser_ok(p) && xc_xml_frame{Pre, Here}(p);
        loop assigns i, ev, XC_XML_PARSER_MEMORY(p);
        loop variant len - i;
    */
    while (i < len && ev == XC_XML_NEED_MORE) {
        size_t run = fast_run(p, buf + i, len - i);
        if (run > 0) {
            count_run(p, run);
            p->brackets = 0;
            i += run;
            continue;
        }
        ev = xml_step(p, buf[i]);
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
