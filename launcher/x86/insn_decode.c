// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoding, after the Intel SDM volume 2 (chapter 2 and
 * appendix A, the opcode maps).  The bytes come from the guest (through
 * KVM, or straight from a fuzzer), so every byte is fetched through one
 * function that checks both the caller's buffer and the 15-byte limit.
 */
#include <string.h>

#include "insn_decode.h"

/*
 * What follows an opcode: a ModRM byte or not, and which immediate.  The
 * immediate kinds name the SDM's operand codes: Ib, Iw, Iz (16 or 32
 * bits), Iv (16, 32 or 64), Ob/Ov (a moffs: address-sized), Jz (a branch
 * displacement), Ap (a far pointer) and ENTER's Iw, Ib.  Group 3 (F6, F7)
 * has an immediate only for TEST, that is ModRM.reg 0 or 1.
 */
enum imm_kind {
	IMM_NONE,
	IMM_B,
	IMM_W,
	IMM_Z,
	IMM_V,
	IMM_MOFFS,
	IMM_REL_Z,
	IMM_FAR,
	IMM_ENTER,
	IMM_GRP3_B,
	IMM_GRP3_Z,
};

#define A_IMM_MASK	0x0f
#define A_MODRM		0x10
#define A_INV64		0x20	/* invalid in 64-bit mode */
#define A_UNDEF		0x40	/* undefined in every mode */
#define A_REG_ONLY	0x80	/* ModRM.mod is ignored: always registers */

/* clang-format off */
#define _	IMM_NONE
#define M	A_MODRM
#define Ib	IMM_B
#define Iw	IMM_W
#define Iz	IMM_Z
#define Iv	IMM_V
#define Ov	IMM_MOFFS
#define Jz	IMM_REL_Z
#define MIb	(A_MODRM | IMM_B)
#define MIz	(A_MODRM | IMM_Z)
#define X	A_INV64
#define XM	(A_INV64 | A_MODRM)
#define XIb	(A_INV64 | IMM_B)
#define Ap	(A_INV64 | IMM_FAR)
#define En	IMM_ENTER
#define G3b	(A_MODRM | IMM_GRP3_B)
#define G3z	(A_MODRM | IMM_GRP3_Z)
#define U	A_UNDEF
#define R	(A_MODRM | A_REG_ONLY)
#define P	_	/* a prefix or escape: consumed before any lookup */

static const uint8_t one_byte_attrs[256] = {
/*	   0    1    2    3    4    5    6    7 */
/* 00 */   M,   M,   M,   M,   Ib,  Iz,  X,   X,
/* 08 */   M,   M,   M,   M,   Ib,  Iz,  X,   P,
/* 10 */   M,   M,   M,   M,   Ib,  Iz,  X,   X,
/* 18 */   M,   M,   M,   M,   Ib,  Iz,  X,   X,
/* 20 */   M,   M,   M,   M,   Ib,  Iz,  P,   X,
/* 28 */   M,   M,   M,   M,   Ib,  Iz,  P,   X,
/* 30 */   M,   M,   M,   M,   Ib,  Iz,  P,   X,
/* 38 */   M,   M,   M,   M,   Ib,  Iz,  P,   X,
/* 40 */   _,   _,   _,   _,   _,   _,   _,   _,	/* REX in 64-bit */
/* 48 */   _,   _,   _,   _,   _,   _,   _,   _,
/* 50 */   _,   _,   _,   _,   _,   _,   _,   _,
/* 58 */   _,   _,   _,   _,   _,   _,   _,   _,
/* 60 */   X,   X,   XM,  M,   P,   P,   P,   P,
/* 68 */   Iz,  MIz, Ib,  MIb, _,   _,   _,   _,
/* 70 */   Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,
/* 78 */   Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,
/* 80 */   MIb, MIz, XM | Ib, MIb, M, M,  M,   M,
/* 88 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 90 */   _,   _,   _,   _,   _,   _,   _,   _,
/* 98 */   _,   _,   Ap,  _,   _,   _,   _,   _,
/* a0 */   Ov,  Ov,  Ov,  Ov,  _,   _,   _,   _,
/* a8 */   Ib,  Iz,  _,   _,   _,   _,   _,   _,
/* b0 */   Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,
/* b8 */   Iv,  Iv,  Iv,  Iv,  Iv,  Iv,  Iv,  Iv,
/* c0 */   MIb, MIb, Iw,  _,   XM,  XM,  MIb, MIz,
/* c8 */   En,  _,   Iw,  _,   _,   Ib,  X,   _,
/* d0 */   M,   M,   M,   M,   XIb, XIb, U,   _,
/* d8 */   M,   M,   M,   M,   M,   M,   M,   M,
/* e0 */   Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,  Ib,
/* e8 */   Jz,  Jz,  Ap,  Ib,  _,   _,   _,   _,
/* f0 */   P,   _,   P,   P,   _,   _,   G3b, G3z,
/* f8 */   _,   _,   _,   _,   _,   _,   M,   M,
};

