/*
 * xc_hmac.h — the SHA-256 and HMAC-SHA256 interface libxcore needs for dialback keys
 * (XEP-0185 §2; RFC 3920 §8.3 steps 4 and 8).
 *
 * libxcore links no library (DESIGN.md "The core is sans-I/O"): the two hash functions come in
 * through these plain extern functions, implemented for the server, the tests and the fuzzers by
 * src/server/adapter_hmac_openssl.c (OpenSSL 3). The proof of the core is relative to the
 * contracts below, which are *assumed*, never proven (proofs/REPORT.md lists them as such).
 * Plain functions, not pointers in a context, because WP cannot follow function pointers.
 * Keys and messages are text (char): the core builds them from names and hex digits, and WP's
 * typed memory model proves nothing across a char / uint8_t pointer cast.
 */
#ifndef XC_HMAC_H
#define XC_HMAC_H

#include "xc_base.h"

#define XC_SHA256_LEN 32u
/* The longest message or key the core ever hashes: two domains of 1023 bytes, a stream id and
 * the separators fit well below it (xc_dialback.h). */
#define XC_HMAC_IN_MAX 4096u

/* out = SHA-256(msg[0 .. len-1]). */
/*@ requires len <= XC_HMAC_IN_MAX;
    requires len == 0 || \valid_read(msg + (0 .. len - 1));
    requires \valid(out + (0 .. XC_SHA256_LEN - 1));
    requires \separated(out + (0 .. XC_SHA256_LEN - 1), msg + (0 .. len - 1));
    assigns out[0 .. XC_SHA256_LEN - 1] \from msg[0 .. len - 1], len;
    ensures \initialized(out + (0 .. XC_SHA256_LEN - 1));
*/
void xc_sha256(const char *msg, size_t len, uint8_t *out);

/* out = HMAC-SHA256(key[0 .. key_len-1], msg[0 .. msg_len-1]) (RFC 2104). */
/*@ requires key_len <= XC_HMAC_IN_MAX && msg_len <= XC_HMAC_IN_MAX;
    requires key_len == 0 || \valid_read(key + (0 .. key_len - 1));
    requires msg_len == 0 || \valid_read(msg + (0 .. msg_len - 1));
    requires \valid(out + (0 .. XC_SHA256_LEN - 1));
    requires \separated(out + (0 .. XC_SHA256_LEN - 1), key + (0 .. key_len - 1), msg + (0 .. msg_len - 1));
    assigns out[0 .. XC_SHA256_LEN - 1] \from key[0 .. key_len - 1], key_len, msg[0 .. msg_len - 1], msg_len;
    ensures \initialized(out + (0 .. XC_SHA256_LEN - 1));
*/
void xc_hmac_sha256(const char *key, size_t key_len, const char *msg, size_t msg_len, uint8_t *out);

#endif
