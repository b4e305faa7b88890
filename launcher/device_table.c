// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio devices (device_table.h).  A new device gets its entry here
 * and is then known to the sandbox, lgtest's scripts and both runners.
 */
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <string.h>

#include "device_table.h"

const struct lg_device lg_devices[] = {
	{
		.name = "virtio-blk",
		.virtio_id = VIRTIO_ID_BLOCK,
		.role = SANDBOX_VIRTIO_BLK,
		.options = {{"block", LG_ARG_DISK, false},
			    {"block-ro", LG_ARG_DISK, true}},
		.qemu = LG_QEMU_DRIVE,
	},
	{
		.name = "virtio-rng",
		.virtio_id = VIRTIO_ID_RNG,
		.role = SANDBOX_VIRTIO_RNG,
		.options = {{"rng", LG_ARG_NONE, false}},
		.qemu = LG_QEMU_DEVICE,
		.qemu_device = "virtio-rng-pci",
	},
	{
		.name = "virtio-console",
		.virtio_id = VIRTIO_ID_CONSOLE,
		.role = SANDBOX_VIRTIO_CONSOLE,
		.options = {{"virtio-console", LG_ARG_NONE, false}},
		.qemu = LG_QEMU_CONSOLE,
		.console = true,
	},
	{
		.name = "virtio-net",
		.virtio_id = VIRTIO_ID_NET,
		.role = SANDBOX_VIRTIO_NET,
		.options = {{"tunnet", LG_ARG_WORD, false},
			    {"sharenet", LG_ARG_SOCKET, false}},
		.qemu = LG_QEMU_NONE,
		.network = true,
	},
	{
		.name = "virtio-fs",
		.virtio_id = VIRTIO_ID_FS,
		.role = SANDBOX_VIRTIO_FS,
		.options = {{"fs", LG_ARG_FS, false}},
		.qemu = LG_QEMU_FS,
	},
};

const size_t lg_devices_len = sizeof(lg_devices) / sizeof(lg_devices[0]);

const struct lg_device *lg_device_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < lg_devices_len; i++)
		if (!strcmp(lg_devices[i].name, name))
			return &lg_devices[i];
	return NULL;
}

const struct lg_device *lg_device_by_option(const char *option,
					    const struct lg_device_option **opt)
{
	size_t i, j;

	for (i = 0; i < lg_devices_len; i++)
		for (j = 0; j < LG_DEVICE_MAX_OPTIONS; j++) {
			const struct lg_device_option *o =
				&lg_devices[i].options[j];

			if (o->name && !strcmp(o->name, option)) {
				*opt = o;
				return &lg_devices[i];
			}
		}
	return NULL;
}

size_t lg_device_option_list(char *buf, size_t len)
{
	size_t i, j, n = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < lg_devices_len; i++)
		for (j = 0; j < LG_DEVICE_MAX_OPTIONS; j++) {
			const char *name = lg_devices[i].options[j].name;
			int w;

			if (!name)
				continue;
			w = snprintf(n < len ? buf + n : NULL,
				     n < len ? len - n : 0, "%s%s",
				     n ? ", " : "", name);
			n += w > 0 ? (size_t)w : 0;
		}
	return n;
}
