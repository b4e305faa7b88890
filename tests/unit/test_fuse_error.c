// SPDX-License-Identifier: GPL-2.0
/*
 * The error replies a virtio-fs queue gets once its back-end is gone
 * (devices/fuse_error.c), on rings a driver builds as Linux does: a
 * well-formed FUSE request gets a struct fuse_out_header {16, -EIO,
 * its unique} at the start of its writable part and used length 16;
 * one too short on either side, or one the vring code refuses, comes
 * back with length 0; nothing else in guest memory changes.  A broken
 * available ring completes nothing.
 */
#include <linux/fuse.h>

#include "devices/fuse_error.h"
#include "unit_helpers.h"

#define MEM_SIZE MiB
#define RING_GPA 0x10000ULL
#define BUF_GPA 0x40000ULL
#define NUM 64
#define EIO_ERR FUSE_ERROR_REPLY
#define OUTSIDE (MEM_SIZE + 4096) /* past the end of guest RAM */

static struct {
	struct test_mem t;
	struct mock_ring drv;
	struct virtq q;
	struct lg_error err;
} d;

static struct virtq_chain chain;

static void setup(void)
{
	tmem_init(&d.t, MEM_SIZE, MEM_SIZE);
	tdrv_init(&d.drv, &d.t, NUM, RING_GPA, BUF_GPA, 0);
	ck_assert_int_eq(virtq_setup(&d.q, &d.t.m, NUM, RING_GPA,
				     mock_ring_avail_gpa(&d.drv),
				     mock_ring_used_gpa(&d.drv),
				     1ULL << VIRTIO_RING_F_INDIRECT_DESC,
				     &d.err),
			 0);
}

static void teardown(void)
{
	ck_assert(tmem_guards_intact(&d.t));
	tmem_free(&d.t);
}

/* One segment of a case: its length; `at` an address instead of fresh. */
struct seg {
	uint32_t len;
	bool write;
	uint64_t at;
};

#define MAX_SEGS 4

static const struct {
	const char *name;
	struct seg s[MAX_SEGS];
	unsigned int n;
	uint32_t in_len; /* the in-header's own len field */
	uint32_t used; /* the used length expected */
} cases[] = {
	{"lookup", {{40 + 6, false, 0}, {16 + 128, true, 0}}, 2, 46, 16},
	{"headers split",
	 {{9, false, 0},
	  {31 + 4096, false, 0},
	  {3, true, 0},
	  {13 + 64, true, 0}},
	 4,
	 4136,
	 16},
	{"exactly the headers", {{40, false, 0}, {16, true, 0}}, 2, 40, 16},
	{"no writable part", {{40 + 8, false, 0}}, 1, 48, 0},
	{"writable part too short", {{40, false, 0}, {15, true, 0}}, 2, 40, 0},
	{"in-header too short", {{39, false, 0}, {16, true, 0}}, 2, 39, 0},
	{"nothing readable", {{16, true, 0}}, 1, 0, 0},
	{"in-header outside guest RAM",
	 {{40, false, OUTSIDE}, {16, true, 0}},
	 2,
	 40,
	 0},
	{"in-header straddles the end of guest RAM",
	 {{40, false, MEM_SIZE - 20}, {16, true, 0}},
	 2,
	 40,
	 0},
	{"out-header outside guest RAM",
	 {{40, false, 0}, {16, true, OUTSIDE}},
	 2,
	 40,
	 0},
	{"4 GiB readable descriptor",
	 {{40, false, 0}, {16, true, 0}},
	 2,
	 40,
	 0},
	{"hostile in-header len",
	 {{40, false, 0}, {16, true, 0}},
	 2,
	 0xffffffff,
	 16},
	{"zero in-header len", {{40, false, 0}, {16, true, 0}}, 2, 0, 16},
};

/*
 * Build case i's chain (the in-header, when it fits, with a unique of
 * its own); fills segs and returns the head.
 */
