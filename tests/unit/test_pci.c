// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI bus and MSI-X, driven through the ports and the BAR window the
 * way Linux's type-1 probe, BAR sizing and MSI-X setup drive them.  A
 * fake function with two BARs (and, for the MSI-X tests, a vector table
 * and PBA in BAR0) records what reaches it.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <unistd.h>

#include "pci.h"
#include "pci_msix.h"
#include "unit_helpers.h"

#define MMIO_BASE	0xe0000000ULL
#define MMIO_SIZE	0x100000ULL
#define FAKE_VENDOR	0x1234
#define FAKE_DEVICE	0x5678
#define FAKE_IDS	(FAKE_DEVICE << 16 | FAKE_VENDOR)
#define FAKE_CLASS	0x0b4000	/* a co-processor */
#define FAKE_REV	0x07
#define BAR0_SIZE	0x1000
#define BAR2_SIZE	0x10000
/* Where pci_register() puts them. */
#define BAR0_AT		MMIO_BASE
#define BAR2_AT		(MMIO_BASE + 0x10000)
#define VNDR_CAP_LEN	8
#define VNDR_CAP_BODY	0xc0ffee00U	/* bytes 4..7 of the setup's cap */
#define CMD_MEM		PCI_COMMAND_MEMORY
#define CMD_MASTER	PCI_COMMAND_MASTER
#define NVEC		4
#define TABLE_OFF	0x800
#define PBA_OFF		0xc00
#define MAX_MOVES	4

struct move {
	int bar;
	uint64_t old, now;
};

static struct {
	struct pci_bus bus;
	struct pci_device dev;
	unsigned int slot;
	bool has_msix;
	struct msix msix;
	struct fake_platform fp;
	struct move moves[MAX_MOVES];
	unsigned int nmoves;
	struct {
		int bar;
		uint64_t off;
		unsigned int len;
		bool is_write;
	} access;
	unsigned int naccess;
	unsigned int ncfg, cfg_off, cfg_len;
} f;

/* Reads return the offset's low byte in every byte: easy to check. */
static void fake_bar_access(struct pci_device *d, int bar, uint64_t off,
			    uint8_t *data, unsigned int len, bool is_write)
{
	ck_assert_ptr_eq(d, &f.dev);
	if (f.has_msix && bar == 0 && off >= TABLE_OFF) {
		if (off < PBA_OFF)
			msix_table_access(&f.msix, off - TABLE_OFF, data, len,
					  is_write);
		else if (!is_write)
			msix_pba_read(&f.msix, off - PBA_OFF, data, len);
		return;
	}
	f.access.bar = bar;
	f.access.off = off;
	f.access.len = len;
	f.access.is_write = is_write;
	f.naccess++;
	if (!is_write)
		memset(data, (uint8_t)off, len);
}

static void fake_config_written(struct pci_device *d, unsigned int off,
				unsigned int len)
{
	f.ncfg++;
	f.cfg_off = off;
	f.cfg_len = len;
	if (f.has_msix)
		msix_control_written(&f.msix, d);
}

static void fake_bar_moved(struct pci_device *d, int bar, uint64_t old_base,
			   uint64_t new_base)
{
	ck_assert_ptr_eq(d, &f.dev);
	ck_assert_uint_lt(f.nmoves, MAX_MOVES);
	f.moves[f.nmoves++] = (struct move){ bar, old_base, new_base };
}

static const struct pci_device_ops fake_ops = {
	.bar_access = fake_bar_access,
	.config_written = fake_config_written,
	.bar_moved = fake_bar_moved,
};

/* BAR0 and BAR2 (BAR1 unimplemented) and one vendor capability. */
static void setup(void)
{
	uint32_t cap[2] = { 0xffff, VNDR_CAP_BODY };
	int slot;

	memset(&f, 0, sizeof(f));
	pci_bus_init(&f.bus, MMIO_BASE, MMIO_SIZE);
	pci_device_init(&f.dev, FAKE_VENDOR, FAKE_DEVICE, FAKE_CLASS, FAKE_REV,
			&fake_ops, &f);
	pci_device_add_bar(&f.dev, 0, BAR0_SIZE);
	pci_device_add_bar(&f.dev, 2, BAR2_SIZE);
	ck_assert_uint_eq(pci_add_capability(&f.dev, PCI_CAP_ID_VNDR, cap,
					     VNDR_CAP_LEN), 0x40);
	slot = pci_register(&f.bus, &f.dev);
	ck_assert_int_eq(slot, 1);
	f.slot = slot;
}

static uint32_t cfg_rd(unsigned int reg, unsigned int len)
{
	return tpci_cfg_read(&f.bus, f.slot, reg, len);
}

static void cfg_wr(unsigned int reg, unsigned int len, uint32_t v)
{
	tpci_cfg_write(&f.bus, f.slot, reg, len, v);
}

/* ------------------------------------------------------------------ */
/* Configuration mechanism #1                                          */
/* ------------------------------------------------------------------ */

#define KNOWN_ADDR	0x80000800U	/* slot 1, register 0 */

/*
 * 0xCF8 is an address only as a dword (Linux's probe writes a byte to
 * 0xCFB and checks that the dword did not change); anything narrower
 * there is not ours and reads as all ones.
 */
