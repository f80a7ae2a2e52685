/*
 * gencert.h — a self-signed server certificate for one XMPP domain (xmppctl gencert).
 *
 * The certificate names the domain the ways an XMPP client may look for it (RFC 6120 §13.7.1.2,
 * RFC 6125): subject CN, a DNS-ID (subjectAltName dNSName, A-labels), an XmppAddr (otherName
 * id-on-xmppAddr, UTF8String: RFC 3920 §5.1 rule 8, RFC 6120 §13.7.1.4) and an SRV-ID
 * (otherName id-on-dnsSRV "_xmpp-client.DOMAIN", IA5String: RFC 4985, RFC 6120 §13.7.1.2.1).
 * An IP-literal domain gets an iPAddress name instead of the DNS-ID and no SRV-ID. The key is
 * EC P-256; the certificate is X.509 v3 with a random 128-bit serial, CA:FALSE,
 * digitalSignature, serverAuth and clientAuth (the same certificate serves s2s as a client).
 */
#ifndef XS_GENCERT_H
#define XS_GENCERT_H

#include <stddef.h>

#define XS_GENCERT_DAYS_DEFAULT 365u
#define XS_GENCERT_DAYS_MAX 3650u   /* a self-signed certificate is meant to be replaced */
#define XS_GENCERT_CN_MAX 64u       /* ub-common-name, RFC 5280 Appendix A.1 */

typedef enum xs_gencert_status {
    XS_GENCERT_OK = 0,
    XS_GENCERT_EXISTS,       /* the certificate or the key file is already there: nothing written */
    XS_GENCERT_INVALID,      /* the domain cannot be named in a certificate (err says why) */
    XS_GENCERT_ERROR         /* OpenSSL or the file system failed (err says why); nothing left behind */
} xs_gencert_status;

/* Makes a key and a certificate for `domain` — prepared as a JID domain (xc_jid_parse), NUL
 * terminated — valid from now for `days` (1..XS_GENCERT_DAYS_MAX), and writes key_path (created
 * with O_EXCL and mode 0600, so it is never readable by others, not even while it is written)
 * and crt_path (O_EXCL, mode 0644). An existing file is never overwritten or followed. */
xs_gencert_status xs_gencert(const char *domain, unsigned days, const char *crt_path, const char *key_path,
                             char *err, size_t err_len);

#endif
