/*
 * test_random_pool.c — src/server/random_pool.c: what xs_random_take hands out comes from the
 * CSPRNG and is never handed out twice (a stream id drawn twice would let one stream predict
 * another's), across refills of the pool; a request larger than the pool is refused with a
 * zeroed output; the bytes look uniform (a coarse check against a pool that hands out zeros).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "random_pool.h"

#define TAKE 40u                                  /* XC_C2S_RANDOM_BYTES, the common request */
#define ROUNDS (3u * XS_RANDOM_POOL_BYTES / TAKE) /* three refills and more */

static int compare_block(const void *a, const void *b)
{
    return memcmp(a, b, TAKE);
}

/* REQ: STR-04, BIND-03 */
static void test_random_pool_never_repeats_a_block(void **state)
{
    uint8_t *blocks = malloc((size_t)ROUNDS * TAKE);
    size_t i;

    (void)state;
    assert_non_null(blocks);
    for (i = 0; i < ROUNDS; i++)
        assert_int_equal(xs_random_take(blocks + i * TAKE, TAKE), 0);
    qsort(blocks, ROUNDS, TAKE, compare_block);
    for (i = 1; i < ROUNDS; i++)
        assert_true(memcmp(blocks + (i - 1) * TAKE, blocks + i * TAKE, TAKE) != 0);
    free(blocks);
}

/* REQ: STR-04, BIND-03 */
static void test_random_pool_bytes_are_spread(void **state)
{
    unsigned counts[256] = {0};
    uint8_t buf[64];
    size_t i, j, total = 0;

    (void)state;
    for (i = 0; i < 4096; i++) {
        assert_int_equal(xs_random_take(buf, sizeof buf), 0);
        for (j = 0; j < sizeof buf; j++)
            counts[buf[j]]++;
        total += sizeof buf;
    }
    /* 262,144 bytes: 1024 expected per value; a fair source stays far inside [800, 1250] */
    for (i = 0; i < 256; i++) {
        assert_true(counts[i] > total / 256 * 25 / 32);
        assert_true(counts[i] < total / 256 * 39 / 32);
    }
}

static void test_random_pool_refuses_more_than_a_pool(void **state)
{
    static uint8_t big[XS_RANDOM_POOL_BYTES + 1];
    size_t i;

    (void)state;
    memset(big, 0xa5, sizeof big);
    assert_int_equal(xs_random_take(big, sizeof big), -1);
    for (i = 0; i < sizeof big; i++)
        assert_int_equal(big[i], 0);
    assert_int_equal(xs_random_take(big, XS_RANDOM_POOL_BYTES), 0);   /* a whole pool is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_pool_never_repeats_a_block),
        cmocka_unit_test(test_random_pool_bytes_are_spread),
        cmocka_unit_test(test_random_pool_refuses_more_than_a_pool),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
