/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TESTS_MOCK_PCI_H
#define LGUEST_TESTS_MOCK_PCI_H

#include <stdint.h>

#include "mock_ring.h"
#include "pci.h"
#include "virtio/device.h"

/*
 * A guest's driver of the PCI bus and the virtio-pci transport, without
 * KVM: configuration mechanism #1 through ports 0xCF8-0xCFF, BARs
 * through the MMIO window, and virtio_pci's probe as Linux does it.
 * Nothing here asserts; the unit tests check what they read (their
 * tvirtio_* helpers that wait or assert are in unit_helpers.h).
 */
#define TPCI_ENABLE	0x80000000U
#define TPCI_DATA	4	/* 0xCFC, as an offset from 0xCF8 */

uint32_t tpci_address(unsigned int slot, unsigned int reg);

/* One access of `len` bytes at port 0xCF8 + `port`. */
uint32_t tpci_port_read(struct pci_bus *b, unsigned int port,
			    unsigned int len);
void tpci_port_write(struct pci_bus *b, unsigned int port,
			 unsigned int len, uint32_t v);

/* Config space of bus 0, function 0 of `slot`, the way Linux reaches it. */
uint32_t tpci_cfg_read(struct pci_bus *b, unsigned int slot,
			   unsigned int reg, unsigned int len);
void tpci_cfg_write(struct pci_bus *b, unsigned int slot,
			unsigned int reg, unsigned int len, uint32_t v);

/* An access of `len` bytes at guest-physical `gpa` in the BAR window. */
uint64_t tpci_mmio_read(struct pci_bus *b, uint64_t gpa,
			    unsigned int len);
void tpci_mmio_write(struct pci_bus *b, uint64_t gpa, unsigned int len,
			 uint64_t v);

/* The transport's BAR0, as its capabilities describe it. */
#define TV_COMMON	0x0000
#define TV_ISR		0x1000
#define TV_DEVICE	0x2000
#define TV_NOTIFY	0x3000
#define TV_NOTIFY_MULT	4
#define TV_MSIX_TABLE	0x4000
#define TV_MSIX_PBA	0x5000
#define TV_BAR_SIZE	0x8000U

/* BAR0 of a virtio-pci device, at `off`. */
uint64_t tvirtio_rd(struct pci_bus *b, struct virtio_device *v,
			unsigned int off, unsigned int len);
void tvirtio_wr(struct pci_bus *b, struct virtio_device *v,
		    unsigned int off, unsigned int len, uint64_t val);

uint8_t tvirtio_status(struct pci_bus *b, struct virtio_device *v);
void tvirtio_set_status(struct pci_bus *b, struct virtio_device *v,
			    uint8_t status);

/* Driver features, a 32-bit window at a time as Linux writes them. */
void tvirtio_set_features(struct pci_bus *b, struct virtio_device *v,
			      uint64_t features);

/*
 * Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, as virtio_pci's
 * probe does; returns the status read back after FEATURES_OK.
 */
uint8_t tvirtio_negotiate(struct pci_bus *b, struct virtio_device *v,
			      uint64_t features);

void tvirtio_select(struct pci_bus *b, struct virtio_device *v,
			unsigned int qi);

/* A 64-bit queue register, in two halves as vp_iowrite64_twopart(). */
void tvirtio_wr64(struct pci_bus *b, struct virtio_device *v,
		      unsigned int reg, uint64_t val);

/* Queue `qi` on the driver's rings, interrupting on `vector`; enabled. */
void tvirtio_queue(struct pci_bus *b, struct virtio_device *v,
		       unsigned int qi, const struct mock_ring *d,
		       uint16_t vector);

/* Ring queue `qi`'s doorbell, where its notify offset says. */
void tvirtio_kick(struct pci_bus *b, struct virtio_device *v,
		      unsigned int qi);

#endif