static const struct cf8_case {
	const char *name;
	unsigned int port, len;
	bool is_write;
	uint32_t val;		/* written, or expected from a read */
	uint32_t addr;		/* 0xCF8 read back afterwards */
} cf8_cases[] = {
	{ "dword write reads back exactly", 0, 4, true, 0x12345678,
	  0x12345678 },
	{ "dword write without the enable bit", 0, 4, true, 0x00000800,
	  0x00000800 },
	{ "dword read", 0, 4, false, KNOWN_ADDR, KNOWN_ADDR },
	{ "byte write to 0xCFB (Linux's probe)", 3, 1, true, 0x01,
	  KNOWN_ADDR },
	{ "byte write to 0xCF8", 0, 1, true, 0x00, KNOWN_ADDR },
	{ "word write to 0xCF8", 0, 2, true, 0x0000, KNOWN_ADDR },
	{ "word write to 0xCFA", 2, 2, true, 0x0000, KNOWN_ADDR },
	{ "byte read of 0xCF9", 1, 1, false, 0xff, KNOWN_ADDR },
	{ "word read of 0xCF8", 0, 2, false, 0xffff, KNOWN_ADDR },
};

START_TEST(test_cf8)
{
	const struct cf8_case *c = &cf8_cases[_i];

	tpci_port_write(&f.bus, 0, 4, KNOWN_ADDR);
	if (c->is_write)
		tpci_port_write(&f.bus, c->port, c->len, c->val);
	else
		ck_assert_msg(tpci_port_read(&f.bus, c->port, c->len) == c->val,
			      "%s", c->name);
	ck_assert_msg(tpci_port_read(&f.bus, 0, 4) == c->addr,
		      "%s: 0xCF8 reads %#x", c->name,
		      tpci_port_read(&f.bus, 0, 4));
}
END_TEST

/*
 * What 0xCFC reads for an address; ~0 means "nobody", and for those a
 * write through the same address must reach nobody either.
 */
static const struct addr_case {
	const char *name;
	uint32_t addr;
	uint32_t expect;
} addr_cases[] = {
	{ "host bridge IDs", TPCI_ENABLE, 0x00081b36 },
	{ "host bridge class", TPCI_ENABLE | PCI_CLASS_REVISION, 0x06000000 },
	{ "our IDs in slot 1", TPCI_ENABLE | 1 << 11, FAKE_IDS },
	{ "low address bits ignored", TPCI_ENABLE | 1 << 11 | 3, FAKE_IDS },
	{ "enable bit clear", 1 << 11, ~0U },
	{ "bus 1", TPCI_ENABLE | 1 << 16 | 1 << 11, ~0U },
	{ "bus 255", TPCI_ENABLE | 0xff << 16 | 1 << 11, ~0U },
	{ "function 1", TPCI_ENABLE | 1 << 11 | 1 << 8, ~0U },
	{ "function 7 of the host bridge", TPCI_ENABLE | 7 << 8, ~0U },
	{ "empty slot 2", TPCI_ENABLE | 2 << 11, ~0U },
	{ "empty slot 31", TPCI_ENABLE | 31 << 11, ~0U },
};

START_TEST(test_config_address)
{
	const struct addr_case *c = &addr_cases[_i];
	struct pci_device before, bridge;

	memcpy(&before, &f.dev, sizeof(before));
	memcpy(&bridge, &f.bus.host_bridge, sizeof(bridge));

	tpci_port_write(&f.bus, 0, 4, c->addr);
	ck_assert_msg(tpci_port_read(&f.bus, TPCI_DATA, 4) == c->expect,
		      "%s: %#x", c->name, tpci_port_read(&f.bus, TPCI_DATA, 4));
	if (c->expect != ~0U)
		return;
	/* Command and interrupt line are writable: if it lands, it shows. */
	tpci_port_write(&f.bus, 0, 4, c->addr | PCI_COMMAND);
	tpci_port_write(&f.bus, TPCI_DATA, 4, ~0U);
	tpci_port_write(&f.bus, 0, 4, c->addr | PCI_INTERRUPT_LINE);
	tpci_port_write(&f.bus, TPCI_DATA, 4, ~0U);
	ck_assert_msg(!memcmp(&before, &f.dev, sizeof(before)) &&
		      !memcmp(&bridge, &f.bus.host_bridge, sizeof(bridge)),
		      "%s: a write landed", c->name);
	ck_assert_uint_eq(f.ncfg, 0);
}
END_TEST

/*
 * Byte and word accesses at 0xCFC + n reach byte n of the addressed
 * dword; one that would run past the dword reaches nothing.  A write
 * row is read back with the same width.
 */
