// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walks (x86_translate): paging off, 32-bit paging with
 * 4 KiB, 4 MiB and PSE-36 pages, PAE, 4- and 5-level paging with 2 MiB
 * and 1 GiB pages; accessed and dirty bits; and each page fault with its
 * error code: not present, protection (R/W, U/S, WP, SMAP, SMEP, NX) and
 * reserved bits.
 */
#include "test_emulate_fake.h"

#define LIN	0x00007f1234567000ULL	/* PML4 254, PDPT 72, PD 162, PT 359 */
#define FRAME	0x123000ULL
#define ALL	(PTE_P | PTE_RW | PTE_US)

static uint64_t gpa;
static struct x86_fault fault;

static enum x86_emu_status translate(uint64_t lin, unsigned int access)
{
	gpa = ~0ULL;
	memset(&fault, 0, sizeof(fault));
	return x86_translate(&cpu, &fake_ops, &fm, lin, access, &gpa, &fault);
}

static void expect_gpa(uint64_t lin, unsigned int access, uint64_t want)
{
	ck_assert_int_eq(translate(lin, access), X86_EMU_OK);
	ck_assert_uint_eq(gpa, want);
}

static void expect_pf(uint64_t lin, unsigned int access, uint32_t code)
{
	ck_assert_int_eq(translate(lin, access), X86_EMU_FAULT);
	ck_assert_uint_eq(fault.vector, X86_VEC_PF);
	ck_assert(fault.has_error_code);
	ck_assert_uint_eq(fault.address, lin);
	ck_assert_msg(fault.error_code == code, "error code %#x, expected %#x",
		      fault.error_code, code);
}

/* 4-level tables of our own, so every entry's address is known. */
static void paging_setup(void)
{
	fake_setup();
	cpu.cr3 = fake_table();
}

/* The 8-byte entry for `lin` at `level` (4 = PML4) under cr3. */
static uint64_t entry_addr(uint64_t lin, unsigned int level)
{
	uint64_t t = cpu.cr3 & ~0xfffULL;
	unsigned int l;

	for (l = 4; l > level; l--)
		t = ram_get(t + 8 * ((lin >> (12 + 9 * (l - 1))) & 0x1ff), 8) &
		    0x000ffffffffff000ULL;
	return t + 8 * ((lin >> (12 + 9 * (level - 1))) & 0x1ff);
}

static uint64_t entry(uint64_t lin, unsigned int level)
{
	return ram_get(entry_addr(lin, level), 8);
}

static void set_entry(uint64_t lin, unsigned int level, uint64_t v)
{
	ram_put(entry_addr(lin, level), 8, v);
}

/* ------------------------------------------------------------------ */
/* Long mode                                                           */
/* ------------------------------------------------------------------ */

START_TEST(test_paging_off)
{
	cpu_flat(true);
	expect_gpa(0x123456789ULL, X86_ACCESS_WRITE, 0x23456789);
	ck_assert_uint_eq(fm.accesses, 0);
}
END_TEST

START_TEST(test_4k_pages)
{
	map_4k(cpu.cr3, LIN, FRAME, PTE_P | PTE_RW);
	expect_gpa(LIN + 0x89, 0, FRAME + 0x89);
	expect_gpa(LIN + 0xfff, X86_ACCESS_WRITE, FRAME + 0xfff);
	/* Bits 62:52 are the OS's, not part of the address. */
	set_entry(LIN, 1, FRAME | PTE_P | (0x7ffULL << 52));
	expect_gpa(LIN + 8, 0, FRAME + 8);
}
END_TEST