static const uint8_t two_byte_attrs[256] = {
/*	   0    1    2    3    4    5    6    7 */
/* 00 */   M,   M,   M,   M,   U,   _,   _,   _,
/* 08 */   _,   _,   U,   _,   U,   M,   _,   MIb,	/* 0f 0f: 3DNow! */
/* 10 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 18 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 20 */   R,   R,   R,   R,   U,   U,   U,   U,	/* mov cr/dr */
/* 28 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 30 */   _,   _,   _,   _,   _,   _,   U,   _,
/* 38 */   P,   U,   P,   U,   U,   U,   U,   U,
/* 40 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 48 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 50 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 58 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 60 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 68 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 70 */   MIb, MIb, MIb, MIb, M,   M,   M,   _,
/* 78 */   M,   M,   U,   U,   M,   M,   M,   M,
/* 80 */   Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,
/* 88 */   Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,  Jz,
/* 90 */   M,   M,   M,   M,   M,   M,   M,   M,
/* 98 */   M,   M,   M,   M,   M,   M,   M,   M,
/* a0 */   _,   _,   _,   M,   MIb, M,   U,   U,
/* a8 */   _,   _,   _,   M,   MIb, M,   M,   M,
/* b0 */   M,   M,   M,   M,   M,   M,   M,   M,
/* b8 */   M,   M,   MIb, M,   M,   M,   M,   M,
/* c0 */   M,   M,   MIb, M,   MIb, MIb, MIb, M,
/* c8 */   _,   _,   _,   _,   _,   _,   _,   _,
/* d0 */   M,   M,   M,   M,   M,   M,   M,   M,
/* d8 */   M,   M,   M,   M,   M,   M,   M,   M,
/* e0 */   M,   M,   M,   M,   M,   M,   M,   M,
/* e8 */   M,   M,   M,   M,   M,   M,   M,   M,
/* f0 */   M,   M,   M,   M,   M,   M,   M,   M,
/* f8 */   M,   M,   M,   M,   M,   M,   M,   M,
};

#undef _
#undef M
#undef Ib
#undef Iw
#undef Iz
#undef Iv
#undef Ov
#undef Jz
#undef MIb
#undef MIz
#undef X
#undef XM
#undef XIb
#undef Ap
#undef En
#undef G3b
#undef G3z
#undef U
#undef R
#undef P
/* clang-format on */

