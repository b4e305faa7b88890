// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target "insn": one instruction that KVM handed back to the
 * launcher, decoded and executed by the launcher's own emulator against a
 * fake machine whose memory and ports answer with bytes from the input,
 * as Xen's x86 emulator fuzzer does.  The input is
 *
 *	byte  0	CPU mode: MODE_* in bits 0-2, MODE_COMPAT, MODE_COMPAT_DB
 *		(64-bit modes only) and MODE_EM
 *	byte  1	control bits (CTL_* below)
 *	byte  2	MAXPHYADDR: 36 + (byte % 17)
 *	byte  3	which callback fails (1-based), 0: none does
 *	bytes 4-7	RFLAGS (bit 1 forced on, reserved bits off)
 *	bytes 8-15	CR3 (bits above MAXPHYADDR cleared, as the CPU demands)
 *	bytes 16-19	a mask: bits 0-15 name the GPRs given, bit 16 RIP;
 *			then 8 bytes for each, in that order
 *	byte	a mask: bits 0-5 name segment bases given, bit 6 the TSS;
 *			then 8 bytes per base, and 8 (base) + 4 (limit) for TR
 *	byte	instruction length n (byte % 16), then n instruction bytes
 *	then the bytes every memory read (page tables included) and every
 *	port read returns, in order; zeros once they run out.
 *
 * The callbacks check the emulator's side of their contract on every
 * access; after the call the target checks the decoder's length rules,
 * the result and what the instruction may and may not have changed.
 */
#include <asm/processor-flags.h>
#include <string.h>

#include "fuzz.h"
#include "guarded.h"
#include "x86/emulate.h"

#define MODE_REAL	0
#define MODE_VM86	1
#define MODE_PROT16	2
#define MODE_PROT32	3
#define MODE_PAGED32	4	/* two-level paging */
#define MODE_PAE	5
#define MODE_LONG4	6	/* four-level paging */
#define MODE_LONG5	7	/* five-level paging (LA57) */
#define MODE_MASK	7
#define MODE_COMPAT	0x08	/* long modes: a 32/16-bit code segment */
#define MODE_COMPAT_DB	0x10	/* ... 32-bit when set */
#define MODE_EM		0x20	/* CR0.EM: no x87/SSE */

#define CTL_CPL3	0x01
#define CTL_WP		0x02
#define CTL_SMEP	0x04
#define CTL_SMAP	0x08
#define CTL_PSE		0x10
#define CTL_NXE		0x20
#define CTL_SIMD	0x40	/* CR4.OSFXSR and CR4.OSXSAVE */
#define CTL_TS		0x80

#define MAXPHYADDR_MIN	36
#define MAXPHYADDR_SPAN	17	/* 36..52 */
#define RIP_BIT		16
#define TR_BIT		6
#define PIECE_MAX	32	/* the callbacks' contract (emulate.h) */
#define PAGE_SIZE	4096ULL
#define RFLAGS_DEFINED	0x3f7fd5ULL	/* no reserved bits 3, 5, 15, 22+ */
#define RFLAGS_RESULT                                                  \
	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | \
	 X86_EFLAGS_SF | X86_EFLAGS_OF | X86_EFLAGS_RF)

/* The fake machine: its answers, its failure, what it saw. */
struct fake_bus {
	struct fuzz_input answers;
	unsigned int fail_at, calls;
	uint64_t phys_limit;	/* one past the highest physical address */
	unsigned int reads, writes, port_ins, port_outs;
};

/*
 * The instruction bytes: the decoder reads them from a copy starting at a
 * guard page, the emulator from one ending at a guard page, so a read
 * even one byte outside them faults in every build, not only under ASan.
 */
static struct guarded insn_end, insn_start;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	guarded_init(&insn_end, X86_MAX_INSN_LEN, "insn fuzz target");
	guarded_init(&insn_start, X86_MAX_INSN_LEN, "insn fuzz target");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The callbacks                                                       */
/* ------------------------------------------------------------------ */

static void answer(struct fake_bus *b, void *buf, unsigned int len)
{
	uint8_t *p = buf;
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)fuzz_take(&b->answers, 1);
}

static int fails(struct fake_bus *b)
{
	return ++b->calls == b->fail_at ? -1 : 0;
}

static void check_piece(const struct fake_bus *b, uint64_t gpa,
			unsigned int len)
{
	fuzz_invariant(len >= 1 && len <= PIECE_MAX, "access of %u bytes", len);
	fuzz_invariant((gpa & (PAGE_SIZE - 1)) + len <= PAGE_SIZE,
		       "access %#llx+%u crosses a page",
		       (unsigned long long)gpa, len);
	fuzz_invariant(gpa < b->phys_limit && len <= b->phys_limit - gpa,
		       "access %#llx+%u beyond physical memory (%#llx)",
		       (unsigned long long)gpa, len,
		       (unsigned long long)b->phys_limit);
}

