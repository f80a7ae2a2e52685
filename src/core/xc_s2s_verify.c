/*
 * xc_s2s_verify.c — our connection to the authoritative server of a peer domain S, carrying the
 * <db:verify/> requests of our inbound streams (spec/s2s_verify.fsm; RFC 3920 §8.3 steps 5-9;
 * XEP-0220 §2.1.2).
 *
 * Requests live in a fixed table of XC_S2S_REQUESTS_MAX slots: FREE -> QUEUED (handed before
 * the connection was ready) -> SENT -> FREE (answered or failed). Its one security rule: a typed
 * answer counts only when its (from, to, id) equals (S, T, id) of a request SENT on this very
 * connection and not yet answered (guard answer_matches; CVE-2012-3525). Every request ends in
 * exactly one outcome: its answer, or ERROR when the connection fails or closes first.
 */
#include "xc_s2s_internal.h"
#include "xc_str.h"

/* What no entry point moves: the output buffer and the parser's pools stay where init put them
 * (a loop's assigns and the callers' frames name them by the stream's fields). */
/*@ predicate verify_frame{L1, L2}(xc_s2s_verify *s) =
      \at(s->l.out.out, L1) == \at(s->l.out.out, L2) && \at(s->l.out.cap, L1) == \at(s->l.out.cap, L2) &&
      \at(s->l.xml.arena.base, L1) == \at(s->l.xml.arena.base, L2) && \at(s->l.xml.arena.size, L1) == \at(s->l.xml.arena.size, L2) &&
      \at(s->l.xml.tree.nodes, L1) == \at(s->l.xml.tree.nodes, L2) && \at(s->l.xml.tree.nodes_cap, L1) == \at(s->l.xml.tree.nodes_cap, L2) &&
      \at(s->l.xml.tree.attrs, L1) == \at(s->l.xml.tree.attrs, L2) && \at(s->l.xml.tree.attrs_cap, L1) == \at(s->l.xml.tree.attrs_cap, L2);
*/

/*@ requires \valid(s);
    assigns s->fx;
*/
static void s2s_verify_clear_effects(xc_s2s_verify *s)
{
    s->fx.flags = 0;
    s->fx.row_line = 0;
    s->fx.out = s->l.out.out;
    s->fx.out_len = 0;
    s->fx.n_outcomes = 0;
    s->fx.error = XC_SE_NONE;
}

void xc_s2s_verify_init(xc_s2s_verify *s, const xc_s2s_config *cfg, const xc_s2s_memory *mem, xc_str target,
                        xc_str sender)
{
    uint32_t i;

    s->state = XC_S2S_VERIFY_S_CONNECTING;
    /* s2s_link_init, written out: xc_out_init and xc_xml_init say which memory the link now
     * uses (the caller's), so WP knows it apart from s */
    s->l.cfg = cfg;
    s->l.secure = 0;
    s->l.header_sent = 0;
    xc_out_init(&s->l.out, mem->out, mem->out_cap);
    xc_xml_init(&s->l.xml, XC_XML_CONTENT_SERVER, &cfg->limits, &mem->xml);
    if (!s2s_domain_set(&s->target, target))
        s->target.len = 0;
    if (!s2s_domain_set(&s->sender, sender))
        s->sender.len = 0;
    s->offer_tls = 0;
    /*@ loop invariant 0 <= i <= XC_S2S_REQUESTS_MAX;
        loop assigns i, s->requests[0 .. XC_S2S_REQUESTS_MAX - 1];
        loop variant XC_S2S_REQUESTS_MAX - i;
    */
    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++) {
        s->requests[i].state = XC_S2S_REQ_FREE;
        s->requests[i].token = 0;
        s->requests[i].id_len = 0;
        s->requests[i].key_len = 0;
    }
    s->cur = 0;
    s->db_from.node_len = 0;
    s->db_from.domain_len = 0;
    s->db_from.resource_len = 0;
    s->db_to = s->db_from;
    s->db_id.ptr = NULL;
    s->db_id.len = 0;
    s2s_verify_clear_effects(s);
}

