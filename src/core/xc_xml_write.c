/*
 * xc_xml_write.c — iterative serialiser for parser trees.
 *
 * Escaping: in character data and attribute values all five predefined entities are written
 * as references (RFC 3920 §11.1 asks for this), and so are the characters the parser would
 * otherwise normalise away: CR anywhere, TAB and LF inside attribute values. That is what
 * makes parse(write(t)) == t hold.
 *
 * Every byte goes through xc_out (xc_out.h), which writes only inside out[len .. cap-1] and,
 * once a piece does not fit, marks the writer full and writes nothing more.
 */
#include "xc_xml_write.h"
#include "xc_out.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

/* A generated attribute prefix: "a" followed by the attribute's index. */
/*@ requires xc_out_ok(w);
    assigns w->full, w->len, w->out[w->len .. w->cap - 1];
    ensures xc_out_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_prefix(xc_out *w, uint32_t k)
{
    char buf[12];
    size_t n = sizeof(buf);
    /*@ loop invariant 2 <= n <= 12;
        loop assigns n, k, buf[0 .. 11];
        loop variant n;
    */
    do {
        buf[--n] = (char)('0' + (k % 10u));
        k /= 10u;
    } while (k > 0 && n > 1);
    buf[--n] = 'a';
    xc_out_put(w, buf + n, sizeof(buf) - n);
}

/* An attribute the stamp writes itself: type, from or to without a namespace, or xml:lang,
 * when set. */
/*@ requires \valid_read(st) && \valid_read(a) && xc_xml_attr_strs_ok((xc_xml_attr *)a);
    assigns \nothing;
*/
static int stamp_replaces(const xc_xml_stamp *st, const xc_xml_attr *a)
{
    if (a->ns.len != 0)
        return st->lang.set && xc_str_eq(a->ns, XC_STR_LIT(XC_NS_XML)) && xc_str_eq(a->name, XC_STR_LIT("lang"));
    return (st->type.set && xc_str_eq(a->name, XC_STR_LIT("type"))) ||
           (st->from.set && xc_str_eq(a->name, XC_STR_LIT("from"))) ||
           (st->to.set && xc_str_eq(a->name, XC_STR_LIT("to")));
}

/*@ requires xc_out_ok(w) && xc_str_valid(name) && xc_str_valid(v.value);
    requires v.value.len == 0 || \separated(w, v.value.ptr + (0 .. v.value.len - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
*/
static void put_stamp_attr(xc_out *w, xc_str name, xc_xml_stamp_attr v)
{
    if (!v.set || v.omit)
        return;
    xc_out_put(w, " ", 1);
    xc_out_str(w, name);
    xc_out_put(w, "='", 2);
    xc_out_escaped(w, v.value, 1);
    xc_out_put(w, "'", 1);
}

/*@ requires xc_out_ok(w);
    requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(n) && xc_xml_node_strs_ok((xc_xml_node *)n) && xc_str_valid(in_scope);
    requires st == \null || (\valid_read(st) && xc_xml_stamp_ok((xc_xml_stamp *)st) && \separated(w, st));
    requires \separated(w, t) && \separated(w, n) && \separated(w, t->nodes + (0 .. t->nodes_cap - 1)) &&
             \separated(w, t->attrs + (0 .. t->attrs_cap - 1));
    requires \separated(w->out + (0 .. w->cap - 1), t) && \separated(w->out + (0 .. w->cap - 1), n) &&
             \separated(w->out + (0 .. w->cap - 1), t->nodes + (0 .. t->nodes_cap - 1)) &&
             \separated(w->out + (0 .. w->cap - 1), t->attrs + (0 .. t->attrs_cap - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_start_tag(xc_out *w, const xc_xml_tree *t, const xc_xml_node *n, xc_str in_scope,
                          const xc_xml_stamp *st)
{
    uint32_t k;
    int xml_ns = xc_str_eq(n->ns, XC_STR_LIT(XC_NS_XML));

    xc_out_put(w, "<", 1);
    /* Namespaces in XML 1.0 §3: the xml namespace is never declared (least of all as the
     * default); an element in it is written with its reserved prefix */
    if (xml_ns)
        xc_out_put(w, "xml:", 4);
    xc_out_str(w, n->name);
    if (!xml_ns && !xc_str_eq(n->ns, in_scope)) {
        xc_out_put(w, " xmlns='", 8);
        xc_out_escaped(w, n->ns, 1);
        xc_out_put(w, "'", 1);
    }
    /*@ loop invariant 0 <= k <= n->n_attrs;
        loop invariant xc_out_ok(w) && \at(w->len, LoopEntry) <= w->len;
        loop invariant xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
        loop assigns k, w->full, w->len, w->out[0 .. w->cap - 1];
        loop variant n->n_attrs - k;
    */
    for (k = 0; k < n->n_attrs; k++) {
        const xc_xml_attr *a = xc_xml_attr_at(t, n, k);
        if (a == NULL)
            break;
        if (st != NULL && stamp_replaces(st, a))
            continue;
        xc_out_put(w, " ", 1);
        if (a->ns.len > 0 && xc_str_eq(a->ns, XC_STR_LIT(XC_NS_XML))) {
            xc_out_put(w, "xml:", 4);
        } else if (a->ns.len > 0) {
            xc_out_put(w, "xmlns:", 6);
            put_prefix(w, k);
            xc_out_put(w, "='", 2);
            xc_out_escaped(w, a->ns, 1);
            xc_out_put(w, "' ", 2);
            put_prefix(w, k);
            xc_out_put(w, ":", 1);
        }
        xc_out_str(w, a->name);
        xc_out_put(w, "='", 2);
        xc_out_escaped(w, a->value, 1);
        xc_out_put(w, "'", 1);
    }
    if (st != NULL) {
        put_stamp_attr(w, XC_STR_LIT("type"), st->type);
        put_stamp_attr(w, XC_STR_LIT("from"), st->from);
        put_stamp_attr(w, XC_STR_LIT("to"), st->to);
        put_stamp_attr(w, XC_STR_LIT("xml:lang"), st->lang);
        xc_out_put(w, ">", 1);
        return;
    }
    xc_out_put(w, n->first_child != XC_XML_NONE ? ">" : "/>", n->first_child != XC_XML_NONE ? 1u : 2u);
}

