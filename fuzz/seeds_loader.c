// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for the loader target: kernels as Linux's build lays them out, in
 * the input format fuzz/loader.c documents (memory size, flags, initrd
 * size, command line, image).  A vmlinux-like ELF64 with text, data+bss
 * and a note; a 32-bit ELF like the seed's guests; bzImages with the real
 * setup header at 0x1f1 for boot protocols 2.06 and 2.15, relocatable or
 * not, 64-bit entry or not; and the same with an initrd and with RAM
 * split around the PCI hole.
 */
#include <asm/bootparam.h>
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mock_kernel.h"
#include "seeds.h"

#define MiB		(1024U * 1024)
#define SECTOR		512
#define SETUP_SECTS	4
#define PAYLOAD_OFF	((SETUP_SECTS + 1) * SECTOR)
#define HDR_OFF		KIMG_BZ_HDR_OFFSET
#define STARTUP_64	0x200
#define IMAGE_MAX	0x6000
#define CMDLINE_MAX	256

/* Input header fields (fuzz/loader.c). */
#define MEM_MIN_MIB	2
#define FLAG_INITRD	0x01
#define FLAG_SPLIT	0x02

/* "1: hlt; jmp 1b": what each entry point of these kernels runs. */
static const uint8_t halt_loop[] = { 0xf4, 0xeb, 0xfd };

struct loader_seed {
	unsigned int mem_mib, low_mib;	/* low_mib 0: no split */
	uint32_t initrd_size;		/* 0: no initrd */
	const char *cmdline;
	uint8_t image[IMAGE_MAX];
	size_t image_len;
};

static void seed_emit(const char *dir, const char *name,
		      const struct loader_seed *s)
{
	static uint8_t buf[9 + CMDLINE_MAX + IMAGE_MAX];
	size_t cl = strlen(s->cmdline), n = 0;

	buf[n++] = s->mem_mib - MEM_MIN_MIB;
	buf[n++] = (s->initrd_size ? FLAG_INITRD : 0) |
		   (s->low_mib ? FLAG_SPLIT : 0);
	buf[n++] = s->low_mib ? s->low_mib - 1 : 0;
	memcpy(buf + n, &s->initrd_size, 4);
	n += 4;
	buf[n++] = cl & 0xff;
	buf[n++] = cl >> 8;
	memcpy(buf + n, s->cmdline, cl);
	n += cl;
	memcpy(buf + n, s->image, s->image_len);
	seed_write(dir, name, buf, n + s->image_len);
}

/* ------------------------------------------------------------------ */
/* ELF                                                                 */
/* ------------------------------------------------------------------ */

/* A vmlinux's shape: text, then data and a bss, then a PT_NOTE. */
struct elf_layout {
	uint64_t text_paddr, data_paddr, entry;
	uint32_t text_len, data_len, bss_len;
};

static const struct elf_layout vmlinux64 = {
	.text_paddr = 0x1000000, .data_paddr = 0x1200000,
	.entry = 0x1000000, .text_len = 0x1000, .data_len = 0x200,
	.bss_len = 0x10000,
};

static const struct elf_layout seed_guest32 = {
	.text_paddr = 0x100000, .data_paddr = 0x101000, .entry = 0x100000,
	.text_len = 0x800, .data_len = 0x100, .bss_len = 0x2000,
};

#define ELF_TEXT_OFF	0x1000
#define ELF_DATA_OFF	0x3000

/* Text, data+bss and a note, each as vmlinux.lds places them. */
static void build_elf(struct loader_seed *s, const struct elf_layout *l,
		      bool is_64)
{
	const uint64_t align = is_64 ? 0x200000 : 0x1000;
	const struct kimg_elf elf = {
		.is_64 = is_64, .entry = l->entry, .phnum = 3,
		.ph = {
			{ .type = PT_LOAD, .flags = PF_R | PF_X,
			  .offset = ELF_TEXT_OFF, .paddr = l->text_paddr,
			  .filesz = l->text_len, .memsz = l->text_len,
			  .align = align },
			{ .type = PT_LOAD, .flags = PF_R | PF_W,
			  .offset = ELF_DATA_OFF, .paddr = l->data_paddr,
			  .filesz = l->data_len,
			  .memsz = l->data_len + l->bss_len, .align = align },
			{ .type = PT_NOTE, .flags = PF_R,
			  .offset = ELF_DATA_OFF, .filesz = 0x18,
			  .memsz = 0x18, .align = 4 },
		},
	};

	kimg_elf_headers(s->image, &elf);
	memcpy(s->image + ELF_TEXT_OFF + (l->entry - l->text_paddr), halt_loop,
	       sizeof(halt_loop));
	s->image_len = ELF_DATA_OFF + l->data_len;
}

static void build_elf64(struct loader_seed *s, const struct elf_layout *l)
{
	build_elf(s, l, true);
}

static void build_elf32(struct loader_seed *s, const struct elf_layout *l)
{
	build_elf(s, l, false);
}

/* ------------------------------------------------------------------ */
/* bzImage                                                             */
/* ------------------------------------------------------------------ */

/* What differs between the bzImages: the header fields a loader reads. */
struct bz_layout {
	uint16_t version;
	bool relocatable, kernel_64;
	uint32_t pref_address, init_size;
	uint32_t payload_len;
};

