/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_KVM_PLATFORM_H
#define LGUEST_KVM_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>

#include "kvm.h"
#include "kvm_irq.h"
#include "platform.h"

/* Starts `fn(arg)` on a new thread serving a queue of device `device`. */
typedef int (*virtio_thread_start_fn)(pthread_t *thread,
				      void *(*fn)(void *), void *arg,
				      const char *device);

/*
 * bin/lguest's platform: interrupt lines through KVM_IRQ_LINE, MSI
 * vectors as irqfds on GSIs of one routing table, doorbells as
 * ioeventfds, queue threads from `start_thread` (the sandbox's, which
 * confines them) or plain pthreads.
 */
struct kvm_platform {
	struct platform platform;
	struct vm *vm;
	struct irq_routing routing;
	bool strict;			/* a broken device stops the guest */
	virtio_thread_start_fn start_thread;	/* NULL: pthread_create */
};

void kvm_platform_init(struct kvm_platform *kp, struct vm *vm, bool strict,
		       virtio_thread_start_fn start_thread);

#endif
