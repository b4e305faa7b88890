/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the unit tests: guest memory over a host buffer with
 * guard bytes around it, images that end flush against an unmapped page
 * (so any read past their end faults instead of passing silently), and
 * builders for minimal valid ELF64, ELF32 and bzImage kernels that the
 * loader tests then break one field at a time; and the asserting,
 * waiting side of a guest that brings up virtio-pci devices.  The PCI
 * and virtio-pci accessors and the driver's side of split rings they use
 * are tests/lib's (mock_pci.h, mock_ring.h), shared with the fuzzers and
 * benches.
 *
 * Everything is static inline so each test program takes only what it
 * uses without tripping -Wunused-function.
 */
#ifndef LGUEST_UNIT_HELPERS_H
#define LGUEST_UNIT_HELPERS_H

#include <check.h>
#include <elf.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/bootparam.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "fake_platform.h"
#include "guest_mem.h"
#include "mock_kernel.h"
#include "mock_pci.h"
#include "mock_ring.h"
#include "pci.h"
#include "virtio/device.h"

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

static inline void build_elf(struct kimg *k, bool is_64)
{
	const struct kimg_elf elf = {
		.is_64 = is_64, .entry = ELF_ENTRY, .phoff = ELF_PHOFF,
		.phnum = 2,
		.ph = {
			{ .type = PT_NOTE, .offset = ELF_SEG_OFFSET,
			  .filesz = 4, .memsz = 4 },
			[ELF_LOAD_PHDR] = {
				.type = PT_LOAD, .flags = PF_R | PF_X,
				.offset = ELF_SEG_OFFSET,
				.paddr = ELF_SEG_PADDR,
				.filesz = ELF_SEG_FILESZ,
				.memsz = ELF_SEG_MEMSZ, .align = 0x1000 },
		},
	};

	elf_ident(k, is_64 ? ELFCLASS64 : ELFCLASS32);
	kimg_elf_headers(k->buf, &elf);
}

static inline void build_elf64(struct kimg *k)
{
	build_elf(k, true);
}

static inline void build_elf32(struct kimg *k)
{
	build_elf(k, false);
}

/*
 * The test bzImage: boot protocol 2.15, four setup sectors after the boot
 * sector, a relocatable 64-bit-capable kernel that prefers 16 MiB and
 * needs 4 MiB to unpack.  The header runs to the end of struct
 * setup_header, as a current kernel's does.
 */
#define BZ_HDR_OFFSET		KIMG_BZ_HDR_OFFSET
#define BZ_SETUP_SECTS		4
#define BZ_PAYLOAD_OFFSET	((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD_LEN		0x1000
#define BZ_PREF_ADDRESS		0x1000000ULL
#define BZ_ALIGN		KIMG_BZ_KERNEL_ALIGN
#define BZ_INIT_SIZE		0x400000U
#define BZ_CMDLINE_SIZE		KIMG_BZ_CMDLINE_SIZE
#define BZ_INITRD_ADDR_MAX	KIMG_BZ_INITRD_ADDR_MAX

static inline struct setup_header *bz_hdr(struct kimg *k)
{
	return (struct setup_header *)(k->buf + BZ_HDR_OFFSET);
}

static inline void build_bzimage(struct kimg *k)
{
	const struct kimg_bzimage b = {
		.version = 0x020f, .setup_sects = BZ_SETUP_SECTS,
		.relocatable = true, .xloadflags = XLF_KERNEL_64,
		.pref_address = BZ_PREF_ADDRESS, .init_size = BZ_INIT_SIZE,
		.payload_len = BZ_PAYLOAD_LEN,
	};

	memset(k, 0, sizeof(*k));
	kimg_bzimage_header(k->buf, &b);
	fill_pattern(k->buf + BZ_PAYLOAD_OFFSET, BZ_PAYLOAD_LEN);
	k->len = BZ_PAYLOAD_OFFSET + BZ_PAYLOAD_LEN;
}

/* ------------------------------------------------------------------ */
/* PCI, as the guest uses it (tests/lib/mock_pci.h), checked           */
/* ------------------------------------------------------------------ */

/* The slot a device was registered in. */
static inline unsigned int tpci_slot(const struct pci_bus *b,
				     const struct pci_device *d)
{
	unsigned int slot;

	for (slot = 0; slot < PCI_MAX_SLOTS; slot++)
		if (b->slots[slot] == d)
			return slot;
	ck_abort_msg("device is not on the bus");
	return 0;
}

/*
 * A register check in a BAR: an optional write, then a read that must
 * see `expect`; offsets are from `base`.
 */
struct tpci_rw_case {
	const char *name;
	unsigned int wr_off, wr_len;	/* wr_len 0: no write */
	uint64_t val;
	unsigned int rd_off, rd_len;
	uint64_t expect;
};

static inline void tpci_rw_check(struct pci_bus *b, uint64_t base,
				 const struct tpci_rw_case *c)
{
	uint64_t got;

	if (c->wr_len)
		tpci_mmio_write(b, base + c->wr_off, c->wr_len, c->val);
	got = tpci_mmio_read(b, base + c->rd_off, c->rd_len);
	ck_assert_msg(got == c->expect, "%s: read %#llx", c->name,
		      (unsigned long long)got);
}

