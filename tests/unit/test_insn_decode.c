// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction decoder: lengths of a wide table of instructions in all
 * three code sizes (each also cut short at every byte, from a buffer that
 * ends at an unmapped page, so an over-read crashes the test), the errors
 * for overlong, undefined and unsupported encodings, and the fields the
 * executor relies on: prefixes, REX, VEX, ModRM, SIB, displacements,
 * RIP-relative and 16-bit addressing, immediates.
 */
#include <stdio.h>

#include "unit_helpers.h"
#include "x86/insn_decode.h"

#define MAX_BYTES 16

struct len_case {
	unsigned int bits;
	uint8_t bytes[MAX_BYTES];
	unsigned int n;			/* bytes given */
	enum x86_decode_status want;	/* OK: the length is n */
};

#define OK64(...) CASE(64, X86_DECODE_OK, __VA_ARGS__)
#define OK32(...) CASE(32, X86_DECODE_OK, __VA_ARGS__)
#define OK16(...) CASE(16, X86_DECODE_OK, __VA_ARGS__)
#define CASE(b, w, ...)                                                   \
	{ .bits = b, .bytes = { __VA_ARGS__ },                            \
	  .n = sizeof((uint8_t[]){ __VA_ARGS__ }), .want = w }

#define D4 0x78, 0x56, 0x34, 0x12	/* a 32-bit displacement/immediate */
#define D8 D4, 0xf0, 0xde, 0xbc, 0x9a

