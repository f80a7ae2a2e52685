/*
 * scram.c — SCRAM client with a SaltedPassword cache (see scram.h).
 *
 * RFC 5802 §3: SaltedPassword = Hi(password, salt, i) (PBKDF2 with HMAC-H), ClientKey =
 * HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey), ClientSignature =
 * HMAC(StoredKey, AuthMessage), ClientProof = ClientKey XOR ClientSignature, ServerSignature =
 * HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage), AuthMessage = client-first-message-bare
 * "," server-first-message "," client-final-message-without-proof.
 *
 * The cache is open addressing with linear probing over a power-of-two table that never holds
 * more than three quarters of its slots, so every probe sequence ends at an empty slot.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "b64.h"
#include "scram.h"

#define PASSWORD_MAX 1023u
#define ITER_MAX 10000000ul
#define CNONCE_RAW 18u   /* 144 random bits, 24 base64 characters */

typedef struct {
    uint8_t used;
    uint8_t hash;
    uint8_t salt_len;
    uint32_t iter;
    uint8_t salt[XL_SCRAM_SALT_MAX];
    uint8_t salted[XL_SCRAM_HASH_MAX];
} cache_slot;

struct xl_scram_cache {
    char password[PASSWORD_MAX + 1];
    size_t password_len;
    cache_slot *slot;
    size_t mask;       /* slots - 1 */
    size_t used;
    uint64_t computed, reused;
};

static const EVP_MD *md_of(xl_scram_hash h)
{
    return h == XL_SCRAM_SHA1 ? EVP_sha1() : EVP_sha256();
}

static size_t md_len(xl_scram_hash h)
{
    return h == XL_SCRAM_SHA1 ? 20u : 32u;
}

const char *xl_scram_mech_name(xl_scram_hash h)
{
    return h == XL_SCRAM_SHA1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256";
}

xl_scram_cache *xl_scram_cache_new(const char *password, size_t slots)
{
    xl_scram_cache *c;
    size_t n = 16, len = strlen(password);

    if (len == 0 || len > PASSWORD_MAX)
        return NULL;
    while (n < slots * 4 / 3 + 1 && n < ((size_t)1 << 24))
        n <<= 1;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->slot = calloc(n, sizeof *c->slot);
    if (c->slot == NULL) {
        free(c);
        return NULL;
    }
    memcpy(c->password, password, len + 1);
    c->password_len = len;
    c->mask = n - 1;
    return c;
}

void xl_scram_cache_free(xl_scram_cache *c)
{
    if (c == NULL)
        return;
    OPENSSL_cleanse(c->password, sizeof c->password);
    OPENSSL_cleanse(c->slot, (c->mask + 1) * sizeof *c->slot);
    free(c->slot);
    free(c);
}

void xl_scram_cache_counts(const xl_scram_cache *c, uint64_t *computed, uint64_t *reused)
{
    *computed = c->computed;
    *reused = c->reused;
}

/* FNV-1a over the key. */
static size_t key_hash(xl_scram_hash h, uint32_t iter, const uint8_t *salt, size_t salt_len)
{
    uint64_t x = 1469598103934665603ull;
    size_t i;

    x = (x ^ (uint64_t)h) * 1099511628211ull;
    x = (x ^ iter) * 1099511628211ull;
    for (i = 0; i < salt_len; i++)
        x = (x ^ salt[i]) * 1099511628211ull;
    return (size_t)x;
}

/* SaltedPassword for (salt, iter, h) into out (md_len(h) bytes), from the cache when it is
 * there. 0 ok; -1 PBKDF2 failed. */
