// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target "loader": a kernel image as a hostile user hands it to
 * bin/lguest, loaded the way bin/lguest loads it.  The input is
 *
 *	byte  0	guest memory: 2 + (byte % 63) MiB
 *	byte  1	flags (FLAG_* below)
 *	byte  2	with FLAG_SPLIT, MiB of RAM below the "PCI hole":
 *		1 + (byte % memory MiB); the rest sits at 4 GiB
 *	bytes 3-6	initrd size (bytes, or MiB with FLAG_INITRD_MIB)
 *	bytes 7-8	command line length (+64 KiB with FLAG_LONG_CMDLINE)
 *	then the command line, then the kernel image (the rest).
 *
 * and the target runs what load_guest() and vm_setup_vcpu() do before
 * KVM is involved: ACPI tables, load_kernel() (ELF64, ELF32 or bzImage,
 * zero page, command line, initrd) and the boot GDT and page tables.
 *
 * Guest memory is one buffer, allocated once at the largest size, with
 * the guest's RAM placed flush against a guard page at the top and a
 * guard page rewritten just below it for each input: a write past either
 * end breaks a canary (and, under ASan, faults on the spot).  The loader
 * never reads guest memory, so the next input's result cannot depend on
 * what this one left; the bytes the invariants read are zeroed after
 * each input so no check can pass on a previous input's bytes.
 */
#include <asm/bootparam.h>
#include <asm/e820.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "loader.h"
#include "x86/acpi.h"
#include "x86/cpu.h"
#include "x86/layout.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

#define MiB			(1024ULL * 1024)
#define MEM_MIN_MIB		2
#define MEM_MAX_MIB		64
#define MEM_MAX			(MEM_MAX_MIB * MiB)
#define GUARD			4096ULL
#define CANARY			0x5a
#define CMDLINE_BUF		(2 * LAYOUT_CMDLINE_MAX)
#define PAGE			4096ULL

#define FLAG_INITRD		0x01	/* pass an initrd */
#define FLAG_SPLIT		0x02	/* RAM split around the PCI hole */
#define FLAG_INITRD_MIB		0x04	/* initrd size is in MiB: huge */
#define FLAG_LONG_CMDLINE	0x08	/* command line length + 64 KiB */

/*
 * arena: [guard][unused, for smaller guests][RAM of this input][guard]
 * initrd_src: the largest initrd that can fit, then a PROT_NONE page, so
 * an initrd said to be larger is read only if the loader wrongly took it.
 */
static uint8_t *arena, *initrd_src;
static char cmdline[CMDLINE_BUF + 1];

static uint8_t *top_guard(void)
{
	return arena + GUARD + MEM_MAX;
}

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("loader fuzz target: mmap");
		exit(1);
	}
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	arena = map_or_die(MEM_MAX + 2 * GUARD, PROT_READ | PROT_WRITE);
	memset(top_guard(), CANARY, GUARD);
	ASAN_POISON_MEMORY_REGION(top_guard(), GUARD);
	initrd_src = map_or_die(MEM_MAX + PAGE, PROT_READ | PROT_WRITE);
	for (i = 0; i < MEM_MAX; i++)
		initrd_src[i] = (uint8_t)(i * 13 + (i >> 12));
	if (mprotect(initrd_src + MEM_MAX, PAGE, PROT_NONE)) {
		perror("loader fuzz target: mprotect");
		exit(1);
	}
	return 0;
}

/* One input, decoded. */
struct load_input {
	struct guest_mem m;
	uint8_t *low_guard;
	struct boot_config cfg;
	const uint8_t *image;
	size_t image_len;
};

