// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page tables, walked as the CPU walks them (SDM volume 3, chapter
 * 4): 32-bit paging with 4 MiB pages, PAE, and 4- or 5-level long-mode
 * paging with 2 MiB and 1 GiB pages.  The tables are guest memory, read
 * through the caller's callbacks like any other access, and every entry
 * is untrusted: a walk that meets a bad entry ends in the page fault the
 * guest would have taken, with the error code the CPU would have given.
 */
#include "emulate_internal.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define PDPTE_RSVD	0x1e6ULL	/* PAE PDPTE bits 1, 2, 5-8 */
#define PSE36_RSVD	(1ULL << 21)	/* 32-bit 4 MiB PDE */
#define PHYS_BITS_MAX	52
#define MAX_LEVELS	5
#define PAGE_SHIFT	12

/* One walk: the paging mode's shape and what the levels said so far. */
struct walk {
	const struct x86_cpu *cpu;
	const struct x86_mem_ops *ops;
	void *opaque;
	uint64_t linear;
	unsigned int access;

	unsigned int levels;	/* 2 (32-bit), 3 (PAE), 4 or 5 */
	unsigned int entry_size;	/* 4 or 8 bytes */
	unsigned int index_bits;	/* 10 or 9 */

	unsigned int used;	/* entries that get accessed/dirty bits */
	uint64_t entry_gpa[MAX_LEVELS], entry[MAX_LEVELS];
	bool writable, user, no_exec;
	uint64_t page_base;
	unsigned int page_shift;
};

static unsigned int phys_bits(const struct x86_cpu *cpu)
{
	unsigned int bits = cpu->maxphyaddr;

	return bits && bits < PHYS_BITS_MAX ? bits : PHYS_BITS_MAX;
}

/* Address bits [51:MAXPHYADDR] of a 64-bit entry must be zero. */
static uint64_t above_phys_bits(const struct x86_cpu *cpu)
{
	return ((1ULL << PHYS_BITS_MAX) - 1) & ~((1ULL << phys_bits(cpu)) - 1);
}

static uint64_t frame_mask(void)
{
	return ((1ULL << PHYS_BITS_MAX) - 1) & ~((1ULL << PAGE_SHIFT) - 1);
}

static void set_format(struct walk *w)
{
	const struct x86_cpu *cpu = w->cpu;

	if (cpu->efer & X86_EFER_LMA) {
		w->levels = cpu->cr4 & X86_CR4_LA57 ? 5 : 4;
		w->entry_size = 8;
		w->index_bits = 9;
	} else if (cpu->cr4 & X86_CR4_PAE) {
		w->levels = 3;
		w->entry_size = 8;
		w->index_bits = 9;
	} else {
		w->levels = 2;
		w->entry_size = 4;
		w->index_bits = 10;
	}
}

static uint64_t root_table(const struct walk *w)
{
	if (w->levels == 2)
		return w->cpu->cr3 & 0xfffff000ULL;
	if (w->levels == 3)
		return w->cpu->cr3 & 0xffffffe0ULL;
	return w->cpu->cr3 & frame_mask();
}

static unsigned int level_shift(const struct walk *w, unsigned int level)
{
	return PAGE_SHIFT + w->index_bits * (level - 1);
}

static uint64_t entry_address(const struct walk *w, uint64_t table,
			      unsigned int level)
{
	uint64_t index = w->linear >> level_shift(w, level);

	if (w->levels == 3 && level == 3)
		index &= 3;	/* PAE: four PDPTEs */
	else
		index &= (1ULL << w->index_bits) - 1;
	return table + index * w->entry_size;
}

static bool is_pae_pdpte(const struct walk *w, unsigned int level)
{
	return w->levels == 3 && level == 3;
}

