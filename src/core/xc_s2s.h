/*
 * xc_s2s.h — server-to-server streams (RFC 3920 §4–§6, §8; XEP-0220, XEP-0185, XEP-0178): the
 * three roles of spec/s2s_in.fsm, spec/s2s_out.fsm and spec/s2s_verify.fsm, sans-I/O.
 *
 *   xc_s2s_in      a stream a peer opened to us: we are the receiving server (and, for the
 *                  <db:verify/> requests on it, the authoritative server)
 *   xc_s2s_out     our stream from one of our domains S to a peer domain T: we are the
 *                  initiating server; stanzas of the pair (S, T) are written on it
 *   xc_s2s_verify  our connection to the authoritative server of a peer domain S, carrying the
 *                  <db:verify/> requests of our inbound streams (RFC 3920 §8.3 steps 5-9)
 *
 * Calling convention (as xc_c2s.h): every entry point clears the previous call's effects; the
 * output (fx.out, fx.route, ...) is valid until the next call on the same stream, and the shell
 * sends fx.out before anything else of this stream. feed consumes at most one first-level
 * element (or the header) per call and says how many bytes it took; after START_TLS or
 * DISCARD_INPUT the shell drops every byte it still holds for the stream (feed already reports
 * the whole read consumed). While the shell runs a TLS handshake feed consumes nothing.
 *
 * The shell never looks inside a stanza: what it holds (queued outbound stanzas, stanzas to
 * bounce) it hands back to the core (xc_s2s_out_stanza, xc_stanza_reply.h).
 */
#ifndef XC_S2S_H
#define XC_S2S_H

#include "gen/xc_s2s_in_table.h"
#include "gen/xc_s2s_out_table.h"
#include "gen/xc_s2s_verify_table.h"
#include "xc_base.h"
#include "xc_certname.h"
#include "xc_dialback.h"
#include "xc_jid.h"
#include "xc_out.h"
#include "xc_stanza_error.h"
#include "xc_stream_error.h"
#include "xc_xml.h"

#define XC_S2S_HOSTS_MAX 8u          /* our served domains (as XC_C2S_HOSTS_MAX) */
#define XC_S2S_ALLOW_MAX 64u         /* domains of an allow-list */
#define XC_S2S_PAIRS_MAX 8u          /* domain pairs one inbound stream may verify or hold */
#define XC_S2S_REQUESTS_MAX 16u      /* requests one verify connection carries at once */
#define XC_S2S_RANDOM_BYTES 16u      /* a stream id: 128 bits, fresh on every header we send */
#define XC_S2S_ID_MAX 64u            /* a peer's stream id we keep (ours are 32 hex digits) */
#define XC_S2S_KEY_MAX 128u          /* a dialback key we keep; a longer one never verifies */
#define XC_S2S_OUT_MIN 16384u        /* smallest out buffer */
#define XC_S2S_CERT_NAMES_MAX 16u    /* certificate identifiers an inbound stream keeps */
#define XC_S2S_CERT_BYTES 4096u      /* and their text, in all */

/* The federation policy (DESIGN.md "Federation refused by policy"). */
typedef enum xc_s2s_policy {
    XC_S2S_POLICY_OPEN = 0,          /* any peer domain */
    XC_S2S_POLICY_ALLOWLIST = 1,     /* only the domains of cfg.allow */
    XC_S2S_POLICY_CLOSED = 2         /* none: no s2s at all */
} xc_s2s_policy;

/* What the operator decided; shared read-only by every s2s stream. Domains are prepared
 * (nameprep, lower case) by the shell. */
typedef struct xc_s2s_config {
    xc_str hosts[XC_S2S_HOSTS_MAX];  /* our served domains */
    uint32_t n_hosts;
    xc_str gone[XC_S2S_HOSTS_MAX];   /* no longer served: <host-gone/> */
    uint32_t n_gone;
    xc_s2s_policy policy;
    xc_str allow[XC_S2S_ALLOW_MAX];  /* ALLOWLIST: the peer domains allowed */
    uint32_t n_allow;
    uint8_t require_tls;             /* s2s_require_encryption (default 1) */
    uint8_t plain_dialback;          /* dialback without TLS allowed (counts only without require_tls) */
    uint32_t queue_max;              /* stanzas an outbound stream holds until its pair is valid */
    uint32_t verify_max;             /* verifications pending on one inbound stream (<= XC_S2S_PAIRS_MAX) */
    xc_xml_limits limits;            /* parser caps of s2s streams (512 KiB stanzas by default) */
    xc_db_secret secret;             /* K of the dialback keys (XEP-0185) */
} xc_s2s_config;

