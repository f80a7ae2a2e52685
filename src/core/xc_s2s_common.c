/*
 * xc_s2s_common.c — what the receiving, initiating and verifying roles of s2s share: reading
 * headers and first-level elements of a jabber:server stream into facts, writing headers,
 * stream errors, dialback elements and the closing tag, and the federation policy.
 *
 * Nothing here decides what to do about a fact: that is each role's table. Everything written
 * goes through the stream's bounded xc_out; values that came from a peer are escaped.
 */
#include "xc_s2s_internal.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

int s2s_host_index(const xc_str *list, uint32_t n, xc_str d, uint32_t *idx)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= n;
        loop assigns i, *idx;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        if (xc_str_eq(list[i], d)) {
            *idx = i;
            return 1;
        }
    }
    return 0;
}

int xc_s2s_policy_allows(const xc_s2s_config *cfg, xc_str domain)
{
    uint32_t i, idx = 0;

    if (domain.len == 0 || cfg->policy == XC_S2S_POLICY_CLOSED)
        return 0;
    /* our own domains never federate with themselves (protocol-notes DB-42) */
    if (s2s_host_index(cfg->hosts, cfg->n_hosts, domain, &idx))
        return 0;
    if (cfg->policy == XC_S2S_POLICY_OPEN)
        return 1;
    /*@ loop invariant 0 <= i <= cfg->n_allow;
        loop assigns i;
        loop variant cfg->n_allow - i;
    */
    for (i = 0; i < cfg->n_allow && i < XC_S2S_ALLOW_MAX; i++)
        if (xc_str_eq(cfg->allow[i], domain))
            return 1;
    return 0;
}

uint32_t s2s_parse_error_offset(xc_stream_error e)
{
    /* ERR_NOT_WELL_FORMED, ERR_RESTRICTED, ERR_NAMESPACE, ERR_PREFIX, ERR_ENCODING, ERR_LIMIT, ERR_FORMAT */
    switch (e) {
    case XC_SE_RESTRICTED_XML: return 1u;
    case XC_SE_INVALID_NAMESPACE: return 2u;
    case XC_SE_BAD_NAMESPACE_PREFIX: return 3u;
    case XC_SE_UNSUPPORTED_ENCODING: return 4u;
    case XC_SE_POLICY_VIOLATION: return 5u;
    case XC_SE_BAD_FORMAT: return 6u;
    default: return 0u;
    }
}

int s2s_domain(xc_str raw, xc_jid *j)
{
    if (raw.len == 0 || xc_jid_parse(raw.ptr, raw.len, j) != XC_JID_OK)
        return 0;
    /* a server is named by a domain alone (RFC 3920 §4.4, §8.3) */
    if (j->node_len != 0 || j->resource_len != 0)
        return 0;
    return 1;
}

int s2s_copy(char *dst, uint32_t cap, xc_str src, uint32_t *len)
{
    uint32_t i;

    *len = 0;
    if (src.len > cap)
        return 0;
    /*@ loop invariant 0 <= i <= src.len;
        loop assigns i, dst[0 .. cap - 1];
        loop variant src.len - i;
    */
    for (i = 0; i < src.len; i++)
        dst[i] = src.ptr[i];
    *len = src.len;
    return 1;
}

int s2s_domain_set(xc_s2s_domain *d, xc_str src)
{
    return s2s_copy(d->name, sizeof(d->name), src, &d->len);
}

xc_str s2s_domain_str(const xc_s2s_domain *d)
{
    xc_str r = { d->name, d->len };
    return r;
}

