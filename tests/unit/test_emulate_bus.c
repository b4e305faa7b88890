// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator against the launcher's own memory and buses (emu_bus_ops):
 * RAM through guest_mem, devices in pieces of at most 8 bytes, the test
 * device, the seed's port rules (all ones from nobody, the i8042 ready)
 * reached by emulated instructions, and the refusal to pretend for the
 * devices KVM keeps in the kernel.
 */
#include <asm/processor-flags.h>

#include "emu_machine.h"
#include "unit_helpers.h"

#define RAM_SIZE	(1 * MiB)
#define REC_BASE	0xd0000000ULL	/* a recording device */
#define REC_SIZE	0x1000ULL
#define UNCLAIMED_MMIO	0xe0000000ULL
#define UNCLAIMED_PORT	0x2f8
#define REC_LOG_MAX	8

struct rec_access {
	uint64_t offset;
	unsigned int len;
	bool is_write;
	uint8_t data[8];
};

static struct {
	struct rec_access log[REC_LOG_MAX];
	unsigned int n;
} rec;

static struct emu_machine m;
static struct x86_cpu cpu;
static struct x86_emu_result res;

/* Reads answer with a byte that names its own offset. */
static uint8_t rec_byte(uint64_t offset)
{
	return (uint8_t)(offset * 3 + 0x41);
}

static void rec_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
		   bool is_write)
{
	struct rec_access *a;
	unsigned int i;

	ck_assert_ptr_eq(dev, &rec);
	ck_assert_uint_le(len, EMU_BUS_PIECE);
	ck_assert_uint_lt(rec.n, REC_LOG_MAX);
	a = &rec.log[rec.n++];
	*a = (struct rec_access){ .offset = offset, .len = len,
				  .is_write = is_write };
	if (!is_write)
		for (i = 0; i < len; i++)
			data[i] = rec_byte(offset + i);
	memcpy(a->data, data, len);
}

/* 32-bit flat protected mode, paging off: linear is physical. */
static void setup(void)
{
	ck_assert_int_eq(emu_machine_init(&m, RAM_SIZE), 0);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(bus_register(&m.mmio, REC_BASE, REC_SIZE, rec_io,
				      &rec, "rec"), 0);
	memset(&cpu, 0, sizeof(cpu));
	cpu.cr0 = X86_CR0_PE;
	cpu.cr4 = X86_CR4_OSFXSR | X86_CR4_OSXSAVE;
	cpu.seg[X86_SEG_CS].db = true;
	cpu.rflags = X86_EFLAGS_FIXED;
	cpu.rip = 0x1000;
}

static void teardown(void)
{
	emu_machine_free(&m);
}

static void run(const uint8_t *bytes, size_t n, enum x86_emu_status want)
{
	char why[256];

	x86_emulate(&cpu, bytes, n, &emu_bus_ops, &m.eb, &res);
	x86_emu_describe(&res, why, sizeof(why));
	ck_assert_msg(res.status == want, "status %d, expected %d: %s (%s)",
		      res.status, want, why, m.eb.refused ? m.eb.refused : "-");
}

#define RUN(want, ...)                                          \
	do {                                                    \
		static const uint8_t insn_[] = { __VA_ARGS__ }; \
		run(insn_, sizeof(insn_), want);                \
	} while (0)

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void fill_vec(unsigned int reg, uint8_t seed)
{
	unsigned int i;

	for (i = 0; i < 32; i++)
		cpu.vec[reg][i] = (uint8_t)(seed + i);
}

/* ------------------------------------------------------------------ */
/* RAM and devices                                                     */
/* ------------------------------------------------------------------ */

START_TEST(test_ram)
{
	cpu.gpr[X86_RBX] = 0x2000;
	cpu.gpr[X86_RAX] = 0xdeadbeef;
	RUN(X86_EMU_OK, 0x89, 0x03);	/* mov [ebx], eax */
	ck_assert_uint_eq(u32_at(m.ram + 0x2000), 0xdeadbeef);
	ck_assert_uint_eq(rec.n, 0);
	ck_assert_uint_eq(m.eb.device_accesses, 0);
	ck_assert_uint_eq(cpu.rip, 0x1002);
}
END_TEST

/*
 * Device accesses split into 8-byte pieces from the start, whatever the
 * alignment, as KVM hands MMIO to userspace.
 */