static void check_port(uint16_t port, unsigned int len)
{
	fuzz_invariant(len == 1 || len == 2 || len == 4,
		       "port %#x access of %u bytes", port, len);
}

static int fake_read(void *opaque, uint64_t gpa, void *buf, unsigned int len)
{
	struct fake_bus *b = opaque;

	check_piece(b, gpa, len);
	b->reads++;
	if (fails(b))
		return -1;
	answer(b, buf, len);
	return 0;
}

static int fake_write(void *opaque, uint64_t gpa, const void *buf,
		      unsigned int len)
{
	struct fake_bus *b = opaque;

	(void)buf;
	check_piece(b, gpa, len);
	b->writes++;
	return fails(b);
}

static int fake_port_in(void *opaque, uint16_t port, void *buf,
			unsigned int len)
{
	struct fake_bus *b = opaque;

	check_port(port, len);
	b->port_ins++;
	if (fails(b))
		return -1;
	answer(b, buf, len);
	return 0;
}

static int fake_port_out(void *opaque, uint16_t port, const void *buf,
			 unsigned int len)
{
	struct fake_bus *b = opaque;

	(void)buf;
	check_port(port, len);
	b->port_outs++;
	return fails(b);
}

static const struct x86_mem_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
	.port_in = fake_port_in,
	.port_out = fake_port_out,
};

/* ------------------------------------------------------------------ */
/* The CPU                                                             */
/* ------------------------------------------------------------------ */

static void set_mode(struct x86_cpu *cpu, unsigned int mode)
{
	struct x86_segment *cs = &cpu->seg[X86_SEG_CS];
	unsigned int m = mode & MODE_MASK;

	cpu->cr0 = X86_CR0_ET | X86_CR0_MP | (mode & MODE_EM ? X86_CR0_EM : 0);
	cpu->rflags &= ~(uint64_t)X86_EFLAGS_VM;
	if (m == MODE_REAL)
		return;
	cpu->cr0 |= X86_CR0_PE;
	if (m == MODE_VM86)
		cpu->rflags |= X86_EFLAGS_VM;
	cs->db = m >= MODE_PROT32;
	if (m >= MODE_PAGED32)
		cpu->cr0 |= X86_CR0_PG;
	if (m >= MODE_PAE)
		cpu->cr4 |= X86_CR4_PAE;
	if (m < MODE_LONG4)
		return;
	cpu->efer |= X86_EFER_LME | X86_EFER_LMA;
	if (m == MODE_LONG5)
		cpu->cr4 |= X86_CR4_LA57;
	cs->l = !(mode & MODE_COMPAT);
	cs->db = cs->l ? false : !!(mode & MODE_COMPAT_DB);
}

static void set_controls(struct x86_cpu *cpu, unsigned int ctl)
{
	cpu->cr0 |= (ctl & CTL_WP ? X86_CR0_WP : 0) |
		    (ctl & CTL_TS ? X86_CR0_TS : 0);
	cpu->cr4 |= (ctl & CTL_SMEP ? X86_CR4_SMEP : 0) |
		    (ctl & CTL_SMAP ? X86_CR4_SMAP : 0) |
		    (ctl & CTL_PSE ? X86_CR4_PSE : 0) |
		    (ctl & CTL_SIMD ? X86_CR4_OSFXSR | X86_CR4_OSXSAVE : 0);
	cpu->efer |= ctl & CTL_NXE ? X86_EFER_NXE : 0;
	if (cpu->rflags & X86_EFLAGS_VM)
		cpu->cpl = 3;
	else if (cpu->cr0 & X86_CR0_PE)
		cpu->cpl = ctl & CTL_CPL3 ? 3 : 0;
}

static void take_registers(struct fuzz_input *in, struct x86_cpu *cpu)
{
	uint32_t mask = fuzz_take(in, 4);
	unsigned int i;

	cpu->rip = 0x100000;
	for (i = 0; i < X86_NR_GPRS; i++)
		if (mask & (1U << i))
			cpu->gpr[i] = fuzz_take(in, 8);
	if (mask & (1U << RIP_BIT))
		cpu->rip = fuzz_take(in, 8);
	if (x86_cpu_code_bits(cpu) != 64)
		cpu->rip &= 0xffffffffULL;
}

