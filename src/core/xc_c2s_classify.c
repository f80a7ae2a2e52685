/*
 * xc_c2s_classify.c — turns what the parser produced into one event of spec/c2s.fsm.
 *
 * Only names and attributes are looked at here; what to do about the event is the table's.
 */
#include "xc_base64.h"
#include "xc_c2s_internal.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

xc_c2s_event c2s_parse_error_event(xc_stream_error e)
{
    switch (e) {
    case XC_SE_RESTRICTED_XML: return XC_C2S_E_ERR_RESTRICTED;
    case XC_SE_INVALID_NAMESPACE: return XC_C2S_E_ERR_NAMESPACE;
    case XC_SE_BAD_NAMESPACE_PREFIX: return XC_C2S_E_ERR_PREFIX;
    case XC_SE_UNSUPPORTED_ENCODING: return XC_C2S_E_ERR_ENCODING;
    case XC_SE_POLICY_VIOLATION: return XC_C2S_E_ERR_LIMIT;
    case XC_SE_BAD_FORMAT: return XC_C2S_E_ERR_FORMAT;
    default: return XC_C2S_E_ERR_NOT_WELL_FORMED;
    }
}

/* Value of the unqualified attribute `name` of e, or len 0 with *found = 0. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e) && xc_str_valid(name) && \valid(found);
    assigns *found;
    ensures xc_str_valid(\result) && (*found == 0 || *found == 1);
*/
static xc_str attr_value(const xc_xml_tree *t, const xc_xml_node *e, xc_str name, int *found)
{
    const xc_xml_attr *a = xc_xml_attr_find(t, e, XC_STR_LIT(""), name);
    xc_str none = { NULL, 0 };

    *found = a != NULL;
    return a != NULL ? a->value : none;
}

/* A version attribute's major number (RFC 3920 §4.4.1: "major.minor", leading zeros ignored);
 * -1 when it is missing or not of that form. Values above 9999 count as 9999. */
/*@ requires xc_str_valid(v);
    assigns \nothing;
    ensures -1 <= \result <= 9999;
*/
static int32_t version_major(xc_str v)
{
    int32_t major = 0;
    uint32_t i, digits = 0, minor_digits = 0;
    int dot = 0;

    /*@ loop invariant 0 <= i <= v.len && 0 <= major <= 9999;
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
                major = major * 10 + (c - '0');
                if (major > 9999)
                    major = 9999;
            }
        } else {
            return -1;
        }
    }
    return (dot && minor_digits > 0) ? major : -1;
}

int c2s_host_index(const xc_str *list, uint32_t n, xc_str d, uint32_t *idx)
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

/* RFC 3920 §9.1.5: the client's xml:lang is the default language of its stanzas. Kept only when
 * it looks like a language tag (letters, digits, '-'), so it can be written back unescaped. */
/*@ requires xc_c2s_ok(s) && \valid_read(h);
    assigns s->lang[0 .. XC_C2S_LANG_MAX - 1], s->lang_len;
    ensures xc_c2s_ok(s);
*/
static void keep_lang(xc_c2s *s, const xc_xml_node *h)
{
    const xc_xml_attr *a = xc_xml_attr_find(xc_xml_tree_of(&s->xml), h, XC_STR_LIT(XC_NS_XML), XC_STR_LIT("lang"));
    uint32_t i;

    s->lang_len = 0;
    if (a == NULL || a->value.len == 0 || a->value.len > XC_C2S_LANG_MAX)
        return;
    /*@ loop invariant 0 <= i <= a->value.len;
        loop assigns i, s->lang[0 .. XC_C2S_LANG_MAX - 1];
        loop variant a->value.len - i;
    */
    for (i = 0; i < a->value.len; i++) {
        char c = a->value.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return;
        s->lang[i] = c;
    }
    s->lang_len = a->value.len;
}

xc_c2s_event c2s_classify_header(xc_c2s *s, uint32_t *host)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    const xc_xml_node *h = xc_xml_header(&s->xml);
    xc_str to, version;
    int has_to, has_version;
    uint32_t idx = 0;

    s->el = h;
    if (h == NULL)
        return XC_C2S_E_ERR_NOT_WELL_FORMED;
    keep_lang(s, h);
    to = attr_value(t, h, XC_STR_LIT("to"), &has_to);
    version = attr_value(t, h, XC_STR_LIT("version"), &has_version);
    /* RFC 3920 §4.7.1: a missing or unserved 'to' is host-unknown, answered from our own host */
    if (!has_to || xc_jid_parse(to.ptr, to.len, &s->to) != XC_JID_OK || s->to.node_len != 0 ||
        s->to.resource_len != 0)
        return XC_C2S_E_HDR_HOST_UNKNOWN;
    if (!c2s_host_index(s->cfg->hosts, s->cfg->n_hosts, xc_jid_domain(&s->to), &idx)) {
        if (c2s_host_index(s->cfg->gone, s->cfg->n_gone, xc_jid_domain(&s->to), &idx))
            return XC_C2S_E_HDR_HOST_GONE;
        return XC_C2S_E_HDR_HOST_UNKNOWN;
    }
    /* A restart names the host the stream began with (the CVE-2018-10847 class). */
    if (s->host_known && idx != s->host)
        return XC_C2S_E_HDR_HOST_CHANGED;
    *host = idx;
    /* RFC 3920 §4.4.1 rule 4: no version means 0.0; we speak 1.0 only */
    if (!has_version || version_major(version) < 1)
        return XC_C2S_E_HDR_NO_VERSION;
    return XC_C2S_E_HDR_OK;
}

