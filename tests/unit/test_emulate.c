// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator's integer instructions against the fake machine: MOV in
 * every width and addressing form, MOVZX/MOVSX/MOVSXD, the ALU group
 * (whose results and flags are checked against this very CPU running the
 * same operation), TEST, XCHG, CMPXCHG and CMPXCHG8B/16B; then what every
 * instruction shares: LOCK rules, segment bases, address wrap, canonical
 * checks, page-crossing accesses, failing callbacks, RIP and the report.
 */
#include <stdio.h>

#include "test_emulate_fake.h"

#define DATA	0x8000ULL	/* a RAM address for operands */
#define MMIO(off) (FAKE_MMIO_BASE + (off))
#define ARITH	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
		 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF)

static const unsigned int sizes[] = { 1, 2, 4, 8 };

static uint64_t mask_of(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* The ModRM instruction `op` at `size` with the right prefixes. */
static size_t sized_insn(uint8_t *buf, unsigned int size, uint8_t byte_op,
			 const uint8_t *rest, size_t nrest)
{
	size_t n = 0;

	if (size == 2)
		buf[n++] = 0x66;
	if (size == 8)
		buf[n++] = 0x48;
	buf[n++] = size == 1 ? byte_op : byte_op | 1;
	memcpy(buf + n, rest, nrest);
	return n + nrest;
}

static void expect_rip(uint64_t start, unsigned int len)
{
	ck_assert_uint_eq(cpu.rip, start + len);
}

/* ------------------------------------------------------------------ */
/* MOV                                                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_mov_store_widths)
{
	static const uint8_t modrm = 0x08;	/* [rax], rcx/ecx/cx/cl */
	uint8_t insn[4];
	unsigned int size = sizes[_i];
	size_t n = sized_insn(insn, size, 0x88, &modrm, 1);
	uint64_t rip = cpu.rip;

	ram_put(DATA, 8, 0x5555555555555555ULL);
	cpu.gpr[X86_RAX] = DATA;
	cpu.gpr[X86_RCX] = 0x1122334455667788ULL;
	emulate_expect(insn, n, X86_EMU_OK);
	ck_assert_uint_eq(ram_get(DATA, 8),
			  (0x5555555555555555ULL & ~mask_of(size)) |
				  (0x1122334455667788ULL & mask_of(size)));
	expect_rip(rip, n);
}
END_TEST

/* 32-bit loads zero the upper half; 8- and 16-bit loads merge. */
START_TEST(test_mov_load_widths)
{
	static const uint8_t modrm = 0x0b;	/* rcx..., [rbx] */
	static const uint64_t before = 0xaaaaaaaaaaaaaaaaULL;
	static const uint64_t mem = 0x8877665544332211ULL;
	uint8_t insn[4];
	unsigned int size = sizes[_i];
	size_t n = sized_insn(insn, size, 0x8a, &modrm, 1);
	uint64_t want;

	ram_put(DATA, 8, mem);
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RCX] = before;
	emulate_expect(insn, n, X86_EMU_OK);
	if (size >= 4)
		want = mem & mask_of(size);
	else
		want = (before & ~mask_of(size)) | (mem & mask_of(size));
	ck_assert_uint_eq(cpu.gpr[X86_RCX], want);
}
END_TEST

START_TEST(test_mov_byte_registers)
{
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RAX] = 0x1234;
	cpu.gpr[X86_RSP] = 0x77;
	EMULATE_OK(0x88, 0x23);			/* mov [rbx], ah */
	ck_assert_uint_eq(ram_get(DATA, 1), 0x12);
	EMULATE_OK(0x40, 0x88, 0x23);		/* mov [rbx], spl */
	ck_assert_uint_eq(ram_get(DATA, 1), 0x77);

	ram_put(DATA, 1, 0xab);
	EMULATE_OK(0x8a, 0x23);			/* mov ah, [rbx] */
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0xab34);
	EMULATE_OK(0x44, 0x8a, 0x03);		/* mov r8b, [rbx] */
	ck_assert_uint_eq(cpu.gpr[X86_R8], 0xab);
}
END_TEST

START_TEST(test_mov_rip_relative)
{
	uint64_t rip = DATA - 0x100;

	cpu.rip = rip;
	ram_put(DATA, 8, 0x0102030405060708ULL);
	/* mov rax, [rip + 0xf9]: 7 bytes, so rip + 7 + 0xf9 = DATA */
	EMULATE_OK(0x48, 0x8b, 0x05, 0xf9, 0x00, 0x00, 0x00);
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0x0102030405060708ULL);
	expect_rip(rip, 7);
}
END_TEST

START_TEST(test_mov_moffs)
{
	ram_put(DATA, 4, 0xcafef00d);
	/* mov eax, [moffs64 DATA] */
	EMULATE_OK(0xa1, 0x00, 0x80, 0, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0xcafef00d);
	/* mov [moffs64 MMIO(4)], al */
	EMULATE_OK(0xa2, 0x04, 0x00, 0x00, 0xd0, 0, 0, 0, 0);
	ck_assert_uint_eq(fm.nlog, 1);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_WRITE);
	ck_assert_uint_eq(fm.log[0].addr, MMIO(4));
	ck_assert_uint_eq(fm.log[0].data[0], 0x0d);
	/* 67: a 32-bit moffs in 64-bit code; 48: the whole of rax */
	EMULATE_OK(0x67, 0x48, 0xa3, 0x00, 0x80, 0x00, 0x00);
	ck_assert_uint_eq(ram_get(DATA, 8), 0xcafef00d);
}
END_TEST

