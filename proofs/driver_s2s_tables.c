/*
 * driver_s2s_tables.c — Frama-C entry point for the generated s2s tables
 * (src/core/gen/xc_s2s_{in,out,verify}_table.h, from spec/s2s_*.fsm).
 *
 * Looks up every (state, event) pair of each role's table, out-of-range values included, under
 * any guard mask, and names every state and event, so EVA reaches each generated switch and WP
 * checks each call against its contract (a lookup is total: its row is always in the table).
 * Compiled only under Frama-C (-D__FRAMAC__).
 */
#ifdef __FRAMAC__
#include "__fc_builtin.h"
#include "xc_s2s.h"

void xc_drive_s2s_tables(void);

/*@ assigns Frama_C_entropy_source;
*/
void xc_drive_s2s_tables(void)
{
    uint32_t guards = (uint32_t)Frama_C_unsigned_int_interval(0u, 0xffffffffu);
    xc_str name;
    uint32_t row;

    row = xc_s2s_in_lookup((xc_s2s_in_state)Frama_C_interval(0, (int)XC_S2S_IN_S_COUNT),
                           (xc_s2s_in_event)Frama_C_interval(0, (int)XC_S2S_IN_E_COUNT), guards);
    /*@ assert row < XC_S2S_IN_ROWS; */
    name = xc_s2s_in_state_name((xc_s2s_in_state)Frama_C_interval(0, (int)XC_S2S_IN_S_COUNT));
    /*@ assert xc_str_valid(name); */
    name = xc_s2s_in_event_name((xc_s2s_in_event)Frama_C_interval(0, (int)XC_S2S_IN_E_COUNT));
    /*@ assert xc_str_valid(name); */

    row = xc_s2s_out_lookup((xc_s2s_out_state)Frama_C_interval(0, (int)XC_S2S_OUT_S_COUNT),
                            (xc_s2s_out_event)Frama_C_interval(0, (int)XC_S2S_OUT_E_COUNT), guards);
    /*@ assert row < XC_S2S_OUT_ROWS; */
    name = xc_s2s_out_state_name((xc_s2s_out_state)Frama_C_interval(0, (int)XC_S2S_OUT_S_COUNT));
    /*@ assert xc_str_valid(name); */
    name = xc_s2s_out_event_name((xc_s2s_out_event)Frama_C_interval(0, (int)XC_S2S_OUT_E_COUNT));
    /*@ assert xc_str_valid(name); */

    row = xc_s2s_verify_lookup((xc_s2s_verify_state)Frama_C_interval(0, (int)XC_S2S_VERIFY_S_COUNT),
                               (xc_s2s_verify_event)Frama_C_interval(0, (int)XC_S2S_VERIFY_E_COUNT), guards);
    /*@ assert row < XC_S2S_VERIFY_ROWS; */
    name = xc_s2s_verify_state_name((xc_s2s_verify_state)Frama_C_interval(0, (int)XC_S2S_VERIFY_S_COUNT));
    /*@ assert xc_str_valid(name); */
    name = xc_s2s_verify_event_name((xc_s2s_verify_event)Frama_C_interval(0, (int)XC_S2S_VERIFY_E_COUNT));
    /*@ assert xc_str_valid(name); */
}
#endif
