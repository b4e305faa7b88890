/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_X86_LAYOUT_H
#define LGUEST_X86_LAYOUT_H

/*
 * Where things live in guest-physical memory.  The low megabyte follows
 * the PC conventions Linux expects (real-mode IVT and BDA at the bottom,
 * EBDA and BIOS ROM area at the top), and the fixed structures we build
 * for the kernel sit in the gaps between, as other x86 VMMs place them.
 */
#define LAYOUT_GDT		0x500ULL	/* boot GDT, 5 entries */
#define LAYOUT_IDT		0x528ULL	/* empty IDT, right after the GDT */
#define LAYOUT_ZERO_PAGE	0x7000ULL	/* struct boot_params */
#define LAYOUT_PML4		0x9000ULL	/* 64-bit identity map: PML4 */
#define LAYOUT_PDPT		0xa000ULL	/*   one PDPT */
#define LAYOUT_PD		0xb000ULL	/*   four PDs, 2 MiB pages */
#define LAYOUT_PD_COUNT		4		/*   => first 4 GiB mapped */
#define LAYOUT_CMDLINE		0x20000ULL	/* kernel command line */
#define LAYOUT_CMDLINE_MAX	0x10000ULL	/* bytes, including NUL */
#define LAYOUT_EBDA		0x9fc00ULL	/* end of usable low RAM */
#define LAYOUT_BIOS_START	0xe0000ULL	/* reserved: BIOS tables */
#define LAYOUT_HIGH_MEM		0x100000ULL	/* first byte above 1 MiB */

/* Below this, RAM; from here to 4 GiB, MMIO (PCI, IOAPIC, LAPIC). */
#define LAYOUT_LOW_RAM_LIMIT	0xc0000000ULL
#define LAYOUT_PCI_MMIO		0xc0000000ULL
#define LAYOUT_IOAPIC		0xfec00000ULL
#define LAYOUT_TESTDEV		0xfedf0000ULL	/* --testdev: one page */
#define LAYOUT_LAPIC		0xfee00000ULL
#define LAYOUT_KVM_IDENT_MAP	0xfffbc000ULL	/* one page, for KVM */
#define LAYOUT_KVM_TSS		0xfffbd000ULL	/* three pages, for KVM */

/* Selectors in the boot GDT, as the Linux boot protocol names them. */
#define BOOT_CS			0x10
#define BOOT_DS			0x18
#define BOOT_TSS		0x20

#endif
