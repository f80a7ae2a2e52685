/*
 * s2s_internal.h — what the files of the s2s shell share. s2s.c holds the state, the life of a
 * connection of any role (transport callbacks, timer, close), bounces and the public API;
 * s2s_connect.c resolves and connects; s2s_in.c, s2s_out.c and s2s_verify.c each drive one
 * role of src/core/xc_s2s.h.
 *
 * One struct, s2s_link, is a connection of any role: it owns its transport, one timer, the
 * stream's memory and the core's stream struct (heap: the structs are large). Links live on one
 * list of the xs_s2s; each has a 64-bit serial number that is never reused. What comes back
 * later for an inbound link (a verify outcome) finds it by a 64-bit token that is never reused
 * either, so an answer for a link that closed is dropped (never a pointer kept across turns).
 *
 * Life of a link: open -> (link_close or the transport's on_closed) closing -> the transport's
 * on_released and the timer's close callback -> freed. A link is removed from the list only in
 * a close callback, so walking the list while calling into the core is safe. When a link starts
 * closing its role gets one `ended` call: the outbound role bounces what it still holds, the
 * verify role answers ERROR for what it still carries.
 */
#ifndef XS_S2S_INTERNAL_H
#define XS_S2S_INTERNAL_H

#include <inttypes.h>
#include <stdint.h>
#include <uv.h>

#include "conn.h"
#include "log.h"
#include "resolve.h"
#include "s2s.h"
#include "stream_memory.h"
#include "transport.h"
#include "xc_s2s.h"
#include "xc_stanza_reply.h"

/* One configuration generation as the s2s core sees it: the xs_gen it was built from (one
 * reference held: cfg's strings point into it) and the core's config. Links keep theirs. */
typedef struct s2s_gen {
    uint32_t refs;
    xs_gen *gen;
    xc_s2s_config cfg;
} s2s_gen;

typedef enum s2s_role {
    S2S_IN = 0,
    S2S_OUT,
    S2S_VERIFY
} s2s_role;

/* What the link's timer counts (config s2s.*_timeout). */
typedef enum s2s_phase {
    PHASE_CONNECT = 0,   /* resolve + connect: connect_timeout */
    PHASE_HANDSHAKE,     /* TLS + dialback until a pair is valid: handshake_timeout */
    PHASE_IDLE           /* a valid pair: closed after idle_timeout without traffic */
} s2s_phase;

/* A stanza an outbound link holds until its pair is valid (FX_QUEUE). */
typedef struct s2s_queued {
    struct s2s_queued *next;
    uint32_t from_len;
    size_t len;
    uint8_t data[];      /* from_domain, then the stanza */
} s2s_queued;

/* A verification an inbound link asked for: the token handed to the verify link, and the
 * core's pair and serial it answers. */
typedef struct s2s_pending {
    uint64_t token;      /* 0: a free slot */
    uint32_t pair;
    uint32_t serial;
} s2s_pending;

typedef struct s2s_link s2s_link;

struct s2s_link {
    xs_s2s *s2s;
    s2s_link *prev, *next;
    uint64_t serial;
    s2s_role role;
    s2s_gen *gen;
    xs_transport *t;             /* NULL while resolving or between connect attempts */
    uv_timer_t timer;
    s2s_phase phase;
    uint64_t last_io;            /* uv_now of the last bytes in or out */
    xs_stream_memory big;
    xc_s2s_memory mem;
    union {
        void *any;
        xc_s2s_in *in;
        xc_s2s_out *out;
        xc_s2s_verify *ver;
    } c;
    char local[XS_CFG_NAME_MAX]; /* out: S, verify: T (our domain); in: "" */
    char remote[XS_CFG_NAME_MAX];/* out: T, verify: S (the peer's domain); in: "" */
    char peer_addr[XS_TRANSPORT_PEER_MAX];
    /* outbound and verify: where to connect */
    xs_resolve_req *rq;
    xs_target targets[XS_RESOLVE_MAX_TARGETS];
    size_t n_targets, next_target;
    /* outbound: stanzas held (FX_QUEUE), and how what is left bounces when the link ends */
    s2s_queued *q_head, *q_tail;
    uint32_t q_len;
    xc_stanza_error_type end_type;
    xc_stanza_error end_cond;
    /* inbound: verifications asked for */
    s2s_pending pending[XC_S2S_PAIRS_MAX];
    unsigned closing : 1;        /* nothing more is fed or sent */
    unsigned retry : 1;          /* the transport failed to connect: try the next address once released */
    unsigned waiting : 1;        /* inbound: the core said WAIT, input is held until an outcome */
    unsigned timer_closing : 1;
    unsigned sasl_logged : 1;    /* the SASL EXTERNAL identity of the stream has been logged */
};