START_TEST(test_mov_immediate)
{
	cpu.gpr[X86_RBX] = DATA;
	ram_put(DATA, 8, ~0ULL);
	EMULATE_OK(0xc6, 0x03, 0xab);
	ck_assert_uint_eq(ram_get(DATA, 8), 0xffffffffffffffabULL);
	EMULATE_OK(0x66, 0xc7, 0x03, 0x34, 0x12);
	ck_assert_uint_eq(ram_get(DATA, 8), 0xffffffffffff1234ULL);
	EMULATE_OK(0xc7, 0x03, 0x78, 0x56, 0x34, 0x12);
	ck_assert_uint_eq(ram_get(DATA, 8), 0xffffffff12345678ULL);
	EMULATE_OK(0x48, 0xc7, 0x03, 0xf0, 0xff, 0xff, 0xff);
	ck_assert_uint_eq(ram_get(DATA, 8), 0xfffffffffffffff0ULL);
	/* c6 /7 with a register operand is XABORT: not ours */
	EMULATE(X86_EMU_UNSUPPORTED, 0xc6, 0xf8, 0x00);
}
END_TEST

START_TEST(test_mov_to_mmio)
{
	cpu.gpr[X86_RAX] = MMIO(0x10);
	cpu.gpr[X86_RCX] = 0xdeadbeef;
	EMULATE_OK(0x89, 0x08);
	ck_assert_uint_eq(fm.nlog, 1);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_WRITE);
	ck_assert_uint_eq(fm.log[0].addr, MMIO(0x10));
	ck_assert_uint_eq(fm.log[0].len, 4);
	ck_assert_uint_eq(le32(fm.log[0].data), 0xdeadbeef);

	memcpy(fm.mmio + 0x20, "\x01\x02", 2);
	cpu.gpr[X86_RBX] = MMIO(0x20);
	EMULATE_OK(0x66, 0x8b, 0x0b);		/* mov cx, [rbx] */
	ck_assert_uint_eq(cpu.gpr[X86_RCX] & 0xffff, 0x0201);
	ck_assert_uint_eq(fm.log[1].kind, MMIO_READ);
	ck_assert_uint_eq(fm.log[1].len, 2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* MOVZX, MOVSX, MOVSXD                                                */
/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t bytes[5];
	unsigned int n;
	uint64_t mem, want;	/* rax starts as 0xaaaa... */
} extends[] = {
	{ "movzx eax, byte", { 0x0f, 0xb6, 0x03 }, 3, 0x80, 0x80 },
	{ "movsx eax, byte", { 0x0f, 0xbe, 0x03 }, 3, 0x80, 0xffffff80 },
	{ "movsx rax, byte", { 0x48, 0x0f, 0xbe, 0x03 }, 4, 0x80,
	  0xffffffffffffff80ULL },
	{ "movsx ax, byte", { 0x66, 0x0f, 0xbe, 0x03 }, 4, 0x80,
	  0xaaaaaaaaaaaaff80ULL },
	{ "movzx eax, word", { 0x0f, 0xb7, 0x03 }, 3, 0x8000, 0x8000 },
	{ "movsx rax, word", { 0x48, 0x0f, 0xbf, 0x03 }, 4, 0x8000,
	  0xffffffffffff8000ULL },
	{ "movsx eax, word (positive)", { 0x0f, 0xbf, 0x03 }, 3, 0x7fff,
	  0x7fff },
	{ "movsxd rax", { 0x48, 0x63, 0x03 }, 3, 0x80000000,
	  0xffffffff80000000ULL },
	{ "movsxd eax", { 0x63, 0x03 }, 2, 0x80000000, 0x80000000 },
	{ "movsxd ax", { 0x66, 0x63, 0x03 }, 3, 0x18000,
	  0xaaaaaaaaaaaa8000ULL },
};

START_TEST(test_extend)
{
	ram_put(DATA, 8, extends[_i].mem);
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RAX] = 0xaaaaaaaaaaaaaaaaULL;
	emulate_expect(extends[_i].bytes, extends[_i].n, X86_EMU_OK);
	ck_assert_msg(cpu.gpr[X86_RAX] == extends[_i].want, "%s: %#llx",
		      extends[_i].name, (unsigned long long)cpu.gpr[X86_RAX]);
}
END_TEST

START_TEST(test_arpl_not_emulated)
{
	cpu_flat(true);
	EMULATE(X86_EMU_UNSUPPORTED, 0x63, 0x03);
	ck_assert_str_eq(res.reason, "ARPL");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The ALU group, against this CPU                                     */
/* ------------------------------------------------------------------ */

typedef uint64_t (*native_fn)(uint64_t a, uint64_t b, uint64_t cf,
			      uint64_t *flags);

/* Run `op b, a` natively with CF = cf; the stack dance skips the red zone. */
#define NATIVE(op, sfx, T)                                               \
	static uint64_t native_##op##sfx(uint64_t a, uint64_t b,          \
					 uint64_t cf, uint64_t *flags)    \
	{                                                                 \
		T va = (T)a, vb = (T)b;                                   \
		uint64_t fl;                                              \
									  \
		asm("bt $0, %[cf]\n\t" #op #sfx " %[b], %[a]\n\t"         \
		    "lea -128(%%rsp), %%rsp\n\t"                          \
		    "pushfq\n\t"                                          \
		    "popq %[fl]\n\t"                                      \
		    "lea 128(%%rsp), %%rsp"                               \
		    : [a] "+r"(va), [fl] "=&r"(fl)                        \
		    : [b] "r"(vb), [cf] "r"(cf)                           \
		    : "cc");                                              \
		*flags = fl;                                              \
		return va;                                                \
	}
#define NATIVE_SIZES(op)                                                 \
	NATIVE(op, b, uint8_t)                                            \
	NATIVE(op, w, uint16_t)                                           \
	NATIVE(op, l, uint32_t)                                           \
	NATIVE(op, q, uint64_t)

NATIVE_SIZES(add)
NATIVE_SIZES(or)
NATIVE_SIZES(adc)
NATIVE_SIZES(sbb)
NATIVE_SIZES(and)
NATIVE_SIZES(sub)
NATIVE_SIZES(xor)
NATIVE_SIZES(cmp)

