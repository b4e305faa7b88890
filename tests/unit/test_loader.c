// SPDX-License-Identifier: GPL-2.0
/*
 * load_kernel(): valid ELF64, ELF32 and bzImage kernels land where the
 * boot protocol says with a correct zero page, and every malformed image
 * is refused with a useful message, without a byte written outside guest
 * memory or read past the end of the image.
 */
#include <stddef.h>

#include <asm/e820.h>

#include "loader.h"
#include "unit_helpers.h"
#include "x86/layout.h"

#define DEFAULT_MEM	(32 * MiB)
#define DEFAULT_CMDLINE	"console=ttyS0 root=/dev/vda"
#define INITRD_MAX	(2 * DEFAULT_MEM)

/* One load_kernel() call: its inputs, and what it left behind. */
struct load_ctx {
	struct kimg img;
	uint64_t mem_size, low_limit;
	const char *cmdline;
	size_t cmdline_len;	/* non-zero: a command line of this many 'x' */
	uint64_t initrd_size;	/* 0: no initrd */
	bool initrd_empty;	/* an initrd pointer with size 0 */
	uint64_t acpi_rsdp;

	struct test_mem tm;
	struct boot_setup out;
	struct lg_error err;
	int ret;
};

static uint8_t initrd_pattern(size_t i)
{
	return (uint8_t)(i * 13 + 5);
}

static void ctx_init(struct load_ctx *c, void (*build)(struct kimg *))
{
	memset(c, 0, sizeof(*c));
	build(&c->img);
	c->mem_size = DEFAULT_MEM;
	c->low_limit = LAYOUT_LOW_RAM_LIMIT;
	c->cmdline = DEFAULT_CMDLINE;
}

/*
 * Load with the image and the initrd each ending at an unmapped page, so
 * an over-read faults (libcheck reports the signal as a failure), and
 * check the guards around guest memory whatever the outcome.
 */
static int ctx_load(struct load_ctx *c)
{
	struct guarded_buf gimg, ginitrd = { 0 };
	struct boot_config cfg = { .cmdline = c->cmdline,
				   .acpi_rsdp = c->acpi_rsdp };
	char *long_cmdline = NULL;

	tmem_init(&c->tm, c->mem_size, c->low_limit);
	if (c->cmdline_len) {
		long_cmdline = malloc(c->cmdline_len + 1);
		ck_assert_ptr_nonnull(long_cmdline);
		memset(long_cmdline, 'x', c->cmdline_len);
		long_cmdline[c->cmdline_len] = '\0';
		cfg.cmdline = long_cmdline;
	}
	if (c->initrd_size || c->initrd_empty) {
		uint8_t *src;
		size_t i;

		ck_assert_uint_le(c->initrd_size, INITRD_MAX);
		src = malloc(c->initrd_size + 1);
		ck_assert_ptr_nonnull(src);
		for (i = 0; i < c->initrd_size; i++)
			src[i] = initrd_pattern(i);
		cfg.initrd = guarded_copy(&ginitrd, src, c->initrd_size);
		cfg.initrd_size = c->initrd_size;
		free(src);
	}
	memset(&c->err, 0, sizeof(c->err));
	c->ret = load_kernel(&c->tm.m, guarded_copy(&gimg, c->img.buf,
						     c->img.len),
			     c->img.len, &cfg, &c->out, &c->err);
	ck_assert_msg(tmem_guards_intact(&c->tm),
		      "load_kernel wrote outside guest memory");
	guarded_free(&gimg);
	if (cfg.initrd)
		guarded_free(&ginitrd);
	free(long_cmdline);
	return c->ret;
}

static void ctx_load_ok(struct load_ctx *c)
{
	ck_assert_msg(ctx_load(c) == 0, "load_kernel failed: %s", c->err.msg);
}

static struct boot_params *zero_page(struct load_ctx *c)
{
	ck_assert_uint_eq(c->out.zero_page, LAYOUT_ZERO_PAGE);
	return tmem_at(&c->tm, LAYOUT_ZERO_PAGE, sizeof(struct boot_params));
}

static bool matches_pattern(const uint8_t *p, size_t len,
			    uint8_t (*pattern)(size_t))
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(i))
			return false;
	return true;
}

/* The parts of the zero page every format must get right. */
static void check_common_zero_page(struct load_ctx *c, const char *cmdline)
{
	struct boot_params *bp = zero_page(c);

	ck_assert_uint_eq(bp->hdr.boot_flag, 0xaa55);
	ck_assert_uint_eq(bp->hdr.header, 0x53726448);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert(bp->hdr.loadflags & LOADED_HIGH);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	ck_assert_uint_eq(bp->acpi_rsdp_addr, c->acpi_rsdp);
	ck_assert_str_eq(tmem_at(&c->tm, LAYOUT_CMDLINE, strlen(cmdline) + 1),
			 cmdline);
	/* Fields no loader sets must be zero, not left-over RAM. */
	ck_assert(all_bytes(&bp->screen_info, 0, sizeof(bp->screen_info)));
	ck_assert(all_bytes(bp->_pad8, 0, sizeof(bp->_pad8)));
}

/* ------------------------------------------------------------------ */
/* ELF                                                                 */
/* ------------------------------------------------------------------ */