/*@ predicate xc_s2s_config_ok(xc_s2s_config *c) =
      \valid_read(c) && 1 <= c->n_hosts <= XC_S2S_HOSTS_MAX && c->n_gone <= XC_S2S_HOSTS_MAX &&
      c->n_allow <= XC_S2S_ALLOW_MAX && xc_xml_limits_ok(c->limits) &&
      (\forall integer i; 0 <= i < XC_S2S_HOSTS_MAX ==> xc_str_valid(c->hosts[i]) && xc_str_valid(c->gone[i])) &&
      (\forall integer i; 0 <= i < XC_S2S_ALLOW_MAX ==> xc_str_valid(c->allow[i]));
*/

/* 1 when the policy lets us federate with `domain` (prepared); 0 for our own domains, for an
 * empty domain, and for every domain under XC_S2S_POLICY_CLOSED. */
/*@ requires xc_s2s_config_ok((xc_s2s_config *)cfg) && xc_str_valid(domain);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures cfg->policy == XC_S2S_POLICY_CLOSED ==> \result == 0;
    ensures domain.len == 0 ==> \result == 0;
*/
int xc_s2s_policy_allows(const xc_s2s_config *cfg, xc_str domain);

/* Caller-owned memory of one s2s stream (any role). */
typedef struct xc_s2s_memory {
    xc_xml_memory xml;               /* sized by xc_xml_memory_need for cfg.limits */
    uint8_t *out;
    uint32_t out_cap;                /* >= XC_S2S_OUT_MIN and >= limits.max_stanza_bytes * 6 + 4096 */
    uint8_t *route;                  /* shared by every stream of the thread (in: routed stanzas) */
    uint32_t route_cap;              /* >= 6 * limits.max_stanza_bytes + 4096 */
} xc_s2s_memory;

/*@ predicate xc_s2s_memory_ok(xc_s2s_memory *m) =
      \valid_read(m) && m->out_cap >= XC_S2S_OUT_MIN && m->out_cap <= 0x7fffffff &&
      \valid(m->out + (0 .. m->out_cap - 1)) &&
      m->route_cap >= 4096 && m->route_cap <= 0x7fffffff && \valid(m->route + (0 .. m->route_cap - 1)) &&
      m->xml.nodes_n < XC_XML_NONE && m->xml.attrs_n < XC_XML_NONE && m->xml.bytes_n <= 0x7fffffff &&
      (m->xml.nodes_n == 0 || \valid(m->xml.nodes + (0 .. m->xml.nodes_n - 1))) &&
      (m->xml.attrs_n == 0 || \valid(m->xml.attrs + (0 .. m->xml.attrs_n - 1))) &&
      (m->xml.bytes_n == 0 || \valid(m->xml.bytes + (0 .. m->xml.bytes_n - 1))) &&
      \separated(m->out + (0 .. m->out_cap - 1), m->route + (0 .. m->route_cap - 1),
                 m->xml.nodes + (0 .. m->xml.nodes_n - 1), m->xml.attrs + (0 .. m->xml.attrs_n - 1),
                 m->xml.bytes + (0 .. m->xml.bytes_n - 1));
*/

/* What a TLS handshake told about the peer's certificate: the chain verified against our CA
 * set, and the identifiers it presents (OpenSSL extracts them; xc_certname decides). */
typedef struct xc_s2s_peer_cert {
    uint8_t chain_ok;                /* 1: a certificate was presented and its chain verified */
    const xc_cn_name *names;
    uint32_t n_names;                /* <= XC_CN_NAMES_MAX */
} xc_s2s_peer_cert;

/*@ predicate xc_s2s_peer_cert_ok(xc_s2s_peer_cert *c) =
      \valid_read(c) && c->n_names <= XC_CN_NAMES_MAX &&
      (c->n_names == 0 || \valid_read(c->names + (0 .. c->n_names - 1))) &&
      (\forall integer i; 0 <= i < c->n_names ==> xc_str_valid(c->names[i].value));
*/

typedef enum xc_s2s_status {
    XC_S2S_OK = 0,                   /* carry out fx, then call again with the rest */
    XC_S2S_WAIT,                     /* nothing consumed: the stream waits for a shell result */
    XC_S2S_CLOSED                    /* closed: send fx.out, carry out fx, then close */
} xc_s2s_status;

/* The part every role shares: configuration, parser, output, whether TLS is up and whether
 * our header of the current document went out. */
typedef struct xc_s2s_link {
    const xc_s2s_config *cfg;
    xc_xml_parser xml;
    xc_out out;
    uint8_t secure;                  /* TLS is up */
    uint8_t header_sent;             /* our header of the current document is out */
} xc_s2s_link;