static void take_segments(struct fuzz_input *in, struct x86_cpu *cpu)
{
	unsigned int mask = fuzz_take(in, 1), i;
	uint32_t limit = cpu->cr0 & X86_CR0_PE ? 0xffffffffU : 0xffffU;

	for (i = 0; i < X86_NR_SEGS; i++) {
		cpu->seg[i].limit = limit;
		if (mask & (1U << i))
			cpu->seg[i].base = fuzz_take(in, 8);
	}
	cpu->tr.limit = 0x67;	/* a TSS without an I/O bitmap */
	if (mask & (1U << TR_BIT)) {
		cpu->tr.base = fuzz_take(in, 8);
		cpu->tr.limit = fuzz_take(in, 4);
	}
}

/* A vector-register pattern that no zeroing can fake. */
static void fill_vectors(struct x86_cpu *cpu)
{
	unsigned int r, i;

	for (r = 0; r < 16; r++)
		for (i = 0; i < sizeof(cpu->vec[r]); i++)
			cpu->vec[r][i] = (uint8_t)(r * 32 + i + 1);
}

static void build_cpu(struct fuzz_input *in, struct x86_cpu *cpu,
		      struct fake_bus *bus)
{
	unsigned int mode = fuzz_take(in, 1), ctl = fuzz_take(in, 1);

	memset(cpu, 0, sizeof(*cpu));
	cpu->maxphyaddr = MAXPHYADDR_MIN + fuzz_take(in, 1) % MAXPHYADDR_SPAN;
	bus->fail_at = fuzz_take(in, 1);
	cpu->rflags = (fuzz_take(in, 4) & RFLAGS_DEFINED) | X86_EFLAGS_FIXED;
	cpu->cr3 = fuzz_take(in, 8) & ((1ULL << cpu->maxphyaddr) - 1);
	set_mode(cpu, mode);
	set_controls(cpu, ctl);
	take_registers(in, cpu);
	take_segments(in, cpu);
	fill_vectors(cpu);
	bus->phys_limit = cpu->cr0 & X86_CR0_PG ? 1ULL << cpu->maxphyaddr :
						   1ULL << 32;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                          */
/* ------------------------------------------------------------------ */

/*
 * The decoder's length rules: an instruction is 1..15 bytes and no more
 * than it was given; decoding exactly its own bytes gives the same
 * result, and one byte fewer is truncated.
 */
static void check_decode(const uint8_t *bytes, size_t n, unsigned int bits,
			 enum x86_decode_status s, const struct x86_insn *insn)
{
	struct x86_insn again;
	enum x86_decode_status s2;