/* The real setup header, and the halt loop at both entry points. */
static void build_bzimage(struct loader_seed *s, const struct bz_layout *l)
{
	const struct kimg_bzimage b = {
		.version = l->version, .setup_sects = SETUP_SECTS,
		.relocatable = l->relocatable,
		.xloadflags = l->kernel_64 ? XLF_KERNEL_64 |
						     XLF_CAN_BE_LOADED_ABOVE_4G :
					     0,
		.pref_address = l->pref_address, .init_size = l->init_size,
		.payload_len = l->payload_len,
	};
	uint8_t *payload = s->image + PAYLOAD_OFF;

	kimg_bzimage_header(s->image, &b);
	memcpy(payload, halt_loop, sizeof(halt_loop));
	memcpy(payload + STARTUP_64, halt_loop, sizeof(halt_loop));
	s->image_len = PAYLOAD_OFF + l->payload_len;
}

static const struct bz_layout bz_215 = {
	.version = 0x020f, .relocatable = true, .kernel_64 = true,
	.pref_address = 0x1000000, .init_size = 0x800000,
	.payload_len = 0x1000,
};

static const struct bz_layout bz_215_fixed32 = {
	.version = 0x020f, .relocatable = false, .kernel_64 = false,
	.pref_address = 0x100000, .init_size = 0x400000,
	.payload_len = 0x800,
};

static const struct bz_layout bz_206 = {
	.version = 0x0206, .relocatable = false, .kernel_64 = false,
	.payload_len = 0x600,
};

/* A fresh seed (static: too big for the stack), to build into and emit. */
static struct loader_seed *start(unsigned int mem_mib, unsigned int low_mib,
				 uint32_t initrd_size, const char *cmdline)
{
	static struct loader_seed s;

	memset(&s, 0, sizeof(s));
	s.mem_mib = mem_mib;
	s.low_mib = low_mib;
	s.initrd_size = initrd_size;
	s.cmdline = cmdline;
	return &s;
}

/* ------------------------------------------------------------------ */
/* Boundaries: each check at its limit, and one past it                */
/* ------------------------------------------------------------------ */

/* The bzImage file ending at its header's last byte, and one byte short. */
static void edges_header(const char *dir)
{
	size_t hdr_end = kimg_bzimage_header_end(bz_215.version);
	struct loader_seed *s;

	build_bzimage(s = start(64, 0, 0, ""), &bz_215);
	s->image_len = hdr_end;
	seed_emit(dir, "edge-bzimage-ends-at-header-end", s);
	s->image_len = hdr_end - 1;
	seed_emit(dir, "edge-bzimage-ends-in-header-last-byte", s);
}

/*
 * A kernel that runs at 1 MiB needing init_size there: exactly the RAM
 * there is, and one page more.
 */
static void edges_init_size(const char *dir)
{
	struct bz_layout l = bz_215_fixed32;
	struct loader_seed *s;

	l.init_size = 15 * MiB;
	build_bzimage(s = start(16, 0, 0, ""), &l);
	seed_emit(dir, "edge-bzimage-init-size-to-end-of-ram", s);
	l.init_size = 15 * MiB + 4096;
	build_bzimage(s = start(16, 0, 0, ""), &l);
	seed_emit(dir, "edge-bzimage-init-size-page-past-ram", s);
}

/* An ELF segment ending at the file's last byte, and one byte past it. */
static void edges_elf_segment(const char *dir)
{
	struct loader_seed *s;
	Elf64_Phdr *data;

	build_elf64(s = start(32, 0, 0, ""), &vmlinux64);
	data = kimg_elf_phdr(s->image, 1);
	seed_emit(dir, "edge-elf64-segment-to-end-of-file", s);
	data->p_filesz++;
	seed_emit(dir, "edge-elf64-segment-byte-past-file", s);
}

/* A command line of exactly cmdline_size bytes, and one more. */
static void edges_cmdline(const char *dir)
{
	static const char cl[] = "console=ttyS0 panic=-1";	/* 22 bytes */
	struct setup_header *h;
	struct loader_seed *s;

	build_bzimage(s = start(64, 0, 0, cl), &bz_215);
	h = (struct setup_header *)(s->image + HDR_OFF);
	h->cmdline_size = sizeof(cl) - 1;
	seed_emit(dir, "edge-bzimage-cmdline-of-cmdline-size", s);
	h->cmdline_size = sizeof(cl) - 2;
	seed_emit(dir, "edge-bzimage-cmdline-byte-past-cmdline-size", s);
}

void seeds_loader(const char *dir)
{
	static const char console[] = "console=ttyS0 earlyprintk=serial panic=-1";
	static const char initramfs[] = "console=hvc0 rdinit=/init quiet";
	struct loader_seed *s;

	build_elf64(s = start(32, 0, 0, console), &vmlinux64);
	seed_emit(dir, "elf64-vmlinux", s);
	build_elf64(s = start(32, 0, 1 * MiB, initramfs), &vmlinux64);
	seed_emit(dir, "elf64-vmlinux-initrd", s);
	build_elf32(s = start(4, 0, 0, ""), &seed_guest32);
	seed_emit(dir, "elf32-guest", s);
	build_bzimage(s = start(64, 0, 0, console), &bz_215);
	seed_emit(dir, "bzimage-2.15-relocatable-64", s);
	build_bzimage(s = start(64, 0, 2 * MiB, initramfs), &bz_215);
	seed_emit(dir, "bzimage-2.15-initrd", s);
	build_bzimage(s = start(64, 40, 1 * MiB, initramfs), &bz_215);
	seed_emit(dir, "bzimage-2.15-split-ram-initrd", s);
	build_bzimage(s = start(16, 0, 0, console), &bz_215_fixed32);
	seed_emit(dir, "bzimage-2.15-fixed-32bit", s);
	build_bzimage(s = start(8, 0, 64 * 1024, "root=/dev/ram0"), &bz_206);
	seed_emit(dir, "bzimage-2.06-initrd", s);
	edges_header(dir);
	edges_init_size(dir);
	edges_elf_segment(dir);
	edges_cmdline(dir);
}
