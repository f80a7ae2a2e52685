/*
 * xc_stream_error.c — names of the RFC 3920 §4.7.3 stream error conditions.
 */
#include "xc_stream_error.h"

#define XC_S(lit) { (lit), (uint32_t)(sizeof(lit) - 1) }

static const xc_str xc_stream_error_names[XC_SE_COUNT] = {
    [XC_SE_NONE] = XC_S("undefined-condition"),
    [XC_SE_BAD_FORMAT] = XC_S("bad-format"),
    [XC_SE_BAD_NAMESPACE_PREFIX] = XC_S("bad-namespace-prefix"),
    [XC_SE_CONFLICT] = XC_S("conflict"),
    [XC_SE_CONNECTION_TIMEOUT] = XC_S("connection-timeout"),
    [XC_SE_HOST_GONE] = XC_S("host-gone"),
    [XC_SE_HOST_UNKNOWN] = XC_S("host-unknown"),
    [XC_SE_IMPROPER_ADDRESSING] = XC_S("improper-addressing"),
    [XC_SE_INTERNAL_SERVER_ERROR] = XC_S("internal-server-error"),
    [XC_SE_INVALID_FROM] = XC_S("invalid-from"),
    [XC_SE_INVALID_ID] = XC_S("invalid-id"),
    [XC_SE_INVALID_NAMESPACE] = XC_S("invalid-namespace"),
    [XC_SE_INVALID_XML] = XC_S("invalid-xml"),
    [XC_SE_NOT_AUTHORIZED] = XC_S("not-authorized"),
    [XC_SE_POLICY_VIOLATION] = XC_S("policy-violation"),
    [XC_SE_REMOTE_CONNECTION_FAILED] = XC_S("remote-connection-failed"),
    [XC_SE_RESOURCE_CONSTRAINT] = XC_S("resource-constraint"),
    [XC_SE_RESTRICTED_XML] = XC_S("restricted-xml"),
    [XC_SE_SEE_OTHER_HOST] = XC_S("see-other-host"),
    [XC_SE_SYSTEM_SHUTDOWN] = XC_S("system-shutdown"),
    [XC_SE_UNDEFINED_CONDITION] = XC_S("undefined-condition"),
    [XC_SE_UNSUPPORTED_ENCODING] = XC_S("unsupported-encoding"),
    [XC_SE_UNSUPPORTED_STANZA_TYPE] = XC_S("unsupported-stanza-type"),
    [XC_SE_UNSUPPORTED_VERSION] = XC_S("unsupported-version"),
    [XC_SE_XML_NOT_WELL_FORMED] = XC_S("xml-not-well-formed"),
};

const xc_str *xc_stream_error_name(xc_stream_error e)
{
    unsigned i = (unsigned)e;
    if (i >= (unsigned)XC_SE_COUNT)
        i = (unsigned)XC_SE_UNDEFINED_CONDITION;
    return &xc_stream_error_names[i];
}
