/*
 * store_sqlite.c — the account store over SQLite (store_sqlite.h has the format).
 *
 * Invariants:
 *   - no password reaches SQLite, a log or a file: it is SASLprep'd into a local buffer, run
 *     through PBKDF2 for each SCRAM family, and the buffers are cleansed before returning;
 *   - every statement is prepared once with bound parameters; the only SQL text passed to
 *     sqlite3_exec is the constant schema below;
 *   - every statement is reset before the function that stepped it returns, so the server's
 *     long-lived connection never holds a read transaction (and its WAL snapshot) between calls;
 *   - the file is created 0600 by us (open(2) with O_NOFOLLOW) before SQLite sees it, and
 *     SQLite gives its -wal and -shm files the database file's mode.
 */
#include "store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stringprep.h>

#include "xc_base64.h"

#define SCHEMA_VERSION 1

enum {
    ST_GET = 0,
    ST_EXISTS,
    ST_INSERT,
    ST_UPDATE,
    ST_DELETE,
    ST_LIST_ALL,
    ST_LIST_HOST,
    ST_META_GET,
    ST_COUNT
};

static const char *const STMT_SQL[ST_COUNT] = {
    [ST_GET] = "SELECT scram_sha_1, scram_sha_256 FROM accounts WHERE host = ?1 AND node = ?2",
    [ST_EXISTS] = "SELECT 1 FROM accounts WHERE host = ?1 AND node = ?2",
    [ST_INSERT] = "INSERT INTO accounts (host, node, scram_sha_1, scram_sha_256) VALUES (?1, ?2, ?3, ?4)",
    [ST_UPDATE] = "UPDATE accounts SET scram_sha_1 = ?3, scram_sha_256 = ?4 WHERE host = ?1 AND node = ?2",
    [ST_DELETE] = "DELETE FROM accounts WHERE host = ?1 AND node = ?2",
    [ST_LIST_ALL] = "SELECT node, host FROM accounts ORDER BY host, node",
    [ST_LIST_HOST] = "SELECT node, host FROM accounts WHERE host = ?1 ORDER BY node",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
};

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta ("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  value BLOB NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS accounts ("
    "  host TEXT NOT NULL CHECK (length(CAST(host AS BLOB)) BETWEEN 1 AND 1023),"
    "  node TEXT NOT NULL CHECK (length(CAST(node AS BLOB)) BETWEEN 1 AND 1023),"
    "  scram_sha_1 TEXT NOT NULL CHECK (substr(scram_sha_1, 1, 12) = 'SCRAM-SHA-1$'),"
    "  scram_sha_256 TEXT NOT NULL CHECK (substr(scram_sha_256, 1, 14) = 'SCRAM-SHA-256$'),"
    "  PRIMARY KEY (host, node)"
    ") WITHOUT ROWID;";

struct xs_store {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
};

static void set_err(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err_len == 0)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* --- SCRAM secrets ------------------------------------------------------------------------- */

const char *xs_scram_name(xs_scram_family f)
{
    return f == XS_SCRAM_SHA_256 ? "SCRAM-SHA-256" : "SCRAM-SHA-1";
}

size_t xs_scram_hash_len(xs_scram_family f)
{
    return f == XS_SCRAM_SHA_256 ? 32u : 20u;
}

static const EVP_MD *scram_md(xs_scram_family f)
{
    return f == XS_SCRAM_SHA_256 ? EVP_sha256() : EVP_sha1();
}

/* Appends the canonical base64 of in[0..len-1] at out + *pos (room: cap). */
static int put_b64(char *out, size_t cap, size_t *pos, const uint8_t *in, size_t len)
{
    size_t n = 0;

    if (*pos > cap || xc_base64_encode(in, len, out + *pos, cap - *pos, &n) != XC_B64_OK)
        return -1;
    *pos += n;
    return 0;
}

static int put_text(char *out, size_t cap, size_t *pos, const char *text)
{
    size_t n = strlen(text);

    if (*pos > cap || n > cap - *pos)
        return -1;
    memcpy(out + *pos, text, n);
    *pos += n;
    return 0;
}

int xs_scram_format(xs_scram_family f, unsigned iterations, const uint8_t *salt, size_t salt_len,
                    const uint8_t *stored_key, const uint8_t *server_key, char *out)
{
    const size_t cap = XS_SCRAM_VALUE_MAX - 1u; /* room for the NUL */
    size_t hl = xs_scram_hash_len(f);
    size_t pos = 0;
    char iter[16];

    if (salt_len == 0 || salt_len > 32u)
        return -1;
    (void)snprintf(iter, sizeof iter, "%u", iterations);
    if (put_text(out, cap, &pos, xs_scram_name(f)) != 0 || put_text(out, cap, &pos, "$") != 0 ||
        put_text(out, cap, &pos, iter) != 0 || put_text(out, cap, &pos, ":") != 0 ||
        put_b64(out, cap, &pos, salt, salt_len) != 0 || put_text(out, cap, &pos, "$") != 0 ||
        put_b64(out, cap, &pos, stored_key, hl) != 0 || put_text(out, cap, &pos, ":") != 0 ||
        put_b64(out, cap, &pos, server_key, hl) != 0)
        return -1;
    out[pos] = '\0';
    return 0;
}

/* SaltedPassword, StoredKey and ServerKey of RFC 5802 §3 (keys: xs_scram_hash_len(f) bytes). */
static int scram_keys(xs_scram_family f, const char *prepped, size_t prepped_len, const uint8_t *salt,
                      size_t salt_len, unsigned iterations, uint8_t *stored_key, uint8_t *server_key)
{
    const EVP_MD *md = scram_md(f);
    size_t hl = xs_scram_hash_len(f);
    uint8_t salted[EVP_MAX_MD_SIZE];
    uint8_t client_key[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    int rc = -1;

    if (prepped_len > (size_t)0x7fffffff || salt_len > (size_t)0x7fffffff || iterations == 0 ||
        iterations > 0x7fffffffu)
        goto out;
    if (PKCS5_PBKDF2_HMAC(prepped, (int)prepped_len, salt, (int)salt_len, (int)iterations, md, (int)hl,
                          salted) != 1)
        goto out;
    if (HMAC(md, salted, (int)hl, (const unsigned char *)"Client Key", 10, client_key, &n) == NULL || n != hl)
        goto out;
    if (EVP_Digest(client_key, hl, stored_key, &n, md, NULL) != 1 || n != hl)
        goto out;
    if (server_key != NULL &&
        (HMAC(md, salted, (int)hl, (const unsigned char *)"Server Key", 10, server_key, &n) == NULL || n != hl))
        goto out;
    rc = 0;
out:
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(client_key, sizeof client_key);
    return rc;
}

int xs_scram_derive(xs_scram_family f, const char *prepped, size_t prepped_len, const uint8_t *salt,
                    size_t salt_len, unsigned iterations, char *out)
{
    uint8_t stored[EVP_MAX_MD_SIZE];
    uint8_t server[EVP_MAX_MD_SIZE];
    int rc = -1;

    if (scram_keys(f, prepped, prepped_len, salt, salt_len, iterations, stored, server) == 0)
        rc = xs_scram_format(f, iterations, salt, salt_len, stored, server, out);
    OPENSSL_cleanse(stored, sizeof stored);
    OPENSSL_cleanse(server, sizeof server);
    return rc;
}

int xs_saslprep(const char *password, size_t len, int stored, char *out, size_t cap, size_t *out_len)
{
    *out_len = 0;
    if (len == 0 || len > XS_STORE_PASSWORD_MAX || cap <= len || memchr(password, '\0', len) != NULL)
        return -1;
    memcpy(out, password, len);
    out[len] = '\0';
    if (stringprep(out, cap, stored ? STRINGPREP_NO_UNASSIGNED : (Stringprep_profile_flags)0,
                   stringprep_saslprep) != STRINGPREP_OK) {
        OPENSSL_cleanse(out, cap);
        return -1;
    }
    *out_len = strlen(out);
    if (*out_len == 0)
        return -1;
    return 0;
}

/* Splits "NAME$iter:salt$stored:server" of family f and decodes its parts strictly. */
static int scram_parse(const char *value, xs_scram_family f, unsigned *iterations, uint8_t *salt,
                       size_t *salt_len, uint8_t *stored_key, uint8_t *server_key)
{
    const char *name = xs_scram_name(f);
    size_t nl = strlen(name), hl = xs_scram_hash_len(f), n = 0;
    const char *p, *salt_end, *stored_end, *end;
    unsigned long it = 0;

    if (strncmp(value, name, nl) != 0 || value[nl] != '$')
        return -1;
    p = value + nl + 1;
    while (*p >= '0' && *p <= '9' && it <= 0x7fffffffUL) {
        it = it * 10u + (unsigned long)(*p - '0');
        p++;
    }
    if (*p != ':' || it < 1u || it > 0x7fffffffUL)
        return -1;
    p++;
    salt_end = strchr(p, '$');
    if (salt_end == NULL)
        return -1;
    stored_end = strchr(salt_end + 1, ':');
    if (stored_end == NULL)
        return -1;
    end = stored_end + 1 + strlen(stored_end + 1);
    if (xc_base64_decode(p, (size_t)(salt_end - p), salt, 32u, salt_len) != XC_B64_OK || *salt_len == 0)
        return -1;
    if (xc_base64_decode(salt_end + 1, (size_t)(stored_end - salt_end - 1), stored_key, hl, &n) != XC_B64_OK ||
        n != hl)
        return -1;
    if (xc_base64_decode(stored_end + 1, (size_t)(end - stored_end - 1), server_key, hl, &n) != XC_B64_OK ||
        n != hl)
        return -1;
    *iterations = (unsigned)it;
    return 0;
}

int xs_scram_check(const char *value, const char *password, size_t password_len)
{
    xs_scram_family f = strncmp(value, "SCRAM-SHA-256$", 14) == 0 ? XS_SCRAM_SHA_256 : XS_SCRAM_SHA_1;
    char prepped[4u * XS_STORE_PASSWORD_MAX + 1u];
    uint8_t salt[32], stored[EVP_MAX_MD_SIZE], server[EVP_MAX_MD_SIZE], computed[EVP_MAX_MD_SIZE];
    size_t salt_len = 0, plen = 0;
    unsigned iterations = 0;
    int rc = -1;

    if (scram_parse(value, f, &iterations, salt, &salt_len, stored, server) != 0)
        goto out;
    /* A password SASLprep refuses can match no stored secret (those were prepared). */
    if (xs_saslprep(password, password_len, 0, prepped, sizeof prepped, &plen) != 0) {
        rc = 0;
        goto out;
    }
    if (scram_keys(f, prepped, plen, salt, salt_len, iterations, computed, NULL) != 0)
        goto out;
    rc = CRYPTO_memcmp(computed, stored, xs_scram_hash_len(f)) == 0 ? 1 : 0;
out:
    OPENSSL_cleanse(prepped, sizeof prepped);
    OPENSSL_cleanse(computed, sizeof computed);
    OPENSSL_cleanse(stored, sizeof stored);
    OPENSSL_cleanse(server, sizeof server);
    return rc;
}

/* --- the store ----------------------------------------------------------------------------- */

static int name_ok(const char *s)
{
    size_t n;

    if (s == NULL)
        return 0;
    n = strlen(s);
    return n >= 1u && n <= XS_STORE_NAME_MAX;
}

/* Creates path 0600 if missing; brings an existing file back to 0600. Refuses symlinks and
 * anything but a regular file. An existing file is never opened here: close(2) on any
 * descriptor of a file drops every POSIX lock the process holds on it, so opening and closing
 * a store that another connection of this process has open would silently unlock that
 * connection (its WAL snapshot then goes stale — seen in tests/server/test_sasl.c). */
static int prepare_file(const char *path, unsigned flags, char *err, size_t err_len)
{
    struct stat sb;
    int fd;

    if (lstat(path, &sb) != 0) {
        if (errno != ENOENT) {
            set_err(err, err_len, "%s: %s", path, strerror(errno));
            return -1;
        }
        if ((flags & XS_STORE_CREATE) == 0) {
            set_err(err, err_len, "%s: no account store (adduser creates one)", path);
            return -1;
        }
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            set_err(err, err_len, "%s: cannot create: %s", path, strerror(errno));
            return -1;
        }
        (void)close(fd); /* a new file: nobody holds a lock on it */
        return 0;
    }
    if (!S_ISREG(sb.st_mode)) {
        set_err(err, err_len, "%s: not a regular file", path);
        return -1;
    }
    if ((sb.st_mode & 077) != 0 && chmod(path, 0600) != 0) {
        set_err(err, err_len, "%s: mode %03o, and chmod 0600 failed: %s", path, (unsigned)(sb.st_mode & 0777),
                strerror(errno));
        return -1;
    }
    return 0;
}

static int user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *v = sqlite3_column_int(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Creates the schema and the decoy key in one transaction, once. */
static int init_schema(sqlite3 *db, char *err, size_t err_len)
{
    uint8_t key[XS_STORE_DECOY_KEY_LEN];
    sqlite3_stmt *st = NULL;
    int v = -1, rc = -1;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, err_len, "cannot lock the store: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (user_version(db, &v) != 0) {
        set_err(err, err_len, "not an SQLite database, or unreadable: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (v > SCHEMA_VERSION) {
        set_err(err, err_len, "store schema %d is newer than this program's (%d)", v, SCHEMA_VERSION);
        goto out;
    }
    if (v == SCHEMA_VERSION) {
        rc = 0;
        goto out;
    }
    if (sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, err_len, "cannot create the schema: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (RAND_bytes(key, (int)sizeof key) != 1) {
        set_err(err, err_len, "no random bytes for the store key");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO meta (key, value) VALUES ('decoy_key', ?1)", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_bind_blob(st, 1, key, (int)sizeof key, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        set_err(err, err_len, "cannot write the store key: %s", sqlite3_errmsg(db));
        goto out;
    }
    /* PRAGMA takes no parameters; the value is the constant above. */
    if (sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, err_len, "cannot set the schema version: %s", sqlite3_errmsg(db));
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    OPENSSL_cleanse(key, sizeof key);
    if (sqlite3_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK && rc == 0) {
        set_err(err, err_len, "cannot commit the schema: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    return rc;
}

xs_store *xs_store_open(const char *path, unsigned flags, char *err, size_t err_len)
{
    xs_store *st = NULL;
    sqlite3 *db = NULL;
    int i, on = 0;

    if (path == NULL || path[0] == '\0') {
        set_err(err, err_len, "no account store path");
        return NULL;
    }
    if (prepare_file(path, flags, err, err_len) != 0)
        return NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
        SQLITE_OK) {
        set_err(err, err_len, "%s: %s", path, db != NULL ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    (void)sqlite3_extended_result_codes(db, 1);
    (void)sqlite3_busy_timeout(db, 250);
    if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &on) != SQLITE_OK ||
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, &on) != SQLITE_OK) {
        set_err(err, err_len, "%s: cannot configure SQLite: %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, err_len, "%s: %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    if (init_schema(db, err, err_len) != 0)
        goto fail;
    st = calloc(1, sizeof *st);
    if (st == NULL) {
        set_err(err, err_len, "out of memory");
        goto fail;
    }
    st->db = db;
    for (i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(db, STMT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &st->st[i], NULL) != SQLITE_OK) {
            set_err(err, err_len, "%s: not an xmppd account store (%s)", path, sqlite3_errmsg(db));
            xs_store_close(st);
            return NULL;
        }
    }
    return st;
fail:
    sqlite3_close(db);
    return NULL;
}

void xs_store_close(xs_store *st)
{
    int i;

    if (st == NULL)
        return;
    for (i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->st[i]);
    sqlite3_close(st->db);
    free(st);
}

/* Binds (host, node) as ?1, ?2. */
static int bind_key(sqlite3_stmt *s, const char *node, const char *host)
{
    return sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC) == SQLITE_OK &&
                   sqlite3_bind_text(s, 2, node, -1, SQLITE_STATIC) == SQLITE_OK
               ? 0
               : -1;
}

static void done(sqlite3_stmt *s)
{
    (void)sqlite3_reset(s);
    (void)sqlite3_clear_bindings(s);
}

static int copy_value(sqlite3_stmt *s, int col, char *out)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    int n = sqlite3_column_bytes(s, col);

    if (t == NULL || n <= 0 || (size_t)n >= XS_SCRAM_VALUE_MAX)
        return -1;
    memcpy(out, t, (size_t)n);
    out[n] = '\0';
    return 0;
}

xs_store_status xs_store_get(xs_store *st, const char *node, const char *host, xs_store_secrets *out)
{
    sqlite3_stmt *s = st->st[ST_GET];
    xs_store_status r = XS_STORE_ERROR;
    int rc;

    memset(out, 0, sizeof *out);
    if (!name_ok(node) || !name_ok(host))
        return XS_STORE_NOT_FOUND;
    if (bind_key(s, node, host) != 0)
        goto out;
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        r = XS_STORE_NOT_FOUND;
    } else if (rc == SQLITE_ROW) {
        if (copy_value(s, 0, out->value[XS_SCRAM_SHA_1]) == 0 && copy_value(s, 1, out->value[XS_SCRAM_SHA_256]) == 0)
            r = XS_STORE_OK;
    }
out:
    done(s);
    if (r != XS_STORE_OK)
        memset(out, 0, sizeof *out);
    return r;
}

