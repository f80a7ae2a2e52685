/*
 * fuzz_tls13_records.c — the TLS 1.3 record layer xmppd runs after OpenSSL hands a session over
 * (src/server/tls13_records.c), against a peer built from the same code with the secrets
 * swapped. The first byte picks the suite (0x1301..0x1303) and whether the server's write
 * number starts just below the limit that makes it change its key by itself. Then operations,
 * each an opcode byte and a length byte:
 *   0  raw bytes (the next `length`) into the server, as a forger on the wire would send
 *   1  the peer writes `length` bytes of data          4  the peer writes data with one bit flipped
 *   2  the peer sends a KeyUpdate (asking or not)      5  the server writes `length` bytes of data
 *   3  the peer sends close_notify                      6  the server sends a KeyUpdate
 * After each operation the server reads everything it can and its output goes to the peer.
 * Oracle: while nothing forged or flipped reached the server, it never fails, hands out
 * exactly the peer's data in order, stops at the peer's close_notify, and the peer reads
 * exactly the server's data (which proves every KeyUpdate, answered or sent by itself, was
 * followed on both sides). Forged input may end the session, never beyond the buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls13_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STREAM_MAX 4096u

typedef struct expected {
    uint8_t bytes[STREAM_MAX];
    size_t len, off;
} expected;

static void check(int ok)
{
    if (!ok)
        abort();
}

/* from's output into to (split into pieces of at most `split` bytes when split > 0) */
static void carry(xs_tls13 *from, xs_tls13 *to, size_t split)
{
    uint8_t buf[20000];
    size_t n, off, step;

    while ((n = xs_tls13_out_take(from, buf, sizeof buf)) > 0) {
        step = split > 0 ? split : n;
        for (off = 0; off < n; off += step)
            check(xs_tls13_put(to, buf + off, n - off < step ? n - off : step) == 0);
    }
}

/* Everything r can read now, checked against want while `trusted`. The last status. */
static xs_tls_status drain(xs_tls13 *r, expected *want, int trusted)
{
    uint8_t buf[777];
    xs_tls_status st;
    size_t n;

    for (;;) {
        st = xs_tls13_read(r, buf, sizeof buf, &n);
        check(n <= sizeof buf);
        if (st != XS_TLS_OK)
            return st;
        check(n > 0);
        if (trusted) {
            check(n <= want->len - want->off && memcmp(buf, want->bytes + want->off, n) == 0);
            want->off += n;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t suites[3] = {0x1301, 0x1302, 0x1303};
    static expected to_server, to_peer;
    uint8_t client_secret[XS_TLS13_SECRET_MAX], server_secret[XS_TLS13_SECRET_MAX], payload[256];
    uint64_t start = 0;
    size_t secret_len, i = 1;
    xs_tls13 *server, *peer;
    int trusted = 1, peer_closed = 0, server_ended = 0;
    xs_tls_status st;

    if (size < 1)
        return 0;
    secret_len = data[0] % 3u == 1u ? 48u : 32u;
    for (i = 0; i < XS_TLS13_SECRET_MAX; i++) {
        client_secret[i] = (uint8_t)(i * 3 + 1);
        server_secret[i] = (uint8_t)(i * 5 + 2);
    }
    if (data[0] & 0x80u)
        start = (1ull << 24) - 2;   /* the server changes its write key after two records */
    server = xs_tls13_new(suites[data[0] % 3u], client_secret, server_secret, secret_len, 7, start);
    peer = xs_tls13_new(suites[data[0] % 3u], server_secret, client_secret, secret_len, start, 7);
    check(server != NULL && peer != NULL);
    memset(&to_server, 0, sizeof to_server);
    memset(&to_peer, 0, sizeof to_peer);
    for (i = 1; i + 1 < size;) {
        uint8_t op = data[i] % 7u;
        size_t len = data[i + 1], k;

        i += 2;
        if (len > size - i)
            len = size - i;
        memcpy(payload, data + i, len);
        switch (op) {
        case 0:
            check(xs_tls13_put(server, data + i, len) == 0);
            i += len;
            trusted = 0;
            break;
        case 1:
        case 4:
            i += len;
            if (peer_closed || len == 0)
                break;
            check(xs_tls13_write(peer, payload, len) == XS_TLS_OK);
            if (op == 4) {
                uint8_t buf[600];
                size_t n = xs_tls13_out_take(peer, buf, sizeof buf);
                check(n > 5 && n <= sizeof buf);
                buf[payload[0] % n] ^= (uint8_t)(1u << (payload[len - 1] % 8u));
                check(xs_tls13_put(server, buf, n) == 0);
                trusted = 0;
            } else if (to_server.len + len <= STREAM_MAX) {
                memcpy(to_server.bytes + to_server.len, payload, len);
                to_server.len += len;
            } else {
                trusted = 0;         /* more than the oracle keeps */
            }
            break;
        case 2:
            if (!peer_closed)
                check(xs_tls13_key_update(peer, len & 1u) == XS_TLS_OK);
            break;
        case 3:
            xs_tls13_close(peer);
            peer_closed = 1;
            break;
        case 5:
            i += len;
            if (server_ended || len == 0)
                break;
            st = xs_tls13_write(server, payload, len);
            check(st == XS_TLS_OK || !trusted);
            if (st == XS_TLS_OK && to_peer.len + len <= STREAM_MAX) {
                memcpy(to_peer.bytes + to_peer.len, payload, len);
                to_peer.len += len;
            }
            break;
        default:
            if (!server_ended)
                (void)xs_tls13_key_update(server, len & 1u);
            break;
        }
        /* back and forth until neither side has anything to send (a KeyUpdate asked for is
         * answered by the reader: two rounds at most) */
        for (k = 0; k < 3 && (k == 0 || xs_tls13_out_len(peer) > 0 || xs_tls13_out_len(server) > 0); k++) {
            carry(peer, server, len % 5u == 0 ? 0 : len % 5u);
            st = drain(server, &to_server, trusted);
            check(st == XS_TLS_AGAIN || st == XS_TLS_CLOSED || !trusted);
            if (st == XS_TLS_CLOSED)
                check(!trusted || (peer_closed && to_server.off == to_server.len));
            if (st == XS_TLS_ERROR || st == XS_TLS_CLOSED)
                server_ended = 1;
            if (len & 2u)
                xs_tls13_trim(server);
            carry(server, peer, 0);
            st = drain(peer, &to_peer, trusted);
            check(st == XS_TLS_AGAIN || !trusted);
            if (st != XS_TLS_AGAIN)
                peer_closed = 1;     /* the server's alert ended the peer: it writes no more */
        }
        check(!trusted || (xs_tls13_out_len(peer) == 0 && xs_tls13_out_len(server) == 0));
    }
    if (trusted)
        check(to_server.off == to_server.len && to_peer.off == to_peer.len);
    xs_tls13_free(server);
    xs_tls13_free(peer);
    return 0;
}
