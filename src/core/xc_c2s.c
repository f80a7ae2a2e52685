/*
 * xc_c2s.c — the c2s engine: entry points, guards, the actions of spec/c2s.fsm, routing.
 *
 * Every entry point turns its input into one event of the table, then step() looks up the row
 * (gen/xc_c2s_table.c), runs its actions in order and enters its next state. The actions that
 * matter for safety check their precondition again here (authenticated and bound before
 * routing, TLS before SASL when TLS is required, the mechanism in this stream's offer): the
 * table is model-checked with spin, and these checks make the same properties hold of the code
 * for the prover, whatever the table says.
 */
#include "xc_c2s_internal.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

xc_str xc_mech_name(xc_mech m)
{
    switch (m) {
    case XC_MECH_EXTERNAL: return XC_STR_LIT("EXTERNAL");
    case XC_MECH_SCRAM_SHA_256_PLUS: return XC_STR_LIT("SCRAM-SHA-256-PLUS");
    case XC_MECH_SCRAM_SHA_256: return XC_STR_LIT("SCRAM-SHA-256");
    case XC_MECH_SCRAM_SHA_1_PLUS: return XC_STR_LIT("SCRAM-SHA-1-PLUS");
    case XC_MECH_SCRAM_SHA_1: return XC_STR_LIT("SCRAM-SHA-1");
    case XC_MECH_PLAIN:
    case XC_MECH_COUNT:
    default: return XC_STR_LIT("PLAIN");
    }
}

/* No effect yet: what a call's output starts from. */
/*@ requires \valid(s);
    assigns XC_C2S_FX_FIELDS(s);
    ensures s->fx.flags == 0 && s->fx.out_len == 0 && s->fx.route_len == 0 && s->fx.sasl_len == 0;
*/
static void clear_effects(xc_c2s *s)
{
    s->fx.flags = 0;
    s->fx.row_line = 0;
    s->fx.out = s->out.out;
    s->fx.out_len = 0;
    s->fx.route = s->route_buf;
    s->fx.route_len = 0;
    s->fx.route_kind = XC_C2S_ROUTE_LOCAL_FULL;
    s->fx.mech = XC_MECH_PLAIN;
    s->fx.sasl = s->sasl_buf;
    s->fx.sasl_len = 0;
    s->fx.sasl_present = 0;
    s->fx.error = XC_SE_NONE;
    s->fx.to = &s->to;
    s->fx.jid = &s->jid;
    s->fx.available = s->available;
}

/* Keeps XC_C2S_ID_BYTES of this call's random bytes for a header a timer may force out. */
/*@ requires \valid(s) && \valid_read(rnd + (0 .. XC_C2S_RANDOM_BYTES - 1)) && \separated(s, rnd + (0 .. XC_C2S_RANDOM_BYTES - 1));
    assigns s->spare[0 .. XC_C2S_ID_BYTES - 1];
*/
static void keep_spare(xc_c2s *s, const uint8_t *rnd)
{
    uint32_t i;
    /*@ loop invariant 0 <= i <= XC_C2S_ID_BYTES;
        loop assigns i, s->spare[0 .. XC_C2S_ID_BYTES - 1];
        loop variant XC_C2S_ID_BYTES - i;
    */
    for (i = 0; i < XC_C2S_ID_BYTES; i++)
        s->spare[i] = rnd[XC_C2S_ID_BYTES + XC_C2S_RESOURCE_BYTES + i];
}

void xc_c2s_init(xc_c2s *s, const xc_c2s_config *cfg, const xc_c2s_memory *mem, int secure, xc_c2s_client_cert client_cert,
                 int channel_binding, const uint8_t *rnd)
{
    s->state = XC_C2S_S_WAIT_HDR;
    s->cfg = cfg;
    xc_xml_init(&s->xml, XC_XML_CONTENT_CLIENT, &cfg->preauth, &mem->xml);
    xc_out_init(&s->out, mem->out, mem->out_cap);
    s->route_buf = mem->route;
    s->route_cap = mem->route_cap;
    s->secure = secure != 0;
    s->client_cert_ok = secure != 0 && client_cert == XC_C2S_CERT_VERIFIED;
    s->cert_refused = secure != 0 && client_cert == XC_C2S_CERT_REFUSED;
    s->channel_binding = secure != 0 && channel_binding != 0;
    s->header_sent = 0;
    s->authed = 0;
    s->bound = 0;
    s->available = 0;
    s->failures = 0;
    s->offered = 0;
    s->host = 0;
    s->host_known = 0;
    s->rnd = NULL;
    s->el = NULL;
    s->sasl_text.ptr = NULL;
    s->sasl_text.len = 0;
    s->sasl_text_present = 0;
    s->sasl_text_bad = 0;
    s->resource = s->sasl_text;
    s->pending_host = 0;
    s->pending_resource_len = 0;
    s->auth_mech = XC_MECH_PLAIN;
    s->result.kind = XC_C2S_SASL_FAILURE;
    s->result.data = NULL;
    s->result.data_len = 0;
    s->result.user = NULL;
    s->result.user_len = 0;
    s->result.failure = XC_SF_NOT_AUTHORIZED;
    s->to.node_len = 0;
    s->to.domain_len = 0;
    s->to.resource_len = 0;
    s->jid.node_len = 0;
    s->jid.domain_len = 0;
    s->jid.resource_len = 0;
    s->jid_text_len = 0;
    s->lang_len = 0;
    s->bind_failures = 0;
    s->pings = 0;
    s->to_malformed = 0;
    keep_spare(s, rnd);
    clear_effects(s);
}

