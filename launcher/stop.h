/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_STOP_H
#define LGUEST_STOP_H

#include <stdatomic.h>
#include <stdbool.h>

/*
 * Why the guest stopped running.  Devices and the input thread ask for a
 * stop; the vCPU loop notices it after the current exit and returns.  The
 * first request wins, so a guest cannot overwrite an earlier verdict.
 */
enum stop_reason {
	STOP_NONE,
	STOP_EXIT_PORT,		/* guest wrote its exit status to port 0xF4 */
	STOP_POWER_OFF,		/* guest powered off */
	STOP_RESET,		/* i8042 or other reset request */
	STOP_TRIPLE_FAULT,	/* KVM_EXIT_SHUTDOWN */
	STOP_HALT,		/* halted with nothing left to wake it */
	STOP_INTERNAL_ERROR,	/* KVM could not run or emulate the guest */
	STOP_ESCAPE,		/* three ^C from the console */
	STOP_HOST_ERROR,	/* a launcher-side failure */
	STOP_DEVICE_ERROR,	/* a device needs reset, with --strict */
};

/*
 * Reason and code share one atomic word (reason in the low byte, code
 * above it), so whoever reads a reason also reads the code that came
 * with it, from any thread.
 */
struct vm_stop {
	_Atomic int word;
};

/* True when this request is the one that counts. */
static inline bool vm_request_stop(struct vm_stop *st, enum stop_reason r,
				   int code)
{
	int none = STOP_NONE;

	return atomic_compare_exchange_strong(&st->word, &none,
					      (int)r | ((code & 0xff) << 8));
}

static inline enum stop_reason vm_stop_reason(struct vm_stop *st)
{
	return atomic_load(&st->word) & 0xff;
}

static inline int vm_stop_code(struct vm_stop *st)
{
	return (atomic_load(&st->word) >> 8) & 0xff;
}

#endif
