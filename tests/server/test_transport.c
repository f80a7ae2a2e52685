/*
 * test_transport.c — src/server/transport.c on a real libuv loop over loopback: two transports
 * (one connected, one accepted) and the rules of transport.h:
 *   - input the owner does not take is held and offered again only after resume_input, and
 *     nothing is delivered while the owner paused input;
 *   - STARTTLS: bytes that came with <starttls/> are never delivered (RFC 3920 §5.2 step 5),
 *     the client side presents its certificate and sends SNI, both sides see the peer's names,
 *     data after the handshake is delivered, close_notify reaches the peer as on_closed;
 *   - the output cap (send_bounded / has_room), a refused connect, and on_released coming once
 *     per transport with every handle closed (uv_loop_close succeeds);
 *   - output written while a read is handled (corked) counts in the backlog at once, leaves in
 *     order and before the FIN (and under TLS before close_notify) of a close made in that read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_certs.h"
#include "transport.h"

#define CAP 4096u

typedef struct side {
    xs_transport *t;
    char got[CAP];
    size_t got_len;
    size_t take_once;        /* >0: the next on_data takes only this many bytes */
    int starttls;            /* server: answer "<starttls/>" with <proceed/> and TLS */
    int proceed;             /* client: answer "<proceed/>" with TLS */
    int burst;               /* answer "go" with three sends and a close, all in that read */
    size_t burst_backlog;    /* the backlog seen right after the three sends */
    int tls_done, tls_failed, closed, released, connected, connect_failed;
    xs_transport_end end;
} side;

static uv_loop_t g_loop;
static uv_tcp_t g_listener;
static side g_client, g_server;
static xs_tls_ctx *g_ctx_a, *g_ctx_b;
static char g_dir[] = "/tmp/test_transport.XXXXXX";

static void append(side *s, const uint8_t *p, size_t n)
{
    assert_true(n <= CAP - s->got_len);
    memcpy(s->got + s->got_len, p, n);
    s->got_len += n;
    s->got[s->got_len < CAP ? s->got_len : CAP - 1] = '\0';
}

static size_t on_data(void *owner, const uint8_t *p, size_t n)
{
    side *s = owner;

    if (s->starttls && n >= 11 && memcmp(p, "<starttls/>", 11) == 0) {
        append(s, p, 11);
        assert_int_equal(xs_transport_send(s->t, (const uint8_t *)"<proceed/>", 10), XS_TRANSPORT_OK);
        assert_int_equal(xs_transport_start_tls_server(s->t, g_ctx_a, "a.test"), XS_TRANSPORT_OK);
        /* output while the handshake runs never goes out in the clear */
        assert_int_equal(xs_transport_send(s->t, (const uint8_t *)"leak", 4), XS_TRANSPORT_FAILED);
        return 11;   /* what follows must be dropped, not held */
    }
    if (s->proceed && n >= 10 && memcmp(p, "<proceed/>", 10) == 0) {
        append(s, p, 10);
        assert_int_equal(xs_transport_start_tls_client(s->t, g_ctx_b, "b.test", "a.test"), XS_TRANSPORT_OK);
        return 10;
    }
    if (s->burst && n == 2 && memcmp(p, "go", 2) == 0) {
        size_t before = xs_transport_backlog(s->t);

        append(s, p, n);
        assert_int_equal(xs_transport_send(s->t, (const uint8_t *)"a", 1), XS_TRANSPORT_OK);
        assert_int_equal(xs_transport_send(s->t, (const uint8_t *)"bb", 2), XS_TRANSPORT_OK);
        assert_int_equal(xs_transport_send_bounded(s->t, (const uint8_t *)"ccc", 3), XS_TRANSPORT_OK);
        s->burst_backlog = xs_transport_backlog(s->t) - before;
        xs_transport_close(s->t);
        return n;
    }
    if (s->take_once > 0 && s->take_once < n) {
        size_t k = s->take_once;
        s->take_once = 0;
        append(s, p, k);
        return k;
    }
    append(s, p, n);
    return n;
}

