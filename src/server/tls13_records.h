/*
 * tls13_records.h — the record layer of an established TLS 1.3 session (RFC 8446 §5), run by
 * xmppd once OpenSSL has handed the session over (tls.c, xs_tls_trim).
 *
 * Why: after the handshake OpenSSL 3 keeps ~14 KiB per connection (the SSL object alone is
 * 7.6 KiB), most of what an idle client stream costs (bench/README-c2s.md). Past both Finished
 * messages a TLS 1.3 session is two application traffic secrets and two record counters; an
 * idle stream's session moves here and its SSL object is freed.
 *
 * Scope: the server side after the handshake, with TLS_AES_128_GCM_SHA256,
 * TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256. What it does:
 *   - application data both ways, in records of at most 2^14 bytes (§5.1), from input split
 *     anywhere; the per-record nonce is the IV xor the record number (§5.3);
 *   - the peer's KeyUpdate (§4.6.3), answered with our own when it asks; our own KeyUpdate
 *     before a key has sealed 2^24 records (§5.5 limits AES-GCM to 2^24.5);
 *   - close_notify both ways (§6.1); user_canceled ignored; any other alert from the peer ends
 *     the session;
 *   - what the RFC makes fatal ends the session with the alert it names, sent to the peer:
 *     bad_record_mac (a record that does not authenticate, §5.2), record_overflow (§5.1, §5.2),
 *     unexpected_message (a record type or post-handshake message not allowed here, §5, §5.4),
 *     decode_error, illegal_parameter (§4.6.3).
 * Refused with unexpected_message although the RFC allows them: post-handshake messages other
 * than KeyUpdate (a server never asked for them: no tickets are sent to clients, no post-handshake
 * authentication) and a handshake message split across records (a KeyUpdate is 5 bytes).
 *
 * Every buffer is bounded: input by XS_TLS13_IN_MAX (the transport stops reading long before),
 * output by what the caller writes and drains.
 */
#ifndef XS_TLS13_RECORDS_H
#define XS_TLS13_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

#define XS_TLS13_SECRET_MAX 48u              /* SHA-384 */
#define XS_TLS13_IN_MAX (1024u * 1024u)      /* ciphertext waiting to be read */

typedef struct xs_tls13 xs_tls13;

/* The session whose cipher suite is `suite` (its IANA number: 0x1301, 0x1302, 0x1303), with
 * the current application traffic secrets of both directions (secret_len is the suite's hash
 * length) and the number of the next record each way. NULL for another suite, a wrong length
 * or no memory. The secrets are copied; the caller wipes its own. */
xs_tls13 *xs_tls13_new(uint16_t suite, const uint8_t *read_secret, const uint8_t *write_secret, size_t secret_len,
                       uint64_t read_seq, uint64_t write_seq);
void xs_tls13_free(xs_tls13 *s);     /* secrets and keys wiped */

/* Ciphertext from the peer. 0, or -1 when it would pass XS_TLS13_IN_MAX or memory failed. */
int xs_tls13_put(xs_tls13 *s, const uint8_t *data, size_t len);
/* Application data: XS_TLS_OK with *n > 0 bytes in buf, XS_TLS_AGAIN (needs ciphertext),
 * XS_TLS_CLOSED (close_notify), XS_TLS_ERROR (xs_tls13_error says why; the alert, if any, is
 * in the output). Drain the output after every call (a KeyUpdate answer may be there). */
xs_tls_status xs_tls13_read(xs_tls13 *s, uint8_t *buf, size_t cap, size_t *n);
/* Seals data into records. XS_TLS_OK, or XS_TLS_ERROR after a failure or a close. */
xs_tls_status xs_tls13_write(xs_tls13 *s, const uint8_t *data, size_t len);
/* Our KeyUpdate (§4.6.3): the write key changes after it; with request_peer the peer is asked
 * to change its own. XS_TLS_OK or XS_TLS_ERROR. */
xs_tls_status xs_tls13_key_update(xs_tls13 *s, int request_peer);
void xs_tls13_close(xs_tls13 *s);    /* close_notify, once; nothing can be written after it */

size_t xs_tls13_out_len(const xs_tls13 *s);
size_t xs_tls13_out_take(xs_tls13 *s, uint8_t *buf, size_t cap);
/* Idle: frees the cipher contexts (re-keyed from the kept keys at the next record) and the
 * empty input buffer (the output buffer goes whenever it is drained). */
void xs_tls13_trim(xs_tls13 *s);
const char *xs_tls13_error(const xs_tls13 *s);

#endif
