/*
 * random_pool.c — see random_pool.h.
 */
#include "random_pool.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

static uint8_t g_pool[XS_RANDOM_POOL_BYTES];
static size_t g_left;              /* unused bytes at the end of g_pool */

int xs_random_take(uint8_t *out, size_t n)
{
    if (n > XS_RANDOM_POOL_BYTES) {
        memset(out, 0, n);
        return -1;
    }
    if (n > g_left) {
        /* what is left is too short: wipe it and draw a whole new pool */
        OPENSSL_cleanse(g_pool, sizeof g_pool);
        g_left = 0;
        if (RAND_bytes(g_pool, (int)sizeof g_pool) != 1) {
            OPENSSL_cleanse(g_pool, sizeof g_pool);
            memset(out, 0, n);
            return -1;
        }
        g_left = sizeof g_pool;
    }
    memcpy(out, g_pool + (g_left - n), n);
    OPENSSL_cleanse(g_pool + (g_left - n), n);
    g_left -= n;
    return 0;
}