static const struct {
	const char *name;
	uint8_t bytes[4];
	unsigned int n;
	unsigned int offset;	/* from REC_BASE */
	unsigned int len;	/* of the access */
	bool is_write;
} splits[] = {
	{ "vmovdqu [ebx], ymm0", { 0xc5, 0xfe, 0x7f, 0x03 }, 4, 3, 32, true },
	{ "vmovdqu [ebx], ymm0 (aligned)", { 0xc5, 0xfe, 0x7f, 0x03 }, 4,
	  0x40, 32, true },
	{ "movdqu [ebx], xmm0", { 0xf3, 0x0f, 0x7f, 0x03 }, 4, 5, 16, true },
	{ "mov [ebx], eax", { 0x89, 0x03 }, 2, 6, 4, true },
	{ "vmovdqu ymm0, [ebx]", { 0xc5, 0xfe, 0x6f, 0x03 }, 4, 0x11, 32,
	  false },
	{ "movq xmm0, [ebx]", { 0xf3, 0x0f, 0x7e, 0x03 }, 4, 0x21, 8, false },
};

START_TEST(test_device_pieces)
{
	unsigned int off = splits[_i].offset, len = splits[_i].len, i, k;
	uint8_t want[32];

	fill_vec(0, 0x90);
	cpu.gpr[X86_RAX] = 0x93929190;	/* stores the bytes vec[0] has */
	cpu.gpr[X86_RBX] = REC_BASE + off;
	run(splits[_i].bytes, splits[_i].n, X86_EMU_OK);
	ck_assert_uint_eq(rec.n, (len + 7) / 8);
	ck_assert_uint_eq(m.eb.device_accesses, rec.n);
	for (i = 0; i < len; i++)
		want[i] = splits[_i].is_write ? (uint8_t)(0x90 + i) :
						rec_byte(off + i);
	for (k = 0; k < rec.n; k++) {
		const struct rec_access *a = &rec.log[k];

		ck_assert_uint_eq(a->offset, off + 8 * k);
		ck_assert_uint_eq(a->len, len - 8 * k < 8 ? len - 8 * k : 8);
		ck_assert(a->is_write == splits[_i].is_write);
		ck_assert_msg(!memcmp(a->data, want + 8 * k, a->len),
			      "%s: piece %u carries the wrong bytes",
			      splits[_i].name, k);
	}
	if (!splits[_i].is_write)
		ck_assert_msg(!memcmp(cpu.vec[0], want, len),
			      "%s: the register got the wrong bytes",
			      splits[_i].name);
}
END_TEST

START_TEST(test_unclaimed_mmio)
{
	cpu.gpr[X86_RAX] = 0x1234567812345678ULL;
	cpu.gpr[X86_RBX] = UNCLAIMED_MMIO;
	RUN(X86_EMU_OK, 0x66, 0x8b, 0x03);	/* mov ax, [ebx] */
	ck_assert_uint_eq(cpu.gpr[X86_RAX], 0x123456781234ffffULL);
	ck_assert_uint_eq(m.mmio.unclaimed, 1);
	RUN(X86_EMU_OK, 0x89, 0x03);		/* writes vanish */
	ck_assert_uint_eq(m.mmio.unclaimed, 2);
}
END_TEST