/*@ predicate xc_s2s_link_ok(xc_s2s_link *l) =
      \valid(l) && xc_s2s_config_ok((xc_s2s_config *)l->cfg) && xc_xml_parser_ok(&l->xml) &&
      xc_out_ok(&l->out) && l->out.cap >= XC_S2S_OUT_MIN &&
      \separated(l, l->cfg, l->out.out + (0 .. l->out.cap - 1),
                 l->xml.arena.base + (0 .. l->xml.arena.size - 1), l->xml.tree.nodes + (0 .. l->xml.tree.nodes_cap - 1),
                 l->xml.tree.attrs + (0 .. l->xml.tree.attrs_cap - 1));
*/

/* Everything an entry point may write besides the stream struct itself. */
#define XC_S2S_LINK_MEMORY(l) (l)->out.out[0 .. (l)->out.cap - 1], XC_XML_PARSER_MEMORY(&(l)->xml)

/* A domain kept in a stream struct (prepared; at most one JID part). */
typedef struct xc_s2s_domain {
    char name[XC_JID_PART_MAX];
    uint32_t len;
} xc_s2s_domain;

/* ------------------------------------------------------------------------------------------
 * Inbound: the receiving server (spec/s2s_in.fsm).
 */

#define XC_S2S_IN_FX_START_TLS 0x01u       /* begin the TLS handshake (server side); drop buffered input */
#define XC_S2S_IN_FX_DISCARD_INPUT 0x02u   /* a restart: drop every byte still buffered */
#define XC_S2S_IN_FX_VERIFY 0x04u          /* hand fx.verify to a verify connection to fx.verify.sender */
#define XC_S2S_IN_FX_ROUTE 0x08u           /* deliver fx.route to the local fx.to (from fx.from) */
#define XC_S2S_IN_FX_PAIR_VALID 0x10u      /* fx.pair (sender, target) is now valid here: shell logs it */
#define XC_S2S_IN_FX_CLOSE 0x80u           /* close the connection once fx.out is sent */

/* A verification this stream asks for: <db:verify from=target to=sender id=id>key</db:verify>
 * on a connection to sender's authoritative server. The outcome comes back with
 * xc_s2s_in_verify_outcome(pair, serial). The strings point into the stream struct and are
 * valid until the next call on the stream. */
typedef struct xc_s2s_verify_req {
    xc_str sender;                   /* S: the peer domain the db:result claimed */
    xc_str target;                   /* T: our domain */
    xc_str id;                       /* the id of this stream (our header) */
    xc_str key;
    uint32_t pair;                   /* index of the pair on this stream */
    uint32_t serial;                 /* the pair's serial: an outcome for an older one is stale */
} xc_s2s_verify_req;

typedef struct xc_s2s_in_effects {
    uint32_t flags;
    uint32_t row_line;               /* spec/s2s_in.fsm line of the last row applied */
    const uint8_t *out;
    uint32_t out_len;
    xc_s2s_verify_req verify;        /* VERIFY */
    const uint8_t *route;            /* ROUTE: the stanza as received (jabber:server neutral) */
    uint32_t route_len;
    uint8_t route_presence;          /* ROUTE: the stanza is a presence (RFC 3921 §11.1: with nobody
                                        to deliver it to, it is dropped, not answered) */
    const xc_jid *to;                /* ROUTE: prepared local recipient (a served domain) */
    const xc_jid *from;              /* ROUTE: prepared sender (a domain valid on this stream) */
    xc_str pair_sender, pair_target; /* PAIR_VALID */
    xc_stream_error error;           /* CLOSE: the stream error sent, XC_SE_NONE for a plain close */
} xc_s2s_in_effects;

typedef enum xc_s2s_outcome {
    XC_S2S_VERIFY_VALID = 0,
    XC_S2S_VERIFY_INVALID = 1,
    XC_S2S_VERIFY_ERROR = 2          /* DNS, connection, stream error, type='error', timeout */
} xc_s2s_outcome;

/* The per-pair sub-machine of spec/s2s_in.fsm (protocol-notes §1.2): NONE -> PENDING -> VALID. */
typedef enum xc_s2s_pair_state {
    XC_S2S_PAIR_NONE = 0,
    XC_S2S_PAIR_PENDING = 1,         /* in: verify asked; out: db:result sent (REQUESTED) */
    XC_S2S_PAIR_VALID = 2
} xc_s2s_pair_state;

