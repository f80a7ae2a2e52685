/*
 * xc_sasl_failure.h — the SASL failure conditions a receiving entity sends (RFC 3920 §6.4),
 * plus the two RFC 6120 §6.5 added that DESIGN.md uses (encryption-required, malformed-request).
 *
 * They become <failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><COND/></failure>.
 */
#ifndef XC_SASL_FAILURE_H
#define XC_SASL_FAILURE_H

#include "xc_base.h"

typedef enum xc_sasl_failure {
    XC_SF_ABORTED = 0,
    XC_SF_ENCRYPTION_REQUIRED,     /* RFC 6120 §6.5.4 */
    XC_SF_INCORRECT_ENCODING,
    XC_SF_INVALID_AUTHZID,
    XC_SF_INVALID_MECHANISM,
    XC_SF_MALFORMED_REQUEST,       /* RFC 6120 §6.5.8 */
    XC_SF_MECHANISM_TOO_WEAK,
    XC_SF_NOT_AUTHORIZED,
    XC_SF_TEMPORARY_AUTH_FAILURE,
    XC_SF_COUNT
} xc_sasl_failure;

/* The condition's element name; an out-of-range value names not-authorized. */
/*@ assigns \nothing;
    ensures xc_str_valid(\result) && \result.len > 0;
*/
xc_str xc_sasl_failure_name(xc_sasl_failure f);

#endif
