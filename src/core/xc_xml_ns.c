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

/* The namespace bound to `prefix` in scope at element n, or NULL when unbound. */
static const xc_str *lookup_prefix(const xc_xml_node *n, xc_str prefix)
{
    static const xc_str xml_ns = { XC_NS_XML, (uint32_t)(sizeof(XC_NS_XML) - 1) };
    const xc_xml_node *e;

    if (xc_str_eq(prefix, XC_STR_LIT("xml")))
        return &xml_ns;
    for (e = n; e != NULL; e = e->parent) {
        const xc_xml_nsdecl *d;
        for (d = e->nsdecls; d != NULL; d = d->next) {
            if (d->prefix.len > 0 && xc_str_eq(d->prefix, prefix))
                return &d->uri;
        }
    }
    return NULL;
}

/* Turns one xmlns / xmlns:p attribute into a declaration on n. */
static xc_stream_error add_decl(xc_xml_parser *p, xc_xml_node *n, xc_str prefix, xc_str uri,
                                const char **why)
{
    xc_xml_nsdecl *d;
    const xc_xml_nsdecl *o;
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
    for (o = n->nsdecls; o != NULL; o = o->next) {
        if (xc_str_eq(o->prefix, prefix)) {
            *why = "duplicate namespace declaration";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
    }
    if (n->n_nsdecls >= p->lim.max_ns_decls) {
        *why = "too many namespace declarations";
        return XC_SE_POLICY_VIOLATION;
    }
    d = xc_arena_alloc(&p->arena, sizeof(*d));
    if (d == NULL) {
        *why = "arena budget exhausted";
        return XC_SE_POLICY_VIOLATION;
    }
    d->prefix = prefix;
    d->uri = uri;
    d->next = n->nsdecls;
    n->nsdecls = d;
    n->n_nsdecls++;
    return XC_SE_NONE;
}

xc_stream_error xc_xml_resolve(xc_xml_parser *p, xc_xml_node *n, const char **why)
{
    xc_xml_attr **link = &n->attrs;
    xc_xml_attr *a;
    const xc_xml_nsdecl *d;
    const xc_str *uri;
    xc_stream_error e = XC_SE_NONE;

    split_qname(n->name, &n->prefix, &n->name);

    /* 1. Declarations leave the attribute list; other attributes keep their prefix in ns. */
    n->n_attrs = 0;
    while ((a = *link) != NULL && e == XC_SE_NONE) {
        xc_str prefix, local;
        split_qname(a->name, &prefix, &local);
        if (prefix.len == 0 && xc_str_eq(local, XC_STR_LIT("xmlns"))) {
            e = add_decl(p, n, prefix, a->value, why);
            *link = a->next;
        } else if (xc_str_eq(prefix, XC_STR_LIT("xmlns"))) {
            e = add_decl(p, n, local, a->value, why);
            *link = a->next;
        } else {
            if (n->n_attrs >= p->lim.max_attrs) {
                *why = "too many attributes";
                e = XC_SE_POLICY_VIOLATION;
            }
            a->ns = prefix;
            a->name = local;
            n->n_attrs++;
            link = &a->next;
        }
    }
    if (e != XC_SE_NONE)
        return e;

    /* 2. The default namespace in scope: declared here, else inherited. */
    n->default_ns = n->parent != NULL ? n->parent->default_ns : (xc_str){ NULL, 0 };
    for (d = n->nsdecls; d != NULL; d = d->next) {
        if (d->prefix.len == 0)
            n->default_ns = d->uri;
    }

    /* 3. The element's own name. */
    if (n->prefix.len == 0) {
        n->ns = n->default_ns;
    } else {
        if (xc_str_eq(n->prefix, XC_STR_LIT("xmlns"))) {
            *why = "element with the xmlns prefix";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
        uri = lookup_prefix(n, n->prefix);
        if (uri == NULL) {
            *why = "unbound namespace prefix";
            return XC_SE_XML_NOT_WELL_FORMED;
        }
        n->ns = *uri;
    }

    /* 4. Attributes: unprefixed ones are in no namespace; no two share an expanded name. */
    for (a = n->attrs; a != NULL; a = a->next) {
        const xc_xml_attr *b;
        if (a->ns.len > 0) {
            uri = lookup_prefix(n, a->ns);
            if (uri == NULL) {
                *why = "unbound namespace prefix";
                return XC_SE_XML_NOT_WELL_FORMED;
            }
            a->ns = *uri;
        }
        for (b = n->attrs; b != a; b = b->next) {
            if (xc_str_eq(a->name, b->name) && xc_str_eq(a->ns, b->ns)) {
                *why = "duplicate attribute";
                return XC_SE_XML_NOT_WELL_FORMED;
            }
        }
    }
    return XC_SE_NONE;
}

xc_stream_error xc_xml_check_header(const xc_xml_parser *p, const xc_xml_node *n, const char **why)
{
    xc_str content = str_from(p->content_ns == XC_XML_CONTENT_SERVER ? XC_NS_SERVER : XC_NS_CLIENT);

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

xc_stream_error xc_xml_check_first_level(const xc_xml_parser *p, const xc_xml_node *n, const char **why)
{
    xc_str content = str_from(p->content_ns == XC_XML_CONTENT_SERVER ? XC_NS_SERVER : XC_NS_CLIENT);

    if (n->prefix.len > 0 && xc_str_eq(n->ns, content)) {
        *why = "prefixed element in the content namespace";
        return XC_SE_BAD_NAMESPACE_PREFIX;
    }
    return XC_SE_NONE;
}
