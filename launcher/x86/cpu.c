// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "cpu.h"
#include "layout.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

_Static_assert(LAYOUT_IDT >= LAYOUT_GDT + 5 * 8, "IDT overlaps the boot GDT");

#define PTE_PRESENT	0x1ULL
#define PTE_RW		0x2ULL
#define PTE_HUGE	0x80ULL
#define HUGE_PAGE	0x200000ULL

/* GDT descriptors: flat 4 GiB code (64- or 32-bit), data and a TSS. */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_CODE32	0x00cf9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define GDT_TSS		0x00008b0000000067ULL

#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

#define MISC_ENABLE_FAST_STRING	0x1ULL
#define MTRR_ENABLE_WB		0x806ULL /* MTRRs on, default write-back */

static void write_u64s(uint64_t *dst, const uint64_t *src, unsigned int n)
{
	memcpy(dst, src, n * sizeof(*src));
}

/*
 * The long-mode entry wants paging on, so map the first 4 GiB 1:1 with
 * 2 MiB pages: enough for a kernel and initrd anywhere below the hole,
 * and for the MMIO devices above it.  Linux replaces these at once.
 */
static int write_identity_map(const struct guest_mem *m)
{
	uint64_t *pml4 = gmem_ptr(m, LAYOUT_PML4, 4096);
	uint64_t *pdpt = gmem_ptr(m, LAYOUT_PDPT, 4096);
	uint64_t *pd = gmem_ptr(m, LAYOUT_PD, 4096 * LAYOUT_PD_COUNT);
	unsigned int i;

	if (!pml4 || !pdpt || !pd)
		return -1;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = LAYOUT_PDPT | PTE_PRESENT | PTE_RW;
	for (i = 0; i < LAYOUT_PD_COUNT; i++)
		pdpt[i] = (LAYOUT_PD + i * 4096ULL) | PTE_PRESENT | PTE_RW;
	for (i = 0; i < 512 * LAYOUT_PD_COUNT; i++)
		pd[i] = (i * HUGE_PAGE) | PTE_PRESENT | PTE_RW | PTE_HUGE;
	return 0;
}

int x86_write_boot_tables(const struct guest_mem *m, enum entry_mode mode)
{
	uint64_t gdt[5] = { 0, 0, mode == ENTRY_64BIT ? GDT_CODE64 : GDT_CODE32,
			    GDT_DATA, GDT_TSS };
	uint64_t *gdt_mem = gmem_ptr(m, LAYOUT_GDT, sizeof(gdt));
	uint64_t *idt_mem = gmem_ptr(m, LAYOUT_IDT, 8);

	if (!gdt_mem || !idt_mem)
		return -1;
	write_u64s(gdt_mem, gdt, 5);
	*idt_mem = 0;
	if (mode == ENTRY_64BIT)
		return write_identity_map(m);
	return 0;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector,
		.type = type, .present = 1, .dpl = 0, .db = 1, .s = 1,
		.l = 0, .g = 1,
	};
}

/* Segment caches must match the GDT entries we wrote, as if loaded. */
void x86_boot_sregs(struct kvm_sregs *s, enum entry_mode mode)
{
	struct kvm_segment code = flat_segment(BOOT_CS, 0xb);
	struct kvm_segment data = flat_segment(BOOT_DS, 0x3);

	if (mode == ENTRY_64BIT) {
		code.l = 1;
		code.db = 0;
	}
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct kvm_segment){ .base = 0, .limit = 0x67,
				      .selector = BOOT_TSS, .type = 0xb,
				      .present = 1 };
	s->ldt = (struct kvm_segment){ .type = 0x2, .present = 1,
				       .unusable = 1 };
	s->gdt.base = LAYOUT_GDT;
	s->gdt.limit = 5 * 8 - 1;
	s->idt.base = LAYOUT_IDT;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_ET | CR0_NE;
	s->cr4 = 0;
	s->efer = 0;
	s->cr3 = 0;
	if (mode == ENTRY_64BIT) {
		s->cr0 |= CR0_PG;
		s->cr3 = LAYOUT_PML4;
		s->cr4 = CR4_PAE;
		s->efer = EFER_LME | EFER_LMA;
	}
}

void x86_boot_regs(struct kvm_regs *r, const struct boot_setup *b)
{
	memset(r, 0, sizeof(*r));
	r->rflags = 0x2; /* bit 1 is always set; interrupts off */
	r->rip = b->entry;
	r->rsi = b->zero_page;
}

/*
 * Start from what KVM can do, then hide what this machine does not have:
 * it is a single-CPU guest (APIC ID 0, one logical processor), it has no
 * performance counters we back (leaf 0xA), no MONITOR/MWAIT, and it should
 * know it runs under a hypervisor so Linux picks kvmclock and friends.
 */
void x86_filter_cpuid(struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx &= 0x0000ffff;		/* APIC ID 0 */
			e->ebx |= 1U << 16;		/* one logical CPU */
			e->ecx &= ~(1U << 3);		/* no MONITOR */
			e->ecx |= 1U << 31;		/* hypervisor */
			e->edx &= ~(1U << 28);		/* no HTT */
			break;
		case 0xa:
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0xb:
		case 0x1f:
			e->edx = 0;			/* x2APIC ID 0 */
			break;
		}
	}
}

#define CPUID1_ECX_VMX		(1U << 5)
#define CPUID_EXT1_ECX_SVM	(1U << 2)
#define CPUID_SVM_FEATURES	0x8000000aU

/*
 * A guest with VMX or SVM can run guests of its own, and KVM's
 * emulation failures inside those are not ours to finish (their page
 * tables and exceptions belong to the guest's hypervisor), so nested
 * virtualisation is off unless asked for.  KVM refuses CR4.VMXE and
 * EFER.SVME to a guest whose CPUID lacks them.
 */
void x86_hide_nested_virt(struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ecx &= ~CPUID1_ECX_VMX;
		else if (e->function == 0x80000001)
			e->ecx &= ~CPUID_EXT1_ECX_SVM;
		else if (e->function == CPUID_SVM_FEATURES)
			e->eax = e->ebx = e->ecx = e->edx = 0;
	}
}

unsigned int x86_boot_msrs(struct kvm_msr_entry *e)
{
	static const struct {
		uint32_t index;
		uint64_t data;
	} msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },   { MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 },  { MSR_STAR, 0 },
		{ MSR_LSTAR, 0 },	       { MSR_CSTAR, 0 },
		{ MSR_SYSCALL_MASK, 0 },       { MSR_KERNEL_GS_BASE, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WB },
	};
	unsigned int i, n = sizeof(msrs) / sizeof(msrs[0]);

	for (i = 0; i < n; i++)
		e[i] = (struct kvm_msr_entry){ .index = msrs[i].index,
					       .data = msrs[i].data };
	return n;
}
