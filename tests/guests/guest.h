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

/* The virtio actions (tests/guests/virtio*.c). */
#define CHECK_VIRTIO_DEVICE	30	/* 40: no such device, bad BAR/caps */
#define CHECK_VIRTIO_FEATURES	31	/* 41: feature negotiation failed */
#define CHECK_VIRTIO_QUEUE	32	/* 42: queue setup, bad used entry */
#define CHECK_VIRTIO_TIMEOUT	33	/* 43: a request never completed */
#define CHECK_VIRTIO_RNG	34	/* 44: short or constant random bytes */
#define CHECK_VIRTIO_BLK_CONFIG	35	/* 45: capacity or read-only wrong */
#define CHECK_VIRTIO_BLK_STATUS	36	/* 46: wrong request status/length */
#define CHECK_VIRTIO_BLK_DATA	37	/* 47: sector contents wrong */
#define CHECK_VIRTIO_BLK_ID	38	/* 48: GET_ID differs from blkid */
#define CHECK_VIRTIO_CONSOLE	39	/* 49: console buffer misuse */
#define CHECK_VIRTIO_NO_RESET	40	/* 50: bad ring, no NEEDS_RESET */
#define CHECK_VIRTIO_RESET	41	/* 51: device reset does not finish */
#define CHECK_VIRTIO_NET	42	/* 52: a bad frame or receive buffer */
#define CHECK_VIRTIO_NET_TIMEOUT 43	/* 53: no reply (ping), no ping (pong) */
#define CHECK_VIRTIO_FS		44	/* 54: virtio-fs config or FUSE reply */

/* The emulator actions (tests/guests/emulate_actions.c). */
#define CHECK_EMUL_SETUP	50	/* 60: no --testdev, no CMPXCHG16B */
#define CHECK_EMUL_CMPXCHG	51	/* 61: CMPXCHG16B/8B result or ZF wrong */
#define CHECK_EMUL_VEC		52	/* 62: vector move moved wrong bytes */
#define CHECK_EMUL_PF		53	/* 63: wrong or missing #PF */
#define CHECK_EMUL_PORTS	54	/* 64: unclaimed port or i8042 status */

/* The SMP actions (tests/guests/smp_actions.c). */
#define CHECK_SMP_MADT		55	/* 65: no MADT, or too many CPUs in it */
#define CHECK_SMP_START		56	/* 66: an AP did not start */
#define CHECK_SMP_APIC_ID	57	/* 67: APIC IDs wrong or not the MADT's */
#define CHECK_SMP_CMPXCHG	58	/* 68: the shared 128-bit count is off */

/*
 * Where the BSP puts the APs' real-mode entry (the SIPI vector is its
 * page number), and each AP's stack size.
 */
#define SMP_TRAMPOLINE_BASE	0x1000
#define SMP_AP_STACK		8192

/* The UART action (tests/guests/common.c). */
#define CHECK_UART_BREAK	59	/* 69: a BREAK not as the 16550 gives it */

#define GUEST_EXIT_NO_32BIT	30	/* bzImage entered at its 32-bit entry */
#define GUEST_EXIT_NO_REALMODE	31	/* bzImage entered in real mode */
#define GUEST_EXIT_NO_AVX	32	/* skipped: CPUID lacks AVX */
#define GUEST_EXIT_NO_PAGING	33	/* skipped: emul-pf in the 32-bit guest */
#define GUEST_EXIT_NO_SMP	34	/* skipped: smp-* in the 32-bit guest */

/* The initrd pattern the integration tests write: byte[i] == i % 251. */
#define GUEST_INITRD_MODULUS	251

#define GUEST_BLK_SECTOR	512	/* virtio-blk's unit, whatever the disk */

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

/*
 * The virtio-blk action's data, shared with the host test that makes the
 * image and checks it afterwards.  Byte i of sector s is blk_fill() in a
 * fresh image and blk_pattern() once the guest wrote that sector; the
 * two never agree (their difference is always odd), and both change with
 * the sector, so a misplaced sector shows.
 */
static inline unsigned char guest_blk_fill(unsigned int sector, unsigned int i)
{
	return (unsigned char)(sector * 29 + i * 7 + 1);
}

static inline unsigned char guest_blk_pattern(unsigned int sector,
					      unsigned int i)
{
	return (unsigned char)(sector * 101 + i * 3 + 0x80);
}
#endif

#endif