static const struct width_case {
	const char *name;
	unsigned int reg, n, len;	/* dword in 0xCF8, 0xCFC + n */
	bool is_write;
	uint32_t val, expect;
} width_cases[] = {
	{ "vendor low byte", 0, 0, 1, false, 0, 0x34 },
	{ "vendor high byte", 0, 1, 1, false, 0, 0x12 },
	{ "device low byte", 0, 2, 1, false, 0, 0x78 },
	{ "device high byte", 0, 3, 1, false, 0, 0x56 },
	{ "vendor word", 0, 0, 2, false, 0, 0x1234 },
	{ "device word", 0, 2, 2, false, 0, 0x5678 },
	{ "word at 0xCFD", 0, 1, 2, false, 0, 0x7812 },
	{ "word at 0xCFF runs past the dword", 0, 3, 2, false, 0, 0xffff },
	{ "dword at 0xCFE runs past the dword", 0, 2, 4, false, 0, ~0U },
	{ "revision byte", PCI_CLASS_REVISION, 0, 1, false, 0, FAKE_REV },
	{ "class byte", PCI_CLASS_REVISION, 3, 1, false, 0, FAKE_CLASS >> 16 },
	{ "interrupt line byte write", 0x3c, 0, 1, true, 0x0b, 0x0b },
	{ "interrupt pin byte write", 0x3c, 1, 1, true, 0x01, 0x00 },
	{ "command byte write", PCI_COMMAND, 0, 1, true, 0xff, 0x06 },
	{ "command word write", PCI_COMMAND, 0, 2, true, 0xffff, 0x0406 },
	{ "status word write", PCI_COMMAND, 2, 2, true, 0xffff,
	  PCI_STATUS_CAP_LIST },
	{ "BAR0 byte 1: bits 11:8 are size", PCI_BASE_ADDRESS_0, 1, 1, true,
	  0xff, 0xf0 },
	{ "BAR0 byte 3", PCI_BASE_ADDRESS_0, 3, 1, true, 0x12, 0x12 },
	{ "word write past the dword", 0x3c, 3, 2, true, 0xffff, 0xffff },
};

START_TEST(test_cfc_widths)
{
	const struct width_case *c = &width_cases[_i];
	uint8_t before[sizeof(f.dev.cfg)];

	memcpy(before, f.dev.cfg, sizeof(before));
	tpci_port_write(&f.bus, 0, 4, tpci_address(f.slot, c->reg));
	if (c->is_write)
		tpci_port_write(&f.bus, TPCI_DATA + c->n, c->len, c->val);
	ck_assert_msg(tpci_port_read(&f.bus, TPCI_DATA + c->n, c->len) ==
			      c->expect,
		      "%s: %#x", c->name,
		      tpci_port_read(&f.bus, TPCI_DATA + c->n, c->len));
	/* Nothing outside the accessed bytes moved. */
	if (c->n + c->len > 4)
		ck_assert(!memcmp(before, f.dev.cfg, sizeof(before)));
	else
		ck_assert(!memcmp(before, f.dev.cfg, c->reg + c->n) &&
			  !memcmp(before + c->reg + c->n + c->len,
				  f.dev.cfg + c->reg + c->n + c->len,
				  sizeof(before) - c->reg - c->n - c->len));
}
END_TEST

/* ------------------------------------------------------------------ */
/* The header: what the guest may and may not change                  */
/* ------------------------------------------------------------------ */

static const struct mask_case {
	const char *name;
	unsigned int reg, len;
	uint32_t val, expect;
} mask_cases[] = {
	{ "vendor and device ID", PCI_VENDOR_ID, 4, 0, FAKE_IDS },
	{ "command: memory, master, INTx disable", PCI_COMMAND, 2, 0xffff,
	  CMD_MEM | CMD_MASTER | PCI_COMMAND_INTX_DISABLE },
	{ "status", PCI_STATUS, 2, 0, PCI_STATUS_CAP_LIST },
	{ "class and revision", PCI_CLASS_REVISION, 4, 0,
	  FAKE_CLASS << 8 | FAKE_REV },
	{ "cache line, latency, header type, BIST", PCI_CACHE_LINE_SIZE, 4,
	  ~0U, 0 },
	{ "header type stays single-function", PCI_HEADER_TYPE, 1, 0x80, 0 },
	{ "BAR0: low bits are size and type", PCI_BASE_ADDRESS_0, 4,
	  0x12345fff, 0x12345000 },
	{ "BAR1 is not implemented", PCI_BASE_ADDRESS_1, 4, ~0U, 0 },
	{ "BAR2: low bits are size and type", PCI_BASE_ADDRESS_2, 4,
	  0xfedcba98, 0xfedc0000 },
	{ "BAR5 is not implemented", PCI_BASE_ADDRESS_5, 4, ~0U, 0 },
	{ "subsystem IDs", PCI_SUBSYSTEM_VENDOR_ID, 4, 0, FAKE_IDS },
	{ "no expansion ROM", PCI_ROM_ADDRESS, 4, ~0U, 0 },
	{ "capability pointer", PCI_CAPABILITY_LIST, 1, 0, 0x40 },
	{ "interrupt line", PCI_INTERRUPT_LINE, 1, 0x0b, 0x0b },
	{ "interrupt pin", PCI_INTERRUPT_PIN, 1, 0x01, 0 },
	{ "min_gnt, max_lat", PCI_MIN_GNT, 2, 0xffff, 0 },
	{ "capability ID and next", 0x40, 2, 0x4411, PCI_CAP_ID_VNDR },
	{ "capability body", 0x44, 4, 0, VNDR_CAP_BODY },
	{ "last dword", 0xfc, 4, ~0U, 0 },
};

START_TEST(test_write_mask)
{
	const struct mask_case *c = &mask_cases[_i];
	uint8_t before[sizeof(f.dev.cfg)];
	unsigned int end = c->reg + c->len;

	memcpy(before, f.dev.cfg, sizeof(before));
	cfg_wr(c->reg, c->len, c->val);
	ck_assert_msg(cfg_rd(c->reg, c->len) == c->expect, "%s: %#x", c->name,
		      cfg_rd(c->reg, c->len));
	ck_assert_msg(!memcmp(before, f.dev.cfg, c->reg) &&
		      !memcmp(before + end, f.dev.cfg + end,
			      sizeof(before) - end),
		      "%s: bytes around it changed", c->name);
	ck_assert_uint_eq(f.ncfg, 1);
	ck_assert_uint_eq(f.cfg_off, c->reg);
	ck_assert_uint_eq(f.cfg_len, c->len);
	/* Only the command row turns memory decoding on. */
	ck_assert_uint_eq(f.nmoves, c->reg == PCI_COMMAND ? 2 : 0);
}
END_TEST

