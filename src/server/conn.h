/*
 * conn.h — one accepted client connection running one sans-I/O c2s stream, and the server
 * state the connections share.
 *
 * A connection owns: its libuv TCP handle and timers, its xc_c2s stream and that stream's memory
 * (one mapping: the struct and buffers sized by xc_xml_memory_need for the post-authentication
 * caps; parked while the stream is idle, stream_memory.h), its TLS session once STARTTLS ran,
 * its SASL session until SASL succeeds, its router entry once bound, and a bounded output
 * queue. The route buffer is shared by every stream (xc_c2s_memory: valid until the next call
 * on any stream).
 *
 * Everything runs on the loop thread. A connection is never freed while a callback that can
 * reach it runs: closing only marks it and asks libuv to close the handles; the memory goes in
 * the last close callback.
 */
#ifndef XS_CONN_H
#define XS_CONN_H

#include <stdint.h>
#include <uv.h>

#include "addr_limits.h"
#include "config.h"
#include "xc_dialback.h"
#include "router.h"
#include "tls.h"
#include "xc_c2s.h"

/* One loaded configuration. Streams keep the generation they were accepted under (its hosts,
 * limits and certificates) until they close; SIGHUP makes a new one for new streams. */
typedef struct xs_gen {
    uint32_t refs;
    xs_config cfg;
    xc_c2s_config c2s;
    xs_tls_ctx *tls;
    xs_tls_ctx *s2s_tls;         /* xs_tls_s2s_ctx_new(&cfg, cfg.s2s.ca, ...); NULL until made */
} xs_gen;

typedef struct xs_conn xs_conn;
struct xs_s2s;

typedef struct xs_server {
    uv_loop_t *loop;
    xs_gen *gen;                 /* the current generation (one reference held here) */
    xs_router *router;
    xs_addr_table *addrs;        /* streams and failed logins per client address */
    xc_db_secret db_secret;      /* K of the dialback keys (XEP-0185), read at start */
    uint8_t *route_buf;          /* shared by every stream */
    uint32_t route_cap;
    uint32_t stanza_postauth_max; /* route_buf was sized for this; a reload may not raise it */
    xs_conn *conns;              /* every open connection */
    uint32_t n_conns;
    uint64_t next_id;
    int shutting_down;
    struct xs_s2s *s2s;          /* server-to-server streams (src/server/s2s.h), NULL when none */
    uv_timer_t heap_trim;        /* gives the heap's free pages back after parks (conn.c) */
} xs_server;

void xs_gen_unref(xs_gen *g);

/* Accepts one connection from listener (a uv_tcp_t whose data is the xs_server). */
void xs_conn_accept(xs_server *srv, uv_stream_t *listener);
/* A stanza (serialised, stamped) for the local JID `to` (prepared): written to the session of
 * that full JID, or for a bare JID to its available resources as router.h decides. 1 when it
 * reached at least one session, 0 when there is no session for it (the caller bounces: RFC 3921
 * §11) or every one refused it (output queue full: that slow reader is closed on the next
 * loop turn). */
int xs_conn_deliver(xs_server *srv, const xc_jid *to, const uint8_t *stanza, size_t len);
/* Every stream gets xc_c2s_shutdown (<system-shutdown/>), is flushed and closed. */
void xs_conn_shutdown_all(xs_server *srv);
/* Closes every connection at once, flushed or not (the end of a shutdown that took too long). */
void xs_conn_abort_all(xs_server *srv);

#endif