#define NATIVE_ROW(op) { native_##op##b, native_##op##w, native_##op##l, \
			 native_##op##q }

/* In opcode order: ADD OR ADC SBB AND SUB XOR CMP. */
static const native_fn natives[8][4] = {
	NATIVE_ROW(add), NATIVE_ROW(or), NATIVE_ROW(adc), NATIVE_ROW(sbb),
	NATIVE_ROW(and), NATIVE_ROW(sub), NATIVE_ROW(xor), NATIVE_ROW(cmp),
};

static const uint64_t alu_values[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL, 0x123456789abcdef0ULL,
};

static bool is_logic(unsigned int op)
{
	return op == 1 || op == 4 || op == 6;	/* OR, AND, XOR */
}

/* op [rax], rcx at `size` (opcode op*8 + 0/1) against the native op. */
static void check_alu(unsigned int op, unsigned int si, uint64_t a,
		      uint64_t b, uint64_t cf)
{
	static const uint8_t modrm = 0x08;
	unsigned int size = sizes[si];
	uint64_t want, want_flags;
	uint64_t care = is_logic(op) ? ARITH & ~X86_EFLAGS_AF : ARITH;
	uint8_t insn[4];
	size_t n = sized_insn(insn, size, (uint8_t)(op << 3), &modrm, 1);

	want = natives[op][si](a, b, cf, &want_flags);
	ram_put(DATA, 8, a);
	cpu.gpr[X86_RAX] = DATA;
	cpu.gpr[X86_RCX] = b;
	/* Flags other than CF (the carry-in) start wrong; DF must stay. */
	cpu.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_DF |
		     (~want_flags & ARITH & ~X86_EFLAGS_CF) |
		     (cf ? X86_EFLAGS_CF : 0);
	emulate_expect(insn, n, X86_EMU_OK);
	ck_assert_msg((ram_get(DATA, 8) & mask_of(size)) ==
			      (want & mask_of(size)),
		      "op %u size %u: %#llx, %#llx cf %llu: result %#llx, expected %#llx",
		      op, size, (unsigned long long)a, (unsigned long long)b,
		      (unsigned long long)cf,
		      (unsigned long long)ram_get(DATA, 8),
		      (unsigned long long)want);
	ck_assert_msg((cpu.rflags & care) == (want_flags & care),
		      "op %u size %u: %#llx, %#llx cf %llu: flags %#llx, expected %#llx",
		      op, size, (unsigned long long)a, (unsigned long long)b,
		      (unsigned long long)cf,
		      (unsigned long long)(cpu.rflags & care),
		      (unsigned long long)(want_flags & care));
	ck_assert(cpu.rflags & X86_EFLAGS_DF);
}

START_TEST(test_alu_against_cpu)
{
	unsigned int si, i, j;

	for (si = 0; si < ARRAY_SIZE(sizes); si++)
		for (i = 0; i < ARRAY_SIZE(alu_values); i++)
			for (j = 0; j < ARRAY_SIZE(alu_values); j++) {
				check_alu(_i, si, alu_values[i], alu_values[j],
					  0);
				check_alu(_i, si, alu_values[i], alu_values[j],
					  1);
			}
}
END_TEST

/* The other operand forms, each with a result worked out by hand. */
static const struct {
	const char *name;
	uint8_t bytes[8];
	unsigned int n;
	uint64_t mem, rax, rcx;		/* before; rbx points at mem */
	uint64_t want_mem, want_rax, want_rcx;
	uint64_t want_flags;		/* of CF ZF SF OF */
} alu_forms[] = {
	{ "add ecx, [rbx]", { 0x03, 0x0b }, 2, 7, 0, 0xffffffff00000005ULL,
	  7, 0, 12, 0 },
	{ "add dword [rbx], -1", { 0x83, 0x03, 0xff }, 3, 1, 0, 0, 0, 0, 0,
	  X86_EFLAGS_CF | X86_EFLAGS_ZF },
	{ "sub qword [rbx], imm32", { 0x48, 0x81, 0x2b, 0, 0, 0, 0x80 }, 7, 0,
	  0, 0, 0x80000000, 0, 0, X86_EFLAGS_CF },
	{ "xor byte [rbx], 0x0f", { 0x80, 0x33, 0x0f }, 3, 0x1f0, 0, 0, 0x1ff,
	  0, 0, X86_EFLAGS_SF },
	{ "cmp word [rbx], 5", { 0x66, 0x83, 0x3b, 0x05 }, 4, 5, 0, 0, 5, 0, 0,
	  X86_EFLAGS_ZF },
	{ "add al, 1", { 0x04, 0x01 }, 2, 0, 0x12ff, 0, 0, 0x1200, 0,
	  X86_EFLAGS_CF | X86_EFLAGS_ZF },
	{ "sub rax, 1", { 0x48, 0x2d, 1, 0, 0, 0 }, 6, 0, 0, 0, 0, ~0ULL, 0,
	  X86_EFLAGS_CF | X86_EFLAGS_SF },
	{ "xor ah, [rbx]", { 0x32, 0x23 }, 2, 0xff, 0x0f00, 0, 0xff, 0xf000,
	  0, X86_EFLAGS_SF },
	{ "or [rbx], cx", { 0x66, 0x09, 0x0b }, 3, 0x10001, 0, 0x8000,
	  0x18001, 0, 0x8000, X86_EFLAGS_SF },
	{ "and rcx, [rbx]", { 0x48, 0x23, 0x0b }, 3, 0xf0, 0, 0xff, 0xf0, 0,
	  0xf0, 0 },
	{ "adc [rbx], cl (CF set)", { 0x10, 0x0b }, 2, 0xfe, 0, 1, 0x00, 0, 1,
	  X86_EFLAGS_CF | X86_EFLAGS_ZF },
	{ "sbb ecx, 0 (CF set)", { 0x83, 0xd9, 0x00 }, 3, 0, 0, 0, 0, 0,
	  0xffffffff, X86_EFLAGS_CF | X86_EFLAGS_SF },
	{ "cmp eax, imm32", { 0x3d, 0, 0, 0, 0x80 }, 5, 0, 0x7fffffff, 0, 0,
	  0x7fffffff, 0, X86_EFLAGS_CF | X86_EFLAGS_SF | X86_EFLAGS_OF },
	{ "lock add [rbx], ecx", { 0xf0, 0x01, 0x0b }, 3, 0x7fffffff, 0, 1,
	  0x80000000, 0, 1, X86_EFLAGS_SF | X86_EFLAGS_OF },
	{ "test [rbx], cl", { 0x84, 0x0b }, 2, 0xf0, 0, 0x0f, 0xf0, 0, 0x0f,
	  X86_EFLAGS_ZF },
	{ "test byte [rbx], 0x80", { 0xf6, 0x03, 0x80 }, 3, 0x80, 0, 0, 0x80,
	  0, 0, X86_EFLAGS_SF },
	{ "test qword [rbx], -1", { 0x48, 0xf7, 0x03, 0xff, 0xff, 0xff, 0xff },
	  7, 1ULL << 63, 0, 0, 1ULL << 63, 0, 0, X86_EFLAGS_SF },
	{ "test al, 1", { 0xa8, 0x01 }, 2, 0, 2, 0, 0, 2, 0, X86_EFLAGS_ZF },
	{ "test ax, 0x8000", { 0x66, 0xa9, 0x00, 0x80 }, 4, 0, 0x8000, 0, 0,
	  0x8000, 0, X86_EFLAGS_SF },
};

