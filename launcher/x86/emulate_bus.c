// SPDX-License-Identifier: GPL-2.0
/*
 * struct x86_mem_ops over guest RAM and the launcher's buses: how an
 * instruction the emulator finishes for KVM reaches memory and devices.
 */
#include <string.h>

#include "emulate_bus.h"
#include "layout.h"

#define KVM_DEVICE_MMIO_LEN 0x1000ULL

struct range {
	uint64_t base, len;
};

/* KVM's in-kernel irqchip: the IOAPIC and the local APIC's page. */
static const struct range kvm_mmio[] = {
	{ LAYOUT_IOAPIC, KVM_DEVICE_MMIO_LEN },
	{ LAYOUT_LAPIC, KVM_DEVICE_MMIO_LEN },
};

/* The PIC pair, the PIT and the ELCR, also in the kernel. */
static const struct range kvm_ports[] = {
	{ 0x20, 2 }, { 0xa0, 2 }, { 0x40, 4 }, { 0x4d0, 2 },
};

static bool hits(const struct range *r, unsigned int n, uint64_t addr,
		 unsigned int len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (addr < r[i].base + r[i].len && r[i].base < addr + len)
			return true;
	return false;
}

static int refuse(struct emu_bus *eb, const char *why)
{
	eb->refused = why;
	return -1;
}

/* Anything but RAM goes to the MMIO bus in pieces of at most 8 bytes. */
static int mmio_access(struct emu_bus *eb, uint64_t gpa, uint8_t *buf,
		       unsigned int len, bool is_write)
{
	unsigned int done, n;

	if (hits(kvm_mmio, sizeof(kvm_mmio) / sizeof(kvm_mmio[0]), gpa, len))
		return refuse(eb, "access to KVM's in-kernel IOAPIC or local APIC");
	for (done = 0; done < len; done += n) {
		n = len - done < EMU_BUS_PIECE ? len - done : EMU_BUS_PIECE;
		bus_access(eb->mmio, gpa + done, buf + done, n, is_write);
		eb->device_accesses++;
	}
	return 0;
}

static int emu_read(void *opaque, uint64_t gpa, void *buf, unsigned int len)
{
	struct emu_bus *eb = opaque;
	const void *ram = gmem_ptr(eb->mem, gpa, len);

	if (!ram)
		return mmio_access(eb, gpa, buf, len, false);
	memcpy(buf, ram, len);
	return 0;
}

/* The bus API takes a mutable buffer for both directions: copy first. */
static int emu_write(void *opaque, uint64_t gpa, const void *buf,
		     unsigned int len)
{
	struct emu_bus *eb = opaque;
	void *ram = gmem_ptr(eb->mem, gpa, len);
	uint8_t tmp[32];

	if (ram) {
		memcpy(ram, buf, len);
		return 0;
	}
	if (len > sizeof(tmp))
		return refuse(eb, "a memory access wider than 32 bytes");
	memcpy(tmp, buf, len);
	return mmio_access(eb, gpa, tmp, len, true);
}

static int port_access(struct emu_bus *eb, uint16_t port, uint8_t *buf,
		       unsigned int len, bool is_write)
{
	if (hits(kvm_ports, sizeof(kvm_ports) / sizeof(kvm_ports[0]), port,
		 len))
		return refuse(eb, "port I/O to KVM's in-kernel PIC or PIT");
	bus_access(eb->pio, port, buf, len, is_write);
	eb->device_accesses++;
	return 0;
}

static int emu_port_in(void *opaque, uint16_t port, void *buf,
		       unsigned int len)
{
	return port_access(opaque, port, buf, len, false);
}

static int emu_port_out(void *opaque, uint16_t port, const void *buf,
			unsigned int len)
{
	uint8_t tmp[4];

	if (len > sizeof(tmp))
		return refuse(opaque, "port I/O wider than 4 bytes");
	memcpy(tmp, buf, len);
	return port_access(opaque, port, tmp, len, true);
}

const struct x86_mem_ops emu_bus_ops = {
	.read = emu_read,
	.write = emu_write,
	.port_in = emu_port_in,
	.port_out = emu_port_out,
};