static void parse_input(const uint8_t *data, size_t size,
			struct load_input *li)
{
	struct fuzz_input in = { data, size, 0 };
	uint64_t mem_mib = MEM_MIN_MIB + fuzz_take(&in, 1) %
				       (MEM_MAX_MIB - MEM_MIN_MIB + 1);
	unsigned int flags = fuzz_take(&in, 1);
	uint64_t low_mib = 1 + fuzz_take(&in, 1) % mem_mib;
	uint64_t initrd_size = fuzz_take(&in, 4);
	size_t cmdline_len = fuzz_take(&in, 2);
	uint64_t mem = mem_mib * MiB;
	uint8_t *host = top_guard() - mem;

	if (flags & FLAG_LONG_CMDLINE)
		cmdline_len += LAYOUT_CMDLINE_MAX;
	if (cmdline_len > in.size - in.pos)
		cmdline_len = in.size - in.pos;
	memcpy(cmdline, in.data + in.pos, cmdline_len);
	cmdline[cmdline_len] = '\0';
	in.pos += cmdline_len;
	li->image = fuzz_rest(&in, &li->image_len);

	gmem_init(&li->m, host, mem,
		  flags & FLAG_SPLIT ? low_mib * MiB : LAYOUT_LOW_RAM_LIMIT);
	li->low_guard = host - GUARD;
	li->cfg = (struct boot_config){ .cmdline = cmdline };
	if (flags & FLAG_INITRD) {
		li->cfg.initrd = initrd_src;
		li->cfg.initrd_size = flags & FLAG_INITRD_MIB ?
					      initrd_size * MiB : initrd_size;
	}
}

static void guard_low(const struct load_input *li)
{
	memset(li->low_guard, CANARY, GUARD);
	ASAN_POISON_MEMORY_REGION(li->low_guard, GUARD);
}

static bool canaries_intact(const uint8_t *p)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		if (p[i] != CANARY)
			return false;
	return true;
}

/* Unpoison the low guard (the next, larger guest may use it) and check. */
static void check_guards(const struct load_input *li)
{
	ASAN_UNPOISON_MEMORY_REGION(li->low_guard, GUARD);
	fuzz_invariant(canaries_intact(li->low_guard),
		       "a write below guest memory");
	ASAN_UNPOISON_MEMORY_REGION(top_guard(), GUARD);
	fuzz_invariant(canaries_intact(top_guard()),
		       "a write above guest memory");
	ASAN_POISON_MEMORY_REGION(top_guard(), GUARD);
}

/* ------------------------------------------------------------------ */
/* What a successful load must look like                               */
/* ------------------------------------------------------------------ */

struct region {
	const char *name;
	uint64_t gpa, len;
	bool ram;		/* must be RAM in the E820 map */
};

#define MAX_REGIONS 12

struct layout {
	struct region r[MAX_REGIONS];
	unsigned int n;
};

static void add_region(struct layout *l, const char *name, uint64_t gpa,
		       uint64_t len, bool ram)
{
	if (len)
		l->r[l->n++] = (struct region){ name, gpa, len, ram };
}

static bool overlap(const struct region *a, const struct region *b)
{
	return a->gpa < b->gpa + b->len && b->gpa < a->gpa + a->len;
}

/* Is [gpa, gpa + len) inside one E820 RAM entry? */
static bool e820_ram(const struct boot_params *bp, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		if (e->type == E820_RAM && gpa >= e->addr &&
		    range_within(gpa - e->addr, len, e->size))
			return true;
	}
	return false;
}

static void check_e820(const struct guest_mem *m, const struct boot_params *bp)
{
	uint64_t ram = 0;
	unsigned int i;

	fuzz_invariant(bp->e820_entries >= 1 &&
			       bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE,
		       "%u E820 entries", bp->e820_entries);
	for (i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		if (e->type != E820_RAM)
			continue;
		fuzz_invariant(gmem_range_ok(m, e->addr, e->size),
			       "E820 RAM %#llx+%#llx is not guest memory",
			       (unsigned long long)e->addr,
			       (unsigned long long)e->size);
		ram += e->size;
	}
	fuzz_invariant(ram + (LAYOUT_HIGH_MEM - LAYOUT_EBDA) == m->size,
		       "E820 lists %#llx bytes of RAM for %#llx of guest memory",
		       (unsigned long long)ram, (unsigned long long)m->size);
}