/* Start of every entry point: the previous call's output has been taken by the shell. */
/*@ requires xc_c2s_ok(s);
    assigns XC_C2S_FX_FIELDS(s), s->out.len, s->out.full, s->rnd;
    ensures xc_c2s_ok(s) && s->fx.flags == 0 && s->out.len == 0;
*/
static void begin(xc_c2s *s, const uint8_t *rnd)
{
    s->out.len = 0;
    s->out.full = 0;
    s->rnd = rnd;
    clear_effects(s);
}

/* End of every entry point: what the shell takes, and what it does next. The safety
 * properties of spec/c2s.fsm are checked once more where the effects leave the core: no route
 * from a stream that is not authenticated and bound, no SASL step before required TLS. The
 * table and the actions already keep them (spin and the tests say so); should they ever not,
 * the stream closes with <internal-server-error/> instead of letting the effect out. */
/*@ requires xc_c2s_ok(s);
    assigns s->fx.out, s->fx.out_len, s->rnd, s->fx.flags, s->fx.error, s->fx.available, s->available, s->state,
            s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->header_sent, s->id[0 .. 2 * XC_C2S_ID_BYTES - 1];
    ensures xc_c2s_ok(s);
    ensures (s->fx.flags & XC_C2S_FX_ROUTE) != 0 ==> s->authed == 1 && s->bound == 1;
    ensures (s->fx.flags & XC_C2S_FX_SASL_START) != 0 ==> s->secure == 1 || s->cfg->require_tls == 0;
    ensures (s->fx.flags & XC_C2S_FX_SASL_STEP) != 0 ==> s->secure == 1 || s->cfg->require_tls == 0;
    ensures s->fx.flags == \old(s->fx.flags) || s->fx.flags == XC_C2S_FX_CLOSE ||
            s->fx.flags == (XC_C2S_FX_CLOSE | XC_C2S_FX_PRESENCE);
*/
static xc_c2s_status finish(xc_c2s *s)
{
    int route_bad = (s->fx.flags & XC_C2S_FX_ROUTE) != 0 && !(s->authed == 1 && s->bound == 1);
    /* one test per flag: each ensures below then names the very flag its test read */
    int sasl_bad = ((s->fx.flags & XC_C2S_FX_SASL_START) != 0 || (s->fx.flags & XC_C2S_FX_SASL_STEP) != 0) &&
                   !(s->secure == 1 || s->cfg->require_tls == 0);

    if (route_bad || sasl_bad) {
        c2s_put_stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
        s->fx.flags = s->available ? (XC_C2S_FX_CLOSE | XC_C2S_FX_PRESENCE) : XC_C2S_FX_CLOSE;
        s->fx.error = XC_SE_INTERNAL_SERVER_ERROR;
        s->fx.available = 0;
        s->available = 0;
        s->state = XC_C2S_S_CLOSED;
    }
    s->rnd = NULL;
    s->fx.out = s->out.out;
    s->fx.out_len = (uint32_t)s->out.len;
    if (s->state == XC_C2S_S_CLOSED)
        return XC_C2S_CLOSED;
    if (s->state == XC_C2S_S_TLS_HS || s->state == XC_C2S_S_SASL_WAIT)
        return XC_C2S_WAIT;
    return XC_C2S_OK;
}

/* A close the stream itself decides (every stream-error path ends here). */
/*@ requires xc_c2s_ok(s);
    assigns s->fx.flags, s->fx.error, s->fx.available, s->available, s->state;
    ensures xc_c2s_ok(s) && s->state == XC_C2S_S_CLOSED;
*/
static void closing(xc_c2s *s, xc_stream_error e)
{
    s->fx.flags |= XC_C2S_FX_CLOSE;
    s->fx.error = e;
    /* RFC 3921 §5.1.5: a session that ends unannounced still becomes unavailable */
    if (s->available) {
        s->available = 0;
        s->fx.available = 0;
        s->fx.flags |= XC_C2S_FX_PRESENCE;
    }
    s->state = XC_C2S_S_CLOSED;
}