/* clang-format off */
static const struct len_case lengths[] = {
	/* 64-bit: ModRM, SIB, displacements, RIP-relative */
	OK64(0x90),
	OK64(0x89, 0x08),				/* mov [rax],ecx */
	OK64(0x48, 0x89, 0x08),
	OK64(0x89, 0x04, 0x24),				/* [rsp] */
	OK64(0x89, 0x44, 0x24, 0x08),
	OK64(0x89, 0x84, 0x24, D4),
	OK64(0x89, 0x05, D4),				/* [rip+d32] */
	OK64(0x89, 0x04, 0x25, D4),			/* [d32] via SIB */
	OK64(0x8b, 0x45, 0xf8),
	OK64(0x41, 0x8b, 0x45, 0x00),			/* [r13+0] */
	OK64(0x42, 0x8b, 0x04, 0xa5, D4),		/* [r12*4+d32] */
	OK64(0x40, 0x88, 0xf0),
	OK64(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x8b, 0x00),
	OK64(0x48, 0x66, 0x8b, 0x00),			/* REX, then 66 */
	/* immediates */
	OK64(0xc6, 0x00, 0x12),
	OK64(0xc7, 0x00, D4),
	OK64(0x66, 0xc7, 0x00, 0x34, 0x12),
	OK64(0x48, 0xc7, 0x00, D4),
	OK64(0x48, 0xb8, D8),				/* movabs */
	OK64(0xb8, D4),
	OK64(0x66, 0xb8, 0x34, 0x12),
	OK64(0xa1, D8),					/* moffs64 */
	OK64(0x67, 0xa1, D4),
	OK64(0x48, 0xa3, D8),
	OK64(0x80, 0x00, 0x01),
	OK64(0x81, 0x00, D4),
	OK64(0x66, 0x81, 0x00, 0x34, 0x12),
	OK64(0x83, 0x00, 0x01),
	OK64(0x04, 0x01),
	OK64(0x05, D4),
	OK64(0x3c, 0x01),
	OK64(0xa8, 0x01),
	OK64(0xa9, D4),
	OK64(0x66, 0xa9, 0x34, 0x12),
	OK64(0x48, 0xa9, D4),
	OK64(0xf6, 0x00, 0x01),				/* test has Ib */
	OK64(0xf6, 0x10),				/* not has none */
	OK64(0xf7, 0x00, D4),
	OK64(0x66, 0xf7, 0x00, 0x34, 0x12),
	OK64(0xf7, 0x18),
	OK64(0x68, D4),
	OK64(0x6a, 0x01),
	OK64(0x69, 0xc0, D4),
	OK64(0x6b, 0xc0, 0x01),
	OK64(0xc0, 0xe0, 0x04),
	OK64(0xd1, 0xe0),
	OK64(0xc8, 0x10, 0x00, 0x01),			/* enter */
	OK64(0xc2, 0x08, 0x00),
	OK64(0xca, 0x08, 0x00),
	OK64(0xcd, 0x80),
	/* branches: 66 does not shorten rel32 in 64-bit mode */
	OK64(0xe8, D4),
	OK64(0x66, 0xe8, D4),
	OK64(0xe9, D4),
	OK64(0xeb, 0x10),
	OK64(0x70, 0x10),
	OK64(0x0f, 0x84, D4),
	/* port I/O and strings */
	OK64(0xe4, 0x60),
	OK64(0xe6, 0x80),
	OK64(0xec),
	OK64(0xed),
	OK64(0xef),
	OK64(0xf3, 0x6c),
	OK64(0xf3, 0x48, 0xa5),
	OK64(0xf3, 0xaa),
	/* exchanges */
	OK64(0x86, 0x08),
	OK64(0x87, 0x08),
	OK64(0xf0, 0x0f, 0xb1, 0x0a),
	OK64(0xf0, 0x48, 0x0f, 0xc7, 0x0e),		/* cmpxchg16b */
	OK64(0x0f, 0xc7, 0x0f),
	/* 0F map */
	OK64(0x0f, 0xb6, 0x00),
	OK64(0x0f, 0xbf, 0x00),
	OK64(0x48, 0x63, 0xc8),
	OK64(0x0f, 0xba, 0xe0, 0x03),
	OK64(0x0f, 0xa4, 0xc2, 0x04),
	OK64(0x0f, 0x05),
	OK64(0x0f, 0x0b),
	OK64(0x0f, 0x01, 0xd9),
	OK64(0x0f, 0xae, 0xf0),
	OK64(0x0f, 0x0f, 0xc1, 0xb4),			/* 3DNow! suffix */
	OK64(0x0f, 0x70, 0xc1, 0x1b),
	OK64(0x0f, 0x20, 0xc0),
	OK64(0x0f, 0x22, 0x05),				/* mod ignored */
	OK32(0x0f, 0x23, 0x44),
	OK64(0xf2, 0x0f, 0x10, 0x00),
	/* SSE moves */
	OK64(0x66, 0x0f, 0x6e, 0xc0),
	OK64(0x66, 0x48, 0x0f, 0x7e, 0x00),
	OK64(0xf3, 0x0f, 0x7e, 0x00),
	OK64(0x66, 0x0f, 0xd6, 0x00),
	OK64(0x66, 0x0f, 0x6f, 0x00),
	OK64(0xf3, 0x0f, 0x7f, 0x00),
	/* three-byte maps */
	OK64(0x0f, 0x38, 0x00, 0xc1),
	OK64(0x66, 0x0f, 0x38, 0x00, 0xc1),
	OK64(0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08),
	/* VEX */
	OK64(0xc5, 0xfe, 0x6f, 0x00),			/* vmovdqu ymm0,[rax] */
	OK64(0xc5, 0xfa, 0x7f, 0x00),
	OK64(0xc4, 0xe1, 0x7e, 0x6f, 0x00),
	OK64(0xc4, 0x41, 0x7e, 0x7f, 0x18),
	OK64(0xc5, 0xfe, 0x6f, 0x84, 0x24, D4),
	OK64(0xc4, 0xe3, 0x7d, 0x18, 0xc1, 0x01),	/* map 0F3A: Ib */
	OK64(0xc4, 0xe2, 0x79, 0x18, 0x00),		/* map 0F38 */
	OK64(0xc5, 0xf8, 0x77),				/* vzeroupper */
	/* x87, and the emulfail guest's FLD */
	OK64(0xd9, 0xc0),
	OK64(0xdd, 0x04, 0x25, 0x00, 0x00, 0x00, 0xc0),
	OK64(0x8f, 0x00),				/* pop [rax] */
	/* exactly 15 bytes */
	OK64(0x26, 0x26, 0xf0, 0x48, 0x81, 0x84, 0x24, D4, D4),

	/* 32-bit */
	OK32(0x89, 0x08),
	OK32(0x89, 0x05, D4),				/* absolute d32 */
	OK32(0x66, 0x89, 0x08),
	OK32(0x67, 0x89, 0x07),				/* [bx] */
	OK32(0x67, 0x89, 0x06, 0x34, 0x12),
	OK32(0x40),					/* inc eax */
	OK32(0x06),
	OK32(0x27),
	OK32(0x60),
	OK32(0xce),
	OK32(0xd4, 0x0a),
	OK32(0x62, 0x00),				/* bound */
	OK32(0xc4, 0x00),				/* les */
	OK32(0xc5, 0x00),				/* lds */
	OK32(0xc5, 0xf9, 0x6f, 0xc1),			/* vmovdqa */
	OK32(0xc4, 0xe1, 0x7d, 0x7f, 0x00),
	OK32(0x9a, D4, 0x10, 0x00),			/* call far 16:32 */
	OK32(0x66, 0x9a, 0x34, 0x12, 0x10, 0x00),
	OK32(0xa1, D4),
	OK32(0x82, 0x00, 0x01),
	OK32(0xe8, D4),
	OK32(0x66, 0xe8, 0x34, 0x12),
	OK32(0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
	     0x66, 0xc7, 0x00, 0x34, 0x12),		/* 15 bytes */

	/* 16-bit */
	OK16(0x89, 0x07),				/* [bx] */
	OK16(0x89, 0x06, 0x34, 0x12),			/* [d16] */
	OK16(0x89, 0x47, 0x10),
	OK16(0x89, 0x87, 0x34, 0x12),
	OK16(0x67, 0x89, 0x04, 0x24),			/* 32-bit SIB */
	OK16(0x66, 0x89, 0x07),
	OK16(0xb8, 0x34, 0x12),
	OK16(0x66, 0xb8, D4),
	OK16(0xa1, 0x34, 0x12),
	OK16(0x67, 0xa1, D4),
	OK16(0xc7, 0x07, 0x34, 0x12),
	OK16(0x66, 0xc7, 0x07, D4),
	OK16(0xe8, 0x34, 0x12),
	OK16(0x66, 0xe8, D4),
	OK16(0x9a, 0x00, 0x00, 0x00, 0xf0),
	OK16(0x66, 0x9a, D4, 0x00, 0xf0),
	OK16(0xea, 0x5b, 0xe0, 0x00, 0xf0),
	OK16(0xe5, 0x60),
	OK16(0xf3, 0x6f),
};

