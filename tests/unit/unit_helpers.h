/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the unit tests: guest memory over a host buffer with
 * guard bytes around it, images that end flush against an unmapped page
 * (so any read past their end faults instead of passing silently), and
 * builders for minimal valid ELF64, ELF32 and bzImage kernels that the
 * loader tests then break one field at a time.
 *
 * Everything is static inline so each test program takes only what it
 * uses without tripping -Wunused-function.
 */
#ifndef LGUEST_UNIT_HELPERS_H
#define LGUEST_UNIT_HELPERS_H

#include <check.h>
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "guest_mem.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MiB (1024ULL * 1024)

/* ------------------------------------------------------------------ */
/* Guest memory with guards                                            */
/* ------------------------------------------------------------------ */

#define TMEM_GUARD	4096
#define TMEM_GUARD_BYTE	0xa5
#define TMEM_FILL_BYTE	0xcc	/* what "untouched" guest RAM holds */

struct test_mem {
	uint8_t *raw;		/* guard + RAM + guard */
	uint64_t size;
	struct guest_mem m;
};

/*
 * Guest RAM is filled with a non-zero byte so that a test can tell the
 * loader's zeroing (bss, zero page) apart from calloc's.
 */
static inline void tmem_init(struct test_mem *t, uint64_t size,
			     uint64_t low_limit)
{
	t->size = size;
	t->raw = malloc(size + 2 * TMEM_GUARD);
	ck_assert_ptr_nonnull(t->raw);
	memset(t->raw, TMEM_GUARD_BYTE, TMEM_GUARD);
	memset(t->raw + TMEM_GUARD, TMEM_FILL_BYTE, size);
	memset(t->raw + TMEM_GUARD + size, TMEM_GUARD_BYTE, TMEM_GUARD);
	gmem_init(&t->m, t->raw + TMEM_GUARD, size, low_limit);
}

static inline bool tmem_guards_intact(const struct test_mem *t)
{
	const uint8_t *tail = t->raw + TMEM_GUARD + t->size;
	unsigned int i;

	for (i = 0; i < TMEM_GUARD; i++)
		if (t->raw[i] != TMEM_GUARD_BYTE || tail[i] != TMEM_GUARD_BYTE)
			return false;
	return true;
}

static inline void tmem_free(struct test_mem *t)
{
	free(t->raw);
	t->raw = NULL;
}

/* Host view of guest-physical bytes the test expects to be RAM. */
static inline void *tmem_at(const struct test_mem *t, uint64_t gpa,
			    uint64_t len)
{
	void *p = gmem_ptr(&t->m, gpa, len);

	ck_assert_msg(p, "gpa %#llx+%#llx is not guest RAM",
		      (unsigned long long)gpa, (unsigned long long)len);
	return p;
}

/*
 * A copy of guest RAM and both guards.  A test patches into the copy the
 * bytes a call should write, then checks memory against it with
 * tmem_diff(): no write outside guest memory, none inside it unmeant.
 */
static inline uint8_t *tmem_snapshot(const struct test_mem *t)
{
	size_t len = t->size + 2 * TMEM_GUARD;
	uint8_t *s = malloc(len);

	ck_assert_ptr_nonnull(s);
	memcpy(s, t->raw, len);
	return s;
}

/* The snapshot's copy of the byte at host address p (inside t). */
static inline void *tmem_snap_ptr(const struct test_mem *t, uint8_t *snap,
				  const void *p)
{
	return snap + ((const uint8_t *)p - t->raw);
}

/* Offset (from the front guard's start) of the first changed byte, or -1. */
static inline long tmem_diff(const struct test_mem *t, const uint8_t *snap)
{
	size_t len = t->size + 2 * TMEM_GUARD, i;

	if (!memcmp(t->raw, snap, len))
		return -1;
	for (i = 0; t->raw[i] == snap[i]; i++)
		;
	return (long)i;
}

static inline bool all_bytes(const void *p, uint8_t v, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Images that fault on over-read                                      */
/* ------------------------------------------------------------------ */

struct guarded_buf {
	void *map;
	size_t map_len;
	uint8_t *data;		/* data + len is the first unmapped byte */
};

static inline const uint8_t *guarded_copy(struct guarded_buf *g,
					  const void *src, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (len + page - 1) / page * page;

	g->map_len = body + page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(g->map, MAP_FAILED);
	ck_assert_int_eq(mprotect((uint8_t *)g->map + body, page, PROT_NONE),
			 0);
	g->data = (uint8_t *)g->map + body - len;
	if (len)
		memcpy(g->data, src, len);
	return g->data;
}

static inline void guarded_free(struct guarded_buf *g)
{
	munmap(g->map, g->map_len);
}

/* ------------------------------------------------------------------ */
/* Kernel image builders                                               */
/* ------------------------------------------------------------------ */

#define KIMG_MAX	0x4000

struct kimg {
	uint8_t buf[KIMG_MAX];
	size_t len;
};

/* A byte pattern that no zeroing or fill can fake. */
static inline uint8_t kimg_pattern(size_t i)
{
	return (uint8_t)(i * 7 + 1);
}

static inline void fill_pattern(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = kimg_pattern(i);
}

/*
 * The test ELFs: program header 0 is a PT_NOTE (so the loader must skip
 * non-loadable headers), header 1 the one PT_LOAD, with a bss tail.
 */
#define ELF_PHOFF	0x40
#define ELF_SEG_OFFSET	0x1000
#define ELF_SEG_PADDR	0x100000ULL	/* exactly 1 MiB: the lowest allowed */
#define ELF_SEG_FILESZ	0x1800ULL
#define ELF_SEG_MEMSZ	0x4000ULL
#define ELF_ENTRY	(ELF_SEG_PADDR + 0x10)
#define ELF_LOAD_PHDR	1

static inline Elf64_Ehdr *elf64_ehdr(struct kimg *k)
{
	return (Elf64_Ehdr *)k->buf;
}

static inline Elf64_Phdr *elf64_phdr(struct kimg *k, unsigned int i)
{
	return (Elf64_Phdr *)(k->buf + ELF_PHOFF) + i;
}

static inline Elf32_Ehdr *elf32_ehdr(struct kimg *k)
{
	return (Elf32_Ehdr *)k->buf;
}

static inline Elf32_Phdr *elf32_phdr(struct kimg *k, unsigned int i)
{
	return (Elf32_Phdr *)(k->buf + ELF_PHOFF) + i;
}

static inline void elf_ident(struct kimg *k, uint8_t class)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->buf, ELFMAG, SELFMAG);
	k->buf[EI_CLASS] = class;
	k->buf[EI_DATA] = ELFDATA2LSB;
	k->buf[EI_VERSION] = EV_CURRENT;
	fill_pattern(k->buf + ELF_SEG_OFFSET, ELF_SEG_FILESZ);
	k->len = ELF_SEG_OFFSET + ELF_SEG_FILESZ;
}

