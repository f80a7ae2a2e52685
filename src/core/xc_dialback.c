/*
 * xc_dialback.c — see xc_dialback.h.
 */
#include "xc_dialback.h"

/* One lowercase hex digit (computed, not looked up: WP sees no const table contents). */
/*@ requires d <= 15;
    assigns \nothing;
    ensures ('0' <= \result <= '9') || ('a' <= \result <= 'f');
*/
static char hex_digit(uint32_t d)
{
    return d < 10u ? (char)('0' + (int)d) : (char)('a' + (int)(d - 10u));
}

/* Lowercase hex of in[0 .. n-1] into out[0 .. 2n-1] (XEP-0185 §2: "hash output MUST be in
 * hexadecimal"; Prosody and ejabberd write lowercase). */
/*@ requires n <= XC_SHA256_LEN && \valid_read(in + (0 .. n - 1)) && \valid(out + (0 .. 2 * n - 1));
    requires \initialized(in + (0 .. n - 1));
    assigns out[0 .. 2 * n - 1];
    ensures xc_db_hex_text(out, 2 * n);
*/
static void to_hex(const uint8_t *in, uint32_t n, char *out)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= n;
        loop invariant xc_db_hex_text(out, 2 * i);
        loop assigns i, out[0 .. 2 * n - 1];
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        out[2u * i] = hex_digit((uint32_t)in[i] / 16u);
        out[2u * i + 1u] = hex_digit((uint32_t)in[i] % 16u);
    }
}

void xc_db_secret_init(xc_db_secret *k, const char *secret, size_t len)
{
    uint8_t digest[XC_SHA256_LEN];

    xc_sha256(secret, len, digest);
    to_hex(digest, XC_SHA256_LEN, k->k);
}

/* 1 when s is a usable domain for the message: 1..XC_DB_NAME_MAX bytes, no U+0020. */
/*@ requires xc_str_valid(s);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> (1 <= s.len <= XC_DB_NAME_MAX && (\forall integer i; 0 <= i < s.len ==> s.ptr[i] != ' '));
    ensures \result == 0 ==> (s.len == 0 || s.len > XC_DB_NAME_MAX || (\exists integer i; 0 <= i < s.len && s.ptr[i] == ' '));
*/
static int name_ok(xc_str s)
{
    uint32_t i;

    if (s.len == 0 || s.len > XC_DB_NAME_MAX)
        return 0;
    /*@ loop invariant 0 <= i <= s.len;
        loop invariant \forall integer j; 0 <= j < i ==> s.ptr[j] != ' ';
        loop assigns i;
        loop variant s.len - i;
    */
    for (i = 0; i < s.len; i++)
        if (s.ptr[i] == ' ')
            return 0;
    return 1;
}

/* Copies s to m + at (the caller checked that it fits). */
/*@ requires xc_str_valid(s) && at + s.len <= XC_DB_MSG_MAX;
    requires \valid(m + (0 .. XC_DB_MSG_MAX - 1));
    requires \separated(m + (0 .. XC_DB_MSG_MAX - 1), s.ptr + (0 .. s.len - 1));
    assigns m[at .. at + s.len - 1];
*/
static void put(char *m, uint32_t at, xc_str s)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= s.len;
        loop assigns i, m[at .. at + s.len - 1];
        loop variant s.len - i;
    */
    for (i = 0; i < s.len; i++)
        m[at + i] = s.ptr[i];
}

xc_db_status xc_db_key(const xc_db_secret *k, xc_str receiving, xc_str originating, xc_str id, char *out)
{
    char m[XC_DB_MSG_MAX];
    uint8_t mac[XC_SHA256_LEN];
    uint32_t o, i;

    if (!name_ok(receiving) || !name_ok(originating))
        return XC_DB_BAD_NAME;
    if (id.len == 0 || id.len > XC_DB_ID_MAX)
        return XC_DB_BAD_ID;
    /* XEP-0185 §2: the receiving server first, then the originating one, then the stream id */
    o = receiving.len + 1u;
    i = o + originating.len + 1u;
    put(m, 0, receiving);
    m[receiving.len] = ' ';
    put(m, o, originating);
    m[i - 1u] = ' ';
    put(m, i, id);
    xc_hmac_sha256(k->k, XC_DB_KEY_LEN, m, i + id.len, mac);
    to_hex(mac, XC_SHA256_LEN, out);
    return XC_DB_OK;
}

int xc_db_key_matches(const xc_db_secret *k, xc_str receiving, xc_str originating, xc_str id, xc_str presented)
{
    char expected[XC_DB_KEY_LEN] = { 0 };
    uint32_t i;
    int diff = 0;

    if (xc_db_key(k, receiving, originating, id, expected) != XC_DB_OK || presented.len != XC_DB_KEY_LEN)
        return 0;
    /* every byte is looked at whatever the first difference (no early exit) */
    /*@ loop invariant 0 <= i <= XC_DB_KEY_LEN;
        loop assigns i, diff;
        loop variant XC_DB_KEY_LEN - i;
    */
    for (i = 0; i < XC_DB_KEY_LEN; i++)
        diff |= expected[i] ^ presented.ptr[i];
    return diff == 0;
}
