#include "xc_c2s_table.h"
const xc_c2s_row xc_c2s_rows[XC_C2S_ROWS] = {
    { 114, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_XML_NOT_WELL_FORMED, 0 } } },
    { 115, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_RESTRICTED_XML, 0 } } },
    { 116, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_INVALID_NAMESPACE, 0 } } },
    { 117, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_BAD_NAMESPACE_PREFIX, 0 } } },
    { 118, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_ENCODING, 0 } } },
    { 119, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 120, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_BAD_FORMAT, 0 } } },
    { 121, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_CLOSE_STREAM, 0, 0 } } },
    { 122, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_CLOSE_STREAM, 0, 0 } } },
    { 123, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_CONNECTION_TIMEOUT, 0 } } },
    { 124, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_SYSTEM_SHUTDOWN, 0 } } },
    { 125, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_CONFLICT, 0 } } },
    { 126, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_STANZA_TYPE, 0 } } },
    { 127, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_STANZA_TYPE, 0 } } },
    { 128, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_STANZA_TYPE, 0 } } },
    { 129, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_TLS_FAILURE, 0, 0 } } },
    { 130, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_NOT_AUTHORIZED, 0 } } },
    { 131, 0, 1, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_NOT_AUTHORIZED, 0 } } },
    { 132, 0, 1, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_NOT_AUTHORIZED, 0 } } },
    { 133, 0, 1, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_ABORTED, 0 } } },
    { 134, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_INTERNAL_SERVER_ERROR, 0 } } },
    { 137, XC_C2S_S_PRE_TLS, 0, 3, { { XC_C2S_A_KEEP_HOST, 0, 0 }, { XC_C2S_A_SEND_HEADER, 0, 0 }, { XC_C2S_A_SEND_FEATURES, 0, 0 } } },
    { 138, XC_C2S_S_AUTH, 0, 3, { { XC_C2S_A_KEEP_HOST, 0, 0 }, { XC_C2S_A_SEND_HEADER, 0, 0 }, { XC_C2S_A_SEND_FEATURES, 0, 0 } } },
    { 139, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SEND_HEADER_V0, 0, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_VERSION, 0 } } },
    { 140, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_UNKNOWN, 0 } } },
    { 141, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_GONE, 0 } } },
    { 142, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_UNKNOWN, 0 } } },
    { 143, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_INVALID_NAMESPACE, 0 } } },
    { 146, XC_C2S_S_TLS_HS, 0, 2, { { XC_C2S_A_SEND_PROCEED, 0, 0 }, { XC_C2S_A_START_TLS, 0, 0 } } },
    { 147, XC_C2S_S_PRE_TLS, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_ENCRYPTION_REQUIRED, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 148, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_ENCRYPTION_REQUIRED, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 149, XC_C2S_S_PRE_TLS, 0, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_NOT_AUTHORIZED, 0 } } },
    { 150, XC_C2S_S_PRE_TLS, 0, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_ABORTED, 0 } } },
    { 153, XC_C2S_S_WAIT_HDR_TLS, 0, 2, { { XC_C2S_A_SET_SECURE, 0, 0 }, { XC_C2S_A_RESTART, 0, 0 } } },
    { 154, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_DROP, 0, 0 } } },
    { 155, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_DROP, 0, 0 } } },
    { 158, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SEND_HEADER, 0, 0 }, { XC_C2S_A_SEND_FEATURES, 0, 0 } } },
    { 159, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SEND_HEADER_V0, 0, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_VERSION, 0 } } },
    { 160, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_UNKNOWN, 0 } } },
    { 161, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_GONE, 0 } } },
    { 162, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_UNKNOWN, 0 } } },
    { 163, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_INVALID_NAMESPACE, 0 } } },
    { 166, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_ENCRYPTION_REQUIRED, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 167, XC_C2S_S_SASL_WAIT, 0, 1, { { XC_C2S_A_SASL_START, 0, 0 } } },
    { 168, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INCORRECT_ENCODING, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 169, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INCORRECT_ENCODING, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 170, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INVALID_MECHANISM, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 171, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INVALID_MECHANISM, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 172, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_TLS_FAILURE, 0, 0 } } },
    { 173, XC_C2S_S_TLS_HS, 0, 2, { { XC_C2S_A_SEND_PROCEED, 0, 0 }, { XC_C2S_A_START_TLS, 0, 0 } } },
    { 174, XC_C2S_S_AUTH, 0, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_NOT_AUTHORIZED, 0 } } },
    { 175, XC_C2S_S_AUTH, 0, 1, { { XC_C2S_A_SASL_FAILURE, XC_SF_ABORTED, 0 } } },
    { 178, XC_C2S_S_SASL_STEP, 0, 1, { { XC_C2S_A_SEND_CHALLENGE, 0, 0 } } },
    { 179, XC_C2S_S_WAIT_HDR_AUTHED, 0, 3, { { XC_C2S_A_SEND_SUCCESS, 0, 0 }, { XC_C2S_A_SET_AUTHED, 0, 0 }, { XC_C2S_A_RESTART, 0, 0 } } },
    { 180, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE_RESULT, 0, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 181, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE_RESULT, 0, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 184, XC_C2S_S_SASL_WAIT, 0, 1, { { XC_C2S_A_SASL_STEP, 0, 0 } } },
    { 185, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INCORRECT_ENCODING, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 186, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INCORRECT_ENCODING, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 187, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_ABORTED, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 188, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_ABORTED, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 189, XC_C2S_S_SASL_WAIT, 0, 1, { { XC_C2S_A_SASL_START, 0, 0 } } },
    { 190, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INCORRECT_ENCODING, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 191, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INCORRECT_ENCODING, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 192, XC_C2S_S_AUTH, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INVALID_MECHANISM, 0 }, { XC_C2S_A_COUNT_FAILURE, 0, 0 } } },
    { 193, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SASL_FAILURE, XC_SF_INVALID_MECHANISM, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_POLICY_VIOLATION, 0 } } },
    { 196, XC_C2S_S_BIND, 0, 2, { { XC_C2S_A_SEND_HEADER, 0, 0 }, { XC_C2S_A_SEND_FEATURES, 0, 0 } } },
    { 197, XC_C2S_S_CLOSED, 0, 2, { { XC_C2S_A_SEND_HEADER_V0, 0, 0 }, { XC_C2S_A_STREAM_ERROR, XC_SE_UNSUPPORTED_VERSION, 0 } } },
    { 198, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_UNKNOWN, 0 } } },
    { 199, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_GONE, 0 } } },
    { 200, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_HOST_UNKNOWN, 0 } } },
    { 201, XC_C2S_S_CLOSED, 0, 1, { { XC_C2S_A_STREAM_ERROR, XC_SE_INVALID_NAMESPACE, 0 } } },
    { 204, XC_C2S_S_BOUND, 0, 1, { { XC_C2S_A_BIND, 0, 0 } } },
    { 205, XC_C2S_S_BIND, 0, 1, { { XC_C2S_A_STANZA_ERROR, XC_STZ_T_MODIFY, XC_STZ_BAD_REQUEST } } },
    { 206, XC_C2S_S_BIND, 0, 1, { { XC_C2S_A_STANZA_ERROR, XC_STZ_T_MODIFY, XC_STZ_BAD_REQUEST } } },
    { 209, XC_C2S_S_ACTIVE, 0, 1, { { XC_C2S_A_SESSION, 0, 0 } } },
    { 210, XC_C2S_S_ACTIVE, 0, 1, { { XC_C2S_A_ROUTE, 0, 0 } } },
    { 211, XC_C2S_S_BOUND, 0, 1, { { XC_C2S_A_STANZA_ERROR, XC_STZ_T_CANCEL, XC_STZ_NOT_ALLOWED } } },
    { 212, XC_C2S_S_ACTIVE, 0, 1, { { XC_C2S_A_SESSION, 0, 0 } } },
    { 213, XC_C2S_S_ACTIVE, 0, 1, { { XC_C2S_A_ROUTE, 0, 0 } } },
    { 214, XC_C2S_S_ACTIVE, 0, 1, { { XC_C2S_A_STANZA_ERROR, XC_STZ_T_CANCEL, XC_STZ_NOT_ALLOWED } } },
    { 217, XC_C2S_S_CLOSED, 0, 0, { { 0, 0, 0 } } },
};
uint32_t xc_c2s_lookup(xc_c2s_state s, xc_c2s_event e, uint32_t guards)
{
    switch (s) {
    case XC_C2S_S_WAIT_HDR:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            if ((guards & (1u << XC_C2S_G_TLS_REQUIRED))) return 21u;
            return 22u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 23u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 24u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 25u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 26u;
        case XC_C2S_E_STARTTLS:
            return 27u;
        case XC_C2S_E_AUTH_OFFERED:
            return 27u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 27u;
        case XC_C2S_E_RESPONSE:
            return 27u;
        case XC_C2S_E_ABORT:
            return 27u;
        case XC_C2S_E_IQ_BIND:
            return 27u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 27u;
        case XC_C2S_E_IQ_SESSION:
            return 27u;
        case XC_C2S_E_MESSAGE:
            return 27u;
        case XC_C2S_E_PRESENCE:
            return 27u;
        case XC_C2S_E_IQ:
            return 27u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 27u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 27u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_PRE_TLS:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            return 28u;
        case XC_C2S_E_AUTH_OFFERED:
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 29u;
            return 30u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 29u;
            return 30u;
        case XC_C2S_E_RESPONSE:
            return 31u;
        case XC_C2S_E_ABORT:
            return 32u;
        case XC_C2S_E_IQ_BIND:
            return 16u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 16u;
        case XC_C2S_E_IQ_SESSION:
            return 16u;
        case XC_C2S_E_MESSAGE:
            return 16u;
        case XC_C2S_E_PRESENCE:
            return 16u;
        case XC_C2S_E_IQ:
            return 16u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_TLS_HS:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 35u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 35u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 35u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 35u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 35u;
        case XC_C2S_E_STARTTLS:
            return 35u;
        case XC_C2S_E_AUTH_OFFERED:
            return 35u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 35u;
        case XC_C2S_E_RESPONSE:
            return 35u;
        case XC_C2S_E_ABORT:
            return 35u;
        case XC_C2S_E_IQ_BIND:
            return 35u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 35u;
        case XC_C2S_E_IQ_SESSION:
            return 35u;
        case XC_C2S_E_MESSAGE:
            return 35u;
        case XC_C2S_E_PRESENCE:
            return 35u;
        case XC_C2S_E_IQ:
            return 35u;
        case XC_C2S_E_SERVER_ONLY:
            return 35u;
        case XC_C2S_E_PEER_ERROR:
            return 35u;
        case XC_C2S_E_UNKNOWN:
            return 35u;
        case XC_C2S_E_STREAM_CLOSE:
            return 35u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 35u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 35u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 35u;
        case XC_C2S_E_ERR_PREFIX:
            return 35u;
        case XC_C2S_E_ERR_ENCODING:
            return 35u;
        case XC_C2S_E_ERR_LIMIT:
            return 35u;
        case XC_C2S_E_ERR_FORMAT:
            return 35u;
        case XC_C2S_E_TLS_DONE:
            return 33u;
        case XC_C2S_E_TLS_FAILED:
            return 34u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 35u;
        case XC_C2S_E_SASL_SUCCESS:
            return 35u;
        case XC_C2S_E_SASL_FAILURE:
            return 35u;
        case XC_C2S_E_TIMEOUT:
            return 35u;
        case XC_C2S_E_SHUTDOWN:
            return 35u;
        case XC_C2S_E_CONFLICT:
            return 35u;
        default: return 0u;
        }
    case XC_C2S_S_WAIT_HDR_TLS:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 36u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 37u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 38u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 39u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 40u;
        case XC_C2S_E_STARTTLS:
            return 41u;
        case XC_C2S_E_AUTH_OFFERED:
            return 41u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 41u;
        case XC_C2S_E_RESPONSE:
            return 41u;
        case XC_C2S_E_ABORT:
            return 41u;
        case XC_C2S_E_IQ_BIND:
            return 41u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 41u;
        case XC_C2S_E_IQ_SESSION:
            return 41u;
        case XC_C2S_E_MESSAGE:
            return 41u;
        case XC_C2S_E_PRESENCE:
            return 41u;
        case XC_C2S_E_IQ:
            return 41u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 41u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 41u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_AUTH:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            if ((guards & (1u << XC_C2S_G_SECURE))) return 48u;
            return 49u;
        case XC_C2S_E_AUTH_OFFERED:
            if ((guards & (1u << XC_C2S_G_TLS_REQUIRED))) return 42u;
            if ((guards & (1u << XC_C2S_G_B64_OK))) return 43u;
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 44u;
            return 45u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 46u;
            return 47u;
        case XC_C2S_E_RESPONSE:
            return 50u;
        case XC_C2S_E_ABORT:
            return 51u;
        case XC_C2S_E_IQ_BIND:
            return 16u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 16u;
        case XC_C2S_E_IQ_SESSION:
            return 16u;
        case XC_C2S_E_MESSAGE:
            return 16u;
        case XC_C2S_E_PRESENCE:
            return 16u;
        case XC_C2S_E_IQ:
            return 16u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_SASL_WAIT:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            return 15u;
        case XC_C2S_E_AUTH_OFFERED:
            return 17u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 17u;
        case XC_C2S_E_RESPONSE:
            return 18u;
        case XC_C2S_E_ABORT:
            return 19u;
        case XC_C2S_E_IQ_BIND:
            return 16u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 16u;
        case XC_C2S_E_IQ_SESSION:
            return 16u;
        case XC_C2S_E_MESSAGE:
            return 16u;
        case XC_C2S_E_PRESENCE:
            return 16u;
        case XC_C2S_E_IQ:
            return 16u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 52u;
        case XC_C2S_E_SASL_SUCCESS:
            return 53u;
        case XC_C2S_E_SASL_FAILURE:
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 54u;
            return 55u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_SASL_STEP:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            return 15u;
        case XC_C2S_E_AUTH_OFFERED:
            if ((guards & (1u << XC_C2S_G_B64_OK))) return 61u;
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 62u;
            return 63u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 64u;
            return 65u;
        case XC_C2S_E_RESPONSE:
            if ((guards & (1u << XC_C2S_G_B64_OK))) return 56u;
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 57u;
            return 58u;
        case XC_C2S_E_ABORT:
            if ((guards & (1u << XC_C2S_G_RETRIES_LEFT))) return 59u;
            return 60u;
        case XC_C2S_E_IQ_BIND:
            return 16u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 16u;
        case XC_C2S_E_IQ_SESSION:
            return 16u;
        case XC_C2S_E_MESSAGE:
            return 16u;
        case XC_C2S_E_PRESENCE:
            return 16u;
        case XC_C2S_E_IQ:
            return 16u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_WAIT_HDR_AUTHED:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 66u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 67u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 68u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 69u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 70u;
        case XC_C2S_E_STARTTLS:
            return 71u;
        case XC_C2S_E_AUTH_OFFERED:
            return 71u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 71u;
        case XC_C2S_E_RESPONSE:
            return 71u;
        case XC_C2S_E_ABORT:
            return 71u;
        case XC_C2S_E_IQ_BIND:
            return 71u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 71u;
        case XC_C2S_E_IQ_SESSION:
            return 71u;
        case XC_C2S_E_MESSAGE:
            return 71u;
        case XC_C2S_E_PRESENCE:
            return 71u;
        case XC_C2S_E_IQ:
            return 71u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 71u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 71u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_BIND:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            return 15u;
        case XC_C2S_E_AUTH_OFFERED:
            return 17u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 17u;
        case XC_C2S_E_RESPONSE:
            return 18u;
        case XC_C2S_E_ABORT:
            return 19u;
        case XC_C2S_E_IQ_BIND:
            if ((guards & (1u << XC_C2S_G_RESOURCE_OK))) return 72u;
            return 73u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 74u;
        case XC_C2S_E_IQ_SESSION:
            return 16u;
        case XC_C2S_E_MESSAGE:
            return 16u;
        case XC_C2S_E_PRESENCE:
            return 16u;
        case XC_C2S_E_IQ:
            return 16u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_BOUND:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            return 15u;
        case XC_C2S_E_AUTH_OFFERED:
            return 17u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 17u;
        case XC_C2S_E_RESPONSE:
            return 18u;
        case XC_C2S_E_ABORT:
            return 19u;
        case XC_C2S_E_IQ_BIND:
            return 77u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 77u;
        case XC_C2S_E_IQ_SESSION:
            return 75u;
        case XC_C2S_E_MESSAGE:
            return 76u;
        case XC_C2S_E_PRESENCE:
            return 76u;
        case XC_C2S_E_IQ:
            return 76u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_ACTIVE:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 14u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 14u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 14u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 14u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 14u;
        case XC_C2S_E_STARTTLS:
            return 15u;
        case XC_C2S_E_AUTH_OFFERED:
            return 17u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 17u;
        case XC_C2S_E_RESPONSE:
            return 18u;
        case XC_C2S_E_ABORT:
            return 19u;
        case XC_C2S_E_IQ_BIND:
            return 80u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 80u;
        case XC_C2S_E_IQ_SESSION:
            return 78u;
        case XC_C2S_E_MESSAGE:
            return 79u;
        case XC_C2S_E_PRESENCE:
            return 79u;
        case XC_C2S_E_IQ:
            return 79u;
        case XC_C2S_E_SERVER_ONLY:
            return 13u;
        case XC_C2S_E_PEER_ERROR:
            return 8u;
        case XC_C2S_E_UNKNOWN:
            return 12u;
        case XC_C2S_E_STREAM_CLOSE:
            return 7u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 0u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 1u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 2u;
        case XC_C2S_E_ERR_PREFIX:
            return 3u;
        case XC_C2S_E_ERR_ENCODING:
            return 4u;
        case XC_C2S_E_ERR_LIMIT:
            return 5u;
        case XC_C2S_E_ERR_FORMAT:
            return 6u;
        case XC_C2S_E_TLS_DONE:
            return 20u;
        case XC_C2S_E_TLS_FAILED:
            return 20u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 20u;
        case XC_C2S_E_SASL_SUCCESS:
            return 20u;
        case XC_C2S_E_SASL_FAILURE:
            return 20u;
        case XC_C2S_E_TIMEOUT:
            return 9u;
        case XC_C2S_E_SHUTDOWN:
            return 10u;
        case XC_C2S_E_CONFLICT:
            return 11u;
        default: return 0u;
        }
    case XC_C2S_S_CLOSED:
        switch (e) {
        case XC_C2S_E_HDR_OK:
            return 81u;
        case XC_C2S_E_HDR_NO_VERSION:
            return 81u;
        case XC_C2S_E_HDR_HOST_UNKNOWN:
            return 81u;
        case XC_C2S_E_HDR_HOST_GONE:
            return 81u;
        case XC_C2S_E_HDR_HOST_CHANGED:
            return 81u;
        case XC_C2S_E_STARTTLS:
            return 81u;
        case XC_C2S_E_AUTH_OFFERED:
            return 81u;
        case XC_C2S_E_AUTH_NOT_OFFERED:
            return 81u;
        case XC_C2S_E_RESPONSE:
            return 81u;
        case XC_C2S_E_ABORT:
            return 81u;
        case XC_C2S_E_IQ_BIND:
            return 81u;
        case XC_C2S_E_IQ_BIND_BAD:
            return 81u;
        case XC_C2S_E_IQ_SESSION:
            return 81u;
        case XC_C2S_E_MESSAGE:
            return 81u;
        case XC_C2S_E_PRESENCE:
            return 81u;
        case XC_C2S_E_IQ:
            return 81u;
        case XC_C2S_E_SERVER_ONLY:
            return 81u;
        case XC_C2S_E_PEER_ERROR:
            return 81u;
        case XC_C2S_E_UNKNOWN:
            return 81u;
        case XC_C2S_E_STREAM_CLOSE:
            return 81u;
        case XC_C2S_E_ERR_NOT_WELL_FORMED:
            return 81u;
        case XC_C2S_E_ERR_RESTRICTED:
            return 81u;
        case XC_C2S_E_ERR_NAMESPACE:
            return 81u;
        case XC_C2S_E_ERR_PREFIX:
            return 81u;
        case XC_C2S_E_ERR_ENCODING:
            return 81u;
        case XC_C2S_E_ERR_LIMIT:
            return 81u;
        case XC_C2S_E_ERR_FORMAT:
            return 81u;
        case XC_C2S_E_TLS_DONE:
            return 81u;
        case XC_C2S_E_TLS_FAILED:
            return 81u;
        case XC_C2S_E_SASL_CHALLENGE:
            return 81u;
        case XC_C2S_E_SASL_SUCCESS:
            return 81u;
        case XC_C2S_E_SASL_FAILURE:
            return 81u;
        case XC_C2S_E_TIMEOUT:
            return 81u;
        case XC_C2S_E_SHUTDOWN:
            return 81u;
        case XC_C2S_E_CONFLICT:
            return 81u;
        default: return 0u;
        }
    default: return 0u;
    }
}
xc_str xc_c2s_state_name(xc_c2s_state s)
{
    switch (s) {
    case XC_C2S_S_WAIT_HDR: return (xc_str){ "WAIT_HDR", 8 };
    case XC_C2S_S_PRE_TLS: return (xc_str){ "PRE_TLS", 7 };
    case XC_C2S_S_TLS_HS: return (xc_str){ "TLS_HS", 6 };
    case XC_C2S_S_WAIT_HDR_TLS: return (xc_str){ "WAIT_HDR_TLS", 12 };
    case XC_C2S_S_AUTH: return (xc_str){ "AUTH", 4 };
    case XC_C2S_S_SASL_WAIT: return (xc_str){ "SASL_WAIT", 9 };
    case XC_C2S_S_SASL_STEP: return (xc_str){ "SASL_STEP", 9 };
    case XC_C2S_S_WAIT_HDR_AUTHED: return (xc_str){ "WAIT_HDR_AUTHED", 15 };
    case XC_C2S_S_BIND: return (xc_str){ "BIND", 4 };
    case XC_C2S_S_BOUND: return (xc_str){ "BOUND", 5 };
    case XC_C2S_S_ACTIVE: return (xc_str){ "ACTIVE", 6 };
    case XC_C2S_S_CLOSED: return (xc_str){ "CLOSED", 6 };
    default: return (xc_str){ "?", 1 };
    }
}
xc_str xc_c2s_event_name(xc_c2s_event e)
{
    switch (e) {
    case XC_C2S_E_HDR_OK: return (xc_str){ "HDR_OK", 6 };
    case XC_C2S_E_HDR_NO_VERSION: return (xc_str){ "HDR_NO_VERSION", 14 };
    case XC_C2S_E_HDR_HOST_UNKNOWN: return (xc_str){ "HDR_HOST_UNKNOWN", 16 };
    case XC_C2S_E_HDR_HOST_GONE: return (xc_str){ "HDR_HOST_GONE", 13 };
    case XC_C2S_E_HDR_HOST_CHANGED: return (xc_str){ "HDR_HOST_CHANGED", 16 };
    case XC_C2S_E_STARTTLS: return (xc_str){ "STARTTLS", 8 };
    case XC_C2S_E_AUTH_OFFERED: return (xc_str){ "AUTH_OFFERED", 12 };
    case XC_C2S_E_AUTH_NOT_OFFERED: return (xc_str){ "AUTH_NOT_OFFERED", 16 };
    case XC_C2S_E_RESPONSE: return (xc_str){ "RESPONSE", 8 };
    case XC_C2S_E_ABORT: return (xc_str){ "ABORT", 5 };
    case XC_C2S_E_IQ_BIND: return (xc_str){ "IQ_BIND", 7 };
    case XC_C2S_E_IQ_BIND_BAD: return (xc_str){ "IQ_BIND_BAD", 11 };
    case XC_C2S_E_IQ_SESSION: return (xc_str){ "IQ_SESSION", 10 };
    case XC_C2S_E_MESSAGE: return (xc_str){ "MESSAGE", 7 };
    case XC_C2S_E_PRESENCE: return (xc_str){ "PRESENCE", 8 };
    case XC_C2S_E_IQ: return (xc_str){ "IQ", 2 };
    case XC_C2S_E_SERVER_ONLY: return (xc_str){ "SERVER_ONLY", 11 };
    case XC_C2S_E_PEER_ERROR: return (xc_str){ "PEER_ERROR", 10 };
    case XC_C2S_E_UNKNOWN: return (xc_str){ "UNKNOWN", 7 };
    case XC_C2S_E_STREAM_CLOSE: return (xc_str){ "STREAM_CLOSE", 12 };
    case XC_C2S_E_ERR_NOT_WELL_FORMED: return (xc_str){ "ERR_NOT_WELL_FORMED", 19 };
    case XC_C2S_E_ERR_RESTRICTED: return (xc_str){ "ERR_RESTRICTED", 14 };
    case XC_C2S_E_ERR_NAMESPACE: return (xc_str){ "ERR_NAMESPACE", 13 };
    case XC_C2S_E_ERR_PREFIX: return (xc_str){ "ERR_PREFIX", 10 };
    case XC_C2S_E_ERR_ENCODING: return (xc_str){ "ERR_ENCODING", 12 };
    case XC_C2S_E_ERR_LIMIT: return (xc_str){ "ERR_LIMIT", 9 };
    case XC_C2S_E_ERR_FORMAT: return (xc_str){ "ERR_FORMAT", 10 };
    case XC_C2S_E_TLS_DONE: return (xc_str){ "TLS_DONE", 8 };
    case XC_C2S_E_TLS_FAILED: return (xc_str){ "TLS_FAILED", 10 };
    case XC_C2S_E_SASL_CHALLENGE: return (xc_str){ "SASL_CHALLENGE", 14 };
    case XC_C2S_E_SASL_SUCCESS: return (xc_str){ "SASL_SUCCESS", 12 };
    case XC_C2S_E_SASL_FAILURE: return (xc_str){ "SASL_FAILURE", 12 };
    case XC_C2S_E_TIMEOUT: return (xc_str){ "TIMEOUT", 7 };
    case XC_C2S_E_SHUTDOWN: return (xc_str){ "SHUTDOWN", 8 };
    case XC_C2S_E_CONFLICT: return (xc_str){ "CONFLICT", 8 };
    default: return (xc_str){ "?", 1 };
    }
}
