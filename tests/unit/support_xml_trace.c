#include "support_xml_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support_guard.h"
#include "xc_xml_tree.h"
#include "xc_xml_write.h"

typedef struct tbuf {
    char *p;
    size_t cap, len;
} tbuf;

static void tput(tbuf *t, const char *s, size_t n)
{
    if (t->cap == 0)
        return;
    if (n > t->cap - 1 - t->len)
        n = t->cap - 1 - t->len;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void tputs(tbuf *t, const char *s)
{
    tput(t, s, strlen(s));
}

static void tstr(tbuf *t, xc_str s)
{
    tput(t, s.ptr, s.len);
}

static void trace_header(tbuf *t, const xc_xml_tree *tree, const xc_xml_node *h)
{
    const xc_xml_attr *a;
    uint32_t k;
    tputs(t, "O:");
    tstr(t, h->prefix);
    tputs(t, "|");
    tstr(t, h->ns);
    for (k = 0; (a = xc_xml_attr_at(tree, h, k)) != NULL; k++) {
        tputs(t, " {");
        tstr(t, a->ns);
        tputs(t, "}");
        tstr(t, a->name);
        tputs(t, "=");
        tstr(t, a->value);
    }
    for (k = 0; (a = xc_xml_decl_at(tree, h, k)) != NULL; k++) {
        tputs(t, " xmlns:");
        tstr(t, a->name);
        tputs(t, "=");
        tstr(t, a->value);
    }
    tputs(t, "\n");
}

static int on_event(tbuf *t, const xc_xml_parser *p, xc_xml_event ev, xc_xml_content_ns ns)
{
    static uint8_t out[1 << 20];
    size_t n = 0;
    const xc_xml_tree *tree = xc_xml_tree_of(p);
    xc_str outer = ns == XC_XML_CONTENT_SERVER ? (xc_str){ XC_NS_SERVER, 13 } : (xc_str){ XC_NS_CLIENT, 13 };

    switch (ev) {
    case XC_XML_EV_STREAM_OPEN:
        trace_header(t, tree, xc_xml_header(p));
        return 0;
    case XC_XML_EV_ELEMENT:
        tputs(t, "E:");
        if (xc_xml_write(tree, xc_xml_index_of(tree, xc_xml_element(p)), outer, out, sizeof(out), &n) !=
            XC_XML_WRITE_OK)
            tputs(t, "<write failed>");
        tput(t, (const char *)out, n);
        tputs(t, "\n");
        return 0;
    case XC_XML_EV_STREAM_CLOSE:
        tputs(t, "C\n");
        return 0;
    case XC_XML_EV_ERROR:
        tputs(t, "X:");
        tstr(t, *xc_stream_error_name(xc_xml_error(p)));
        tputs(t, "\n");
        return 1;
    case XC_XML_NEED_MORE:
    default:
        return 0;
    }
}

void xml_parser_new(xc_xml_parser *p, xc_xml_content_ns ns, const xc_xml_limits *lim)
{
    xc_xml_memory m;
    xc_xml_memory_need(lim, &m);
    m.nodes = calloc(m.nodes_n, sizeof(*m.nodes));
    m.attrs = calloc(m.attrs_n, sizeof(*m.attrs));
    m.bytes = calloc(m.bytes_n, 1);
    if (m.nodes == NULL || m.attrs == NULL || m.bytes == NULL)
        abort();
    xc_xml_init(p, ns, lim, &m);
}

void xml_parser_free(xc_xml_parser *p)
{
    free(p->tree.nodes);
    free(p->tree.attrs);
    free(p->arena.base);
}

xc_stream_error xml_trace(const uint8_t *in, size_t len, size_t chunk, uint32_t seed,
                          xc_xml_content_ns ns, const xc_xml_limits *lim, char *out, size_t cap)
{
    xc_xml_parser p;
    tbuf t = { out, cap, 0 };
    size_t off = 0;
    int stop = 0;

    if (cap > 0)
        out[0] = '\0';
    xml_parser_new(&p, ns, lim);
    while (off < len && !stop) {
        size_t piece = len - off, used = 0;
        uint8_t *g;
        if (chunk == 1) {
            piece = 1;
        } else if (chunk > 1) {
            seed = seed * 1103515245u + 12345u;
            piece = 1 + (seed >> 8) % chunk;
            if (piece > len - off)
                piece = len - off;
        }
        g = guard_copy(in + off, piece);
        while (used < piece && !stop) {
            size_t c = 0;
            xc_xml_event ev = xc_xml_feed(&p, g + used, piece - used, &c);
            if (c > piece - used)
                abort();
            used += c;
            stop = on_event(&t, &p, ev, ns);
            if (ev == XC_XML_NEED_MORE && c == 0)
                abort(); /* no progress without an event: a parser bug */
        }
        guard_free(g, piece);
        off += piece;
    }
    /* events that need no input (close after <stream:stream/>) */
    while (!stop) {
        size_t c = 0;
        xc_xml_event ev = xc_xml_feed(&p, NULL, 0, &c);
        if (ev == XC_XML_NEED_MORE)
            break;
        stop = on_event(&t, &p, ev, ns);
    }
    xml_parser_free(&p);
    return xc_xml_error(&p);
}
