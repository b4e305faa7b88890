// SPDX-License-Identifier: GPL-2.0
#include <linux/fuse.h>
#include <stdbool.h>

#include "../virtio/iov.h"
#include "fuse_error.h"

/* Do n segments hold len bytes?  (Not trusting the chain's totals.) */
static bool holds(const struct iovec *iov, unsigned int n, size_t len)
{
	size_t have = 0;
	unsigned int i;

	for (i = 0; i < n && i < VIRTQ_MAX_SEGS && have < len; i++)
		have += iov[i].iov_len < len ? iov[i].iov_len : len;
	return have >= len;
}

uint32_t fuse_error_reply(const struct virtq_chain *c, int32_t error)
{
	struct fuse_in_header in;
	struct fuse_out_header out;

	if (c->n_out > VIRTQ_MAX_SEGS || c->n_in > VIRTQ_MAX_SEGS - c->n_out ||
	    !holds(c->iov, c->n_out, sizeof(in)) ||
	    !holds(c->iov + c->n_out, c->n_in, sizeof(out)))
		return 0;
	if (iov_to_buf(c->iov, c->n_out, 0, &in, sizeof(in)) != sizeof(in))
		return 0;
	out = (struct fuse_out_header){
		.len = sizeof(out),
		.error = error,
		.unique = in.unique,
	};
	if (iov_from_buf(c->iov + c->n_out, c->n_in, 0, &out, sizeof(out)) !=
	    sizeof(out))
		return 0;
	return sizeof(out);
}

/*
 * virtq_pop() takes nothing when it refuses a chain; here the chain's
 * head is taken all the same (when the available ring names a real
 * descriptor) and given back empty, as a request that failed.
 */
int fuse_error_serve(struct virtq *vr, struct virtq_chain *c, int32_t error,
		     struct lg_error *err)
{
	struct lg_error why;
	uint16_t pending, head;
	int r;

	pending = __atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE) -
		  vr->last_avail;
	if (pending == 0)
		return 0;
	if (pending > vr->size)
		return lg_fail(err,
			       "available index jumped from %u by %u, more "
			       "than the queue's %u entries",
			       vr->last_avail, pending, vr->size);
	r = virtq_pop(vr, c, &why);
	if (r == 0) /* the driver took its index back meanwhile */
		return 0;
	if (r > 0)
		return virtq_push(vr, c->head, fuse_error_reply(c, error), err)
			       ? -1
			       : 1;
	head = __atomic_load_n(
		&vr->avail->ring[vr->last_avail & (vr->size - 1)],
		__ATOMIC_RELAXED);
	if (head >= vr->size)
		return lg_fail(err, "%s", why.msg);
	vr->last_avail++;
	return virtq_push(vr, head, 0, err) ? -1 : 1;
}
