// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "bus.h"
#include "guest_mem.h"

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len,
		 bus_access_fn access, void *dev, const char *name)
{
	unsigned int i;

	if (len == 0 || !range_within(base, len, UINT64_MAX) ||
	    b->count == BUS_MAX_RANGES)
		return -1;
	for (i = 0; i < b->count; i++)
		if (ranges_overlap(base, len, b->ranges[i].base,
				   b->ranges[i].len))
			return -1;
	b->ranges[b->count++] = (struct bus_range){ base, len, access, dev,
						     name };
	return 0;
}

/*
 * A linear scan: there are a handful of devices, and the hot ones (the
 * UART, virtio notify) are registered first.  An access must lie wholly
 * within one device's range.
 */
static const struct bus_range *bus_find(const struct bus *b, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < b->count; i++)
		if (addr >= b->ranges[i].base &&
		    addr - b->ranges[i].base < b->ranges[i].len)
			return &b->ranges[i];
	return NULL;
}

const char *bus_name(const struct bus *b, uint64_t addr)
{
	const struct bus_range *r = bus_find(b, addr);

	return r ? r->name : NULL;
}

bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, unsigned int len,
		bool is_write)
{
	const struct bus_range *r = bus_find(b, addr);

	if (r && len <= r->len - (addr - r->base)) {
		r->access(r->dev, addr - r->base, data, len, is_write);
		return true;
	}
	b->unclaimed++;
	if (!is_write)
		memset(data, 0xff, len);
	return false;
}
