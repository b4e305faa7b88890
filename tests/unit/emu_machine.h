/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TEST_EMU_MACHINE_H
#define LGUEST_TEST_EMU_MACHINE_H

/*
 * The emulator's world as bin/lguest builds it, without KVM: guest RAM
 * from physical 0, the platform ports (exit, i8042, POST, RTC) on the
 * port bus, the --testdev page on the MMIO bus, and the emu_bus adapter
 * over them.  For the unit tests and bench/emulate_bench.c.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/rtc.h"
#include "devices/testdev.h"
#include "x86/emulate_bus.h"
#include "x86/layout.h"
#include "x86/ports.h"

struct emu_machine {
	uint8_t *ram;
	struct guest_mem mem;
	struct bus pio, mmio;
	struct vm_stop stop;
	struct rtc rtc;
	struct testdev td;
	struct emu_bus eb;
};

/* Returns 0, or -1 when out of memory or a device will not register. */
static inline int emu_machine_init(struct emu_machine *m, uint64_t ram_size)
{
	memset(m, 0, sizeof(*m));
	m->ram = calloc(1, ram_size);
	if (!m->ram)
		return -1;
	gmem_init(&m->mem, m->ram, ram_size, LAYOUT_LOW_RAM_LIMIT);
	rtc_init(&m->rtc);
	if (x86_ports_register(&m->pio, &m->stop, &m->rtc) ||
	    testdev_register(&m->td, &m->mmio))
		return -1;
	m->eb = (struct emu_bus){ .mem = &m->mem, .pio = &m->pio,
				  .mmio = &m->mmio };
	return 0;
}

static inline void emu_machine_free(struct emu_machine *m)
{
	free(m->ram);
	m->ram = NULL;
}

#endif
