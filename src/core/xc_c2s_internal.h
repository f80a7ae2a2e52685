/*
 * xc_c2s_internal.h — the parts of the c2s engine shared by its three files:
 *   xc_c2s.c           entry points, guards, the table's actions, routing decisions
 *   xc_c2s_classify.c  what arrived → one event of the table's alphabet
 *   xc_c2s_write.c     every byte the stream sends (headers, features, SASL, errors, stanzas)
 */
#ifndef XC_C2S_INTERNAL_H
#define XC_C2S_INTERNAL_H

#include "xc_c2s.h"

#define XC_NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define XC_NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define XC_NS_BIND "urn:ietf:params:xml:ns:xmpp-bind"
#define XC_NS_SESSION "urn:ietf:params:xml:ns:xmpp-session"
#define XC_NS_STREAM_ERRORS "urn:ietf:params:xml:ns:xmpp-streams"
#define XC_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"
#define XC_NS_PING "urn:xmpp:ping"

/* ---- classification (xc_c2s_classify.c) ---- */

/* The event for a parser error condition. */
/*@ assigns \nothing;
    ensures \result < XC_C2S_E_COUNT;
*/
xc_c2s_event c2s_parse_error_event(xc_stream_error e);

/* 1 with *idx set when d is one of list[0 .. n-1] (served or gone hosts), else 0. */
/*@ requires \valid(idx) && xc_str_valid(d);
    requires n <= XC_C2S_HOSTS_MAX && \valid_read(list + (0 .. XC_C2S_HOSTS_MAX - 1));
    requires \forall integer i; 0 <= i < XC_C2S_HOSTS_MAX ==> xc_str_valid(list[i]);
    requires \separated(idx, list + (0 .. XC_C2S_HOSTS_MAX - 1));
    assigns *idx;
    ensures (\result == 0 || \result == 1) && (\result == 1 ==> *idx < n);
*/
int c2s_host_index(const xc_str *list, uint32_t n, xc_str d, uint32_t *idx);

/* The event for the stream header just parsed: host and version checks (RFC 3920 §4.4). */
/*@ requires xc_c2s_ok(s) && \valid(host) && \separated(host, s);
    assigns s->el, XC_C2S_JID_FIELDS(s->to), *host, s->lang[0 .. XC_C2S_LANG_MAX - 1], s->lang_len;
    ensures xc_c2s_ok(s) && \result < XC_C2S_E_COUNT && *host < XC_C2S_HOSTS_MAX;
*/
xc_c2s_event c2s_classify_header(xc_c2s *s, uint32_t *host);

/* The event for the first-level element just parsed; fills what the actions need
 * (SASL text and mechanism, requested resource). */
/*@ requires xc_c2s_ok(s);
    assigns s->el, s->sasl_text.ptr, s->sasl_text.len, s->sasl_text_present, s->sasl_text_bad, s->auth_mech,
            s->resource.ptr, s->resource.len;
    ensures xc_c2s_ok(s) && \result < XC_C2S_E_COUNT;
*/
xc_c2s_event c2s_classify_element(xc_c2s *s);

/* Strict base64 of the SASL text into sasl_buf (RFC 3920 §6.1 rule 5): 1 when valid. */
/*@ requires xc_c2s_ok(s);
    assigns s->fx.sasl, s->fx.sasl_len, s->fx.sasl_present, s->sasl_buf[0 .. XC_C2S_SASL_MAX - 1];
    ensures xc_c2s_ok(s) && (\result == 0 || \result == 1);
*/
int c2s_sasl_decode(xc_c2s *s);

/* ---- output (xc_c2s_write.c) ---- */

/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->header_sent, s->id[0 .. 2 * XC_C2S_ID_BYTES - 1];
    ensures xc_c2s_ok(s) && s->header_sent == 1;
*/
void c2s_put_header(xc_c2s *s, int with_version);

/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->offered;
    ensures xc_c2s_ok(s);
    ensures s->cfg->require_tls && !s->secure ==> s->offered == 0;
*/
void c2s_put_features(xc_c2s *s);

/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
*/
void c2s_put_sasl_failure(xc_c2s *s, xc_sasl_failure f);

/* <challenge/> or <success/> with data in base64; empty data: "=" in a challenge, nothing in
 * a success (RFC 6120 §6.4.3, §6.4.6). */
/*@ requires xc_c2s_ok(s) && data_len <= XC_C2S_SASL_MAX;
    requires data_len == 0 || \valid_read(data + (0 .. data_len - 1));
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->b64[0 .. XC_C2S_B64_MAX - 1];
    ensures xc_c2s_ok(s);
*/
void c2s_put_sasl_data(xc_c2s *s, int success, const uint8_t *data, size_t data_len);

/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->header_sent, s->id[0 .. 2 * XC_C2S_ID_BYTES - 1];
    ensures xc_c2s_ok(s);
*/
void c2s_put_stream_error(xc_c2s *s, xc_stream_error e);

/* An error reply to the element being handled, to its sender (RFC 3920 §9.3.1): same kind and
 * id, the original payload, then <error type='T'><COND/></error>. Never for type='error'. */
/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
*/
void c2s_put_stanza_error(xc_c2s *s, xc_stanza_error_type type, xc_stanza_error cond);

/* <iq type='result' id=…/> for the element being handled: the bind result carrying the bound JID
 * (RFC 3920 §7), or an empty result from `from` (NULL: no from, the account answers itself). */
/*@ requires xc_c2s_ok(s);
    requires from == \null || (\valid_read(from) && xc_c2s_jid_ok((xc_jid *)from));
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
*/
void c2s_put_iq_result(xc_c2s *s, int with_bind_jid, const xc_jid *from);

/* XEP-0199 §4.3: <iq type='get'> with <ping/> from the host to the bound full JID; the id
 * counts the stream's pings. */
/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1], s->pings;
    ensures xc_c2s_ok(s);
*/
void c2s_put_ping(xc_c2s *s);

/* The element being handled with from = the stream's full JID, into the route buffer. */
/*@ requires xc_c2s_ok(s);
    assigns s->route_buf[0 .. s->route_cap - 1], s->fx.route, s->fx.route_len;
    ensures xc_c2s_ok(s) && (\result == 0 || \result == 1);
*/
int c2s_write_stamped(xc_c2s *s);

/*@ requires xc_c2s_ok(s);
    assigns s->out.full, s->out.len, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
*/
void c2s_put_close(xc_c2s *s);

/* The host this stream speaks for: its own, or the first served one before the header named it. */
/*@ requires xc_c2s_ok(s);
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
xc_str c2s_host(const xc_c2s *s);

#endif
