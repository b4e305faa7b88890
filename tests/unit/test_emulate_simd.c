// SPDX-License-Identifier: GPL-2.0
/*
 * The SSE and AVX moves: MOVD/MOVQ, MOVDQA/MOVDQU and VMOVDQA/VMOVDQU at
 * 128 and 256 bits, between vector registers, GPRs, RAM and MMIO: what
 * each writes and what it zeroes, alignment, and the #UD/#NM conditions.
 */
#include "test_emulate_fake.h"

#define DATA	0x8000ULL
#define MMIO(off) (FAKE_MMIO_BASE + (off))
#define STALE	0xee	/* what vector registers hold before a test */

static const uint8_t pattern[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static void simd_setup(void)
{
	fake_setup();
	memset(cpu.vec, STALE, sizeof(cpu.vec));
	memcpy(fm.ram + DATA, pattern, sizeof(pattern));
	memcpy(fm.mmio, pattern, sizeof(pattern));
	cpu.gpr[X86_RBX] = DATA;
}

/* vec[reg] is pattern[0..n), then zeros up to `zero_to`, then stale. */
static void expect_vec(unsigned int reg, unsigned int n, unsigned int zero_to)
{
	const uint8_t *v = cpu.vec[reg];

	ck_assert_msg(memcmp(v, pattern, n) == 0, "xmm%u: wrong data", reg);
	ck_assert_msg(all_bytes(v + n, 0, zero_to - n), "xmm%u: not zeroed",
		      reg);
	ck_assert_msg(all_bytes(v + zero_to, STALE, 32 - zero_to),
		      "xmm%u: upper bits changed", reg);
	ck_assert(cpu.vec_dirty);
}

static const struct {
	const char *name;
	uint8_t bytes[6];
	unsigned int n;
	unsigned int reg, moved, zero_to;
} loads[] = {
	{ "movd xmm0, [rbx]", { 0x66, 0x0f, 0x6e, 0x03 }, 4, 0, 4, 16 },
	{ "movq xmm1, [rbx] (66 REX.W 6E)", { 0x66, 0x48, 0x0f, 0x6e, 0x0b },
	  5, 1, 8, 16 },
	{ "movq xmm2, [rbx] (F3 7E)", { 0xf3, 0x0f, 0x7e, 0x13 }, 4, 2, 8,
	  16 },
	{ "movdqa xmm3, [rbx]", { 0x66, 0x0f, 0x6f, 0x1b }, 4, 3, 16, 16 },
	{ "movdqu xmm12, [rbx]", { 0xf3, 0x44, 0x0f, 0x6f, 0x23 }, 5, 12, 16,
	  16 },
	{ "vmovdqu xmm4, [rbx]", { 0xc5, 0xfa, 0x6f, 0x23 }, 4, 4, 16, 32 },
	{ "vmovdqu ymm5, [rbx]", { 0xc5, 0xfe, 0x6f, 0x2b }, 4, 5, 32, 32 },
	{ "vmovdqa ymm6, [rbx]", { 0xc5, 0xfd, 0x6f, 0x33 }, 4, 6, 32, 32 },
	{ "vmovdqu ymm15, [rbx]", { 0xc5, 0x7e, 0x6f, 0x3b }, 4, 15, 32, 32 },
};

START_TEST(test_load)
{
	emulate_expect(loads[_i].bytes, loads[_i].n, X86_EMU_OK);
	expect_vec(loads[_i].reg, loads[_i].moved, loads[_i].zero_to);
}
END_TEST

static const struct {
	const char *name;
	uint8_t bytes[6];
	unsigned int n;
	unsigned int reg, moved;
} stores[] = {
	{ "movd [rbx], xmm1", { 0x66, 0x0f, 0x7e, 0x0b }, 4, 1, 4 },
	{ "movq [rbx], xmm1 (66 REX.W 7E)", { 0x66, 0x48, 0x0f, 0x7e, 0x0b },
	  5, 1, 8 },
	{ "movq [rbx], xmm2 (66 D6)", { 0x66, 0x0f, 0xd6, 0x13 }, 4, 2, 8 },
	{ "movdqa [rbx], xmm3", { 0x66, 0x0f, 0x7f, 0x1b }, 4, 3, 16 },
	{ "movdqu [rbx], xmm9", { 0xf3, 0x44, 0x0f, 0x7f, 0x0b }, 5, 9, 16 },
	{ "vmovdqu [rbx], xmm4", { 0xc5, 0xfa, 0x7f, 0x23 }, 4, 4, 16 },
	{ "vmovdqu [rbx], ymm5", { 0xc5, 0xfe, 0x7f, 0x2b }, 4, 5, 32 },
	{ "vmovdqa [rbx], ymm6", { 0xc5, 0xfd, 0x7f, 0x33 }, 4, 6, 32 },
	{ "vmovdqu [r8], ymm11", { 0xc4, 0x41, 0x7e, 0x7f, 0x18 }, 5, 11,
	  32 },
};

/* Stores to a device: one access of exactly the operand's size. */
START_TEST(test_store_to_mmio)
{
	unsigned int reg = stores[_i].reg, n = stores[_i].moved;

	memcpy(cpu.vec[reg], pattern, 32);
	cpu.gpr[X86_RBX] = MMIO(0x100);
	cpu.gpr[X86_R8] = MMIO(0x100);
	emulate_expect(stores[_i].bytes, stores[_i].n, X86_EMU_OK);
	ck_assert_uint_eq(fm.nlog, 1);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_WRITE);
	ck_assert_uint_eq(fm.log[0].addr, MMIO(0x100));
	ck_assert_msg(fm.log[0].len == n, "%s: %u bytes", stores[_i].name,
		      fm.log[0].len);
	ck_assert(memcmp(fm.log[0].data, pattern, n) == 0);
	ck_assert(!cpu.vec_dirty);
}
END_TEST

