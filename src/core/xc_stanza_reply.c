/*
 * xc_stanza_reply.c — the error reply to a stanza held as bytes (RFC 3920 §9.3.1); see
 * xc_stanza_reply.h.
 *
 * The stanza is parsed by our own parser inside a synthetic stream header of its namespace, so
 * what is answered has passed every check a stream applies (well-formed, restricted XML, caps),
 * and it is written back with the same serialiser routed stanzas use.
 */
#include "xc_stanza_reply.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

void xc_stanza_replier_init(xc_stanza_replier *r, const xc_xml_limits *limits, const xc_xml_memory *mem)
{
    r->limits = *limits;
    r->mem = *mem;
    xc_xml_init(&r->xml, XC_XML_CONTENT_SERVER, &r->limits, &r->mem);
}

/* Part k of the <error/> appended to a reply (k = 0 .. XC_XML_STAMP_TAIL_MAX - 1). */
/*@ assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str error_tail(uint32_t k, xc_stanza_error_type type, xc_stanza_error cond)
{
    switch (k) {
    case 0: return XC_STR_LIT("<error type='");
    case 1: return xc_stanza_error_type_name(type);
    case 2: return XC_STR_LIT("'><");
    case 3: return xc_stanza_error_name(cond);
    default: return XC_STR_LIT(" xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
    }
}

/* The type attribute of every error reply. A function so that the literal's validity is proved
 * here once, not inside the stamp's postcondition (where it cost the provers their budget). */
/*@ assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str error_type_value(void)
{
    return XC_STR_LIT("error");
}

/* The tail has exactly XC_XML_STAMP_TAIL_MAX parts: every slot is written, one per step, field
 * by field (WP models a struct copy as a havoc its provers could not see past), in a function of
 * its own so that the caller's facts about the other fields cross one havoc of the tail. */
/*@ requires \valid(tail + (0 .. XC_XML_STAMP_TAIL_MAX - 1));
    assigns tail[0 .. XC_XML_STAMP_TAIL_MAX - 1];
    ensures \forall integer j; 0 <= j < XC_XML_STAMP_TAIL_MAX ==> xc_str_valid(tail[j]);
*/
static void error_tail_fill(xc_str *tail, xc_stanza_error_type type, xc_stanza_error cond)
{
    uint32_t k;

    /*@ loop invariant 0 <= k <= XC_XML_STAMP_TAIL_MAX;
        loop invariant \forall integer j; 0 <= j < k ==> xc_str_valid(tail[j]);
        loop assigns k, tail[0 .. XC_XML_STAMP_TAIL_MAX - 1];
        loop variant XC_XML_STAMP_TAIL_MAX - k;
    */
    for (k = 0; k < XC_XML_STAMP_TAIL_MAX; k++) {
        xc_str part = error_tail(k, type, cond);

        tail[k].ptr = part.ptr;
        tail[k].len = part.len;
    }
}

void xc_stanza_error_stamp(xc_xml_stamp *st, xc_str orig_to, int orig_to_ok, xc_str to, int to_ok,
                           xc_stanza_error_type type, xc_stanza_error cond)
{
    st->type.set = 1;
    st->type.omit = 0;
    st->type.value = error_type_value();
    st->from.set = 1;
    st->from.omit = !orig_to_ok;
    st->from.value = orig_to;
    st->to.set = 1;
    st->to.omit = !to_ok;
    st->to.value = to;
    /* field by field, not a copy of a const local struct (whose value WP has to find) */
    st->lang.set = 0;
    st->lang.omit = 0;
    st->lang.value.ptr = NULL;
    st->lang.value.len = 0;
    st->drop_children = 0;
    /*@ assert xc_str_valid(st->type.value); */
    /*@ assert xc_str_valid(st->from.value); */
    /*@ assert xc_str_valid(st->to.value); */
    /*@ assert xc_str_valid(st->lang.value); */
    st->n_tail = XC_XML_STAMP_TAIL_MAX;
    error_tail_fill(st->tail, type, cond);
}

/* The synthetic stream headers a held stanza is parsed in: byte arrays, so no pointer cast sits
 * between them and the parser (WP's typed memory model cannot follow a char* to uint8_t* cast). */