/* A leaf above level 1: 4 MiB, 2 MiB or 1 GiB. */
static bool is_large_page(const struct walk *w, unsigned int level,
			  uint64_t entry)
{
	if (!(entry & PTE_PS) || is_pae_pdpte(w, level))
		return false;
	if (w->entry_size == 4)
		return level == 2 && w->cpu->cr4 & X86_CR4_PSE;
	return level == 2 || level == 3;
}

/* 32-bit paging's 4 MiB PDE: bits 20:13 hold physical bits 39:32. */
static uint64_t pse36_reserved(const struct walk *w)
{
	unsigned int bits = phys_bits(w->cpu);
	uint64_t high = 0xff;

	if (bits >= 40)
		high = 0;
	else if (bits > 32)
		high = (0xffULL << (bits - 32)) & 0xff;
	return PSE36_RSVD | high << 13;
}

static uint64_t reserved_bits(const struct walk *w, unsigned int level,
			      uint64_t entry)
{
	uint64_t rsvd;

	if (w->entry_size == 4)
		return is_large_page(w, level, entry) ? pse36_reserved(w) : 0;
	rsvd = above_phys_bits(w->cpu);
	if (!(w->cpu->efer & X86_EFER_NXE) || is_pae_pdpte(w, level))
		rsvd |= PTE_NX;
	if (is_pae_pdpte(w, level))
		rsvd |= PDPTE_RSVD;
	else if (level >= 4)
		rsvd |= PTE_PS;
	else if (is_large_page(w, level, entry))	/* bits 12 (PAT) up */
		rsvd |= ((1ULL << level_shift(w, level)) - 1) &
			~((1ULL << (PAGE_SHIFT + 1)) - 1);
	return rsvd;
}

static uint64_t large_page_base(const struct walk *w, unsigned int level,
				uint64_t entry)
{
	uint64_t size_mask = (1ULL << level_shift(w, level)) - 1;

	if (w->entry_size == 4)
		return (entry & 0xffc00000ULL) | ((entry >> 13) & 0xff) << 32;
	return entry & frame_mask() & ~size_mask;
}

static uint64_t next_table(const struct walk *w, uint64_t entry)
{
	if (w->entry_size == 4)
		return entry & 0xfffff000ULL;
	return entry & frame_mask();
}

static uint32_t fault_code(const struct walk *w)
{
	const struct x86_cpu *cpu = w->cpu;
	uint32_t code = 0;

	if (w->access & X86_ACCESS_WRITE)
		code |= X86_PF_WRITE;
	if (w->access & X86_ACCESS_USER)
		code |= X86_PF_USER;
	if (w->access & X86_ACCESS_FETCH &&
	    (cpu->efer & X86_EFER_NXE || cpu->cr4 & X86_CR4_SMEP))
		code |= X86_PF_INSTR;
	return code;
}

static enum x86_emu_status page_fault(const struct walk *w, uint32_t extra,
				      struct x86_fault *fault)
{
	*fault = (struct x86_fault){ .vector = X86_VEC_PF,
				     .has_error_code = true,
				     .error_code = fault_code(w) | extra,
				     .address = w->linear };
	return X86_EMU_FAULT;
}

static enum x86_emu_status read_entry(const struct walk *w, uint64_t gpa,
				      uint64_t *entry)
{
	uint8_t buf[8];

	if (w->ops->read(w->opaque, gpa, buf, w->entry_size))
		return X86_EMU_ERROR;
	*entry = emu_load_le(buf, w->entry_size);
	return X86_EMU_OK;
}

static void note_entry(struct walk *w, uint64_t gpa, uint64_t entry)
{
	w->entry_gpa[w->used] = gpa;
	w->entry[w->used] = entry;
	w->used++;
	w->writable &= !!(entry & PTE_RW);
	w->user &= !!(entry & PTE_US);
	if (w->cpu->efer & X86_EFER_NXE && w->entry_size == 8)
		w->no_exec |= !!(entry & PTE_NX);
}

