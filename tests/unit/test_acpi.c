// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables Linux reads to power off and to find its interrupt
 * controllers, and the PM1 registers that turn its S5 write into a stop.
 * A wrong checksum or offset here does not crash anything: Linux just
 * ignores the table and the guest can no longer power off, so each field
 * Linux depends on is checked where the spec puts it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "unit_helpers.h"
#include "x86/acpi.h"

static struct test_mem tm;
static uint64_t rsdp;

static void setup(void)
{
	tmem_init(&tm, 4 * MiB, 4 * MiB);
	rsdp = acpi_write_tables(&tm.m, 1);
}

static void teardown(void)
{
	ck_assert(tmem_guards_intact(&tm));
	tmem_free(&tm);
}

static uint32_t rd32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

/* A table at gpa with signature sig, whole and with a valid checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t = gmem_ptr(&tm.m, gpa, 36);

	ck_assert_ptr_nonnull(t);
	ck_assert_msg(memcmp(t, sig, 4) == 0, "table at %#llx is not %s",
		      (unsigned long long)gpa, sig);
	ck_assert_ptr_nonnull(gmem_ptr(&tm.m, gpa, rd32(t, 4)));
	ck_assert_msg(acpi_sum(t, rd32(t, 4)) == 0, "%s checksum", sig);
	return t;
}

/* The XSDT entry whose table has this signature. */
static const uint8_t *xsdt_entry(const char *sig)
{
	const uint8_t *r = gmem_ptr(&tm.m, rsdp, 36);
	const uint8_t *x = table(rd64(r, 24), "XSDT");
	unsigned int i, n = (rd32(x, 4) - 36) / 8;

	for (i = 0; i < n; i++) {
		const uint8_t *t = gmem_ptr(&tm.m, rd64(x, 36 + 8 * i), 4);

		if (t && memcmp(t, sig, 4) == 0)
			return table(rd64(x, 36 + 8 * i), sig);
	}
	ck_abort_msg("no %s in the XSDT", sig);
	return NULL;
}

START_TEST(test_rsdp)
{
	const uint8_t *r;

	/* Linux scans 16-byte boundaries of 0xe0000-0xfffff for it. */
	ck_assert_uint_ge(rsdp, 0xe0000);
	ck_assert_uint_lt(rsdp, 0x100000);
	ck_assert_uint_eq(rsdp % 16, 0);
	r = gmem_ptr(&tm.m, rsdp, 36);
	ck_assert_mem_eq(r, "RSD PTR ", 8);
	ck_assert_uint_eq(acpi_sum(r, 20), 0);
	ck_assert_uint_eq(acpi_sum(r, 36), 0);
	ck_assert_uint_eq(r[15], 2);
	ck_assert_uint_eq(rd32(r, 20), 36);
}
END_TEST

START_TEST(test_fadt)
{
	const uint8_t *f = xsdt_entry("FACP");
	const uint8_t *dsdt = table(rd64(f, 140), "DSDT");
	const uint8_t *facs = gmem_ptr(&tm.m, rd64(f, 132), 64);

	ck_assert_uint_eq(rd32(f, 4), 276);
	ck_assert_uint_eq(rd32(f, 40), rd64(f, 140));	/* DSDT == X_DSDT */
	ck_assert_uint_eq(rd32(f, 36), rd64(f, 132));	/* FACS == X_FACS */
	ck_assert_mem_eq(facs, "FACS", 4);
	ck_assert_uint_eq(rd64(f, 132) % 64, 0);
	ck_assert_uint_eq(rd32(f, 56), ACPI_PM1A_EVT);
	ck_assert_uint_eq(rd32(f, 64), ACPI_PM1A_CNT);
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(rd32(f, 48), 0);		/* SMI_CMD: ACPI mode */
	ck_assert_uint_eq(f[109] & 2, 0);		/* no 8042 */
	ck_assert_uint_eq(rd32(f, 112) & (1U << 20), 0); /* not HW-reduced */
	ck_assert_uint_eq(rd32(f, 112) & (1U << 10), 1U << 10);
	ck_assert_uint_eq(f[116], 1);			/* reset reg: I/O */
	ck_assert_uint_eq(rd64(f, 120), 0x64);
	ck_assert_uint_eq(f[128], 0xfe);
	/* \_S5 with SLP_TYPa matching what the PM device waits for. */
	ck_assert_ptr_nonnull(memmem(dsdt + 36, rd32(dsdt, 4) - 36,
				     "\x08_S5_\x12\x08\x04\x0a\x05", 10));
}
END_TEST

/* What the MADT lists, walked entry by entry. */
struct madt_seen {
	unsigned int lapics, ioapics, nmis;
	bool ids_in_order;	/* entry i: UID i, APIC ID i, enabled */
	unsigned int ioapic_id;
};

static struct madt_seen walk_madt(const uint8_t *m)
{
	struct madt_seen seen = { .ids_in_order = true };
	unsigned int off = 44, len = rd32(m, 4);

	ck_assert_uint_eq(rd32(m, 36), 0xfee00000);
	while (off + 2 <= len) {
		ck_assert_uint_ge(m[off + 1], 2);
		if (m[off] == 0) {
			seen.ids_in_order &= m[off + 2] == seen.lapics &&
					     m[off + 3] == seen.lapics &&
					     (rd32(m, off + 4) & 1);
			seen.lapics++;
		}
		if (m[off] == 1 && rd32(m, off + 4) == 0xfec00000 &&
		    rd32(m, off + 8) == 0) {
			seen.ioapic_id = m[off + 2];
			seen.ioapics++;
		}
		seen.nmis += m[off] == 4;
		off += m[off + 1];
	}
	ck_assert_uint_eq(off, len);
	return seen;
}