/* ------------------------------------------------------------------ */
/* A driver's side of a split virtqueue (tests/lib/mock_ring.h)        */
/* ------------------------------------------------------------------ */

/*
 * Descriptors handed out from the last one, every fifth (odd: visits
 * every table entry, in no particular order), buffers and indirect
 * tables from their own places, a gap between buffers so that
 * zero-length ones sit at distinct addresses.
 */
#define TDRV_RING_ALIGN		4096	/* vring_init()'s legacy layout */
#define TDRV_DESC_STRIDE	5

static inline void tdrv_init(struct mock_ring *d, struct test_mem *t,
			     uint16_t num, uint64_t ring, uint64_t buf,
			     uint64_t ind)
{
	struct mock_ring_layout l = {
		.num = num, .ring = ring, .align = TDRV_RING_ALIGN,
		.first = num - 1, .stride = TDRV_DESC_STRIDE,
		.buf = buf, .gap = 16, .ind = ind,
	};

	ck_assert_msg(mock_ring_init(d, &t->m, &l) == 0,
		      "rings of %u at %#llx do not fit", num,
		      (unsigned long long)ring);
}

/* A fresh buffer, which must fit in guest RAM. */
static inline struct mock_seg tdrv_seg(struct mock_ring *d, uint32_t len,
				       bool write)
{
	struct mock_seg s = mock_ring_buffer(d, len, write, NULL);

	ck_assert_msg(s.addr, "no room for a %u-byte buffer", len);
	return s;
}

/* ------------------------------------------------------------------ */
/* A guest driving virtio-pci devices, without KVM                     */
/* ------------------------------------------------------------------ */

/*
 * On the fake platform each MSI-X vector is a plain eventfd the test can
 * read, and each queue's doorbell is the eventfd its thread sleeps on,
 * reached by writing the notify region through the BAR window.
 */
#define TVM_MEM		MiB
#define TVM_MMIO_BASE	0xe0000000ULL
#define TVM_MMIO_SIZE	0x100000ULL
#define TVM_WAIT_MS	3000	/* hang guard (Check stops a test at 4 s) */

#define TV_S_ACK	VIRTIO_CONFIG_S_ACKNOWLEDGE
#define TV_S_DRIVER	VIRTIO_CONFIG_S_DRIVER
#define TV_S_FEAT_OK	VIRTIO_CONFIG_S_FEATURES_OK
#define TV_S_DRIVER_OK	VIRTIO_CONFIG_S_DRIVER_OK
#define TV_S_NEEDS_RST	VIRTIO_CONFIG_S_NEEDS_RESET
#define TV_VERSION_1	(1ULL << VIRTIO_F_VERSION_1)

struct tvm {
	struct test_mem t;
	struct pci_bus bus;
	struct vm_stop stop;
	struct fake_platform fp;
	struct virtio_host host;
};

static inline void tvm_init(struct tvm *vm, bool strict)
{
	memset(vm, 0, sizeof(*vm));
	tmem_init(&vm->t, TVM_MEM, TVM_MEM);
	pci_bus_init(&vm->bus, TVM_MMIO_BASE, TVM_MMIO_SIZE);
	fake_platform_init(&vm->fp, &vm->stop, strict);
	vm->host = (struct virtio_host){
		.mem = &vm->t.m, .bus = &vm->bus, .platform = &vm->fp.platform,
		.queue_ops = &virtio_queue_threads,
	};
}

