/*
 * xc_s2s_in.c — the receiving server of an s2s stream (spec/s2s_in.fsm), and the
 * authoritative server answering <db:verify/> on it.
 *
 * Every entry point turns its input into one event of the table; s2s_in_step() looks up the row
 * (gen/xc_s2s_in_table.c), runs its actions and enters its next state. Beside the stream state
 * the engine keeps the per-pair sub-machine NONE -> PENDING -> VALID (protocol-notes §1.2),
 * read by the guards and changed only by the actions add_pending, set_pair_valid, drop_pair.
 *
 * Invariants kept here for the prover and the reader:
 *  - a pair becomes VALID only through an outcome naming a pair PENDING on this stream, with
 *    the serial handed out with its verify request and this stream's current id (CVE-2012-3525);
 *  - a stanza is routed only in AUTHED and only for a valid pair or the SASL-authenticated
 *    domain; s2s_in_route() checks that again and s2s_in_finish() once more before the effect leaves;
 *  - a verify request leaves only from a stream that is encrypted, or where the operator
 *    allows dialback without TLS.
 */
#include "xc_base64.h"
#include "xc_s2s_internal.h"
#include "xc_str.h"
#include "xc_xml_tree.h"
#include "xc_xml_write.h"

/*@ requires \valid(s);
    assigns s->fx;
*/
static void s2s_in_clear_effects(xc_s2s_in *s)
{
    xc_str none = { NULL, 0 };

    s->fx.flags = 0;
    s->fx.row_line = 0;
    s->fx.out = s->l.out.out;
    s->fx.out_len = 0;
    s->fx.verify.sender = none;
    s->fx.verify.target = none;
    s->fx.verify.id = none;
    s->fx.verify.key = none;
    s->fx.verify.pair = 0;
    s->fx.verify.serial = 0;
    s->fx.route = s->route_buf;
    s->fx.route_len = 0;
    s->fx.route_presence = 0;
    s->fx.to = &s->db_to;
    s->fx.from = &s->db_from;
    s->fx.pair_sender = none;
    s->fx.pair_target = none;
    s->fx.error = XC_SE_NONE;
}

/* Keeps this call's random bytes for a header a shell event may force out. */
/*@ requires \valid(s) && \valid_read(rnd + (0 .. XC_S2S_RANDOM_BYTES - 1));
    assigns s->spare[0 .. XC_S2S_RANDOM_BYTES - 1];
*/
static void s2s_in_keep_spare(xc_s2s_in *s, const uint8_t *rnd)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_S2S_RANDOM_BYTES;
        loop assigns i, s->spare[0 .. XC_S2S_RANDOM_BYTES - 1];
        loop variant XC_S2S_RANDOM_BYTES - i;
    */
    for (i = 0; i < XC_S2S_RANDOM_BYTES; i++)
        s->spare[i] = rnd[i];
}

/* Copies what the TLS handshake told about the peer's certificate. Names beyond the struct's
 * room are ignored, which can only make cert_ok false, never true: so when a subjectAltName
 * identifier had to be left out, the common names are left out too (RFC 6125 §6.4.4 looks at
 * a common name only when the certificate presents no subjectAltName identifier at all). */
/*@ requires \valid(s) && (cert == \null || xc_s2s_peer_cert_ok((xc_s2s_peer_cert *)cert));
    requires cert == \null || \separated(s, cert, cert->names + (0 .. cert->n_names - 1));
    assigns s->cert_chain_ok, s->n_cert_names, s->cert_names[0 .. XC_S2S_CERT_NAMES_MAX - 1],
            s->cert_bytes[0 .. XC_S2S_CERT_BYTES - 1];
    ensures s->n_cert_names <= XC_S2S_CERT_NAMES_MAX;
*/
static void keep_cert(xc_s2s_in *s, const xc_s2s_peer_cert *cert)
{
    uint32_t pass, i, used = 0, n;
    int san_dropped = 0;

    s->cert_chain_ok = 0;
    s->n_cert_names = 0;
    if (cert == NULL)
        return;
    s->cert_chain_ok = cert->chain_ok != 0;
    n = cert->n_names < XC_CN_NAMES_MAX ? cert->n_names : XC_CN_NAMES_MAX;
    /* pass 0: the subjectAltName identifiers; pass 1: the common names, if none was dropped */
    /*@ loop invariant 0 <= pass <= 2 && s->n_cert_names <= XC_S2S_CERT_NAMES_MAX && used <= XC_S2S_CERT_BYTES;
        loop assigns pass, i, used, san_dropped, s->n_cert_names, s->cert_names[0 .. XC_S2S_CERT_NAMES_MAX - 1],
                     s->cert_bytes[0 .. XC_S2S_CERT_BYTES - 1];
        loop variant 2 - pass;
    */
    for (pass = 0; pass < 2u; pass++) {
        if (pass == 1u && (san_dropped || cert->n_names > XC_CN_NAMES_MAX))
            break;
        /*@ loop invariant 0 <= i <= n && s->n_cert_names <= XC_S2S_CERT_NAMES_MAX && used <= XC_S2S_CERT_BYTES;
            loop assigns i, used, san_dropped, s->n_cert_names, s->cert_names[0 .. XC_S2S_CERT_NAMES_MAX - 1],
                         s->cert_bytes[0 .. XC_S2S_CERT_BYTES - 1];
            loop variant n - i;
        */
        for (i = 0; i < n; i++) {
            xc_str v = cert->names[i].value;
            uint32_t len = 0;
            if ((cert->names[i].kind == XC_CN_COMMON_NAME) != (pass == 1u))
                continue;
            if (s->n_cert_names >= XC_S2S_CERT_NAMES_MAX || v.len > XC_S2S_CERT_BYTES - used) {
                san_dropped = 1;
                continue;
            }
            (void)s2s_copy(s->cert_bytes + used, XC_S2S_CERT_BYTES - used, v, &len);
            s->cert_names[s->n_cert_names].kind = cert->names[i].kind;
            s->cert_names[s->n_cert_names].value.ptr = s->cert_bytes + used;
            s->cert_names[s->n_cert_names].value.len = len;
            s->n_cert_names++;
            used += len;
        }
    }
}