/*@ requires xc_s2s_verify_ok(s);
    assigns s->fx, s->l.out.len, s->l.out.full;
    ensures xc_s2s_verify_ok(s) && s->fx.flags == 0 && s->fx.n_outcomes == 0;
*/
static void s2s_verify_begin(xc_s2s_verify *s)
{
    s->l.out.len = 0;
    s->l.out.full = 0;
    s2s_verify_clear_effects(s);
}

/*@ requires xc_s2s_verify_ok(s);
    assigns s->fx.out, s->fx.out_len, s->db_id;
    ensures xc_s2s_verify_ok(s);
*/
static xc_s2s_status s2s_verify_finish(xc_s2s_verify *s)
{
    s->db_id.ptr = NULL;
    s->db_id.len = 0;
    s->fx.out = s->l.out.out;
    s->fx.out_len = (uint32_t)s->l.out.len;
    if (s->state == XC_S2S_VERIFY_S_CLOSED)
        return XC_S2S_CLOSED;
    if (s->state == XC_S2S_VERIFY_S_TLS_HS || s->state == XC_S2S_VERIFY_S_CONNECTING)
        return XC_S2S_WAIT;
    return XC_S2S_OK;
}

/* One outcome for the shell: the request's token and what became of it. */
/*@ requires xc_s2s_verify_ok(s) && i < XC_S2S_REQUESTS_MAX;
    assigns s->fx.flags, s->fx.outcomes[0 .. XC_S2S_REQUESTS_MAX], s->fx.n_outcomes, s->requests[i].state;
    ensures xc_s2s_verify_ok(s) && s->requests[i].state == XC_S2S_REQ_FREE;
*/
static void report(xc_s2s_verify *s, uint32_t i, xc_s2s_outcome o)
{
    if (s->fx.n_outcomes < XC_S2S_REQUESTS_MAX + 1u) {
        s->fx.outcomes[s->fx.n_outcomes].token = s->requests[i].token;
        s->fx.outcomes[s->fx.n_outcomes].outcome = o;
        s->fx.n_outcomes++;
        s->fx.flags |= XC_S2S_VERIFY_FX_OUTCOME;
    }
    s->requests[i].state = XC_S2S_REQ_FREE;
}

/*@ requires xc_s2s_verify_ok(s);
    assigns s->fx.flags, s->fx.outcomes[0 .. XC_S2S_REQUESTS_MAX], s->fx.n_outcomes,
            s->requests[0 .. XC_S2S_REQUESTS_MAX - 1];
    ensures xc_s2s_verify_ok(s);
    ensures verify_frame{Old, Here}(s);
*/
static void report_error_all(xc_s2s_verify *s)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_S2S_REQUESTS_MAX && xc_s2s_verify_ok(s);
        loop invariant verify_frame{Pre, Here}(s);
        loop assigns i, s->fx.flags, s->fx.outcomes[0 .. XC_S2S_REQUESTS_MAX], s->fx.n_outcomes,
                     s->requests[0 .. XC_S2S_REQUESTS_MAX - 1];
        loop variant XC_S2S_REQUESTS_MAX - i;
    */
    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++)
        if (s->requests[i].state != XC_S2S_REQ_FREE)
            report(s, i, XC_S2S_VERIFY_ERROR);
}

/*@ requires xc_s2s_verify_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent;
    ensures xc_s2s_verify_ok(s);
*/
static void s2s_verify_put_header(xc_s2s_verify *s)
{
    /* RFC 3920 §8.3 step 6: from our domain T to the authoritative domain S. The strings are
     * built here (not by s2s_domain_str) so WP sees they are fields of s apart from s->l.out. */
    xc_str from = { s->target.name, s->target.len };
    xc_str to = { s->sender.name, s->sender.len };

    s2s_put_header(&s->l.out, from, to, NULL, 1);
    s->l.header_sent = 1;
}

/* s2s_link_restart with the assigns it has: xc_xml_reset writes the parser struct only (inside
 * the link), which s2s_link_restart's contract (the pools too) does not say. */
/*@ requires xc_s2s_link_ok(l);
    assigns l->header_sent, l->xml;
    ensures xc_s2s_link_ok(l) && l->header_sent == 0 && xc_xml_frame{Old, Here}(&l->xml);
*/
static void link_restart(xc_s2s_link *l)
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

