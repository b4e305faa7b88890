// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction emulator throughput over the pure library: for each of a
 * mix of forms, decode + execute (x86_emulate) per second, and execute
 * alone on an instruction decoded once, against the launcher's own
 * memory adapter (emu_bus_ops: guest_mem RAM, the MMIO and port buses,
 * the --testdev page).  The CPU is a 64-bit Linux-like one: 4-level
 * paging with 2 MiB pages for RAM, so every memory operand costs a page
 * walk, as it does in the launcher.  Only RIP and the registers a form
 * consumes are reset between runs.  Usage: emulate_bench [SECONDS per
 * form, default 0.2].
 */
#include <asm/processor-flags.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu_machine.h"

#define MiB		(1ULL << 20)
#define RAM_SIZE	(64 * MiB)
#define PML4		0x1000ULL
#define PDPT		0x2000ULL
#define PD		0x3000ULL
#define CODE		0x100000ULL	/* RIP, and RIP-relative data */
#define DATA		0x200000ULL	/* RSI, RDI: RAM operands */
#define PTE_P_RW	3ULL
#define PTE_PS		0x80ULL
#define STRING_LEN	64		/* bytes per REP instruction */

struct form {
	const char *name;
	uint8_t bytes[X86_MAX_INSN_LEN];
	unsigned int len;
};

/* RBX points at the test device, RSI and RDI at RAM, DX at port 0x2f8. */
static const struct form forms[] = {
	{ "mov [mmio], eax", { 0x89, 0x03 }, 2 },
	{ "mov rax, [mmio+8]", { 0x48, 0x8b, 0x43, 0x08 }, 4 },
	{ "mov dword [rip+x], imm32 (RAM)",
	  { 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12 }, 10 },
	{ "movzx eax, word [mmio]", { 0x0f, 0xb7, 0x03 }, 3 },
	{ "add [mmio], ecx", { 0x01, 0x0b }, 2 },
	{ "test [mmio], eax", { 0x85, 0x03 }, 2 },
	{ "xchg [mmio], eax", { 0x87, 0x03 }, 2 },
	{ "lock cmpxchg [ram], ecx", { 0xf0, 0x0f, 0xb1, 0x0e }, 4 },
	{ "lock cmpxchg16b [ram]", { 0xf0, 0x48, 0x0f, 0xc7, 0x0e }, 5 },
	{ "out 0x80, al", { 0xe6, 0x80 }, 2 },
	{ "in al, dx (nobody)", { 0xec }, 1 },
	{ "rep stosb (64 bytes, RAM)", { 0xf3, 0xaa }, 2 },
	{ "rep movsb (64 bytes, RAM)", { 0xf3, 0xa4 }, 2 },
	{ "movdqu [mmio], xmm0", { 0xf3, 0x0f, 0x7f, 0x03 }, 4 },
	{ "vmovdqu [mmio], ymm0", { 0xc5, 0xfe, 0x7f, 0x03 }, 4 },
	{ "vmovdqu ymm1, [mmio]", { 0xc5, 0xfe, 0x6f, 0x0b }, 4 },
};
#define NR_FORMS (sizeof(forms) / sizeof(forms[0]))

static struct emu_machine m;
static struct x86_cpu cpu;
static uint64_t start_gpr[X86_NR_GPRS];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(m.ram + gpa, &v, sizeof(v));
}

/* RAM identity-mapped with 2 MiB pages, 3-4 GiB (MMIO) with one 1 GiB. */
static void build_machine(void)
{
	unsigned int i;

	if (emu_machine_init(&m, RAM_SIZE)) {
		fprintf(stderr, "emulate_bench: cannot build the machine\n");
		exit(1);
	}
	put64(PML4, PDPT | PTE_P_RW);
	put64(PDPT, PD | PTE_P_RW);
	put64(PDPT + 3 * 8, 0xc0000000ULL | PTE_P_RW | PTE_PS);
	for (i = 0; i < RAM_SIZE / (2 * MiB); i++)
		put64(PD + 8 * i, i * 2 * MiB | PTE_P_RW | PTE_PS);

	cpu.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
	cpu.cr3 = PML4;
	cpu.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXSAVE;
	cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
	cpu.seg[X86_SEG_CS].l = true;
	cpu.maxphyaddr = 46;
	cpu.rflags = X86_EFLAGS_FIXED;
	start_gpr[X86_RBX] = LAYOUT_TESTDEV + 0x100;
	start_gpr[X86_RSI] = DATA;
	start_gpr[X86_RDI] = DATA + 0x1000;
	start_gpr[X86_RCX] = STRING_LEN;
	start_gpr[X86_RDX] = 0x2f8;
}

