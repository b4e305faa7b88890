// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel loader: tells the image format apart, has the format's own
 * loader put the kernel in guest memory, then does what every format
 * shares, which is the zero page: the Linux boot protocol's "struct
 * boot_params" that tells the kernel about memory, its command line and
 * its initrd.  Every number here came from a file someone handed us, so
 * every one is checked before it is used as an address or a length.
 */
#include <string.h>

#include <asm/e820.h>

#include "loader_internal.h"
#include "x86/layout.h"

#define PAGE_SIZE 4096ULL

/* Lay out the E820 map: the PC's low-memory holes, then RAM above 1 MiB. */
static void build_e820(const struct guest_mem *m, struct boot_params *bp)
{
	struct boot_e820_entry *e = bp->e820_table;
	unsigned int n = 0;

	e[n++] = (struct boot_e820_entry){ 0, LAYOUT_EBDA, E820_RAM };
	e[n++] = (struct boot_e820_entry){ LAYOUT_EBDA, 0xa0000 - LAYOUT_EBDA,
					   E820_RESERVED };
	e[n++] = (struct boot_e820_entry){ LAYOUT_BIOS_START,
					   LAYOUT_HIGH_MEM - LAYOUT_BIOS_START,
					   E820_RESERVED };
	e[n++] = (struct boot_e820_entry){ LAYOUT_HIGH_MEM,
					   m->low_size - LAYOUT_HIGH_MEM,
					   E820_RAM };
	if (m->size > m->low_size)
		e[n++] = (struct boot_e820_entry){ GMEM_HIGH_BASE,
						   m->size - m->low_size,
						   E820_RAM };
	bp->e820_entries = n;
}

static int place_cmdline(const struct guest_mem *m, const struct kernel_load *k,
			 const char *cmdline, struct boot_params *bp,
			 struct lg_error *err)
{
	size_t len = strlen(cmdline);
	char *dst;

	if (len > k->cmdline_max)
		return lg_fail(err,
			       "command line is %zu bytes but the kernel accepts at most %llu",
			       len, (unsigned long long)k->cmdline_max);
	dst = gmem_ptr(m, LAYOUT_CMDLINE, len + 1);
	if (!dst)
		return lg_fail(err, "no guest memory for the command line");
	memcpy(dst, cmdline, len + 1);
	bp->hdr.cmd_line_ptr = LAYOUT_CMDLINE;
	return 0;
}

/*
 * Like the seed, the initrd goes at the top of memory, so the kernel can
 * grow upwards into the rest; but it must also stay below the kernel's
 * initrd_addr_max and clear of the kernel's own init_size.
 */
static int place_initrd(const struct guest_mem *m, const struct kernel_load *k,
			const struct boot_config *cfg, struct boot_params *bp,
			struct boot_setup *out, struct lg_error *err)
{
	uint64_t top = m->low_size;
	uint64_t addr;
	void *dst;

	if (!cfg->initrd)
		return 0;
	if (cfg->initrd_size == 0)
		return lg_fail(err, "initrd is empty");
	if (k->initrd_addr_max < top - 1)
		top = k->initrd_addr_max + 1;
	if (cfg->initrd_size > top)
		return lg_fail(err,
			       "initrd is %llu bytes, more than the %llu bytes of memory it may use",
			       (unsigned long long)cfg->initrd_size,
			       (unsigned long long)top);
	addr = align_down(top - cfg->initrd_size, PAGE_SIZE);
	if (addr < k->end || addr < LAYOUT_HIGH_MEM)
		return lg_fail(err,
			       "initrd (%llu bytes) does not fit between the kernel's end at %#llx and %#llx",
			       (unsigned long long)cfg->initrd_size,
			       (unsigned long long)k->end,
			       (unsigned long long)top);
	dst = gmem_ptr(m, addr, cfg->initrd_size);
	if (!dst)
		return lg_fail(err, "initrd at %#llx is outside guest memory",
			       (unsigned long long)addr);
	memcpy(dst, cfg->initrd, cfg->initrd_size);
	bp->hdr.ramdisk_image = addr;
	bp->hdr.ramdisk_size = cfg->initrd_size;
	out->initrd_start = addr;
	out->initrd_size = cfg->initrd_size;
	return 0;
}

static int build_zero_page(const struct guest_mem *m,
			   const struct kernel_load *k,
			   const struct boot_config *cfg,
			   struct boot_setup *out, struct lg_error *err)
{
	struct boot_params *bp = gmem_ptr(m, LAYOUT_ZERO_PAGE, sizeof(*bp));

	if (!bp)
		return lg_fail(err, "no guest memory for the zero page");
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &k->hdr, k->hdr_len);
	/* The loader's fields: an image's own would pass a phantom initrd. */
	bp->hdr.ramdisk_image = 0;
	bp->hdr.ramdisk_size = 0;
	bp->hdr.type_of_loader = 0xff; /* "undefined": we have no ID */
	bp->hdr.loadflags |= LOADED_HIGH;
	bp->acpi_rsdp_addr = cfg->acpi_rsdp;
	build_e820(m, bp);
	if (place_cmdline(m, k, cfg->cmdline ? cfg->cmdline : "", bp, err))
		return -1;
	if (place_initrd(m, k, cfg, bp, out, err))
		return -1;
	out->zero_page = LAYOUT_ZERO_PAGE;
	return 0;
}

bool is_elf(const uint8_t *image, size_t len)
{
	return len >= 4 && memcmp(image, "\177ELF", 4) == 0;
}

bool is_bzimage(const uint8_t *image, size_t len)
{
	return len >= 0x206 && memcmp(image + 0x202, "HdrS", 4) == 0;
}

int load_kernel(const struct guest_mem *m, const uint8_t *image, size_t len,
		const struct boot_config *cfg, struct boot_setup *out,
		struct lg_error *err)
{
	struct kernel_load k = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	if (m->low_size < LAYOUT_HIGH_MEM * 2)
		return lg_fail(err, "guest memory below the PCI hole (%llu bytes) is too small: need at least 2 MiB",
			       (unsigned long long)m->low_size);
	if (is_elf(image, len))
		ret = load_elf(m, image, len, &k, err);
	else if (is_bzimage(image, len))
		ret = load_bzimage(m, image, len, &k, err);
	else
		ret = lg_fail(err, "not a kernel: neither ELF magic nor a bzImage \"HdrS\" header (%zu bytes)",
			      len);
	if (ret)
		return ret;
	if (build_zero_page(m, &k, cfg, out, err))
		return -1;
	out->format = k.format;
	out->mode = k.mode;
	out->entry = k.entry;
	out->kernel_start = k.start;
	out->kernel_end = k.end;
	out->protocol = k.protocol;
	return 0;
}
