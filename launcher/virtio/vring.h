/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VRING_H
#define LGUEST_VRING_H

#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../error.h"
#include "../guest_mem.h"

/*
 * The device side of a split virtqueue (virtio 1.x).  The seed's
 * wait_for_vq_desc() and add_used() did this job and called errx() when
 * the guest got it wrong; here every guest mistake is an error return,
 * so the device can go to NEEDS_RESET and the launcher keeps running.
 *
 * The guest writes the rings while we read them, so every field is read
 * exactly once into a local and checked there; nothing read from guest
 * memory is ever trusted twice.
 */

#define VIRTQ_MAX_SIZE	1024	/* largest queue size we accept */
#define VIRTQ_MAX_SEGS	1024	/* most segments in one chain, indirect too */

struct virtq {
	const struct guest_mem *mem;
	uint16_t size;			/* entries; a power of two */
	bool indirect;			/* VIRTIO_RING_F_INDIRECT_DESC */
	bool event_idx;			/* VIRTIO_RING_F_EVENT_IDX */
	struct vring_desc *desc;	/* host views of the three areas */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;		/* next avail entry we will take */
	uint16_t used_idx;		/* our copy of used->idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt */
	bool signalled_valid;
};

/*
 * One request: its readable segments first, then its writable ones (the
 * ring may not interleave them), as host pointers into guest memory.
 */
struct virtq_chain {
	uint16_t head;
	unsigned int n_out, n_in;	/* iov[0..n_out) readable, then n_in */
	uint64_t out_len, in_len;
	struct iovec iov[VIRTQ_MAX_SEGS];
};

static inline struct iovec *virtq_chain_in(struct virtq_chain *c)
{
	return c->iov + c->n_out;
}

/* Check the queue's geometry and map its three areas; 0 or -1. */
int virtq_setup(struct virtq *vr, const struct guest_mem *m, uint16_t size,
		uint64_t desc, uint64_t avail, uint64_t used, uint64_t features,
		struct lg_error *err);

/* Take the next request: 1 with *c filled, 0 when none, -1 on a bad ring. */
int virtq_pop(struct virtq *vr, struct virtq_chain *c, struct lg_error *err);

/*
 * Put back the request just taken, unused: for receive queues that took
 * a buffer for input that then was not there.  Only valid right after a
 * successful virtq_pop().
 */
void virtq_unpop(struct virtq *vr);

/* Return a request with `written` bytes of the writable part filled. */
int virtq_push(struct virtq *vr, uint16_t head, uint32_t written,
	       struct lg_error *err);

/* After pushes: does the guest want an interrupt now? */
bool virtq_should_interrupt(struct virtq *vr);

/*
 * Kick suppression while the device is busy.  virtq_notify_on() returns
 * true when more requests arrived meanwhile, so the caller must go on.
 */
void virtq_notify_off(struct virtq *vr);
bool virtq_notify_on(struct virtq *vr);

#endif
