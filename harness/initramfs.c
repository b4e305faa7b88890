// SPDX-License-Identifier: GPL-2.0
/*
 * The default kernel and root file systems, and `lgtest initramfs`.  The
 * work is done by the tree's shell tools, which CI and the boot tests use
 * too: ci/fetch-kernel.sh and tests/boot/mkinitramfs.sh (its cache key is
 * the content of every input, so an unchanged image is never rebuilt).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initramfs.h"
#include "tools.h"
#include "util.h"

static const char default_init[] =
	"#!/bin/sh\n"
	"# lgtest's default /init (harness/initramfs.c): mount the usual file\n"
	"# systems, load the image's modules, print the boot marker, then a\n"
	"# shell on the console the keyboard types on; when it exits the "
	"guest\n"
	"# powers off.\n"
	"export PATH=/bin HOME=/root\n"
	"# The prompt is a line of its own, so output lines start clean.\n"
	"export PS1='# \n'\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"mount -t tmpfs tmpfs /tmp\n"
	"if [ -f /lib/modules/load-order ]; then\n"
	"\twhile read -r ko; do\n"
	"\t\tinsmod \"$ko\" 2>/dev/null || echo \"lgtest-init: insmod $ko "
	"failed\"\n"
	"\tdone </lib/modules/load-order\n"
	"fi\n"
	"cd /root 2>/dev/null || cd /\n"
	"# A virtio console takes the keyboard from the serial port (lguest\n"
	"# --virtio-console, the qemu runner's virtconsole): then the shell\n"
	"# runs on it, hvc0, whose port may come a moment after its driver.\n"
	"# The kernel's own messages stay on the serial console.\n"
	"hvc_open() { (: <>/dev/hvc0) 2>/dev/null; }\n"
	"set -- /sys/bus/virtio/drivers/virtio_console/virtio*\n"
	"if [ -e \"$1\" ]; then\n"
	"\ti=0\n"
	"\twhile ! hvc_open && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); "
	"done\n"
	"\tif hvc_open; then\n"
	"\t\texec <>/dev/hvc0 >&0 2>&0\n"
	"\t\thvc=1\n"
	"\telse\n"
	"\t\techo \"lgtest-init: no /dev/hvc0 after 10 s: the shell stays on "
	"the serial console\"\n"
	"\tfi\n"
	"fi\n"
	"# No echo: the console shows only what the guest prints, and the\n"
	"# shell reads plain lines (no line editing, no escape sequences).\n"
	"stty -echo\n"
	"echo " BOOT_MARKER "\n"
	"# The shell gets its console as controlling terminal (cttyhack finds\n"
	"# the kernel's console, the serial port; hvc0 is already stdin).\n"
	"if [ -n \"$hvc\" ]; then setsid -c sh; else setsid cttyhack sh; fi\n"
	"poweroff -f\n";

static const char *const default_modules[] = {DEFAULT_MODULES};

char *initramfs_write_init(const char *text, char **err)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/lgtest-init.XXXXXX",
			       tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		*err = xasprintf("writing %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static const char *fetch_kernel(const char *what, char **memo, char **err)
{
	char *script;

	if (*memo)
		return *memo;
	script = tool_path("ci/fetch-kernel.sh");
	*memo = run_tool((char *[]){script, "--print", (char *)what, NULL},
			 err);
	free(script);
	return *memo;
}

const char *default_kernel(char **err)
{
	static char *kernel;

	return fetch_kernel("kernel", &kernel, err);
}

const char *default_modules_dir(char **err)
{
	static char *dir;

	return fetch_kernel("modules", &dir, err);
}

static void push(char ***argv, size_t *argc, const char *arg)
{
	*ARRAY_PUSH(argv, argc) = (char *)arg;
}

char *initramfs_build(const struct initramfs_spec *spec, char **err)
{
	char *script = tool_path("tests/boot/mkinitramfs.sh");
	char *lgexit = tool_path("tests/guests/bin/lgexit");
	char *init = NULL, *lgexit_spec = NULL, *path = NULL;
	const char *moddir = spec->modules_dir;
	char **argv = NULL;
	size_t argc = 0, i;

	if (!spec->init && !(init = initramfs_write_init(default_init, err)))
		goto out;
	if (!moddir && !(moddir = default_modules_dir(err)))
		goto out;
	push(&argv, &argc, script);
	push(&argv, &argc, "--init");
	push(&argv, &argc, spec->init ? spec->init : init);
	push(&argv, &argc, "--modules-dir");
	push(&argv, &argc, moddir);
	/* The default set belongs to the default kernel. */
	for (i = 0; !spec->modules_dir && i < ARRAY_SIZE(default_modules);
	     i++) {
		push(&argv, &argc, "--module");
		push(&argv, &argc, default_modules[i]);
	}
	for (i = 0; i < spec->nmodules; i++) {
		push(&argv, &argc, "--module");
		push(&argv, &argc, spec->modules[i]);
	}
	if (!access(lgexit, R_OK)) {
		lgexit_spec = xasprintf("%s:/bin/lgexit", lgexit);
		push(&argv, &argc, "--file");
		push(&argv, &argc, lgexit_spec);
	}
	for (i = 0; i < spec->nfiles; i++) {
		push(&argv, &argc, "--file");
		push(&argv, &argc, spec->files[i]);
	}
	if (spec->output) {
		push(&argv, &argc, "--output");
		push(&argv, &argc, spec->output);
	}
	if (spec->verbose)
		push(&argv, &argc, "--verbose");
	push(&argv, &argc, NULL);
	path = run_tool(argv, err);
	/* With --output the tool prints nothing: the image is there. */
	if (path && spec->output) {
		free(path);
		path = xstrdup(spec->output);
	}