/* The bytes being decoded and how far we are into them. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	unsigned int pos;
};

static enum x86_decode_status peek(const struct cursor *c, unsigned int ahead,
				   uint8_t *b)
{
	unsigned int at = c->pos + ahead;

	if (at >= X86_MAX_INSN_LEN)
		return X86_DECODE_TOO_LONG;
	if (at >= c->avail)
		return X86_DECODE_TRUNCATED;
	*b = c->bytes[at];
	return X86_DECODE_OK;
}

static enum x86_decode_status fetch(struct cursor *c, uint8_t *b)
{
	enum x86_decode_status s = peek(c, 0, b);

	if (s == X86_DECODE_OK)
		c->pos++;
	return s;
}

/* A little-endian field of `size` bytes, zero-extended. */
static enum x86_decode_status fetch_le(struct cursor *c, unsigned int size,
				       uint64_t *val)
{
	enum x86_decode_status s;
	unsigned int i;
	uint8_t b;

	*val = 0;
	for (i = 0; i < size; i++) {
		s = fetch(c, &b);
		if (s)
			return s;
		*val |= (uint64_t)b << (8 * i);
	}
	return X86_DECODE_OK;
}

static int64_t sign_extend(uint64_t v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return (int64_t)(v << shift) >> shift;
}

/* Returns true when `b` was a legacy prefix, and records it. */
static bool take_legacy_prefix(struct x86_insn *insn, uint8_t b)
{
	switch (b) {
	case 0xf0:
		insn->lock = true;
		return true;
	case 0xf2:
	case 0xf3:
		insn->rep = b;
		return true;
	case 0x66:
		insn->opsize_prefix = true;
		return true;
	case 0x67:
		insn->addrsize_prefix = true;
		return true;
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
		insn->seg = (b >> 3) & 3;	/* ES, CS, SS, DS */
		return true;
	case 0x64:
	case 0x65:
		insn->seg = X86_SEG_FS + (b & 1);
		return true;
	default:
		return false;
	}
}

/*
 * Legacy prefixes in any order, then (64-bit only) REX.  A REX that is
 * followed by another prefix is not in effect: only one that immediately
 * precedes the opcode counts.
 */
static enum x86_decode_status decode_prefixes(struct cursor *c,
					      struct x86_insn *insn)
{
	enum x86_decode_status s;
	uint8_t b;

	for (;;) {
		s = peek(c, 0, &b);
		if (s)
			return s;
		if (take_legacy_prefix(insn, b)) {
			insn->rex = 0;
		} else if (insn->bits == 64 && (b & 0xf0) == 0x40) {
			insn->rex = b;
		} else {
			break;
		}
		c->pos++;
	}
	insn->rex_w = insn->rex & 8;
	insn->rex_r = insn->rex & 4;
	insn->rex_x = insn->rex & 2;
	insn->rex_b = insn->rex & 1;
	return X86_DECODE_OK;
}

/*
 * In 64-bit mode C4/C5 always start a VEX prefix and 62 an EVEX one.
 * Elsewhere they are LES, LDS and BOUND unless the next byte would be a
 * register ModRM (mod == 3), which those instructions cannot take.
 */
static enum x86_decode_status is_vector_escape(const struct cursor *c,
					       const struct x86_insn *insn,
					       bool *escape)
{
	enum x86_decode_status s;
	uint8_t next;

	*escape = insn->bits == 64;
	if (*escape)
		return X86_DECODE_OK;
	s = peek(c, 1, &next);
	*escape = s == X86_DECODE_OK && (next >> 6) == 3;
	return s;
}

/* 8F is POP Ev unless the next byte names an XOP map (8 or more). */
static enum x86_decode_status is_xop(const struct cursor *c, bool *xop)
{
	enum x86_decode_status s;
	uint8_t next;

	s = peek(c, 1, &next);
	*xop = s == X86_DECODE_OK && (next & 0x1f) >= 8;
	return s;
}

/* The VEX payload after C4 or C5 (the SDM's figure 2-9). */
static enum x86_decode_status decode_vex(struct cursor *c,
					 struct x86_insn *insn, uint8_t escape)
{
	enum x86_decode_status s;
	uint8_t b1, b2;

