/*
 * sasl_server.h — Cyrus libsasl2 behind the c2s core's SASL effects (DESIGN.md "Dependencies",
 * "Passwords at rest", "Channel binding", Known traps "Cyrus SASL").
 *
 * The core decides which mechanism is offered and decodes base64; when it raises
 * XC_C2S_FX_SASL_START or XC_C2S_FX_SASL_STEP the shell calls xs_sasl_start / xs_sasl_step with
 * the decoded bytes, and hands the outcome to xc_c2s_sasl_result. Accounts live in our SQLite
 * store (src/server/store_sqlite.*) through an in-process auxprop plugin; no password is ever
 * stored or logged, and an unknown user fails exactly like a wrong password.
 *
 * Single-threaded: one process-wide init, one session per stream, all calls from the loop thread.
 */
#ifndef XS_SASL_SERVER_H
#define XS_SASL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "xc_c2s.h"

typedef struct xs_sasl_config {
    const char *store_path;      /* the SQLite account store (created mode 0600 if missing) */
    const char *service;         /* "xmpp" */
} xs_sasl_config;

/* Once per process, before privileges drop. 0 on success; otherwise -1 with a reason in err. */
int xs_sasl_init(const xs_sasl_config *cfg, char *err, size_t err_len);
void xs_sasl_shutdown(void);

/* What the TLS layer of a stream knows when SASL starts. */
typedef struct xs_tls_facts {
    int secure;                  /* TLS is up */
    const uint8_t *cb_data;      /* channel-binding data for cb_type (NULL: none) */
    size_t cb_len;
    const char *cb_type;         /* "tls-exporter" (TLS 1.3) or "tls-unique" (TLS 1.2), or NULL */
    const char *cert_jid;        /* the bare JID a verified client certificate names, or NULL */
} xs_tls_facts;

typedef struct xs_sasl_session xs_sasl_session;

/* A session for one stream authenticating against `host` (the stream's domain: the realm). */
xs_sasl_session *xs_sasl_session_new(const char *host, const xs_tls_facts *tls);
void xs_sasl_session_free(xs_sasl_session *s);

/* Data for a second channel-binding type ("tls-exporter" or "tls-unique", at most 64 bytes)
 * besides tls->cb_type, on a secure session between exchanges. A SCRAM client-first message
 * names the type it binds to ("p=tls-unique,"); the session installs that type's data for the
 * attempt, and a type it has no data for fails with malformed-request, not as a credential
 * failure (DESIGN.md "Channel binding"). 0 on success, -1 when refused. */
int xs_sasl_session_add_binding(xs_sasl_session *s, const char *type, const uint8_t *data, size_t len);

/* Runs the first step of `mech` with the client's initial response (present = 0: none was
 * sent; present = 1 and len = 0: an empty one), or the next step with a response. *out is filled
 * for xc_c2s_sasl_result; its pointers stay valid until the next call on this session.
 * SASL_NOAUTHZ maps to invalid-authzid, SASL_NOUSER/SASL_BADAUTH to not-authorized (the same
 * bytes for both), a store failure to temporary-auth-failure. On success out->user is the
 * JID's node, taken from SASL_USERNAME after the proxy policy. */
void xs_sasl_start(xs_sasl_session *s, xc_mech mech, const uint8_t *data, size_t len, int present,
                   xc_c2s_sasl_outcome *out);
void xs_sasl_step(xs_sasl_session *s, const uint8_t *data, size_t len, xc_c2s_sasl_outcome *out);

/* After a FAILURE outcome: 1 when it was a credential failure (wrong password, unknown user,
 * wrong SCRAM proof or channel-binding data), the kind the shell's per-address budget counts;
 * 0 for everything else (a channel-binding type this stream cannot give — DESIGN.md "Channel
 * binding" —, an authzid refused, a store failure, a mechanism not usable here). Other failure
 * conditions: a binding type mismatch is malformed-request, a mechanism this session cannot run
 * (no TLS, no certificate, no binding data) invalid-mechanism. */
int xs_sasl_credential_failure(const xs_sasl_session *s);

#endif