/*
 * Linux's pci_sanity_check() wants a host bridge on bus 0.  Ours has
 * no BARs and nothing writable but command and interrupt line, so the
 * guest writing all ones everywhere changes only those.
 */
START_TEST(test_host_bridge)
{
	struct pci_device *hb = &f.bus.host_bridge;
	uint8_t expect[sizeof(hb->cfg)];
	unsigned int reg;

	ck_assert_uint_eq(tpci_cfg_read(&f.bus, 0, PCI_CLASS_REVISION, 4) >> 8,
			  0x060000);
	ck_assert_uint_eq(tpci_cfg_read(&f.bus, 0, PCI_HEADER_TYPE, 1),
			  PCI_HEADER_TYPE_NORMAL);
	memcpy(expect, hb->cfg, sizeof(expect));
	expect[PCI_COMMAND] = CMD_MEM | CMD_MASTER;
	expect[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	expect[PCI_INTERRUPT_LINE] = 0xff;
	for (reg = 0; reg < sizeof(hb->cfg); reg += 4)
		tpci_cfg_write(&f.bus, 0, reg, 4, ~0U);
	ck_assert(!memcmp(expect, hb->cfg, sizeof(expect)));
	/* And the bridge decodes nothing in the BAR window. */
	ck_assert_uint_eq(tpci_mmio_read(&f.bus, MMIO_BASE + MMIO_SIZE - 8, 8),
			  ~0ULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* BARs                                                                */
/* ------------------------------------------------------------------ */

static const struct {
	int bar;
	uint32_t size;		/* 0: not implemented */
	uint64_t at;
} bars[] = {
	{ 0, BAR0_SIZE, BAR0_AT }, { 1, 0, 0 }, { 2, BAR2_SIZE, BAR2_AT },
	{ 3, 0, 0 }, { 4, 0, 0 }, { 5, 0, 0 },
};

/* Placed naturally aligned, then sized the way the guest sizes them. */
START_TEST(test_bar_sizing)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bars[_i].bar;
	uint32_t size = bars[_i].size;

	ck_assert_uint_eq(cfg_rd(reg, 4), bars[_i].at);
	cfg_wr(reg, 4, ~0U);
	ck_assert_uint_eq(cfg_rd(reg, 4), size ? ~(size - 1) : 0);
	cfg_wr(reg, 4, bars[_i].at);
	ck_assert_uint_eq(cfg_rd(reg, 4), bars[_i].at);
	ck_assert_uint_eq(f.nmoves, 0);
}
END_TEST

/* Slot 0 is the host bridge; 31 more, then the bus is full. */
START_TEST(test_register_full)
{
	static struct pci_device devs[PCI_MAX_SLOTS];
	unsigned int i;

	pci_bus_init(&f.bus, MMIO_BASE, MMIO_SIZE);
	for (i = 1; i < PCI_MAX_SLOTS; i++) {
		pci_device_init(&devs[i], FAKE_VENDOR, i, FAKE_CLASS, 0,
				&fake_ops, &f);
		ck_assert_int_eq(pci_register(&f.bus, &devs[i]), i);
	}
	ck_assert_int_eq(pci_register(&f.bus, &devs[0]), -1);
	ck_assert_uint_eq(tpci_cfg_read(&f.bus, 31, PCI_DEVICE_ID, 2), 31);
}
END_TEST

/* A BAR the window cannot hold is refused, and takes no slot. */
START_TEST(test_register_window_full)
{
	static struct pci_device a, b;

	pci_bus_init(&f.bus, MMIO_BASE, 0x3000);
	pci_device_init(&a, FAKE_VENDOR, 1, FAKE_CLASS, 0, &fake_ops, &f);
	pci_device_add_bar(&a, 0, 0x1000);
	pci_device_init(&b, FAKE_VENDOR, 2, FAKE_CLASS, 0, &fake_ops, &f);
	pci_device_add_bar(&b, 0, 0x2000);	/* aligned: 0x2000..0x4000 */
	ck_assert_int_eq(pci_register(&f.bus, &a), 1);
	ck_assert_int_eq(pci_register(&f.bus, &b), -1);
	ck_assert_ptr_null(f.bus.slots[2]);
}
END_TEST

/*
 * One guest session, step by step: each step's config write and the
 * bar_moved calls it must cause, in BAR order.
 */
static const struct move_step {
	const char *name;
	unsigned int reg, len;
	uint32_t val;
	unsigned int nmoves;
	struct move moves[2];
} move_steps[] = {
	{ "BAR0 moved while decoding is off", PCI_BASE_ADDRESS_0, 4,
	  0xe0040000, 0, { { 0 } } },
	{ "memory decoding on", PCI_COMMAND, 2, CMD_MEM, 2,
	  { { 0, 0, 0xe0040000 }, { 2, 0, BAR2_AT } } },
	{ "bus mastering on: nothing moves", PCI_COMMAND, 2,
	  CMD_MEM | CMD_MASTER, 0, { { 0 } } },
	{ "BAR0 moved while decoded", PCI_BASE_ADDRESS_0, 4, 0xe0050000, 1,
	  { { 0, 0xe0040000, 0xe0050000 } } },
	{ "BAR0 written with its own address", PCI_BASE_ADDRESS_0, 4,
	  0xe0050000, 0, { { 0 } } },
	{ "BAR2 sized while decoded", PCI_BASE_ADDRESS_2, 4, ~0U, 1,
	  { { 2, BAR2_AT, 0xffff0000 } } },
	{ "BAR2 restored", PCI_BASE_ADDRESS_2, 4, BAR2_AT, 1,
	  { { 2, 0xffff0000, BAR2_AT } } },
	{ "byte write to BAR0's bits 23:16", PCI_BASE_ADDRESS_0 + 2, 1, 0x06,
	  1, { { 0, 0xe0050000, 0xe0060000 } } },
	{ "unimplemented BAR1 written", PCI_BASE_ADDRESS_1, 4, ~0U, 0,
	  { { 0 } } },
	{ "memory decoding off", PCI_COMMAND, 2, CMD_MASTER, 2,
	  { { 0, 0xe0060000, 0 }, { 2, BAR2_AT, 0 } } },
	{ "memory decoding on again", PCI_COMMAND, 2, CMD_MEM, 2,
	  { { 0, 0, 0xe0060000 }, { 2, 0, BAR2_AT } } },
};

/* Every live BAR answers at its base, and the old place does not. */
static void check_decoding(const char *step, const struct move *gone)
{
	int bar;

	for (bar = 0; bar < PCI_MAX_BARS; bar++) {
		uint64_t at = f.dev.bar_live[bar];

		if (!at)
			continue;
		f.naccess = 0;
		ck_assert_msg(tpci_mmio_read(&f.bus, at + 0x10, 1) == 0x10 &&
				      f.naccess == 1 && f.access.bar == bar &&
				      f.access.off == 0x10,
			      "%s: BAR%d at %#llx does not answer", step, bar,
			      (unsigned long long)at);
	}
	if (gone->old >= MMIO_BASE && gone->old < MMIO_BASE + MMIO_SIZE &&
	    gone->old != gone->now) {
		f.naccess = 0;
		ck_assert_uint_eq(tpci_mmio_read(&f.bus, gone->old, 4),
				  0xffffffff);
		ck_assert_msg(f.naccess == 0, "%s: old place answers", step);
	}
}

START_TEST(test_bar_moved)
{
	unsigned int s, i;

	for (s = 0; s < ARRAY_SIZE(move_steps); s++) {
		const struct move_step *st = &move_steps[s];

		f.nmoves = 0;
		cfg_wr(st->reg, st->len, st->val);
		ck_assert_msg(f.nmoves == st->nmoves, "%s: %u calls", st->name,
			      f.nmoves);
		for (i = 0; i < st->nmoves; i++) {
			const struct move *m = &f.moves[i], *e = &st->moves[i];

			ck_assert_msg(m->bar == e->bar && m->old == e->old &&
					      m->now == e->now,
				      "%s: BAR%d %#llx -> %#llx", st->name,
				      m->bar, (unsigned long long)m->old,
				      (unsigned long long)m->now);
			ck_assert_uint_eq(f.dev.bar_live[m->bar], m->now);
			check_decoding(st->name, m);
		}
	}
}
END_TEST

/*
 * Accesses near BAR edges: one that runs past a BAR's end reaches no
 * device, reads as all ones and leaves the rest of the buffer alone.
 */
static const struct mmio_case {
	const char *name;
	uint64_t gpa;
	unsigned int len;
	int bar;		/* -1: nobody */
	uint64_t off;
} mmio_cases[] = {
	{ "first byte of BAR0", BAR0_AT, 1, 0, 0 },
	{ "last dword of BAR0", BAR0_AT + BAR0_SIZE - 4, 4, 0, BAR0_SIZE - 4 },
	{ "qword straddling BAR0's end", BAR0_AT + BAR0_SIZE - 4, 8, -1, 0 },
	{ "word straddling BAR0's end", BAR0_AT + BAR0_SIZE - 1, 2, -1, 0 },
	{ "just past BAR0", BAR0_AT + BAR0_SIZE, 4, -1, 0 },
	{ "middle of BAR2", BAR2_AT + 0x8000, 8, 2, 0x8000 },
	{ "last byte of BAR2", BAR2_AT + BAR2_SIZE - 1, 1, 2, BAR2_SIZE - 1 },
	{ "dword straddling BAR2's end", BAR2_AT + BAR2_SIZE - 2, 4, -1, 0 },
	{ "end of the window", MMIO_BASE + MMIO_SIZE - 8, 8, -1, 0 },
};

START_TEST(test_mmio_dispatch)
{
	const struct mmio_case *c = &mmio_cases[_i / 2];
	bool is_write = _i % 2;
	uint8_t buf[16], want[16];

	cfg_wr(PCI_COMMAND, 2, CMD_MEM);
	memset(buf, 0x11, sizeof(buf));
	memset(want, 0x11, sizeof(want));
	if (!is_write)
		memset(want, c->bar < 0 ? 0xff : (uint8_t)c->off, c->len);
	pci_mmio_io(&f.bus, c->gpa - MMIO_BASE, buf, c->len, is_write);
	ck_assert_msg(!memcmp(buf, want, sizeof(buf)), "%s: data", c->name);
	if (c->bar < 0) {
		ck_assert_msg(f.naccess == 0, "%s: reached BAR%d", c->name,
			      f.access.bar);
		return;
	}
	ck_assert_msg(f.naccess == 1 && f.access.bar == c->bar &&
			      f.access.off == c->off &&
			      f.access.len == c->len &&
			      f.access.is_write == is_write,
		      "%s: BAR%d +%#llx", c->name, f.access.bar,
		      (unsigned long long)f.access.off);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */
/* ------------------------------------------------------------------ */

/*
 * Appended after the setup's 8-byte one at 0x40, dword aligned, until
 * config space is full; refused ones change nothing.
 */
static const struct {
	uint8_t id;
	unsigned int len, at;	/* at 0: refused */
} caps[] = {
	{ PCI_CAP_ID_MSI, 3, 0x48 },
	{ PCI_CAP_ID_MSIX, 12, 0x4c },
	{ PCI_CAP_ID_VNDR, 20, 0x58 },
	{ PCI_CAP_ID_VNDR, 1, 0 },	/* no room for ID and next */
	{ PCI_CAP_ID_VNDR, 149, 0 },	/* one byte too many */
	{ PCI_CAP_ID_EXP, 148, 0x6c },	/* ends at 256 */
	{ PCI_CAP_ID_VNDR, 2, 0 },
};

START_TEST(test_capabilities)
{
	uint8_t body[256], before[sizeof(f.dev.cfg)];
	unsigned int i, at, hops = 0, expect[ARRAY_SIZE(caps) + 1];
	unsigned int n = 0;

	fill_pattern(body, sizeof(body));
	expect[n++] = 0x40;
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		memcpy(before, f.dev.cfg, sizeof(before));
		at = pci_add_capability(&f.dev, caps[i].id, body, caps[i].len);
		ck_assert_uint_eq(at, caps[i].at);
		if (!at) {
			ck_assert(!memcmp(before, f.dev.cfg, sizeof(before)));
			continue;
		}
		expect[n++] = at;
		ck_assert_uint_eq(f.dev.cfg[at], caps[i].id);
		ck_assert(!memcmp(f.dev.cfg + at + 2, body + 2,
				  caps[i].len - 2));
	}
	/* The guest's walk, through 0xCFC, finds them all in order. */
	ck_assert(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (at = cfg_rd(PCI_CAPABILITY_LIST, 1); at;
	     at = cfg_rd(at + PCI_CAP_LIST_NEXT, 1)) {
		ck_assert_uint_lt(hops, n);
		ck_assert_uint_eq(at, expect[hops++]);
	}
	ck_assert_uint_eq(hops, n);
}
END_TEST

/* ------------------------------------------------------------------ */
/* MSI-X                                                               */
/* ------------------------------------------------------------------ */

#define MSIX_ON		PCI_MSIX_FLAGS_ENABLE
#define MSIX_MASKALL	PCI_MSIX_FLAGS_MASKALL
#define ENTRY(v, field)	(BAR0_AT + TABLE_OFF + 16 * (v) + (field))
#define CTRL		PCI_MSIX_ENTRY_VECTOR_CTRL
#define DATA		PCI_MSIX_ENTRY_DATA
#define MASKED		PCI_MSIX_ENTRY_CTRL_MASKBIT

/* Four vectors in BAR0, memory decoding on, nothing set up yet. */
static void msix_setup(void)
{
	setup();
	fake_platform_init(&f.fp, NULL, false);
	ck_assert_int_eq(msix_init(&f.msix, &f.dev, NVEC, 0, TABLE_OFF,
				   PBA_OFF, &f.fp.platform), 0);
	f.has_msix = true;
	cfg_wr(PCI_COMMAND, 2, CMD_MEM);
}

static uint64_t bar_rd(uint64_t gpa, unsigned int len)
{
	return tpci_mmio_read(&f.bus, gpa, len);
}

static void bar_wr(uint64_t gpa, unsigned int len, uint64_t v)
{
	tpci_mmio_write(&f.bus, gpa, len, v);
}

static void msix_flags(uint16_t bits)
{
	cfg_wr(f.msix.cap + PCI_MSIX_FLAGS, 2, bits);
}

/* Interrupts delivered on a vector since the last look (eventfd count). */
static uint64_t fired(unsigned int v)
{
	uint64_t n = 0;

	if (read(f.msix.fd[v], &n, sizeof(n)) < 0)
		ck_assert_int_eq(errno, EAGAIN);
	return n;
}

START_TEST(test_msix_capability)
{
	unsigned int cap = f.msix.cap;

	ck_assert_uint_eq(cap, 0x48);
	ck_assert_uint_eq(cfg_rd(0x40 + PCI_CAP_LIST_NEXT, 1), cap);
	ck_assert_uint_eq(cfg_rd(cap, 1), PCI_CAP_ID_MSIX);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_FLAGS, 2), NVEC - 1);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_TABLE, 4), TABLE_OFF | 0);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_PBA, 4), PBA_OFF | 0);
	/* Only enable and function mask are the guest's. */
	cfg_wr(cap + PCI_MSIX_FLAGS, 2, 0xffff);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_FLAGS, 2),
			  MSIX_ON | MSIX_MASKALL | (NVEC - 1));
	ck_assert(f.msix.enabled && f.msix.function_masked);
	cfg_wr(cap + PCI_MSIX_FLAGS, 2, 0);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_FLAGS, 2), NVEC - 1);
	ck_assert(!f.msix.enabled && !f.msix.function_masked);
	cfg_wr(cap + PCI_MSIX_TABLE, 4, ~0U);
	cfg_wr(cap + PCI_MSIX_PBA, 4, 0);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_TABLE, 4), TABLE_OFF);
	ck_assert_uint_eq(cfg_rd(cap + PCI_MSIX_PBA, 4), PBA_OFF);
}
END_TEST

