/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_PRIVILEGES_H
#define LGUEST_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/*
 * --username and --chroot, as the seed's Launcher had them: once every
 * file and device is open, shut ourselves in a directory and become an
 * ordinary user.  The user and its groups are looked up before the
 * chroot, while /etc and the NSS modules are still reachable.
 */
#define MAX_DROP_GROUPS 256

struct privilege_drop {
	const char *user;	/* NULL: keep ours */
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_DROP_GROUPS];
	int ngroups;
	const char *chroot_dir;	/* NULL: stay where we are */
};

/* Look everything up and check the directory; nothing changes yet. */
int privilege_drop_plan(struct privilege_drop *p, const char *user,
			const char *chroot_dir, struct lg_error *err);

/*
 * chroot and chdir("/"), then the supplementary groups, gid and uid, and
 * check that the old identity cannot come back.
 */
int privilege_drop_apply(const struct privilege_drop *p,
			 struct lg_error *err);

#endif
