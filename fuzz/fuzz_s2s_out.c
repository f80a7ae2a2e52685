/*
 * fuzz_s2s_out.c — an outbound server-to-server stream (the initiating server of the pair
 * (example.com, remote.example), xc_s2s_out in src/core/xc_s2s.h) through its public API only:
 * the receiving server's bytes interleaved with the shell's events (connected, resolve / connect
 * failed, TLS done with a certificate or failed, stanzas handed to send, new pairs, timeouts,
 * shutdown, policy refusal, a full output queue).
 *
 * Input: byte 0 and byte 1 set the stream up, then records follow until the input ends.
 *   byte 0  bit 0 require_tls  bit 1 plain_dialback  bits 2-3 policy (open, allow-list, closed,
 *           open)  bits 4-5 squeezed pool (0 none, 1 nodes, 2 attrs, 3 bytes)  bit 6 the
 *           stream's sender is other.example.com  bit 7 the target is pubsub.remote.example
 *   byte 1  N: the squeezed pool holds N entries (N * 16 bytes for the byte arena)
 *   record  [ctl][len][len bytes]; ctl & 7 says what happens:
 *           0 peer bytes   7 the peer's bytes fed one byte per read
 *           1 tls_done: ctl bit 3 chain verified, bit 4 DNS-ID remote.example, bit 5 one more
 *           name of kind ctl >> 6 whose text is the bytes (consumed); bit 5 clear and bit 6 set:
 *           no certificate (NULL)
 *           2 tls_failed
 *           3 a stanza to send (the bytes) from domain (ctl >> 3) & 3: example.com,
 *           other.example.com, remote.example (not ours), "" (ctl bit 5: the stanza is this
 *           record's bytes when there are any; else the standard message)
 *           4 (ctl >> 3) % 3: connected, resolve_failed, connect_failed
 *           5 (ctl >> 3) % 4: timeout, shutdown, policy_refused, output_full
 *           6 new_pair for sender (ctl >> 3) & 3 (as record 3)
 *
 * The harness plays the shell: it holds every stanza it is told to QUEUE (a copy), hands the
 * whole queue back in order on FLUSH, forgets the bounced ones on BOUNCE_ALL / BOUNCE_PAIR, drops
 * the rest of a read after START_TLS / DISCARD_INPUT and feeds nothing after CLOSED. It aborts
 * when:
 *  - *consumed > len, or START_TLS / DISCARD_INPUT without the whole read consumed;
 *  - a call after CLOSED produces output or effects (a stanza handed then is bounced), CLOSE leaves the stream open, or the stream
 *    is CLOSED while the shell still holds queued stanzas (every queued stanza is bounced);
 *  - feed consumes bytes or does not say WAIT while the shell runs the TLS handshake;
 *  - a stanza handed in is neither queued, bounced, nor written as given at the end of fx.out;
 *    both queued and bounced; or written while the stream is not ready, or before TLS when
 *    require_tls is set;
 *  - a <db:result goes out in the clear unless plain_dialback is set and require_tls is not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support_s2s.h"
#include "xc_str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX 64u
#define QBYTES 300u

typedef struct held {
    uint32_t from;                   /* index into froms[] */
    uint8_t b[QBYTES];
    size_t len;
} held;

static const char *const froms[4] = { FS2S_HOST, FS2S_HOST2, FS2S_PEER, "" };
static const char std_stanza[] = "<message from='romeo@example.com' to='juliet@remote.example' id='o1'><body>hi</body></message>";

static xc_s2s_out stream;
static held queue[QMAX], flushing[QMAX];
static uint32_t n_queue;
static int dropped;                  /* a QUEUE the harness could not hold: no emptiness check */

static xc_str from_str(uint32_t i)
{
    xc_str s = { froms[i & 3u], (uint32_t)strlen(froms[i & 3u]) };
    return s;
}

static int contains(const uint8_t *b, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; i + k <= n; i++)
        if (memcmp(b + i, needle, k) == 0)
            return 1;
    return 0;
}

static void hand(xc_s2s_out *s, uint32_t from, const uint8_t *b, size_t len, int depth);

/* Common checks and the shell's handling of queue effects. */
static void after(xc_s2s_out *s, xc_s2s_status st, int was_closed, int depth)
{
    uint32_t f = s->fx.flags, i, k;

    /* after CLOSED: nothing, except that a stanza handed in is bounced */
    if (was_closed && ((f & ~(uint32_t)XC_S2S_OUT_FX_BOUNCE) != 0 || s->fx.out_len != 0 || st != XC_S2S_CLOSED))
        abort();
    if ((f & XC_S2S_OUT_FX_CLOSE) && s->state != XC_S2S_OUT_S_CLOSED)
        abort();
    if (s->fx.out_len > 0 && !s->l.secure && (fs2s_cfg.require_tls || !fs2s_cfg.plain_dialback) &&
        contains(s->fx.out, s->fx.out_len, "<db:result"))
        abort();
    if (f & XC_S2S_OUT_FX_BOUNCE_ALL)
        n_queue = 0;
    if (f & XC_S2S_OUT_FX_BOUNCE_PAIR) {
        for (i = 0, k = 0; i < n_queue; i++)
            if (!fs2s_str_eq(from_str(queue[i].from), s->fx.pair_sender))
                queue[k++] = queue[i];
        n_queue = k;
    }
    if ((f & XC_S2S_OUT_FX_FLUSH) && depth < 4) {
        uint32_t n = n_queue;
        memcpy(flushing, queue, n * sizeof(held));
        n_queue = 0;
        for (i = 0; i < n; i++) {
            held h = flushing[i];
            hand(s, h.from, h.b, h.len, depth + 1);
        }
    }
    if (s->state == XC_S2S_OUT_S_CLOSED && n_queue != 0 && !dropped && depth == 0)
        abort();
}

