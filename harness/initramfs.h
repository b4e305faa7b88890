/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Root file systems and the default kernel.  Images are built by the
 * tree's tests/boot/mkinitramfs.sh (busybox-static, modules with their
 * dependencies, files) and cached by content; the kernel is Debian's
 * cloud kernel, fetched once into the cache by ci/fetch-kernel.sh.
 *
 * The default image's /init mounts the usual file systems, loads its
 * modules, prints BOOT_MARKER and gives a busybox shell on the console
 * (prompt "# "): the serial port, or hvc0 when the guest has a virtio
 * console, which then has the keyboard; when that shell exits the guest
 * powers off.
 */
#ifndef LGTEST_INITRAMFS_H
#define LGTEST_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>

/* What the default /init prints once userspace runs: the boot timer's end. */
#define BOOT_MARKER "lgtest-boot-marker"

/*
 * Modules the default image carries, so every lgtest device just works,
 * loop, for a file system a script can freeze (tests/boot/hang-*.lgt), and
 * virtiofs (with fuse), for the shares (share.h).
 */
#define DEFAULT_MODULES                                                        \
	"virtio_pci", "virtio_blk", "virtio_net", "virtio_console",            \
		"virtio-rng", "loop", "virtiofs"

struct initramfs_spec {
	const char *init; /* the /init script; NULL: the default one */
	const char *modules_dir; /* lib/modules/<version>; NULL: default's */
	char **modules; /* extra modules, besides DEFAULT_MODULES */
	size_t nmodules;
	char **files; /* HOST:GUEST */
	size_t nfiles;
	const char *output; /* copy the image here; NULL: the cache only */
	bool verbose;
};

/* Write an /init's text to a temporary file; its path, or NULL with err. */
char *initramfs_write_init(const char *text, char **err);

/*
 * Build (or find in the cache) the image spec describes.  Returns its
 * path (spec->output, or the cached file) or NULL with err.
 */
char *initramfs_build(const struct initramfs_spec *spec, char **err);

/* The default kernel, fetched on first use; remembered for the process. */
const char *default_kernel(char **err);

/* The default kernel's lib/modules/<version>; remembered likewise. */
const char *default_modules_dir(char **err);

/* The default image for the default kernel; remembered likewise. */
const char *default_initramfs(char **err);

/* `lgtest initramfs [options]`: argv[0] is "initramfs". */
int cmd_initramfs(int argc, char **argv);

#endif