START_TEST(test_accessed_and_dirty)
{
	unsigned int level;

	map_4k(cpu.cr3, LIN, FRAME, PTE_P | PTE_RW);
	expect_gpa(LIN, 0, FRAME);
	for (level = 1; level <= 4; level++)
		ck_assert_msg(entry(LIN, level) & PTE_A, "level %u", level);
	ck_assert(!(entry(LIN, 1) & PTE_D));
	expect_gpa(LIN, X86_ACCESS_WRITE, FRAME);
	ck_assert(entry(LIN, 1) & PTE_D);
	ck_assert(!(entry(LIN, 2) & PTE_D));	/* only the leaf */
	/* A fault sets nothing. */
	set_entry(LIN, 1, FRAME | PTE_P);
	set_entry(LIN, 2, entry(LIN, 2) & ~PTE_A);
	expect_pf(LIN, X86_ACCESS_WRITE, X86_PF_PROT | X86_PF_WRITE);
	ck_assert(!(entry(LIN, 2) & PTE_A));
}
END_TEST

START_TEST(test_2m_and_1g_pages)
{
	uint64_t lin2m = 0x40200000ULL, lin1g = 0x80000000ULL;

	map_4k(cpu.cr3, lin2m, 0, PTE_P);	/* builds the upper levels */
	set_entry(lin2m, 2, 0x600000 | PTE_P | PTE_PS | (1ULL << 12));
	expect_gpa(lin2m + 0x12345, 0, 0x612345);	/* bit 12 is PAT */
	ck_assert(entry(lin2m, 2) & PTE_A);

	map_4k(cpu.cr3, lin1g, 0, PTE_P);
	set_entry(lin1g, 3, 0x40000000ULL | PTE_P | PTE_RW | PTE_PS);
	expect_gpa(lin1g + 0x2345678, X86_ACCESS_WRITE, 0x42345678ULL);
	ck_assert(entry(lin1g, 3) & PTE_D);
}
END_TEST

