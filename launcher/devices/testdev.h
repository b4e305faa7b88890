/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TESTDEV_H
#define LGUEST_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus.h"

/*
 * The test device (--testdev): a page of scratch MMIO at LAYOUT_TESTDEV
 * that reads back whatever was written, byte for byte, at any width.  It
 * is memory KVM does not back, so every access to it is an MMIO exit;
 * test guests aim instructions at it that KVM cannot emulate and check
 * that the launcher's emulator moved the right bytes.
 */
#define TESTDEV_SIZE 0x1000

struct testdev {
	uint8_t mem[TESTDEV_SIZE];
};

void testdev_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		bool is_write);
/* Zero it and put it on the bus at LAYOUT_TESTDEV; -1 if that is taken. */
int testdev_register(struct testdev *t, struct bus *mmio);

#endif