/* What differs between the roles; NULL where a role has no such event. */
typedef struct s2s_role_ops {
    const char *name;
    size_t (*data)(s2s_link *l, const uint8_t *p, size_t n);
    void (*tls_done)(s2s_link *l, const xc_s2s_peer_cert *cert);
    void (*tls_failed)(s2s_link *l);
    void (*connected)(s2s_link *l);
    void (*resolve_failed)(s2s_link *l);
    void (*connect_failed)(s2s_link *l);
    void (*timeout)(s2s_link *l, int idle);
    void (*shutdown)(s2s_link *l);
    void (*ended)(s2s_link *l);
} s2s_role_ops;

extern const s2s_role_ops s2s_in_ops, s2s_out_ops, s2s_verify_ops;

struct xs_s2s {
    xs_server *srv;
    s2s_gen *gen;                /* the current generation (one reference) */
    xs_resolver *resolver;
    s2s_link *links;
    size_t n_links;
    uint64_t next_serial;
    uint64_t next_token;
    int shutting_down;
    int freeing;                 /* xs_s2s_free ran: the struct goes with the last link */
    uint8_t *route_buf;          /* inbound streams' routed stanzas (xc_s2s_memory.route) */
    uint32_t route_cap;
    uint8_t *reply_buf;          /* an error reply being built */
    size_t reply_cap;
    xs_stream_memory reply_big;  /* the replier's parser memory */
    xc_stanza_replier replier;
};

#define LLOG(l, lvl, fmt, ...)                                                                                     \
    xs_log((lvl), "s2s-%s#%" PRIu64 " %s " fmt, s2s_ops(l)->name, (l)->serial, (l)->peer_addr, ##__VA_ARGS__)

/* s2s.c */
extern const xs_transport_ops s2s_transport_ops;   /* owner: the s2s_link */
const s2s_role_ops *s2s_ops(const s2s_link *l);
/* A new link of role on the current generation, with its memory and timer; NULL (logged) on failure. */
s2s_link *s2s_link_new(xs_s2s *s, s2s_role role);
/* Sends what the core wrote last, then closes (ended runs once). */
void s2s_link_close(s2s_link *l);
/* Bytes of the stream; bounded: a stanza routed from elsewhere is refused when the queue is
 * full. XS_TRANSPORT_OK when queued. */
xs_transport_status s2s_link_send(s2s_link *l, const uint8_t *p, size_t n, int bounded);
void s2s_link_phase(s2s_link *l, s2s_phase p);
/* Frees the link once it is closing, its transport released and no resolve is running. */
void s2s_link_destroy_maybe(s2s_link *l);

/* s2s_connect.c */
/* Resolves l->remote and connects to its targets in order (outbound and verify). */
void s2s_link_resolve(s2s_link *l);
/* The next target (after a failed attempt released its transport); none left: connect_failed. */
void s2s_link_connect_next(s2s_link *l);
/* Fresh random bytes; 0, or -1 (logged) when the CSPRNG failed. */
int s2s_random(uint8_t *out, size_t n);
/* Logs a stream's end: its stream error and table row. */
void s2s_log_close(s2s_link *l, xc_stream_error e, uint32_t row_line);
/* An error reply to a stanza a local user sent (held as bytes) goes back to that user's
 * session; never for an error. */
void s2s_bounce(xs_s2s *s, const uint8_t *stanza, size_t len, xc_stanza_error_type type, xc_stanza_error cond);
/* An error reply to a stanza a peer sent, routed back to its sender's domain from our_domain.
 * 0 when a reply went out (or was bounced on), -1 when there is none. */
int s2s_reply_remote(xs_s2s *s, const uint8_t *stanza, size_t len, xc_str our_domain, xc_stanza_error_type type,
                     xc_stanza_error cond);
/* 1 when domain (prepared) is one of cfg's hosts. */
int s2s_is_host(const xc_s2s_config *cfg, xc_str domain);
xc_str s2s_str(const char *z);

/* s2s_in.c */
void s2s_in_accept(xs_s2s *s, uv_stream_t *listener);
void s2s_in_outcome(xs_s2s *s, uint64_t token, xc_s2s_outcome o);
void s2s_in_reload(s2s_link *l, const xc_s2s_config *now);

/* s2s_out.c */
void s2s_out_route(xs_s2s *s, xc_str from_domain, xc_str to_domain, const uint8_t *stanza, size_t len);
void s2s_out_reload(s2s_link *l, const xc_s2s_config *now);

/* s2s_verify.c */
void s2s_verify_request(xs_s2s *s, const xc_s2s_verify_req *req, uint64_t token);

#endif
