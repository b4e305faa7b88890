/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_PCI_MSIX_H
#define LGUEST_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pci.h"
#include "platform.h"

/*
 * MSI-X for one PCI function: the vector table and pending-bit array the
 * guest programs through a BAR, and delivery of each vector through its
 * own eventfd, which the platform routes (over KVM, an irqfd).  Device
 * threads raise vectors; the vCPU thread changes the table; the lock
 * keeps a masked vector from firing and an unmasked one with a pending
 * bit from being forgotten.
 */
#define MSIX_MAX_VECTORS	16
#define MSIX_NO_VECTOR		0xffff
#define MSIX_ENTRY_SIZE		16
#define MSIX_CAP_LEN		12

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct msix {
	pthread_mutex_t lock;
	unsigned int nvec;
	struct msix_entry table[MSIX_MAX_VECTORS];
	uint64_t pending;
	uint64_t route_stale;		/* entries changed since routed */
	bool enabled, function_masked;
	int route[MSIX_MAX_VECTORS];	/* the platform's, per vector */
	int fd[MSIX_MAX_VECTORS];	/* writing one raises its vector */
	const struct platform *platform;
	unsigned int cap;		/* capability's offset in config space */
};

/*
 * Set up `nvec` vectors whose table and PBA sit in BAR `bar` at the given
 * offsets, and add the capability to `d`.  Each vector gets an eventfd
 * and a route on `platform`.  0, or -1 (errno set).
 */
int msix_init(struct msix *x, struct pci_device *d, unsigned int nvec,
	      int bar, uint32_t table_off, uint32_t pba_off,
	      const struct platform *platform);

/* BAR accesses within the table and the PBA. */
void msix_table_access(struct msix *x, uint64_t offset, uint8_t *data,
		       unsigned int len, bool is_write);
void msix_pba_read(struct msix *x, uint64_t offset, uint8_t *data,
		   unsigned int len);

/* The guest wrote the capability's control word (enable, mask). */
void msix_control_written(struct msix *x, const struct pci_device *d);

/* Raise a vector, from any thread; MSIX_NO_VECTOR is ignored. */
void msix_raise(struct msix *x, uint16_t vector);

/* Back to power-on state: disabled, all vectors masked, nothing pending. */
void msix_reset(struct msix *x, struct pci_device *d);

#endif
