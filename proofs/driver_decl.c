/*
 * driver_decl.c — Frama-C entry point for the XML declaration (xc_xml_decl.h), in ANSSI
 * x509-parser's style.
 *
 * A parser is set up by hand over static memory (no function of xc_xml_parse.c is needed),
 * in state XS_DECL with an unknown number of bytes already collected (0 .. XC_XML_DECL_MAX)
 * and unknown collected bytes; then unknown bytes are fed. So EVA reaches every branch: the
 * "xml" target check, the byte after it, the buffer limit, and the parse of a complete
 * declaration of unknown content and length. Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_xml_decl.h"

#define DRV_BYTES 16u
#define DRV_NODES 2u
#define DRV_ATTRS 2u

static char drv_bytes[DRV_BYTES];
static xc_xml_node drv_nodes[DRV_NODES];
static xc_xml_attr drv_attrs[DRV_ATTRS];

void xc_drive_decl(void);

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_decl(void)
{
    xc_xml_parser parser = { 0 }; /* every count, length and position 0 */
    xc_xml_parser *p = &parser;
    uint32_t k;
    xc_xml_event ev;

    p->lim.max_stanza_bytes = 10000u;
    p->lim.max_header_bytes = 10000u;
    p->lim.max_elements = 16u;
    p->lim.max_arena_bytes = DRV_BYTES;
    p->lim.max_depth = 4u;
    p->lim.max_attrs = 4u;
    p->lim.max_ns_decls = 4u;
    p->lim.max_name_bytes = 16u;
    p->arena.base = drv_bytes;
    p->arena.size = DRV_BYTES;
    p->arena.cap = DRV_BYTES;
    p->arena.top = 0u;
    p->arena.mark = 0u;
    p->tree.nodes = drv_nodes;
    p->tree.attrs = drv_attrs;
    p->tree.nodes_cap = DRV_NODES;
    p->tree.attrs_cap = DRV_ATTRS;
    p->tree.nodes_used = 0u;
    p->tree.attrs_used = 0u;
    p->tree.nodes_mark = 0u;
    p->tree.attrs_mark = 0u;
    p->state = XS_DECL;
    p->error = XC_SE_NONE;

    /* Unknown bytes already collected, an unknown number of them. */
    /*@ loop invariant 0 <= k <= XC_XML_DECL_MAX;
        loop assigns k, p->decl[0 .. XC_XML_DECL_MAX - 1], Frama_C_entropy_source;
        loop variant XC_XML_DECL_MAX - k;
    */
    for (k = 0u; k < XC_XML_DECL_MAX; k++)
        p->decl[k] = Frama_C_unsigned_char_interval(0u, 255u);
    p->decl_len = Frama_C_unsigned_int_interval(0u, XC_XML_DECL_MAX);

    /* Feed unknown bytes while the declaration is still being read. */
    /*@ loop invariant 0 <= k <= 4;
        loop invariant xc_xml_parser_ok(p);
        loop assigns k, ev, p->decl[0 .. XC_XML_DECL_MAX - 1], p->decl_len, p->state, p->error,
                     p->error_reason, Frama_C_entropy_source;
        loop variant 4 - k;
    */
    for (k = 0u; k < 4u; k++) {
        ev = xc_xml_decl_byte(p, Frama_C_unsigned_char_interval(0u, 255u));
        if (ev != XC_XML_NEED_MORE || p->state != XS_DECL)
            break;
    }
}
#endif
