// SPDX-License-Identifier: GPL-2.0
/* rootfs host: this machine's / as the guest's root (see rootfs.h). */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initramfs.h"
#include "rootfs.h"
#include "share.h"
#include "util.h"

static const char host_init[] =
	"#!/bin/sh\n"
	"# lgtest's /init for rootfs host (harness/rootfs.c): this machine's "
	"/\n"
	"# read-only under a tmpfs overlay, the current directory writable, "
	"then\n"
	"# a command, a shell for a script or a shell for a person; power "
	"off.\n"
	"export PATH=/bin\n"
	"set -f\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"if [ -f /lib/modules/load-order ]; then\n"
	"\twhile read -r ko; do insmod \"$ko\" 2>/dev/null; done "
	"</lib/modules/load-order\n"
	"fi\n"
	"for w in $(cat /proc/cmdline); do\n"
	"\tcase $w in\n"
	"\tlgtest.mode=*) mode=${w#*=} ;;\n"
	"\tlgtest.nonce=*) nonce=${w#*=} ;;\n"
	"\tlgtest.tty=*) tty=${w#*=} ;;\n"
	"\tlgtest.cwd=*) cwd=$(echo \"${w#*=}\" | base64 -d) ;;\n"
	"\tlgtest.exec=*) cmd=$(echo \"${w#*=}\" | base64 -d) ;;\n"
	"\tesac\n"
	"done\n"
	"die() {\n"
	"\techo \"lgtest-init: $*\"\n"
	"\tpoweroff -f\n"
	"}\n"
	"mkdir -p /host /rw /newroot\n"
	"mount -t virtiofs -o ro " ROOTFS_ROOT_TAG " /host ||\n"
	"\tdie \"cannot mount this machine's / (virtiofs tag " ROOTFS_ROOT_TAG
	"): the kernel needs virtio_pci, virtiofs and fuse, built in or as "
	"modules\"\n"
	"mount -t tmpfs -o mode=0755 lgtest-rw /rw\n"
	"mkdir /rw/upper /rw/work\n"
	"mount -t overlay -o "
	"lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work "
	"lgtest-root /newroot ||\n"
	"\tdie \"cannot put a tmpfs overlay on / (the kernel needs overlay)\"\n"
	"mount -t proc proc /newroot/proc\n"
	"mount -t sysfs sysfs /newroot/sys\n"
	"mount -t devtmpfs devtmpfs /newroot/dev\n"
	"mkdir -p /newroot/dev/pts\n"
	"mount -t devpts devpts /newroot/dev/pts\n"
	"mount -t tmpfs tmpfs /newroot/tmp\n"
	"mount -t tmpfs tmpfs /newroot/run\n"
	"if [ -n \"$cwd\" ] && [ \"$cwd\" != / ]; then\n"
	"\tmkdir -p \"/newroot$cwd\"\n"
	"\tmount -t virtiofs " ROOTFS_CWD_TAG " \"/newroot$cwd\" ||\n"
	"\t\tdie \"cannot mount the current directory $cwd (virtiofs "
	"tag " ROOTFS_CWD_TAG ")\"\n"
	"fi\n"
	"run() {\n"
	"\tchroot /newroot /usr/bin/env -i HOME=/root TERM=${TERM:-linux} \\\n"
	"\t\tPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "
	"\"$@\"\n"
	"}\n"
	"in_cwd='cd \"$1\" 2>/dev/null || cd /; shift; '\n"
	"sh=/bin/sh\n"
	"# bash without its rc files, which take seconds to load under TCG.\n"
	"[ -x /newroot/bin/bash ] && sh='/bin/bash --norc'\n"
	"case $mode in\n"
	"exec)\n"
	"\t# Output as it is: no \\r before \\n, nothing echoed.\n"
	"\tstty -onlcr -echo\n"
	"\techo \"lgtest-exec-begin-$nonce\"\n"
	"\trun /bin/sh -c \"$in_cwd\"'eval \"$1\"' sh \"${cwd:-/}\" \"$cmd\" "
	"</dev/null\n"
	"\tst=$?\n"
	"\tprintf '\\nlgtest-exec-end-%s %d\\n' \"$nonce\" \"$st\"\n"
	"\t;;\n"
	"shell)\n"
	"\t[ -z \"$tty\" ] || stty rows \"${tty%x*}\" cols \"${tty#*x}\"\n"
	"\techo \"lgtest shell: this machine's / read-only under a tmpfs "
	"overlay, $cwd writable; exit powers off\"\n"
	"\tsetsid cttyhack chroot /newroot /usr/bin/env -i HOME=/root "
	"TERM=${TERM:-linux} \\\n"
	"\t\tPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "
	"\\\n"
	"\t\t/bin/sh -c \"$in_cwd\"'exec $1 -i' sh \"${cwd:-/}\" \"$sh\"\n"
	"\t;;\n"
	"*)\n"
	"\t# As lgtest's default image: no echo, the prompt a line of its "
	"own.\n"
	"\tstty -echo\n"
	"\techo " BOOT_MARKER "\n"
	"\tsetsid cttyhack chroot /newroot /usr/bin/env -i HOME=/root "
	"\"PS1=# \n\" \\\n"
	"\t\tPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "
	"\\\n"
	"\t\t/bin/sh -c \"$in_cwd\"'exec /bin/sh' sh \"${cwd:-/}\"\n"
	"\t;;\n"
	"esac\n"
	"poweroff -f\n";