/* A version attribute's major number >= 1 ("major.minor", RFC 3920 §4.4.1 rule 4). */
/*@ requires xc_str_valid(v);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int version_1(xc_str v)
{
    uint32_t i, major = 0, digits = 0, minor_digits = 0;
    int dot = 0;

    /*@ loop invariant 0 <= i <= v.len && major <= 9999;
        loop invariant digits <= i && minor_digits <= i && (dot == 0 || dot == 1);
        loop assigns i, major, digits, minor_digits, dot;
        loop variant v.len - i;
    */
    for (i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (c == '.' && !dot && digits > 0) {
            dot = 1;
        } else if (c >= '0' && c <= '9') {
            if (dot) {
                minor_digits++;
            } else {
                digits++;
                major = major * 10u + (uint32_t)(uint8_t)(c - '0');
                if (major > 9999u)
                    major = 9999u;
            }
        } else {
            return 0;
        }
    }
    return dot && minor_digits > 0 && major >= 1u;
}

/* An attribute's value and whether it is there (an empty value is not an absent one). */
typedef struct s2s_attr {
    xc_str value;
    uint8_t found;
} s2s_attr;

/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e) && xc_str_valid(name);
    assigns \nothing;
    ensures xc_str_valid(\result.value) && (\result.found == 0 || \result.found == 1);
*/
static s2s_attr attr(const xc_xml_tree *t, const xc_xml_node *e, xc_str name)
{
    const xc_xml_attr *a = xc_xml_attr_find(t, e, XC_STR_LIT(""), name);
    s2s_attr r = { { NULL, 0 }, 0 };

    if (a != NULL) {
        r.value = a->value;
        r.found = 1;
    }
    return r;
}

/* The facts are gathered in a local and returned: no store into memory between the tree
 * reads, so the tree's string validity carries from one read to the next unchanged. */
xc_s2s_hdr s2s_read_header(const xc_xml_parser *p)
{
    const xc_xml_tree *t = xc_xml_parser_tree(p);
    const xc_xml_node *n = xc_xml_header(p);
    xc_s2s_hdr r = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0, 0, 0, 0, XC_S2S_DB_NONE };
    s2s_attr a;
    uint32_t k;

    if (n != NULL) {
        a = attr(t, n, XC_STR_LIT("from"));
        r.from = a.value;
        r.has_from = a.found;
        a = attr(t, n, XC_STR_LIT("to"));
        r.to = a.value;
        r.has_to = a.found;
        a = attr(t, n, XC_STR_LIT("id"));
        /* RFC 6120 §4.7.3: an empty id is no id */
        r.id = a.value;
        r.has_id = a.found && a.value.len > 0;
        a = attr(t, n, XC_STR_LIT("version"));
        r.version = a.found && version_1(a.value);
        /* XEP-0220 §2: the dialback namespace is declared with the db prefix on the header */
        /*@ loop invariant 0 <= k <= n->n_decls;
            loop assigns k, r.db;
            loop variant n->n_decls - k;
        */
        for (k = 0; k < n->n_decls; k++) {
            const xc_xml_attr *d = xc_xml_decl_at(t, n, k);
            if (d == NULL)
                break;
            if (xc_str_eq(d->name, XC_STR_LIT("db")))
                r.db = xc_str_eq(d->value, XC_STR_LIT(XC_NS_DIALBACK)) ? XC_S2S_DB_OK : XC_S2S_DB_WRONG;
        }
    }
    return r;
}

/* The only text child of an element (RFC 3920 §8.3: a key; §6: SASL data). */
typedef struct s2s_text {
    xc_str text;                     /* len 0 when none */
    uint8_t ok;                      /* no element child and at most one text child */
} s2s_text;

/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t) && \valid_read(e);
    assigns \nothing;
    ensures xc_str_valid(\result.text);
*/
static s2s_text read_text(const xc_xml_tree *t, const xc_xml_node *e)
{
    const xc_xml_node *c = xc_xml_node_at(t, e->first_child);
    s2s_text r = { { NULL, 0 }, 1 };

    if (c == NULL)
        return r;
    if (c->kind != XC_XML_TEXT_NODE || c->next != XC_XML_NONE) {
        r.ok = 0;
        return r;
    }
    r.text = c->text;
    return r;
}

