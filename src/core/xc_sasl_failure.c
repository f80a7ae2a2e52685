/*
 * xc_sasl_failure.c — names of the SASL failure conditions (RFC 3920 §6.4, RFC 6120 §6.5).
 * A switch over literals, not a table: the prover sees each literal's length.
 */
#include "xc_sasl_failure.h"
#include "xc_str.h"

xc_str xc_sasl_failure_name(xc_sasl_failure f)
{
    switch (f) {
    case XC_SF_ABORTED: return XC_STR_LIT("aborted");
    case XC_SF_ENCRYPTION_REQUIRED: return XC_STR_LIT("encryption-required");
    case XC_SF_INCORRECT_ENCODING: return XC_STR_LIT("incorrect-encoding");
    case XC_SF_INVALID_AUTHZID: return XC_STR_LIT("invalid-authzid");
    case XC_SF_INVALID_MECHANISM: return XC_STR_LIT("invalid-mechanism");
    case XC_SF_MALFORMED_REQUEST: return XC_STR_LIT("malformed-request");
    case XC_SF_MECHANISM_TOO_WEAK: return XC_STR_LIT("mechanism-too-weak");
    case XC_SF_TEMPORARY_AUTH_FAILURE: return XC_STR_LIT("temporary-auth-failure");
    case XC_SF_NOT_AUTHORIZED:
    case XC_SF_COUNT:
    default: return XC_STR_LIT("not-authorized");
    }
}