static uint16_t add_case(unsigned int i, struct mock_seg *segs, uint64_t unique)
{
	struct fuse_in_header in = {
		.len = cases[i].in_len,
		.opcode = FUSE_LOOKUP,
		.unique = unique,
		.nodeid = 1,
	};
	uint8_t bytes[sizeof(in)];
	size_t done = 0;
	unsigned int k;
	int head;

	memcpy(bytes, &in, sizeof(in));
	for (k = 0; k < cases[i].n; k++) {
		const struct seg *s = &cases[i].s[k];

		if (s->at) {
			segs[k] = (struct mock_seg){s->at, s->len, s->write};
		} else if (k == 0 && !strcmp(cases[i].name,
					     "4 GiB readable descriptor")) {
			segs[k] = tdrv_seg(&d.drv, 40, false);
			segs[k].len = 0xffffffff;
		} else {
			segs[k] = tdrv_seg(&d.drv, s->len, s->write);
		}
		if (!s->write && done < sizeof(bytes)) {
			void *p = gmem_ptr(&d.t.m, segs[k].addr, segs[k].len);
			size_t n = sizeof(bytes) - done;

			if (n > segs[k].len)
				n = segs[k].len;
			if (p)
				memcpy(p, bytes + done, n);
			done += n;
		}
	}
	head = mock_ring_add(&d.drv, segs, cases[i].n, cases[i].n, 0);
	ck_assert_int_ge(head, 0);
	return head;
}

/* Put `bytes` where the writable segments of segs start, in snap. */
static void expect_written(uint8_t *snap, const struct mock_seg *segs,
			   unsigned int n, const void *bytes, size_t len)
{
	size_t done = 0;
	unsigned int k;

	for (k = 0; k < n && done < len; k++) {
		size_t m = len - done;

		if (!segs[k].write)
			continue;
		if (m > segs[k].len)
			m = segs[k].len;
		memcpy(tmem_snap_ptr(&d.t, snap,
				     tmem_at(&d.t, segs[k].addr, m)),
		       (const uint8_t *)bytes + done, m);
		done += m;
	}
}

static void expect_used(uint8_t *snap, uint16_t idx, uint16_t head,
			uint32_t len)
{
	struct vring_used_elem e = {.id = head, .len = len};
	uint16_t next = idx + 1;

	memcpy(tmem_snap_ptr(&d.t, snap, &d.drv.vr.used->ring[idx & (NUM - 1)]),
	       &e, sizeof(e));
	memcpy(tmem_snap_ptr(&d.t, snap, &d.drv.vr.used->idx), &next,
	       sizeof(next));
}

START_TEST(test_reply)
{
	struct mock_seg segs[MAX_SEGS];
	uint64_t unique = 0x1122334455667788ULL + _i;
	struct fuse_out_header out = {16, EIO_ERR, unique};
	uint16_t head = add_case(_i, segs, unique);
	uint8_t *snap;
	long off;

	mock_ring_publish(&d.drv);
	snap = tmem_snapshot(&d.t);
	expect_used(snap, 0, head, cases[_i].used);
	if (cases[_i].used)
		expect_written(snap, segs, cases[_i].n, &out, sizeof(out));
	ck_assert_msg(fuse_error_serve(&d.q, &chain, EIO_ERR, &d.err) == 1,
		      "%s: %s", cases[_i].name, d.err.msg);
	off = tmem_diff(&d.t, snap);
	ck_assert_msg(off < 0, "%s: byte %ld is not as expected",
		      cases[_i].name, off);
	free(snap);
	ck_assert_int_eq(fuse_error_serve(&d.q, &chain, EIO_ERR, &d.err), 0);
	ck_assert_uint_eq(mock_ring_used_idx(&d.drv), 1);
}
END_TEST

/* Every case one after the other, wrapping the ring: all come back. */
START_TEST(test_many)
{
	struct mock_seg segs[MAX_SEGS];
	unsigned int i, round, served = 0;
	uint16_t heads[ARRAY_SIZE(cases)];

	for (round = 0; round < 6; round++) {
		d.drv.buf = BUF_GPA;
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			heads[i] = add_case(i, segs, 1000 + i);
		mock_ring_publish(&d.drv);
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			struct vring_used_elem *e;

			ck_assert_int_eq(
				fuse_error_serve(&d.q, &chain, EIO_ERR, &d.err),
				1);
			e = &d.drv.vr.used->ring[served++ & (NUM - 1)];
			ck_assert_uint_eq(e->id, heads[i]);
			ck_assert_msg(e->len == cases[i].used,
				      "round %u, %s: used length %u", round,
				      cases[i].name, e->len);
			/* Linux frees the descriptors it gets back. */
		}
		ck_assert_int_eq(
			fuse_error_serve(&d.q, &chain, EIO_ERR, &d.err), 0);
		ck_assert_uint_eq(mock_ring_used_idx(&d.drv), (uint16_t)served);
		/* Give the descriptors back to the driver's free list. */
		tdrv_init(&d.drv, &d.t, NUM, RING_GPA, BUF_GPA, 0);
		d.drv.avail_idx = served;
		d.drv.vr.avail->idx = served;
		d.drv.vr.used->idx = served;
	}
}
END_TEST

