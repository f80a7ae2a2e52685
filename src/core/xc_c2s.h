/*
 * xc_c2s.h — one client-to-server stream, receiving side (RFC 3920 §4–§7, §9–§10; RFC 3921 §3).
 *
 * Sans-I/O: the shell hands in bytes and results, the stream hands back bytes to send and
 * effects to carry out. The protocol itself is the table spec/c2s.fsm (generated into
 * gen/xc_c2s_table.c); this engine only classifies what arrived into one of the table's events,
 * evaluates the table's guards, runs the row's actions and enters its next state.
 *
 * Calling convention (every entry point):
 *   - the output of a call (s->fx, and the bytes in fx.out / fx.route) is valid until the next
 *     call on the same stream; the shell sends fx.out before anything else of this stream;
 *   - xc_c2s_feed consumes at most one first-level element (or the header) per call and says how
 *     many bytes it took; the shell calls it again with the rest, after carrying out the effects;
 *   - after XC_C2S_FX_START_TLS or XC_C2S_FX_DISCARD_INPUT the shell drops every byte it still
 *     holds for this stream (RFC 3920 §5.2 step 5 / §6.2: bytes from before a restart are never
 *     parsed — the STARTTLS-injection class); feed itself already reports the whole read consumed;
 *   - in TLS_HS and SASL_WAIT feed consumes nothing: the stream waits for the shell's result.
 *
 * Randomness comes in with xc_c2s_init and every feed (XC_C2S_RANDOM_BYTES fresh bytes from a
 * CSPRNG): the stream id of a header (128 bits, RFC 3920 §4.4) and a generated resource (64
 * bits) are made from them, so every restart gets a fresh id; a spare id from the latest bytes
 * serves a header that a timer forces out before the client sent one.
 */
#ifndef XC_C2S_H
#define XC_C2S_H

#include "gen/xc_c2s_table.h"
#include "xc_base.h"
#include "xc_jid.h"
#include "xc_out.h"
#include "xc_sasl_failure.h"
#include "xc_stanza_error.h"
#include "xc_xml.h"

#define XC_C2S_HOSTS_MAX 8u
#define XC_C2S_RANDOM_BYTES 40u       /* a stream id, a resource, and a spare id */
#define XC_C2S_ID_BYTES 16u           /* 128-bit stream ids */
#define XC_C2S_RESOURCE_BYTES 8u      /* 64-bit generated resources */
#define XC_C2S_SASL_MAX 4096u         /* one decoded SASL message (SCRAM's are a few hundred bytes) */
#define XC_C2S_B64_MAX 5464u          /* the same, base64-encoded */
#define XC_C2S_OUT_MIN 16384u         /* smallest out buffer: negotiation output and SASL payloads */
#define XC_C2S_LANG_MAX 35u           /* longest xml:lang kept (RFC 5646 tags in practice) */
#define XC_C2S_MAX_BIND_FAILURES 6u   /* failed binds before <policy-violation/>: the first and 5 retries (RFC 6120 §7.7.3: 5 to 10 retries) */

/* SASL mechanisms xmppd can offer (DESIGN.md): EXTERNAL, SCRAM with and without channel binding,
 * PLAIN (only over TLS). Bit (1u << m) in masks. Listed in the order they are offered. */
typedef enum xc_mech {
    XC_MECH_EXTERNAL = 0,
    XC_MECH_SCRAM_SHA_256_PLUS,
    XC_MECH_SCRAM_SHA_256,
    XC_MECH_SCRAM_SHA_1_PLUS,
    XC_MECH_SCRAM_SHA_1,
    XC_MECH_PLAIN,
    XC_MECH_COUNT
} xc_mech;

/* What the operator decided; shared read-only by every stream. Host names are prepared
 * (nameprep, lower case) by the shell when it loads the configuration. */
typedef struct xc_c2s_config {
    xc_str hosts[XC_C2S_HOSTS_MAX];   /* served domains */
    uint32_t n_hosts;
    xc_str gone[XC_C2S_HOSTS_MAX];    /* domains no longer served: <host-gone/> */
    uint32_t n_gone;
    uint32_t mechs;                   /* enabled mechanisms, bit (1u << xc_mech) */
    uint8_t require_tls;              /* c2s_require_encryption (default on) */
    uint8_t max_auth_failures;        /* failed SASL attempts before <policy-violation/>, >= 1 */
    xc_xml_limits preauth;            /* parser caps before authentication */
    xc_xml_limits postauth;           /* and after */
} xc_c2s_config;

