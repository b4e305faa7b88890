/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_PCI_H
#define LGUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A PCI bus 0 reached through configuration mechanism #1 (ports 0xCF8 and
 * 0xCFC), as the seed's last Launcher emulated it.  Each device has a
 * 256-byte configuration space and a mask of the bits the guest may
 * write; BARs are 32-bit memory BARs that we place and the guest may
 * move.  All BARs live in one MMIO window that the bus dispatches.
 */
#define PCI_CONFIG_ADDR		0xcf8
#define PCI_CONFIG_PORTS	8	/* 0xcf8..0xcff */
#define PCI_MAX_SLOTS		32
#define PCI_MAX_BARS		6

struct pci_device;

struct pci_device_ops {
	/* A BAR's MMIO, at `offset` into it. */
	void (*bar_access)(struct pci_device *d, int bar, uint64_t offset,
			   uint8_t *data, unsigned int len, bool is_write);
	/* After the guest wrote config bytes [offset, offset + len). */
	void (*config_written)(struct pci_device *d, unsigned int offset,
			       unsigned int len);
	/* A BAR's guest address changed (0: no longer decoded). */
	void (*bar_moved)(struct pci_device *d, int bar, uint64_t old_base,
			  uint64_t new_base);
};

struct pci_device {
	uint8_t cfg[256];
	uint8_t wmask[256];		/* bits the guest may change */
	uint32_t bar_size[PCI_MAX_BARS];	/* 0: BAR not implemented */
	uint64_t bar_live[PCI_MAX_BARS];	/* where it decodes now, or 0 */
	unsigned int cap_end;		/* next free byte for a capability */
	const struct pci_device_ops *ops;
	void *owner;
};

struct pci_bus {
	uint32_t address;		/* last value written to 0xCF8 */
	struct pci_device *slots[PCI_MAX_SLOTS];
	struct pci_device host_bridge;
	uint64_t next_mmio;		/* BAR allocator */
	uint64_t mmio_base, mmio_size;
};

void pci_bus_init(struct pci_bus *b, uint64_t mmio_base, uint64_t mmio_size);

/*
 * Fill the header of a new device (vendor, device, class...) and give it
 * BARs; then pci_register() puts it in the next free slot and assigns the
 * BARs addresses.  Returns the slot, or -1 when the bus is full.
 */
void pci_device_init(struct pci_device *d, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint8_t revision,
		     const struct pci_device_ops *ops, void *owner);
void pci_device_add_bar(struct pci_device *d, int bar, uint32_t size);
int pci_register(struct pci_bus *b, struct pci_device *d);

/*
 * A function reset: config space back to a copy taken when `d` was set
 * up (BAR addresses included), the device told of BARs that moved.
 */
void pci_device_restore(struct pci_device *d, const struct pci_device *was);

/* Append a capability; returns its offset in config space, 0 if full. */
unsigned int pci_add_capability(struct pci_device *d, uint8_t id,
				const void *body, unsigned int len);

/* Little-endian config space accessors, for devices and tests. */
uint32_t pci_cfg_read(const struct pci_device *d, unsigned int off,
		      unsigned int len);
void pci_cfg_set(struct pci_device *d, unsigned int off, unsigned int len,
		 uint32_t v);

/* Bus callbacks: configuration ports, and the BAR window. */
void pci_config_io(void *bus, uint64_t offset, uint8_t *data, unsigned int len,
		   bool is_write);
void pci_mmio_io(void *bus, uint64_t offset, uint8_t *data, unsigned int len,
		 bool is_write);

#endif