/* What the image loads, when the kernel has them as modules. */
static const char *const host_modules[] = {"virtio_pci", "virtiofs", "overlay"};

char *base64_encode(const char *s, size_t len)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
		"tuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = abc[u[i] >> 2];
		*o++ = abc[(u[i] & 3) << 4 | u[i + 1] >> 4];
		*o++ = abc[(u[i + 1] & 15) << 2 | u[i + 2] >> 6];
		*o++ = abc[u[i + 2] & 63];
	}
	if (i < len) {
		*o++ = abc[u[i] >> 2];
		*o++ = abc[(u[i] & 3) << 4 | (i + 1 < len ? u[i + 1] >> 4 : 0)];
		*o++ = i + 1 < len ? abc[(u[i + 1] & 15) << 2] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* nftw has no closure: the module looked for, and whether it was found. */
static __thread const char *wanted_module;
static __thread bool module_found;

static int match_module(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t n = strlen(wanted_module), i;

	(void)st;
	if (type != FTW_F || strlen(base) != n + 3 || strcmp(base + n, ".ko"))
		return 0;
	for (i = 0; i < n; i++)
		if ((base[i] == '-' ? '_' : base[i]) != wanted_module[i])
			return 0;
	module_found = true;
	return 1;
}

static bool has_module(const char *dir, const char *name)
{
	wanted_module = name;
	module_found = false;
	nftw(dir, match_module, 16, FTW_PHYS);
	return module_found;
}

/*
 * A Debian kernel unpacked as the cache has it (or installed):
 * DIR/boot/vmlinuz-V has its modules in DIR/lib/modules/V.  NULL when
 * there is no such directory: then the kernel must have what the image
 * would load built in.
 */
static char *guess_modules_dir(const char *kernel)
{
	const char *base = strrchr(kernel, '/');
	struct stat st;
	char *dir;

	base = base ? base + 1 : kernel;
	if (strncmp(base, "vmlinuz-", 8) && strncmp(base, "vmlinux-", 8))
		return NULL;
	dir = xasprintf("%.*s/../lib/modules/%s", (int)(base - kernel), kernel,
			base + 8);
	if (base == kernel) {
		free(dir);
		dir = xasprintf("../lib/modules/%s", base + 8);
	}
	if (!stat(dir, &st) && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	dir = xasprintf("/lib/modules/%s", base + 8);
	if (!stat(dir, &st) && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

/* The image for modules_dir's kernel ("/" and no modules: none). */
static char *build_image(const char *modules_dir, char **err)
{
	struct initramfs_spec spec = {.modules_dir = modules_dir};
	char *init = initramfs_write_init(host_init, err), *image;
	char *mods[ARRAY_SIZE(host_modules)];
	size_t i;

	if (!init)
		return NULL;
	for (i = 0; strcmp(modules_dir, "/") && i < ARRAY_SIZE(host_modules);
	     i++)
		if (has_module(modules_dir, host_modules[i]))
			mods[spec.nmodules++] = (char *)host_modules[i];
	spec.modules = mods;
	spec.init = init;
	image = initramfs_build(&spec, err);
	unlink(init);
	free(init);
	return image;
}

static char *modules_dir_for(const struct config *c,
			     const struct rootfs_host *h,
			     bool default_kernel_used, char **err)
{
	const char *dir;
	char *guess;

	if (h->modules_dir)
		return xstrdup(h->modules_dir);
	if (default_kernel_used) {
		dir = default_modules_dir(err);
		return dir ? xstrdup(dir) : NULL;
	}
	guess = guess_modules_dir(c->kernel);
	return guess ? guess : xstrdup("/");
}

static void add_share(struct config *c, const char *dir, const char *tag,
		      bool ro)
{
	struct device *d = ARRAY_PUSH(&c->devices, &c->ndevices);

	d->kind = xstrdup("share");
	d->value = xasprintf("%s:%s%s", dir, tag, ro ? ":ro" : "");
}

/* The lgtest.* arguments the image's /init reads. */
static char *init_args(const struct rootfs_host *h, const char *cwd)
{
	char *cwd64 = base64_encode(cwd, strlen(cwd)), *cmd64 = NULL;
	struct buf b = {0};

	buf_addf(&b, "lgtest.mode=%s lgtest.cwd=%s", h->mode, cwd64);
	if (h->command) {
		cmd64 = base64_encode(h->command, strlen(h->command));
		buf_addf(&b, " lgtest.exec=%s", cmd64);
	}
	if (h->nonce)
		buf_addf(&b, " lgtest.nonce=%s", h->nonce);
	if (h->tty)
		buf_addf(&b, " lgtest.tty=%s", h->tty);
	free(cwd64);
	free(cmd64);
	return b.data;
}

bool rootfs_host_config(struct config *c, const struct rootfs_host *h,
			char **err)
{
	bool default_used = !c->kernel;
	char *cwd, *moddir, *image, *args, *cmdline;
	const char *kernel;
	size_t len;

	if (c->initrd) {
		*err = xstrdup("rootfs host brings its own initramfs: drop the "
			       "initrd");
		return false;
	}
	if (!(cwd = getcwd(NULL, 0))) {
		*err = xasprintf("getcwd: %s", strerror(errno));
		return false;
	}
	if (default_used) {
		if (!(kernel = default_kernel(err))) {
			free(cwd);
			return false;
		}
		c->kernel = xstrdup(kernel);
	}
	args = init_args(h, cwd);
	cmdline = c->cmdline ? xasprintf("%s %s", c->cmdline, args)
			     : xstrdup(args);
	len = strlen(DEFAULT_CMDLINE) + 1 + strlen(cmdline);
	free(args);
	if (len >= KERNEL_CMDLINE_MAX) {
		*err = xasprintf("the command is too long: the kernel command "
				 "line would be %zu bytes, of at most %d",
				 len, KERNEL_CMDLINE_MAX - 1);
		free(cmdline);
		free(cwd);
		return false;
	}
	moddir = modules_dir_for(c, h, default_used, err);
	image = moddir ? build_image(moddir, err) : NULL;
	free(moddir);
	if (!image) {
		free(cmdline);
		free(cwd);
		return false;
	}
	c->initrd = image;
	free(c->cmdline);
	c->cmdline = cmdline;
	add_share(c, "/", ROOTFS_ROOT_TAG, true);
	if (strcmp(cwd, "/"))
		add_share(c, cwd, ROOTFS_CWD_TAG, false);
	c->prints_marker = !strcmp(h->mode, "script");
	free(cwd);
	return true;
}
