// SPDX-License-Identifier: GPL-2.0
/*
 * The small PC pieces around the kernel: the exit and i8042 ports (how a
 * guest stops the launcher), the CMOS clock, and the CPU state a kernel
 * is entered with (GDT, identity map, registers, CPUID and MSRs).
 */
#include <stdlib.h>

#include "devices/rtc.h"
#include "unit_helpers.h"
#include "x86/cpu.h"
#include "x86/layout.h"
#include "x86/ports.h"

/* ------------------------------------------------------------------ */
/* Ports, through the bus as the vCPU loop reaches them                */
/* ------------------------------------------------------------------ */

static struct bus pio;
static struct vm_stop stop;
static struct rtc rtc;

static void ports_setup(void)
{
	memset(&pio, 0, sizeof(pio));
	memset(&stop, 0, sizeof(stop));
	rtc_init(&rtc);
	ck_assert_int_eq(x86_ports_register(&pio, &stop, &rtc), 0);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0x5a;

	ck_assert_msg(bus_access(&pio, port, &v, 1, false),
		      "port %#x unclaimed", port);
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	ck_assert_msg(bus_access(&pio, port, &v, 1, true),
		      "port %#x unclaimed", port);
}

static const uint8_t exit_codes[] = { 0, 1, 0x7f, 0x80, 0xff };

START_TEST(test_exit_port)
{
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_NONE);
	outb(PORT_EXIT, exit_codes[_i]);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_EXIT_PORT);
	ck_assert_int_eq(vm_stop_code(&stop), exit_codes[_i]);
}
END_TEST

/* A guest cannot overwrite an earlier verdict, by either route. */
START_TEST(test_first_stop_wins)
{
	outb(PORT_EXIT, 3);
	outb(PORT_EXIT, 7);
	outb(PORT_I8042_CMD, I8042_RESET);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_EXIT_PORT);
	ck_assert_int_eq(vm_stop_code(&stop), 3);

	memset(&stop, 0, sizeof(stop));
	outb(PORT_I8042_CMD, I8042_RESET);
	outb(PORT_EXIT, 9);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_RESET);
	ck_assert_int_eq(vm_stop_code(&stop), 0);
}
END_TEST

START_TEST(test_i8042)
{
	/* Linux polls the status for "input buffer empty" before a reset. */
	ck_assert_uint_eq(inb(PORT_I8042_CMD), 0);
	ck_assert_uint_eq(inb(PORT_I8042_DATA), 0);
	/* Other controller commands, and 0xfe as data, are not resets. */
	outb(PORT_I8042_CMD, 0xaa);
	outb(PORT_I8042_CMD, 0xd1);
	outb(PORT_I8042_DATA, I8042_RESET);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_NONE);
	outb(PORT_I8042_CMD, I8042_RESET);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_RESET);
}
END_TEST