void xc_s2s_in_init(xc_s2s_in *s, const xc_s2s_config *cfg, const xc_s2s_memory *mem, int secure,
                    const xc_s2s_peer_cert *cert, const uint8_t *rnd)
{
    uint32_t i;
    xc_str none = { NULL, 0 };

    /* before any store into s, so its precondition on cert needs no frame through them */
    keep_cert(s, secure ? cert : NULL);
    s->state = XC_S2S_IN_S_WAIT_HDR;
    s2s_link_init(&s->l, cfg, mem);
    s->l.secure = secure != 0;
    s->route_buf = mem->route;
    s->route_cap = mem->route_cap;
    s->legacy = 0;
    s->host_known = 0;
    s->sasl_authed = 0;
    s->host = 0;
    s->pending_host = 0;
    s->peer.len = 0;
    s->peer_ok = 0;
    s->rnd = NULL;
    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX;
        loop assigns i, s->pairs[0 .. XC_S2S_PAIRS_MAX - 1];
        loop variant XC_S2S_PAIRS_MAX - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX; i++) {
        s->pairs[i].state = XC_S2S_PAIR_NONE;
        s->pairs[i].target = 0;
        s->pairs[i].serial = 0;
        s->pairs[i].sender.len = 0;
    }
    s->serials = 0;
    s->cur_pair = 0;
    s->el = NULL;
    s->el_from = none;
    s->el_to = none;
    s->el_id = none;
    s->el_text = none;
    s->key_long = 0;
    s->key_len = 0;
    s->db_from.node_len = 0;
    s->db_from.domain_len = 0;
    s->db_from.resource_len = 0;
    s->db_to = s->db_from;
    s2s_in_keep_spare(s, rnd);
    s2s_hex_id(s->id, rnd);
    s2s_in_clear_effects(s);
}

/*@ requires xc_s2s_in_ok(s);
    assigns s->fx, s->l.out.len, s->l.out.full, s->rnd;
    ensures xc_s2s_in_ok(s) && s->fx.flags == 0;
*/
static void s2s_in_begin(xc_s2s_in *s, const uint8_t *rnd)
{
    s->l.out.len = 0;
    s->l.out.full = 0;
    s->rnd = rnd;
    s2s_in_clear_effects(s);
}

/* Our domain on this stream: the one the header named, or the first served one before. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str our_domain(const xc_s2s_in *s)
{
    return s->l.cfg->hosts[s->host_known ? s->host : s->pending_host];
}

/*@ requires xc_s2s_in_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent,
            s->id[0 .. 2 * XC_S2S_RANDOM_BYTES - 1];
    ensures xc_s2s_in_ok(s) && s->l.header_sent == 1;
*/
static void s2s_in_put_header(xc_s2s_in *s, int with_version)
{
    /* RFC 3920 §4.4: a fresh unpredictable id for every header we send (after TLS, after SASL) */
    s2s_hex_id(s->id, s->rnd != NULL ? s->rnd : s->spare);
    s2s_put_header(&s->l.out, our_domain(s), s2s_domain_str(&s->peer), s->id, with_version);
    s->l.header_sent = 1;
}

/*@ requires xc_s2s_in_ok(s);
    assigns s->fx.flags, s->fx.error, s->state;
    ensures xc_s2s_in_ok(s) && s->state == XC_S2S_IN_S_CLOSED;
*/
static void s2s_in_closing(xc_s2s_in *s, xc_stream_error e)
{
    s->fx.flags |= XC_S2S_IN_FX_CLOSE;
    s->fx.error = e;
    s->state = XC_S2S_IN_S_CLOSED;
}

/*@ requires xc_s2s_in_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent,
            s->id[0 .. 2 * XC_S2S_RANDOM_BYTES - 1], s->fx.flags, s->fx.error, s->state;
    ensures xc_s2s_in_ok(s) && s->state == XC_S2S_IN_S_CLOSED;
*/
static void s2s_in_stream_error(xc_s2s_in *s, xc_stream_error e)
{
    /* RFC 3920 §4.7.1: an error before our header still gets a header first */
    if (!s->l.header_sent)
        s2s_in_put_header(s, 1);
    s2s_put_stream_error(&s->l.out, e);
    s2s_in_closing(s, e);
}

/* End of every entry point: the safety properties of spec/s2s_in.fsm checked once more where
 * the effects leave the core (no route outside AUTHED, no verify request from a stream where
 * dialback may not run); should they ever fail, the stream closes instead. */
/*@ requires xc_s2s_in_ok(s);
    assigns s->fx, s->rnd, s->state, s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1],
            s->l.header_sent, s->id[0 .. 2 * XC_S2S_RANDOM_BYTES - 1];
    ensures xc_s2s_in_ok(s);
    ensures (s->fx.flags & XC_S2S_IN_FX_ROUTE) != 0 ==> s->state == XC_S2S_IN_S_AUTHED;
*/
static xc_s2s_status s2s_in_finish(xc_s2s_in *s)
{
    const xc_s2s_config *cfg = s->l.cfg;
    int route_bad = (s->fx.flags & XC_S2S_IN_FX_ROUTE) != 0 && s->state != XC_S2S_IN_S_AUTHED;
    int verify_bad = (s->fx.flags & XC_S2S_IN_FX_VERIFY) != 0 &&
                     !(s->l.secure || (cfg->plain_dialback && !cfg->require_tls));

    if (route_bad || verify_bad) {
        s->fx.flags = 0;
        s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
    }
    s->rnd = NULL;
    s->fx.out = s->l.out.out;
    s->fx.out_len = (uint32_t)s->l.out.len;
    if (s->state == XC_S2S_IN_S_CLOSED)
        return XC_S2S_CLOSED;
    if (s->state == XC_S2S_IN_S_TLS_HS)
        return XC_S2S_WAIT;
    return XC_S2S_OK;
}

