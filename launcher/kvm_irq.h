/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_KVM_IRQ_H
#define LGUEST_KVM_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * KVM's descendants of lguest's LHREQ_EVENTFD and LHREQ_IRQ: an ioeventfd
 * turns a guest write to a doorbell into an eventfd signal without
 * leaving the kernel, and an irqfd turns an eventfd signal into a guest
 * interrupt.  For MSI-X each vector gets a GSI whose route says which
 * message to deliver; KVM takes the routing table only whole, so this
 * keeps it, including the default routes of the in-kernel irqchip.
 */
#define MSI_ROUTES_MAX	256
#define MSI_GSI_BASE	24	/* after the IOAPIC's 24 pins */

struct msi_route {
	bool used;
	uint64_t address;
	uint32_t data;
};

struct irq_routing {
	int vm_fd;
	pthread_mutex_t lock;
	struct msi_route msi[MSI_ROUTES_MAX];
};

void irq_routing_init(struct irq_routing *r, int vm_fd);

/* A new GSI for an MSI vector (delivering nothing yet), or -1. */
int irq_routing_alloc_msi(struct irq_routing *r);

/* Point a GSI at an MSI message; 0 or -1 with errno. */
int irq_routing_set_msi(struct irq_routing *r, int gsi, uint64_t address,
			uint32_t data);

int kvm_irqfd(int vm_fd, int fd, int gsi, bool assign);
int kvm_ioeventfd_mmio(int vm_fd, uint64_t addr, unsigned int len, int fd,
		       bool assign);

#endif