START_TEST(test_alu_forms)
{
	const uint64_t shown = X86_EFLAGS_CF | X86_EFLAGS_ZF | X86_EFLAGS_SF |
			       X86_EFLAGS_OF;

	ram_put(DATA, 8, alu_forms[_i].mem);
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RAX] = alu_forms[_i].rax;
	cpu.gpr[X86_RCX] = alu_forms[_i].rcx;
	cpu.rflags |= X86_EFLAGS_CF | X86_EFLAGS_OF;
	emulate_expect(alu_forms[_i].bytes, alu_forms[_i].n, X86_EMU_OK);
	ck_assert_msg(ram_get(DATA, 8) == alu_forms[_i].want_mem &&
			      cpu.gpr[X86_RAX] == alu_forms[_i].want_rax &&
			      cpu.gpr[X86_RCX] == alu_forms[_i].want_rcx,
		      "%s: mem %#llx rax %#llx rcx %#llx", alu_forms[_i].name,
		      (unsigned long long)ram_get(DATA, 8),
		      (unsigned long long)cpu.gpr[X86_RAX],
		      (unsigned long long)cpu.gpr[X86_RCX]);
	ck_assert_msg((cpu.rflags & shown) == alu_forms[_i].want_flags,
		      "%s: flags %#llx", alu_forms[_i].name,
		      (unsigned long long)(cpu.rflags & shown));
}
END_TEST

/* A read-modify-write on a device: one read, then one write. */
START_TEST(test_alu_on_mmio)
{
	memcpy(fm.mmio + 8, "\x0f\x00\x00\x00", 4);
	cpu.gpr[X86_RBX] = MMIO(8);
	EMULATE_OK(0x81, 0x0b, 0x00, 0x01, 0x00, 0x00);	/* or [rbx], 0x100 */
	ck_assert_uint_eq(fm.nlog, 2);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_READ);
	ck_assert_uint_eq(fm.log[1].kind, MMIO_WRITE);
	ck_assert_uint_eq(le32(fm.log[1].data), 0x10f);
	/* CMP only reads. */
	EMULATE_OK(0x83, 0x3b, 0x01);
	ck_assert_uint_eq(fm.nlog, 3);
	ck_assert_uint_eq(fm.log[2].kind, MMIO_READ);
}
END_TEST

START_TEST(test_group3_others_unsupported)
{
	cpu.gpr[X86_RBX] = DATA;
	EMULATE(X86_EMU_UNSUPPORTED, 0xf6, 0x1b);	/* neg byte [rbx] */
	ck_assert_str_eq(res.reason, "group 3 other than TEST");
	EMULATE(X86_EMU_UNSUPPORTED, 0xf7, 0x23);	/* mul dword [rbx] */
}
END_TEST

/* ------------------------------------------------------------------ */
/* XCHG, CMPXCHG                                                       */
/* ------------------------------------------------------------------ */

START_TEST(test_xchg)
{
	ram_put(DATA, 8, 0x1111111111111111ULL);
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RCX] = 0xffffffff22222222ULL;
	EMULATE_OK(0x87, 0x0b);			/* xchg [rbx], ecx */
	ck_assert_uint_eq(ram_get(DATA, 8), 0x1111111122222222ULL);
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0x11111111);

	cpu.gpr[X86_RAX] = 0xab00;
	EMULATE_OK(0x86, 0x23);			/* xchg [rbx], ah */
	ck_assert_uint_eq(ram_get(DATA, 1), 0xab);
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0x2200);

	cpu.gpr[X86_RBX] = MMIO(0);
	EMULATE_OK(0xf0, 0x48, 0x87, 0x0b);	/* lock xchg [rbx], rcx */
	ck_assert_uint_eq(fm.nlog, 2);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_READ);
	ck_assert_uint_eq(fm.log[1].kind, MMIO_WRITE);
	ck_assert_uint_eq(fm.log[1].len, 8);
}
END_TEST

START_TEST(test_cmpxchg_success)
{
	ram_put(DATA, 4, 5);
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RAX] = 0xdead000000000005ULL;
	cpu.gpr[X86_RCX] = 9;
	EMULATE_OK(0xf0, 0x0f, 0xb1, 0x0b);	/* lock cmpxchg [rbx], ecx */
	ck_assert_uint_eq(ram_get(DATA, 4), 9);
	ck_assert(cpu.rflags & X86_EFLAGS_ZF);
	/* On success EAX is not written, so its upper half stays. */
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0xdead000000000005ULL);
}
END_TEST