/* One domain pair (S, T) of an inbound stream. */
typedef struct xc_s2s_in_pair {
    xc_s2s_pair_state state;
    uint32_t target;                 /* T: index into cfg->hosts */
    uint32_t serial;                 /* changes every time the slot is reused */
    xc_s2s_domain sender;            /* S, prepared */
    char id[2u * XC_S2S_RANDOM_BYTES]; /* our stream id when the pair was asserted */
} xc_s2s_in_pair;

struct xc_s2s_in {
    xc_s2s_in_state state;
    xc_s2s_link l;
    uint8_t *route_buf;
    uint32_t route_cap;
    xc_s2s_in_effects fx;

    uint8_t legacy;                  /* the peer's header had no version (XEP-0220 §2.5) */
    uint8_t host_known;              /* host is set: a restart must name the same domain */
    uint8_t sasl_authed;             /* peer authenticated by SASL EXTERNAL (XEP-0178) */
    uint8_t cert_chain_ok;           /* the peer certificate's chain verified */
    uint32_t host;                   /* our domain: index into cfg->hosts */
    uint32_t pending_host;           /* the domain the header being handled names */
    xc_s2s_domain peer;              /* the header's from, prepared ("" before it or when absent) */
    uint8_t peer_ok;                 /* the header's from is a domain the policy allows */
    char id[2u * XC_S2S_RANDOM_BYTES]; /* our current stream id (hex) */
    uint8_t spare[XC_S2S_RANDOM_BYTES]; /* random bytes for a header outside feed */
    const uint8_t *rnd;              /* this call's random bytes (feed only), else NULL */

    /* the peer certificate, copied at init / tls_done */
    xc_cn_name cert_names[XC_S2S_CERT_NAMES_MAX];
    uint32_t n_cert_names;
    char cert_bytes[XC_S2S_CERT_BYTES];

    xc_s2s_in_pair pairs[XC_S2S_PAIRS_MAX];
    uint32_t serials;                /* last serial handed out */
    uint32_t cur_pair;               /* the pair the event being handled names */

    /* the event being handled */
    const xc_xml_node *el;           /* the first-level element, or NULL */
    xc_str el_from, el_to, el_id;    /* raw attributes of a db element */
    xc_str el_text;                  /* its key */
    uint8_t key_long;                /* the db:result's key is longer than XC_S2S_KEY_MAX */
    xc_jid db_from, db_to;           /* prepared from / to of a db element or a stanza */
    char key[XC_S2S_KEY_MAX];        /* fx.verify.key */
    uint32_t key_len;
};
typedef struct xc_s2s_in xc_s2s_in;

/*@ predicate xc_s2s_in_ok(xc_s2s_in *s) =
      \valid(s) && s->state < XC_S2S_IN_S_COUNT && xc_s2s_link_ok(&s->l) &&
      4096 <= s->route_cap <= 0x7fffffff && \valid(s->route_buf + (0 .. s->route_cap - 1)) &&
      s->host < XC_S2S_HOSTS_MAX && s->pending_host < XC_S2S_HOSTS_MAX && s->peer.len <= XC_JID_PART_MAX &&
      s->n_cert_names <= XC_S2S_CERT_NAMES_MAX && s->cur_pair < XC_S2S_PAIRS_MAX && s->key_len <= XC_S2S_KEY_MAX &&
      (\forall integer i; 0 <= i < XC_S2S_PAIRS_MAX ==>
          s->pairs[i].target < XC_S2S_HOSTS_MAX && s->pairs[i].sender.len <= XC_JID_PART_MAX) &&
      (s->rnd == \null || \valid_read(s->rnd + (0 .. XC_S2S_RANDOM_BYTES - 1))) &&
      \separated(s->route_buf + (0 .. s->route_cap - 1), s, s->l.out.out + (0 .. s->l.out.cap - 1));
*/

/* A connection the shell accepted on an s2s port; secure on a direct-TLS port (then cert is
 * what the handshake told, else NULL). rnd: XC_S2S_RANDOM_BYTES fresh random bytes. */