/*
 * Table accesses on vector 1 (and around it), from power-on state: an
 * optional write, then a read that must see `expect`.  Dword and qword
 * accesses inside one entry work; anything else is ignored and reads as
 * all ones.
 */
static const struct tpci_rw_case table_cases[] = {
	{ "vector 1 starts masked", 0, 0, 0, 0x1c, 4, MASKED },
	{ "vector 1 starts with no message", 0, 0, 0, 0x10, 8, 0 },
	{ "dword write of the address", 0x10, 4, 0xfee01000, 0x10, 4,
	  0xfee01000 },
	{ "qword write of the address", 0x10, 8, 0x1fee02000ULL, 0x10, 8,
	  0x1fee02000ULL },
	{ "qword write of data and control", 0x18, 8, 0x4041, 0x18, 8,
	  0x4041 },
	{ "qword at +4: upper address and data", 0x14, 8, 0x0000404100000002,
	  0x14, 8, 0x0000404100000002 },
	{ "control's reserved bits stay zero", 0x1c, 4, ~0ULL, 0x1c, 4,
	  MASKED },
	{ "qword across two entries: write ignored", 0x1c, 8, 0, 0x1c, 4,
	  MASKED },
	{ "qword across two entries: read", 0, 0, 0, 0x1c, 8, ~0ULL },
	{ "byte write ignored", 0x18, 1, 0xff, 0x18, 4, 0 },
	{ "byte read", 0, 0, 0, 0x1c, 1, 0xff },
	{ "word read", 0, 0, 0, 0x1c, 2, 0xffff },
	{ "unaligned dword write ignored", 0x12, 4, ~0ULL, 0x10, 8, 0 },
	{ "unaligned dword read", 0, 0, 0, 0x12, 4, 0xffffffff },
	{ "past the last vector: write ignored", 16 * NVEC, 4, 0,
	  16 * NVEC + 12, 4, 0xffffffff },
};