/* Everything the loader and the boot tables placed, for overlap checks. */
static void collect_layout(const struct boot_setup *out,
			   const struct boot_params *bp, size_t cmdline_len,
			   struct layout *l)
{
	l->n = 0;
	add_region(l, "boot GDT and IDT", LAYOUT_GDT,
		   LAYOUT_IDT + 8 - LAYOUT_GDT, true);
	add_region(l, "zero page", out->zero_page, sizeof(*bp), true);
	if (out->mode == ENTRY_64BIT)
		add_region(l, "page tables", LAYOUT_PML4,
			   LAYOUT_PD + LAYOUT_PD_COUNT * PAGE - LAYOUT_PML4,
			   true);
	add_region(l, "command line", bp->hdr.cmd_line_ptr, cmdline_len + 1,
		   true);
	add_region(l, "BIOS area (ACPI)", LAYOUT_BIOS_START,
		   LAYOUT_HIGH_MEM - LAYOUT_BIOS_START, false);
	add_region(l, "kernel", out->kernel_start,
		   out->kernel_end - out->kernel_start, true);
	add_region(l, "initrd", out->initrd_start, out->initrd_size, true);
}

static void check_layout(const struct guest_mem *m, const struct layout *l,
			 const struct boot_params *bp)
{
	unsigned int i, j;

	for (i = 0; i < l->n; i++) {
		const struct region *a = &l->r[i];

		fuzz_invariant(gmem_range_ok(m, a->gpa, a->len),
			       "%s %#llx+%#llx is not guest memory", a->name,
			       (unsigned long long)a->gpa,
			       (unsigned long long)a->len);
		for (j = i + 1; j < l->n; j++)
			fuzz_invariant(!overlap(a, &l->r[j]),
				       "%s %#llx+%#llx overlaps %s %#llx+%#llx",
				       a->name, (unsigned long long)a->gpa,
				       (unsigned long long)a->len,
				       l->r[j].name,
				       (unsigned long long)l->r[j].gpa,
				       (unsigned long long)l->r[j].len);
		if (a->ram)
			fuzz_invariant(e820_ram(bp, a->gpa, a->len),
				       "%s is not in E820 RAM", a->name);
	}
}

static void check_format(const struct boot_setup *out,
			 const struct boot_params *bp)
{
	const struct setup_header *h = &bp->hdr;

	if (!strcmp(out->format, "ELF64"))
		fuzz_invariant(out->mode == ENTRY_64BIT, "ELF64 not 64-bit");
	else if (!strcmp(out->format, "ELF32"))
		fuzz_invariant(out->mode == ENTRY_32BIT, "ELF32 not 32-bit");
	else
		fuzz_invariant(!strcmp(out->format, "bzImage"),
			       "format \"%s\"", out->format);
	if (strcmp(out->format, "bzImage"))
		return;
	fuzz_invariant(out->protocol >= 0x0206, "protocol %#x",
		       out->protocol);
	fuzz_invariant(h->code32_start == out->kernel_start,
		       "code32_start %#x, kernel at %#llx", h->code32_start,
		       (unsigned long long)out->kernel_start);
	if (h->relocatable_kernel)
		fuzz_invariant(out->kernel_start % h->kernel_alignment == 0,
			       "relocatable kernel at %#llx, alignment %#x",
			       (unsigned long long)out->kernel_start,
			       h->kernel_alignment);
	fuzz_invariant(strlen(cmdline) <= h->cmdline_size,
		       "command line of %zu bytes, cmdline_size %u",
		       strlen(cmdline), h->cmdline_size);
	if (out->initrd_size)
		fuzz_invariant(out->initrd_start + out->initrd_size - 1 <=
				       h->initrd_addr_max,
			       "initrd ends past initrd_addr_max %#x",
			       h->initrd_addr_max);
}

