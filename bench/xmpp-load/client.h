/*
 * client.h — one simulated XMPP client: its socket and TLS session, its buffers, where it is in
 * the login dialogue, and its message counters.
 *
 * A client is a slot that the run reuses: login churn cycles a few slots through many
 * accounts, idle and message runs give each slot one account for the whole run. Buffers are
 * allocated when a connection opens and freed when it closes, so memory follows the number of
 * open connections, not the number of logins.
 */
#ifndef XL_CLIENT_H
#define XL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "scram.h"

/* Where the client is; the dialogue advances it on the server's elements (dialog.c). */
typedef enum {
    XL_FREE,                 /* no connection */
    XL_CONNECTING,           /* TCP connect in progress */
    XL_WAIT_TLS_FEATURES,    /* header sent, waiting for <starttls/> among the features */
    XL_WAIT_PROCEED,         /* <starttls/> sent */
    XL_TLS_HANDSHAKE,
    XL_WAIT_SASL_FEATURES,   /* header sent over TLS, waiting for the mechanisms */
    XL_WAIT_CHALLENGE,       /* <auth/> sent (client-first-message) */
    XL_WAIT_SUCCESS,         /* <response/> sent (client-final-message) */
    XL_WAIT_BIND_FEATURES,   /* header sent after SASL, waiting for <bind/> */
    XL_WAIT_BIND,            /* bind IQ sent */
    XL_READY,                /* bound: may send and receive messages */
    XL_CLOSING               /* </stream:stream> sent, waiting for the server's */
} xl_state;

typedef struct xl_client {
    int fd;
    SSL *ssl;
    xl_state state;
    uint32_t index;          /* the slot */
    uint32_t account;        /* user<account>, 1-based; 0 when free */
    uint32_t peer;           /* slot that messages go to (message runs), else UINT32_MAX */
    uint32_t epoll_mask;     /* the events registered for fd */
    unsigned read_wants_write : 1;   /* TLS must write before the handshake or a read goes on */
    unsigned write_wants_write : 1;  /* the last write found the socket full */
    unsigned dirty : 1;           /* on the run's list of clients to top up and flush */
    unsigned logging_in : 1;      /* counted in the run's logins in progress */
    unsigned is_bound : 1;        /* counted in the run's bound sessions */
    uint32_t gen;            /* counts this slot's connections: events of a closed one are stale */
    int64_t login_start_ns;
    int64_t deadline_ns;     /* the current step must end by then (login or close) */
    uint32_t inflight;       /* messages it sent that have not come back to anyone */
    uint64_t scheduled;      /* messages sent on the fixed-rate schedule */
    char *in, *out;          /* cap bytes each */
    size_t in_len, out_len, cap;
    char resource[24];
    xl_scram scram;
    struct xl_client *next_dirty;
} xl_client;

#endif
