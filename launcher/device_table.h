/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_DEVICE_TABLE_H
#define LGUEST_DEVICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

/*
 * The virtio devices, one entry each: what the launcher, its sandbox and
 * the harness's runners need to know of a device, said once.  The
 * launcher's option is also lgtest's `device` kind (`device block F` is
 * `--block=F`).  Pure data, shared by bin/lguest and bin/lgtest.
 */

/* What an option takes after its '='. */
enum lg_device_arg {
	LG_ARG_NONE, /* --rng */
	LG_ARG_WORD, /* --tunnet=IP[:MAC] */
	LG_ARG_DISK, /* --block=FILE: a file the guest reads (and writes) */
	LG_ARG_SOCKET, /* --sharenet=PATH: a unix socket, made if need be */
	LG_ARG_FS, /* --fs=SOCKET:TAG: a vhost-user back-end's socket */
};

/* How the qemu runner gives QEMU the same device. */
enum lg_qemu_map {
	LG_QEMU_NONE, /* not available there */
	LG_QEMU_DRIVE, /* -drive file=F,format=raw,if=virtio[,readonly=on] */
	LG_QEMU_DEVICE, /* -device qemu_device */
	LG_QEMU_CONSOLE, /* a virtconsole on stdio (runner_qemu.c) */
	LG_QEMU_FS, /* vhost-user-fs-pci on a chardev (share_runners.c) */
};

struct lg_device_option {
	const char *name; /* --NAME; lgtest's `device NAME` */
	enum lg_device_arg arg;
	bool read_only; /* the guest may not write the disk */
};

#define LG_DEVICE_MAX_OPTIONS 2

struct lg_device {
	const char *name; /* "virtio-blk": its virtio_device_ops name */
	uint16_t virtio_id; /* PCI 1af4:(0x1040 + virtio_id) */
	enum sandbox_role role; /* what its queue threads may do */
	struct lg_device_option options[LG_DEVICE_MAX_OPTIONS];
	enum lg_qemu_map qemu;
	const char *qemu_device; /* for LG_QEMU_DEVICE */
	bool network; /* needs the host's network (not in the nested host) */
	bool console; /* takes the keyboard (stdin) from the serial port */
};

extern const struct lg_device lg_devices[];
extern const size_t lg_devices_len;

/* The device called `name` ("virtio-net"); NULL if none. */
const struct lg_device *lg_device_by_name(const char *name);

/*
 * The device whose option (lgtest kind) is `option` ("block-ro"), and
 * that option in *opt; NULL if none.
 */
const struct lg_device *
lg_device_by_option(const char *option, const struct lg_device_option **opt);

/* Every option, ", "-separated, into buf (for messages); its length. */
size_t lg_device_option_list(char *buf, size_t len);

#endif