START_TEST(test_load_from_mmio)
{
	cpu.gpr[X86_RBX] = MMIO(0);
	EMULATE_OK(0xc5, 0xfe, 0x6f, 0x03);	/* vmovdqu ymm0, [rbx] */
	ck_assert_uint_eq(fm.nlog, 1);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_READ);
	ck_assert_uint_eq(fm.log[0].len, 32);
	expect_vec(0, 32, 32);
}
END_TEST

/* 32 bytes across a page: two pieces, both pages translated first. */
START_TEST(test_ymm_across_pages)
{
	cpu.gpr[X86_RBX] = MMIO(0x1000 - 12);
	memcpy(cpu.vec[0], pattern, 32);
	EMULATE_OK(0xc5, 0xfe, 0x7f, 0x03);
	ck_assert_uint_eq(fm.nlog, 2);
	ck_assert_uint_eq(fm.log[0].len, 12);
	ck_assert_uint_eq(fm.log[1].addr, MMIO(0x1000));
	ck_assert_uint_eq(fm.log[1].len, 20);
	ck_assert(memcmp(fm.mmio + 0x1000 - 12, pattern, 32) == 0);
}
END_TEST

START_TEST(test_gpr_forms)
{
	memcpy(cpu.vec[0], pattern, 32);
	cpu.gpr[X86_RCX] = 0xffffffffffffffffULL;
	EMULATE_OK(0x66, 0x0f, 0x7e, 0xc1);	/* movd ecx, xmm0 */
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0x03020100);
	EMULATE_OK(0x66, 0x48, 0x0f, 0x7e, 0xc1);	/* movq rcx, xmm0 */
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0x0706050403020100ULL);
	ck_assert(!cpu.vec_dirty);
	EMULATE_OK(0x66, 0x48, 0x0f, 0x6e, 0xc9);	/* movq xmm1, rcx */
	expect_vec(1, 8, 16);
	cpu.gpr[X86_R9] = 0x03020100;
	EMULATE_OK(0x66, 0x41, 0x0f, 0x6e, 0xd1);	/* movd xmm2, r9d */
	expect_vec(2, 4, 16);
}
END_TEST

START_TEST(test_register_to_register)
{
	memcpy(cpu.vec[0], pattern, 32);
	EMULATE_OK(0x66, 0x0f, 0xd6, 0xc1);	/* movq xmm1, xmm0 */
	expect_vec(1, 8, 16);
	EMULATE_OK(0xf3, 0x0f, 0x7e, 0xd0);	/* movq xmm2, xmm0 */
	expect_vec(2, 8, 16);
	EMULATE_OK(0x66, 0x0f, 0x7f, 0xc3);	/* movdqa xmm3, xmm0 */
	expect_vec(3, 16, 16);
	EMULATE_OK(0xc5, 0xfe, 0x6f, 0xe0);	/* vmovdqu ymm4, ymm0 */
	expect_vec(4, 32, 32);
	EMULATE_OK(0xc5, 0xfa, 0x7f, 0xc5);	/* vmovdqu xmm5, xmm0 */
	expect_vec(5, 16, 32);
}
END_TEST

START_TEST(test_alignment)
{
	cpu.gpr[X86_RBX] = DATA + 8;
	EMULATE(X86_EMU_FAULT, 0x66, 0x0f, 0x6f, 0x03);	/* movdqa */
	expect_fault(X86_VEC_GP, 0);
	EMULATE(X86_EMU_FAULT, 0x66, 0x0f, 0x7f, 0x03);
	expect_fault(X86_VEC_GP, 0);
	EMULATE_OK(0xf3, 0x0f, 0x6f, 0x03);		/* movdqu */
	cpu.gpr[X86_RBX] = DATA + 16;
	EMULATE_OK(0xc5, 0xf9, 0x6f, 0x03);		/* vmovdqa xmm */
	EMULATE(X86_EMU_FAULT, 0xc5, 0xfd, 0x6f, 0x03);	/* vmovdqa ymm */
	expect_fault(X86_VEC_GP, 0);
	cpu.gpr[X86_RBX] = DATA + 1;
	EMULATE_OK(0xc5, 0xfe, 0x7f, 0x03);		/* vmovdqu ymm */
}
END_TEST

