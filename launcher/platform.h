/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_PLATFORM_H
#define LGUEST_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * What the device model needs from the machine it is plugged into, so
 * that devices never see KVM: bin/lguest implements it over KVM
 * (kvm_platform.c), the unit tests, fuzzers and benches with a fake
 * (tests/lib/fake_platform.c), as irq_sink and x86_mem_ops do for the
 * serial port and the emulator.
 *
 * Interrupts and doorbells are eventfds, lguest's LHREQ_IRQ and
 * LHREQ_EVENTFD: an MSI vector is raised by writing its eventfd (over
 * KVM an irqfd), and a doorbell signals one (over KVM an ioeventfd).  So
 * a back-end outside the launcher (vhost-user) can be handed a queue's
 * kick and call descriptors and run it with no launcher thread at all.
 */
struct platform_ops {
	/* Drive a legacy interrupt line (the IOAPIC pin `irq`). */
	void (*irq_line)(void *ctx, unsigned int irq, int level);
	/*
	 * A new MSI vector raised by writing `fd`, delivering nothing until
	 * routed: its route number, or -1 with errno set.
	 */
	int (*msi_add)(void *ctx, int fd);
	/* Where a vector delivers from now on; 0, or -1 with errno set. */
	int (*msi_route)(void *ctx, int route, uint64_t address, uint32_t data);
	/*
	 * Guest writes of `len` bytes at `addr` signal `fd` without a
	 * vCPU exit (attach), or no longer (detach); 0 or -1 with errno.
	 */
	int (*doorbell)(void *ctx, uint64_t addr, unsigned int len, int fd,
			bool attach);
	/* Start fn(arg) on a thread serving `device`; 0 or an errno. */
	int (*thread_start)(void *ctx, pthread_t *thread, void *(*fn)(void *),
			    void *arg, const char *device);
	/*
	 * A device was broken by the guest and needs a reset: print `line`
	 * unless it is NULL (the caller rate-limits), and stop the machine
	 * if the user asked for that (--strict).  Called before the guest
	 * can see NEEDS_RESET.
	 */
	void (*device_broken)(void *ctx, const char *line);
};

struct platform {
	const struct platform_ops *ops;
	void *ctx;
};

#endif
