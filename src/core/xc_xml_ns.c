/*
 * xc_xml_ns.c — namespace processing of a complete start tag, and the stream-level checks.
 *
 * Namespaces in XML 1.0: a prefix is bound by xmlns:prefix on the element or an ancestor;
 * `xml` is always bound to the XML namespace and may not be rebound; `xmlns` may not be
 * declared; no prefix may be undeclared; two attributes may not share an expanded name.
 * Each lookup walks at most (nesting depth × declarations per element) entries, both capped.
 *
 * Namespace names may not contain whitespace or control characters (the CVE-2022-25236 class:
 * a separator smuggled through a namespace name). We keep names as (pointer, length) pairs,
 * so nothing here can be split by a separator, but such a name is still refused.
 */
#include "xc_str.h"
#include "xc_xml_internal.h"

#include <string.h>

#define NS_XMLNS "http://www.w3.org/2000/xmlns/"

/* Splits "prefix:local"; a name without ':' has an empty prefix. */
/*@ requires xc_str_valid(qname) && \valid(prefix) && \valid(local) && \separated(prefix, local);
    assigns *prefix, *local;
    ensures xc_str_valid(*prefix) && xc_str_valid(*local);
*/
static void split_qname(xc_str qname, xc_str *prefix, xc_str *local)
{
    uint32_t i;

    prefix->ptr = qname.ptr;
    prefix->len = 0;
    *local = qname;
    /*@ loop invariant 0 <= i <= qname.len;
        loop invariant prefix->len == 0 && *local == qname;
        loop assigns i;
        loop variant qname.len - i;
    */
    for (i = 0; i < qname.len; i++) {
        if (qname.ptr[i] == ':') {
            prefix->len = i;
            local->ptr = qname.ptr + i + 1;
            local->len = qname.len - i - 1;
            break;
        }
    }
}

/*@ requires xc_str_valid(uri);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int uri_chars_ok(xc_str uri)
{
    uint32_t i;
    /*@ loop invariant 0 <= i <= uri.len;
        loop assigns i;
        loop variant uri.len - i;
    */
    for (i = 0; i < uri.len; i++) {
        if ((uint8_t)uri.ptr[i] < 0x21u)
            return 0;
    }
    return 1;
}

/* The namespace bound to `prefix` in scope at node `at`, or NULL when unbound. The walk up
 * the ancestors is bounded by the parser's depth. */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p) && xc_str_valid(prefix);
    assigns \nothing;
    ensures \result == \null || (\valid_read(\result) && xc_str_valid(*\result));
*/
static const xc_str *lookup_prefix(const xc_xml_parser *p, uint32_t at, xc_str prefix)
{
    static const xc_str xml_ns = { XC_NS_XML, (uint32_t)(sizeof(XC_NS_XML) - 1) };
    const xc_xml_tree *t = &p->tree;
    uint32_t e = at;
    uint32_t hops;

    if (xc_str_eq(prefix, XC_STR_LIT("xml")))
        return &xml_ns;
    /*@ loop invariant 0 <= hops <= p->depth + 1;
        loop assigns hops, e;
        loop variant p->depth + 1 - hops;
    */
    for (hops = 0; hops <= p->depth && e < t->nodes_used; hops++) {
        const xc_xml_node *n = &t->nodes[e];
        uint32_t first = n->decl_first;
        uint32_t count = n->n_decls;
        uint32_t k;
        if (first > t->attrs_used)
            break;
        if (count > t->attrs_used - first)
            count = t->attrs_used - first;
        /*@ loop invariant 0 <= k <= count;
            loop assigns k;
            loop variant count - k;
        */
        for (k = 0; k < count; k++) {
            const xc_xml_attr *d = &t->attrs[first + k];
            if (d->name.len > 0 && xc_str_eq(d->name, prefix))
                return &d->value;
        }
        e = n->parent;
    }
    return NULL;
}

/* Records one xmlns / xmlns:p attribute as a declaration. The declarations of the element
 * being resolved sit at attrs[decl_first .. attrs_used - 1], the end of the pool. */
