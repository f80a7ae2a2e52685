/*
 * tls.h — OpenSSL 3 over memory BIOs: TLS stays inside the shell, the socket stays with libuv.
 *
 * Ciphertext from the socket goes in with xs_tls_put; handshake, read and write run on the
 * SSL object; whatever OpenSSL wants to send (handshake flights, alerts, TLS 1.3 tickets and
 * KeyUpdate answers, application data, close_notify) collects in the write BIO, which the caller
 * drains with xs_tls_out_take after *every* call (DESIGN.md Known traps).
 *
 * Policy (DESIGN.md Decisions): TLS 1.2 and 1.3 only; one certificate per virtual host, chosen
 * by SNI when the client names a served host, else by the stream's host; renegotiation — which
 * OpenSSL 3 only answers with a warning alert — is detected in the info callback and reported
 * as XS_TLS_RENEGOTIATION so the caller closes the connection; no session resumption (tls-unique
 * stays the client's Finished of a full handshake); SSL_MODE_RELEASE_BUFFERS.
 */
#ifndef XS_TLS_H
#define XS_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "xc_certname.h"

typedef struct xs_tls_ctx xs_tls_ctx;   /* server-wide: one SSL_CTX per virtual host */
typedef struct xs_tls xs_tls;           /* one connection */

typedef enum xs_tls_status {
    XS_TLS_OK = 0,           /* done (handshake complete, data read, data written) */
    XS_TLS_AGAIN,            /* needs more ciphertext from the peer */
    XS_TLS_CLOSED,           /* the peer sent close_notify */
    XS_TLS_RENEGOTIATION,    /* the peer tried to renegotiate: close the connection */
    XS_TLS_ERROR             /* fatal: xs_tls_error says why */
} xs_tls_status;

#define XS_TLS_CB_MAX 64u

/* Loads every host's certificate and key. NULL with a reason in err. */
xs_tls_ctx *xs_tls_ctx_new(const xs_config *cfg, char *err, size_t err_len);
void xs_tls_ctx_ref(xs_tls_ctx *c);
void xs_tls_ctx_unref(xs_tls_ctx *c);

/* The s2s contexts: for every host, a receiving side that asks the peer server for a
 * certificate (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT) and an initiating side that
 * presents the host's certificate as the TLS client certificate on every outbound connection
 * (DESIGN.md Known traps, Prosody). Peer chains are verified against ca_path ("" = OpenSSL's
 * default verify paths), and the verdict is only recorded, never fatal: a self-signed peer still
 * gets TLS and dialback (xs_tls_peer_names). Same versions and ciphers as c2s. NULL with a reason
 * in err. */
xs_tls_ctx *xs_tls_s2s_ctx_new(const xs_config *cfg, const char *ca_path, char *err, size_t err_len);

/* A server-side TLS session whose default certificate is the one of `host` (the stream's). On
 * an s2s context the peer's certificate is asked for. */
xs_tls *xs_tls_new(xs_tls_ctx *c, const char *host);
/* A client-side session of an s2s context: presents our_host's certificate, SNI = peer_domain.
 * NULL when c is not an s2s context, our_host is not served, or OpenSSL fails. */
xs_tls *xs_tls_new_client(xs_tls_ctx *c, const char *our_host, const char *peer_domain);
void xs_tls_free(xs_tls *t);

/* Ciphertext received from the peer. 0, or -1 when it could not be buffered. */
int xs_tls_put(xs_tls *t, const uint8_t *data, size_t len);
xs_tls_status xs_tls_handshake(xs_tls *t);
/* Plaintext into buf: XS_TLS_OK with *n > 0, or AGAIN / CLOSED / RENEGOTIATION / ERROR. */
xs_tls_status xs_tls_read(xs_tls *t, uint8_t *buf, size_t cap, size_t *n);
/* Encrypts data; when OpenSSL needs to read first (WANT_READ) the bytes wait inside and go out
 * after the next xs_tls_read. XS_TLS_OK or XS_TLS_ERROR. */
xs_tls_status xs_tls_write(xs_tls *t, const uint8_t *data, size_t len);
/* Queues close_notify (once). */
void xs_tls_close(xs_tls *t);

