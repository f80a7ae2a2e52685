/*
 * dialback_secret.c — see dialback_secret.h.
 *
 * The file is opened with O_NOFOLLOW and checked on the open descriptor (fstat), so a link or a
 * file swapped in between the check and the read cannot hand in another secret; a new one is
 * created with O_CREAT|O_EXCL at mode 0600, never readable by others even for a moment.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dialback_secret.h"

static int create_secret(const char *path, char *err, size_t err_len)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[32];
    char text[65];
    size_t i;
    int fd, ok;

    if (RAND_bytes(raw, (int)sizeof raw) != 1) {
        snprintf(err, err_len, "%s: RAND_bytes failed", path);
        return -1;
    }
    for (i = 0; i < sizeof raw; i++) {
        text[2 * i] = digits[raw[i] >> 4];
        text[2 * i + 1] = digits[raw[i] & 15];
    }
    text[64] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot be created: %s", path, strerror(errno));
        OPENSSL_cleanse(raw, sizeof raw);
        OPENSSL_cleanse(text, sizeof text);
        return -1;
    }
    ok = write(fd, text, sizeof text) == (ssize_t)sizeof text && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(text, sizeof text);
    if (!ok) {
        snprintf(err, err_len, "%s: cannot be written", path);
        (void)unlink(path);
        return -1;
    }
    return 0;
}

static int read_secret(const char *path, xc_db_secret *out, char *err, size_t err_len)
{
    char buf[XS_DB_SECRET_MAX + 2];
    struct stat st;
    size_t n = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot be read: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        snprintf(err, err_len, "%s: must be a regular file of mode 0600 (readable by its owner only)", path);
        close(fd);
        return -1;
    }
    while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) > 0)
        n += (size_t)r;
    close(fd);
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n < XS_DB_SECRET_MIN || n > XS_DB_SECRET_MAX) {
        snprintf(err, err_len, "%s: the secret must be %u to %u bytes (64 hex digits = 256 bits is the default)",
                 path, XS_DB_SECRET_MIN, XS_DB_SECRET_MAX);
        OPENSSL_cleanse(buf, sizeof buf);
        return -1;
    }
    xc_db_secret_init(out, buf, n);
    OPENSSL_cleanse(buf, sizeof buf);
    return 0;
}

xs_db_secret_status xs_dialback_secret_load(const char *data_dir, const char *configured, xc_db_secret *out,
                                            char *path_used, size_t path_cap, char *err, size_t err_len)
{
    int n, created = 0;

    if (configured[0] != '\0')
        n = snprintf(path_used, path_cap, "%s", configured);
    else
        n = snprintf(path_used, path_cap, "%s/%s", data_dir, XS_DB_SECRET_FILE);
    if (n < 0 || (size_t)n >= path_cap) {
        snprintf(err, err_len, "the dialback secret's path is too long");
        return XS_DB_SECRET_FAILED;
    }
    if (configured[0] == '\0' && access(path_used, F_OK) != 0 && errno == ENOENT) {
        if (create_secret(path_used, err, err_len) != 0)
            return XS_DB_SECRET_FAILED;
        created = 1;
    }
    if (read_secret(path_used, out, err, err_len) != 0)
        return XS_DB_SECRET_FAILED;
    return created ? XS_DB_SECRET_CREATED : XS_DB_SECRET_LOADED;
}
