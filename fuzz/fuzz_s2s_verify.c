/*
 * fuzz_s2s_verify.c — a verify connection (our connection from example.com to the authoritative
 * server of remote.example carrying the <db:verify/> requests of our inbound streams,
 * xc_s2s_verify in src/core/xc_s2s.h) through its public API only: the authoritative server's
 * bytes interleaved with the shell's events (connected, resolve / connect failed, TLS done or
 * failed, requests with tokens, idle, timeout, shutdown).
 *
 * Input: byte 0 and byte 1 set the stream up, then records follow until the input ends.
 *   byte 0  bit 0 require_tls  bit 1 plain_dialback  bits 2-3 policy  bits 4-5 squeezed pool
 *           (0 none, 1 nodes, 2 attrs, 3 bytes)  bit 6 the sender is pubsub.remote.example
 *   byte 1  N: the squeezed pool holds N entries (N * 16 bytes for the byte arena)
 *   record  [ctl][len][len bytes]; ctl & 7 says what happens:
 *           0 the authoritative server's bytes   7 the same, fed one byte per read
 *           1 tls_done (certificate as in fuzz_s2s_in)   2 tls_failed
 *           3 a request: ctl bit 3 the bytes are "id key" split at the first space; else the id
 *           is "i" + the bytes and the key the 64-digit XEP-0185 key of that id;
 *           ctl bit 4: reuse the previous token (a shell bug the core must survive); after TMAX
 *           tokens requests are skipped
 *           4 (ctl >> 3) % 3: connected, resolve_failed, connect_failed
 *           5 (ctl >> 3) % 3: idle, timeout, shutdown   6 request with an empty id and key
 *
 * The harness aborts when:
 *  - *consumed > len, or START_TLS / DISCARD_INPUT without the whole read consumed;
 *  - a call after CLOSED produces output or effects other than an ERROR outcome, or CLOSE leaves the connection open;
 *  - feed consumes bytes or does not say WAIT while the shell runs the TLS handshake;
 *  - OUTCOME reports a token nobody handed in, or one already answered, or more than
 *    XC_S2S_REQUESTS_MAX + 1 outcomes, or an outcome out of range; VALID or INVALID outside feed;
 *  - the connection is CLOSED while a request handed to it is unanswered ("every request handed
 *    to it has been reported");
 *  - a <db:verify goes out in the clear while require_tls is set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support_s2s.h"
#include "xc_str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TMAX 512u

static xc_s2s_verify stream;
static uint8_t handed[TMAX];         /* 1: handed in, unanswered; 2: answered */
static uint32_t n_tokens;
static int reused;                   /* a token was handed twice: answers are ambiguous */

static int contains(const uint8_t *b, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; i + k <= n; i++)
        if (memcmp(b + i, needle, k) == 0)
            return 1;
    return 0;
}

static void after(xc_s2s_verify *s, xc_s2s_status st, int was_closed, int from_feed)
{
    uint32_t f = s->fx.flags, i;

    /* after CLOSED: nothing, except that a request handed then is answered ERROR at once */
    if (was_closed && ((f & ~(uint32_t)XC_S2S_VERIFY_FX_OUTCOME) != 0 || s->fx.out_len != 0 || st != XC_S2S_CLOSED))
        abort();
    if ((f & XC_S2S_VERIFY_FX_CLOSE) && s->state != XC_S2S_VERIFY_S_CLOSED)
        abort();
    if (s->fx.out_len > 0 && !s->l.secure && fs2s_cfg.require_tls && contains(s->fx.out, s->fx.out_len, "<db:verify"))
        abort();
    if (s->fx.n_outcomes > XC_S2S_REQUESTS_MAX + 1u)
        abort();
    if ((f & XC_S2S_VERIFY_FX_OUTCOME) == 0 && s->fx.n_outcomes != 0)
        abort();
    if (f & XC_S2S_VERIFY_FX_OUTCOME) {
        for (i = 0; i < s->fx.n_outcomes; i++) {
            uint64_t t = s->fx.outcomes[i].token;
            xc_s2s_outcome o = s->fx.outcomes[i].outcome;
            if (o != XC_S2S_VERIFY_VALID && o != XC_S2S_VERIFY_INVALID && o != XC_S2S_VERIFY_ERROR)
                abort();
            if (o != XC_S2S_VERIFY_ERROR && !from_feed)
                abort();
            if (t >= n_tokens || t >= TMAX)
                abort();
            if (handed[t] != 1 && !reused)
                abort();
            handed[t] = 2;
        }
    }
    if (s->state == XC_S2S_VERIFY_S_CLOSED && !reused)
        for (i = 0; i < n_tokens && i < TMAX; i++)
            if (handed[i] == 1)
                abort();
}

