// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space.  The guest finds devices by reading vendor IDs
 * through 0xCF8/0xCFC, sizes BARs by writing all ones and reading back
 * the mask, and enables decoding through the command register; writes
 * touch only the bits the device's wmask allows, so nothing the guest
 * does can corrupt the read-only parts of the header.
 */
#include <linux/pci_regs.h>
#include <string.h>

#include "guest_mem.h"
#include "pci.h"

#define CFG_ENABLE		0x80000000U
#define CFG_BUS(a)		(((a) >> 16) & 0xff)
#define CFG_SLOT(a)		(((a) >> 11) & 0x1f)
#define CFG_FUNC(a)		(((a) >> 8) & 0x7)
#define CFG_REG(a)		((a) & 0xfc)
#define HOST_BRIDGE_CLASS	0x060000
#define FIRST_CAP		0x40

static void put_le(uint8_t *buf, unsigned int off, unsigned int len,
		   uint32_t v)
{
	memcpy(buf + off, &v, len);
}

uint32_t pci_cfg_read(const struct pci_device *d, unsigned int off,
		      unsigned int len)
{
	uint32_t v = 0;

	memcpy(&v, d->cfg + off, len);
	return v;
}

void pci_cfg_set(struct pci_device *d, unsigned int off, unsigned int len,
		 uint32_t v)
{
	put_le(d->cfg, off, len, v);
}

void pci_device_init(struct pci_device *d, uint16_t vendor, uint16_t device,
		     uint32_t class_code, uint8_t revision,
		     const struct pci_device_ops *ops, void *owner)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->owner = owner;
	d->cap_end = FIRST_CAP;
	pci_cfg_set(d, PCI_VENDOR_ID, 2, vendor);
	pci_cfg_set(d, PCI_DEVICE_ID, 2, device);
	pci_cfg_set(d, PCI_CLASS_REVISION, 4, class_code << 8 | revision);
	pci_cfg_set(d, PCI_SUBSYSTEM_VENDOR_ID, 2, vendor);
	pci_cfg_set(d, PCI_SUBSYSTEM_ID, 2, device);
	put_le(d->wmask, PCI_COMMAND, 2,
	       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		       PCI_COMMAND_INTX_DISABLE);
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

void pci_device_add_bar(struct pci_device *d, int bar, uint32_t size)
{
	d->bar_size[bar] = size;
	put_le(d->wmask, PCI_BASE_ADDRESS_0 + 4 * bar, 4, ~(size - 1));
}

/*
 * Capabilities are laid end to end from 0x40, each linked from the one
 * before.  `body` is the whole capability; its first two bytes (ID and
 * next pointer) are ours to fill.
 */