static void on_tls_done(void *owner)
{
    side *s = owner;

    s->tls_done = 1;
    if (s == &g_client)
        assert_int_equal(xs_transport_send(s->t, (const uint8_t *)"secret", 6), XS_TRANSPORT_OK);
}

static void on_tls_failed(void *owner, const char *why)
{
    side *s = owner;

    (void)why;
    s->tls_failed = 1;
    xs_transport_close(s->t);
}

static void on_closed(void *owner, xs_transport_end end, const char *detail)
{
    side *s = owner;

    (void)detail;
    s->closed++;
    s->end = end;
}

static void on_connected(void *owner)
{
    side *s = owner;

    s->connected = 1;
    assert_int_equal(xs_transport_start(s->t), XS_TRANSPORT_OK);
}

static void on_connect_failed(void *owner, const char *why)
{
    side *s = owner;

    (void)why;
    s->connect_failed++;
}

static void on_released(void *owner)
{
    side *s = owner;

    s->released++;
    s->t = NULL;
}

static const xs_transport_ops g_ops = {
    .on_data = on_data,
    .on_tls_done = on_tls_done,
    .on_tls_failed = on_tls_failed,
    .on_closed = on_closed,
    .on_connected = on_connected,
    .on_connect_failed = on_connect_failed,
    .on_released = on_released,
};

static void on_connection(uv_stream_t *listener, int status)
{
    assert_int_equal(status, 0);
    g_server.t = xs_transport_accept(&g_loop, listener, &g_ops, &g_server, 1u << 20);
    assert_non_null(g_server.t);
    assert_int_equal(xs_transport_start(g_server.t), XS_TRANSPORT_OK);
}

static uv_timer_t g_beat;   /* wakes the loop every 10 ms while a test waits for a condition */

static void on_beat(uv_timer_t *t)
{
    (void)t;
}

/* Runs the loop until cond holds (or 5 s of loop time: a failure). */
#define RUN_UNTIL(cond)                                                                                  \
    do {                                                                                                 \
        uint64_t t0_ = uv_now(&g_loop);                                                                  \
        uv_timer_start(&g_beat, on_beat, 10, 10);                                                        \
        while (!(cond) && uv_now(&g_loop) - t0_ < 5000u)                                                 \
            uv_run(&g_loop, UV_RUN_ONCE);                                                                \
        uv_timer_stop(&g_beat);                                                                          \
        assert_true(cond);                                                                               \
    } while (0)

static int g_tick_fired;
static void on_tick(uv_timer_t *t)
{
    (void)t;
    g_tick_fired = 1;
}

