// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and the string instructions: IN/OUT, INS/OUTS, MOVS and STOS,
 * with REP.  A REP instruction runs in batches: after X86_EMU_REP_BATCH
 * iterations it stops with RCX, RSI and RDI showing its progress and RIP
 * still on it, exactly as an interrupted REP looks on a real CPU, so one
 * guest cannot keep the emulator busy for 2^64 iterations.  A fault in
 * iteration N leaves iterations before N done, also as on a real CPU.
 */
#include "emulate_internal.h"

#define TSS_IOMAP_BASE 0x66

typedef enum x86_emu_status (*string_step)(struct emu *e, uint16_t port,
					   unsigned int size);
typedef enum x86_emu_status (*element_source)(struct emu *e, uint16_t port,
					      uint8_t *buf, unsigned int size);

/* Port I/O moves 1, 2 or 4 bytes; REX.W does not make it 8. */
static unsigned int io_width(const struct emu *e)
{
	if (!(e->insn->opcode & 1))
		return 1;
	return e->insn->opsize == 2 ? 2 : 4;
}

static enum x86_emu_status read_tss(struct emu *e, uint32_t offset,
				    unsigned int len, uint8_t *buf)
{
	const struct x86_cpu *cpu = e->cpu;
	uint64_t lin = cpu->tr.base + offset;
	struct emu_mem m;
	enum x86_emu_status s;

	if ((uint64_t)offset + len - 1 > cpu->tr.limit)
		return emu_gp0(e);
	if (!(cpu->efer & X86_EFER_LMA))
		lin &= 0xffffffffULL;
	s = emu_map_implicit(e, lin, len, &m);
	return s ? s : emu_mem_read(e, &m, buf);
}

/* The TSS's I/O permission bitmap: any set bit for the ports is #GP. */
static enum x86_emu_status check_io_bitmap(struct emu *e, uint16_t port,
					   unsigned int size)
{
	enum x86_emu_status s;
	uint8_t buf[2];
	uint32_t base;

	s = read_tss(e, TSS_IOMAP_BASE, 2, buf);
	if (s)
		return s;
	base = (uint32_t)emu_load_le(buf, 2);
	s = read_tss(e, base + port / 8, 2, buf);
	if (s)
		return s;
	if ((emu_load_le(buf, 2) >> (port & 7)) & ((1U << size) - 1))
		return emu_gp0(e);
	return X86_EMU_OK;
}

/* Protected mode with CPL > IOPL, or virtual-8086 mode, asks the TSS. */
static enum x86_emu_status check_io_permission(struct emu *e, uint16_t port,
					       unsigned int size)
{
	const struct x86_cpu *cpu = e->cpu;
	unsigned int iopl = (cpu->rflags & X86_EFLAGS_IOPL) >>
			    X86_EFLAGS_IOPL_BIT;

	if (!(cpu->cr0 & X86_CR0_PE))
		return X86_EMU_OK;
	if (!(cpu->rflags & X86_EFLAGS_VM) && cpu->cpl <= iopl)
		return X86_EMU_OK;
	return check_io_bitmap(e, port, size);
}

static enum x86_emu_status port_in(struct emu *e, uint16_t port, uint8_t *buf,
				   unsigned int size)
{
	if (e->ops->port_in(e->opaque, port, buf, size))
		return emu_callback_failed(e, "port read failed");
	return X86_EMU_OK;
}

static enum x86_emu_status port_out(struct emu *e, uint16_t port,
				    const uint8_t *buf, unsigned int size)
{
	if (e->ops->port_out(e->opaque, port, buf, size))
		return emu_callback_failed(e, "port write failed");
	return X86_EMU_OK;
}

/* The accumulator at the operand size: for OUT and STOS. */
static enum x86_emu_status fill_from_acc(struct emu *e, uint16_t port,
					 uint8_t *buf, unsigned int size)
{
	(void)port;
	emu_store_le(buf, size, emu_reg_read(e, X86_RAX, size));
	return X86_EMU_OK;
}

/* E4-E7: IN/OUT with an imm8 port; EC-EF: with the port in DX. */
enum x86_emu_status emu_in_out(struct emu *e)
{
	const struct x86_insn *insn = e->insn;
	unsigned int size = io_width(e);
	uint16_t port = insn->opcode & 8 ? (uint16_t)e->cpu->gpr[X86_RDX] :
					   (uint16_t)insn->imm;
	enum x86_emu_status s;
	uint8_t buf[4];

	s = check_io_permission(e, port, size);
	if (s)
		return s;
	if (insn->opcode & 2) {
		fill_from_acc(e, port, buf, size);
		return port_out(e, port, buf, size);
	}
	s = port_in(e, port, buf, size);
	if (!s)
		emu_reg_write(e, X86_RAX, size, emu_load_le(buf, size));
	return s;
}

