// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and string instructions in the emulator: IN/OUT in every width
 * and both port forms, the I/O permission bitmap, INS/OUTS/MOVS/STOS with
 * and without REP, the direction flag, address-size wrap, REP batches and
 * a page fault in the middle of a REP.
 */
#include "test_emulate_fake.h"

#define BUF	0x9000ULL
#define MMIO(off) (FAKE_MMIO_BASE + (off))
#define TSS	0x50000ULL
#define IOMAP	0x68

static void set_port(uint16_t port, uint32_t v)
{
	memcpy(fm.ports + port, &v, 4);
}

static void expect_log(unsigned int i, enum fake_kind kind, uint64_t addr,
		       unsigned int len)
{
	ck_assert_uint_gt(fm.nlog, i);
	ck_assert_uint_eq(fm.log[i].kind, kind);
	ck_assert_uint_eq(fm.log[i].addr, addr);
	ck_assert_uint_eq(fm.log[i].len, len);
}

/* ------------------------------------------------------------------ */
/* IN, OUT                                                             */
/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t bytes[3];
	unsigned int n;
	unsigned int len;
	uint64_t want_rax;	/* rax was 0xaaaa...; port holds 0x44332211 */
} ins[] = {
	{ "in al, 0x60", { 0xe4, 0x60 }, 2, 1, 0xaaaaaaaaaaaaaa11ULL },
	{ "in eax, 0x60", { 0xe5, 0x60 }, 2, 4, 0x44332211 },
	{ "in ax, 0x60", { 0x66, 0xe5, 0x60 }, 3, 2, 0xaaaaaaaaaaaa2211ULL },
	{ "rex.w in eax, 0x60", { 0x48, 0xe5, 0x60 }, 3, 4, 0x44332211 },
	{ "in al, dx", { 0xec }, 1, 1, 0xaaaaaaaaaaaaaa11ULL },
	{ "in eax, dx", { 0xed }, 1, 4, 0x44332211 },
	{ "in ax, dx", { 0x66, 0xed }, 2, 2, 0xaaaaaaaaaaaa2211ULL },
};

START_TEST(test_in)
{
	uint64_t rip = cpu.rip;

	set_port(0x60, 0x44332211);
	cpu.gpr[X86_RAX] = 0xaaaaaaaaaaaaaaaaULL;
	cpu.gpr[X86_RDX] = 0xffff0060;		/* only DX counts */
	emulate_expect(ins[_i].bytes, ins[_i].n, X86_EMU_OK);
	ck_assert_msg(cpu.gpr[X86_RAX] == ins[_i].want_rax, "%s: %#llx",
		      ins[_i].name, (unsigned long long)cpu.gpr[X86_RAX]);
	expect_log(0, PORT_IN, 0x60, ins[_i].len);
	ck_assert_uint_eq(cpu.rip, rip + ins[_i].n);
}
END_TEST

static const struct {
	const char *name;
	uint8_t bytes[3];
	unsigned int n;
	uint16_t port;
	unsigned int len;
} outs[] = {
	{ "out 0x80, al", { 0xe6, 0x80 }, 2, 0x80, 1 },
	{ "out 0x80, eax", { 0xe7, 0x80 }, 2, 0x80, 4 },
	{ "out 0x80, ax", { 0x66, 0xe7, 0x80 }, 3, 0x80, 2 },
	{ "out dx, al", { 0xee }, 1, 0x3f8, 1 },
	{ "out dx, ax", { 0x66, 0xef }, 2, 0x3f8, 2 },
	{ "out dx, eax", { 0xef }, 1, 0x3f8, 4 },
};

START_TEST(test_out)
{
	cpu.gpr[X86_RAX] = 0x1122334455667788ULL;
	cpu.gpr[X86_RDX] = 0x3f8;
	emulate_expect(outs[_i].bytes, outs[_i].n, X86_EMU_OK);
	expect_log(0, PORT_OUT, outs[_i].port, outs[_i].len);
	ck_assert_msg(memcmp(fm.log[0].data, "\x88\x77\x66\x55",
			     outs[_i].len) == 0,
		      "%s: wrong data", outs[_i].name);
}
END_TEST

/* CPL 3, IOPL 0: a TSS whose bitmap allows only ports 0x3f8-0x3ff. */
static void user_with_tss(uint32_t limit)
{
	cpu.cpl = 3;
	cpu.tr.base = TSS;
	cpu.tr.limit = limit;
	ram_put(TSS + 0x66, 2, IOMAP);
	memset(fm.ram + TSS + IOMAP, 0xff, 0x2001);
	fm.ram[TSS + IOMAP + 0x3f8 / 8] = 0;
}