START_TEST(test_quiet_ports)
{
	/* The exit port and POST port read as nothing and stop nothing. */
	ck_assert_uint_eq(inb(PORT_EXIT), 0xff);
	ck_assert_uint_eq(inb(PORT_POST), 0xff);
	outb(PORT_POST, 0x12);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_NONE);
	/* Registering the same ports twice must fail, not shadow them. */
	ck_assert_int_eq(x86_ports_register(&pio, &stop, &rtc), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* CMOS clock                                                          */
/* ------------------------------------------------------------------ */

static time_t fixed_time;

static time_t fixed_now(void)
{
	return fixed_time;
}

static uint8_t cmos(uint8_t reg)
{
	outb(RTC_PORT_BASE, reg);
	return inb(RTC_PORT_BASE + 1);
}

/* BCD fields, as Linux's mc146818_get_time() reads them. */
static const struct {
	time_t t;
	uint8_t sec, min, hour, wday, mday, mon, year, century;
} clock_rows[] = {
	/* 2024-02-29 13:45:07, a Thursday */
	{ 1709214307, 0x07, 0x45, 0x13, 0x05, 0x29, 0x02, 0x24, 0x20 },
	/* 1999-12-31 23:59:59, a Friday */
	{ 946684799, 0x59, 0x59, 0x23, 0x06, 0x31, 0x12, 0x99, 0x19 },
	/* 2000-01-01 00:00:00, a Saturday */
	{ 946684800, 0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20 },
	/* 2038-01-19 03:14:08, a Tuesday: past 32-bit time_t */
	{ 2147483648, 0x08, 0x14, 0x03, 0x03, 0x19, 0x01, 0x38, 0x20 },
};

START_TEST(test_rtc_time)
{
	fixed_time = clock_rows[_i].t;
	rtc.now = fixed_now;
	ck_assert_uint_eq(cmos(0x00), clock_rows[_i].sec);
	ck_assert_uint_eq(cmos(0x02), clock_rows[_i].min);
	ck_assert_uint_eq(cmos(0x04), clock_rows[_i].hour);
	ck_assert_uint_eq(cmos(0x06), clock_rows[_i].wday);
	ck_assert_uint_eq(cmos(0x07), clock_rows[_i].mday);
	ck_assert_uint_eq(cmos(0x08), clock_rows[_i].mon);
	ck_assert_uint_eq(cmos(0x09), clock_rows[_i].year);
	ck_assert_uint_eq(cmos(0x32), clock_rows[_i].century);
}
END_TEST

START_TEST(test_rtc_status)
{
	fixed_time = clock_rows[0].t;
	rtc.now = fixed_now;
	/* UIP (bit 7) set forever would hang Linux's clock read. */
	ck_assert_uint_eq(cmos(0x0a) & 0x80, 0);
	/* Register B: 24-hour (bit 1), BCD (bit 2 clear), no interrupts. */
	ck_assert_uint_eq(cmos(0x0b) & 0x02, 0x02);
	ck_assert_uint_eq(cmos(0x0b) & 0x74, 0);
	ck_assert_uint_eq(cmos(0x0d) & 0x80, 0x80); /* battery good */
	ck_assert_uint_eq(cmos(0x10), 0);	  /* plain CMOS RAM */
}
END_TEST

START_TEST(test_rtc_index)
{
	fixed_time = clock_rows[0].t;
	rtc.now = fixed_now;
	/* Bit 7 of the index is the NMI mask, not part of the register. */
	ck_assert_uint_eq(cmos(0x80 | 0x04), clock_rows[0].hour);
	ck_assert_uint_eq(cmos(0x80 | 0x0a) & 0x80, 0);
	/* The clock is read-only: a write does not change the time. */
	outb(RTC_PORT_BASE, 0x00);
	outb(RTC_PORT_BASE + 1, 0x33);
	ck_assert_uint_eq(inb(RTC_PORT_BASE + 1), clock_rows[0].sec);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Boot CPU state                                                      */
/* ------------------------------------------------------------------ */

#define BOOT_MEM (4 * MiB)

static uint64_t read_u64(const struct test_mem *t, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, tmem_at(t, gpa, 8), 8);
	return v;
}

/* Walk the boot page tables as the MMU would; -1 if not mapped. */
static int64_t translate(const struct test_mem *t, uint64_t va)
{
	uint64_t e = LAYOUT_PML4;
	unsigned int shift;

	for (shift = 39; shift >= 21; shift -= 9) {
		e = read_u64(t, (e & 0x000ffffffffff000ULL) +
				   ((va >> shift) & 511) * 8);
		if (!(e & 1) || !(e & 2))
			return -1;
		if (shift == 21) {
			ck_assert_msg(e & 0x80, "PDE for %#llx is not 2 MiB",
				      (unsigned long long)va);
			return (e & 0x000fffffffe00000ULL) | (va & 0x1fffff);
		}
		ck_assert_msg(!(e & 0x80), "huge page above the PD level");
	}
	return -1;
}

static const uint64_t mapped[] = {
	0, 0x1234, 0x100000, 0x1234567, 0x40000000, 0xbfffffff,
	0xc0000000, 0xfec00000, 0xfee00000, 0xffe00000, 0xffffffff,
};

START_TEST(test_identity_map)
{
	struct test_mem t;
	unsigned int i;

	tmem_init(&t, BOOT_MEM, LAYOUT_LOW_RAM_LIMIT);
	ck_assert_int_eq(x86_write_boot_tables(&t.m, ENTRY_64BIT), 0);
	for (i = 0; i < ARRAY_SIZE(mapped); i++)
		ck_assert_msg(translate(&t, mapped[i]) == (int64_t)mapped[i],
			      "%#llx maps to %#llx",
			      (unsigned long long)mapped[i],
			      (long long)translate(&t, mapped[i]));
	/* Only the first 4 GiB: nothing above, no stray PML4 entries. */
	ck_assert_int_eq(translate(&t, 0x100000000ULL), -1);
	ck_assert_int_eq(translate(&t, 0x8000000000ULL), -1);
	ck_assert(tmem_guards_intact(&t));
	tmem_free(&t);
}
END_TEST

START_TEST(test_boot_tables_no_memory)
{
	struct test_mem t;

	/* Too small for the page tables: refused, nothing spilled. */
	tmem_init(&t, LAYOUT_PML4 + 0x1000, LAYOUT_LOW_RAM_LIMIT);
	ck_assert_int_eq(x86_write_boot_tables(&t.m, ENTRY_64BIT), -1);
	ck_assert(tmem_guards_intact(&t));
	tmem_free(&t);
}
END_TEST

/* Decode a GDT descriptor into the cached form KVM keeps. */
static struct kvm_segment decode_desc(uint64_t d, uint16_t selector)
{
	struct kvm_segment s = {
		.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000),
		.limit = (d & 0xffff) | ((d >> 32) & 0xf0000),
		.selector = selector,
		.type = (d >> 40) & 0xf, .s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3, .present = (d >> 47) & 1,
		.l = (d >> 53) & 1, .db = (d >> 54) & 1, .g = (d >> 55) & 1,
	};

	if (s.g)
		s.limit = (s.limit << 12) | 0xfff;
	return s;
}