START_TEST(test_msix_table)
{
	const struct tpci_rw_case *c = &table_cases[_i];
	struct msix_entry masked = { .ctrl = MASKED };
	unsigned int v;

	tpci_rw_check(&f.bus, BAR0_AT + TABLE_OFF, c);
	/* Vector 1 is the only one an access may touch. */
	for (v = 0; v < NVEC; v++)
		ck_assert_msg(v == 1 || !memcmp(&f.msix.table[v], &masked,
						sizeof(masked)),
			      "%s: vector %u changed", c->name, v);
}
END_TEST

/*
 * A vector raised while it cannot be delivered (MSI-X off, function
 * masked, entry masked: any of them) sets its pending bit, and fires
 * once, clearing the bit, when the last obstacle goes.
 */
enum obstacle { OFF = 1, FN_MASK = 2, ENTRY_MASK = 4 };

static const struct {
	const char *name;
	unsigned int block;
} delivery[] = {
	{ "deliverable", 0 },
	{ "entry masked", ENTRY_MASK },
	{ "function masked", FN_MASK },
	{ "MSI-X disabled", OFF },
	{ "disabled, function and entry masked", OFF | FN_MASK | ENTRY_MASK },
	{ "function and entry masked", FN_MASK | ENTRY_MASK },
};