/* What a <stream:features/> offers: starttls, EXTERNAL, dialback (RFC 3920 §5, §6; XEP-0220 §2.4). */
typedef struct s2s_offers {
    uint8_t tls, ext, db;
} s2s_offers;

/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e);
    assigns \nothing;
*/
static s2s_offers read_features(const xc_xml_tree *t, const xc_xml_node *e)
{
    const xc_xml_node *mechs = xc_xml_child_find(t, e, XC_STR_LIT(XC_NS_SASL), XC_STR_LIT("mechanisms"));
    s2s_offers r = { 0, 0, 0 };
    uint32_t i, steps;

    r.tls = xc_xml_child_find(t, e, XC_STR_LIT(XC_NS_TLS), XC_STR_LIT("starttls")) != NULL;
    r.db = xc_xml_child_find(t, e, XC_STR_LIT(XC_NS_DIALBACK_FEATURE), XC_STR_LIT("dialback")) != NULL;
    if (mechs == NULL)
        return r;
    i = mechs->first_child;
    /*@ loop invariant 0 <= steps <= t->nodes_used;
        loop assigns steps, i, r.ext;
        loop variant t->nodes_used - steps;
    */
    for (steps = 0; steps < t->nodes_used; steps++) {
        const xc_xml_node *m = xc_xml_node_at(t, i);
        const xc_xml_node *txt;
        if (m == NULL)
            break;
        if (m->kind == XC_XML_ELEMENT_NODE && xc_str_eq(m->ns, XC_STR_LIT(XC_NS_SASL)) &&
            xc_str_eq(m->name, XC_STR_LIT("mechanism"))) {
            txt = xc_xml_node_at(t, m->first_child);
            if (txt != NULL && txt->kind == XC_XML_TEXT_NODE && xc_str_eq(txt->text, XC_STR_LIT("EXTERNAL")))
                r.ext = 1;
        }
        i = m->next;
    }
    return r;
}

/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e);
    assigns \nothing;
*/
static xc_s2s_db_type db_type(const xc_xml_tree *t, const xc_xml_node *e)
{
    s2s_attr type = attr(t, e, XC_STR_LIT("type"));

    if (!type.found)
        return XC_S2S_DBT_NONE;
    if (xc_str_eq(type.value, XC_STR_LIT("valid")))
        return XC_S2S_DBT_VALID;
    if (xc_str_eq(type.value, XC_STR_LIT("invalid")))
        return XC_S2S_DBT_INVALID;
    return XC_S2S_DBT_OTHER;
}

/*@ requires \valid_read(e) && xc_xml_node_strs_ok((xc_xml_node *)e);
    assigns \nothing;
*/
static xc_s2s_el_kind kind_of(const xc_xml_node *e)
{
    xc_str ns = e->ns, name = e->name;

    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_SERVER))) {
        if (xc_str_eq(name, XC_STR_LIT("message")) || xc_str_eq(name, XC_STR_LIT("presence")) ||
            xc_str_eq(name, XC_STR_LIT("iq")))
            return XC_S2S_EL_STANZA;
        return XC_S2S_EL_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_DIALBACK))) {
        if (xc_str_eq(name, XC_STR_LIT("result")))
            return XC_S2S_EL_DB_RESULT;
        if (xc_str_eq(name, XC_STR_LIT("verify")))
            return XC_S2S_EL_DB_VERIFY;
        return XC_S2S_EL_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_TLS))) {
        if (xc_str_eq(name, XC_STR_LIT("starttls")))
            return XC_S2S_EL_STARTTLS;
        if (xc_str_eq(name, XC_STR_LIT("proceed")))
            return XC_S2S_EL_PROCEED;
        if (xc_str_eq(name, XC_STR_LIT("failure")))
            return XC_S2S_EL_TLS_FAILURE;
        return XC_S2S_EL_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_SASL))) {
        if (xc_str_eq(name, XC_STR_LIT("auth")))
            return XC_S2S_EL_AUTH;
        if (xc_str_eq(name, XC_STR_LIT("response")))
            return XC_S2S_EL_RESPONSE;
        if (xc_str_eq(name, XC_STR_LIT("abort")))
            return XC_S2S_EL_ABORT;
        if (xc_str_eq(name, XC_STR_LIT("success")))
            return XC_S2S_EL_SASL_SUCCESS;
        if (xc_str_eq(name, XC_STR_LIT("failure")))
            return XC_S2S_EL_SASL_FAILURE;
        if (xc_str_eq(name, XC_STR_LIT("challenge")))
            return XC_S2S_EL_SASL_CHALLENGE;
        return XC_S2S_EL_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_STREAMS))) {
        if (xc_str_eq(name, XC_STR_LIT("features")))
            return XC_S2S_EL_FEATURES;
        if (xc_str_eq(name, XC_STR_LIT("error")))
            return XC_S2S_EL_STREAM_ERROR;
        return XC_S2S_EL_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_BIDI)) && xc_str_eq(name, XC_STR_LIT("bidi")))
        return XC_S2S_EL_BIDI;
    return XC_S2S_EL_UNKNOWN;
}