/* Bytes waiting in the write BIO, and taking them out. */
size_t xs_tls_out_len(const xs_tls *t);
size_t xs_tls_out_take(xs_tls *t, uint8_t *buf, size_t cap);
/* Plaintext waiting for a WANT_READ to clear. */
size_t xs_tls_plain_pending(const xs_tls *t);
/* An idle session gives back its memory. A TLS 1.3 server session at rest (nothing buffered
 * either way, no KeyUpdate so far) is handed over to tls13_records.c and its SSL object freed
 * (~14 KiB); after that the queries below that need the SSL object (channel binding, client
 * certificate, peer names) report nothing, so callers take them when the handshake completes.
 * Otherwise, when both memory BIOs are empty and no plaintext waits, they are replaced by fresh
 * ones (a memory BIO keeps the largest buffer it ever held). A handed-over session frees its
 * cipher contexts and empty buffers. Nothing a peer can see changes. */
void xs_tls_trim(xs_tls *t);
/* 1 once the session runs in tls13_records.c. */
int xs_tls_handed_over(const xs_tls *t);

/* After the handshake: channel-binding data for SCRAM-*-PLUS — tls-exporter (RFC 9266, label
 * "EXPORTER-Channel-Binding", 32 bytes) on TLS 1.3, tls-unique (RFC 5929: the first Finished of
 * the handshake) on TLS 1.2 when extended master secret was negotiated. 0 on success. */
int xs_tls_channel_binding(const xs_tls *t, uint8_t *out, size_t cap, size_t *len, const char **type);

/* tls-unique on TLS 1.3 too: the client's Finished. RFC 9266 leaves tls-unique undefined for
 * TLS 1.3, but clients send it there (slixmpp 1.8.3, through Python's ssl module, which takes
 * the client's Finished); DESIGN.md: the binding type is read from the client's first message
 * and the matching data installed. 0 with *len set, or -1 (TLS 1.2: use xs_tls_channel_binding). */
int xs_tls_unique_13(const xs_tls *t, uint8_t *out, size_t cap, size_t *len);
/* After the handshake: the client's certificate under the c2s_client_certs policy of `host`
 * (the stream's host). VERIFIED: the chain verified against the host's client_ca (and
 * client_crl) and names exactly one account of host in the configured place — jid (cap bytes)
 * holds it as "user@host", for EXTERNAL. REFUSED: the host requires a certificate and this one
 * is missing or failed verification. NONE otherwise (no certificate asked for or sent, or a
 * verified one that names no single account: the stream goes on without EXTERNAL). *why is a
 * static reason for the log, NULL when no certificate was asked for or none was sent. */
xc_c2s_client_cert xs_tls_client_cert(const xs_tls *t, const char *host, char *jid, size_t cap, const char **why);
/* After the handshake: the identifiers the peer's certificate presents, for xc_certname_match
 * (src/core/xc_certname.h): subjectAltName dNSName (XC_CN_DNS), otherName id-on-dnsSRV
 * 1.3.6.1.5.5.7.8.7 (XC_CN_SRV, IA5String), otherName id-on-xmppAddr 1.3.6.1.5.5.7.8.5
 * (XC_CN_XMPPADDR, UTF8String), and the subject's commonName (XC_CN_COMMON_NAME), in that
 * certificate's order, the CN last. Their text is copied into buf (values point into it; they
 * are not NUL-terminated); a value that is empty, holds a NUL, or is longer than XC_CN_NAME_MAX
 * is skipped. *chain_ok = 1 when a certificate was presented and its chain verified against the
 * context's CAs. Returns 0, or -1 when some identifier did not fit in names (cap) or buf: what
 * fitted is there, and *n counts it. No certificate: 0 with *n = 0, *chain_ok = 0. */
int xs_tls_peer_names(const xs_tls *t, xc_cn_name *names, uint32_t cap, uint32_t *n, char *buf, size_t buf_cap,
                      int *chain_ok);
/* Why the peer's chain did not verify, for logs: "" when it did, "no certificate", or
 * OpenSSL's reason. */
const char *xs_tls_peer_verify_error(const xs_tls *t);
const char *xs_tls_version(const xs_tls *t);
const char *xs_tls_cipher(const xs_tls *t);
const char *xs_tls_sni(const xs_tls *t);       /* the served host SNI chose, or "" */
const char *xs_tls_error(const xs_tls *t);     /* the last error's reason, for logs */

#endif
