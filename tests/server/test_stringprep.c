/*
 * test_stringprep.c — src/server/adapter_stringprep_libidn.c: the ASCII fast path gives what
 * libidn gives (status and bytes) for Nodeprep, Nameprep and Resourceprep (RFC 3920 Appendix
 * A and B, RFC 3491): every ASCII string of up to two characters, every three-character string
 * over an alphabet of the interesting classes, and random strings up to 64 characters; non-ASCII
 * input still reaches libidn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <stringprep.h>

#include "xc_stringprep.h"

static const xc_prep_profile k_profiles[] = {XC_PREP_NODE, XC_PREP_NAME, XC_PREP_RESOURCE};

/* libidn itself, as the adapter called it before the fast path existed */
static int reference_prep(xc_prep_profile profile, const char *in, size_t len, char *out, size_t *out_len)
{
    char work[4u * XC_PREP_IN_MAX + 1u];
    const Stringprep_profile *p = profile == XC_PREP_NODE   ? stringprep_xmpp_nodeprep
                                  : profile == XC_PREP_NAME ? stringprep_nameprep
                                                            : stringprep_xmpp_resourceprep;

    memcpy(work, in, len);
    work[len] = '\0';
    if (stringprep(work, sizeof work, (Stringprep_profile_flags)0, p) != STRINGPREP_OK)
        return -1;
    *out_len = strlen(work);
    memcpy(out, work, *out_len);
    return 0;
}

static void check_same(xc_prep_profile profile, const char *in, size_t len)
{
    char got[XC_PREP_IN_MAX * 4u], want[XC_PREP_IN_MAX * 4u];
    size_t got_len = 0, want_len = 0;
    xc_prep_status st = xc_stringprep(profile, in, len, got, sizeof got, &got_len);
    int ref = reference_prep(profile, in, len, want, &want_len);

    if ((st == XC_PREP_OK) != (ref == 0) || (ref == 0 && (got_len != want_len || memcmp(got, want, got_len) != 0))) {
        char hex[3 * 64 + 1];
        size_t i;

        for (i = 0; i < len && i < 64; i++)
            snprintf(hex + 3 * i, 4, "%02x ", (unsigned char)in[i]);
        hex[3 * i] = '\0';
        fail_msg("profile %d input [%s]: adapter %d (%zu bytes), libidn %d (%zu bytes)", (int)profile, hex, (int)st,
                 got_len, ref, want_len);
    }
}

/* REQ: JID-05, JID-08, JID-10 */
static void test_stringprep_every_short_ascii_string(void **state)
{
    char in[2];
    unsigned a, b;
    size_t p;

    (void)state;
    for (p = 0; p < sizeof k_profiles / sizeof k_profiles[0]; p++) {
        check_same(k_profiles[p], in, 0);
        for (a = 1; a < 0x80u; a++) {
            in[0] = (char)a;
            check_same(k_profiles[p], in, 1);
            for (b = 1; b < 0x80u; b++) {
                in[1] = (char)b;
                check_same(k_profiles[p], in, 2);
            }
        }
    }
}

/* one of each class: controls, space, Nodeprep's eight, digits, both cases, the rest */
static const char k_alphabet[] = "\x01\x1f\x7f \"&'/:<>@09AZaz.-_~!#$%()*+,;=?[\\]^`{|}";

/* REQ: JID-05, JID-08, JID-10 */
static void test_stringprep_three_character_strings(void **state)
{
    char in[3];
    size_t p, i, j, k, n = sizeof k_alphabet - 1;

    (void)state;
    for (p = 0; p < sizeof k_profiles / sizeof k_profiles[0]; p++)
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                for (k = 0; k < n; k++) {
                    in[0] = k_alphabet[i];
                    in[1] = k_alphabet[j];
                    in[2] = k_alphabet[k];
                    check_same(k_profiles[p], in, 3);
                }
}

/* REQ: JID-05, JID-08, JID-10 */
static void test_stringprep_random_ascii_strings(void **state)
{
    char in[64];
    unsigned seed = 20261206u;
    int round;
    size_t p, i, len;

    (void)state;
    for (round = 0; round < 20000; round++) {
        len = (size_t)(rand_r(&seed) % 64) + 1u;
        for (i = 0; i < len; i++)
            in[i] = (char)(rand_r(&seed) % 4 == 0 ? 1 + rand_r(&seed) % 127 : 0x20 + rand_r(&seed) % 0x5f);
        for (p = 0; p < sizeof k_profiles / sizeof k_profiles[0]; p++)
            check_same(k_profiles[p], in, len);
    }
}

/* REQ: JID-05, JID-08, JID-10 */
static void test_stringprep_non_ascii_goes_to_libidn(void **state)
{
    char out[64];
    size_t n = 0;

    (void)state;
    /* B.2 folds U+00C4 (Ä) to U+00E4 (ä): only libidn does that */
    assert_int_equal(xc_stringprep(XC_PREP_NODE, "J\xc3\x84N", 4, out, sizeof out, &n), XC_PREP_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "j\xc3\xa4n", 4);
    /* U+00AD (soft hyphen) is mapped to nothing (B.1) in every profile */
    assert_int_equal(xc_stringprep(XC_PREP_RESOURCE, "a\xc2\xad" "b", 4, out, sizeof out, &n), XC_PREP_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "ab", 2);
    /* U+2028 (line separator, C.2.2) is prohibited in Resourceprep */
    assert_int_equal(xc_stringprep(XC_PREP_RESOURCE, "a\xe2\x80\xa8", 4, out, sizeof out, &n), XC_PREP_FAILED);
    check_same(XC_PREP_NAME, "Caf\xc3\xa9.Example", 13);
}

/* REQ: JID-02 */
static void test_stringprep_fast_path_limits(void **state)
{
    char out[8];
    size_t n = 99;

    (void)state;
    assert_int_equal(xc_stringprep(XC_PREP_NAME, "ABCDEFGHIJ", 10, out, sizeof out, &n), XC_PREP_TOO_LONG);
    assert_int_equal(xc_stringprep(XC_PREP_NODE, "a\0b", 3, out, sizeof out, &n), XC_PREP_FAILED);
    assert_int_equal(xc_stringprep(XC_PREP_RESOURCE, "R 1", 3, out, sizeof out, &n), XC_PREP_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "R 1", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stringprep_every_short_ascii_string),
        cmocka_unit_test(test_stringprep_three_character_strings),
        cmocka_unit_test(test_stringprep_random_ascii_strings),
        cmocka_unit_test(test_stringprep_non_ascii_goes_to_libidn),
        cmocka_unit_test(test_stringprep_fast_path_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
