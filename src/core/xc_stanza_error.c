/*
 * xc_stanza_error.c — names of the stanza error types and conditions (RFC 3920 §9.3).
 */
#include "xc_stanza_error.h"
#include "xc_str.h"

xc_str xc_stanza_error_type_name(xc_stanza_error_type t)
{
    switch (t) {
    case XC_STZ_T_AUTH: return XC_STR_LIT("auth");
    case XC_STZ_T_CONTINUE: return XC_STR_LIT("continue");
    case XC_STZ_T_MODIFY: return XC_STR_LIT("modify");
    case XC_STZ_T_WAIT: return XC_STR_LIT("wait");
    case XC_STZ_T_CANCEL:
    case XC_STZ_T_COUNT:
    default: return XC_STR_LIT("cancel");
    }
}

xc_str xc_stanza_error_name(xc_stanza_error c)
{
    switch (c) {
    case XC_STZ_BAD_REQUEST: return XC_STR_LIT("bad-request");
    case XC_STZ_CONFLICT: return XC_STR_LIT("conflict");
    case XC_STZ_FEATURE_NOT_IMPLEMENTED: return XC_STR_LIT("feature-not-implemented");
    case XC_STZ_FORBIDDEN: return XC_STR_LIT("forbidden");
    case XC_STZ_GONE: return XC_STR_LIT("gone");
    case XC_STZ_INTERNAL_SERVER_ERROR: return XC_STR_LIT("internal-server-error");
    case XC_STZ_ITEM_NOT_FOUND: return XC_STR_LIT("item-not-found");
    case XC_STZ_JID_MALFORMED: return XC_STR_LIT("jid-malformed");
    case XC_STZ_NOT_ACCEPTABLE: return XC_STR_LIT("not-acceptable");
    case XC_STZ_NOT_ALLOWED: return XC_STR_LIT("not-allowed");
    case XC_STZ_NOT_AUTHORIZED: return XC_STR_LIT("not-authorized");
    case XC_STZ_PAYMENT_REQUIRED: return XC_STR_LIT("payment-required");
    case XC_STZ_RECIPIENT_UNAVAILABLE: return XC_STR_LIT("recipient-unavailable");
    case XC_STZ_REDIRECT: return XC_STR_LIT("redirect");
    case XC_STZ_REGISTRATION_REQUIRED: return XC_STR_LIT("registration-required");
    case XC_STZ_REMOTE_SERVER_NOT_FOUND: return XC_STR_LIT("remote-server-not-found");
    case XC_STZ_REMOTE_SERVER_TIMEOUT: return XC_STR_LIT("remote-server-timeout");
    case XC_STZ_RESOURCE_CONSTRAINT: return XC_STR_LIT("resource-constraint");
    case XC_STZ_SERVICE_UNAVAILABLE: return XC_STR_LIT("service-unavailable");
    case XC_STZ_SUBSCRIPTION_REQUIRED: return XC_STR_LIT("subscription-required");
    case XC_STZ_UNEXPECTED_REQUEST: return XC_STR_LIT("unexpected-request");
    case XC_STZ_UNDEFINED_CONDITION:
    case XC_STZ_COUNT:
    default: return XC_STR_LIT("undefined-condition");
    }
}