#define RAISED	2

/* Each obstacle through its own register, so each write must deliver. */
static void set_obstacles(unsigned int block, unsigned int which)
{
	if (which & (OFF | FN_MASK))
		msix_flags((block & OFF ? 0 : MSIX_ON) |
			   (block & FN_MASK ? MSIX_MASKALL : 0));
	if (which & ENTRY_MASK)
		bar_wr(ENTRY(RAISED, CTRL), 4,
		       block & ENTRY_MASK ? MASKED : 0);
}

START_TEST(test_msix_delivery)
{
	unsigned int block = delivery[_i].block, v;
	const char *name = delivery[_i].name;
	unsigned int o;

	bar_wr(ENTRY(RAISED, 0), 8, 0xfee00000);
	bar_wr(ENTRY(RAISED, DATA), 4, 0x41);
	set_obstacles(block, OFF | FN_MASK | ENTRY_MASK);
	msix_raise(&f.msix, RAISED);
	msix_raise(&f.msix, RAISED);	/* two raises, one pending bit */
	if (!block) {
		ck_assert_msg(fired(RAISED) == 2, "%s", name);
		ck_assert_uint_eq(bar_rd(BAR0_AT + PBA_OFF, 8), 0);
		return;
	}
	for (o = OFF; o <= ENTRY_MASK; o <<= 1) {
		if (!(block & o))
			continue;
		ck_assert_msg(fired(RAISED) == 0, "%s: fired", name);
		ck_assert_uint_eq(bar_rd(BAR0_AT + PBA_OFF, 8), 1 << RAISED);
		block &= ~o;
		set_obstacles(block, o);
	}
	ck_assert_msg(fired(RAISED) == 1, "%s: not delivered", name);
	ck_assert_uint_eq(bar_rd(BAR0_AT + PBA_OFF, 8), 0);
	for (v = 0; v < NVEC; v++)
		ck_assert_uint_eq(fired(v), 0);
}
END_TEST