/*@ requires \valid(s) && xc_s2s_config_ok((xc_s2s_config *)cfg) && xc_s2s_memory_ok((xc_s2s_memory *)mem);
    requires cfg->verify_max <= XC_S2S_PAIRS_MAX;
    requires cert == \null || xc_s2s_peer_cert_ok((xc_s2s_peer_cert *)cert);
    requires cert == \null || \separated(s, cert, cert->names + (0 .. cert->n_names - 1));
    requires \valid_read(rnd + (0 .. XC_S2S_RANDOM_BYTES - 1));
    requires \separated(s, mem, cfg, rnd + (0 .. XC_S2S_RANDOM_BYTES - 1), mem->out + (0 .. mem->out_cap - 1),
                        mem->route + (0 .. mem->route_cap - 1), mem->xml.nodes + (0 .. mem->xml.nodes_n - 1),
                        mem->xml.attrs + (0 .. mem->xml.attrs_n - 1), mem->xml.bytes + (0 .. mem->xml.bytes_n - 1));
    assigns *s;
    ensures xc_s2s_in_ok(s) && s->state == XC_S2S_IN_S_WAIT_HDR && s->sasl_authed == 0;
*/
void xc_s2s_in_init(xc_s2s_in *s, const xc_s2s_config *cfg, const xc_s2s_memory *mem, int secure,
                    const xc_s2s_peer_cert *cert, const uint8_t *rnd);
/* rnd: XC_S2S_RANDOM_BYTES fresh bytes for a header this call may send. */
/*@ requires xc_s2s_in_ok(s) && \valid(consumed);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(buf + (0 .. len - 1)));
    requires \valid_read(rnd + (0 .. XC_S2S_RANDOM_BYTES - 1));
    requires \separated(consumed, s, buf + (0 .. len - 1), rnd + (0 .. XC_S2S_RANDOM_BYTES - 1));
    assigns *s, *consumed, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && *consumed <= len;
    ensures (s->fx.flags & XC_S2S_IN_FX_ROUTE) != 0 ==> s->state == XC_S2S_IN_S_AUTHED;
    ensures (s->fx.flags & (XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT)) != 0 ==> *consumed == len;
*/
xc_s2s_status xc_s2s_in_feed(xc_s2s_in *s, const uint8_t *buf, size_t len, size_t *consumed, const uint8_t *rnd);
/* cert NULL: no certificate was presented. */
/*@ requires xc_s2s_in_ok(s) && (cert == \null || xc_s2s_peer_cert_ok((xc_s2s_peer_cert *)cert));
    requires cert == \null || \separated(s, cert, cert->names + (0 .. cert->n_names - 1));
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_tls_done(xc_s2s_in *s, const xc_s2s_peer_cert *cert);
/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_tls_failed(xc_s2s_in *s);
/* The outcome of fx.verify (pair, serial) of an earlier call. An outcome for no pair pending
 * on this stream with this stream's current id changes nothing (CVE-2012-3525). */
/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_verify_outcome(xc_s2s_in *s, uint32_t pair, uint32_t serial, xc_s2s_outcome o);
/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_timeout(xc_s2s_in *s);
/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_shutdown(xc_s2s_in *s);
/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_policy_refused(xc_s2s_in *s);
/*@ requires xc_s2s_in_ok(s);
    assigns *s, s->route_buf[0 .. s->route_cap - 1], XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_in_ok(s) && (s->fx.flags & XC_S2S_IN_FX_ROUTE) == 0;
*/
xc_s2s_status xc_s2s_in_output_full(xc_s2s_in *s);
/* The peer's domain for logs and limits: the header's from ("" before it). */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s);
    assigns \nothing;
    ensures xc_str_valid(\result) && \result.len <= XC_JID_PART_MAX;
*/
xc_str xc_s2s_in_peer(const xc_s2s_in *s);
/* 1 while (sender, target) is valid on this stream (the shell's policy reload asks). */
/*@ requires xc_s2s_in_ok((xc_s2s_in *)s) && xc_str_valid(sender) && xc_str_valid(target);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
int xc_s2s_in_pair_valid(const xc_s2s_in *s, xc_str sender, xc_str target);

/* ------------------------------------------------------------------------------------------
 * Outbound: the initiating server of the pair (S, T) (spec/s2s_out.fsm).
 */

#define XC_S2S_OUT_FX_START_TLS 0x01u      /* begin the TLS client handshake (SNI T, our certificate) */
#define XC_S2S_OUT_FX_DISCARD_INPUT 0x02u  /* a restart: drop every byte still buffered */
#define XC_S2S_OUT_FX_QUEUE 0x04u          /* keep the stanza just handed: its pair is not valid yet */
#define XC_S2S_OUT_FX_FLUSH 0x08u          /* hand every queued stanza back with xc_s2s_out_stanza, in order */
#define XC_S2S_OUT_FX_BOUNCE 0x10u         /* bounce the stanza just handed: fx.bounce_type/cond */
#define XC_S2S_OUT_FX_BOUNCE_ALL 0x20u     /* bounce every queued stanza: fx.bounce_type/cond */
#define XC_S2S_OUT_FX_PAIR_REFUSED 0x40u   /* the pair asked with xc_s2s_out_new_pair needs another stream */
#define XC_S2S_OUT_FX_CLOSE 0x80u          /* close once fx.out is sent (BOUNCE_ALL comes with it) */
#define XC_S2S_OUT_FX_READY 0x100u         /* the pair is valid (dialback) or authenticated (EXTERNAL): shell logs it */
#define XC_S2S_OUT_FX_BOUNCE_PAIR 0x200u   /* bounce every queued stanza from fx.pair_sender: fx.bounce_type/cond */