/* The bytes the guest will find: the command line and the initrd. */
static void check_contents(const struct load_input *li,
			   const struct boot_setup *out,
			   const struct boot_params *bp, size_t cmdline_len)
{
	const char *cl = gmem_ptr(&li->m, bp->hdr.cmd_line_ptr,
				  cmdline_len + 1);

	fuzz_invariant(cl && !memcmp(cl, cmdline, cmdline_len + 1),
		       "command line in guest memory differs");
	fuzz_invariant(bp->hdr.type_of_loader == 0xff &&
			       bp->hdr.loadflags & LOADED_HIGH,
		       "zero page loader fields");
	fuzz_invariant(bp->hdr.ramdisk_image == out->initrd_start &&
			       bp->hdr.ramdisk_size == out->initrd_size,
		       "zero page initrd %#x+%#x, loader said %#llx+%#llx",
		       bp->hdr.ramdisk_image, bp->hdr.ramdisk_size,
		       (unsigned long long)out->initrd_start,
		       (unsigned long long)out->initrd_size);
	if (!li->cfg.initrd) {
		fuzz_invariant(!out->initrd_size, "an initrd from nowhere");
		return;
	}
	fuzz_invariant(out->initrd_size == li->cfg.initrd_size &&
			       !memcmp(gmem_ptr(&li->m, out->initrd_start,
						out->initrd_size),
				       initrd_src, out->initrd_size),
		       "initrd in guest memory differs");
}

static void check_success(const struct load_input *li,
			  const struct boot_setup *out)
{
	const struct boot_params *bp =
		gmem_ptr(&li->m, out->zero_page, sizeof(*bp));
	size_t cmdline_len = strlen(cmdline);
	struct layout l;

	fuzz_invariant(out->format && bp, "no format or zero page");
	fuzz_invariant(out->entry >= out->kernel_start &&
			       out->entry < out->kernel_end,
		       "entry %#llx outside the kernel %#llx-%#llx",
		       (unsigned long long)out->entry,
		       (unsigned long long)out->kernel_start,
		       (unsigned long long)out->kernel_end);
	check_format(out, bp);
	check_e820(&li->m, bp);
	collect_layout(out, bp, cmdline_len, &l);
	check_layout(&li->m, &l, bp);
	check_contents(li, out, bp, cmdline_len);
}

/* Zero what check_success() read, so the next input starts clean. */
static void scrub(const struct load_input *li, const struct boot_setup *out)
{
	void *p;

	if ((p = gmem_ptr(&li->m, LAYOUT_ZERO_PAGE, PAGE)))
		memset(p, 0, PAGE);
	if ((p = gmem_ptr(&li->m, LAYOUT_CMDLINE, strlen(cmdline) + 1)))
		memset(p, 0, strlen(cmdline) + 1);
	if (out->initrd_size &&
	    (p = gmem_ptr(&li->m, out->initrd_start, out->initrd_size)))
		memset(p, 0, out->initrd_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct load_input li;
	struct boot_setup out;
	struct lg_error err = { .msg = "" };
	int ret;

	parse_input(data, size, &li);
	guard_low(&li);
	li.cfg.acpi_rsdp = acpi_write_tables(&li.m, 1);
	ret = load_kernel(&li.m, li.image, li.image_len, &li.cfg, &out, &err);
	if (!ret)
		fuzz_invariant(!x86_write_boot_tables(&li.m, out.mode),
			       "no room for the boot tables after a load");
	check_guards(&li);
	if (ret) {
		fuzz_invariant(ret == -1 && err.msg[0],
			       "load_kernel returned %d with no message", ret);
	} else {
		fuzz_invariant(li.cfg.acpi_rsdp >= LAYOUT_BIOS_START &&
				       li.cfg.acpi_rsdp < LAYOUT_HIGH_MEM,
			       "RSDP at %#llx",
			       (unsigned long long)li.cfg.acpi_rsdp);
		check_success(&li, &out);
	}
	scrub(&li, &out);
	return 0;
}
