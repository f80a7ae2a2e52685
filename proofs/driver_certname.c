/*
 * driver_certname.c — Frama-C entry point for certificate name matching (xc_certname.h).
 *
 * A reference domain and up to four presented identifiers, each of unknown kind (out-of-range
 * kinds included), unknown content and unknown length (empty and over XC_CN_NAME_MAX included),
 * for both services. Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_certname.h"

#define XC_DRV_LEN 1200u
#define XC_DRV_NAMES 4u

void xc_drive_certname(void);

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_certname(void)
{
    char ref[XC_DRV_LEN], text[XC_DRV_NAMES][XC_DRV_LEN];
    xc_cn_name names[XC_DRV_NAMES];
    xc_str a, u;
    xc_cn_match m;
    uint32_t i, n;

    Frama_C_make_unknown(ref, XC_DRV_LEN);
    /*@ loop invariant 0 <= i <= XC_DRV_NAMES;
        loop assigns i, text[0 .. XC_DRV_NAMES - 1][0 .. XC_DRV_LEN - 1], names[0 .. XC_DRV_NAMES - 1],
                     Frama_C_entropy_source;
        loop variant XC_DRV_NAMES - i;
    */
    for (i = 0; i < XC_DRV_NAMES; i++) {
        Frama_C_make_unknown(text[i], XC_DRV_LEN);
        names[i].kind = (xc_cn_kind)Frama_C_interval(0, 4);
        names[i].value.ptr = text[i];
        names[i].value.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_LEN);
    }
    a.ptr = ref;
    a.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_LEN);
    u.ptr = ref;
    u.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_LEN);
    n = (uint32_t)Frama_C_interval(0, (int)XC_DRV_NAMES);
    m = xc_certname_match(a, u, XC_CN_SERVER, names, n);
    /*@ assert XC_CN_NO_MATCH <= m <= XC_CN_BY_COMMON_NAME; */
    m = xc_certname_match(a, u, XC_CN_CLIENT, names, n);
    /*@ assert XC_CN_NO_MATCH <= m <= XC_CN_BY_COMMON_NAME; */
}
#endif
