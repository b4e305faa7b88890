/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_CPU_H
#define LGUEST_X86_CPU_H

#include <linux/kvm.h>

#include "../guest_mem.h"
#include "../loader.h"

/*
 * The x86 state a kernel expects at its entry point, computed without
 * touching KVM so it can be tested: boot GDT and page tables in guest
 * memory, segment and control registers, general registers, the CPUID
 * the guest will see and the MSRs it starts with.
 */
int x86_write_boot_tables(const struct guest_mem *m, enum entry_mode mode);
void x86_boot_sregs(struct kvm_sregs *s, enum entry_mode mode);
void x86_boot_regs(struct kvm_regs *r, const struct boot_setup *b);
void x86_filter_cpuid(struct kvm_cpuid2 *c);
/* Without --nested-virt: no VMX, no SVM, so no nested guests. */
void x86_hide_nested_virt(struct kvm_cpuid2 *c);

#define X86_BOOT_MSRS_MAX 16
unsigned int x86_boot_msrs(struct kvm_msr_entry *e);

#endif