static const uint8_t client_stream_header[] =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
static const uint8_t server_stream_header[] =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>";

/*@ predicate replier_parser_memory(xc_stanza_replier *r) =
      r->xml.arena.base == r->mem.bytes && r->xml.arena.size == r->mem.bytes_n &&
      r->xml.tree.nodes == r->mem.nodes && r->xml.tree.nodes_cap == r->mem.nodes_n &&
      r->xml.tree.attrs == r->mem.attrs && r->xml.tree.attrs_cap == r->mem.attrs_n;
*/

/* One feed of the replier's parser, in a function of its own: its frame (r->mem and r->limits
 * are not the parser's, and the parser's memory stays r->mem) is then one small goal per feed,
 * where in parse_held it was one goal across all the feeds before it. */
/*@ requires xc_stanza_replier_ok(r) && xc_xml_parser_ok(&r->xml) && replier_parser_memory(r);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(buf + (0 .. len - 1)));
    requires \valid(used);
    requires \separated(buf + (0 .. len - 1), r, r->mem.bytes + (0 .. r->mem.bytes_n - 1));
    requires \separated(used, r, buf + (0 .. len - 1));
    requires \separated(used, r->mem.nodes + (0 .. r->mem.nodes_n - 1), r->mem.attrs + (0 .. r->mem.attrs_n - 1),
                        r->mem.bytes + (0 .. r->mem.bytes_n - 1));
    assigns r->xml, r->mem.nodes[0 .. r->mem.nodes_n - 1], r->mem.attrs[0 .. r->mem.attrs_n - 1],
            r->mem.bytes[0 .. r->mem.bytes_n - 1], *used;
    ensures r->mem.nodes == \old(r->mem.nodes) && r->mem.attrs == \old(r->mem.attrs) &&
            r->mem.bytes == \old(r->mem.bytes);
    ensures r->mem.nodes_n == \old(r->mem.nodes_n);
    ensures r->mem.attrs_n == \old(r->mem.attrs_n);
    ensures r->mem.bytes_n == \old(r->mem.bytes_n);
    ensures xc_stanza_replier_ok(r);
    ensures xc_xml_parser_ok(&r->xml);
    ensures replier_parser_memory(r);
    ensures *used <= len;
*/
static xc_xml_event replier_feed(xc_stanza_replier *r, const uint8_t *buf, size_t len, size_t *used)
{
    /* what the feed may write, in the parser's own terms, is apart from r->mem and r->limits */
    /*@ assert \separated(&r->mem, &r->limits, r->xml.arena.base + (0 .. r->xml.arena.size - 1),
                          r->xml.tree.nodes + (0 .. r->xml.tree.nodes_cap - 1),
                          r->xml.tree.attrs + (0 .. r->xml.tree.attrs_cap - 1)); */
    return xc_xml_feed(&r->xml, buf, len, used);
}

/* Parses the held stanza inside a synthetic stream of namespace ns: the index of its element
 * when the bytes are exactly one complete first-level element, else XC_XML_NONE. Split from
 * xc_stanza_reply so that the parser's large contracts stay out of the proof of the reply. */
