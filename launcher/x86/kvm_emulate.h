/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_KVM_EMULATE_H
#define LGUEST_X86_KVM_EMULATE_H

#include <linux/kvm.h>
#include <stdbool.h>

#include "../kvm.h"
#include "emulate.h"

/*
 * The KVM side of the instruction emulator: KVM's register state in and
 * out of struct x86_cpu, and the handler for KVM's emulation failures.
 */

/* The standard (non-compacted) XSAVE layout KVM_GET_XSAVE uses. */
#define XSAVE_XMM_OFFSET	160
#define XSAVE_BV_OFFSET		512	/* XSTATE_BV, first in the header */
#define XSAVE_YMM_HI_OFFSET	576	/* fixed for the AVX component */
#define XFEATURE_SSE		(1ULL << 1)
#define XFEATURE_AVX		(1ULL << 2)

void x86_cpu_from_kvm(struct x86_cpu *cpu, const struct kvm_regs *regs,
		      const struct kvm_sregs *sregs);
/* Only what the emulator changes: GPRs, RIP and RFLAGS. */
void x86_cpu_to_kvm_regs(const struct x86_cpu *cpu, struct kvm_regs *regs);

/* vec[] from an XSAVE image; absent components read as their zero state. */
void x86_vec_from_xsave(struct x86_cpu *cpu, const uint8_t *xsave);
/* XMM (and, with `ymm`, the upper halves) into an XSAVE image. */
void x86_vec_to_xsave(const struct x86_cpu *cpu, uint8_t *xsave, bool ymm);

/*
 * KVM_EXIT_INTERNAL_ERROR: when it is an emulation failure with the
 * instruction's bytes, finish the instruction (or deliver the exception
 * it raises) and return true: the guest can go on.  False leaves the
 * exit for describe_internal_error(), with vc->emulate_failed saying why
 * we could not do it either (NULL when we never tried).  The caller
 * holds the VM's bus lock.
 */
bool vcpu_emulate_failure(struct vcpu *vc);

#endif
