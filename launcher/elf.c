// SPDX-License-Identifier: GPL-2.0
/*
 * ELF kernels: a vmlinux (ELF64, entered in long mode, as Firecracker and
 * crosvm boot it) or a 32-bit ELF like the ones the seed's Launcher ran.
 * We only need the program headers: each PT_LOAD goes to its physical
 * address (p_paddr, since the virtual one is where the kernel maps itself
 * later).  The two classes differ only in field widths, so both are read
 * into one normalised form and loaded by the same code.
 */
#include <elf.h>
#include <string.h>

#include "loader_internal.h"
#include "x86/layout.h"

#define ELF_MAX_PHDRS 64

struct elf_info {
	bool is64;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	uint16_t phentsize;
};

struct elf_segment {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int read_elf_header(const uint8_t *image, size_t len,
			   struct elf_info *info, struct lg_error *err)
{
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;

	if (len < EI_NIDENT)
		return lg_fail(err, "ELF header truncated (%zu bytes)", len);
	if (image[EI_DATA] != ELFDATA2LSB)
		return lg_fail(err, "ELF is not little-endian");
	if (image[EI_CLASS] == ELFCLASS64) {
		if (len < sizeof(e64))
			return lg_fail(err, "ELF64 header truncated (%zu bytes)", len);
		memcpy(&e64, image, sizeof(e64));
		if (e64.e_machine != EM_X86_64)
			return lg_fail(err, "ELF64 machine is %u, not x86-64",
				       e64.e_machine);
		*info = (struct elf_info){ true, e64.e_entry, e64.e_phoff,
					   e64.e_phnum, e64.e_phentsize };
		if (info->phentsize != sizeof(Elf64_Phdr))
			return lg_fail(err, "ELF64 program header size is %u, expected %zu",
				       info->phentsize, sizeof(Elf64_Phdr));
	} else if (image[EI_CLASS] == ELFCLASS32) {
		if (len < sizeof(e32))
			return lg_fail(err, "ELF32 header truncated (%zu bytes)", len);
		memcpy(&e32, image, sizeof(e32));
		if (e32.e_machine != EM_386)
			return lg_fail(err, "ELF32 machine is %u, not i386",
				       e32.e_machine);
		*info = (struct elf_info){ false, e32.e_entry, e32.e_phoff,
					   e32.e_phnum, e32.e_phentsize };
		if (info->phentsize != sizeof(Elf32_Phdr))
			return lg_fail(err, "ELF32 program header size is %u, expected %zu",
				       info->phentsize, sizeof(Elf32_Phdr));
	} else {
		return lg_fail(err, "ELF class %u is neither 32- nor 64-bit",
			       image[EI_CLASS]);
	}
	if (info->phnum == 0 || info->phnum > ELF_MAX_PHDRS)
		return lg_fail(err, "ELF has %u program headers (expected 1..%d)",
			       info->phnum, ELF_MAX_PHDRS);
	if (!range_within(info->phoff, (uint64_t)info->phnum * info->phentsize,
			  len))
		return lg_fail(err, "ELF program headers (offset %#llx, %u entries) run past the end of the file",
			       (unsigned long long)info->phoff, info->phnum);
	return 0;
}

static void read_segment(const uint8_t *image, const struct elf_info *info,
			 unsigned int i, struct elf_segment *s)
{
	const uint8_t *p = image + info->phoff + (uint64_t)i * info->phentsize;
	Elf64_Phdr p64;
	Elf32_Phdr p32;

	if (info->is64) {
		memcpy(&p64, p, sizeof(p64));
		*s = (struct elf_segment){ p64.p_type, p64.p_offset,
					   p64.p_paddr, p64.p_filesz,
					   p64.p_memsz };
	} else {
		memcpy(&p32, p, sizeof(p32));
		*s = (struct elf_segment){ p32.p_type, p32.p_offset,
					   p32.p_paddr, p32.p_filesz,
					   p32.p_memsz };
	}
}

/* Check one PT_LOAD against the file and guest memory, then copy it in. */
static int load_segment(const struct guest_mem *m, const uint8_t *image,
			size_t len, unsigned int i, const struct elf_segment *s,
			struct lg_error *err)
{
	uint8_t *dst;

	if (s->filesz > s->memsz)
		return lg_fail(err, "ELF segment %u has file size %#llx larger than memory size %#llx",
			       i, (unsigned long long)s->filesz,
			       (unsigned long long)s->memsz);
	if (!range_within(s->offset, s->filesz, len))
		return lg_fail(err, "ELF segment %u (offset %#llx, %#llx bytes) runs past the end of the file",
			       i, (unsigned long long)s->offset,
			       (unsigned long long)s->filesz);
	if (s->paddr < LAYOUT_HIGH_MEM)
		return lg_fail(err, "ELF segment %u at %#llx overlaps the boot structures below 1 MiB",
			       i, (unsigned long long)s->paddr);
	dst = gmem_ptr(m, s->paddr, s->memsz);
	if (!dst)
		return lg_fail(err, "ELF segment %u (%#llx bytes at %#llx) lies outside guest memory",
			       i, (unsigned long long)s->memsz,
			       (unsigned long long)s->paddr);
	memcpy(dst, image + s->offset, s->filesz);
	memset(dst + s->filesz, 0, s->memsz - s->filesz);
	return 0;
}

/* The setup header an ELF kernel did not bring: what Linux looks for. */
static void synthesize_header(struct kernel_load *k)
{
	memset(&k->hdr, 0, sizeof(k->hdr));
	k->hdr.boot_flag = 0xaa55;
	k->hdr.header = 0x53726448; /* "HdrS" */
	k->hdr.version = 0x020f;
	k->hdr.kernel_alignment = 0x200000;
	k->hdr.cmdline_size = k->cmdline_max;
	k->hdr.initrd_addr_max = k->initrd_addr_max;
	k->hdr_len = sizeof(k->hdr);
}

int load_elf(const struct guest_mem *m, const uint8_t *image, size_t len,
	     struct kernel_load *k, struct lg_error *err)
{
	struct elf_segment s;
	struct elf_info info = { 0 };
	bool entry_loaded = false;
	unsigned int i, loads = 0;

	if (read_elf_header(image, len, &info, err))
		return -1;
	k->start = UINT64_MAX;
	k->end = 0;
	for (i = 0; i < info.phnum; i++) {
		read_segment(image, &info, i, &s);
		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		if (load_segment(m, image, len, i, &s, err))
			return -1;
		loads++;
		if (s.paddr < k->start)
			k->start = s.paddr;
		if (s.paddr + s.memsz > k->end)
			k->end = s.paddr + s.memsz;
		if (info.entry >= s.paddr && info.entry - s.paddr < s.memsz)
			entry_loaded = true;
	}
	if (!loads)
		return lg_fail(err, "ELF has no loadable segments");
	if (!entry_loaded)
		return lg_fail(err, "ELF entry point %#llx is not inside any loaded segment",
			       (unsigned long long)info.entry);
	k->format = info.is64 ? "ELF64" : "ELF32";
	k->mode = info.is64 ? ENTRY_64BIT : ENTRY_32BIT;
	k->entry = info.entry;
	k->cmdline_max = LAYOUT_CMDLINE_MAX - 1;
	k->initrd_addr_max = 0xffffffffULL;
	synthesize_header(k);
	return 0;
}