xs_store_status xs_store_exists(xs_store *st, const char *node, const char *host)
{
    sqlite3_stmt *s = st->st[ST_EXISTS];
    xs_store_status r = XS_STORE_ERROR;
    int rc;

    if (!name_ok(node) || !name_ok(host))
        return XS_STORE_NOT_FOUND;
    if (bind_key(s, node, host) == 0) {
        rc = sqlite3_step(s);
        r = rc == SQLITE_ROW ? XS_STORE_OK : rc == SQLITE_DONE ? XS_STORE_NOT_FOUND : XS_STORE_ERROR;
    }
    done(s);
    return r;
}

/* Both secrets of a new password, with fresh salts. */
static xs_store_status make_secrets(const char *password, size_t password_len, unsigned iterations,
                                    xs_store_secrets *out)
{
    char prepped[4u * XS_STORE_PASSWORD_MAX + 1u];
    uint8_t salt[XS_SCRAM_SALT_LEN];
    xs_store_status r = XS_STORE_INVALID;
    size_t plen = 0;
    int f;

    memset(out, 0, sizeof *out);
    if (iterations == 0)
        iterations = XS_SCRAM_ITER_DEFAULT;
    if (iterations < XS_SCRAM_ITER_MIN || iterations > XS_SCRAM_ITER_MAX || password == NULL)
        goto out;
    if (xs_saslprep(password, password_len, 1, prepped, sizeof prepped, &plen) != 0)
        goto out;
    r = XS_STORE_ERROR;
    for (f = 0; f < XS_SCRAM_FAMILIES; f++) {
        if (RAND_bytes(salt, (int)sizeof salt) != 1 ||
            xs_scram_derive((xs_scram_family)f, prepped, plen, salt, sizeof salt, iterations, out->value[f]) != 0)
            goto out;
    }
    r = XS_STORE_OK;
out:
    OPENSSL_cleanse(prepped, sizeof prepped);
    if (r != XS_STORE_OK)
        memset(out, 0, sizeof *out);
    return r;
}

