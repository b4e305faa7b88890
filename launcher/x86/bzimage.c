// SPDX-License-Identifier: GPL-2.0
/*
 * bzImage: the x86 Linux boot protocol (Documentation/arch/x86/boot.rst),
 * versions 2.06 and later.  The file is a real-mode boot sector and setup
 * code we never run, followed by the protected-mode kernel that we load at
 * its preferred address and enter directly, skipping the real-mode part as
 * every modern VMM does.  The setup header at 0x1f1 says how big each part
 * is, where the kernel wants to go and how much room it needs to unpack.
 */
#include <string.h>

#include "../loader_internal.h"
#include "layout.h"

#define SETUP_HDR_OFFSET	0x1f1
#define MIN_PROTOCOL		0x0206
#define STARTUP_64_OFFSET	0x200	/* startup_64 is 512 bytes in */
#define DEFAULT_SETUP_SECTS	4	/* what setup_sects == 0 means */

static bool is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * The header's length is self-describing: it runs to the end of the
 * jump instruction's target at 0x202 + byte[0x201].  Copy exactly that
 * much, as the protocol asks, never more than our struct holds.
 */
static size_t setup_header_len(const uint8_t *image)
{
	size_t end = 0x202 + image[0x201];
	size_t len = end - SETUP_HDR_OFFSET;

	return len < sizeof(struct setup_header) ? len :
						   sizeof(struct setup_header);
}

static int read_setup_header(const uint8_t *image, size_t len,
			     struct kernel_load *k, struct lg_error *err)
{
	struct setup_header *h = &k->hdr;

	memset(h, 0, sizeof(*h));
	k->hdr_len = setup_header_len(image);
	if (SETUP_HDR_OFFSET + k->hdr_len > len)
		return lg_fail(err, "bzImage setup header truncated (%zu bytes)", len);
	memcpy(h, image + SETUP_HDR_OFFSET, k->hdr_len);
	if (h->boot_flag != 0xaa55)
		return lg_fail(err, "bzImage boot flag is %#x, not 0xaa55",
			       h->boot_flag);
	if (h->version < MIN_PROTOCOL)
		return lg_fail(err, "bzImage uses boot protocol %u.%02u; 2.06 or later is needed",
			       h->version >> 8, h->version & 0xff);
	if (k->hdr_len < offsetof(struct setup_header, cmdline_size) + 4)
		return lg_fail(err, "bzImage setup header is %zu bytes, too short for protocol %u.%02u",
			       k->hdr_len, h->version >> 8, h->version & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return lg_fail(err, "bzImage is a zImage (not loaded high); not supported");
	k->protocol = h->version;
	return 0;
}

/*
 * Where the protected-mode kernel goes.  A relocatable kernel goes at its
 * preferred address (2.10+) when that is properly aligned, else at the
 * first aligned address above 1 MiB; an unrelocatable one at 1 MiB,
 * from where it moves itself to pref_address: both must fit in memory.
 */
static int choose_load_address(const struct guest_mem *m, uint64_t payload_len,
			       struct kernel_load *k, struct lg_error *err)
{
	const struct setup_header *h = &k->hdr;
	uint64_t align = h->kernel_alignment;
	uint64_t pref = h->version >= 0x020a ? h->pref_address : 0;
	uint64_t need = payload_len;
	uint64_t load;

	if (h->version >= 0x020a && h->init_size > need)
		need = h->init_size;
	if (h->relocatable_kernel) {
		if (!is_power_of_two(align) || align < 4096 || align > (1ULL << 30))
			return lg_fail(err, "bzImage kernel_alignment %#llx is not a power of two between 4 KiB and 1 GiB",
				       (unsigned long long)align);
		load = pref;
		if (load < LAYOUT_HIGH_MEM || load % align ||
		    !range_within(load, need, m->low_size))
			load = align_up(LAYOUT_HIGH_MEM, align);
		k->start = load;
		k->end = load + need;
	} else {
		/*
		 * It runs at 1 MiB and unpacks itself to pref_address (which
		 * may be 1 MiB too), needing init_size there.
		 */
		uint64_t run_at = pref > LAYOUT_HIGH_MEM ? pref : LAYOUT_HIGH_MEM;

		load = LAYOUT_HIGH_MEM;
		k->start = load;
		if (!range_within(run_at, need, UINT64_MAX))
			return lg_fail(err, "bzImage pref_address %#llx + init_size overflows",
				       (unsigned long long)pref);
		k->end = run_at + need;
		if (load + payload_len > k->end)
			k->end = load + payload_len;
	}
	if (!range_within(k->start, k->end - k->start, m->low_size))
		return lg_fail(err, "kernel needs memory up to %#llx (init_size %#x) but guest RAM below 3 GiB ends at %#llx",
			       (unsigned long long)k->end, h->init_size,
			       (unsigned long long)m->low_size);
	return 0;
}

int load_bzimage(const struct guest_mem *m, const uint8_t *image, size_t len,
		 struct kernel_load *k, struct lg_error *err)
{
	uint64_t setup_sects, setup_len, payload_len;
	struct setup_header *h = &k->hdr;
	uint8_t *dst;

	if (read_setup_header(image, len, k, err))
		return -1;
	setup_sects = h->setup_sects ? h->setup_sects : DEFAULT_SETUP_SECTS;
	setup_len = (setup_sects + 1) * 512;
	if (setup_len >= len)
		return lg_fail(err, "bzImage setup_sects %llu puts the kernel at %#llx, past the end of the %zu-byte file",
			       (unsigned long long)setup_sects,
			       (unsigned long long)setup_len, len);
	payload_len = len - setup_len;
	if (h->syssize == 0 || (uint64_t)h->syssize * 16 > payload_len + 15)
		return lg_fail(err, "bzImage syssize says %llu bytes of kernel but %llu follow the setup code",
			       (unsigned long long)h->syssize * 16,
			       (unsigned long long)payload_len);
	if ((h->xloadflags & XLF_KERNEL_64) && payload_len <= STARTUP_64_OFFSET)
		return lg_fail(err, "bzImage kernel is too small to have a 64-bit entry point");
	if (choose_load_address(m, payload_len, k, err))
		return -1;
	dst = gmem_ptr(m, k->start, payload_len);
	if (!dst)
		return lg_fail(err, "bzImage kernel does not fit in guest memory");
	memcpy(dst, image + setup_len, payload_len);

	if (h->xloadflags & XLF_KERNEL_64) {
		k->mode = ENTRY_64BIT;
		k->entry = k->start + STARTUP_64_OFFSET;
	} else {
		k->mode = ENTRY_32BIT;
		k->entry = k->start;
	}
	h->code32_start = k->start;
	k->format = "bzImage";
	k->cmdline_max = h->cmdline_size;
	if (k->cmdline_max > LAYOUT_CMDLINE_MAX - 1)
		k->cmdline_max = LAYOUT_CMDLINE_MAX - 1;
	k->initrd_addr_max = h->initrd_addr_max;
	return 0;
}