static void hand(xc_s2s_out *s, uint32_t from, const uint8_t *b, size_t len, int depth)
{
    int was_closed = s->state == XC_S2S_OUT_S_CLOSED;
    xc_s2s_status st = xc_s2s_out_stanza(s, from_str(from), b, len);
    uint32_t f = s->fx.flags;
    int queued = (f & XC_S2S_OUT_FX_QUEUE) != 0, bounced = (f & (XC_S2S_OUT_FX_BOUNCE | XC_S2S_OUT_FX_BOUNCE_ALL)) != 0;

    if (queued && (f & XC_S2S_OUT_FX_BOUNCE))
        abort();
    if (queued) {
        if (n_queue < QMAX && len <= QBYTES) {
            queue[n_queue].from = from;
            memcpy(queue[n_queue].b, b, len);
            queue[n_queue].len = len;
            n_queue++;
        } else {
            dropped = 1;
        }
    } else if (!bounced && !(f & XC_S2S_OUT_FX_CLOSE)) {
        if (len == 0 || s->fx.out_len < len || memcmp(s->fx.out + s->fx.out_len - len, b, len) != 0)
            abort();
        if (!xc_s2s_out_ready(s) || (fs2s_cfg.require_tls && !s->l.secure))
            abort();
    }
    after(s, st, was_closed, depth);
}

static void feed(xc_s2s_out *s, const uint8_t *b, size_t len, size_t step)
{
    size_t off = 0;
    unsigned rounds;

    for (rounds = 0; rounds <= len && off < len; rounds++) {
        size_t piece = len - off < step ? len - off : step, used = 99999999u;
        int was_closed = s->state == XC_S2S_OUT_S_CLOSED;
        int waiting = s->state == XC_S2S_OUT_S_TLS_HS;
        xc_s2s_status st = xc_s2s_out_feed(s, b + off, piece, &used);

        if (used > piece)
            abort();
        if (waiting && (used != 0 || st != XC_S2S_WAIT))
            abort();
        if ((s->fx.flags & (XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT)) && used != piece)
            abort();
        off += used;
        after(s, st, was_closed, 0);
        if (s->fx.flags & (XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT))
            return;
        if (st != XC_S2S_OK || (used == 0 && piece == len - off))
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xc_s2s_memory m;
    xc_s2s_out *s = &stream;
    size_t pos = 2;
    uint8_t opt;

    if (size < 2)
        return 0;
    opt = data[0];
    m = fs2s_setup(opt, data[1]);
    fs2s_rnd_reset();
    n_queue = 0;
    dropped = 0;
    xc_s2s_out_init(s, &fs2s_cfg, &m, (opt >> 6) & 1u ? XC_STR_LIT(FS2S_HOST2) : XC_STR_LIT(FS2S_HOST),
                    (opt >> 7) ? XC_STR_LIT("pubsub.remote.example") : XC_STR_LIT(FS2S_PEER));

    while (pos + 2 <= size) {
        uint8_t ctl = data[pos], len = data[pos + 1];
        const uint8_t *body = data + pos + 2;
        size_t n = size - pos - 2 < len ? size - pos - 2 : len;
        int was_closed = s->state == XC_S2S_OUT_S_CLOSED;
        xc_s2s_status st = XC_S2S_OK;

        pos += 2;
        switch (ctl & 7u) {
        case 0:
            feed(s, body, n, n);
            pos += n;
            continue;
        case 7:
            feed(s, body, n, 1);
            pos += n;
            continue;
        case 1: {
            const xc_s2s_peer_cert *cert = NULL;
            if ((ctl >> 5) & 1u) {
                cert = fs2s_cert(ctl, body, n);
                pos += n;
            } else if (!((ctl >> 6) & 1u)) {
                cert = fs2s_cert(ctl, NULL, 0);
            }
            st = xc_s2s_out_tls_done(s, cert);
            break;
        }
        case 2: st = xc_s2s_out_tls_failed(s); break;
        case 3:
            /* xc_s2s_out_stanza requires a non-empty stanza: an empty record hands the standard one */
            if (((ctl >> 5) & 1u) && n > 0) {
                hand(s, (ctl >> 3) & 3u, body, n, 0);
                pos += n;
            } else {
                hand(s, (ctl >> 3) & 3u, (const uint8_t *)std_stanza, sizeof std_stanza - 1, 0);
            }
            continue;
        case 4:
            switch ((ctl >> 3) % 3u) {
            case 0: st = xc_s2s_out_connected(s); break;
            case 1: st = xc_s2s_out_resolve_failed(s); break;
            default: st = xc_s2s_out_connect_failed(s); break;
            }
            break;
        case 5:
            switch ((ctl >> 3) & 3u) {
            case 0: st = xc_s2s_out_timeout(s); break;
            case 1: st = xc_s2s_out_shutdown(s); break;
            case 2: st = xc_s2s_out_policy_refused(s); break;
            default: st = xc_s2s_out_output_full(s); break;
            }
            break;
        default: st = xc_s2s_out_new_pair(s, from_str((ctl >> 3) & 3u)); break;
        }
        after(s, st, was_closed, 0);
    }
    return 0;
}
