/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_EMULATE_INTERNAL_H
#define LGUEST_X86_EMULATE_INTERNAL_H

/*
 * Shared by the emulator's own files (emulate*.c) only: one instruction's
 * execution context, and the operand helpers every instruction uses.
 */
#include <asm/processor-flags.h>

#include "emulate.h"

#define FLAGS_ARITH                                                 \
	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | \
	 X86_EFLAGS_SF | X86_EFLAGS_OF)

struct emu {
	struct x86_cpu *cpu;
	const struct x86_insn *insn;
	const struct x86_mem_ops *ops;
	void *opaque;
	struct x86_emu_result *res;
};

typedef enum x86_emu_status (*emu_handler)(struct emu *e);

/* A memory operand after translation: one or two physical pieces. */
struct emu_mem {
	uint64_t linear;
	uint64_t gpa[2];
	unsigned int len, first;	/* total bytes; bytes in gpa[0] */
};

/* Where an integer operand lives: a register or translated memory. */
struct emu_loc {
	bool is_mem;
	unsigned int size;
	unsigned int reg;
	struct emu_mem mem;
};

/* Outcomes, recorded in e->res. */
enum x86_emu_status emu_raise(struct emu *e, unsigned int vector,
			      bool has_code, uint32_t code);
enum x86_emu_status emu_ud(struct emu *e);
enum x86_emu_status emu_gp0(struct emu *e);
enum x86_emu_status emu_unsupported(struct emu *e, const char *why);
enum x86_emu_status emu_callback_failed(struct emu *e, const char *what);

/* Registers, with the byte-register and zero-extension rules. */
uint64_t emu_truncate(uint64_t v, unsigned int size);
uint64_t emu_sign_extend(uint64_t v, unsigned int size);
uint64_t emu_signed_imm(const struct emu *e);
unsigned int emu_op_width(const struct emu *e);
uint64_t emu_reg_read(const struct emu *e, unsigned int reg,
		      unsigned int size);
void emu_reg_write(struct emu *e, unsigned int reg, unsigned int size,
		   uint64_t v);
void emu_set_flags(struct emu *e, uint64_t mask, uint64_t flags);

/* Memory: address, translate, then access; faults come before effects. */
unsigned int emu_operand_seg(const struct emu *e);
enum x86_emu_status emu_map(struct emu *e, unsigned int seg, uint64_t offset,
			    unsigned int len, unsigned int access,
			    struct emu_mem *m);
enum x86_emu_status emu_map_implicit(struct emu *e, uint64_t linear,
				     unsigned int len, struct emu_mem *m);
enum x86_emu_status emu_map_operand(struct emu *e, unsigned int len,
				    unsigned int access, struct emu_mem *m);
enum x86_emu_status emu_mem_read(struct emu *e, const struct emu_mem *m,
				 void *buf);
enum x86_emu_status emu_mem_write(struct emu *e, const struct emu_mem *m,
				  const void *buf);
uint64_t emu_load_le(const uint8_t *buf, unsigned int size);
void emu_store_le(uint8_t *buf, unsigned int size, uint64_t v);

/* Integer operands. */
enum x86_emu_status emu_rm_loc(struct emu *e, unsigned int size,
			       unsigned int access, struct emu_loc *loc);
void emu_reg_loc(struct emu_loc *loc, unsigned int reg, unsigned int size);
enum x86_emu_status emu_loc_read(struct emu *e, const struct emu_loc *loc,
				 uint64_t *v);
enum x86_emu_status emu_loc_write(struct emu *e, const struct emu_loc *loc,
				  uint64_t v);

/* The instruction families, one file each. */
enum x86_emu_status emu_alu(struct emu *e);
enum x86_emu_status emu_alu_group1(struct emu *e);
enum x86_emu_status emu_test(struct emu *e);
enum x86_emu_status emu_group3(struct emu *e);
enum x86_emu_status emu_xchg(struct emu *e);
enum x86_emu_status emu_cmpxchg(struct emu *e);
enum x86_emu_status emu_cmpxchg_wide(struct emu *e);

enum x86_emu_status emu_mov(struct emu *e);
enum x86_emu_status emu_mov_moffs(struct emu *e);
enum x86_emu_status emu_mov_imm(struct emu *e);
enum x86_emu_status emu_movx(struct emu *e);
enum x86_emu_status emu_movsxd(struct emu *e);

enum x86_emu_status emu_in_out(struct emu *e);
enum x86_emu_status emu_ins_outs(struct emu *e);
enum x86_emu_status emu_movs_stos(struct emu *e);

enum x86_emu_status emu_simd_move(struct emu *e);
bool emu_is_simd_move(const struct x86_insn *insn);

#endif
