// SPDX-License-Identifier: GPL-2.0
/*
 * Arithmetic on memory operands: the ALU group (ADD, OR, ADC, SBB, AND,
 * SUB, XOR, CMP) and TEST with the flags they define, XCHG, CMPXCHG and
 * CMPXCHG8B/16B.  Read-modify-write operands are translated for writing
 * before they are read, so a read-only page faults before a device sees
 * the read.  A failed CMPXCHG does not write its destination back (as
 * KVM's own emulator): a device register should see one access, not two.
 */
#include "emulate_internal.h"

enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
	      ALU_CMP };

static uint64_t top_bit(uint64_t v, unsigned int size)
{
	return (v >> (8 * size - 1)) & 1;
}

/* ZF, SF and PF, which every operation here sets from its result. */
static uint64_t result_flags(uint64_t r, unsigned int size)
{
	uint64_t f = 0;

	r = emu_truncate(r, size);
	if (!r)
		f |= X86_EFLAGS_ZF;
	if (top_bit(r, size))
		f |= X86_EFLAGS_SF;
	if (!__builtin_parity((unsigned int)(r & 0xff)))
		f |= X86_EFLAGS_PF;
	return f;
}

/*
 * The six flags from per-bit carry and overflow vectors: CF and OF are
 * their top bits, AF the carry into bit 4 (a ^ b ^ r).
 */
static uint64_t arith_flags(uint64_t carries, uint64_t overflows,
			    uint64_t aux, uint64_t r, unsigned int size)
{
	uint64_t f = result_flags(r, size);

	if (top_bit(carries, size))
		f |= X86_EFLAGS_CF;
	if (top_bit(overflows, size))
		f |= X86_EFLAGS_OF;
	if (aux & 0x10)
		f |= X86_EFLAGS_AF;
	return f;
}

/* Carry (borrow) out of the top bit, whatever the carry-in was. */
static uint64_t add_flags(uint64_t a, uint64_t b, uint64_t r,
			  unsigned int size)
{
	return arith_flags((a & b) | ((a | b) & ~r), (a ^ r) & (b ^ r),
			   a ^ b ^ r, r, size);
}

static uint64_t sub_flags(uint64_t a, uint64_t b, uint64_t r,
			  unsigned int size)
{
	return arith_flags((~a & b) | ((~a | b) & r), (a ^ b) & (a ^ r),
			   a ^ b ^ r, r, size);
}

/* Returns a op b at `size`; *flags gets all six arithmetic flags. */
static uint64_t alu_compute(enum alu_op op, uint64_t a, uint64_t b,
			    unsigned int size, uint64_t rflags,
			    uint64_t *flags)
{
	uint64_t carry = rflags & X86_EFLAGS_CF ? 1 : 0, r;

	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		r = a + b + (op == ALU_ADC ? carry : 0);
		*flags = add_flags(a, b, r, size);
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		r = a - b - (op == ALU_SBB ? carry : 0);
		*flags = sub_flags(a, b, r, size);
		break;
	case ALU_OR:
		r = a | b;
		*flags = result_flags(r, size);
		break;
	case ALU_AND:
		r = a & b;
		*flags = result_flags(r, size);
		break;
	default:
		r = a ^ b;
		*flags = result_flags(r, size);
		break;
	}
	return emu_truncate(r, size);
}

/* dst = dst op src, with the flags; CMP only compares. */
static enum x86_emu_status alu_apply(struct emu *e, enum alu_op op,
				     const struct emu_loc *dst, uint64_t src)
{
	enum x86_emu_status s;
	uint64_t a, r, flags;

	s = emu_loc_read(e, dst, &a);
	if (s)
		return s;
	r = alu_compute(op, a, emu_truncate(src, dst->size), dst->size,
			e->cpu->rflags, &flags);
	if (op != ALU_CMP) {
		s = emu_loc_write(e, dst, r);
		if (s)
			return s;
	}
	emu_set_flags(e, FLAGS_ARITH, flags);
	return X86_EMU_OK;
}

static unsigned int rm_access(enum alu_op op)
{
	return op == ALU_CMP ? 0 : X86_ACCESS_WRITE;
}

/*
 * 00-3D: op = opcode bits 5:3; the low three bits give the form:
 * Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  rAX,Iz.
 */
enum x86_emu_status emu_alu(struct emu *e)
{
	const struct x86_insn *insn = e->insn;
	enum alu_op op = insn->opcode >> 3;
	unsigned int form = insn->opcode & 7, size = emu_op_width(e);
	struct emu_loc dst, src;
	enum x86_emu_status s;
	uint64_t v;

	if (form >= 4) {
		emu_reg_loc(&dst, X86_RAX, size);
		return alu_apply(e, op, &dst, emu_signed_imm(e));
	}
	if (form < 2) {
		s = emu_rm_loc(e, size, rm_access(op), &dst);
		emu_reg_loc(&src, insn->reg, size);
	} else {
		emu_reg_loc(&dst, insn->reg, size);
		s = emu_rm_loc(e, size, 0, &src);
	}
	if (!s)
		s = emu_loc_read(e, &src, &v);
	return s ? s : alu_apply(e, op, &dst, v);
}

/* 80, 81, 83 (and 82 outside 64-bit mode): op Eb/Ev, immediate. */
enum x86_emu_status emu_alu_group1(struct emu *e)
{
	enum alu_op op = e->insn->reg & 7;
	unsigned int size = emu_op_width(e);
	enum x86_emu_status s;
	struct emu_loc dst;

