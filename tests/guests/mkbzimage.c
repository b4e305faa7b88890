// SPDX-License-Identifier: GPL-2.0
/*
 * mkbzimage: wrap a flat 64-bit guest binary into a Linux boot-protocol
 * bzImage (protocol 2.15), so the launcher's bzImage loader can be tested
 * with a kernel that reports what it was given.
 *
 *	mkbzimage [-a PREF_ADDRESS] -i INIT_SIZE PAYLOAD OUTPUT
 *
 * PAYLOAD is `objcopy -O binary` of a guest linked at PREF_ADDRESS, with
 * its 32-bit entry at offset 0 and its 64-bit entry at offset 0x200.
 * INIT_SIZE is how much memory it needs from its load address, .bss and
 * stack included (the linker script's _image_size).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <asm/bootparam.h>
#include <stdbool.h>

#include "guest.h"
#include "mock_kernel.h"

#define SETUP_SECTS	4
#define SECTOR		512
#define SETUP_BYTES	((SETUP_SECTS + 1) * SECTOR)
#define HDR_END		(KIMG_BZ_HDR_OFFSET + sizeof(struct setup_header))
#define VERSION_OFFSET	0x300	/* kernel_version string, in setup */
#define ENTRY64_OFFSET	0x200

/*
 * 16-bit code for the boot sector and the real-mode setup entry: report
 * "no real mode" through the exit port and halt, since these guests only
 * support the 32/64-bit boot protocol.
 *	mov $GUEST_EXIT_NO_REALMODE, %al; out %al, $0xf4; cli; 1: hlt; jmp 1b
 */
static const uint8_t realmode_stub[] = {
	0xb0, GUEST_EXIT_NO_REALMODE, 0xe6, GUEST_EXIT_PORT,
	0xfa, 0xf4, 0xeb, 0xfd,
};

static const char boot_msg[] = "lguest test bzImage: use a boot loader.\r\n";
static const char version[] = "lguest test guest (bzImage)";

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: mkbzimage [-a PREF_ADDRESS] -i INIT_SIZE PAYLOAD OUTPUT\n");
	exit(2);
}

/* strtoull that refuses junk, so a bad make variable fails loudly. */
static uint64_t parse_num(const char *what, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "mkbzimage: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f) {
		fprintf(stderr, "mkbzimage: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				fprintf(stderr, "mkbzimage: out of memory\n");
				exit(1);
			}
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	if (ferror(f)) {
		fprintf(stderr, "mkbzimage: %s: read error\n", path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return buf;
}

/*
 * Fill the setup header the way a real bzImage does for the fields a
 * loader reads, and leave the ones the loader writes at zero.
 */
static void fill_header(uint8_t *setup, size_t payload_len, uint32_t init_size,
			uint64_t pref_address, int have_kernel_info)
{
	const struct kimg_bzimage b = {
		.version = 0x020f, .setup_sects = SETUP_SECTS,
		.relocatable = true, .xloadflags = XLF_KERNEL_64,
		.pref_address = pref_address, .init_size = init_size,
		.payload_len = (uint32_t)payload_len,
	};
	struct setup_header *h = kimg_bzimage_header(setup, &b);

	/* And what a real one has besides, which a loader only reads. */
	h->start_sys_seg = 0x1000;
	h->kernel_version = VERSION_OFFSET - 0x200;
	h->setup_move_size = 0x8000;
	h->cmdline_size = 2048;
	h->kernel_info_offset = have_kernel_info ? GUEST_KERNEL_INFO_OFFSET : 0;

	memcpy(setup, realmode_stub, sizeof(realmode_stub));
	memcpy(setup + sizeof(realmode_stub), boot_msg, sizeof(boot_msg));
	memcpy(setup + HDR_END, realmode_stub, sizeof(realmode_stub));
	memcpy(setup + VERSION_OFFSET, version, sizeof(version));
}

static int write_all(FILE *f, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, f) == len ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint64_t pref_address = 0x1000000, init_size = 0;
	static uint8_t setup[SETUP_BYTES];
	static const uint8_t zeros[16];
	const uint8_t *ki;
	uint8_t *payload;
	size_t len, pad;
	int opt, have_ki;
	FILE *out;

	_Static_assert(HDR_END <= 0x202 + 0x7f, "jump offset must fit a rel8");
	_Static_assert(HDR_END + sizeof(realmode_stub) <= VERSION_OFFSET,
		       "setup stub overlaps the version string");

	while ((opt = getopt(argc, argv, "a:i:")) != -1) {
		switch (opt) {
		case 'a':
			pref_address = parse_num("pref_address", optarg);
			break;
		case 'i':
			init_size = parse_num("init_size", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || !init_size)
		usage();
	if (pref_address % KIMG_BZ_KERNEL_ALIGN) {
		fprintf(stderr, "mkbzimage: pref_address 0x%llx not 2 MiB aligned\n",
			(unsigned long long)pref_address);
		return 2;
	}

	payload = read_file(argv[optind], &len);
	if (len < ENTRY64_OFFSET + 16) {
		fprintf(stderr, "mkbzimage: %s: %zu bytes is too short to have a 64-bit entry at 0x%x\n",
			argv[optind], len, ENTRY64_OFFSET);
		return 1;
	}
	if (init_size < len) {
		fprintf(stderr, "mkbzimage: init_size 0x%llx is smaller than the payload (0x%zx)\n",
			(unsigned long long)init_size, len);
		return 1;
	}
	/* The kernel rounds init_size to a page; so do we. */
	init_size = (init_size + 4095) & ~4095ULL;
	if (init_size > UINT32_MAX) {
		fprintf(stderr, "mkbzimage: init_size too large\n");
		return 1;
	}
	ki = payload + GUEST_KERNEL_INFO_OFFSET;
	have_ki = !memcmp(ki, "LToP", 4);

	fill_header(setup, len, (uint32_t)init_size, pref_address, have_ki);

	out = fopen(argv[optind + 1], "wb");
	if (!out) {
		fprintf(stderr, "mkbzimage: %s: %s\n", argv[optind + 1],
			strerror(errno));
		return 1;
	}
	pad = (16 - len % 16) % 16;
	if (write_all(out, setup, sizeof(setup)) ||
	    write_all(out, payload, len) || write_all(out, zeros, pad) ||
	    fclose(out)) {
		fprintf(stderr, "mkbzimage: %s: write error\n", argv[optind + 1]);
		unlink(argv[optind + 1]);
		return 1;
	}
	free(payload);
	return 0;
}
