/*
 * xc_certname.h — does a peer's certificate name the domain we expect? (RFC 6125 §6; RFC 6120
 * §13.7.2; RFC 3920 §5.1 rule 8 and §14.2 for id-on-xmppAddr; RFC 4985 for SRV-ID.)
 *
 * The shell extracts the presented identifiers from the certificate (OpenSSL) and hands them in
 * as (kind, text); the decision is made here, where it is proven and fuzzed like the rest of the
 * core. The reference identity is the domain the stream is for, in two forms: its A-label
 * (ASCII) form for DNS-IDs, SRV-IDs and a common name, and its prepared UTF-8 form for
 * id-on-xmppAddr, which holds a JID.
 *
 * Rules:
 *  - DNS-ID: equal ignoring ASCII case and one trailing dot; or "*." + rest, where the wildcard
 *    is the whole left-most label and matches exactly one non-empty label, and rest has at
 *    least two labels ("*.com" matches nothing). A '*' anywhere else never matches.
 *  - SRV-ID: "_xmpp-server." (s2s) or "_xmpp-client." (c2s) + the domain, equal ignoring ASCII
 *    case; no wildcards (RFC 4985).
 *  - id-on-xmppAddr: a domain-only JID equal to the domain (ignoring ASCII case).
 *  - Common name: only when the certificate presents no DNS-ID, SRV-ID or id-on-xmppAddr at all
 *    (RFC 6125 §6.4.4), then compared like a DNS-ID without wildcard.
 */
#ifndef XC_CERTNAME_H
#define XC_CERTNAME_H

#include "xc_base.h"

#define XC_CN_NAMES_MAX 64u       /* identifiers looked at per certificate */
#define XC_CN_NAME_MAX 1100u      /* longer presented identifiers never match (a domain is <= 1023) */

typedef enum xc_cn_kind {
    XC_CN_DNS = 0,                /* subjectAltName dNSName */
    XC_CN_SRV = 1,                /* subjectAltName otherName id-on-dnsSRV */
    XC_CN_XMPPADDR = 2,           /* subjectAltName otherName id-on-xmppAddr */
    XC_CN_COMMON_NAME = 3         /* the subject's CN */
} xc_cn_kind;

typedef struct xc_cn_name {
    xc_cn_kind kind;
    xc_str value;
} xc_cn_name;

typedef enum xc_cn_service {
    XC_CN_SERVER = 0,             /* _xmpp-server: a peer server (s2s) */
    XC_CN_CLIENT = 1              /* _xmpp-client: a server a client connects to */
} xc_cn_service;

/* How the domain was matched; the exact kinds before a wildcard. */
typedef enum xc_cn_match {
    XC_CN_NO_MATCH = 0,
    XC_CN_BY_DNS = 1,
    XC_CN_BY_SRV = 2,
    XC_CN_BY_XMPPADDR = 3,
    XC_CN_BY_WILDCARD = 4,
    XC_CN_BY_COMMON_NAME = 5
} xc_cn_match;

/*@ requires xc_str_valid(ref_ascii) && xc_str_valid(ref_utf8);
    requires svc == XC_CN_SERVER || svc == XC_CN_CLIENT;
    requires n <= XC_CN_NAMES_MAX && (n == 0 || \valid_read(names + (0 .. n - 1)));
    requires \forall integer i; 0 <= i < n ==> xc_str_valid(names[i].value);
    assigns \nothing;
    ensures XC_CN_NO_MATCH <= \result <= XC_CN_BY_COMMON_NAME;
    ensures n == 0 ==> \result == XC_CN_NO_MATCH;
    ensures (ref_ascii.len == 0 && ref_utf8.len == 0) ==> \result == XC_CN_NO_MATCH;
*/
xc_cn_match xc_certname_match(xc_str ref_ascii, xc_str ref_utf8, xc_cn_service svc, const xc_cn_name *names, uint32_t n);

#endif
