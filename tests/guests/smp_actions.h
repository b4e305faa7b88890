/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TEST_SMP_ACTIONS_H
#define LGUEST_TEST_SMP_ACTIONS_H

/*
 * The SMP actions (lgtest.action=smp*, 64-bit guests only): the BSP
 * finds the CPUs in the MADT and starts each AP with INIT-SIPI-SIPI
 * through its local APIC and its own real-mode trampoline
 * (smp_trampoline.S); then the APs do what the action says.  See
 * README.md.
 */
#include "runtime.h"

struct smp_opts {
	int kind;
	u64 arg;	/* exit status, or iterations */
};

struct boot_params;

/* "smp", "smp-exit:<V>", ...; -1 if unknown. */
int smp_parse(const char *v, size_t len, struct smp_opts *o);
void action_smp(const struct boot_params *bp, const struct smp_opts *o)
	__attribute__((noreturn));

#endif
