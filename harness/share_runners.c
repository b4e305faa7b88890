// SPDX-License-Identifier: GPL-2.0
/*
 * Shares and fs devices on the runners: what the launcher must have, the
 * qemu runner's arguments and its supervisor's virtiofsd back-ends (see
 * share.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner.h"
#include "share.h"
#include "tools.h"

/* QEMU's QMP socket is fd 3 (runner_qemu.c); the shares' come after it. */
#define FIRST_SHARE_FD 4
/* Where the supervisor keeps the sockets until QEMU's child moves them. */
#define PARKED_FD 100

struct share_backend {
	void *handle; /* the ops' own */
	int fd; /* connected to the back-end */
	int target; /* the fd QEMU is told */
};

/* ---- the lguest runners ------------------------------------------------- */

/* Does the launcher's --help list opt (e.g. "--share=")? */
static bool launcher_lists(const char *launcher, const char *opt)
{
	char *help, *err = NULL;
	bool found;

	help = run_tool((char *[]){(char *)launcher, "--help", NULL}, &err);
	found = help && strstr(help, opt);
	free(help);
	free(err);
	return found;
}

bool share_launcher_check(const char *launcher, const struct config *cfg,
			  char **err)
{
	size_t i;

	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		char *opt;
		bool ok;

		if (!share_is_fs_device(d))
			continue;
		opt = xasprintf("--%s=", d->kind);
		ok = launcher_lists(launcher, opt);
		if (!ok)
			*err = xasprintf(
				"%s %s: the launcher %s has no %s option yet "
				"(its virtio-fs device is not wired in): run "
				"this test with --runner qemu",
				d->kind, d->value, launcher, opt);
		free(opt);
		if (!ok)
			return false;
	}
	return true;
}

/* ---- the qemu runner's command ------------------------------------------ */

/* sh's parts, with its path absolute and checked; false with err. */
static bool checked_share(const struct device *d, struct share *sh, char **err)
{
	bool fs = !strcmp(d->kind, "fs");
	struct stat st;
	char *abs;

	if (!share_split(d, sh)) {
		*err = xasprintf("%s %s: not %s", d->kind, d->value,
				 fs ? "SOCKET:TAG" : "HOSTDIR:TAG[:ro]");
		return false;
	}
	if (stat(sh->path, &st) || !(abs = realpath(sh->path, NULL))) {
		*err = xasprintf("%s %s: %s", d->kind, sh->path,
				 strerror(errno));
		share_free(sh);
		return false;
	}
	if (fs ? !S_ISSOCK(st.st_mode) : !S_ISDIR(st.st_mode)) {
		*err = xasprintf("%s %s: not a %s", d->kind, sh->path,
				 fs ? "socket (a running vhost-user back-end)"
				    : "directory");
		free(abs);
		share_free(sh);
		return false;
	}
	free(sh->path);
	sh->path = abs;
	return true;
}

static bool check_tags(const struct config *cfg, char **err)
{
	const char *dup = share_duplicate_tag(cfg);

	if (dup)
		*err = xasprintf("the virtio-fs tag '%s' is given twice", dup);
	return !dup;
}

bool share_supervisor_args(const struct config *cfg, char ***argv, size_t *argc,
			   char **err)
{
	int fd = FIRST_SHARE_FD;
	struct share sh;
	size_t i;

	if (!check_tags(cfg, err))
		return false;
	for (i = 0; i < cfg->ndevices; i++) {
		if (strcmp(cfg->devices[i].kind, "share"))
			continue;
		if (!checked_share(&cfg->devices[i], &sh, err))
			return false;
		push_arg(argv, argc, xstrdup("--share"));
		push_arg(argv, argc, xasprintf("%d", fd++));
		push_arg(argv, argc, xstrdup(sh.ro ? "ro" : "rw"));
		push_arg(argv, argc, xstrdup(sh.path));
		share_free(&sh);
	}
	return true;
}

