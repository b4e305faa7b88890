/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIO_FS_H
#define LGUEST_VIRTIO_FS_H

#include <linux/virtio_fs.h>
#include <stdbool.h>

#include "../error.h"

/*
 * virtio-fs (virtio ID 26): the guest mounts a file system by its tag,
 * and a vhost-user back-end (virtiofsd) serves its queues.  This part is
 * what the device is told on the command line and what its
 * configuration space says; both pure.
 */

#define VIRTIO_FS_TAG_MAX 36 /* sizeof(virtio_fs_config.tag) */
#define VIRTIO_FS_PATH_MAX 4096

struct virtio_fs_args {
	char where[VIRTIO_FS_PATH_MAX]; /* --fs SOCKET, --share HOSTDIR */
	char tag[VIRTIO_FS_TAG_MAX + 1];
	bool read_only; /* --share ...:ro */
};

/* --fs=SOCKET:TAG (the last ':' ends SOCKET); -1 with err naming it. */
int virtio_fs_parse_fs(const char *arg, struct virtio_fs_args *a,
		       struct lg_error *err);

/* --share=HOSTDIR:TAG[:ro]; -1 with err naming it. */
int virtio_fs_parse_share(const char *arg, struct virtio_fs_args *a,
			  struct lg_error *err);

/* The configuration the guest reads: tag NUL-padded, queue count LE. */
void virtio_fs_config(struct virtio_fs_config *cfg, const char *tag,
		      unsigned int request_queues);

#endif