	s = fetch(c, &b1);
	if (s)
		return s;
	insn->vex = true;
	insn->rex_r = !(b1 & 0x80);
	if (escape == 0xc5) {
		b2 = b1;
		insn->map = X86_MAP_0F;
		insn->rex_x = insn->rex_b = insn->rex_w = false;
	} else {
		s = fetch(c, &b2);
		if (s)
			return s;
		insn->rex_x = !(b1 & 0x40);
		insn->rex_b = !(b1 & 0x20);
		insn->rex_w = b2 & 0x80;
		if ((b1 & 0x1f) < 1 || (b1 & 0x1f) > 3)
			return X86_DECODE_UNDEFINED;
		insn->map = b1 & 0x1f;	/* 1 = 0F, 2 = 0F38, 3 = 0F3A */
	}
	insn->vex_vvvv = (~b2 >> 3) & 0xf;
	insn->vex_l = (b2 >> 2) & 1;
	insn->vex_pp = b2 & 3;
	if (insn->bits != 64) {
		/* Outside 64-bit mode there are only eight registers. */
		insn->rex_r = insn->rex_x = insn->rex_b = false;
		insn->vex_vvvv &= 7;
	}
	return fetch(c, &insn->opcode);
}

static enum x86_decode_status decode_escape_0f(struct cursor *c,
					       struct x86_insn *insn)
{
	enum x86_decode_status s;
	uint8_t b;

	s = fetch(c, &b);
	if (s)
		return s;
	if (b != 0x38 && b != 0x3a) {
		insn->map = X86_MAP_0F;
		insn->opcode = b;
		return X86_DECODE_OK;
	}
	insn->map = b == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
	return fetch(c, &insn->opcode);
}

/* The opcode byte(s), through whichever escape selects the map. */
static enum x86_decode_status decode_opcode(struct cursor *c,
					    struct x86_insn *insn)
{
	enum x86_decode_status s;
	bool escape = false;
	uint8_t b;

	s = peek(c, 0, &b);
	if (s)
		return s;
	if (b == 0xc4 || b == 0xc5 || b == 0x62)
		s = is_vector_escape(c, insn, &escape);
	else if (b == 0x8f)
		s = is_xop(c, &escape);
	if (s)
		return s;
	if (escape && (b == 0x62 || b == 0x8f))
		return X86_DECODE_UNSUPPORTED;
	c->pos++;
	if (escape)
		return decode_vex(c, insn, b);
	if (b == 0x0f)
		return decode_escape_0f(c, insn);
	insn->map = X86_MAP_ONE_BYTE;
	insn->opcode = b;
	return X86_DECODE_OK;
}

static void set_sizes(struct x86_insn *insn)
{
	if (insn->bits == 64) {
		insn->opsize = insn->rex_w ? 8 : insn->opsize_prefix ? 2 : 4;
		insn->addrsize = insn->addrsize_prefix ? 4 : 8;
		return;
	}
	insn->opsize = insn->bits / 8;
	insn->addrsize = insn->bits / 8;
	if (insn->opsize_prefix)
		insn->opsize ^= 6;	/* 2 <-> 4 */
	if (insn->addrsize_prefix)
		insn->addrsize ^= 6;
}

static uint8_t opcode_attrs(const struct x86_insn *insn)
{
	switch (insn->map) {
	case X86_MAP_ONE_BYTE:
		return one_byte_attrs[insn->opcode];
	case X86_MAP_0F:
		return two_byte_attrs[insn->opcode];
	case X86_MAP_0F38:
		return A_MODRM;
	default:
		return A_MODRM | IMM_B;
	}
}

static enum x86_decode_status fetch_disp(struct cursor *c,
					 struct x86_insn *insn,
					 unsigned int size)
{
	enum x86_decode_status s;
	uint64_t v;

	s = fetch_le(c, size, &v);
	if (s)
		return s;
	insn->disp_size = size;
	insn->mem.disp = sign_extend(v, size);
	return X86_DECODE_OK;
}