START_TEST(test_cmpxchg_failure)
{
	memcpy(fm.mmio, "\x07\x00\x00\x00\x00\x00\x00\x00", 8);
	cpu.gpr[X86_RBX] = MMIO(0);
	cpu.gpr[X86_RAX] = 0xdead000000000005ULL;
	cpu.gpr[X86_RCX] = 9;
	cpu.rflags |= X86_EFLAGS_ZF;
	EMULATE_OK(0x0f, 0xb1, 0x0b);		/* cmpxchg [rbx], ecx */
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 7);	/* written: zero-extended */
	ck_assert(!(cpu.rflags & X86_EFLAGS_ZF));
	ck_assert(cpu.rflags & X86_EFLAGS_CF);	/* 5 - 7 borrows */
	/* No write-back to the device on failure. */
	ck_assert_uint_eq(fm.nlog, 1);
	ck_assert_uint_eq(fm.log[0].kind, MMIO_READ);
}
END_TEST

START_TEST(test_cmpxchg_widths)
{
	ram_put(DATA, 8, 0x8877665544332211ULL);
	cpu.gpr[X86_RBX] = DATA;
	cpu.gpr[X86_RAX] = 0x11;
	cpu.gpr[X86_RCX] = 0x99;
	EMULATE_OK(0x0f, 0xb0, 0x0b);		/* cmpxchg [rbx], cl */
	ck_assert_uint_eq(ram_get(DATA, 8), 0x8877665544332299ULL);
	cpu.gpr[X86_RAX] = 0;
	EMULATE_OK(0x48, 0x0f, 0xb1, 0x0b);	/* cmpxchg [rbx], rcx */
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0x8877665544332299ULL);
	EMULATE_OK(0x48, 0x0f, 0xb1, 0x0b);
	ck_assert_uint_eq(ram_get(DATA, 8), 0x99);
}
END_TEST

START_TEST(test_cmpxchg8b)
{
	ram_put(DATA, 8, 0x2222222211111111ULL);
	cpu.gpr[X86_RDI] = DATA;
	cpu.gpr[X86_RAX] = 0x11111111;
	cpu.gpr[X86_RDX] = 0x22222222;
	cpu.gpr[X86_RBX] = 0x33333333;
	cpu.gpr[X86_RCX] = 0x44444444;
	EMULATE_OK(0xf0, 0x0f, 0xc7, 0x0f);	/* lock cmpxchg8b [rdi] */
	ck_assert_uint_eq(ram_get(DATA, 8), 0x4444444433333333ULL);
	ck_assert(cpu.rflags & X86_EFLAGS_ZF);

	cpu.gpr[X86_RAX] = 0xffffffff00000000ULL;
	EMULATE_OK(0x0f, 0xc7, 0x0f);
	ck_assert(!(cpu.rflags & X86_EFLAGS_ZF));
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0x33333333);
	ck_assert_uint_eq(cpu.gpr[X86_RDX], 0x44444444);
}
END_TEST

START_TEST(test_cmpxchg16b)
{
	cpu.gpr[X86_RSI] = MMIO(0x40);
	memset(fm.mmio + 0x40, 0xaa, 16);
	cpu.gpr[X86_RAX] = 0xaaaaaaaaaaaaaaaaULL;
	cpu.gpr[X86_RDX] = 0xaaaaaaaaaaaaaaaaULL;
	cpu.gpr[X86_RBX] = 0x0706050403020100ULL;
	cpu.gpr[X86_RCX] = 0x0f0e0d0c0b0a0908ULL;
	cpu.rflags |= X86_EFLAGS_CF;
	EMULATE_OK(0xf0, 0x48, 0x0f, 0xc7, 0x0e); /* lock cmpxchg16b [rsi] */
	ck_assert(cpu.rflags & X86_EFLAGS_ZF);
	ck_assert(cpu.rflags & X86_EFLAGS_CF);	/* only ZF changes */
	ck_assert_uint_eq(fm.nlog, 2);
	ck_assert_uint_eq(fm.log[1].kind, MMIO_WRITE);
	ck_assert_uint_eq(fm.log[1].len, 16);
	ck_assert(memcmp(fm.log[1].data, "\x00\x01\x02\x03\x04\x05\x06\x07"
					 "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
			 16) == 0);

	/* Fails now: RDX:RAX gets the memory. */
	EMULATE_OK(0xf0, 0x48, 0x0f, 0xc7, 0x0e);
	ck_assert(!(cpu.rflags & X86_EFLAGS_ZF));
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0x0706050403020100ULL);
	ck_assert_uint_eq(cpu.gpr[X86_RDX], 0x0f0e0d0c0b0a0908ULL);
}
END_TEST

START_TEST(test_cmpxchg16b_alignment)
{
	cpu.gpr[X86_RSI] = DATA + 8;
	EMULATE(X86_EMU_FAULT, 0x48, 0x0f, 0xc7, 0x0e);
	expect_fault(X86_VEC_GP, 0);
	ck_assert(res.fault.has_error_code);
	/* CMPXCHG8B needs no alignment. */
	cpu.gpr[X86_RDI] = DATA + 4;
	EMULATE_OK(0x0f, 0xc7, 0x0f);
}
END_TEST

START_TEST(test_c7_group_others)
{
	EMULATE(X86_EMU_FAULT, 0x0f, 0xc7, 0xc9);	/* /1 on a register */
	expect_fault(X86_VEC_UD, 0);
	ck_assert(!res.fault.has_error_code);
	EMULATE(X86_EMU_UNSUPPORTED, 0x0f, 0xc7, 0xf0);	/* rdrand eax */
}
END_TEST

