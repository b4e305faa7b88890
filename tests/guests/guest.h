/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TEST_GUEST_H
#define LGUEST_TEST_GUEST_H

/*
 * What the tiny test guests and the tools around them agree on: the
 * platform ports they use and the exit statuses they report through
 * port 0xf4.  Included from C and from assembly, so only #defines here
 * outside the __ASSEMBLER__ guard.
 */

#define GUEST_EXIT_PORT		0xf4	/* outb(V) ends the launcher with V */
#define GUEST_UART_BASE		0x3f8	/* 16550A, COM1 */
#define GUEST_I8042_CMD		0x64	/* outb(0xfe) requests a reset */

/*
 * Exit statuses.  A failed check exits with GUEST_EXIT_CHECK_BASE plus
 * the check's number, so the status alone says which check failed.
 */
#define GUEST_EXIT_OK		0
#define GUEST_EXIT_CHECK_BASE	10

#define CHECK_BOOT_FLAG		1	/* 11: hdr.boot_flag != 0xaa55 */
#define CHECK_HEADER		2	/* 12: hdr.header != "HdrS" */
#define CHECK_CMDLINE_PTR	3	/* 13: no command line */
#define CHECK_CMDLINE		4	/* 14: bad lgtest.* token */
#define CHECK_E820_COUNT	5	/* 15: e820_entries not in 1..128 */
#define CHECK_E820_ORDER	6	/* 16: e820 unsorted or overlapping */
#define CHECK_E820_LOW		7	/* 17: no RAM entry at 0 */
#define CHECK_E820_HIGH		8	/* 18: no RAM entry at 1 MiB */
#define CHECK_MEM		9	/* 19: lgtest.mem does not match */
#define CHECK_INITRD_SIZE	10	/* 20: lgtest.initrd size mismatch */
#define CHECK_INITRD_PLACE	11	/* 21: initrd badly placed */
#define CHECK_INITRD_DATA	12	/* 22: initrd contents wrong */

#define GUEST_EXIT_NO_32BIT	30	/* bzImage entered at its 32-bit entry */
#define GUEST_EXIT_NO_REALMODE	31	/* bzImage entered in real mode */

/* The initrd pattern the integration tests write: byte[i] == i % 251. */
#define GUEST_INITRD_MODULUS	251

/*
 * Where the bzImage payload keeps its kernel_info (boot protocol 2.15),
 * relative to the start of the protected-mode code.
 */
#define GUEST_KERNEL_INFO_OFFSET	0x100

#ifndef __ASSEMBLER__
struct boot_params;

/* The C body of every guest; the assembly entry calls it with a stack. */
void guest_main(struct boot_params *bp, const char *flavour)
	__attribute__((noreturn));
#endif

#endif