/* Memory decoding and bus mastering on, as pci_enable_device() does. */
static inline void tvirtio_pci_enable(struct tvm *vm, struct virtio_device *v)
{
	struct lg_error e;

	ck_assert_msg(virtio_device_start_threads(v, &e) == 0, "%s", e.msg);
	tpci_cfg_write(&vm->bus, tpci_slot(&vm->bus, &v->pci), PCI_COMMAND, 2,
		       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_ne(v->pci.bar_live[0], 0);
}

/* MSI-X on, every vector with a message and unmasked. */
static inline void tvirtio_msix_on(struct tvm *vm, struct virtio_device *v)
{
	unsigned int i;

	for (i = 0; i < v->msix.nvec; i++) {
		unsigned int e = TV_MSIX_TABLE + MSIX_ENTRY_SIZE * i;

		tvirtio_wr(&vm->bus, v, e, 8, 0xfee00000);
		/* ctrl 0: unmasked */
		tvirtio_wr(&vm->bus, v, e + 8, 8, 0x40 + i);
	}
	tpci_cfg_write(&vm->bus, tpci_slot(&vm->bus, &v->pci),
		       v->msix.cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
}

/*
 * Rings for n queues of `size` entries in the test VM's RAM: queue q's
 * rings, buffers and indirect tables in their own places.
 */
#define TVM_RING_GPA(q)	(0x10000ULL + 0x4000 * (q))
#define TVM_BUF_GPA(q)	(0x40000ULL + 0x10000 * (q))
#define TVM_IND_GPA(q)	(0x80000ULL + 0x10000 * (q))

static inline void tvm_rings(struct tvm *vm, struct mock_ring *d,
			     unsigned int n, uint16_t size)
{
	unsigned int q;

	for (q = 0; q < n; q++)
		tdrv_init(&d[q], &vm->t, size, TVM_RING_GPA(q),
			  TVM_BUF_GPA(q), TVM_IND_GPA(q));
}

/*
 * virtio_pci's probe up to DRIVER_OK: MSI-X vector 0 for configuration
 * changes, vector q + 1 for queue q, which runs on rings d[q].
 */
static inline void tvirtio_driver_up(struct tvm *vm, struct virtio_device *v,
				     const struct mock_ring *d,
				     uint64_t features)
{
	uint8_t ok = TV_S_ACK | TV_S_DRIVER | TV_S_FEAT_OK;
	unsigned int q;

	ck_assert_uint_eq(tvirtio_negotiate(&vm->bus, v, features), ok);
	tvirtio_msix_on(vm, v);
	tvirtio_wr(&vm->bus, v, TV_COMMON + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	for (q = 0; q < v->ops->num_queues; q++)
		tvirtio_queue(&vm->bus, v, q, &d[q], q + 1);
	tvirtio_set_status(&vm->bus, v, ok | TV_S_DRIVER_OK);
}

/* Wait for an interrupt on an MSI-X vector; returns how many came. */
static inline uint64_t tvirtio_wait_irq(struct virtio_device *v,
					unsigned int vector)
{
	struct pollfd p = { .fd = v->msix.fd[vector], .events = POLLIN };
	uint64_t n = 0;

	ck_assert_msg(poll(&p, 1, TVM_WAIT_MS) == 1,
		      "no interrupt on vector %u", vector);
	ck_assert_int_eq(read(p.fd, &n, sizeof(n)), sizeof(n));
	return n;
}

/* Interrupts on a vector so far, without waiting. */
static inline uint64_t tvirtio_irqs(struct virtio_device *v,
				    unsigned int vector)
{
	uint64_t n = 0;

	if (read(v->msix.fd[vector], &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/*
 * Wait until the device has returned `idx` requests in all.  Its
 * interrupt follows the used index, so wait for that separately.
 */
static inline void tvirtio_wait_used(const struct mock_ring *d, uint16_t idx)
{
	int ms;

	for (ms = 0; mock_ring_used_idx(d) != idx; ms++) {
		ck_assert_msg(ms < TVM_WAIT_MS, "used index %u, not %u",
			      mock_ring_used_idx(d), idx);
		usleep(1000);
	}
}

static inline bool tvirtio_fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/*
 * Kick and wait until the queue's thread has taken the kick, twice: it
 * takes the second only after it served the first, so afterwards all
 * the first kick caused is done.  For checking that nothing happened.
 */
static inline void tvirtio_kick_settle(struct tvm *vm,
				       struct virtio_device *v,
				       unsigned int qi)
{
	int fd = v->queues[qi].rt.kick_fd, round, ms;

	for (round = 0; round < 2; round++) {
		tvirtio_kick(&vm->bus, v, qi);
		for (ms = 0; tvirtio_fd_readable(fd); ms++) {
			ck_assert_msg(ms < TVM_WAIT_MS,
				      "queue %u's thread never took the kick",
				      qi);
			usleep(1000);
		}
	}
}

/* Status 0: the device stops every queue thread before it returns. */
static inline void tvirtio_reset(struct tvm *vm, struct virtio_device *v)
{
	unsigned int i;

	tvirtio_set_status(&vm->bus, v, 0);
	for (i = 0; i < v->ops->num_queues; i++)
		ck_assert_msg(!v->queues[i].rt.running,
			      "queue %u still running after reset", i);
}

/* ------------------------------------------------------------------ */
/* Capturing stderr                                                    */
/* ------------------------------------------------------------------ */

struct tstderr {
	int saved, fd;
	char text[4096];
};

static inline void tstderr_capture(struct tstderr *c)
{
	fflush(stderr);
	c->fd = memfd_create("stderr", MFD_CLOEXEC);
	c->saved = dup(STDERR_FILENO);
	ck_assert(c->fd >= 0 && c->saved >= 0);
	ck_assert_int_eq(dup2(c->fd, STDERR_FILENO), STDERR_FILENO);
}

/* Stop capturing; the text is in c->text.  Returns its line count. */
static inline unsigned int tstderr_end(struct tstderr *c)
{
	ssize_t n;
	unsigned int lines = 0;
	char *p;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	n = pread(c->fd, c->text, sizeof(c->text) - 1, 0);
	close(c->fd);
	c->text[n > 0 ? n : 0] = 0;
	for (p = c->text; (p = strchr(p, '\n')); p++)
		lines++;
	return lines;
}

/* A test case in `s` whose tests run between setup and teardown. */
static inline TCase *unit_tcase(Suite *s, const char *name,
				void (*setup)(void), void (*teardown)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	return tc;
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
