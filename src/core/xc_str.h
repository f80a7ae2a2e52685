/*
 * xc_str.h — comparisons of (pointer, length) strings.
 */
#ifndef XC_STR_H
#define XC_STR_H

#include "xc_base.h"

#define XC_STR_LIT(lit) ((xc_str){ (lit), (uint32_t)(sizeof(lit) - 1) })

/*@ predicate xc_str_same(xc_str a, xc_str b) =
      a.len == b.len && \forall integer k; 0 <= k < a.len ==> a.ptr[k] == b.ptr[k];
*/

/*@ requires xc_str_valid(a) && xc_str_valid(b);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> a.len == b.len;
    ensures \result == 1 <==> xc_str_same(a, b);
*/
int xc_str_eq(xc_str a, xc_str b);

#endif
