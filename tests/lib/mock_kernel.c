// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel image headers (mock_kernel.h): a bzImage's setup header and an
 * ELF's headers, laid out as Linux's build does.
 */
#include <elf.h>
#include <string.h>

#include "mock_kernel.h"

#define KIMG_HDRS_MAGIC		0x53726448	/* "HdrS" */

/*
 * Protocol 2.10 and later headers run to the end of struct setup_header;
 * 2.06's ends after cmdline_size.  The jump at 0x200 skips exactly that.
 */
size_t kimg_bzimage_header_end(uint16_t version)
{
	if (version >= 0x020a)
		return KIMG_BZ_HDR_OFFSET + sizeof(struct setup_header);
	return KIMG_BZ_HDR_OFFSET +
	       offsetof(struct setup_header, hardware_subarch);
}

struct setup_header *kimg_bzimage_header(uint8_t *image,
					 const struct kimg_bzimage *b)
{
	struct setup_header *h =
		(struct setup_header *)(image + KIMG_BZ_HDR_OFFSET);
	size_t hdr_end = kimg_bzimage_header_end(b->version);

	h->setup_sects = b->setup_sects;
	h->root_flags = 1;
	h->syssize = (b->payload_len + 15) / 16;
	h->vid_mode = 0xffff;	/* NORMAL_VGA */
	h->boot_flag = 0xaa55;
	h->jump = 0xeb | (uint16_t)((hdr_end - 0x202) << 8);
	h->header = KIMG_HDRS_MAGIC;
	h->version = b->version;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = KIMG_BZ_INITRD_ADDR_MAX;
	h->kernel_alignment = KIMG_BZ_KERNEL_ALIGN;
	h->relocatable_kernel = b->relocatable;
	h->cmdline_size = KIMG_BZ_CMDLINE_SIZE;
	if (b->version >= 0x020a) {
		h->min_alignment = 21;	/* log2(KIMG_BZ_KERNEL_ALIGN) */
		h->pref_address = b->pref_address;
		h->init_size = b->init_size;
	}
	if (b->version >= 0x020c)
		h->xloadflags = b->xloadflags;
	return h;
}

/* Where the kernel maps its physical load address, per class. */
#define KIMG_VBASE_64	0xffffffff80000000ULL
#define KIMG_VBASE_32	0xc0000000U

/*
 * ELF32 and ELF64 differ only in field widths, machine and where the
 * kernel maps itself, so one definition makes both writers.
 */
#define DEFINE_ELF_WRITER(fn, Ehdr, Phdr, class, machine, vbase)             \
	static void fn(uint8_t *image, const struct kimg_elf *l)             \
	{                                                                    \
		Ehdr *e = (Ehdr *)image;                                     \
		Phdr *p;                                                     \
		unsigned int i;                                              \
                                                                             \
		memcpy(e->e_ident, ELFMAG, SELFMAG);                         \
		e->e_ident[EI_CLASS] = class;                                \
		e->e_ident[EI_DATA] = ELFDATA2LSB;                           \
		e->e_ident[EI_VERSION] = EV_CURRENT;                         \
		e->e_type = ET_EXEC;                                         \
		e->e_machine = machine;                                      \
		e->e_version = EV_CURRENT;                                   \
		e->e_entry = l->entry;                                       \
		e->e_phoff = l->phoff ? l->phoff : sizeof(*e);               \
		e->e_ehsize = sizeof(*e);                                    \
		e->e_phentsize = sizeof(*p);                                 \
		e->e_phnum = l->phnum;                                       \
		p = (Phdr *)(image + e->e_phoff);                            \
		for (i = 0; i < l->phnum; i++) {                             \
			const struct kimg_phdr *s = &l->ph[i];               \
                                                                             \
			p[i] = (Phdr){                                       \
				.p_type = s->type, .p_flags = s->flags,      \
				.p_offset = s->offset,                       \
				.p_vaddr = s->type == PT_LOAD ?              \
					   (vbase) + s->paddr : 0,           \
				.p_paddr = s->paddr,                         \
				.p_filesz = s->filesz, .p_memsz = s->memsz,  \
				.p_align = s->align,                         \
			};                                                   \
		}                                                            \
	}

DEFINE_ELF_WRITER(elf64_headers, Elf64_Ehdr, Elf64_Phdr, ELFCLASS64, EM_X86_64,
		  KIMG_VBASE_64)
DEFINE_ELF_WRITER(elf32_headers, Elf32_Ehdr, Elf32_Phdr, ELFCLASS32, EM_386,
		  KIMG_VBASE_32)

void kimg_elf_headers(uint8_t *image, const struct kimg_elf *l)
{
	if (l->is_64)
		elf64_headers(image, l);
	else
		elf32_headers(image, l);
}

void *kimg_elf_phdr(uint8_t *image, unsigned int i)
{
	if (image[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr *e = (Elf64_Ehdr *)image;

		return (Elf64_Phdr *)(image + e->e_phoff) + i;
	}
	return (Elf32_Phdr *)(image + ((Elf32_Ehdr *)image)->e_phoff) + i;
}
