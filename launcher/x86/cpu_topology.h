/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_CPU_TOPOLOGY_H
#define LGUEST_X86_CPU_TOPOLOGY_H

#include <linux/kvm.h>

/*
 * The CPUID one vCPU of `ncpus` sees: its own APIC ID, and one package
 * of `ncpus` cores with one thread each, in the leaves the vendor's
 * kernels read (1, 4 on Intel, 0xB and 0x1F, 0x80000001/8/1E on AMD).
 * Pure: it edits the table KVM_GET_SUPPORTED_CPUID gave, after
 * x86_filter_cpuid(), adding the 0xB/0x1F subleaves KVM left out while
 * c->nent stays below `max`.
 */
void x86_cpuid_topology(struct kvm_cpuid2 *c, unsigned int max,
			unsigned int apic_id, unsigned int ncpus);

#endif