/*@ predicate xc_c2s_config_ok(xc_c2s_config *c) =
      \valid_read(c) && c->n_hosts <= XC_C2S_HOSTS_MAX && c->n_gone <= XC_C2S_HOSTS_MAX &&
      1 <= c->n_hosts && c->max_auth_failures >= 1 && xc_xml_limits_ok(c->preauth) && xc_xml_limits_ok(c->postauth) &&
      (\forall integer i; 0 <= i < XC_C2S_HOSTS_MAX ==> xc_str_valid(c->hosts[i]) && xc_str_valid(c->gone[i]));
*/

/* Effects of one call (bits of fx.flags). */
#define XC_C2S_FX_START_TLS 0x01u     /* begin the TLS handshake; drop buffered input */
#define XC_C2S_FX_DISCARD_INPUT 0x02u /* a restart: drop every byte still buffered */
#define XC_C2S_FX_SASL_START 0x04u    /* run mechanism fx.mech with fx.sasl (initial response) */
#define XC_C2S_FX_SASL_STEP 0x08u     /* run the next step with fx.sasl */
#define XC_C2S_FX_BOUND 0x10u         /* register fx.jid (full); older streams of it get CONFLICT */
#define XC_C2S_FX_ROUTE 0x20u         /* deliver fx.route (stamped) to fx.to */
#define XC_C2S_FX_PRESENCE 0x40u      /* availability changed: fx.available */
#define XC_C2S_FX_CLOSE 0x80u         /* close the connection once fx.out is sent */

typedef enum xc_c2s_route_kind {
    XC_C2S_ROUTE_LOCAL_FULL = 0,      /* a resource of a user of a served host */
    XC_C2S_ROUTE_LOCAL_BARE,          /* a user of a served host (RFC 3920 §10.3; 3921 §11.1) */
    XC_C2S_ROUTE_REMOTE               /* another domain: s2s (bounced until s2s exists) */
} xc_c2s_route_kind;

typedef enum xc_c2s_status {
    XC_C2S_OK = 0,                    /* carry out fx, then call again with the rest */
    XC_C2S_WAIT,                      /* nothing consumed: the stream waits for a shell result */
    XC_C2S_CLOSED                     /* the stream is closed; send fx.out, then close */
} xc_c2s_status;

typedef struct xc_c2s_effects {
    uint32_t flags;
    uint32_t row_line;                /* spec/c2s.fsm line of the last row applied (logs, tests) */
    const uint8_t *out;               /* bytes to send (out_len), in the stream's out buffer */
    uint32_t out_len;
    xc_mech mech;                     /* SASL_START */
    const uint8_t *sasl;              /* SASL_START/STEP: decoded data (sasl_len bytes) */
    uint32_t sasl_len;
    uint8_t sasl_present;             /* 0: no initial response at all; 1: sasl (maybe empty) */
    const uint8_t *route;             /* ROUTE: the stanza (route_len bytes), from stamped */
    uint32_t route_len;
    xc_c2s_route_kind route_kind;
    const xc_jid *to;                 /* ROUTE: prepared destination */
    const xc_jid *jid;                /* BOUND: the stream's full JID */
    uint8_t available;                /* PRESENCE */
    xc_stream_error error;            /* CLOSE: the stream error sent, XC_SE_NONE for a plain close */
} xc_c2s_effects;

/* The outcome of a SASL step the shell ran (with Cyrus) after SASL_START or SASL_STEP. */
typedef enum xc_c2s_sasl_kind {
    XC_C2S_SASL_CHALLENGE = 0,        /* data: the challenge */
    XC_C2S_SASL_SUCCESS,              /* data: additional data (may be empty); user: the node */
    XC_C2S_SASL_FAILURE               /* failure: the condition */
} xc_c2s_sasl_kind;

typedef struct xc_c2s_sasl_outcome {
    xc_c2s_sasl_kind kind;
    const uint8_t *data;
    size_t data_len;
    const char *user;                 /* SUCCESS: authenticated user (the JID's node) */
    size_t user_len;
    xc_sasl_failure failure;
} xc_c2s_sasl_outcome;

/* Caller-owned memory for one stream. `route` may be shared by every stream of one thread: its
 * contents are only valid until the next call on any stream. */
