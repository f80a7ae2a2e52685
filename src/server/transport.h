/*
 * transport.h — one TCP connection on the loop, with optional TLS, carrying the bytes of one
 * stream: what every stream role (c2s, s2s inbound, s2s outbound, dialback verify) needs below
 * its protocol core.
 *
 * The owner (a c2s connection, an s2s stream) gets plaintext through ops->on_data and sends
 * with xs_transport_send; it never sees ciphertext, a libuv handle or a write request.
 *
 * Rules the transport keeps for every owner:
 *   - Input is delivered one read at a time (decrypted once TLS runs). on_data returns how many
 *     bytes the owner took; bytes it did not take are held by the transport (reading stops) and
 *     offered again after xs_transport_resume_input — the core consumes one element per feed
 *     call and may answer WAIT (src/core/xc_s2s.h).
 *   - xs_transport_discard_input drops what is held and every byte still to come from the
 *     current read, decrypted or not: after <starttls/> or a SASL success nothing that arrived
 *     with it is processed (RFC 3920 §5.2 step 5, §6.2; the STARTTLS injection class). Starting
 *     TLS implies it. Once the handshake completes, input of the same read is the new stream
 *     again (TLS has no 0-RTT here: nothing encrypted can precede our Finished).
 *   - While a handshake runs, xs_transport_send refuses plaintext (it would go in the clear).
 *   - OpenSSL's write BIO is drained after every SSL call (handshake flights, alerts, TLS 1.3
 *     tickets and KeyUpdate, close_notify). A renegotiation attempt ends the connection
 *     (DESIGN.md Decisions).
 *   - Output is bounded: when the bytes handed to libuv (plus plaintext waiting inside TLS)
 *     exceed out_queue_max after a read, reading stops until half has drained (libuv's write
 *     queue is unbounded: DESIGN.md Known traps). Bytes that come from elsewhere (a routed
 *     stanza) should be checked with xs_transport_has_room first and refused when full.
 *   - xs_transport_close flushes what is queued, sends close_notify, half-closes TCP and waits
 *     for the peer's EOF at most XS_TRANSPORT_LINGER_MS; xs_transport_abort closes at once.
 *
 * Life cycle and callbacks. Callbacks run on the loop thread, never from inside an
 * xs_transport_* call the owner made (a call that fails says so in its status instead), except
 * on_data, on_tls_done, on_tls_failed which run only from the transport's own read path. After
 * xs_transport_close or xs_transport_abort, after on_closed and after on_connect_failed the
 * transport calls nothing but on_released; on_released comes exactly once, after the handles
 * closed, and the transport's memory goes right after it returns: the owner forgets the
 * pointer there (and may free itself). A NULL from xs_transport_accept / xs_transport_connect
 * means no callback will ever come.
 */
#ifndef XS_TRANSPORT_H
#define XS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "tls.h"

#define XS_TRANSPORT_LINGER_MS 2000u   /* after our close, how long the peer's EOF is awaited */
#define XS_TRANSPORT_PEER_MAX 64u      /* "[IPv6]:port" text of the peer's address */

typedef struct xs_transport xs_transport;

typedef enum xs_transport_status {
    XS_TRANSPORT_OK = 0,
    XS_TRANSPORT_FULL,         /* xs_transport_send_bounded: over out_queue_max, nothing queued */
    XS_TRANSPORT_FAILED,       /* this call failed (e.g. no TLS session), the connection is intact */
    XS_TRANSPORT_CLOSED        /* the connection is closing or failed now: nothing more goes out;
                                * on_closed is not called for it, on_released follows */
} xs_transport_status;

/* Why the connection ended without the owner asking (on_closed). */
typedef enum xs_transport_end {
    XS_TRANSPORT_END_EOF = 0,        /* the peer closed TCP */
    XS_TRANSPORT_END_RESET,          /* a read error (reset): detail says which */
    XS_TRANSPORT_END_CLOSE_NOTIFY,   /* the peer ended TLS; our close_notify and FIN follow */
    XS_TRANSPORT_END_RENEGOTIATION,  /* the peer tried to renegotiate TLS */
    XS_TRANSPORT_END_TLS_ERROR,      /* a TLS error after the handshake: detail is OpenSSL's reason */
    XS_TRANSPORT_END_WRITE_ERROR,    /* a write failed: detail is libuv's reason */
    XS_TRANSPORT_END_NO_MEMORY
} xs_transport_end;

