/*
 * xc_s2s_out.c — the initiating server of an s2s stream from our domain S to a peer domain T
 * (spec/s2s_out.fsm): STARTTLS, then SASL EXTERNAL when the peer's certificate verified, else
 * dialback; stanzas of a pair are written only once the pair is valid on this stream.
 *
 * Per-pair bookkeeping beside the table: pairs[0] is the stream's own sender S, NEW_PAIR adds
 * others (XEP-0220 §2.6.1). A pair is PENDING (REQUESTED) once our untyped <db:result/> went out
 * and VALID only when a typed <db:result/> answers exactly that request on this stream
 * (guard result_requested; CVE-2012-3525). The shell holds queued stanzas; the core only counts
 * them (per pair) for queue_full and tells the shell when to flush or bounce them.
 */
#include "xc_base64.h"
#include "xc_s2s_internal.h"
#include "xc_str.h"

/*@ requires \valid(s);
    assigns s->fx;
*/
static void s2s_out_clear_effects(xc_s2s_out *s)
{
    xc_str none = { NULL, 0 };

    s->fx.flags = 0;
    s->fx.row_line = 0;
    s->fx.out = s->l.out.out;
    s->fx.out_len = 0;
    s->fx.bounce_type = XC_STZ_T_WAIT;
    s->fx.bounce_cond = XC_STZ_REMOTE_SERVER_TIMEOUT;
    s->fx.pair_sender = none;
    s->fx.error = XC_SE_NONE;
}

void xc_s2s_out_init(xc_s2s_out *s, const xc_s2s_config *cfg, const xc_s2s_memory *mem, xc_str sender, xc_str target)
{
    uint32_t i, idx = 0;
    xc_str none = { NULL, 0 };

    s->state = XC_S2S_OUT_S_CONNECTING;
    s2s_link_init(&s->l, cfg, mem);
    if (!s2s_domain_set(&s->target, target))
        s->target.len = 0;
    /* a sender we do not serve never authenticates: the stream speaks as our first domain and
     * its pair never becomes valid (send_db_result refuses it) */
    s->sender = s2s_host_index(cfg->hosts, cfg->n_hosts, sender, &idx) ? idx : 0u;
    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX;
        loop assigns i, s->pairs[0 .. XC_S2S_PAIRS_MAX - 1];
        loop variant XC_S2S_PAIRS_MAX - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX; i++) {
        s->pairs[i].state = XC_S2S_PAIR_NONE;
        s->pairs[i].host = s->sender;
    }
    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX + 1;
        loop assigns i, s->queued[0 .. XC_S2S_PAIRS_MAX];
        loop variant XC_S2S_PAIRS_MAX + 1 - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX + 1u; i++)
        s->queued[i] = 0;
    s->n_pairs = 1;
    s->cur_pair = 0;
    s->new_pair_bad = 0;
    s->sender_bad = !xc_str_eq(cfg->hosts[s->sender], sender);
    s->hdr_id = none;
    s->peer_cert_ok = 0;
    s->sasl_authed = 0;
    s->hdr_db = 0;
    s->offer_tls = 0;
    s->offer_ext = 0;
    s->offer_db = 0;
    s->id_len = 0;
    s->stanza_from = none;
    s->stanza = NULL;
    s->stanza_len = 0;
    s->db_from.node_len = 0;
    s->db_from.domain_len = 0;
    s->db_from.resource_len = 0;
    s->db_to = s->db_from;
    s2s_out_clear_effects(s);
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->fx, s->l.out.len, s->l.out.full;
    ensures xc_s2s_out_ok(s) && s->fx.flags == 0;
