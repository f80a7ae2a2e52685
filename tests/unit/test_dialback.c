/*
 * test_dialback.c — src/core/xc_dialback.c: XEP-0185 dialback keys against the three published
 * vectors (XEP-0185 §3, XEP-0220 §2.1.1, §2.1.2/§2.2.2), the hex-text HMAC key, the separators
 * that bind a key to its domain pair and stream, and the constant-time comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xc_dialback.h"

#define S(x) ((xc_str){ (x), (uint32_t)strlen(x) })

static xc_db_secret secret_of(const char *text)
{
    xc_db_secret k;

    xc_db_secret_init(&k, text, strlen(text));
    return k;
}

static void key_is(const char *secret, const char *recv, const char *orig, const char *id, const char *want)
{
    xc_db_secret k = secret_of(secret);
    char out[XC_DB_KEY_LEN + 1];

    assert_int_equal(xc_db_key(&k, S(recv), S(orig), S(id), out), XC_DB_OK);
    out[XC_DB_KEY_LEN] = '\0';
    assert_string_equal(out, want);
    assert_int_equal(xc_db_key_matches(&k, S(recv), S(orig), S(id), S(want)), 1);
}

/* REQ: DB-01 */
static void test_published_vectors(void **state)
{
    (void)state;
    key_is("s3cr3tf0rd14lb4ck", "xmpp.example.com", "example.org", "D60000229F",
           "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643");
    key_is("s3cr3tf0rd14lb4ck", "montague.example", "capulet.example", "D60000229F",
           "b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3");
    key_is("d14lb4ck43v3r", "capulet.example", "montague.example", "417GAF25",
           "225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d");
}

/* REQ: DB-01 */
static void test_hmac_key_is_the_hex_text_of_the_digest(void **state)
{
    xc_db_secret k = secret_of("s3cr3tf0rd14lb4ck");

    (void)state;
    /* DESIGN.md Known traps: K is the 64-character text, never the 32 raw bytes */
    assert_memory_equal(k.k, "a7136eb1f46c9ef18c5e78c36ca257067c69b3d518285f0b18a96c33beae9acc", XC_DB_KEY_LEN);
}

/* REQ: DB-02 */
static void test_key_is_bound_to_pair_direction_and_stream(void **state)
{
    xc_db_secret k = secret_of("s3cr3tf0rd14lb4ck");
    xc_str key = S("37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643");

    (void)state;
    assert_int_equal(xc_db_key_matches(&k, S("xmpp.example.com"), S("example.org"), S("D60000229F"), key), 1);
    /* another stream, the domains swapped, another receiving or originating domain */
    assert_int_equal(xc_db_key_matches(&k, S("xmpp.example.com"), S("example.org"), S("D60000229G"), key), 0);
    assert_int_equal(xc_db_key_matches(&k, S("example.org"), S("xmpp.example.com"), S("D60000229F"), key), 0);
    assert_int_equal(xc_db_key_matches(&k, S("evil.example"), S("example.org"), S("D60000229F"), key), 0);
    assert_int_equal(xc_db_key_matches(&k, S("xmpp.example.com"), S("evil.example"), S("D60000229F"), key), 0);
    /* another secret */
    k = secret_of("s3cr3tf0rd14lb4cK");
    assert_int_equal(xc_db_key_matches(&k, S("xmpp.example.com"), S("example.org"), S("D60000229F"), key), 0);
}

/* REQ: DB-02 */
static void test_separators_leave_no_ambiguity(void **state)
{
    xc_db_secret k = secret_of("secret");
    char out[XC_DB_KEY_LEN];

    (void)state;
    /* "a b" + " " + "c" and "a" + " " + "b c" would be the same message: spaces in names are refused */
    assert_int_equal(xc_db_key(&k, S("a b"), S("c"), S("id"), out), XC_DB_BAD_NAME);
    assert_int_equal(xc_db_key(&k, S("a"), S("b c"), S("id"), out), XC_DB_BAD_NAME);
    assert_int_equal(xc_db_key(&k, S(""), S("c"), S("id"), out), XC_DB_BAD_NAME);
    assert_int_equal(xc_db_key(&k, S("a"), S(""), S("id"), out), XC_DB_BAD_NAME);
    assert_int_equal(xc_db_key(&k, S("a"), S("c"), S(""), out), XC_DB_BAD_ID);
    /* the id comes last, so it may hold spaces */
    assert_int_equal(xc_db_key(&k, S("a"), S("c"), S("i d"), out), XC_DB_OK);
}

/* REQ: DB-02 */
static void test_lengths_are_bounded(void **state)
{
    static char big[XC_DB_ID_MAX + 2];
    xc_db_secret k = secret_of("secret");
    char out[XC_DB_KEY_LEN];

    (void)state;
    memset(big, 'a', sizeof big - 1);
    assert_int_equal(xc_db_key(&k, (xc_str){ big, XC_DB_NAME_MAX }, (xc_str){ big, XC_DB_NAME_MAX },
                               (xc_str){ big, XC_DB_ID_MAX }, out), XC_DB_OK);
    assert_int_equal(xc_db_key(&k, (xc_str){ big, XC_DB_NAME_MAX + 1 }, S("b"), S("id"), out), XC_DB_BAD_NAME);
    assert_int_equal(xc_db_key(&k, S("a"), S("b"), (xc_str){ big, XC_DB_ID_MAX + 1 }, out), XC_DB_BAD_ID);
    assert_int_equal(xc_db_key_matches(&k, S("a"), S("b"), (xc_str){ big, XC_DB_ID_MAX + 1 }, S("00")), 0);
}

/* REQ: DB-03 */
static void test_comparison_needs_every_byte(void **state)
{
    xc_db_secret k = secret_of("d14lb4ck43v3r");
    char key[XC_DB_KEY_LEN];
    int i;

    (void)state;
    memcpy(key, "225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d", XC_DB_KEY_LEN);
    for (i = 0; i < (int)XC_DB_KEY_LEN; i++) {
        char bad[XC_DB_KEY_LEN];
        memcpy(bad, key, sizeof bad);
        bad[i] = bad[i] == '0' ? '1' : '0';
        assert_int_equal(xc_db_key_matches(&k, S("capulet.example"), S("montague.example"), S("417GAF25"),
                                           (xc_str){ bad, XC_DB_KEY_LEN }), 0);
    }
    /* a prefix, a longer string, upper case, nothing */
    assert_int_equal(xc_db_key_matches(&k, S("capulet.example"), S("montague.example"), S("417GAF25"),
                                       (xc_str){ key, XC_DB_KEY_LEN - 1 }), 0);
    assert_int_equal(xc_db_key_matches(&k, S("capulet.example"), S("montague.example"), S("417GAF25"),
                                       S("225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d0")), 0);
    assert_int_equal(xc_db_key_matches(&k, S("capulet.example"), S("montague.example"), S("417GAF25"),
                                       S("225CC5AA6A071133249D25FEF42AE516FC7A86C523AA1C6980A7F73E784C972D")), 0);
    assert_int_equal(xc_db_key_matches(&k, S("capulet.example"), S("montague.example"), S("417GAF25"),
                                       (xc_str){ NULL, 0 }), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_hmac_key_is_the_hex_text_of_the_digest),
        cmocka_unit_test(test_key_is_bound_to_pair_direction_and_stream),
        cmocka_unit_test(test_separators_leave_no_ambiguity),
        cmocka_unit_test(test_lengths_are_bounded),
        cmocka_unit_test(test_comparison_needs_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