/* Gathered in a local and returned, as s2s_read_header does. */
xc_s2s_el s2s_read_element(const xc_xml_parser *p)
{
    const xc_xml_tree *t = xc_xml_parser_tree(p);
    const xc_xml_node *e = xc_xml_element(p);
    xc_s2s_el r = { XC_S2S_EL_UNKNOWN, NULL, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0, 0, 0,
                    XC_S2S_DBT_NONE, { NULL, 0 }, 0, { NULL, 0 }, 0, 0, 0 };
    s2s_attr a;
    s2s_text x;
    s2s_offers o;

    if (e != NULL) {
        r.kind = kind_of(e);
        r.node = e;
        a = attr(t, e, XC_STR_LIT("from"));
        r.from = a.value;
        r.has_from = a.found;
        a = attr(t, e, XC_STR_LIT("to"));
        r.to = a.value;
        r.has_to = a.found;
        a = attr(t, e, XC_STR_LIT("id"));
        r.id = a.value;
        r.has_id = a.found;
        switch (r.kind) {
        case XC_S2S_EL_DB_RESULT:
        case XC_S2S_EL_DB_VERIFY:
            r.db_type = db_type(t, e);
            x = read_text(t, e);
            r.text = x.text;
            r.text_ok = x.ok;
            break;
        case XC_S2S_EL_AUTH:
            r.mechanism = attr(t, e, XC_STR_LIT("mechanism")).value;
            x = read_text(t, e);
            r.text = x.text;
            r.text_ok = x.ok;
            break;
        case XC_S2S_EL_FEATURES:
            o = read_features(t, e);
            r.offer_tls = o.tls;
            r.offer_ext = o.ext;
            r.offer_db = o.db;
            break;
        default: break;
        }
    }
    return r;
}

void s2s_hex_id(char *out, const uint8_t *rnd)
{
    static const char digits[16] = "0123456789abcdef";
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_S2S_RANDOM_BYTES;
        loop assigns i, out[0 .. 2 * XC_S2S_RANDOM_BYTES - 1];
        loop variant XC_S2S_RANDOM_BYTES - i;
    */
    for (i = 0; i < XC_S2S_RANDOM_BYTES; i++) {
        out[2u * i] = digits[(rnd[i] / 16u) % 16u];
        out[2u * i + 1u] = digits[rnd[i] % 16u];
    }
}

