/*
 * xc_xml_decl.h — the XML declaration at the start of a stream (see xc_xml_decl.c).
 */
#ifndef XC_XML_DECL_H
#define XC_XML_DECL_H

#include "xc_xml_internal.h"

/* One byte of "<?..." at the very start of a stream: the XML declaration or a refused PI. */
/*@ requires xc_xml_parser_ok(p);
    assigns p->decl[0 .. XC_XML_DECL_MAX - 1], p->decl_len, p->state, p->error, p->error_reason;
    ensures xc_xml_parser_ok(p);
    ensures p->decl_len <= XC_XML_DECL_MAX;
    ensures \result == XC_XML_NEED_MORE || \result == XC_XML_EV_ERROR;
    ensures \result == XC_XML_EV_ERROR ==> p->state == XS_ERROR && p->error != XC_SE_NONE;
    ensures \result == XC_XML_NEED_MORE ==> p->state == \old(p->state) || p->state == XS_PROLOG;
*/
xc_xml_event xc_xml_decl_byte(xc_xml_parser *p, uint8_t c);

#endif
