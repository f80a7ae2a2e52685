/*
 * xc_xml_tree.c — lookups and structural equality over parser trees.
 *
 * Walks are iterative (no recursion: constant stack whatever the nesting) and bounded by the
 * number of nodes in the pool, so even a corrupted link could not make them loop.
 */
#include "xc_xml_tree.h"
#include "xc_str.h"

const xc_xml_tree *xc_xml_parser_tree(const xc_xml_parser *p)
{
    return &p->tree;
}

const xc_xml_node *xc_xml_node_at(const xc_xml_tree *t, uint32_t i)
{
    return i < t->nodes_used ? &t->nodes[i] : NULL;
}

const xc_xml_attr *xc_xml_attr_at(const xc_xml_tree *t, const xc_xml_node *e, uint32_t k)
{
    if (k >= e->n_attrs || e->attr_first >= t->attrs_used || k >= t->attrs_used - e->attr_first)
        return NULL;
    return &t->attrs[e->attr_first + k];
}

const xc_xml_attr *xc_xml_decl_at(const xc_xml_tree *t, const xc_xml_node *e, uint32_t k)
{
    if (k >= e->n_decls || e->decl_first >= t->attrs_used || k >= t->attrs_used - e->decl_first)
        return NULL;
    return &t->attrs[e->decl_first + k];
}

const xc_xml_attr *xc_xml_attr_find(const xc_xml_tree *t, const xc_xml_node *e, xc_str ns, xc_str name)
{
    uint32_t k;
    /*@ loop invariant 0 <= k <= e->n_attrs;
        loop assigns k;
        loop variant e->n_attrs - k;
    */
    for (k = 0; k < e->n_attrs; k++) {
        const xc_xml_attr *a = xc_xml_attr_at(t, e, k);
        if (a == NULL)
            break;
        if (xc_str_eq(a->name, name) && xc_str_eq(a->ns, ns))
            return a;
    }
    return NULL;
}

const xc_xml_node *xc_xml_child_find(const xc_xml_tree *t, const xc_xml_node *e, xc_str ns, xc_str name)
{
    uint32_t i = e->first_child;
    uint32_t steps;

    /*@ loop invariant 0 <= steps <= t->nodes_used;
        loop assigns steps, i;
        loop variant t->nodes_used - steps;
    */
    for (steps = 0; steps < t->nodes_used && i < t->nodes_used; steps++) {
        const xc_xml_node *c = &t->nodes[i];
        if (c->kind == XC_XML_ELEMENT_NODE && xc_str_eq(c->name, name) && xc_str_eq(c->ns, ns))
            return c;
        i = c->next;
    }
    return NULL;
}

uint32_t xc_xml_index_of(const xc_xml_tree *t, const xc_xml_node *n)
{
    return (uint32_t)(n - t->nodes);
}

/*@ requires xc_xml_tree_ok((xc_xml_tree *)ta) && xc_xml_tree_ok((xc_xml_tree *)tb);
    requires xc_xml_tree_strs_ok((xc_xml_tree *)ta) && xc_xml_tree_strs_ok((xc_xml_tree *)tb);
    requires \valid_read(a) && \valid_read(b);
    requires xc_xml_node_strs_ok((xc_xml_node *)a) && xc_xml_node_strs_ok((xc_xml_node *)b);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> a->kind == b->kind;
*/
static int node_equal(const xc_xml_tree *ta, const xc_xml_node *a, const xc_xml_tree *tb, const xc_xml_node *b)
{
    uint32_t k;

    if (a->kind != b->kind)
        return 0;
    if (a->kind == XC_XML_TEXT_NODE)
        return xc_str_eq(a->text, b->text);
    if (!xc_str_eq(a->name, b->name) || !xc_str_eq(a->ns, b->ns) || a->n_attrs != b->n_attrs)
        return 0;
    /*@ loop invariant 0 <= k <= a->n_attrs;
        loop assigns k;
        loop variant a->n_attrs - k;
    */
    for (k = 0; k < a->n_attrs; k++) {
        const xc_xml_attr *x = xc_xml_attr_at(ta, a, k);
        const xc_xml_attr *y = xc_xml_attr_at(tb, b, k);
        if (x == NULL || y == NULL)
            return 0;
        if (!xc_str_eq(x->name, y->name) || !xc_str_eq(x->ns, y->ns) || !xc_str_eq(x->value, y->value))
            return 0;
    }
    return 1;
}

int xc_xml_tree_equal(const xc_xml_tree *ta, uint32_t a, const xc_xml_tree *tb, uint32_t b)
{
    const uint32_t ra = a;
    /* Lock-step pre-order walk; the shapes must match at every move. Each node is entered
     * once and left once, so 2 * nodes_used + 2 steps always suffice (counted in 64 bits:
     * the bound cannot wrap whatever the pool size). */
    const uint64_t limit = 2u * (uint64_t)ta->nodes_used + 2u;
    uint64_t steps;

    /*@ loop invariant 0 <= steps <= limit + 1;
        loop invariant steps == 0 ==> a == \at(a, Pre) && b == \at(b, Pre);
        loop invariant steps > 0 ==> \at(a, Pre) < ta->nodes_used && \at(b, Pre) < tb->nodes_used;
        loop assigns steps, a, b;
        loop variant limit + 1 - steps;
    */
    for (steps = 0; steps < limit; steps++) {
        const xc_xml_node *na = xc_xml_node_at(ta, a);
        const xc_xml_node *nb = xc_xml_node_at(tb, b);
        if (na == NULL || nb == NULL || !node_equal(ta, na, tb, nb))
            return 0;
        if (na->first_child != XC_XML_NONE || nb->first_child != XC_XML_NONE) {
            a = na->first_child;
            b = nb->first_child;
            continue;
        }
        /* climb until a next sibling exists or the root is reached */
        /*@ loop invariant \at(steps, LoopEntry) <= steps <= limit;
            loop invariant a < ta->nodes_used && na == ta->nodes + a;
            loop invariant b < tb->nodes_used && nb == tb->nodes + b;
            loop assigns steps, a, b, na, nb;
            loop variant limit - steps;
        */
        while (a != ra && na->next == XC_XML_NONE && steps < limit) {
            if (nb->next != XC_XML_NONE)
                return 0;
            a = na->parent;
            b = nb->parent;
            na = xc_xml_node_at(ta, a);
            nb = xc_xml_node_at(tb, b);
            if (na == NULL || nb == NULL)
                return 0;
            steps++;
        }
        if (a == ra)
            return 1;
        if (nb->next == XC_XML_NONE)
            return 0;
        a = na->next;
        b = nb->next;
    }
    return 0;
}