/*@ requires xc_stanza_replier_ok(r);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(stanza + (0 .. len - 1)));
    requires \separated(stanza + (0 .. len - 1), r, r->mem.nodes + (0 .. r->mem.nodes_n - 1),
                        r->mem.attrs + (0 .. r->mem.attrs_n - 1), r->mem.bytes + (0 .. r->mem.bytes_n - 1));
    assigns r->xml, r->mem.nodes[0 .. r->mem.nodes_n - 1], r->mem.attrs[0 .. r->mem.attrs_n - 1],
            r->mem.bytes[0 .. r->mem.bytes_n - 1];
    ensures r->mem.nodes == \old(r->mem.nodes) && r->mem.attrs == \old(r->mem.attrs) &&
            r->mem.bytes == \old(r->mem.bytes);
    ensures r->mem.nodes_n == \old(r->mem.nodes_n) && r->mem.attrs_n == \old(r->mem.attrs_n) &&
            r->mem.bytes_n == \old(r->mem.bytes_n);
    ensures xc_stanza_replier_ok(r);
    ensures xc_xml_parser_ok(&r->xml);
    ensures replier_parser_memory(r);
    ensures \result == XC_XML_NONE || \result < r->xml.tree.nodes_used;
*/
static uint32_t parse_held(xc_stanza_replier *r, const uint8_t *stanza, size_t len, xc_xml_content_ns ns)
{
    xc_xml_event ev;
    size_t used = 0, want;

    xc_xml_init(&r->xml, ns, &r->limits, &r->mem);
    /* stated once here, where it is a plain fact, so each later goal inherits it instead of
     * re-deriving it through the feeds' frames: the local is apart from the parser's memory */
    /*@ assert \separated(&used, r->mem.nodes + (0 .. r->mem.nodes_n - 1), r->mem.attrs + (0 .. r->mem.attrs_n - 1),
                          r->mem.bytes + (0 .. r->mem.bytes_n - 1)); */
    if (ns == XC_XML_CONTENT_CLIENT) {
        want = sizeof client_stream_header - 1;
        ev = replier_feed(r, client_stream_header, want, &used);
    } else {
        want = sizeof server_stream_header - 1;
        ev = replier_feed(r, server_stream_header, want, &used);
    }
    if (ev != XC_XML_EV_STREAM_OPEN || used != want)
        return XC_XML_NONE;
    if (len == 0 || replier_feed(r, stanza, len, &used) != XC_XML_EV_ELEMENT || used != len)
        return XC_XML_NONE;
    if (xc_xml_element(&r->xml) == NULL)
        return XC_XML_NONE;
    return r->xml.done;
}

/* The reply's stamp for element i of t (see xc_stanza_error_stamp), and in *reply_to its
 * original from: 0 when the element is not answered. Every read of the tree comes before the
 * stores (the parsed JIDs, *reply_to, *st), so the tree needs no separation from them. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires i < t->nodes_used;
    requires \valid(st) && \valid(reply_to);
    assigns *st, *reply_to;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> xc_xml_stamp_ok(st);
*/
static int reply_stamp(const xc_xml_tree *t, uint32_t i, xc_xml_content_ns ns, xc_xml_stamp *st,
                       xc_jid *reply_to, xc_stanza_error_type type, xc_stanza_error cond)
{
    xc_str outer = ns == XC_XML_CONTENT_CLIENT ? XC_STR_LIT(XC_NS_CLIENT) : XC_STR_LIT(XC_NS_SERVER);
    const xc_xml_node *e = xc_xml_node_at(t, i);
    const xc_xml_attr *kind, *from, *to;
    xc_jid from_jid, to_jid;
    xc_str from_value, to_attr = { NULL, 0 }, to_value = { NULL, 0 };
    int to_ok;

    /* RFC 3920 §9.3.1: only a stanza (message, presence or iq of the stream's namespace) is
     * answered with a stanza error */
    if (e == NULL || !xc_str_eq(e->ns, outer) ||
        !(xc_str_eq(e->name, XC_STR_LIT("message")) || xc_str_eq(e->name, XC_STR_LIT("presence")) ||
          xc_str_eq(e->name, XC_STR_LIT("iq"))))
        return 0;
    kind = xc_xml_attr_find(t, e, XC_STR_LIT(""), XC_STR_LIT("type"));
    from = xc_xml_attr_find(t, e, XC_STR_LIT(""), XC_STR_LIT("from"));
    to = xc_xml_attr_find(t, e, XC_STR_LIT(""), XC_STR_LIT("to"));
    /* DESIGN.md "Nothing lost": an error is never answered with another error */
    if (kind != NULL && xc_str_eq(kind->value, XC_STR_LIT("error")))
        return 0;
    if (from == NULL)
        return 0;
    /* the last reads of the tree: the values go to locals, so no goal after the stores below
     * (the JIDs, *reply_to, *st) has to show that the tree is still what it was */
    from_value = from->value;
    if (to != NULL)
        to_attr = to->value;
    if (xc_jid_parse(from_value.ptr, from_value.len, &from_jid) != XC_JID_OK)
        return 0;
    /* RFC 6120 §8.3.1 rule 2: a malformed to is never copied into from */
    to_ok = to != NULL && xc_jid_parse(to_attr.ptr, to_attr.len, &to_jid) == XC_JID_OK;
    if (to_ok)
        to_value = to_attr;
    *reply_to = from_jid;
    /* the stamp is written last: its ensures is the function's */
    xc_stanza_error_stamp(st, to_value, to_ok, from_value, 1, type, cond);
    return 1;
}

