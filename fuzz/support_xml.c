/*
 * support_xml.c — parser memory, cap checks and canonical trees for the XML harnesses.
 * See support_xml.h. No mmap or large allocation per input: pools are allocated once.
 */
#include "support_xml.h"

#include <stdlib.h>
#include <string.h>

#include "xc_xml_tree.h"

const xc_xml_limits fx_limits_roundtrip = {
    .max_stanza_bytes = 0x110000u,
    .max_header_bytes = 4096u,
    .max_elements = 16384u,
    .max_arena_bytes = 0x400000u,
    .max_depth = 64u,
    .max_attrs = 64u,
    .max_ns_decls = 128u,
    .max_name_bytes = 1024u,
};

typedef struct fx_slot {
    xc_xml_node *nodes;
    xc_xml_attr *attrs;
    char *bytes;
    xc_xml_memory max;
} fx_slot;

static fx_slot slots[FX_SLOTS];

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

static void slot_alloc(fx_slot *s)
{
    xc_xml_memory a, b;
    xc_xml_memory_need(&xc_xml_limits_s2s, &a);
    xc_xml_memory_need(&fx_limits_roundtrip, &b);
    s->max.nodes_n = max_u32(a.nodes_n, b.nodes_n);
    s->max.attrs_n = max_u32(a.attrs_n, b.attrs_n);
    s->max.bytes_n = max_u32(a.bytes_n, b.bytes_n);
    s->nodes = malloc((size_t)s->max.nodes_n * sizeof(*s->nodes));
    s->attrs = malloc((size_t)s->max.attrs_n * sizeof(*s->attrs));
    s->bytes = malloc(s->max.bytes_n);
    if (s->nodes == NULL || s->attrs == NULL || s->bytes == NULL)
        abort();
}

void fx_parser_init(xc_xml_parser *p, int slot, xc_xml_content_ns ns, const xc_xml_limits *mem_lim,
                    const xc_xml_limits *lim)
{
    fx_slot *s;
    xc_xml_memory m;

    if (slot < 0 || slot >= FX_SLOTS)
        abort();
    s = &slots[slot];
    if (s->nodes == NULL)
        slot_alloc(s);
    xc_xml_memory_need(mem_lim, &m);
    if (m.nodes_n > s->max.nodes_n || m.attrs_n > s->max.attrs_n || m.bytes_n > s->max.bytes_n)
        abort();
    /* the tail of each pool: one element past the end is a redzone */
    m.nodes = s->nodes + (s->max.nodes_n - m.nodes_n);
    m.attrs = s->attrs + (s->max.attrs_n - m.attrs_n);
    m.bytes = s->bytes + (s->max.bytes_n - m.bytes_n);
    xc_xml_init(p, ns, mem_lim, &m);
    xc_xml_set_limits(p, lim);
}

void fx_check_element(const xc_xml_parser *p, const xc_xml_node *e)
{
    const xc_xml_tree *t = xc_xml_tree_of(p);
    const xc_xml_limits *l = &p->lim;
    uint32_t root, i, depth = 1, elements = 0, steps;

    if (e == NULL || p->arena.top > p->arena.cap || p->arena.cap > p->arena.size ||
        t->nodes_used > t->nodes_cap || t->attrs_used > t->attrs_cap)
        abort();
    root = i = xc_xml_index_of(t, e);
    /* pre-order walk; each node is entered and left once */
    for (steps = 0;; steps++) {
        const xc_xml_node *n = xc_xml_node_at(t, i);
        if (n == NULL || steps > 2u * t->nodes_used + 2u)
            abort();
        if (n->kind == XC_XML_ELEMENT_NODE) {
            uint32_t qlen = n->name.len + (n->prefix.len > 0 ? n->prefix.len + 1u : 0u), k;
            elements++;
            if (depth > l->max_depth || elements > l->max_elements || n->n_attrs > l->max_attrs ||
                n->n_decls > l->max_ns_decls || qlen > l->max_name_bytes || n->name.len == 0)
                abort();
            for (k = 0; k < n->n_attrs; k++) {
                const xc_xml_attr *a = xc_xml_attr_at(t, n, k);
                if (a == NULL || a->name.len == 0 || a->name.len > l->max_name_bytes)
                    abort();
            }
            for (k = 0; k < n->n_decls; k++) {
                const xc_xml_attr *d = xc_xml_decl_at(t, n, k);
                if (d == NULL || (d->name.len > 0 && d->name.len + 6u > l->max_name_bytes))
                    abort();
            }
            if (n->first_child != XC_XML_NONE) {
                i = n->first_child;
                depth++;
                continue;
            }
        } else if (n->kind != XC_XML_TEXT_NODE || n->first_child != XC_XML_NONE || n->text.len == 0) {
            abort();
        }
        while (i != root && n->next == XC_XML_NONE) {
            i = n->parent;
            depth--;
            n = xc_xml_node_at(t, i);
            if (n == NULL || depth == 0)
                abort();
        }
        if (i == root)
            return;
        i = n->next;
    }
}