/* ---- guards ---------------------------------------------------------------------------- */

/* Index of the pair (db_from, db_to) when it is pending or valid here, else XC_S2S_PAIRS_MAX. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result <= XC_S2S_PAIRS_MAX;
*/
static uint32_t s2s_in_find_pair(const xc_s2s_in *s, xc_str sender, xc_str target, int valid_only)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX;
        loop assigns i;
        loop variant XC_S2S_PAIRS_MAX - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX; i++) {
        const xc_s2s_in_pair *p = &s->pairs[i];
        if (p->state == XC_S2S_PAIR_NONE || (valid_only && p->state != XC_S2S_PAIR_VALID))
            continue;
        if (xc_str_eq(s2s_domain_str(&p->sender), sender) &&
            (target.len == 0 || xc_str_eq(s->l.cfg->hosts[p->target], target)))
            return i;
    }
    return XC_S2S_PAIRS_MAX;
}

/*@ requires \valid_read(j) && j->domain_len <= XC_JID_PART_MAX;
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
static xc_str domain_of(const xc_jid *j)
{
    xc_str d = { &j->buf[XC_JID_DOMAIN_OFF], j->domain_len };
    return d;
}

/* pair_valid (RFC 3920 §8.3 step 10, CVE-2012-3525): the stanza's (from domain, to domain) is a
 * pair valid here, or from is the SASL-authenticated domain and to is served. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int stanza_pair_valid(const xc_s2s_in *s)
{
    uint32_t idx = 0;
    xc_str from = domain_of(&s->db_from), to = domain_of(&s->db_to);

    if (from.len == 0 || to.len == 0 || !s2s_host_index(s->l.cfg->hosts, s->l.cfg->n_hosts, to, &idx))
        return 0;
    if (s2s_in_find_pair(s, from, to, 1) < XC_S2S_PAIRS_MAX)
        return 1;
    return s->sasl_authed && xc_str_eq(from, s2s_domain_str(&s->peer));
}

/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int stanza_from_known(const xc_s2s_in *s)
{
    xc_str none = { NULL, 0 }, from = domain_of(&s->db_from);

    if (from.len == 0)
        return 0;
    if (s2s_in_find_pair(s, from, none, 1) < XC_S2S_PAIRS_MAX)
        return 1;
    return s->sasl_authed && xc_str_eq(from, s2s_domain_str(&s->peer));
}

/* verify_cap: the pending verifications of this stream are at cfg->verify_max, or no slot is
 * left for another pair. verify_max 0 means the largest number the struct holds. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int verify_cap(const xc_s2s_in *s)
{
    uint32_t i, pending = 0, free_slots = 0;
    uint32_t max = s->l.cfg->verify_max;

    if (max == 0 || max > XC_S2S_PAIRS_MAX)
        max = XC_S2S_PAIRS_MAX;
    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX && pending <= i && free_slots <= i;
        loop assigns i, pending, free_slots;
        loop variant XC_S2S_PAIRS_MAX - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX; i++) {
        if (s->pairs[i].state == XC_S2S_PAIR_PENDING)
            pending++;
        else if (s->pairs[i].state == XC_S2S_PAIR_NONE)
            free_slots++;
    }
    return pending >= max || free_slots == 0;
}

/* cert_ok (XEP-0178 §3, RFC 6125 §6): a verified chain naming the header's from. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int cert_ok(const xc_s2s_in *s)
{
    xc_str peer = s2s_domain_str(&s->peer);

    if (!s->l.secure || !s->cert_chain_ok || peer.len == 0)
        return 0;
    return xc_certname_match(peer, peer, XC_CN_SERVER, s->cert_names, s->n_cert_names) != XC_CN_NO_MATCH;
}

/* authzid_ok (XEP-0178 §3; RFC 6120 §6.3.8): no authzid, '=', or base64 of the header's from. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int authzid_ok(const xc_s2s_in *s)
{
    char buf[XC_JID_PART_MAX];
    size_t n = 0;
    xc_str got;

    if (s->el_text.len == 0 || xc_str_eq(s->el_text, XC_STR_LIT("=")))
        return 1;
    if (xc_base64_decode(s->el_text.ptr, s->el_text.len, (uint8_t *)buf, sizeof(buf), &n) != XC_B64_OK)
        return 0;
    got.ptr = buf;
    got.len = (uint32_t)n;
    return xc_str_eq(got, s2s_domain_str(&s->peer));
}

/* pair_pending (CVE-2012-3525): the outcome names a pair pending here, with the serial handed
 * out for it and this stream's current id. */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int pair_pending(const xc_s2s_in *s, uint32_t serial)
{
    const xc_s2s_in_pair *p = &s->pairs[s->cur_pair];
    uint32_t i;

    if (p->state != XC_S2S_PAIR_PENDING || p->serial != serial)
        return 0;
    /*@ loop invariant 0 <= i <= 2 * XC_S2S_RANDOM_BYTES;
        loop assigns i;
        loop variant 2 * XC_S2S_RANDOM_BYTES - i;
    */
    for (i = 0; i < 2u * XC_S2S_RANDOM_BYTES; i++)
        if (p->id[i] != s->id[i])
            return 0;
    return 1;
}