static inline void build_elf64(struct kimg *k)
{
	Elf64_Ehdr *e = elf64_ehdr(k);

	elf_ident(k, ELFCLASS64);
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = ELF_ENTRY;
	e->e_phoff = ELF_PHOFF;
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 2;
	*elf64_phdr(k, 0) = (Elf64_Phdr){ .p_type = PT_NOTE,
					  .p_offset = ELF_SEG_OFFSET,
					  .p_filesz = 4, .p_memsz = 4 };
	*elf64_phdr(k, ELF_LOAD_PHDR) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = ELF_SEG_OFFSET,
		.p_vaddr = 0xffffffff80000000ULL + ELF_SEG_PADDR,
		.p_paddr = ELF_SEG_PADDR,
		.p_filesz = ELF_SEG_FILESZ, .p_memsz = ELF_SEG_MEMSZ,
		.p_align = 0x1000,
	};
}

static inline void build_elf32(struct kimg *k)
{
	Elf32_Ehdr *e = elf32_ehdr(k);

	elf_ident(k, ELFCLASS32);
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_version = EV_CURRENT;
	e->e_entry = ELF_ENTRY;
	e->e_phoff = ELF_PHOFF;
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(Elf32_Phdr);
	e->e_phnum = 2;
	*elf32_phdr(k, 0) = (Elf32_Phdr){ .p_type = PT_NOTE,
					  .p_offset = ELF_SEG_OFFSET,
					  .p_filesz = 4, .p_memsz = 4 };
	*elf32_phdr(k, ELF_LOAD_PHDR) = (Elf32_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = ELF_SEG_OFFSET,
		.p_vaddr = 0xc0000000U + ELF_SEG_PADDR,
		.p_paddr = ELF_SEG_PADDR,
		.p_filesz = ELF_SEG_FILESZ, .p_memsz = ELF_SEG_MEMSZ,
		.p_align = 0x1000,
	};
}

/*
 * The test bzImage: boot protocol 2.15, four setup sectors after the boot
 * sector, a relocatable 64-bit-capable kernel that prefers 16 MiB and
 * needs 4 MiB to unpack.  The header runs to the end of struct
 * setup_header, as a current kernel's does.
 */
#define BZ_HDR_OFFSET		0x1f1
#define BZ_SETUP_SECTS		4
#define BZ_PAYLOAD_OFFSET	((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD_LEN		0x1000
#define BZ_PREF_ADDRESS		0x1000000ULL
#define BZ_ALIGN		0x200000U
#define BZ_INIT_SIZE		0x400000U
#define BZ_CMDLINE_SIZE		2047
#define BZ_INITRD_ADDR_MAX	0x7fffffffU

static inline struct setup_header *bz_hdr(struct kimg *k)
{
	return (struct setup_header *)(k->buf + BZ_HDR_OFFSET);
}

static inline void build_bzimage(struct kimg *k)
{
	struct setup_header *h = bz_hdr(k);
	size_t hdr_end = BZ_HDR_OFFSET + sizeof(*h);

	memset(k, 0, sizeof(*k));
	h->setup_sects = BZ_SETUP_SECTS;
	h->boot_flag = 0xaa55;
	h->jump = 0xeb | (uint16_t)((hdr_end - 0x202) << 8);
	h->header = 0x53726448; /* "HdrS" */
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->syssize = BZ_PAYLOAD_LEN / 16;
	h->kernel_alignment = BZ_ALIGN;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = BZ_CMDLINE_SIZE;
	h->initrd_addr_max = BZ_INITRD_ADDR_MAX;
	h->pref_address = BZ_PREF_ADDRESS;
	h->init_size = BZ_INIT_SIZE;
	fill_pattern(k->buf + BZ_PAYLOAD_OFFSET, BZ_PAYLOAD_LEN);
	k->len = BZ_PAYLOAD_OFFSET + BZ_PAYLOAD_LEN;
}

/* Run a suite and turn its result into a process exit status. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
