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

void xc_stanza_error_stamp(xc_xml_stamp *st, xc_str orig_to, int orig_to_ok, xc_str to, int to_ok,
                           xc_stanza_error_type type, xc_stanza_error cond)
{
    const xc_str none = { NULL, 0 };
    const xc_xml_stamp_attr keep = { 0, 0, { NULL, 0 } };
    uint32_t i;

    st->type.set = 1;
    st->type.omit = 0;
    st->type.value = XC_STR_LIT("error");
    st->from.set = 1;
    st->from.omit = !orig_to_ok;
    st->from.value = orig_to;
    st->to.set = 1;
    st->to.omit = !to_ok;
    st->to.value = to;
    st->lang = keep;
    st->drop_children = 0;
    /*@ loop invariant 0 <= i <= XC_XML_STAMP_TAIL_MAX;
        loop assigns i, st->tail[0 .. XC_XML_STAMP_TAIL_MAX - 1];
        loop variant XC_XML_STAMP_TAIL_MAX - i;
    */
    for (i = 0; i < XC_XML_STAMP_TAIL_MAX; i++)
        st->tail[i] = none;
    st->n_tail = 5;
    st->tail[0] = XC_STR_LIT("<error type='");
    st->tail[1] = xc_stanza_error_type_name(type);
    st->tail[2] = XC_STR_LIT("'><");
    st->tail[3] = xc_stanza_error_name(cond);
    st->tail[4] = XC_STR_LIT(" xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
}

/* The synthetic stream a held stanza is parsed in. */
/*@ assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str synthetic_header(xc_xml_content_ns ns)
{
    if (ns == XC_XML_CONTENT_CLIENT)
        return XC_STR_LIT("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
    return XC_STR_LIT("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>");
}

xc_reply_status xc_stanza_reply(xc_stanza_replier *r, const uint8_t *stanza, size_t len, xc_xml_content_ns ns,
                                xc_stanza_error_type type, xc_stanza_error cond, uint8_t *out, size_t cap,
                                size_t *out_len, xc_jid *reply_to)
{
    xc_str hdr = synthetic_header(ns);
    xc_str outer = ns == XC_XML_CONTENT_CLIENT ? XC_STR_LIT(XC_NS_CLIENT) : XC_STR_LIT(XC_NS_SERVER);
    const xc_xml_tree *t;
    const xc_xml_node *e;
    const xc_xml_attr *kind, *from, *to;
    xc_xml_stamp st;
    xc_jid to_jid;
    size_t used = 0, n = 0;
    int to_ok;

    *out_len = 0;
    reply_to->node_len = 0;
    reply_to->domain_len = 0;
    reply_to->resource_len = 0;
    xc_xml_init(&r->xml, ns, &r->limits, &r->mem);
    if (xc_xml_feed(&r->xml, (const uint8_t *)hdr.ptr, hdr.len, &used) != XC_XML_EV_STREAM_OPEN || used != hdr.len)
        return XC_REPLY_NONE;
    if (len == 0 || xc_xml_feed(&r->xml, stanza, len, &used) != XC_XML_EV_ELEMENT || used != len)
        return XC_REPLY_NONE;
    t = xc_xml_tree_of(&r->xml);
    e = xc_xml_element(&r->xml);
    /* RFC 3920 §9.3.1: only a stanza (message, presence or iq of the stream's namespace) is
     * answered with a stanza error */
    if (e == NULL || !xc_str_eq(e->ns, outer) ||
        !(xc_str_eq(e->name, XC_STR_LIT("message")) || xc_str_eq(e->name, XC_STR_LIT("presence")) ||
          xc_str_eq(e->name, XC_STR_LIT("iq"))))
        return XC_REPLY_NONE;
    kind = xc_xml_attr_find(t, e, XC_STR_LIT(""), XC_STR_LIT("type"));
    /* DESIGN.md "Nothing lost": an error is never answered with another error */
    if (kind != NULL && xc_str_eq(kind->value, XC_STR_LIT("error")))
        return XC_REPLY_NONE;
    from = xc_xml_attr_find(t, e, XC_STR_LIT(""), XC_STR_LIT("from"));
    if (from == NULL || xc_jid_parse(from->value.ptr, from->value.len, reply_to) != XC_JID_OK)
        return XC_REPLY_NONE;
    to = xc_xml_attr_find(t, e, XC_STR_LIT(""), XC_STR_LIT("to"));
    /* RFC 6120 §8.3.1 rule 2: a malformed to is never copied into from */
    to_ok = to != NULL && xc_jid_parse(to->value.ptr, to->value.len, &to_jid) == XC_JID_OK;
    xc_stanza_error_stamp(&st, to_ok ? to->value : (xc_str){ NULL, 0 }, to_ok, from->value, 1, type, cond);
    if (xc_xml_write_stanza(t, xc_xml_index_of(t, e), outer, &st, out, cap, &n) == XC_XML_WRITE_OK) {
        *out_len = n;
        return XC_REPLY_OK;
    }
    /* RFC 3920 §9.3.1 only SHOULD include the payload: without room for it, leave it out */
    st.drop_children = 1;
    if (xc_xml_write_stanza(t, xc_xml_index_of(t, e), outer, &st, out, cap, &n) == XC_XML_WRITE_OK) {
        *out_len = n;
        return XC_REPLY_OK;
    }
    return XC_REPLY_NO_ROOM;
}