/*@ requires xc_s2s_verify_ok(s);
    assigns s->l.header_sent, s->l.xml;
    ensures xc_s2s_verify_ok(s) && xc_xml_frame{Old, Here}(&s->l.xml);
*/
static void restart(xc_s2s_verify *s)
{
    link_restart(&s->l);
}

/*@ requires xc_s2s_verify_ok(s);
    assigns s->fx.flags, s->fx.error, s->state;
    ensures xc_s2s_verify_ok(s) && s->state == XC_S2S_VERIFY_S_CLOSED;
*/
static void s2s_verify_closing(xc_s2s_verify *s, xc_stream_error e)
{
    s->fx.flags |= XC_S2S_VERIFY_FX_CLOSE;
    s->fx.error = e;
    s->state = XC_S2S_VERIFY_S_CLOSED;
}

/* <db:verify from=T to=S id=ID>KEY</db:verify> for request i (RFC 3920 §8.3 step 8), which is
 * then SENT. Dialback runs only over TLS or where the operator allows it without. */
/*@ requires xc_s2s_verify_ok(s) && i < XC_S2S_REQUESTS_MAX;
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->requests[i].state;
    ensures xc_s2s_verify_ok(s);
*/
static void send_verify(xc_s2s_verify *s, uint32_t i)
{
    const xc_s2s_config *cfg = s->l.cfg;
    xc_s2s_request *r = &s->requests[i];
    xc_s2s_db_out d;

    if (!(s->l.secure || (cfg->plain_dialback && !cfg->require_tls)))
        return;
    d.verify = 1;
    d.from.ptr = s->target.name;
    d.from.len = s->target.len;
    d.to.ptr = s->sender.name;
    d.to.len = s->sender.len;
    d.id.ptr = r->id;
    d.id.len = r->id_len;
    d.type = XC_S2S_DBT_NONE;
    d.key.ptr = r->key;
    d.key.len = r->key_len;
    d.err_type = XC_STZ_T_CANCEL;
    d.err_cond = XC_STZ_UNDEFINED_CONDITION;
    s2s_put_db(&s->l.out, &d);
    r->state = XC_S2S_REQ_SENT;
}

/* answer_matches (XEP-0220 §2.1.2): the answer comes from S to T and names the id of a request
 * SENT here and not yet answered. Sets cur. */
/*@ requires xc_s2s_verify_ok(s);
    assigns s->cur;
    ensures xc_s2s_verify_ok(s) && (\result == 0 || \result == 1);
*/
static int answer_matches(xc_s2s_verify *s)
{
    xc_str from = { &s->db_from.buf[XC_JID_DOMAIN_OFF], s->db_from.domain_len };
    xc_str to = { &s->db_to.buf[XC_JID_DOMAIN_OFF], s->db_to.domain_len };
    xc_str sender = { s->sender.name, s->sender.len };
    xc_str target = { s->target.name, s->target.len };
    uint32_t i;

    /* a prepared domain is at most XC_JID_PART_MAX bytes (s2s_domain); the bound is tested so
     * the strings are valid without a domain_len bound in xc_s2s_verify_ok */
    if (from.len == 0 || to.len == 0 || from.len > XC_JID_PART_MAX || to.len > XC_JID_PART_MAX ||
        !xc_str_eq(from, sender) || !xc_str_eq(to, target))
        return 0;
    /*@ loop invariant 0 <= i <= XC_S2S_REQUESTS_MAX;
        loop assigns i, s->cur;
        loop variant XC_S2S_REQUESTS_MAX - i;
    */
    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++) {
        xc_str id = { s->requests[i].id, s->requests[i].id_len };
        if (s->requests[i].state == XC_S2S_REQ_SENT && xc_str_eq(id, s->db_id)) {
            s->cur = i;
            return 1;
        }
    }
    return 0;
}