static int salted_password(xl_scram_cache *c, xl_scram_hash h, const uint8_t *salt, size_t salt_len,
                           uint32_t iter, uint8_t *out)
{
    size_t i = key_hash(h, iter, salt, salt_len) & c->mask;
    cache_slot *s;

    for (s = &c->slot[i]; s->used; s = &c->slot[i = (i + 1) & c->mask]) {
        if (s->hash == (uint8_t)h && s->iter == iter && s->salt_len == salt_len &&
            memcmp(s->salt, salt, salt_len) == 0) {
            memcpy(out, s->salted, md_len(h));
            c->reused++;
            return 0;
        }
    }
    if (PKCS5_PBKDF2_HMAC(c->password, (int)c->password_len, salt, (int)salt_len, (int)iter, md_of(h),
                          (int)md_len(h), out) != 1)
        return -1;
    c->computed++;
    if ((c->used + 1) * 4 <= (c->mask + 1) * 3) {   /* keep a quarter empty: probes terminate */
        s->used = 1;
        s->hash = (uint8_t)h;
        s->iter = iter;
        s->salt_len = (uint8_t)salt_len;
        memcpy(s->salt, salt, salt_len);
        memcpy(s->salted, out, md_len(h));
        c->used++;
    }
    return 0;
}

/* Appends src[0..len) at out[*pos], keeping room for a NUL. 0 ok, -1 no room. */
static int put(char *out, size_t cap, size_t *pos, const char *src, size_t len)
{
    if (len >= cap - *pos)
        return -1;
    memcpy(out + *pos, src, len);
    *pos += len;
    out[*pos] = '\0';
    return 0;
}

int xl_scram_first(xl_scram *s, xl_scram_hash h, const char *user, char *out, size_t cap, size_t *len)
{
    uint8_t raw[CNONCE_RAW];
    char nonce[XL_B64_ENCODED_LEN(CNONCE_RAW) + 1];
    size_t ulen = strlen(user), nlen, pos = 0, i;

    memset(s, 0, sizeof *s);
    s->hash = h;
    if (ulen == 0 || ulen > XL_SCRAM_USER_MAX || cap == 0 || RAND_bytes(raw, sizeof raw) != 1 ||
        xl_b64_encode(raw, sizeof raw, nonce, sizeof nonce, &nlen) != 0)
        return -1;
    /* saslname (RFC 5802 §5.1): ',' and '=' are escaped as =2C and =3D */
    if (put(s->first_bare, sizeof s->first_bare, &pos, "n=", 2) != 0)
        return -1;
    for (i = 0; i < ulen; i++) {
        const char *esc = user[i] == ',' ? "=2C" : user[i] == '=' ? "=3D" : NULL;
        if ((esc ? put(s->first_bare, sizeof s->first_bare, &pos, esc, 3)
                 : put(s->first_bare, sizeof s->first_bare, &pos, &user[i], 1)) != 0)
            return -1;
    }
    if (put(s->first_bare, sizeof s->first_bare, &pos, ",r=", 3) != 0 ||
        put(s->first_bare, sizeof s->first_bare, &pos, nonce, nlen) != 0)
        return -1;
    s->first_bare_len = pos;
    s->cnonce_len = nlen;
    *len = 0;
    if (put(out, cap, len, "n,,", 3) != 0 || put(out, cap, len, s->first_bare, pos) != 0)
        return -1;
    s->stage = 1;
    return 0;
}

/* The value of attribute `a` ("x=...") in a comma-separated SCRAM message, or NULL. */
static const char *attr(const char *m, size_t len, char a, size_t *vlen)
{
    size_t i = 0, j;

    while (i < len) {
        for (j = i; j < len && m[j] != ','; j++)
            ;
        if (j - i >= 2 && m[i] == a && m[i + 1] == '=') {
            *vlen = j - i - 2;
            return m + i + 2;
        }
        i = j + 1;
    }
    return NULL;
}

static int hmac(xl_scram_hash h, const uint8_t *key, size_t klen, const void *data, size_t dlen, uint8_t *out)
{
    unsigned int n = 0;

    return HMAC(md_of(h), key, (int)klen, data, dlen, out, &n) != NULL && n == md_len(h) ? 0 : -1;
}