/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->header_sent, s->id[0 .. 2 * XC_C2S_ID_BYTES - 1],
            s->fx.flags, s->fx.error, s->fx.available, s->available, s->state;
    ensures xc_c2s_ok(s) && s->state == XC_C2S_S_CLOSED;
*/
static void stream_error(xc_c2s *s, xc_stream_error e)
{
    c2s_put_stream_error(s, e);
    closing(s, e);
}

/* The guard mask for this event (bit 1u << xc_c2s_guard). Decoding the SASL text here also
 * leaves the decoded bytes in fx for sasl_start / sasl_step. */
/*@ requires xc_c2s_ok(s);
    assigns s->fx.sasl, s->fx.sasl_len, s->fx.sasl_present, s->sasl_buf[0 .. XC_C2S_SASL_MAX - 1],
            s->pending_resource_len, s->jid.buf[0 .. 3 * XC_JID_PART_MAX - 1];
    ensures xc_c2s_ok(s);
*/
static uint32_t guards(xc_c2s *s, xc_c2s_event e)
{
    uint32_t g = 0;

    if (s->cfg->require_tls && !s->secure)
        g |= 1u << XC_C2S_G_TLS_REQUIRED;
    if (s->secure)
        g |= 1u << XC_C2S_G_SECURE;
    if (s->cert_refused)
        g |= 1u << XC_C2S_G_CERT_REFUSED;
    if ((uint32_t)s->failures + 1u < (uint32_t)s->cfg->max_auth_failures)
        g |= 1u << XC_C2S_G_RETRIES_LEFT;
    if ((uint32_t)s->bind_failures + 1u < XC_C2S_MAX_BIND_FAILURES)
        g |= 1u << XC_C2S_G_BIND_RETRIES_LEFT;
    if ((e == XC_C2S_E_AUTH_OFFERED || e == XC_C2S_E_RESPONSE) && c2s_sasl_decode(s))
        g |= 1u << XC_C2S_G_B64_OK;
    if (e == XC_C2S_E_IQ_BIND) {
        size_t n = 0;
        s->pending_resource_len = 0;
        /* RFC 3920 §7: no resource, we make one; a resource that fails resourceprep is refused */
        if (s->resource.len == 0)
            g |= 1u << XC_C2S_G_RESOURCE_OK;
        else if (s->resource.len <= XC_PREP_IN_MAX &&
                 xc_stringprep(XC_PREP_RESOURCE, s->resource.ptr, s->resource.len,
                               s->jid.buf + XC_JID_RESOURCE_OFF, XC_JID_PART_MAX, &n) == XC_PREP_OK &&
                 n >= 1 && n <= XC_JID_PART_MAX) {
            s->pending_resource_len = (uint32_t)n;
            g |= 1u << XC_C2S_G_RESOURCE_OK;
        }
    }
    return g;
}

/* RFC 3920 §7: the resource the client asked for (prepared by the guard) or 64 random bits. */
/*@ requires xc_c2s_ok(s);
    assigns XC_C2S_JID_FIELDS(s->jid), s->jid_text[0 .. XC_JID_FULL_MAX - 1], s->jid_text_len, s->bound, s->fx.flags,
            s->fx.jid;
    ensures xc_c2s_ok(s) && (\result == 0 || \result == 1);
    ensures \result == 1 ==> s->bound == 1;
*/
static int bind_resource(xc_c2s *s)
{
    static const char digits[16] = "0123456789abcdef";
    size_t n = 0;
    uint32_t i;

    if (!s->authed || s->jid.domain_len == 0)
        return 0;
    if (s->pending_resource_len != 0) {
        s->jid.resource_len = s->pending_resource_len;
    } else {
        if (s->rnd == NULL)
            return 0;
        /*@ loop invariant 0 <= i <= XC_C2S_RESOURCE_BYTES;
            loop assigns i, s->jid.buf[XC_JID_RESOURCE_OFF .. XC_JID_RESOURCE_OFF + 2 * XC_C2S_RESOURCE_BYTES - 1];
            loop variant XC_C2S_RESOURCE_BYTES - i;
        */
        for (i = 0; i < XC_C2S_RESOURCE_BYTES; i++) {
            uint8_t b = s->rnd[XC_C2S_ID_BYTES + i];
            s->jid.buf[XC_JID_RESOURCE_OFF + 2u * i] = digits[(b / 16u) % 16u];
            s->jid.buf[XC_JID_RESOURCE_OFF + 2u * i + 1u] = digits[b % 16u];
        }
        s->jid.resource_len = 2u * XC_C2S_RESOURCE_BYTES;
    }
    if (xc_jid_format_full(&s->jid, s->jid_text, sizeof(s->jid_text), &n) != XC_JID_OK) {
        s->jid.resource_len = 0;
        return 0;
    }
    s->jid_text_len = (uint32_t)n;
    s->bound = 1;
    s->fx.flags |= XC_C2S_FX_BOUND;
    s->fx.jid = &s->jid;
    return 1;
}