/*@ requires xc_out_ok(w) && \valid_read(n) && xc_str_valid(n->name) && xc_str_valid(n->ns);
    requires \separated(w, n);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_end_tag(xc_out *w, const xc_xml_node *n)
{
    xc_out_put(w, "</", 2);
    if (xc_str_eq(n->ns, XC_STR_LIT(XC_NS_XML)))
        xc_out_put(w, "xml:", 4);
    xc_out_str(w, n->name);
    xc_out_put(w, ">", 1);
}

xc_xml_write_status xc_xml_write(const xc_xml_tree *t, uint32_t e, xc_str outer_ns, uint8_t *out,
                                 size_t out_cap, size_t *len)
{
    xc_out w = { out, out_cap, 0, 0 };
    uint32_t i = e;
    /* Pre-order walk: every node is entered once and left once, so 2 * nodes_used + 2 steps
     * suffice (counted in 64 bits: the bound cannot wrap whatever the pool size). */
    const uint64_t limit = 2u * (uint64_t)t->nodes_used + 2u;
    uint64_t steps;
    int done = 0;

    /*@ loop invariant 0 <= steps <= limit + 1;
        loop invariant done == 0 || done == 1;
        loop invariant xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
        loop invariant xc_out_ok(&w) && w.out == out && w.cap == out_cap;
        loop assigns steps, i, done, w.full, w.len, out[0 .. out_cap - 1];
        loop variant limit + 1 - steps;
    */
    for (steps = 0; steps < limit && !done; steps++) {
        const xc_xml_node *n = xc_xml_node_at(t, i);
        if (n == NULL) {
            w.full = 1;
            break;
        }
        if (n->kind == XC_XML_TEXT_NODE) {
            xc_out_escaped(&w, n->text, 0);
        } else {
            const xc_xml_node *parent = xc_xml_node_at(t, n->parent);
            put_start_tag(&w, t, n, (i == e || parent == NULL) ? outer_ns : parent->ns, NULL);
            if (n->first_child != XC_XML_NONE) {
                i = n->first_child;
                continue;
            }
        }
        /* n is complete: close the ancestors that have no further children */
        /*@ loop invariant \at(steps, LoopEntry) <= steps <= limit;
            loop invariant i < t->nodes_used && n == t->nodes + i;
            loop invariant xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
            loop invariant xc_out_ok(&w) && w.out == out && w.cap == out_cap;
            loop assigns steps, i, n, w.full, w.len, out[0 .. out_cap - 1];
            loop variant limit - steps;
        */
        while (i != e && n->next == XC_XML_NONE && steps < limit) {
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

xc_xml_write_status xc_xml_write_stanza(const xc_xml_tree *t, uint32_t e, xc_str outer_ns, const xc_xml_stamp *st,
                                        uint8_t *out, size_t out_cap, size_t *len)
{
    xc_out w = { out, out_cap, 0, 0 };
    const xc_xml_node *n = xc_xml_node_at(t, e);
    uint32_t c, k;
    int bad = 0;

    if (n == NULL || n->kind != XC_XML_ELEMENT_NODE) {
        *len = 0;
        return XC_XML_WRITE_NO_ROOM;
    }
    put_start_tag(&w, t, n, outer_ns, st);
    c = st->drop_children ? XC_XML_NONE : n->first_child;
    /* The children in order; the walk is bounded by the pool whatever the links say. */
    /*@ loop invariant 0 <= k <= t->nodes_used;
        loop invariant xc_out_ok(&w) && w.out == out && w.cap == out_cap;
        loop assigns k, c, bad, w.full, w.len, out[0 .. out_cap - 1];
        loop variant t->nodes_used - k;
    */
    for (k = 0; k < t->nodes_used && c != XC_XML_NONE; k++) {
        const xc_xml_node *child = xc_xml_node_at(t, c);
        size_t n_written = 0;
        if (child == NULL) {
            bad = 1;
            break;
        }
        if (xc_xml_write(t, c, n->ns, w.out + w.len, w.cap - w.len, &n_written) != XC_XML_WRITE_OK)
            w.full = 1;
        else
            w.len += n_written;
        c = child->next;
    }
    /*@ loop invariant 0 <= k <= st->n_tail;
        loop invariant xc_out_ok(&w) && w.out == out && w.cap == out_cap;
        loop assigns k, w.full, w.len, out[0 .. out_cap - 1];
        loop variant st->n_tail - k;
    */
    for (k = 0; k < st->n_tail && k < XC_XML_STAMP_TAIL_MAX; k++)
        xc_out_str(&w, st->tail[k]);
    put_end_tag(&w, n);
    *len = w.len;
    return (w.full || bad) ? XC_XML_WRITE_NO_ROOM : XC_XML_WRITE_OK;
}
