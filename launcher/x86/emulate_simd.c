// SPDX-License-Identifier: GPL-2.0
/*
 * The SSE and AVX moves that drivers use on MMIO: MOVD/MOVQ, MOVDQA,
 * MOVDQU and their VEX forms VMOVDQA/VMOVDQU at 128 and 256 bits.  One
 * table says what each form moves; loads into a vector register follow
 * the encoding's rule for the rest of it: legacy SSE leaves bits 255:128
 * alone, VEX zeroes everything above the vector length.
 */
#include <string.h>

#include "emulate_internal.h"

#define SIZE_BY_REX_W	0	/* 4 bytes, or 8 with REX.W */
#define SIZE_BY_VEX_L	1	/* 16 bytes, or 32 with VEX.L */
#define XMM_BYTES	16
#define YMM_BYTES	32

struct simd_form {
	uint8_t prefix;		/* 0x66 or 0xf3, legacy or VEX.pp */
	uint8_t opcode;		/* in the 0F map */
	bool vex;
	bool store;		/* vector register to r/m; else r/m to it */
	uint8_t size;		/* bytes, or one of SIZE_BY_* */
	bool gpr;		/* a register r/m is a GPR, not a vector */
	bool aligned;		/* #GP unless aligned to the size */
};

static const struct simd_form forms[] = {
	/* MOVD/MOVQ xmm, r/m32/64 and r/m32/64, xmm */
	{ .prefix = 0x66, .opcode = 0x6e, .size = SIZE_BY_REX_W, .gpr = true },
	{ .prefix = 0x66, .opcode = 0x7e, .size = SIZE_BY_REX_W, .gpr = true,
	  .store = true },
	/* MOVQ xmm, xmm/m64 and xmm/m64, xmm */
	{ .prefix = 0xf3, .opcode = 0x7e, .size = 8 },
	{ .prefix = 0x66, .opcode = 0xd6, .size = 8, .store = true },
	/* MOVDQA, MOVDQU: load and store */
	{ .prefix = 0x66, .opcode = 0x6f, .size = 16, .aligned = true },
	{ .prefix = 0xf3, .opcode = 0x6f, .size = 16 },
	{ .prefix = 0x66, .opcode = 0x7f, .size = 16, .aligned = true,
	  .store = true },
	{ .prefix = 0xf3, .opcode = 0x7f, .size = 16, .store = true },
	/* VMOVDQA, VMOVDQU at 128 or 256 bits */
	{ .prefix = 0x66, .opcode = 0x6f, .vex = true, .size = SIZE_BY_VEX_L,
	  .aligned = true },
	{ .prefix = 0xf3, .opcode = 0x6f, .vex = true, .size = SIZE_BY_VEX_L },
	{ .prefix = 0x66, .opcode = 0x7f, .vex = true, .size = SIZE_BY_VEX_L,
	  .aligned = true, .store = true },
	{ .prefix = 0xf3, .opcode = 0x7f, .vex = true, .size = SIZE_BY_VEX_L,
	  .store = true },
};

static const struct simd_form *find_form(const struct x86_insn *insn)
{
	uint8_t prefix = x86_insn_simd_prefix(insn);
	unsigned int i;

	if (insn->map != X86_MAP_0F)
		return NULL;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (forms[i].opcode == insn->opcode &&
		    forms[i].prefix == prefix && forms[i].vex == insn->vex)
			return &forms[i];
	return NULL;
}

bool emu_is_simd_move(const struct x86_insn *insn)
{
	return find_form(insn) != NULL;
}

static unsigned int form_size(const struct simd_form *f,
			      const struct x86_insn *insn)
{
	if (f->size == SIZE_BY_REX_W)
		return insn->rex_w ? 8 : 4;
	if (f->size == SIZE_BY_VEX_L)
		return insn->vex_l ? YMM_BYTES : XMM_BYTES;
	return f->size;
}

/* #UD when the OS has not enabled the state, #NM while CR0.TS is set. */
static enum x86_emu_status check_enabled(struct emu *e, bool vex)
{
	const struct x86_cpu *cpu = e->cpu;

	if (vex && !(cpu->cr4 & X86_CR4_OSXSAVE))
		return emu_ud(e);
	if (!vex && (cpu->cr0 & X86_CR0_EM || !(cpu->cr4 & X86_CR4_OSFXSR)))
		return emu_ud(e);
	if (cpu->cr0 & X86_CR0_TS)
		return emu_raise(e, X86_VEC_NM, false, 0);
	return X86_EMU_OK;
}

/* Write `size` bytes to a vector register, zeroing what the form says. */
static void vec_write(struct emu *e, unsigned int reg, const uint8_t *buf,
		      unsigned int size)
{
	uint8_t *v = e->cpu->vec[reg];
	unsigned int clear_to = e->insn->vex ? YMM_BYTES : XMM_BYTES;

	memcpy(v, buf, size);
	if (size < clear_to)
		memset(v + size, 0, clear_to - size);
	e->cpu->vec_dirty = true;
}

static enum x86_emu_status map_rm(struct emu *e, const struct simd_form *f,
				  unsigned int size, unsigned int access,
				  struct emu_mem *m)
{
	enum x86_emu_status s;

	s = emu_map_operand(e, size, access, m);
	if (!s && f->aligned && m->linear & (size - 1))
		return emu_gp0(e);
	return s;
}

/* r/m (memory, GPR or vector register) into the ModRM.reg vector. */
static enum x86_emu_status simd_load(struct emu *e, const struct simd_form *f,
				     unsigned int size)
{
	const struct x86_insn *insn = e->insn;
	uint8_t buf[YMM_BYTES];
	struct emu_mem m;
	enum x86_emu_status s = X86_EMU_OK;

	if (insn->has_mem) {
		s = map_rm(e, f, size, 0, &m);
		if (!s)
			s = emu_mem_read(e, &m, buf);
	} else if (f->gpr) {
		emu_store_le(buf, size, emu_reg_read(e, insn->rm, size));
	} else {
		memcpy(buf, e->cpu->vec[insn->rm], size);
	}
	if (!s)
		vec_write(e, insn->reg, buf, size);
	return s;
}

/* The ModRM.reg vector into r/m. */
static enum x86_emu_status simd_store(struct emu *e, const struct simd_form *f,
				      unsigned int size)
{
	const struct x86_insn *insn = e->insn;
	const uint8_t *v = e->cpu->vec[insn->reg];
	uint8_t buf[YMM_BYTES];
	struct emu_mem m;
	enum x86_emu_status s;

	if (!insn->has_mem) {
		if (f->gpr) {
			emu_reg_write(e, insn->rm, size, emu_load_le(v, size));
		} else {
			memcpy(buf, v, size);
			vec_write(e, insn->rm, buf, size);
		}
		return X86_EMU_OK;
	}
	s = map_rm(e, f, size, X86_ACCESS_WRITE, &m);
	return s ? s : emu_mem_write(e, &m, v);
}

/* 0F 6E, 6F, 7E, 7F, D6 with 66 or F3, and VEX 0F 6F, 7F. */
enum x86_emu_status emu_simd_move(struct emu *e)
{
	const struct simd_form *f = find_form(e->insn);
	enum x86_emu_status s;

	if (!f)
		return emu_unsupported(e, "MMX or another SIMD form");
	if (e->insn->vex && e->insn->vex_vvvv)
		return emu_ud(e);	/* VEX.vvvv must be 1111b */
	s = check_enabled(e, f->vex);
	if (s)
		return s;
	if (f->store)
		return simd_store(e, f, form_size(f, e->insn));
	return simd_load(e, f, form_size(f, e->insn));
}