/* The guard mask for this event (bit 1u << xc_s2s_in_guard). */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
*/
static uint32_t s2s_in_guards(const xc_s2s_in *s, xc_s2s_in_event e, uint32_t serial)
{
    const xc_s2s_config *cfg = s->l.cfg;
    uint32_t g = 0, idx = 0;
    xc_str from = domain_of(&s->db_from), to = domain_of(&s->db_to);

    if (s->l.secure)
        g |= 1u << XC_S2S_IN_G_SECURE;
    if (cfg->plain_dialback && !cfg->require_tls)
        g |= 1u << XC_S2S_IN_G_PLAIN_DIALBACK;
    if (!s->peer_ok)
        g |= 1u << XC_S2S_IN_G_PEER_REFUSED;
    if (s->legacy)
        g |= 1u << XC_S2S_IN_G_LEGACY_PEER;
    switch (e) {
    case XC_S2S_IN_E_DB_RESULT:
        if (!xc_s2s_policy_allows(cfg, from))
            g |= 1u << XC_S2S_IN_G_SENDER_REFUSED;
        if (s2s_in_find_pair(s, from, to, 0) < XC_S2S_PAIRS_MAX)
            g |= 1u << XC_S2S_IN_G_PAIR_KNOWN;
        if (verify_cap(s))
            g |= 1u << XC_S2S_IN_G_VERIFY_CAP;
        break;
    case XC_S2S_IN_E_DB_VERIFY:
        /* XEP-0185 §2 over the verify's own (from, to, id): receiving = from, originating = to */
        if (s->el_id.len > 0 && s2s_host_index(cfg->hosts, cfg->n_hosts, to, &idx) &&
            xc_db_key_matches(&cfg->secret, from, to, s->el_id, s->el_text))
            g |= 1u << XC_S2S_IN_G_KEY_OK;
        break;
    case XC_S2S_IN_E_AUTH_EXTERNAL:
        if (cert_ok(s))
            g |= 1u << XC_S2S_IN_G_CERT_OK;
        if (authzid_ok(s))
            g |= 1u << XC_S2S_IN_G_AUTHZID_OK;
        break;
    case XC_S2S_IN_E_VERIFY_VALID:
    case XC_S2S_IN_E_VERIFY_INVALID:
    case XC_S2S_IN_E_VERIFY_ERROR:
        if (pair_pending(s, serial))
            g |= 1u << XC_S2S_IN_G_PAIR_PENDING;
        break;
    case XC_S2S_IN_E_STANZA:
        if (stanza_pair_valid(s))
            g |= 1u << XC_S2S_IN_G_PAIR_VALID;
        if (stanza_from_known(s))
            g |= 1u << XC_S2S_IN_G_FROM_KNOWN;
        break;
    default: break;
    }
    return g;
}

/* ---- classification -------------------------------------------------------------------- */

/* The event for the stream header just parsed (RFC 3920 §4.4, §8.3 step 2; XEP-0220 §2). */
/*@ requires xc_s2s_in_ok(s);
    assigns s->db_from, s->db_to, s->pending_host, s->peer_ok;
    ensures xc_s2s_in_ok(s) && \result < XC_S2S_IN_E_COUNT;
*/
static xc_s2s_in_event s2s_in_classify_header(xc_s2s_in *s)
{
    const xc_s2s_config *cfg = s->l.cfg;
    xc_s2s_hdr h;
    uint32_t idx = 0;

    h = s2s_read_header(&s->l.xml);
    /* DESIGN.md "s2s headers": the peer names itself; a missing or malformed from is refused
     * like a domain the policy refuses */
    s->peer_ok = h.has_from && s2s_domain(h.from, &s->db_from) && xc_s2s_policy_allows(cfg, domain_of(&s->db_from));
    if (!s->peer_ok)
        s->db_from.domain_len = 0;
    if (!h.has_to || !s2s_domain(h.to, &s->db_to))
        return XC_S2S_IN_E_HDR_HOST_UNKNOWN;
    if (!s2s_host_index(cfg->hosts, cfg->n_hosts, domain_of(&s->db_to), &idx)) {
        if (s2s_host_index(cfg->gone, cfg->n_gone, domain_of(&s->db_to), &idx))
            return XC_S2S_IN_E_HDR_HOST_GONE;
        return XC_S2S_IN_E_HDR_HOST_UNKNOWN;
    }
    /* a restart names the domain the stream began with (the CVE-2018-10847 class) */
    if (s->host_known && idx != s->host)
        return XC_S2S_IN_E_HDR_HOST_CHANGED;
    s->pending_host = idx;
    if (h.db == XC_S2S_DB_WRONG)
        return XC_S2S_IN_E_HDR_DB_WRONG;
    if (!h.version)
        return h.db == XC_S2S_DB_OK ? XC_S2S_IN_E_HDR_NO_VERSION : XC_S2S_IN_E_HDR_NO_VERSION_NO_DB;
    return h.db == XC_S2S_DB_OK ? XC_S2S_IN_E_HDR_OK : XC_S2S_IN_E_HDR_NO_DB;
}

/* An untyped db:result / db:verify: a request (XEP-0220 §2.1, §2.2). */
/*@ requires xc_s2s_in_ok(s) && \valid_read(el);
    assigns s->db_from, s->db_to, s->key[0 .. XC_S2S_KEY_MAX - 1], s->key_len, s->key_long;
    ensures xc_s2s_in_ok(s) && \result < XC_S2S_IN_E_COUNT;
*/
static xc_s2s_in_event classify_db_request(xc_s2s_in *s, const xc_s2s_el *el)
{
    const xc_s2s_config *cfg = s->l.cfg;
    uint32_t idx = 0;
    int verify = el->kind == XC_S2S_EL_DB_VERIFY;

    /* XEP-0220 §6.1: from and to are required, and both name domains */
    if (!el->has_from || !el->has_to || !s2s_domain(el->from, &s->db_from) || !s2s_domain(el->to, &s->db_to)) {
        s->db_from.domain_len = 0;
        s->db_to.domain_len = 0;
        return XC_S2S_IN_E_DB_NO_ADDR;
    }
    if (!s2s_host_index(cfg->hosts, cfg->n_hosts, domain_of(&s->db_to), &idx))
        return verify ? XC_S2S_IN_E_DB_VERIFY_HOST_UNKNOWN : XC_S2S_IN_E_DB_RESULT_BAD_TO;
    if (verify)
        return XC_S2S_IN_E_DB_VERIFY;
    if (s2s_host_index(cfg->hosts, cfg->n_hosts, domain_of(&s->db_from), &idx))
        return XC_S2S_IN_E_DB_RESULT_OWN_FROM;
    /* a key that does not fit (or is not plain text) can never verify: see add_pending */
    s->key_long = !el->text_ok || !s2s_copy(s->key, XC_S2S_KEY_MAX, el->text, &s->key_len);
    return XC_S2S_IN_E_DB_RESULT;
}

