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
    requires out_cap == 0 || \valid(out + (0 .. out_cap - 1));
    requires \valid(len) && \separated(len, out + (0 .. out_cap - 1));
    requires \separated(out + (0 .. out_cap - 1), t, t->nodes + (0 .. t->nodes_cap - 1),
                        t->attrs + (0 .. t->attrs_cap - 1));
    assigns out[0 .. out_cap - 1], *len;
    ensures *len <= out_cap;
    ensures \result == XC_XML_WRITE_OK || \result == XC_XML_WRITE_NO_ROOM;
*/
xc_xml_write_status xc_xml_write(const xc_xml_tree *t, uint32_t e, xc_str outer_ns, uint8_t *out,
                                 size_t out_cap, size_t *len);

#endif
