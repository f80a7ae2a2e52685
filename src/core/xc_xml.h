/*
 * xc_xml.h — the incremental parser for XMPP's restricted XML (RFC 3920 §4, §11).
 *
 * One parser per stream direction. The shell feeds whatever bytes arrived; the parser returns
 * at every event and says how many bytes it consumed, so a caller can stop right after an
 * element (after <starttls/>, RFC 3920 §5.2 step 5, the rest of the read must be discarded,
 * never parsed: the STARTTLS-injection class). Events:
 *
 *   XC_XML_EV_STREAM_OPEN   the stream header start tag, checked (RFC 3920 §4.4, §11.2);
 *                           xc_xml_header() gives it with its attributes and declarations.
 *   XC_XML_EV_ELEMENT       one complete first-level element as a tree (xc_xml_element());
 *                           valid until the next call to xc_xml_feed or xc_xml_reset.
 *   XC_XML_EV_STREAM_CLOSE  </stream:stream>.
 *   XC_XML_EV_ERROR         sticky: xc_xml_error() names the RFC stream error condition.
 *
 * Invariants the parser keeps (and the proof checks):
 *  - it reads only buf[0 .. len-1] and writes only into its own struct and its arena;
 *  - it never allocates past the arena's budget, and every cap in xc_xml_limits holds for
 *    every element it returns; exceeding one is <policy-violation/> (DESIGN.md);
 *  - everything it accepts is well-formed, namespace-well-formed XML without comments,
 *    processing instructions (bar the XML declaration at the start of a stream), DTDs or
 *    entity references other than the five predefined ones (RFC 3920 §11.1, RFC 6120 §11.1),
 *    with every character valid UTF-8 and inside XML's Char production;
 *  - feeding a stream in any number of pieces yields the same events as feeding it whole
 *    (the state is a byte-level machine; nothing depends on where a read ends).
 */
#ifndef XC_XML_H
#define XC_XML_H

#include "xc_arena.h"
#include "xc_base.h"
#include "xc_chars.h"
#include "xc_stream_error.h"

#define XC_NS_STREAMS "http://etherx.jabber.org/streams"
#define XC_NS_CLIENT "jabber:client"
#define XC_NS_SERVER "jabber:server"
#define XC_NS_XML "http://www.w3.org/XML/1998/namespace"

/* Caps on what one stream may make the parser hold (DESIGN.md "Size caps"). */
typedef struct xc_xml_limits {
    uint32_t max_stanza_bytes;   /* raw bytes of one first-level element */
    uint32_t max_header_bytes;   /* bytes up to and including the stream header's '>' */
    uint32_t max_elements;       /* elements in one first-level element, itself included */
    uint32_t max_arena_bytes;    /* arena budget of the stream: header + one stanza tree */
    uint16_t max_depth;          /* nesting inside a first-level element; 1 = no children */
    uint16_t max_attrs;          /* attributes per element, namespace declarations excluded */
    uint16_t max_ns_decls;       /* namespace declarations per element */
    uint16_t max_name_bytes;     /* bytes of one qualified name */
} xc_xml_limits;

/*@ predicate xc_xml_limits_ok(xc_xml_limits l) =
      l.max_stanza_bytes >= 1 && l.max_stanza_bytes <= 0x4000000 &&
      l.max_header_bytes >= 1 && l.max_header_bytes <= 0x100000 &&
      l.max_elements >= 1 && l.max_elements <= 0x100000 &&
      l.max_depth >= 1 && l.max_name_bytes >= 1;
*/

/* Before authentication: 10,000 bytes and a few dozen elements (RFC 6120 §13.12, DESIGN.md). */
extern const xc_xml_limits xc_xml_limits_preauth;
/* After authentication: 256 KiB per stanza on c2s. */
extern const xc_xml_limits xc_xml_limits_c2s;
/* After authentication on s2s: 512 KiB per stanza. */
extern const xc_xml_limits xc_xml_limits_s2s;

typedef enum xc_xml_content_ns { XC_XML_CONTENT_CLIENT = 0, XC_XML_CONTENT_SERVER = 1 } xc_xml_content_ns;

typedef enum xc_xml_event {
    XC_XML_NEED_MORE = 0,
    XC_XML_EV_STREAM_OPEN,
    XC_XML_EV_ELEMENT,
    XC_XML_EV_STREAM_CLOSE,
    XC_XML_EV_ERROR
} xc_xml_event;

typedef enum xc_xml_kind { XC_XML_ELEMENT_NODE = 1, XC_XML_TEXT_NODE = 2 } xc_xml_kind;

/* Trees are index-linked inside two typed pools (nodes, attributes) so that every access is
 * a bounds-checked array access; strings live in the byte arena. XC_XML_NONE ends a link. */
#define XC_XML_NONE 0xFFFFFFFFu