static const struct {
	const char *format;
	void (*build)(struct kimg *);
	enum entry_mode mode;
} elf_kinds[] = {
	{ "ELF64", build_elf64, ENTRY_64BIT },
	{ "ELF32", build_elf32, ENTRY_32BIT },
};

START_TEST(test_elf_valid)
{
	struct load_ctx c;
	const uint8_t *seg;

	ctx_init(&c, elf_kinds[_i].build);
	ctx_load_ok(&c);
	ck_assert_str_eq(c.out.format, elf_kinds[_i].format);
	ck_assert_int_eq(c.out.mode, elf_kinds[_i].mode);
	ck_assert_uint_eq(c.out.entry, ELF_ENTRY);
	ck_assert_uint_eq(c.out.kernel_start, ELF_SEG_PADDR);
	ck_assert_uint_eq(c.out.kernel_end, ELF_SEG_PADDR + ELF_SEG_MEMSZ);
	ck_assert_uint_eq(c.out.protocol, 0);
	ck_assert_uint_eq(c.out.initrd_start, 0);

	/* p_paddr, not p_vaddr; file bytes, then zeroed bss, then nothing. */
	seg = tmem_at(&c.tm, ELF_SEG_PADDR - 1, ELF_SEG_MEMSZ + 2);
	ck_assert_uint_eq(seg[0], TMEM_FILL_BYTE);
	ck_assert(matches_pattern(seg + 1, ELF_SEG_FILESZ, kimg_pattern));
	ck_assert(all_bytes(seg + 1 + ELF_SEG_FILESZ, 0,
			    ELF_SEG_MEMSZ - ELF_SEG_FILESZ));
	ck_assert_uint_eq(seg[ELF_SEG_MEMSZ + 1], TMEM_FILL_BYTE);

	/* An ELF brings no setup header, so the loader supplies one. */
	check_common_zero_page(&c, DEFAULT_CMDLINE);
	ck_assert_uint_ge(zero_page(&c)->hdr.version, 0x0206);
	ck_assert_uint_eq(zero_page(&c)->hdr.cmdline_size,
			  LAYOUT_CMDLINE_MAX - 1);
	tmem_free(&c.tm);
}
END_TEST

/* An entry point on the last byte of the segment is still inside it. */
START_TEST(test_elf_entry_last_byte)
{
	struct load_ctx c;

	ctx_init(&c, elf_kinds[_i].build);
	if (elf_kinds[_i].mode == ENTRY_64BIT)
		elf64_ehdr(&c.img)->e_entry = ELF_SEG_PADDR + ELF_SEG_MEMSZ - 1;
	else
		elf32_ehdr(&c.img)->e_entry = ELF_SEG_PADDR + ELF_SEG_MEMSZ - 1;
	ctx_load_ok(&c);
	ck_assert_uint_eq(c.out.entry, ELF_SEG_PADDR + ELF_SEG_MEMSZ - 1);
	tmem_free(&c.tm);
}
END_TEST

/* ------------------------------------------------------------------ */
/* bzImage                                                             */
/* ------------------------------------------------------------------ */

/* Rebuild the test bzImage with a different number of setup sectors. */
static void bz_set_setup_sects(struct kimg *k, uint8_t field)
{
	size_t sects = field ? field : 4;
	size_t off = (sects + 1) * 512;

	ck_assert_uint_le(off + BZ_PAYLOAD_LEN, sizeof(k->buf));
	memmove(k->buf + off, k->buf + BZ_PAYLOAD_OFFSET, BZ_PAYLOAD_LEN);
	if (off > BZ_PAYLOAD_OFFSET)
		memset(k->buf + BZ_PAYLOAD_OFFSET, 0, off - BZ_PAYLOAD_OFFSET);
	bz_hdr(k)->setup_sects = field;
	k->len = off + BZ_PAYLOAD_LEN;
}

static void check_payload_at(struct load_ctx *c, uint64_t gpa)
{
	ck_assert_msg(matches_pattern(tmem_at(&c->tm, gpa, BZ_PAYLOAD_LEN),
				      BZ_PAYLOAD_LEN, kimg_pattern),
		      "protected-mode kernel not copied to %#llx",
		      (unsigned long long)gpa);
}

static const struct {
	uint16_t xloadflags;
	enum entry_mode mode;
	uint64_t entry_offset;
} entry_modes[] = {
	{ XLF_KERNEL_64, ENTRY_64BIT, 0x200 },	/* startup_64 */
	{ 0, ENTRY_32BIT, 0 },			/* startup_32 */
	{ XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G, ENTRY_64BIT, 0x200 },
};

START_TEST(test_bzimage_entry_mode)
{
	struct load_ctx c;

	ctx_init(&c, build_bzimage);
	bz_hdr(&c.img)->xloadflags = entry_modes[_i].xloadflags;
	ctx_load_ok(&c);
	ck_assert_str_eq(c.out.format, "bzImage");
	ck_assert_uint_eq(c.out.protocol, 0x020f);
	ck_assert_int_eq(c.out.mode, entry_modes[_i].mode);
	ck_assert_uint_eq(c.out.entry,
			  c.out.kernel_start + entry_modes[_i].entry_offset);
	tmem_free(&c.tm);
}
END_TEST

/* 0 is the old default of 4; the others move the kernel. */
static const uint8_t setup_sects[] = { 0, 1, 4, 15 };