*/
static void s2s_out_begin(xc_s2s_out *s)
{
    s->l.out.len = 0;
    s->l.out.full = 0;
    s2s_out_clear_effects(s);
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->fx.out, s->fx.out_len, s->hdr_id, s->stanza, s->stanza_len, s->stanza_from;
    ensures xc_s2s_out_ok(s);
*/
static xc_s2s_status s2s_out_finish(xc_s2s_out *s)
{
    xc_str none = { NULL, 0 };

    /* pointers into the parser and the caller's data live only while the call runs */
    s->hdr_id = none;
    s->stanza = NULL;
    s->stanza_len = 0;
    s->stanza_from = none;
    s->fx.out = s->l.out.out;
    s->fx.out_len = (uint32_t)s->l.out.len;
    if (s->state == XC_S2S_OUT_S_CLOSED)
        return XC_S2S_CLOSED;
    if (s->state == XC_S2S_OUT_S_TLS_HS || s->state == XC_S2S_OUT_S_CONNECTING)
        return XC_S2S_WAIT;
    return XC_S2S_OK;
}

/*@ requires xc_s2s_out_ok((xc_s2s_out *)s);
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str pair_domain(const xc_s2s_out *s, uint32_t i)
{
    return s->l.cfg->hosts[s->pairs[i < XC_S2S_PAIRS_MAX ? i : 0u].host];
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent;
    ensures xc_s2s_out_ok(s);
*/
static void s2s_out_put_header(xc_s2s_out *s)
{
    /* RFC 3920 §8.3 step 2; DESIGN.md "s2s headers": from S, to T, version 1.0 */
    s2s_put_header(&s->l.out, pair_domain(s, 0), s2s_domain_str(&s->target), NULL, 1);
    s->l.header_sent = 1;
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->fx.flags, s->fx.error, s->state;
    ensures xc_s2s_out_ok(s) && s->state == XC_S2S_OUT_S_CLOSED;
*/
static void s2s_out_closing(xc_s2s_out *s, xc_stream_error e)
{
    s->fx.flags |= XC_S2S_OUT_FX_CLOSE;
    s->fx.error = e;
    s->state = XC_S2S_OUT_S_CLOSED;
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent,
            s->fx.flags, s->fx.error, s->state;
    ensures xc_s2s_out_ok(s) && s->state == XC_S2S_OUT_S_CLOSED;
*/
static void s2s_out_stream_error(xc_s2s_out *s, xc_stream_error e)
{
    if (!s->l.header_sent)
        s2s_out_put_header(s);
    s2s_put_stream_error(&s->l.out, e);
    s2s_out_closing(s, e);
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->queued[0 .. XC_S2S_PAIRS_MAX];
*/
static void queue_clear(xc_s2s_out *s)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX + 1;
        loop assigns i, s->queued[0 .. XC_S2S_PAIRS_MAX];
        loop variant XC_S2S_PAIRS_MAX + 1 - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX + 1u; i++)
        s->queued[i] = 0;
}

/* A check of the engine failed where the table said go on: the stream ends, and what it held
 * goes back to its senders (DESIGN.md "Nothing lost"). */
/*@ requires xc_s2s_out_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent,
            s->fx.flags, s->fx.error, s->state, s->fx.bounce_type, s->fx.bounce_cond, s->queued[0 .. XC_S2S_PAIRS_MAX];
    ensures xc_s2s_out_ok(s) && s->state == XC_S2S_OUT_S_CLOSED;
*/
static void internal_error(xc_s2s_out *s)
{
    s2s_out_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
    s->fx.flags |= XC_S2S_OUT_FX_BOUNCE_ALL;
    s->fx.bounce_type = XC_STZ_T_WAIT;
    s->fx.bounce_cond = XC_STZ_REMOTE_SERVER_TIMEOUT;
    queue_clear(s);
}

/* Index of the pair whose sender is d, else XC_S2S_PAIRS_MAX. */
/*@ requires xc_s2s_out_ok((xc_s2s_out *)s) && xc_str_valid(d);
    assigns \nothing;
    ensures \result <= XC_S2S_PAIRS_MAX;
*/
static uint32_t s2s_out_find_pair(const xc_s2s_out *s, xc_str d)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= s->n_pairs;
        loop assigns i;
        loop variant s->n_pairs - i;
    */
    for (i = 0; i < s->n_pairs && i < XC_S2S_PAIRS_MAX; i++)
        if (xc_str_eq(pair_domain(s, i), d))
            return i;
    return XC_S2S_PAIRS_MAX;
}

/*@ requires xc_s2s_out_ok((xc_s2s_out *)s);
    assigns \nothing;
*/
static uint32_t queued_total(const xc_s2s_out *s)
{
    uint32_t i, n = 0;

    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX + 1;
        loop assigns i, n;
        loop variant XC_S2S_PAIRS_MAX + 1 - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX + 1u; i++)
        n = n + s->queued[i] < n ? 0xffffffffu : n + s->queued[i];
    return n;
}

