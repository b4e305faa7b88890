/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_EMULATE_BUS_H
#define LGUEST_X86_EMULATE_BUS_H

#include "../bus.h"
#include "../guest_mem.h"
#include "emulate.h"

/*
 * The emulator's memory and ports, as the launcher has them: guest RAM
 * through its guest_mem view, everything else through the MMIO and port
 * buses, so an emulated access meets the very devices (and the same
 * all-ones for an empty slot) a KVM exit would.  Devices take at most 8
 * bytes at a time, as from KVM, so wider accesses arrive in 8-byte pieces.
 *
 * What KVM itself implements (the IOAPIC, the local APIC, the PIC, PIT
 * and ELCR ports) cannot be reached from here; an emulated access there
 * fails with `refused` saying so instead of silently going nowhere.
 */
struct emu_bus {
	const struct guest_mem *mem;
	struct bus *pio, *mmio;
	const char *refused;	/* set when an access was refused */
	uint64_t device_accesses;	/* bus accesses made, for tests */
};

#define EMU_BUS_PIECE 8		/* the widest access a device sees */

extern const struct x86_mem_ops emu_bus_ops;

#endif