/*@ requires xc_s2s_verify_ok(s);
    assigns s->cur;
    ensures xc_s2s_verify_ok(s);
*/
static uint32_t s2s_verify_guards(xc_s2s_verify *s, xc_s2s_verify_event e)
{
    const xc_s2s_config *cfg = s->l.cfg;
    uint32_t g = 0, i;

    if (s->offer_tls && !s->l.secure)
        g |= 1u << XC_S2S_VERIFY_G_STARTTLS_OFFERED;
    if (!s->l.secure && !(cfg->plain_dialback && !cfg->require_tls))
        g |= 1u << XC_S2S_VERIFY_G_PLAIN_REFUSED;
    if ((e == XC_S2S_VERIFY_E_DB_VERIFY_VALID || e == XC_S2S_VERIFY_E_DB_VERIFY_INVALID ||
         e == XC_S2S_VERIFY_E_DB_VERIFY_ERROR) &&
        answer_matches(s))
        g |= 1u << XC_S2S_VERIFY_G_ANSWER_MATCHES;
    /*@ loop invariant 0 <= i <= XC_S2S_REQUESTS_MAX;
        loop assigns i, g;
        loop variant XC_S2S_REQUESTS_MAX - i;
    */
    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++)
        if (s->requests[i].state != XC_S2S_REQ_FREE)
            g |= 1u << XC_S2S_VERIFY_G_REQUESTS_PENDING;
    return g;
}

/* The authoritative server's response header (RFC 3920 §8.3 step 7). */
/*@ requires xc_s2s_verify_ok(s);
    assigns \nothing;
    ensures \result < XC_S2S_VERIFY_E_COUNT;
*/
static xc_s2s_verify_event s2s_verify_classify_header(const xc_s2s_verify *s)
{
    xc_s2s_hdr h;

    h = s2s_read_header(&s->l.xml);
    if (h.db == XC_S2S_DB_WRONG)
        return XC_S2S_VERIFY_E_HDR_DB_WRONG;
    if (!h.version)
        return h.db == XC_S2S_DB_OK ? XC_S2S_VERIFY_E_HDR_NO_VERSION : XC_S2S_VERIFY_E_HDR_NO_VERSION_NO_DB;
    if (h.db != XC_S2S_DB_OK)
        return XC_S2S_VERIFY_E_HDR_NO_DB;
    return h.has_id ? XC_S2S_VERIFY_E_HDR_OK : XC_S2S_VERIFY_E_HDR_NO_ID;
}

/* The domain an answer names (domain_len 0 when raw is not a domain-only JID). Returned by
 * value: the jid is a local here, so s2s_domain writes apart from raw, whatever raw points into. */
/*@ requires xc_str_valid(raw);
    assigns \nothing;
    ensures \result.domain_len <= XC_JID_PART_MAX;
*/
static xc_jid answer_domain(xc_str raw)
{
    xc_jid j;

    j.node_len = 0;
    j.domain_len = 0;
    j.resource_len = 0;
    if (!s2s_domain(raw, &j))
        j.domain_len = 0;
    return j;
}

/* The event a first-level element makes (node: the parser returned one). It stores nothing,
 * so its many cases are goals without any frame. */
/*@ assigns \nothing;
    ensures \result < XC_S2S_VERIFY_E_COUNT;
*/
static xc_s2s_verify_event element_event(xc_s2s_el_kind kind, xc_s2s_db_type db_type, int node)
{
    if (!node)
        return XC_S2S_VERIFY_E_ERR_NOT_WELL_FORMED;
    switch (kind) {
    case XC_S2S_EL_DB_VERIFY:
        return db_type == XC_S2S_DBT_NONE      ? XC_S2S_VERIFY_E_DB_VERIFY
               : db_type == XC_S2S_DBT_VALID   ? XC_S2S_VERIFY_E_DB_VERIFY_VALID
               : db_type == XC_S2S_DBT_INVALID ? XC_S2S_VERIFY_E_DB_VERIFY_INVALID
                                               : XC_S2S_VERIFY_E_DB_VERIFY_ERROR;
    case XC_S2S_EL_DB_RESULT:
        return db_type == XC_S2S_DBT_NONE ? XC_S2S_VERIFY_E_DB_RESULT : XC_S2S_VERIFY_E_DB_RESULT_TYPED;
    case XC_S2S_EL_STANZA: return XC_S2S_VERIFY_E_STANZA;
    case XC_S2S_EL_STARTTLS:
    case XC_S2S_EL_AUTH:
    case XC_S2S_EL_RESPONSE:
    case XC_S2S_EL_ABORT: return XC_S2S_VERIFY_E_CLIENT_ONLY;
    case XC_S2S_EL_FEATURES: return XC_S2S_VERIFY_E_FEATURES;
    case XC_S2S_EL_PROCEED: return XC_S2S_VERIFY_E_PROCEED;
    case XC_S2S_EL_TLS_FAILURE: return XC_S2S_VERIFY_E_TLS_FAILURE;
    case XC_S2S_EL_SASL_SUCCESS:
    case XC_S2S_EL_SASL_FAILURE:
    case XC_S2S_EL_SASL_CHALLENGE: return XC_S2S_VERIFY_E_SASL_ELEMENT;
    case XC_S2S_EL_STREAM_ERROR: return XC_S2S_VERIFY_E_PEER_ERROR;
    case XC_S2S_EL_BIDI:
    case XC_S2S_EL_UNKNOWN:
    default: return XC_S2S_VERIFY_E_UNKNOWN;
    }
}

