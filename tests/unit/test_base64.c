/*
 * test_base64.c — the strict SASL base64 codec (src/core/xc_base64.c).
 *
 * Every text handed to the decoder, and every byte string handed to the encoder, sits flush
 * against a PROT_NONE page (support_guard.h), so reading one byte past in_len crashes the test.
 * Output buffers carry canary bytes after out_cap, so writing past it fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support_guard.h"
#include "xc_base64.h"

#define CANARY 0xa5u
#define SLACK 16u

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decodes text[0..len-1] (copied against a guard page) into a buffer of out_cap bytes followed
 * by SLACK canary bytes; checks the canaries and, on failure, that nothing was written. */
static xc_b64_status decode_guarded(const char *text, size_t len, uint8_t *out, size_t out_cap,
                                    size_t *out_len)
{
    uint8_t buf[512 + SLACK];
    char *in = guard_copy(text, len);
    xc_b64_status st;
    size_t i;

    assert_true(out_cap <= 512u);
    memset(buf, CANARY, sizeof buf);
    *out_len = 12345u;
    st = xc_base64_decode(in, len, buf, out_cap, out_len);
    for (i = out_cap; i < out_cap + SLACK; i++)
        assert_int_equal(buf[i], CANARY);
    if (st != XC_B64_OK) {
        assert_int_equal(*out_len, 0);
        for (i = 0; i < out_cap; i++)
            assert_int_equal(buf[i], CANARY);
    } else {
        assert_true(*out_len <= out_cap);
        assert_true(*out_len <= xc_base64_decoded_max(len));
        for (i = *out_len; i < out_cap; i++)
            assert_int_equal(buf[i], CANARY);
    }
    if (out != NULL)
        memcpy(out, buf, out_cap);
    guard_free(in, len);
    return st;
}

static xc_b64_status decode_str(const char *text, uint8_t *out, size_t out_cap, size_t *out_len)
{
    return decode_guarded(text, strlen(text), out, out_cap, out_len);
}

static void expect_bad(const char *text, size_t len)
{
    uint8_t out[512];
    size_t n;
    /* Bad whatever the room: a short buffer must never hide a malformed payload. */
    assert_int_equal(decode_guarded(text, len, out, sizeof out, &n), XC_B64_BAD_ENCODING);
    assert_int_equal(decode_guarded(text, len, out, 0, &n), XC_B64_BAD_ENCODING);
    assert_int_equal(decode_guarded(text, len, out, 1, &n), XC_B64_BAD_ENCODING);
}

static void expect_bad_str(const char *text)
{
    expect_bad(text, strlen(text));
}

/* Encodes bytes (against a guard page) into out_cap chars followed by canaries. */
static xc_b64_status encode_guarded(const void *bytes, size_t len, char *out, size_t out_cap,
                                    size_t *out_len)
{
    char buf[1024 + SLACK];
    uint8_t *in = guard_copy(bytes, len);
    xc_b64_status st;
    size_t i;

    assert_true(out_cap <= 1024u);
    memset(buf, (int)CANARY, sizeof buf);
    *out_len = 12345u;
    st = xc_base64_encode(in, len, buf, out_cap, out_len);
    for (i = out_cap; i < out_cap + SLACK; i++)
        assert_int_equal((uint8_t)buf[i], CANARY);
    if (st != XC_B64_OK) {
        assert_int_equal(*out_len, 0);
        for (i = 0; i < out_cap; i++)
            assert_int_equal((uint8_t)buf[i], CANARY);
    } else {
        assert_int_equal(*out_len, xc_base64_encoded_len(len));
    }
    memcpy(out, buf, out_cap);
    guard_free(in, len);
    return st;
}

