/*
 * tls13_records.c — see tls13_records.h.
 *
 * Invariants kept here:
 *   - a record number is used once per key: it grows after every record sealed or opened, and
 *     goes back to 0 only with a new key (§5.3, §4.6.3); a number about to wrap ends the session;
 *   - plaintext is handed out only from a record that authenticated;
 *   - after a fatal alert nothing more is sealed or opened, after our close_notify nothing is
 *     sealed, after the peer's nothing is opened (§6).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls13_records.h"

#define HDR 5u                       /* type, legacy_record_version, length (§5.1) */
#define TAG 16u                      /* every suite here has a 16-byte tag */
#define IV_LEN 12u
#define KEY_MAX 32u
#define PLAIN_MAX 16384u             /* 2^14 (§5.1) */
#define CIPHER_MAX (PLAIN_MAX + 256u)  /* TLSCiphertext.length limit (§5.2) */
#define SEAL_LIMIT (1ull << 24)      /* records per write key before we change it (§5.5) */

enum content_type { CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPLICATION_DATA = 23 };
enum alert {
    ALERT_CLOSE_NOTIFY = 0,
    ALERT_UNEXPECTED_MESSAGE = 10,
    ALERT_BAD_RECORD_MAC = 20,
    ALERT_RECORD_OVERFLOW = 22,
    ALERT_ILLEGAL_PARAMETER = 47,
    ALERT_DECODE_ERROR = 50,
    ALERT_INTERNAL_ERROR = 80,
    ALERT_USER_CANCELED = 90
};
#define HS_KEY_UPDATE 24u

typedef struct direction {
    uint8_t secret[XS_TLS13_SECRET_MAX];
    uint8_t key[KEY_MAX];
    uint8_t iv[IV_LEN];
    uint64_t seq;                    /* the next record's number under this key */
    EVP_CIPHER_CTX *ctx;             /* keyed with key; NULL until needed and after a trim */
} direction;

struct xs_tls13 {
    const EVP_CIPHER *cipher;
    const EVP_MD *md;
    size_t secret_len, key_len;
    direction rd, wr;
    uint8_t *in;                     /* ciphertext from the peer: in[in_off .. in_len) unread */
    size_t in_off, in_len, in_cap;
    size_t rec_len;                  /* bytes at in_off the opened record occupies, 0 when none */
    size_t plain_off, plain_len;     /* its application data not yet handed out */
    uint8_t *out;                    /* sealed records: out[out_off .. out_len) to send */
    size_t out_off, out_len, out_cap;
    int write_ended;                 /* our close_notify or a fatal alert: nothing more is sealed */
    int read_ended;                  /* a fatal alert either way: nothing more is opened */
    int peer_closed;                 /* the peer's close_notify: what follows it is ignored (§6.1) */
    char err[160];
};

/* HKDF-Expand-Label(secret, label, "", len) (§7.1) for len <= the hash length, where
 * HKDF-Expand is the single block HMAC(secret, HkdfLabel || 0x01) (RFC 5869 §2.3). */
static int expand_label(const xs_tls13 *s, const uint8_t *secret, const char *label, uint8_t *out, size_t len)
{
    uint8_t info[2 + 1 + 6 + 16 + 1 + 1];
    uint8_t block[EVP_MAX_MD_SIZE];
    unsigned int block_len = 0;
    size_t label_len = strlen(label), n = 0;

    if (label_len > 16 || len > s->secret_len)
        return -1;
    info[n++] = (uint8_t)(len >> 8);
    info[n++] = (uint8_t)len;
    info[n++] = (uint8_t)(6 + label_len);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = 0;                   /* empty context */
    info[n++] = 1;                   /* HKDF-Expand's block counter */
    if (HMAC(s->md, secret, (int)s->secret_len, info, n, block, &block_len) == NULL || block_len < len) {
        OPENSSL_cleanse(block, sizeof block);
        return -1;
    }
    memcpy(out, block, len);
    OPENSSL_cleanse(block, sizeof block);
    return 0;
}

