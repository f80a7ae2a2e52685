/*
 * store_sqlite.h — the account store: one SQLite file, no password in it (DESIGN.md "Passwords
 * at rest").
 *
 * An account is one row per (host, node), both already prepared (Nameprep, Nodeprep: xmppctl
 * parses the JID with xc_jid_parse before it calls in here). The row keeps one RFC 3112
 * authPassword value per SCRAM family, in the format Cyrus's SCRAM plugin reads through auxprop
 * (plugins/scram.c, scram_server_mech_step1, and RFC 5803):
 *
 *     SCRAM-SHA-1$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *     SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 * with SaltedPassword = PBKDF2-HMAC-H(SASLprep(password), salt, iterations) (RFC 5802 §3),
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword,
 * "Server Key"), a fresh random 16-byte salt per family. Those values are enough to verify a
 * SCRAM proof or a PLAIN password (xs_scram_check) and not enough to log in as the user.
 *
 * The file is created mode 0600 (an existing file readable by group or others is set back to
 * 0600), in WAL mode with secure_delete on (a changed or deleted secret does not linger in free
 * pages), SQLite's defensive mode, and only prepared statements with bound parameters.
 * A `meta` table holds a random per-store key from which the SASL adapter derives stable decoy
 * secrets for unknown users, so that SCRAM cannot tell an unknown user from a wrong password.
 *
 * Single-threaded: one xs_store per process and thread.
 */
#ifndef XS_STORE_SQLITE_H
#define XS_STORE_SQLITE_H

#include <stddef.h>
#include <stdint.h>

typedef enum xs_store_status {
    XS_STORE_OK = 0,
    XS_STORE_NOT_FOUND,        /* no such account */
    XS_STORE_EXISTS,           /* adding an account that exists */
    XS_STORE_INVALID,          /* bad argument: name length, empty or unpreparable password, ... */
    XS_STORE_ERROR             /* SQLite, the file system or OpenSSL failed */
} xs_store_status;

typedef enum xs_scram_family {
    XS_SCRAM_SHA_1 = 0,
    XS_SCRAM_SHA_256 = 1,
    XS_SCRAM_FAMILIES = 2
} xs_scram_family;

#define XS_STORE_NAME_MAX 1023u        /* a node or a host, bytes (RFC 3920 §3.1) */
#define XS_STORE_PASSWORD_MAX 1024u    /* bytes of a password as typed */
#define XS_SCRAM_SALT_LEN 16u
#define XS_SCRAM_ITER_DEFAULT 4096u
#define XS_SCRAM_ITER_MIN 4096u        /* RFC 7677 §4 and Cyrus's floor */
#define XS_SCRAM_ITER_MAX 65536u       /* Cyrus's SCRAM client refuses more (MAX_ITERATION_COUNTER) */
#define XS_SCRAM_VALUE_MAX 160u        /* one authPassword value and its NUL (140 for SHA-256) */
#define XS_STORE_DECOY_KEY_LEN 32u

/* The authPassword values of one account, NUL-terminated. */
typedef struct xs_store_secrets {
    char value[XS_SCRAM_FAMILIES][XS_SCRAM_VALUE_MAX];
} xs_store_secrets;

typedef struct xs_store xs_store;

#define XS_STORE_CREATE 0x1u           /* create the file (mode 0600) when it is missing */

/* Opens (and with XS_STORE_CREATE creates) the store at path. NULL on failure, with a reason in
 * err (never anything read from the file). */
xs_store *xs_store_open(const char *path, unsigned flags, char *err, size_t err_len);
void xs_store_close(xs_store *st);

/* Both authPassword values of (node, host). */
xs_store_status xs_store_get(xs_store *st, const char *node, const char *host, xs_store_secrets *out);
xs_store_status xs_store_exists(xs_store *st, const char *node, const char *host);

/* Adds an account / replaces its secrets. The password (password_len bytes, UTF-8) is
 * SASLprep'd (RFC 4013, stored strings) and never written anywhere; iterations 0 means
 * XS_SCRAM_ITER_DEFAULT, otherwise XS_SCRAM_ITER_MIN..XS_SCRAM_ITER_MAX. */
xs_store_status xs_store_add(xs_store *st, const char *node, const char *host, const char *password,
                             size_t password_len, unsigned iterations);
xs_store_status xs_store_set_password(xs_store *st, const char *node, const char *host,
                                      const char *password, size_t password_len, unsigned iterations);
xs_store_status xs_store_delete(xs_store *st, const char *node, const char *host);

/* Calls fn for every account (host NULL) or every account of host, ordered by host then node;
 * stops early when fn returns non-zero. */
typedef int (*xs_store_list_fn)(void *ctx, const char *node, const char *host);
xs_store_status xs_store_list(xs_store *st, const char *host, xs_store_list_fn fn, void *ctx);

/* The store's random key for decoy secrets (XS_STORE_DECOY_KEY_LEN bytes). */
xs_store_status xs_store_decoy_key(xs_store *st, uint8_t out[XS_STORE_DECOY_KEY_LEN]);

/* --- SCRAM secrets (shared by the store and the SASL adapter's PLAIN check) ---------------- */

const char *xs_scram_name(xs_scram_family f);   /* "SCRAM-SHA-1", "SCRAM-SHA-256" */
size_t xs_scram_hash_len(xs_scram_family f);    /* 20, 32 */

/* Formats the authPassword value of `f` from its parts (salt up to 32 bytes, keys of
 * xs_scram_hash_len(f) bytes) into out[XS_SCRAM_VALUE_MAX]. 0 on success, -1 otherwise. */
int xs_scram_format(xs_scram_family f, unsigned iterations, const uint8_t *salt, size_t salt_len,
                    const uint8_t *stored_key, const uint8_t *server_key, char *out);

/* Derives the authPassword value of `f` for a password that is already SASLprep'd. */
int xs_scram_derive(xs_scram_family f, const char *prepped, size_t prepped_len, const uint8_t *salt,
                    size_t salt_len, unsigned iterations, char *out);

/* SASLprep (RFC 4013) of password into out[cap]; stored = 1 refuses unassigned code points (for
 * passwords being set), 0 allows them (for passwords being checked). 0 on success with
 * *out_len > 0; -1 when the password is empty, too long, or prohibited. */
int xs_saslprep(const char *password, size_t len, int stored, char *out, size_t cap, size_t *out_len);

/* Checks a password (as the client sent it) against one authPassword value: recomputes the
 * salted password with the value's salt and iterations, derives StoredKey and compares in
 * constant time. 1: it matches; 0: it does not; -1: the value is malformed or a call failed. */
int xs_scram_check(const char *value, const char *password, size_t password_len);

#endif