/* Vectors the function does not have are ignored. */
START_TEST(test_msix_raise_out_of_range)
{
	unsigned int v;

	msix_flags(MSIX_ON);
	msix_raise(&f.msix, NVEC);
	msix_raise(&f.msix, MSIX_NO_VECTOR);
	ck_assert_uint_eq(f.msix.pending, 0);
	for (v = 0; v < NVEC; v++)
		ck_assert_uint_eq(fired(v), 0);
}
END_TEST

/* Vectors 0 and 3 pending: the PBA's first qword is 0b1001. */
static const struct {
	unsigned int off, len;
	uint64_t expect;
} pba_reads[] = {
	{ 0, 8, 0x9 }, { 0, 4, 0x9 }, { 0, 1, 0x9 }, { 4, 4, 0 },
	{ 1, 1, 0 }, { 8, 8, 0 }, { 0x3f8, 8, 0 },
};

START_TEST(test_msix_pba)
{
	msix_raise(&f.msix, 0);
	msix_raise(&f.msix, 3);
	ck_assert_uint_eq(bar_rd(BAR0_AT + PBA_OFF + pba_reads[_i].off,
				 pba_reads[_i].len),
			  pba_reads[_i].expect);
}
END_TEST

/* Reset forgets everything the guest set up, pending bits included. */
START_TEST(test_msix_reset)
{
	unsigned int v;

	for (v = 0; v < NVEC; v++) {
		bar_wr(ENTRY(v, 0), 8, 0xfee00000 + v);
		bar_wr(ENTRY(v, DATA), 8, 0x40 + v);	/* and unmask */
	}
	msix_flags(MSIX_ON | MSIX_MASKALL);
	msix_raise(&f.msix, 1);
	msix_reset(&f.msix, &f.dev);
	ck_assert_uint_eq(cfg_rd(f.msix.cap + PCI_MSIX_FLAGS, 2), NVEC - 1);
	ck_assert_uint_eq(bar_rd(BAR0_AT + PBA_OFF, 8), 0);
	for (v = 0; v < NVEC; v++) {
		ck_assert_uint_eq(bar_rd(ENTRY(v, 0), 8), 0);
		ck_assert_uint_eq(bar_rd(ENTRY(v, DATA), 8),
				  (uint64_t)MASKED << 32);
	}
	/* Disabled and masked again: a raise is only pending. */
	msix_flags(MSIX_ON);
	msix_raise(&f.msix, 1);
	ck_assert_uint_eq(fired(1), 0);
	ck_assert_uint_eq(bar_rd(BAR0_AT + PBA_OFF, 8), 1 << 1);
}
END_TEST

/* Bad vector counts are refused before anything is added. */
START_TEST(test_msix_init_refused)
{
	static const unsigned int counts[] = { 0, MSIX_MAX_VECTORS + 1 };
	unsigned int i;

	fake_platform_init(&f.fp, NULL, false);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		errno = 0;
		ck_assert_int_eq(msix_init(&f.msix, &f.dev, counts[i], 0,
					   TABLE_OFF, PBA_OFF, &f.fp.platform),
				 -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_uint_eq(f.dev.cap_end, 0x48);
	}
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc;

	tc = unit_tcase(s, "config", setup, NULL);
	tcase_add_loop_test(tc, test_cf8, 0, ARRAY_SIZE(cf8_cases));
	tcase_add_loop_test(tc, test_config_address, 0,
			    ARRAY_SIZE(addr_cases));
	tcase_add_loop_test(tc, test_cfc_widths, 0, ARRAY_SIZE(width_cases));
	tcase_add_loop_test(tc, test_write_mask, 0, ARRAY_SIZE(mask_cases));
	tcase_add_test(tc, test_host_bridge);
	tcase_add_test(tc, test_capabilities);
	tcase_add_test(tc, test_msix_init_refused);

	tc = unit_tcase(s, "bars", setup, NULL);
	tcase_add_loop_test(tc, test_bar_sizing, 0, ARRAY_SIZE(bars));
	tcase_add_test(tc, test_register_full);
	tcase_add_test(tc, test_register_window_full);
	tcase_add_test(tc, test_bar_moved);
	tcase_add_loop_test(tc, test_mmio_dispatch, 0,
			    2 * ARRAY_SIZE(mmio_cases));

	tc = unit_tcase(s, "msix", msix_setup, NULL);
	tcase_add_test(tc, test_msix_capability);
	tcase_add_loop_test(tc, test_msix_table, 0, ARRAY_SIZE(table_cases));
	tcase_add_loop_test(tc, test_msix_delivery, 0, ARRAY_SIZE(delivery));
	tcase_add_test(tc, test_msix_raise_out_of_range);
	tcase_add_loop_test(tc, test_msix_pba, 0, ARRAY_SIZE(pba_reads));
	tcase_add_test(tc, test_msix_reset);
	return s;
}

int main(void)
{
	return run_suite(pci_suite());
}