void s2s_put_header(xc_out *w, xc_str from, xc_str to, const char *id, int with_version)
{
    /* RFC 3920 §11.4: a declaration before every header; DESIGN.md "s2s headers": from, to,
     * version and (in a response) id, always */
    XC_OUT_LIT(w, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
                  "xmlns:stream='http://etherx.jabber.org/streams' from='");
    xc_out_escaped(w, from, 1);
    XC_OUT_LIT(w, "'");
    if (to.len > 0) {
        XC_OUT_LIT(w, " to='");
        xc_out_escaped(w, to, 1);
        XC_OUT_LIT(w, "'");
    }
    if (id != NULL) {
        XC_OUT_LIT(w, " id='");
        xc_out_put(w, id, 2u * XC_S2S_RANDOM_BYTES);
        XC_OUT_LIT(w, "'");
    }
    /* RFC 3920 §4.4.1 rule 4: a peer without version gets none back */
    if (with_version)
        XC_OUT_LIT(w, " version='1.0'");
    XC_OUT_LIT(w, ">");
}

void s2s_put_stream_error(xc_out *w, xc_stream_error e)
{
    XC_OUT_LIT(w, "<stream:error><");
    xc_out_str(w, *xc_stream_error_name(e));
    XC_OUT_LIT(w, " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
}

void s2s_put_close(xc_out *w)
{
    XC_OUT_LIT(w, "</stream:stream>");
}

void s2s_put_db(xc_out *w, const xc_s2s_db_out *d)
{
    XC_OUT_LIT(w, "<db:");
    if (d->verify)
        XC_OUT_LIT(w, "verify");
    else
        XC_OUT_LIT(w, "result");
    XC_OUT_LIT(w, " from='");
    xc_out_escaped(w, d->from, 1);
    XC_OUT_LIT(w, "' to='");
    xc_out_escaped(w, d->to, 1);
    XC_OUT_LIT(w, "'");
    if (d->id.len > 0) {
        XC_OUT_LIT(w, " id='");
        xc_out_escaped(w, d->id, 1);
        XC_OUT_LIT(w, "'");
    }
    switch (d->type) {
    case XC_S2S_DBT_VALID: XC_OUT_LIT(w, " type='valid'/>"); return;
    case XC_S2S_DBT_INVALID: XC_OUT_LIT(w, " type='invalid'/>"); return;
    case XC_S2S_DBT_OTHER:
        /* XEP-0220 §2.5: a dialback error carries a stanza error */
        XC_OUT_LIT(w, " type='error'><error type='");
        xc_out_str(w, xc_stanza_error_type_name(d->err_type));
        XC_OUT_LIT(w, "'><");
        xc_out_str(w, xc_stanza_error_name(d->err_cond));
        XC_OUT_LIT(w, " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
        break;
    case XC_S2S_DBT_NONE:
    default:
        XC_OUT_LIT(w, ">");
        xc_out_escaped(w, d->key, 0);
        break;
    }
    XC_OUT_LIT(w, "</db:");
    if (d->verify)
        XC_OUT_LIT(w, "verify>");
    else
        XC_OUT_LIT(w, "result>");
}

void s2s_link_init(xc_s2s_link *l, const xc_s2s_config *cfg, const xc_s2s_memory *mem)
{
    /* the plain fields first: each call below then only has to leave the other's part intact */
    l->cfg = cfg;
    l->secure = 0;
    l->header_sent = 0;
    xc_out_init(&l->out, mem->out, mem->out_cap);
    xc_xml_init(&l->xml, XC_XML_CONTENT_SERVER, &cfg->limits, &mem->xml);
}

void s2s_link_restart(xc_s2s_link *l)
{
    l->header_sent = 0;
    xc_xml_reset(&l->xml);
    /* the parts of xc_s2s_link_ok one by one: each a small goal, the whole then follows */
    /*@ assert xc_s2s_config_ok((xc_s2s_config *)l->cfg); */
    /*@ assert xc_out_ok(&l->out) && l->out.cap >= XC_S2S_OUT_MIN; */
    /*@ assert \separated(l, l->cfg, l->out.out + (0 .. l->out.cap - 1), l->xml.arena.base + (0 .. l->xml.arena.size - 1),
                          l->xml.tree.nodes + (0 .. l->xml.tree.nodes_cap - 1),
                          l->xml.tree.attrs + (0 .. l->xml.tree.attrs_cap - 1)); */
}