static xs_store_status write_secrets(xs_store *st, int which, const char *node, const char *host,
                                     const char *password, size_t password_len, unsigned iterations)
{
    sqlite3_stmt *s = st->st[which];
    xs_store_secrets sec;
    xs_store_status r;
    int rc;

    if (!name_ok(node) || !name_ok(host))
        return XS_STORE_INVALID;
    r = make_secrets(password, password_len, iterations, &sec);
    if (r != XS_STORE_OK)
        return r;
    r = XS_STORE_ERROR;
    if (bind_key(s, node, host) != 0 ||
        sqlite3_bind_text(s, 3, sec.value[XS_SCRAM_SHA_1], -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(s, 4, sec.value[XS_SCRAM_SHA_256], -1, SQLITE_STATIC) != SQLITE_OK)
        goto out;
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        r = which == ST_UPDATE && sqlite3_changes(st->db) == 0 ? XS_STORE_NOT_FOUND : XS_STORE_OK;
    } else if (which == ST_INSERT && (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT)) {
        r = XS_STORE_EXISTS;
    }
out:
    done(s);
    OPENSSL_cleanse(&sec, sizeof sec);
    return r;
}

xs_store_status xs_store_add(xs_store *st, const char *node, const char *host, const char *password,
                             size_t password_len, unsigned iterations)
{
    return write_secrets(st, ST_INSERT, node, host, password, password_len, iterations);
}