/* The element's event, and what the guards read of it: the offer of <stream:features/>, the
 * prepared from / to and the id of a typed <db:verify/>. */
/*@ requires xc_s2s_verify_ok(s);
    assigns s->offer_tls, s->db_from, s->db_to, s->db_id;
    ensures xc_s2s_verify_ok(s) && \result < XC_S2S_VERIFY_E_COUNT;
*/
static xc_s2s_verify_event s2s_verify_classify_element(xc_s2s_verify *s)
{
    xc_s2s_el el;
    xc_s2s_verify_event e;

    el = s2s_read_element(&s->l.xml);
    e = element_event(el.kind, el.db_type, el.node != NULL);
    s->db_from.domain_len = 0;
    s->db_to.domain_len = 0;
    s->db_id.ptr = NULL;
    s->db_id.len = 0;
    if (e == XC_S2S_VERIFY_E_FEATURES) {
        s->offer_tls = el.offer_tls;
    } else if (e == XC_S2S_VERIFY_E_DB_VERIFY_VALID || e == XC_S2S_VERIFY_E_DB_VERIFY_INVALID ||
               e == XC_S2S_VERIFY_E_DB_VERIFY_ERROR) {
        s->db_from = answer_domain(el.from);
        s->db_to = answer_domain(el.to);
        if (s->db_from.domain_len == 0 || s->db_to.domain_len == 0) {
            s->db_from.domain_len = 0;
            s->db_to.domain_len = 0;
        }
        if (el.has_id)
            s->db_id = el.id;
    }
    return e;
}

/* The action is passed by value: no pointer into the table lives across the writes. */
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
    ensures verify_frame{Old, Here}(s);
