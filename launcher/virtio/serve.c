// SPDX-License-Identifier: GPL-2.0
#include "device.h"

/*
 * Kicks stay off while we work, and after turning them back on we look
 * once more: a request the guest added in between would otherwise wait
 * for a kick it never sends.
 */
enum vq_result virtio_queue_serve(struct virtio_device *vdev,
				  struct virtio_queue *q, virtio_request_fn fn,
				  struct lg_error *err)
{
	do {
		bool returned = false;
		int r;

		virtq_notify_off(&q->ring);
		while ((r = virtq_pop(&q->ring, q->chain, err)) > 0) {
			uint32_t written = 0;

			if (fn(vdev, q, q->chain, &written, err) ||
			    virtq_push(&q->ring, q->chain->head, written, err))
				return VQ_BROKEN;
			returned = true;
		}
		if (r < 0)
			return VQ_BROKEN;
		if (returned && virtq_should_interrupt(&q->ring))
			virtio_queue_interrupt(q);
	} while (virtq_notify_on(&q->ring));
	return VQ_IDLE;
}
