/*
 * privileges.c — see privileges.h.
 *
 * Order matters: supplementary groups, then the group, then the user (once the user is not
 * root, the group calls would fail). Afterwards every id is checked, and setuid(0) must fail:
 * a drop that only changed the effective id could be undone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privileges.h"

xs_priv_status xs_privileges_drop(const char *user, char *err, size_t err_len)
{
    const struct passwd *pw;
    uid_t uid, ruid, euid, suid;
    gid_t gid, rgid, egid, sgid;

    if (user[0] == '\0')
        return geteuid() == 0 ? XS_PRIV_ROOT_KEPT : XS_PRIV_UNCHANGED;
    errno = 0;
    pw = getpwnam(user);
    if (pw == NULL) {
        snprintf(err, err_len, "user '%s' does not exist", user);
        return XS_PRIV_FAILED;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (geteuid() != 0) {
        if (geteuid() == uid)
            return XS_PRIV_UNCHANGED;
        snprintf(err, err_len, "cannot become user '%s': xmppd was not started as root", user);
        return XS_PRIV_FAILED;
    }
    if (uid == 0) {
        snprintf(err, err_len, "user '%s' is root: name an unprivileged account", user);
        return XS_PRIV_FAILED;
    }
    if (initgroups(user, gid) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
        snprintf(err, err_len, "cannot become user '%s': %s", user, strerror(errno));
        return XS_PRIV_FAILED;
    }
    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0 || ruid != uid || euid != uid ||
        suid != uid || rgid != gid || egid != gid || sgid != gid || setuid(0) == 0) {
        snprintf(err, err_len, "dropping to user '%s' did not take", user);
        return XS_PRIV_FAILED;
    }
    return XS_PRIV_DROPPED;
}