typedef struct xs_transport_ops {
    /* Plaintext from the peer. Returns how many bytes were taken (<= n); the rest is held and
     * reading stops until xs_transport_resume_input. The owner may send, start TLS, discard
     * input, pause or close from here. */
    size_t (*on_data)(void *owner, const uint8_t *p, size_t n);
    /* The TLS handshake completed (xs_transport_tls gives the session: version, peer names). */
    void (*on_tls_done)(void *owner);
    /* The handshake failed (why: OpenSSL's reason). The connection stays until the owner
     * closes it (the stream may still have a stream error to report, which goes nowhere). */
    void (*on_tls_failed)(void *owner, const char *why);
    /* The peer ended the connection or it failed (detail: a reason, "" when none). The
     * transport is already closing; on_released follows. */
    void (*on_closed)(void *owner, xs_transport_end end, const char *detail);
    /* xs_transport_connect: the TCP connection is up (call xs_transport_start to read). */
    void (*on_connected)(void *owner);
    /* xs_transport_connect: this address failed (why: libuv's reason); on_released follows.
     * The owner tries its next address with a new transport. */
    void (*on_connect_failed)(void *owner, const char *why);
    /* The last callback: the handles are closed and the transport is freed when it returns. */
    void (*on_released)(void *owner);
} xs_transport_ops;

/* Accepts one connection from listener. Reading starts only with xs_transport_start, so the
 * owner can refuse the peer first (xs_transport_abort). out_queue_max: limits.output_queue_bytes.
 * NULL when nothing could be accepted (no callback comes). */
xs_transport *xs_transport_accept(uv_loop_t *loop, uv_stream_t *listener, const xs_transport_ops *ops, void *owner,
                                  uint32_t out_queue_max);

/* Connects to one address (the caller tries the next one after on_connect_failed). NULL when
 * the attempt could not even start (no callback comes). */
xs_transport *xs_transport_connect(uv_loop_t *loop, const struct sockaddr *addr, const xs_transport_ops *ops,
                                   void *owner, uint32_t out_queue_max);

/* Starts reading (once accepted or connected). XS_TRANSPORT_OK or XS_TRANSPORT_CLOSED. */
xs_transport_status xs_transport_start(xs_transport *t);

/* Sends bytes of the owner's stream: in the clear before TLS, encrypted once it is up, refused
 * (XS_TRANSPORT_FAILED, nothing sent) while a handshake runs. Never refused for the queue cap:
 * the stream's own answers are bounded by pausing input instead. */
xs_transport_status xs_transport_send(xs_transport *t, const uint8_t *p, size_t n);
/* As xs_transport_send, but XS_TRANSPORT_FULL (nothing queued) when n more bytes would put the
 * backlog over out_queue_max: for bytes that come from other streams (a routed stanza). */
xs_transport_status xs_transport_send_bounded(xs_transport *t, const uint8_t *p, size_t n);
/* 1 when n more bytes fit under out_queue_max, else 0. */
int xs_transport_has_room(const xs_transport *t, size_t n);
/* Bytes handed to libuv and not yet written, plus plaintext waiting inside TLS. */
size_t xs_transport_backlog(const xs_transport *t);
/* The owner's stream is idle: the TLS session gives back its empty buffers (xs_tls_trim). */
void xs_transport_trim(xs_transport *t);

/* Drops the held input and the rest of the current read (see the rules above). */
void xs_transport_discard_input(xs_transport *t);
/* Stops delivering input (held bytes stay held) until xs_transport_resume_input. */
void xs_transport_pause_input(xs_transport *t);
/* Delivers held bytes again — on the next loop turn, never from inside this call — and reads on. */
void xs_transport_resume_input(xs_transport *t);

/* STARTTLS as the receiving side: a session of ctx whose default certificate is host's (SNI may
 * choose another served host). Implies xs_transport_discard_input. The handshake is driven by
 * the peer's ClientHello; on_tls_done / on_tls_failed tell the end. XS_TRANSPORT_FAILED when no
 * session could be made (the connection is intact: the owner reports and closes). */
xs_transport_status xs_transport_start_tls_server(xs_transport *t, xs_tls_ctx *ctx, const char *host);
/* STARTTLS as the initiating side (s2s outbound and verify, after <proceed/>): a client session
 * of an s2s context (xs_tls_s2s_ctx_new) presenting our_host's certificate, SNI peer_domain.
 * Implies xs_transport_discard_input; sends the ClientHello at once. Status as above. */
xs_transport_status xs_transport_start_tls_client(xs_transport *t, xs_tls_ctx *ctx, const char *our_host,
                                                  const char *peer_domain);

/* Orderly close: flush, close_notify, FIN, wait for the peer's EOF (XS_TRANSPORT_LINGER_MS).
 * No callback but on_released after it. Safe to call more than once, or after on_closed. */
void xs_transport_close(xs_transport *t);
/* Immediate close: pending writes are cancelled. Same guarantees as xs_transport_close. */
void xs_transport_abort(xs_transport *t);

/* The TLS session (NULL before STARTTLS): version, cipher, SNI, peer names (tls.h). */
xs_tls *xs_transport_tls(const xs_transport *t);
/* 1 once the handshake completed. */
int xs_transport_tls_up(const xs_transport *t);
/* The peer's address as text ("127.0.0.1:5269", "[::1]:5269", "?" when unknown). */
const char *xs_transport_peer(const xs_transport *t);
/* The peer's address. 0, or -1 when unknown. */
int xs_transport_peer_addr(const xs_transport *t, struct sockaddr_storage *ss);

#endif
