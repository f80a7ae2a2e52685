/*
 * driver_dialback.c — Frama-C entry point for the dialback keys (xc_dialback.h).
 *
 * Calls every public function with names, ids and presented keys of unknown content and
 * unknown length (empty and over the limits included), so EVA explores the whole API and WP
 * checks each call against its contract. The hash interface (xc_hmac.h) is assumed.
 * Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_dialback.h"

#define XC_DRV_MAX 1100u          /* past XC_DB_NAME_MAX and XC_DB_ID_MAX */

void xc_drive_dialback(void);

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_dialback(void)
{
    char a[XC_DRV_MAX], b[XC_DRV_MAX], c[XC_DRV_MAX], p[XC_DRV_MAX];
    char key[XC_DB_KEY_LEN];
    xc_db_secret k;
    xc_str r, o, id, pr;
    xc_db_status st;
    int m;

    Frama_C_make_unknown(a, XC_DRV_MAX);
    Frama_C_make_unknown(b, XC_DRV_MAX);
    Frama_C_make_unknown(c, XC_DRV_MAX);
    Frama_C_make_unknown(p, XC_DRV_MAX);
    xc_db_secret_init(&k, a, (size_t)Frama_C_interval(1, (int)XC_DRV_MAX));
    r.ptr = a;
    r.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_MAX);
    o.ptr = b;
    o.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_MAX);
    id.ptr = c;
    id.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_MAX);
    pr.ptr = p;
    pr.len = (uint32_t)Frama_C_interval(0, (int)XC_DRV_MAX);
    st = xc_db_key(&k, r, o, id, key);
    /*@ assert st == XC_DB_OK || st == XC_DB_BAD_NAME || st == XC_DB_BAD_ID; */
    m = xc_db_key_matches(&k, r, o, id, pr);
    /*@ assert m == 0 || m == 1; */
    pr.ptr = (const char *)0;
    pr.len = 0;
    m = xc_db_key_matches(&k, r, o, id, pr);
    /*@ assert m == 0; */
}
#endif