*/
static void s2s_verify_run_action(xc_s2s_verify *s, xc_s2s_verify_action a)
{
    uint32_t i;

    switch ((xc_s2s_verify_op)a.op) {
    case XC_S2S_VERIFY_A_SEND_HEADER: s2s_verify_put_header(s); break;
    case XC_S2S_VERIFY_A_SEND_STARTTLS:
        XC_OUT_LIT(&s->l.out, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        break;
    case XC_S2S_VERIFY_A_START_TLS:
        restart(s);
        s->fx.flags |= XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT;
        break;
    case XC_S2S_VERIFY_A_SET_SECURE: s->l.secure = 1; break;
    case XC_S2S_VERIFY_A_RESTART:
        restart(s);
        s->offer_tls = 0;
        s->fx.flags |= XC_S2S_VERIFY_FX_DISCARD_INPUT;
        break;
    case XC_S2S_VERIFY_A_QUEUE_REQUEST: /* the slot is QUEUED already (xc_s2s_verify_request) */ break;
    case XC_S2S_VERIFY_A_SEND_QUEUED:
        /*@ loop invariant 0 <= i <= XC_S2S_REQUESTS_MAX && xc_s2s_verify_ok(s);
            loop assigns i, s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1],
                         s->requests[0 .. XC_S2S_REQUESTS_MAX - 1];
            loop variant XC_S2S_REQUESTS_MAX - i;
        */
        for (i = 0; i < XC_S2S_REQUESTS_MAX; i++)
            if (s->requests[i].state == XC_S2S_REQ_QUEUED)
                send_verify(s, i);
        break;
    case XC_S2S_VERIFY_A_SEND_VERIFY: send_verify(s, s->cur); break;
    case XC_S2S_VERIFY_A_REPORT_VALID: report(s, s->cur, XC_S2S_VERIFY_VALID); break;
    case XC_S2S_VERIFY_A_REPORT_INVALID: report(s, s->cur, XC_S2S_VERIFY_INVALID); break;
    case XC_S2S_VERIFY_A_REPORT_ERROR:
    case XC_S2S_VERIFY_A_FAIL_REQUEST: report(s, s->cur, XC_S2S_VERIFY_ERROR); break;
    case XC_S2S_VERIFY_A_REPORT_ERROR_ALL: report_error_all(s); break;
    case XC_S2S_VERIFY_A_STREAM_ERROR:
        if (!s->l.header_sent)
            s2s_verify_put_header(s);
        s2s_put_stream_error(&s->l.out, a.arg1 < XC_SE_COUNT ? (xc_stream_error)a.arg1 : XC_SE_UNDEFINED_CONDITION);
        s2s_verify_closing(s, a.arg1 < XC_SE_COUNT ? (xc_stream_error)a.arg1 : XC_SE_UNDEFINED_CONDITION);
        break;
    case XC_S2S_VERIFY_A_DROP: s2s_verify_closing(s, XC_SE_NONE); break;
    case XC_S2S_VERIFY_A_CLOSE_STREAM:
        s2s_put_close(&s->l.out);
        s2s_verify_closing(s, XC_SE_NONE);
        break;
    case XC_S2S_VERIFY_A_COUNT:
    default:
        s2s_put_stream_error(&s->l.out, XC_SE_INTERNAL_SERVER_ERROR);
        s2s_verify_closing(s, XC_SE_INTERNAL_SERVER_ERROR);
        report_error_all(s);
        break;
    }
}

/*@ requires xc_s2s_verify_ok(s) && e < XC_S2S_VERIFY_E_COUNT;
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
    ensures verify_frame{Old, Here}(s);
*/
static void s2s_verify_step(xc_s2s_verify *s, xc_s2s_verify_event e)
{
    uint32_t g = s2s_verify_guards(s, e);
    uint32_t r = xc_s2s_verify_lookup(s->state, e, g);
    /* a copy: the row is read apart from every store the actions make */
    const xc_s2s_verify_row row = xc_s2s_verify_rows[r < XC_S2S_VERIFY_ROWS ? r : 0u];
    uint32_t k;

    /* every action runs: a closing row still reports every request (report_error_all) */
    /*@ loop invariant 0 <= k <= XC_S2S_VERIFY_MAX_ACTIONS && xc_s2s_verify_ok(s);
        loop invariant verify_frame{Pre, Here}(s);
        loop assigns k, *s, XC_S2S_LINK_MEMORY(&s->l);
        loop variant XC_S2S_VERIFY_MAX_ACTIONS - k;
    */
    for (k = 0; k < row.n_actions && k < XC_S2S_VERIFY_MAX_ACTIONS; k++)
        s2s_verify_run_action(s, row.actions[k]);
    /* written after the actions (none reads or writes it): the loop starts from the state
     * the precondition describes */
    s->fx.row_line = row.line;
    if ((s->fx.flags & XC_S2S_VERIFY_FX_CLOSE) != 0 || s->state == XC_S2S_VERIFY_S_CLOSED) {
        s->state = XC_S2S_VERIFY_S_CLOSED;
        return;
    }
    if (!row.stay)
        s->state = row.next < XC_S2S_VERIFY_S_COUNT ? (xc_s2s_verify_state)row.next : XC_S2S_VERIFY_S_CLOSED;
}

/* One parser event and the step it makes; returns the bytes consumed (all of them once the
 * input is to be dropped). The count lives in a local until the caller stores it. */
/*@ requires xc_s2s_verify_ok(s);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(buf + (0 .. len - 1)));
    requires \separated(buf + (0 .. len - 1), s, s->l.xml.arena.base + (0 .. s->l.xml.arena.size - 1));
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s) && \result <= len;
    ensures (s->fx.flags & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT)) != 0 ==> \result == len;
*/
static size_t feed_xml(xc_s2s_verify *s, const uint8_t *buf, size_t len)
{
    size_t used = 0;
    xc_s2s_verify_event e;

    switch (xc_xml_feed(&s->l.xml, buf, len, &used)) {
    case XC_XML_NEED_MORE: return used;
    case XC_XML_EV_STREAM_OPEN: e = s2s_verify_classify_header(s); break;
    case XC_XML_EV_ELEMENT: e = s2s_verify_classify_element(s); break;
    case XC_XML_EV_STREAM_CLOSE: e = XC_S2S_VERIFY_E_STREAM_CLOSE; break;
    case XC_XML_EV_ERROR:
    default:
        e = (xc_s2s_verify_event)(XC_S2S_VERIFY_E_ERR_NOT_WELL_FORMED + s2s_parse_error_offset(xc_xml_error(&s->l.xml)));
        break;
    }
    s2s_verify_step(s, e);
    if ((s->fx.flags & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT)) != 0 ||
        s->state == XC_S2S_VERIFY_S_CLOSED)
        used = len;
    return used;
}