typedef struct xc_c2s_memory {
    xc_xml_memory xml;                /* sized by xc_xml_memory_need for the larger caps */
    uint8_t *out;
    uint32_t out_cap;                 /* >= XC_C2S_OUT_MIN and >= postauth stanza bytes + 4096 */
    uint8_t *route;
    uint32_t route_cap;               /* >= 6 * postauth stanza bytes + 4096: escaping may grow it */
} xc_c2s_memory;

/* What the TLS handshake told about the client's certificate (xc_c2s_init, xc_c2s_tls_done).
 * REFUSED: the host requires one and the one sent failed verification; the restarted stream
 * then gets <policy-violation/> (DESIGN.md "Client certificates required"). A missing one never
 * gets this far: the handshake fails with the certificate_required alert. */
typedef enum xc_c2s_client_cert {
    XC_C2S_CERT_NONE = 0,
    XC_C2S_CERT_VERIFIED = 1,
    XC_C2S_CERT_REFUSED = 2
} xc_c2s_client_cert;

typedef struct xc_c2s {
    xc_c2s_state state;
    const xc_c2s_config *cfg;
    xc_xml_parser xml;
    xc_out out;
    uint8_t *route_buf;
    uint32_t route_cap;
    xc_c2s_effects fx;

    uint8_t secure;                   /* TLS is up */
    uint8_t client_cert_ok;           /* the shell verified a client certificate: EXTERNAL */
    uint8_t cert_refused;             /* a required client certificate failed verification */
    uint8_t channel_binding;          /* the shell can give channel-binding data: -PLUS */
    uint8_t header_sent;              /* our header of the current document is out */
    uint8_t authed;
    uint8_t bound;
    uint8_t available;
    uint8_t failures;                 /* failed SASL attempts on this stream */
    uint32_t offered;                 /* mechanisms offered on this stream, bit (1u << xc_mech) */
    uint32_t host;                    /* index of the stream's host in cfg->hosts */
    uint8_t host_known;               /* host is set (a restart must name the same one) */
    char id[2u * XC_C2S_ID_BYTES];    /* current stream id, hex */
    uint8_t spare[XC_C2S_ID_BYTES];   /* random bytes for a header outside feed */
    char lang[XC_C2S_LANG_MAX];       /* the client's xml:lang, the default of its stanzas */
    uint32_t lang_len;
    uint8_t bind_failures;
    uint32_t pings;                   /* XEP-0199 pings sent on this stream (their ids) */
    uint8_t to_malformed;             /* the stanza being handled has an unparsable to */
    const uint8_t *rnd;               /* this call's random bytes (feed only), else NULL */

    /* the event being handled */
    const xc_xml_node *el;            /* the first-level element, or the header */
    xc_str sasl_text;                 /* text of <auth/> or <response/> */
    uint8_t sasl_text_present;
    uint8_t sasl_text_bad;            /* the SASL element has element children */
    xc_mech auth_mech;
    xc_c2s_sasl_outcome result;        /* a SASL result being applied */
    xc_str resource;                  /* bind: the requested resource, len 0 = generate */
    uint32_t pending_host;            /* host index the header named */
    uint32_t pending_resource_len;    /* resourceprep'd resource, already in jid.buf */

    char b64[XC_C2S_B64_MAX];         /* a SASL message being encoded */

    uint8_t sasl_buf[XC_C2S_SASL_MAX];
    xc_jid jid;                       /* bare after SASL, full after bind */
    xc_jid to;                        /* destination of the stanza being routed */
    char jid_text[XC_JID_FULL_MAX];   /* jid as text: the stamp on every routed stanza */
    uint32_t jid_text_len;
} xc_c2s;

/* Field-level frames for contracts (WP handles these better than whole struct members). */
#define XC_C2S_FX_FIELDS(s)                                                                       \
    (s)->fx.flags, (s)->fx.row_line, (s)->fx.out, (s)->fx.out_len, (s)->fx.mech, (s)->fx.sasl,       \
        (s)->fx.sasl_len, (s)->fx.sasl_present, (s)->fx.route, (s)->fx.route_len, (s)->fx.route_kind, \
        (s)->fx.to, (s)->fx.jid, (s)->fx.available, (s)->fx.error
#define XC_C2S_JID_FIELDS(j) (j).buf[0 .. 3 * XC_JID_PART_MAX - 1], (j).node_len, (j).domain_len, (j).resource_len

/* What holds between any two calls. Pointers into the parser's memory (the element being
 * handled, SASL text, the requested resource) and into the caller's data (a SASL result) are
 * only kept while a call runs: every entry point clears them before it returns. */
