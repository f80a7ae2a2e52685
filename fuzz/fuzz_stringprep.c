/*
 * fuzz_stringprep.c — the stringprep adapter (src/server/adapter_stringprep_libidn.c) against
 * libidn itself. The first byte picks the profile (Nodeprep, Nameprep, Resourceprep); the rest
 * is the string. For ASCII input the adapter takes its own fast path, so its status and bytes
 * must equal libidn's (RFC 3920 Appendix A and B, RFC 3491); any other input goes through
 * libidn in the adapter and is only run, with its output bounds checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stringprep.h>

#include "xc_stringprep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const xc_prep_profile profiles[] = {XC_PREP_NODE, XC_PREP_NAME, XC_PREP_RESOURCE};
    char out[4u * XC_PREP_IN_MAX + 1u], work[4u * XC_PREP_IN_MAX + 1u];
    const Stringprep_profile *p;
    const char *in = (const char *)data + 1;
    size_t len, i, out_len = 0, ref_len;
    xc_prep_profile profile;
    xc_prep_status st;
    int ascii = 1, ref_ok;

    if (size < 1 || size - 1 > XC_PREP_IN_MAX)
        return 0;
    profile = profiles[data[0] % 3u];
    len = size - 1;
    st = xc_stringprep(profile, in, len, out, sizeof out, &out_len);
    if (out_len > sizeof out || (st != XC_PREP_OK && out_len != 0))
        abort();
    for (i = 0; i < len; i++)
        if (data[1 + i] == 0 || data[1 + i] >= 0x80u)
            ascii = 0;
    if (!ascii)
        return 0;
    p = profile == XC_PREP_NODE ? stringprep_xmpp_nodeprep
        : profile == XC_PREP_NAME ? stringprep_nameprep
                                  : stringprep_xmpp_resourceprep;
    if (len > 0)
        memcpy(work, in, len);
    work[len] = '\0';
    ref_ok = stringprep(work, sizeof work, (Stringprep_profile_flags)0, p) == STRINGPREP_OK;
    ref_len = ref_ok ? strlen(work) : 0;
    if ((st == XC_PREP_OK) != ref_ok || (ref_ok && (out_len != ref_len || memcmp(out, work, ref_len) != 0)))
        abort();
    return 0;
}
