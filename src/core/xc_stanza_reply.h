/*
 * xc_stanza_reply.h — the error reply to a stanza held as bytes (RFC 3920 §9.3.1).
 *
 * The shell holds stanzas it cannot deliver as serialised bytes (queued outbound s2s stanzas
 * whose stream failed, stanzas from a peer for a local user who does not exist) and never looks
 * inside them (DESIGN.md). It hands them here: the stanza is parsed inside a synthetic stream
 * of the namespace it was serialised for, and the reply is written with from and to swapped,
 * type='error', the same id, the original children, then <error type='T'><COND/></error>.
 * A stanza that is itself an error is never answered (DESIGN.md "Nothing lost"), nor one whose
 * from does not parse (there is nobody to answer).
 */
#ifndef XC_STANZA_REPLY_H
#define XC_STANZA_REPLY_H

#include "xc_base.h"
#include "xc_jid.h"
#include "xc_stanza_error.h"
#include "xc_xml.h"
#include "xc_xml_write.h"

/* The parser (and its caller-provided memory) that reads the stanzas to answer. */
typedef struct xc_stanza_replier {
    xc_xml_parser xml;
    xc_xml_limits limits;
    xc_xml_memory mem;
} xc_stanza_replier;

typedef enum xc_reply_status {
    XC_REPLY_OK = 0,                 /* out[0 .. *out_len-1] is the reply, to *reply_to */
    XC_REPLY_NONE,                   /* no reply: an error stanza, no parsable from, or not one stanza */
    XC_REPLY_NO_ROOM                 /* the reply does not fit out (not even without the payload) */
} xc_reply_status;

/*@ predicate xc_stanza_replier_ok(xc_stanza_replier *r) =
      \valid(r) && xc_xml_limits_ok(r->limits) &&
      r->mem.nodes_n < XC_XML_NONE && r->mem.attrs_n < XC_XML_NONE && r->mem.bytes_n <= 0x7fffffff &&
      (r->mem.nodes_n == 0 || \valid(r->mem.nodes + (0 .. r->mem.nodes_n - 1))) &&
      (r->mem.attrs_n == 0 || \valid(r->mem.attrs + (0 .. r->mem.attrs_n - 1))) &&
      (r->mem.bytes_n == 0 || \valid(r->mem.bytes + (0 .. r->mem.bytes_n - 1))) &&
      \separated(r, r->mem.nodes + (0 .. r->mem.nodes_n - 1), r->mem.attrs + (0 .. r->mem.attrs_n - 1),
                 r->mem.bytes + (0 .. r->mem.bytes_n - 1));
*/

/* Prepares a replier over caller memory sized by xc_xml_memory_need(limits). */
/*@ requires \valid(r) && \valid_read(limits) && xc_xml_limits_ok(*limits) && \valid_read(mem);
    requires mem->nodes_n < XC_XML_NONE && mem->attrs_n < XC_XML_NONE && mem->bytes_n <= 0x7fffffff;
    requires mem->nodes_n == 0 || \valid(mem->nodes + (0 .. mem->nodes_n - 1));
    requires mem->attrs_n == 0 || \valid(mem->attrs + (0 .. mem->attrs_n - 1));
    requires mem->bytes_n == 0 || \valid(mem->bytes + (0 .. mem->bytes_n - 1));
    requires \separated(r, mem, limits, mem->nodes + (0 .. mem->nodes_n - 1), mem->attrs + (0 .. mem->attrs_n - 1),
                        mem->bytes + (0 .. mem->bytes_n - 1));
    assigns *r;
    ensures xc_stanza_replier_ok(r);
*/
void xc_stanza_replier_init(xc_stanza_replier *r, const xc_xml_limits *limits, const xc_xml_memory *mem);

/* The error reply to the one stanza in stanza[0 .. len-1], serialised relative to `ns`
 * (jabber:client for what a c2s stream routed, jabber:server for what an s2s stream routed);
 * the reply is written relative to the same namespace. reply_to: the original from, prepared. */
/*@ requires xc_stanza_replier_ok(r);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(stanza + (0 .. len - 1)));
    requires cap <= 0x7fffffff && (cap == 0 || \valid(out + (0 .. cap - 1)));
    requires \valid(out_len) && \valid(reply_to);
    requires \separated(r, out + (0 .. cap - 1), out_len, reply_to, stanza + (0 .. len - 1));
    requires \separated(stanza + (0 .. len - 1), r->mem.nodes + (0 .. r->mem.nodes_n - 1),
                        r->mem.attrs + (0 .. r->mem.attrs_n - 1), r->mem.bytes + (0 .. r->mem.bytes_n - 1));
    requires \separated(out_len, reply_to, r->mem.nodes + (0 .. r->mem.nodes_n - 1),
                        r->mem.attrs + (0 .. r->mem.attrs_n - 1), r->mem.bytes + (0 .. r->mem.bytes_n - 1));
    requires \separated(out + (0 .. cap - 1), r->mem.nodes + (0 .. r->mem.nodes_n - 1),
                        r->mem.attrs + (0 .. r->mem.attrs_n - 1), r->mem.bytes + (0 .. r->mem.bytes_n - 1));
    assigns *r, out[0 .. cap - 1], *out_len, *reply_to, r->mem.nodes[0 .. r->mem.nodes_n - 1],
            r->mem.attrs[0 .. r->mem.attrs_n - 1], r->mem.bytes[0 .. r->mem.bytes_n - 1];
    ensures xc_stanza_replier_ok(r);
    ensures \result == XC_REPLY_OK || \result == XC_REPLY_NONE || \result == XC_REPLY_NO_ROOM;
    ensures *out_len <= cap;
    ensures \result != XC_REPLY_OK ==> *out_len == 0;
*/
xc_reply_status xc_stanza_reply(xc_stanza_replier *r, const uint8_t *stanza, size_t len, xc_xml_content_ns ns,
                                xc_stanza_error_type type, xc_stanza_error cond, uint8_t *out, size_t cap,
                                size_t *out_len, xc_jid *reply_to);

/* The stamp of an error reply (RFC 3920 §9.3.1): type='error', from = the original to
 * (omitted when absent or malformed: RFC 6120 §8.3.1 rule 2), to = `to`, the original payload
 * unless drop_children, then <error type='T'><COND xmlns='...stanzas'/></error>. The one
 * place that spelling lives: every stanza error reply of the core is written with it. */
/*@ requires \valid(st) && xc_str_valid(orig_to) && xc_str_valid(to);
    assigns *st;
    ensures xc_xml_stamp_ok(st);
*/
void xc_stanza_error_stamp(xc_xml_stamp *st, xc_str orig_to, int orig_to_ok, xc_str to, int to_ok,
                           xc_stanza_error_type type, xc_stanza_error cond);

#endif
