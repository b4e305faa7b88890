/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TESTS_MOCK_RING_H
#define LGUEST_TESTS_MOCK_RING_H

#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mem.h"

/*
 * The driver's side of a split virtqueue, as Linux's virtio_ring builds
 * it, in guest RAM seen through a guest_mem: the rings laid out as
 * vring_init() does, descriptors from a free list, buffers and
 * indirect tables from bump allocators.  Used by the unit tests, the
 * fuzz seed generators and the vring bench alike.  Nothing here
 * asserts: a request that does not fit makes mock_ring_add() return -1.
 */
struct mock_ring_layout {
	uint16_t num;		/* ring size, a power of two */
	uint64_t ring;		/* guest address of the descriptor table */
	unsigned long align;	/* of the used ring (vring_init()'s) */
	uint16_t first;		/* the first descriptor handed out */
	uint16_t stride;	/* then every stride-th: 1 is in order, an
				   odd one visits every entry out of order */
	uint64_t buf;		/* where buffers start */
	uint32_t gap;		/* bytes left between buffers */
	uint64_t ind;		/* where indirect tables start; 0: among
				   the buffers */
};

struct mock_ring {
	const struct guest_mem *mem;
	struct mock_ring_layout l;
	struct vring vr;	/* host pointers into guest RAM */
	uint64_t avail_gpa, used_gpa;
	uint16_t next_desc;
	uint16_t avail_idx;	/* shadow of avail->idx */
	uint64_t buf, ind;	/* the allocators' next free bytes */
};

/* One buffer of a request, as the driver sees it. */
struct mock_seg {
	uint64_t addr;
	uint32_t len;
	bool write;		/* the device writes it */
};

/* Lay out zeroed rings (Linux allocates them zeroed); -1 if they do not fit. */
int mock_ring_init(struct mock_ring *r, const struct guest_mem *mem,
		   const struct mock_ring_layout *l);

/*
 * A fresh buffer of `len` bytes, 16-aligned, holding a copy of `bytes`
 * unless that is NULL; addr 0 and len 0 when memory ran out.
 */
struct mock_seg mock_ring_buffer(struct mock_ring *r, uint32_t len,
				 bool write, const void *bytes);

/*
 * Queue a request of n segments, not yet published: the first `direct`
 * in the descriptor table, the rest in an indirect table that the next
 * table entry points to, with ind_flags added to that entry.  Returns
 * the head, or -1 when the indirect table did not fit.
 */
int mock_ring_add(struct mock_ring *r, const struct mock_seg *s,
		  unsigned int n, unsigned int direct, uint16_t ind_flags);

/* The same chain, built but not offered; its head, or -1. */
int mock_ring_chain(struct mock_ring *r, const struct mock_seg *s,
		    unsigned int n, unsigned int direct, uint16_t ind_flags);

/* Offer a chain (its head into the avail ring), not published. */
void mock_ring_offer(struct mock_ring *r, uint16_t head);

/* Publish what was added: avail->idx, with release ordering. */
void mock_ring_publish(struct mock_ring *r);

/* The used index, as a driver reads it while the device runs. */
uint16_t mock_ring_used_idx(const struct mock_ring *r);

/* Where the avail and used rings are, as a driver programs the device. */
uint64_t mock_ring_avail_gpa(const struct mock_ring *r);
uint64_t mock_ring_used_gpa(const struct mock_ring *r);

#endif