/* RFC 3920 §9.2.3: an iq has an id and a type of get, set, result or error; a get or set has
 * exactly one child. 1 when the element being handled (an iq) keeps these rules. */
/*@ requires xc_c2s_ok(s) && s->el != \null;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
static int iq_well_formed(const xc_c2s *s)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    const xc_xml_attr *type = xc_xml_attr_find(t, s->el, XC_STR_LIT(""), XC_STR_LIT("type"));
    const xc_xml_node *first;
    uint32_t c = s->el->first_child, n = 0, steps;

    if (type == NULL || xc_xml_attr_find(t, s->el, XC_STR_LIT(""), XC_STR_LIT("id")) == NULL)
        return 0;
    if (xc_str_eq(type->value, XC_STR_LIT("result")) || xc_str_eq(type->value, XC_STR_LIT("error")))
        return 1;
    if (!xc_str_eq(type->value, XC_STR_LIT("get")) && !xc_str_eq(type->value, XC_STR_LIT("set")))
        return 0;
    /*@ loop invariant 0 <= steps <= t->nodes_used && n <= 2;
        loop assigns steps, c, n, first;
        loop variant t->nodes_used - steps;
    */
    for (steps = 0; steps < t->nodes_used && n < 2; steps++) {
        first = xc_xml_node_at(t, c);
        if (first == NULL)
            break;
        if (first->kind == XC_XML_ELEMENT_NODE)
            n++;
        c = first->next;
    }
    return n == 1;
}

/* An iq the server answers itself (to the host, or to the account's own bare JID, or with no
 * to: RFC 3920 §9.2.3, RFC 3921 §11.1.4), from the entity it was addressed to (NULL: the account
 * itself, no from). Only XEP-0199 ping is served for now; anything else that asks for an answer
 * is <service-unavailable/> (rosters come in a later step). The iq is well formed already. */
/*@ requires xc_c2s_ok(s) && s->el != \null;
    requires from == \null || (\valid_read(from) && xc_c2s_jid_ok((xc_jid *)from));
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
*/
static void server_iq(xc_c2s *s, const xc_jid *from)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    const xc_xml_attr *type = xc_xml_attr_find(t, s->el, XC_STR_LIT(""), XC_STR_LIT("type"));

    /* a result or error addressed to the server is the answer it was waiting for */
    if (type == NULL || xc_str_eq(type->value, XC_STR_LIT("result")) || xc_str_eq(type->value, XC_STR_LIT("error")))
        return;
    if (xc_str_eq(type->value, XC_STR_LIT("get")) &&
        xc_xml_child_find(t, s->el, XC_STR_LIT(XC_NS_PING), XC_STR_LIT("ping")) != NULL) {
        c2s_put_iq_result(s, 0, from);
        return;
    }
    c2s_put_stanza_error(s, XC_STZ_T_CANCEL, XC_STZ_SERVICE_UNAVAILABLE);
}

/*@ requires xc_c2s_ok(s);
    assigns s->route_buf[0 .. s->route_cap - 1], s->fx.route, s->fx.route_len, s->fx.flags, s->fx.route_kind,
            s->fx.to, s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
    ensures (s->fx.flags & XC_C2S_FX_ROUTE) != 0 ==> \old(s->fx.flags & XC_C2S_FX_ROUTE) != 0 || (s->authed == 1 && s->bound == 1);
*/
static void hand_to_shell(xc_c2s *s, xc_c2s_route_kind kind)
{
    if (!s->authed || !s->bound)
        return;
    if (!c2s_write_stamped(s)) {
        c2s_put_stanza_error(s, XC_STZ_T_WAIT, XC_STZ_RESOURCE_CONSTRAINT);
        return;
    }
    s->fx.flags |= XC_C2S_FX_ROUTE;
    s->fx.route_kind = kind;
    s->fx.to = &s->to;
}

