// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator's core: which handler runs an opcode, the checks every
 * instruction shares (LOCK, VEX prefixes, the decoding mode), and the
 * operand plumbing: registers with x86's partial-write rules, and memory
 * that is always translated in full before the first byte moves, so a
 * page fault leaves no half-done instruction behind.
 */
#include <stdio.h>
#include <string.h>

#include "emulate_internal.h"

#define PAGE_SIZE 4096ULL

/* clang-format off */
static const emu_handler one_byte_handlers[256] = {
	[0x00 ... 0x05] = emu_alu,
	[0x08 ... 0x0d] = emu_alu,
	[0x10 ... 0x15] = emu_alu,
	[0x18 ... 0x1d] = emu_alu,
	[0x20 ... 0x25] = emu_alu,
	[0x28 ... 0x2d] = emu_alu,
	[0x30 ... 0x35] = emu_alu,
	[0x38 ... 0x3d] = emu_alu,
	[0x63] = emu_movsxd,
	[0x6c ... 0x6f] = emu_ins_outs,
	[0x80 ... 0x83] = emu_alu_group1,
	[0x84 ... 0x85] = emu_test,
	[0x86 ... 0x87] = emu_xchg,
	[0x88 ... 0x8b] = emu_mov,
	[0xa0 ... 0xa3] = emu_mov_moffs,
	[0xa4 ... 0xa5] = emu_movs_stos,
	[0xa8 ... 0xa9] = emu_test,
	[0xaa ... 0xab] = emu_movs_stos,
	[0xc6 ... 0xc7] = emu_mov_imm,
	[0xe4 ... 0xe7] = emu_in_out,
	[0xec ... 0xef] = emu_in_out,
	[0xf6 ... 0xf7] = emu_group3,
};

static const emu_handler two_byte_handlers[256] = {
	[0x6e ... 0x6f] = emu_simd_move,
	[0x7e ... 0x7f] = emu_simd_move,
	[0xb0 ... 0xb1] = emu_cmpxchg,
	[0xb6 ... 0xb7] = emu_movx,
	[0xbe ... 0xbf] = emu_movx,
	[0xc7] = emu_cmpxchg_wide,
	[0xd6] = emu_simd_move,
};
/* clang-format on */

unsigned int x86_cpu_code_bits(const struct x86_cpu *cpu)
{
	const struct x86_segment *cs = &cpu->seg[X86_SEG_CS];

	if (!(cpu->cr0 & X86_CR0_PE) || cpu->rflags & X86_EFLAGS_VM)
		return 16;
	if (cpu->efer & X86_EFER_LMA && cs->l)
		return 64;
	return cs->db ? 32 : 16;
}

/* ------------------------------------------------------------------ */
/* Outcomes                                                            */
/* ------------------------------------------------------------------ */

enum x86_emu_status emu_raise(struct emu *e, unsigned int vector,
			      bool has_code, uint32_t code)
{
	e->res->fault = (struct x86_fault){ .vector = vector,
					    .has_error_code = has_code,
					    .error_code = code };
	return X86_EMU_FAULT;
}

enum x86_emu_status emu_ud(struct emu *e)
{
	return emu_raise(e, X86_VEC_UD, false, 0);
}

enum x86_emu_status emu_gp0(struct emu *e)
{
	return emu_raise(e, X86_VEC_GP, true, 0);
}

enum x86_emu_status emu_unsupported(struct emu *e, const char *why)
{
	e->res->reason = why;
	return X86_EMU_UNSUPPORTED;
}