typedef struct xc_xml_attr {
    xc_str ns;    /* namespace name; len 0 = no namespace. For a declaration: unused */
    xc_str name;  /* local name. For a declaration: the prefix (len 0 = default) */
    xc_str value; /* after reference expansion and normalisation. For a declaration: the URI */
} xc_xml_attr;

typedef struct xc_xml_node {
    xc_xml_kind kind;
    uint32_t parent, next, first_child, last_child; /* node indices or XC_XML_NONE */
    uint32_t attr_first, n_attrs;   /* attributes: attrs[attr_first .. attr_first+n_attrs-1] */
    uint32_t decl_first, n_decls;   /* namespace declarations made on this element */
    xc_str ns;                      /* namespace name, len 0 = none */
    xc_str prefix;                  /* as written, len 0 = unprefixed */
    xc_str name;                    /* local name */
    xc_str default_ns;              /* default namespace in scope inside this element */
    xc_str text;                    /* text nodes: character data after reference expansion */
} xc_xml_node;

/* The pools a stream's trees live in. `*_mark` is what survives a stanza (the header). */
typedef struct xc_xml_tree {
    xc_xml_node *nodes;
    xc_xml_attr *attrs;
    uint32_t nodes_cap, nodes_used, nodes_mark;
    uint32_t attrs_cap, attrs_used, attrs_mark;
} xc_xml_tree;

/*@ predicate xc_xml_node_strings_ok(xc_xml_node n) =
      xc_str_valid(n.ns) && xc_str_valid(n.prefix) && xc_str_valid(n.name) &&
      xc_str_valid(n.default_ns) && xc_str_valid(n.text);
    predicate xc_xml_attr_strings_ok(xc_xml_attr a) =
      xc_str_valid(a.ns) && xc_str_valid(a.name) && xc_str_valid(a.value);
    predicate xc_xml_nodes_ok(xc_xml_tree *t) =
      \forall integer i; 0 <= i < t->nodes_used ==> xc_xml_node_strings_ok(t->nodes[i]);
    predicate xc_xml_attrs_ok(xc_xml_tree *t) =
      \forall integer i; 0 <= i < t->attrs_used ==> xc_xml_attr_strings_ok(t->attrs[i]);
    predicate xc_xml_tree_ok(xc_xml_tree *t) =
      \valid(t) && t->nodes_mark <= t->nodes_used && t->nodes_used <= t->nodes_cap &&
      t->attrs_mark <= t->attrs_used && t->attrs_used <= t->attrs_cap &&
      t->nodes_cap < XC_XML_NONE && t->attrs_cap < XC_XML_NONE &&
      (t->nodes_cap == 0 || \valid(t->nodes + (0 .. t->nodes_cap - 1))) &&
      (t->attrs_cap == 0 || \valid(t->attrs + (0 .. t->attrs_cap - 1))) &&
      \separated(t->nodes + (0 .. t->nodes_cap - 1), t->attrs + (0 .. t->attrs_cap - 1)) &&
      xc_xml_nodes_ok(t) && xc_xml_attrs_ok(t);
*/

/* Caller-owned memory for one parser. Sizes: see xc_xml_memory_need. */
typedef struct xc_xml_memory {
    xc_xml_node *nodes;
    xc_xml_attr *attrs;
    char *bytes;
    uint32_t nodes_n, attrs_n, bytes_n;
} xc_xml_memory;

/* Parser states: one plain enum so state-aware fuzzers can see it. */
typedef enum xc_xml_state {
    XS_START = 0, XS_BOM2, XS_BOM3, XS_START_LT, XS_DECL, XS_PROLOG, XS_LT,
    XS_BANG, XS_KEYWORD, XS_STAG_NAME, XS_STAG_SPACE, XS_ATTR_NAME, XS_ATTR_EQ,
    XS_ATTR_QUOTE, XS_ATTR_VALUE, XS_STAG_AFTER_ATTR, XS_EMPTY_SLASH, XS_CONTENT,
    XS_CDATA, XS_ETAG_NAME, XS_ETAG_SPACE, XS_REF, XS_CHARREF, XS_CHARREF_DEC,
    XS_CHARREF_HEX, XS_ENTREF, XS_AFTER_CLOSE, XS_ERROR
} xc_xml_state;

#define XC_XML_DECL_MAX 128u
#define XC_XML_ENT_MAX 4u

