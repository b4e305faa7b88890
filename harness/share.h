/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host directories in the guest over virtio-fs: lgtest's `share HOSTDIR
 * [TAG] [ro]` setting and `device fs SOCKET:TAG`.  Both are devices of the
 * test's configuration, kind "share" with the value HOSTDIR:TAG[:ro] and
 * kind "fs" with SOCKET:TAG: what the launcher's --share and --fs take,
 * so the lguest runners pass them on as they are.
 *
 * The qemu runner maps them to vhost-user-fs-pci over guest RAM that is a
 * shared memfd.  For a share, the qemu supervisor (runner_qemu.c) starts
 * Debian's virtiofsd on HOSTDIR with the launcher's own code
 * (share_virtiofsd.c), connects to it and hands QEMU the
 * connected socket; it stops virtiofsd when QEMU ends, and virtiofsd,
 * in the runner's process group and with a parent-death signal, goes
 * with the runner however the test ends.
 */
#ifndef LGTEST_SHARE_H
#define LGTEST_SHARE_H

#include <stdbool.h>
#include <stddef.h>

#include "script.h"

/* A virtio-fs tag is at most 36 bytes (virtio 1.2, 5.11.4). */
#define SHARE_TAG_MAX 36

struct share {
	char *path; /* share: the host directory; fs: the back-end's socket */
	char *tag;
	bool ro;
};

/* Why tag cannot be a virtio-fs tag here, or NULL when it can. */
const char *share_tag_problem(const char *tag);

/* A share's tag when its line names none: the directory's last name. */
char *share_default_tag(const char *hostdir);

/*
 * Take a device's value apart: HOSTDIR:TAG[:ro] for kind "share",
 * SOCKET:TAG for "fs".  False when it is neither.
 */
bool share_split(const struct device *d, struct share *out);
void share_free(struct share *s);

/* True for a "share" or "fs" device. */
bool share_is_fs_device(const struct device *d);

/* A tag that two of cfg's shares or fs devices have, else NULL. */
const char *share_duplicate_tag(const struct config *cfg);

/* ---- the lguest runners -------------------------------------------------- */

/*
 * The launcher gets --share and --fs with its virtio-fs device.  Until
 * its --help lists the option a share or fs device needs, the test is an
 * error saying so, rather than the launcher reaching an option it lacks
 * (getopt would even take --share for a prefix of --sharenet).
 */
bool share_launcher_check(const char *launcher, const struct config *cfg,
			  char **err);

/* ---- the qemu runner ----------------------------------------------------- */

/*
 * The supervisor's own arguments, before QEMU's: "--share FD ro|rw DIR"
 * for every share, FD being where QEMU finds its connected socket.
 */
bool share_supervisor_args(const struct config *cfg, char ***argv, size_t *argc,
			   char **err);

/*
 * QEMU's arguments for cfg's shares and fs devices: shared guest RAM of
 * mem_mb MiB and one vhost-user-fs-pci each; nothing without any.
 */
bool share_qemu_args(const struct config *cfg, unsigned int mem_mb,
		     char ***argv, size_t *argc, char **err);

/*
 * How the supervisor starts a share's back-end.  bin/lgtest's is Debian's
 * virtiofsd through the launcher's own code (share_virtiofsd.c, linked
 * only into bin/lgtest, so the harness library needs no launcher).
 */
struct share_backend_ops {
	/*
	 * Serve dir (read-only with ro); returns a socket connected to the
	 * back-end, its *handle set, or -1 with a message on stderr and
	 * nothing left running.
	 */
	int (*start)(void **handle, const char *dir, bool ro);
	void (*stop)(void *handle); /* stop it and free handle */
};

extern const struct share_backend_ops share_virtiofsd_ops;

/* The supervisor's running back-ends. */
struct share_backends {
	const struct share_backend_ops *ops;
	struct share_backend *b;
	size_t n;
};

/*
 * Take the leading "--share FD MODE DIR" arguments off argv (after the
 * command's name), start a back-end for each with ops and connect to it.
 * Returns how many arguments it took, or -1 with a message on stderr and
 * nothing left running.
 */
int share_backends_start(const struct share_backend_ops *ops, int argc,
			 char **argv, struct share_backends *s);

/* In QEMU's child: put every connected socket at its FD. */
void share_backends_hand_over(const struct share_backends *s);

/* Stop every back-end and close the sockets. */
void share_backends_stop(struct share_backends *s);

#endif
