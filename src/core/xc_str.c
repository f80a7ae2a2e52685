#include "xc_str.h"

int xc_str_eq(xc_str a, xc_str b)
{
    uint32_t i;
    int eq = 1;

    if (a.len != b.len)
        return 0;
    /*@ loop invariant 0 <= i <= a.len;
        loop invariant eq == 1;
        loop invariant \forall integer k; 0 <= k < i ==> a.ptr[k] == b.ptr[k];
        loop assigns i, eq;
        loop variant a.len - i;
    */
    for (i = 0; i < a.len; i++) {
        if (a.ptr[i] != b.ptr[i]) {
            eq = 0;
            break;
        }
    }
    return eq;
}
