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

static xc_str str_from(const char *s)
{
    xc_str r;
    r.ptr = s;
    r.len = (uint32_t)strlen(s);
    return r;
}

/* Splits "prefix:local"; a name without ':' has an empty prefix. */
static void split_qname(xc_str qname, xc_str *prefix, xc_str *local)
{
    uint32_t i;

    prefix->ptr = qname.ptr;
    prefix->len = 0;
    *local = qname;
    for (i = 0; i < qname.len; i++) {
        if (qname.ptr[i] == ':') {
            prefix->len = i;
            local->ptr = qname.ptr + i + 1;
            local->len = qname.len - i - 1;
            break;
        }
    }
}

static int uri_chars_ok(xc_str uri)
{
    uint32_t i;
    for (i = 0; i < uri.len; i++) {
        if ((uint8_t)uri.ptr[i] < 0x21u)
            return 0;
    }
    return 1;
}

/* The namespace bound to `prefix` in scope at node `at`, or NULL when unbound. The walk up
 * the ancestors is bounded by the parser's depth. */
static const xc_str *lookup_prefix(const xc_xml_parser *p, uint32_t at, xc_str prefix)
{
    static const xc_str xml_ns = { XC_NS_XML, (uint32_t)(sizeof(XC_NS_XML) - 1) };
    const xc_xml_tree *t = &p->tree;
    uint32_t e = at;
    uint32_t hops;

    if (xc_str_eq(prefix, XC_STR_LIT("xml")))
        return &xml_ns;
    for (hops = 0; hops <= p->depth && e < t->nodes_used; hops++) {
        const xc_xml_node *n = &t->nodes[e];
        uint32_t k;
        for (k = 0; k < n->n_decls; k++) {
            uint32_t d = n->decl_first + k;
            if (d >= t->attrs_used)
                break;
            if (t->attrs[d].name.len > 0 && xc_str_eq(t->attrs[d].name, prefix))
                return &t->attrs[d].value;
        }
        e = n->parent;
    }
    return NULL;
}

