// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for the insn target: the instructions Linux's MMIO and port
 * accessors compile to (readb..readq, writeb..writeq, the bit
 * operations drivers do on registers, memcpy_fromio/memset_io as REP
 * MOVS/STOS, inb/outb and the string port forms, and the SSE/AVX moves
 * of memcpy_toio), each in the CPU modes a guest runs them in.  The
 * input format is fuzz/insn.c's; the memory answers are what the guest's
 * page tables hold (identity-mapped large pages, accessed and dirty
 * already set) followed by the device register's value.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "seeds.h"

/* fuzz/insn.c's input fields. */
enum { MODE_REAL, MODE_VM86, MODE_PROT16, MODE_PROT32, MODE_PAGED32,
       MODE_PAE, MODE_LONG4, MODE_LONG5 };
#define MODE_COMPAT	0x08
#define MODE_COMPAT_DB	0x10
#define CTL_PSE		0x10
#define CTL_SIMD	0x40
#define MAXPHYADDR_46	(46 - 36)
#define RIP_BIT		16
#define SEG_DS		3

/* Page-table entry bits and the tables the answers pretend to be at. */
#define PTE_P		0x001ULL
#define PTE_RW		0x002ULL
#define PTE_A		0x020ULL
#define PTE_D		0x040ULL
#define PTE_PS		0x080ULL
#define LEAF		(PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS)
#define CR3		0x1000ULL
#define NEXT_TABLE	0x2000ULL

#define MMIO_ADDR	0xfebd1000ULL	/* a virtio-pci BAR's registers */
#define RAM_ADDR	0x200000ULL	/* a driver's buffer */
#define REAL_DS_BASE	0xb8000ULL	/* real mode: the VGA text buffer */
#define REAL_OFFSET	0x10
#define PORT		0xcfc		/* PCI config data */
#define REP_COUNT	3

enum kind { LOAD, STORE, RMW, READ, PORT_IN, PORT_OUT, MOVS, STOS, INS, OUTS };

struct form {
	const char *name;
	uint8_t len, bytes[15];
	enum kind kind;
	uint8_t size;		/* bytes per memory or port access */
	uint8_t flags;		/* F_* */
};

#define F_REX	0x01	/* has a REX prefix: 64-bit code only */
#define F_SIMD	0x02	/* an SSE or AVX move */
#define F_NO64	0x04	/* a 32-bit moffs: not in 64-bit or 16-bit code */

