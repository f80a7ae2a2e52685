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
 *
 * ASCII input takes a fast path (libidn converts to UCS-4, normalises and walks every table
 * for each string; it was 13% of the server's CPU under message load, every stanza's 'to'
 * being prepared). For code points below 0x80 the three profiles reduce to what
 * ascii_prep() does: NFKC and the B.1 mapping leave ASCII alone; B.2 case folding (Nodeprep,
 * Nameprep) is A-Z to a-z; the prohibited ASCII is C.1.1 space (Nodeprep only), C.2.1 controls
 * 0x00-0x1F and 0x7F (Nodeprep, Resourceprep; Nameprep does not list C.2.1) and Nodeprep's
 * own eight characters (RFC 3920 Appendix A.5); bidi rules need a RandALCat character, and
 * ASCII has none. tests/server/test_stringprep.c checks this against libidn for every ASCII
 * string of up to two characters, every three-character string over the character classes
 * and random longer ones; fuzz/fuzz_stringprep.c does the same for any ASCII input.
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

static int is_ascii(const char *in, size_t in_len)
{
    size_t i;

    for (i = 0; i < in_len; i++)
        if ((unsigned char)in[i] >= 0x80u)
            return 0;
    return 1;
}

/* The three profiles over ASCII input (see above); in holds no NUL and no byte >= 0x80. */
static xc_prep_status ascii_prep(xc_prep_profile profile, const char *in, size_t in_len, char *out,
                                 size_t out_cap, size_t *out_len)
{
    size_t i;

    for (i = 0; i < in_len; i++) {
        unsigned char ch = (unsigned char)in[i];
        int control = ch < 0x20u || ch == 0x7fu;

        switch (profile) {
        case XC_PREP_NODE:
            if (control || ch == ' ' || strchr("\"&'/:<>@", ch) != NULL)
                return XC_PREP_FAILED;
            break;
        case XC_PREP_RESOURCE:
            if (control)
                return XC_PREP_FAILED;
            break;
        case XC_PREP_NAME:
            break;
        default:
            return XC_PREP_FAILED;
        }
    }
    if (in_len > out_cap)
        return XC_PREP_TOO_LONG;
    for (i = 0; i < in_len; i++) {
        unsigned char ch = (unsigned char)in[i];

        out[i] = (char)(profile != XC_PREP_RESOURCE && ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
    }
    *out_len = in_len;
    return XC_PREP_OK;
}

/* Any input, through libidn; in holds in_len ≤ XC_PREP_IN_MAX bytes and no NUL. */
static xc_prep_status libidn_prep(xc_prep_profile profile, const char *in, size_t in_len, char *out,
                                  size_t out_cap, size_t *out_len)
{
    char work[XC_PREP_WORK];
    const Stringprep_profile *p;
    xc_prep_status st;
    size_t n;

    *out_len = 0;
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

xc_prep_status xc_stringprep(xc_prep_profile profile, const char *in, size_t in_len, char *out,
                             size_t out_cap, size_t *out_len)
{
    *out_len = 0;
    if (in_len > XC_PREP_IN_MAX)
        return XC_PREP_TOO_LONG;
    if (in_len > 0 && (in == NULL || memchr(in, '\0', in_len) != NULL))
        return XC_PREP_FAILED;
    if (is_ascii(in, in_len))
        return ascii_prep(profile, in, in_len, out, out_cap, out_len);
    return libidn_prep(profile, in, in_len, out, out_cap, out_len);
}