/* What one run consumes and changes: RIP and the GPRs. */
static void reset(void)
{
	memcpy(cpu.gpr, start_gpr, sizeof(cpu.gpr));
	cpu.rip = CODE;
}

static void must_succeed(const struct form *f, const struct x86_emu_result *r)
{
	char why[160];

	if (r->status == X86_EMU_OK && !r->partial)
		return;
	x86_emu_describe(r, why, sizeof(why));
	fprintf(stderr, "emulate_bench: %s: %s\n", f->name, why);
	exit(1);
}

/* Runs per timing check: the clock is read once per batch. */
#define BATCH 256

/* Seconds per instruction over at least `secs`, decoded each time or not. */
static double time_form(const struct form *f, double secs, bool decode)
{
	struct x86_emu_result res;
	struct x86_insn insn;
	unsigned long n = 0, i;
	double t0 = now(), t;

	if (x86_decode(f->bytes, f->len, 64, &insn) != X86_DECODE_OK) {
		fprintf(stderr, "emulate_bench: %s does not decode\n", f->name);
		exit(1);
	}
	do {
		for (i = 0; i < BATCH; i++) {
			reset();
			if (decode)
				x86_emulate(&cpu, f->bytes, f->len,
					    &emu_bus_ops, &m.eb, &res);
			else
				x86_execute(&cpu, &insn, &emu_bus_ops, &m.eb,
					    &res);
			must_succeed(f, &res);
		}
		n += BATCH;
		t = now() - t0;
	} while (t < secs);
	return t / n;
}

/* MOVS and STOS with REP: STRING_LEN iterations each. */
static bool is_rep_string(const struct form *f)
{
	struct x86_insn insn;

	return x86_decode(f->bytes, f->len, 64, &insn) == X86_DECODE_OK &&
	       insn.rep && insn.map == X86_MAP_ONE_BYTE &&
	       insn.opcode >= 0xa4 && insn.opcode <= 0xab;
}

/* The mix: every form (but REP ones, unless asked) in turn, decoded. */
static double time_mix(double secs, bool strings)
{
	struct x86_emu_result res;
	unsigned long n = 0, i;
	double t0 = now(), t;

	do {
		for (i = 0; i < NR_FORMS; i++) {
			if (!strings && is_rep_string(&forms[i]))
				continue;
			reset();
			x86_emulate(&cpu, forms[i].bytes, forms[i].len,
				    &emu_bus_ops, &m.eb, &res);
			must_succeed(&forms[i], &res);
			n++;
		}
		t = now() - t0;
	} while (t < secs);
	return t / n;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.2, per, exec;
	unsigned int i;

	if (secs <= 0) {
		fprintf(stderr, "usage: emulate_bench [seconds per form]\n");
		return 1;
	}
	build_machine();
	printf("%-34s %10s %12s %10s\n", "form (64-bit, 4-level paging)",
	       "ns/insn", "insns/s", "exec ns");
	for (i = 0; i < NR_FORMS; i++) {
		per = time_form(&forms[i], secs, true);
		exec = time_form(&forms[i], secs, false);
		printf("%-34s %10.1f %12.0f %10.1f\n", forms[i].name, per * 1e9,
		       1 / per, exec * 1e9);
	}
	per = time_mix(secs, false);
	printf("%-34s %10.1f %12.0f\n", "mix of the forms but REP", per * 1e9,
	       1 / per);
	per = time_mix(secs, true);
	printf("%-34s %10.1f %12.0f\n", "mix of all the forms", per * 1e9,
	       1 / per);
	return 0;
}