static void assert_same_segment(const struct kvm_segment *a,
				const struct kvm_segment *b)
{
	ck_assert_uint_eq(a->base, b->base);
	ck_assert_uint_eq(a->limit, b->limit);
	ck_assert_uint_eq(a->selector, b->selector);
	ck_assert_uint_eq(a->type, b->type);
	ck_assert_uint_eq(a->s, b->s);
	ck_assert_uint_eq(a->dpl, b->dpl);
	ck_assert_uint_eq(a->present, b->present);
	ck_assert_uint_eq(a->l, b->l);
	ck_assert_uint_eq(a->db, b->db);
	ck_assert_uint_eq(a->g, b->g);
}

static const struct {
	enum entry_mode mode;
	bool paging;	/* CR0.PG, CR4.PAE, EFER.LME/LMA, CR3, CS.L */
} modes[] = {
	{ ENTRY_64BIT, true },
	{ ENTRY_32BIT, false },
};

/*
 * The GDT in memory and the segment caches KVM is given must agree, or
 * the first segment reload (Linux's first far jump) changes the mode.
 */
START_TEST(test_gdt_matches_sregs)
{
	struct kvm_sregs sregs;
	struct kvm_segment d;
	struct test_mem t;

	tmem_init(&t, BOOT_MEM, LAYOUT_LOW_RAM_LIMIT);
	ck_assert_int_eq(x86_write_boot_tables(&t.m, modes[_i].mode), 0);
	memset(&sregs, 0xff, sizeof(sregs));
	x86_boot_sregs(&sregs, modes[_i].mode);

	ck_assert_uint_eq(sregs.gdt.base, LAYOUT_GDT);
	ck_assert_uint_eq(sregs.gdt.limit, 5 * 8 - 1);
	/* The (empty) IDT is written too: it must not land on the GDT. */
	ck_assert_msg(sregs.idt.base + 8 <= sregs.gdt.base ||
			      sregs.idt.base >= sregs.gdt.base +
							sregs.gdt.limit + 1,
		      "IDT at %#llx overlaps the GDT [%#llx, %#llx]",
		      (unsigned long long)sregs.idt.base,
		      (unsigned long long)sregs.gdt.base,
		      (unsigned long long)(sregs.gdt.base + sregs.gdt.limit));
	ck_assert_uint_eq(read_u64(&t, LAYOUT_GDT), 0);
	ck_assert_uint_eq(sregs.cs.selector, BOOT_CS);
	ck_assert_uint_eq(sregs.ds.selector, BOOT_DS);
	d = decode_desc(read_u64(&t, LAYOUT_GDT + BOOT_CS), BOOT_CS);
	assert_same_segment(&d, &sregs.cs);
	ck_assert_uint_eq(d.type & 0x8, 0x8); /* code */
	d = decode_desc(read_u64(&t, LAYOUT_GDT + BOOT_DS), BOOT_DS);
	assert_same_segment(&d, &sregs.ds);
	assert_same_segment(&d, &sregs.ss);
	assert_same_segment(&d, &sregs.es);
	ck_assert_uint_eq(d.type & 0x8, 0); /* data */
	ck_assert_uint_eq(d.type & 0x2, 0x2); /* writable */
	d = decode_desc(read_u64(&t, LAYOUT_GDT + BOOT_TSS), BOOT_TSS);
	assert_same_segment(&d, &sregs.tr);
	/* Flat: 4 GiB from 0. */
	ck_assert_uint_eq(sregs.cs.base, 0);
	ck_assert_uint_eq(sregs.cs.limit, 0xffffffff);
	ck_assert_uint_eq(sregs.idt.limit, 0);
	tmem_free(&t);
}
END_TEST

