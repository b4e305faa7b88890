/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_LOADER_H
#define LGUEST_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "guest_mem.h"

/* What the caller wants loaded besides the kernel itself. */
struct boot_config {
	const uint8_t *initrd;	/* NULL when there is none */
	uint64_t initrd_size;
	const char *cmdline;	/* NUL-terminated; may be "" */
	uint64_t acpi_rsdp;	/* guest address of the RSDP, 0 if none */
};

enum entry_mode {
	ENTRY_64BIT,	/* long mode, identity-mapped first 4 GiB */
	ENTRY_32BIT,	/* flat 32-bit protected mode, paging off */
};

/* What the loader did, and how the vCPU must start. */
struct boot_setup {
	const char *format;	/* "ELF64", "ELF32" or "bzImage" */
	enum entry_mode mode;
	uint64_t entry;		/* guest-physical entry point */
	uint64_t zero_page;	/* guest-physical boot_params, passed in RSI */
	uint64_t kernel_start;	/* lowest byte the kernel occupies */
	uint64_t kernel_end;	/* one past the highest (incl. init_size) */
	uint64_t initrd_start;	/* 0 when no initrd */
	uint64_t initrd_size;
	uint16_t protocol;	/* boot protocol version, 0 for ELF */
};

/*
 * Load a kernel image (ELF64, ELF32 or bzImage, told apart by content)
 * into guest memory, place the initrd and command line, and build the
 * zero page.  Returns 0, or -1 with err->msg describing the problem.
 * Guest memory is scratch on failure; nothing outside it is touched.
 */
int load_kernel(const struct guest_mem *m, const uint8_t *image, size_t len,
		const struct boot_config *cfg, struct boot_setup *out,
		struct lg_error *err);

#endif
