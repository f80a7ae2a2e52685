/*
 * driver_xml.c — Frama-C entry point for the stream parser (ANSSI x509-parser's style).
 *
 * One parser over small static pools is fed reads of unknown bytes and unknown length, for
 * either content namespace and with the limits switched and the parser reset between reads,
 * so EVA explores every state of the machine and WP checks each call against its contract.
 * Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_xml.h"

#define DRV_NODES 16
#define DRV_ATTRS 16
#define DRV_BYTES 256
#define DRV_READ 32
#define DRV_READS 4

static xc_xml_node drv_nodes[DRV_NODES];
static xc_xml_attr drv_attrs[DRV_ATTRS];
static char drv_bytes[DRV_BYTES];
static uint8_t drv_input[DRV_READ];
static xc_xml_parser drv_parser;

void xc_drive_xml(void);

/* Limits of unknown value within what xc_xml_limits_ok allows (the built-in profiles are
 * const data, which the proof does not read). */
/*@ requires \valid(l);
    assigns *l, Frama_C_entropy_source;
    ensures xc_xml_limits_ok(*l);
*/
static void drv_limits(xc_xml_limits *l)
{
    l->max_stanza_bytes = (uint32_t)Frama_C_interval(1, 512);
    l->max_header_bytes = (uint32_t)Frama_C_interval(1, 512);
    l->max_elements = (uint32_t)Frama_C_interval(1, 8);
    l->max_arena_bytes = (uint32_t)Frama_C_interval(0, 1024);
    l->max_depth = (uint16_t)Frama_C_interval(1, 8);
    l->max_attrs = (uint16_t)Frama_C_interval(0, 8);
    l->max_ns_decls = (uint16_t)Frama_C_interval(0, 8);
    l->max_name_bytes = (uint16_t)Frama_C_interval(1, 64);
}

/*@ assigns Frama_C_entropy_source, drv_parser, drv_nodes[0 .. DRV_NODES - 1], drv_attrs[0 .. DRV_ATTRS - 1],
            drv_bytes[0 .. DRV_BYTES - 1], drv_input[0 .. DRV_READ - 1];
*/
void xc_drive_xml(void)
{
    xc_xml_memory mem = { drv_nodes, drv_attrs, drv_bytes, DRV_NODES, DRV_ATTRS, DRV_BYTES };
    xc_xml_memory need;
    xc_xml_limits lim;
    xc_xml_content_ns ns = Frama_C_interval(0, 1) ? XC_XML_CONTENT_SERVER : XC_XML_CONTENT_CLIENT;
    int r, i;


    drv_limits(&lim);
    xc_xml_memory_need(&lim, &need);
    xc_xml_init(&drv_parser, ns, &lim, &mem);
    /*@ loop invariant 0 <= r <= DRV_READS;
        loop invariant xc_xml_parser_ok(&drv_parser);
        loop invariant drv_parser.arena.base == drv_bytes && drv_parser.arena.size == DRV_BYTES;
        loop invariant drv_parser.tree.nodes == drv_nodes && drv_parser.tree.nodes_cap == DRV_NODES;
        loop invariant drv_parser.tree.attrs == drv_attrs && drv_parser.tree.attrs_cap == DRV_ATTRS;
        loop assigns r, i, lim, Frama_C_entropy_source, drv_parser, drv_nodes[0 .. DRV_NODES - 1],
                     drv_attrs[0 .. DRV_ATTRS - 1], drv_bytes[0 .. DRV_BYTES - 1], drv_input[0 .. DRV_READ - 1];
        loop variant DRV_READS - r;
    */
    for (r = 0; r < DRV_READS; r++) {
        size_t len = (size_t)Frama_C_interval(0, DRV_READ);
        size_t used = 0;
        /*@ loop invariant 0 <= i <= DRV_READ;
            loop assigns i, drv_input[0 .. DRV_READ - 1], Frama_C_entropy_source;
            loop variant DRV_READ - i;
        */
        for (i = 0; i < DRV_READ; i++)
            drv_input[i] = Frama_C_unsigned_char_interval(0, 255);
        (void)xc_xml_feed(&drv_parser, drv_input, len, &used);
        (void)xc_xml_error(&drv_parser);
        (void)xc_xml_header(&drv_parser);
        (void)xc_xml_element(&drv_parser);
        (void)xc_xml_tree_of(&drv_parser);
        if (Frama_C_interval(0, 3) == 0 && drv_parser.depth <= 1) {
            drv_limits(&lim);
            xc_xml_set_limits(&drv_parser, &lim);
        }
        if (Frama_C_interval(0, 7) == 0)
            xc_xml_reset(&drv_parser);
    }
}
#endif