/* Lets the loop run for ms (to show that something does NOT happen). */
static void run_for(uint64_t ms)
{
    uv_timer_t tick;

    g_tick_fired = 0;
    uv_timer_init(&g_loop, &tick);
    uv_timer_start(&tick, on_tick, ms, 0);
    while (!g_tick_fired)
        uv_run(&g_loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(&g_loop, UV_RUN_NOWAIT);
}

static struct sockaddr_in g_addr;

static int setup(void **state)
{
    int len = (int)sizeof g_addr;
    char ca[320];

    (void)state;
    if (test_certs_make(g_dir) != 0)
        return -1;
    snprintf(ca, sizeof ca, "%s/ca.crt", g_dir);
    g_ctx_a = test_certs_s2s_ctx(g_dir, "a.test", "a", ca);
    g_ctx_b = test_certs_s2s_ctx(g_dir, "b.test", "b", ca);
    uv_loop_init(&g_loop);
    uv_timer_init(&g_loop, &g_beat);
    uv_tcp_init(&g_loop, &g_listener);
    uv_ip4_addr("127.0.0.1", 0, &g_addr);
    if (uv_tcp_bind(&g_listener, (const struct sockaddr *)&g_addr, 0) != 0 ||
        uv_listen((uv_stream_t *)&g_listener, 8, on_connection) != 0 ||
        uv_tcp_getsockname(&g_listener, (struct sockaddr *)&g_addr, &len) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    uv_close((uv_handle_t *)&g_listener, NULL);
    uv_close((uv_handle_t *)&g_beat, NULL);
    uv_run(&g_loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&g_loop), 0);   /* every transport handle is closed */
    xs_tls_ctx_unref(g_ctx_a);
    xs_tls_ctx_unref(g_ctx_b);
    test_certs_remove(g_dir);
    return 0;
}

static void connect_pair(uint32_t client_cap)
{
    memset(&g_client, 0, sizeof g_client);
    memset(&g_server, 0, sizeof g_server);
    g_client.t = xs_transport_connect(&g_loop, (const struct sockaddr *)&g_addr, &g_ops, &g_client, client_cap);
    assert_non_null(g_client.t);
    RUN_UNTIL(g_client.connected && g_server.t != NULL);
    assert_non_null(strstr(xs_transport_peer(g_client.t), "127.0.0.1:"));
    assert_non_null(strstr(xs_transport_peer(g_server.t), "127.0.0.1:"));
}

static void test_held_input_waits_for_resume(void **state)
{
    (void)state;
    connect_pair(16);
    /* the cap: 20 bytes over 16 are refused whole, 10 fit */
    assert_int_equal(xs_transport_has_room(g_client.t, 10), 1);
    assert_int_equal(xs_transport_has_room(g_client.t, 17), 0);
    assert_int_equal(xs_transport_send_bounded(g_client.t, (const uint8_t *)"01234567890123456789", 20),
                     XS_TRANSPORT_FULL);
    g_server.take_once = 5;
    assert_int_equal(xs_transport_send(g_client.t, (const uint8_t *)"hello world", 11), XS_TRANSPORT_OK);
    RUN_UNTIL(g_server.got_len >= 5);
    run_for(100);
    assert_int_equal(g_server.got_len, 5);          /* the rest is held, not re-offered */
    xs_transport_resume_input(g_server.t);
    assert_int_equal(g_server.got_len, 5);          /* never from inside the owner's call */
    RUN_UNTIL(g_server.got_len == 11);
    assert_memory_equal(g_server.got, "hello world", 11);
    /* paused by the owner: nothing is delivered until it resumes */
    xs_transport_pause_input(g_server.t);
    assert_int_equal(xs_transport_send(g_client.t, (const uint8_t *)"!!", 2), XS_TRANSPORT_OK);
    run_for(100);
    assert_int_equal(g_server.got_len, 11);
    xs_transport_resume_input(g_server.t);
    RUN_UNTIL(g_server.got_len == 13);
    /* the client closes: the server hears EOF once; both are released */
    xs_transport_close(g_client.t);
    RUN_UNTIL(g_client.released == 1 && g_server.released == 1);
    assert_int_equal(g_server.closed, 1);
    assert_int_equal(g_server.end, XS_TRANSPORT_END_EOF);
    assert_int_equal(g_client.closed, 0);           /* no on_closed after our own close */
}

static void test_starttls_drops_injected_bytes_and_verifies_both_ways(void **state)
{
    xc_cn_name names[XC_CN_NAMES_MAX];
    char buf[2048];
    uint32_t n = 0;
    int ok = 0;

    (void)state;
    connect_pair(1u << 20);
    g_server.starttls = 1;
    g_client.proceed = 1;
    /* one write: <starttls/> with bytes behind it that must never reach the server's owner */
    assert_int_equal(xs_transport_send(g_client.t, (const uint8_t *)"<starttls/>INJECTED", 19), XS_TRANSPORT_OK);
    RUN_UNTIL(g_server.tls_done && g_client.tls_done && g_server.got_len >= 17);
    assert_string_equal(g_server.got, "<starttls/>secret");
    assert_string_equal(g_client.got, "<proceed/>");
    assert_int_equal(xs_transport_tls_up(g_client.t), 1);
    assert_string_equal(xs_tls_sni(xs_transport_tls(g_server.t)), "a.test");
    /* the client verified a.test's chain; the server got b.test's certificate as client cert */
    assert_int_equal(xs_tls_peer_names(xs_transport_tls(g_client.t), names, XC_CN_NAMES_MAX, &n, buf, sizeof buf, &ok),
                     0);
    assert_int_equal(ok, 1);
    assert_true(n >= 1);
    assert_int_equal(xs_tls_peer_names(xs_transport_tls(g_server.t), names, XC_CN_NAMES_MAX, &n, buf, sizeof buf, &ok),
                     0);
    assert_int_equal(ok, 1);
    assert_int_equal(n, 2);
    /* the server answers "go" with three sends and a close in that read: the corked plaintext
     * is sealed before close_notify, which reaches the client as CLOSE_NOTIFY */
    g_server.burst = 1;
    assert_int_equal(xs_transport_send(g_client.t, (const uint8_t *)"go", 2), XS_TRANSPORT_OK);
    RUN_UNTIL(g_client.released == 1 && g_server.released == 1);
    assert_int_equal(g_server.burst_backlog, 6);
    assert_string_equal(g_client.got, "<proceed/>abbccc");
    assert_int_equal(g_client.closed, 1);
    assert_int_equal(g_client.end, XS_TRANSPORT_END_CLOSE_NOTIFY);
    assert_int_equal(g_server.closed, 0);
}

static void test_output_of_one_read_leaves_in_order_before_the_fin(void **state)
{
    (void)state;
    connect_pair(1u << 20);
    g_server.burst = 1;
    assert_int_equal(xs_transport_send(g_client.t, (const uint8_t *)"go", 2), XS_TRANSPORT_OK);
    RUN_UNTIL(g_client.closed == 1);
    assert_int_equal(g_server.burst_backlog, 6);    /* the cap sees corked bytes at once */
    assert_int_equal(g_client.got_len, 6);
    assert_memory_equal(g_client.got, "abbccc", 6);
    assert_int_equal(g_client.end, XS_TRANSPORT_END_EOF);   /* the client side ends on that EOF */
    RUN_UNTIL(g_client.released == 1 && g_server.released == 1);
    assert_int_equal(g_server.closed, 0);
}

static void test_refused_connect(void **state)
{
    struct sockaddr_in dead;
    uv_tcp_t probe;
    int len = (int)sizeof dead;

    (void)state;
    /* a port that was just free: bind, read it, close */
    uv_tcp_init(&g_loop, &probe);
    uv_ip4_addr("127.0.0.1", 0, &dead);
    assert_int_equal(uv_tcp_bind(&probe, (const struct sockaddr *)&dead, 0), 0);
    assert_int_equal(uv_tcp_getsockname(&probe, (struct sockaddr *)&dead, &len), 0);
    uv_close((uv_handle_t *)&probe, NULL);
    uv_run(&g_loop, UV_RUN_NOWAIT);
    memset(&g_client, 0, sizeof g_client);
    g_client.t = xs_transport_connect(&g_loop, (const struct sockaddr *)&dead, &g_ops, &g_client, 1024);
    assert_non_null(g_client.t);
    RUN_UNTIL(g_client.released == 1);
    assert_int_equal(g_client.connect_failed, 1);
    assert_int_equal(g_client.connected, 0);
    assert_int_equal(g_client.closed, 0);
}

static void test_abort_while_connecting(void **state)
{
    (void)state;
    memset(&g_client, 0, sizeof g_client);
    memset(&g_server, 0, sizeof g_server);
    g_client.t = xs_transport_connect(&g_loop, (const struct sockaddr *)&g_addr, &g_ops, &g_client, 1024);
    assert_non_null(g_client.t);
    xs_transport_abort(g_client.t);
    RUN_UNTIL(g_client.released == 1);
    assert_int_equal(g_client.connected + g_client.connect_failed + g_client.closed, 0);
    /* the listener may have accepted it meanwhile: that side ends on EOF or reset */
    if (g_server.t != NULL) {
        RUN_UNTIL(g_server.released == 1);
        assert_int_equal(g_server.closed, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_input_waits_for_resume),
        cmocka_unit_test(test_starttls_drops_injected_bytes_and_verifies_both_ways),
        cmocka_unit_test(test_output_of_one_read_leaves_in_order_before_the_fin),
        cmocka_unit_test(test_refused_connect),
        cmocka_unit_test(test_abort_while_connecting),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