int xl_scram_final(xl_scram *s, xl_scram_cache *c, const char *sf, size_t sf_len, char *out, size_t cap,
                   size_t *len)
{
    const char *nonce, *salt64, *iter_s;
    size_t nonce_len, salt64_len, iter_len, salt_len, hl = md_len(s->hash), am_len = 0, i, plen;
    uint8_t salt[XL_SCRAM_SALT_MAX], salted[XL_SCRAM_HASH_MAX], ckey[XL_SCRAM_HASH_MAX];
    uint8_t stored[XL_SCRAM_HASH_MAX], csig[XL_SCRAM_HASH_MAX], skey[XL_SCRAM_HASH_MAX];
    char am[3 * XL_SCRAM_MSG_MAX], proof[XL_B64_ENCODED_LEN(XL_SCRAM_HASH_MAX) + 1];
    unsigned long iter = 0;
    unsigned int dlen = 0;
    int rc = -1;

    if (s->stage != 1 || sf_len == 0 || sf_len > XL_SCRAM_MSG_MAX || sf_len < 2 || sf[0] != 'r' || sf[1] != '=')
        goto out;
    nonce = attr(sf, sf_len, 'r', &nonce_len);
    salt64 = attr(sf, sf_len, 's', &salt64_len);
    iter_s = attr(sf, sf_len, 'i', &iter_len);
    if (nonce == NULL || salt64 == NULL || iter_s == NULL || attr(sf, sf_len, 'm', &i) != NULL)
        goto out;
    /* the server's nonce starts with ours and adds its own part */
    if (nonce_len <= s->cnonce_len ||
        memcmp(nonce, s->first_bare + s->first_bare_len - s->cnonce_len, s->cnonce_len) != 0)
        goto out;
    if (iter_len == 0 || iter_len > 8)
        goto out;
    for (i = 0; i < iter_len; i++) {
        if (iter_s[i] < '0' || iter_s[i] > '9')
            goto out;
        iter = iter * 10 + (unsigned long)(iter_s[i] - '0');
    }
    if (iter == 0 || iter > ITER_MAX)
        goto out;
    if (xl_b64_decode(salt64, salt64_len, salt, sizeof salt, &salt_len) != 0 || salt_len == 0)
        goto out;
    if (salted_password(c, s->hash, salt, salt_len, (uint32_t)iter, salted) != 0)
        goto out;

    /* client-final-message-without-proof: "biws" is base64("n,,") */
    *len = 0;
    if (put(out, cap, len, "c=biws,r=", 9) != 0 || put(out, cap, len, nonce, nonce_len) != 0)
        goto out;
    if (put(am, sizeof am, &am_len, s->first_bare, s->first_bare_len) != 0 || put(am, sizeof am, &am_len, ",", 1) != 0 ||
        put(am, sizeof am, &am_len, sf, sf_len) != 0 || put(am, sizeof am, &am_len, ",", 1) != 0 ||
        put(am, sizeof am, &am_len, out, *len) != 0)
        goto out;
    if (hmac(s->hash, salted, hl, "Client Key", 10, ckey) != 0 ||
        EVP_Digest(ckey, hl, stored, &dlen, md_of(s->hash), NULL) != 1 || dlen != hl ||
        hmac(s->hash, stored, hl, am, am_len, csig) != 0 ||
        hmac(s->hash, salted, hl, "Server Key", 10, skey) != 0 ||
        hmac(s->hash, skey, hl, am, am_len, s->server_sig) != 0)
        goto out;
    for (i = 0; i < hl; i++)
        csig[i] ^= ckey[i];
    if (xl_b64_encode(csig, hl, proof, sizeof proof, &plen) != 0 || put(out, cap, len, ",p=", 3) != 0 ||
        put(out, cap, len, proof, plen) != 0)
        goto out;
    s->stage = 2;
    rc = 0;
out:
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(ckey, sizeof ckey);
    OPENSSL_cleanse(skey, sizeof skey);
    return rc;
}

int xl_scram_verify(const xl_scram *s, const char *sv, size_t len)
{
    uint8_t sig[XL_SCRAM_HASH_MAX];
    size_t sig_len, vlen;
    const char *v;

    /* "v=" first (an "e=" error has none); extensions may follow it */
    if (s->stage != 2 || len < 2 || sv[0] != 'v' || (v = attr(sv, len, 'v', &vlen)) == NULL)
        return -1;
    if (xl_b64_decode(v, vlen, sig, sizeof sig, &sig_len) != 0 || sig_len != md_len(s->hash))
        return -1;
    return CRYPTO_memcmp(sig, s->server_sig, sig_len) == 0 ? 0 : -1;
}
