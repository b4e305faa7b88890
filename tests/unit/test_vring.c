// SPDX-License-Identifier: GPL-2.0
/*
 * The split virtqueue library, driven the way Linux's virtio_ring drives
 * a device: rings laid out by vring_init() in guest memory, descriptors
 * handed out from a free list in no particular order, indirect tables
 * in their own buffers, the available index published last.  Hostile
 * rings are written descriptor by descriptor; each must fail with a
 * clear message, write nothing, and leave the queue where it was.
 */
#include <stdio.h>

#include "virtio/vring.h"
#include "unit_helpers.h"

/*
 * Guest RAM: low RAM (rings, buffers), a PCI hole, then the rest at
 * 4 GiB, where the indirect tables go so that both of gmem_ptr()'s
 * translations are used.
 */
#define MEM_SIZE	MiB
#define LOW_SIZE	(768 * 1024ULL)
#define HIGH_END	(GMEM_HIGH_BASE + MEM_SIZE - LOW_SIZE)
#define RING_GPA	0x10000ULL
#define BUF_GPA		0x40000ULL
#define IND_GPA		GMEM_HIGH_BASE

#define INDIRECT	(1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define EVENT_IDX	(1ULL << VIRTIO_RING_F_EVENT_IDX)
#define F_NEXT		VRING_DESC_F_NEXT
#define F_WRITE		VRING_DESC_F_WRITE
#define F_IND		VRING_DESC_F_INDIRECT

/* The driver (rings, allocators) and the device under test. */
static struct {
	struct test_mem t;
	struct mock_ring drv;
	struct virtq q;		/* the device */
	struct lg_error err;
} d;

static struct virtq_chain chain;

static void drv_init_mem(uint64_t mem, uint64_t low, uint16_t num,
			 uint64_t features)
{
	tmem_init(&d.t, mem, low);
	tdrv_init(&d.drv, &d.t, num, RING_GPA, BUF_GPA, IND_GPA);
	ck_assert_int_eq(virtq_setup(&d.q, &d.t.m, num, RING_GPA,
				     mock_ring_avail_gpa(&d.drv),
				     mock_ring_used_gpa(&d.drv), features,
				     &d.err), 0);
}

static void drv_init(uint16_t num, uint64_t features)
{
	drv_init_mem(MEM_SIZE, LOW_SIZE, num, features);
}

static void drv_fini(void)
{
	tmem_free(&d.t);
}

/* Both sides agree that `idx` requests have already come and gone. */
static void drv_start_at(uint16_t idx)
{
	d.drv.avail_idx = idx;
	d.drv.vr.avail->idx = idx;
	d.drv.vr.used->idx = idx;
	d.q.last_avail = idx;
	d.q.used_idx = idx;
}

static void assert_mem_is(const uint8_t *snap, const char *what)
{
	long off = tmem_diff(&d.t, snap);

	ck_assert_msg(off < 0, "%s: byte %ld of guard+RAM+guard changed",
		      what, off);
}

/* The popped chain is exactly segs[0..n): same buffers, same split. */
static void check_chain(uint16_t head, const struct mock_seg *s, unsigned int n)
{
	uint64_t out = 0, in = 0;
	unsigned int i;

	ck_assert_uint_eq(chain.head, head);
	ck_assert_uint_eq(chain.n_out + chain.n_in, n);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_eq(chain.iov[i].iov_base,
				 tmem_at(&d.t, s[i].addr, s[i].len));
		ck_assert_uint_eq(chain.iov[i].iov_len, s[i].len);
		ck_assert_msg(s[i].write == (i >= chain.n_out),
			      "segment %u is on the wrong side of n_out %u", i,
			      chain.n_out);
		*(s[i].write ? &in : &out) += s[i].len;
	}
	ck_assert_uint_eq(chain.out_len, out);
	ck_assert_uint_eq(chain.in_len, in);
	ck_assert_ptr_eq(virtq_chain_in(&chain), chain.iov + chain.n_out);
}

