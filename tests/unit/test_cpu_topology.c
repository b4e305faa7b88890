// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID topology each vCPU sees (launcher/x86/cpu_topology.c): its
 * own APIC ID everywhere Linux looks for it, and one package of N cores
 * in the leaves its vendor's code reads.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit_helpers.h"
#include "x86/cpu.h"
#include "x86/cpu_topology.h"

#define MAX_ENTRIES 32
#define HTT (1U << 28)

/* Intel, as KVM_GET_SUPPORTED_CPUID could give it: 0xB has one subleaf. */
static const struct kvm_cpuid_entry2 intel_in[] = {
	{ .function = 0, .eax = 0x1f, .ebx = 0x756e6547 },
	{ .function = 1, .eax = 0x806ec, .ebx = 0x05100800,
	  .ecx = 0x7ffafbbf, .edx = 0xbfebfbff },
	{ .function = 4, .index = 0, .eax = 0x1c004121 },	/* L1d */
	{ .function = 4, .index = 1, .eax = 0x1c004122 },	/* L1i */
	{ .function = 4, .index = 2, .eax = 0x1c004143 },	/* L2 */
	{ .function = 4, .index = 3, .eax = 0x1c03c163 },	/* L3 */
	{ .function = 4, .index = 4, .eax = 0 },		/* end */
	{ .function = 0xb, .index = 0, .eax = 1, .ebx = 2, .ecx = 0x100,
	  .edx = 7, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },
	{ .function = 0x80000008, .eax = 0x3027, .ecx = 0x1234 },
};

/* AMD: the core count lives in 0x80000008 and 0x8000001E. */
static const struct kvm_cpuid_entry2 amd_in[] = {
	{ .function = 0, .eax = 0x10, .ebx = 0x68747541 },
	{ .function = 1, .eax = 0x800f12, .ebx = 0x00100800,
	  .edx = 0x178bfbff },
	{ .function = 4, .eax = 0x1234 },	/* reserved on AMD */
	{ .function = 0x80000001, .ecx = 0x35c233ff },
	{ .function = 0x80000008, .eax = 0x3030, .ecx = 0x3000f },
	{ .function = 0x8000001e, .eax = 0x10, .ebx = 0x0105, .ecx = 0x0301 },
};

static struct kvm_cpuid2 *table(const struct kvm_cpuid_entry2 *in,
				unsigned int n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENTRIES *
						      sizeof(c->entries[0]));

	ck_assert_ptr_nonnull(c);
	memcpy(c->entries, in, n * sizeof(*in));
	c->nent = n;
	return c;
}

static const struct kvm_cpuid_entry2 *leaf(const struct kvm_cpuid2 *c,
					   unsigned int function,
					   unsigned int index)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == function &&
		    c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

/* What Linux's leaf 0xB parser finds: logical CPUs at the last level. */
static unsigned int ext_topology_cpus(const struct kvm_cpuid2 *c,
				      unsigned int function, unsigned int apic)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int index, cpus = 0;

	for (index = 0; (e = leaf(c, function, index)); index++) {
		ck_assert_uint_eq(e->edx, apic);
		if (!((e->ecx >> 8) & 0xff))
			return cpus;
		ck_assert_uint_eq(e->ecx & 0xff, index);
		cpus = e->ebx & 0xffff;
	}
	ck_abort_msg("leaf %#x has no invalid subleaf to end it", function);
	return 0;
}

START_TEST(test_intel_four_cpus)
{
	struct kvm_cpuid2 *c = table(intel_in, ARRAY_SIZE(intel_in));
	const struct kvm_cpuid_entry2 *e;

	x86_filter_cpuid(c);
	x86_cpuid_topology(c, MAX_ENTRIES, 3, 4);
	e = leaf(c, 1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 3);		/* APIC ID */
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 4);	/* addressable IDs */
	ck_assert_uint_eq(e->ebx & 0xffff, intel_in[1].ebx & 0xffff);
	ck_assert_uint_eq(e->edx & HTT, HTT);
	/* Cores per package 4; L1 and L2 per core, L3 shared by all 4. */
	ck_assert_uint_eq(leaf(c, 4, 0)->eax >> 26, 3);
	ck_assert_uint_eq((leaf(c, 4, 0)->eax >> 14) & 0xfff, 0);
	ck_assert_uint_eq((leaf(c, 4, 2)->eax >> 14) & 0xfff, 0);
	ck_assert_uint_eq((leaf(c, 4, 3)->eax >> 14) & 0xfff, 3);
	ck_assert_uint_eq(leaf(c, 4, 3)->eax & 0x3fff, intel_in[5].eax & 0x3fff);
	ck_assert_uint_eq(leaf(c, 4, 4)->eax, 0);
	/* 0xB: SMT (1), core (4 CPUs, 2 ID bits), and the end, added. */
	ck_assert_uint_eq(ext_topology_cpus(c, 0xb, 3), 4);
	ck_assert_uint_eq(leaf(c, 0xb, 0)->eax & 0x1f, 0);
	ck_assert_uint_eq(leaf(c, 0xb, 1)->eax & 0x1f, 2);
	ck_assert_uint_eq(leaf(c, 0xb, 1)->flags,
			  KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	/* KVM gave no 0x1F: none appears.  AMD's leaves are left alone. */
	ck_assert_ptr_null(leaf(c, 0x1f, 0));
	ck_assert_uint_eq(leaf(c, 0x80000008, 0)->ecx, 0x1234);
	free(c);
}
END_TEST

