// SPDX-License-Identifier: GPL-2.0
#include "guest_mem.h"

void gmem_init(struct guest_mem *m, void *host, uint64_t size,
	       uint64_t low_limit)
{
	m->host = host;
	m->size = size;
	m->low_size = size < low_limit ? size : low_limit;
}

/*
 * The host mapping is contiguous but guest RAM is split around the PCI
 * hole, so a range must lie wholly inside one of the two pieces: a range
 * that runs off the end of low RAM into the hole is not RAM.
 */
void *gmem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t high_size = m->size - m->low_size;

	if (range_within(gpa, len, m->low_size))
		return m->host + gpa;
	if (gpa >= GMEM_HIGH_BASE &&
	    range_within(gpa - GMEM_HIGH_BASE, len, high_size))
		return m->host + m->low_size + (gpa - GMEM_HIGH_BASE);
	return NULL;
}

unsigned int gmem_regions(const struct guest_mem *m,
			  struct gmem_region r[GMEM_MAX_REGIONS])
{
	r[0] = (struct gmem_region){0, m->low_size, 0};
	if (m->size == m->low_size)
		return 1;
	r[1] = (struct gmem_region){GMEM_HIGH_BASE, m->size - m->low_size,
				    m->low_size};
	return 2;
}
