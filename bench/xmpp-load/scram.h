/*
 * scram.h — the client side of SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), without
 * channel binding (gs2 header "n,,"), for a load generator that logs in thousands of accounts.
 *
 * PBKDF2 is by design the costly step (it runs `iterations` HMACs), and a generator that runs it
 * on every login measures itself instead of the server. SaltedPassword depends only on
 * (password, salt, iterations, hash), so a cache keeps it per (salt, iterations, hash) for the
 * one password of the run: each account costs one PBKDF2 at its first login, and every later
 * login of it (and of any account that shares its salt) reuses the result. The cache is a fixed
 * table sized at creation; when it is full, results are computed and not kept.
 *
 * One exchange: xl_scram_first (client-first-message), xl_scram_final (from server-first-message
 * to client-final-message), xl_scram_verify (server-final-message: the server proved it knows
 * the secret). Messages are raw SCRAM text; the caller does base64 and XML.
 */
#ifndef XL_SCRAM_H
#define XL_SCRAM_H

#include <stddef.h>
#include <stdint.h>

#define XL_SCRAM_USER_MAX 64u      /* bytes of a user name (before =2C/=3D escaping) */
#define XL_SCRAM_MSG_MAX 512u      /* bytes of any one SCRAM message, in or out */
#define XL_SCRAM_HASH_MAX 32u      /* SHA-256 */
#define XL_SCRAM_SALT_MAX 128u

typedef enum { XL_SCRAM_SHA1, XL_SCRAM_SHA256 } xl_scram_hash;

typedef struct xl_scram_cache xl_scram_cache;

/* One login's exchange. Lives in the client while it authenticates. */
typedef struct {
    xl_scram_hash hash;
    char first_bare[2 * XL_SCRAM_USER_MAX + 64];   /* n=user,r=cnonce: part of AuthMessage */
    size_t first_bare_len;
    size_t cnonce_len;                               /* the nonce is the tail of first_bare */
    uint8_t server_sig[XL_SCRAM_HASH_MAX];           /* what server-final-message must carry */
    int stage;                                       /* 0 new, 1 first sent, 2 final sent */
} xl_scram;

/* A cache for `password` (copied) with room for `slots` salts. NULL when out of memory or the
 * password is empty or longer than 1023 bytes. */
xl_scram_cache *xl_scram_cache_new(const char *password, size_t slots);
void xl_scram_cache_free(xl_scram_cache *c);
/* How many PBKDF2 runs the cache did, and how many logins it spared one. */
void xl_scram_cache_counts(const xl_scram_cache *c, uint64_t *computed, uint64_t *reused);

/* "SCRAM-SHA-1" or "SCRAM-SHA-256". */
const char *xl_scram_mech_name(xl_scram_hash h);

/* client-first-message for user into out. 0 ok; -1 the user name is empty or too long, no
 * randomness, or cap too small. */
int xl_scram_first(xl_scram *s, xl_scram_hash h, const char *user, char *out, size_t cap, size_t *len);

/* client-final-message from server-first-message sf[0..sf_len). 0 ok; -1 malformed, the
 * server's nonce does not extend ours, a mandatory extension, iterations outside 1..10^7, a
 * salt too long, or cap too small. */
int xl_scram_final(xl_scram *s, xl_scram_cache *c, const char *sf, size_t sf_len, char *out, size_t cap,
                   size_t *len);

/* 0 when server-final-message sv[0..len) is "v=" with the expected signature; -1 otherwise
 * (including "e=..." errors). */
int xl_scram_verify(const xl_scram *s, const char *sv, size_t len);

#endif