typedef struct xc_xml_parser {
    xc_xml_state state;
    xc_xml_content_ns content_ns;
    xc_xml_limits lim;
    xc_arena arena;
    xc_stream_error error;
    const char *error_reason;      /* static text for logs and tests; never peer data */

    xc_xml_tree tree;
    uint32_t header;               /* the stream element after STREAM_OPEN, else XC_XML_NONE */
    uint32_t cur;                  /* innermost open element, XC_XML_NONE outside the stream */
    uint32_t done;                 /* the element of the last ELEMENT event, else XC_XML_NONE */
    uint32_t depth;                /* 0 = before the header, 1 = between stanzas */
    uint32_t stanza_bytes;
    uint32_t header_bytes;
    uint32_t elements;
    uint8_t pending_close;         /* header was <stream:stream/>: close follows open */
    uint8_t rewind_pending;        /* free the last element's tree on the next feed */

    /* the token being built at the arena top (a name, a value, or character data) */
    size_t tok_start;
    uint8_t name_chars;            /* 1 once the name being built has a character */
    uint8_t name_colons;
    uint8_t name_prev_colon;
    uint8_t quote;                 /* quote character of the attribute value */
    uint8_t cr;                    /* last byte was CR: a following LF is swallowed */
    uint8_t brackets;              /* consecutive ']' in content: "]]>" is forbidden */
    uint8_t in_cdata;

    xc_utf8 u8;                    /* UTF-8 decoding across reads */
    uint8_t bom_seen;

    /* references: where to return, and what is being accumulated */
    xc_xml_state ref_return;
    uint32_t charref;
    uint32_t ref_len;
    uint8_t ent[XC_XML_ENT_MAX];

    /* "<!" keywords and the XML declaration */
    uint8_t keyword;               /* index into the parser's keyword table */
    uint8_t keyword_pos;
    uint8_t decl[XC_XML_DECL_MAX];
    uint32_t decl_len;

    /* start tag under construction */
    xc_str attr_qname;
    uint32_t tag_attrs;            /* attributes and declarations seen in this start tag */
} xc_xml_parser;

/*@ predicate xc_xml_parser_ok(xc_xml_parser *p) =
      \valid(p) && xc_arena_ok(&p->arena) && xc_xml_tree_ok(&p->tree) && xc_xml_limits_ok(p->lim) &&
      p->decl_len <= XC_XML_DECL_MAX && p->ref_len <= XC_XML_ENT_MAX && p->keyword_pos <= 6 &&
      p->tok_start <= p->arena.top && p->u8.need <= 3 && p->charref <= 0x10FFFF &&
      p->stanza_bytes <= p->lim.max_stanza_bytes && p->header_bytes <= p->lim.max_header_bytes &&
      p->elements <= p->lim.max_elements && p->depth <= p->lim.max_depth + 1 &&
      p->tag_attrs <= p->lim.max_attrs + p->lim.max_ns_decls &&
      xc_str_valid(p->attr_qname) &&
      \separated(p, p->arena.base + (0 .. p->arena.size - 1)) &&
      \separated(p, p->tree.nodes + (0 .. p->tree.nodes_cap - 1)) &&
      \separated(p, p->tree.attrs + (0 .. p->tree.attrs_cap - 1)) &&
      \separated(p->arena.base + (0 .. p->arena.size - 1), p->tree.nodes + (0 .. p->tree.nodes_cap - 1),
                 p->tree.attrs + (0 .. p->tree.attrs_cap - 1));

    // The memory a parser works in never moves while it runs.
    predicate xc_xml_frame{L1, L2}(xc_xml_parser *p) =
      \at(p->arena.base, L1) == \at(p->arena.base, L2) && \at(p->arena.size, L1) == \at(p->arena.size, L2) &&
      \at(p->tree.nodes, L1) == \at(p->tree.nodes, L2) && \at(p->tree.nodes_cap, L1) == \at(p->tree.nodes_cap, L2) &&
      \at(p->tree.attrs, L1) == \at(p->tree.attrs, L2) && \at(p->tree.attrs_cap, L1) == \at(p->tree.attrs_cap, L2);
*/

/* Everything a parser may write: its struct, its arena, its pools. */
#define XC_XML_PARSER_MEMORY(p)                                                                  \
    *(p), (p)->arena.base[0 .. (p)->arena.size - 1], (p)->tree.nodes[0 .. (p)->tree.nodes_cap - 1], \
        (p)->tree.attrs[0 .. (p)->tree.attrs_cap - 1]

/* The memory a parser needs for these limits: every tree within the caps fits. */
/*@ requires \valid_read(limits) && xc_xml_limits_ok(*limits) && \valid(need);
    assigns need->nodes_n, need->attrs_n, need->bytes_n;
*/
void xc_xml_memory_need(const xc_xml_limits *limits, xc_xml_memory *need);

