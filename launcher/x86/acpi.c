// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables, built by hand: RSDP -> XSDT -> { FADT -> { FACS, DSDT },
 * MADT }.  Fields are written at their offsets from the ACPI 6 spec with
 * small helpers rather than as packed structs, so every offset is visible
 * next to its meaning.  The tables live in the reserved BIOS area below
 * 1 MiB, where Linux also scans for the RSDP if the zero page lacks it.
 */
#include <string.h>

#include "acpi.h"
#include "layout.h"

#define ACPI_BASE		LAYOUT_BIOS_START
#define ACPI_AREA_SIZE		0x1000
#define HEADER_LEN		36
#define FADT_LEN		276
#define FACS_LEN		64

#define FADT_WBINVD		(1U << 0)
#define FADT_PROC_C1		(1U << 2)
#define FADT_PWR_BUTTON		(1U << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1U << 5)	/* no fixed sleep button */
#define FADT_RESET_REG_SUP	(1U << 10)
#define BOOT_ARCH_NO_VGA	(1U << 2)	/* and no 8042 bit: none */
#define GAS_SYSTEM_IO		1
#define MADT_PCAT_COMPAT	1

/*
 * \_S5 for the DSDT: Name (_S5, Package (4) { 5, 5, 0, 0 }), i.e.
 * NameOp "_S5_" PackageOp PkgLength(8) NumElements(4) BytePrefix 5
 * BytePrefix 5 Zero Zero.  SLP_TYPa = 5 is what PM1a_CNT will see.
 */
static const uint8_t aml_s5[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, ACPI_S5_TYP, 0x0a, ACPI_S5_TYP, 0x00, 0x00,
};

/*
 * The PCI root bridge's _CRS, a resource template: bus numbers 0-255,
 * the config ports 0xCF8-0xCFF, the I/O space around them, and the MMIO
 * hole where our BARs live (up to the IOAPIC).  Without a PNP0A03 device
 * in the DSDT, Linux with ACPI never scans PCI at all.
 */
static const uint8_t pci0_crs[] = {
	/* WordBusNumber: producer, min/max fixed, 0x00-0xff, length 0x100 */
	0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* IO: decode16, 0xcf8-0xcff, 8 ports (the config mechanism) */
	0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
	/* WordIO window 0x0000-0x0cf7 */
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00,
	0x00, 0x00, 0xf7, 0x0c, 0x00, 0x00, 0xf8, 0x0c,
	/* WordIO window 0x0d00-0xffff */
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00,
	0x00, 0x0d, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf3,
	/* DWordMemory window 0xc0000000-0xfebfffff, read-write */
	0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff,
	0xbf, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc0, 0x3e,
	/* End tag */
	0x79, 0x00,
};

struct aml {
	uint8_t b[512];
	unsigned int len;
};

static void aml_put(struct aml *a, const void *p, unsigned int n)
{
	memcpy(a->b + a->len, p, n);
	a->len += n;
}

/*
 * PkgLength counts its own bytes: one byte up to 63, else a lead byte
 * holding the low nibble and the count of bytes that follow.
 */
static void aml_pkglen(struct aml *a, unsigned int body)
{
	unsigned int v = body + 1;

	if (v < 0x40) {
		a->b[a->len++] = v;
		return;
	}
	v = body + 2;
	a->b[a->len++] = 0x40 | (v & 0xf);
	a->b[a->len++] = v >> 4;
}

/* Device (PCI0) { Name (_HID, EisaId ("PNP0A03")) Name (_UID, 0) _CRS } */
static void aml_pci_root(struct aml *out)
{
	/* NameOp and a four-character name; then the value or BufferOp. */
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D',
				       0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	static const uint8_t uid[] = { 0x08, '_', 'U', 'I', 'D', 0x00 };
	static const uint8_t crs_name[] = { 0x08, '_', 'C', 'R', 'S' };
	static const uint8_t device_op[] = { 0x5b, 0x82 };
	uint8_t size_prefix[] = { 0x0a, sizeof(pci0_crs) };
	struct aml body = { .len = 0 };

	aml_put(&body, "PCI0", 4);
	aml_put(&body, hid, sizeof(hid));
	aml_put(&body, uid, sizeof(uid));
	aml_put(&body, crs_name, sizeof(crs_name));
	body.b[body.len++] = 0x11;	/* BufferOp */
	aml_pkglen(&body, sizeof(size_prefix) + sizeof(pci0_crs));
	aml_put(&body, size_prefix, sizeof(size_prefix));
	aml_put(&body, pci0_crs, sizeof(pci0_crs));

	aml_put(out, device_op, sizeof(device_op));
	aml_pkglen(out, body.len);
	aml_put(out, body.b, body.len);
}