/* The direction's key and IV from its secret (§7.3); a new key starts at record 0. */
static int derive(xs_tls13 *s, direction *d)
{
    EVP_CIPHER_CTX_free(d->ctx);
    d->ctx = NULL;
    d->seq = 0;
    return expand_label(s, d->secret, "key", d->key, s->key_len) == 0 &&
                   expand_label(s, d->secret, "iv", d->iv, IV_LEN) == 0
               ? 0
               : -1;
}

/* application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)
 * (§7.2), then the direction's new key. */
static int next_secret(xs_tls13 *s, direction *d)
{
    uint8_t next[XS_TLS13_SECRET_MAX];
    int r = expand_label(s, d->secret, "traffic upd", next, s->secret_len);

    if (r == 0)
        memcpy(d->secret, next, s->secret_len);
    OPENSSL_cleanse(next, sizeof next);
    return r == 0 ? derive(s, d) : -1;
}

/* nonce = IV xor the record number, left-padded to the IV's length (§5.3) */
static void nonce(const direction *d, uint8_t *n)
{
    uint32_t i;

    memcpy(n, d->iv, IV_LEN);
    for (i = 0; i < 8; i++)
        n[IV_LEN - 1 - i] ^= (uint8_t)(d->seq >> (8 * i));
}

static int keyed(const xs_tls13 *s, direction *d, int enc)
{
    if (d->ctx != NULL)
        return 0;
    d->ctx = EVP_CIPHER_CTX_new();
    if (d->ctx == NULL || EVP_CipherInit_ex(d->ctx, s->cipher, NULL, d->key, NULL, enc) != 1) {
        EVP_CIPHER_CTX_free(d->ctx);
        d->ctx = NULL;
        return -1;
    }
    return 0;
}

xs_tls13 *xs_tls13_new(uint16_t suite, const uint8_t *read_secret, const uint8_t *write_secret, size_t secret_len,
                       uint64_t read_seq, uint64_t write_seq)
{
    xs_tls13 *s;

    if (secret_len > XS_TLS13_SECRET_MAX || (s = calloc(1, sizeof *s)) == NULL)
        return NULL;
    switch (suite) {
    case 0x1301:
        s->cipher = EVP_aes_128_gcm();
        s->md = EVP_sha256();
        s->key_len = 16;
        break;
    case 0x1302:
        s->cipher = EVP_aes_256_gcm();
        s->md = EVP_sha384();
        s->key_len = 32;
        break;
    case 0x1303:
        s->cipher = EVP_chacha20_poly1305();
        s->md = EVP_sha256();
        s->key_len = 32;
        break;
    default:
        free(s);
        return NULL;
    }
    s->secret_len = (size_t)EVP_MD_get_size(s->md);
    if (s->cipher == NULL || secret_len != s->secret_len) {
        free(s);
        return NULL;
    }
    memcpy(s->rd.secret, read_secret, secret_len);
    memcpy(s->wr.secret, write_secret, secret_len);
    if (derive(s, &s->rd) != 0 || derive(s, &s->wr) != 0) {
        xs_tls13_free(s);
        return NULL;
    }
    s->rd.seq = read_seq;
    s->wr.seq = write_seq;
    return s;
}

