/*
 * xc_xml_internal.h — what the parser's files share and nobody else sees.
 */
#ifndef XC_XML_INTERNAL_H
#define XC_XML_INTERNAL_H

#include "xc_xml.h"

/* Records a sticky error and moves the parser to XS_ERROR. */
/*@ requires \valid(p);
    assigns p->error, p->error_reason, p->state;
    ensures p->error == e && p->state == XS_ERROR && \result == XC_XML_EV_ERROR;
*/
xc_xml_event xc_xml_fail(xc_xml_parser *p, xc_stream_error e, const char *reason);

/* Namespace processing of a complete start tag (Namespaces in XML 1.0 §3-§6): moves the
 * xmlns attributes of p->cur into its declaration range, splits every qualified name, binds every prefix, and
 * refuses duplicates, unbound prefixes and reserved-prefix misuse. */
/*@ requires xc_xml_parser_ok(p) && \valid(why);
    requires \separated(why, p, p->tree.nodes + (0 .. p->tree.nodes_cap - 1),
                        p->tree.attrs + (0 .. p->tree.attrs_cap - 1), p->arena.base + (0 .. p->arena.size - 1));
    assigns p->tree.attrs_used, p->tree.attrs[0 .. p->tree.attrs_cap - 1],
            p->tree.nodes[0 .. p->tree.nodes_cap - 1], *why;
    ensures xc_xml_parser_ok(p);
*/
xc_stream_error xc_xml_resolve(xc_xml_parser *p, const char **why);

/* The stream header: streams namespace with the `stream` prefix, and the content namespace
 * this parser was made for as default (RFC 3920 §4.4, §11.2.1, §11.2.2). */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p) && \valid(why) && \separated(why, p);
    assigns *why;
*/
xc_stream_error xc_xml_check_header(const xc_xml_parser *p, const char **why);

/* A first-level element in the content namespace carries no prefix (RFC 3920 §11.2.2,
 * RFC 6120 §4.8.5). */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p) && \valid(why) && \separated(why, p);
    assigns *why;
*/
xc_stream_error xc_xml_check_first_level(const xc_xml_parser *p, const char **why);

#endif