static const struct {
	const char *name;
	uint64_t cr0_set, cr4_clear;
	uint8_t bytes[5];
	unsigned int n;
	unsigned int vector;
} disabled[] = {
	{ "SSE with CR0.TS", X86_CR0_TS, 0, { 0xf3, 0x0f, 0x6f, 0x03 }, 4,
	  X86_VEC_NM },
	{ "AVX with CR0.TS", X86_CR0_TS, 0, { 0xc5, 0xfe, 0x6f, 0x03 }, 4,
	  X86_VEC_NM },
	{ "SSE with CR0.EM", X86_CR0_EM, 0, { 0xf3, 0x0f, 0x6f, 0x03 }, 4,
	  X86_VEC_UD },
	{ "SSE without CR4.OSFXSR", 0, X86_CR4_OSFXSR,
	  { 0x66, 0x0f, 0x7e, 0x03 }, 4, X86_VEC_UD },
	{ "AVX without CR4.OSXSAVE", 0, X86_CR4_OSXSAVE,
	  { 0xc5, 0xfe, 0x7f, 0x03 }, 4, X86_VEC_UD },
	{ "VEX.vvvv not 1111b", 0, 0, { 0xc5, 0xf6, 0x6f, 0x03 }, 4,
	  X86_VEC_UD },
	{ "66 before VEX", 0, 0, { 0x66, 0xc5, 0xfe, 0x6f, 0x03 }, 5,
	  X86_VEC_UD },
	{ "REX before VEX", 0, 0, { 0x40, 0xc5, 0xfe, 0x6f, 0x03 }, 5,
	  X86_VEC_UD },
	{ "F3 before VEX", 0, 0, { 0xf3, 0xc5, 0xfe, 0x6f, 0x03 }, 5,
	  X86_VEC_UD },
};

START_TEST(test_disabled)
{
	cpu.cr0 |= disabled[_i].cr0_set;
	cpu.cr4 &= ~disabled[_i].cr4_clear;
	emulate_expect(disabled[_i].bytes, disabled[_i].n, X86_EMU_FAULT);
	ck_assert_msg(res.fault.vector == disabled[_i].vector, "%s: vector %u",
		      disabled[_i].name, res.fault.vector);
	ck_assert(!res.fault.has_error_code);
	ck_assert(!cpu.vec_dirty);
	ck_assert_uint_eq(fm.accesses, 0);
}
END_TEST

START_TEST(test_other_forms_unsupported)
{
	EMULATE(X86_EMU_UNSUPPORTED, 0x0f, 0x6f, 0x03);	/* MMX movq */
	ck_assert_str_eq(res.reason, "MMX or another SIMD form");
	EMULATE(X86_EMU_UNSUPPORTED, 0x0f, 0x7e, 0x03);	/* MMX movd */
	EMULATE(X86_EMU_UNSUPPORTED, 0xf2, 0x0f, 0x6f, 0x03);
	EMULATE(X86_EMU_UNSUPPORTED, 0xc5, 0xfc, 0x28, 0x03);	/* vmovaps */
	EMULATE(X86_EMU_UNSUPPORTED, 0xc5, 0xf9, 0x7e, 0x03);	/* vmovd */
	ck_assert_uint_eq(fm.accesses, 0);
}
END_TEST

START_TEST(test_uses_vec)
{
	static const struct {
		uint8_t bytes[5];
		unsigned int n;
		bool vec;
	} cases[] = {
		{ { 0xc5, 0xfe, 0x7f, 0x03 }, 4, true },
		{ { 0x66, 0x0f, 0x6e, 0x03 }, 4, true },
		{ { 0xf3, 0x0f, 0x6f, 0x03 }, 4, true },
		{ { 0x0f, 0x6f, 0x03 }, 3, false },
		{ { 0x89, 0x03 }, 2, false },
		{ { 0x0f, 0xb6, 0x03 }, 3, false },
	};
	struct x86_insn insn;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		ck_assert_int_eq(x86_decode(cases[k].bytes, cases[k].n, 64,
					    &insn),
				 X86_DECODE_OK);
		ck_assert_msg(x86_insn_uses_vec(&insn) == cases[k].vec,
			      "case %u", k);
	}
}
END_TEST

static Suite *simd_suite(void)
{
	Suite *s = suite_create("emulate_simd");
	TCase *t = tcase_create("moves");

	tcase_add_checked_fixture(t, simd_setup, fake_teardown);
	tcase_add_loop_test(t, test_load, 0, ARRAY_SIZE(loads));
	tcase_add_loop_test(t, test_store_to_mmio, 0, ARRAY_SIZE(stores));
	tcase_add_test(t, test_load_from_mmio);
	tcase_add_test(t, test_ymm_across_pages);
	tcase_add_test(t, test_gpr_forms);
	tcase_add_test(t, test_register_to_register);
	tcase_add_test(t, test_alignment);
	tcase_add_loop_test(t, test_disabled, 0, ARRAY_SIZE(disabled));
	tcase_add_test(t, test_other_forms_unsupported);
	tcase_add_test(t, test_uses_vec);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(simd_suite());
}