START_TEST(test_io_bitmap)
{
	user_with_tss(IOMAP + 0x2000);
	cpu.gpr[X86_RDX] = 0x3f8;
	EMULATE_OK(0xee);
	cpu.gpr[X86_RDX] = 0x3fc;
	EMULATE_OK(0xef);			/* 0x3fc-0x3ff */
	cpu.gpr[X86_RDX] = 0x3fd;
	EMULATE(X86_EMU_FAULT, 0xef);		/* 0x400 is not allowed */
	expect_fault(X86_VEC_GP, 0);
	cpu.gpr[X86_RDX] = 0x3f7;
	EMULATE(X86_EMU_FAULT, 0xec);
	expect_fault(X86_VEC_GP, 0);
	EMULATE(X86_EMU_FAULT, 0xe4, 0x60);
	ck_assert_uint_eq(fm.nlog, 2);		/* only the allowed two */
}
END_TEST

START_TEST(test_io_bitmap_beyond_limit)
{
	user_with_tss(IOMAP + 0x3f8 / 8); /* the bitmap's 2nd byte is out */
	cpu.gpr[X86_RDX] = 0x3f8;
	EMULATE(X86_EMU_FAULT, 0xee);
	expect_fault(X86_VEC_GP, 0);
	user_with_tss(0x67); /* no room for a bitmap at all */
	EMULATE(X86_EMU_FAULT, 0xee);
	expect_fault(X86_VEC_GP, 0);
	ck_assert_uint_eq(fm.nlog, 0);
}
END_TEST

START_TEST(test_io_privilege)
{
	user_with_tss(0x67);
	cpu.gpr[X86_RDX] = 0x80;
	cpu.rflags |= X86_EFLAGS_IOPL;		/* IOPL 3: no bitmap needed */
	EMULATE_OK(0xee);
	cpu.rflags &= ~(uint64_t)X86_EFLAGS_IOPL;
	cpu.cpl = 0;
	EMULATE_OK(0xee);
	/* Real mode has no protection at all. */
	cpu_real_mode();
	cpu.cpl = 3;
	EMULATE_OK(0xee);
	/* Virtual-8086 mode always asks the bitmap, whatever IOPL says. */
	cpu_flat(true);
	user_with_tss(0x67);
	cpu.rflags |= X86_EFLAGS_VM | X86_EFLAGS_IOPL;
	EMULATE(X86_EMU_FAULT, 0xee);
	expect_fault(X86_VEC_GP, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* INS, OUTS                                                           */
/* ------------------------------------------------------------------ */

START_TEST(test_rep_insb)
{
	set_port(0x60, 0x5a);
	cpu.gpr[X86_RDX] = 0x60;
	cpu.gpr[X86_RDI] = BUF;
	cpu.gpr[X86_RCX] = 4;
	EMULATE_OK(0xf3, 0x6c);
	ck_assert_uint_eq(ram_get(BUF, 8), 0x5a5a5a5a);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF + 4);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0);
	ck_assert_uint_eq(fm.nlog, 4);
	ck_assert(!res.partial);
}
END_TEST

START_TEST(test_rep_insw_backwards)
{
	set_port(0x1f0, 0xbeef);
	cpu.gpr[X86_RDX] = 0x1f0;
	cpu.gpr[X86_RDI] = BUF + 4;
	cpu.gpr[X86_RCX] = 3;
	cpu.rflags |= X86_EFLAGS_DF;
	EMULATE_OK(0xf3, 0x66, 0x6d);
	ck_assert_uint_eq(ram_get(BUF, 6), 0xbeefbeefbeefULL);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF - 2);
	expect_log(2, PORT_IN, 0x1f0, 2);
}
END_TEST

START_TEST(test_outs)
{
	memcpy(fm.ram + BUF, "abcdefgh", 8);
	cpu.gpr[X86_RDX] = 0x3f8;
	cpu.gpr[X86_RSI] = BUF;
	cpu.gpr[X86_RCX] = 3;
	EMULATE_OK(0xf3, 0x6e);			/* rep outsb */
	ck_assert_uint_eq(fm.nlog, 3);
	ck_assert_uint_eq(fm.log[2].data[0], 'c');
	ck_assert_uint_eq(cpu.gpr[X86_RSI], BUF + 3);
	EMULATE_OK(0x6f);			/* outsd, once */
	ck_assert_uint_eq(fm.nlog, 4);
	expect_log(3, PORT_OUT, 0x3f8, 4);
	ck_assert(memcmp(fm.log[3].data, "defg", 4) == 0);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0);
	/* A segment override applies to the source. */
	cpu.seg[X86_SEG_FS].base = 0x100;
	cpu.gpr[X86_RSI] = BUF - 0x100;
	EMULATE_OK(0x64, 0x6e);
	ck_assert_uint_eq(fm.log[4].data[0], 'a');
}
END_TEST