/*@ requires xc_s2s_in_ok(s);
    assigns s->el, s->el_from, s->el_to, s->el_id, s->el_text, s->db_from, s->db_to,
            s->key[0 .. XC_S2S_KEY_MAX - 1], s->key_len, s->key_long;
    ensures xc_s2s_in_ok(s) && \result < XC_S2S_IN_E_COUNT;
*/
static xc_s2s_in_event s2s_in_classify_element(xc_s2s_in *s)
{
    xc_s2s_el el;

    el = s2s_read_element(&s->l.xml);
    s->el = el.node;
    s->el_from = el.from;
    s->el_to = el.to;
    s->el_id = el.id;
    s->el_text = el.text_ok ? el.text : (xc_str){ NULL, 0 };
    s->key_long = 0;
    s->db_from.domain_len = 0;
    s->db_to.domain_len = 0;
    if (el.node == NULL)
        return XC_S2S_IN_E_ERR_NOT_WELL_FORMED;
    switch (el.kind) {
    case XC_S2S_EL_DB_RESULT:
        switch (el.db_type) {
        case XC_S2S_DBT_NONE: return classify_db_request(s, &el);
        case XC_S2S_DBT_VALID: return XC_S2S_IN_E_DB_RESULT_VALID;
        case XC_S2S_DBT_INVALID: return XC_S2S_IN_E_DB_RESULT_INVALID;
        default: return XC_S2S_IN_E_DB_RESULT_ERROR;
        }
    case XC_S2S_EL_DB_VERIFY:
        switch (el.db_type) {
        case XC_S2S_DBT_NONE: return classify_db_request(s, &el);
        case XC_S2S_DBT_VALID: return XC_S2S_IN_E_DB_VERIFY_VALID;
        case XC_S2S_DBT_INVALID: return XC_S2S_IN_E_DB_VERIFY_INVALID;
        default: return XC_S2S_IN_E_DB_VERIFY_ERROR;
        }
    case XC_S2S_EL_STANZA:
        /* RFC 3920 §9.1.1-9.1.2: on s2s, from and to are required JIDs */
        if (!el.has_from || !el.has_to || xc_jid_parse(el.from.ptr, el.from.len, &s->db_from) != XC_JID_OK ||
            xc_jid_parse(el.to.ptr, el.to.len, &s->db_to) != XC_JID_OK) {
            s->db_from.domain_len = 0;
            s->db_to.domain_len = 0;
            return XC_S2S_IN_E_STANZA_NO_ADDR;
        }
        return XC_S2S_IN_E_STANZA;
    case XC_S2S_EL_STARTTLS: return XC_S2S_IN_E_STARTTLS;
    case XC_S2S_EL_AUTH:
        return xc_str_eq(el.mechanism, XC_STR_LIT("EXTERNAL")) && el.text_ok ? XC_S2S_IN_E_AUTH_EXTERNAL
                                                                              : XC_S2S_IN_E_AUTH_OTHER;
    case XC_S2S_EL_RESPONSE: return XC_S2S_IN_E_RESPONSE;
    case XC_S2S_EL_ABORT: return XC_S2S_IN_E_ABORT;
    case XC_S2S_EL_PROCEED:
    case XC_S2S_EL_TLS_FAILURE:
    case XC_S2S_EL_SASL_SUCCESS:
    case XC_S2S_EL_SASL_FAILURE:
    case XC_S2S_EL_SASL_CHALLENGE:
    case XC_S2S_EL_FEATURES: return XC_S2S_IN_E_SERVER_ONLY;
    case XC_S2S_EL_STREAM_ERROR: return XC_S2S_IN_E_PEER_ERROR;
    case XC_S2S_EL_BIDI: return XC_S2S_IN_E_BIDI;
    case XC_S2S_EL_UNKNOWN:
    default: return XC_S2S_IN_E_UNKNOWN;
    }
}

/* ---- output ---------------------------------------------------------------------------- */