/* clang-format off */
static const struct form forms[] = {
	{ "readb-mov-al",	2, { 0x8a, 0x07 },		LOAD, 1, 0 },
	{ "readw-mov-ax",	3, { 0x66, 0x8b, 0x07 },	LOAD, 2, 0 },
	{ "readl-mov-eax",	2, { 0x8b, 0x07 },		LOAD, 4, 0 },
	{ "readq-mov-rax",	3, { 0x48, 0x8b, 0x07 },	LOAD, 8, F_REX },
	{ "writeb-mov-sil",	3, { 0x40, 0x88, 0x37 },	STORE, 1, F_REX },
	{ "writeb-mov-dl",	2, { 0x88, 0x17 },		STORE, 1, 0 },
	{ "writew-mov-si",	3, { 0x66, 0x89, 0x37 },	STORE, 2, 0 },
	{ "writel-mov-esi",	2, { 0x89, 0x37 },		STORE, 4, 0 },
	{ "writeq-mov-rsi",	3, { 0x48, 0x89, 0x37 },	STORE, 8, F_REX },
	{ "movzbl",		3, { 0x0f, 0xb6, 0x07 },	LOAD, 1, 0 },
	{ "movzwl",		3, { 0x0f, 0xb7, 0x07 },	LOAD, 2, 0 },
	{ "movsbl",		3, { 0x0f, 0xbe, 0x07 },	LOAD, 1, 0 },
	{ "movswl",		3, { 0x0f, 0xbf, 0x07 },	LOAD, 2, 0 },
	{ "movslq",		3, { 0x48, 0x63, 0x07 },	LOAD, 4, F_REX },
	{ "movb-imm",		3, { 0xc6, 0x07, 0x01 },	STORE, 1, 0 },
	{ "movl-imm",		6, { 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12 }, STORE, 4, 0 },
	{ "movq-imm",		7, { 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0x7f }, STORE, 8, F_REX },
	{ "mov-moffs-eax",	5, { 0xa1, 0x00, 0x10, 0xbd, 0xfe }, LOAD, 4, F_NO64 },
	{ "movabs-moffs-rax",	10, { 0x48, 0xa1, 0x00, 0x10, 0xbd, 0xfe, 0, 0, 0, 0 }, LOAD, 8, F_REX },
	{ "andl-reg",		2, { 0x21, 0x37 },		RMW, 4, 0 },
	{ "orl-reg",		2, { 0x09, 0x37 },		RMW, 4, 0 },
	{ "xorl-reg",		2, { 0x31, 0x37 },		RMW, 4, 0 },
	{ "orl-imm8",		3, { 0x83, 0x0f, 0x01 },	RMW, 4, 0 },
	{ "andl-imm32",		6, { 0x81, 0x27, 0xff, 0x00, 0x00, 0x00 }, RMW, 4, 0 },
	{ "lock-orl",		3, { 0xf0, 0x09, 0x37 },	RMW, 4, 0 },
	{ "lock-cmpxchg",	4, { 0xf0, 0x0f, 0xb1, 0x37 },	RMW, 4, 0 },
	{ "xchg",		2, { 0x87, 0x37 },		RMW, 4, 0 },
	{ "cmpxchg8b",		4, { 0xf0, 0x0f, 0xc7, 0x0f },	RMW, 8, 0 },
	{ "cmpxchg16b",		5, { 0xf0, 0x48, 0x0f, 0xc7, 0x0f }, RMW, 16, F_REX },
	{ "testl-reg",		2, { 0x85, 0x37 },		READ, 4, 0 },
	{ "testb-imm",		3, { 0xf6, 0x07, 0x01 },	READ, 1, 0 },
	{ "cmpl-imm8",		3, { 0x83, 0x3f, 0x00 },	READ, 4, 0 },
	{ "inb-imm",		2, { 0xe4, 0x60 },		PORT_IN, 1, 0 },
	{ "inb-dx",		1, { 0xec },			PORT_IN, 1, 0 },
	{ "inw-dx",		2, { 0x66, 0xed },		PORT_IN, 2, 0 },
	{ "inl-dx",		1, { 0xed },			PORT_IN, 4, 0 },
	{ "outb-imm",		2, { 0xe6, 0x80 },		PORT_OUT, 1, 0 },
	{ "outb-dx",		1, { 0xee },			PORT_OUT, 1, 0 },
	{ "outl-dx",		1, { 0xef },			PORT_OUT, 4, 0 },
	{ "rep-movsb",		2, { 0xf3, 0xa4 },		MOVS, 1, 0 },
	{ "rep-movsl",		2, { 0xf3, 0xa5 },		MOVS, 4, 0 },
	{ "rep-movsq",		3, { 0xf3, 0x48, 0xa5 },	MOVS, 8, F_REX },
	{ "rep-stosb",		2, { 0xf3, 0xaa },		STOS, 1, 0 },
	{ "rep-stosl",		2, { 0xf3, 0xab },		STOS, 4, 0 },
	{ "rep-insb",		2, { 0xf3, 0x6c },		INS, 1, 0 },
	{ "rep-insw",		3, { 0x66, 0xf3, 0x6d },	INS, 2, 0 },
	{ "rep-outsb",		2, { 0xf3, 0x6e },		OUTS, 1, 0 },
	{ "rep-outsl",		2, { 0xf3, 0x6f },		OUTS, 4, 0 },
	{ "movd-load",		4, { 0x66, 0x0f, 0x6e, 0x07 },	LOAD, 4, F_SIMD },
	{ "movq-load",		5, { 0x66, 0x48, 0x0f, 0x6e, 0x07 }, LOAD, 8, F_REX | F_SIMD },
	{ "movq-xmm-load",	4, { 0xf3, 0x0f, 0x7e, 0x07 },	LOAD, 8, F_SIMD },
	{ "movq-xmm-store",	4, { 0x66, 0x0f, 0xd6, 0x07 },	STORE, 8, F_SIMD },
	{ "movd-store",		4, { 0x66, 0x0f, 0x7e, 0x07 },	STORE, 4, F_SIMD },
	{ "movdqa-load",	4, { 0x66, 0x0f, 0x6f, 0x07 },	LOAD, 16, F_SIMD },
	{ "movdqu-load",	4, { 0xf3, 0x0f, 0x6f, 0x07 },	LOAD, 16, F_SIMD },
	{ "movdqa-store",	4, { 0x66, 0x0f, 0x7f, 0x07 },	STORE, 16, F_SIMD },
	{ "movdqu-store",	4, { 0xf3, 0x0f, 0x7f, 0x07 },	STORE, 16, F_SIMD },
	{ "vmovdqa-ymm-load",	4, { 0xc5, 0xfd, 0x6f, 0x07 },	LOAD, 32, F_SIMD },
	{ "vmovdqu-ymm-load",	4, { 0xc5, 0xfe, 0x6f, 0x07 },	LOAD, 32, F_SIMD },
	{ "vmovdqa-xmm-store",	4, { 0xc5, 0xf9, 0x7f, 0x07 },	STORE, 16, F_SIMD },
	{ "vmovdqu-ymm-store",	4, { 0xc5, 0xfe, 0x7f, 0x07 },	STORE, 32, F_SIMD },
};
/* clang-format on */