xc_s2s_status xc_s2s_verify_feed(xc_s2s_verify *s, const uint8_t *buf, size_t len, size_t *consumed)
{
    size_t used = 0;
    xc_s2s_status st;

    s2s_verify_begin(s);
    if (s->state == XC_S2S_VERIFY_S_CLOSED)
        used = len;
    else if (s->state != XC_S2S_VERIFY_S_TLS_HS && s->state != XC_S2S_VERIFY_S_CONNECTING)
        used = feed_xml(s, buf, len);
    st = s2s_verify_finish(s);
    *consumed = used;
    return st;
}

/*@ requires xc_s2s_verify_ok(s) && e < XC_S2S_VERIFY_E_COUNT;
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
static xc_s2s_status s2s_verify_shell_event(xc_s2s_verify *s, xc_s2s_verify_event e)
{
    s2s_verify_begin(s);
    s2s_verify_step(s, e);
    return s2s_verify_finish(s);
}

xc_s2s_status xc_s2s_verify_connected(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_CONNECTED);
}

xc_s2s_status xc_s2s_verify_resolve_failed(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_RESOLVE_FAILED);
}

xc_s2s_status xc_s2s_verify_connect_failed(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_CONNECT_FAILED);
}

xc_s2s_status xc_s2s_verify_tls_done(xc_s2s_verify *s, const xc_s2s_peer_cert *cert)
{
    /* the verify connection authenticates nothing by certificate: its answers are the proof */
    (void)cert;
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_TLS_DONE);
}

xc_s2s_status xc_s2s_verify_tls_failed(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_TLS_FAILED);
}

xc_s2s_status xc_s2s_verify_request(xc_s2s_verify *s, xc_str id, xc_str key, uint64_t token)
{
    xc_s2s_request *r;
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_S2S_REQUESTS_MAX;
        loop assigns i;
        loop variant XC_S2S_REQUESTS_MAX - i;
    */
    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++)
        if (s->requests[i].state == XC_S2S_REQ_FREE)
            break;
    if (i >= XC_S2S_REQUESTS_MAX || id.len == 0 || id.len > XC_S2S_ID_MAX || key.len > XC_S2S_KEY_MAX) {
        /* no room, or nothing we could keep: the request fails at once (XEP-0220 §2.5) */
        s2s_verify_begin(s);
        s->fx.outcomes[0].token = token;
        s->fx.outcomes[0].outcome = XC_S2S_VERIFY_ERROR;
        s->fx.n_outcomes = 1;
        s->fx.flags |= XC_S2S_VERIFY_FX_OUTCOME;
        return s2s_verify_finish(s);
    }
    r = &s->requests[i];
    r->token = token;
    (void)s2s_copy(r->id, XC_S2S_ID_MAX, id, &r->id_len);
    (void)s2s_copy(r->key, XC_S2S_KEY_MAX, key, &r->key_len);
    /* RFC 3920 §8.3 step 5: kept until the connection is ready; the table sends it then,
     * at once, or reports it failed */
    r->state = XC_S2S_REQ_QUEUED;
    s->cur = i;
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_VERIFY_REQUEST);
}

xc_s2s_status xc_s2s_verify_idle(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_IDLE);
}

xc_s2s_status xc_s2s_verify_timeout(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_TIMEOUT);
}

xc_s2s_status xc_s2s_verify_shutdown(xc_s2s_verify *s)
{
    return s2s_verify_shell_event(s, XC_S2S_VERIFY_E_SHUTDOWN);
}