/*@ predicate xc_c2s_jid_ok(xc_jid *j) =
      j->node_len <= XC_JID_PART_MAX && j->domain_len <= XC_JID_PART_MAX && j->resource_len <= XC_JID_PART_MAX;

    predicate xc_c2s_ok(xc_c2s *s) =
      \valid(s) && s->state < XC_C2S_S_COUNT && xc_c2s_config_ok((xc_c2s_config *)s->cfg) &&
      xc_xml_parser_ok(&s->xml) && xc_out_ok(&s->out) && s->out.cap >= XC_C2S_OUT_MIN &&
      4096 <= s->route_cap <= 0x7fffffff && \valid(s->route_buf + (0 .. s->route_cap - 1)) &&
      s->jid_text_len <= XC_JID_FULL_MAX && s->host < XC_C2S_HOSTS_MAX && s->pending_host < XC_C2S_HOSTS_MAX &&
      s->lang_len <= XC_C2S_LANG_MAX &&
      (s->rnd == \null || (\valid_read(s->rnd + (0 .. XC_C2S_RANDOM_BYTES - 1)) &&
                           \separated(s->rnd + (0 .. XC_C2S_RANDOM_BYTES - 1), s))) &&
      s->pending_resource_len <= XC_JID_PART_MAX && xc_c2s_jid_ok(&s->jid) && xc_c2s_jid_ok(&s->to) &&
      xc_str_valid(s->sasl_text) && xc_str_valid(s->resource) &&
      s->result.data_len <= XC_C2S_SASL_MAX &&
      (s->result.data_len == 0 || \valid_read(s->result.data + (0 .. s->result.data_len - 1))) &&
      (s->el == \null || (\exists integer i; 0 <= i < s->xml.tree.nodes_used && s->el == s->xml.tree.nodes + i)) &&
      \separated(s, s->cfg, s->out.out + (0 .. s->out.cap - 1), s->route_buf + (0 .. s->route_cap - 1),
                 s->xml.arena.base + (0 .. s->xml.arena.size - 1), s->xml.tree.nodes + (0 .. s->xml.tree.nodes_cap - 1),
                 s->xml.tree.attrs + (0 .. s->xml.tree.attrs_cap - 1));
*/

/* Prepares a stream for a connection the shell accepted. On a direct-TLS port (XEP-0368) TLS is
 * up already: secure, with what the handshake told (a verified client certificate, channel
 * binding data). rnd: XC_C2S_RANDOM_BYTES fresh random bytes. */
/*@ requires \valid(s) && xc_c2s_config_ok((xc_c2s_config *)cfg) && \valid_read(mem);
    requires \valid_read(rnd + (0 .. XC_C2S_RANDOM_BYTES - 1)) && \separated(rnd + (0 .. XC_C2S_RANDOM_BYTES - 1), s);
    requires mem->out_cap >= XC_C2S_OUT_MIN && mem->out_cap <= 0x7fffffff && \valid(mem->out + (0 .. mem->out_cap - 1));
    requires mem->route_cap >= 4096 && mem->route_cap <= 0x7fffffff && \valid(mem->route + (0 .. mem->route_cap - 1));
    requires mem->xml.nodes_n < XC_XML_NONE && mem->xml.attrs_n < XC_XML_NONE && mem->xml.bytes_n <= 0x7fffffff;
    requires mem->xml.nodes_n == 0 || \valid(mem->xml.nodes + (0 .. mem->xml.nodes_n - 1));
    requires mem->xml.attrs_n == 0 || \valid(mem->xml.attrs + (0 .. mem->xml.attrs_n - 1));
    requires mem->xml.bytes_n == 0 || \valid(mem->xml.bytes + (0 .. mem->xml.bytes_n - 1));
    requires \separated(s, mem, cfg, mem->out + (0 .. mem->out_cap - 1), mem->route + (0 .. mem->route_cap - 1),
                        mem->xml.nodes + (0 .. mem->xml.nodes_n - 1), mem->xml.attrs + (0 .. mem->xml.attrs_n - 1),
                        mem->xml.bytes + (0 .. mem->xml.bytes_n - 1));
    assigns *s;
    ensures xc_c2s_ok(s) && s->state == XC_C2S_S_WAIT_HDR && s->authed == 0 && s->bound == 0;
*/
void xc_c2s_init(xc_c2s *s, const xc_c2s_config *cfg, const xc_c2s_memory *mem, int secure, xc_c2s_client_cert client_cert,
                 int channel_binding, const uint8_t *rnd);