typedef struct xc_s2s_out_effects {
    uint32_t flags;
    uint32_t row_line;
    const uint8_t *out;              /* bytes to send; a stanza handed in READY is written here */
    uint32_t out_len;
    xc_stanza_error_type bounce_type;
    xc_stanza_error bounce_cond;
    xc_str pair_sender;              /* READY, BOUNCE_PAIR: the sender domain of the answered pair */
    xc_stream_error error;
} xc_s2s_out_effects;

/* One sender domain S of an outbound stream (the stream's own, and those NEW_PAIR added). */
typedef struct xc_s2s_out_pair {
    xc_s2s_pair_state state;         /* PENDING = REQUESTED: our db:result is out */
    uint32_t host;                   /* S: index into cfg->hosts */
} xc_s2s_out_pair;

struct xc_s2s_out {
    xc_s2s_out_state state;
    xc_s2s_link l;
    xc_s2s_out_effects fx;

    xc_s2s_domain target;            /* T */
    uint32_t sender;                 /* S: index into cfg->hosts (pairs[0]) */
    xc_s2s_out_pair pairs[XC_S2S_PAIRS_MAX];
    uint32_t n_pairs;
    uint32_t cur_pair;               /* the pair the event being handled names */
    xc_str hdr_id;                   /* the response header's id (valid while the call runs) */
    uint8_t peer_cert_ok;            /* TLS: the peer certificate verified for T */
    uint8_t sasl_authed;             /* S authenticated by SASL EXTERNAL */
    uint8_t hdr_db;                  /* the response header declared xmlns:db */
    uint8_t offer_tls, offer_ext, offer_db; /* what the latest <stream:features/> offered */
    char id[XC_S2S_ID_MAX];          /* the latest response header's id */
    uint32_t id_len;
    uint32_t queued[XC_S2S_PAIRS_MAX + 1u]; /* stanzas the shell holds, per pair (last: no pair) */
    uint8_t new_pair_bad;            /* NEW_PAIR: the sender is not ours or no slot is left */
    uint8_t sender_bad;              /* the stream's own sender is not a domain we serve */

    /* the event being handled */
    xc_str stanza_from;              /* OUT_STANZA: the sender domain */
    const uint8_t *stanza;
    size_t stanza_len;
    xc_jid db_from, db_to;           /* a typed db:result's prepared from / to */
};
typedef struct xc_s2s_out xc_s2s_out;

/*@ predicate xc_s2s_out_ok(xc_s2s_out *s) =
      \valid(s) && s->state < XC_S2S_OUT_S_COUNT && xc_s2s_link_ok(&s->l) &&
      s->target.len <= XC_JID_PART_MAX && s->sender < XC_S2S_HOSTS_MAX &&
      1 <= s->n_pairs <= XC_S2S_PAIRS_MAX && s->cur_pair < XC_S2S_PAIRS_MAX && s->id_len <= XC_S2S_ID_MAX &&
      (\forall integer i; 0 <= i < XC_S2S_PAIRS_MAX ==> s->pairs[i].host < XC_S2S_HOSTS_MAX) &&
      xc_str_valid(s->stanza_from) && xc_str_valid(s->hdr_id) && (s->stanza_len == 0 || \valid_read(s->stanza + (0 .. s->stanza_len - 1)));
*/

/* Our stream from `sender` (one of cfg->hosts) to `target` (a peer domain the policy allows);
 * both prepared, copied. The stream starts CONNECTING: the shell resolves and connects. */
