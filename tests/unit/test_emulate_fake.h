/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake machine for the emulator tests: guest RAM from physical 0, one
 * MMIO window and a port space that record every access, callbacks that
 * can be told to fail, and a CPU in 64-bit long mode whose page tables
 * identity-map the first 4 GiB with 1 GiB pages.  The callbacks also
 * check the emulator's side of the contract: no piece over 32 bytes and
 * none that crosses a page.
 */
#ifndef LGUEST_TEST_EMULATE_FAKE_H
#define LGUEST_TEST_EMULATE_FAKE_H

#include <asm/processor-flags.h>

#include "unit_helpers.h"
#include "x86/emulate.h"

#define FAKE_RAM_SIZE	(4 * MiB)
#define FAKE_MMIO_BASE	0xd0000000ULL
#define FAKE_MMIO_SIZE	0x2000ULL
#define FAKE_PML4	0x1000ULL	/* tables for the 64-bit CPU */
#define FAKE_PDPT	0x2000ULL
#define FAKE_TABLES	0x10000ULL	/* more tables, allocated upwards */
#define FAKE_TABLES_END	0x40000ULL
#define FAKE_LOG_MAX	64
#define FAKE_PAGE	4096ULL

#define PTE_P	0x001ULL
#define PTE_RW	0x002ULL
#define PTE_US	0x004ULL
#define PTE_A	0x020ULL
#define PTE_D	0x040ULL
#define PTE_PS	0x080ULL
#define PTE_NX	(1ULL << 63)

enum fake_kind { MMIO_READ, MMIO_WRITE, PORT_IN, PORT_OUT, UNCLAIMED };

struct fake_access {
	enum fake_kind kind;
	uint64_t addr;
	unsigned int len;
	uint8_t data[32];
};

struct fake_machine {
	uint8_t *ram;
	uint8_t mmio[FAKE_MMIO_SIZE];
	uint8_t ports[65536 + 4];
	struct fake_access log[FAKE_LOG_MAX];
	unsigned int nlog;
	unsigned int accesses;	/* every callback, RAM included */
	int fail_at;		/* the callback (1-based) that fails; 0: none */
	uint64_t next_table;
};

static struct fake_machine fm;
static struct x86_cpu cpu;
static struct x86_emu_result res;

static inline int fake_fails(void)
{
	return ++fm.accesses == (unsigned int)fm.fail_at;
}

static inline void fake_log(enum fake_kind kind, uint64_t addr,
			    const void *data, unsigned int len)
{
	struct fake_access *a;

	ck_assert_uint_lt(fm.nlog, FAKE_LOG_MAX);
	a = &fm.log[fm.nlog++];
	a->kind = kind;
	a->addr = addr;
	a->len = len;
	memcpy(a->data, data, len);
}

static inline void fake_check_piece(uint64_t gpa, unsigned int len)
{
	ck_assert_uint_ge(len, 1);
	ck_assert_uint_le(len, 32);
	ck_assert_msg((gpa & (FAKE_PAGE - 1)) + len <= FAKE_PAGE,
		      "access %#llx+%u crosses a page",
		      (unsigned long long)gpa, len);
}

static inline bool in_mmio(uint64_t gpa, unsigned int len)
{
	return gpa >= FAKE_MMIO_BASE &&
	       gpa + len <= FAKE_MMIO_BASE + FAKE_MMIO_SIZE;
}

static inline int fake_read(void *opaque, uint64_t gpa, void *buf,
			    unsigned int len)
{
	ck_assert_ptr_eq(opaque, &fm);
	fake_check_piece(gpa, len);
	if (fake_fails())
		return -1;
	if (gpa + len <= FAKE_RAM_SIZE) {
		memcpy(buf, fm.ram + gpa, len);
	} else if (in_mmio(gpa, len)) {
		memcpy(buf, fm.mmio + (gpa - FAKE_MMIO_BASE), len);
		fake_log(MMIO_READ, gpa, buf, len);
	} else {
		memset(buf, 0xff, len);
		fake_log(UNCLAIMED, gpa, buf, len);
	}
	return 0;
}

static inline int fake_write(void *opaque, uint64_t gpa, const void *buf,
			     unsigned int len)
{
	ck_assert_ptr_eq(opaque, &fm);
	fake_check_piece(gpa, len);
	if (fake_fails())
		return -1;
	if (gpa + len <= FAKE_RAM_SIZE) {
		memcpy(fm.ram + gpa, buf, len);
	} else if (in_mmio(gpa, len)) {
		memcpy(fm.mmio + (gpa - FAKE_MMIO_BASE), buf, len);
		fake_log(MMIO_WRITE, gpa, buf, len);
	} else {
		fake_log(UNCLAIMED, gpa, buf, len);
	}
	return 0;
}

static inline int fake_port_in(void *opaque, uint16_t port, void *buf,
			       unsigned int len)
{
	ck_assert_ptr_eq(opaque, &fm);
	ck_assert(len == 1 || len == 2 || len == 4);
	if (fake_fails())
		return -1;
	memcpy(buf, fm.ports + port, len);
	fake_log(PORT_IN, port, buf, len);
	return 0;
}

static inline int fake_port_out(void *opaque, uint16_t port, const void *buf,
				unsigned int len)
{
	ck_assert_ptr_eq(opaque, &fm);
	ck_assert(len == 1 || len == 2 || len == 4);
	if (fake_fails())
		return -1;
	memcpy(fm.ports + port, buf, len);
	fake_log(PORT_OUT, port, buf, len);
	return 0;
}

