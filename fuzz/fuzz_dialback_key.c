/*
 * fuzz_dialback_key.c — libFuzzer harness for the dialback keys (xc_dialback.h): the names, the
 * stream id and the key an authoritative server receives in <db:verify/> come from the network.
 *
 * Input: five fields, each a length byte then that many bytes (the last takes what is left):
 * secret, receiving, originating, id, presented key. Checks:
 *   - xc_db_key answers OK or a refusal that the inputs explain (empty, too long, a space);
 *   - an OK key is 64 lowercase hex digits and verifies for the same triple;
 *   - the key with any one character changed, or for the swapped domains, does not verify;
 *   - an arbitrary presented key verifies exactly when it equals the computed key;
 *   - a refused triple never verifies anything.
 * Any violation aborts, so libFuzzer records it as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xc_dialback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* The next field: a length byte, then up to that many bytes (fewer when the input ends). */
static xc_str field(const uint8_t **p, size_t *left, int last)
{
    xc_str s;
    size_t n;

    if (last) {
        n = *left;
    } else if (*left == 0) {
        n = 0;
    } else {
        n = **p;
        (*p)++;
        (*left)--;
        if (n > *left)
            n = *left;
    }
    s.ptr = (const char *)*p;
    s.len = (uint32_t)n;
    *p += n;
    *left -= n;
    return s;
}

static int has_space(xc_str s)
{
    return s.len > 0 && memchr(s.ptr, ' ', s.len) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    size_t left = size;
    xc_str secret = field(&p, &left, 0), r = field(&p, &left, 0), o = field(&p, &left, 0);
    xc_str id = field(&p, &left, 0), presented = field(&p, &left, 1);
    xc_db_secret k;
    char key[XC_DB_KEY_LEN], changed[XC_DB_KEY_LEN];
    xc_db_status st;
    uint32_t i;

    if (secret.len == 0)
        return 0;
    xc_db_secret_init(&k, secret.ptr, secret.len);
    st = xc_db_key(&k, r, o, id, key);
    if (st != XC_DB_OK) {
        CHECK(st == XC_DB_BAD_NAME || st == XC_DB_BAD_ID);
        CHECK(st != XC_DB_BAD_NAME || r.len == 0 || o.len == 0 || has_space(r) || has_space(o) ||
              r.len > XC_DB_NAME_MAX || o.len > XC_DB_NAME_MAX);
        CHECK(st != XC_DB_BAD_ID || id.len == 0 || id.len > XC_DB_ID_MAX);
        CHECK(xc_db_key_matches(&k, r, o, id, presented) == 0);
        return 0;
    }
    for (i = 0; i < XC_DB_KEY_LEN; i++)
        CHECK((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f'));
    CHECK(xc_db_key_matches(&k, r, o, id, (xc_str){ key, XC_DB_KEY_LEN }) == 1);
    /* one changed character, chosen by the input */
    memcpy(changed, key, sizeof changed);
    i = (uint32_t)(size % XC_DB_KEY_LEN);
    changed[i] = changed[i] == '0' ? '1' : '0';
    CHECK(xc_db_key_matches(&k, r, o, id, (xc_str){ changed, XC_DB_KEY_LEN }) == 0);
    /* the same key for the other direction only when the two names are the same */
    if (r.len != o.len || memcmp(r.ptr, o.ptr, r.len) != 0)
        CHECK(xc_db_key_matches(&k, o, r, id, (xc_str){ key, XC_DB_KEY_LEN }) == 0);
    CHECK(xc_db_key_matches(&k, r, o, id, presented) ==
          (presented.len == XC_DB_KEY_LEN && memcmp(presented.ptr, key, XC_DB_KEY_LEN) == 0));
    return 0;
}