/* Records one xmlns / xmlns:p attribute as a declaration of node n (index ni). */
static xc_stream_error add_decl(xc_xml_parser *p, uint32_t ni, xc_str prefix, xc_str uri, const char **why)
{
    xc_xml_tree *t = &p->tree;
    xc_xml_node *n = &t->nodes[ni];
    xc_xml_attr *d;
    uint32_t k;
    int is_xml_ns = xc_str_eq(uri, str_from(XC_NS_XML));

    if (xc_str_eq(uri, str_from(NS_XMLNS)) || xc_str_eq(prefix, XC_STR_LIT("xmlns"))) {
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
    for (k = 0; k < n->n_decls && n->decl_first + k < t->attrs_used; k++) {
        if (xc_str_eq(t->attrs[n->decl_first + k].name, prefix)) {
            *why = "duplicate namespace declaration";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
    }
    if (n->n_decls >= p->lim.max_ns_decls) {
        *why = "too many namespace declarations";
        return XC_SE_POLICY_VIOLATION;
    }
    if (t->attrs_used >= t->attrs_cap) {
        *why = "attribute pool exhausted";
        return XC_SE_POLICY_VIOLATION;
    }
    d = &t->attrs[t->attrs_used];
    t->attrs_used++;
    d->ns.ptr = NULL;
    d->ns.len = 0;
    d->name = prefix;
    d->value = uri;
    n->n_decls++;
    return XC_SE_NONE;
}

xc_stream_error xc_xml_resolve(xc_xml_parser *p, const char **why)
{
    xc_xml_tree *t = &p->tree;
    uint32_t ni = p->cur;
    xc_xml_node *n;
    uint32_t first, raw, k, kept = 0;
    const xc_str *uri;

    if (ni >= t->nodes_used) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    n = &t->nodes[ni];
    first = n->attr_first;
    raw = n->n_attrs;
    if (first > t->attrs_used || raw > t->attrs_used - first) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    split_qname(n->name, &n->prefix, &n->name);

    /* 1. Declarations go to a range after the raw attributes; the other attributes are
     *    compacted in order at the front, their prefix kept in `ns` until step 4. */
    n->decl_first = t->attrs_used;
    n->n_decls = 0;
    for (k = 0; k < raw; k++) {
        xc_xml_attr a = t->attrs[first + k];
        xc_str prefix, local;
        xc_stream_error e = XC_SE_NONE;

        split_qname(a.name, &prefix, &local);
        if (prefix.len == 0 && xc_str_eq(local, XC_STR_LIT("xmlns"))) {
            e = add_decl(p, ni, prefix, a.value, why);
        } else if (xc_str_eq(prefix, XC_STR_LIT("xmlns"))) {
            e = add_decl(p, ni, local, a.value, why);
        } else {
            if (kept >= p->lim.max_attrs) {
                *why = "too many attributes";
                e = XC_SE_POLICY_VIOLATION;
            }
            a.ns = prefix;
            a.name = local;
            t->attrs[first + kept] = a;
            kept++;
        }
        if (e != XC_SE_NONE)
            return e;
    }
    n->n_attrs = kept;

    /* 2. The default namespace in scope: declared here, else inherited. */
    n->default_ns.ptr = NULL;
    n->default_ns.len = 0;
    if (n->parent < t->nodes_used)
        n->default_ns = t->nodes[n->parent].default_ns;
    for (k = 0; k < n->n_decls; k++) {
        if (t->attrs[n->decl_first + k].name.len == 0)
            n->default_ns = t->attrs[n->decl_first + k].value;
    }

    /* 3. The element's own name. */
    if (n->prefix.len == 0) {
        n->ns = n->default_ns;
    } else {
        if (xc_str_eq(n->prefix, XC_STR_LIT("xmlns"))) {
            *why = "element with the xmlns prefix";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
        uri = lookup_prefix(p, ni, n->prefix);
        if (uri == NULL) {
            *why = "unbound namespace prefix";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
        n->ns = *uri;
    }

    /* 4. Attributes: unprefixed ones are in no namespace; no two share an expanded name. */
    for (k = 0; k < kept; k++) {
        xc_xml_attr *a = &t->attrs[first + k];
        uint32_t j;
        if (a->ns.len > 0) {
            uri = lookup_prefix(p, ni, a->ns);
            if (uri == NULL) {
                *why = "unbound namespace prefix";
                return XC_SE_XML_NOT_WELL_FORMED;
            }
            a->ns = *uri;
        }
        for (j = 0; j < k; j++) {
            if (xc_str_eq(a->name, t->attrs[first + j].name) && xc_str_eq(a->ns, t->attrs[first + j].ns)) {
                *why = "duplicate attribute";
                return XC_SE_XML_NOT_WELL_FORMED;
            }
        }
    }
    return XC_SE_NONE;
}

static const xc_xml_node *current(const xc_xml_parser *p)
{
    return p->cur < p->tree.nodes_used ? &p->tree.nodes[p->cur] : NULL;
}

xc_stream_error xc_xml_check_header(const xc_xml_parser *p, const char **why)
{
    xc_str content = str_from(p->content_ns == XC_XML_CONTENT_SERVER ? XC_NS_SERVER : XC_NS_CLIENT);
    const xc_xml_node *n = current(p);

    if (n == NULL) {
        *why = "broken tree link";
        return XC_SE_INTERNAL_SERVER_ERROR;
    }
    /* RFC 3920 §4.7.3 / §11.2.1: the stream element is <stream> in the streams namespace */
    if (!xc_str_eq(n->ns, str_from(XC_NS_STREAMS)) || !xc_str_eq(n->name, XC_STR_LIT("stream"))) {
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
    xc_str content = str_from(p->content_ns == XC_XML_CONTENT_SERVER ? XC_NS_SERVER : XC_NS_CLIENT);
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
