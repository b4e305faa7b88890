/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_BUS_H
#define LGUEST_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A bus maps address ranges (I/O ports or guest-physical MMIO) to
 * devices.  The CPU backend turns each exit into bus_access(); devices
 * never see KVM.  An access nobody claims reads as all ones and its
 * writes vanish, which is what real hardware does with an empty slot.
 */
typedef void (*bus_access_fn)(void *dev, uint64_t offset, uint8_t *data,
			      unsigned int len, bool is_write);

struct bus_range {
	uint64_t base, len;
	bus_access_fn access;
	void *dev;
	const char *name;
};

#define BUS_MAX_RANGES 64

struct bus {
	struct bus_range ranges[BUS_MAX_RANGES];
	unsigned int count;
	uint64_t unclaimed;	/* accesses that hit no device */
};

/* Returns 0, or -1 if the range is empty, overlaps another or is full. */
int bus_register(struct bus *b, uint64_t base, uint64_t len,
		 bus_access_fn access, void *dev, const char *name);

/* True when a device claimed the access. */
bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, unsigned int len,
		bool is_write);

/* The name of the device at `addr`, or NULL when nobody claims it. */
const char *bus_name(const struct bus *b, uint64_t addr);

#endif