START_TEST(test_boot_sregs_mode)
{
	bool lm = modes[_i].paging;
	struct kvm_sregs s;

	memset(&s, 0xff, sizeof(s));
	x86_boot_sregs(&s, modes[_i].mode);
	ck_assert_uint_eq(s.cs.l, lm);
	ck_assert_uint_eq(s.cs.db, !lm);	/* L and D never both set */
	ck_assert_uint_eq(s.cr0 & 1, 1);		/* PE */
	ck_assert_uint_eq(!!(s.cr0 & (1ULL << 31)), lm);	/* PG */
	ck_assert_uint_eq(!!(s.cr4 & (1ULL << 5)), lm);	/* PAE */
	ck_assert_uint_eq(s.efer & ((1ULL << 8) | (1ULL << 10)),
			  lm ? (1ULL << 8) | (1ULL << 10) : 0);	/* LME|LMA */
	ck_assert_uint_eq(s.cr3, lm ? LAYOUT_PML4 : 0);
}
END_TEST

START_TEST(test_boot_regs)
{
	const struct boot_setup b = { .entry = 0x1000200,
				      .zero_page = LAYOUT_ZERO_PAGE };
	struct kvm_regs r;

	memset(&r, 0xff, sizeof(r));
	x86_boot_regs(&r, &b);
	ck_assert_uint_eq(r.rip, b.entry);
	ck_assert_uint_eq(r.rsi, LAYOUT_ZERO_PAGE);	/* boot_params */
	ck_assert_uint_eq(r.rflags, 0x2);		/* IF clear */
	ck_assert_uint_eq(r.rax | r.rbx | r.rcx | r.rdx | r.rdi | r.rbp |
				  r.rsp | r.r8 | r.r15, 0);
}
END_TEST

/* A CPUID table such as KVM_GET_SUPPORTED_CPUID could return. */
static const struct kvm_cpuid_entry2 cpuid_in[] = {
	{ .function = 0, .eax = 0x1f, .ebx = 0x756e6547 },
	{ .function = 1, .eax = 0x806ec, .ebx = 0x05100800,
	  .ecx = 0x7ffafbbf | (1U << 3), .edx = 0xbfebfbff },
	{ .function = 0xa, .eax = 0x07300404, .ebx = 0x7f, .edx = 0x603 },
	{ .function = 0xb, .index = 1, .eax = 4, .ebx = 8, .edx = 5 },
	{ .function = 0x1f, .index = 0, .eax = 1, .ebx = 2, .edx = 5 },
	{ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 },
};

START_TEST(test_cpuid_filter)
{
	const unsigned int n = ARRAY_SIZE(cpuid_in);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + sizeof(cpuid_in));
	const struct kvm_cpuid_entry2 *e;

	ck_assert_ptr_nonnull(c);
	e = c->entries;
	c->nent = n;
	memcpy(c->entries, cpuid_in, sizeof(cpuid_in));
	x86_filter_cpuid(c);

	ck_assert(memcmp(&e[0], &cpuid_in[0], sizeof(e[0])) == 0);
	ck_assert_uint_eq(e[1].eax, cpuid_in[1].eax);
	ck_assert_uint_eq(e[1].ecx >> 31, 1);		/* hypervisor */
	ck_assert_uint_eq(e[1].ecx & (1U << 3), 0);	/* no MONITOR */
	ck_assert_uint_eq(e[1].edx & (1U << 28), 0);	/* no HTT */
	ck_assert_uint_eq(e[1].ebx >> 24, 0);		/* APIC ID 0 */
	ck_assert_uint_eq((e[1].ebx >> 16) & 0xff, 1);	/* one CPU */
	ck_assert_uint_eq(e[1].ebx & 0xffff, cpuid_in[1].ebx & 0xffff);
	ck_assert_uint_eq(e[2].eax | e[2].ebx | e[2].ecx | e[2].edx, 0);
	ck_assert_uint_eq(e[3].edx, 0);			/* x2APIC ID */
	ck_assert_uint_eq(e[4].edx, 0);
	ck_assert(memcmp(&e[5], &cpuid_in[5], sizeof(e[5])) == 0);
	free(c);
}
END_TEST