START_TEST(test_bzimage_setup_sects)
{
	struct load_ctx c;

	ctx_init(&c, build_bzimage);
	bz_set_setup_sects(&c.img, setup_sects[_i]);
	ctx_load_ok(&c);
	check_payload_at(&c, c.out.kernel_start);
	tmem_free(&c.tm);
}
END_TEST

/* Where the protected-mode kernel goes, and how much it reserves. */
static const struct {
	const char *name;
	uint16_t version;
	uint8_t relocatable;
	uint64_t pref;
	uint32_t init_size;
	uint64_t start, end;
} placements[] = {
	{ "relocatable at pref_address", 0x020f, 1, BZ_PREF_ADDRESS,
	  BZ_INIT_SIZE, BZ_PREF_ADDRESS, BZ_PREF_ADDRESS + BZ_INIT_SIZE },
	{ "misaligned pref_address", 0x020f, 1, BZ_PREF_ADDRESS + 0x1000,
	  BZ_INIT_SIZE, BZ_ALIGN, BZ_ALIGN + BZ_INIT_SIZE },
	{ "pref_address below 1 MiB", 0x020f, 1, 0,
	  BZ_INIT_SIZE, BZ_ALIGN, BZ_ALIGN + BZ_INIT_SIZE },
	{ "pref_address + init_size past memory", 0x020f, 1,
	  DEFAULT_MEM - 2 * MiB, BZ_INIT_SIZE, BZ_ALIGN,
	  BZ_ALIGN + BZ_INIT_SIZE },
	/* Before 2.10 pref_address and init_size are not defined. */
	{ "protocol 2.09 ignores pref/init_size", 0x0209, 1, BZ_PREF_ADDRESS,
	  BZ_INIT_SIZE, BZ_ALIGN, BZ_ALIGN + BZ_PAYLOAD_LEN },
	{ "non-relocatable, unpacks at pref_address", 0x020f, 0,
	  BZ_PREF_ADDRESS, BZ_INIT_SIZE, LAYOUT_HIGH_MEM,
	  BZ_PREF_ADDRESS + BZ_INIT_SIZE },
	/* It unpacks in place, so init_size counts from 1 MiB. */
	{ "non-relocatable, pref_address 1 MiB", 0x020f, 0, LAYOUT_HIGH_MEM,
	  BZ_INIT_SIZE, LAYOUT_HIGH_MEM, LAYOUT_HIGH_MEM + BZ_INIT_SIZE },
};

START_TEST(test_bzimage_placement)
{
	struct load_ctx c;
	struct setup_header *h;

	ctx_init(&c, build_bzimage);
	h = bz_hdr(&c.img);
	h->version = placements[_i].version;
	h->relocatable_kernel = placements[_i].relocatable;
	h->pref_address = placements[_i].pref;
	h->init_size = placements[_i].init_size;
	ctx_load_ok(&c);
	ck_assert_msg(c.out.kernel_start == placements[_i].start &&
			      c.out.kernel_end == placements[_i].end,
		      "%s: kernel at [%#llx, %#llx), expected [%#llx, %#llx)",
		      placements[_i].name,
		      (unsigned long long)c.out.kernel_start,
		      (unsigned long long)c.out.kernel_end,
		      (unsigned long long)placements[_i].start,
		      (unsigned long long)placements[_i].end);
	check_payload_at(&c, c.out.kernel_start);
	/* The kernel's decompressor reads where it was put from here. */
	ck_assert_uint_eq(zero_page(&c)->hdr.code32_start, c.out.kernel_start);
	tmem_free(&c.tm);
}
END_TEST

START_TEST(test_bzimage_zero_page)
{
	struct load_ctx c;
	struct setup_header *h;

	ctx_init(&c, build_bzimage);
	bz_hdr(&c.img)->type_of_loader = 0x42; /* ours must replace it */
	c.img.buf[0x1ef] = 0xff; /* header.S's sentinel: outside the header */
	c.acpi_rsdp = LAYOUT_BIOS_START;
	ctx_load_ok(&c);
	check_common_zero_page(&c, DEFAULT_CMDLINE);
	ck_assert_uint_eq(zero_page(&c)->sentinel, 0);
	h = &zero_page(&c)->hdr;
	ck_assert_uint_eq(h->version, 0x020f);
	ck_assert_uint_eq(h->setup_sects, BZ_SETUP_SECTS);
	ck_assert_uint_eq(h->kernel_alignment, BZ_ALIGN);
	ck_assert_uint_eq(h->cmdline_size, BZ_CMDLINE_SIZE);
	ck_assert_uint_eq(h->initrd_addr_max, BZ_INITRD_ADDR_MAX);
	ck_assert_uint_eq(h->init_size, BZ_INIT_SIZE);
	ck_assert_uint_eq(h->ramdisk_image, 0);
	ck_assert_uint_eq(h->ramdisk_size, 0);
	tmem_free(&c.tm);
}
END_TEST

/*
 * ramdisk_image and ramdisk_size are the boot loader's to write: an
 * image that brings its own must not give the kernel an initrd that is
 * not there (found by the loader fuzzer).
 */