/* 16-bit addressing: the eight fixed base/index pairs of table 2-1. */
static enum x86_decode_status decode_mem16(struct cursor *c,
					   struct x86_insn *insn)
{
	enum { AX, CX, DX, BX, SP, BP, SI, DI, NONE = X86_NO_REG };
	static const int8_t base[8] = { BX, BX, BP, BP, NONE, NONE, BP, BX };
	static const int8_t index[8] = { SI, DI, SI, DI, SI, DI, NONE, NONE };
	struct x86_mem_operand *m = &insn->mem;
	unsigned int rm = insn->modrm & 7;

	m->base = base[rm];
	m->index = index[rm];
	if (insn->mod == 0 && rm == 6) {
		m->base = X86_NO_REG;
		return fetch_disp(c, insn, 2);
	}
	if (m->base == BP)
		m->default_seg = X86_SEG_SS;
	if (insn->mod == 0)
		return X86_DECODE_OK;
	return fetch_disp(c, insn, insn->mod == 1 ? 1 : 2);
}

static enum x86_decode_status decode_sib(struct cursor *c,
					 struct x86_insn *insn)
{
	struct x86_mem_operand *m = &insn->mem;
	enum x86_decode_status s;
	unsigned int index;

	s = fetch(c, &insn->sib);
	if (s)
		return s;
	insn->has_sib = true;
	index = ((insn->sib >> 3) & 7) | (insn->rex_x ? 8 : 0);
	m->index = index == 4 ? X86_NO_REG : (int8_t)index;
	m->scale = insn->sib >> 6;
	m->base = (insn->sib & 7) | (insn->rex_b ? 8 : 0);
	if (insn->mod == 0 && (insn->sib & 7) == 5)
		m->base = X86_NO_REG;	/* disp32, no base */
	return X86_DECODE_OK;
}

/* 32- and 64-bit addressing: table 2-2, the SIB byte, RIP-relative. */
static enum x86_decode_status decode_mem32(struct cursor *c,
					   struct x86_insn *insn)
{
	struct x86_mem_operand *m = &insn->mem;
	unsigned int rm = insn->modrm & 7;
	enum x86_decode_status s;

	m->index = X86_NO_REG;
	if (rm == 4) {
		s = decode_sib(c, insn);
		if (s)
			return s;
	} else if (insn->mod == 0 && rm == 5) {
		m->base = X86_NO_REG;
		m->rip_relative = insn->bits == 64;
	} else {
		m->base = rm | (insn->rex_b ? 8 : 0);
	}
	if (m->base == 4 || m->base == 5)	/* ESP/EBP-based: stack */
		m->default_seg = X86_SEG_SS;
	if (insn->mod == 1)
		return fetch_disp(c, insn, 1);
	if (insn->mod == 2 || m->base == X86_NO_REG)
		return fetch_disp(c, insn, 4);
	return X86_DECODE_OK;
}

static enum x86_decode_status decode_modrm(struct cursor *c,
					   struct x86_insn *insn, bool reg_only)
{
	enum x86_decode_status s;

	s = fetch(c, &insn->modrm);
	if (s)
		return s;
	insn->has_modrm = true;
	insn->mod = reg_only ? 3 : insn->modrm >> 6;
	insn->reg = ((insn->modrm >> 3) & 7) | (insn->rex_r ? 8 : 0);
	insn->rm = insn->modrm & 7;
	if (insn->mod == 3) {
		insn->rm |= insn->rex_b ? 8 : 0;
		return X86_DECODE_OK;
	}
	insn->has_mem = true;
	insn->mem.default_seg = X86_SEG_DS;
	if (insn->addrsize == 2)
		return decode_mem16(c, insn);
	return decode_mem32(c, insn);
}

