/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_INSN_DECODE_H
#define LGUEST_X86_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The x86 instruction decoder: guest-controlled bytes in, the structure
 * of one instruction out.  It finds the length of anything in the
 * one-byte, 0F, 0F38 and 0F3A maps (legacy or VEX encoded) in 16-, 32-
 * and 64-bit code, and never reads past the bytes it was given or past
 * the architectural limit of 15.  Whether an instruction can be executed
 * is the executor's business (emulate.h), not the decoder's.
 */

#define X86_MAX_INSN_LEN 15

enum x86_decode_status {
	X86_DECODE_OK,
	X86_DECODE_TRUNCATED,	/* the bytes ran out mid-instruction */
	X86_DECODE_TOO_LONG,	/* more than 15 bytes */
	X86_DECODE_UNDEFINED,	/* an opcode with no definition in this mode */
	X86_DECODE_UNSUPPORTED,	/* an encoding we do not decode: EVEX, XOP */
};

enum x86_map {
	X86_MAP_ONE_BYTE,
	X86_MAP_0F,
	X86_MAP_0F38,
	X86_MAP_0F3A,
};

/* Segment registers, numbered as the hardware encodes them. */
enum x86_seg {
	X86_SEG_ES,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS,
	X86_NR_SEGS,
	X86_SEG_DEFAULT = X86_NR_SEGS,	/* no override prefix */
};

#define X86_NO_REG (-1)

/* A memory operand: seg:[base + index << scale + disp], or RIP-relative. */
struct x86_mem_operand {
	int8_t base, index;	/* register numbers 0-15, or X86_NO_REG */
	uint8_t scale;		/* shift count 0-3 */
	bool rip_relative;	/* disp is relative to the next instruction */
	uint8_t default_seg;	/* SS for stack-based forms, else DS */
	int64_t disp;
};

struct x86_insn {
	uint8_t bytes[X86_MAX_INSN_LEN];
	uint8_t len;
	uint8_t bits;		/* the code size it was decoded for: 16/32/64 */
	uint8_t opsize;		/* operand size in bytes: 2, 4 or 8 */
	uint8_t addrsize;	/* address size in bytes: 2, 4 or 8 */

	/* Prefixes, as given (the last of a kind wins). */
	bool lock, opsize_prefix, addrsize_prefix;
	uint8_t rep;		/* 0, 0xf2 (REPNE) or 0xf3 (REP/REPE) */
	uint8_t seg;		/* enum x86_seg; X86_SEG_DEFAULT if none */
	uint8_t rex;		/* the REX byte in effect, 0 if none */
	bool rex_w, rex_r, rex_x, rex_b;	/* from REX or VEX */

	bool vex;
	uint8_t vex_l;		/* vector length: 0 = 128 bits, 1 = 256 */
	uint8_t vex_pp;		/* implied prefix: 0, 1 = 66, 2 = F3, 3 = F2 */
	uint8_t vex_vvvv;	/* the extra register, already un-inverted */

	uint8_t map;		/* enum x86_map */
	uint8_t opcode;

	bool has_modrm, has_sib;
	uint8_t modrm, sib;
	uint8_t mod;		/* ModRM.mod */
	uint8_t reg;		/* ModRM.reg, with REX.R */
	uint8_t rm;		/* ModRM.rm, with REX.B when mod == 3 */
	bool has_mem;		/* a ModRM memory operand or a moffs */
	struct x86_mem_operand mem;

	uint8_t disp_size, imm_size;
	uint64_t imm;		/* zero-extended; ENTER and far pointers */
	uint16_t imm2;		/* keep their second immediate here */
};

/* Decode at most `avail` bytes as `bits`-bit (16, 32, 64) code. */
enum x86_decode_status x86_decode(const uint8_t *bytes, size_t avail,
				  unsigned int bits, struct x86_insn *insn);

const char *x86_decode_status_str(enum x86_decode_status s);

/* The prefix an SSE opcode is qualified by: 0, 0x66, 0xf3 or 0xf2. */
uint8_t x86_insn_simd_prefix(const struct x86_insn *insn);

#endif
