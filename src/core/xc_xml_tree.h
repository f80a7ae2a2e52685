/*
 * xc_xml_tree.h — reading the trees the parser builds (never modifying them).
 */
#ifndef XC_XML_TREE_H
#define XC_XML_TREE_H

#include "xc_xml.h"

/* The attribute with this namespace (len 0 = none) and local name, or NULL. */
/*@ requires \valid_read(e) && xc_str_valid(ns) && xc_str_valid(name);
    assigns \nothing;
*/
const xc_xml_attr *xc_xml_attr_find(const xc_xml_node *e, xc_str ns, xc_str name);

/* The first child element with this namespace and local name, or NULL. */
/*@ requires \valid_read(e) && xc_str_valid(ns) && xc_str_valid(name);
    assigns \nothing;
*/
const xc_xml_node *xc_xml_child_find(const xc_xml_node *e, xc_str ns, xc_str name);

/* 1 when both trees have the same expanded names, attributes (in order), and text. */
/*@ requires \valid_read(a) && \valid_read(b);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
int xc_xml_tree_equal(const xc_xml_node *a, const xc_xml_node *b);

#endif
