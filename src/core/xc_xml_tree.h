/*
 * xc_xml_tree.h — reading the trees the parser builds (never modifying them).
 *
 * Nodes link to each other by index into the tree's pools; these accessors turn an index
 * into a node or attribute, checking it, so a consumer never indexes a pool itself.
 *
 * The proofs rely on xc_xml_tree_ok (the pools are valid up to their caps) and, where a
 * function reads the strings of nodes and attributes, on xc_xml_tree_strs_ok (every string of
 * a used node or attribute is readable). Links are never trusted: every index is checked
 * against *_used before it is followed, and every walk is bounded by the pool's size.
 */
#ifndef XC_XML_TREE_H
#define XC_XML_TREE_H

#include "xc_str.h"
#include "xc_xml.h"

/*@ predicate xc_xml_node_strs_ok(xc_xml_node *n) =
      xc_str_valid(n->ns) && xc_str_valid(n->prefix) && xc_str_valid(n->name) &&
      xc_str_valid(n->default_ns) && xc_str_valid(n->text);

    predicate xc_xml_attr_strs_ok(xc_xml_attr *a) =
      xc_str_valid(a->ns) && xc_str_valid(a->name) && xc_str_valid(a->value);

    // Every string of every used node and attribute of t can be read.
    predicate xc_xml_tree_strs_ok(xc_xml_tree *t) =
      (\forall integer i; 0 <= i < t->nodes_used ==> xc_xml_node_strs_ok(t->nodes + i)) &&
      (\forall integer k; 0 <= k < t->attrs_used ==> xc_xml_attr_strs_ok(t->attrs + k));
*/

/* The tree of parser p, for reading: what xc_xml_tree_of gives, with xc_xml_tree_strs_ok stated.
 * xc_xml_parser_ok already implies it (xc_xml_nodes_ok, xc_xml_attrs_ok); stating it here, in a
 * function of one line, spares every reader's proof that step, which times out in large
 * functions. */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p);
    assigns \nothing;
    ensures \result == &p->tree;
    ensures xc_xml_tree_ok((xc_xml_tree *)\result) && xc_xml_tree_strs_ok((xc_xml_tree *)\result);
*/
const xc_xml_tree *xc_xml_parser_tree(const xc_xml_parser *p);

/* Node i, or NULL when i is XC_XML_NONE or not a node of t. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures i < t->nodes_used ==> \result == t->nodes + i;
    ensures i >= t->nodes_used ==> \result == \null;
*/
const xc_xml_node *xc_xml_node_at(const xc_xml_tree *t, uint32_t i);

/* The k-th attribute of e (document order), or NULL when k >= e->n_attrs. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures \result != \null ==>
              k < e->n_attrs && e->attr_first + k < t->attrs_used && \result == t->attrs + (e->attr_first + k);
    ensures k >= e->n_attrs ==> \result == \null;
*/
const xc_xml_attr *xc_xml_attr_at(const xc_xml_tree *t, const xc_xml_node *e, uint32_t k);

/* The k-th namespace declaration made on e (name = prefix, value = URI), or NULL. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures \result != \null ==>
              k < e->n_decls && e->decl_first + k < t->attrs_used && \result == t->attrs + (e->decl_first + k);
    ensures k >= e->n_decls ==> \result == \null;
*/
const xc_xml_attr *xc_xml_decl_at(const xc_xml_tree *t, const xc_xml_node *e, uint32_t k);

/* The attribute with this namespace (len 0 = none) and local name, or NULL. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e) && xc_str_valid(ns) && xc_str_valid(name);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures \result != \null ==>
              (\exists integer k; 0 <= k < e->n_attrs && e->attr_first + k < t->attrs_used &&
                                  \result == t->attrs + (e->attr_first + k)) &&
              xc_str_same(\result->name, name) && xc_str_same(\result->ns, ns);
*/
const xc_xml_attr *xc_xml_attr_find(const xc_xml_tree *t, const xc_xml_node *e, xc_str ns, xc_str name);

/* The first child element with this namespace and local name, or NULL. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e) && xc_str_valid(ns) && xc_str_valid(name);
    assigns \nothing;
    ensures \result == \null || \valid_read(\result);
    ensures \result != \null ==>
              (\exists integer i; 0 <= i < t->nodes_used && \result == t->nodes + i) &&
              \result->kind == XC_XML_ELEMENT_NODE &&
              xc_str_same(\result->name, name) && xc_str_same(\result->ns, ns);
*/
const xc_xml_node *xc_xml_child_find(const xc_xml_tree *t, const xc_xml_node *e, xc_str ns, xc_str name);

/* 1 when the subtrees at a (in ta) and b (in tb) have the same expanded names, attributes
 * in order, and text; 0 otherwise. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)ta) && xc_xml_tree_ok((xc_xml_tree *)tb);
    requires xc_xml_tree_strs_ok((xc_xml_tree *)ta) && xc_xml_tree_strs_ok((xc_xml_tree *)tb);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> a < ta->nodes_used && b < tb->nodes_used;
*/
int xc_xml_tree_equal(const xc_xml_tree *ta, uint32_t a, const xc_xml_tree *tb, uint32_t b);

/* Index of node n in t (n must be a node of t). */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t);
    requires \exists integer i; 0 <= i < t->nodes_used && n == t->nodes + i;
    assigns \nothing;
    ensures \result < t->nodes_used && n == t->nodes + \result;
*/
uint32_t xc_xml_index_of(const xc_xml_tree *t, const xc_xml_node *n);

#endif