static uint64_t index_reg(const struct emu *e, unsigned int reg)
{
	return emu_reg_read(e, reg, e->insn->addrsize);
}

/* rSI/rDI move by the element size, down when EFLAGS.DF is set. */
static void step_index(struct emu *e, unsigned int reg, unsigned int size)
{
	uint64_t delta = e->cpu->rflags & X86_EFLAGS_DF ? -(uint64_t)size :
							  size;

	emu_reg_write(e, reg, e->insn->addrsize, index_reg(e, reg) + delta);
}

/* The source is DS:rSI, or another segment by prefix. */
static enum x86_emu_status map_source(struct emu *e, unsigned int size,
				      struct emu_mem *m)
{
	unsigned int seg = e->insn->seg != X86_SEG_DEFAULT ? e->insn->seg :
							     X86_SEG_DS;

	return emu_map(e, seg, index_reg(e, X86_RSI), size, 0, m);
}

/* The destination is always ES:rDI. */
static enum x86_emu_status map_dest(struct emu *e, unsigned int size,
				    struct emu_mem *m)
{
	return emu_map(e, X86_SEG_ES, index_reg(e, X86_RDI), size,
		       X86_ACCESS_WRITE, m);
}

/*
 * INS and STOS: an element (from the port, or rAX) to ES:rDI.  The
 * destination is translated first: a page fault must not swallow data
 * the port has already handed over.
 */
static enum x86_emu_status store_step(struct emu *e, uint16_t port,
				      unsigned int size, element_source fill)
{
	struct emu_mem dst;
	enum x86_emu_status s;
	uint8_t buf[8];

	s = map_dest(e, size, &dst);
	if (!s)
		s = fill(e, port, buf, size);
	if (!s)
		s = emu_mem_write(e, &dst, buf);
	if (!s)
		step_index(e, X86_RDI, size);
	return s;
}

static enum x86_emu_status ins_step(struct emu *e, uint16_t port,
				    unsigned int size)
{
	return store_step(e, port, size, port_in);
}

static enum x86_emu_status stos_step(struct emu *e, uint16_t port,
				     unsigned int size)
{
	return store_step(e, port, size, fill_from_acc);
}

static enum x86_emu_status outs_step(struct emu *e, uint16_t port,
				     unsigned int size)
{
	struct emu_mem src;
	enum x86_emu_status s;
	uint8_t buf[4];

	s = map_source(e, size, &src);
	if (!s)
		s = emu_mem_read(e, &src, buf);
	if (!s)
		s = port_out(e, port, buf, size);
	if (!s)
		step_index(e, X86_RSI, size);
	return s;
}

static enum x86_emu_status movs_step(struct emu *e, uint16_t port,
				     unsigned int size)
{
	struct emu_mem src, dst;
	enum x86_emu_status s;
	uint8_t buf[8];

	(void)port;
	s = map_source(e, size, &src);
	if (!s)
		s = map_dest(e, size, &dst);
	if (!s)
		s = emu_mem_read(e, &src, buf);
	if (!s)
		s = emu_mem_write(e, &dst, buf);
	if (s)
		return s;
	step_index(e, X86_RSI, size);
	step_index(e, X86_RDI, size);
	return X86_EMU_OK;
}

/* Once, or rCX times (in batches) with REP; F2 acts as F3 here. */
static enum x86_emu_status repeat(struct emu *e, string_step step,
				  uint16_t port, unsigned int size)
{
	unsigned int addrsize = e->insn->addrsize, done;
	uint64_t count;
	enum x86_emu_status s;

	if (!e->insn->rep)
		return step(e, port, size);
	count = emu_reg_read(e, X86_RCX, addrsize);
	for (done = 0; count && done < X86_EMU_REP_BATCH; done++) {
		s = step(e, port, size);
		if (s)
			return s;
		emu_reg_write(e, X86_RCX, addrsize, --count);
	}
	e->res->partial = count != 0;
	return X86_EMU_OK;
}

/* 6C, 6D: INS; 6E, 6F: OUTS, with the port in DX. */
enum x86_emu_status emu_ins_outs(struct emu *e)
{
	uint16_t port = (uint16_t)e->cpu->gpr[X86_RDX];
	unsigned int size = io_width(e);
	enum x86_emu_status s;

	s = check_io_permission(e, port, size);
	if (s)
		return s;
	return repeat(e, e->insn->opcode & 2 ? outs_step : ins_step, port,
		      size);
}

/* A4, A5: MOVS; AA, AB: STOS. */
enum x86_emu_status emu_movs_stos(struct emu *e)
{
	return repeat(e, e->insn->opcode >= 0xaa ? stos_step : movs_step, 0,
		      emu_op_width(e));
}