xs_store_status xs_store_set_password(xs_store *st, const char *node, const char *host,
                                      const char *password, size_t password_len, unsigned iterations)
{
    return write_secrets(st, ST_UPDATE, node, host, password, password_len, iterations);
}

xs_store_status xs_store_delete(xs_store *st, const char *node, const char *host)
{
    sqlite3_stmt *s = st->st[ST_DELETE];
    xs_store_status r = XS_STORE_ERROR;

    if (!name_ok(node) || !name_ok(host))
        return XS_STORE_NOT_FOUND;
    if (bind_key(s, node, host) == 0 && sqlite3_step(s) == SQLITE_DONE)
        r = sqlite3_changes(st->db) == 0 ? XS_STORE_NOT_FOUND : XS_STORE_OK;
    done(s);
    return r;
}

xs_store_status xs_store_list(xs_store *st, const char *host, xs_store_list_fn fn, void *ctx)
{
    sqlite3_stmt *s = st->st[host != NULL ? ST_LIST_HOST : ST_LIST_ALL];
    xs_store_status r = XS_STORE_ERROR;
    int rc;

    if (host != NULL && sqlite3_bind_text(s, 1, host, -1, SQLITE_STATIC) != SQLITE_OK)
        goto out;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *node = (const char *)sqlite3_column_text(s, 0);
        const char *h = (const char *)sqlite3_column_text(s, 1);

        if (node == NULL || h == NULL)
            goto out;
        if (fn(ctx, node, h) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc == SQLITE_DONE)
        r = XS_STORE_OK;
out:
    done(s);
    return r;
}

xs_store_status xs_store_decoy_key(xs_store *st, uint8_t out[XS_STORE_DECOY_KEY_LEN])
{
    sqlite3_stmt *s = st->st[ST_META_GET];
    xs_store_status r = XS_STORE_ERROR;

    if (sqlite3_bind_text(s, 1, "decoy_key", -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_bytes(s, 0) == (int)XS_STORE_DECOY_KEY_LEN && sqlite3_column_blob(s, 0) != NULL) {
        memcpy(out, sqlite3_column_blob(s, 0), XS_STORE_DECOY_KEY_LEN);
        r = XS_STORE_OK;
    }
    done(s);
    return r;
}