/* ------------------------------------------------------------------ */
/* LOCK                                                                */
/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t bytes[5];
	unsigned int n;
} lock_ud[] = {
	{ "lock mov [rbx], ecx", { 0xf0, 0x89, 0x0b }, 3 },
	{ "lock cmp [rbx], ecx", { 0xf0, 0x39, 0x0b }, 3 },
	{ "lock add ecx, [rbx]", { 0xf0, 0x03, 0x0b }, 3 },
	{ "lock add eax, ecx", { 0xf0, 0x01, 0xc8 }, 3 },
	{ "lock cmp dword [rbx], 1", { 0xf0, 0x83, 0x3b, 0x01 }, 4 },
	{ "lock test [rbx], ecx", { 0xf0, 0x85, 0x0b }, 3 },
	{ "lock movzx eax, byte [rbx]", { 0xf0, 0x0f, 0xb6, 0x03 }, 4 },
	{ "lock cmpxchg ecx, eax", { 0xf0, 0x0f, 0xb1, 0xc1 }, 4 },
	{ "lock vmovdqu [rbx], ymm0", { 0xf0, 0xc5, 0xfe, 0x7f, 0x03 }, 5 },
};

START_TEST(test_lock_ud)
{
	cpu.gpr[X86_RBX] = DATA;
	ram_put(DATA, 4, 0x12345678);
	emulate_expect(lock_ud[_i].bytes, lock_ud[_i].n, X86_EMU_FAULT);
	ck_assert_msg(res.fault.vector == X86_VEC_UD, "%s", lock_ud[_i].name);
	ck_assert_uint_eq(ram_get(DATA, 4), 0x12345678);
	ck_assert_uint_eq(cpu.rip, 0x100000);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Addressing: segments, modes, wrap, canonical, page crossing         */
/* ------------------------------------------------------------------ */

START_TEST(test_segment_override_64)
{
	cpu.seg[X86_SEG_FS].base = 0x20000;
	cpu.seg[X86_SEG_GS].base = 0x30000;
	cpu.seg[X86_SEG_CS].base = 0x40000;	/* ignored in 64-bit mode */
	cpu.gpr[X86_RAX] = 0x10;
	cpu.gpr[X86_RCX] = 0xa1;
	EMULATE_OK(0x64, 0x88, 0x08);
	ck_assert_uint_eq(ram_get(0x20010, 1), 0xa1);
	EMULATE_OK(0x65, 0x88, 0x08);
	ck_assert_uint_eq(ram_get(0x30010, 1), 0xa1);
	EMULATE_OK(0x2e, 0x88, 0x08);
	ck_assert_uint_eq(ram_get(0x10, 1), 0xa1);
}
END_TEST

START_TEST(test_flat32_segments)
{
	cpu_flat(true);
	cpu.seg[X86_SEG_DS].base = 0x1000;
	cpu.seg[X86_SEG_SS].base = 0x2000;
	cpu.gpr[X86_RAX] = 0x10;
	cpu.gpr[X86_RBP] = 0x20;
	cpu.gpr[X86_RCX] = 0x55;
	EMULATE_OK(0x88, 0x08);			/* mov [eax], cl: DS */
	ck_assert_uint_eq(ram_get(0x1010, 1), 0x55);
	EMULATE_OK(0x88, 0x4d, 0x00);		/* mov [ebp+0], cl: SS */
	ck_assert_uint_eq(ram_get(0x2020, 1), 0x55);
	/* Linear addresses wrap at 4 GiB. */
	cpu.seg[X86_SEG_DS].base = 0xfffff000;
	cpu.gpr[X86_RAX] = 0x3000;
	EMULATE_OK(0x88, 0x08);
	ck_assert_uint_eq(ram_get(0x2000, 1), 0x55);
	/* 67: 16-bit addressing in 32-bit code, [bx+si] */
	cpu.seg[X86_SEG_DS].base = 0;
	cpu.gpr[X86_RBX] = 0x10000;		/* only BX counts */
	cpu.gpr[X86_RSI] = 0x4000;
	EMULATE_OK(0x67, 0x88, 0x08);
	ck_assert_uint_eq(ram_get(0x4000, 1), 0x55);
	ck_assert_uint_eq(cpu.rip, 0x1000 + 2 + 3 + 2 + 3);
}
END_TEST

START_TEST(test_real_mode)
{
	cpu_real_mode();
	cpu.seg[X86_SEG_DS].base = 0x10000;
	cpu.gpr[X86_RBX] = 0x100;
	cpu.gpr[X86_RSI] = 0x20;
	cpu.gpr[X86_RAX] = 0xffff1234;
	EMULATE_OK(0x89, 0x40, 0x04);		/* mov [bx+si+4], ax */
	ck_assert_uint_eq(ram_get(0x10124, 4), 0x1234);
	/* The effective address wraps at 64 KiB. */
	cpu.gpr[X86_RBX] = 0xffff;
	cpu.gpr[X86_RSI] = 2;
	EMULATE_OK(0x89, 0x00);
	ck_assert_uint_eq(ram_get(0x10001, 2), 0x1234);
	/* 66 67: EAX to [EBX] */
	cpu.gpr[X86_RBX] = 0x12345;
	EMULATE_OK(0x66, 0x67, 0x89, 0x03);
	ck_assert_uint_eq(ram_get(0x22345, 4), 0xffff1234);
	/* IP wraps too. */
	cpu.rip = 0xfffe;
	EMULATE_OK(0x89, 0x00);
	ck_assert_uint_eq(cpu.rip, 0);
}
END_TEST

START_TEST(test_non_canonical)
{
	cpu.gpr[X86_RAX] = 0x0000800000000000ULL;
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);
	expect_fault(X86_VEC_GP, 0);
	/* A stack-based address faults with #SS. */
	cpu.gpr[X86_RBP] = 0x0000800000000000ULL;
	EMULATE(X86_EMU_FAULT, 0x89, 0x45, 0x00);
	expect_fault(X86_VEC_SS, 0);
	/* The last byte counts too. */
	cpu.gpr[X86_RAX] = 0x00007ffffffffffeULL;
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);
	expect_fault(X86_VEC_GP, 0);
	ck_assert_uint_eq(cpu.rip, 0x100000);
	/* With LA57 the boundary moves up: now it is a page fault. */
	cpu.cr4 |= X86_CR4_LA57;
	cpu.cr3 = fake_table();
	ram_put(cpu.cr3, 8, FAKE_PML4 | PTE_P | PTE_RW);
	cpu.gpr[X86_RAX] = 0x0000800000000000ULL;
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);
	expect_fault(X86_VEC_PF, X86_PF_WRITE);
	ck_assert_uint_eq(res.fault.address, 0x0000800000000000ULL);
	cpu.gpr[X86_RAX] = 0x0100000000000000ULL;
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);
	expect_fault(X86_VEC_GP, 0);
}
END_TEST

