/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_KVM_H
#define LGUEST_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "error.h"
#include "exit_stats.h"
#include "guest_mem.h"
#include "loader.h"
#include "stop.h"

/*
 * The most vCPUs we give a guest: xAPIC IDs are 8 bits and 0xff is the
 * broadcast, and the MADT lists one IOAPIC after the CPUs' IDs.  KVM may
 * allow fewer (KVM_CAP_MAX_VCPUS); vm_create checks.
 */
#define VM_MAX_CPUS 254

struct vm;

/*
 * One vCPU: its file descriptor, its kvm_run page and the thread that
 * runs it, and what that thread alone writes: its exit counts and the
 * emulator's scratch state.  `halted` is what it saw at its last look.
 */
struct vcpu {
	struct vm *vm;
	unsigned int index;	/* also its APIC ID */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	_Atomic bool started;	/* `thread` is valid: it may be kicked */
	_Atomic bool halted;	/* halted with interrupts off, or waiting for SIPI */
	uint64_t exits;		/* KVM_RUN returns, for --verbose */
	uint64_t emulated;	/* instructions we finished for KVM... */
	uint64_t emulated_faults;	/* ...of which raised an exception */
	unsigned int maxphyaddr;	/* the guest's, once we needed it */
	size_t xsave_size;	/* KVM's XSAVE image, once we needed it */
	const char *emulate_failed;	/* why we could not finish one */
	struct exit_stats *stats; /* --stats, else NULL */
	char detail[512];	/* why KVM stopped this vCPU */
};

/*
 * The KVM backend: one VM with `ncpus` vCPUs.  It owns the file
 * descriptors and guest RAM, and turns vCPU exits into bus accesses, one
 * vCPU at a time (`bus_lock`), so a device sees one access at a time
 * from the vCPUs and an emulated locked instruction is atomic against
 * the other vCPUs' accesses.  What stopped the guest is recorded in
 * `stop`; diagnostic detail for a KVM failure goes in `detail` for
 * main.c to print.
 */
struct vm {
	int kvm_fd, vm_fd;
	size_t run_size;
	struct guest_mem mem;
	void *ram;
	size_t ram_size;
	struct bus pio, mmio;
	pthread_mutex_t bus_lock;
	struct vm_stop stop;
	bool verbose;
	bool nested_virt;	/* --nested-virt: VMX/SVM left in CPUID */
	bool stats; /* --stats: time every exit */
	unsigned int ncpus;
	struct vcpu cpus[VM_MAX_CPUS];
	char detail[sizeof(((struct vcpu *)0)->detail) + 16];
	/*
	 * Host work for a vCPU thread before each KVM_RUN: a signal that
	 * asked for some (main.c's BREAK) ends KVM_RUN with EINTR, or comes
	 * between two exits, so it is seen at the next entry.
	 */
	void (*host_work)(void *ctx);
	void *host_work_ctx;
};

/* Checks `ncpus` against what KVM allows before making anything. */
int vm_create(struct vm *vm, uint64_t ram_bytes, unsigned int ncpus,
	      struct lg_error *err);
/* All vCPUs: the boot processor at the entry point, the others waiting
 * for the guest's INIT and SIPI. */
int vm_setup_vcpus(struct vm *vm, const struct boot_setup *boot,
		   struct lg_error *err);
void vm_irq_line(void *vm, unsigned int irq, int level);

/*
 * Start a thread for each application processor; each calls `confine`
 * (if any) first, then runs its vCPU until the guest stops.  Call before
 * the calling thread may no longer clone.
 */
int vm_start_aps(struct vm *vm, int (*confine)(struct lg_error *err),
		 struct lg_error *err);

/*
 * Run the boot processor in the calling thread until something asks to
 * stop, then stop the others and wait for them; returns the reason.
 */
enum stop_reason vm_run(struct vm *vm);

/*
 * --stats: every vCPU's exits merged, and KVM's own counters (exits it
 * handled in the kernel too), after vm_run().
 */
void vm_print_stats(const struct vm *vm, FILE *f, uint64_t setup_ns,
		    uint64_t wall_ns);

/* Interrupt every KVM_RUN from any thread so the loops see a stop request. */
void vm_kick(struct vm *vm);
void vm_destroy(struct vm *vm);

#endif
