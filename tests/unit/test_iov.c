// SPDX-License-Identifier: GPL-2.0
/*
 * Scatter-gather helpers at their edges: offsets on and past entry
 * boundaries, zero-length entries, lengths past the end, slices that do
 * not fit.  The iovec covers 10 bytes in entries of 3, 0, 5, 0 and 2,
 * each with guard bytes around it that must never change.
 */
#include <stdint.h>

#include "virtio/iov.h"
#include "unit_helpers.h"

#define GUARD		0xee
#define UNTOUCHED	0x55
#define TOTAL		10
#define NSEG		5

static const size_t seg_len[NSEG] = { 3, 0, 5, 0, 2 };
static uint8_t back[64];	/* entries 12 bytes apart, guards between */
static struct iovec iov[NSEG];
static uint8_t flat[TOTAL];	/* what the entries hold, end to end */

static void setup(void)
{
	size_t at = 0;
	unsigned int i;

	memset(back, GUARD, sizeof(back));
	fill_pattern(flat, TOTAL);
	for (i = 0; i < NSEG; i++) {
		iov[i] = (struct iovec){ back + 4 + 12 * i, seg_len[i] };
		memcpy(iov[i].iov_base, flat + at, seg_len[i]);
		at += seg_len[i];
	}
}

/* Byte i of the flat view, in back[]. */
static uint8_t *flat_byte(size_t i)
{
	unsigned int s;

	for (s = 0; i >= seg_len[s]; s++)
		i -= seg_len[s];
	return (uint8_t *)iov[s].iov_base + i;
}

static bool guards_intact(void)
{
	size_t i;

	for (i = 0; i < sizeof(back); i++) {
		const uint8_t *p = back + i;
		unsigned int s;
		bool inside = false;

		for (s = 0; s < NSEG; s++)
			if (p >= (uint8_t *)iov[s].iov_base &&
			    p < (uint8_t *)iov[s].iov_base + seg_len[s])
				inside = true;
		if (!inside && *p != GUARD)
			return false;
	}
	return true;
}

static const struct copy_case {
	size_t offset, len, copied;
} copies[] = {
	{ 0, TOTAL, TOTAL },
	{ 0, 0, 0 },
	{ 3, 4, 4 },		/* from an entry's end, across an empty one */
	{ 2, 3, 3 },		/* across the empty entry */
	{ 8, 2, 2 },		/* exactly the last entry */
	{ 8, 5, 2 },		/* past the end */
	{ 1, SIZE_MAX, TOTAL - 1 },
	{ TOTAL, 1, 0 },
	{ TOTAL + 1, 1, 0 },
	{ SIZE_MAX, 1, 0 },
	{ 5, 0, 0 },
};

START_TEST(test_to_buf)
{
	const struct copy_case *c = &copies[_i];
	uint8_t buf[TOTAL + 8];

	/* A len past the buffer is safe here: the iovec ends first. */
	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_uint_eq(iov_to_buf(iov, NSEG, c->offset, buf, c->len),
			  c->copied);
	ck_assert(!memcmp(buf, flat + (c->copied ? c->offset : 0), c->copied));
	ck_assert(all_bytes(buf + c->copied, UNTOUCHED,
			    sizeof(buf) - c->copied));
}
END_TEST

START_TEST(test_from_buf)
{
	const struct copy_case *c = &copies[_i];
	uint8_t src[TOTAL + 8];
	size_t i;

	memset(src, UNTOUCHED, sizeof(src));
	ck_assert_uint_eq(iov_from_buf(iov, NSEG, c->offset, src, c->len),
			  c->copied);
	for (i = 0; i < TOTAL; i++) {
		bool in = i >= c->offset && i < c->offset + c->copied;

		ck_assert_msg(*flat_byte(i) == (in ? UNTOUCHED : flat[i]),
			      "byte %zu", i);
	}
	ck_assert(guards_intact());
}
END_TEST

