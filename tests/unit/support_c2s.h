/*
 * support_c2s.h — drives one c2s stream (src/core/xc_c2s.h) the way the shell does, with
 * deterministic stand-ins for what the shell brings: random bytes from a counter, and a
 * SASL "mechanism" table that answers like Cyrus would for fixed test accounts.
 *
 * Everything the stream sends is appended to `sent` (NUL-terminated) so tests compare exact
 * bytes; effects are recorded so tests can assert START_TLS, ROUTE, CLOSE, ...
 */
#ifndef SUPPORT_C2S_H
#define SUPPORT_C2S_H

#include <stddef.h>
#include <stdint.h>

#include "xc_c2s.h"

#define C2S_SENT_MAX (1u << 20)
#define C2S_ROUTES_MAX 16u

/* The test domain and its one account (PLAIN: "\0juliet\0r0m30"). */
#define C2S_HOST "example.com"
#define C2S_OPEN "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
                 "xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>"

typedef struct c2s_route {
    char bytes[4096];
    size_t len;
    xc_c2s_route_kind kind;
    char to[128];
} c2s_route;

typedef struct c2s_fixture {
    xc_c2s_config cfg;
    xc_c2s_memory mem;
    xc_c2s *s;
    uint32_t rnd_counter;
    char sent[C2S_SENT_MAX];
    size_t sent_len;
    uint32_t flags_seen;         /* OR of every fx.flags */
    xc_c2s_status status;        /* of the last call */
    xc_stream_error close_error; /* fx.error of the CLOSE effect */
    int sasl_steps;              /* SASL_START/STEP effects answered */
    uint8_t sasl_present;        /* fx.sasl_present of the last SASL_START/STEP effect */
    uint32_t sasl_len;           /* fx.sasl_len of the last SASL_START/STEP effect */
    int scram_rounds;            /* the fake SCRAM mechanism: challenges before success */
    int bounce_routes;           /* answer every ROUTE with a bounce of this condition + 1 (0: deliver) */
    c2s_route routes[C2S_ROUTES_MAX];
    uint32_t n_routes;
    char bound_jid[128];
    int available;
} c2s_fixture;

/* A fixture with one served host, one gone host (old.example.com), every mechanism enabled,
 * TLS required, three failures allowed, the default parser caps. Free with c2s_free. */
c2s_fixture *c2s_new(void);
/* Re-initialises the stream after the test changed f->cfg. */
void c2s_restart_stream(c2s_fixture *f, int secure);
void c2s_free(c2s_fixture *f);

/* Feeds the text as one read, the way the shell does: call feed until the read is consumed,
 * answer every SASL effect with the fake mechanism, and every TLS effect with tls_done
 * (client certificate and channel binding as set in tls_cert / tls_cb). */
void c2s_send(c2s_fixture *f, const char *text);
/* The same, with the bytes split into pieces of `chunk` bytes (1 = byte by byte). */
void c2s_send_split(c2s_fixture *f, const char *text, size_t chunk);
/* Clears `sent` (the transcript so far). */
void c2s_clear(c2s_fixture *f);

/* text with every stream id (id='<32 lowercase hex digits>') replaced by id='ID', into out
 * (cap bytes, NUL-terminated). */
void c2s_norm_into(const char *text, char *out, size_t cap);
/* The transcript so far, normalised (a static buffer, valid until the next call). */
const char *c2s_norm(const c2s_fixture *f);

/* OPEN + STARTTLS + OPEN + PLAIN auth + OPEN + bind (resource "balcony"): a bound stream. */
void c2s_login(c2s_fixture *f, const char *resource);

extern xc_c2s_client_cert c2s_tls_cert;   /* what tls_done reports of the client certificate */
extern int c2s_tls_cb;     /* tls_done reports channel-binding data */

#endif