/* RFC 3920 §10 and RFC 3921 §11: where a stanza from this (bound) client goes. */
/*@ requires xc_c2s_ok(s);
    assigns s->route_buf[0 .. s->route_cap - 1], XC_C2S_FX_FIELDS(s), XC_C2S_JID_FIELDS(s->to), s->available, s->to_malformed,
            s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->header_sent, s->id[0 .. 2 * XC_C2S_ID_BYTES - 1],
            s->state;
    ensures xc_c2s_ok(s);
*/
static void route(xc_c2s *s, xc_c2s_event e)
{
    const xc_xml_tree *t = xc_xml_tree_of(&s->xml);
    const xc_xml_attr *to, *type;
    int is_error;
    uint32_t host = 0;

    /* the table routes only from ACTIVE or BOUND; the stream says so itself as well */
    if (!s->authed || !s->bound || s->el == NULL) {
        stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
        return;
    }
    to = xc_xml_attr_find(t, s->el, XC_STR_LIT(""), XC_STR_LIT("to"));
    type = xc_xml_attr_find(t, s->el, XC_STR_LIT(""), XC_STR_LIT("type"));
    is_error = type != NULL && xc_str_eq(type->value, XC_STR_LIT("error"));
    if (e == XC_C2S_E_IQ && !iq_well_formed(s)) {
        c2s_put_stanza_error(s, XC_STZ_T_MODIFY, XC_STZ_BAD_REQUEST);
        return;
    }
    if (to == NULL) {
        if (e == XC_C2S_E_PRESENCE) {
            /* RFC 3921 §5.1: presence without to is the user's availability */
            if (type == NULL || xc_str_eq(type->value, XC_STR_LIT("unavailable"))) {
                s->available = type == NULL;
                s->fx.available = s->available;
                s->fx.flags |= XC_C2S_FX_PRESENCE;
            } else if (!is_error) {
                c2s_put_stanza_error(s, XC_STZ_T_MODIFY, XC_STZ_BAD_REQUEST);
            }
            return;
        }
        if (e == XC_C2S_E_MESSAGE) {
            /* RFC 3921 §11.1: a message without to goes to the sender's own bare JID */
            s->to = s->jid;
            s->to.resource_len = 0;
            hand_to_shell(s, XC_C2S_ROUTE_LOCAL_BARE);
            return;
        }
        server_iq(s, NULL);
        return;
    }
    if (xc_jid_parse(to->value.ptr, to->value.len, &s->to) != XC_JID_OK) {
        s->to_malformed = 1;
        c2s_put_stanza_error(s, XC_STZ_T_MODIFY, XC_STZ_JID_MALFORMED);
        return;
    }
    if (!c2s_host_index(s->cfg->hosts, s->cfg->n_hosts, xc_jid_domain(&s->to), &host)) {
        hand_to_shell(s, XC_C2S_ROUTE_REMOTE);
        return;
    }
    if (s->to.node_len == 0) {
        /* the server itself (RFC 3921 §11.1.3): it answers iqs; a domain/resource is no entity here */
        if (e == XC_C2S_E_IQ && s->to.resource_len == 0)
            server_iq(s, &s->to);
        else if (e != XC_C2S_E_PRESENCE || s->to.resource_len != 0)
            c2s_put_stanza_error(s, XC_STZ_T_CANCEL, XC_STZ_SERVICE_UNAVAILABLE);
        return;
    }
    if (s->to.resource_len != 0) {
        hand_to_shell(s, XC_C2S_ROUTE_LOCAL_FULL);
        return;
    }
    /* RFC 3921 §11.1.4: an iq to a bare JID is answered by the server on the user's behalf */
    if (e == XC_C2S_E_IQ) {
        server_iq(s, &s->to);
        return;
    }
    hand_to_shell(s, XC_C2S_ROUTE_LOCAL_BARE);
}

/* The bare JID of the user the shell authenticated: node@host, prepared (RFC 3920 §6.2). */
/*@ requires xc_c2s_ok(s) && \valid_read(r);
    requires r->user_len <= XC_PREP_IN_MAX && (r->user_len == 0 || \valid_read(r->user + (0 .. r->user_len - 1)));
    assigns XC_C2S_JID_FIELDS(s->jid), s->jid_text[0 .. XC_JID_FULL_MAX - 1], s->jid_text_len;
    ensures xc_c2s_ok(s) && (\result == 0 || \result == 1);
*/
static int authenticated_jid(xc_c2s *s, const xc_c2s_sasl_outcome *r)
{
    xc_str host = c2s_host(s);
    size_t n = 0;
    uint32_t i;

    if (r->user_len == 0 || r->user_len + 1u + host.len > sizeof(s->jid_text))
        return 0;
    /*@ loop invariant 0 <= i <= r->user_len;
        loop assigns i, s->jid_text[0 .. XC_JID_FULL_MAX - 1];
        loop variant r->user_len - i;
    */
    for (i = 0; i < r->user_len; i++) {
        /* the user is a node: an '@' or '/' in it would move the JID's parts */
        if (r->user[i] == '@' || r->user[i] == '/')
            return 0;
        s->jid_text[i] = r->user[i];
    }
    s->jid_text[r->user_len] = '@';
    /*@ loop invariant 0 <= i <= host.len;
        loop assigns i, s->jid_text[0 .. XC_JID_FULL_MAX - 1];
        loop variant host.len - i;
    */
    for (i = 0; i < host.len; i++)
        s->jid_text[r->user_len + 1u + i] = host.ptr[i];
    if (xc_jid_parse(s->jid_text, r->user_len + 1u + host.len, &s->jid) != XC_JID_OK || s->jid.node_len == 0 ||
        s->jid.resource_len != 0 || !xc_str_eq(xc_jid_domain(&s->jid), host))
        return 0;
    if (xc_jid_format_bare(&s->jid, s->jid_text, sizeof(s->jid_text), &n) != XC_JID_OK)
        return 0;
    s->jid_text_len = (uint32_t)n;
    return 1;
}