/*@ requires xc_xml_parser_ok(p) && decl_first <= p->tree.attrs_used;
    requires xc_str_valid(prefix) && xc_str_valid(uri);
    requires \valid(why) && \separated(why, p, p->tree.nodes + (0 .. p->tree.nodes_cap - 1),
                                       p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    assigns p->tree.attrs_used, p->tree.attrs[p->tree.attrs_used], *why;
    ensures xc_xml_parser_ok(p);
    ensures \old(p->tree.attrs_used) <= p->tree.attrs_used <= \old(p->tree.attrs_used) + 1;
*/
static xc_stream_error add_decl(xc_xml_parser *p, uint32_t decl_first, xc_str prefix, xc_str uri,
                                const char **why)
{
    xc_xml_tree *t = &p->tree;
    xc_xml_attr *d;
    uint32_t k;
    int is_xml_ns = xc_str_eq(uri, XC_STR_LIT(XC_NS_XML));

    if (xc_str_eq(uri, XC_STR_LIT(NS_XMLNS)) || xc_str_eq(prefix, XC_STR_LIT("xmlns"))) {
        *why = "xmlns prefix or namespace declared";
        return XC_SE_XML_NOT_WELL_FORMED;
    }
    if (is_xml_ns != xc_str_eq(prefix, XC_STR_LIT("xml"))) {
        *why = "xml prefix and namespace not bound to each other";
        return XC_SE_XML_NOT_WELL_FORMED;
    }
    if (prefix.len > 0 && uri.len == 0) {
        *why = "prefix undeclared";
        return XC_SE_XML_NOT_WELL_FORMED;
    }
    if (!uri_chars_ok(uri)) {
        *why = "whitespace or control character in namespace name";
        return XC_SE_BAD_FORMAT;
    }
    /*@ loop invariant decl_first <= k <= t->attrs_used;
        loop assigns k;
        loop variant t->attrs_used - k;
    */
    for (k = decl_first; k < t->attrs_used; k++) {
        if (xc_str_eq(t->attrs[k].name, prefix)) {
            *why = "duplicate namespace declaration";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
    }
    if (t->attrs_used - decl_first >= p->lim.max_ns_decls) {
        *why = "too many namespace declarations";
        return XC_SE_POLICY_VIOLATION;
    }
    if (t->attrs_used >= t->attrs_cap) {
        *why = "attribute pool exhausted";
        return XC_SE_POLICY_VIOLATION;
    }
    d = &t->attrs[t->attrs_used];
    d->ns.ptr = NULL;
    d->ns.len = 0;
    d->name = prefix;
    d->value = uri;
    t->attrs_used++;
    return XC_SE_NONE;
}

/* Step 1 of resolution over the raw attributes attrs[first .. first+raw-1]: declarations are
 * appended after them (from decl_first, the pool's end), the other attributes are compacted in
 * order at the front with their prefix kept in `ns` until step 4. *kept is their number. */
/*@ requires xc_xml_parser_ok(p);
    requires first <= p->tree.attrs_used && raw <= p->tree.attrs_used - first;
    requires \valid(kept) && \valid(why) && \separated(kept, why);
    requires \separated(kept, p, p->tree.nodes + (0 .. p->tree.nodes_cap - 1), p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    requires \separated(why, p, p->tree.nodes + (0 .. p->tree.nodes_cap - 1), p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    assigns p->tree.attrs_used, p->tree.attrs[0 .. p->tree.attrs_cap - 1], *kept, *why;
    ensures xc_xml_parser_ok(p);
    ensures \old(p->tree.attrs_used) <= p->tree.attrs_used;
    ensures *kept <= raw;
*/
static xc_stream_error split_attrs(xc_xml_parser *p, uint32_t first, uint32_t raw, uint32_t *kept,
                                   const char **why)
{
    xc_xml_tree *t = &p->tree;
    uint32_t decl_first = t->attrs_used;
    uint32_t k, n = 0;

    *kept = 0;
    /*@ loop invariant 0 <= k <= raw && 0 <= n <= k;
        loop invariant xc_xml_parser_ok(p);
        loop invariant first + raw <= decl_first <= p->tree.attrs_used;
        loop assigns k, n, p->tree.attrs_used, p->tree.attrs[0 .. p->tree.attrs_cap - 1], *why;
        loop variant raw - k;
    */
    for (k = 0; k < raw; k++) {
        xc_str qname = t->attrs[first + k].name;
        xc_str value = t->attrs[first + k].value;
        xc_str prefix, local;
        xc_stream_error e = XC_SE_NONE;

        split_qname(qname, &prefix, &local);
        if (prefix.len == 0 && xc_str_eq(local, XC_STR_LIT("xmlns"))) {
            e = add_decl(p, decl_first, prefix, value, why);
        } else if (xc_str_eq(prefix, XC_STR_LIT("xmlns"))) {
            e = add_decl(p, decl_first, local, value, why);
        } else if (n >= p->lim.max_attrs) {
            *why = "too many attributes";
            e = XC_SE_POLICY_VIOLATION;
        } else {
            t->attrs[first + n].ns = prefix;
            t->attrs[first + n].name = local;
            t->attrs[first + n].value = value;
            n++;
        }
        if (e != XC_SE_NONE)
            return e;
    }
    *kept = n;
    return XC_SE_NONE;
}

/* The default namespace in scope inside node ni: declared on it, else its parent's. */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p) && ni < p->tree.nodes_used;
    requires decl_first <= p->tree.attrs_used && n_decls <= p->tree.attrs_used - decl_first;
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str scope_default(const xc_xml_parser *p, uint32_t ni, uint32_t decl_first, uint32_t n_decls)
{
    const xc_xml_tree *t = &p->tree;
    uint32_t parent = t->nodes[ni].parent;
    xc_str d = { NULL, 0 };
    uint32_t k;

    if (parent < t->nodes_used)
        d = t->nodes[parent].default_ns;
    /*@ loop invariant 0 <= k <= n_decls;
        loop invariant xc_str_valid(d);
        loop assigns k, d;
        loop variant n_decls - k;
    */
    for (k = 0; k < n_decls; k++) {
        if (t->attrs[decl_first + k].name.len == 0)
            d = t->attrs[decl_first + k].value;
    }
    return d;
}

