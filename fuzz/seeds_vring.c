// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for the vring target: the rings Linux's drivers build, laid out
 * by vring_init() as virtio_ring does, with descriptors taken from the
 * free list in order and, when VIRTIO_RING_F_INDIRECT_DESC is on, every
 * multi-buffer request in an indirect table (as virtqueue_add_split()
 * does).  Requests use the real virtio_blk_outhdr and virtio_net_hdr_v1.
 */
#include <linux/fuse.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_ring.h"
#include "seeds.h"
#include "virtio/vring.h"
#include "vring_input.h"

#define MAX_SEGS	8
#define PAGE_SIZE	4096
#define SECTOR		512
#define NET_RX_BUF	(sizeof(struct virtio_net_hdr_v1) + 1518)

/* Queue sizes our devices offer, which Linux then uses as they are. */
#define BLK_LOG2	7	/* 128 */
#define CONSOLE_LOG2	6	/* 64 */
#define NET_LOG2	8	/* 256 */
#define RNG_LOG2	6	/* 64 */
#define FS_LOG2		7	/* 128 */

struct seed {
	struct vring_fuzz_header hdr;
	uint8_t mem[VF_MEM_SIZE];
} __attribute__((packed));

/* The driver's view while it builds one seed (tests/lib/mock_ring.h). */
struct driver {
	struct seed s;
	struct guest_mem m;
	struct mock_ring r;
};

struct seg {
	const void *bytes;	/* NULL: a buffer the device fills */
	uint32_t len;
	bool write;
};

static struct driver drv;

static uint64_t gpa(const void *p)
{
	return (const uint8_t *)p - drv.s.mem;
}

static void die_outgrown(void)
{
	fprintf(stderr, "gen_seeds: vring seed outgrew guest memory\n");
	exit(1);
}

/*
 * Rings at guest-physical 0 as vring_init() lays them out, descriptors
 * taken in order, buffers right after the rings.
 */
static void layout(unsigned int num, unsigned long align)
{
	struct mock_ring_layout l = { .num = num, .align = align,
				      .stride = 1,
				      .buf = vring_size(num, align) };

	if (mock_ring_init(&drv.r, &drv.m, &l))
		die_outgrown();
}

static void start(enum vring_fuzz_mode mode, unsigned int log2,
		  uint8_t flags)
{
	memset(&drv, 0, sizeof(drv));
	drv.s.hdr.mode = mode;
	drv.s.hdr.size_log2 = log2;
	drv.s.hdr.flags = flags;
	drv.s.hdr.batch = 1;
	gmem_init(&drv.m, drv.s.mem, VF_MEM_SIZE, VF_MEM_SIZE);
	layout(1u << log2, VF_RING_ALIGN);
}

static uint64_t alloc(uint32_t len, const void *bytes)
{
	struct mock_seg m = mock_ring_buffer(&drv.r, len, false, bytes);

	if (!m.addr)
		die_outgrown();
	return m.addr;
}

static void fill_desc(struct vring_desc *d, const struct seg *s, bool more,
		      uint16_t next)
{
	d->addr = alloc(s->len, s->bytes);
	d->len = s->len;
	d->flags = (s->write ? VRING_DESC_F_WRITE : 0) |
		   (more ? VRING_DESC_F_NEXT : 0);
	d->next = more ? next : 0;
}

/*
 * One request, made available (virtqueue_add_split + kick): with
 * VF_INDIRECT every multi-buffer request in an indirect table.
 */
static void add(const struct seg *segs, unsigned int n)
{
	bool indirect = (drv.s.hdr.flags & VF_INDIRECT) && n > 1;
	struct mock_seg m[MAX_SEGS];
	unsigned int i;

	for (i = 0; i < n; i++)
		m[i] = (struct mock_seg){ alloc(segs[i].len, segs[i].bytes),
					  segs[i].len, segs[i].write };
	if (mock_ring_add(&drv.r, m, n, indirect ? 0 : n, 0) < 0)
		die_outgrown();
	mock_ring_publish(&drv.r);
}

/* The file holds the header and guest memory up to its last set byte. */
static void emit(const char *dir, const char *name)
{
	size_t len = sizeof(drv.s);

	while (len > sizeof(drv.s.hdr) && !((uint8_t *)&drv.s)[len - 1])
		len--;
	seed_write(dir, name, &drv.s, len);
}

/* ------------------------------------------------------------------ */
/* virtio-blk                                                          */
/* ------------------------------------------------------------------ */