/*@ requires \valid(s) && xc_s2s_config_ok((xc_s2s_config *)cfg) && xc_s2s_memory_ok((xc_s2s_memory *)mem);
    requires xc_str_valid(sender) && xc_str_valid(target);
    requires \separated(s, mem, cfg, mem->out + (0 .. mem->out_cap - 1), mem->xml.nodes + (0 .. mem->xml.nodes_n - 1),
                        mem->xml.attrs + (0 .. mem->xml.attrs_n - 1), mem->xml.bytes + (0 .. mem->xml.bytes_n - 1));
    assigns *s;
    ensures xc_s2s_out_ok(s) && s->state == XC_S2S_OUT_S_CONNECTING && s->sasl_authed == 0;
*/
void xc_s2s_out_init(xc_s2s_out *s, const xc_s2s_config *cfg, const xc_s2s_memory *mem, xc_str sender, xc_str target);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_connected(xc_s2s_out *s);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_resolve_failed(xc_s2s_out *s);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_connect_failed(xc_s2s_out *s);
/*@ requires xc_s2s_out_ok(s) && \valid(consumed);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(buf + (0 .. len - 1)));
    requires \separated(consumed, s, buf + (0 .. len - 1));
    assigns *s, *consumed, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s) && *consumed <= len;
    ensures (s->fx.flags & (XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT)) != 0 ==> *consumed == len;
*/
xc_s2s_status xc_s2s_out_feed(xc_s2s_out *s, const uint8_t *buf, size_t len, size_t *consumed);
/*@ requires xc_s2s_out_ok(s) && (cert == \null || xc_s2s_peer_cert_ok((xc_s2s_peer_cert *)cert)) && \separated(s, cert);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_tls_done(xc_s2s_out *s, const xc_s2s_peer_cert *cert);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_tls_failed(xc_s2s_out *s);
/* A stanza (serialised, no stream namespace declared) from `from_domain` to this stream's
 * target: written (fx.out), or QUEUE, or BOUNCE. A stanza is never empty: the shell hands only
 * what the router serialised (an empty one would be queued and then written as nothing). */
/*@ requires xc_s2s_out_ok(s) && xc_str_valid(from_domain);
    requires 0 < len <= 0x7fffffff && \valid_read(stanza + (0 .. len - 1));
    requires \separated(s, stanza + (0 .. len - 1));
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_stanza(xc_s2s_out *s, xc_str from_domain, const uint8_t *stanza, size_t len);
/*@ requires xc_s2s_out_ok(s) && xc_str_valid(sender);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_new_pair(xc_s2s_out *s, xc_str sender);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_timeout(xc_s2s_out *s);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_shutdown(xc_s2s_out *s);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_policy_refused(xc_s2s_out *s);
/*@ requires xc_s2s_out_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_out_ok(s);
*/
xc_s2s_status xc_s2s_out_output_full(xc_s2s_out *s);
/* 1 once stanzas of the pair are written at once (READY). */
/*@ requires xc_s2s_out_ok((xc_s2s_out *)s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
*/
int xc_s2s_out_ready(const xc_s2s_out *s);

/* ------------------------------------------------------------------------------------------
 * Verify connection: to the authoritative server of `sender`, from our domain `target`
 * (spec/s2s_verify.fsm).
 */

#define XC_S2S_VERIFY_FX_START_TLS 0x01u
#define XC_S2S_VERIFY_FX_DISCARD_INPUT 0x02u
#define XC_S2S_VERIFY_FX_OUTCOME 0x04u     /* fx.outcomes[0 .. n_outcomes-1] go back to their inbound streams */
#define XC_S2S_VERIFY_FX_CLOSE 0x80u

/* A request handed to a verify connection, and where its answer goes. */
typedef struct xc_s2s_verify_answer {
    uint64_t token;                  /* the shell's: which inbound stream, which pair, which serial */
    xc_s2s_outcome outcome;
} xc_s2s_verify_answer;

typedef struct xc_s2s_verify_effects {
    uint32_t flags;
    uint32_t row_line;
    const uint8_t *out;
    uint32_t out_len;
    xc_s2s_verify_answer outcomes[XC_S2S_REQUESTS_MAX + 1u];
    uint32_t n_outcomes;
    xc_stream_error error;
} xc_s2s_verify_effects;

typedef enum xc_s2s_request_state {
    XC_S2S_REQ_FREE = 0,
    XC_S2S_REQ_QUEUED = 1,           /* handed before the connection was ready */
    XC_S2S_REQ_SENT = 2              /* <db:verify/> sent, no answer yet */
} xc_s2s_request_state;

typedef struct xc_s2s_request {
    xc_s2s_request_state state;
    uint64_t token;
    char id[XC_S2S_ID_MAX];
    uint32_t id_len;
    char key[XC_S2S_KEY_MAX];
    uint32_t key_len;
} xc_s2s_request;

struct xc_s2s_verify {
    xc_s2s_verify_state state;
    xc_s2s_link l;
    xc_s2s_verify_effects fx;

