/*
 * xc_xml_tree.c — lookups and structural equality over parser trees.
 *
 * Trees are walked iteratively through parent/next links: no recursion, so the stack use is
 * constant whatever the nesting a peer sends.
 */
#include "xc_xml_tree.h"
#include "xc_str.h"

const xc_xml_attr *xc_xml_attr_find(const xc_xml_node *e, xc_str ns, xc_str name)
{
    const xc_xml_attr *a;
    for (a = e->attrs; a != NULL; a = a->next) {
        if (xc_str_eq(a->name, name) && xc_str_eq(a->ns, ns))
            return a;
    }
    return NULL;
}

const xc_xml_node *xc_xml_child_find(const xc_xml_node *e, xc_str ns, xc_str name)
{
    const xc_xml_node *c;
    for (c = e->children; c != NULL; c = c->next) {
        if (c->kind == XC_XML_ELEMENT_NODE && xc_str_eq(c->name, name) && xc_str_eq(c->ns, ns))
            return c;
    }
    return NULL;
}

static int node_equal(const xc_xml_node *a, const xc_xml_node *b)
{
    const xc_xml_attr *x, *y;

    if (a->kind != b->kind)
        return 0;
    if (a->kind == XC_XML_TEXT_NODE)
        return xc_str_eq(a->text, b->text);
    if (!xc_str_eq(a->name, b->name) || !xc_str_eq(a->ns, b->ns) || a->n_attrs != b->n_attrs)
        return 0;
    for (x = a->attrs, y = b->attrs; x != NULL && y != NULL; x = x->next, y = y->next) {
        if (!xc_str_eq(x->name, y->name) || !xc_str_eq(x->ns, y->ns) || !xc_str_eq(x->value, y->value))
            return 0;
    }
    return x == NULL && y == NULL;
}

int xc_xml_tree_equal(const xc_xml_node *a, const xc_xml_node *b)
{
    const xc_xml_node *ra = a;

    /* Lock-step pre-order walk; the shapes must match at every move. */
    for (;;) {
        if (!node_equal(a, b))
            return 0;
        if (a->children != NULL || b->children != NULL) {
            if (a->children == NULL || b->children == NULL)
                return 0;
            a = a->children;
            b = b->children;
            continue;
        }
        /* climb until a next sibling exists or the root is reached */
        while (a != ra && a->next == NULL) {
            if (b->next != NULL)
                return 0;
            a = a->parent;
            b = b->parent;
        }
        if (a == ra)
            return 1;
        if (b->next == NULL)
            return 0;
        a = a->next;
        b = b->next;
    }
}