/*
 * Push, checking that it writes the used element at the driver's slot
 * `idx` and the new used->idx, and not one other byte.
 */
static void push_and_check(uint16_t idx, uint16_t head, uint32_t len)
{
	uint8_t *snap = tmem_snapshot(&d.t);
	struct vring_used_elem e = { .id = head, .len = len };
	uint16_t next = idx + 1;

	memcpy(tmem_snap_ptr(&d.t, snap,
			     &d.drv.vr.used->ring[idx & (d.drv.vr.num - 1)]),
	       &e, sizeof(e));
	memcpy(tmem_snap_ptr(&d.t, snap, &d.drv.vr.used->idx), &next,
	       sizeof(next));
	ck_assert_msg(virtq_push(&d.q, head, len, &d.err) == 0, "%s",
		      d.err.msg);
	assert_mem_is(snap, "push");
	free(snap);
}

/* The guest sends k one-segment requests; the device serves them all. */
static void cycle(unsigned int k)
{
	uint16_t heads[8];
	struct mock_seg s = { BUF_GPA, 1, false };
	unsigned int i;

	ck_assert_uint_le(k, ARRAY_SIZE(heads));
	for (i = 0; i < k; i++)
		heads[i] = mock_ring_add(&d.drv, &s, 1, 1, 0);
	mock_ring_publish(&d.drv);
	for (i = 0; i < k; i++) {
		ck_assert_int_eq(virtq_pop(&d.q, &chain, &d.err), 1);
		ck_assert_uint_eq(chain.head, heads[i]);
		ck_assert_int_eq(virtq_push(&d.q, chain.head, 0, &d.err), 0);
	}
}

/* ------------------------------------------------------------------ */
/* Well-formed requests                                                */
/* ------------------------------------------------------------------ */

#define R(l) { (l), false }
#define W(l) { (l), true }

static const struct chain_case {
	const char *name;
	unsigned int n, direct;	/* segments; how many in the table */
	struct { uint32_t len; bool write; } s[5];
	uint16_t ind_flags;
	unsigned int n_out;
	uint64_t out_len, in_len;
} chain_cases[] = {
	{ "one readable", 1, 1, { R(64) }, 0, 1, 64, 0 },
	{ "one writable", 1, 1, { W(512) }, 0, 0, 0, 512 },
	{ "three readable", 3, 3, { R(16), R(1), R(4096) }, 0, 3, 4113, 0 },
	{ "block request", 3, 3, { R(16), W(4096), W(1) }, 0, 1, 16, 4097 },
	{ "two and two", 4, 4, { R(10), R(20), W(30), W(40) }, 0, 2, 30, 70 },
	{ "zero-length segments", 5, 5, { R(0), R(8), W(0), W(8), W(0) }, 0,
	  2, 8, 8 },
	{ "indirect, one segment", 1, 0, { W(100) }, 0, 0, 0, 100 },
	{ "indirect chain", 5, 0, { R(16), R(0), R(7), W(4096), W(1) }, 0,
	  3, 23, 4097 },
	/* A device must ignore WRITE on an indirect entry (spec 2.7.5.3.2) */
	{ "WRITE on the indirect entry", 3, 0, { R(16), W(32), W(1) },
	  F_WRITE, 1, 16, 33 },
	/* vhost accepts a table at the end of a direct chain; so do we. */
	{ "direct then indirect", 4, 2, { R(16), R(32), W(64), W(1) }, 0,
	  2, 48, 65 },
};

