/*
 * driver_jid.c — Frama-C entry point for src/core/xc_jid.c (ANSSI x509-parser style).
 *
 * Calls every public function of xc_jid.h with an unknown buffer of unknown length, so EVA
 * explores the whole API and not only today's callers. xc_stringprep has no body here: EVA
 * and WP both use its ACSL contract (xc_stringprep.h), which is assumed, not proven.
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_jid.h"

#define DRV_IN_MAX (XC_JID_IN_MAX + 8u) /* also past the input limit */

static char drv_in[DRV_IN_MAX];
static char drv_out[XC_JID_FULL_MAX + 8u];
static xc_jid drv_a;
static xc_jid drv_b;

void xc_drive_jid(void);

void xc_drive_jid(void)
{
    size_t len = Frama_C_size_t_interval(0, DRV_IN_MAX);
    size_t cap = Frama_C_size_t_interval(0, sizeof drv_out);
    size_t out_len = 0;
    xc_jid_parts parts;
    xc_str s;

    Frama_C_make_unknown(drv_in, DRV_IN_MAX);

    (void)xc_jid_split(drv_in, len, &parts);
    (void)xc_jid_split((const char *)0, 0, &parts);
    (void)xc_jid_parse((const char *)0, 0, &drv_a);

    if (xc_jid_parse(drv_in, len, &drv_a) == XC_JID_OK) {
        (void)xc_jid_format_bare(&drv_a, drv_out, cap, &out_len);
        (void)xc_jid_format_full(&drv_a, drv_out, cap, &out_len);
        s = xc_jid_node(&drv_a);
        s = xc_jid_domain(&drv_a);
        s = xc_jid_resource(&drv_a);
        (void)s;
    }

    /* Any JID satisfying the invariant, not only what parse produced. */
    Frama_C_make_unknown((char *)drv_b.buf, sizeof drv_b.buf);
    drv_b.node_len = Frama_C_unsigned_int_interval(0, XC_JID_PART_MAX);
    drv_b.domain_len = Frama_C_unsigned_int_interval(1, XC_JID_PART_MAX);
    drv_b.resource_len = Frama_C_unsigned_int_interval(0, XC_JID_PART_MAX);
    (void)xc_jid_format_bare(&drv_b, drv_out, cap, &out_len);
    (void)xc_jid_format_full(&drv_b, drv_out, cap, &out_len);
    (void)xc_jid_equal_bare(&drv_b, &drv_b);
    (void)xc_jid_equal_full(&drv_b, &drv_b);
    if (xc_jid_parse(drv_in, len, &drv_a) == XC_JID_OK) {
        (void)xc_jid_equal_bare(&drv_a, &drv_b);
        (void)xc_jid_equal_full(&drv_a, &drv_b);
    }
}
#endif