enum x86_emu_status emu_callback_failed(struct emu *e, const char *what)
{
	e->res->reason = what;
	return X86_EMU_ERROR;
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */
/* ------------------------------------------------------------------ */

uint64_t emu_truncate(uint64_t v, unsigned int size)
{
	return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

uint64_t emu_sign_extend(uint64_t v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return size >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

/* Immediates are sign-extended to the operand size by every user. */
uint64_t emu_signed_imm(const struct emu *e)
{
	return e->insn->imm_size ? emu_sign_extend(e->insn->imm,
						   e->insn->imm_size) : 0;
}

/* Most one-byte opcodes pick byte or full size with their low bit. */
unsigned int emu_op_width(const struct emu *e)
{
	return e->insn->opcode & 1 ? e->insn->opsize : 1;
}

/* Without any REX prefix, byte registers 4-7 are AH, CH, DH and BH. */
static bool is_high_byte(const struct emu *e, unsigned int reg,
			 unsigned int size)
{
	return size == 1 && !e->insn->rex && reg >= 4 && reg < 8;
}

uint64_t emu_reg_read(const struct emu *e, unsigned int reg, unsigned int size)
{
	if (is_high_byte(e, reg, size))
		return (e->cpu->gpr[reg - 4] >> 8) & 0xff;
	return emu_truncate(e->cpu->gpr[reg], size);
}

/* 8- and 16-bit writes merge; 32-bit writes zero the upper half. */
void emu_reg_write(struct emu *e, unsigned int reg, unsigned int size,
		   uint64_t v)
{
	uint64_t *r = &e->cpu->gpr[reg];

	if (is_high_byte(e, reg, size)) {
		r = &e->cpu->gpr[reg - 4];
		*r = (*r & ~0xff00ULL) | (v & 0xff) << 8;
	} else if (size >= 4) {
		*r = emu_truncate(v, size);
	} else {
		uint64_t mask = (1ULL << (8 * size)) - 1;

		*r = (*r & ~mask) | (v & mask);
	}
}

void emu_set_flags(struct emu *e, uint64_t mask, uint64_t flags)
{
	e->cpu->rflags = (e->cpu->rflags & ~mask) | (flags & mask);
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */
/* ------------------------------------------------------------------ */

uint64_t emu_load_le(const uint8_t *buf, unsigned int size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | buf[size];
	return v;
}

void emu_store_le(uint8_t *buf, unsigned int size, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < size; i++, v >>= 8)
		buf[i] = (uint8_t)v;
}

unsigned int emu_operand_seg(const struct emu *e)
{
	if (e->insn->seg != X86_SEG_DEFAULT)
		return e->insn->seg;
	return e->insn->mem.default_seg;
}

/* The offset part of the ModRM (or moffs) operand, address-size wrapped. */
static uint64_t operand_offset(const struct emu *e)
{
	const struct x86_mem_operand *m = &e->insn->mem;
	uint64_t ea = (uint64_t)m->disp;

	if (m->base != X86_NO_REG)
		ea += e->cpu->gpr[m->base];
	if (m->index != X86_NO_REG)
		ea += e->cpu->gpr[m->index] << m->scale;
	if (m->rip_relative)
		ea += e->cpu->rip + e->insn->len;
	return emu_truncate(ea, e->insn->addrsize);
}

/* In 64-bit mode only FS and GS have bases; elsewhere linear is 32-bit. */
static uint64_t linear_address(const struct emu *e, unsigned int seg,
			       uint64_t offset)
{
	uint64_t base = e->cpu->seg[seg].base;

	if (e->insn->bits == 64)
		return seg >= X86_SEG_FS ? offset + base : offset;
	return (base + offset) & 0xffffffffULL;
}

static bool is_canonical(const struct x86_cpu *cpu, uint64_t lin)
{
	unsigned int shift = cpu->cr4 & X86_CR4_LA57 ? 64 - 57 : 64 - 48;

	return (uint64_t)((int64_t)(lin << shift) >> shift) == lin;
}

/* What the CPU raises for a bad address: #SS for the stack, else #GP. */
static enum x86_emu_status address_fault(struct emu *e, unsigned int seg)
{
	return emu_raise(e, seg == X86_SEG_SS ? X86_VEC_SS : X86_VEC_GP, true,
			 0);
}

static enum x86_emu_status translate(struct emu *e, uint64_t lin,
				     unsigned int access, uint64_t *gpa)
{
	enum x86_emu_status s;

	s = x86_translate(e->cpu, e->ops, e->opaque, lin, access, gpa,
			  &e->res->fault);
	if (s == X86_EMU_ERROR)
		return emu_callback_failed(e, "page table access failed");
	return s;
}

/* Both pages of an access that crosses a page boundary, before any I/O. */
static enum x86_emu_status map_linear(struct emu *e, uint64_t lin,
				      unsigned int len, unsigned int access,
				      struct emu_mem *m)
{
	uint64_t in_page = PAGE_SIZE - (lin & (PAGE_SIZE - 1));
	uint64_t next = lin + in_page;
	enum x86_emu_status s;

	if (e->cpu->cpl == 3 && !(access & X86_ACCESS_IMPLICIT))
		access |= X86_ACCESS_USER;
	m->len = len;
	m->first = len < in_page ? len : (unsigned int)in_page;
	s = translate(e, lin, access, &m->gpa[0]);
	if (s || m->first == len)
		return s;
	if (e->insn->bits != 64)
		next &= 0xffffffffULL;
	return translate(e, next, access, &m->gpa[1]);
}

enum x86_emu_status emu_map(struct emu *e, unsigned int seg, uint64_t offset,
			    unsigned int len, unsigned int access,
			    struct emu_mem *m)
{
	uint64_t lin = linear_address(e, seg, offset);

	m->linear = lin;
	if (e->insn->bits == 64 && (!is_canonical(e->cpu, lin) ||
				    !is_canonical(e->cpu, lin + len - 1)))
		return address_fault(e, seg);
	return map_linear(e, lin, len, access, m);
}

enum x86_emu_status emu_map_implicit(struct emu *e, uint64_t lin,
				     unsigned int len, struct emu_mem *m)
{
	m->linear = lin;
	return map_linear(e, lin, len, X86_ACCESS_IMPLICIT, m);
}

enum x86_emu_status emu_map_operand(struct emu *e, unsigned int len,
				    unsigned int access, struct emu_mem *m)
{
	return emu_map(e, emu_operand_seg(e), operand_offset(e), len, access,
		       m);
}

enum x86_emu_status emu_mem_read(struct emu *e, const struct emu_mem *m,
				 void *buf)
{
	uint8_t *b = buf;

	if (e->ops->read(e->opaque, m->gpa[0], b, m->first) ||
	    (m->first < m->len &&
	     e->ops->read(e->opaque, m->gpa[1], b + m->first,
			  m->len - m->first)))
		return emu_callback_failed(e, "memory read failed");
	return X86_EMU_OK;
}

enum x86_emu_status emu_mem_write(struct emu *e, const struct emu_mem *m,
				  const void *buf)
{
	const uint8_t *b = buf;

	if (e->ops->write(e->opaque, m->gpa[0], b, m->first) ||
	    (m->first < m->len &&
	     e->ops->write(e->opaque, m->gpa[1], b + m->first,
			   m->len - m->first)))
		return emu_callback_failed(e, "memory write failed");
	return X86_EMU_OK;
}

/* ------------------------------------------------------------------ */
/* Integer operands                                                    */
/* ------------------------------------------------------------------ */

void emu_reg_loc(struct emu_loc *loc, unsigned int reg, unsigned int size)
{
	*loc = (struct emu_loc){ .is_mem = false, .size = size, .reg = reg };
}

/* The ModRM r/m operand; memory is translated for `access` right away. */
enum x86_emu_status emu_rm_loc(struct emu *e, unsigned int size,
			       unsigned int access, struct emu_loc *loc)
{
	if (e->insn->mod == 3) {
		emu_reg_loc(loc, e->insn->rm, size);
		return X86_EMU_OK;
	}
	loc->is_mem = true;
	loc->size = size;
	return emu_map_operand(e, size, access, &loc->mem);
}

enum x86_emu_status emu_loc_read(struct emu *e, const struct emu_loc *loc,
				 uint64_t *v)
{
	uint8_t buf[8];
	enum x86_emu_status s;

	if (!loc->is_mem) {
		*v = emu_reg_read(e, loc->reg, loc->size);
		return X86_EMU_OK;
	}
	s = emu_mem_read(e, &loc->mem, buf);
	*v = s ? 0 : emu_load_le(buf, loc->size);
	return s;
}

enum x86_emu_status emu_loc_write(struct emu *e, const struct emu_loc *loc,
				  uint64_t v)
{
	uint8_t buf[8];

	if (!loc->is_mem) {
		emu_reg_write(e, loc->reg, loc->size, v);
		return X86_EMU_OK;
	}
	emu_store_le(buf, loc->size, v);
	return emu_mem_write(e, &loc->mem, buf);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

/*
 * LOCK is legal only on read-modify-write instructions with a memory
 * destination (SDM: LOCK); anywhere else it is #UD.
 */
static bool lock_allowed(const struct x86_insn *insn)
{
	unsigned int op = insn->opcode;

	if (!insn->has_mem || insn->vex)
		return false;
	if (insn->map == X86_MAP_0F)
		return op == 0xb0 || op == 0xb1 ||
		       (op == 0xc7 && (insn->reg & 7) == 1);
	if (insn->map != X86_MAP_ONE_BYTE)
		return false;
	if (op < 0x40 && (op & 7) < 2)
		return op >> 3 != 7;	/* ALU Eb,Gb / Ev,Gv but not CMP */
	if (op >= 0x80 && op <= 0x83)
		return (insn->reg & 7) != 7;
	return op == 0x86 || op == 0x87;
}

static emu_handler handler_for(const struct x86_insn *insn)
{
	if (insn->vex)
		return insn->map == X86_MAP_0F && emu_is_simd_move(insn) ?
			       emu_simd_move : NULL;
	if (insn->map == X86_MAP_ONE_BYTE)
		return one_byte_handlers[insn->opcode];
	if (insn->map == X86_MAP_0F)
		return two_byte_handlers[insn->opcode];
	return NULL;
}

static void advance_rip(struct emu *e)
{
	uint64_t rip = e->cpu->rip + e->insn->len;

	if (e->insn->bits != 64)
		rip = emu_truncate(rip, e->insn->bits / 8);
	e->cpu->rip = rip;
	e->cpu->rflags &= ~(uint64_t)X86_EFLAGS_RF;
}

static void start_result(struct x86_emu_result *res, const uint8_t *bytes,
			 size_t len)
{
	memset(res, 0, sizeof(*res));
	res->nbytes = len < X86_MAX_INSN_LEN ? len : X86_MAX_INSN_LEN;
	memcpy(res->bytes, bytes, res->nbytes);
}

static enum x86_emu_status execute(struct emu *e)
{
	const struct x86_insn *insn = e->insn;
	emu_handler handler = handler_for(insn);
	enum x86_emu_status s;

	if (insn->bits != x86_cpu_code_bits(e->cpu))
		return emu_unsupported(e, "decoded for another CPU mode");
	if (!handler)
		return emu_unsupported(e, "instruction not emulated");
	if (insn->lock && !lock_allowed(insn))
		return emu_ud(e);
	/* VEX after 66, F2, F3, LOCK or REX is #UD. */
	if (insn->vex && (insn->opsize_prefix || insn->rep || insn->rex))
		return emu_ud(e);
	s = handler(e);
	if (s == X86_EMU_OK && !e->res->partial)
		advance_rip(e);
	return s;
}

enum x86_emu_status x86_execute(struct x86_cpu *cpu,
				const struct x86_insn *insn,
				const struct x86_mem_ops *ops, void *opaque,
				struct x86_emu_result *res)
{
	struct emu e = { .cpu = cpu, .insn = insn, .ops = ops,
			 .opaque = opaque, .res = res };

	start_result(res, insn->bytes, insn->len);
	res->status = execute(&e);
	return res->status;
}

enum x86_emu_status x86_emulate(struct x86_cpu *cpu, const uint8_t *bytes,
				size_t len, const struct x86_mem_ops *ops,
				void *opaque, struct x86_emu_result *res)
{
	enum x86_decode_status ds;
	struct x86_insn insn;

	ds = x86_decode(bytes, len, x86_cpu_code_bits(cpu), &insn);
	if (ds == X86_DECODE_OK)
		return x86_execute(cpu, &insn, ops, opaque, res);
	start_result(res, bytes, len);
	res->reason = x86_decode_status_str(ds);
	res->status = X86_EMU_UNSUPPORTED;
	return res->status;
}

bool x86_insn_uses_vec(const struct x86_insn *insn)
{
	return emu_is_simd_move(insn);
}

static int describe_status(const struct x86_emu_result *res, char *buf,
			   size_t size)
{
	const struct x86_fault *f = &res->fault;

	switch (res->status) {
	case X86_EMU_OK:
		return snprintf(buf, size, "emulated%s:",
				res->partial ? " (in part)" : "");
	case X86_EMU_FAULT:
		return snprintf(buf, size,
				"exception %u (error code %#x, address %#llx):",
				f->vector, f->error_code,
				(unsigned long long)f->address);
	case X86_EMU_UNSUPPORTED:
		return snprintf(buf, size, "unsupported instruction (%s):",
				res->reason);
	default:
		return snprintf(buf, size, "emulation failed (%s):",
				res->reason);
	}
}

void x86_emu_describe(const struct x86_emu_result *res, char *buf,
		      size_t size)
{
	size_t used;
	unsigned int i;

	if (!size)
		return;
	buf[0] = '\0';
	used = (size_t)describe_status(res, buf, size);
	for (i = 0; i < res->nbytes && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, " %02x",
					 res->bytes[i]);
}