out:
	if (init) {
		unlink(init);
		free(init);
	}
	free(argv);
	free(lgexit_spec);
	free(lgexit);
	free(script);
	return path;
}

const char *default_initramfs(char **err)
{
	static char *image;
	struct initramfs_spec spec = {0};

	if (!image)
		image = initramfs_build(&spec, err);
	return image;
}

/* ---- lgtest initramfs ---------------------------------------------------- */

static const char initramfs_usage[] =
	"Usage: lgtest initramfs [-o FILE] [--module NAME]... [--file "
	"HOST:GUEST]...\n"
	"                        [--init FILE] [--modules-dir DIR] [-v]\n"
	"\n"
	"Builds a newc cpio image (gzip) from busybox-static, kernel modules "
	"with\n"
	"everything they depend on, and files; prints its path.  Images are "
	"cached\n"
	"by content in $CACHE/initramfs (default .cache/ in the source "
	"tree).\n"
	"\n"
	"  -o, --output FILE    also copy the image to FILE\n"
	"  --module NAME        add a module and its dependencies "
	"(repeatable); the\n"
	"                       image's /lib/modules/load-order lists them "
	"in order\n"
	"  --file HOST:GUEST    add a file or directory at GUEST (absolute; "
	"repeatable)\n"
	"  --init FILE          the /init to run (default: lgtest's own: "
	"mounts /proc,\n"
	"                       /sys, /dev and /tmp, insmods the modules, "
	"prints\n"
	"                       \"" BOOT_MARKER
	"\" and runs a shell on the console,\n"
	"                       hvc0 if there is a virtio console, prompt "
	"\"# \"; the\n"
	"                       guest powers off when it exits)\n"
	"  --modules-dir DIR    the lib/modules/<version> of your kernel "
	"(default: the\n"
	"                       default kernel's, whose image also gets "
	"virtio_pci,\n"
	"                       virtio_blk, virtio_net, virtio_console, "
	"virtio-rng,\n"
	"                       loop and virtiofs)\n"
	"  -v, --verbose        say what is being done\n"
	"\n"
	"Images also hold tests/guests/bin/lgexit as /bin/lgexit when it is "
	"built.\n";

int cmd_initramfs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"module", required_argument, NULL, 'm'},
		{"file", required_argument, NULL, 'f'},
		{"init", required_argument, NULL, 'i'},
		{"modules-dir", required_argument, NULL, 'd'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct initramfs_spec spec = {0};
	char *path, *err = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			spec.output = optarg;
			break;
		case 'm':
			*ARRAY_PUSH(&spec.modules, &spec.nmodules) = optarg;
			break;
		case 'f':
			*ARRAY_PUSH(&spec.files, &spec.nfiles) = optarg;
			break;
		case 'i':
			spec.init = optarg;
			break;
		case 'd':
			spec.modules_dir = optarg;
			break;
		case 'v':
			spec.verbose = true;
			break;
		case 'h':
			fputs(initramfs_usage, stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'lgtest initramfs --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"lgtest: initramfs: unexpected '%s'\nTry 'lgtest "
			"initramfs --help'.\n",
			argv[optind]);
		return 2;
	}
	path = initramfs_build(&spec, &err);
	free(spec.modules);
	free(spec.files);
	if (!path) {
		fprintf(stderr, "lgtest: initramfs: %s\n", err);
		free(err);
		return 2;
	}
	printf("%s\n", path);
	free(path);
	return 0;
}
