/*
 * net.h — the transport of one client: a non-blocking TCP socket from a chosen loopback source
 * address, then TLS 1.3 over it (OpenSSL on the file descriptor), reading into and writing from
 * the client's bounded buffers. It knows nothing of XMPP.
 *
 * Return a status and let the caller decide: no function here closes a connection on its own
 * except xl_net_close.
 */
#ifndef XL_NET_H
#define XL_NET_H

#include <netinet/in.h>
#include <stdint.h>

#include "client.h"

typedef enum { XL_IO_OK, XL_IO_AGAIN, XL_IO_EOF, XL_IO_ERR } xl_io;

/* The client context: TLS 1.3 only, the server's certificate verified against ca_file, no
 * session cache (every login is a full handshake). NULL with a message in err. */
SSL_CTX *xl_net_tls_ctx(const char *ca_file, char *err, size_t err_cap);

/* Buffers of cap bytes each, a socket bound to src (network order, port chosen at connect so
 * that the 4-tuple, not the source port, must be unique), TCP_NODELAY, and a non-blocking
 * connect to dst registered with ep; the epoll data is (c->index << 32 | c->gen). 0 or -1
 * (errno). */
int xl_net_open(xl_client *c, int ep, uint32_t src, const struct sockaddr_in *dst, size_t cap);

/* After the socket became writable while connecting: 0 connected, -1 failed (errno). */
int xl_net_connected(xl_client *c);

/* Starts TLS on the connected socket, naming and verifying `host`. 0 or -1. */
int xl_net_tls_start(xl_client *c, SSL_CTX *ctx, const char *host);

/* One handshake step: 1 done, 0 waiting for the socket, -1 failed (reason in err). */
int xl_net_tls_step(xl_client *c, char *err, size_t err_cap);

/* Reads what fits into c->in (through TLS once it is up). OK: bytes were appended. EOF: the
 * peer closed. ERR: reset, TLS failure, or no room left (an element larger than the buffer). */
xl_io xl_net_read(xl_client *c);

/* Appends len bytes to c->out. 0, or -1 when they do not fit (nothing is appended). */
int xl_net_queue(xl_client *c, const char *data, size_t len);

/* Writes what c->out holds. 0: all written or the socket is full; -1: failed. */
int xl_net_flush(xl_client *c);

/* Registers the events the client waits for now. */
void xl_net_watch(xl_client *c, int ep);

/* Sends close_notify when TLS is up and `graceful`, closes the socket, frees the buffers. */
void xl_net_close(xl_client *c, int graceful);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384 x25519" for an established session. */
void xl_net_tls_describe(const xl_client *c, char *out, size_t cap);

#endif
