/*
 * b64.h — base64 (RFC 4648 §4, padded, no line breaks) for SASL payloads.
 *
 * Both directions write into a caller's buffer of a stated capacity and fail rather than write
 * past it. Decoding is strict: the length must be a multiple of four and only the alphabet and
 * trailing '=' are accepted (SASL in XMPP forbids whitespace inside the payload).
 */
#ifndef XL_B64_H
#define XL_B64_H

#include <stddef.h>
#include <stdint.h>

/* Bytes the encoding of len bytes takes, without a NUL. */
#define XL_B64_ENCODED_LEN(len) ((((len) + 2u) / 3u) * 4u)

/* Encodes in[0..len) into out (NUL-terminated). 0: done, *out_len set; -1: cap too small. */
int xl_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len);

/* Decodes in[0..len) into out. 0: done, *out_len set; -1: malformed or cap too small. */
int xl_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