static const struct x86_mem_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
	.port_in = fake_port_in,
	.port_out = fake_port_out,
};

static inline uint64_t ram_get(uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	ck_assert_uint_le(gpa + size, FAKE_RAM_SIZE);
	memcpy(&v, fm.ram + gpa, size);
	return v;
}

static inline void ram_put(uint64_t gpa, unsigned int size, uint64_t v)
{
	ck_assert_uint_le(gpa + size, FAKE_RAM_SIZE);
	memcpy(fm.ram + gpa, &v, size);
}

static inline uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A fresh page-table page from the bump allocator, zeroed. */
static inline uint64_t fake_table(void)
{
	uint64_t t = fm.next_table;

	ck_assert_uint_lt(t, FAKE_TABLES_END);
	fm.next_table += FAKE_PAGE;
	memset(fm.ram + t, 0, FAKE_PAGE);
	return t;
}

/* The next-level table an entry points to, made when missing. */
static inline uint64_t fake_walk_or_make(uint64_t table, unsigned int index,
					 uint64_t flags)
{
	uint64_t e = ram_get(table + 8 * index, 8);

	if (!(e & PTE_P)) {
		e = fake_table() | flags;
		ram_put(table + 8 * index, 8, e);
	}
	return e & 0x000ffffffffff000ULL;
}

/* Map one 4 KiB page in the 4-level tables under cr3, table flags RW|US. */
static inline uint64_t map_4k(uint64_t cr3, uint64_t lin, uint64_t gpa,
			      uint64_t flags)
{
	uint64_t t = cr3 & ~0xfffULL, dirs = PTE_P | PTE_RW | PTE_US;
	unsigned int level;

	for (level = 4; level > 1; level--)
		t = fake_walk_or_make(
			t, (lin >> (12 + 9 * (level - 1))) & 0x1ff, dirs);
	ram_put(t + 8 * ((lin >> 12) & 0x1ff), 8, gpa | flags);
	return t + 8 * ((lin >> 12) & 0x1ff);
}

/* 64-bit mode, CPL 0, SSE and AVX on, the first 4 GiB identity-mapped. */
static inline void cpu_long_mode(void)
{
	unsigned int i;

	memset(&cpu, 0, sizeof(cpu));
	cpu.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_MP;
	cpu.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXSAVE;
	cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
	cpu.cr3 = FAKE_PML4;
	cpu.seg[X86_SEG_CS].l = true;
	cpu.rflags = X86_EFLAGS_FIXED;
	cpu.rip = 0x100000;
	cpu.maxphyaddr = 46;
	memset(fm.ram + FAKE_PML4, 0, 2 * FAKE_PAGE);
	ram_put(FAKE_PML4, 8, FAKE_PDPT | PTE_P | PTE_RW | PTE_US);
	for (i = 0; i < 4; i++)
		ram_put(FAKE_PDPT + 8 * i, 8,
			((uint64_t)i << 30) | PTE_P | PTE_RW | PTE_US | PTE_PS);
}

/* Flat 32-bit protected mode (or 16-bit with db false), paging off. */
static inline void cpu_flat(bool db)
{
	memset(&cpu, 0, sizeof(cpu));
	cpu.cr0 = X86_CR0_PE;
	cpu.cr4 = X86_CR4_OSFXSR;
	cpu.seg[X86_SEG_CS].db = db;
	cpu.rflags = X86_EFLAGS_FIXED;
	cpu.rip = 0x1000;
	cpu.maxphyaddr = 36;
}

static inline void cpu_real_mode(void)
{
	cpu_flat(false);
	cpu.cr0 = 0;
}

static inline void fake_setup(void)
{
	if (!fm.ram)
		fm.ram = malloc(FAKE_RAM_SIZE);
	ck_assert_ptr_nonnull(fm.ram);
	memset(fm.ram, 0, FAKE_RAM_SIZE);
	memset(fm.mmio, 0, sizeof(fm.mmio));
	memset(fm.ports, 0, sizeof(fm.ports));
	fm.nlog = 0;
	fm.accesses = 0;
	fm.fail_at = 0;
	fm.next_table = FAKE_TABLES;
	memset(&res, 0, sizeof(res));
	cpu_long_mode();
}

static inline void fake_teardown(void)
{
	free(fm.ram);
	fm.ram = NULL;
}

/* Emulate `n` bytes; the status must be `want`. */
static inline void emulate_expect(const uint8_t *bytes, size_t n,
				  enum x86_emu_status want)
{
	char why[256];

	x86_emulate(&cpu, bytes, n, &fake_ops, &fm, &res);
	x86_emu_describe(&res, why, sizeof(why));
	ck_assert_msg(res.status == want, "status %d, expected %d: %s",
		      res.status, want, why);
}

#define EMULATE(want, ...)                                              \
	do {                                                            \
		static const uint8_t insn_[] = { __VA_ARGS__ };         \
		emulate_expect(insn_, sizeof(insn_), want);             \
	} while (0)

#define EMULATE_OK(...) EMULATE(X86_EMU_OK, __VA_ARGS__)

static inline void expect_fault(unsigned int vector, uint32_t code)
{
	ck_assert_int_eq(res.status, X86_EMU_FAULT);
	ck_assert_uint_eq(res.fault.vector, vector);
	ck_assert_uint_eq(res.fault.error_code, code);
}

#endif
