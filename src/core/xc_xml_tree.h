/*
 * xc_xml_tree.h — reading the trees the parser builds (never modifying them).
 *
 * Nodes link to each other by index into the tree's pools; these accessors turn an index
 * into a node or attribute, checking it, so a consumer never indexes a pool itself.
 */
#ifndef XC_XML_TREE_H
#define XC_XML_TREE_H

#include "xc_xml.h"

/* Node i, or NULL when i is XC_XML_NONE or not a node of t. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
*/
const xc_xml_node *xc_xml_node_at(const xc_xml_tree *t, uint32_t i);

/* The k-th attribute of e (document order), or NULL when k >= e->n_attrs. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
*/
const xc_xml_attr *xc_xml_attr_at(const xc_xml_tree *t, const xc_xml_node *e, uint32_t k);

/* The k-th namespace declaration made on e (name = prefix, value = URI), or NULL. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
*/
const xc_xml_attr *xc_xml_decl_at(const xc_xml_tree *t, const xc_xml_node *e, uint32_t k);

/* The attribute with this namespace (len 0 = none) and local name, or NULL. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e) && xc_str_valid(ns) && xc_str_valid(name);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
*/
const xc_xml_attr *xc_xml_attr_find(const xc_xml_tree *t, const xc_xml_node *e, xc_str ns, xc_str name);

/* The first child element with this namespace and local name, or NULL. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e) && xc_str_valid(ns) && xc_str_valid(name);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
*/
const xc_xml_node *xc_xml_child_find(const xc_xml_tree *t, const xc_xml_node *e, xc_str ns, xc_str name);

/* 1 when the subtrees at a (in ta) and b (in tb) have the same expanded names, attributes
 * in order, and text; 0 otherwise. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)ta) && xc_xml_tree_ok((xc_xml_tree *)tb);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
int xc_xml_tree_equal(const xc_xml_tree *ta, uint32_t a, const xc_xml_tree *tb, uint32_t b);

/* Index of node n in t (n must be a node of t). */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(n);
    assigns \nothing;
*/
uint32_t xc_xml_index_of(const xc_xml_tree *t, const xc_xml_node *n);

#endif