/* REQ: B64-01, B64-06 */
static void test_b64_rfc4648_vectors(void **state)
{
    /* RFC 4648 §10 test vectors (same alphabet and padding as RFC 3548 §3). */
    static const char *const plain[] = { "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const coded[] = { "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                         "Zm9vYmFy" };
    uint8_t out[64];
    char enc[64];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        assert_int_equal(decode_str(coded[i], out, sizeof out, &n), XC_B64_OK);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(out, plain[i], n);
        assert_int_equal(encode_guarded(plain[i], strlen(plain[i]), enc, sizeof enc, &n),
                         XC_B64_OK);
        assert_int_equal(n, strlen(coded[i]));
        assert_memory_equal(enc, coded[i], n);
    }
    /* The SASL PLAIN payload of RFC 6120 §13.9.1's example shape. */
    assert_int_equal(decode_str("AGp1bGlldAByMG0zMG15cjBtMzA=", out, sizeof out, &n), XC_B64_OK);
    assert_int_equal(n, 20);
    assert_memory_equal(out, "\0juliet\0r0m30myr0m30", 20);
    assert_int_equal(encode_guarded("\0juliet\0r0m30myr0m30", 20, enc, sizeof enc, &n), XC_B64_OK);
    assert_int_equal(n, 28);
    assert_memory_equal(enc, "AGp1bGlldAByMG0zMG15cjBtMzA=", 28);
    /* Every alphabet character in every position of a full quantum. */
    for (i = 0; i < 64; i++) {
        char q[5] = { 'A', 'A', 'A', 'A', 0 };
        size_t pos;
        for (pos = 0; pos < 4; pos++) {
            q[0] = q[1] = q[2] = q[3] = 'A';
            q[pos] = ALPHABET[i];
            assert_int_equal(decode_str(q, out, sizeof out, &n), XC_B64_OK);
            assert_int_equal(n, 3);
        }
    }
}

/* REQ: B64-05, B64-06 */
static void test_b64_equals_alone_is_empty(void **state)
{
    uint8_t out[8];
    char enc[8];
    size_t n;

    (void)state;
    /* RFC 3920 §6.2 / RFC 6120 §6.4.2: "=" is an empty response. */
    assert_int_equal(decode_str("=", out, sizeof out, &n), XC_B64_OK);
    assert_int_equal(n, 0);
    assert_int_equal(decode_str("=", out, 0, &n), XC_B64_OK);
    assert_int_equal(n, 0);
    assert_int_equal(xc_base64_decode("=", 1, NULL, 0, &n), XC_B64_OK);
    assert_int_equal(n, 0);
    /* The empty text: also zero bytes (the caller tells "absent" from "="). */
    assert_int_equal(decode_guarded("", 0, out, sizeof out, &n), XC_B64_OK);
    assert_int_equal(n, 0);
    assert_int_equal(xc_base64_decode(NULL, 0, NULL, 0, &n), XC_B64_OK);
    assert_int_equal(n, 0);
    /* And the encoder sends an empty payload as "=". */
    assert_int_equal(xc_base64_encoded_len(0), 1);
    assert_int_equal(encode_guarded("", 0, enc, sizeof enc, &n), XC_B64_OK);
    assert_int_equal(n, 1);
    assert_int_equal(enc[0], '=');
    assert_int_equal(xc_base64_encode(NULL, 0, enc, 1, &n), XC_B64_OK);
    assert_int_equal(n, 1);
    assert_int_equal(encode_guarded("", 0, enc, 0, &n), XC_B64_NO_ROOM);
    /* "=" is only special alone: "==", "===", "=\n" are bad. */
    expect_bad_str("==");
    expect_bad_str("===");
    expect_bad_str("====");
    expect_bad_str("=\n");
    expect_bad_str(" =");
}

