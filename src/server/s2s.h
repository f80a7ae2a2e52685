/*
 * s2s.h — server-to-server streams on the loop: the I/O shell around the three sans-I/O roles of
 * src/core/xc_s2s.h (RFC 3920 §4–§6, §8; XEP-0220, XEP-0185).
 *
 *   inbound   a peer connected to one of our s2s listeners: we receive its stanzas, and answer
 *             the <db:verify/> requests it sends as the authoritative server
 *   outbound  one stream per domain pair (our domain S, peer domain T) carrying the stanzas of
 *             local users of S to T; stanzas wait in a bounded queue while it is set up
 *   verify    one connection per (our domain T, peer domain S) to S's authoritative server,
 *             carrying the <db:verify/> requests of our inbound streams (RFC 3920 §8.3 steps 5-9)
 *
 * "Nothing lost" (DESIGN.md): every stanza handed to xs_s2s_route is written to a live stream or
 * bounced to its local sender with a stanza error; errors themselves are never bounced.
 *
 * Everything runs on the loop thread. An answer that comes back for a stream (a verify outcome,
 * a resolver result) names it by a 64-bit serial number, never by a pointer, so an answer for a
 * stream that closed meanwhile is dropped.
 */
#ifndef XS_S2S_H
#define XS_S2S_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "conn.h"
#include "xc_base.h"

typedef struct xs_s2s xs_s2s;

/* The s2s state of srv (its policy from srv's current generation, the static host map and DNS
 * server of that configuration, the resolver on srv->loop). NULL on failure (logged). */
xs_s2s *xs_s2s_new(xs_server *srv);
/* Frees s. Connections still closing keep it until the last one's close callback (so call
 * xs_s2s_abort_all first and let the loop run); the resolver's handles close with it. Every
 * function here accepts NULL; accept, route and reload do nothing once xs_s2s_free ran. */
void xs_s2s_free(xs_s2s *s);

/* An s2s listener's connection callback calls this (listener->data is the xs_server). */
void xs_s2s_accept(xs_s2s *s, uv_stream_t *listener);

/* A stanza (stamped, serialised, jabber:client/server neutral) from a local user of from_domain
 * to the remote domain to_domain: written on the outbound stream of the pair, queued while it is
 * set up, or bounced to its sender (xs_conn_deliver of an xc_stanza_reply). Never dropped
 * silently. Both domains prepared; the bytes are copied when kept. 0: the s2s side answers for
 * the stanza from now on; -1: it was not taken (no s2s state, or it is being freed) and the
 * caller bounces it. */
int xs_s2s_route(xs_s2s *s, xc_str from_domain, xc_str to_domain, const uint8_t *stanza, size_t len);

/* SIGHUP: the current generation's policy; streams whose pairs it now refuses end
 * (<policy-violation/> inbound, queued stanzas bounced with <not-allowed/> outbound). */
void xs_s2s_reload(xs_s2s *s);
/* <system-shutdown/> on every s2s stream; queued stanzas bounce (<remote-server-timeout/>). */
void xs_s2s_shutdown_all(xs_s2s *s);
/* Closes every s2s connection at once, flushed or not (a shutdown that took too long). */
void xs_s2s_abort_all(xs_s2s *s);
/* Open s2s connections of every role (main waits for 0 before stopping the loop). */
size_t xs_s2s_count(const xs_s2s *s);

#endif