void xs_tls13_free(xs_tls13 *s)
{
    if (s == NULL)
        return;
    EVP_CIPHER_CTX_free(s->rd.ctx);
    EVP_CIPHER_CTX_free(s->wr.ctx);
    if (s->in != NULL)   /* an opened record, or one that failed to authenticate (keystream) */
        OPENSSL_cleanse(s->in, s->in_cap);
    free(s->in);
    free(s->out);
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

/* Room for n more bytes at the end of *buf (len used of cap). 0 or -1. */
static int reserve(uint8_t **buf, size_t *cap, size_t len, size_t n, size_t limit)
{
    size_t want;
    uint8_t *p;

    if (n > limit - len)
        return -1;
    if (len + n <= *cap)
        return 0;
    want = *cap < 4096 ? 4096 : *cap;
    while (want < len + n)
        want = want > limit / 2 ? limit : want * 2;
    p = realloc(*buf, want);
    if (p == NULL)
        return -1;
    *buf = p;
    *cap = want;
    return 0;
}

/* One record of `type` around data[0..len) (len <= PLAIN_MAX): TLSInnerPlaintext without
 * padding, sealed with the write key (§5.2). */
static int seal(xs_tls13 *s, uint8_t type, const uint8_t *data, size_t len)
{
    size_t clen = len + 1 + TAG;
    uint8_t n[IV_LEN], *rec;
    int outl = 0, fin = 0;

    if (s->wr.seq == UINT64_MAX || keyed(s, &s->wr, 1) != 0 ||
        reserve(&s->out, &s->out_cap, s->out_len, HDR + clen, SIZE_MAX / 2) != 0)
        return -1;
    rec = s->out + s->out_len;
    rec[0] = CT_APPLICATION_DATA;    /* the outer type of every protected record (§5.2) */
    rec[1] = 0x03;
    rec[2] = 0x03;
    rec[3] = (uint8_t)(clen >> 8);
    rec[4] = (uint8_t)clen;
    memcpy(rec + HDR, data, len);
    rec[HDR + len] = type;
    nonce(&s->wr, n);
    if (EVP_EncryptInit_ex(s->wr.ctx, NULL, NULL, NULL, n) != 1 ||
        EVP_EncryptUpdate(s->wr.ctx, NULL, &outl, rec, HDR) != 1 ||
        EVP_EncryptUpdate(s->wr.ctx, rec + HDR, &outl, rec + HDR, (int)(len + 1)) != 1 ||
        EVP_EncryptFinal_ex(s->wr.ctx, rec + HDR + outl, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->wr.ctx, EVP_CTRL_AEAD_GET_TAG, TAG, rec + HDR + len + 1) != 1)
        return -1;
    s->wr.seq++;
    s->out_len += HDR + clen;
    return 0;
}

/* Ends the session: the alert goes to the peer (when a record can still be sealed). */
static xs_tls_status fatal(xs_tls13 *s, uint8_t alert, const char *why)
{
    uint8_t body[2] = {2, alert};    /* level fatal; TLS 1.3 ignores the level (§6) */

    if (!s->write_ended)
        (void)seal(s, CT_ALERT, body, sizeof body);
    s->write_ended = 1;
    s->read_ended = 1;
    snprintf(s->err, sizeof s->err, "TLS 1.3 records: %s (alert %u sent)", why, alert);
    return XS_TLS_ERROR;
}

static xs_tls_status sealed(xs_tls13 *s, uint8_t type, const uint8_t *data, size_t len)
{
    if (s->wr.seq >= SEAL_LIMIT && type != CT_ALERT && xs_tls13_key_update(s, 0) != XS_TLS_OK)
        return XS_TLS_ERROR;
    if (seal(s, type, data, len) != 0) {
        s->write_ended = 1;
        snprintf(s->err, sizeof s->err, "TLS 1.3 records: cannot seal a record (memory or cipher)");
        return XS_TLS_ERROR;
    }
    return XS_TLS_OK;
}

xs_tls_status xs_tls13_key_update(xs_tls13 *s, int request_peer)
{
    uint8_t msg[5] = {HS_KEY_UPDATE, 0, 0, 1, (uint8_t)(request_peer ? 1 : 0)};

    if (s->write_ended)
        return XS_TLS_ERROR;
    /* sealed under the old key; what follows uses the next one (§4.6.3) */
    if (seal(s, CT_HANDSHAKE, msg, sizeof msg) != 0 || next_secret(s, &s->wr) != 0) {
        s->write_ended = 1;
        snprintf(s->err, sizeof s->err, "TLS 1.3 records: cannot change the write key");
        return XS_TLS_ERROR;
    }
    return XS_TLS_OK;
}

int xs_tls13_put(xs_tls13 *s, const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    if (s->rec_len == 0 && s->in_off > 0) {
        /* nothing opened points into in: move the unread bytes to the front */
        memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
        s->in_len -= s->in_off;
        s->in_off = 0;
    }
    if (reserve(&s->in, &s->in_cap, s->in_len, len, XS_TLS13_IN_MAX) != 0)
        return -1;
    memcpy(s->in + s->in_len, data, len);
    s->in_len += len;
    return 0;
}

/* Authenticates and decrypts the record at in_off (rec_len bytes) in place: *inner is the
 * length of its TLSInnerPlaintext. 0, or -1 when it does not authenticate. */
static int open_record(xs_tls13 *s, size_t clen, size_t *inner)
{
    uint8_t *rec = s->in + s->in_off;
    uint8_t n[IV_LEN];
    int outl = 0, fin = 0;

    if (clen < TAG + 1 || keyed(s, &s->rd, 0) != 0)
        return -1;
    nonce(&s->rd, n);
    if (EVP_DecryptInit_ex(s->rd.ctx, NULL, NULL, NULL, n) != 1 ||
        EVP_DecryptUpdate(s->rd.ctx, NULL, &outl, rec, HDR) != 1 ||
        EVP_DecryptUpdate(s->rd.ctx, rec + HDR, &outl, rec + HDR, (int)(clen - TAG)) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->rd.ctx, EVP_CTRL_AEAD_SET_TAG, TAG, rec + HDR + clen - TAG) != 1 ||
        EVP_DecryptFinal_ex(s->rd.ctx, rec + HDR + outl, &fin) != 1)
        return -1;
    *inner = clen - TAG;
    return 0;
}