/* RFC 3921 §3 step 2: the session result comes from the host the request named, if any. */
/*@ requires xc_c2s_ok(s);
    assigns XC_C2S_JID_FIELDS(s->to);
    ensures xc_c2s_ok(s);
    ensures \result == \null || \result == &s->to;
*/
static const xc_jid *session_from(xc_c2s *s)
{
    const xc_xml_attr *to = s->el == NULL ? NULL
                                          : xc_xml_attr_find(xc_xml_tree_of(&s->xml), s->el, XC_STR_LIT(""), XC_STR_LIT("to"));

    if (to == NULL || xc_jid_parse(to->value.ptr, to->value.len, &s->to) != XC_JID_OK)
        return NULL;
    return &s->to;
}

/* The memory a stream works in never moves while a call runs: its configuration, its output
 * and route buffers, the parser's arena and pools. Callers that hold pointers of their own
 * (xc_c2s_feed's *consumed) need this to know their memory stays apart from what is written. */
/*@ predicate c2s_frame{L1, L2}(xc_c2s *s) =
      \at(s->cfg, L1) == \at(s->cfg, L2) &&
      \at(s->out.out, L1) == \at(s->out.out, L2) && \at(s->out.cap, L1) == \at(s->out.cap, L2) &&
      \at(s->route_buf, L1) == \at(s->route_buf, L2) && \at(s->route_cap, L1) == \at(s->route_cap, L2) &&
      \at(s->xml.arena.base, L1) == \at(s->xml.arena.base, L2) && \at(s->xml.arena.size, L1) == \at(s->xml.arena.size, L2) &&
      \at(s->xml.tree.nodes, L1) == \at(s->xml.tree.nodes, L2) && \at(s->xml.tree.nodes_cap, L1) == \at(s->xml.tree.nodes_cap, L2) &&
      \at(s->xml.tree.attrs, L1) == \at(s->xml.tree.attrs, L2) && \at(s->xml.tree.attrs_cap, L1) == \at(s->xml.tree.attrs_cap, L2);
*/

