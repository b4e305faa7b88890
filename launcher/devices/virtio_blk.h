/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIO_BLK_H
#define LGUEST_VIRTIO_BLK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../virtio/device.h"
#include "host_error.h"

/*
 * virtio-blk over a host file (or block device).  The guest can read and
 * write whole sectors inside the file's size and nothing else: a request
 * that reaches past the end fails with an I/O error and the file is not
 * touched, and nothing the guest does can grow or shrink it.
 */
#define VIRTIO_BLK_ID_LEN 20

struct virtio_blk {
	struct virtio_device vdev;
	int fd;
	bool read_only;
	uint64_t sectors;		/* capacity, in 512-byte sectors */
	char id[VIRTIO_BLK_ID_LEN];
	struct host_error read_err, write_err, flush_err; /* counted, warned */
};

extern const struct virtio_device_ops virtio_blk_ops;

/*
 * Open (and lock) `path` and put the device on the bus.  Errors name the
 * file; the launcher exits on them, since they are set-up errors.
 */
int virtio_blk_init(struct virtio_blk *blk, const char *path, bool read_only,
		    const struct virtio_host *host, struct lg_error *err);

/* For tests: a device over an already open file descriptor. */
int virtio_blk_init_fd(struct virtio_blk *blk, int fd, uint64_t bytes,
		       bool read_only, const char *id,
		       const struct virtio_host *host, struct lg_error *err);

#endif