/* A fault on the destination comes before the port is read. */
START_TEST(test_ins_fault_keeps_port_data)
{
	cpu.gpr[X86_RDX] = 0x60;
	cpu.gpr[X86_RDI] = 0x40000000000ULL;	/* not mapped */
	EMULATE(X86_EMU_FAULT, 0x6c);
	expect_fault(X86_VEC_PF, X86_PF_WRITE);
	ck_assert_uint_eq(fm.nlog, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* MOVS, STOS                                                          */
/* ------------------------------------------------------------------ */

START_TEST(test_rep_movsb_to_mmio)
{
	memcpy(fm.ram + BUF, "hello", 5);
	cpu.gpr[X86_RSI] = BUF;
	cpu.gpr[X86_RDI] = MMIO(0x100);
	cpu.gpr[X86_RCX] = 5;
	EMULATE_OK(0xf3, 0xa4);
	ck_assert_uint_eq(fm.nlog, 5);
	expect_log(4, MMIO_WRITE, MMIO(0x104), 1);
	ck_assert(memcmp(fm.mmio + 0x100, "hello", 5) == 0);
	ck_assert_uint_eq(cpu.gpr[X86_RSI], BUF + 5);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], MMIO(0x105));
}
END_TEST

START_TEST(test_rep_movsq_from_mmio)
{
	memcpy(fm.mmio, "0123456789abcdef", 16);
	cpu.gpr[X86_RSI] = MMIO(0);
	cpu.gpr[X86_RDI] = BUF;
	cpu.gpr[X86_RCX] = 2;
	EMULATE_OK(0xf3, 0x48, 0xa5);
	ck_assert(memcmp(fm.ram + BUF, "0123456789abcdef", 16) == 0);
	expect_log(1, MMIO_READ, MMIO(8), 8);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF + 16);
}
END_TEST

START_TEST(test_stos)
{
	cpu.gpr[X86_RAX] = 0x11223344;
	cpu.gpr[X86_RDI] = BUF;
	cpu.gpr[X86_RCX] = 3;
	EMULATE_OK(0xf3, 0xab);			/* rep stosd */
	ck_assert_uint_eq(ram_get(BUF + 8, 4), 0x11223344);
	ck_assert_uint_eq(ram_get(BUF + 12, 4), 0);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF + 12);
	EMULATE_OK(0xaa);			/* stosb */
	ck_assert_uint_eq(ram_get(BUF + 12, 4), 0x44);
	cpu.gpr[X86_RCX] = 0;
	EMULATE_OK(0xf3, 0x48, 0xab);		/* nothing to do */
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF + 13);
	ck_assert_uint_eq(ram_get(BUF + 13, 8), 0);
}
END_TEST

/* REPNE acts as REP for these instructions. */
START_TEST(test_repne_is_rep)
{
	cpu.gpr[X86_RDI] = BUF;
	cpu.gpr[X86_RCX] = 2;
	cpu.gpr[X86_RAX] = 0x7;
	EMULATE_OK(0xf2, 0xaa);
	ck_assert_uint_eq(ram_get(BUF, 4), 0x0707);
}
END_TEST

/* 67 in 64-bit code: ECX, ESI, EDI, written back zero-extended. */
START_TEST(test_address_size_32)
{
	cpu.gpr[X86_RCX] = 0xffffffff00000002ULL;
	cpu.gpr[X86_RDI] = 0xffffffff00000000ULL | BUF;
	cpu.gpr[X86_RAX] = 0x41;
	EMULATE_OK(0x67, 0xf3, 0xaa);
	ck_assert_uint_eq(ram_get(BUF, 4), 0x4141);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF + 2);
}
END_TEST

/* 16-bit code: SI and DI wrap at 64 KiB and the upper halves stay. */
START_TEST(test_address_size_16)
{
	cpu_real_mode();
	cpu.seg[X86_SEG_DS].base = 0x20000;
	cpu.seg[X86_SEG_ES].base = 0x30000;
	memcpy(fm.ram + 0x2ffff, "x", 1);
	memcpy(fm.ram + 0x20000, "y", 1);
	cpu.gpr[X86_RSI] = 0xabcdffff;
	cpu.gpr[X86_RDI] = 0x12340010;
	cpu.gpr[X86_RCX] = 0xffff0002;
	EMULATE_OK(0xf3, 0xa4);
	ck_assert(memcmp(fm.ram + 0x30010, "xy", 2) == 0);
	ck_assert_uint_eq(cpu.gpr[X86_RSI], 0xabcd0001);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], 0x12340012);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0xffff0000);
}
END_TEST

