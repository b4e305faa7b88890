// SPDX-License-Identifier: GPL-2.0
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "mock_pci.h"

uint32_t tpci_address(unsigned int slot, unsigned int reg)
{
	return TPCI_ENABLE | slot << 11 | (reg & 0xfc);
}

uint32_t tpci_port_read(struct pci_bus *b, unsigned int port, unsigned int len)
{
	uint32_t v = 0;

	pci_config_io(b, port, (uint8_t *)&v, len, false);
	return v;
}

void tpci_port_write(struct pci_bus *b, unsigned int port, unsigned int len,
		     uint32_t v)
{
	pci_config_io(b, port, (uint8_t *)&v, len, true);
}

uint32_t tpci_cfg_read(struct pci_bus *b, unsigned int slot, unsigned int reg,
		       unsigned int len)
{
	tpci_port_write(b, 0, 4, tpci_address(slot, reg));
	return tpci_port_read(b, TPCI_DATA + (reg & 3), len);
}

void tpci_cfg_write(struct pci_bus *b, unsigned int slot, unsigned int reg,
		    unsigned int len, uint32_t v)
{
	tpci_port_write(b, 0, 4, tpci_address(slot, reg));
	tpci_port_write(b, TPCI_DATA + (reg & 3), len, v);
}

uint64_t tpci_mmio_read(struct pci_bus *b, uint64_t gpa, unsigned int len)
{
	uint64_t v = 0;

	pci_mmio_io(b, gpa - b->mmio_base, (uint8_t *)&v, len, false);
	return v;
}

void tpci_mmio_write(struct pci_bus *b, uint64_t gpa, unsigned int len,
		     uint64_t v)
{
	pci_mmio_io(b, gpa - b->mmio_base, (uint8_t *)&v, len, true);
}

uint64_t tvirtio_rd(struct pci_bus *b, struct virtio_device *v,
		    unsigned int off, unsigned int len)
{
	return tpci_mmio_read(b, v->pci.bar_live[0] + off, len);
}

void tvirtio_wr(struct pci_bus *b, struct virtio_device *v, unsigned int off,
		unsigned int len, uint64_t val)
{
	tpci_mmio_write(b, v->pci.bar_live[0] + off, len, val);
}

uint8_t tvirtio_status(struct pci_bus *b, struct virtio_device *v)
{
	return tvirtio_rd(b, v, TV_COMMON + VIRTIO_PCI_COMMON_STATUS, 1);
}

void tvirtio_set_status(struct pci_bus *b, struct virtio_device *v,
			uint8_t status)
{
	tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_STATUS, 1, status);
}

void tvirtio_set_features(struct pci_bus *b, struct virtio_device *v,
			  uint64_t features)
{
	unsigned int sel;

	for (sel = 0; sel < 2; sel++) {
		tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_GFSELECT, 4,
			   sel);
		tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_GF, 4,
			   (uint32_t)(features >> (32 * sel)));
	}
}

uint8_t tvirtio_negotiate(struct pci_bus *b, struct virtio_device *v,
			  uint64_t features)
{
	uint8_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE;

	tvirtio_set_status(b, v, 0);
	tvirtio_set_status(b, v, s);
	s |= VIRTIO_CONFIG_S_DRIVER;
	tvirtio_set_status(b, v, s);
	tvirtio_set_features(b, v, features);
	tvirtio_set_status(b, v, s | VIRTIO_CONFIG_S_FEATURES_OK);
	return tvirtio_status(b, v);
}

void tvirtio_select(struct pci_bus *b, struct virtio_device *v,
		    unsigned int qi)
{
	tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_Q_SELECT, 2, qi);
}

void tvirtio_wr64(struct pci_bus *b, struct virtio_device *v,
		  unsigned int reg, uint64_t val)
{
	tvirtio_wr(b, v, TV_COMMON + reg, 4, (uint32_t)val);
	tvirtio_wr(b, v, TV_COMMON + reg + 4, 4, val >> 32);
}

void tvirtio_queue(struct pci_bus *b, struct virtio_device *v,
		   unsigned int qi, const struct mock_ring *d, uint16_t vector)
{
	tvirtio_select(b, v, qi);
	tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2, d->vr.num);
	tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2, vector);
	tvirtio_wr64(b, v, VIRTIO_PCI_COMMON_Q_DESCLO, d->l.ring);
	tvirtio_wr64(b, v, VIRTIO_PCI_COMMON_Q_AVAILLO, mock_ring_avail_gpa(d));
	tvirtio_wr64(b, v, VIRTIO_PCI_COMMON_Q_USEDLO, mock_ring_used_gpa(d));
	tvirtio_wr(b, v, TV_COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

void tvirtio_kick(struct pci_bus *b, struct virtio_device *v, unsigned int qi)
{
	unsigned int noff;

	tvirtio_select(b, v, qi);
	noff = tvirtio_rd(b, v, TV_COMMON + VIRTIO_PCI_COMMON_Q_NOFF, 2);
	tvirtio_wr(b, v, TV_NOTIFY + TV_NOTIFY_MULT * noff, 2, qi);
}