/* A post-handshake message in a record of its own (see the header): only KeyUpdate. */
static xs_tls_status handshake_message(xs_tls13 *s, const uint8_t *p, size_t len)
{
    size_t body;

    if (len < 4)
        return fatal(s, ALERT_UNEXPECTED_MESSAGE, "a handshake message split across records");
    body = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (p[0] != HS_KEY_UPDATE)
        return fatal(s, ALERT_UNEXPECTED_MESSAGE, "a post-handshake message other than KeyUpdate");
    /* split across records, or followed by more in its record: a KeyUpdate must end the
     * record, since what follows it is under the next key (§5.1) */
    if (body != len - 4)
        return fatal(s, ALERT_UNEXPECTED_MESSAGE, "a KeyUpdate that is not the whole record");
    if (body != 1)
        return fatal(s, ALERT_DECODE_ERROR, "a KeyUpdate whose body is not one byte");
    if (p[4] > 1)
        return fatal(s, ALERT_ILLEGAL_PARAMETER, "a KeyUpdate with a request_update other than 0 or 1");
    if (next_secret(s, &s->rd) != 0)
        return fatal(s, ALERT_INTERNAL_ERROR, "cannot change the read key");
    /* update_requested: our own KeyUpdate before our next application data (§4.6.3); after
     * our close_notify there is none to send */
    return p[4] == 1 && !s->write_ended ? xs_tls13_key_update(s, 0) : XS_TLS_OK;
}

/* Drops the opened record from the input. */
static void consumed(xs_tls13 *s)
{
    OPENSSL_cleanse(s->in + s->in_off, s->rec_len);
    s->in_off += s->rec_len;
    s->rec_len = 0;
    s->plain_off = 0;
    s->plain_len = 0;
    if (s->in_off == s->in_len)
        s->in_off = s->in_len = 0;
}

