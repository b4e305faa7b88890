// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/virtio_ids.h>
#include <sys/random.h>

#include "virtio_rng.h"

#define RNG_QUEUE_SIZE	64
#define PCI_CLASS_OTHER	0xff0000

static ssize_t host_random(void *buf, size_t len)
{
	return getrandom(buf, len, 0);
}

/* Fill every writable buffer; a host failure just returns fewer bytes. */
static int rng_request(struct virtio_device *vdev, struct virtio_queue *q,
		       struct virtq_chain *c, uint32_t *written,
		       struct lg_error *err)
{
	struct virtio_rng *rng = vdev->priv;
	struct iovec *in = virtq_chain_in(c);
	unsigned int i;

	(void)q;
	(void)err;
	for (i = 0; i < c->n_in; i++) {
		size_t done = 0;

		while (done < in[i].iov_len) {
			ssize_t n = rng->fill((char *)in[i].iov_base + done,
					      in[i].iov_len - done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				host_error_note(&rng->fill_err,
						n < 0 ? errno : EIO);
				*written += done;
				return 0;
			}
			done += n;
		}
		*written += done;
	}
	return 0;
}

static enum vq_result rng_process(struct virtio_device *vdev,
				  struct virtio_queue *q, struct lg_error *err)
{
	return virtio_queue_serve(vdev, q, rng_request, err);
}

const struct virtio_device_ops virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.class_code = PCI_CLASS_OTHER,
	.num_queues = 1,
	.queue_size = RNG_QUEUE_SIZE,
	.process = rng_process,
};

int virtio_rng_init(struct virtio_rng *rng, const struct virtio_host *host,
		    ssize_t (*fill)(void *buf, size_t len),
		    struct lg_error *err)
{
	host_error_init(&rng->fill_err, "virtio-rng getrandom: short fill");
	rng->fill = fill ? fill : host_random;
	return virtio_device_init(&rng->vdev, &virtio_rng_ops, rng, host, err);
}
