/*
 * xc_stream_error.h — the stream-level error conditions of RFC 3920 §4.7.3.
 *
 * Every component of the core that refuses input names one of these; the c2s/s2s layers turn
 * it into <stream:error><COND xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>.
 * We emit the RFC 3920 spelling (`xml-not-well-formed`), per DESIGN.md.
 */
#ifndef XC_STREAM_ERROR_H
#define XC_STREAM_ERROR_H

#include "xc_base.h"

typedef enum xc_stream_error {
    XC_SE_NONE = 0,
    XC_SE_BAD_FORMAT,
    XC_SE_BAD_NAMESPACE_PREFIX,
    XC_SE_CONFLICT,
    XC_SE_CONNECTION_TIMEOUT,
    XC_SE_HOST_GONE,
    XC_SE_HOST_UNKNOWN,
    XC_SE_IMPROPER_ADDRESSING,
    XC_SE_INTERNAL_SERVER_ERROR,
    XC_SE_INVALID_FROM,
    XC_SE_INVALID_ID,
    XC_SE_INVALID_NAMESPACE,
    XC_SE_INVALID_XML,
    XC_SE_NOT_AUTHORIZED,
    XC_SE_POLICY_VIOLATION,
    XC_SE_REMOTE_CONNECTION_FAILED,
    XC_SE_RESOURCE_CONSTRAINT,
    XC_SE_RESTRICTED_XML,
    XC_SE_SEE_OTHER_HOST,
    XC_SE_SYSTEM_SHUTDOWN,
    XC_SE_UNDEFINED_CONDITION,
    XC_SE_UNSUPPORTED_ENCODING,
    XC_SE_UNSUPPORTED_STANZA_TYPE,
    XC_SE_UNSUPPORTED_VERSION,
    XC_SE_XML_NOT_WELL_FORMED,
    XC_SE_COUNT
} xc_stream_error;

/* The defined-condition element name, e.g. "xml-not-well-formed"; never NULL. */
/*@ assigns \nothing;
    ensures \valid_read(\result) && \result->len > 0 && \valid_read(\result->ptr + (0 .. \result->len - 1));
    ensures xc_str_read_only(*\result);
*/
const xc_str *xc_stream_error_name(xc_stream_error e);

#endif