/* pair_ready (CVE-2012-3525, protocol-notes CVE-7): the stanza's sender is a pair valid here,
 * or the domain SASL EXTERNAL authenticated. */
/*@ requires xc_s2s_out_ok((xc_s2s_out *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int pair_ready(const xc_s2s_out *s)
{
    uint32_t i = s2s_out_find_pair(s, s->stanza_from);

    if (i < XC_S2S_PAIRS_MAX && s->pairs[i].state == XC_S2S_PAIR_VALID)
        return 1;
    return s->sasl_authed && xc_str_eq(s->stanza_from, pair_domain(s, 0));
}

/* result_requested (XEP-0220 §2.1.1): the typed db:result comes from T, to a sender whose
 * untyped db:result this stream sent and is still waiting for. Sets cur_pair. */
/*@ requires xc_s2s_out_ok(s);
    assigns s->cur_pair;
    ensures xc_s2s_out_ok(s) && (\result == 0 || \result == 1);
*/
static int result_requested(xc_s2s_out *s)
{
    xc_str from = { &s->db_from.buf[XC_JID_DOMAIN_OFF], s->db_from.domain_len };
    xc_str to = { &s->db_to.buf[XC_JID_DOMAIN_OFF], s->db_to.domain_len };
    uint32_t i;

    if (from.len == 0 || to.len == 0 || !xc_str_eq(from, s2s_domain_str(&s->target)))
        return 0;
    i = s2s_out_find_pair(s, to);
    if (i >= XC_S2S_PAIRS_MAX || s->pairs[i].state != XC_S2S_PAIR_PENDING)
        return 0;
    s->cur_pair = i;
    return 1;
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->cur_pair;
    ensures xc_s2s_out_ok(s);
*/
static uint32_t s2s_out_guards(xc_s2s_out *s, xc_s2s_out_event e)
{
    const xc_s2s_config *cfg = s->l.cfg;
    uint32_t g = 0;
    int plain = cfg->plain_dialback && !cfg->require_tls;

    if (cfg->require_tls && !s->l.secure)
        g |= 1u << XC_S2S_OUT_G_TLS_REQUIRED;
    if (plain)
        g |= 1u << XC_S2S_OUT_G_PLAIN_DIALBACK;
    if (s->offer_tls && !s->l.secure)
        g |= 1u << XC_S2S_OUT_G_STARTTLS_OFFERED;
    /* CVE-2014-3451: an unverified certificate never authenticates */
    if (s->l.secure && s->peer_cert_ok && s->offer_ext)
        g |= 1u << XC_S2S_OUT_G_EXTERNAL_USABLE;
    if ((s->hdr_db || s->offer_db) && s->id_len > 0 && (s->l.secure || plain))
        g |= 1u << XC_S2S_OUT_G_DIALBACK_USABLE;
    if ((e == XC_S2S_OUT_E_DB_RESULT_VALID || e == XC_S2S_OUT_E_DB_RESULT_INVALID || e == XC_S2S_OUT_E_DB_RESULT_ERROR) &&
        result_requested(s))
        g |= 1u << XC_S2S_OUT_G_RESULT_REQUESTED;
    if (e == XC_S2S_OUT_E_OUT_STANZA) {
        if (pair_ready(s))
            g |= 1u << XC_S2S_OUT_G_PAIR_READY;
        if (queued_total(s) >= cfg->queue_max)
            g |= 1u << XC_S2S_OUT_G_QUEUE_FULL;
    }
    return g;
}

/* The response header (RFC 3920 §4.4.1, §8.3 step 3). */
/*@ requires xc_s2s_out_ok(s);
    assigns s->hdr_id, s->hdr_db;
    ensures xc_s2s_out_ok(s) && \result < XC_S2S_OUT_E_COUNT;
*/
static xc_s2s_out_event s2s_out_classify_header(xc_s2s_out *s)
{
    xc_s2s_hdr h;

    h = s2s_read_header(&s->l.xml);
    /* an id too long to keep cannot key dialback: it counts as none */
    s->hdr_id = h.has_id && h.id.len <= XC_S2S_ID_MAX ? h.id : (xc_str){ NULL, 0 };
    s->hdr_db = h.db == XC_S2S_DB_OK;
    if (h.db == XC_S2S_DB_WRONG)
        return XC_S2S_OUT_E_HDR_DB_WRONG;
    if (!h.version) {
        if (h.db != XC_S2S_DB_OK)
            return XC_S2S_OUT_E_HDR_NO_VERSION_NO_DB;
        return s->hdr_id.len > 0 ? XC_S2S_OUT_E_HDR_NO_VERSION : XC_S2S_OUT_E_HDR_NO_ID;
    }
    if (s->hdr_id.len == 0)
        return XC_S2S_OUT_E_HDR_NO_ID;
    return h.db == XC_S2S_DB_OK ? XC_S2S_OUT_E_HDR_OK : XC_S2S_OUT_E_HDR_NO_DB;
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->offer_tls, s->offer_ext, s->offer_db, s->db_from, s->db_to;
    ensures xc_s2s_out_ok(s) && \result < XC_S2S_OUT_E_COUNT;
*/
static xc_s2s_out_event s2s_out_classify_element(xc_s2s_out *s)
{
    xc_s2s_el el;

    el = s2s_read_element(&s->l.xml);
    s->db_from.domain_len = 0;
    s->db_to.domain_len = 0;
    if (el.node == NULL)
        return XC_S2S_OUT_E_ERR_NOT_WELL_FORMED;
    switch (el.kind) {
    case XC_S2S_EL_DB_RESULT:
        if (el.db_type == XC_S2S_DBT_NONE)
            return XC_S2S_OUT_E_DB_RESULT;
        if (!s2s_domain(el.from, &s->db_from) || !s2s_domain(el.to, &s->db_to)) {
            s->db_from.domain_len = 0;
            s->db_to.domain_len = 0;
        }
        return el.db_type == XC_S2S_DBT_VALID     ? XC_S2S_OUT_E_DB_RESULT_VALID
               : el.db_type == XC_S2S_DBT_INVALID ? XC_S2S_OUT_E_DB_RESULT_INVALID
                                                  : XC_S2S_OUT_E_DB_RESULT_ERROR;
    case XC_S2S_EL_DB_VERIFY:
        return el.db_type == XC_S2S_DBT_NONE      ? XC_S2S_OUT_E_DB_VERIFY
               : el.db_type == XC_S2S_DBT_VALID   ? XC_S2S_OUT_E_DB_VERIFY_VALID
               : el.db_type == XC_S2S_DBT_INVALID ? XC_S2S_OUT_E_DB_VERIFY_INVALID
                                                  : XC_S2S_OUT_E_DB_VERIFY_ERROR;
    case XC_S2S_EL_STANZA: return XC_S2S_OUT_E_STANZA;
    case XC_S2S_EL_STARTTLS:
    case XC_S2S_EL_AUTH:
    case XC_S2S_EL_RESPONSE:
    case XC_S2S_EL_ABORT: return XC_S2S_OUT_E_CLIENT_ONLY;
    case XC_S2S_EL_FEATURES:
        s->offer_tls = el.offer_tls;
        s->offer_ext = el.offer_ext;
        s->offer_db = el.offer_db;
        return XC_S2S_OUT_E_FEATURES;
    case XC_S2S_EL_PROCEED: return XC_S2S_OUT_E_PROCEED;
    case XC_S2S_EL_TLS_FAILURE: return XC_S2S_OUT_E_TLS_FAILURE;
    case XC_S2S_EL_SASL_SUCCESS: return XC_S2S_OUT_E_SASL_SUCCESS;
    case XC_S2S_EL_SASL_FAILURE: return XC_S2S_OUT_E_SASL_FAILURE;
    case XC_S2S_EL_SASL_CHALLENGE: return XC_S2S_OUT_E_SASL_CHALLENGE;
    case XC_S2S_EL_STREAM_ERROR: return XC_S2S_OUT_E_PEER_ERROR;
    case XC_S2S_EL_BIDI:
    case XC_S2S_EL_UNKNOWN:
    default: return XC_S2S_OUT_E_UNKNOWN;
    }
}

/* <auth mechanism='EXTERNAL'>base64(S)</auth> (XEP-0178 §3). */
/*@ requires xc_s2s_out_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1];
    ensures xc_s2s_out_ok(s);
*/
static void put_auth_external(xc_s2s_out *s)
{
    char b64[(XC_JID_PART_MAX + 2u) / 3u * 4u + 4u];
    xc_str d = pair_domain(s, 0);
    size_t n = 0;

    if (xc_base64_encode((const uint8_t *)d.ptr, d.len, b64, sizeof(b64), &n) != XC_B64_OK) {
        s->l.out.full = 1;
        return;
    }
    XC_OUT_LIT(&s->l.out, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>");
    xc_out_put(&s->l.out, b64, n);
    XC_OUT_LIT(&s->l.out, "</auth>");
}

/* send_db_result (RFC 3920 §8.3 step 4; XEP-0185 §2): <db:result from=S to=T>KEY</db:result>,
 * KEY over (T, S, the latest response id); the pair is then requested. 0 when it cannot be. */
/*@ requires xc_s2s_out_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->pairs[0 .. XC_S2S_PAIRS_MAX - 1];
    ensures xc_s2s_out_ok(s) && (\result == 0 || \result == 1);
*/
static int send_db_result(xc_s2s_out *s)
{
    const xc_s2s_config *cfg = s->l.cfg;
    char key[XC_DB_KEY_LEN];
    xc_str id = { s->id, s->id_len }, sender = pair_domain(s, s->cur_pair), k = { key, XC_DB_KEY_LEN };
    xc_s2s_db_out d;

    if (!(s->l.secure || (cfg->plain_dialback && !cfg->require_tls)) || s->id_len == 0)
        return 0;
    if (xc_db_key(&cfg->secret, s2s_domain_str(&s->target), sender, id, key) != XC_DB_OK)
        return 0;
    d.verify = 0;
    d.from = sender;
    d.to = s2s_domain_str(&s->target);
    d.id.ptr = NULL;
    d.id.len = 0;
    d.type = XC_S2S_DBT_NONE;
    d.key = k;
    d.err_type = XC_STZ_T_CANCEL;
    d.err_cond = XC_STZ_UNDEFINED_CONDITION;
    s2s_put_db(&s->l.out, &d);
    s->pairs[s->cur_pair].state = XC_S2S_PAIR_PENDING;
    return 1;
}

/*@ requires xc_s2s_out_ok(s);
    assigns s->fx.flags, s->fx.bounce_type, s->fx.bounce_cond;
*/
static void bounce(xc_s2s_out *s, uint32_t flag, const xc_s2s_out_action *a)
{
    s->fx.flags |= flag;
    s->fx.bounce_type = a->arg1 < XC_STZ_T_COUNT ? (xc_stanza_error_type)a->arg1 : XC_STZ_T_CANCEL;
    s->fx.bounce_cond = a->arg2 < XC_STZ_COUNT ? (xc_stanza_error)a->arg2 : XC_STZ_UNDEFINED_CONDITION;
}

/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
static void s2s_out_run_action(xc_s2s_out *s, const xc_s2s_out_action *a, xc_s2s_out_event e)
{
    xc_s2s_out_pair *p = &s->pairs[s->cur_pair];
    uint32_t q;

    switch ((xc_s2s_out_op)a->op) {
    case XC_S2S_OUT_A_SEND_HEADER: s2s_out_put_header(s); break;
    case XC_S2S_OUT_A_KEEP_ID:
        /* XEP-0220 §2.1.1: the key is computed over the latest response id */
        if (!s2s_copy(s->id, XC_S2S_ID_MAX, s->hdr_id, &s->id_len))
            s->id_len = 0;
        break;
    case XC_S2S_OUT_A_SEND_STARTTLS: XC_OUT_LIT(&s->l.out, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"); break;
    case XC_S2S_OUT_A_START_TLS:
        /* RFC 3920 §5.2 step 5: nothing after <proceed/> in the clear is ever parsed */
        s2s_link_restart(&s->l);
        s->fx.flags |= XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT;
        break;
    case XC_S2S_OUT_A_SET_SECURE: s->l.secure = 1; break;
    case XC_S2S_OUT_A_RESTART:
        /* RFC 3920 §5.2 step 7, §6.2 outcome 3: a new response header follows; nothing from
         * before (offers, id, namespace declarations) counts any more */
        s2s_link_restart(&s->l);
        s->offer_tls = 0;
        s->offer_ext = 0;
        s->offer_db = 0;
        s->hdr_db = 0;
        s->id_len = 0;
        s->fx.flags |= XC_S2S_OUT_FX_DISCARD_INPUT;
        break;
    case XC_S2S_OUT_A_SEND_AUTH_EXTERNAL:
        /* XEP-0178 §3: only over TLS, to a peer whose certificate names T, for a sender we serve */
        if (!s->l.secure || !s->peer_cert_ok || s->sender_bad) {
            internal_error(s);
            break;
        }
        put_auth_external(s);
        break;
    case XC_S2S_OUT_A_SET_SASL_AUTHED:
        if (!s->l.secure) {
            internal_error(s);
            break;
        }
        s->sasl_authed = 1;
        break;
    case XC_S2S_OUT_A_SEND_DB_RESULT:
        if (e == XC_S2S_OUT_E_NEW_PAIR) {
            /* XEP-0220 §2.6.1: a pair this stream cannot take goes to another stream */
            if (s->new_pair_bad) {
                s->fx.flags |= XC_S2S_OUT_FX_PAIR_REFUSED;
                break;
            }
            if (p->state == XC_S2S_PAIR_VALID) {
                s->fx.flags |= XC_S2S_OUT_FX_READY;
                s->fx.pair_sender = pair_domain(s, s->cur_pair);
                break;
            }
            if (p->state == XC_S2S_PAIR_PENDING)
                break;
        } else if (s->sender_bad) {
            /* the stream's own sender is not a domain we serve: it never asks for dialback */
            internal_error(s);
            break;
        }
        if (!send_db_result(s))
            internal_error(s);
        break;
    case XC_S2S_OUT_A_SET_PAIR_VALID:
        if (p->state != XC_S2S_PAIR_PENDING) {
            internal_error(s);
            break;
        }
        p->state = XC_S2S_PAIR_VALID;
        s->fx.flags |= XC_S2S_OUT_FX_READY;
        s->fx.pair_sender = pair_domain(s, s->cur_pair);
        break;
    case XC_S2S_OUT_A_DROP_REQUEST: p->state = XC_S2S_PAIR_NONE; break;
    case XC_S2S_OUT_A_QUEUE_STANZA:
        q = s2s_out_find_pair(s, s->stanza_from);
        if (s->queued[q] < 0xffffffffu)
            s->queued[q]++;
        s->fx.flags |= XC_S2S_OUT_FX_QUEUE;
        break;
    case XC_S2S_OUT_A_SEND_STANZA:
        /* CVE-2012-3525 (protocol-notes CVE-7): checked again where the stanza leaves */
        if (!pair_ready(s)) {
            internal_error(s);
            break;
        }
        if (s->stanza_len > s->l.out.cap - s->l.out.len) {
            s->fx.flags |= XC_S2S_OUT_FX_BOUNCE;
            s->fx.bounce_type = XC_STZ_T_WAIT;
            s->fx.bounce_cond = XC_STZ_RESOURCE_CONSTRAINT;
            break;
        }
        xc_out_put(&s->l.out, (const char *)s->stanza, s->stanza_len);
        break;
    case XC_S2S_OUT_A_FLUSH_QUEUE:
        /* the shell hands every queued stanza back; each is written, or queued again */
        queue_clear(s);
        s->fx.flags |= XC_S2S_OUT_FX_FLUSH;
        if (s->sasl_authed) {
            s->fx.flags |= XC_S2S_OUT_FX_READY;
            s->fx.pair_sender = pair_domain(s, 0);
        }
        break;
    case XC_S2S_OUT_A_BOUNCE_STANZA: bounce(s, XC_S2S_OUT_FX_BOUNCE, a); break;
    case XC_S2S_OUT_A_BOUNCE_PAIR:
        bounce(s, XC_S2S_OUT_FX_BOUNCE_PAIR, a);
        s->fx.pair_sender = pair_domain(s, s->cur_pair);
        s->queued[s->cur_pair] = 0;
        break;
    case XC_S2S_OUT_A_BOUNCE_ALL:
        bounce(s, XC_S2S_OUT_FX_BOUNCE_ALL, a);
        queue_clear(s);
        break;
    case XC_S2S_OUT_A_REFUSE_PAIR: s->fx.flags |= XC_S2S_OUT_FX_PAIR_REFUSED; break;
    case XC_S2S_OUT_A_STREAM_ERROR:
        s2s_out_stream_error(s, a->arg1 < XC_SE_COUNT ? (xc_stream_error)a->arg1 : XC_SE_UNDEFINED_CONDITION);
        break;
    case XC_S2S_OUT_A_DROP: s2s_out_closing(s, XC_SE_NONE); break;
    case XC_S2S_OUT_A_CLOSE_STREAM:
        s2s_put_close(&s->l.out);
        s2s_out_closing(s, XC_SE_NONE);
        break;
    case XC_S2S_OUT_A_COUNT:
    default: internal_error(s); break;
    }
}

/*@ requires xc_s2s_out_ok(s) && e < XC_S2S_OUT_E_COUNT;
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
static void s2s_out_step(xc_s2s_out *s, xc_s2s_out_event e)
{
    uint32_t g = s2s_out_guards(s, e);
    uint32_t r = xc_s2s_out_lookup(s->state, e, g);
    const xc_s2s_out_row *row = &xc_s2s_out_rows[r < XC_S2S_OUT_ROWS ? r : 0u];
    uint32_t k;

    s->fx.row_line = row->line;
    /* a row may close the stream and bounce in the same breath: every action runs (the
     * bounce_all after stream_error is what keeps "nothing lost") */
    /*@ loop invariant 0 <= k <= XC_S2S_OUT_MAX_ACTIONS && xc_s2s_out_ok(s);
        loop assigns k, *s, XC_S2S_LINK_MEMORY(&s->l);
        loop variant XC_S2S_OUT_MAX_ACTIONS - k;
    */
    for (k = 0; k < row->n_actions && k < XC_S2S_OUT_MAX_ACTIONS; k++)
        s2s_out_run_action(s, &row->actions[k], e);
    if ((s->fx.flags & XC_S2S_OUT_FX_CLOSE) != 0 || s->state == XC_S2S_OUT_S_CLOSED) {
        s->state = XC_S2S_OUT_S_CLOSED;
        return;
    }
    if (!row->stay)
        s->state = row->next < XC_S2S_OUT_S_COUNT ? (xc_s2s_out_state)row->next : XC_S2S_OUT_S_CLOSED;
}

xc_s2s_status xc_s2s_out_feed(xc_s2s_out *s, const uint8_t *buf, size_t len, size_t *consumed)
{
    xc_s2s_out_event e;

    s2s_out_begin(s);
    *consumed = 0;
    if (s->state == XC_S2S_OUT_S_CLOSED) {
        *consumed = len;
        return s2s_out_finish(s);
    }
    if (s->state == XC_S2S_OUT_S_TLS_HS || s->state == XC_S2S_OUT_S_CONNECTING)
        return s2s_out_finish(s);
    switch (xc_xml_feed(&s->l.xml, buf, len, consumed)) {
    case XC_XML_NEED_MORE: return s2s_out_finish(s);
    case XC_XML_EV_STREAM_OPEN: e = s2s_out_classify_header(s); break;
    case XC_XML_EV_ELEMENT: e = s2s_out_classify_element(s); break;
    case XC_XML_EV_STREAM_CLOSE: e = XC_S2S_OUT_E_STREAM_CLOSE; break;
    case XC_XML_EV_ERROR:
    default:
        e = (xc_s2s_out_event)(XC_S2S_OUT_E_ERR_NOT_WELL_FORMED + s2s_parse_error_offset(xc_xml_error(&s->l.xml)));
        break;
    }
    s2s_out_step(s, e);
    if ((s->fx.flags & (XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT)) != 0 || s->state == XC_S2S_OUT_S_CLOSED)
        *consumed = len;
    return s2s_out_finish(s);
}

/*@ requires xc_s2s_out_ok(s) && e < XC_S2S_OUT_E_COUNT;
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
static xc_s2s_status s2s_out_shell_event(xc_s2s_out *s, xc_s2s_out_event e)
{
    s2s_out_begin(s);
    if (s->state != XC_S2S_OUT_S_CLOSED || e == XC_S2S_OUT_E_OUT_STANZA)
        s2s_out_step(s, e);
    return s2s_out_finish(s);
}

xc_s2s_status xc_s2s_out_connected(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_CONNECTED);
}

xc_s2s_status xc_s2s_out_resolve_failed(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_RESOLVE_FAILED);
}

xc_s2s_status xc_s2s_out_connect_failed(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_CONNECT_FAILED);
}

xc_s2s_status xc_s2s_out_tls_done(xc_s2s_out *s, const xc_s2s_peer_cert *cert)
{
    xc_str t = s2s_domain_str(&s->target);

    /* TLS_DONE: the verdict on T's certificate is recorded, not fatal (dialback may follow) */
    if (s->state == XC_S2S_OUT_S_TLS_HS)
        s->peer_cert_ok = cert != NULL && cert->chain_ok && t.len > 0 && cert->n_names <= XC_CN_NAMES_MAX &&
                          xc_certname_match(t, t, XC_CN_SERVER, cert->names, cert->n_names) != XC_CN_NO_MATCH;
    return s2s_out_shell_event(s, XC_S2S_OUT_E_TLS_DONE);
}

xc_s2s_status xc_s2s_out_tls_failed(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_TLS_FAILED);
}

xc_s2s_status xc_s2s_out_stanza(xc_s2s_out *s, xc_str from_domain, const uint8_t *stanza, size_t len)
{
    s->stanza_from = from_domain;
    s->stanza = stanza;
    s->stanza_len = len;
    return s2s_out_shell_event(s, XC_S2S_OUT_E_OUT_STANZA);
}

xc_s2s_status xc_s2s_out_new_pair(xc_s2s_out *s, xc_str sender)
{
    const xc_s2s_config *cfg = s->l.cfg;
    uint32_t i = s2s_out_find_pair(s, sender), idx = 0, before = s->n_pairs;
    int added = 0;
    xc_s2s_status st;

    s->new_pair_bad = 0;
    s->cur_pair = i < XC_S2S_PAIRS_MAX ? i : 0u;
    if (i >= XC_S2S_PAIRS_MAX) {
        /* a sender we do not serve, or no slot left: send_db_result refuses the pair */
        if (!s2s_host_index(cfg->hosts, cfg->n_hosts, sender, &idx) || before >= XC_S2S_PAIRS_MAX) {
            s->new_pair_bad = 1;
        } else {
            s->pairs[before].state = XC_S2S_PAIR_NONE;
            s->pairs[before].host = idx;
            s->n_pairs = before + 1u;
            s->cur_pair = before;
            added = 1;
        }
    }
    st = s2s_out_shell_event(s, XC_S2S_OUT_E_NEW_PAIR);
    /* a pair the table refused (refuse_pair) keeps no slot */
    if (added && s->pairs[before].state == XC_S2S_PAIR_NONE)
        s->n_pairs = before;
    s->new_pair_bad = 0;
    s->cur_pair = 0;
    return st;
}

xc_s2s_status xc_s2s_out_timeout(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_TIMEOUT);
}

xc_s2s_status xc_s2s_out_shutdown(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_SHUTDOWN);
}

xc_s2s_status xc_s2s_out_policy_refused(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_POLICY_REFUSED);
}

xc_s2s_status xc_s2s_out_output_full(xc_s2s_out *s)
{
    return s2s_out_shell_event(s, XC_S2S_OUT_E_OUTPUT_FULL);
}

int xc_s2s_out_ready(const xc_s2s_out *s)
{
    return s->state == XC_S2S_OUT_S_READY;
}
