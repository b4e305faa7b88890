/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_SANDBOX_H
#define LGUEST_SANDBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "exit_status.h"

/*
 * The seccomp sandbox.  The guest is assumed hostile: once everything is
 * open, each launcher thread confines itself to the system calls its job
 * needs, and a forbidden one stops the whole launcher with a message
 * naming it and exit status LG_EXIT_SANDBOX.
 */

/* What a thread does, which decides what it may ask of the kernel. */
enum sandbox_role {
	SANDBOX_VCPU,		/* main thread: KVM_RUN and the device model */
	SANDBOX_CONSOLE_INPUT,	/* stdin to the console */
	SANDBOX_VIRTIO_BLK,
	SANDBOX_VIRTIO_RNG,
	SANDBOX_VIRTIO_CONSOLE,
	SANDBOX_VIRTIO_NET,
	SANDBOX_VIRTIO_FS,	/* its vhost-user control thread */
	SANDBOX_SHARE_HELPER,	/* the --sharenet helper process */
	SANDBOX_ROLES
};

/* One system call a role may make, possibly only with some arguments. */
enum sandbox_check {
	SC_ALLOW,		/* always */
	SC_ARG_IN,		/* argument `arg` is one of `values` */
	SC_ARG_CLEAR,		/* argument `arg` has no bit of `value` set */
	SC_ARG_OWN_TGID,	/* argument `arg` is the launcher's own pid */
};

struct sandbox_rule {
	int nr;
	enum sandbox_check check;
	unsigned int arg;
	uint32_t value;
	const uint32_t *values;
	unsigned int nvalues;
};

struct sandbox_ruleset {
	const struct sandbox_rule *rules;
	unsigned int count;
};

/* Which optional rules apply, fixed before any thread confines itself. */
struct sandbox_config {
	bool nested_virt;	/* the vCPU may read its nested state */
};

/* The architecture's tables: x86/sandbox_syscalls.c. */
extern const uint32_t sandbox_audit_arch;
/* Rule sets for a role, NULL-terminated, at most SANDBOX_MAX_SETS. */
#define SANDBOX_MAX_SETS 8
void sandbox_role_rules(enum sandbox_role role,
			const struct sandbox_config *cfg,
			const struct sandbox_ruleset *sets[SANDBOX_MAX_SETS + 1]);
const char *sandbox_syscall_name(int nr);
const char *sandbox_role_name(enum sandbox_role role);

/*
 * Compile rule sets into a classic BPF seccomp program; returns the
 * number of instructions, or -1 (with err) if it does not fit `max`.
 * SC_ARG_OWN_TGID rules compare with `tgid`.  Pure, so the unit tests
 * can run the program through an interpreter.
 */
struct sock_filter;
int sandbox_compile(const struct sandbox_ruleset *const *sets, uint32_t tgid,
		    struct sock_filter *prog, size_t max, struct lg_error *err);

/* A role's rule sets (sandbox_role_rules), compiled. */
int sandbox_compile_role(enum sandbox_role role,
			 const struct sandbox_config *cfg, uint32_t tgid,
			 struct sock_filter *prog, size_t max,
			 struct lg_error *err);

/*
 * What the kernel would answer a call `d` under `prog` (the subset of
 * classic BPF sandbox_compile emits), or SANDBOX_BAD_PROGRAM.  Pure: for
 * the unit tests and bench/sandbox_union.
 */
struct seccomp_data;
#define SANDBOX_BAD_PROGRAM 0xffffffffU
uint32_t sandbox_run(const struct sock_filter *prog, int len,
		     const struct seccomp_data *d);

/*
 * Set the config and the SIGSYS handler, and take the calling process as
 * the only one signals may go to; call once, before any thread.
 */
void sandbox_init(const struct sandbox_config *cfg);
/* Confine the calling thread (NO_NEW_PRIVS, then its role's filter). */
int sandbox_enter(enum sandbox_role role, struct lg_error *err);
/* The role the queue threads of device `device` ("virtio-blk") take. */
int sandbox_device_role(const char *device, enum sandbox_role *role);

/*
 * Start a queue thread of device `device` that confines itself to the
 * device's role before it runs `fn`, from a thread not yet confined;
 * returns once it is.  A virtio_thread_start_fn.
 */
int sandbox_start_thread(pthread_t *thread, void *(*fn)(void *), void *arg,
			 const char *device);

/*
 * For the tests only (--sandbox-selftest): make a system call no role
 * allows, from whatever thread calls this.
 */
void sandbox_selftest_violation(void);

#endif