/* One action of a table row. */
/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s) && c2s_frame{Old, Here}(s);
*/
static void run_action(xc_c2s *s, xc_c2s_action a, xc_c2s_event e)
{
    switch ((xc_c2s_op)a.op) {
    case XC_C2S_A_SEND_HEADER: c2s_put_header(s, 1); break;
    case XC_C2S_A_SEND_HEADER_V0: c2s_put_header(s, 0); break;
    case XC_C2S_A_SEND_FEATURES: c2s_put_features(s); break;
    case XC_C2S_A_KEEP_HOST:
        s->host = s->pending_host < XC_C2S_HOSTS_MAX ? s->pending_host : 0u;
        s->host_known = 1;
        break;
    case XC_C2S_A_SEND_PING: c2s_put_ping(s); break;
    case XC_C2S_A_SEND_PROCEED: XC_OUT_LIT(&s->out, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"); break;
    case XC_C2S_A_START_TLS:
        /* RFC 3920 §5.2 step 5: nothing after <starttls/> in the clear is ever parsed */
        xc_xml_reset(&s->xml);
        s->el = NULL;
        s->header_sent = 0;
        s->fx.flags |= XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT;
        break;
    case XC_C2S_A_TLS_FAILURE:
        XC_OUT_LIT(&s->out, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
        closing(s, XC_SE_NONE);
        break;
    case XC_C2S_A_SET_SECURE: s->secure = 1; break;
    case XC_C2S_A_RESTART:
        /* RFC 3920 §5.2 step 7, §6.2 outcome 3: a new document; what came before is gone */
        xc_xml_reset(&s->xml);
        if (s->authed)
            xc_xml_set_limits(&s->xml, &s->cfg->postauth);
        s->el = NULL;
        s->header_sent = 0;
        s->offered = 0;
        s->fx.flags |= XC_C2S_FX_DISCARD_INPUT;
        break;
    case XC_C2S_A_SASL_START:
    case XC_C2S_A_SASL_STEP:
        /* never SASL before TLS when TLS is required; never a mechanism this stream did not offer */
        if ((s->cfg->require_tls && !s->secure) || s->authed ||
            ((xc_c2s_op)a.op == XC_C2S_A_SASL_START &&
             (s->auth_mech >= XC_MECH_COUNT || (s->offered & (1u << s->auth_mech)) == 0))) {
            stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
            break;
        }
        s->fx.flags |= (xc_c2s_op)a.op == XC_C2S_A_SASL_START ? XC_C2S_FX_SASL_START : XC_C2S_FX_SASL_STEP;
        s->fx.mech = s->auth_mech;
        break;
    case XC_C2S_A_SEND_CHALLENGE: c2s_put_sasl_data(s, 0, s->result.data, s->result.data_len); break;
    case XC_C2S_A_SEND_SUCCESS: c2s_put_sasl_data(s, 1, s->result.data, s->result.data_len); break;
    case XC_C2S_A_SET_AUTHED:
        s->authed = 1;
        s->failures = 0;
        break;
    case XC_C2S_A_SASL_FAILURE:
        c2s_put_sasl_failure(s, a.arg1 < XC_SF_COUNT ? (xc_sasl_failure)a.arg1 : XC_SF_NOT_AUTHORIZED);
        break;
    case XC_C2S_A_SASL_FAILURE_RESULT: c2s_put_sasl_failure(s, s->result.failure); break;
    case XC_C2S_A_COUNT_FAILURE:
        if (s->failures < 255u)
            s->failures++;
        break;
    case XC_C2S_A_COUNT_BIND_FAILURE:
        if (s->bind_failures < 255u)
            s->bind_failures++;
        break;
    case XC_C2S_A_BIND:
        if (!bind_resource(s)) {
            stream_error(s, XC_SE_INTERNAL_SERVER_ERROR);
            break;
        }
        c2s_put_iq_result(s, 1, NULL);
        break;
    case XC_C2S_A_SESSION:
        c2s_put_iq_result(s, 0, session_from(s));
        break;
    case XC_C2S_A_ROUTE: route(s, e); break;
    case XC_C2S_A_STANZA_ERROR:
        c2s_put_stanza_error(s, a.arg1 < XC_STZ_T_COUNT ? (xc_stanza_error_type)a.arg1 : XC_STZ_T_CANCEL,
                             a.arg2 < XC_STZ_COUNT ? (xc_stanza_error)a.arg2 : XC_STZ_UNDEFINED_CONDITION);
        break;
    case XC_C2S_A_STREAM_ERROR:
        stream_error(s, a.arg1 < XC_SE_COUNT ? (xc_stream_error)a.arg1 : XC_SE_UNDEFINED_CONDITION);
        break;
    case XC_C2S_A_DROP: closing(s, XC_SE_NONE); break;
    case XC_C2S_A_CLOSE_STREAM:
        c2s_put_close(s);
        closing(s, XC_SE_NONE);
        break;
    case XC_C2S_A_COUNT:
    default: stream_error(s, XC_SE_INTERNAL_SERVER_ERROR); break;
    }
}

/* The table decides: find the row, run its actions, enter its next state. */
/*@ requires xc_c2s_ok(s) && e < XC_C2S_E_COUNT;
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s) && c2s_frame{Old, Here}(s);
*/
static void step(xc_c2s *s, xc_c2s_event e)
{
    uint32_t g = guards(s, e);
    uint32_t r = xc_c2s_lookup(s->state, e, g);
    const xc_c2s_row *row = &xc_c2s_rows[r < XC_C2S_ROWS ? r : 0u];
    uint32_t k;

    s->fx.row_line = row->line;
    /*@ loop invariant 0 <= k <= XC_C2S_MAX_ACTIONS && xc_c2s_ok(s) && c2s_frame{Pre, Here}(s);
        loop assigns k, *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1],
                     XC_XML_PARSER_MEMORY(&s->xml);
        loop variant XC_C2S_MAX_ACTIONS - k;
    */
    for (k = 0; k < row->n_actions && k < XC_C2S_MAX_ACTIONS; k++) {
        run_action(s, row->actions[k], e);
        if (s->state == XC_C2S_S_CLOSED)
            return;
    }
    if (!row->stay)
        s->state = row->next < XC_C2S_S_COUNT ? (xc_c2s_state)row->next : XC_C2S_S_CLOSED;
    /* a row whose actions said "close" ends the stream whatever its next state says */
    if ((s->fx.flags & XC_C2S_FX_CLOSE) != 0)
        s->state = XC_C2S_S_CLOSED;
}

xc_c2s_status xc_c2s_feed(xc_c2s *s, const uint8_t *buf, size_t len, size_t *consumed, const uint8_t *rnd)
{
    xc_c2s_event e;
    uint32_t host = 0;

    begin(s, rnd);
    *consumed = 0;
    if (s->state == XC_C2S_S_CLOSED) {
        *consumed = len;
        return finish(s);
    }
    if (s->state == XC_C2S_S_TLS_HS || s->state == XC_C2S_S_SASL_WAIT)
        return finish(s);
    /* the parser frees the previous element's tree now: nothing may point into it */
    s->el = NULL;
    s->to_malformed = 0;
    keep_spare(s, rnd);
    switch (xc_xml_feed(&s->xml, buf, len, consumed)) {
    case XC_XML_NEED_MORE: return finish(s);
    case XC_XML_EV_STREAM_OPEN:
        e = c2s_classify_header(s, &host);
        s->pending_host = host;
        break;
    case XC_XML_EV_ELEMENT: e = c2s_classify_element(s); break;
    case XC_XML_EV_STREAM_CLOSE: e = XC_C2S_E_STREAM_CLOSE; break;
    case XC_XML_EV_ERROR:
    default: e = c2s_parse_error_event(xc_xml_error(&s->xml)); break;
    }
    step(s, e);
    /* after a restart or a close, the rest of this read is never parsed */
    if ((s->fx.flags & (XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT)) != 0 || s->state == XC_C2S_S_CLOSED)
        *consumed = len;
    return finish(s);
}

/*@ requires xc_c2s_ok(s) && e < XC_C2S_E_COUNT;
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
static xc_c2s_status shell_event(xc_c2s *s, xc_c2s_event e)
{
    begin(s, NULL);
    if (s->state != XC_C2S_S_CLOSED)
        step(s, e);
    return finish(s);
}

xc_c2s_status xc_c2s_tls_done(xc_c2s *s, xc_c2s_client_cert client_cert, int channel_binding)
{
    if (s->state == XC_C2S_S_TLS_HS) {
        s->client_cert_ok = client_cert == XC_C2S_CERT_VERIFIED;
        s->cert_refused = client_cert == XC_C2S_CERT_REFUSED;
        s->channel_binding = channel_binding != 0;
    }
    return shell_event(s, XC_C2S_E_TLS_DONE);
}

xc_c2s_status xc_c2s_tls_failed(xc_c2s *s)
{
    return shell_event(s, XC_C2S_E_TLS_FAILED);
}

xc_c2s_status xc_c2s_ping_due(xc_c2s *s)
{
    return shell_event(s, XC_C2S_E_PING_DUE);
}

xc_c2s_status xc_c2s_sasl_result(xc_c2s *s, const xc_c2s_sasl_outcome *r)
{
    xc_c2s_event e;
    xc_c2s_status st;

    s->result = *r;
    switch (r->kind) {
    case XC_C2S_SASL_CHALLENGE: e = XC_C2S_E_SASL_CHALLENGE; break;
    case XC_C2S_SASL_SUCCESS:
        e = XC_C2S_E_SASL_SUCCESS;
        /* a success that names no usable user of this host is a failure, never an identity */
        if (s->state == XC_C2S_S_SASL_WAIT && !authenticated_jid(s, r)) {
            s->result.failure = XC_SF_NOT_AUTHORIZED;
            e = XC_C2S_E_SASL_FAILURE;
        }
        break;
    case XC_C2S_SASL_FAILURE:
    default: e = XC_C2S_E_SASL_FAILURE; break;
    }
    st = shell_event(s, e);
    /* the result's bytes belong to the shell: keep no pointer to them */
    s->result.data = NULL;
    s->result.data_len = 0;
    s->result.user = NULL;
    s->result.user_len = 0;
    return st;
}

xc_c2s_status xc_c2s_timeout(xc_c2s *s)
{
    return shell_event(s, XC_C2S_E_TIMEOUT);
}

xc_c2s_status xc_c2s_shutdown(xc_c2s *s)
{
    return shell_event(s, XC_C2S_E_SHUTDOWN);
}

xc_c2s_status xc_c2s_conflict(xc_c2s *s)
{
    return shell_event(s, XC_C2S_E_CONFLICT);
}

xc_c2s_status xc_c2s_output_full(xc_c2s *s)
{
    return shell_event(s, XC_C2S_E_OUTPUT_FULL);
}

void xc_c2s_bounce(xc_c2s *s, xc_stanza_error_type type, xc_stanza_error cond)
{
    if ((s->fx.flags & XC_C2S_FX_ROUTE) == 0 || s->state == XC_C2S_S_CLOSED)
        return;
    /* the shell sent the feed's output already: the bounce is all this output holds */
    s->fx.flags &= ~XC_C2S_FX_ROUTE;
    s->out.len = 0;
    s->out.full = 0;
    c2s_put_stanza_error(s, type, cond);
    s->fx.out = s->out.out;
    s->fx.out_len = (uint32_t)s->out.len;
}
