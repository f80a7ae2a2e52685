/*
 * xc_xml_write.c — iterative serialiser for parser trees.
 *
 * Escaping: in character data and attribute values all five predefined entities are written
 * as references (RFC 3920 §11.1 asks for this), and so are the characters the parser would
 * otherwise normalise away: CR anywhere, TAB and LF inside attribute values. That is what
 * makes parse(write(t)) == t hold.
 *
 * Every byte goes through put(), which writes only inside out[len .. cap-1] and, once a
 * piece does not fit, marks the writer full and writes nothing more.
 */
#include "xc_xml_write.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

typedef struct writer {
    uint8_t *out;
    size_t cap;
    size_t len;
    int full;
} writer;

/*@ predicate writer_ok(writer *w) =
      \valid(w) && w->len <= w->cap && (w->cap == 0 || \valid(w->out + (0 .. w->cap - 1))) &&
      (w->full == 0 || w->full == 1) && \separated(w, w->out + (0 .. w->cap - 1));
*/

/*@ requires writer_ok(w);
    requires n == 0 || \valid_read(s + (0 .. n - 1));
    assigns w->full, w->len, w->out[w->len .. w->cap - 1];
    ensures writer_ok(w);
    ensures \old(w->len) <= w->len;
    ensures \old(w->full) == 0 && n <= \old(w->cap - w->len) ==> w->len == \old(w->len) + n && w->full == 0;
*/
static void put(writer *w, const char *s, size_t n)
{
    size_t k;

    if (w->full || n > w->cap - w->len) {
        w->full = 1;
        return;
    }
    /*@ loop invariant 0 <= k <= n;
        loop assigns k, w->out[w->len .. w->len + n - 1];
        loop variant n - k;
    */
    for (k = 0; k < n; k++)
        w->out[w->len + k] = (uint8_t)(s[k] < 0 ? s[k] + 256 : s[k]);
    w->len += n;
}

/*@ requires writer_ok(w) && xc_str_valid(s);
    assigns w->full, w->len, w->out[w->len .. w->cap - 1];
    ensures writer_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_str(writer *w, xc_str s)
{
    put(w, s.ptr, s.len);
}

/*@ requires writer_ok(w) && xc_str_valid(s);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures writer_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_escaped(writer *w, xc_str s, int in_attr)
{
    uint32_t i, run = 0;

    /*@ loop invariant 0 <= run <= i <= s.len;
        loop invariant writer_ok(w) && \at(w->len, LoopEntry) <= w->len;
        loop assigns i, run, w->full, w->len, w->out[0 .. w->cap - 1];
        loop variant s.len - i;
    */
    for (i = 0; i < s.len; i++) {
        const char *rep = NULL;
        size_t rep_len = 0;
        switch (s.ptr[i]) {
        case '&': rep = "&amp;"; rep_len = 5; break;
        case '<': rep = "&lt;"; rep_len = 4; break;
        case '>': rep = "&gt;"; rep_len = 4; break;
        case '"': rep = "&quot;"; rep_len = 6; break;
        case '\'': rep = "&apos;"; rep_len = 6; break;
        case '\r': rep = "&#xD;"; rep_len = 5; break;
        case '\n':
            if (in_attr) {
                rep = "&#xA;";
                rep_len = 5;
            }
            break;
        case '\t':
            if (in_attr) {
                rep = "&#x9;";
                rep_len = 5;
            }
            break;
        default: break;
        }
        if (rep != NULL) {
            put(w, s.ptr + run, i - run);
            put(w, rep, rep_len);
            run = i + 1;
        }
    }
    put(w, s.ptr + run, s.len - run);
}

/* A generated attribute prefix: "a" followed by the attribute's index. */
/*@ requires writer_ok(w);
    assigns w->full, w->len, w->out[w->len .. w->cap - 1];
    ensures writer_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_prefix(writer *w, uint32_t k)
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
    put(w, buf + n, sizeof(buf) - n);
}

/*@ requires writer_ok(w);
    requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(n) && xc_xml_node_strs_ok((xc_xml_node *)n) && xc_str_valid(in_scope);
    requires \separated(w, t) && \separated(w, n) && \separated(w, t->nodes + (0 .. t->nodes_cap - 1)) &&
             \separated(w, t->attrs + (0 .. t->attrs_cap - 1));
    requires \separated(w->out + (0 .. w->cap - 1), t) && \separated(w->out + (0 .. w->cap - 1), n) &&
             \separated(w->out + (0 .. w->cap - 1), t->nodes + (0 .. t->nodes_cap - 1)) &&
             \separated(w->out + (0 .. w->cap - 1), t->attrs + (0 .. t->attrs_cap - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures writer_ok(w);
    ensures \old(w->len) <= w->len;
*/
static void put_start_tag(writer *w, const xc_xml_tree *t, const xc_xml_node *n, xc_str in_scope)
{
    uint32_t k;

    put(w, "<", 1);
    put_str(w, n->name);
    if (!xc_str_eq(n->ns, in_scope)) {
        put(w, " xmlns='", 8);
        put_escaped(w, n->ns, 1);
        put(w, "'", 1);
    }
    /*@ loop invariant 0 <= k <= n->n_attrs;
        loop invariant writer_ok(w) && \at(w->len, LoopEntry) <= w->len;
        loop invariant xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
        loop assigns k, w->full, w->len, w->out[0 .. w->cap - 1];
        loop variant n->n_attrs - k;
    */
    for (k = 0; k < n->n_attrs; k++) {
        const xc_xml_attr *a = xc_xml_attr_at(t, n, k);
        if (a == NULL)
            break;
        put(w, " ", 1);
        if (a->ns.len > 0 && xc_str_eq(a->ns, XC_STR_LIT(XC_NS_XML))) {
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

/*@ requires writer_ok(w) && \valid_read(n) && xc_str_valid(n->name);
    requires \separated(w, n);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures writer_ok(w);
    ensures \old(w->len) <= w->len;
*/
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
    /* Pre-order walk: every node is entered once and left once, so 2 * nodes_used + 2 steps
     * suffice (counted in 64 bits: the bound cannot wrap whatever the pool size). */
    const uint64_t limit = 2u * (uint64_t)t->nodes_used + 2u;
    uint64_t steps;
    int done = 0;

    /*@ loop invariant 0 <= steps <= limit + 1;
        loop invariant done == 0 || done == 1;
        loop invariant xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
        loop invariant writer_ok(&w) && w.out == out && w.cap == out_cap;
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
        /*@ loop invariant \at(steps, LoopEntry) <= steps <= limit;
            loop invariant i < t->nodes_used && n == t->nodes + i;
            loop invariant xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
            loop invariant writer_ok(&w) && w.out == out && w.cap == out_cap;
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
