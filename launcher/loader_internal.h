/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_LOADER_INTERNAL_H
#define LGUEST_LOADER_INTERNAL_H

#include <asm/bootparam.h>

#include "loader.h"

/*
 * What a format-specific loader hands back to the common code: where the
 * kernel went and how to enter it, plus the limits its header imposes on
 * the command line and initrd.  The common code builds the zero page.
 */
struct kernel_load {
	const char *format;
	enum entry_mode mode;
	uint64_t entry;
	uint64_t start, end;		/* [start, end) reserved for the kernel */
	uint16_t protocol;		/* 0 for ELF */
	uint64_t cmdline_max;		/* longest command line, without NUL */
	uint64_t initrd_addr_max;	/* highest byte an initrd may occupy */
	struct setup_header hdr;	/* copied into the zero page */
	size_t hdr_len;			/* bytes of hdr taken from the image */
};

int load_elf(const struct guest_mem *m, const uint8_t *image, size_t len,
	     struct kernel_load *k, struct lg_error *err);
int load_bzimage(const struct guest_mem *m, const uint8_t *image, size_t len,
		 struct kernel_load *k, struct lg_error *err);

bool is_elf(const uint8_t *image, size_t len);
bool is_bzimage(const uint8_t *image, size_t len);

#endif