static void feed(xc_s2s_verify *s, const uint8_t *b, size_t len, size_t step)
{
    size_t off = 0;
    unsigned rounds;

    for (rounds = 0; rounds <= len && off < len; rounds++) {
        size_t piece = len - off < step ? len - off : step, used = 99999999u;
        int was_closed = s->state == XC_S2S_VERIFY_S_CLOSED;
        int waiting = s->state == XC_S2S_VERIFY_S_TLS_HS;
        xc_s2s_status st = xc_s2s_verify_feed(s, b + off, piece, &used);

        if (used > piece)
            abort();
        if (waiting && (used != 0 || st != XC_S2S_WAIT))
            abort();
        if ((s->fx.flags & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT)) && used != piece)
            abort();
        off += used;
        after(s, st, was_closed, 1);
        if (s->fx.flags & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT))
            return;
        if (st != XC_S2S_OK || (used == 0 && piece == len - off))
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xc_s2s_memory m;
    xc_s2s_verify *s = &stream;
    size_t pos = 2;
    uint8_t opt;
    xc_str sender;

    if (size < 2)
        return 0;
    opt = data[0];
    m = fs2s_setup(opt, data[1]);
    fs2s_rnd_reset();
    n_tokens = 0;
    reused = 0;
    memset(handed, 0, sizeof handed);
    sender = (opt >> 6) & 1u ? XC_STR_LIT("pubsub.remote.example") : XC_STR_LIT(FS2S_PEER);
    xc_s2s_verify_init(s, &fs2s_cfg, &m, XC_STR_LIT(FS2S_HOST), sender);

    while (pos + 2 <= size) {
        uint8_t ctl = data[pos], len = data[pos + 1];
        const uint8_t *body = data + pos + 2;
        size_t n = size - pos - 2 < len ? size - pos - 2 : len;
        int was_closed = s->state == XC_S2S_VERIFY_S_CLOSED;
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
            st = xc_s2s_verify_tls_done(s, cert);
            break;
        }
        case 2: st = xc_s2s_verify_tls_failed(s); break;
        case 3:
        case 6: {
            static char idbuf[300];
            static char key[XC_DB_KEY_LEN];
            xc_str id = { NULL, 0 }, k = { NULL, 0 };
            uint64_t token;
            if ((ctl & 7u) == 3 && ((ctl >> 3) & 1u)) {
                size_t sp = 0;
                while (sp < n && body[sp] != ' ')
                    sp++;
                id.ptr = (const char *)body;
                id.len = (uint32_t)sp;
                k.ptr = sp < n ? (const char *)body + sp + 1 : NULL;
                k.len = sp < n ? (uint32_t)(n - sp - 1) : 0;
            } else if ((ctl & 7u) == 3) {
                idbuf[0] = 'i';
                memcpy(idbuf + 1, body, n);
                id.ptr = idbuf;
                id.len = (uint32_t)n + 1u;
                k.ptr = key;
                k.len = XC_DB_KEY_LEN;
                if (xc_db_key(&fs2s_cfg.secret, XC_STR_LIT(FS2S_HOST), sender, id, key) != XC_DB_OK)
                    memset(key, 'a', sizeof key);
            }
            if ((ctl & 7u) == 3)
                pos += n;
            if (n_tokens >= TMAX)
                continue; /* the harness's token table is full: nothing handed */
            if ((ctl >> 4) & 1u && n_tokens > 0) {
                token = n_tokens - 1u;
                reused = 1;
            } else {
                token = n_tokens++;
            }
            if (token < TMAX && handed[token] == 0)
                handed[token] = 1;
            else if (token < TMAX)
                reused = 1;
            st = xc_s2s_verify_request(s, id, k, token);
            break;
        }
        case 4:
            switch ((ctl >> 3) % 3u) {
            case 0: st = xc_s2s_verify_connected(s); break;
            case 1: st = xc_s2s_verify_resolve_failed(s); break;
            default: st = xc_s2s_verify_connect_failed(s); break;
            }
            break;
        default:
            switch ((ctl >> 3) % 3u) {
            case 0: st = xc_s2s_verify_idle(s); break;
            case 1: st = xc_s2s_verify_timeout(s); break;
            default: st = xc_s2s_verify_shutdown(s); break;
            }
            break;
        }
        after(s, st, was_closed, 0);
    }
    return 0;
}
