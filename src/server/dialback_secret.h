/*
 * dialback_secret.h — the server's dialback secret (XEP-0185 §2; issue 6; the CVE-2016-1232
 * class): at least 256 bits from the CSPRNG, made once at first start and kept in the data
 * directory (mode 0600), or a file the operator sets so that a cluster shares one. Never logged.
 */
#ifndef XS_DIALBACK_SECRET_H
#define XS_DIALBACK_SECRET_H

#include <stddef.h>

#include "xc_dialback.h"

#define XS_DB_SECRET_FILE "dialback.secret"   /* in data_dir when none is configured */
#define XS_DB_SECRET_MIN 32u                   /* bytes of secret text at least (256 bits as hex: 64) */
#define XS_DB_SECRET_MAX 4096u

typedef enum xs_db_secret_status {
    XS_DB_SECRET_LOADED = 0,     /* read from the file */
    XS_DB_SECRET_CREATED,        /* no file yet: 32 random bytes written as 64 hex digits, mode 0600 */
    XS_DB_SECRET_FAILED          /* err says why */
} xs_db_secret_status;

/* configured: the operator's file, or "" for data_dir/dialback.secret (created if missing; a
 * configured file is never created). The file must be a regular file of mode 0600 or stricter,
 * hold XS_DB_SECRET_MIN to XS_DB_SECRET_MAX bytes (a trailing newline is not part of it). */
xs_db_secret_status xs_dialback_secret_load(const char *data_dir, const char *configured, xc_db_secret *out,
                                            char *path_used, size_t path_cap, char *err, size_t err_len);

#endif