static unsigned int imm_size(const struct x86_insn *insn, enum imm_kind kind)
{
	unsigned int z = insn->opsize == 2 ? 2 : 4;
	bool test = (insn->modrm & 0x38) < 0x10;	/* group 3 /0, /1 */

	switch (kind) {
	case IMM_B:
		return 1;
	case IMM_W:
		return 2;
	case IMM_Z:
		return z;
	case IMM_V:
		return insn->opsize;
	case IMM_MOFFS:
		return insn->addrsize;
	case IMM_REL_Z:
		return insn->bits == 64 ? 4 : z;
	case IMM_GRP3_B:
		return test ? 1 : 0;
	case IMM_GRP3_Z:
		return test ? z : 0;
	default:
		return 0;
	}
}

/* Far pointers and ENTER carry two immediates; the second goes in imm2. */
static enum x86_decode_status decode_immediates(struct cursor *c,
						struct x86_insn *insn,
						enum imm_kind kind)
{
	enum x86_decode_status s;
	uint64_t second;

	if (kind != IMM_FAR && kind != IMM_ENTER)
		return fetch_le(c, imm_size(insn, kind), &insn->imm);
	s = fetch_le(c, kind == IMM_FAR ? imm_size(insn, IMM_Z) : 2,
		     &insn->imm);
	if (s)
		return s;
	s = fetch_le(c, kind == IMM_FAR ? 2 : 1, &second);
	insn->imm2 = (uint16_t)second;
	return s;
}

static void set_moffs(struct x86_insn *insn)
{
	insn->has_mem = true;
	insn->mem.base = insn->mem.index = X86_NO_REG;
	insn->mem.default_seg = X86_SEG_DS;
	insn->mem.disp = (int64_t)insn->imm;
}

static enum x86_decode_status decode_operands(struct cursor *c,
					      struct x86_insn *insn)
{
	uint8_t attrs = opcode_attrs(insn);
	enum imm_kind kind = attrs & A_IMM_MASK;
	enum x86_decode_status s;
	unsigned int before;

	if (attrs & A_UNDEF || (attrs & A_INV64 && insn->bits == 64))
		return X86_DECODE_UNDEFINED;
	if (attrs & A_MODRM) {
		s = decode_modrm(c, insn, attrs & A_REG_ONLY);
		if (s)
			return s;
	}
	before = c->pos;
	s = decode_immediates(c, insn, kind);
	if (s)
		return s;
	insn->imm_size = c->pos - before;
	if (kind == IMM_MOFFS)
		set_moffs(insn);
	return X86_DECODE_OK;
}

enum x86_decode_status x86_decode(const uint8_t *bytes, size_t avail,
				  unsigned int bits, struct x86_insn *insn)
{
	struct cursor c = { .bytes = bytes, .avail = avail };
	enum x86_decode_status s;

	memset(insn, 0, sizeof(*insn));
	insn->bits = bits;
	insn->seg = X86_SEG_DEFAULT;
	if (bits != 16 && bits != 32 && bits != 64)
		return X86_DECODE_UNSUPPORTED;
	s = decode_prefixes(&c, insn);
	if (!s)
		s = decode_opcode(&c, insn);
	if (!s) {
		set_sizes(insn);
		s = decode_operands(&c, insn);
	}
	insn->len = c.pos;
	memcpy(insn->bytes, bytes, c.pos);
	return s;
}

const char *x86_decode_status_str(enum x86_decode_status s)
{
	switch (s) {
	case X86_DECODE_OK:
		return "ok";
	case X86_DECODE_TRUNCATED:
		return "truncated instruction";
	case X86_DECODE_TOO_LONG:
		return "instruction longer than 15 bytes";
	case X86_DECODE_UNDEFINED:
		return "undefined opcode";
	default:
		return "unsupported encoding";
	}
}

uint8_t x86_insn_simd_prefix(const struct x86_insn *insn)
{
	static const uint8_t pp[4] = { 0, 0x66, 0xf3, 0xf2 };

	if (insn->vex)
		return pp[insn->vex_pp];
	if (insn->rep)
		return insn->rep;
	return insn->opsize_prefix ? 0x66 : 0;
}
