// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "kvm_platform.h"

static void kvm_irq_line(void *ctx, unsigned int irq, int level)
{
	struct kvm_platform *kp = ctx;

	vm_irq_line(kp->vm, irq, level);
}

static int kvm_msi_add(void *ctx, int fd)
{
	struct kvm_platform *kp = ctx;
	int gsi = irq_routing_alloc_msi(&kp->routing);

	if (gsi < 0) {
		errno = ENOSPC;
		return -1;
	}
	return kvm_irqfd(kp->vm->vm_fd, fd, gsi, true) ? -1 : gsi;
}

static int kvm_msi_route(void *ctx, int route, uint64_t address, uint32_t data)
{
	struct kvm_platform *kp = ctx;

	return irq_routing_set_msi(&kp->routing, route, address, data);
}

static int kvm_doorbell(void *ctx, uint64_t addr, unsigned int len, int fd,
			bool attach)
{
	struct kvm_platform *kp = ctx;

	return kvm_ioeventfd_mmio(kp->vm->vm_fd, addr, len, fd, attach);
}

static int kvm_thread_start(void *ctx, pthread_t *thread, void *(*fn)(void *),
			    void *arg, const char *device)
{
	struct kvm_platform *kp = ctx;

	if (kp->start_thread)
		return kp->start_thread(thread, fn, arg, device);
	return pthread_create(thread, NULL, fn, arg);
}

/* Under --strict the vCPUs must notice the stop: kick them out of KVM_RUN. */
static void kvm_device_broken(void *ctx, const char *line)
{
	struct kvm_platform *kp = ctx;

	if (line)
		fprintf(stderr, "lguest: %s\n", line);
	if (kp->strict) {
		vm_request_stop(&kp->vm->stop, STOP_DEVICE_ERROR, 0);
		vm_kick(kp->vm);
	}
}

static const struct platform_ops kvm_platform_ops = {
	.irq_line = kvm_irq_line,
	.msi_add = kvm_msi_add,
	.msi_route = kvm_msi_route,
	.doorbell = kvm_doorbell,
	.thread_start = kvm_thread_start,
	.device_broken = kvm_device_broken,
};

void kvm_platform_init(struct kvm_platform *kp, struct vm *vm, bool strict,
		       virtio_thread_start_fn start_thread)
{
	kp->platform = (struct platform){ &kvm_platform_ops, kp };
	kp->vm = vm;
	kp->strict = strict;
	kp->start_thread = start_thread;
	irq_routing_init(&kp->routing, vm->vm_fd);
}