/* The only text child of e: 1 with *text set when e has no element child and at most one
 * text child (*present says whether there was one); 0 otherwise. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && xc_xml_tree_strs_ok((xc_xml_tree *)t);
    requires \valid_read(e) && \valid(text) && \valid(present) && \separated(text, present);
    assigns *text, *present;
    ensures (\result == 0 || \result == 1) && xc_str_valid(*text) && (*present == 0 || *present == 1);
*/
static int only_text(const xc_xml_tree *t, const xc_xml_node *e, xc_str *text, uint8_t *present)
{
    const xc_xml_node *c = xc_xml_node_at(t, e->first_child);

    text->ptr = NULL;
    text->len = 0;
    *present = 0;
    if (c == NULL)
        return 1;
    if (c->kind != XC_XML_TEXT_NODE || c->next != XC_XML_NONE)
        return 0;
    *text = c->text;
    *present = 1;
    return 1;
}

/* Number of element children of e (at most 2 are counted) and the first one. */
/*@ requires xc_xml_tree_ok((xc_xml_tree *)t) && \valid_read(e) && \valid(first);
    assigns *first;
    ensures \result <= 2 && (*first == \null || \valid_read(*first));
*/
static uint32_t element_children(const xc_xml_tree *t, const xc_xml_node *e, const xc_xml_node **first)
{
    uint32_t i = e->first_child, steps, n = 0;

    *first = NULL;
    /*@ loop invariant 0 <= steps <= t->nodes_used && n <= 2;
        loop invariant *first == \null || \valid_read(*first);
        loop assigns steps, i, n, *first;
        loop variant t->nodes_used - steps;
    */
    for (steps = 0; steps < t->nodes_used && n < 2; steps++) {
        const xc_xml_node *c = xc_xml_node_at(t, i);
        if (c == NULL)
            break;
        if (c->kind == XC_XML_ELEMENT_NODE) {
            if (n == 0)
                *first = c;
            n++;
        }
        i = c->next;
    }
    return n;
}

/*@ requires xc_c2s_ok(s) && \valid_read(e);
    assigns s->auth_mech;
    ensures xc_c2s_ok(s) && (\result == XC_C2S_E_AUTH_OFFERED || \result == XC_C2S_E_AUTH_NOT_OFFERED);
    ensures \result == XC_C2S_E_AUTH_OFFERED ==> s->auth_mech < XC_MECH_COUNT && (s->offered & (1u << s->auth_mech)) != 0;
*/
static xc_c2s_event classify_auth(xc_c2s *s, const xc_xml_node *e)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    int found;
    xc_str mech = attr_value(t, e, XC_STR_LIT("mechanism"), &found);
    uint32_t m;

    if (!found)
        return XC_C2S_E_AUTH_NOT_OFFERED;
    /*@ loop invariant 0 <= m <= XC_MECH_COUNT;
        loop assigns m, s->auth_mech;
        loop variant XC_MECH_COUNT - m;
    */
    for (m = 0; m < (uint32_t)XC_MECH_COUNT; m++) {
        /* compared against this stream's offer only (the CVE-2017-10807 class) */
        if ((s->offered & (1u << m)) != 0 && xc_str_eq(mech, xc_mech_name((xc_mech)m))) {
            s->auth_mech = (xc_mech)m;
            return XC_C2S_E_AUTH_OFFERED;
        }
    }
    return XC_C2S_E_AUTH_NOT_OFFERED;
}