START_TEST(test_chain)
{
	const struct chain_case *cc = &chain_cases[_i];
	struct mock_seg s[ARRAY_SIZE(cc->s)];
	uint8_t *snap;
	uint16_t head;
	unsigned int i;

	drv_init(8, INDIRECT);
	for (i = 0; i < cc->n; i++)
		s[i] = tdrv_seg(&d.drv, cc->s[i].len, cc->s[i].write);
	head = mock_ring_add(&d.drv, s, cc->n, cc->direct, cc->ind_flags);
	ck_assert_msg(virtq_pop(&d.q, &chain, &d.err) == 0,
		      "%s: popped before the index was published", cc->name);

	mock_ring_publish(&d.drv);
	snap = tmem_snapshot(&d.t);
	ck_assert_msg(virtq_pop(&d.q, &chain, &d.err) == 1, "%s: %s",
		      cc->name, d.err.msg);
	check_chain(head, s, cc->n);
	ck_assert_uint_eq(chain.n_out, cc->n_out);
	ck_assert_uint_eq(chain.out_len, cc->out_len);
	ck_assert_uint_eq(chain.in_len, cc->in_len);
	ck_assert_uint_eq(d.q.last_avail, 1);
	ck_assert_int_eq(virtq_pop(&d.q, &chain, &d.err), 0);
	assert_mem_is(snap, cc->name);	/* popping only reads */
	free(snap);
}
END_TEST

/* Free-running 16-bit indices: from the start and across the wrap. */
static const uint16_t starts[] = { 0, 65533, 65535 };

/*
 * A full queue of four requests of different shapes, popped in order,
 * returned out of order.  From 65533 the ring slots wrap (1, 2, 3, 0)
 * together with the indices, and the device must refuse to return more
 * than it took, before the first pop and after the last push.
 */
START_TEST(test_in_order_and_wrap)
{
	static const unsigned int order[] = { 2, 0, 3, 1 };
	uint16_t start = starts[_i], head[4];
	struct mock_seg s[4][3];
	unsigned int n[4] = { 1, 3, 1, 1 }, k;
	uint8_t *snap;

	drv_init(4, INDIRECT);
	drv_start_at(start);
	s[0][0] = tdrv_seg(&d.drv, 10, false);
	s[1][0] = tdrv_seg(&d.drv, 20, false);
	s[1][1] = tdrv_seg(&d.drv, 30, true);
	s[1][2] = tdrv_seg(&d.drv, 0, true);
	s[2][0] = tdrv_seg(&d.drv, 40, true);
	s[3][0] = tdrv_seg(&d.drv, 50, false);
	for (k = 0; k < 4; k++)
		head[k] = mock_ring_add(&d.drv, s[k], n[k], k == 1 ? 0 : n[k],
					0);

	snap = tmem_snapshot(&d.t);
	ck_assert_int_eq(virtq_push(&d.q, 0, 0, &d.err), -1);
	ck_assert_ptr_nonnull(strstr(d.err.msg, "never took"));
	assert_mem_is(snap, "push before any pop");
	free(snap);

	mock_ring_publish(&d.drv);
	for (k = 0; k < 4; k++) {
		ck_assert_int_eq(virtq_pop(&d.q, &chain, &d.err), 1);
		check_chain(head[k], s[k], n[k]);
	}
	ck_assert_int_eq(virtq_pop(&d.q, &chain, &d.err), 0);
	ck_assert_uint_eq(d.q.last_avail, (uint16_t)(start + 4));

	for (k = 0; k < 4; k++)
		push_and_check(start + k, head[order[k]], 100 + k);
	ck_assert_uint_eq(d.drv.vr.used->idx, (uint16_t)(start + 4));

	snap = tmem_snapshot(&d.t);
	ck_assert_int_eq(virtq_push(&d.q, head[0], 0, &d.err), -1);
	ck_assert_ptr_nonnull(strstr(d.err.msg, "never took"));
	assert_mem_is(snap, "push after all were returned");
	free(snap);
}
END_TEST

/*
 * The limits on one chain, at and one past their edges: VIRTQ_MAX_SEGS
 * segments, and 4 GiB of buffers.  Buffers may overlap, so 512
 * descriptors that each cover all of an 8 MiB guest add up to 4 GiB.
 */
#define BIG_MEM		(8 * MiB)