/* Slices, as entry index, offset into it and length; -1: no room. */
static const struct slice_case {
	size_t offset, len;
	unsigned int max;
	int count;
	struct {
		unsigned int seg;
		size_t at, len;
	} e[4];
} slices[] = {
	{ 0, TOTAL, 8, 3, { { 0, 0, 3 }, { 2, 0, 5 }, { 4, 0, 2 } } },
	{ 0, TOTAL, 3, 3, { { 0, 0, 3 }, { 2, 0, 5 }, { 4, 0, 2 } } },
	{ 0, TOTAL, 2, -1, { { 0 } } },
	{ 3, 5, 8, 1, { { 2, 0, 5 } } },
	{ 2, 3, 8, 2, { { 0, 2, 1 }, { 2, 0, 2 } } },
	{ 9, 1, 1, 1, { { 4, 1, 1 } } },
	{ 4, 7, 8, -1, { { 0 } } },	/* runs past the end */
	{ TOTAL, 0, 8, 0, { { 0 } } },
	{ 0, 0, 0, 0, { { 0 } } },
	{ 1, 9, 0, -1, { { 0 } } },
};

START_TEST(test_slice)
{
	const struct slice_case *c = &slices[_i];
	struct iovec dst[8], untouched = { (void *)1, 7 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dst); i++)
		dst[i] = untouched;
	ck_assert_int_eq(iov_slice(iov, NSEG, c->offset, c->len, dst, c->max),
			 c->count);
	for (i = 0; i < (c->count > 0 ? (unsigned int)c->count : 0); i++) {
		ck_assert_ptr_eq(dst[i].iov_base,
				 (uint8_t *)iov[c->e[i].seg].iov_base +
					 c->e[i].at);
		ck_assert_uint_eq(dst[i].iov_len, c->e[i].len);
	}
	/* Nothing written past max, whatever the answer. */
	for (i = c->max; i < ARRAY_SIZE(dst); i++)
		ck_assert(!memcmp(&dst[i], &untouched, sizeof(untouched)));
	ck_assert(guards_intact());
}
END_TEST

/*
 * After a short transfer of `bytes`: the array starts at entry `first`,
 * `at` bytes in, with n entries left.  Empty entries on the way go too.
 */
static const struct {
	size_t bytes;
	unsigned int first, n;
	size_t at;
} advances[] = {
	{ 0, 0, NSEG, 0 }, { 2, 0, NSEG, 2 }, { 3, 2, 3, 0 },
	{ 4, 2, 3, 1 }, { 8, 4, 1, 0 }, { 9, 4, 1, 1 }, { TOTAL, 0, 0, 0 },
	{ TOTAL + 5, 0, 0, 0 },
};

START_TEST(test_advance)
{
	struct iovec v[NSEG], *p = v;
	unsigned int n = NSEG;
	uint8_t before[sizeof(back)];

	memcpy(v, iov, sizeof(v));
	memcpy(before, back, sizeof(back));
	iov_advance(&p, &n, advances[_i].bytes);
	ck_assert_uint_eq(n, advances[_i].n);
	ck_assert(!memcmp(before, back, sizeof(back)));	/* the data: never */
	if (!n)
		return;
	ck_assert_ptr_eq(p, v + advances[_i].first);
	ck_assert_ptr_eq(p->iov_base, (uint8_t *)iov[advances[_i].first]
					      .iov_base + advances[_i].at);
	ck_assert_uint_eq(p->iov_len,
			  seg_len[advances[_i].first] - advances[_i].at);
	ck_assert(!memcmp(p + 1, iov + advances[_i].first + 1,
			  (n - 1) * sizeof(*p)));
}
END_TEST

static Suite *iov_suite(void)
{
	Suite *s = suite_create("iov");
	TCase *tc = unit_tcase(s, "iov", setup, NULL);

	tcase_add_loop_test(tc, test_to_buf, 0, ARRAY_SIZE(copies));
	tcase_add_loop_test(tc, test_from_buf, 0, ARRAY_SIZE(copies));
	tcase_add_loop_test(tc, test_slice, 0, ARRAY_SIZE(slices));
	tcase_add_loop_test(tc, test_advance, 0, ARRAY_SIZE(advances));
	return s;
}

int main(void)
{
	return run_suite(iov_suite());
}