static void blk_request(uint32_t type, uint64_t sector, uint32_t len,
			unsigned int data_segs)
{
	static const uint8_t pattern[PAGE_SIZE] = { [0 ... PAGE_SIZE - 1] = 0x77 };
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };
	bool to_guest = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	struct seg s[MAX_SEGS] = { { &h, sizeof(h), false } };
	unsigned int n = 1, i;

	for (i = 0; i < data_segs; i++)
		s[n++] = (struct seg){ to_guest ? NULL : pattern,
				       len / data_segs, to_guest };
	s[n++] = (struct seg){ NULL, 1, true };	/* status */
	add(s, n);
}

/* A read, a write and a flush, published in one kick. */
static void blk_read_write_flush(void)
{
	drv.s.hdr.batch = 3;
	blk_request(VIRTIO_BLK_T_IN, 0, 512, 1);
	blk_request(VIRTIO_BLK_T_OUT, 3, 512, 1);
	blk_request(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
}

static void seeds_blk(const char *dir)
{
	static const struct {
		const char *name;
		uint8_t flags;
		uint32_t type;
		uint64_t sector;
		uint32_t len;
		unsigned int segs;
	} reqs[] = {
		{ "linux-blk-read-4k", 0, VIRTIO_BLK_T_IN, 0, 4096, 1 },
		{ "linux-blk-read-4k-indirect", VF_INDIRECT, VIRTIO_BLK_T_IN, 0, 4096, 1 },
		{ "linux-blk-write-2-sectors-split", 0, VIRTIO_BLK_T_OUT, 2, 1024, 2 },
		{ "linux-blk-write-indirect-event-idx", VF_INDIRECT | VF_EVENT_IDX,
		  VIRTIO_BLK_T_OUT, 1, 2048, 4 },
		{ "linux-blk-write-read-only-disk", VF_READ_ONLY, VIRTIO_BLK_T_OUT, 0, 512, 1 },
		{ "linux-blk-read-past-end", 0, VIRTIO_BLK_T_IN, 7, 1024, 1 },
		{ "linux-blk-flush", 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0 },
		{ "linux-blk-get-id", 0, VIRTIO_BLK_T_GET_ID, 0, 20, 1 },
		{ "linux-blk-discard-unsupported", 0, VIRTIO_BLK_T_DISCARD, 0, 16, 1 },
		/* The disk's last sector, one past it, and across its end. */
		{ "edge-blk-write-last-sector", 0, VIRTIO_BLK_T_OUT, 7, 512, 1 },
		{ "edge-blk-write-sector-past-end", 0, VIRTIO_BLK_T_OUT, 8, 512, 1 },
		{ "edge-blk-write-across-end", 0, VIRTIO_BLK_T_OUT, 7, 1024, 1 },
		{ "edge-blk-read-sector-past-end", 0, VIRTIO_BLK_T_IN, 8, 512, 1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		start(VF_BLK, BLK_LOG2, reqs[i].flags);
		blk_request(reqs[i].type, reqs[i].sector, reqs[i].len,
			    reqs[i].segs);
		emit(dir, reqs[i].name);
	}
	/* A queue in use: read, write and flush in one kick, event index on. */
	start(VF_BLK, BLK_LOG2, VF_INDIRECT | VF_EVENT_IDX);
	blk_read_write_flush();
	vring_used_event(&drv.r.vr) = 1;
	emit(dir, "linux-blk-batch-read-write-flush-event-idx");
	/* The same on a disk whose every read, write and sync fails. */
	start(VF_BLK, BLK_LOG2, VF_HOST_FAILS);
	blk_read_write_flush();
	emit(dir, "linux-blk-host-io-errors");
	/* A disk file cut to 4 of its 8 sectors: a read across the cut, a write past it. */
	start(VF_BLK, BLK_LOG2, VF_HOST_SHORT);
	drv.s.hdr.batch = 2;
	blk_request(VIRTIO_BLK_T_IN, 2, 2048, 2);
	blk_request(VIRTIO_BLK_T_OUT, 6, 512, 1);
	emit(dir, "linux-blk-disk-file-shrank");
}

/* ------------------------------------------------------------------ */
/* virtio-console, virtio-net, virtio-rng                              */
/* ------------------------------------------------------------------ */

/* `count` receive buffers of `len` bytes, as drivers keep rx queues full. */
static void rx_buffers(unsigned int count, uint32_t len)
{
	struct seg s = { NULL, len, true };

	while (count--)
		add(&s, 1);
}

static void seeds_virtio_console(const char *dir)
{
	static const char hello[] = "Linux version 6.1.0 (hvc0)\n";
	struct seg s[2] = { { hello, sizeof(hello) - 1, false },
			    { "login: ", 7, false } };

	start(VF_CONSOLE_RX, CONSOLE_LOG2, 0);
	rx_buffers(4, 256);
	emit(dir, "linux-console-rx-4-buffers");
	/* The input hook ends input at the second buffer. */
	start(VF_CONSOLE_RX, CONSOLE_LOG2, 0);
	rx_buffers(4, 256);
	memcpy(drv.s.hdr.script, (uint8_t[]){ 1, 0xff }, 2);
	emit(dir, "linux-console-rx-hook-ends-input");
	start(VF_CONSOLE_RX, CONSOLE_LOG2, VF_HOST_FAILS);
	rx_buffers(2, 256);
	emit(dir, "linux-console-rx-read-error");
	start(VF_CONSOLE_RX, CONSOLE_LOG2, VF_HOST_SHORT);
	rx_buffers(2, 256);
	emit(dir, "linux-console-rx-nothing-typed");
	start(VF_CONSOLE_TX, CONSOLE_LOG2, 0);
	add(s, 1);
	emit(dir, "linux-console-tx-line");
	start(VF_CONSOLE_TX, CONSOLE_LOG2, VF_HOST_FAILS);
	add(s, 1);
	emit(dir, "linux-console-tx-write-error");
	/* Output blocked (a stopped terminal) until a reset stops the queue. */
	start(VF_CONSOLE_TX, CONSOLE_LOG2, VF_HOST_SHORT);
	add(s, 1);
	emit(dir, "linux-console-tx-blocked-then-reset");
	start(VF_CONSOLE_TX, CONSOLE_LOG2, VF_EVENT_IDX);
	drv.s.hdr.batch = 2;
	add(s, 1);
	add(s + 1, 1);
	vring_used_event(&drv.r.vr) = 1;
	emit(dir, "linux-console-tx-two-event-idx");
}

static void seeds_net(const char *dir)
{
	/* An ARP request: broadcast, from 52:54:00:12:34:56, who-has 10.0.0.1. */
	static const uint8_t arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0x12, 0x34,
		0x56, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1, 0x52, 0x54, 0,
		0x12, 0x34, 0x56, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1
	};
	struct virtio_net_hdr_v1 h = { .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	uint8_t one[sizeof(h) + sizeof(arp)];
	struct seg split[2] = { { &h, sizeof(h), false },
				{ arp, sizeof(arp), false } };
	struct seg whole = { one, sizeof(one), false };

	memcpy(one, &h, sizeof(h));
	memcpy(one + sizeof(h), arp, sizeof(arp));
	start(VF_NET_TX, NET_LOG2, 0);
	add(&whole, 1);		/* the header pushed in front of the frame */
	emit(dir, "linux-net-tx-arp-one-buffer");
	start(VF_NET_TX, NET_LOG2, VF_INDIRECT);
	add(split, 2);
	emit(dir, "linux-net-tx-arp-header-apart-indirect");
	start(VF_NET_RX, NET_LOG2, 0);
	rx_buffers(4, NET_RX_BUF);
	drv.s.hdr.batch = 4;
	/* Packets of 64 and 8 bytes (too short: put back), an error, none. */
	memcpy(drv.s.hdr.script, (uint8_t[]){ 16, 2, 255, 0 }, 4);
	emit(dir, "linux-net-rx-small-buffers");
	/* Buffers waiting, no packet. */
	start(VF_NET_RX, NET_LOG2, VF_HOST_SHORT);
	rx_buffers(2, NET_RX_BUF);
	emit(dir, "linux-net-rx-no-packet");
}

static void seeds_rng(const char *dir)
{
	struct seg s = { NULL, 64, true };

	start(VF_RNG, RNG_LOG2, 0);
	add(&s, 1);
	memset(drv.s.hdr.script, 16, VF_SCRIPT_LEN);
	emit(dir, "linux-rng-64-bytes");
	start(VF_RNG, RNG_LOG2, VF_EVENT_IDX);
	add(&s, 1);
	/* Short fill, EINTR, then a failing getrandom(). */
	memcpy(drv.s.hdr.script, (uint8_t[]){ 1, 0xff, 2, 0 }, 4);
	emit(dir, "linux-rng-host-errors");
}

/* ------------------------------------------------------------------ */
/* virtio-fs, its back-end gone: -EIO replies                          */
/* ------------------------------------------------------------------ */

/* What Linux's virtio_fs sends: FUSE_INIT first, then a lookup. */
static void seeds_fuse_error(const char *dir)
{
	struct {
		struct fuse_in_header h;
		struct fuse_init_in init;
	} __attribute__((packed)) init = {
		.h = { .len = sizeof(init), .opcode = FUSE_INIT, .unique = 1 },
		.init = { .major = FUSE_KERNEL_VERSION,
			  .minor = FUSE_KERNEL_MINOR_VERSION },
	};
	struct {
		struct fuse_in_header h;
		char name[8];
	} __attribute__((packed)) lookup = {
		.h = { .len = sizeof(lookup), .opcode = FUSE_LOOKUP,
		       .unique = 2, .nodeid = 1 },
		.name = "hello",
	};
	struct seg init_req[] = {
		{ &init, sizeof(init), false },
		{ NULL, sizeof(struct fuse_out_header), true },
		{ NULL, sizeof(struct fuse_init_out), true },
	};
	struct seg lookup_split[] = {
		{ &lookup.h, sizeof(lookup.h), false },
		{ lookup.name, sizeof(lookup.name), false },
		{ NULL, sizeof(struct fuse_out_header), true },
		{ NULL, sizeof(struct fuse_entry_out), true },
	};
	struct seg no_room[] = {
		{ &lookup, sizeof(lookup), false },
		{ NULL, sizeof(struct fuse_out_header) - 1, true },
	};

	start(VF_FUSE_ERROR, FS_LOG2, 0);
	add(init_req, 3);
	add(lookup_split, 4);
	emit(dir, "linux-fs-gone-init-and-lookup");
	start(VF_FUSE_ERROR, FS_LOG2, VF_INDIRECT | VF_EVENT_IDX);
	add(init_req, 3);
	add(no_room, 2);
	add(lookup_split, 4);
	drv.s.hdr.batch = 1;
	emit(dir, "linux-fs-gone-indirect-one-too-short");
}

/* ------------------------------------------------------------------ */
/* The ring library alone                                              */
/* ------------------------------------------------------------------ */

/*
 * One buffer, then an indirect table of VIRTQ_MAX_SEGS more: one segment
 * past what a chain may have, which Linux never builds but a guest can.
 */
static void seed_overlong_chain(const char *dir)
{
	struct seg one = { "x", 1, false };
	struct vring_desc *table;
	unsigned int i;

	start(VF_RING, 1, VF_INDIRECT);
	table = (void *)(drv.s.mem +
			 alloc(VIRTQ_MAX_SEGS * sizeof(*table), NULL));
	for (i = 0; i < VIRTQ_MAX_SEGS; i++)
		fill_desc(&table[i], &one, i + 1 < VIRTQ_MAX_SEGS, i + 1);
	fill_desc(&drv.r.vr.desc[0], &one, true, 1);
	drv.r.vr.desc[1] = (struct vring_desc){
		.addr = gpa(table), .len = VIRTQ_MAX_SEGS * sizeof(*table),
		.flags = VRING_DESC_F_INDIRECT };
	drv.r.vr.avail->ring[0] = 0;
	drv.r.vr.avail->idx = 1;
	emit(dir, "ring-chain-one-segment-too-long");
}

static void seeds_ring(const char *dir)
{
	struct seg s[3] = { { "req", 3, false }, { NULL, 64, true },
			    { NULL, 1, true } };
	unsigned int i;

	start(VF_RING, 4, 0);
	emit(dir, "ring-empty");
	/* Five chains, completed in reverse and rotated, one put back. */
	start(VF_RING, 4, VF_INDIRECT | VF_EVENT_IDX);
	for (i = 0; i < 5; i++)
		add(s, 1 + i % 3);
	drv.s.hdr.batch = 3;
	memcpy(drv.s.hdr.script, (uint8_t[]){ 0x11, 0x92, 0x14 }, 3);
	emit(dir, "ring-out-of-order-unpop");
	/* Indices about to wrap past 65535. */
	start(VF_RING, 3, 0);
	drv.s.hdr.start_idx = 0xfffe;
	drv.r.avail_idx = 0xfffe;
	for (i = 0; i < 4; i++)
		add(s, 3);
	drv.s.hdr.flags |= VF_JUMP;
	emit(dir, "ring-index-wrap");
	/* The legacy layout (4 KiB-aligned used ring) at explicit addresses. */
	start(VF_RING, 4, VF_GEOMETRY);
	layout(16, PAGE_SIZE);
	add(s, 3);
	drv.s.hdr.raw_size = 16;
	drv.s.hdr.avail = gpa(drv.r.vr.avail);
	drv.s.hdr.used = gpa(drv.r.vr.used);
	emit(dir, "ring-legacy-layout");
	seed_overlong_chain(dir);
}

/* ------------------------------------------------------------------ */
/* Boundaries: rings against the end of guest RAM                      */
/* ------------------------------------------------------------------ */

#define EDGE_LOG2	4
#define EDGE_NUM	(1u << EDGE_LOG2)
#define EDGE_DESC	(VF_MEM_SIZE - 16 * EDGE_NUM)	/* flush with the end */
#define HALF_RING	(EDGE_NUM / 2)	/* the target takes at most 8 a kick */

/*
 * VF_RING with the descriptor table flush against the end of guest RAM,
 * the available ring at 0 and the used ring at `used`: an index one past
 * the table reads beyond RAM.
 */
static struct vring_desc *edge_ring(uint64_t used, uint8_t flags)
{
	start(VF_RING, EDGE_LOG2, VF_GEOMETRY | flags);
	drv.s.hdr.raw_size = EDGE_NUM;
	drv.s.hdr.desc = EDGE_DESC;
	drv.s.hdr.avail = 0;
	drv.s.hdr.used = used;
	drv.r.buf = 0x1000;
	return (struct vring_desc *)(drv.s.mem + EDGE_DESC);
}

static void edge_publish(uint16_t head)
{
	struct vring_avail *avail = (void *)drv.s.mem;

	avail->ring[0] = head;
	avail->idx = 1;
}

/*
 * used_event, the field just past the avail ring's last entry: a full
 * ring, so that entry names descriptor 15 while used_event stays 0, two
 * kicks of 8 with event index on.  After the second batch the guest
 * wants no interrupt (event 0 was passed); read one slot early, as 15,
 * it would get one.
 */
static void edge_used_event(const char *dir)
{
	struct seg one = { "x", 1, false };
	unsigned int i;

	start(VF_RING, EDGE_LOG2, VF_EVENT_IDX);
	for (i = 0; i < EDGE_NUM; i++)
		add(&one, 1);
	drv.s.hdr.batch = HALF_RING;
	vring_used_event(&drv.r.vr) = 0;
	emit(dir, "edge-ring-used-event-after-last-entry");
}

static void edges_ring(const char *dir)
{
	struct seg one = { "x", 1, false };
	struct vring_desc *d;

	/* The last descriptor as a head, and one past it. */
	d = edge_ring(0x100, 0);
	fill_desc(&d[EDGE_NUM - 1], &one, false, 0);
	edge_publish(EDGE_NUM - 1);
	emit(dir, "edge-ring-head-last-descriptor");
	edge_publish(EDGE_NUM);
	emit(dir, "edge-ring-head-past-table");
	/* A chain whose next is the last descriptor, and one past it. */
	d = edge_ring(0x100, 0);
	fill_desc(&d[0], &one, true, EDGE_NUM - 1);
	fill_desc(&d[EDGE_NUM - 1], &one, false, 0);
	edge_publish(0);
	emit(dir, "edge-ring-next-last-descriptor");
	d[0].next = EDGE_NUM;
	emit(dir, "edge-ring-next-past-table");
	/*
	 * The used ring (6 + 8n bytes with its avail_event) ending at the
	 * end of RAM, and 2 bytes past it: event index on, so the device
	 * writes avail_event, the ring's last field.
	 */
	edge_ring(VF_MEM_SIZE - 16 * EDGE_NUM - 6 - 8 * EDGE_NUM - 2,
		  VF_EVENT_IDX);
	drv.s.hdr.desc = 0x800;
	drv.s.hdr.used = VF_MEM_SIZE - (6 + 8 * EDGE_NUM) - 2;
	emit(dir, "edge-ring-used-ring-to-end-of-ram");
	drv.s.hdr.used = VF_MEM_SIZE - (4 + 8 * EDGE_NUM);
	emit(dir, "edge-ring-used-ring-2-bytes-past-ram");
	edge_used_event(dir);
}

void seeds_vring(const char *dir)
{
	seeds_ring(dir);
	edges_ring(dir);
	seeds_blk(dir);
	seeds_virtio_console(dir);
	seeds_net(dir);
	seeds_rng(dir);
	seeds_fuse_error(dir);
}