/* The reply to element i of t, once parsed: its own function, so that the stamp, the sender
 * and the length (locals whose address is taken) are locals here, and the replier's proof sees
 * one call that writes only out, *out_len and *reply_to. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires i < t->nodes_used;
    requires cap <= 0x7fffffff && (cap == 0 || \valid(out + (0 .. cap - 1)));
    requires \valid(out_len) && \valid(reply_to);
    requires \separated(out + (0 .. cap - 1), out_len, reply_to);
    requires \separated(out + (0 .. cap - 1), t, t->nodes + (0 .. t->nodes_cap - 1), t->attrs + (0 .. t->attrs_cap - 1));
    assigns out[0 .. cap - 1], *out_len, *reply_to;
    ensures \result == XC_REPLY_OK || \result == XC_REPLY_NONE || \result == XC_REPLY_NO_ROOM;
    ensures \result == XC_REPLY_OK ==> *out_len <= cap;
    ensures \result != XC_REPLY_OK ==> *out_len == \old(*out_len);
*/
static xc_reply_status reply_write(const xc_xml_tree *t, uint32_t i, xc_xml_content_ns ns, xc_stanza_error_type type,
                                   xc_stanza_error cond, uint8_t *out, size_t cap, size_t *out_len, xc_jid *reply_to)
{
    xc_str outer = ns == XC_XML_CONTENT_CLIENT ? XC_STR_LIT(XC_NS_CLIENT) : XC_STR_LIT(XC_NS_SERVER);
    xc_xml_stamp st;
    xc_jid from;
    size_t n = 0;

    /* the stamp and the sender go to locals, and *reply_to is written last: no store through
     * a parameter sits between the tree reads */
    if (!reply_stamp(t, i, ns, &st, &from, type, cond))
        return XC_REPLY_NONE;
    if (xc_xml_write_stanza(t, i, outer, &st, out, cap, &n) != XC_XML_WRITE_OK) {
        /* RFC 3920 §9.3.1 only SHOULD include the payload: without room for it, leave it out */
        st.drop_children = 1;
        if (xc_xml_write_stanza(t, i, outer, &st, out, cap, &n) != XC_XML_WRITE_OK)
            return XC_REPLY_NO_ROOM;
    }
    *out_len = n;
    *reply_to = from;
    return XC_REPLY_OK;
}

xc_reply_status xc_stanza_reply(xc_stanza_replier *r, const uint8_t *stanza, size_t len, xc_xml_content_ns ns,
                                xc_stanza_error_type type, xc_stanza_error cond, uint8_t *out, size_t cap,
                                size_t *out_len, xc_jid *reply_to)
{
    const xc_xml_tree *t;
    uint32_t i;

    *out_len = 0;
    reply_to->node_len = 0;
    reply_to->domain_len = 0;
    reply_to->resource_len = 0;
    /* the output's separation from the pools, restated after the stores above (which do not
     * touch r): parse_held keeps r->mem, so the goal of reply_write's separation is this fact
     * and two equalities, with no frame to derive */
    /*@ assert \separated(out + (0 .. cap - 1), r->mem.nodes + (0 .. r->mem.nodes_n - 1),
                          r->mem.attrs + (0 .. r->mem.attrs_n - 1)); */
    i = parse_held(r, stanza, len, ns);
    if (i == XC_XML_NONE)
        return XC_REPLY_NONE;
    t = xc_xml_parser_tree(&r->xml);
    /*@ assert t == &r->xml.tree && t->nodes == r->mem.nodes && t->nodes_cap == r->mem.nodes_n &&
               t->attrs == r->mem.attrs && t->attrs_cap == r->mem.attrs_n; */
    return reply_write(t, i, ns, type, cond, out, cap, out_len, reply_to);
}