/*@ requires xc_c2s_ok(s) && \valid_read(e);
    assigns s->resource.ptr, s->resource.len;
    ensures xc_c2s_ok(s) && \result < XC_C2S_E_COUNT;
*/
static xc_c2s_event classify_iq(xc_c2s *s, const xc_xml_node *e)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    const xc_xml_node *child;
    uint32_t n = element_children(t, e, &child);
    int found;
    xc_str type = attr_value(t, e, XC_STR_LIT("type"), &found);
    int is_set = found && xc_str_eq(type, XC_STR_LIT("set"));

    s->resource.ptr = NULL;
    s->resource.len = 0;
    if (child == NULL)
        return XC_C2S_E_IQ;
    if (xc_str_eq(child->ns, XC_STR_LIT(XC_NS_BIND)) && xc_str_eq(child->name, XC_STR_LIT("bind"))) {
        const xc_xml_node *r = xc_xml_child_find(t, child, XC_STR_LIT(XC_NS_BIND), XC_STR_LIT("resource"));
        const xc_xml_node *only;
        uint8_t present = 0;
        /* RFC 3920 §9.2.3 rule 5: an IQ set carries exactly one child; <bind/> holds at most a resource */
        if (!is_set || n != 1 || element_children(t, child, &only) > (r != NULL ? 1u : 0u))
            return XC_C2S_E_IQ_BIND_BAD;
        if (r != NULL && !only_text(t, r, &s->resource, &present))
            return XC_C2S_E_IQ_BIND_BAD;
        return XC_C2S_E_IQ_BIND;
    }
    if (is_set && n == 1 && xc_str_eq(child->ns, XC_STR_LIT(XC_NS_SESSION)) &&
        xc_str_eq(child->name, XC_STR_LIT("session")))
        return XC_C2S_E_IQ_SESSION;
    return XC_C2S_E_IQ;
}

xc_c2s_event c2s_classify_element(xc_c2s *s)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    const xc_xml_node *e = xc_xml_element(&s->xml);
    xc_str ns, name;

    s->el = e;
    s->sasl_text_bad = 0;
    s->sasl_text_present = 0;
    s->sasl_text.ptr = NULL;
    s->sasl_text.len = 0;
    if (e == NULL)
        return XC_C2S_E_ERR_NOT_WELL_FORMED;
    ns = e->ns;
    name = e->name;
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_CLIENT))) {
        if (xc_str_eq(name, XC_STR_LIT("message")))
            return XC_C2S_E_MESSAGE;
        if (xc_str_eq(name, XC_STR_LIT("presence")))
            return XC_C2S_E_PRESENCE;
        if (xc_str_eq(name, XC_STR_LIT("iq")))
            return classify_iq(s, e);
        return XC_C2S_E_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_TLS))) {
        if (xc_str_eq(name, XC_STR_LIT("starttls")))
            return XC_C2S_E_STARTTLS;
        if (xc_str_eq(name, XC_STR_LIT("proceed")) || xc_str_eq(name, XC_STR_LIT("failure")))
            return XC_C2S_E_SERVER_ONLY;
        return XC_C2S_E_UNKNOWN;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_SASL))) {
        xc_c2s_event ev;
        if (xc_str_eq(name, XC_STR_LIT("auth")))
            ev = classify_auth(s, e);
        else if (xc_str_eq(name, XC_STR_LIT("response")))
            ev = XC_C2S_E_RESPONSE;
        else if (xc_str_eq(name, XC_STR_LIT("abort")))
            return XC_C2S_E_ABORT;
        else if (xc_str_eq(name, XC_STR_LIT("challenge")) || xc_str_eq(name, XC_STR_LIT("success")) ||
                 xc_str_eq(name, XC_STR_LIT("failure")))
            return XC_C2S_E_SERVER_ONLY;
        else
            return XC_C2S_E_UNKNOWN;
        /* Child elements make the text unusable: the b64_ok guard then fails (incorrect-encoding). */
        s->sasl_text_bad = !only_text(t, e, &s->sasl_text, &s->sasl_text_present);
        return ev;
    }
    if (xc_str_eq(ns, XC_STR_LIT(XC_NS_STREAMS))) {
        if (xc_str_eq(name, XC_STR_LIT("error")))
            return XC_C2S_E_PEER_ERROR;
        if (xc_str_eq(name, XC_STR_LIT("features")))
            return XC_C2S_E_SERVER_ONLY;
    }
    return XC_C2S_E_UNKNOWN;
}

int c2s_sasl_decode(xc_c2s *s)
{
    size_t n = 0;

    s->fx.sasl = s->sasl_buf;
    s->fx.sasl_len = 0;
    s->fx.sasl_present = s->sasl_text_present;
    if (s->sasl_text_bad)
        return 0;
    /* RFC 6120 §6.4.2: no text = no initial response; "=" = an empty one */
    if (!s->sasl_text_present)
        return 1;
    if (xc_base64_decode(s->sasl_text.ptr, s->sasl_text.len, s->sasl_buf, sizeof(s->sasl_buf), &n) != XC_B64_OK)
        return 0;
    s->fx.sasl_len = (uint32_t)n;
    return 1;
}