static const struct limit_case {
	const char *name;
	uint64_t mem;		/* MEM_SIZE as usual; BIG_MEM all low */
	uint16_t num;
	unsigned int n, direct, n_write; /* the last n_write are writable */
	uint64_t addr;
	uint32_t len, last_len;
	const char *expect;	/* NULL: accepted */
} limits[] = {
	{ "1024 direct segments", MEM_SIZE, 1024, 1024, 1024, 1, BUF_GPA,
	  1, 1, NULL },
	/*
	 * Linux's virtio_ring warns about chains longer than the queue only
	 * when they are direct; QEMU and vhost bound a table by 1024
	 * entries alone, as we do.
	 */
	{ "1024 indirect segments, queue of 4", MEM_SIZE, 4, 1024, 0, 1024,
	  BUF_GPA, 1, 1, NULL },
	{ "1 direct + 1024 indirect", MEM_SIZE, 1024, 1025, 1, 0, BUF_GPA,
	  1, 1, "longer than 1024 descriptors" },
	{ "4 GiB - 1 readable", BIG_MEM, 1024, 512, 512, 0, 0,
	  BIG_MEM, BIG_MEM - 1, NULL },
	{ "4 GiB - 1 split", BIG_MEM, 1024, 512, 512, 256, 0,
	  BIG_MEM, BIG_MEM - 1, NULL },
	{ "4 GiB readable", BIG_MEM, 1024, 512, 512, 0, 0,
	  BIG_MEM, BIG_MEM, "4 GiB or more" },
	{ "4 GiB split", BIG_MEM, 1024, 512, 512, 256, 0,
	  BIG_MEM, BIG_MEM, "4 GiB or more" },
	{ "4 GiB writable", BIG_MEM, 1024, 512, 512, 512, 0,
	  BIG_MEM, BIG_MEM, "4 GiB or more" },
};