static void push_fs_device(char ***argv, size_t *argc, size_t n,
			   const char *socket, const struct share *sh)
{
	push_arg(argv, argc, xstrdup("-chardev"));
	push_arg(argv, argc, xasprintf("socket,id=lgtest-fs%zu,%s", n, socket));
	push_arg(argv, argc, xstrdup("-device"));
	push_arg(argv, argc,
		 xasprintf("vhost-user-fs-pci,chardev=lgtest-fs%zu,tag=%s", n,
			   sh->tag));
}

bool share_qemu_args(const struct config *cfg, unsigned int mem_mb,
		     char ***argv, size_t *argc, char **err)
{
	int fd = FIRST_SHARE_FD;
	size_t i, n = 0;
	struct share sh;
	char *where, *path;

	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];

		if (!share_is_fs_device(d))
			continue;
		if (!checked_share(d, &sh, err))
			return false;
		if (!n++) {
			/* The back-end maps guest RAM: it must be shared. */
			push_arg(argv, argc, xstrdup("-object"));
			push_arg(argv, argc,
				 xasprintf("memory-backend-memfd,id=lgtest-"
					   "mem,size=%uM,share=on",
					   mem_mb));
			push_arg(argv, argc, xstrdup("-machine"));
			push_arg(argv, argc,
				 xstrdup("memory-backend=lgtest-mem"));
		}
		if (!strcmp(d->kind, "share")) {
			where = xasprintf("fd=%d", fd++);
		} else {
			path = qemu_escape(sh.path);
			where = xasprintf("path=%s", path);
			free(path);
		}
		push_fs_device(argv, argc, n - 1, where, &sh);
		free(where);
		share_free(&sh);
	}
	return true;
}

/* ---- the supervisor's back-ends ----------------------------------------- */

static int start_one(const struct share_backend_ops *ops,
		     struct share_backend *b, int target, const char *mode,
		     const char *dir)
{
	int fd;

	b->target = target;
	b->fd = ops->start(&b->handle, dir, !strcmp(mode, "ro"));
	if (b->fd < 0)
		return -1;
	/* Out of the way of the fds QEMU's child puts in place. */
	fd = fcntl(b->fd, F_DUPFD_CLOEXEC, PARKED_FD + target);
	close(b->fd);
	b->fd = fd;
	if (fd < 0) {
		fprintf(stderr, "lgtest: share %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int share_backends_start(const struct share_backend_ops *ops, int argc,
			 char **argv, struct share_backends *s)
{
	int i = 0, target;
	char *end;

	memset(s, 0, sizeof(*s));
	s->ops = ops;
	while (i < argc && !strcmp(argv[i], "--share")) {
		if (i + 3 >= argc ||
		    (strcmp(argv[i + 2], "ro") && strcmp(argv[i + 2], "rw"))) {
			fprintf(stderr, "lgtest: qemu-supervise: --share FD "
					"ro|rw DIR\n");
			share_backends_stop(s);
			return -1;
		}
		target = (int)strtol(argv[i + 1], &end, 10);
		if (*end || target < FIRST_SHARE_FD || target >= PARKED_FD) {
			fprintf(stderr,
				"lgtest: qemu-supervise: bad share fd '%s'\n",
				argv[i + 1]);
			share_backends_stop(s);
			return -1;
		}
		if (start_one(ops, ARRAY_PUSH(&s->b, &s->n), target,
			      argv[i + 2], argv[i + 3])) {
			share_backends_stop(s);
			return -1;
		}
		i += 4;
	}
	return i;
}

void share_backends_hand_over(const struct share_backends *s)
{
	size_t i;

	/* dup2 clears close-on-exec on the copy. */
	for (i = 0; i < s->n; i++)
		if (dup2(s->b[i].fd, s->b[i].target) < 0)
			_exit(127);
}

void share_backends_stop(struct share_backends *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->b[i].fd >= 0)
			close(s->b[i].fd);
		if (s->b[i].handle)
			s->ops->stop(s->b[i].handle);
	}
	free(s->b);
	memset(s, 0, sizeof(*s));
}