xs_tls_status xs_tls13_read(xs_tls13 *s, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (cap == 0)
        return XS_TLS_OK;
    for (;;) {
        const uint8_t *h;
        uint8_t *p;
        size_t clen, inner, len;
        xs_tls_status st;

        if (s->plain_len > 0) {
            len = s->plain_len < cap ? s->plain_len : cap;
            memcpy(buf, s->in + s->in_off + s->plain_off, len);
            s->plain_off += len;
            s->plain_len -= len;
            if (s->plain_len == 0)
                consumed(s);
            *n = len;
            return XS_TLS_OK;
        }
        if (s->rec_len > 0)
            consumed(s);
        if (s->peer_closed)
            return XS_TLS_CLOSED;
        if (s->read_ended)
            return XS_TLS_ERROR;
        if (s->in_len - s->in_off < HDR)
            return XS_TLS_AGAIN;
        h = s->in + s->in_off;
        clen = (size_t)h[3] << 8 | h[4];
        /* every protected record is application_data outside (§5.2); a plaintext alert, a
         * change_cipher_spec or handshake record has no place after the handshake (§5) */
        if (h[0] != CT_APPLICATION_DATA)
            return fatal(s, ALERT_UNEXPECTED_MESSAGE, "a record that is not protected");
        if (clen > CIPHER_MAX)
            return fatal(s, ALERT_RECORD_OVERFLOW, "a record longer than 2^14 + 256");
        if (s->in_len - s->in_off < HDR + clen)
            return XS_TLS_AGAIN;
        if (s->rd.seq == UINT64_MAX)
            return fatal(s, ALERT_INTERNAL_ERROR, "the read record number would wrap");
        if (open_record(s, clen, &inner) != 0)
            return fatal(s, ALERT_BAD_RECORD_MAC, "a record that does not authenticate");
        s->rd.seq++;
        s->rec_len = HDR + clen;
        p = s->in + s->in_off + HDR;
        while (inner > 0 && p[inner - 1] == 0)     /* padding (§5.4) */
            inner--;
        if (inner == 0)
            return fatal(s, ALERT_UNEXPECTED_MESSAGE, "a record with no content type");
        len = inner - 1;
        if (len > PLAIN_MAX)
            return fatal(s, ALERT_RECORD_OVERFLOW, "a plaintext longer than 2^14");
        switch (p[len]) {
        case CT_APPLICATION_DATA:
            s->plain_off = HDR;
            s->plain_len = len;          /* may be 0: the loop goes on to the next record */
            continue;
        case CT_ALERT:
            if (len != 2)
                return fatal(s, ALERT_DECODE_ERROR, "an alert that is not 2 bytes");
            if (p[1] == ALERT_CLOSE_NOTIFY) {
                s->peer_closed = 1;
                continue;
            }
            if (p[1] == ALERT_USER_CANCELED)
                continue;
            s->read_ended = 1;
            s->write_ended = 1;      /* a fatal alert ends both ways, no answer (§6.2) */
            snprintf(s->err, sizeof s->err, "TLS 1.3 records: the peer sent alert %u", p[1]);
            return XS_TLS_ERROR;
        case CT_HANDSHAKE:
            st = handshake_message(s, p, len);
            if (st != XS_TLS_OK)
                return st;
            continue;
        default:
            return fatal(s, ALERT_UNEXPECTED_MESSAGE, "a record of an unknown content type");
        }
    }
}

xs_tls_status xs_tls13_write(xs_tls13 *s, const uint8_t *data, size_t len)
{
    if (s->write_ended) {
        if (s->err[0] == '\0')
            snprintf(s->err, sizeof s->err, "TLS 1.3 records: write after the session ended");
        return XS_TLS_ERROR;
    }
    while (len > 0) {
        size_t chunk = len < PLAIN_MAX ? len : PLAIN_MAX;

        if (sealed(s, CT_APPLICATION_DATA, data, chunk) != XS_TLS_OK)
            return XS_TLS_ERROR;
        data += chunk;
        len -= chunk;
    }
    return XS_TLS_OK;
}

void xs_tls13_close(xs_tls13 *s)
{
    static const uint8_t close_notify[2] = {1, ALERT_CLOSE_NOTIFY};

    if (s->write_ended)
        return;
    (void)seal(s, CT_ALERT, close_notify, sizeof close_notify);
    s->write_ended = 1;
}

size_t xs_tls13_out_len(const xs_tls13 *s)
{
    return s->out_len - s->out_off;
}

size_t xs_tls13_out_take(xs_tls13 *s, uint8_t *buf, size_t cap)
{
    size_t n = s->out_len - s->out_off;

    if (n > cap)
        n = cap;
    if (n == 0)
        return 0;
    memcpy(buf, s->out + s->out_off, n);
    s->out_off += n;
    if (s->out_off == s->out_len) {
        /* drained: a parked stream that only receives is never trimmed again, so its
         * buffer goes now rather than at the next park */
        free(s->out);
        s->out = NULL;
        s->out_off = s->out_len = s->out_cap = 0;
    }
    return n;
}

void xs_tls13_trim(xs_tls13 *s)
{
    EVP_CIPHER_CTX_free(s->rd.ctx);
    EVP_CIPHER_CTX_free(s->wr.ctx);
    s->rd.ctx = NULL;
    s->wr.ctx = NULL;
    /* empty: consumed() wiped every opened record already (a record that failed to
     * authenticate is never consumed, so its buffer is never empty) */
    if (s->in_len == 0 && s->rec_len == 0) {
        free(s->in);
        s->in = NULL;
        s->in_cap = 0;
    }
}

const char *xs_tls13_error(const xs_tls13 *s)
{
    return s->err;
}