    xc_s2s_domain target;            /* T: our domain (from) */
    xc_s2s_domain sender;            /* S: the authoritative domain (to) */
    uint8_t offer_tls;               /* the latest <stream:features/> offered <starttls/> */
    xc_s2s_request requests[XC_S2S_REQUESTS_MAX];
    uint32_t cur;                    /* the request the event being handled names */
    xc_jid db_from, db_to;           /* an answer's prepared from / to */
    xc_str db_id;                    /* and its id (raw, valid while the call runs) */
};
typedef struct xc_s2s_verify xc_s2s_verify;

/*@ predicate xc_s2s_verify_ok(xc_s2s_verify *s) =
      \valid(s) && s->state < XC_S2S_VERIFY_S_COUNT && xc_s2s_link_ok(&s->l) &&
      s->target.len <= XC_JID_PART_MAX && s->sender.len <= XC_JID_PART_MAX && s->cur < XC_S2S_REQUESTS_MAX &&
      s->fx.n_outcomes <= XC_S2S_REQUESTS_MAX + 1 && xc_str_valid(s->db_id) &&
      (\forall integer i; 0 <= i < XC_S2S_REQUESTS_MAX ==>
          s->requests[i].id_len <= XC_S2S_ID_MAX && s->requests[i].key_len <= XC_S2S_KEY_MAX) &&
      \separated(s, s->l.cfg, s->l.out.out + (0 .. s->l.out.cap - 1),
                 s->l.xml.arena.base + (0 .. s->l.xml.arena.size - 1), s->l.xml.tree.nodes + (0 .. s->l.xml.tree.nodes_cap - 1),
                 s->l.xml.tree.attrs + (0 .. s->l.xml.tree.attrs_cap - 1));
*/

/*@ requires \valid(s) && xc_s2s_config_ok((xc_s2s_config *)cfg) && xc_s2s_memory_ok((xc_s2s_memory *)mem);
    requires xc_str_valid(target) && xc_str_valid(sender);
    requires \separated(s, mem, cfg, mem->out + (0 .. mem->out_cap - 1), mem->xml.nodes + (0 .. mem->xml.nodes_n - 1),
                        mem->xml.attrs + (0 .. mem->xml.attrs_n - 1), mem->xml.bytes + (0 .. mem->xml.bytes_n - 1));
    assigns *s;
    ensures xc_s2s_verify_ok(s) && s->state == XC_S2S_VERIFY_S_CONNECTING;
*/
void xc_s2s_verify_init(xc_s2s_verify *s, const xc_s2s_config *cfg, const xc_s2s_memory *mem, xc_str target,
                        xc_str sender);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_connected(xc_s2s_verify *s);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_resolve_failed(xc_s2s_verify *s);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_connect_failed(xc_s2s_verify *s);
/*@ requires xc_s2s_verify_ok(s) && \valid(consumed);
    requires len <= 0x7fffffff && (len == 0 || \valid_read(buf + (0 .. len - 1)));
    requires \separated(buf + (0 .. len - 1), consumed, s, s->l.xml.arena.base + (0 .. s->l.xml.arena.size - 1));
    requires \separated(consumed, s, s->l.out.out + (0 .. s->l.out.cap - 1),
                        s->l.xml.arena.base + (0 .. s->l.xml.arena.size - 1), s->l.xml.tree.nodes + (0 .. s->l.xml.tree.nodes_cap - 1),
                        s->l.xml.tree.attrs + (0 .. s->l.xml.tree.attrs_cap - 1));
    assigns *s, *consumed, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s) && *consumed <= len;
    ensures (s->fx.flags & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT)) != 0 ==> *consumed == len;
*/
xc_s2s_status xc_s2s_verify_feed(xc_s2s_verify *s, const uint8_t *buf, size_t len, size_t *consumed);
/*@ requires xc_s2s_verify_ok(s) && (cert == \null || xc_s2s_peer_cert_ok((xc_s2s_peer_cert *)cert));
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_tls_done(xc_s2s_verify *s, const xc_s2s_peer_cert *cert);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_tls_failed(xc_s2s_verify *s);
/* A request (id, key of the inbound stream's db:result) with the shell's token; a full
 * connection (XC_S2S_REQUESTS_MAX outstanding), or an id or key too long to keep, answers it at
 * once with ERROR. */
/*@ requires xc_s2s_verify_ok(s) && xc_str_valid(id) && xc_str_valid(key);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_request(xc_s2s_verify *s, xc_str id, xc_str key, uint64_t token);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_idle(xc_s2s_verify *s);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_timeout(xc_s2s_verify *s);
/*@ requires xc_s2s_verify_ok(s);
    assigns *s, XC_S2S_LINK_MEMORY(&s->l);
    ensures xc_s2s_verify_ok(s);
*/
xc_s2s_status xc_s2s_verify_shutdown(xc_s2s_verify *s);

#endif