/* Not a power of two: 5 CPUs take 3 ID bits, 8 addressable IDs. */
START_TEST(test_intel_five_cpus)
{
	struct kvm_cpuid2 *c = table(intel_in, ARRAY_SIZE(intel_in));

	x86_cpuid_topology(c, MAX_ENTRIES, 4, 5);
	ck_assert_uint_eq((leaf(c, 1, 0)->ebx >> 16) & 0xff, 8);
	ck_assert_uint_eq(leaf(c, 4, 1)->eax >> 26, 7);
	ck_assert_uint_eq(leaf(c, 0xb, 1)->eax & 0x1f, 3);
	ck_assert_uint_eq(ext_topology_cpus(c, 0xb, 4), 5);
	free(c);
}
END_TEST

/* One CPU: what x86_filter_cpuid alone said, and 0xB says one CPU. */
START_TEST(test_one_cpu)
{
	struct kvm_cpuid2 *c = table(intel_in, ARRAY_SIZE(intel_in));
	struct kvm_cpuid2 *ref = table(intel_in, ARRAY_SIZE(intel_in));

	x86_filter_cpuid(c);
	x86_filter_cpuid(ref);
	x86_cpuid_topology(c, MAX_ENTRIES, 0, 1);
	ck_assert(memcmp(leaf(c, 1, 0), leaf(ref, 1, 0),
			 sizeof(struct kvm_cpuid_entry2)) == 0);
	ck_assert_uint_eq(leaf(c, 4, 0)->eax >> 26, 0);
	ck_assert_uint_eq(ext_topology_cpus(c, 0xb, 0), 1);
	free(c);
	free(ref);
}
END_TEST

START_TEST(test_amd_eight_cpus)
{
	struct kvm_cpuid2 *c = table(amd_in, ARRAY_SIZE(amd_in));
	const struct kvm_cpuid_entry2 *e;

	x86_filter_cpuid(c);
	x86_cpuid_topology(c, MAX_ENTRIES, 6, 8);
	e = leaf(c, 1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 6);
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 8);
	ck_assert_uint_eq(e->edx & HTT, HTT);
	ck_assert_uint_eq(leaf(c, 4, 0)->eax, 0x1234);	/* not Intel's */
	ck_assert_uint_eq(leaf(c, 0x80000001, 0)->ecx & 2, 2);	/* CmpLegacy */
	e = leaf(c, 0x80000008, 0);
	ck_assert_uint_eq(e->ecx & 0xff, 7);		/* NC: cores - 1 */
	ck_assert_uint_eq((e->ecx >> 12) & 0xf, 3);	/* ApicIdSize */
	ck_assert_uint_eq(e->ecx >> 16, amd_in[4].ecx >> 16);
	e = leaf(c, 0x8000001e, 0);
	ck_assert_uint_eq(e->eax, 6);			/* extended APIC ID */
	ck_assert_uint_eq(e->ebx & 0xff, 6);		/* core ID */
	ck_assert_uint_eq((e->ebx >> 8) & 0xff, 0);	/* 1 thread per core */
	ck_assert_uint_eq(e->ecx & 0x7ff, 0);		/* node 0 of 1 */
	free(c);
}
END_TEST

START_TEST(test_amd_one_cpu)
{
	struct kvm_cpuid2 *c = table(amd_in, ARRAY_SIZE(amd_in));

	x86_cpuid_topology(c, MAX_ENTRIES, 0, 1);
	ck_assert_uint_eq(leaf(c, 1, 0)->edx & HTT, 0);
	ck_assert_uint_eq(leaf(c, 0x80000001, 0)->ecx & 2, 0);
	ck_assert_uint_eq(leaf(c, 0x80000008, 0)->ecx & 0xf0ff, 0);
	free(c);
}
END_TEST

/* A full table gets no subleaves written past its end. */
START_TEST(test_full_table)
{
	struct kvm_cpuid2 *c = table(intel_in, ARRAY_SIZE(intel_in));

	c->entries[c->nent].function = 0xdead;
	x86_cpuid_topology(c, c->nent, 1, 2);
	ck_assert_uint_eq(c->nent, ARRAY_SIZE(intel_in));
	ck_assert_uint_eq(c->entries[c->nent].function, 0xdead);
	ck_assert_uint_eq(leaf(c, 0xb, 0)->edx, 1);
	free(c);
}
END_TEST

static Suite *topology_suite(void)
{
	Suite *s = suite_create("cpu_topology");
	TCase *t = tcase_create("cpuid");

	tcase_add_test(t, test_intel_four_cpus);
	tcase_add_test(t, test_intel_five_cpus);
	tcase_add_test(t, test_one_cpu);
	tcase_add_test(t, test_amd_eight_cpus);
	tcase_add_test(t, test_amd_one_cpu);
	tcase_add_test(t, test_full_table);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(topology_suite());
}