/* REQ: B64-04 */
static void test_b64_whitespace_rejected(void **state)
{
    static const char *const bad[] = {
        " Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n", "\nZm9v", "Zm9v\r\n", "Zm\n9v", "Zm9v\tYmFy",
        "Zm9vYmFy\n", "Zm9v\nYmFy", "Zg== ", "Zg==\n", " Zg==", "Zg=\n=", "Zm8 =", "Zm9\x0b",
        "Zm9\x0c", "\r\nZm9vYmFy", "Zm9vYmF y", "    ",
        /* 76-column MIME line breaks (RFC 2045) are not allowed either (RFC 3548 §2.1). */
        "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9v\r\nYmFy",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_bad_str(bad[i]);
}

/* REQ: B64-02 */
static void test_b64_padding_position(void **state)
{
    static const char *const bad[] = {
        "=AAA", "BBBB=CCC", "AA=A", "A===", "A=AA", "AA==AA==", "Zg==Zg==", "Zm8=Zm9v",
        "Zm9vYmFy====", "Zm9v=", "Zg===", "=Zg=", "AAA=AAAA", "==AA",
    };
    uint8_t out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_bad_str(bad[i]);
    /* One and two pad characters at the very end are the only legal padding. */
    assert_int_equal(decode_str("AAA=", out, sizeof out, &n), XC_B64_OK);
    assert_int_equal(n, 2);
    assert_int_equal(decode_str("AA==", out, sizeof out, &n), XC_B64_OK);
    assert_int_equal(n, 1);
}

/* REQ: B64-02 */
static void test_b64_length_not_multiple_of_4(void **state)
{
    static const char *const bad[] = {
        "A", "AA", "AAA", "AAAAA", "AAAAAA", "AAAAAAA", "Zg", "Zg=", "Zm8", "Zm9vYg=", "Zm9vYmE",
        "Zm9vY",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_bad_str(bad[i]);
}

/* REQ: B64-03 */
static void test_b64_pad_bits_nonzero(void **state)
{
    uint8_t out[64];
    size_t n, i;

    (void)state;
    /* RFC 6120 §13.9.1: the unused bits of the last character must be zero. */
    expect_bad_str("AGp1bGlldAByMG0zMG15cjBtMzB=");
    assert_int_equal(decode_str("AGp1bGlldAByMG0zMG15cjBtMzA=", out, sizeof out, &n), XC_B64_OK);
    assert_int_equal(n, 20);
    assert_memory_equal(out, "\0juliet\0r0m30myr0m30", 20);
    /* With "==", the last 4 bits of the second character are unused: only values % 16 == 0
     * (A, Q, g, w) are accepted. With "=", the last 2 bits of the third: values % 4 == 0. */
    for (i = 0; i < 64; i++) {
        char two[5] = { 'Q', ALPHABET[i], '=', '=', 0 };
        char one[5] = { 'Q', 'U', ALPHABET[i], '=', 0 };
        xc_b64_status st2 = decode_str(two, out, sizeof out, &n);
        xc_b64_status st1 = decode_str(one, out, sizeof out, &n);
        assert_int_equal(st2, i % 16 == 0 ? XC_B64_OK : XC_B64_BAD_ENCODING);
        assert_int_equal(st1, i % 4 == 0 ? XC_B64_OK : XC_B64_BAD_ENCODING);
    }
    expect_bad_str("QR==");
    expect_bad_str("Zm9=");
    expect_bad_str("Zm9vYh==");
}

/* REQ: B64-01 */
static void test_b64_non_alphabet_bytes(void **state)
{
    unsigned c;
    size_t pos;

    (void)state;
    /* Every byte value outside the alphabet, '=' aside, in every position of a quantum:
     * NUL, controls, '-' and '_' (base64url, RFC 4648 §5), '.', 0x7f and 0x80-0xff. */
    for (c = 0; c < 256; c++) {
        if (c == '=' || (c != 0 && memchr(ALPHABET, (int)c, 64) != NULL))
            continue;
        for (pos = 0; pos < 8; pos++) {
            char q[8];
            memcpy(q, "QUJDREU=", 8); /* "ABCDE" */
            q[pos] = (char)c;
            expect_bad(q, 8);
        }
    }
}

/* REQ: B64-07 */
static void test_b64_no_room(void **state)
{
    uint8_t out[16];
    char enc[16];
    size_t cap, n;

    (void)state;
    /* "foobar" needs 6 bytes; every smaller buffer is refused and left untouched. */
    for (cap = 0; cap < 6; cap++)
        assert_int_equal(decode_str("Zm9vYmFy", out, cap, &n), XC_B64_NO_ROOM);
    assert_int_equal(decode_str("Zm9vYmFy", out, 6, &n), XC_B64_OK);
    assert_int_equal(n, 6);
    /* Padding lowers the need: "Zm9vYg==" is 4 bytes, "Zm9vYmE=" 5. */
    assert_int_equal(decode_str("Zm9vYg==", out, 3, &n), XC_B64_NO_ROOM);
    assert_int_equal(decode_str("Zm9vYg==", out, 4, &n), XC_B64_OK);
    assert_int_equal(n, 4);
    assert_int_equal(decode_str("Zm9vYmE=", out, 4, &n), XC_B64_NO_ROOM);
    assert_int_equal(decode_str("Zm9vYmE=", out, 5, &n), XC_B64_OK);
    assert_int_equal(n, 5);
    assert_int_equal(xc_base64_decode("Zg==", 4, NULL, 0, &n), XC_B64_NO_ROOM);
    assert_int_equal(n, 0);
    /* A bad text is bad even when it would not fit. */
    assert_int_equal(decode_str("Zm9vYmF\n", out, 0, &n), XC_B64_BAD_ENCODING);
    /* Encoder: "foobar" needs 8 chars, "f" needs 4. */
    for (cap = 0; cap < 8; cap++)
        assert_int_equal(encode_guarded("foobar", 6, enc, cap, &n), XC_B64_NO_ROOM);
    assert_int_equal(encode_guarded("foobar", 6, enc, 8, &n), XC_B64_OK);
    for (cap = 0; cap < 4; cap++)
        assert_int_equal(encode_guarded("f", 1, enc, cap, &n), XC_B64_NO_ROOM);
    assert_int_equal(encode_guarded("f", 1, enc, 4, &n), XC_B64_OK);
}

/* REQ: B64-06, B64-07 */
static void test_b64_length_helpers(void **state)
{
    (void)state;
    assert_int_equal(xc_base64_encoded_len(0), 1);
    assert_int_equal(xc_base64_encoded_len(1), 4);
    assert_int_equal(xc_base64_encoded_len(2), 4);
    assert_int_equal(xc_base64_encoded_len(3), 4);
    assert_int_equal(xc_base64_encoded_len(4), 8);
    assert_true(xc_base64_encoded_len(XC_B64_ENCODE_MAX_IN) == (SIZE_MAX / 4u) * 4u);
    assert_true(xc_base64_encoded_len(XC_B64_ENCODE_MAX_IN - 1u) == (SIZE_MAX / 4u) * 4u);
    /* Past the limit the length would wrap: 0, never a short length. */
    assert_true(xc_base64_encoded_len(XC_B64_ENCODE_MAX_IN + 1u) == 0u);
    assert_true(xc_base64_encoded_len(SIZE_MAX) == 0u);
    assert_int_equal(xc_base64_decoded_max(0), 0);
    assert_int_equal(xc_base64_decoded_max(1), 0);
    assert_int_equal(xc_base64_decoded_max(4), 3);
    assert_int_equal(xc_base64_decoded_max(7), 3);
    assert_int_equal(xc_base64_decoded_max(8), 6);
    assert_true(xc_base64_decoded_max(SIZE_MAX) == (SIZE_MAX / 4u) * 3u);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* REQ: B64-06 */
static void test_b64_roundtrip_random(void **state)
{
    uint8_t plain[300], back[300];
    char enc[400];
    size_t it, len, i, n, m;

    (void)state;
    for (it = 0; it < 10000; it++) {
        len = (size_t)(rng_next() % (it < 1000 ? 8u : sizeof plain));
        for (i = 0; i < len; i++)
            plain[i] = (uint8_t)rng_next();
        assert_int_equal(encode_guarded(plain, len, enc, sizeof enc, &n), XC_B64_OK);
        assert_int_equal(n, xc_base64_encoded_len(len));
        for (i = 0; i < n; i++)
            assert_true(strchr(ALPHABET, enc[i]) != NULL || enc[i] == '=');
        assert_int_equal(decode_guarded(enc, n, back, sizeof back, &m), XC_B64_OK);
        assert_int_equal(m, len);
        if (len > 0)
            assert_memory_equal(back, plain, len);
        /* Exact-size output is enough. */
        assert_int_equal(decode_guarded(enc, n, back, len, &m), XC_B64_OK);
        assert_int_equal(m, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_rfc4648_vectors),
        cmocka_unit_test(test_b64_equals_alone_is_empty),
        cmocka_unit_test(test_b64_whitespace_rejected),
        cmocka_unit_test(test_b64_padding_position),
        cmocka_unit_test(test_b64_length_not_multiple_of_4),
        cmocka_unit_test(test_b64_pad_bits_nonzero),
        cmocka_unit_test(test_b64_non_alphabet_bytes),
        cmocka_unit_test(test_b64_no_room),
        cmocka_unit_test(test_b64_length_helpers),
        cmocka_unit_test(test_b64_roundtrip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
