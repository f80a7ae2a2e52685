/*
 * adapter_stringprep_libidn.c — xc_stringprep (src/core/xc_stringprep.h) over GNU libidn.
 *
 * libidn's stringprep() works in place on a NUL-terminated string, so the input is copied
 * into a bounded local buffer first: the core's input is a (pointer, length) slice of a
 * network buffer and must never be read past in_len. An embedded NUL would make libidn see a
 * shorter string than the core does (a JID-confusion bug), so it is refused here as well as
 * in the core.
 *
 * Flags are 0, as in libidn's own stringprep_xmpp_nodeprep / stringprep_nameprep /
 * stringprep_xmpp_resourceprep macros: unassigned code points are allowed ("query" strings,
 * RFC 3454 §7), which is what deployed servers (Prosody, ejabberd) accept in resources.
 */
#include <stringprep.h>
#include <string.h>

#include "xc_stringprep.h"

/* NFKC may expand a string (U+FDFA becomes 18 code points); anything that does not fit here
 * is far over the 1023-byte limit and reported as too long. */
#define XC_PREP_WORK (4u * XC_PREP_IN_MAX + 1u)

static xc_prep_status map_rc(int rc)
{
    switch ((Stringprep_rc)rc) {
    case STRINGPREP_OK:
        return XC_PREP_OK;
    case STRINGPREP_TOO_SMALL_BUFFER:
        return XC_PREP_TOO_LONG;
    case STRINGPREP_CONTAINS_UNASSIGNED:
    case STRINGPREP_CONTAINS_PROHIBITED:
    case STRINGPREP_BIDI_BOTH_L_AND_RAL:
    case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
    case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
    case STRINGPREP_PROFILE_ERROR:
    case STRINGPREP_FLAG_ERROR:
    case STRINGPREP_UNKNOWN_PROFILE:
    case STRINGPREP_ICONV_ERROR:
    case STRINGPREP_NFKC_FAILED:
    case STRINGPREP_MALLOC_ERROR:
        return XC_PREP_FAILED;
    }
    return XC_PREP_FAILED; /* a code a later libidn may add */
}

xc_prep_status xc_stringprep(xc_prep_profile profile, const char *in, size_t in_len, char *out,
                             size_t out_cap, size_t *out_len)
{
    char work[XC_PREP_WORK];
    const Stringprep_profile *p;
    xc_prep_status st;
    size_t n;

    *out_len = 0;
    if (in_len > XC_PREP_IN_MAX)
        return XC_PREP_TOO_LONG;
    if (in_len > 0 && (in == NULL || memchr(in, '\0', in_len) != NULL))
        return XC_PREP_FAILED;
    switch (profile) {
    case XC_PREP_NODE:
        p = stringprep_xmpp_nodeprep;
        break;
    case XC_PREP_NAME:
        p = stringprep_nameprep;
        break;
    case XC_PREP_RESOURCE:
        p = stringprep_xmpp_resourceprep;
        break;
    default:
        return XC_PREP_FAILED;
    }
    if (in_len > 0)
        memcpy(work, in, in_len);
    work[in_len] = '\0';
    st = map_rc(stringprep(work, sizeof work, (Stringprep_profile_flags)0, p));
    if (st != XC_PREP_OK)
        return st;
    n = strnlen(work, sizeof work);
    if (n > out_cap)
        return XC_PREP_TOO_LONG;
    if (n > 0)
        memcpy(out, work, n);
    *out_len = n;
    return XC_PREP_OK;
}