	fuzz_invariant(insn->len <= n && insn->len <= X86_MAX_INSN_LEN,
		       "decoded %u of %zu bytes", insn->len, n);
	if (s == X86_DECODE_TRUNCATED)
		fuzz_invariant(n < X86_MAX_INSN_LEN, "15 bytes yet truncated");
	if (s == X86_DECODE_TOO_LONG)
		fuzz_invariant(n == X86_MAX_INSN_LEN, "%zu bytes too long", n);
	if (s != X86_DECODE_OK)
		return;
	fuzz_invariant(insn->len >= 1, "an empty instruction");
	fuzz_invariant(!memcmp(insn->bytes, bytes, insn->len),
		       "instruction bytes not copied");
	fuzz_invariant(insn->opsize == 2 || insn->opsize == 4 ||
			       insn->opsize == 8,
		       "operand size %u", insn->opsize);
	fuzz_invariant(insn->addrsize == 2 || insn->addrsize == 4 ||
			       insn->addrsize == 8,
		       "address size %u", insn->addrsize);
	s2 = x86_decode(bytes, insn->len, bits, &again);
	fuzz_invariant(s2 == X86_DECODE_OK && !memcmp(&again, insn,
						      sizeof(again)),
		       "decoding its own %u bytes differs (status %d)",
		       insn->len, s2);
	s2 = x86_decode(bytes, insn->len - 1, bits, &again);
	fuzz_invariant(s2 == X86_DECODE_TRUNCATED,
		       "one byte short of %u decodes with status %d",
		       insn->len, s2);
}

static void check_fault(const struct x86_fault *f)
{
	switch (f->vector) {
	case X86_VEC_UD:
	case X86_VEC_NM:
		fuzz_invariant(!f->has_error_code, "#%u with an error code",
			       f->vector);
		break;
	case X86_VEC_SS:
	case X86_VEC_GP:
	case X86_VEC_PF:
		fuzz_invariant(f->has_error_code, "#%u without an error code",
			       f->vector);
		break;
	default:
		fuzz_invariant(0, "exception vector %u", f->vector);
	}
}

/* What no instruction we emulate may change in the CPU. */
static void check_cpu_kept(const struct x86_cpu *before,
			   const struct x86_cpu *after)
{
	fuzz_invariant(!memcmp(before->seg, after->seg, sizeof(after->seg)) &&
			       !memcmp(&before->tr, &after->tr,
				       sizeof(after->tr)),
		       "segments changed");
	fuzz_invariant(before->cr0 == after->cr0 && before->cr3 == after->cr3 &&
			       before->cr4 == after->cr4 &&
			       before->efer == after->efer &&
			       before->cpl == after->cpl,
		       "control registers changed");
	fuzz_invariant(!((before->rflags ^ after->rflags) & ~RFLAGS_RESULT),
		       "RFLAGS %#llx became %#llx",
		       (unsigned long long)before->rflags,
		       (unsigned long long)after->rflags);
	if (memcmp(before->vec, after->vec, sizeof(after->vec)))
		fuzz_invariant(after->vec_dirty, "vectors changed, not dirty");
}

static void check_result(const struct x86_cpu *before,
			 const struct x86_cpu *after,
			 const struct x86_emu_result *res,
			 enum x86_emu_status status, const struct x86_insn *insn,
			 enum x86_decode_status ds, const struct fake_bus *bus,
			 size_t n)
{
	uint64_t next = before->rip + insn->len;

	fuzz_invariant(status == res->status, "returned %d, result says %d",
		       status, res->status);
	fuzz_invariant(status == X86_EMU_OK || status == X86_EMU_FAULT ||
			       status == X86_EMU_UNSUPPORTED ||
			       status == X86_EMU_ERROR,
		       "status %d", status);
	fuzz_invariant(res->nbytes <= n && res->nbytes <= X86_MAX_INSN_LEN,
		       "result holds %u bytes of %zu", res->nbytes, n);
	check_cpu_kept(before, after);
	if (ds != X86_DECODE_OK)
		fuzz_invariant(status == X86_EMU_UNSUPPORTED,
			       "undecodable yet status %d", status);
	if (x86_cpu_code_bits(before) != 64)
		next &= insn->bits == 16 ? 0xffff : 0xffffffffULL;
	if (status == X86_EMU_OK && !res->partial)
		fuzz_invariant(after->rip == next,
			       "RIP %#llx, expected %#llx after %u bytes",
			       (unsigned long long)after->rip,
			       (unsigned long long)next, insn->len);
	else
		fuzz_invariant(after->rip == before->rip, "RIP moved (%d)",
			       status);
	if (res->partial)
		fuzz_invariant(status == X86_EMU_OK && insn->rep,
			       "partial without REP");
	if (status == X86_EMU_FAULT)
		check_fault(&res->fault);
	if (status == X86_EMU_UNSUPPORTED)
		fuzz_invariant(!bus->writes && !bus->port_outs &&
				       !memcmp(before, after, sizeof(*after)),
			       "an unsupported instruction had effects");
	if (status == X86_EMU_ERROR)
		fuzz_invariant(bus->fail_at && bus->calls >= bus->fail_at,
			       "an error with no failed callback");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	struct fake_bus bus = { 0 };
	struct x86_cpu cpu, before;
	struct x86_emu_result res;
	enum x86_emu_status status;
	enum x86_decode_status ds;
	struct x86_insn insn;
	char text[128];
	unsigned int bits;
	uint8_t raw[X86_MAX_INSN_LEN];
	const uint8_t *bytes;
	size_t n, i;

	build_cpu(&in, &cpu, &bus);
	n = fuzz_take(&in, 1) % (X86_MAX_INSN_LEN + 1);
	for (i = 0; i < n; i++)
		raw[i] = (uint8_t)fuzz_take(&in, 1);
	bus.answers.data = fuzz_rest(&in, &bus.answers.size);

	bits = x86_cpu_code_bits(&cpu);
	bytes = guarded_copy_start(&insn_start, raw, n);
	ds = x86_decode(bytes, n, bits, &insn);
	bytes = guarded_copy_end(&insn_end, raw, n);
	check_decode(bytes, n, bits, ds, &insn);
	before = cpu;
	status = x86_emulate(&cpu, bytes, n, &fake_ops, &bus, &res);
	check_result(&before, &cpu, &res, status, &insn, ds, &bus, n);
	x86_emu_describe(&res, text, sizeof(text));
	fuzz_invariant(memchr(text, '\0', sizeof(text)), "description unended");
	return 0;
}