struct table_area {
	uint8_t *base;		/* host address of ACPI_BASE */
	uint64_t used;
};

static void put8(uint8_t *t, unsigned int off, uint8_t v)
{
	t[off] = v;
}

static void put16(uint8_t *t, unsigned int off, uint16_t v)
{
	memcpy(t + off, &v, 2);
}

static void put32(uint8_t *t, unsigned int off, uint32_t v)
{
	memcpy(t + off, &v, 4);
}

static void put64(uint8_t *t, unsigned int off, uint64_t v)
{
	memcpy(t + off, &v, 8);
}

uint8_t acpi_sum(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Carve `len` bytes, aligned, out of the area; returns its guest address. */
static uint64_t carve(struct table_area *a, uint64_t len, uint64_t align,
		      uint8_t **host)
{
	uint64_t off = (a->used + align - 1) & ~(align - 1);

	a->used = off + len;
	*host = a->base + off;
	return ACPI_BASE + off;
}

static void put_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t, 4, len);
	put8(t, 8, rev);
	memcpy(t + 10, "LGUEST", 6);		/* OEM ID */
	memcpy(t + 16, "LGUESTVM", 8);		/* OEM table ID */
	put32(t, 24, 1);			/* OEM revision */
	memcpy(t + 28, "LGST", 4);		/* creator ID */
	put32(t, 32, 1);			/* creator revision */
}

/* Fill the header's checksum so the whole table sums to zero. */
static void seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)-acpi_sum(t, len);
}

static void put_gas_io(uint8_t *t, unsigned int off, uint16_t port,
		       uint8_t bits)
{
	put8(t, off, GAS_SYSTEM_IO);
	put8(t, off + 1, bits);
	put8(t, off + 2, 0);
	put8(t, off + 3, 1);	/* byte access */
	put64(t, off + 4, port);
}

static uint64_t write_dsdt(struct table_area *a)
{
	struct aml aml = { .len = 0 };
	uint32_t len;
	uint8_t *t;
	uint64_t addr;

	aml_put(&aml, aml_s5, sizeof(aml_s5));
	aml_pci_root(&aml);
	len = HEADER_LEN + aml.len;
	addr = carve(a, len, 16, &t);
	put_header(t, "DSDT", len, 2);
	memcpy(t + HEADER_LEN, aml.b, aml.len);
	seal(t, len);
	return addr;
}

static uint64_t write_facs(struct table_area *a)
{
	uint8_t *t;
	uint64_t addr = carve(a, FACS_LEN, 64, &t);

	memcpy(t, "FACS", 4);
	put32(t, 4, FACS_LEN);
	put8(t, 32, 2);		/* version */
	return addr;		/* the FACS has no checksum */
}