START_TEST(test_limits)
{
	const struct limit_case *l = &limits[_i];
	static struct mock_seg s[VIRTQ_MAX_SEGS + 1];
	uint16_t head;
	unsigned int i;
	int ret;

	ck_assert_uint_le(l->n, ARRAY_SIZE(s));
	drv_init_mem(l->mem, l->mem == MEM_SIZE ? LOW_SIZE : l->mem, l->num,
		     INDIRECT);
	for (i = 0; i < l->n; i++)
		s[i] = (struct mock_seg){ l->addr,
				     i + 1 < l->n ? l->len : l->last_len,
				     i >= l->n - l->n_write };
	head = mock_ring_add(&d.drv, s, l->n, l->direct, 0);
	mock_ring_publish(&d.drv);
	ret = virtq_pop(&d.q, &chain, &d.err);
	if (!l->expect) {
		ck_assert_msg(ret == 1, "%s: %s", l->name, d.err.msg);
		check_chain(head, s, l->n);
		return;
	}
	ck_assert_msg(ret == -1, "%s: accepted", l->name);
	ck_assert_msg(strstr(d.err.msg, l->expect), "%s: \"%s\"", l->name,
		      d.err.msg);
	ck_assert_uint_eq(d.q.last_avail, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Queue geometry                                                      */
/* ------------------------------------------------------------------ */

enum area { NONE, DESC, AVAIL, USED };

/*
 * The areas sit in a valid virtio 1.x layout (packed, each at its
 * minimum alignment) except `which`, which moves to `gpa`.  Sizes
 * include the event index after each ring: 128, 22 and 70 bytes at 8.
 */
static const struct setup_case {
	const char *name;
	uint16_t size;
	enum area which;
	uint64_t gpa;
	const char *expect;	/* NULL: accepted */
} setups[] = {
	{ "size 0", 0, .expect = "queue size 0 " },
	{ "size 3", 3, .expect = "queue size 3 " },
	{ "size 768", 768, .expect = "queue size 768 " },
	{ "size 2048", 2048, .expect = "queue size 2048 " },
	{ "size 32768", 32768, .expect = "queue size 32768 " },
	{ "size 65535", 65535, .expect = "queue size 65535 " },
	{ "size 1", 1, NONE, 0, NULL },
	{ "size 1024", 1024, NONE, 0, NULL },
	{ "descriptors 16-aligned", 8, DESC, 0x20010, NULL },
	{ "descriptors 8-aligned", 8, DESC, 0x20008,
	  "descriptor table at 0x20008 is not 16-byte aligned" },
	{ "avail 2-aligned", 8, AVAIL, 0x20002, NULL },
	{ "avail odd", 8, AVAIL, 0x20001,
	  "available ring at 0x20001 is not 2-byte aligned" },
	{ "used 4-aligned", 8, USED, 0x20004, NULL },
	{ "used 2-aligned", 8, USED, 0x20002,
	  "used ring at 0x20002 is not 4-byte aligned" },
	{ "descriptors end at RAM's end", 8, DESC, HIGH_END - 128, NULL },
	{ "descriptors past RAM's end", 8, DESC, HIGH_END - 112,
	  "descriptor table (128 bytes at 0x10003ff90) is outside" },
	{ "descriptors beyond RAM", 8, DESC, HIGH_END,
	  "descriptor table (128 bytes at 0x100040000) is outside" },
	{ "descriptors into the PCI hole", 8, DESC, LOW_SIZE - 64,
	  "descriptor table (128 bytes at 0xbffc0) is outside" },
	{ "avail ends at RAM's end", 8, AVAIL, HIGH_END - 22, NULL },
	{ "avail's used_event past RAM's end", 8, AVAIL, HIGH_END - 20,
	  "available ring (22 bytes at 0x10003ffec) is outside" },
	{ "avail at 2^64 - 16", 8, AVAIL, -16ULL,
	  "available ring (22 bytes at 0xfffffffffffffff0) is outside" },
	{ "used ends 2 bytes before RAM's end", 8, USED, HIGH_END - 72, NULL },
	{ "used's avail_event past RAM's end", 8, USED, HIGH_END - 68,
	  "used ring (70 bytes at 0x10003ffbc) is outside" },
	{ "used at 2^64 - 64", 8, USED, -64ULL,
	  "used ring (70 bytes at 0xffffffffffffffc0) is outside" },
};

START_TEST(test_setup)
{
	const struct setup_case *sc = &setups[_i];
	uint64_t a[4];
	uint8_t *snap;
	struct virtq q;
	int ret;

	tmem_init(&d.t, MEM_SIZE, LOW_SIZE);
	a[DESC] = RING_GPA;
	a[AVAIL] = a[DESC] + 16ULL * sc->size;
	a[USED] = (a[AVAIL] + 6 + 2ULL * sc->size + 3) & ~3ULL;
	if (sc->which != NONE)
		a[sc->which] = sc->gpa;
	snap = tmem_snapshot(&d.t);
	ret = virtq_setup(&q, &d.t.m, sc->size, a[DESC], a[AVAIL], a[USED],
			  INDIRECT | EVENT_IDX, &d.err);
	assert_mem_is(snap, sc->name);
	free(snap);
	if (!sc->expect) {
		ck_assert_msg(ret == 0, "%s: %s", sc->name, d.err.msg);
		ck_assert_uint_eq(q.size, sc->size);
		ck_assert(q.indirect && q.event_idx);
		return;
	}
	ck_assert_msg(ret == -1, "%s: accepted", sc->name);
	ck_assert_msg(strstr(d.err.msg, sc->expect),
		      "%s: \"%s\" does not say \"%s\"", sc->name, d.err.msg,
		      sc->expect);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Hostile rings                                                       */
/* ------------------------------------------------------------------ */

#define DSC(a, l, f, n)	{ .addr = (a), .len = (l), .flags = (f), .next = (n) }
#define RD(n)		DSC(BUF_GPA, 8, F_NEXT, n)	/* readable, more */
#define WR(n)		DSC(BUF_GPA, 8, F_WRITE | F_NEXT, n)
#define RD_END		DSC(BUF_GPA, 8, 0, 0)
#define IND(len)	DSC(IND_GPA, len, F_IND, 0)

/*
 * Queue size 4, one avail entry naming `head` (0 unless set), the
 * available index moved on by `jump` (1 unless set), and an indirect
 * table at IND_GPA.
 */
static const struct hostile {
	const char *name;
	struct vring_desc desc[4];
	struct vring_desc ind[3];
	uint16_t head, jump;
	bool no_indirect;	/* INDIRECT_DESC not negotiated */
	const char *expect;
} hostile[] = {
	{ "head past the queue", { RD_END }, .head = 4,
	  .expect = "names descriptor 4 of 4" },
	{ "head 65535", { RD_END }, .head = 65535,
	  .expect = "names descriptor 65535 of 4" },
	{ "next past the queue", { RD(4) },
	  .expect = "next index 4 is past the table's 4 entries" },
	{ "next 65535", { RD(65535) },
	  .expect = "next index 65535 is past the table's 4 entries" },
	{ "self loop", { RD(0) }, .expect = "loops (more than 4" },
	{ "a -> b -> a", { RD(1), RD(0) }, .expect = "loops (more than 4" },
	/* A loop that misses the head: looking for the head never ends. */
	{ "a -> b -> c -> b", { RD(1), RD(2), RD(1) },
	  .expect = "loops (more than 4" },
	{ "chain longer than the queue", { RD(1), RD(2), RD(3), RD(0) },
	  .expect = "loops (more than 4" },
	{ "readable after writable", { WR(1), RD_END },
	  .expect = "readable descriptor after a writable one" },
	{ "readable, writable, readable", { RD(1), WR(2), RD_END },
	  .expect = "readable descriptor after a writable one" },
	{ "readable after writable, indirect", { IND(32) },
	  { WR(1), RD_END },
	  .expect = "readable descriptor after a writable one" },
	{ "writable, then an indirect readable", { WR(1), IND(16) },
	  { RD_END }, .expect = "readable descriptor after a writable one" },
	{ "indirect not negotiated", { IND(16) }, { RD_END },
	  .no_indirect = true,
	  .expect = "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC" },
	{ "indirect with NEXT", { DSC(IND_GPA, 16, F_IND | F_NEXT, 1), RD_END },
	  { RD_END }, .expect = "indirect descriptor also has NEXT set" },
	{ "indirect of 0 bytes", { IND(0) },
	  .expect = "indirect table of 0 bytes" },
	{ "indirect of 24 bytes", { IND(24) }, { RD_END, RD_END },
	  .expect = "indirect table of 24 bytes" },
	{ "indirect of 1025 entries", { IND(16 * 1025) },
	  .expect = "indirect table of 16400 bytes" },
	{ "indirect past RAM's end", { DSC(HIGH_END - 16, 32, F_IND, 0) },
	  .expect = "indirect table (32 bytes at 0x10003fff0) is outside" },
	{ "indirect in the PCI hole", { DSC(LOW_SIZE, 16, F_IND, 0) },
	  .expect = "indirect table (16 bytes at 0xc0000) is outside" },
	{ "indirect inside indirect", { IND(32) }, { RD(1), IND(16) },
	  .expect = "indirect table inside an indirect table" },
	{ "next past an indirect table", { IND(32) }, { RD(2), RD_END },
	  .expect = "next index 2 is past the table's 2 entries" },
	{ "loop in an indirect table", { IND(32) }, { RD(1), RD(0) },
	  .expect = "loops (more than 2" },
	{ "buffer into the PCI hole", { DSC(LOW_SIZE - 8, 16, 0, 0) },
	  .expect = "buffer of 16 bytes at 0xbfff8 is outside" },
	{ "buffer past RAM's end", { RD(1), DSC(HIGH_END - 8, 9, F_WRITE, 0) },
	  .expect = "buffer of 9 bytes at 0x10003fff8 is outside" },
	{ "buffer wrapping 2^64", { DSC(-16ULL, 32, 0, 0) },
	  .expect = "buffer of 32 bytes at 0xfffffffffffffff0 is outside" },
	{ "buffer outside, indirect", { IND(16) }, { DSC(HIGH_END, 1, 0, 0) },
	  .expect = "buffer of 1 bytes at 0x100040000 is outside" },
	{ "avail index jumps by 5", { RD_END }, .jump = 5,
	  .expect = "available index jumped" },
	{ "avail index moves back", { RD_END }, .jump = 65535,
	  .expect = "available index jumped" },
};

/* Every hostile ring is tried at each of starts[]. */
START_TEST(test_hostile)
{
	const struct hostile *h = &hostile[_i / ARRAY_SIZE(starts)];
	uint16_t start = starts[_i % ARRAY_SIZE(starts)];
	uint8_t *snap;

	drv_init(4, h->no_indirect ? 0 : INDIRECT);
	drv_start_at(start);
	memcpy(d.drv.vr.desc, h->desc, sizeof(h->desc));
	memcpy(tmem_at(&d.t, IND_GPA, sizeof(h->ind)), h->ind,
	       sizeof(h->ind));
	d.drv.vr.avail->ring[start & 3] = h->head;
	d.drv.vr.avail->idx = start + (h->jump ? h->jump : 1);

	snap = tmem_snapshot(&d.t);
	ck_assert_msg(virtq_pop(&d.q, &chain, &d.err) == -1,
		      "%s (from %u): accepted", h->name, start);
	ck_assert_msg(strstr(d.err.msg, h->expect),
		      "%s: \"%s\" does not say \"%s\"", h->name, d.err.msg,
		      h->expect);
	ck_assert_uint_eq(d.q.last_avail, start);
	ck_assert_uint_eq(d.q.used_idx, start);
	ck_assert(tmem_guards_intact(&d.t));
	assert_mem_is(snap, h->name);

	/* Nothing was taken, and a retry finds the ring as broken. */
	ck_assert_int_eq(virtq_push(&d.q, h->head, 0, &d.err), -1);
	ck_assert_int_eq(virtq_pop(&d.q, &chain, &d.err), -1);
	ck_assert_uint_eq(d.q.last_avail, start);
	assert_mem_is(snap, h->name);
	free(snap);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Notification suppression                                            */
/* ------------------------------------------------------------------ */

/* Without EVENT_IDX only the NO_INTERRUPT bit of avail->flags counts. */
static const struct {
	uint16_t flags;
	bool expect;
} irq_flags[] = {
	{ 0, true },
	{ VRING_AVAIL_F_NO_INTERRUPT, false },
	{ (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT, true },
	{ 0xffff, false },
};

START_TEST(test_interrupt_flags)
{
	drv_init(4, 0);
	cycle(1);
	d.drv.vr.avail->flags = irq_flags[_i].flags;
	/* used_event is not consulted without EVENT_IDX */
	vring_used_event(&d.drv.vr) = d.q.used_idx - 1;
	ck_assert(virtq_should_interrupt(&d.q) == irq_flags[_i].expect);
	ck_assert(virtq_should_interrupt(&d.q) == irq_flags[_i].expect);
}
END_TEST

/*
 * With EVENT_IDX: the first call after setup says yes whatever the
 * guest asked; after that, yes only when the used index moved past
 * used_event since the last interrupt, as Linux's vring_need_event()
 * decides.  NO_INTERRUPT is set all along: the device must ignore it.
 */
START_TEST(test_interrupt_event_idx)
{
	uint16_t start = starts[_i], old;
	unsigned int k;
	int off;

	drv_init(8, EVENT_IDX);
	drv_start_at(start);
	d.drv.vr.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	vring_used_event(&d.drv.vr) = start + 100;
	cycle(1);
	ck_assert(virtq_should_interrupt(&d.q));

	old = start + 1;
	for (off = -3; off <= 8; off++) {
		for (k = 0; k <= 4; k++) {
			uint16_t event = old + off;
			bool want = vring_need_event(event, old + k, old);

			vring_used_event(&d.drv.vr) = event;
			cycle(k);
			ck_assert_msg(virtq_should_interrupt(&d.q) == want,
				      "used %u -> %u, used_event %u: want %d",
				      old, (uint16_t)(old + k), event, want);
			old += k;
		}
	}
}
END_TEST

/*
 * Kicks off while busy, on again when idle.  notify_on must say whether
 * requests arrived in between, or the device would sleep on them.
 */
static const struct {
	bool event_idx;
	uint16_t start;
	unsigned int pending;
} notify_cases[] = {
	{ false, 0, 0 }, { false, 0, 1 }, { false, 65535, 0 },
	{ false, 65535, 3 }, { true, 0, 0 }, { true, 0, 1 },
	{ true, 65535, 0 }, { true, 65535, 3 },
};

START_TEST(test_notify)
{
	bool event_idx = notify_cases[_i].event_idx;
	uint16_t start = notify_cases[_i].start, served = start + 1;
	unsigned int pending = notify_cases[_i].pending, i;
	struct mock_seg s = { BUF_GPA, 1, false };
	uint16_t no_notify = VRING_USED_F_NO_NOTIFY;
	uint8_t *snap;

	drv_init(8, event_idx ? EVENT_IDX : 0);
	drv_start_at(start);
	cycle(1);
	vring_avail_event(&d.drv.vr) = 0x5a5a;

	/* Without EVENT_IDX, off is the NO_NOTIFY flag; with it, nothing. */
	snap = tmem_snapshot(&d.t);
	if (!event_idx)
		memcpy(tmem_snap_ptr(&d.t, snap, &d.drv.vr.used->flags),
		       &no_notify, sizeof(no_notify));
	virtq_notify_off(&d.q);
	assert_mem_is(snap, "notify_off");
	free(snap);

	for (i = 0; i < pending; i++)
		mock_ring_add(&d.drv, &s, 1, 1, 0);
	mock_ring_publish(&d.drv);
	ck_assert(virtq_notify_on(&d.q) == (pending > 0));
	ck_assert_uint_eq(d.drv.vr.used->flags, 0);
	ck_assert_uint_eq(vring_avail_event(&d.drv.vr),
			  event_idx ? served : 0x5a5a);
	ck_assert_uint_eq(d.q.last_avail, served);
}
END_TEST

/* Every group frees the guest memory its tests set up. */
static Suite *vring_suite(void)
{
	Suite *s = suite_create("vring");
	TCase *tc;

	tc = unit_tcase(s, "valid", NULL, drv_fini);
	tcase_add_loop_test(tc, test_chain, 0, ARRAY_SIZE(chain_cases));
	tcase_add_loop_test(tc, test_in_order_and_wrap, 0, ARRAY_SIZE(starts));
	tcase_add_loop_test(tc, test_limits, 0, ARRAY_SIZE(limits));

	tc = unit_tcase(s, "setup", NULL, drv_fini);
	tcase_add_loop_test(tc, test_setup, 0, ARRAY_SIZE(setups));

	tc = unit_tcase(s, "hostile", NULL, drv_fini);
	tcase_add_loop_test(tc, test_hostile, 0,
			    ARRAY_SIZE(hostile) * ARRAY_SIZE(starts));

	tc = unit_tcase(s, "notify", NULL, drv_fini);
	tcase_add_loop_test(tc, test_interrupt_flags, 0, ARRAY_SIZE(irq_flags));
	tcase_add_loop_test(tc, test_interrupt_event_idx, 0,
			    ARRAY_SIZE(starts));
	tcase_add_loop_test(tc, test_notify, 0, ARRAY_SIZE(notify_cases));
	return s;
}

int main(void)
{
	return run_suite(vring_suite());
}