START_TEST(test_movs_segments_flat32)
{
	cpu_flat(true);
	cpu.seg[X86_SEG_DS].base = 0x1000;
	cpu.seg[X86_SEG_ES].base = 0x2000;
	cpu.seg[X86_SEG_FS].base = 0x3000;
	memcpy(fm.ram + 0x1010, "d", 1);
	memcpy(fm.ram + 0x3010, "f", 1);
	cpu.gpr[X86_RSI] = 0x10;
	cpu.gpr[X86_RDI] = 0x20;
	EMULATE_OK(0xa4);
	cpu.gpr[X86_RSI] = 0x10;
	EMULATE_OK(0x64, 0xa4);			/* fs: source; ES stays */
	ck_assert(memcmp(fm.ram + 0x2020, "df", 2) == 0);
}
END_TEST

/* A long REP stops after a batch, RIP still on it, then finishes. */
START_TEST(test_rep_batches)
{
	uint64_t rip = cpu.rip;

	cpu.gpr[X86_RDI] = BUF;
	cpu.gpr[X86_RCX] = X86_EMU_REP_BATCH + 5;
	EMULATE_OK(0xf3, 0xaa);
	ck_assert(res.partial);
	ck_assert_uint_eq(cpu.rip, rip);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 5);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], BUF + X86_EMU_REP_BATCH);
	EMULATE_OK(0xf3, 0xaa);
	ck_assert(!res.partial);
	ck_assert_uint_eq(cpu.rip, rip + 2);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0);
}
END_TEST

/* A fault in iteration 3 keeps iterations 1-2 and says where it stopped. */
START_TEST(test_rep_fault_midway)
{
	uint64_t lin = 0x40000000000ULL, rip = cpu.rip;

	map_4k(cpu.cr3, lin, 0x200000, PTE_P | PTE_RW);
	cpu.gpr[X86_RDI] = lin + 0xff8;
	cpu.gpr[X86_RCX] = 4;
	cpu.gpr[X86_RAX] = 0xa5a5a5a5;
	EMULATE(X86_EMU_FAULT, 0xf3, 0xab);
	expect_fault(X86_VEC_PF, X86_PF_WRITE);
	ck_assert_uint_eq(res.fault.address, lin + 0x1000);
	ck_assert_uint_eq(ram_get(0x200ff8, 8), 0xa5a5a5a5a5a5a5a5ULL);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 2);
	ck_assert_uint_eq(cpu.gpr[X86_RDI], lin + 0x1000);
	ck_assert_uint_eq(cpu.rip, rip);
}
END_TEST

START_TEST(test_port_callback_failures)
{
	fm.fail_at = 1;
	EMULATE(X86_EMU_ERROR, 0xec);
	ck_assert_str_eq(res.reason, "port read failed");
	fm.accesses = 0;
	EMULATE(X86_EMU_ERROR, 0xee);
	ck_assert_str_eq(res.reason, "port write failed");
}
END_TEST

static Suite *io_suite(void)
{
	Suite *s = suite_create("emulate_io");
	TCase *t = tcase_create("ports");

	tcase_add_checked_fixture(t, fake_setup, fake_teardown);
	tcase_add_loop_test(t, test_in, 0, ARRAY_SIZE(ins));
	tcase_add_loop_test(t, test_out, 0, ARRAY_SIZE(outs));
	tcase_add_test(t, test_io_bitmap);
	tcase_add_test(t, test_io_bitmap_beyond_limit);
	tcase_add_test(t, test_io_privilege);
	tcase_add_test(t, test_port_callback_failures);
	suite_add_tcase(s, t);

	t = tcase_create("strings");
	tcase_add_checked_fixture(t, fake_setup, fake_teardown);
	tcase_add_test(t, test_rep_insb);
	tcase_add_test(t, test_rep_insw_backwards);
	tcase_add_test(t, test_outs);
	tcase_add_test(t, test_ins_fault_keeps_port_data);
	tcase_add_test(t, test_rep_movsb_to_mmio);
	tcase_add_test(t, test_rep_movsq_from_mmio);
	tcase_add_test(t, test_stos);
	tcase_add_test(t, test_repne_is_rep);
	tcase_add_test(t, test_address_size_32);
	tcase_add_test(t, test_address_size_16);
	tcase_add_test(t, test_movs_segments_flat32);
	tcase_add_test(t, test_rep_batches);
	tcase_add_test(t, test_rep_fault_midway);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(io_suite());
}