#define SPLIT_LIN 0x40000000000ULL	/* PML4 slot 8: 4 KiB pages */

START_TEST(test_page_crossing)
{
	map_4k(cpu.cr3, SPLIT_LIN, 0x200000, PTE_P | PTE_RW);
	map_4k(cpu.cr3, SPLIT_LIN + 0x1000, 0x300000, PTE_P | PTE_RW);
	cpu.gpr[X86_RAX] = SPLIT_LIN + 0xffd;
	cpu.gpr[X86_RCX] = 0x0807060504030201ULL;
	EMULATE_OK(0x48, 0x89, 0x08);
	ck_assert_uint_eq(ram_get(0x200ffd, 3), 0x030201);
	ck_assert_uint_eq(ram_get(0x300000, 5), 0x0807060504ULL);
	EMULATE_OK(0x48, 0x8b, 0x10);		/* and back into rdx */
	ck_assert_uint_eq(cpu.gpr[X86_RDX], 0x0807060504030201ULL);
}
END_TEST

/* A fault on the second page comes before any byte is written. */
START_TEST(test_page_crossing_fault)
{
	map_4k(cpu.cr3, SPLIT_LIN, 0x200000, PTE_P | PTE_RW);
	cpu.gpr[X86_RAX] = SPLIT_LIN + 0xffe;
	cpu.gpr[X86_RCX] = 0xffffffff;
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);
	expect_fault(X86_VEC_PF, X86_PF_WRITE);
	ck_assert_uint_eq(res.fault.address, SPLIT_LIN + 0x1000);
	ck_assert_uint_eq(ram_get(0x200ffe, 2), 0);
	ck_assert_uint_eq(cpu.rip, 0x100000);
}
END_TEST

START_TEST(test_page_fault_user)
{
	uint64_t pte = map_4k(cpu.cr3, SPLIT_LIN, MMIO(0), PTE_P);

	cpu.gpr[X86_RAX] = SPLIT_LIN + 8;
	cpu.cpl = 3;
	EMULATE(X86_EMU_FAULT, 0x8b, 0x08);	/* supervisor page */
	expect_fault(X86_VEC_PF, X86_PF_PROT | X86_PF_USER);
	ck_assert_uint_eq(res.fault.address, SPLIT_LIN + 8);
	ram_put(pte, 8, MMIO(0) | PTE_P | PTE_US);
	EMULATE_OK(0x8b, 0x08);
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);	/* read-only */
	expect_fault(X86_VEC_PF, X86_PF_PROT | X86_PF_USER | X86_PF_WRITE);
	ck_assert_uint_eq(fm.nlog, 1);		/* just the one read */
}
END_TEST

/* ------------------------------------------------------------------ */
/* Callbacks that fail, reports, RIP                                   */
/* ------------------------------------------------------------------ */

/* How many callbacks `add dword [rbx], 1` makes, tables already marked. */
static unsigned int add_accesses(void)
{
	unsigned int before;

	EMULATE_OK(0x83, 0x03, 0x01);
	before = fm.accesses;
	EMULATE_OK(0x83, 0x03, 0x01);
	return fm.accesses - before;
}

/* Make the callback `nth` from now fail; expect that reason. */
static void fail_add_at(unsigned int nth, const char *reason)
{
	fm.fail_at = (int)(fm.accesses + nth);
	EMULATE(X86_EMU_ERROR, 0x83, 0x03, 0x01);
	ck_assert_str_eq(res.reason, reason);
	fm.fail_at = 0;
}

START_TEST(test_callback_failures)
{
	unsigned int n;

	cpu.gpr[X86_RBX] = MMIO(0);
	n = add_accesses();
	ck_assert_uint_eq(n, 4);	/* PML4E, PDPTE, read, write */
	fail_add_at(1, "page table access failed");
	fail_add_at(n - 1, "memory read failed");
	fail_add_at(n, "memory write failed");
}
END_TEST

/* Setting an accessed bit is a write to the tables that can fail too. */
START_TEST(test_accessed_bit_write_fails)
{
	cpu.gpr[X86_RBX] = MMIO(0);
	fail_add_at(3, "page table access failed");
}
END_TEST

START_TEST(test_unsupported_reports_bytes)
{
	static const uint8_t fld[] = { 0xdd, 0x04, 0x25, 0x00, 0x00, 0x00,
				       0xc0, 0x90, 0x90 };
	char line[256];

	emulate_expect(fld, sizeof(fld), X86_EMU_UNSUPPORTED);
	ck_assert_uint_eq(res.nbytes, 7);
	x86_emu_describe(&res, line, sizeof(line));
	ck_assert_str_eq(line, "unsupported instruction (instruction not emulated): dd 04 25 00 00 00 c0");
	ck_assert_uint_eq(cpu.rip, 0x100000);
}
END_TEST