/* <stream:features/> for this state and policy (RFC 3920 §5.1, §6.1; XEP-0220 §2.4; XEP-0178 §3). */
/*@ requires xc_s2s_in_ok(s);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1];
    ensures xc_s2s_in_ok(s);
*/
static void put_features(xc_s2s_in *s)
{
    const xc_s2s_config *cfg = s->l.cfg;
    xc_out *w = &s->l.out;

    if (s->sasl_authed) {
        /* RFC 6120 §4.3.6: nothing left to negotiate */
        XC_OUT_LIT(w, "<stream:features/>");
        return;
    }
    XC_OUT_LIT(w, "<stream:features>");
    if (!s->l.secure) {
        XC_OUT_LIT(w, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>");
        if (cfg->require_tls)
            XC_OUT_LIT(w, "<required/>");
        XC_OUT_LIT(w, "</starttls>");
        if (cfg->plain_dialback && !cfg->require_tls)
            XC_OUT_LIT(w, "<dialback xmlns='urn:xmpp:features:dialback'/>");
    } else {
        /* CVE-2014-3451 class: EXTERNAL only for a certificate that names the peer */
        if (cert_ok(s))
            XC_OUT_LIT(w, "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
                          "</mechanisms>");
        XC_OUT_LIT(w, "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>");
    }
    XC_OUT_LIT(w, "</stream:features>");
}

/* A dialback element about the element being handled or the outcome's pair. */
/*@ requires xc_s2s_in_ok(s) && xc_str_valid(from) && xc_str_valid(to) && xc_str_valid(id);
    assigns s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1];
    ensures xc_s2s_in_ok(s);
*/
static void put_db(xc_s2s_in *s, int verify, xc_str from, xc_str to, xc_str id, xc_s2s_db_type type,
                   const xc_s2s_in_action *a)
{
    xc_s2s_db_out d;
    xc_str none = { NULL, 0 };

    d.verify = (uint8_t)verify;
    d.from = from;
    d.to = to;
    d.id = id;
    d.type = type;
    d.key = none;
    d.err_type = a->arg1 < XC_STZ_T_COUNT ? (xc_stanza_error_type)a->arg1 : XC_STZ_T_CANCEL;
    d.err_cond = a->arg2 < XC_STZ_COUNT ? (xc_stanza_error)a->arg2 : XC_STZ_UNDEFINED_CONDITION;
    s2s_put_db(&s->l.out, &d);
}

/* The T and S of a db:result answer: the outcome's pair, or the db:result being handled. */
/*@ requires xc_s2s_in_ok(s) && \valid(t) && \valid(sdr);
    assigns *t, *sdr;
    ensures xc_str_valid(*t) && xc_str_valid(*sdr);
*/
static void result_parties(const xc_s2s_in *s, int outcome, xc_str *t, xc_str *sdr)
{
    if (outcome) {
        *t = s->l.cfg->hosts[s->pairs[s->cur_pair].target];
        *sdr = s2s_domain_str(&s->pairs[s->cur_pair].sender);
        return;
    }
    *t = s->el_to;
    *sdr = s->el_from;
}

/* ---- actions --------------------------------------------------------------------------- */

/* add_pending (RFC 3920 §8.3 step 4): a free slot takes (S, T, our current id, a new serial). */
/*@ requires xc_s2s_in_ok(s);
    assigns s->pairs[0 .. XC_S2S_PAIRS_MAX - 1], s->serials, s->cur_pair;
    ensures xc_s2s_in_ok(s) && (\result == 0 || \result == 1);
*/
static int add_pending(xc_s2s_in *s)
{
    const xc_s2s_config *cfg = s->l.cfg;
    uint32_t i, idx = 0;
    xc_s2s_in_pair *p;

    if (!(s->l.secure || (cfg->plain_dialback && !cfg->require_tls)))
        return 0;
    if (!s2s_host_index(cfg->hosts, cfg->n_hosts, domain_of(&s->db_to), &idx))
        return 0;
    /*@ loop invariant 0 <= i <= XC_S2S_PAIRS_MAX;
        loop assigns i;
        loop variant XC_S2S_PAIRS_MAX - i;
    */
    for (i = 0; i < XC_S2S_PAIRS_MAX; i++)
        if (s->pairs[i].state == XC_S2S_PAIR_NONE)
            break;
    if (i >= XC_S2S_PAIRS_MAX)
        return 0;
    p = &s->pairs[i];
    if (!s2s_domain_set(&p->sender, domain_of(&s->db_from)))
        return 0;
    p->target = idx;
    p->serial = ++s->serials;
    (void)s2s_copy(p->id, sizeof(p->id), (xc_str){ s->id, sizeof(s->id) }, &idx);
    p->state = XC_S2S_PAIR_PENDING;
    s->cur_pair = i;
    return 1;
}

/*@ requires xc_s2s_in_ok(s);
    assigns s->fx.flags, s->fx.verify;
    ensures xc_s2s_in_ok(s);
*/
static void request_verify(xc_s2s_in *s)
{
    const xc_s2s_in_pair *p = &s->pairs[s->cur_pair];

    /* a key too long to keep is never sent: the pair fails at once (see xc_s2s_in_feed) */
    if (p->state != XC_S2S_PAIR_PENDING || s->key_long)
        return;
    s->fx.flags |= XC_S2S_IN_FX_VERIFY;
    s->fx.verify.sender = s2s_domain_str(&p->sender);
    s->fx.verify.target = s->l.cfg->hosts[p->target];
    s->fx.verify.id.ptr = p->id;
    s->fx.verify.id.len = sizeof(p->id);
    s->fx.verify.key.ptr = s->key;
    s->fx.verify.key.len = s->key_len;
    s->fx.verify.pair = s->cur_pair;
    s->fx.verify.serial = p->serial;
}

/* route (RFC 3920 §9.1.2): the stanza as received, jabber:server neutral, to the local recipient. */
/*@ requires xc_s2s_in_ok(s);
    assigns s->route_buf[0 .. s->route_cap - 1], s->fx.route, s->fx.route_len, s->fx.route_presence, s->fx.flags,
            s->fx.to, s->fx.from,
            s->l.out.full, s->l.out.len, s->l.out.out[0 .. s->l.out.cap - 1], s->l.header_sent,
            s->id[0 .. 2 * XC_S2S_RANDOM_BYTES - 1], s->fx.error, s->state;
    ensures xc_s2s_in_ok(s);
*/
static void s2s_in_route(xc_s2s_in *s)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->l.xml);
    size_t n = 0;

    /* CVE-2012-3525: the guard is checked again where the stanza leaves */
    if (s->el == NULL || s->state != XC_S2S_IN_S_AUTHED || !stanza_pair_valid(s)) {
        s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
        return;
    }
    if (xc_xml_write(t, xc_xml_index_of(t, s->el), XC_STR_LIT(XC_NS_SERVER), s->route_buf, s->route_cap, &n) !=
        XC_XML_WRITE_OK) {
        /* the route buffer holds 6 times the largest stanza: this is a sizing bug of the shell */
        s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
        return;
    }
    s->fx.flags |= XC_S2S_IN_FX_ROUTE;
    s->fx.route = s->route_buf;
    s->fx.route_len = (uint32_t)n;
    s->fx.route_presence = xc_str_eq(s->el->name, XC_STR_LIT("presence"));
    s->fx.to = &s->db_to;
    s->fx.from = &s->db_from;
}

