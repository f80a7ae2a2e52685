/*
 * xc_xml_write.h — serialising a stanza tree back to XML (RFC 3920 §11.1: the five
 * predefined entities escaped; no comments, PIs or DTDs ever produced).
 */
#ifndef XC_XML_WRITE_H
#define XC_XML_WRITE_H

#include "xc_xml.h"
#include "xc_xml_tree.h"

typedef enum xc_xml_write_status { XC_XML_WRITE_OK = 0, XC_XML_WRITE_NO_ROOM } xc_xml_write_status;

/* Writes node e of tree t as it would appear inside an element whose default namespace is
 * `outer_ns` (a c2s stanza: "jabber:client"). Every element is written unprefixed with an
 * xmlns declaration where its namespace differs from the one in scope; namespaced attributes
 * get generated prefixes. parse(write(t)) has the same expanded names, attributes and text.
 * On NO_ROOM, *len is the number of bytes written before the buffer ran out. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires xc_str_valid(outer_ns);
    requires out_cap <= 0x7fffffff && (out_cap == 0 || \valid(out + (0 .. out_cap - 1)));
    requires \valid(len) && \separated(len, out + (0 .. out_cap - 1));
    requires \separated(out + (0 .. out_cap - 1), t, t->nodes + (0 .. t->nodes_cap - 1),
                        t->attrs + (0 .. t->attrs_cap - 1));
    assigns out[0 .. out_cap - 1], *len;
    ensures *len <= out_cap;
    ensures \result == XC_XML_WRITE_OK || \result == XC_XML_WRITE_NO_ROOM;
*/
xc_xml_write_status xc_xml_write(const xc_xml_tree *t, uint32_t e, xc_str outer_ns, uint8_t *out,
                                 size_t out_cap, size_t *len);

/* One root attribute a stanza writer sets itself (RFC 3920 §9.1.2: the server stamps from). */
typedef struct xc_xml_stamp_attr {
    uint8_t set;   /* 1: the element's own attribute of this name is not written */
    uint8_t omit;  /* with set: write no attribute of this name at all */
    xc_str value;
} xc_xml_stamp_attr;

#define XC_XML_STAMP_TAIL_MAX 5u

/* How xc_xml_write_stanza rewrites a first-level element: its type, from and to attributes,
 * whether its children are kept, and raw XML pieces (well formed together, e.g. an <error/>)
 * appended after them. */
typedef struct xc_xml_stamp {
    xc_xml_stamp_attr type, from, to;
    xc_xml_stamp_attr lang;        /* xml:lang */
    uint8_t drop_children;
    uint32_t n_tail;
    xc_str tail[XC_XML_STAMP_TAIL_MAX];
} xc_xml_stamp;

/*@ predicate xc_xml_stamp_ok(xc_xml_stamp *st) =
      xc_str_valid(st->type.value) && xc_str_valid(st->from.value) && xc_str_valid(st->to.value) &&
      xc_str_valid(st->lang.value) &&
      st->n_tail <= XC_XML_STAMP_TAIL_MAX &&
      (\forall integer i; 0 <= i < XC_XML_STAMP_TAIL_MAX ==> xc_str_valid(st->tail[i]));
*/

/* Writes first-level element e of t with the stamp applied: always as a start tag, its children,
 * st->tail and an end tag. On NO_ROOM, *len bytes were written before the buffer ran out. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires xc_str_valid(outer_ns) && \valid_read(st) && xc_xml_stamp_ok((xc_xml_stamp *)st);
    requires out_cap <= 0x7fffffff && (out_cap == 0 || \valid(out + (0 .. out_cap - 1)));
    requires \valid(len) && \separated(len, out + (0 .. out_cap - 1));
    requires \separated(out + (0 .. out_cap - 1), t, st, t->nodes + (0 .. t->nodes_cap - 1),
                        t->attrs + (0 .. t->attrs_cap - 1));
    assigns out[0 .. out_cap - 1], *len;
    ensures *len <= out_cap;
    ensures \result == XC_XML_WRITE_OK || \result == XC_XML_WRITE_NO_ROOM;
*/
xc_xml_write_status xc_xml_write_stanza(const xc_xml_tree *t, uint32_t e, xc_str outer_ns, const xc_xml_stamp *st,
                                        uint8_t *out, size_t out_cap, size_t *len);

#endif
