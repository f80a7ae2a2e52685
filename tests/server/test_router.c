/*
 * test_router.c — src/server/router.c: full and bare lookups, the newer session winning a full
 * JID, availability, removal, and chains (a table of 64 buckets holding hundreds of users).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

#define S(x) (x), strlen(x)

static int owners[8];

static void count(void *owner, void *arg)
{
    int *n = arg;
    n[(int *)owner - owners]++;
}

static void test_router_full_and_bare(void **state)
{
    xs_router *r = xs_router_new(16);
    void *old = (void *)1;
    xs_session *a, *b, *c;
    int seen[8] = { 0 };

    (void)state;
    a = xs_router_add(r, S("juliet@example.com"), S("balcony"), &owners[0], &old);
    assert_non_null(a);
    assert_null(old);
    b = xs_router_add(r, S("juliet@example.com"), S("chamber"), &owners[1], &old);
    assert_null(old);
    c = xs_router_add(r, S("romeo@example.com"), S("orchard"), &owners[2], &old);
    assert_null(old);
    assert_int_equal(xs_router_sessions(r), 3);
    assert_ptr_equal(xs_router_find_full(r, S("juliet@example.com"), S("balcony")), &owners[0]);
    assert_ptr_equal(xs_router_find_full(r, S("juliet@example.com"), S("chamber")), &owners[1]);
    assert_null(xs_router_find_full(r, S("juliet@example.com"), S("Balcony")));   /* resources keep case */
    assert_null(xs_router_find_full(r, S("juliet@example.co"), S("balcony")));
    /* only available sessions get bare-JID stanzas */
    assert_int_equal(xs_router_each_available(r, S("juliet@example.com"), count, seen), 0);
    xs_router_set_available(a, 1);
    xs_router_set_available(c, 1);
    assert_int_equal(xs_router_each_available(r, S("juliet@example.com"), count, seen), 1);
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 0);
    xs_router_set_available(b, 1);
    assert_int_equal(xs_router_each_available(r, S("juliet@example.com"), count, seen), 2);
    assert_int_equal(xs_router_each_available(r, S("nobody@example.com"), count, seen), 0);
    xs_router_remove(r, a);
    xs_router_remove(r, b);
    assert_null(xs_router_find_full(r, S("juliet@example.com"), S("chamber")));
    assert_int_equal(xs_router_each_available(r, S("juliet@example.com"), count, seen), 0);
    assert_int_equal(xs_router_sessions(r), 1);
    xs_router_free(r);
}

/* DESIGN.md: the new session wins; the router hands back the older owner, whether or not it
 * was the user's only session. */
/* REQ: ERR-10 */
static void test_router_newer_session_replaces(void **state)
{
    xs_router *r = xs_router_new(16);
    void *old = NULL;
    xs_session *a, *b, *c;

    (void)state;
    a = xs_router_add(r, S("juliet@example.com"), S("balcony"), &owners[0], &old);
    assert_non_null(a);
    b = xs_router_add(r, S("juliet@example.com"), S("balcony"), &owners[1], &old);
    assert_non_null(b);
    assert_ptr_equal(old, &owners[0]);
    assert_int_equal(xs_router_sessions(r), 1);
    assert_ptr_equal(xs_router_find_full(r, S("juliet@example.com"), S("balcony")), &owners[1]);
    (void)xs_router_add(r, S("juliet@example.com"), S("chamber"), &owners[2], &old);
    assert_null(old);
    c = xs_router_add(r, S("juliet@example.com"), S("chamber"), &owners[3], &old);
    assert_ptr_equal(old, &owners[2]);
    assert_int_equal(xs_router_sessions(r), 2);
    xs_router_remove(r, c);
    xs_router_remove(r, b);
    assert_int_equal(xs_router_sessions(r), 0);
    xs_router_free(r);
}

/* Many users in few buckets: every one is found, removal from the middle of a chain keeps the rest. */
static void test_router_chains(void **state)
{
    xs_router *r = xs_router_new(1);
    xs_session *sess[500];
    char bare[64];
    void *old;
    int i;

    (void)state;
    for (i = 0; i < 500; i++) {
        snprintf(bare, sizeof bare, "user%d@example.com", i);
        sess[i] = xs_router_add(r, bare, strlen(bare), S("r"), &owners[i % 8], &old);
        assert_non_null(sess[i]);
        assert_null(old);
    }
    for (i = 0; i < 500; i += 2)
        xs_router_remove(r, sess[i]);
    for (i = 0; i < 500; i++) {
        snprintf(bare, sizeof bare, "user%d@example.com", i);
        if (i % 2)
            assert_ptr_equal(xs_router_find_full(r, bare, strlen(bare), S("r")), &owners[i % 8]);
        else
            assert_null(xs_router_find_full(r, bare, strlen(bare), S("r")));
    }
    assert_int_equal(xs_router_sessions(r), 250);
    xs_router_free(r);   /* frees what is left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_full_and_bare),
        cmocka_unit_test(test_router_newer_session_replaces),
        cmocka_unit_test(test_router_chains),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