struct mode_desc {
	const char *name;
	uint8_t mode, ctl;
	bool all_forms;		/* else just the plain accessor forms */
};

static const struct mode_desc modes[] = {
	{ "long", MODE_LONG4, CTL_SIMD, true },
	{ "la57", MODE_LONG5, CTL_SIMD, false },
	{ "compat32", MODE_LONG4 | MODE_COMPAT | MODE_COMPAT_DB, CTL_SIMD, false },
	{ "flat32", MODE_PROT32, CTL_SIMD, true },
	{ "paged32", MODE_PAGED32, CTL_PSE | CTL_SIMD, false },
	{ "pae", MODE_PAE, CTL_SIMD, false },
	{ "prot16", MODE_PROT16, 0, false },
	{ "real", MODE_REAL, 0, false },
	{ "vm86", MODE_VM86, 0, false },
};

struct seed_buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct seed_buf *s, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		s->b[s->n++] = (uint8_t)(v >> (8 * i));
}

static bool is_64bit(const struct mode_desc *m)
{
	return m->mode == MODE_LONG4 || m->mode == MODE_LONG5;
}

static bool is_16bit(const struct mode_desc *m)
{
	return m->mode <= MODE_PROT16;
}

/* The entries a walk of `lin` reads, outermost first. */
static void put_walk(struct seed_buf *s, const struct mode_desc *m,
		     uint64_t lin)
{
	switch (m->mode & 7) {
	case MODE_PAGED32:	/* a 4 MiB PDE */
		put(s, (lin & ~0x3fffffULL) | LEAF, 4);
		break;
	case MODE_PAE:		/* PDPTE, then a 2 MiB PDE */
		put(s, NEXT_TABLE | PTE_P, 8);
		put(s, (lin & ~0x1fffffULL) | LEAF, 8);
		break;
	case MODE_LONG5:	/* PML5E, then as four-level */
		put(s, NEXT_TABLE | PTE_P | PTE_RW | PTE_A, 8);
		/* fall through */
	case MODE_LONG4:	/* PML4E, then a 1 GiB PDPTE */
		put(s, NEXT_TABLE | PTE_P | PTE_RW | PTE_A, 8);
		put(s, (lin & ~0x3fffffffULL) | LEAF, 8);
		break;
	}
}

