/*
 * privileges.h — giving up root once the keys, the account store and the listening sockets are
 * open (issue 4: "Privileges drop after keys are loaded"). Everything that needs root is done
 * by then; what a compromised xmppd can reach afterwards is what the configured user can.
 */
#ifndef XS_PRIVILEGES_H
#define XS_PRIVILEGES_H

#include <stddef.h>

typedef enum xs_priv_status {
    XS_PRIV_DROPPED = 0,         /* now running as `user` with its groups; root cannot come back */
    XS_PRIV_UNCHANGED,           /* not root and `user` is empty or the current user */
    XS_PRIV_ROOT_KEPT,           /* root and no `user` configured: the caller warns */
    XS_PRIV_FAILED               /* err says why: the caller must not go on */
} xs_priv_status;

/* user: the configured account name, or "" for none. */
xs_priv_status xs_privileges_drop(const char *user, char *err, size_t err_len);

#endif