START_TEST(test_bzimage_own_ramdisk_fields)
{
	struct load_ctx c;

	ctx_init(&c, build_bzimage);
	bz_hdr(&c.img)->ramdisk_image = 0x1000;
	bz_hdr(&c.img)->ramdisk_size = 0xfffffe00;
	ctx_load_ok(&c);
	ck_assert_uint_eq(zero_page(&c)->hdr.ramdisk_image, 0);
	ck_assert_uint_eq(zero_page(&c)->hdr.ramdisk_size, 0);
	ck_assert_uint_eq(c.out.initrd_size, 0);
	tmem_free(&c.tm);
}
END_TEST

/*
 * The header is 0x202 + byte[0x201] long: bytes after it belong to the
 * setup code and must not leak into the zero page as header fields.
 */
START_TEST(test_bzimage_header_length)
{
	const size_t cut = offsetof(struct setup_header, pref_address);
	const size_t end = BZ_HDR_OFFSET + cut;
	struct load_ctx c;
	const uint8_t *zp_hdr;

	ctx_init(&c, build_bzimage);
	bz_hdr(&c.img)->jump = 0xeb | (uint16_t)((end - 0x202) << 8);
	memset(c.img.buf + end, 0x77, BZ_HDR_OFFSET +
	       sizeof(struct setup_header) - end);
	ctx_load_ok(&c);
	zp_hdr = (const uint8_t *)&zero_page(&c)->hdr;
	ck_assert(all_bytes(zp_hdr + cut, 0,
			    sizeof(struct setup_header) - cut));
	/* Without pref_address the kernel goes to the first aligned spot. */
	ck_assert_uint_eq(c.out.kernel_start, BZ_ALIGN);
	tmem_free(&c.tm);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Command line, E820, initrd                                          */
/* ------------------------------------------------------------------ */

/* Command lines right at each limit; length 0 passes a NULL cmdline. */
static const struct {
	void (*build)(struct kimg *);
	uint32_t cmdline_size;	/* bzImage only; 0: keep */
	size_t len;
} cmdlines[] = {
	{ build_bzimage, BZ_CMDLINE_SIZE, BZ_CMDLINE_SIZE },
	{ build_bzimage, BZ_CMDLINE_SIZE, 0 },
	/* A kernel that takes more than our buffer gets the buffer. */
	{ build_bzimage, 0xffffffff, LAYOUT_CMDLINE_MAX - 1 },
	{ build_elf64, 0, LAYOUT_CMDLINE_MAX - 1 },
	{ build_elf32, 0, 0 },
};

START_TEST(test_cmdline_limits)
{
	struct load_ctx c;
	char *s;

	ctx_init(&c, cmdlines[_i].build);
	if (cmdlines[_i].cmdline_size)
		bz_hdr(&c.img)->cmdline_size = cmdlines[_i].cmdline_size;
	c.cmdline_len = cmdlines[_i].len;
	c.cmdline = NULL;
	ctx_load_ok(&c);
	s = tmem_at(&c.tm, LAYOUT_CMDLINE, cmdlines[_i].len + 1);
	ck_assert_uint_eq(strlen(s), cmdlines[_i].len);
	ck_assert(all_bytes(s, 'x', cmdlines[_i].len));
	tmem_free(&c.tm);
}
END_TEST

/* Memory layouts: ordinary, split around a (shrunk) PCI hole, minimal. */
static const struct {
	uint64_t size, low_limit;
} e820_layouts[] = {
	{ DEFAULT_MEM, LAYOUT_LOW_RAM_LIMIT },
	{ 6 * MiB, 4 * MiB },
	{ 2 * MiB, LAYOUT_LOW_RAM_LIMIT },
};

START_TEST(test_e820)
{
	const uint64_t size = e820_layouts[_i].size;
	const uint64_t low = size < e820_layouts[_i].low_limit ?
				     size : e820_layouts[_i].low_limit;
	bool ram_at_0 = false, ram_high_mem = false, ram_above_4g = false;
	uint64_t ram = 0, prev_end = 0;
	struct boot_params *bp;
	struct load_ctx c;
	unsigned int i;

	ctx_init(&c, build_elf64);
	c.mem_size = size;
	c.low_limit = e820_layouts[_i].low_limit;
	ctx_load_ok(&c);
	bp = zero_page(&c);
	ck_assert_uint_ge(bp->e820_entries, 2);
	ck_assert_uint_le(bp->e820_entries, ARRAY_SIZE(bp->e820_table));
	for (i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		ck_assert_uint_gt(e->size, 0);
		ck_assert_msg(i == 0 || e->addr >= prev_end,
			      "e820 entry %u unsorted or overlapping", i);
		prev_end = e->addr + e->size;
		if (e->type != E820_RAM)
			continue;
		/* RAM must really be RAM, and never the VGA/BIOS hole. */
		ck_assert_msg(gmem_range_ok(&c.tm.m, e->addr, e->size),
			      "e820 RAM [%#llx, +%#llx) is not guest memory",
			      (unsigned long long)e->addr,
			      (unsigned long long)e->size);
		ck_assert(e->addr >= LAYOUT_HIGH_MEM || prev_end <= 0xa0000);
		ram += e->size;
		ram_at_0 |= e->addr == 0;
		ram_high_mem |= e->addr == LAYOUT_HIGH_MEM &&
				e->size == low - LAYOUT_HIGH_MEM;
		ram_above_4g |= e->addr == GMEM_HIGH_BASE &&
				e->size == size - low;
	}
	ck_assert(ram_at_0);
	ck_assert(ram_high_mem);
	ck_assert_int_eq(ram_above_4g, size > low);
	ck_assert_uint_eq(ram, size - (LAYOUT_HIGH_MEM - LAYOUT_EBDA));
	tmem_free(&c.tm);
}
END_TEST

static const struct {
	const char *name;
	void (*build)(struct kimg *);
	uint32_t initrd_addr_max;	/* bzImage only; 0: keep */
	uint64_t size, mem_size, low_limit;
} initrds[] = {
	{ "ELF64", build_elf64, 0, 0x3001, DEFAULT_MEM, LAYOUT_LOW_RAM_LIMIT },
	{ "ELF32, one page", build_elf32, 0, 0x1000, DEFAULT_MEM,
	  LAYOUT_LOW_RAM_LIMIT },
	{ "bzImage, limit above memory", build_bzimage, 0, 0x3001, DEFAULT_MEM,
	  LAYOUT_LOW_RAM_LIMIT },
	{ "bzImage, limit below memory", build_bzimage, 0x17fffff, 0x3001,
	  DEFAULT_MEM, LAYOUT_LOW_RAM_LIMIT },
	{ "bzImage, unaligned limit", build_bzimage, 0x17ff7ff, 0x3001,
	  DEFAULT_MEM, LAYOUT_LOW_RAM_LIMIT },
	/* Only low RAM is below any 32-bit initrd_addr_max. */
	{ "bzImage, RAM above 4 GiB", build_bzimage, 0, 0x3001, 40 * MiB,
	  DEFAULT_MEM },
	{ "bzImage, fills the gap above the kernel", build_bzimage, 0,
	  DEFAULT_MEM - BZ_PREF_ADDRESS - BZ_INIT_SIZE, DEFAULT_MEM,
	  LAYOUT_LOW_RAM_LIMIT },
};

START_TEST(test_initrd_placement)
{
	struct load_ctx c;
	struct boot_params *bp;
	uint64_t top, addr, size = initrds[_i].size;

	ctx_init(&c, initrds[_i].build);
	if (initrds[_i].initrd_addr_max)
		bz_hdr(&c.img)->initrd_addr_max = initrds[_i].initrd_addr_max;
	c.mem_size = initrds[_i].mem_size;
	c.low_limit = initrds[_i].low_limit;
	c.initrd_size = size;
	ctx_load_ok(&c);

	bp = zero_page(&c);
	top = c.tm.m.low_size;
	if ((uint64_t)bp->hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)bp->hdr.initrd_addr_max + 1;
	addr = c.out.initrd_start;
	ck_assert_msg(addr % 4096 == 0, "%s: initrd at %#llx not page aligned",
		      initrds[_i].name, (unsigned long long)addr);
	/* As high as it goes: less than a page from the top. */
	ck_assert_msg(addr + size <= top && top - (addr + size) < 4096,
		      "%s: initrd [%#llx, +%#llx) not at the top %#llx",
		      initrds[_i].name, (unsigned long long)addr,
		      (unsigned long long)size, (unsigned long long)top);
	ck_assert_uint_ge(addr, c.out.kernel_end);
	ck_assert_uint_eq(c.out.initrd_size, size);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, addr);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, size);
	ck_assert(matches_pattern(tmem_at(&c.tm, addr, size), size,
				  initrd_pattern));
	tmem_free(&c.tm);
}
END_TEST

