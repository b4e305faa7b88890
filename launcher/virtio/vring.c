// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "vring.h"

/* Bits of struct vring_desc's flags, and the feature bits we act on. */
#define F_NEXT		VRING_DESC_F_NEXT
#define F_WRITE		VRING_DESC_F_WRITE
#define F_INDIRECT	VRING_DESC_F_INDIRECT

static uint16_t load16(const volatile uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static uint16_t load16_acquire(const volatile uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store16(volatile uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void store16_release(volatile uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* A descriptor, copied once out of guest memory. */
static struct vring_desc read_desc(const struct vring_desc *table,
				   unsigned int i)
{
	struct vring_desc d;

	memcpy(&d, (const void *)&table[i], sizeof(d));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return d;
}

static void *area(const struct guest_mem *m, uint64_t gpa, uint64_t len,
		  uint64_t align, const char *what, struct lg_error *err)
{
	void *p;

	if (gpa % align) {
		lg_fail(err, "%s at %#llx is not %llu-byte aligned", what,
			(unsigned long long)gpa, (unsigned long long)align);
		return NULL;
	}
	p = gmem_ptr(m, gpa, len);
	if (!p)
		lg_fail(err, "%s (%llu bytes at %#llx) is outside guest memory",
			what, (unsigned long long)len,
			(unsigned long long)gpa);
	return p;
}

int virtq_setup(struct virtq *vr, const struct guest_mem *m, uint16_t size,
		uint64_t desc, uint64_t avail, uint64_t used, uint64_t features,
		struct lg_error *err)
{
	memset(vr, 0, sizeof(*vr));
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return lg_fail(err, "queue size %u is not a power of two up to %d",
			       size, VIRTQ_MAX_SIZE);
	vr->mem = m;
	vr->size = size;
	vr->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vr->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	/* Each area includes the trailing event index, used or not. */
	vr->desc = area(m, desc, 16ULL * size, 16, "descriptor table", err);
	if (!vr->desc)
		return -1;
	vr->avail = area(m, avail, 6 + 2ULL * size, 2, "available ring", err);
	if (!vr->avail)
		return -1;
	vr->used = area(m, used, 6 + 8ULL * size, 4, "used ring", err);
	return vr->used ? 0 : -1;
}

/* Append one buffer to the chain, enforcing readable-before-writable. */
static int add_segment(const struct virtq *vr, struct virtq_chain *c,
		       const struct vring_desc *d, struct lg_error *err)
{
	bool writable = d->flags & F_WRITE;
	void *p;

	if (!writable && c->n_in)
		return lg_fail(err, "chain %u: readable descriptor after a writable one",
			       c->head);
	if (c->n_out + c->n_in == VIRTQ_MAX_SEGS)
		return lg_fail(err, "chain %u is longer than %d descriptors",
			       c->head, VIRTQ_MAX_SEGS);
	p = gmem_ptr(vr->mem, d->addr, d->len);
	if (!p)
		return lg_fail(err, "chain %u: buffer of %u bytes at %#llx is outside guest memory",
			       c->head, d->len, (unsigned long long)d->addr);
	if (c->out_len + c->in_len + d->len > UINT32_MAX)
		return lg_fail(err, "chain %u: lengths add up to 4 GiB or more",
			       c->head);
	c->iov[c->n_out + c->n_in] = (struct iovec){ p, d->len };
	if (writable) {
		c->n_in++;
		c->in_len += d->len;
	} else {
		c->n_out++;
		c->out_len += d->len;
	}
	return 0;
}

static int walk_indirect_table(const struct virtq *vr, struct virtq_chain *c,
			       const struct vring_desc *d,
			       struct lg_error *err);

/*
 * Follow `next` links through a table of `n` descriptors from `i`.  A
 * chain can visit each descriptor at most once, so more than n hops means
 * a loop.  An indirect descriptor ends the chain: its table is walked by
 * the same code, where a further indirect descriptor is refused.
 */
static int walk(const struct virtq *vr, struct virtq_chain *c,
		const struct vring_desc *table, unsigned int n, unsigned int i,
		bool nested, struct lg_error *err)
{
	unsigned int hops;

	for (hops = 0; hops < n; hops++) {
		struct vring_desc d = read_desc(table, i);

		if (d.flags & F_INDIRECT)
			return nested ? lg_fail(err, "chain %u: indirect table inside an indirect table",
						c->head) :
					walk_indirect_table(vr, c, &d, err);
		if (add_segment(vr, c, &d, err))
			return -1;
		if (!(d.flags & F_NEXT))
			return 0;
		if (d.next >= n)
			return lg_fail(err, "chain %u: next index %u is past the table's %u entries",
				       c->head, d.next, n);
		i = d.next;
	}
	return lg_fail(err, "chain %u loops (more than %u descriptors)",
		       c->head, n);
}

/* An indirect descriptor: a table of descriptors in a guest buffer. */
static int walk_indirect_table(const struct virtq *vr, struct virtq_chain *c,
			       const struct vring_desc *d,
			       struct lg_error *err)
{
	const struct vring_desc *table;
	unsigned int n = d->len / sizeof(struct vring_desc);

	if (!vr->indirect)
		return lg_fail(err, "chain %u: indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC",
			       c->head);
	if (d->flags & F_NEXT)
		return lg_fail(err, "chain %u: indirect descriptor also has NEXT set",
			       c->head);
	if (d->len == 0 || d->len % sizeof(struct vring_desc) ||
	    n > VIRTQ_MAX_SEGS)
		return lg_fail(err, "chain %u: indirect table of %u bytes is not 1..%d descriptors",
			       c->head, d->len, VIRTQ_MAX_SEGS);
	table = area(vr->mem, d->addr, d->len, 1, "indirect table", err);
	if (!table)
		return -1;
	return walk(vr, c, table, n, 0, true, err);
}

int virtq_pop(struct virtq *vr, struct virtq_chain *c, struct lg_error *err)
{
	uint16_t avail_idx = load16_acquire(&vr->avail->idx);
	uint16_t pending = avail_idx - vr->last_avail;
	uint16_t head;

	if (pending == 0)
		return 0;
	if (pending > vr->size)
		return lg_fail(err, "available index jumped from %u to %u, more than the queue's %u entries",
			       vr->last_avail, avail_idx, vr->size);
	head = load16(&vr->avail->ring[vr->last_avail & (vr->size - 1)]);
	if (head >= vr->size)
		return lg_fail(err, "available ring entry %u names descriptor %u of %u",
			       vr->last_avail, head, vr->size);
	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_len = c->in_len = 0;
	if (walk(vr, c, vr->desc, vr->size, head, false, err))
		return -1;
	vr->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *vr)
{
	vr->last_avail--;
}

/*
 * The used element must be visible before the index that publishes it,
 * hence the release store.  A device can only return what it took: the
 * used index never passes the available requests we consumed.
 */
int virtq_push(struct virtq *vr, uint16_t head, uint32_t written,
	       struct lg_error *err)
{
	struct vring_used_elem *e;

	if ((uint16_t)(vr->last_avail - vr->used_idx) == 0)
		return lg_fail(err, "device returned request %u that it never took",
			       head);
	e = &vr->used->ring[vr->used_idx & (vr->size - 1)];
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, written, __ATOMIC_RELAXED);
	vr->used_idx++;
	store16_release(&vr->used->idx, vr->used_idx);
	return 0;
}

/* used_event sits after the avail ring; avail_event after the used ring. */
static volatile uint16_t *used_event(const struct virtq *vr)
{
	return &vr->avail->ring[vr->size];
}

static volatile uint16_t *avail_event(const struct virtq *vr)
{
	return (volatile uint16_t *)&vr->used->ring[vr->size];
}

/*
 * The full barrier orders our used->idx store before reading the guest's
 * suppression state; without it we could miss the guest re-enabling
 * interrupts and both sides would wait forever.
 */
bool virtq_should_interrupt(struct virtq *vr)
{
	uint16_t old = vr->signalled_used, now = vr->used_idx, event;
	bool valid = vr->signalled_valid;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vr->event_idx)
		return !(load16(&vr->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	vr->signalled_used = now;
	vr->signalled_valid = true;
	if (!valid)
		return true;
	event = load16(used_event(vr));
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

void virtq_notify_off(struct virtq *vr)
{
	if (!vr->event_idx)
		store16(&vr->used->flags, VRING_USED_F_NO_NOTIFY);
}

/* Ask for kicks again, then look once more for work that slipped in. */
bool virtq_notify_on(struct virtq *vr)
{
	if (vr->event_idx)
		store16(avail_event(vr), vr->last_avail);
	else
		store16(&vr->used->flags, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16(&vr->avail->idx) != vr->last_avail;
}
