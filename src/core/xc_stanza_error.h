/*
 * xc_stanza_error.h — stanza error types and conditions (RFC 3920 §9.3.2, §9.3.3).
 *
 * They become <error type='TYPE'><COND xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
 * inside a reply of the same kind as the offending stanza (RFC 3920 §9.3.1).
 */
#ifndef XC_STANZA_ERROR_H
#define XC_STANZA_ERROR_H

#include "xc_base.h"

typedef enum xc_stanza_error_type {
    XC_STZ_T_AUTH = 0,
    XC_STZ_T_CANCEL,
    XC_STZ_T_CONTINUE,
    XC_STZ_T_MODIFY,
    XC_STZ_T_WAIT,
    XC_STZ_T_COUNT
} xc_stanza_error_type;

typedef enum xc_stanza_error {
    XC_STZ_BAD_REQUEST = 0,
    XC_STZ_CONFLICT,
    XC_STZ_FEATURE_NOT_IMPLEMENTED,
    XC_STZ_FORBIDDEN,
    XC_STZ_GONE,
    XC_STZ_INTERNAL_SERVER_ERROR,
    XC_STZ_ITEM_NOT_FOUND,
    XC_STZ_JID_MALFORMED,
    XC_STZ_NOT_ACCEPTABLE,
    XC_STZ_NOT_ALLOWED,
    XC_STZ_NOT_AUTHORIZED,
    XC_STZ_PAYMENT_REQUIRED,
    XC_STZ_RECIPIENT_UNAVAILABLE,
    XC_STZ_REDIRECT,
    XC_STZ_REGISTRATION_REQUIRED,
    XC_STZ_REMOTE_SERVER_NOT_FOUND,
    XC_STZ_REMOTE_SERVER_TIMEOUT,
    XC_STZ_RESOURCE_CONSTRAINT,
    XC_STZ_SERVICE_UNAVAILABLE,
    XC_STZ_SUBSCRIPTION_REQUIRED,
    XC_STZ_UNDEFINED_CONDITION,
    XC_STZ_UNEXPECTED_REQUEST,
    XC_STZ_COUNT
} xc_stanza_error;

/* The type attribute's value; an out-of-range value names cancel. */
/*@ assigns \nothing;
    ensures xc_str_valid(\result) && \result.len > 0;
    ensures xc_str_read_only(\result);
*/
xc_str xc_stanza_error_type_name(xc_stanza_error_type t);

/* The condition's element name; an out-of-range value names undefined-condition. */
/*@ assigns \nothing;
    ensures xc_str_valid(\result) && \result.len > 0;
    ensures xc_str_read_only(\result);
*/
xc_str xc_stanza_error_name(xc_stanza_error c);

#endif
