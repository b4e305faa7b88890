// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "../x86/layout.h"
#include "testdev.h"

/* The bus only passes accesses that lie inside the page. */
void testdev_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		bool is_write)
{
	struct testdev *t = dev;

	if (is_write)
		memcpy(t->mem + offset, data, len);
	else
		memcpy(data, t->mem + offset, len);
}

/* Starts zeroed, so a guest can tell a write that never arrived. */
int testdev_register(struct testdev *t, struct bus *mmio)
{
	memset(t, 0, sizeof(*t));
	return bus_register(mmio, LAYOUT_TESTDEV, TESTDEV_SIZE, testdev_io, t,
			    "testdev");
}
