/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_GUEST_MEM_H
#define LGUEST_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A view of guest-physical memory as the host sees it.  Everything that
 * parses guest-controlled bytes takes one of these instead of a raw pointer,
 * so the only way to touch guest memory is through gmem_ptr(), which checks
 * the whole range.  Guest RAM is one contiguous host mapping; when the guest
 * has more than fits below the PCI hole, the rest appears at 4 GiB.
 */
struct guest_mem {
	uint8_t *host;     /* host address of guest-physical 0 */
	uint64_t size;     /* bytes of guest RAM in total */
	uint64_t low_size; /* bytes mapped at [0, low_size); rest at 4 GiB */
};

#define GMEM_HIGH_BASE 0x100000000ULL

void gmem_init(struct guest_mem *m, void *host, uint64_t size,
	       uint64_t low_limit);

/*
 * The pieces of guest RAM as guest-physical ranges and their offsets in
 * the host mapping (so in a memfd mapped there): what a vhost-user
 * back-end's memory table lists.  Returns how many (1 or 2).
 */
struct gmem_region {
	uint64_t gpa, size, offset;
};

#define GMEM_MAX_REGIONS 2

unsigned int gmem_regions(const struct guest_mem *m,
			  struct gmem_region r[GMEM_MAX_REGIONS]);

/* Host pointer for [gpa, gpa + len) when all of it is RAM, else NULL. */
void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

static inline bool gmem_range_ok(const struct guest_mem *m, uint64_t gpa,
				 uint64_t len)
{
	return gmem_ptr(m, gpa, len) != NULL;
}

/* Overflow-safe "a + b <= limit". */
static inline bool range_within(uint64_t a, uint64_t b, uint64_t limit)
{
	return a <= limit && b <= limit - a;
}

/* a must be a power of two. */
static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static inline uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

#endif
