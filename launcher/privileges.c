// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privileges.h"

static const char *needs_root(int errnum)
{
	return errnum == EPERM ? " (this needs root)" : "";
}

static int plan_user(struct privilege_drop *p, const char *user,
		     struct lg_error *err)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw)
		return errno && errno != ENOENT && errno != ESRCH ?
			lg_fail(err, "--username=%s: cannot look the user up: %s",
				user, strerror(errno)) :
			lg_fail(err, "--username=%s: no such user", user);
	p->user = user;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	p->ngroups = MAX_DROP_GROUPS;
	if (getgrouplist(user, p->gid, p->groups, &p->ngroups) < 0)
		return lg_fail(err, "--username=%s: in more than %d groups",
			       user, MAX_DROP_GROUPS);
	return 0;
}

int privilege_drop_plan(struct privilege_drop *p, const char *user,
			const char *chroot_dir, struct lg_error *err)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	if (user && plan_user(p, user, err))
		return -1;
	if (!chroot_dir)
		return 0;
	if (stat(chroot_dir, &st))
		return lg_fail(err, "--chroot=%s: %s", chroot_dir,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return lg_fail(err, "--chroot=%s: not a directory", chroot_dir);
	p->chroot_dir = chroot_dir;
	return 0;
}

/* Root could undo all of it: make sure the uid change cannot be undone. */
static int check_identity(const struct privilege_drop *p, struct lg_error *err)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg))
		return lg_fail(err, "--username=%s: getresuid: %s", p->user,
			       strerror(errno));
	if (ru != p->uid || eu != p->uid || su != p->uid || rg != p->gid ||
	    eg != p->gid || sg != p->gid)
		return lg_fail(err, "--username=%s: the switch to uid %u gid %u did not take",
			       p->user, (unsigned int)p->uid,
			       (unsigned int)p->gid);
	if (p->uid != 0 && setuid(0) == 0)
		return lg_fail(err, "--username=%s: could become root again",
			       p->user);
	return 0;
}

int privilege_drop_apply(const struct privilege_drop *p, struct lg_error *err)
{
	if (p->chroot_dir) {
		if (chroot(p->chroot_dir))
			return lg_fail(err, "--chroot=%s: cannot chroot: %s%s",
				       p->chroot_dir, strerror(errno),
				       needs_root(errno));
		if (chdir("/"))
			return lg_fail(err, "--chroot=%s: cannot chdir to it: %s",
				       p->chroot_dir, strerror(errno));
	}
	if (!p->user)
		return 0;
	if (setgroups(p->ngroups, p->groups))
		return lg_fail(err, "--username=%s: cannot set its groups: %s%s",
			       p->user, strerror(errno), needs_root(errno));
	if (setresgid(p->gid, p->gid, p->gid))
		return lg_fail(err, "--username=%s: cannot switch to gid %u: %s%s",
			       p->user, (unsigned int)p->gid, strerror(errno),
			       needs_root(errno));
	if (setresuid(p->uid, p->uid, p->uid))
		return lg_fail(err, "--username=%s: cannot switch to uid %u: %s%s",
			       p->user, (unsigned int)p->uid, strerror(errno),
			       needs_root(errno));
	return check_identity(p, err);
}