static const struct len_case errors[] = {
	CASE(64, X86_DECODE_TRUNCATED, 0x66),
	CASE(64, X86_DECODE_UNDEFINED, 0x06),
	CASE(64, X86_DECODE_UNDEFINED, 0x27),
	CASE(64, X86_DECODE_UNDEFINED, 0x60),
	CASE(64, X86_DECODE_UNDEFINED, 0x9a, D4, 0x10, 0x00),
	CASE(64, X86_DECODE_UNDEFINED, 0xd4, 0x0a),
	CASE(64, X86_DECODE_UNDEFINED, 0x82, 0x00, 0x01),
	CASE(64, X86_DECODE_UNDEFINED, 0xce),
	CASE(64, X86_DECODE_UNDEFINED, 0xea, D4, 0x10, 0x00),
	CASE(32, X86_DECODE_UNDEFINED, 0xd6),
	CASE(64, X86_DECODE_UNDEFINED, 0x0f, 0x04),
	CASE(64, X86_DECODE_UNDEFINED, 0x0f, 0x24, 0xc0),
	CASE(64, X86_DECODE_UNDEFINED, 0x0f, 0x39),
	CASE(64, X86_DECODE_UNDEFINED, 0x0f, 0xa6),
	CASE(64, X86_DECODE_UNDEFINED, 0xc4, 0xe0, 0x7e, 0x6f, 0x00),
	CASE(64, X86_DECODE_UNDEFINED, 0xc4, 0xe4, 0x7e, 0x6f, 0x00),
	CASE(64, X86_DECODE_UNSUPPORTED, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x00),
	CASE(32, X86_DECODE_UNSUPPORTED, 0x62, 0xf1, 0x7c, 0x48, 0x10, 0x00),
	CASE(64, X86_DECODE_UNSUPPORTED, 0x8f, 0xe8, 0x78, 0xc2, 0xc1, 0x00),
	CASE(64, X86_DECODE_TOO_LONG, 0x26, 0x26, 0x26, 0xf0, 0x48, 0x81,
	     0x84, 0x24, D4, D4),
	CASE(64, X86_DECODE_TOO_LONG, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
	CASE(16, X86_DECODE_TOO_LONG, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66),
};
/* clang-format on */

static enum x86_decode_status decode_guarded(const uint8_t *bytes, size_t n,
					     unsigned int bits,
					     struct x86_insn *insn)
{
	struct guarded_buf g;
	enum x86_decode_status s;

	s = x86_decode(guarded_copy(&g, bytes, n), n, bits, insn);
	guarded_free(&g);
	return s;
}

static void describe(char *buf, size_t size, const struct len_case *c)
{
	unsigned int i;
	int used = snprintf(buf, size, "%u-bit:", c->bits);

	for (i = 0; i < c->n && used > 0 && (size_t)used < size; i++)
		used += snprintf(buf + used, size - used, " %02x", c->bytes[i]);
}

/*
 * Decoded from exactly its bytes (ending at an unmapped page), again with
 * more bytes after it, which must change nothing, and cut short at every
 * byte, which must say "truncated" without reading past the end.
 */
START_TEST(test_length)
{
	const struct len_case *c = &lengths[_i];
	struct x86_insn insn, padded;
	uint8_t buf[32];
	unsigned int k;
	char what[128];

	describe(what, sizeof(what), c);
	ck_assert_msg(decode_guarded(c->bytes, c->n, c->bits, &insn) ==
			      X86_DECODE_OK,
		      "%s: not decoded", what);
	ck_assert_msg(insn.len == c->n, "%s: length %u", what, insn.len);
	ck_assert(memcmp(insn.bytes, c->bytes, c->n) == 0);

	memset(buf, 0x90, sizeof(buf));
	memcpy(buf, c->bytes, c->n);
	ck_assert_int_eq(x86_decode(buf, sizeof(buf), c->bits, &padded),
			 X86_DECODE_OK);
	ck_assert_msg(memcmp(&insn, &padded, sizeof(insn)) == 0,
		      "%s: trailing bytes changed the decoding", what);

	for (k = 0; k < c->n; k++)
		ck_assert_msg(decode_guarded(c->bytes, k, c->bits, &insn) ==
				      X86_DECODE_TRUNCATED,
			      "%s cut to %u bytes: not truncated", what, k);
}
END_TEST

START_TEST(test_errors)
{
	const struct len_case *c = &errors[_i];
	struct x86_insn insn;
	enum x86_decode_status s;
	char what[128];

	describe(what, sizeof(what), c);
	s = decode_guarded(c->bytes, c->n, c->bits, &insn);
	ck_assert_msg(s == c->want, "%s: status %s, expected %s", what,
		      x86_decode_status_str(s), x86_decode_status_str(c->want));
	ck_assert_uint_le(insn.len, X86_MAX_INSN_LEN);
}
END_TEST

START_TEST(test_bad_mode)
{
	static const uint8_t nop = 0x90;
	struct x86_insn insn;

	ck_assert_int_eq(x86_decode(&nop, 1, 8, &insn), X86_DECODE_UNSUPPORTED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Fields                                                              */
/* ------------------------------------------------------------------ */

static struct x86_insn decoded(unsigned int bits, const uint8_t *b, size_t n)
{
	struct x86_insn insn;

	ck_assert_int_eq(x86_decode(b, n, bits, &insn), X86_DECODE_OK);
	ck_assert_uint_eq(insn.len, n);
	return insn;
}

#define DECODE(bits, ...)                                               \
	decoded(bits, (const uint8_t[]){ __VA_ARGS__ },                 \
		sizeof((uint8_t[]){ __VA_ARGS__ }))

static void assert_mem(const struct x86_insn *i, int base, int index,
		       unsigned int scale, int64_t disp, unsigned int seg)
{
	ck_assert(i->has_mem);
	ck_assert_int_eq(i->mem.base, base);
	ck_assert_int_eq(i->mem.index, index);
	ck_assert_uint_eq(i->mem.scale, scale);
	ck_assert_int_eq(i->mem.disp, disp);
	ck_assert_uint_eq(i->mem.default_seg, seg);
}

START_TEST(test_modrm_sib_64)
{
	struct x86_insn i;

	/* mov r9, [r12 + r13*8 - 0x10]: REX.WRXB */
	i = DECODE(64, 0x4f, 0x8b, 0x4c, 0xec, 0xf0);
	ck_assert(i.rex_w && i.rex_r && i.rex_x && i.rex_b);
	ck_assert_uint_eq(i.opsize, 8);
	ck_assert_uint_eq(i.reg, 9);
	assert_mem(&i, 12, 13, 3, -0x10, X86_SEG_DS);
	ck_assert(i.has_sib);
	ck_assert_uint_eq(i.disp_size, 1);

	/* [rsp]: SIB with no index; stack segment */
	i = DECODE(64, 0x89, 0x04, 0x24);
	assert_mem(&i, 4, X86_NO_REG, 0, 0, X86_SEG_SS);

	/* [r12]: the same encoding with REX.B is not a stack access */
	i = DECODE(64, 0x41, 0x89, 0x04, 0x24);
	assert_mem(&i, 12, X86_NO_REG, 0, 0, X86_SEG_DS);

	/* [rbp + 8] */
	i = DECODE(64, 0x89, 0x45, 0x08);
	assert_mem(&i, 5, X86_NO_REG, 0, 8, X86_SEG_SS);

	/* REX.X makes index 4 mean r12: [rax + r12*2] */
	i = DECODE(64, 0x42, 0x89, 0x0c, 0x60);
	assert_mem(&i, 0, 12, 1, 0, X86_SEG_DS);

	/* [disp32] through SIB, no base, no index */
	i = DECODE(64, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0xc0);
	assert_mem(&i, X86_NO_REG, X86_NO_REG, 0, (int32_t)0xc0000000, 3);
	ck_assert(!i.mem.rip_relative);

	/* mod 3: registers, rm extended by REX.B */
	i = DECODE(64, 0x49, 0x89, 0xc7);
	ck_assert(!i.has_mem);
	ck_assert_uint_eq(i.rm, 15);
	ck_assert_uint_eq(i.reg, 0);
}
END_TEST

START_TEST(test_rip_relative)
{
	struct x86_insn i;

	i = DECODE(64, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff);
	ck_assert(i.mem.rip_relative);
	assert_mem(&i, X86_NO_REG, X86_NO_REG, 0, -0x10, X86_SEG_DS);

	/* REX.B does not turn it into [r13] */
	i = DECODE(64, 0x41, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00);
	ck_assert(i.mem.rip_relative);

	/* In 32-bit code the same bytes are an absolute address. */
	i = DECODE(32, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00);
	ck_assert(!i.mem.rip_relative);
	assert_mem(&i, X86_NO_REG, X86_NO_REG, 0, 0x10, X86_SEG_DS);
}
END_TEST

START_TEST(test_modrm_16)
{
	static const struct {
		uint8_t modrm;
		int base, index;
		unsigned int seg;
	} forms[] = {
		{ 0x00, 3, 6, X86_SEG_DS },	/* [bx+si] */
		{ 0x01, 3, 7, X86_SEG_DS },	/* [bx+di] */
		{ 0x02, 5, 6, X86_SEG_SS },	/* [bp+si] */
		{ 0x03, 5, 7, X86_SEG_SS },	/* [bp+di] */
		{ 0x04, X86_NO_REG, 6, X86_SEG_DS },	/* [si] */
		{ 0x05, X86_NO_REG, 7, X86_SEG_DS },	/* [di] */
		{ 0x07, 3, X86_NO_REG, X86_SEG_DS },	/* [bx] */
	};
	struct x86_insn i;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(forms); k++) {
		i = DECODE(16, 0x89, forms[k].modrm);
		assert_mem(&i, forms[k].base, forms[k].index, 0, 0,
			   forms[k].seg);
	}
	i = DECODE(16, 0x89, 0x06, 0x34, 0x12);		/* [0x1234] */
	assert_mem(&i, X86_NO_REG, X86_NO_REG, 0, 0x1234, X86_SEG_DS);
	i = DECODE(16, 0x89, 0x46, 0xfe);		/* [bp-2] */
	assert_mem(&i, 5, X86_NO_REG, 0, -2, X86_SEG_SS);
	i = DECODE(16, 0x89, 0x80, 0x00, 0x80);		/* [bx+si-0x8000] */
	assert_mem(&i, 3, 6, 0, -0x8000, X86_SEG_DS);
	ck_assert_uint_eq(i.addrsize, 2);
	ck_assert_uint_eq(i.opsize, 2);
}
END_TEST

START_TEST(test_sizes)
{
	static const struct {
		unsigned int bits;
		uint8_t prefix[2];
		unsigned int n, opsize, addrsize;
	} cases[] = {
		{ 64, { 0 }, 0, 4, 8 },
		{ 64, { 0x66 }, 1, 2, 8 },
		{ 64, { 0x48 }, 1, 8, 8 },
		{ 64, { 0x66, 0x48 }, 2, 8, 8 },	/* REX.W wins */
		{ 64, { 0x67 }, 1, 4, 4 },
		{ 32, { 0 }, 0, 4, 4 },
		{ 32, { 0x66 }, 1, 2, 4 },
		{ 32, { 0x67 }, 1, 4, 2 },
		{ 16, { 0 }, 0, 2, 2 },
		{ 16, { 0x66, 0x67 }, 2, 4, 4 },
	};
	uint8_t buf[4];
	struct x86_insn i;
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		memcpy(buf, cases[k].prefix, cases[k].n);
		buf[cases[k].n] = 0x90;
		i = decoded(cases[k].bits, buf, cases[k].n + 1);
		ck_assert_msg(i.opsize == cases[k].opsize &&
				      i.addrsize == cases[k].addrsize,
			      "case %u: opsize %u addrsize %u", k, i.opsize,
			      i.addrsize);
	}
}
END_TEST

START_TEST(test_prefixes)
{
	struct x86_insn i;

	/* The last segment override wins; LOCK and REP are recorded. */
	i = DECODE(64, 0x2e, 0x65, 0xf0, 0xf3, 0x87, 0x00);
	ck_assert_uint_eq(i.seg, X86_SEG_GS);
	ck_assert(i.lock);
	ck_assert_uint_eq(i.rep, 0xf3);
	i = DECODE(32, 0x64, 0x26, 0x89, 0x00);
	ck_assert_uint_eq(i.seg, X86_SEG_ES);
	i = DECODE(64, 0x89, 0x00);
	ck_assert_uint_eq(i.seg, X86_SEG_DEFAULT);

	/* A REX followed by a legacy prefix is not in effect. */
	i = DECODE(64, 0x48, 0x66, 0x89, 0x00);
	ck_assert_uint_eq(i.rex, 0);
	ck_assert_uint_eq(i.opsize, 2);
	/* Two REX bytes: the last one counts. */
	i = DECODE(64, 0x48, 0x41, 0x89, 0x00);
	ck_assert_uint_eq(i.rex, 0x41);
	ck_assert_uint_eq(i.opsize, 4);

	/* F2/F3 select the SSE form over 66. */
	i = DECODE(64, 0x66, 0xf3, 0x0f, 0x6f, 0x00);
	ck_assert_uint_eq(x86_insn_simd_prefix(&i), 0xf3);
	i = DECODE(64, 0x66, 0x0f, 0x6f, 0x00);
	ck_assert_uint_eq(x86_insn_simd_prefix(&i), 0x66);
	i = DECODE(64, 0x0f, 0x6f, 0x00);
	ck_assert_uint_eq(x86_insn_simd_prefix(&i), 0);

	/* In 32-bit code 40-4f are instructions, not REX. */
	i = DECODE(32, 0x48);
	ck_assert_uint_eq(i.opcode, 0x48);
	ck_assert_uint_eq(i.rex, 0);
}
END_TEST

START_TEST(test_immediates)
{
	struct x86_insn i;

	i = DECODE(64, 0x48, 0xb8, D8);
	ck_assert_uint_eq(i.imm, 0x9abcdef012345678ULL);
	ck_assert_uint_eq(i.imm_size, 8);
	i = DECODE(64, 0x83, 0x00, 0xff);
	ck_assert_uint_eq(i.imm, 0xff);
	ck_assert_uint_eq(i.imm_size, 1);
	i = DECODE(64, 0xa3, D8); /* moffs is the address */
	ck_assert(i.has_mem);
	ck_assert_uint_eq((uint64_t)i.mem.disp, 0x9abcdef012345678ULL);
	i = DECODE(16, 0xa1, 0x34, 0x12);
	ck_assert_uint_eq((uint64_t)i.mem.disp, 0x1234);
	i = DECODE(64, 0xc8, 0x10, 0x20, 0x03);		/* enter 0x2010, 3 */
	ck_assert_uint_eq(i.imm, 0x2010);
	ck_assert_uint_eq(i.imm2, 3);
	ck_assert_uint_eq(i.imm_size, 3);
	i = DECODE(32, 0x9a, D4, 0x10, 0x00);		/* call 0x10:... */
	ck_assert_uint_eq(i.imm, 0x12345678);
	ck_assert_uint_eq(i.imm2, 0x10);
	i = DECODE(64, 0xe4, 0x71);
	ck_assert_uint_eq(i.imm, 0x71);
}
END_TEST

START_TEST(test_vex)
{
	struct x86_insn i;

	/* vmovdqu ymm0, [rax]: two-byte VEX, L=1, pp=F3 */
	i = DECODE(64, 0xc5, 0xfe, 0x6f, 0x00);
	ck_assert(i.vex);
	ck_assert_uint_eq(i.map, X86_MAP_0F);
	ck_assert_uint_eq(i.opcode, 0x6f);
	ck_assert_uint_eq(i.vex_l, 1);
	ck_assert_uint_eq(i.vex_pp, 2);
	ck_assert_uint_eq(i.vex_vvvv, 0);
	ck_assert_uint_eq(x86_insn_simd_prefix(&i), 0xf3);

	/* vmovdqu [r8], ymm11: three-byte VEX with R and B */
	i = DECODE(64, 0xc4, 0x41, 0x7e, 0x7f, 0x18);
	ck_assert_uint_eq(i.reg, 11);
	assert_mem(&i, 8, X86_NO_REG, 0, 0, X86_SEG_DS);

	/* vvvv = 0101 inverted: register 10; W, 128 bits, pp=66 */
	i = DECODE(64, 0xc4, 0xe1, 0xa9, 0x6f, 0xc1);
	ck_assert_uint_eq(i.vex_vvvv, 10);
	ck_assert(i.rex_w);
	ck_assert_uint_eq(i.vex_l, 0);
	ck_assert_uint_eq(i.vex_pp, 1);

	/* In 32-bit code C4 with a memory ModRM is LES. */
	i = DECODE(32, 0xc4, 0x00);
	ck_assert(!i.vex);
	ck_assert_uint_eq(i.opcode, 0xc4);
	/* ...and neither VEX.B nor vvvv[3] reaches registers 8-15 */
	i = DECODE(32, 0xc4, 0xc1, 0x3e, 0x6f, 0xc1);
	ck_assert(i.vex);
	ck_assert_uint_eq(i.rm, 1);
	ck_assert_uint_eq(i.vex_vvvv, 0);
}
END_TEST

START_TEST(test_status_strings)
{
	ck_assert_str_eq(x86_decode_status_str(X86_DECODE_OK), "ok");
	ck_assert_str_eq(x86_decode_status_str(X86_DECODE_TRUNCATED),
			 "truncated instruction");
	ck_assert_str_eq(x86_decode_status_str(X86_DECODE_TOO_LONG),
			 "instruction longer than 15 bytes");
	ck_assert_str_eq(x86_decode_status_str(X86_DECODE_UNDEFINED),
			 "undefined opcode");
	ck_assert_str_eq(x86_decode_status_str(X86_DECODE_UNSUPPORTED),
			 "unsupported encoding");
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("insn_decode");
	TCase *t = tcase_create("lengths");

	tcase_add_loop_test(t, test_length, 0, ARRAY_SIZE(lengths));
	tcase_add_loop_test(t, test_errors, 0, ARRAY_SIZE(errors));
	tcase_add_test(t, test_bad_mode);
	suite_add_tcase(s, t);

	t = tcase_create("fields");
	tcase_add_test(t, test_modrm_sib_64);
	tcase_add_test(t, test_rip_relative);
	tcase_add_test(t, test_modrm_16);
	tcase_add_test(t, test_sizes);
	tcase_add_test(t, test_prefixes);
	tcase_add_test(t, test_immediates);
	tcase_add_test(t, test_vex);
	tcase_add_test(t, test_status_strings);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(decode_suite());
}
