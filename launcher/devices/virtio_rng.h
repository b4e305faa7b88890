/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIO_RNG_H
#define LGUEST_VIRTIO_RNG_H

#include "../virtio/device.h"
#include "host_error.h"

/*
 * virtio-rng: one queue of guest-writable buffers that we fill from the
 * host's getrandom(), which is what /dev/hwrng in the guest reads.
 */
struct virtio_rng {
	struct virtio_device vdev;
	struct host_error fill_err;		/* failed fills, counted */
	ssize_t (*fill)(void *buf, size_t len);	/* getrandom; tests fake it */
};

extern const struct virtio_device_ops virtio_rng_ops;

/* `fill` is NULL for the host's getrandom(), or a test's stand-in. */
int virtio_rng_init(struct virtio_rng *rng, const struct virtio_host *host,
		    ssize_t (*fill)(void *buf, size_t len),
		    struct lg_error *err);

#endif