START_TEST(test_5_level)
{
	uint64_t lin = 0x00a3456789abc000ULL;	/* canonical in 57 bits */
	uint64_t pml5 = fake_table(), pml4 = cpu.cr3;

	cpu.cr4 |= X86_CR4_LA57;
	cpu.cr3 = pml5;
	ram_put(pml5 + 8 * ((lin >> 48) & 0x1ff), 8, pml4 | ALL);
	map_4k(pml4, lin, FRAME, PTE_P);
	expect_gpa(lin + 0x10, 0, FRAME + 0x10);
	ck_assert(ram_get(pml5 + 8 * ((lin >> 48) & 0x1ff), 8) & PTE_A);
	/* PS is reserved in a PML5E, as in a PML4E. */
	ram_put(pml5 + 8 * ((lin >> 48) & 0x1ff), 8, pml4 | ALL | PTE_PS);
	expect_pf(lin, 0, X86_PF_PROT | X86_PF_RSVD);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Faults                                                              */
/* ------------------------------------------------------------------ */

START_TEST(test_not_present)
{
	expect_pf(LIN, 0, 0);			/* empty PML4 */
	expect_pf(LIN, X86_ACCESS_WRITE, X86_PF_WRITE);
	cpu.cpl = 3;
	expect_pf(LIN, X86_ACCESS_WRITE | X86_ACCESS_USER,
		  X86_PF_WRITE | X86_PF_USER);
	map_4k(cpu.cr3, LIN, FRAME, 0);		/* leaf not present */
	expect_pf(LIN + 4, 0, 0);
}
END_TEST

START_TEST(test_write_protect)
{
	map_4k(cpu.cr3, LIN, FRAME, PTE_P);
	expect_pf(LIN, X86_ACCESS_WRITE, X86_PF_PROT | X86_PF_WRITE);
	cpu.cr0 &= ~(uint64_t)X86_CR0_WP;	/* the kernel may write */
	expect_gpa(LIN, X86_ACCESS_WRITE, FRAME);
	/* ...but not user mode, WP or not */
	set_entry(LIN, 1, FRAME | PTE_P | PTE_US);
	expect_pf(LIN, X86_ACCESS_WRITE | X86_ACCESS_USER,
		  X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
	/* Read-only at an upper level is read-only. */
	cpu.cr0 |= X86_CR0_WP;
	set_entry(LIN, 1, FRAME | ALL);
	set_entry(LIN, 3, entry(LIN, 3) & ~PTE_RW);
	expect_pf(LIN, X86_ACCESS_WRITE, X86_PF_PROT | X86_PF_WRITE);
	expect_gpa(LIN, 0, FRAME);
}
END_TEST

START_TEST(test_user_supervisor)
{
	map_4k(cpu.cr3, LIN, FRAME, PTE_P | PTE_RW);
	expect_pf(LIN, X86_ACCESS_USER, X86_PF_PROT | X86_PF_USER);
	set_entry(LIN, 1, FRAME | ALL);
	expect_gpa(LIN, X86_ACCESS_USER | X86_ACCESS_WRITE, FRAME);
	set_entry(LIN, 4, entry(LIN, 4) & ~PTE_US);	/* any level counts */
	expect_pf(LIN, X86_ACCESS_USER, X86_PF_PROT | X86_PF_USER);
}
END_TEST

START_TEST(test_smap)
{
	map_4k(cpu.cr3, LIN, FRAME, ALL);
	cpu.cr4 |= X86_CR4_SMAP;
	expect_pf(LIN, 0, X86_PF_PROT);
	cpu.rflags |= X86_EFLAGS_AC;		/* stac */
	expect_gpa(LIN, X86_ACCESS_WRITE, FRAME);
	/* The CPU's own accesses (a TSS) ignore AC. */
	expect_pf(LIN, X86_ACCESS_IMPLICIT, X86_PF_PROT);
	/* User mode is not affected. */
	expect_gpa(LIN, X86_ACCESS_USER, FRAME);
}
END_TEST

START_TEST(test_fetch_nx_smep)
{
	map_4k(cpu.cr3, LIN, FRAME, PTE_P | PTE_NX);
	expect_pf(LIN, X86_ACCESS_FETCH, X86_PF_PROT | X86_PF_INSTR);
	expect_gpa(LIN, 0, FRAME);		/* data reads are fine */
	set_entry(LIN, 1, FRAME | ALL);
	expect_gpa(LIN, X86_ACCESS_FETCH, FRAME);
	cpu.cr4 |= X86_CR4_SMEP;
	expect_pf(LIN, X86_ACCESS_FETCH, X86_PF_PROT | X86_PF_INSTR);
	expect_gpa(LIN, X86_ACCESS_FETCH | X86_ACCESS_USER, FRAME);
	set_entry(LIN, 1, FRAME | PTE_P | PTE_RW);
	expect_pf(LIN, X86_ACCESS_FETCH | X86_ACCESS_USER,
		  X86_PF_PROT | X86_PF_USER | X86_PF_INSTR);
}
END_TEST

static const struct {
	const char *name;
	unsigned int level;
	uint64_t bits;
} reserved[] = {
	{ "NX without EFER.NXE", 1, PTE_NX },
	{ "address bit 46 (MAXPHYADDR 46)", 1, 1ULL << 46 },
	{ "address bit 51", 2, 1ULL << 51 },
	{ "PS in a PML4E", 4, PTE_PS },
	{ "2 MiB page, bit 13", 2, PTE_PS | (1ULL << 13) },
	{ "2 MiB page, bit 20", 2, PTE_PS | (1ULL << 20) },
	{ "1 GiB page, bit 29", 3, PTE_PS | (1ULL << 29) },
};

START_TEST(test_reserved_bits)
{
	map_4k(cpu.cr3, LIN, FRAME, PTE_P | PTE_RW);
	if (reserved[_i].bits == PTE_NX)
		cpu.efer &= ~X86_EFER_NXE;
	set_entry(LIN, reserved[_i].level,
		  entry(LIN, reserved[_i].level) | reserved[_i].bits);
	ck_assert_int_eq(translate(LIN, X86_ACCESS_WRITE), X86_EMU_FAULT);
	ck_assert_msg(fault.error_code ==
			      (X86_PF_PROT | X86_PF_RSVD | X86_PF_WRITE),
		      "%s: error code %#x", reserved[_i].name,
		      fault.error_code);
}
END_TEST

START_TEST(test_table_read_fails)
{
	map_4k(cpu.cr3, LIN, FRAME, PTE_P);
	fm.fail_at = 3;
	ck_assert_int_eq(translate(LIN, 0), X86_EMU_ERROR);
}
END_TEST

/* ------------------------------------------------------------------ */
/* PAE and 32-bit paging                                               */
/* ------------------------------------------------------------------ */

#define PT_ROOT	0x20000ULL
#define PT_DIR	0x21000ULL
#define PT_TAB	0x22000ULL
#define LIN32	0xc0801234ULL

static void legacy_paging(bool pae)
{
	cpu_flat(true);
	cpu.cr0 |= X86_CR0_PG | X86_CR0_WP;
	if (pae)
		cpu.cr4 |= X86_CR4_PAE;
	cpu.cr3 = PT_ROOT;
}

START_TEST(test_pae)
{
	legacy_paging(true);
	cpu.cr3 = PT_ROOT + 0x20;		/* 32-byte aligned PDPT */
	ram_put(PT_ROOT + 0x20 + 8 * 3, 8, PT_DIR | PTE_P);
	ram_put(PT_DIR + 8 * 4, 8, PT_TAB | ALL);
	ram_put(PT_TAB + 8 * 1, 8, FRAME | ALL);
	expect_gpa(LIN32, X86_ACCESS_WRITE, FRAME + 0x234);
	ck_assert(ram_get(PT_TAB + 8, 8) & PTE_D);
	ck_assert(!(ram_get(PT_ROOT + 0x38, 8) & PTE_A)); /* no A in PDPTEs */
	/* a 2 MiB page */
	ram_put(PT_DIR + 8 * 4, 8, 0x400000 | ALL | PTE_PS);
	expect_gpa(LIN32, 0, 0x401234);
	/* the upper half of the linear address plays no part */
	expect_gpa(0xffffffff00000000ULL | LIN32, 0, 0x401234);
}
END_TEST

START_TEST(test_pae_faults)
{
	legacy_paging(true);
	ram_put(PT_ROOT + 8 * 3, 8, PT_DIR | PTE_P | PTE_RW);	/* bit 1 */
	expect_pf(LIN32, 0, X86_PF_PROT | X86_PF_RSVD);
	ram_put(PT_ROOT + 8 * 3, 8, PT_DIR);
	expect_pf(LIN32, 0, 0);
	ram_put(PT_ROOT + 8 * 3, 8, PT_DIR | PTE_P);
	ram_put(PT_DIR + 8 * 4, 8, PT_TAB | ALL);
	ram_put(PT_TAB + 8, 8, FRAME | PTE_P | PTE_NX);
	expect_pf(LIN32, 0, X86_PF_PROT | X86_PF_RSVD);	/* NXE off */
	cpu.efer |= X86_EFER_NXE;
	expect_pf(LIN32, X86_ACCESS_FETCH, X86_PF_PROT | X86_PF_INSTR);
	expect_gpa(LIN32, 0, FRAME + 0x234);
}
END_TEST

START_TEST(test_32bit_paging)
{
	legacy_paging(false);
	ram_put(PT_ROOT + 4 * 0x302, 4, PT_TAB | ALL);
	ram_put(PT_TAB + 4 * 1, 4, FRAME | ALL);
	expect_gpa(LIN32, X86_ACCESS_WRITE, FRAME + 0x234);
	ck_assert_uint_eq(ram_get(PT_TAB + 4, 4), FRAME | ALL | PTE_A | PTE_D);
	ck_assert_uint_eq(ram_get(PT_ROOT + 4 * 0x302, 4),
			  PT_TAB | ALL | PTE_A);
	/* PS without CR4.PSE: still a page table */
	ram_put(PT_ROOT + 4 * 0x302, 4, PT_TAB | ALL | PTE_PS);
	expect_gpa(LIN32, 0, FRAME + 0x234);
	/* a 4 MiB page, and PSE-36's high address bits */
	cpu.cr4 |= X86_CR4_PSE;
	ram_put(PT_ROOT + 4 * 0x302, 4, 0x00c00000 | ALL | PTE_PS);
	expect_gpa(LIN32, 0, 0x00c01234);
	ram_put(PT_ROOT + 4 * 0x302, 4, 0x00c00000 | (3 << 13) | ALL | PTE_PS);
	expect_gpa(LIN32, 0, 0x300c01234ULL);
	/* ...only as far as MAXPHYADDR goes (36 here) */
	ram_put(PT_ROOT + 4 * 0x302, 4,
		0x00c00000 | (0x10 << 13) | ALL | PTE_PS);
	expect_pf(LIN32, 0, X86_PF_PROT | X86_PF_RSVD);
	ram_put(PT_ROOT + 4 * 0x302, 4, 0x00c00000 | (1 << 21) | ALL | PTE_PS);
	expect_pf(LIN32, 0, X86_PF_PROT | X86_PF_RSVD);
}
END_TEST

START_TEST(test_32bit_faults)
{
	legacy_paging(false);
	expect_pf(LIN32, X86_ACCESS_WRITE, X86_PF_WRITE);
	ram_put(PT_ROOT + 4 * 0x302, 4, PT_TAB | PTE_P | PTE_RW);
	ram_put(PT_TAB + 4 * 1, 4, FRAME | ALL);
	expect_pf(LIN32, X86_ACCESS_USER, X86_PF_PROT | X86_PF_USER);
	/* no NX in 32-bit paging: bit 63 does not exist */
	cpu.efer |= X86_EFER_NXE;
	expect_gpa(LIN32, X86_ACCESS_FETCH, FRAME + 0x234);
}
END_TEST

/* Through the executor: a store to an unmapped page is the guest's #PF. */
START_TEST(test_executor_page_fault)
{
	cpu_long_mode();
	cpu.gpr[X86_RDI] = LIN;
	EMULATE(X86_EMU_FAULT, 0x89, 0x07);
	expect_fault(X86_VEC_PF, X86_PF_WRITE);
	ck_assert_uint_eq(res.fault.address, LIN);
	ck_assert(res.fault.has_error_code);
}
END_TEST

static Suite *paging_suite(void)
{
	Suite *s = suite_create("emulate_paging");
	TCase *t = tcase_create("long mode");

	tcase_add_checked_fixture(t, paging_setup, fake_teardown);
	tcase_add_test(t, test_paging_off);
	tcase_add_test(t, test_4k_pages);
	tcase_add_test(t, test_accessed_and_dirty);
	tcase_add_test(t, test_2m_and_1g_pages);
	tcase_add_test(t, test_5_level);
	suite_add_tcase(s, t);

	t = tcase_create("faults");
	tcase_add_checked_fixture(t, paging_setup, fake_teardown);
	tcase_add_test(t, test_not_present);
	tcase_add_test(t, test_write_protect);
	tcase_add_test(t, test_user_supervisor);
	tcase_add_test(t, test_smap);
	tcase_add_test(t, test_fetch_nx_smep);
	tcase_add_loop_test(t, test_reserved_bits, 0, ARRAY_SIZE(reserved));
	tcase_add_test(t, test_table_read_fails);
	tcase_add_test(t, test_executor_page_fault);
	suite_add_tcase(s, t);

	t = tcase_create("legacy");
	tcase_add_checked_fixture(t, paging_setup, fake_teardown);
	tcase_add_test(t, test_pae);
	tcase_add_test(t, test_pae_faults);
	tcase_add_test(t, test_32bit_paging);
	tcase_add_test(t, test_32bit_faults);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(paging_suite());
}