unsigned int pci_add_capability(struct pci_device *d, uint8_t id,
				const void *body, unsigned int len)
{
	unsigned int off = d->cap_end, prev;

	if (len < 2 || off + len > sizeof(d->cfg))
		return 0;
	memcpy(d->cfg + off, body, len);
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (!d->cfg[PCI_CAPABILITY_LIST]) {
		d->cfg[PCI_CAPABILITY_LIST] = off;
	} else {
		for (prev = d->cfg[PCI_CAPABILITY_LIST]; d->cfg[prev + 1];
		     prev = d->cfg[prev + 1])
			;
		d->cfg[prev + 1] = off;
	}
	pci_cfg_set(d, PCI_STATUS, 2,
		    pci_cfg_read(d, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	d->cap_end = (off + len + 3) & ~3U;
	return off;
}

void pci_bus_init(struct pci_bus *b, uint64_t mmio_base, uint64_t mmio_size)
{
	memset(b, 0, sizeof(*b));
	b->mmio_base = b->next_mmio = mmio_base;
	b->mmio_size = mmio_size;
	/* Linux's type-1 probe looks for a host bridge on bus 0. */
	pci_device_init(&b->host_bridge, 0x1b36, 0x0008, HOST_BRIDGE_CLASS, 0,
			NULL, NULL);
	b->slots[0] = &b->host_bridge;
}

/* Where a BAR decodes now: nowhere unless memory decoding is on. */
static uint64_t bar_decode_address(const struct pci_device *d, int bar)
{
	uint32_t base = pci_cfg_read(d, PCI_BASE_ADDRESS_0 + 4 * bar, 4);

	if (!d->bar_size[bar] ||
	    !(pci_cfg_read(d, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
		return 0;
	return base & PCI_BASE_ADDRESS_MEM_MASK;
}

/* Tell the device about every BAR whose decoded address changed. */
static void update_bars(struct pci_device *d)
{
	int bar;

	for (bar = 0; bar < PCI_MAX_BARS; bar++) {
		uint64_t now = bar_decode_address(d, bar);

		if (now == d->bar_live[bar])
			continue;
		if (d->ops && d->ops->bar_moved)
			d->ops->bar_moved(d, bar, d->bar_live[bar], now);
		d->bar_live[bar] = now;
	}
}

void pci_device_restore(struct pci_device *d, const struct pci_device *was)
{
	memcpy(d->cfg, was->cfg, sizeof(d->cfg));
	update_bars(d);
}

int pci_register(struct pci_bus *b, struct pci_device *d)
{
	int slot, bar;

	for (slot = 1; slot < PCI_MAX_SLOTS && b->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS)
		return -1;
	for (bar = 0; bar < PCI_MAX_BARS; bar++) {
		uint64_t at;

		if (!d->bar_size[bar])
			continue;
		at = align_up(b->next_mmio, d->bar_size[bar]);
		if (!range_within(at - b->mmio_base, d->bar_size[bar],
				  b->mmio_size))
			return -1;
		pci_cfg_set(d, PCI_BASE_ADDRESS_0 + 4 * bar, 4, at);
		b->next_mmio = at + d->bar_size[bar];
	}
	b->slots[slot] = d;
	return slot;
}

static struct pci_device *addressed_device(const struct pci_bus *b)
{
	if (!(b->address & CFG_ENABLE) || CFG_BUS(b->address) ||
	    CFG_FUNC(b->address))
		return NULL;
	return b->slots[CFG_SLOT(b->address)];
}

/* Apply a guest write through the mask, then let the device react. */
static void config_write(struct pci_device *d, unsigned int off,
			 const uint8_t *data, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		d->cfg[off + i] = (d->cfg[off + i] & ~d->wmask[off + i]) |
				  (data[i] & d->wmask[off + i]);
	update_bars(d);
	if (d->ops && d->ops->config_written)
		d->ops->config_written(d, off, len);
}

/*
 * 0xCF8 holds the address (32-bit accesses only, as on real chipsets);
 * 0xCFC..0xCFF reach the addressed dword, any width that stays inside it.
 */
void pci_config_io(void *bus, uint64_t offset, uint8_t *data, unsigned int len,
		   bool is_write)
{
	struct pci_bus *b = bus;
	struct pci_device *d;
	unsigned int reg;

	if (offset < 4) {
		if (offset == 0 && len == 4) {
			if (is_write)
				memcpy(&b->address, data, 4);
			else
				memcpy(data, &b->address, 4);
		} else if (!is_write) {
			memset(data, 0xff, len);
		}
		return;
	}
	d = addressed_device(b);
	reg = CFG_REG(b->address) + (offset - 4);
	if (!d || reg + len > CFG_REG(b->address) + 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (is_write)
		config_write(d, reg, data, len);
	else
		memcpy(data, d->cfg + reg, len);
}

void pci_mmio_io(void *bus, uint64_t offset, uint8_t *data, unsigned int len,
		 bool is_write)
{
	struct pci_bus *b = bus;
	uint64_t addr = b->mmio_base + offset;
	int slot, bar;

	for (slot = 1; slot < PCI_MAX_SLOTS; slot++) {
		struct pci_device *d = b->slots[slot];

		if (!d)
			continue;
		for (bar = 0; bar < PCI_MAX_BARS; bar++) {
			uint64_t base = d->bar_live[bar];

			if (!base || addr < base ||
			    !range_within(addr - base, len, d->bar_size[bar]))
				continue;
			d->ops->bar_access(d, bar, addr - base, data, len,
					   is_write);
			return;
		}
	}
	if (!is_write)
		memset(data, 0xff, len);
}
