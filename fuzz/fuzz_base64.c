/*
 * fuzz_base64.c — libFuzzer harness for the strict SASL base64 codec (xc_base64.h).
 *
 * The input is used twice: as a base64 text to decode, and as raw bytes to encode. Checks:
 *   - decode into an exact-size buffer and into one byte less; a canary after out_cap must
 *     survive, and on failure nothing before it may change;
 *   - the status does not depend on out_cap except for NO_ROOM (validation comes first);
 *   - canonical form: an accepted text re-encodes to itself ("" re-encodes as "=");
 *   - encode(bytes) decodes back to bytes, with exactly encoded_len characters.
 * Any violation aborts, so libFuzzer records it as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xc_base64.h"

#define FB64_MAX 4096u
#define FB64_CANARY 0x5au
#define FB64_SLACK 8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t dec[FB64_MAX + FB64_SLACK];
static char enc[2u * FB64_MAX + FB64_SLACK];
static uint8_t back[FB64_MAX + FB64_SLACK];

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* Canary bytes from `from` to the end of buf (len bytes) must be intact. */
static void check_canary(const uint8_t *buf, size_t from, size_t len)
{
    size_t i;
    for (i = from; i < len; i++)
        CHECK(buf[i] == FB64_CANARY);
}

static xc_b64_status decode_capped(const char *text, size_t len, size_t cap, size_t *n)
{
    xc_b64_status st;
    memset(dec, FB64_CANARY, cap + FB64_SLACK);
    *n = 777u;
    st = xc_base64_decode(text, len, dec, cap, n);
    CHECK(st == XC_B64_OK || st == XC_B64_BAD_ENCODING || st == XC_B64_NO_ROOM);
    if (st == XC_B64_OK) {
        CHECK(*n <= cap && *n <= xc_base64_decoded_max(len));
        check_canary(dec, *n, cap + FB64_SLACK);
    } else {
        CHECK(*n == 0u);
        check_canary(dec, 0, cap + FB64_SLACK);
    }
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t need, n, m, e;
    xc_b64_status st, st_full;

    if (size > FB64_MAX)
        return 0;

    /* 1. Decode with ample room, learn the exact need. */
    st_full = decode_capped(text, size, xc_base64_decoded_max(size), &need);
    CHECK(st_full != XC_B64_NO_ROOM);
    if (st_full == XC_B64_OK) {
        memcpy(back, dec, need);
        /* 2. Exact size works and gives the same bytes; one less is NO_ROOM. */
        st = decode_capped(text, size, need, &n);
        CHECK(st == XC_B64_OK && n == need && memcmp(dec, back, need) == 0);
        if (need > 0u) {
            st = decode_capped(text, size, need - 1u, &n);
            CHECK(st == XC_B64_NO_ROOM);
        }
        /* 3. Canonical: the accepted text is the encoder's output for those bytes. */
        memset(enc, FB64_CANARY, sizeof enc);
        st = xc_base64_encode(back, need, enc, sizeof enc - FB64_SLACK, &e);
        CHECK(st == XC_B64_OK && e == xc_base64_encoded_len(need));
        if (size == 0u)
            CHECK(e == 1u && enc[0] == '='); /* "" and "=" both mean empty; "=" is canonical */
        else
            CHECK(e == size && memcmp(enc, text, size) == 0);
    } else {
        /* A bad text stays bad with no room at all: validation precedes the room check. */
        st = decode_capped(text, size, 0u, &n);
        CHECK(st == XC_B64_BAD_ENCODING);
    }

    /* 4. The input as raw bytes: encode exactly, one short, then decode back. */
    e = xc_base64_encoded_len(size);
    CHECK(e >= 1u && e <= sizeof enc - FB64_SLACK);
    memset(enc, FB64_CANARY, e + FB64_SLACK);
    st = xc_base64_encode(data, size, enc, e - 1u, &n);
    CHECK(st == XC_B64_NO_ROOM && n == 0u);
    check_canary((const uint8_t *)enc, 0, e + FB64_SLACK);
    st = xc_base64_encode(data, size, enc, e, &n);
    CHECK(st == XC_B64_OK && n == e);
    check_canary((const uint8_t *)enc, e, e + FB64_SLACK);
    memset(back, FB64_CANARY, size + FB64_SLACK);
    st = xc_base64_decode(enc, n, back, size, &m);
    CHECK(st == XC_B64_OK && m == size && memcmp(back, data, size) == 0);
    check_canary(back, size, size + FB64_SLACK);
    return 0;
}