/* VMX (leaf 1), SVM (0x80000001) and SVM's own leaf go; nothing else. */
START_TEST(test_cpuid_hides_nested_virt)
{
	static const struct kvm_cpuid_entry2 in[] = {
		{ .function = 1, .ecx = 0x7ffafbbf | (1U << 5), .edx = 0xbfebfbff },
		{ .function = 0x80000001, .ecx = 0x121 | (1U << 2), .edx = 0x2c100800 },
		{ .function = 0x8000000a, .eax = 1, .ebx = 0x8000, .edx = 0x1ebfbff },
		{ .function = 7, .ebx = 0xffffffff, .ecx = 0xffffffff },
	};
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + sizeof(in));
	const struct kvm_cpuid_entry2 *e;

	ck_assert_ptr_nonnull(c);
	e = c->entries;
	c->nent = ARRAY_SIZE(in);
	memcpy(c->entries, in, sizeof(in));
	x86_filter_cpuid(c);	/* --nested-virt: left alone */
	ck_assert_uint_eq(e[0].ecx & (1U << 5), 1U << 5);
	ck_assert_uint_eq(e[1].ecx, in[1].ecx);
	ck_assert(memcmp(&e[2], &in[2], sizeof(e[2])) == 0);
	x86_hide_nested_virt(c);
	ck_assert_uint_eq(e[0].ecx,
			  (in[0].ecx & ~((1U << 5) | (1U << 3))) | (1U << 31));
	ck_assert_uint_eq(e[0].edx, in[0].edx & ~(1U << 28));
	ck_assert_uint_eq(e[1].ecx, 0x121);
	ck_assert_uint_eq(e[1].edx, in[1].edx);
	ck_assert_uint_eq(e[2].eax | e[2].ebx | e[2].ecx | e[2].edx, 0);
	ck_assert(memcmp(&e[3], &in[3], sizeof(e[3])) == 0);
	free(c);
}
END_TEST

START_TEST(test_boot_msrs)
{
	struct kvm_msr_entry e[X86_BOOT_MSRS_MAX + 1];
	unsigned int n, i, j;
	bool mtrr = false;

	memset(e, 0xee, sizeof(e));
	n = x86_boot_msrs(e);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, X86_BOOT_MSRS_MAX);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(e[i].index, e[j].index);
		/* MTRRs on, default type write-back: else all uncached. */
		if (e[i].index == 0x2ff) {
			ck_assert_uint_eq(e[i].data, 0x806);
			mtrr = true;
		}
	}
	ck_assert(mtrr);
	ck_assert(all_bytes(&e[n], 0xee, sizeof(e[n])));
}
END_TEST

static Suite *platform_suite(void)
{
	Suite *s = suite_create("platform");
	TCase *tc;

	tc = tcase_create("ports");
	tcase_add_checked_fixture(tc, ports_setup, NULL);
	tcase_add_loop_test(tc, test_exit_port, 0, ARRAY_SIZE(exit_codes));
	tcase_add_test(tc, test_first_stop_wins);
	tcase_add_test(tc, test_i8042);
	tcase_add_test(tc, test_quiet_ports);
	tcase_add_loop_test(tc, test_rtc_time, 0, ARRAY_SIZE(clock_rows));
	tcase_add_test(tc, test_rtc_status);
	tcase_add_test(tc, test_rtc_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpu");
	tcase_add_test(tc, test_identity_map);
	tcase_add_test(tc, test_boot_tables_no_memory);
	tcase_add_loop_test(tc, test_gdt_matches_sregs, 0, ARRAY_SIZE(modes));
	tcase_add_loop_test(tc, test_boot_sregs_mode, 0, ARRAY_SIZE(modes));
	tcase_add_test(tc, test_boot_regs);
	tcase_add_test(tc, test_cpuid_filter);
	tcase_add_test(tc, test_cpuid_hides_nested_virt);
	tcase_add_test(tc, test_boot_msrs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(platform_suite());
}
