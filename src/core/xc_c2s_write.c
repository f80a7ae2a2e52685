/*
 * xc_c2s_write.c — every byte a c2s stream sends: headers, features, TLS and SASL elements,
 * stream and stanza errors, and stanzas with their from stamped.
 *
 * All of it goes through the stream's bounded xc_out; attribute values that came from the
 * client (ids, JIDs) are escaped, never copied raw.
 */
#include "xc_base64.h"
#include "xc_c2s_internal.h"
#include "xc_stanza_reply.h"
#include "xc_str.h"
#include "xc_xml_tree.h"
#include "xc_xml_write.h"

xc_str c2s_host(const xc_c2s *s)
{
    /* before a header named a served host, we speak as the first one (RFC 3920 §4.7.1 bullet 2) */
    return s->cfg->hosts[s->host_known ? s->host : 0u];
}

/*@ requires \valid(out + (0 .. 2 * n - 1)) && \valid_read(in + (0 .. n - 1));
    requires \separated(out + (0 .. 2 * n - 1), in + (0 .. n - 1)) && n <= 64;
    assigns out[0 .. 2 * n - 1];
*/
static void hex(char *out, const uint8_t *in, uint32_t n)
{
    static const char digits[16] = "0123456789abcdef";
    uint32_t i;

    /*@ loop invariant 0 <= i <= n;
        loop assigns i, out[0 .. 2 * n - 1];
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        out[2u * i] = digits[(in[i] / 16u) % 16u];
        out[2u * i + 1u] = digits[in[i] % 16u];
    }
}

/* The header's bytes. On the output buffer alone, so that the stream's whole invariant has to
 * cross one call here instead of every piece of the header. */
/*@ requires xc_out_ok(w) && xc_str_valid(host) && \valid_read(id + (0 .. 2 * XC_C2S_ID_BYTES - 1));
    requires host.len == 0 || \separated(w, host.ptr + (0 .. host.len - 1));
    requires \separated(w, id + (0 .. 2 * XC_C2S_ID_BYTES - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
*/
static void put_header_bytes(xc_out *w, xc_str host, const char *id, int with_version)
{
    /* RFC 3920 §11.4: a declaration before every header; §4.4: from is the host we serve */
    XC_OUT_LIT(w, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  "xmlns:stream='http://etherx.jabber.org/streams' from='");
    xc_out_escaped(w, host, 1);
    XC_OUT_LIT(w, "' id='");
    xc_out_put(w, id, 2 * XC_C2S_ID_BYTES);
    XC_OUT_LIT(w, "'");
    /* RFC 3920 §4.4.1 rule 4: a peer without version gets none back */
    if (with_version)
        XC_OUT_LIT(w, " version='1.0'");
    XC_OUT_LIT(w, " xml:lang='en'>");
}

void c2s_put_header(xc_c2s *s, int with_version)
{
    /* RFC 3920 §4.4: an unpredictable id, fresh for every header; a header a timer forces out
     * (no read, so no bytes of this call) takes the spare kept from the latest ones */
    hex(s->id, s->rnd != NULL ? s->rnd : s->spare, XC_C2S_ID_BYTES);
    put_header_bytes(&s->out, c2s_host(s), s->id, with_version);
    s->header_sent = 1;
}

/* The mechanisms policy allows on this stream now (DESIGN.md): nothing before TLS when TLS is
 * required; PLAIN, EXTERNAL and channel binding only over TLS; EXTERNAL only with a client
 * certificate the shell verified; -PLUS only when the shell has channel-binding data. */
/*@ requires \valid_read(s) && \valid_read(s->cfg);
    assigns \nothing;
    ensures s->cfg->require_tls && !s->secure ==> \result == 0;
*/
static uint32_t offer(const xc_c2s *s)
{
    uint32_t m = s->cfg->mechs & ((1u << XC_MECH_COUNT) - 1u);
    const uint32_t plus = (1u << XC_MECH_SCRAM_SHA_256_PLUS) | (1u << XC_MECH_SCRAM_SHA_1_PLUS);

    if (s->cfg->require_tls && !s->secure)
        return 0;
    if (!s->secure)
        m &= ~((1u << XC_MECH_PLAIN) | (1u << XC_MECH_EXTERNAL) | plus);
    if (!s->client_cert_ok)
        m &= ~(1u << XC_MECH_EXTERNAL);
    if (!s->channel_binding)
        m &= ~plus;
    return m;
}

/* The features' bytes, on the output buffer alone (see put_header_bytes). */
/*@ requires xc_out_ok(w);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
*/
static void put_features_bytes(xc_out *w, int authed, int secure, int require_tls, uint32_t offered)
{
    uint32_t m;

    XC_OUT_LIT(w, "<stream:features>");
    if (authed) {
        /* RFC 3920 §7 and RFC 3921 §3: binding, then the (optional, RFC 6121) session */
        XC_OUT_LIT(w, "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                      "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>");
    } else {
        if (!secure) {
            /* RFC 3920 §5.1 rule 3, §5.2 step 3 */
            XC_OUT_LIT(w, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>");
            if (require_tls)
                XC_OUT_LIT(w, "<required/>");
            XC_OUT_LIT(w, "</starttls>");
        }
        if (offered != 0) {
            XC_OUT_LIT(w, "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");
            /*@ loop invariant 0 <= m <= XC_MECH_COUNT;
                loop invariant xc_out_ok(w) && w->out == \at(w->out, LoopEntry) && w->cap == \at(w->cap, LoopEntry);
                loop assigns m, w->full, w->len, w->out[0 .. w->cap - 1];
                loop variant XC_MECH_COUNT - m;
            */
            for (m = 0; m < (uint32_t)XC_MECH_COUNT; m++) {
                if ((offered & (1u << m)) == 0)
                    continue;
                XC_OUT_LIT(w, "<mechanism>");
                xc_out_str(w, xc_mech_name((xc_mech)m));
                XC_OUT_LIT(w, "</mechanism>");
            }
            XC_OUT_LIT(w, "</mechanisms>");
        }
    }
    XC_OUT_LIT(w, "</stream:features>");
}

void c2s_put_features(xc_c2s *s)
{
    s->offered = s->authed ? 0 : offer(s);
    put_features_bytes(&s->out, s->authed, s->secure, s->cfg->require_tls, s->offered);
}

void c2s_put_sasl_failure(xc_c2s *s, xc_sasl_failure f)
{
    XC_OUT_LIT(&s->out, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><");
    xc_out_str(&s->out, xc_sasl_failure_name(f));
    XC_OUT_LIT(&s->out, "/></failure>");
}

void c2s_put_sasl_data(xc_c2s *s, int success, const uint8_t *data, size_t data_len)
{
    size_t n = 0;

    if (success && data_len == 0) {
        XC_OUT_LIT(&s->out, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        return;
    }
    if (xc_base64_encode(data, data_len, s->b64, sizeof(s->b64), &n) != XC_B64_OK) {
        s->out.full = 1;
        return;
    }
    if (success)
        XC_OUT_LIT(&s->out, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");
    else
        XC_OUT_LIT(&s->out, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");
    /* an empty challenge is "=" (RFC 6120 §6.4.2), which xc_base64_encode gives for 0 bytes */
    xc_out_put(&s->out, s->b64, n);
    if (success)
        XC_OUT_LIT(&s->out, "</success>");
    else
        XC_OUT_LIT(&s->out, "</challenge>");
}

void c2s_put_stream_error(xc_c2s *s, xc_stream_error e)
{
    /* RFC 3920 §4.7.1: an error before our header still gets a header first */
    if (!s->header_sent)
        c2s_put_header(s, 1);
    XC_OUT_LIT(&s->out, "<stream:error><");
    xc_out_str(&s->out, *xc_stream_error_name(e));
    XC_OUT_LIT(&s->out, " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
}

void c2s_put_close(xc_c2s *s)
{
    XC_OUT_LIT(&s->out, "</stream:stream>");
}

/*@ requires xc_c2s_ok(s) && \valid_read(e) && \valid(found);
    assigns *found;
    ensures xc_str_valid(\result);
*/
static xc_str el_attr(const xc_c2s *s, const xc_xml_node *e, xc_str name, int *found)
{
    const xc_xml_attr *a = xc_xml_attr_find(xc_xml_tree_of(&s->xml), e, XC_STR_LIT(""), name);
    xc_str none = { NULL, 0 };

    *found = a != NULL;
    return a != NULL ? a->value : none;
}

/* Writes the element being handled with stamp st into w; 1 when all of it fit. */
/*@ requires xc_c2s_ok(s) && \valid(w) && xc_out_ok(w) && \valid_read(st);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w) && (\result == 0 || \result == 1);
*/
static int put_element(const xc_c2s *s, xc_out *w, const xc_xml_stamp *st)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    size_t n = 0;

    if (s->el == NULL || w->full)
        return 0;
    if (xc_xml_write_stanza(t, xc_xml_index_of(t, s->el), XC_STR_LIT(XC_NS_CLIENT), st, w->out + w->len,
                            w->cap - w->len, &n) != XC_XML_WRITE_OK)
        return 0;
    w->len += n;
    return 1;
}

/* Field by field, not as struct copies: WP models a struct copy as a havoc of the target and an
 * equality of loads, which the provers could not see past (stamp_clear's ensures timed out).
 * Each helper keeps a havoc to one attribute or to the tail. */
/*@ requires \valid(a);
    assigns *a;
    ensures a->set == 0 && a->omit == 0 && a->value.len == 0 && xc_str_valid(a->value);
*/
static void stamp_attr_keep(xc_xml_stamp_attr *a)
{
    a->set = 0;
    a->omit = 0;
    a->value.ptr = NULL;
    a->value.len = 0;
}

/*@ requires \valid(tail + (0 .. XC_XML_STAMP_TAIL_MAX - 1));
    assigns tail[0 .. XC_XML_STAMP_TAIL_MAX - 1];
    ensures \forall integer k; 0 <= k < XC_XML_STAMP_TAIL_MAX ==> tail[k].len == 0;
*/
static void stamp_tail_clear(xc_str *tail)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_XML_STAMP_TAIL_MAX;
        loop invariant \forall integer k; 0 <= k < i ==> tail[k].len == 0;
        loop assigns i, tail[0 .. XC_XML_STAMP_TAIL_MAX - 1];
        loop variant XC_XML_STAMP_TAIL_MAX - i;
    */
    for (i = 0; i < XC_XML_STAMP_TAIL_MAX; i++) {
        tail[i].ptr = NULL;
        tail[i].len = 0;
    }
}

/* A stamp that changes nothing. */
/*@ requires \valid(st);
    assigns *st;
    ensures xc_xml_stamp_ok(st) && st->n_tail == 0 && st->drop_children == 0;
*/
static void stamp_clear(xc_xml_stamp *st)
{
    stamp_attr_keep(&st->type);
    stamp_attr_keep(&st->from);
    stamp_attr_keep(&st->to);
    stamp_attr_keep(&st->lang);
    st->drop_children = 0;
    st->n_tail = 0;
    stamp_tail_clear(st->tail);
}

void c2s_put_stanza_error(xc_c2s *s, xc_stanza_error_type type, xc_stanza_error cond)
{
    xc_xml_stamp st;
    int has_type, has_to;
    xc_str kind, to;

    if (s->el == NULL || s->out.full)
        return;
    kind = el_attr(s, s->el, XC_STR_LIT("type"), &has_type);
    /* DESIGN.md "Nothing lost": an error is never answered with another error */
    if (has_type && xc_str_eq(kind, XC_STR_LIT("error")))
        return;
    to = el_attr(s, s->el, XC_STR_LIT("to"), &has_to);
    /* RFC 3920 §9.3.1: same kind and id, type='error', from = the original to, to = the sender */
    xc_stanza_error_stamp(&st, to, has_to && !s->to_malformed, (xc_str){ s->jid_text, s->jid_text_len }, s->bound,
                          type, cond);
    if (put_element(s, &s->out, &st))
        return;
    /* RFC 3920 §9.3.1 only SHOULD include the payload: without room for it, leave it out */
    st.drop_children = 1;
    (void)put_element(s, &s->out, &st);
}

/* A prepared JID as an attribute value. */
/*@ requires xc_out_ok(w) && \valid_read(j) && j->node_len <= XC_JID_PART_MAX &&
             j->domain_len <= XC_JID_PART_MAX && j->resource_len <= XC_JID_PART_MAX;
    requires \separated(w, j);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w) && w->out == \old(w->out) && w->cap == \old(w->cap);
*/
static void put_jid(xc_out *w, const xc_jid *j)
{
    if (j->node_len > 0) {
        xc_out_escaped(w, xc_jid_node(j), 1);
        XC_OUT_LIT(w, "@");
    }
    xc_out_escaped(w, xc_jid_domain(j), 1);
    if (j->resource_len > 0) {
        XC_OUT_LIT(w, "/");
        xc_out_escaped(w, xc_jid_resource(j), 1);
    }
}

void c2s_put_iq_result(xc_c2s *s, int with_bind_jid, const xc_jid *from)
{
    int has_id = 0;
    xc_str id = s->el != NULL ? el_attr(s, s->el, XC_STR_LIT("id"), &has_id) : XC_STR_LIT("");
    xc_str jid = { s->jid_text, s->jid_text_len };

    XC_OUT_LIT(&s->out, "<iq type='result' id='");
    xc_out_escaped(&s->out, id, 1);
    if (with_bind_jid) {
        /* RFC 3920 §7: the result carries the full JID the stream is bound to */
        XC_OUT_LIT(&s->out, "'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>");
        xc_out_escaped(&s->out, jid, 0);
        XC_OUT_LIT(&s->out, "</jid></bind></iq>");
        return;
    }
    /* RFC 3920 §9.2.3: the answer comes from whom the request was addressed to (the host, or
     * the account's bare JID the server answers for); no to means the account itself, and the
     * answer then carries no from (RFC 3921 §3 step 2, §7.3) */
    if (from != NULL) {
        XC_OUT_LIT(&s->out, "' from='");
        put_jid(&s->out, from);
    }
    XC_OUT_LIT(&s->out, "' to='");
    xc_out_escaped(&s->out, jid, 1);
    XC_OUT_LIT(&s->out, "'/>");
}

void c2s_put_ping(xc_c2s *s)
{
    uint8_t n[4];
    char id[8];

    /* XEP-0199 §4.3: from the server to the client's full JID; the id only has to be unique on
     * this stream (whatever the client answers, a result or an error, is input and counts) */
    /* masked: a narrowing cast of a value that does not fit is an error under the proof's
     * -warn-unsigned-downcast, and the truncation is what is meant */
    n[0] = (uint8_t)((s->pings >> 24) & 0xffu);
    n[1] = (uint8_t)((s->pings >> 16) & 0xffu);
    n[2] = (uint8_t)((s->pings >> 8) & 0xffu);
    n[3] = (uint8_t)(s->pings & 0xffu);
    hex(id, n, 4);
    XC_OUT_LIT(&s->out, "<iq type='get' from='");
    xc_out_escaped(&s->out, c2s_host(s), 1);
    XC_OUT_LIT(&s->out, "' to='");
    xc_out_escaped(&s->out, (xc_str){ s->jid_text, s->jid_text_len }, 1);
    XC_OUT_LIT(&s->out, "' id='xmppd-ping-");
    xc_out_put(&s->out, id, sizeof id);
    XC_OUT_LIT(&s->out, "'><ping xmlns='urn:xmpp:ping'/></iq>");
    if (s->pings < 0xffffffffu)
        s->pings++;
}

int c2s_write_stamped(xc_c2s *s)
{
    xc_xml_stamp st;
    xc_out w;

    /* RFC 6120 §8.1.2.1 (DESIGN.md): from is always the stream's full JID, whatever was sent */
    stamp_clear(&st);
    st.from.set = 1;
    st.from.value.ptr = s->jid_text;
    st.from.value.len = s->jid_text_len;
    /* RFC 3920 §9.1.5: a stanza without xml:lang gets the stream's; one with it keeps it */
    if (s->lang_len > 0 && s->el != NULL &&
        xc_xml_attr_find(xc_xml_tree_of(&s->xml), s->el, XC_STR_LIT(XC_NS_XML), XC_STR_LIT("lang")) == NULL) {
        st.lang.set = 1;
        st.lang.value.ptr = s->lang;
        st.lang.value.len = s->lang_len;
    }
    xc_out_init(&w, s->route_buf, s->route_cap);
    s->fx.route = s->route_buf;
    s->fx.route_len = 0;
    if (!put_element(s, &w, &st))
        return 0;
    s->fx.route_len = (uint32_t)w.len;
    return 1;
}
