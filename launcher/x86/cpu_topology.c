// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "cpu_topology.h"

#define VENDOR_INTEL_EBX	0x756e6547	/* "Genu" */
#define CPUID1_EDX_HTT		(1U << 28)
#define AMD_ECX_CMP_LEGACY	(1U << 1)
#define TOPO_LEVEL_SMT		1
#define TOPO_LEVEL_CORE		2
#define TOPO_SUBLEAVES		3	/* SMT, core, and the invalid end */

/* Bits an ID of 0..n-1 takes: 0 for one CPU, 3 for 5 to 8. */
static unsigned int id_bits(unsigned int n)
{
	unsigned int bits = 0;

	while ((1U << bits) < n)
		bits++;
	return bits;
}

static bool vendor_is_intel(const struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0)
			return c->entries[i].ebx == VENDOR_INTEL_EBX;
	return false;
}

/* APIC ID in EBX[31:24], addressable logical CPUs in EBX[23:16]. */
static void leaf_1(struct kvm_cpuid_entry2 *e, unsigned int apic_id,
		   unsigned int ncpus, unsigned int bits)
{
	e->ebx = (e->ebx & 0xffff) | apic_id << 24 | (1U << bits) << 16;
	if (ncpus > 1)
		e->edx |= CPUID1_EDX_HTT;
	else
		e->edx &= ~CPUID1_EDX_HTT;
}

/*
 * Intel's cache leaf: cores per package in EAX[31:26] and the logical
 * CPUs sharing each cache in EAX[25:14], both minus one.  Cores have
 * their own L1 and L2; the L3 is the package's.
 */
static void leaf_4(struct kvm_cpuid_entry2 *e, unsigned int bits)
{
	unsigned int level = (e->eax >> 5) & 7;
	unsigned int sharing = level >= 3 ? (1U << bits) - 1 : 0;

	if (!(e->eax & 0x1f))
		return;		/* no cache: the end of the list */
	e->eax = (e->eax & 0x3fff) | ((1U << bits) - 1) << 26 | sharing << 14;
}

/*
 * Leaves 0xB and 0x1F, one subleaf per level: the SMT level (one thread,
 * no ID bits), the core level (`ncpus`, `bits` ID bits), then the end.
 * EDX is the x2APIC ID in every subleaf.
 */
static void ext_topology(struct kvm_cpuid_entry2 *e, unsigned int apic_id,
			 unsigned int ncpus, unsigned int bits)
{
	e->edx = apic_id;
	switch (e->index) {
	case 0:
		e->eax = 0;
		e->ebx = 1;
		e->ecx = TOPO_LEVEL_SMT << 8;
		break;
	case 1:
		e->eax = bits;
		e->ebx = ncpus;
		e->ecx = TOPO_LEVEL_CORE << 8 | 1;
		break;
	default:
		e->eax = e->ebx = 0;
		e->ecx = e->index;
	}
}

/* AMD: cores in 0x80000008 ECX, the core's IDs in 0x8000001E. */
static void amd_leaf(struct kvm_cpuid_entry2 *e, unsigned int apic_id,
		     unsigned int ncpus, unsigned int bits)
{
	switch (e->function) {
	case 0x80000001:
		if (ncpus > 1)
			e->ecx |= AMD_ECX_CMP_LEGACY;
		else
			e->ecx &= ~AMD_ECX_CMP_LEGACY;
		break;
	case 0x80000008:
		e->ecx = (e->ecx & ~0xf0ffU) | bits << 12 | (ncpus - 1);
		break;
	case 0x8000001e:
		e->eax = apic_id;
		e->ebx = (e->ebx & ~0xffffU) | (apic_id & 0xff);
		e->ecx &= ~0x7ffU;	/* node 0 of one */
		break;
	}
}

static bool has_subleaf(const struct kvm_cpuid2 *c, unsigned int function,
			unsigned int index)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == function &&
		    c->entries[i].index == index)
			return true;
	return false;
}

/* Linux walks 0xB/0x1F up to the invalid subleaf: make sure it is there. */
static void add_subleaves(struct kvm_cpuid2 *c, unsigned int max,
			  unsigned int function)
{
	unsigned int index;

	if (!has_subleaf(c, function, 0))
		return;		/* the leaf itself is absent: leave it so */
	for (index = 1; index < TOPO_SUBLEAVES && c->nent < max; index++)
		if (!has_subleaf(c, function, index))
			c->entries[c->nent++] = (struct kvm_cpuid_entry2){
				.function = function, .index = index,
				.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			};
}

void x86_cpuid_topology(struct kvm_cpuid2 *c, unsigned int max,
			unsigned int apic_id, unsigned int ncpus)
{
	bool intel = vendor_is_intel(c);
	unsigned int bits = id_bits(ncpus), i;

	add_subleaves(c, max, 0xb);
	add_subleaves(c, max, 0x1f);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			leaf_1(e, apic_id, ncpus, bits);
		else if (e->function == 4 && intel)
			leaf_4(e, bits);
		else if (e->function == 0xb || e->function == 0x1f)
			ext_topology(e, apic_id, ncpus, bits);
		else if (e->function >= 0x80000000 && !intel)
			amd_leaf(e, apic_id, ncpus, bits);
	}
}
