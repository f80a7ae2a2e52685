/*
 * test_addr_limits.c — src/server/addr_limits.c: streams per address, the failure window and its
 * budget, IPv6 /64 and IPv4-mapped addresses, entries dropped when unused, the failure-slot cap.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "addr_limits.h"

static xs_addr v4(const char *text)
{
    struct sockaddr_in sa;
    xs_addr a;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, text, &sa.sin_addr), 1);
    assert_int_equal(xs_addr_from_sockaddr((struct sockaddr *)&sa, &a), 0);
    return a;
}

static xs_addr v6(const char *text)
{
    struct sockaddr_in6 sa;
    xs_addr a;

    memset(&sa, 0, sizeof sa);
    sa.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, text, &sa.sin6_addr), 1);
    assert_int_equal(xs_addr_from_sockaddr((struct sockaddr *)&sa, &a), 0);
    return a;
}

/* REQ: SRV-05 */
static void test_streams_per_address(void **state)
{
    xs_addr_table *t = xs_addr_table_new(16, 42);
    xs_addr a = v4("192.0.2.1"), b = v4("192.0.2.2");

    (void)state;
    assert_int_equal(xs_addr_stream_open(t, &a, 2), 0);
    assert_int_equal(xs_addr_stream_open(t, &a, 2), 0);
    assert_int_equal(xs_addr_stream_open(t, &a, 2), -1);
    assert_int_equal(xs_addr_stream_open(t, &b, 2), 0);   /* another address has its own count */
    xs_addr_stream_close(t, &a, 0);
    assert_int_equal(xs_addr_stream_open(t, &a, 2), 0);
    xs_addr_stream_close(t, &a, 0);
    xs_addr_stream_close(t, &a, 0);
    xs_addr_stream_close(t, &b, 0);
    assert_int_equal(xs_addr_table_entries(t), 0);        /* nothing kept for idle addresses */
    xs_addr_stream_close(t, &b, 0);                       /* a close too many changes nothing */
    assert_int_equal(xs_addr_stream_open(t, &b, 0), -1);  /* a limit of 0 admits nobody */
    assert_int_equal(xs_addr_table_entries(t), 0);
    xs_addr_table_free(t);
}

/* REQ: SRV-06 */
static void test_failure_budget_and_window(void **state)
{
    xs_addr_table *t = xs_addr_table_new(16, 42);
    xs_addr a = v4("198.51.100.7"), b = v4("198.51.100.8");

    (void)state;
    assert_int_equal(xs_addr_auth_blocked(t, &a, 0, 3), 0);
    assert_int_equal(xs_addr_auth_failed(t, &a, 1000, 60000), 0);
    assert_int_equal(xs_addr_auth_failed(t, &a, 2000, 60000), 0);
    assert_int_equal(xs_addr_auth_blocked(t, &a, 2000, 3), 0);
    assert_int_equal(xs_addr_auth_failed(t, &a, 3000, 60000), 0);
    assert_int_equal(xs_addr_auth_blocked(t, &a, 3000, 3), 1);
    assert_int_equal(xs_addr_auth_blocked(t, &b, 3000, 3), 0);
    /* the window runs from the first failure: blocked until 61000, free from then */
    assert_int_equal(xs_addr_auth_blocked(t, &a, 60999, 3), 1);
    assert_int_equal(xs_addr_auth_blocked(t, &a, 61000, 3), 0);
    /* a failure after the window opens a new one, counting from 1 */
    assert_int_equal(xs_addr_auth_failed(t, &a, 61000, 60000), 0);
    assert_int_equal(xs_addr_auth_blocked(t, &a, 61000, 1), 1);
    assert_int_equal(xs_addr_auth_blocked(t, &a, 61000, 2), 0);
    xs_addr_table_free(t);
}