static uint64_t write_fadt(struct table_area *a, uint64_t facs, uint64_t dsdt)
{
	uint8_t *t;
	uint64_t addr = carve(a, FADT_LEN, 16, &t);

	put_header(t, "FACP", FADT_LEN, 6);
	put32(t, 36, facs);			/* FIRMWARE_CTRL */
	put32(t, 40, dsdt);			/* DSDT */
	put16(t, 46, ACPI_SCI_IRQ);		/* SCI_INT */
	put32(t, 48, 0);			/* SMI_CMD: always in ACPI mode */
	put32(t, 56, ACPI_PM1A_EVT);		/* PM1a_EVT_BLK */
	put32(t, 64, ACPI_PM1A_CNT);		/* PM1a_CNT_BLK */
	put8(t, 88, 4);				/* PM1_EVT_LEN */
	put8(t, 89, 2);				/* PM1_CNT_LEN */
	put16(t, 96, 101);			/* P_LVL2_LAT: no C2 */
	put16(t, 98, 1001);			/* P_LVL3_LAT: no C3 */
	put8(t, 108, 0x32);			/* CENTURY register in CMOS */
	put16(t, 109, BOOT_ARCH_NO_VGA);	/* IAPC_BOOT_ARCH: no 8042 */
	put32(t, 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
			      FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
	put_gas_io(t, 116, 0x64, 8);		/* RESET_REG: i8042 command */
	put8(t, 128, 0xfe);			/* RESET_VALUE: pulse reset */
	put8(t, 131, 3);			/* FADT minor version */
	put64(t, 132, facs);			/* X_FIRMWARE_CTRL */
	put64(t, 140, dsdt);			/* X_DSDT */
	put_gas_io(t, 148, ACPI_PM1A_EVT, 32);	/* X_PM1a_EVT_BLK */
	put_gas_io(t, 172, ACPI_PM1A_CNT, 16);	/* X_PM1a_CNT_BLK */
	seal(t, FADT_LEN);
	return addr;
}

/*
 * CPUs 0..ncpus-1 (APIC ID = processor UID = vCPU index, as the launcher
 * creates them), KVM's IOAPIC with the next free ID, and LINT1 as NMI.
 */
static uint64_t write_madt(struct table_area *a, unsigned int ncpus)
{
	uint32_t len = HEADER_LEN + 8 + 8 * ncpus + 12 + 6;
	uint8_t *t;
	uint64_t addr = carve(a, len, 16, &t);
	unsigned int o = HEADER_LEN, i;

	put_header(t, "APIC", len, 5);
	put32(t, o, LAYOUT_LAPIC);
	put32(t, o + 4, MADT_PCAT_COMPAT);
	o += 8;
	for (i = 0; i < ncpus; i++, o += 8) {
		put8(t, o, 0);		/* Processor Local APIC */
		put8(t, o + 1, 8);
		put8(t, o + 2, i);	/* ACPI processor UID */
		put8(t, o + 3, i);	/* APIC ID */
		put32(t, o + 4, 1);	/* enabled */
	}
	put8(t, o, 1);			/* I/O APIC */
	put8(t, o + 1, 12);
	put8(t, o + 2, ncpus);		/* I/O APIC ID, after the CPUs' */
	put32(t, o + 4, LAYOUT_IOAPIC);
	put32(t, o + 8, 0);		/* GSI base */
	o += 12;
	put8(t, o, 4);			/* Local APIC NMI */
	put8(t, o + 1, 6);
	put8(t, o + 2, 0xff);		/* all processors */
	put16(t, o + 3, 0);		/* flags: bus default */
	put8(t, o + 5, 1);		/* LINT1 */
	seal(t, len);
	return addr;
}

static uint64_t write_xsdt(struct table_area *a, uint64_t fadt, uint64_t madt)
{
	uint32_t len = HEADER_LEN + 2 * 8;
	uint8_t *t;
	uint64_t addr = carve(a, len, 16, &t);

	put_header(t, "XSDT", len, 1);
	put64(t, HEADER_LEN, fadt);
	put64(t, HEADER_LEN + 8, madt);
	seal(t, len);
	return addr;
}

static void write_rsdp(uint8_t *t, uint64_t xsdt)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, "LGUEST", 6);
	put8(t, 15, 2);			/* ACPI 2.0+: use the XSDT */
	put32(t, 16, 0);		/* no RSDT */
	put32(t, 20, 36);
	put64(t, 24, xsdt);
	t[8] = (uint8_t)-acpi_sum(t, 20);
	t[32] = (uint8_t)-acpi_sum(t, 36);
}

/* Every table at its largest, each aligned to 64 bytes, fits the area. */
_Static_assert(36 + FACS_LEN + HEADER_LEN + sizeof(struct aml) + FADT_LEN +
		       HEADER_LEN + 8 + 8 * ACPI_MAX_CPUS + 12 + 6 +
		       HEADER_LEN + 16 + 6 * 64 <= ACPI_AREA_SIZE,
	       "the ACPI tables outgrow their area");

uint64_t acpi_write_tables(const struct guest_mem *m, unsigned int ncpus)
{
	struct table_area a = { gmem_ptr(m, ACPI_BASE, ACPI_AREA_SIZE), 0 };
	uint64_t rsdp, facs, dsdt, fadt, madt, xsdt;
	uint8_t *rsdp_host;

	if (!a.base)
		return 0;
	memset(a.base, 0, ACPI_AREA_SIZE);
	rsdp = carve(&a, 36, 16, &rsdp_host);
	facs = write_facs(&a);
	dsdt = write_dsdt(&a);
	fadt = write_fadt(&a, facs, dsdt);
	if (ncpus < 1 || ncpus > ACPI_MAX_CPUS)
		return 0;
	madt = write_madt(&a, ncpus);
	xsdt = write_xsdt(&a, fadt, madt);
	write_rsdp(rsdp_host, xsdt);
	return rsdp;
}