/* gmem_ptr() with RAM split around the hole, shrunk to a few MiB. */
START_TEST(test_gmem_split)
{
	static const struct {
		uint64_t gpa, len;
		long long host_off;	/* -1: not RAM */
	} rows[] = {
		{ 0, 4 * MiB, 0 },
		{ 4 * MiB - 1, 1, 4 * MiB - 1 },
		{ 4 * MiB - 1, 2, -1 },			/* into the hole */
		{ 4 * MiB, 1, -1 },
		{ GMEM_HIGH_BASE - 1, 2, -1 },		/* hole into high */
		{ GMEM_HIGH_BASE, 2 * MiB, 4 * MiB },
		{ GMEM_HIGH_BASE + 2 * MiB - 1, 1, 6 * MiB - 1 },
		{ GMEM_HIGH_BASE + 2 * MiB - 1, 2, -1 },
		{ GMEM_HIGH_BASE, UINT64_MAX, -1 },	/* wraps */
		{ UINT64_MAX, 1, -1 },
		{ 1, UINT64_MAX, -1 },
	};
	struct test_mem t;
	uint8_t *p;
	unsigned int i;

	tmem_init(&t, 6 * MiB, 4 * MiB);
	ck_assert_uint_eq(t.m.low_size, 4 * MiB);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		p = gmem_ptr(&t.m, rows[i].gpa, rows[i].len);
		ck_assert_msg(rows[i].host_off < 0 ?
				      p == NULL :
				      p == t.m.host + rows[i].host_off,
			      "gmem_ptr(%#llx, %#llx) = %p",
			      (unsigned long long)rows[i].gpa,
			      (unsigned long long)rows[i].len, (void *)p);
	}
	tmem_free(&t);

	/* Memory below the limit has no high part at all. */
	tmem_init(&t, 6 * MiB, LAYOUT_LOW_RAM_LIMIT);
	ck_assert_uint_eq(t.m.low_size, 6 * MiB);
	ck_assert_ptr_null(gmem_ptr(&t.m, GMEM_HIGH_BASE, 1));
	tmem_free(&t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed images                                                    */
/* ------------------------------------------------------------------ */

/* Overwrite one little-endian field of the built image. */
struct poke {
	size_t off;
	unsigned int width;	/* 0 ends the list */
	uint64_t val;
};

#define FSIZE(T, f) sizeof(((T *)0)->f)
#define IDENT(i, v) { (i), 1, (v) }
#define E64(f, v) { offsetof(Elf64_Ehdr, f), FSIZE(Elf64_Ehdr, f), (v) }
#define E32(f, v) { offsetof(Elf32_Ehdr, f), FSIZE(Elf32_Ehdr, f), (v) }
#define P64(f, v)							\
	{ ELF_PHOFF + ELF_LOAD_PHDR * sizeof(Elf64_Phdr) +		\
		  offsetof(Elf64_Phdr, f),				\
	  FSIZE(Elf64_Phdr, f), (v) }
#define P32(f, v)							\
	{ ELF_PHOFF + ELF_LOAD_PHDR * sizeof(Elf32_Phdr) +		\
		  offsetof(Elf32_Phdr, f),				\
	  FSIZE(Elf32_Phdr, f), (v) }
#define BZH(f, v)							\
	{ BZ_HDR_OFFSET + offsetof(struct setup_header, f),		\
	  FSIZE(struct setup_header, f), (v) }

#define ELF_LEN		(ELF_SEG_OFFSET + ELF_SEG_FILESZ)
#define BZ_LEN		(BZ_PAYLOAD_OFFSET + BZ_PAYLOAD_LEN)
#define BZ_HDR_END	(BZ_HDR_OFFSET + sizeof(struct setup_header))
#define NO_IMAGE	((size_t)-1)

static const struct bad_case {
	const char *name;
	void (*build)(struct kimg *);
	struct poke pokes[3];
	size_t len;		/* non-zero: the image's length instead */
	uint64_t mem_size, low_limit;	/* 0: defaults */
	uint64_t initrd_size;
	bool initrd_empty;
	size_t cmdline_len;
	const char *expect;
} bad_cases[] = {
	/* ELF headers */
	{ "ELF ident truncated", build_elf64, .len = 10,
	  .expect = "ELF header truncated" },
	{ "ELF64 header truncated", build_elf64,
	  .len = sizeof(Elf64_Ehdr) - 1, .expect = "ELF64 header truncated" },
	{ "ELF32 header truncated", build_elf32,
	  .len = sizeof(Elf32_Ehdr) - 1, .expect = "ELF32 header truncated" },
	{ "ELF class 3", build_elf64, { IDENT(EI_CLASS, 3) },
	  .expect = "neither 32- nor 64-bit" },
	{ "ELF class none", build_elf32, { IDENT(EI_CLASS, ELFCLASSNONE) },
	  .expect = "neither 32- nor 64-bit" },
	{ "big-endian ELF", build_elf64, { IDENT(EI_DATA, ELFDATA2MSB) },
	  .expect = "not little-endian" },
	{ "ELF64 for i386", build_elf64, { E64(e_machine, EM_386) },
	  .expect = "not x86-64" },
	{ "ELF32 for x86-64", build_elf32, { E32(e_machine, EM_X86_64) },
	  .expect = "not i386" },
	{ "ELF64 with ELF32 phentsize", build_elf64,
	  { E64(e_phentsize, sizeof(Elf32_Phdr)) },
	  .expect = "program header size" },
	{ "ELF32 with ELF64 phentsize", build_elf32,
	  { E32(e_phentsize, sizeof(Elf64_Phdr)) },
	  .expect = "program header size" },
	{ "phnum 0", build_elf64, { E64(e_phnum, 0) },
	  .expect = "program headers (expected" },
	{ "phnum 65535", build_elf64, { E64(e_phnum, 0xffff) },
	  .expect = "program headers (expected" },
	/* Absurd even though the file is long enough to hold them all. */
	{ "phnum 200", build_elf64, { E64(e_phnum, 200) }, .len = KIMG_MAX,
	  .expect = "program headers (expected" },
	{ "ELF64 program headers past EOF", build_elf64,
	  { E64(e_phoff, ELF_LEN - sizeof(Elf64_Phdr)) },
	  .expect = "run past the end of the file" },
	{ "ELF32 program headers past EOF", build_elf32,
	  { E32(e_phoff, ELF_LEN - sizeof(Elf32_Phdr)) },
	  .expect = "run past the end of the file" },
	{ "program header offset wraps", build_elf64,
	  { E64(e_phoff, UINT64_MAX - 0x10) },
	  .expect = "run past the end of the file" },
	/* ELF segments */
	{ "segment one byte past EOF", build_elf64,
	  { P64(p_filesz, ELF_SEG_FILESZ + 1) },
	  .expect = "runs past the end of the file" },
	{ "segment offset UINT64_MAX", build_elf64,
	  { P64(p_offset, UINT64_MAX) },
	  .expect = "runs past the end of the file" },
	{ "segment offset + filesz wraps", build_elf64,
	  { P64(p_offset, UINT64_MAX - 0xfff) },
	  .expect = "runs past the end of the file" },
	{ "ELF32 segment past EOF", build_elf32,
	  { P32(p_offset, ELF_LEN - 1) },
	  .expect = "runs past the end of the file" },
	{ "ELF64 filesz > memsz", build_elf64,
	  { P64(p_memsz, ELF_SEG_FILESZ - 1) },
	  .expect = "larger than memory size" },
	{ "ELF32 filesz > memsz", build_elf32,
	  { P32(p_memsz, ELF_SEG_FILESZ - 1) },
	  .expect = "larger than memory size" },
	{ "segment over the zero page", build_elf64,
	  { P64(p_paddr, LAYOUT_ZERO_PAGE), E64(e_entry, LAYOUT_ZERO_PAGE) },
	  .expect = "below 1 MiB" },
	{ "segment straddling 1 MiB", build_elf32,
	  { P32(p_paddr, LAYOUT_HIGH_MEM - 0x1000) },
	  .expect = "below 1 MiB" },
	{ "segment past guest memory", build_elf64,
	  { P64(p_paddr, DEFAULT_MEM - 0x1000) },
	  .expect = "outside guest memory" },
	{ "ELF32 segment at 4 GiB - 4 KiB", build_elf32,
	  { P32(p_paddr, 0xfffff000) },
	  .expect = "outside guest memory" },
	{ "segment paddr + memsz wraps", build_elf64,
	  { P64(p_paddr, UINT64_MAX - 0xfff) },
	  .expect = "outside guest memory" },
	{ "segment memsz UINT64_MAX", build_elf64,
	  { P64(p_memsz, UINT64_MAX) },
	  .expect = "outside guest memory" },
	{ "segment running into the PCI hole", build_elf64,
	  { P64(p_paddr, 4 * MiB - 0x1000) }, .mem_size = 8 * MiB,
	  .low_limit = 4 * MiB, .expect = "outside guest memory" },
	{ "no PT_LOAD", build_elf64, { P64(p_type, PT_NOTE) },
	  .expect = "no loadable segments" },
	{ "only an empty PT_LOAD", build_elf32,
	  { P32(p_filesz, 0), P32(p_memsz, 0) },
	  .expect = "no loadable segments" },
	{ "entry below the segment", build_elf64,
	  { E64(e_entry, ELF_SEG_PADDR - 1) },
	  .expect = "not inside any loaded segment" },
	{ "entry just past the bss", build_elf32,
	  { E32(e_entry, ELF_SEG_PADDR + ELF_SEG_MEMSZ) },
	  .expect = "not inside any loaded segment" },
	/* Neither format */
	{ "ELF magic off by one", build_elf64, { IDENT(3, 'G') },
	  .expect = "not a kernel" },
	{ "bzImage without HdrS", build_bzimage, { BZH(header, 0x53726447) },
	  .expect = "not a kernel" },
	{ "three bytes of ELF magic", build_elf64, .len = 3,
	  .expect = "not a kernel" },
	{ "empty file", build_elf64, .len = NO_IMAGE,
	  .expect = "not a kernel" },
	/* bzImage setup header */
	{ "bzImage cut after HdrS", build_bzimage, .len = 0x206,
	  .expect = "setup header truncated" },
	{ "bzImage cut one byte into the header", build_bzimage,
	  .len = BZ_HDR_END - 1, .expect = "setup header truncated" },
	{ "bad boot_flag", build_bzimage, { BZH(boot_flag, 0x55aa) },
	  .expect = "boot flag" },
	{ "protocol 2.05", build_bzimage, { BZH(version, 0x0205) },
	  .expect = "2.06 or later" },
	{ "header too short for cmdline_size", build_bzimage,
	  { BZH(jump, 0xeb | (0x20 << 8)) }, .expect = "too short" },
	{ "zImage (not LOADED_HIGH)", build_bzimage, { BZH(loadflags, 0) },
	  .expect = "not loaded high" },
	{ "setup_sects 255", build_bzimage, { BZH(setup_sects, 255) },
	  .expect = "past the end of the" },
	{ "setup_sects leaves no kernel", build_bzimage,
	  { BZH(setup_sects, BZ_LEN / 512 - 1) },
	  .expect = "past the end of the" },
	{ "syssize 0", build_bzimage, { BZH(syssize, 0) },
	  .expect = "syssize" },
	{ "syssize one paragraph too many", build_bzimage,
	  { BZH(syssize, BZ_PAYLOAD_LEN / 16 + 1) }, .expect = "syssize" },
	{ "syssize 0xffffffff", build_bzimage, { BZH(syssize, 0xffffffff) },
	  .expect = "syssize" },
	{ "64-bit kernel without room for startup_64", build_bzimage,
	  { BZH(syssize, 0x200 / 16) },
	  .len = BZ_PAYLOAD_OFFSET + 0x200,
	  .expect = "64-bit entry point" },
	/* bzImage placement */
	{ "kernel_alignment 3 MiB", build_bzimage,
	  { BZH(kernel_alignment, 3 * MiB) }, .expect = "kernel_alignment" },
	{ "kernel_alignment 0", build_bzimage, { BZH(kernel_alignment, 0) },
	  .expect = "kernel_alignment" },
	{ "kernel_alignment 2 GiB", build_bzimage,
	  { BZH(kernel_alignment, 0x80000000) },
	  .expect = "kernel_alignment" },
	{ "init_size larger than memory", build_bzimage,
	  { BZH(init_size, DEFAULT_MEM) }, .expect = "kernel needs memory" },
	{ "non-relocatable, pref_address past memory", build_bzimage,
	  { BZH(relocatable_kernel, 0), BZH(pref_address, 0x10000000) },
	  .expect = "kernel needs memory" },
	{ "non-relocatable, pref_address + init_size wraps", build_bzimage,
	  { BZH(relocatable_kernel, 0), BZH(pref_address, UINT64_MAX - 0xfff) },
	  .expect = "overflows" },
	/* Unpacking in place at 1 MiB needs init_size from there too. */
	{ "non-relocatable at 1 MiB, init_size larger than memory",
	  build_bzimage,
	  { BZH(relocatable_kernel, 0), BZH(pref_address, LAYOUT_HIGH_MEM),
	    BZH(init_size, DEFAULT_MEM) },
	  .expect = "kernel needs memory" },
	/* Initrd */
	{ "initrd larger than memory", build_bzimage,
	  .initrd_size = 2 * DEFAULT_MEM, .expect = "more than the" },
	{ "initrd larger than initrd_addr_max", build_bzimage,
	  { BZH(initrd_addr_max, 0xfff) }, .initrd_size = 0x2000,
	  .expect = "more than the" },
	{ "initrd_addr_max below the kernel's end", build_bzimage,
	  { BZH(initrd_addr_max, BZ_PREF_ADDRESS + BZ_INIT_SIZE - 1) },
	  .initrd_size = 0x3001, .expect = "does not fit between" },
	{ "initrd a byte too big for the gap", build_bzimage,
	  .initrd_size = DEFAULT_MEM - BZ_PREF_ADDRESS - BZ_INIT_SIZE + 1,
	  .expect = "does not fit between" },
	{ "ELF initrd over the kernel", build_elf64, .mem_size = 2 * MiB,
	  .initrd_size = MiB, .expect = "does not fit between" },
	{ "empty initrd", build_elf32, .initrd_empty = true,
	  .expect = "initrd is empty" },
	/* Command line */
	{ "command line over cmdline_size", build_bzimage,
	  .cmdline_len = BZ_CMDLINE_SIZE + 1, .expect = "command line is" },
	{ "command line over our buffer", build_elf64,
	  .cmdline_len = LAYOUT_CMDLINE_MAX, .expect = "command line is" },
	{ "bzImage with cmdline_size 0", build_bzimage,
	  { BZH(cmdline_size, 0) }, .cmdline_len = 1,
	  .expect = "command line is" },
	/* Guest memory */
	{ "guest memory 2 MiB - 4 KiB", build_elf64, .mem_size = 2 * MiB - 4096,
	  .expect = "too small" },
	{ "low guest memory 1 MiB", build_bzimage, .mem_size = 8 * MiB,
	  .low_limit = MiB, .expect = "too small" },
};

START_TEST(test_bad_image)
{
	const struct bad_case *b = &bad_cases[_i];
	const struct poke *p;
	struct load_ctx c;
	unsigned int i;

	ctx_init(&c, b->build);
	for (p = b->pokes; p < b->pokes + ARRAY_SIZE(b->pokes) && p->width;
	     p++)
		for (i = 0; i < p->width; i++)
			c.img.buf[p->off + i] = (uint8_t)(p->val >> (8 * i));
	if (b->len)
		c.img.len = b->len == NO_IMAGE ? 0 : b->len;
	if (b->mem_size)
		c.mem_size = b->mem_size;
	if (b->low_limit)
		c.low_limit = b->low_limit;
	c.initrd_size = b->initrd_size;
	c.initrd_empty = b->initrd_empty;
	c.cmdline_len = b->cmdline_len;

	ck_assert_msg(ctx_load(&c) == -1, "%s: load_kernel accepted it",
		      b->name);
	ck_assert_msg(strstr(c.err.msg, b->expect),
		      "%s: error \"%s\" does not mention \"%s\"", b->name,
		      c.err.msg, b->expect);
	tmem_free(&c.tm);
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc;

	tc = tcase_create("elf");
	tcase_add_loop_test(tc, test_elf_valid, 0, ARRAY_SIZE(elf_kinds));
	tcase_add_loop_test(tc, test_elf_entry_last_byte, 0,
			    ARRAY_SIZE(elf_kinds));
	suite_add_tcase(s, tc);

	tc = tcase_create("bzimage");
	tcase_add_loop_test(tc, test_bzimage_entry_mode, 0,
			    ARRAY_SIZE(entry_modes));
	tcase_add_loop_test(tc, test_bzimage_setup_sects, 0,
			    ARRAY_SIZE(setup_sects));
	tcase_add_loop_test(tc, test_bzimage_placement, 0,
			    ARRAY_SIZE(placements));
	tcase_add_test(tc, test_bzimage_zero_page);
	tcase_add_test(tc, test_bzimage_header_length);
	tcase_add_test(tc, test_bzimage_own_ramdisk_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("boot_params");
	tcase_add_loop_test(tc, test_cmdline_limits, 0, ARRAY_SIZE(cmdlines));
	tcase_add_loop_test(tc, test_e820, 0, ARRAY_SIZE(e820_layouts));
	tcase_add_loop_test(tc, test_initrd_placement, 0, ARRAY_SIZE(initrds));
	tcase_add_test(tc, test_gmem_split);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_bad_image, 0, ARRAY_SIZE(bad_cases));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(loader_suite());
}
