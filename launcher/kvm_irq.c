// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_irq.h"

#define IRQCHIP_PINS	24
#define PIC_PINS	16

void irq_routing_init(struct irq_routing *r, int vm_fd)
{
	memset(r, 0, sizeof(*r));
	r->vm_fd = vm_fd;
	pthread_mutex_init(&r->lock, NULL);
}

int irq_routing_alloc_msi(struct irq_routing *r)
{
	int i, gsi = -1;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < MSI_ROUTES_MAX; i++) {
		if (!r->msi[i].used) {
			r->msi[i].used = true;
			gsi = MSI_GSI_BASE + i;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return gsi;
}

static void irqchip_route(struct kvm_irq_routing_entry *e, unsigned int gsi,
			  unsigned int chip, unsigned int pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/*
 * What KVM_CREATE_IRQCHIP set up by default, which replacing the table
 * would otherwise lose: GSI 0-15 to both the PICs and the IOAPIC, 16-23
 * to the IOAPIC alone.
 */
static unsigned int default_routes(struct kvm_irq_routing_entry *e)
{
	unsigned int gsi, n = 0;

	for (gsi = 0; gsi < IRQCHIP_PINS; gsi++) {
		if (gsi < PIC_PINS)
			irqchip_route(&e[n++], gsi,
				      gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
						KVM_IRQCHIP_PIC_SLAVE,
				      gsi % 8);
		irqchip_route(&e[n++], gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
	return n;
}

static int commit_routes(struct irq_routing *r)
{
	size_t max = PIC_PINS + IRQCHIP_PINS + MSI_ROUTES_MAX;
	struct kvm_irq_routing *t;
	unsigned int i, n;
	int ret;

	t = calloc(1, sizeof(*t) + max * sizeof(t->entries[0]));
	if (!t)
		return -1;
	n = default_routes(t->entries);
	for (i = 0; i < MSI_ROUTES_MAX; i++) {
		struct kvm_irq_routing_entry *e = &t->entries[n];

		if (!r->msi[i].used)
			continue;
		e->gsi = MSI_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = (uint32_t)r->msi[i].address;
		e->u.msi.address_hi = r->msi[i].address >> 32;
		e->u.msi.data = r->msi[i].data;
		n++;
	}
	t->nr = n;
	ret = ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t);
	free(t);
	return ret < 0 ? -1 : 0;
}

int irq_routing_set_msi(struct irq_routing *r, int gsi, uint64_t address,
			uint32_t data)
{
	int i = gsi - MSI_GSI_BASE, ret;

	if (i < 0 || i >= MSI_ROUTES_MAX) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	r->msi[i].address = address;
	r->msi[i].data = data;
	ret = commit_routes(r);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int kvm_irqfd(int vm_fd, int fd, int gsi, bool assign)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi,
				   .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN };

	return ioctl(vm_fd, KVM_IRQFD, &irqfd) < 0 ? -1 : 0;
}

int kvm_ioeventfd_mmio(int vm_fd, uint64_t addr, unsigned int len, int fd,
		       bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr, .len = len, .fd = fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	return ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0 ? -1 : 0;
}