/* A device register's value: recognisable bytes. */
static void put_value(struct seed_buf *s, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		s->b[s->n++] = (uint8_t)(0xa0 + i);
}

static void put_answers(struct seed_buf *s, const struct mode_desc *m,
			const struct form *f, uint64_t mmio)
{
	unsigned int i, reps = f->kind >= MOVS ? REP_COUNT : 1;

	for (i = 0; i < reps; i++) {
		switch (f->kind) {
		case LOAD:
		case RMW:
		case READ:
		case OUTS:
			put_walk(s, m, mmio);
			put_value(s, f->size);
			break;
		case STORE:
		case STOS:
			put_walk(s, m, mmio);
			break;
		case PORT_IN:
			put_value(s, f->size);
			break;
		case PORT_OUT:
			break;
		case MOVS:	/* source walk, destination walk, data */
			put_walk(s, m, mmio);
			put_walk(s, m, RAM_ADDR);
			put_value(s, f->size);
			break;
		case INS:	/* destination walk, then the port */
			put_walk(s, m, RAM_ADDR);
			put_value(s, f->size);
			break;
		}
	}
}

/*
 * Registers as a driver has them: the register's address in RDI and RBX
 * (ModRM 07 is [rdi], or [bx] in 16-bit code), a value in RSI, the
 * count in RCX, the port in DX; for MOVS the source is the device.
 */
static void put_registers(struct seed_buf *s, const struct mode_desc *m,
			  const struct form *f, uint64_t addr)
{
	uint64_t rsi = f->kind == MOVS ? addr : 0x12345678;
	uint64_t rdi = f->kind == MOVS || f->kind == INS ? RAM_ADDR : addr;

	put(s, 1U << 0 | 1U << 1 | 1U << 2 | 1U << 3 | 1U << 6 | 1U << 7 |
		       1U << RIP_BIT, 4);
	put(s, 0xdeadbeef, 8);		/* RAX */
	put(s, REP_COUNT, 8);		/* RCX */
	put(s, PORT, 8);		/* RDX */
	put(s, addr, 8);		/* RBX */
	put(s, rsi, 8);			/* RSI */
	put(s, rdi, 8);			/* RDI */
	put(s, is_16bit(m) ? 0x100 : 0x1000000, 8);	/* RIP */
	if (is_16bit(m)) {
		put(s, 1U << SEG_DS, 1);
		put(s, REAL_DS_BASE, 8);
	} else {
		put(s, 0, 1);
	}
}

static void emit(const char *dir, const struct mode_desc *m,
		 const struct form *f)
{
	static struct seed_buf s;
	uint64_t addr = is_16bit(m) ? REAL_OFFSET : MMIO_ADDR;
	char name[96];

	s.n = 0;
	put(&s, m->mode, 1);
	put(&s, m->ctl, 1);
	put(&s, MAXPHYADDR_46, 1);
	put(&s, 0, 1);			/* no callback fails */
	put(&s, 0x2, 4);		/* RFLAGS: just the fixed bit */
	put(&s, CR3, 8);
	put_registers(&s, m, f, addr);
	put(&s, f->len, 1);
	memcpy(s.b + s.n, f->bytes, f->len);
	s.n += f->len;
	put_answers(&s, m, f, is_16bit(m) ? REAL_DS_BASE + addr : addr);
	snprintf(name, sizeof(name), "%s-%s", m->name, f->name);
	seed_write(dir, name, s.b, s.n);
}

/* The plain accessors, for the modes that get only those. */
static bool basic_form(const struct form *f)
{
	return f->kind == LOAD || f->kind == STORE || f->kind == PORT_IN ||
	       f->kind == PORT_OUT;
}

/* ------------------------------------------------------------------ */
/* Boundaries: each check at its limit, and one past it                */
/* ------------------------------------------------------------------ */

#define PAGE		4096ULL
#define MAXPHYADDR_36	0
#define RDI_BIT		7

