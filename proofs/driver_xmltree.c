/*
 * driver_xmltree.c — Frama-C entry point for reading and writing parser trees
 * (xc_xml_tree.h, xc_xml_write.h), in ANSSI x509-parser's style.
 *
 * The tree is built over static pools whose contents are unknown: every link, count and
 * first-index of every node is any 32-bit value, every kind is either kind, every string
 * is an unknown run of an unknown text buffer, and nodes_used / attrs_used are unknown
 * within the pools' caps. So EVA explores the accessors, the bounded walks and the writer
 * on trees the parser never builds (cycles, dangling links, ranges past the end), and WP
 * checks each call against its contract. Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_xml_tree.h"
#include "xc_xml_write.h"

#define DRV_NODES 6u
#define DRV_ATTRS 6u
#define DRV_TEXT 16u
#define DRV_OUT 64u

static xc_xml_node drv_nodes[DRV_NODES];
static xc_xml_attr drv_attrs[DRV_ATTRS];
static char drv_text[DRV_TEXT];
static uint8_t drv_out[DRV_OUT];

void xc_drive_xmltree(void);

/* An unknown string: a prefix of unknown length of the unknown text buffer. */
/*@ assigns \result, Frama_C_entropy_source \from Frama_C_entropy_source;
    ensures xc_str_valid(\result) && \result.len <= DRV_TEXT;
*/
static xc_str drv_str(void)
{
    xc_str s;
    s.ptr = drv_text;
    s.len = Frama_C_unsigned_int_interval(0u, DRV_TEXT);
    return s;
}

/* Any index, valid or not (XC_XML_NONE included). */
/*@ assigns \result, Frama_C_entropy_source \from Frama_C_entropy_source;
*/
static uint32_t drv_index(void)
{
    return Frama_C_unsigned_int_interval(0u, 0xFFFFFFFFu);
}

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_xmltree(void)
{
    xc_xml_tree t;
    const xc_xml_node *e;
    const xc_xml_attr *a;
    uint32_t i, j;
    size_t out_cap, out_len = 0u;
    int r;
    xc_xml_write_status st;

    Frama_C_make_unknown(drv_text, DRV_TEXT);
    /*@ loop invariant 0 <= i <= DRV_NODES;
        loop invariant \forall integer k; 0 <= k < i ==> xc_xml_node_strs_ok(&drv_nodes[k]);
        loop assigns i, drv_nodes[0 .. DRV_NODES - 1], Frama_C_entropy_source;
        loop variant DRV_NODES - i;
    */
    for (i = 0u; i < DRV_NODES; i++) {
        drv_nodes[i].kind = Frama_C_interval(0, 1) ? XC_XML_ELEMENT_NODE : XC_XML_TEXT_NODE;
        drv_nodes[i].parent = drv_index();
        drv_nodes[i].next = drv_index();
        drv_nodes[i].first_child = drv_index();
        drv_nodes[i].last_child = drv_index();
        drv_nodes[i].attr_first = drv_index();
        drv_nodes[i].n_attrs = drv_index();
        drv_nodes[i].decl_first = drv_index();
        drv_nodes[i].n_decls = drv_index();
        drv_nodes[i].ns = drv_str();
        drv_nodes[i].prefix = drv_str();
        drv_nodes[i].name = drv_str();
        drv_nodes[i].default_ns = drv_str();
        drv_nodes[i].text = drv_str();
    }
    /*@ loop invariant 0 <= i <= DRV_ATTRS;
        loop invariant \forall integer k; 0 <= k < DRV_NODES ==> xc_xml_node_strs_ok(&drv_nodes[k]);
        loop invariant \forall integer k; 0 <= k < i ==> xc_xml_attr_strs_ok(&drv_attrs[k]);
        loop assigns i, drv_attrs[0 .. DRV_ATTRS - 1], Frama_C_entropy_source;
        loop variant DRV_ATTRS - i;
    */
    for (i = 0u; i < DRV_ATTRS; i++) {
        drv_attrs[i].ns = drv_str();
        drv_attrs[i].name = drv_str();
        drv_attrs[i].value = drv_str();
    }
    t.nodes = drv_nodes;
    t.attrs = drv_attrs;
    t.nodes_cap = DRV_NODES;
    t.attrs_cap = DRV_ATTRS;
    t.nodes_used = Frama_C_unsigned_int_interval(0u, DRV_NODES);
    t.attrs_used = Frama_C_unsigned_int_interval(0u, DRV_ATTRS);
    t.nodes_mark = 0u;
    t.attrs_mark = 0u;

    /* Accessors on any index; the node they return (or the first node) as e. */
    i = drv_index();
    e = xc_xml_node_at(&t, i);
    if (e == NULL)
        e = &drv_nodes[0];
    a = xc_xml_attr_at(&t, e, drv_index());
    a = xc_xml_decl_at(&t, e, drv_index());
    a = xc_xml_attr_find(&t, e, drv_str(), drv_str());
    (void)a;
    e = xc_xml_child_find(&t, e, drv_str(), drv_str());
    if (e != NULL) {
        j = xc_xml_index_of(&t, e);
        /*@ assert j < t.nodes_used; */
    }

    /* Equality of any two subtrees, of a subtree with itself. */
    i = drv_index();
    j = drv_index();
    r = xc_xml_tree_equal(&t, i, &t, j);
    r = xc_xml_tree_equal(&t, i, &t, i);
    (void)r;

    /* Serialising any node into an output of unknown size, and into none at all. */
    out_cap = (size_t)Frama_C_unsigned_int_interval(0u, DRV_OUT);
    st = xc_xml_write(&t, drv_index(), drv_str(), drv_out, out_cap, &out_len);
    /*@ assert out_len <= out_cap; */
    st = xc_xml_write(&t, drv_index(), drv_str(), (uint8_t *)0, 0u, &out_len);
    /*@ assert out_len == 0; */
    (void)st;
}
#endif
