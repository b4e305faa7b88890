/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rootfs host: boot the test's kernel on this machine's own file system,
 * as virtme-ng does.  The guest gets two shares (share.h): this machine's
 * / read-only (tag lgtest-root) and lgtest's current directory read-write
 * (lgtest-cwd), and a small initramfs whose /init loads virtio_pci,
 * virtiofs (with fuse) and overlay from the kernel's modules, mounts the
 * root share under a tmpfs overlay, the current directory at its own path,
 * /proc, /sys, /dev, /tmp and /run, and chroots into it:
 *
 *   script  for `rootfs host` in a script: the boot marker, then a shell
 *           on the console with the default image's conventions (no echo,
 *           prompt "# " on a line of its own)
 *   exec    runs one command (lgtest exec), its output between two
 *           markers, the second with its exit status (exec.h)
 *   shell   an interactive shell on the console (lgtest shell)
 *
 * and powers off when that ends.  What it does is passed on the kernel
 * command line as lgtest.* arguments, which the kernel leaves alone.
 */
#ifndef LGTEST_ROOTFS_H
#define LGTEST_ROOTFS_H

#include <stdbool.h>

#include "script.h"

#define ROOTFS_ROOT_TAG "lgtest-root"
#define ROOTFS_CWD_TAG "lgtest-cwd"
/* x86's COMMAND_LINE_SIZE, with its NUL. */
#define KERNEL_CMDLINE_MAX 2048

struct rootfs_host {
	const char *mode; /* "script", "exec" or "shell" */
	const char *command; /* exec: a shell command line */
	const char *nonce; /* exec: what makes its markers unique */
	const char *tty; /* shell: "ROWSxCOLS" of the terminal, or NULL */
	/* The kernel's lib/modules/<version>; NULL: guessed (rootfs.c). */
	const char *modules_dir;
};

/*
 * Make c boot on this machine's root as h says: its kernel (the default
 * one when unset), the image, the shares and the kernel arguments.  False
 * with err when c has an initrd of its own, the image cannot be built or
 * the command line would be too long.
 */
bool rootfs_host_config(struct config *c, const struct rootfs_host *h,
			char **err);

/* s in base64 (RFC 4648, padded), allocated. */
char *base64_encode(const char *s, size_t len);

#endif
