// SPDX-License-Identifier: GPL-2.0
/*
 * Plain moves between registers and memory: MOV in every width (ModRM,
 * moffs and immediate forms), MOVZX/MOVSX and MOVSXD.  None of them
 * touches the flags.
 */
#include "emulate_internal.h"

static enum x86_emu_status copy_loc(struct emu *e, const struct emu_loc *dst,
				    const struct emu_loc *src)
{
	enum x86_emu_status s;
	uint64_t v;

	s = emu_loc_read(e, src, &v);
	return s ? s : emu_loc_write(e, dst, v);
}

/* 88-8B: MOV Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev. */
enum x86_emu_status emu_mov(struct emu *e)
{
	bool to_rm = !(e->insn->opcode & 2);
	unsigned int size = emu_op_width(e);
	struct emu_loc rm, reg;
	enum x86_emu_status s;

	emu_reg_loc(&reg, e->insn->reg, size);
	s = emu_rm_loc(e, size, to_rm ? X86_ACCESS_WRITE : 0, &rm);
	if (s)
		return s;
	return to_rm ? copy_loc(e, &rm, &reg) : copy_loc(e, &reg, &rm);
}

/* A0-A3: MOV AL/rAX from or to an absolute address (moffs). */
enum x86_emu_status emu_mov_moffs(struct emu *e)
{
	bool store = e->insn->opcode & 2;
	unsigned int size = emu_op_width(e);
	struct emu_loc mem, acc;
	enum x86_emu_status s;

	emu_reg_loc(&acc, X86_RAX, size);
	mem.is_mem = true;
	mem.size = size;
	s = emu_map_operand(e, size, store ? X86_ACCESS_WRITE : 0, &mem.mem);
	if (s)
		return s;
	return store ? copy_loc(e, &mem, &acc) : copy_loc(e, &acc, &mem);
}

/* C6 /0, C7 /0: MOV Eb,Ib / Ev,Iz (sign-extended to 64 bits). */
enum x86_emu_status emu_mov_imm(struct emu *e)
{
	struct emu_loc dst;
	enum x86_emu_status s;

	if ((e->insn->reg & 7) != 0)
		return emu_unsupported(e, "c6/c7 group other than MOV");
	s = emu_rm_loc(e, emu_op_width(e), X86_ACCESS_WRITE, &dst);
	if (s)
		return s;
	return emu_loc_write(e, &dst, emu_signed_imm(e));
}

/* Load Eb/Ew (or Ed) into Gv, zero- or sign-extended. */
static enum x86_emu_status load_extended(struct emu *e, unsigned int src_size,
					 bool sign)
{
	struct emu_loc src;
	enum x86_emu_status s;
	uint64_t v;

	s = emu_rm_loc(e, src_size, 0, &src);
	if (!s)
		s = emu_loc_read(e, &src, &v);
	if (s)
		return s;
	if (sign)
		v = emu_sign_extend(v, src_size);
	emu_reg_write(e, e->insn->reg, e->insn->opsize, v);
	return X86_EMU_OK;
}

/* 0F B6/B7: MOVZX Gv, Eb/Ew; 0F BE/BF: MOVSX Gv, Eb/Ew. */
enum x86_emu_status emu_movx(struct emu *e)
{
	unsigned int op = e->insn->opcode;

	return load_extended(e, op & 1 ? 2 : 1, op & 8);
}

/* 63: MOVSXD Gv, Ed (Gw, Ew with 66) in 64-bit mode; elsewhere ARPL. */
enum x86_emu_status emu_movsxd(struct emu *e)
{
	unsigned int size = e->insn->opsize;

	if (e->insn->bits != 64)
		return emu_unsupported(e, "ARPL");
	return load_extended(e, size == 8 ? 4 : size, true);
}