	s = emu_rm_loc(e, size, rm_access(op), &dst);
	return s ? s : alu_apply(e, op, &dst, emu_signed_imm(e));
}

/* AND that only sets flags; CF and OF end up clear. */
static enum x86_emu_status test_apply(struct emu *e, const struct emu_loc *a,
				      uint64_t b)
{
	enum x86_emu_status s;
	uint64_t v;

	s = emu_loc_read(e, a, &v);
	if (s)
		return s;
	emu_set_flags(e, FLAGS_ARITH, result_flags(v & b, a->size));
	return X86_EMU_OK;
}

/* 84, 85: TEST Eb,Gb / Ev,Gv; A8, A9: TEST AL,Ib / rAX,Iz. */
enum x86_emu_status emu_test(struct emu *e)
{
	unsigned int size = emu_op_width(e);
	struct emu_loc a;
	enum x86_emu_status s;

	if (e->insn->opcode >= 0xa8) {
		emu_reg_loc(&a, X86_RAX, size);
		return test_apply(e, &a, emu_signed_imm(e));
	}
	s = emu_rm_loc(e, size, 0, &a);
	return s ? s : test_apply(e, &a, emu_reg_read(e, e->insn->reg, size));
}

/* F6, F7: only TEST (/0, /1); NOT, NEG, MUL and DIV are not emulated. */
enum x86_emu_status emu_group3(struct emu *e)
{
	struct emu_loc a;
	enum x86_emu_status s;

	if ((e->insn->reg & 7) > 1)
		return emu_unsupported(e, "group 3 other than TEST");
	s = emu_rm_loc(e, emu_op_width(e), 0, &a);
	return s ? s : test_apply(e, &a, emu_signed_imm(e));
}

/* 86, 87: XCHG Eb,Gb / Ev,Gv (locked by nature; nothing to do for it). */
enum x86_emu_status emu_xchg(struct emu *e)
{
	unsigned int size = emu_op_width(e);
	struct emu_loc a, b;
	enum x86_emu_status s;
	uint64_t va, vb;

	emu_reg_loc(&b, e->insn->reg, size);
	s = emu_rm_loc(e, size, X86_ACCESS_WRITE, &a);
	if (!s)
		s = emu_loc_read(e, &a, &va);
	if (s)
		return s;
	vb = emu_reg_read(e, b.reg, size);
	s = emu_loc_write(e, &a, vb);
	if (!s)
		s = emu_loc_write(e, &b, va);
	return s;
}

/* 0F B0, B1: compare rAX with Eb/Ev; equal: store Gb/Gv, else load rAX. */
enum x86_emu_status emu_cmpxchg(struct emu *e)
{
	unsigned int size = emu_op_width(e);
	uint64_t acc = emu_reg_read(e, X86_RAX, size), old, flags;
	struct emu_loc dst;
	enum x86_emu_status s;

	s = emu_rm_loc(e, size, X86_ACCESS_WRITE, &dst);
	if (!s)
		s = emu_loc_read(e, &dst, &old);
	if (s)
		return s;
	alu_compute(ALU_CMP, acc, old, size, e->cpu->rflags, &flags);
	if (flags & X86_EFLAGS_ZF)
		s = emu_loc_write(e, &dst, emu_reg_read(e, e->insn->reg, size));
	else
		emu_reg_write(e, X86_RAX, size, old);
	if (!s)
		emu_set_flags(e, FLAGS_ARITH, flags);
	return s;
}

/*
 * 0F C7 /1: CMPXCHG8B m64 compares EDX:EAX, CMPXCHG16B m128 (REX.W, and
 * 16-byte aligned or #GP) compares RDX:RAX; equal stores ECX:EBX or
 * RCX:RBX.  Only ZF changes.
 */
enum x86_emu_status emu_cmpxchg_wide(struct emu *e)
{
	unsigned int half = e->insn->rex_w ? 8 : 4;
	uint8_t buf[16];
	struct emu_mem m;
	enum x86_emu_status s;
	uint64_t lo, hi;
	bool equal;

	if ((e->insn->reg & 7) != 1)
		return emu_unsupported(e,
				       "0f c7 group other than CMPXCHG8B/16B");
	if (!e->insn->has_mem)
		return emu_ud(e);
	s = emu_map_operand(e, 2 * half, X86_ACCESS_WRITE, &m);
	if (s)
		return s;
	if (half == 8 && m.linear & 15)
		return emu_gp0(e);
	s = emu_mem_read(e, &m, buf);
	if (s)
		return s;
	lo = emu_load_le(buf, half);
	hi = emu_load_le(buf + half, half);
	equal = lo == emu_reg_read(e, X86_RAX, half) &&
		hi == emu_reg_read(e, X86_RDX, half);
	if (equal) {
		emu_store_le(buf, half, emu_reg_read(e, X86_RBX, half));
		emu_store_le(buf + half, half, emu_reg_read(e, X86_RCX, half));
		s = emu_mem_write(e, &m, buf);
	} else {
		emu_reg_write(e, X86_RAX, half, lo);
		emu_reg_write(e, X86_RDX, half, hi);
	}
	if (!s)
		emu_set_flags(e, X86_EFLAGS_ZF, equal ? X86_EFLAGS_ZF : 0);
	return s;
}