/* Down the levels to the leaf; the fault, if any, is not-present/RSVD. */
static enum x86_emu_status walk_tables(struct walk *w, struct x86_fault *f)
{
	uint64_t table = root_table(w), gpa, entry;
	unsigned int level;

	for (level = w->levels; level >= 1; level--) {
		gpa = entry_address(w, table, level);
		if (read_entry(w, gpa, &entry))
			return X86_EMU_ERROR;
		if (!(entry & PTE_P))
			return page_fault(w, 0, f);
		if (entry & reserved_bits(w, level, entry))
			return page_fault(w, X86_PF_PROT | X86_PF_RSVD, f);
		if (is_pae_pdpte(w, level)) {
			table = next_table(w, entry);
			continue;
		}
		note_entry(w, gpa, entry);
		if (level > 1 && is_large_page(w, level, entry)) {
			w->page_shift = level_shift(w, level);
			w->page_base = large_page_base(w, level, entry);
			return X86_EMU_OK;
		}
		table = next_table(w, entry);
	}
	w->page_shift = PAGE_SHIFT;
	w->page_base = next_table(w, entry);
	return X86_EMU_OK;
}

/* The U/S, R/W, NX, SMEP and SMAP rules for the access. */
static bool permitted(const struct walk *w)
{
	const struct x86_cpu *cpu = w->cpu;
	bool write = w->access & X86_ACCESS_WRITE;
	bool user = w->access & X86_ACCESS_USER;
	bool smap_applies = w->access & X86_ACCESS_IMPLICIT ||
			    !(cpu->rflags & X86_EFLAGS_AC);

	if (w->access & X86_ACCESS_FETCH) {
		if (w->no_exec)
			return false;
		return user ? w->user : !(w->user && cpu->cr4 & X86_CR4_SMEP);
	}
	if (user)
		return w->user && (w->writable || !write);
	if (write && !w->writable && cpu->cr0 & X86_CR0_WP)
		return false;
	return !(w->user && cpu->cr4 & X86_CR4_SMAP && smap_applies);
}

static int set_bits(const struct walk *w, unsigned int i, uint64_t bits)
{
	uint8_t buf[8];

	if ((w->entry[i] & bits) == bits)
		return 0;
	emu_store_le(buf, w->entry_size, w->entry[i] | bits);
	return w->ops->write(w->opaque, w->entry_gpa[i], buf, w->entry_size);
}

/* Accessed on every level used, dirty on the leaf when writing. */
static enum x86_emu_status mark_accessed(const struct walk *w)
{
	unsigned int leaf = w->used - 1, i;
	uint64_t dirty = w->access & X86_ACCESS_WRITE ? PTE_D : 0;

	for (i = 0; i < w->used; i++)
		if (set_bits(w, i, PTE_A | (i == leaf ? dirty : 0)))
			return X86_EMU_ERROR;
	return X86_EMU_OK;
}

enum x86_emu_status x86_translate(const struct x86_cpu *cpu,
				  const struct x86_mem_ops *ops, void *opaque,
				  uint64_t linear, unsigned int access,
				  uint64_t *gpa, struct x86_fault *fault)
{
	struct walk w = { .cpu = cpu, .ops = ops, .opaque = opaque,
			  .linear = linear, .access = access,
			  .writable = true, .user = true };
	enum x86_emu_status s;

	if (!(cpu->cr0 & X86_CR0_PG)) {
		*gpa = linear & 0xffffffffULL;
		return X86_EMU_OK;
	}
	if (!(cpu->efer & X86_EFER_LMA))
		w.linear &= 0xffffffffULL;
	set_format(&w);
	s = walk_tables(&w, fault);
	if (s)
		return s;
	if (!permitted(&w))
		return page_fault(&w, X86_PF_PROT, fault);
	s = mark_accessed(&w);
	if (s)
		return s;
	*gpa = w.page_base + (w.linear & ((1ULL << w.page_shift) - 1));
	return X86_EMU_OK;
}
