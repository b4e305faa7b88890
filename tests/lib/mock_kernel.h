/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TESTS_MOCK_KERNEL_H
#define LGUEST_TESTS_MOCK_KERNEL_H

#include <asm/bootparam.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Kernel images as Linux's build lays them out, for the loader's unit
 * tests, the loader fuzzer's seeds and the bzImage test guest alike:
 * the headers only, so each caller fills the contents (a byte pattern,
 * a halt loop, a real payload) and then bends a field to test an edge.
 */

/* Where a setup header starts in a bzImage (the boot sector's 0x1f1). */
#define KIMG_BZ_HDR_OFFSET	0x1f1

/* What every header kimg_bzimage_header() writes says. */
#define KIMG_BZ_KERNEL_ALIGN	0x200000U
#define KIMG_BZ_CMDLINE_SIZE	2047
#define KIMG_BZ_INITRD_ADDR_MAX	0x7fffffffU

struct kimg_bzimage {
	uint16_t version;	/* boot protocol, e.g. 0x020f for 2.15 */
	uint8_t setup_sects;	/* 512-byte sectors after the boot sector */
	bool relocatable;
	uint16_t xloadflags;	/* 2.12+: XLF_KERNEL_64 and friends */
	uint64_t pref_address;	/* 2.10+ */
	uint32_t init_size;	/* 2.10+ */
	uint32_t payload_len;	/* the protected-mode part, for syssize */
};

/*
 * The setup header of a bzImage whose first byte is @image, as
 * arch/x86/boot/header.S fills it for the fields a loader reads; the
 * fields a loader writes stay as they were (zero in a zeroed image).
 */
struct setup_header *kimg_bzimage_header(uint8_t *image,
					 const struct kimg_bzimage *b);

/* The end of the header a protocol version has: its jump's target. */
size_t kimg_bzimage_header_end(uint16_t version);

/* One program header; a PT_LOAD's p_vaddr is the kernel's mapping of it. */
struct kimg_phdr {
	uint32_t type, flags;
	uint64_t offset, paddr, filesz, memsz, align;
};

#define KIMG_ELF_MAX_PHDRS	4

struct kimg_elf {
	bool is_64;		/* ELF64 x86-64, else ELF32 i386 */
	uint64_t entry;
	uint64_t phoff;		/* 0: right after the ELF header */
	unsigned int phnum;
	struct kimg_phdr ph[KIMG_ELF_MAX_PHDRS];
};

/* The ELF header and program headers of @l, written at @image. */
void kimg_elf_headers(uint8_t *image, const struct kimg_elf *l);

/* The address at which program header @i of the image at @image lives. */
void *kimg_elf_phdr(uint8_t *image, unsigned int i);

#endif