/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s);
*/
static void s2s_in_run_action(xc_s2s_in *s, const xc_s2s_in_action *a, int outcome)
{
    xc_str t, sdr, none = { NULL, 0 };
    xc_s2s_in_pair *p = &s->pairs[s->cur_pair];

    switch ((xc_s2s_in_op)a->op) {
    case XC_S2S_IN_A_KEEP_HOST:
        s->host = s->pending_host;
        s->host_known = 1;
        if (!s2s_domain_set(&s->peer, domain_of(&s->db_from)))
            s->peer.len = 0;
        break;
    case XC_S2S_IN_A_SEND_HEADER: s2s_in_put_header(s, 1); break;
    case XC_S2S_IN_A_SEND_HEADER_V0:
        s2s_in_put_header(s, 0);
        s->legacy = 1;
        break;
    case XC_S2S_IN_A_SEND_FEATURES: put_features(s); break;
    case XC_S2S_IN_A_SEND_PROCEED: XC_OUT_LIT(&s->l.out, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"); break;
    case XC_S2S_IN_A_START_TLS:
        /* RFC 3920 §5.2 step 5: nothing after <starttls/> in the clear is ever parsed */
        s2s_link_restart(&s->l);
        s->el = NULL;
        s->fx.flags |= XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT;
        break;
    case XC_S2S_IN_A_TLS_FAILURE:
        XC_OUT_LIT(&s->l.out, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
        s2s_in_closing(s, XC_SE_NONE);
        break;
    case XC_S2S_IN_A_SET_SECURE: s->l.secure = 1; break;
    case XC_S2S_IN_A_RESTART:
        /* RFC 3920 §5.2 step 7, §6.2 outcome 3: a new document; what came before is gone */
        s2s_link_restart(&s->l);
        s->el = NULL;
        s->fx.flags |= XC_S2S_IN_FX_DISCARD_INPUT;
        break;
    case XC_S2S_IN_A_SASL_FAILURE:
        XC_OUT_LIT(&s->l.out, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><");
        xc_out_str(&s->l.out, xc_sasl_failure_name(a->arg1 < XC_SF_COUNT ? (xc_sasl_failure)a->arg1 : XC_SF_NOT_AUTHORIZED));
        XC_OUT_LIT(&s->l.out, "/></failure>");
        break;
    case XC_S2S_IN_A_SEND_SUCCESS: XC_OUT_LIT(&s->l.out, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"); break;
    case XC_S2S_IN_A_SET_SASL_AUTHED:
        /* XEP-0178 §3: only over TLS, only for a certificate that names the peer */
        if (!s->l.secure || !cert_ok(s)) {
            s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
            break;
        }
        s->sasl_authed = 1;
        break;
    case XC_S2S_IN_A_ADD_PENDING:
        if (!add_pending(s))
            s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
        break;
    case XC_S2S_IN_A_REQUEST_VERIFY: request_verify(s); break;
    case XC_S2S_IN_A_SET_PAIR_VALID:
        if (p->state != XC_S2S_PAIR_PENDING) {
            s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
            break;
        }
        p->state = XC_S2S_PAIR_VALID;
        s->fx.flags |= XC_S2S_IN_FX_PAIR_VALID;
        s->fx.pair_sender = s2s_domain_str(&p->sender);
        s->fx.pair_target = s->l.cfg->hosts[p->target];
        break;
    case XC_S2S_IN_A_DROP_PAIR: p->state = XC_S2S_PAIR_NONE; break;
    case XC_S2S_IN_A_SEND_RESULT_VALID:
    case XC_S2S_IN_A_SEND_RESULT_INVALID:
    case XC_S2S_IN_A_RESULT_ERROR:
        result_parties(s, outcome, &t, &sdr);
        put_db(s, 0, t, sdr, none,
               a->op == XC_S2S_IN_A_SEND_RESULT_VALID     ? XC_S2S_DBT_VALID
               : a->op == XC_S2S_IN_A_SEND_RESULT_INVALID ? XC_S2S_DBT_INVALID
                                                          : XC_S2S_DBT_OTHER,
               a);
        break;
    case XC_S2S_IN_A_ANSWER_VALID:
    case XC_S2S_IN_A_ANSWER_INVALID:
    case XC_S2S_IN_A_VERIFY_ERROR:
        /* XEP-0220 §2.2.2: from = O (the verify's to), to = R (its from), the same id */
        put_db(s, 1, s->el_to, s->el_from, s->el_id,
               a->op == XC_S2S_IN_A_ANSWER_VALID     ? XC_S2S_DBT_VALID
               : a->op == XC_S2S_IN_A_ANSWER_INVALID ? XC_S2S_DBT_INVALID
                                                     : XC_S2S_DBT_OTHER,
               a);
        break;
    case XC_S2S_IN_A_ROUTE: s2s_in_route(s); break;
    case XC_S2S_IN_A_STREAM_ERROR:
        s2s_in_stream_error(s, a->arg1 < XC_SE_COUNT ? (xc_stream_error)a->arg1 : XC_SE_UNDEFINED_CONDITION);
        break;
    case XC_S2S_IN_A_DROP: s2s_in_closing(s, XC_SE_NONE); break;
    case XC_S2S_IN_A_CLOSE_STREAM:
        s2s_put_close(&s->l.out);
        s2s_in_closing(s, XC_SE_NONE);
        break;
    case XC_S2S_IN_A_COUNT:
    default: s2s_in_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR); break;
    }
}

/* The table decides: find the row, run its actions, enter its next state. */
/*@ requires xc_s2s_in_ok(s) && e < XC_S2S_IN_E_COUNT;
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s);
*/
static void s2s_in_step(xc_s2s_in *s, xc_s2s_in_event e, uint32_t serial)
{
    uint32_t g = s2s_in_guards(s, e, serial);
    uint32_t r = xc_s2s_in_lookup(s->state, e, g);
    const xc_s2s_in_row *row = &xc_s2s_in_rows[r < XC_S2S_IN_ROWS ? r : 0u];
    int outcome = e == XC_S2S_IN_E_VERIFY_VALID || e == XC_S2S_IN_E_VERIFY_INVALID || e == XC_S2S_IN_E_VERIFY_ERROR;
    uint32_t k;

    s->fx.row_line = row->line;
    /*@ loop invariant 0 <= k <= XC_S2S_IN_MAX_ACTIONS && xc_s2s_in_ok(s);
        loop assigns k, *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
        loop variant XC_S2S_IN_MAX_ACTIONS - k;
    */
    for (k = 0; k < row->n_actions && k < XC_S2S_IN_MAX_ACTIONS; k++) {
        s2s_in_run_action(s, &row->actions[k], outcome);
        if (s->state == XC_S2S_IN_S_CLOSED)
            return;
    }
    if (!row->stay)
        s->state = row->next < XC_S2S_IN_S_COUNT ? (xc_s2s_in_state)row->next : XC_S2S_IN_S_CLOSED;
    if ((s->fx.flags & XC_S2S_IN_FX_CLOSE) != 0)
        s->state = XC_S2S_IN_S_CLOSED;
}

xc_s2s_status xc_s2s_in_feed(xc_s2s_in *s, const uint8_t *buf, size_t len, size_t *consumed, const uint8_t *rnd)
{
    xc_s2s_in_event e;

    s2s_in_begin(s, rnd);
    *consumed = 0;
    if (s->state == XC_S2S_IN_S_CLOSED) {
        *consumed = len;
        return s2s_in_finish(s);
    }
    if (s->state == XC_S2S_IN_S_TLS_HS)
        return s2s_in_finish(s);
    /* the parser frees the previous element's tree now: nothing may point into it */
    s->el = NULL;
    s->el_from.len = 0;
    s->el_to.len = 0;
    s->el_id.len = 0;
    s->el_text.len = 0;
    s2s_in_keep_spare(s, rnd);
    switch (xc_xml_feed(&s->l.xml, buf, len, consumed)) {
    case XC_XML_NEED_MORE: return s2s_in_finish(s);
    case XC_XML_EV_STREAM_OPEN: e = s2s_in_classify_header(s); break;
    case XC_XML_EV_ELEMENT: e = s2s_in_classify_element(s); break;
    case XC_XML_EV_STREAM_CLOSE: e = XC_S2S_IN_E_STREAM_CLOSE; break;
    case XC_XML_EV_ERROR:
    default:
        e = (xc_s2s_in_event)(XC_S2S_IN_E_ERR_NOT_WELL_FORMED + s2s_parse_error_offset(xc_xml_error(&s->l.xml)));
        break;
    }
    s2s_in_step(s, e, 0);
    /* A db:result whose key we could not keep was recorded pending but never sent for
     * verification: it fails at once, through the table's own invalid-outcome row. */
    if (e == XC_S2S_IN_E_DB_RESULT && s->key_long && s->state != XC_S2S_IN_S_CLOSED &&
        s->pairs[s->cur_pair].state == XC_S2S_PAIR_PENDING)
        s2s_in_step(s, XC_S2S_IN_E_VERIFY_INVALID, s->pairs[s->cur_pair].serial);
    if ((s->fx.flags & (XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT)) != 0 || s->state == XC_S2S_IN_S_CLOSED)
        *consumed = len;
    return s2s_in_finish(s);
}

/*@ requires xc_s2s_in_ok(s) && e < XC_S2S_IN_E_COUNT;
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s);
*/
static xc_s2s_status s2s_in_shell_event(xc_s2s_in *s, xc_s2s_in_event e, uint32_t serial)
{
    s2s_in_begin(s, NULL);
    if (s->state != XC_S2S_IN_S_CLOSED)
        s2s_in_step(s, e, serial);
    return s2s_in_finish(s);
}

xc_s2s_status xc_s2s_in_tls_done(xc_s2s_in *s, const xc_s2s_peer_cert *cert)
{
    if (s->state == XC_S2S_IN_S_TLS_HS)
        keep_cert(s, cert);
    return s2s_in_shell_event(s, XC_S2S_IN_E_TLS_DONE, 0);
}

xc_s2s_status xc_s2s_in_tls_failed(xc_s2s_in *s)
{
    return s2s_in_shell_event(s, XC_S2S_IN_E_TLS_FAILED, 0);
}

xc_s2s_status xc_s2s_in_verify_outcome(xc_s2s_in *s, uint32_t pair, uint32_t serial, xc_s2s_outcome o)
{
    xc_s2s_in_event e = o == XC_S2S_VERIFY_VALID     ? XC_S2S_IN_E_VERIFY_VALID
                        : o == XC_S2S_VERIFY_INVALID ? XC_S2S_IN_E_VERIFY_INVALID
                                                     : XC_S2S_IN_E_VERIFY_ERROR;

    /* an index out of range names no pair: slot 0 with serial 0 never matches (serials start at 1) */
    if (pair >= XC_S2S_PAIRS_MAX) {
        pair = 0;
        serial = 0;
    }
    s->cur_pair = pair;
    return s2s_in_shell_event(s, e, serial);
}

xc_s2s_status xc_s2s_in_timeout(xc_s2s_in *s)
{
    return s2s_in_shell_event(s, XC_S2S_IN_E_TIMEOUT, 0);
}

xc_s2s_status xc_s2s_in_shutdown(xc_s2s_in *s)
{
    return s2s_in_shell_event(s, XC_S2S_IN_E_SHUTDOWN, 0);
}

xc_s2s_status xc_s2s_in_policy_refused(xc_s2s_in *s)
{
    return s2s_in_shell_event(s, XC_S2S_IN_E_POLICY_REFUSED, 0);
}

xc_s2s_status xc_s2s_in_output_full(xc_s2s_in *s)
{
    return s2s_in_shell_event(s, XC_S2S_IN_E_OUTPUT_FULL, 0);
}

xc_str xc_s2s_in_peer(const xc_s2s_in *s)
{
    return s2s_domain_str(&s->peer);
}

int xc_s2s_in_pair_valid(const xc_s2s_in *s, xc_str sender, xc_str target)
{
    uint32_t idx = 0;

    if (sender.len == 0 || target.len == 0)
        return 0;
    if (s2s_in_find_pair(s, sender, target, 1) < XC_S2S_PAIRS_MAX)
        return 1;
    return s->sasl_authed && xc_str_eq(sender, s2s_domain_str(&s->peer)) &&
           s2s_host_index(s->l.cfg->hosts, s->l.cfg->n_hosts, target, &idx);
}