/* Step 4: prefixed attributes get their namespace; no two share an expanded name. */
/*@ requires xc_xml_parser_ok(p) && ni < p->tree.nodes_used;
    requires first <= p->tree.attrs_used && kept <= p->tree.attrs_used - first;
    requires \valid(why) && \separated(why, p, p->tree.nodes + (0 .. p->tree.nodes_cap - 1),
                                       p->tree.attrs + (0 .. p->tree.attrs_cap - 1));
    assigns p->tree.attrs[0 .. p->tree.attrs_cap - 1].ns, *why;
    ensures xc_xml_parser_ok(p);
*/
static xc_stream_error resolve_attrs(xc_xml_parser *p, uint32_t ni, uint32_t first, uint32_t kept,
                                     const char **why)
{
    xc_xml_tree *t = &p->tree;
    uint32_t k;

    /*@ loop invariant 0 <= k <= kept;
        loop invariant xc_xml_parser_ok(p);
        loop assigns k, p->tree.attrs[0 .. p->tree.attrs_cap - 1].ns, *why;
        loop variant kept - k;
    */
    for (k = 0; k < kept; k++) {
        xc_str prefix = t->attrs[first + k].ns;
        uint32_t j;
        if (prefix.len > 0) {
            const xc_str *uri = lookup_prefix(p, ni, prefix);
            if (uri == NULL) {
                *why = "unbound namespace prefix";
                return XC_SE_XML_NOT_WELL_FORMED;
            }
            t->attrs[first + k].ns = *uri;
        }
        /*@ loop invariant 0 <= j <= k;
            loop assigns j;
            loop variant k - j;
        */
        for (j = 0; j < k; j++) {
            if (xc_str_eq(t->attrs[first + k].name, t->attrs[first + j].name) &&
                xc_str_eq(t->attrs[first + k].ns, t->attrs[first + j].ns)) {
                *why = "duplicate attribute";
                return XC_SE_XML_NOT_WELL_FORMED;
            }
        }
    }
    return XC_SE_NONE;
}

/* Writes node ni whole: one store keeps the pool invariant easy to re-establish. */
/*@ requires xc_xml_parser_ok(p) && ni < p->tree.nodes_used;
    requires xc_xml_node_strings_ok(n);
    assigns p->tree.nodes[ni];
    ensures xc_xml_parser_ok(p);
    ensures p->tree.nodes[ni] == n;
*/
static void store_node(xc_xml_parser *p, uint32_t ni, xc_xml_node n)
{
    p->tree.nodes[ni] = n;
}

