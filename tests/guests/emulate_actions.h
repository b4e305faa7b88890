/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TEST_EMULATE_ACTIONS_H
#define LGUEST_TEST_EMULATE_ACTIONS_H

/*
 * The emulator actions (lgtest.action=emul-*): instructions this host's
 * KVM cannot emulate, aimed at RAM and at the launcher's --testdev page,
 * so the launcher's own emulator has to finish them.  See README.md.
 */
#include "runtime.h"

struct emul_opts {
	int kind;
	u64 count;	/* for the benchmark loops */
};

/* "emul-<name>" or "emul-bench-<form>:<count>"; -1 if unknown. */
int emul_parse(const char *v, size_t len, struct emul_opts *o);
void action_emulate(const struct emul_opts *o) __attribute__((noreturn));

#endif