START_TEST(test_madt)
{
	struct madt_seen seen = walk_madt(xsdt_entry("APIC"));

	ck_assert_uint_eq(seen.lapics, 1);
	ck_assert(seen.ids_in_order);
	ck_assert_uint_eq(seen.ioapics, 1);
	ck_assert_uint_eq(seen.nmis, 1);
}
END_TEST

/* N processors, APIC IDs 0..N-1, and an IOAPIC ID none of them has. */
static const unsigned int madt_cpus[] = { 2, 4, 8, 64, ACPI_MAX_CPUS };

START_TEST(test_madt_smp)
{
	unsigned int n = madt_cpus[_i];
	struct madt_seen seen;

	rsdp = acpi_write_tables(&tm.m, n);
	ck_assert_uint_ne(rsdp, 0);
	ck_assert_uint_eq(xsdt_entry("FACP")[0], 'F');	/* still whole */
	seen = walk_madt(xsdt_entry("APIC"));
	ck_assert_uint_eq(seen.lapics, n);
	ck_assert(seen.ids_in_order);
	ck_assert_uint_eq(seen.ioapics, 1);
	ck_assert_uint_ge(seen.ioapic_id, n);
	ck_assert_uint_lt(seen.ioapic_id, 0xff);
}
END_TEST

START_TEST(test_madt_cpus_out_of_range)
{
	ck_assert_uint_eq(acpi_write_tables(&tm.m, 0), 0);
	ck_assert_uint_eq(acpi_write_tables(&tm.m, ACPI_MAX_CPUS + 1), 0);
}
END_TEST

START_TEST(test_no_room)
{
	struct test_mem small;

	/* 512 KiB of RAM ends below the BIOS area: no tables, no crash. */
	tmem_init(&small, 512 * 1024, 512 * 1024);
	ck_assert_uint_eq(acpi_write_tables(&small.m, 1), 0);
	ck_assert(tmem_guards_intact(&small));
	tmem_free(&small);
}
END_TEST

/* What a PM1 access does, by offset, width and value. */
static const struct pm_case {
	unsigned int offset, len;
	uint16_t value;
	enum stop_reason expect;
} pm_cases[] = {
	{ 4, 2, 0x3400, STOP_POWER_OFF },	/* SLP_TYP 5 | SLP_EN */
	{ 5, 1, 0x34, STOP_POWER_OFF },		/* the same, high byte only */
	{ 4, 2, 0x1400, STOP_NONE },		/* SLP_TYP 5, no SLP_EN */
	{ 4, 2, 0x2c00, STOP_NONE },		/* S3 type: we have none */
	{ 0, 2, 0xffff, STOP_NONE },		/* clearing status bits */
	{ 2, 2, 0x3400, STOP_NONE },		/* enable register */
};

START_TEST(test_pm_writes)
{
	const struct pm_case *c = &pm_cases[_i];
	struct vm_stop stop = { 0 };
	struct acpi_pm pm;
	uint8_t data[2];

	acpi_pm_init(&pm, &stop);
	memcpy(data, &c->value, 2);
	acpi_pm_io(&pm, c->offset, data, c->len, true);
	ck_assert_int_eq(vm_stop_reason(&stop), c->expect);
}
END_TEST

START_TEST(test_pm_reads)
{
	struct vm_stop stop = { 0 };
	struct acpi_pm pm;
	uint8_t data[4] = { 0 };
	uint16_t v = 0x0102;

	acpi_pm_init(&pm, &stop);
	acpi_pm_io(&pm, 4, data, 2, false);
	ck_assert_uint_eq(data[0] & 1, 1);	/* SCI_EN: in ACPI mode */
	acpi_pm_io(&pm, 2, (uint8_t *)&v, 2, true);
	acpi_pm_io(&pm, 0, data, 4, false);
	ck_assert_uint_eq(data[0] | data[1], 0);	/* status stays clear */
	ck_assert_uint_eq(data[2], 0x02);
	ck_assert_uint_eq(data[3], 0x01);
	acpi_pm_io(&pm, 5, data, 2, false);	/* runs past the block */
	ck_assert_uint_eq(data[0], 0xff);
	ck_assert_uint_eq(data[1], 0xff);
	ck_assert_int_eq(vm_stop_reason(&stop), STOP_NONE);
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tables = tcase_create("tables");
	TCase *pm = tcase_create("pm1");

	tcase_add_checked_fixture(tables, setup, teardown);
	tcase_add_test(tables, test_rsdp);
	tcase_add_test(tables, test_fadt);
	tcase_add_test(tables, test_madt);
	tcase_add_loop_test(tables, test_madt_smp, 0, ARRAY_SIZE(madt_cpus));
	tcase_add_test(tables, test_madt_cpus_out_of_range);
	tcase_add_test(tables, test_no_room);
	tcase_add_loop_test(pm, test_pm_writes, 0, ARRAY_SIZE(pm_cases));
	tcase_add_test(pm, test_pm_reads);
	suite_add_tcase(s, tables);
	suite_add_tcase(s, pm);
	return s;
}

int main(void)
{
	return run_suite(acpi_suite());
}