/* What a guest stores with an emulated instruction it reads back. */
START_TEST(test_testdev)
{
	uint64_t at = TESTDEV_SIZE - 32;

	fill_vec(0, 0x20);
	memset(cpu.vec[1], 0, 32);
	cpu.gpr[X86_RBX] = LAYOUT_TESTDEV + at;
	RUN(X86_EMU_OK, 0xc5, 0xfe, 0x7f, 0x03);	/* vmovdqu [ebx],ymm0 */
	ck_assert(!memcmp(m.td.mem + at, cpu.vec[0], 32));
	ck_assert(all_bytes(m.td.mem, 0, at));
	RUN(X86_EMU_OK, 0xc5, 0xfe, 0x6f, 0x0b);	/* vmovdqu ymm1,[ebx] */
	ck_assert(!memcmp(cpu.vec[1], cpu.vec[0], 32));
	/* Past the page is not the device's: all ones, and nothing stored. */
	cpu.gpr[X86_RBX] = LAYOUT_TESTDEV + TESTDEV_SIZE - 4;
	RUN(X86_EMU_OK, 0xf3, 0x0f, 0x7e, 0x13);	/* movq xmm2, [ebx] */
	ck_assert_uint_eq(u32_at(cpu.vec[2]),
			  u32_at(m.td.mem + TESTDEV_SIZE - 4));
	ck_assert_uint_eq(u32_at(cpu.vec[2] + 4), 0xffffffff);
	ck_assert_uint_eq(m.mmio.unclaimed, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Ports: the seed's rules, reached by emulated instructions           */
/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t bytes[3];
	unsigned int n;
	uint16_t dx;
	uint64_t rax;	/* after, from 0x5555555555555555 */
} port_reads[] = {
	{ "in al, 0x64 (i8042 status: ready)", { 0xe4, 0x64 }, 2, 0,
	  0x5555555555555500ULL },
	{ "in al, dx (nobody)", { 0xec }, 1, UNCLAIMED_PORT,
	  0x55555555555555ffULL },
	{ "in ax, dx (nobody)", { 0x66, 0xed }, 2, UNCLAIMED_PORT,
	  0x555555555555ffffULL },
	{ "in eax, dx (nobody)", { 0xed }, 1, UNCLAIMED_PORT,
	  0xffffffffULL },
	{ "in al, 0xf4 (the exit port reads as nothing)", { 0xe4, 0xf4 }, 2,
	  0, 0x55555555555555ffULL },
};

START_TEST(test_port_reads)
{
	cpu.gpr[X86_RAX] = 0x5555555555555555ULL;
	cpu.gpr[X86_RDX] = port_reads[_i].dx;
	run(port_reads[_i].bytes, port_reads[_i].n, X86_EMU_OK);
	ck_assert_msg(cpu.gpr[X86_RAX] == port_reads[_i].rax,
		      "%s: rax %#llx", port_reads[_i].name,
		      (unsigned long long)cpu.gpr[X86_RAX]);
	ck_assert_int_eq(vm_stop_reason(&m.stop), STOP_NONE);
}
END_TEST

START_TEST(test_rep_ins_unclaimed)
{
	memset(m.ram + 0x3000, 0, 8);
	cpu.gpr[X86_RDI] = 0x3000;
	cpu.gpr[X86_RCX] = 5;
	cpu.gpr[X86_RDX] = UNCLAIMED_PORT;
	RUN(X86_EMU_OK, 0xf3, 0x6c);	/* rep insb */
	ck_assert(all_bytes(m.ram + 0x3000, 0xff, 5));
	ck_assert(all_bytes(m.ram + 0x3005, 0, 3));
	ck_assert_uint_eq(cpu.gpr[X86_RCX], 0);
	ck_assert_uint_eq(m.pio.unclaimed, 5);
}
END_TEST

START_TEST(test_port_writes)
{
	cpu.gpr[X86_RAX] = 0xfe;
	RUN(X86_EMU_OK, 0xe6, 0x60);	/* out 0x60, al: data, no reset */
	ck_assert_int_eq(vm_stop_reason(&m.stop), STOP_NONE);
	cpu.gpr[X86_RAX] = 0x2a;
	RUN(X86_EMU_OK, 0xe6, 0xf4);	/* out 0xf4, al */
	ck_assert_int_eq(vm_stop_reason(&m.stop), STOP_EXIT_PORT);
	ck_assert_int_eq(vm_stop_code(&m.stop), 0x2a);
}
END_TEST

/* ------------------------------------------------------------------ */
/* KVM's own devices: refused, not faked                               */
/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t bytes[4];
	unsigned int n;
	uint64_t addr;	/* in EBX and in DX */
	const char *refusal;
} refused[] = {
	{ "mov eax, [local APIC]", { 0x8b, 0x03 }, 2, LAYOUT_LAPIC + 0x30,
	  "local APIC" },
	{ "vmovdqu [IOAPIC], ymm0", { 0xc5, 0xfe, 0x7f, 0x03 }, 4,
	  LAYOUT_IOAPIC + 0x10, "IOAPIC" },
	{ "mov eax, [the IOAPIC's last dword]", { 0x8b, 0x03 }, 2,
	  LAYOUT_IOAPIC + 0xffc, "IOAPIC" },
	{ "in al, 0x21 (PIC)", { 0xe4, 0x21 }, 2, 0, "PIC" },
	{ "out 0x43, al (PIT)", { 0xe6, 0x43 }, 2, 0, "PIT" },
	{ "in ax, dx (0x4cf: runs into the ELCR)", { 0x66, 0xed }, 2, 0x4cf,
	  "PIC" },
};

START_TEST(test_refused)
{
	cpu.gpr[X86_RBX] = refused[_i].addr;
	cpu.gpr[X86_RDX] = refused[_i].addr;
	run(refused[_i].bytes, refused[_i].n, X86_EMU_ERROR);
	ck_assert_ptr_nonnull(m.eb.refused);
	ck_assert_msg(strstr(m.eb.refused, refused[_i].refusal),
		      "%s: refused with \"%s\"", refused[_i].name,
		      m.eb.refused);
	ck_assert_uint_eq(cpu.rip, 0x1000);
	ck_assert_uint_eq(m.eb.device_accesses, 0);
}
END_TEST

static Suite *emulate_bus_suite(void)
{
	Suite *s = suite_create("emulate_bus");
	TCase *t = tcase_create("bus");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_ram);
	tcase_add_loop_test(t, test_device_pieces, 0, ARRAY_SIZE(splits));
	tcase_add_test(t, test_unclaimed_mmio);
	tcase_add_test(t, test_testdev);
	tcase_add_loop_test(t, test_port_reads, 0, ARRAY_SIZE(port_reads));
	tcase_add_test(t, test_rep_ins_unclaimed);
	tcase_add_test(t, test_port_writes);
	tcase_add_loop_test(t, test_refused, 0, ARRAY_SIZE(refused));
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(emulate_bus_suite());
}
