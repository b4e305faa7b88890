// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "mock_ring.h"

static void *host(const struct mock_ring *r, uint64_t gpa, uint64_t len)
{
	return gmem_ptr(r->mem, gpa, len);
}

/*
 * vring_init()'s layout computed on guest addresses, not host ones: the
 * used ring's alignment is the guest's, wherever the host buffer sits.
 */
int mock_ring_init(struct mock_ring *r, const struct guest_mem *mem,
		   const struct mock_ring_layout *l)
{
	uint64_t avail = l->ring + 16ULL * l->num;
	uint64_t used = align_up(avail + 6 + 2ULL * l->num, l->align);
	uint8_t *p;

	memset(r, 0, sizeof(*r));
	r->mem = mem;
	r->l = *l;
	if (!l->num || (l->num & (l->num - 1)))
		return -1;
	p = host(r, l->ring, used + 6 + 8ULL * l->num - l->ring);
	if (!p)
		return -1;
	memset(p, 0, used + 6 + 8ULL * l->num - l->ring);
	r->vr.num = l->num;
	r->vr.desc = (void *)p;
	r->vr.avail = (void *)(p + (avail - l->ring));
	r->vr.used = (void *)(p + (used - l->ring));
	r->avail_gpa = avail;
	r->used_gpa = used;
	r->next_desc = l->first & (l->num - 1);
	r->buf = l->buf;
	r->ind = l->ind;
	return 0;
}

uint64_t mock_ring_avail_gpa(const struct mock_ring *r)
{
	return r->avail_gpa;
}

uint64_t mock_ring_used_gpa(const struct mock_ring *r)
{
	return r->used_gpa;
}

/* 16-aligned bytes from a bump allocator, or 0 when memory ran out. */
static uint64_t bump(struct mock_ring *r, uint64_t *next, uint32_t len,
		     uint32_t gap)
{
	uint64_t at = align_up(*next, 16);

	if (!host(r, at, (uint64_t)len + gap))
		return 0;
	*next = at + len + gap;
	return at;
}

struct mock_seg mock_ring_buffer(struct mock_ring *r, uint32_t len,
				 bool write, const void *bytes)
{
	uint64_t at = bump(r, &r->buf, len, r->l.gap);

	if (!at)
		return (struct mock_seg){ 0, 0, write };
	if (bytes)
		memcpy(host(r, at, len), bytes, len);
	return (struct mock_seg){ at, len, write };
}

static uint16_t next_desc(struct mock_ring *r)
{
	uint16_t i = r->next_desc;

	r->next_desc = (i + r->l.stride) & (r->vr.num - 1);
	return i;
}

static struct vring_desc desc_of(const struct mock_seg *s, bool more,
				 uint16_t next)
{
	return (struct vring_desc){
		.addr = s->addr, .len = s->len,
		.flags = (more ? VRING_DESC_F_NEXT : 0) |
			 (s->write ? VRING_DESC_F_WRITE : 0),
		.next = more ? next : 0 };
}

int mock_ring_chain(struct mock_ring *r, const struct mock_seg *s,
		    unsigned int n, unsigned int direct, uint16_t ind_flags)
{
	uint16_t head = next_desc(r), cur = head, next;
	uint32_t len = (n - direct) * sizeof(struct vring_desc);
	uint64_t table = 0;
	unsigned int i;

	if (direct < n) {
		table = r->l.ind ? bump(r, &r->ind, len, 0) :
				   bump(r, &r->buf, len, r->l.gap);
		if (!table)
			return -1;
	}
	for (i = 0; i < direct; i++) {
		next = i + 1 < n ? next_desc(r) : 0;
		r->vr.desc[cur] = desc_of(&s[i], i + 1 < n, next);
		cur = next;
	}
	if (direct < n) {
		struct vring_desc *t = host(r, table, len);

		for (i = direct; i < n; i++)
			t[i - direct] =
				desc_of(&s[i], i + 1 < n, i - direct + 1);
		r->vr.desc[cur] = (struct vring_desc){
			.addr = table, .len = len,
			.flags = VRING_DESC_F_INDIRECT | ind_flags };
	}
	return head;
}

int mock_ring_add(struct mock_ring *r, const struct mock_seg *s,
		  unsigned int n, unsigned int direct, uint16_t ind_flags)
{
	int head = mock_ring_chain(r, s, n, direct, ind_flags);

	if (head >= 0)
		mock_ring_offer(r, head);
	return head;
}

void mock_ring_offer(struct mock_ring *r, uint16_t head)
{
	r->vr.avail->ring[r->avail_idx++ & (r->vr.num - 1)] = head;
}

void mock_ring_publish(struct mock_ring *r)
{
	__atomic_store_n(&r->vr.avail->idx, r->avail_idx, __ATOMIC_RELEASE);
}

uint16_t mock_ring_used_idx(const struct mock_ring *r)
{
	return __atomic_load_n(&r->vr.used->idx, __ATOMIC_ACQUIRE);
}