xc_stream_error xc_xml_resolve(xc_xml_parser *p, const char **why)
{
    xc_xml_tree *t = &p->tree;
    uint32_t ni = p->cur;
    uint32_t first, raw, decl_first, kept = 0;
    xc_str qname, prefix, local, dflt;
    xc_xml_node node;
    xc_stream_error e;

    if (ni >= t->nodes_used) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    first = t->nodes[ni].attr_first;
    raw = p->tag_attrs;
    if (first > t->attrs_used || raw > t->attrs_used - first) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    /* 1. declarations apart, attributes compacted */
    decl_first = t->attrs_used;
    e = split_attrs(p, first, raw, &kept, why);
    if (e != XC_SE_NONE)
        return e;
    /* 2. the element's name, declarations and default namespace */
    qname = t->nodes[ni].name;
    split_qname(qname, &prefix, &local);
    dflt = scope_default(p, ni, decl_first, t->attrs_used - decl_first);
    node = t->nodes[ni];
    node.prefix = prefix;
    node.name = local;
    node.ns = dflt;
    node.default_ns = dflt;
    node.decl_first = decl_first;
    node.n_decls = t->attrs_used - decl_first;
    node.attr_first = first;
    node.n_attrs = kept;
    store_node(p, ni, node);
    /* 3. the element's namespace (lookup_prefix reads the declarations just stored) */
    if (prefix.len > 0) {
        const xc_str *uri;
        if (xc_str_eq(prefix, XC_STR_LIT("xmlns"))) {
            *why = "element with the xmlns prefix";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
        uri = lookup_prefix(p, ni, prefix);
        if (uri == NULL) {
            *why = "unbound namespace prefix";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
        node.ns = *uri;
        store_node(p, ni, node);
    }
    /* 4. the attributes' namespaces */
    return resolve_attrs(p, ni, first, kept, why);
}

/*@ requires \valid_read(p) && xc_xml_tree_ok((xc_xml_tree *)&p->tree);
    assigns \nothing;
    ensures \result == \null || (\valid_read(\result) && xc_xml_node_strings_ok(*\result));
*/
static const xc_xml_node *current(const xc_xml_parser *p)
{
    return p->cur < p->tree.nodes_used ? &p->tree.nodes[p->cur] : NULL;
}

xc_stream_error xc_xml_check_header(const xc_xml_parser *p, const char **why)
{
    xc_str content = p->content_ns == XC_XML_CONTENT_SERVER ? XC_STR_LIT(XC_NS_SERVER) : XC_STR_LIT(XC_NS_CLIENT);
    const xc_xml_node *n = current(p);

    if (n == NULL) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    /* RFC 3920 §4.7.3 / §11.2.1: the stream element is <stream> in the streams namespace */
    if (!xc_str_eq(n->ns, XC_STR_LIT(XC_NS_STREAMS)) || !xc_str_eq(n->name, XC_STR_LIT("stream"))) {
        *why = "stream element not in the streams namespace";
        return XC_SE_INVALID_NAMESPACE;
    }
    /* RFC 3920 §11.2.1: implementations MAY accept only the `stream:` prefix; we do */
    if (!xc_str_eq(n->prefix, XC_STR_LIT("stream"))) {
        *why = "streams namespace not under the stream: prefix";
        return XC_SE_BAD_NAMESPACE_PREFIX;
    }
    /* RFC 3920 §11.2.2: the default namespace is the content namespace of this stream type */
    if (!xc_str_eq(n->default_ns, content)) {
        *why = "default namespace is not this stream's content namespace";
        return XC_SE_INVALID_NAMESPACE;
    }
    return XC_SE_NONE;
}

xc_stream_error xc_xml_check_first_level(const xc_xml_parser *p, const char **why)
{
    xc_str content = p->content_ns == XC_XML_CONTENT_SERVER ? XC_STR_LIT(XC_NS_SERVER) : XC_STR_LIT(XC_NS_CLIENT);
    const xc_xml_node *n = current(p);

    if (n == NULL) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    /* RFC 3920 §11.2.2, RFC 6120 §4.8.5 */
    if (n->prefix.len > 0 && xc_str_eq(n->ns, content)) {
        *why = "prefixed element in the content namespace";
        return XC_SE_BAD_NAMESPACE_PREFIX;
    }
    return XC_SE_NONE;
}