/* Bytes from the client (already decrypted). rnd: XC_C2S_RANDOM_BYTES fresh random bytes. */
/*@ requires xc_c2s_ok(s);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(buf + (0 .. len - 1)));
    requires \valid(consumed) && \valid_read(rnd + (0 .. XC_C2S_RANDOM_BYTES - 1));
    requires \separated(rnd + (0 .. XC_C2S_RANDOM_BYTES - 1), s);
    requires \separated(buf + (0 .. len - 1), consumed, s, s->out.out + (0 .. s->out.cap - 1),
                        s->xml.arena.base + (0 .. s->xml.arena.size - 1));
    requires \separated(consumed, s, s->cfg, s->out.out + (0 .. s->out.cap - 1), s->route_buf + (0 .. s->route_cap - 1),
                        s->xml.arena.base + (0 .. s->xml.arena.size - 1), s->xml.tree.nodes + (0 .. s->xml.tree.nodes_cap - 1),
                        s->xml.tree.attrs + (0 .. s->xml.tree.attrs_cap - 1));
    assigns *s, *consumed, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1],
            XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s) && *consumed <= len;
    ensures (s->fx.flags & XC_C2S_FX_ROUTE) != 0 ==> s->authed == 1 && s->bound == 1;
    ensures (s->fx.flags & XC_C2S_FX_SASL_START) != 0 ==> (s->secure == 1 || s->cfg->require_tls == 0);
    ensures (s->fx.flags & (XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT)) != 0 ==> *consumed == len;
*/
xc_c2s_status xc_c2s_feed(xc_c2s *s, const uint8_t *buf, size_t len, size_t *consumed, const uint8_t *rnd);

/* The TLS handshake the stream asked for finished; what the shell learned from it. */
/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_tls_done(xc_c2s *s, xc_c2s_client_cert client_cert, int channel_binding);

/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_tls_failed(xc_c2s *s);

/* A bound stream was silent for the idle time: a XEP-0199 ping goes out (fx.out); the shell
 * then waits for any input before it calls xc_c2s_timeout. Nothing happens on a stream that is
 * not bound. */
/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
    ensures (s->fx.flags & XC_C2S_FX_ROUTE) == 0;
*/
xc_c2s_status xc_c2s_ping_due(xc_c2s *s);

/* The result of the SASL step the stream asked for (SASL_START / SASL_STEP). */
/*@ requires xc_c2s_ok(s) && \valid_read(r);
    requires r->data_len <= XC_C2S_SASL_MAX && (r->data_len == 0 || \valid_read(r->data + (0 .. r->data_len - 1)));
    requires r->user_len <= XC_PREP_IN_MAX && (r->user_len == 0 || \valid_read(r->user + (0 .. r->user_len - 1)));
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_sasl_result(xc_c2s *s, const xc_c2s_sasl_outcome *r);

/* Timers and server-wide events. */
/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_timeout(xc_c2s *s);

/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_shutdown(xc_c2s *s);

/* A newer stream bound this stream's full JID (DESIGN.md: the new session wins). */
/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_conflict(xc_c2s *s);

/* The client does not read: its output queue went over the shell's cap. The stream ends with
 * <policy-violation/> (RFC 6120 §13.12), which a slow reader may still see; the shell closes. */
/*@ requires xc_c2s_ok(s);
    assigns *s, s->out.out[0 .. s->out.cap - 1], s->route_buf[0 .. s->route_cap - 1], XC_XML_PARSER_MEMORY(&s->xml);
    ensures xc_c2s_ok(s);
*/
xc_c2s_status xc_c2s_output_full(xc_c2s *s);

/* The stanza of the last ROUTE effect could not be delivered: its sender (this stream's client)
 * gets an error reply (RFC 3920 §9.3.1). Only right after that ROUTE, before the next feed.
 * An error stanza is never answered with another (DESIGN.md "Nothing lost"). */
/*@ requires xc_c2s_ok(s);
    assigns XC_C2S_FX_FIELDS(s), s->out.len, s->out.full, s->out.out[0 .. s->out.cap - 1];
    ensures xc_c2s_ok(s);
*/
void xc_c2s_bounce(xc_c2s *s, xc_stanza_error_type type, xc_stanza_error cond);

/* Mechanism name as offered in <mechanism/>. */
/*@ assigns \nothing;
    ensures xc_str_valid(\result) && \result.len > 0;
    ensures xc_str_read_only(\result);
*/
xc_str xc_mech_name(xc_mech m);

#endif