/* "mov eax, [rdi]" (or [edi]) in `mode`, RDI = rdi, after `pad` CS prefixes. */
static void edge_start(struct seed_buf *s, uint8_t mode, uint8_t phys,
		       uint64_t rdi, unsigned int pad)
{
	unsigned int i;

	s->n = 0;
	put(s, mode, 1);
	put(s, 0, 1);			/* control bits */
	put(s, phys, 1);
	put(s, 0, 1);			/* no callback fails */
	put(s, 0x2, 4);			/* RFLAGS */
	put(s, CR3, 8);
	put(s, 1U << RDI_BIT | 1U << RIP_BIT, 4);
	put(s, rdi, 8);
	put(s, 0x1000000, 8);		/* RIP */
	put(s, 0, 1);			/* no segment bases */
	put(s, pad + 2, 1);
	for (i = 0; i < pad; i++)
		put(s, 0x2e, 1);
	put(s, 0x8b, 1);
	put(s, 0x07, 1);
}

/* 15 bytes of instruction (the limit), and 15 prefixes (one too many). */
static void edges_length(const char *dir)
{
	static struct seed_buf s;
	unsigned int i;

	edge_start(&s, MODE_PROT32, MAXPHYADDR_46, MMIO_ADDR, 13);
	put_value(&s, 4);
	seed_write(dir, "edge-insn-15-bytes-with-prefixes", s.b, s.n);
	edge_start(&s, MODE_PROT32, MAXPHYADDR_46, MMIO_ADDR, 0);
	s.n -= 3;			/* the length and the MOV */
	put(&s, 15, 1);
	for (i = 0; i < 15; i++)
		put(&s, 0x66, 1);
	seed_write(dir, "edge-insn-15-prefixes-too-long", s.b, s.n);
}

/* A 4-byte load ending at a page's end, and one byte into the next. */
static void edges_page(const char *dir)
{
	static struct seed_buf s;

	edge_start(&s, MODE_PROT32, MAXPHYADDR_46, RAM_ADDR + PAGE - 4, 0);
	put_value(&s, 4);
	seed_write(dir, "edge-insn-load-ends-at-page-end", s.b, s.n);
	edge_start(&s, MODE_PROT32, MAXPHYADDR_46, RAM_ADDR + PAGE - 3, 0);
	put_value(&s, 4);
	seed_write(dir, "edge-insn-load-crosses-page-by-1", s.b, s.n);
}

/*
 * With MAXPHYADDR 36, a 1 GiB page at physical bit 35 (the highest
 * there is) and at bit 36 (reserved: a page fault).
 */
static void edges_maxphyaddr(const char *dir)
{
	static struct seed_buf s;
	unsigned int bit;

	for (bit = 35; bit <= 36; bit++) {
		edge_start(&s, MODE_LONG4, MAXPHYADDR_36, MMIO_ADDR, 0);
		put(&s, NEXT_TABLE | PTE_P | PTE_RW | PTE_A, 8);
		put(&s, 1ULL << bit | (MMIO_ADDR & ~0x3fffffffULL) | LEAF, 8);
		put_value(&s, 4);
		seed_write(dir, bit == 35 ? "edge-insn-page-at-maxphyaddr-bit-35" :
					   "edge-insn-page-at-reserved-bit-36",
			   s.b, s.n);
	}
}

void seeds_insn(const char *dir)
{
	unsigned int mi, fi;

	for (mi = 0; mi < sizeof(modes) / sizeof(modes[0]); mi++) {
		const struct mode_desc *m = &modes[mi];

		for (fi = 0; fi < sizeof(forms) / sizeof(forms[0]); fi++) {
			const struct form *f = &forms[fi];

			if ((f->flags & F_REX) && !is_64bit(m))
				continue;
			if (!m->all_forms && (!basic_form(f) || (f->flags & F_SIMD) ||
					      f->size == 8))
				continue;
			if ((f->flags & F_NO64) && (is_64bit(m) || is_16bit(m)))
				continue;
			emit(dir, m, f);
		}
	}
	edges_length(dir);
	edges_page(dir);
	edges_maxphyaddr(dir);
}