START_TEST(test_undecodable_reports_what_it_had)
{
	char line[256];

	EMULATE(X86_EMU_UNSUPPORTED, 0x48, 0x8b);
	ck_assert_uint_eq(res.nbytes, 2);
	x86_emu_describe(&res, line, sizeof(line));
	ck_assert_str_eq(line, "unsupported instruction (truncated instruction): 48 8b");
	EMULATE(X86_EMU_UNSUPPORTED, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x00);
	ck_assert_str_eq(res.reason, "unsupported encoding");
}
END_TEST

START_TEST(test_describe)
{
	char line[128];

	cpu.gpr[X86_RAX] = SPLIT_LIN;
	EMULATE(X86_EMU_FAULT, 0x89, 0x08);
	x86_emu_describe(&res, line, sizeof(line));
	ck_assert_str_eq(line, "exception 14 (error code 0x2, address 0x40000000000): 89 08");
	cpu.gpr[X86_RAX] = DATA;
	EMULATE_OK(0x89, 0x08);
	x86_emu_describe(&res, line, sizeof(line));
	ck_assert_str_eq(line, "emulated: 89 08");
	x86_emu_describe(&res, line, 12);	/* truncated, terminated */
	ck_assert_str_eq(line, "emulated: 8");
	fm.fail_at = (int)fm.accesses + 3;	/* PML4E, PDPTE, the write */
	EMULATE(X86_EMU_ERROR, 0x89, 0x08);
	x86_emu_describe(&res, line, sizeof(line));
	ck_assert_str_eq(line, "emulation failed (memory write failed): 89 08");
}
END_TEST

START_TEST(test_mode_mismatch)
{
	static const uint8_t mov[] = { 0x89, 0x08 };
	struct x86_insn insn;

	ck_assert_int_eq(x86_decode(mov, sizeof(mov), 32, &insn),
			 X86_DECODE_OK);
	ck_assert_int_eq(x86_execute(&cpu, &insn, &fake_ops, &fm, &res),
			 X86_EMU_UNSUPPORTED);
	ck_assert_str_eq(res.reason, "decoded for another CPU mode");
}
END_TEST

START_TEST(test_code_bits)
{
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 64);
	cpu.seg[X86_SEG_CS].l = false;
	cpu.seg[X86_SEG_CS].db = true;
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 32);	/* compatibility */
	cpu.seg[X86_SEG_CS].db = false;
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 16);
	cpu_flat(true);
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 32);
	cpu.rflags |= X86_EFLAGS_VM;
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 16);
	cpu_real_mode();
	cpu.seg[X86_SEG_CS].db = true;
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 16);
}
END_TEST

START_TEST(test_resume_flag_cleared)
{
	cpu.gpr[X86_RAX] = DATA;
	cpu.rflags |= X86_EFLAGS_RF;
	EMULATE_OK(0x89, 0x08);
	ck_assert(!(cpu.rflags & X86_EFLAGS_RF));
}
END_TEST

static Suite *emulate_suite(void)
{
	Suite *s = suite_create("emulate");
	TCase *t = tcase_create("mov");

	tcase_add_checked_fixture(t, fake_setup, fake_teardown);
	tcase_add_loop_test(t, test_mov_store_widths, 0, ARRAY_SIZE(sizes));
	tcase_add_loop_test(t, test_mov_load_widths, 0, ARRAY_SIZE(sizes));
	tcase_add_test(t, test_mov_byte_registers);
	tcase_add_test(t, test_mov_rip_relative);
	tcase_add_test(t, test_mov_moffs);
	tcase_add_test(t, test_mov_immediate);
	tcase_add_test(t, test_mov_to_mmio);
	tcase_add_loop_test(t, test_extend, 0, ARRAY_SIZE(extends));
	tcase_add_test(t, test_arpl_not_emulated);
	suite_add_tcase(s, t);

	t = tcase_create("alu");
	tcase_add_checked_fixture(t, fake_setup, fake_teardown);
	tcase_add_loop_test(t, test_alu_against_cpu, 0, 8);
	tcase_add_loop_test(t, test_alu_forms, 0, ARRAY_SIZE(alu_forms));
	tcase_add_test(t, test_alu_on_mmio);
	tcase_add_test(t, test_group3_others_unsupported);
	tcase_add_test(t, test_xchg);
	tcase_add_test(t, test_cmpxchg_success);
	tcase_add_test(t, test_cmpxchg_failure);
	tcase_add_test(t, test_cmpxchg_widths);
	tcase_add_test(t, test_cmpxchg8b);
	tcase_add_test(t, test_cmpxchg16b);
	tcase_add_test(t, test_cmpxchg16b_alignment);
	tcase_add_test(t, test_c7_group_others);
	tcase_add_loop_test(t, test_lock_ud, 0, ARRAY_SIZE(lock_ud));
	suite_add_tcase(s, t);

	t = tcase_create("addressing");
	tcase_add_checked_fixture(t, fake_setup, fake_teardown);
	tcase_add_test(t, test_segment_override_64);
	tcase_add_test(t, test_flat32_segments);
	tcase_add_test(t, test_real_mode);
	tcase_add_test(t, test_non_canonical);
	tcase_add_test(t, test_page_crossing);
	tcase_add_test(t, test_page_crossing_fault);
	tcase_add_test(t, test_page_fault_user);
	suite_add_tcase(s, t);

	t = tcase_create("outcomes");
	tcase_add_checked_fixture(t, fake_setup, fake_teardown);
	tcase_add_test(t, test_callback_failures);
	tcase_add_test(t, test_accessed_bit_write_fails);
	tcase_add_test(t, test_unsupported_reports_bytes);
	tcase_add_test(t, test_undecodable_reports_what_it_had);
	tcase_add_test(t, test_describe);
	tcase_add_test(t, test_mode_mismatch);
	tcase_add_test(t, test_code_bits);
	tcase_add_test(t, test_resume_flag_cleared);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(emulate_suite());
}
