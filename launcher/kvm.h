/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_KVM_H
#define LGUEST_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "error.h"
#include "guest_mem.h"
#include "loader.h"
#include "stop.h"

/*
 * The KVM backend: one VM with one vCPU.  It owns the file descriptors
 * and guest RAM, and turns vCPU exits into bus accesses.  What stopped the
 * guest is recorded in `stop`; diagnostic detail for a KVM failure goes
 * in `detail` for main.c to print.
 */
struct vm {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct guest_mem mem;
	void *ram;
	size_t ram_size;
	struct bus pio, mmio;
	struct vm_stop stop;
	pthread_t vcpu_thread;
	bool verbose;
	uint64_t exits;		/* KVM_RUN returns, for --verbose */
	uint64_t emulated;	/* instructions we finished for KVM... */
	uint64_t emulated_faults;	/* ...of which raised an exception */
	unsigned int maxphyaddr;	/* the guest's, once we needed it */
	size_t xsave_size;	/* KVM's XSAVE image, once we needed it */
	const char *emulate_failed;	/* why we could not finish one */
	char detail[512];	/* why KVM stopped, for internal errors */
	/*
	 * Host work for the vCPU thread before each KVM_RUN: a signal that
	 * asked for some (main.c's BREAK) ends KVM_RUN with EINTR, or comes
	 * between two exits, so it is seen at the next entry.
	 */
	void (*host_work)(void *ctx);
	void *host_work_ctx;
};

int vm_create(struct vm *vm, uint64_t ram_bytes, struct lg_error *err);
int vm_setup_vcpu(struct vm *vm, const struct boot_setup *boot,
		  struct lg_error *err);
void vm_irq_line(void *vm, unsigned int irq, int level);

/* Run until something asks to stop; returns the reason. */
enum stop_reason vm_run(struct vm *vm);

/* Interrupt KVM_RUN from another thread so the loop sees a stop request. */
void vm_kick(struct vm *vm);
void vm_destroy(struct vm *vm);

#endif