/* REQ: SRV-06 */
static void test_failures_outlive_the_stream_until_the_window_ends(void **state)
{
    xs_addr_table *t = xs_addr_table_new(16, 42);
    xs_addr a = v4("203.0.113.9");

    (void)state;
    assert_int_equal(xs_addr_stream_open(t, &a, 4), 0);
    assert_int_equal(xs_addr_auth_failed(t, &a, 100, 1000), 0);
    xs_addr_stream_close(t, &a, 200);
    assert_int_equal(xs_addr_table_entries(t), 1);        /* reconnecting does not reset the count */
    assert_int_equal(xs_addr_auth_blocked(t, &a, 300, 1), 1);
    assert_int_equal(xs_addr_stream_open(t, &a, 4), 0);
    xs_addr_stream_close(t, &a, 1200);                    /* window over: the entry goes */
    assert_int_equal(xs_addr_table_entries(t), 0);
    xs_addr_table_free(t);
}

/* REQ: SRV-05, SRV-06 */
static void test_ipv6_counts_by_64_and_mapped_ipv4_is_ipv4(void **state)
{
    xs_addr_table *t = xs_addr_table_new(16, 42);
    xs_addr a1 = v6("2001:db8:1:2::1"), a2 = v6("2001:db8:1:2:ffff:ffff:ffff:ffff"), other = v6("2001:db8:1:3::1");
    xs_addr m = v6("::ffff:192.0.2.1"), m2 = v6("::ffff:192.0.2.2"), plain = v4("192.0.2.1");

    (void)state;
    assert_memory_equal(a1.b, a2.b, sizeof a1.b);
    assert_memory_not_equal(a1.b, other.b, sizeof a1.b);
    assert_memory_equal(m.b, plain.b, sizeof m.b);
    assert_memory_not_equal(m.b, m2.b, sizeof m.b);       /* mapped addresses are not cut to /64 */
    assert_int_equal(xs_addr_stream_open(t, &a1, 1), 0);
    assert_int_equal(xs_addr_stream_open(t, &a2, 1), -1);
    assert_int_equal(xs_addr_stream_open(t, &other, 1), 0);
    xs_addr_table_free(t);
}

/* REQ: SRV-06 */
static void test_failure_slots_are_bounded_and_expired_ones_are_reused(void **state)
{
    xs_addr_table *t = xs_addr_table_new(4, 7);
    xs_addr a[6];
    int i;

    (void)state;
    for (i = 0; i < 6; i++) {
        char text[32];
        snprintf(text, sizeof text, "10.0.0.%d", i + 1);
        a[i] = v4(text);
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(xs_addr_auth_failed(t, &a[i], 0, 1000), 0);
    assert_int_equal(xs_addr_auth_failed(t, &a[4], 10, 1000), -1);   /* full, nothing expired */
    assert_int_equal(xs_addr_auth_failed(t, &a[0], 10, 1000), 0);    /* known addresses still count */
    assert_int_equal(xs_addr_table_entries(t), 4);
    /* streams do not take failure slots */
    assert_int_equal(xs_addr_stream_open(t, &a[5], 1), 0);
    assert_int_equal(xs_addr_table_entries(t), 5);
    /* after the windows end the sweep frees the slots */
    assert_int_equal(xs_addr_auth_failed(t, &a[4], 2000, 1000), 0);
    assert_int_equal(xs_addr_table_entries(t), 2);
    xs_addr_table_free(t);
}

static void test_unknown_family_is_refused(void **state)
{
    struct sockaddr sa;
    xs_addr a;

    (void)state;
    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_UNIX;
    assert_int_equal(xs_addr_from_sockaddr(&sa, &a), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_per_address),
        cmocka_unit_test(test_failure_budget_and_window),
        cmocka_unit_test(test_failures_outlive_the_stream_until_the_window_ends),
        cmocka_unit_test(test_ipv6_counts_by_64_and_mapped_ipv4_is_ipv4),
        cmocka_unit_test(test_failure_slots_are_bounded_and_expired_ones_are_reused),
        cmocka_unit_test(test_unknown_family_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