/* Prepares a parser over caller-owned memory (which must outlive it). */
/*@ requires \valid(p) && \valid_read(mem) && \separated(p, mem, limits);
    requires \valid_read(limits) && xc_xml_limits_ok(*limits);
    requires mem->nodes_n < XC_XML_NONE && mem->attrs_n < XC_XML_NONE && mem->bytes_n <= 0x7fffffff;
    requires mem->nodes_n == 0 || \valid(mem->nodes + (0 .. mem->nodes_n - 1));
    requires mem->attrs_n == 0 || \valid(mem->attrs + (0 .. mem->attrs_n - 1));
    requires mem->bytes_n == 0 || \valid(mem->bytes + (0 .. mem->bytes_n - 1));
    requires \separated(p, mem->nodes + (0 .. mem->nodes_n - 1), mem->attrs + (0 .. mem->attrs_n - 1),
                        mem->bytes + (0 .. mem->bytes_n - 1));
    assigns *p;
    ensures xc_xml_parser_ok(p) && p->state == XS_START && p->error == XC_SE_NONE;
    ensures p->arena.base == mem->bytes && p->tree.nodes == mem->nodes && p->tree.attrs == mem->attrs;
    ensures p->arena.size == mem->bytes_n && p->tree.nodes_cap == mem->nodes_n && p->tree.attrs_cap == mem->attrs_n;
*/
void xc_xml_init(xc_xml_parser *p, xc_xml_content_ns content_ns, const xc_xml_limits *limits,
                 const xc_xml_memory *mem);

/* A new document begins: after STARTTLS or SASL success every byte and every piece of parser
 * state from before is gone (RFC 3920 §5.2 step 7, §6.2 step 7); a new XML declaration may
 * follow. Limits stay as set. */
/*@ requires xc_xml_parser_ok(p);
    assigns *p;
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
    ensures p->state == XS_START && p->error == XC_SE_NONE;
    ensures p->arena.top == 0 && p->tree.nodes_used == 0 && p->tree.attrs_used == 0;
    ensures p->header == XC_XML_NONE;
*/
void xc_xml_reset(xc_xml_parser *p);

/* Switches caps (pre-auth -> post-auth) between stanzas. Takes effect from the next byte. */
/*@ requires xc_xml_parser_ok(p) && p->depth <= 1;
    requires \valid_read(limits) && xc_xml_limits_ok(*limits);
    requires \separated(p, limits);
    assigns p->lim.max_stanza_bytes, p->lim.max_header_bytes, p->lim.max_elements, p->lim.max_arena_bytes,
            p->lim.max_depth, p->lim.max_attrs, p->lim.max_ns_decls, p->lim.max_name_bytes,
            p->arena.cap, p->stanza_bytes, p->header_bytes, p->elements, p->tag_attrs;
    ensures xc_xml_parser_ok(p);
    ensures p->lim.max_stanza_bytes == limits->max_stanza_bytes && p->lim.max_depth == limits->max_depth;
*/
void xc_xml_set_limits(xc_xml_parser *p, const xc_xml_limits *limits);

/* Consumes bytes up to and including the next event; *consumed <= len always. */
/*@ requires xc_xml_parser_ok(p);
    requires len <= 0x7fffffff;
    requires len == 0 || \valid_read(buf + (0 .. len - 1));
    requires \valid(consumed);
    requires \separated(consumed, p, buf + (0 .. len - 1));
    requires \separated(buf + (0 .. len - 1), p, p->arena.base + (0 .. p->arena.size - 1));
    requires \separated(consumed, p->arena.base + (0 .. p->arena.size - 1),
                        p->tree.nodes + (0 .. p->tree.nodes_cap - 1), p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    assigns XC_XML_PARSER_MEMORY(p), *consumed;
    ensures xc_xml_parser_ok(p) && xc_xml_frame{Old, Here}(p);
    ensures *consumed <= len;
*/
xc_xml_event xc_xml_feed(xc_xml_parser *p, const uint8_t *buf, size_t len, size_t *consumed);

/*@ requires \valid_read(p);
    assigns \nothing;
    ensures \result == p->error;
*/
xc_stream_error xc_xml_error(const xc_xml_parser *p);

/* The pools the parser's trees live in (for xc_xml_tree.h). */
/*@ requires \valid_read(p);
    assigns \nothing;
    ensures \result == &p->tree;
*/
const xc_xml_tree *xc_xml_tree_of(const xc_xml_parser *p);

/* The stream header element after STREAM_OPEN, else NULL. */
/*@ requires \valid_read(p) && xc_xml_tree_ok((xc_xml_tree *)&p->tree);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures \result == \null || (p->header < p->tree.nodes_used && \result == p->tree.nodes + p->header);
*/
const xc_xml_node *xc_xml_header(const xc_xml_parser *p);

/* The first-level element of the last ELEMENT event (valid until the next feed), else NULL. */
/*@ requires \valid_read(p) && xc_xml_tree_ok((xc_xml_tree *)&p->tree);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures \result == \null || (p->done < p->tree.nodes_used && \result == p->tree.nodes + p->done);
*/
const xc_xml_node *xc_xml_element(const xc_xml_parser *p);

#endif