/* A chain that loops is refused by the vring code, and still returned. */
START_TEST(test_loop)
{
	struct mock_seg s = tdrv_seg(&d.drv, 40, false);
	int head = mock_ring_add(&d.drv, &s, 1, 1, 0);

	d.drv.vr.desc[head].flags |= VRING_DESC_F_NEXT;
	d.drv.vr.desc[head].next = head;
	mock_ring_publish(&d.drv);
	ck_assert_int_eq(fuse_error_serve(&d.q, &chain, EIO_ERR, &d.err), 1);
	ck_assert_uint_eq(d.drv.vr.used->ring[0].id, head);
	ck_assert_uint_eq(d.drv.vr.used->ring[0].len, 0);
	ck_assert_uint_eq(mock_ring_used_idx(&d.drv), 1);
}
END_TEST

/* A broken available ring: nothing to complete, nothing written. */
static const struct {
	const char *name;
	uint16_t avail_idx, entry;
	const char *says;
} broken[] = {
	{"index jump", NUM + 1, 0, "available index jumped"},
	{"entry out of range", 1, NUM, "names descriptor 64 of 64"},
	{"entry far out of range", 1, 0xffff, "names descriptor 65535"},
};

START_TEST(test_broken_ring)
{
	uint8_t *snap;

	d.drv.vr.avail->ring[0] = broken[_i].entry;
	d.drv.vr.avail->idx = broken[_i].avail_idx;
	snap = tmem_snapshot(&d.t);
	ck_assert_int_eq(fuse_error_serve(&d.q, &chain, EIO_ERR, &d.err), -1);
	ck_assert_msg(strstr(d.err.msg, broken[_i].says), "%s: %s",
		      broken[_i].name, d.err.msg);
	ck_assert_int_lt(tmem_diff(&d.t, snap), 0);
	free(snap);
	ck_assert_uint_eq(d.q.last_avail, 0);
}
END_TEST

/* The pure reply on a chain built by hand: what each side needs. */
START_TEST(test_reply_direct)
{
	struct fuse_in_header in = {.len = 40, .unique = 77};
	struct fuse_out_header out;
	struct virtq_chain *c = &chain;

	memset(&out, 0xaa, sizeof(out));
	c->n_out = 1;
	c->n_in = 1;
	c->iov[0] = (struct iovec){&in, sizeof(in)};
	c->iov[1] = (struct iovec){&out, sizeof(out)};
	c->out_len = sizeof(in);
	c->in_len = sizeof(out);
	ck_assert_uint_eq(fuse_error_reply(c, EIO_ERR), 16);
	ck_assert_uint_eq(out.len, 16);
	ck_assert_int_eq(out.error, EIO_ERR);
	ck_assert_uint_eq(out.unique, 77);
	/* Lengths that claim more than the segments hold are not trusted. */
	memset(&out, 0xaa, sizeof(out));
	c->iov[1].iov_len = 8;
	ck_assert_uint_eq(fuse_error_reply(c, EIO_ERR), 0);
	ck_assert_uint_eq(out.len, 0xaaaaaaaa);
	c->iov[1].iov_len = sizeof(out);
	c->iov[0].iov_len = 20;
	ck_assert_uint_eq(fuse_error_reply(c, EIO_ERR), 0);
	ck_assert_uint_eq(out.len, 0xaaaaaaaa);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuse_error");
	TCase *tc = unit_tcase(s, "fuse_error", setup, teardown);

	tcase_add_loop_test(tc, test_reply, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_loop);
	tcase_add_loop_test(tc, test_broken_ring, 0, ARRAY_SIZE(broken));
	tcase_add_test(tc, test_reply_direct);
	return run_suite(s);
}