void fx_put(fx_buf *b, const void *s, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
}

void fx_put_u32(fx_buf *b, uint32_t v)
{
    fx_put(b, &v, sizeof(v));
}

static void put_lstr(fx_buf *b, const void *s, size_t n)
{
    fx_put_u32(b, (uint32_t)n);
    fx_put(b, s, n);
}

void fx_canon_start(fx_buf *b, const char *ns, size_t ns_len, const char *local, size_t local_len,
                    uint32_t n_attrs)
{
    fx_put(b, "S", 1);
    put_lstr(b, ns, ns_len);
    put_lstr(b, local, local_len);
    fx_put_u32(b, n_attrs);
}

void fx_canon_attr(fx_buf *b, const char *ns, size_t ns_len, const char *local, size_t local_len,
                   const char *value, size_t value_len)
{
    fx_put(b, "A", 1);
    put_lstr(b, ns, ns_len);
    put_lstr(b, local, local_len);
    put_lstr(b, value, value_len);
}

void fx_canon_text(fx_buf *b, const uint8_t *s, size_t n)
{
    if (n == 0)
        return;
    fx_put(b, "T", 1);
    put_lstr(b, s, n);
}

void fx_canon_end(fx_buf *b)
{
    fx_put(b, "E", 1);
}

void fx_canon_tree(fx_buf *b, const xc_xml_tree *t, const xc_xml_node *e)
{
    static fx_buf text;
    uint32_t root = xc_xml_index_of(t, e), i = root, steps;

    text.len = 0;
    for (steps = 0;; steps++) {
        const xc_xml_node *n = xc_xml_node_at(t, i);
        uint32_t k;
        if (n == NULL || steps > 2u * t->nodes_used + 2u)
            abort();
        if (n->kind == XC_XML_TEXT_NODE) {
            fx_put(&text, n->text.ptr, n->text.len); /* adjacent text merges */
        } else {
            fx_canon_text(b, text.p, text.len);
            text.len = 0;
            fx_canon_start(b, n->ns.ptr, n->ns.len, n->name.ptr, n->name.len, n->n_attrs);
            for (k = 0; k < n->n_attrs; k++) {
                const xc_xml_attr *a = xc_xml_attr_at(t, n, k);
                if (a == NULL)
                    abort();
                fx_canon_attr(b, a->ns.ptr, a->ns.len, a->name.ptr, a->name.len, a->value.ptr, a->value.len);
            }
            if (n->first_child != XC_XML_NONE) {
                i = n->first_child;
                continue;
            }
            fx_canon_end(b);
        }
        while (i != root && n->next == XC_XML_NONE) {
            i = n->parent;
            n = xc_xml_node_at(t, i);
            if (n == NULL)
                abort();
            fx_canon_text(b, text.p, text.len);
            text.len = 0;
            fx_canon_end(b);
        }
        if (i == root)
            return;
        i = n->next;
    }
}
