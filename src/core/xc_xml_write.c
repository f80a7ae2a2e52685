/*
 * xc_xml_write.c — iterative serialiser for parser trees.
 *
 * Escaping: in character data and attribute values all five predefined entities are written
 * as references (RFC 3920 §11.1 asks for this), and so are the characters the parser would
 * otherwise normalise away: CR anywhere, TAB and LF inside attribute values. That is what
 * makes parse(write(t)) == t hold.
 */
#include "xc_xml_write.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

#include <string.h>

typedef struct writer {
    uint8_t *out;
    size_t cap;
    size_t len;
    int full;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->full || n > w->cap - w->len) {
        w->full = 1;
        return;
    }
    memcpy(w->out + w->len, s, n);
    w->len += n;
}

static void put_str(writer *w, xc_str s)
{
    put(w, s.ptr, s.len);
}

static void put_escaped(writer *w, xc_str s, int in_attr)
{
    uint32_t i, run = 0;

    for (i = 0; i < s.len; i++) {
        const char *rep = NULL;
        switch (s.ptr[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        case '\r': rep = "&#xD;"; break;
        case '\n': rep = in_attr ? "&#xA;" : NULL; break;
        case '\t': rep = in_attr ? "&#x9;" : NULL; break;
        default: break;
        }
        if (rep != NULL) {
            put(w, s.ptr + run, i - run);
            put(w, rep, strlen(rep));
            run = i + 1;
        }
    }
    put(w, s.ptr + run, s.len - run);
}

/* A generated attribute prefix: "a" followed by the attribute's index. */
static void put_prefix(writer *w, uint32_t k)
{
    char buf[12];
    size_t n = sizeof(buf);
    do {
        buf[--n] = (char)('0' + (k % 10u));
        k /= 10u;
    } while (k > 0 && n > 1);
    buf[--n] = 'a';
    put(w, buf + n, sizeof(buf) - n);
}

static void put_start_tag(writer *w, const xc_xml_tree *t, const xc_xml_node *n, xc_str in_scope)
{
    static const xc_str xml_ns = { XC_NS_XML, (uint32_t)(sizeof(XC_NS_XML) - 1) };
    uint32_t k;

    put(w, "<", 1);
    put_str(w, n->name);
    if (!xc_str_eq(n->ns, in_scope)) {
        put(w, " xmlns='", 8);
        put_escaped(w, n->ns, 1);
        put(w, "'", 1);
    }
    for (k = 0; k < n->n_attrs; k++) {
        const xc_xml_attr *a = xc_xml_attr_at(t, n, k);
        if (a == NULL)
            break;
        put(w, " ", 1);
        if (a->ns.len > 0 && xc_str_eq(a->ns, xml_ns)) {
            put(w, "xml:", 4);
        } else if (a->ns.len > 0) {
            put(w, "xmlns:", 6);
            put_prefix(w, k);
            put(w, "='", 2);
            put_escaped(w, a->ns, 1);
            put(w, "' ", 2);
            put_prefix(w, k);
            put(w, ":", 1);
        }
        put_str(w, a->name);
        put(w, "='", 2);
        put_escaped(w, a->value, 1);
        put(w, "'", 1);
    }
    put(w, n->first_child != XC_XML_NONE ? ">" : "/>", n->first_child != XC_XML_NONE ? 1u : 2u);
}

static void put_end_tag(writer *w, const xc_xml_node *n)
{
    put(w, "</", 2);
    put_str(w, n->name);
    put(w, ">", 1);
}

xc_xml_write_status xc_xml_write(const xc_xml_tree *t, uint32_t e, xc_str outer_ns, uint8_t *out,
                                 size_t out_cap, size_t *len)
{
    writer w = { out, out_cap, 0, 0 };
    uint32_t i = e;
    uint32_t steps;
    int done = 0;

    /* Pre-order walk: every node is entered once and left once. */
    for (steps = 0; steps < 2u * t->nodes_used + 2u && !done; steps++) {
        const xc_xml_node *n = xc_xml_node_at(t, i);
        if (n == NULL) {
            w.full = 1;
            break;
        }
        if (n->kind == XC_XML_TEXT_NODE) {
            put_escaped(&w, n->text, 0);
        } else {
            const xc_xml_node *parent = xc_xml_node_at(t, n->parent);
            put_start_tag(&w, t, n, (i == e || parent == NULL) ? outer_ns : parent->ns);
            if (n->first_child != XC_XML_NONE) {
                i = n->first_child;
                continue;
            }
        }
        /* n is complete: close the ancestors that have no further children */
        while (i != e && n->next == XC_XML_NONE && steps < 2u * t->nodes_used + 2u) {
            i = n->parent;
            n = xc_xml_node_at(t, i);
            if (n == NULL)
                break;
            put_end_tag(&w, n);
            steps++;
        }
        if (n == NULL) {
            w.full = 1;
            break;
        }
        if (i == e)
            done = 1;
        else
            i = n->next;
    }
    *len = w.len;
    return (w.full || !done) ? XC_XML_WRITE_NO_ROOM : XC_XML_WRITE_OK;
}
