/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_EMULATE_H
#define LGUEST_X86_EMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn_decode.h"

/*
 * The instruction emulator: finishes, on the guest's behalf, an instruction
 * KVM's own emulator gave up on (the seed's emulate_insn, grown up).  It
 * works on a register file the caller fills in (struct x86_cpu) and reaches
 * memory and ports only through the callbacks in struct x86_mem_ops, so the
 * launcher, the unit tests and the fuzzer each supply their own.  It keeps
 * no state between calls and never prints or exits.
 *
 * What it executes: IN/OUT, INS/OUTS, MOVS, STOS (with REP), MOV to and
 * from memory and with immediates, MOVZX/MOVSX/MOVSXD, the ALU group
 * (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP) and TEST with the flags they set,
 * XCHG, CMPXCHG, CMPXCHG8B/16B, MOVD/MOVQ, MOVDQA/MOVDQU and VMOVDQA/VMOVDQU
 * (128 and 256 bits).  Anything else is reported as unsupported, with its
 * bytes, rather than guessed at.
 *
 * Segment limits and access rights are not checked: the CPU checked them
 * before KVM ever saw the access.  Linear addresses go through the guest's
 * page tables (32-bit, PAE, 4- and 5-level) with the architectural
 * permission checks, and a failed walk comes back as the page fault the
 * guest should get.
 */

enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS,
};

struct x86_segment {
	uint64_t base;
	uint32_t limit;
	bool db;		/* CS: default operand size is 32 bits */
	bool l;			/* CS: 64-bit code segment */
};

/* The guest CPU: filled in by the caller, updated in place. */
struct x86_cpu {
	uint64_t gpr[X86_NR_GPRS];
	uint64_t rip, rflags;
	struct x86_segment seg[X86_NR_SEGS];
	struct x86_segment tr;		/* the TSS: I/O permission bitmap */
	uint64_t cr0, cr3, cr4, efer;
	unsigned int cpl;
	unsigned int maxphyaddr;	/* physical address bits (CPUID) */
	uint8_t vec[16][32];		/* YMM0-15; XMMn is the low half */
	bool vec_dirty;			/* an instruction wrote vec[] */
};

#define X86_EFER_LME	(1ULL << 8)
#define X86_EFER_LMA	(1ULL << 10)
#define X86_EFER_NXE	(1ULL << 11)

/* Exception vectors the emulator can raise. */
#define X86_VEC_UD	6
#define X86_VEC_NM	7
#define X86_VEC_SS	12
#define X86_VEC_GP	13
#define X86_VEC_PF	14

/* Page-fault error code bits. */
#define X86_PF_PROT	(1U << 0)	/* 0: page not present */
#define X86_PF_WRITE	(1U << 1)
#define X86_PF_USER	(1U << 2)
#define X86_PF_RSVD	(1U << 3)
#define X86_PF_INSTR	(1U << 4)

/* What an access is, for the page-table walk. */
#define X86_ACCESS_WRITE	(1U << 0)
#define X86_ACCESS_USER		(1U << 1)	/* made at CPL 3 */
#define X86_ACCESS_FETCH	(1U << 2)
#define X86_ACCESS_IMPLICIT	(1U << 3)	/* by the CPU itself (TSS) */

struct x86_fault {
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
	uint64_t address;	/* #PF: the linear address, for CR2 */
};

/*
 * Guest-physical memory and ports.  Accesses come in pieces of at most 32
 * bytes that never cross a 4 KiB page.  Each returns 0, or nonzero to
 * abandon the instruction (X86_EMU_ERROR): for fuzzers that make a
 * device fail, not for "no device here", which reads as all ones.
 */
struct x86_mem_ops {
	int (*read)(void *opaque, uint64_t gpa, void *buf, unsigned int len);
	int (*write)(void *opaque, uint64_t gpa, const void *buf,
		     unsigned int len);
	int (*port_in)(void *opaque, uint16_t port, void *buf,
		       unsigned int len);
	int (*port_out)(void *opaque, uint16_t port, const void *buf,
			unsigned int len);
};

enum x86_emu_status {
	X86_EMU_OK,		/* done; RIP moved on (unless `partial`) */
	X86_EMU_FAULT,		/* deliver `fault` to the guest; RIP unmoved */
	X86_EMU_UNSUPPORTED,	/* not something we emulate: `reason` */
	X86_EMU_ERROR,		/* a callback failed: `reason` */
};

/* A REP instruction does at most this many iterations per call. */
#define X86_EMU_REP_BATCH 4096

struct x86_emu_result {
	enum x86_emu_status status;
	struct x86_fault fault;
	const char *reason;
	bool partial;		/* a REP stopped early: run it again */
	uint8_t bytes[X86_MAX_INSN_LEN];	/* the instruction, or as */
	unsigned int nbytes;			/* much of it as we had */
};

/* The code size, 16, 32 or 64, that the CPU is executing. */
unsigned int x86_cpu_code_bits(const struct x86_cpu *cpu);

/* Decode `bytes` (at most `len` of them) for `cpu` and execute it. */
enum x86_emu_status x86_emulate(struct x86_cpu *cpu, const uint8_t *bytes,
				size_t len, const struct x86_mem_ops *ops,
				void *opaque, struct x86_emu_result *res);

/* Execute an instruction decoded for x86_cpu_code_bits(cpu). */
enum x86_emu_status x86_execute(struct x86_cpu *cpu,
				const struct x86_insn *insn,
				const struct x86_mem_ops *ops, void *opaque,
				struct x86_emu_result *res);

/* True when executing `insn` reads or writes cpu->vec. */
bool x86_insn_uses_vec(const struct x86_insn *insn);

/*
 * Guest-linear to guest-physical through the guest's page tables, setting
 * their accessed and dirty bits as the CPU would.  X86_EMU_FAULT fills
 * `fault` with the page fault; X86_EMU_ERROR means a table read failed.
 */
enum x86_emu_status x86_translate(const struct x86_cpu *cpu,
				  const struct x86_mem_ops *ops, void *opaque,
				  uint64_t linear, unsigned int access,
				  uint64_t *gpa, struct x86_fault *fault);

/* One line for a log: what happened and the instruction's bytes. */
void x86_emu_describe(const struct x86_emu_result *res, char *buf,
		      size_t size);

#endif
