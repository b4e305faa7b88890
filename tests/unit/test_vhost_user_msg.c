// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user messages: what the launcher sends is laid out as the
 * protocol says (checked byte by byte against hand-written layouts), and
 * every reply a hostile or broken back-end could send is refused with a
 * message saying why: wrong request, version, flags, sizes, short or
 * long payloads, descriptors where none belong, a refusing ack.
 */
#include <stdint.h>

#include "virtio/vhost_user_msg.h"
#include "unit_helpers.h"

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, v);
	le32(p + 4, v >> 32);
}

/* A well-formed reply: header plus an 8-byte payload. */
static size_t reply(uint8_t *buf, uint32_t request, uint32_t flags,
		    uint32_t size, uint64_t payload)
{
	le32(buf, request);
	le32(buf + 4, flags);
	le32(buf + 8, size);
	le64(buf + 12, payload);
	return VU_HDR_SIZE + 8;
}

#define OK_FLAGS (VU_VERSION | VU_FLAG_REPLY)

START_TEST(test_features_reply)
{
	uint8_t buf[VU_MAX_MSG];
	size_t len =
		reply(buf, VU_GET_FEATURES, OK_FLAGS, 8, 0x1234567890abcdefULL);
	struct vu_reply r;
	struct lg_error err;

	ck_assert_int_eq(vu_parse_reply(buf, len, 0, false, VU_GET_FEATURES,
					false, &r, &err),
			 0);
	ck_assert_uint_eq(r.request, VU_GET_FEATURES);
	ck_assert_uint_eq(r.u64, 0x1234567890abcdefULL);
}
END_TEST

START_TEST(test_vring_base_reply)
{
	uint8_t buf[VU_MAX_MSG];
	size_t len = reply(buf, VU_GET_VRING_BASE, OK_FLAGS, 8,
			   3 | (uint64_t)0x8001 << 32);
	struct vu_reply r;
	struct lg_error err;

	ck_assert_int_eq(vu_parse_reply(buf, len, 0, false, VU_GET_VRING_BASE,
					false, &r, &err),
			 0);
	ck_assert_uint_eq(r.state.index, 3);
	ck_assert_uint_eq(r.state.num, 0x8001);
}
END_TEST

START_TEST(test_ack_success)
{
	uint8_t buf[VU_MAX_MSG];
	size_t len = reply(buf, VU_SET_MEM_TABLE, OK_FLAGS, 8, 0);
	struct vu_reply r;
	struct lg_error err;

	ck_assert_int_eq(vu_parse_reply(buf, len, 0, false, VU_SET_MEM_TABLE,
					true, &r, &err),
			 0);
	ck_assert_uint_eq(r.u64, 0);
}
END_TEST

/* Replies to break, one field at a time, and what the error must say. */
static const struct hostile {
	const char *what;
	uint32_t expected; /* the request the launcher sent */
	bool ack;
	uint32_t request, flags, size;
	int len_delta; /* bytes received beyond header + size */
	unsigned int nfds;
	bool truncated;
	uint64_t payload;
	const char *says;
} hostile[] = {
	{"another request's reply", VU_GET_FEATURES, false,
	 VU_GET_PROTOCOL_FEATURES, OK_FLAGS, 8, 0, 0, false, 0,
	 "GET_PROTOCOL_FEATURES reply to GET_FEATURES"},
	{"unknown request", VU_GET_FEATURES, false, 0xdead, OK_FLAGS, 8, 0, 0,
	 false, 0, "request 57005 reply to GET_FEATURES"},
	{"version 0", VU_GET_FEATURES, false, VU_GET_FEATURES, VU_FLAG_REPLY, 8,
	 0, 0, false, 0, "version 0, not 1"},
	{"version 3", VU_GET_FEATURES, false, VU_GET_FEATURES,
	 VU_FLAG_REPLY | 3, 8, 0, 0, false, 0, "version 3, not 1"},
	{"no reply bit", VU_GET_FEATURES, false, VU_GET_FEATURES, VU_VERSION, 8,
	 0, 0, false, 0, "reply bit missing"},
	{"a reply asking for a reply", VU_GET_FEATURES, false, VU_GET_FEATURES,
	 OK_FLAGS | VU_FLAG_NEED_REPLY, 8, 0, 0, false, 0, "flags 0xd"},
	{"reserved flag", VU_GET_QUEUE_NUM, false, VU_GET_QUEUE_NUM,
	 OK_FLAGS | 0x80000000U, 8, 0, 0, false, 0, "flags 0x80000005"},
	{"size too small", VU_GET_FEATURES, false, VU_GET_FEATURES, OK_FLAGS, 4,
	 4, 0, false, 0, "4 payload bytes, not 8"},
	{"size huge", VU_GET_FEATURES, false, VU_GET_FEATURES, OK_FLAGS,
	 0xffffffffU, 0, 0, false, 0, "4294967295 payload bytes, not 8"},
	{"payload short of its size", VU_GET_FEATURES, false, VU_GET_FEATURES,
	 OK_FLAGS, 8, -3, 0, false, 0,
	 "5 payload bytes where the header says 8"},
	{"payload past its size", VU_GET_FEATURES, false, VU_GET_FEATURES,
	 OK_FLAGS, 8, 1, 0, false, 0,
	 "9 payload bytes where the header says 8"},
	{"header cut short", VU_GET_FEATURES, false, VU_GET_FEATURES, OK_FLAGS,
	 8, -9, 0, false, 0, "cut short: 11 of 12 header bytes"},
	{"a descriptor", VU_GET_FEATURES, false, VU_GET_FEATURES, OK_FLAGS, 8,
	 0, 1, false, 0, "came with 1 file descriptors"},
	{"descriptors truncated", VU_GET_VRING_BASE, false, VU_GET_VRING_BASE,
	 OK_FLAGS, 8, 0, VU_MAX_FDS, true, 0,
	 "came with more than 8 file descriptors"},
	{"ack refusing", VU_SET_VRING_ADDR, true, VU_SET_VRING_ADDR, OK_FLAGS,
	 8, 0, 0, false, 1, "back-end refused SET_VRING_ADDR (status 1)"},
	{"ack of another request", VU_SET_VRING_ADDR, true, VU_SET_VRING_NUM,
	 OK_FLAGS, 8, 0, 0, false, 0, "SET_VRING_NUM reply to SET_VRING_ADDR"},
	{"a reply the launcher never waits for", VU_SET_OWNER, false,
	 VU_SET_OWNER, OK_FLAGS, 8, 0, 0, false, 0, "SET_OWNER has no reply"},
};

START_TEST(test_hostile_reply)
{
	const struct hostile *h = &hostile[_i];
	uint8_t buf[VU_MAX_MSG + 16];
	struct vu_reply r;
	struct lg_error err = {""};
	size_t len;

	memset(buf, 0, sizeof(buf));
	reply(buf, h->request, h->flags, h->size, h->payload);
	len = VU_HDR_SIZE + (h->size > 8 ? 8 : h->size) + h->len_delta;
	ck_assert_msg(vu_parse_reply(buf, len, h->nfds, h->truncated,
				     h->expected, h->ack, &r, &err) == -1,
		      "%s: accepted", h->what);
	ck_assert_msg(strstr(err.msg, h->says), "%s: said '%s', not '%s'",
		      h->what, err.msg, h->says);
}
END_TEST

/* The header check alone decides how much payload is read. */
START_TEST(test_header_bounds_read)
{
	uint8_t buf[VU_MAX_MSG];
	struct vu_hdr hdr;
	struct lg_error err;

	reply(buf, VU_GET_QUEUE_NUM, OK_FLAGS, 8, 0);
	ck_assert_int_eq(vu_reply_header(buf, VU_HDR_SIZE, VU_GET_QUEUE_NUM,
					 false, &hdr, &err),
			 0);
	ck_assert_uint_eq(hdr.size, 8);
	le32(buf + 8, VU_MAX_PAYLOAD);
	ck_assert_int_eq(vu_reply_header(buf, VU_HDR_SIZE, VU_GET_QUEUE_NUM,
					 false, &hdr, &err),
			 -1);
}
END_TEST

static void expect_header(const struct vu_msg *m, uint32_t request,
			  uint32_t flags, uint32_t size)
{
	uint8_t want[VU_HDR_SIZE];

	le32(want, request);
	le32(want + 4, flags);
	le32(want + 8, size);
	ck_assert_uint_eq(m->len, VU_HDR_SIZE + size);
	ck_assert(!memcmp(m->bytes, want, VU_HDR_SIZE));
}

START_TEST(test_build_simple)
{
	struct vu_msg m;
	uint8_t want[40];

	vu_build_plain(&m, VU_SET_OWNER);
	expect_header(&m, VU_SET_OWNER, VU_VERSION, 0);
	ck_assert_uint_eq(m.nfds, 0);

	vu_build_u64(&m, VU_SET_FEATURES, 0x0102030405060708ULL);
	expect_header(&m, VU_SET_FEATURES, VU_VERSION, 8);
	le64(want, 0x0102030405060708ULL);
	ck_assert(!memcmp(m.bytes + VU_HDR_SIZE, want, 8));

	vu_build_vring_state(&m, VU_SET_VRING_NUM, 1, 128);
	vu_set_need_reply(&m);
	expect_header(&m, VU_SET_VRING_NUM, VU_VERSION | VU_FLAG_NEED_REPLY, 8);
	le32(want, 1);
	le32(want + 4, 128);
	ck_assert(!memcmp(m.bytes + VU_HDR_SIZE, want, 8));

	vu_build_vring_addr(&m, 2, 0x1000, 0x3000, 0x2000);
	expect_header(&m, VU_SET_VRING_ADDR, VU_VERSION, 40);
	memset(want, 0, sizeof(want));
	le32(want, 2);
	le64(want + 8, 0x1000);
	le64(want + 16, 0x3000);
	le64(want + 24, 0x2000);
	ck_assert(!memcmp(m.bytes + VU_HDR_SIZE, want, 40));
}
END_TEST

START_TEST(test_build_vring_fd)
{
	struct vu_msg m;
	struct lg_error err;
	uint8_t want[8];

	ck_assert_int_eq(vu_build_vring_fd(&m, VU_SET_VRING_KICK, 3, 17, &err),
			 0);
	expect_header(&m, VU_SET_VRING_KICK, VU_VERSION, 8);
	le64(want, 3);
	ck_assert(!memcmp(m.bytes + VU_HDR_SIZE, want, 8));
	ck_assert_uint_eq(m.nfds, 1);
	ck_assert_int_eq(m.fds[0], 17);

	ck_assert_int_eq(vu_build_vring_fd(&m, VU_SET_VRING_CALL, 0, -1, &err),
			 0);
	le64(want, VU_VRING_NOFD);
	ck_assert(!memcmp(m.bytes + VU_HDR_SIZE, want, 8));
	ck_assert_uint_eq(m.nfds, 0);

	ck_assert_int_eq(vu_build_vring_fd(&m, VU_SET_VRING_CALL, 256, 5, &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "queue 256"));
	ck_assert_int_eq(vu_build_vring_fd(&m, VU_SET_FEATURES, 0, 5, &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "SET_FEATURES does not carry"));
}
END_TEST

START_TEST(test_build_mem_table)
{
	struct vu_region r[VU_MAX_REGIONS + 1];
	struct vu_msg m;
	struct lg_error err;
	uint8_t want[VU_MEM_TABLE_SIZE];
	unsigned int i;

	for (i = 0; i <= VU_MAX_REGIONS; i++)
		r[i] = (struct vu_region){.guest_addr = i * 0x100000ULL,
					  .size = 0x100000,
					  .user_addr = 0x7f0000000000ULL +
						       i * 0x100000ULL,
					  .mmap_offset = i * 0x1000ULL,
					  .fd = 10 + i};
	ck_assert_int_eq(vu_build_mem_table(&m, r, VU_MAX_REGIONS, &err), 0);
	expect_header(&m, VU_SET_MEM_TABLE, VU_VERSION, VU_MEM_TABLE_SIZE);
	memset(want, 0, sizeof(want));
	le32(want, VU_MAX_REGIONS);
	for (i = 0; i < VU_MAX_REGIONS; i++) {
		uint8_t *q = want + 8 + i * VU_REGION_SIZE;

		le64(q, r[i].guest_addr);
		le64(q + 8, r[i].size);
		le64(q + 16, r[i].user_addr);
		le64(q + 24, r[i].mmap_offset);
		ck_assert_int_eq(m.fds[i], 10 + (int)i);
	}
	ck_assert(!memcmp(m.bytes + VU_HDR_SIZE, want, sizeof(want)));
	ck_assert_uint_eq(m.nfds, VU_MAX_REGIONS);

	ck_assert_int_eq(vu_build_mem_table(&m, r, VU_MAX_REGIONS + 1, &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "9 memory regions"));
	ck_assert_int_eq(vu_build_mem_table(&m, r, 0, &err), -1);
	r[1].guest_addr = 0xfffff; /* overlaps region 0 by one byte */
	ck_assert_int_eq(vu_build_mem_table(&m, r, 2, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "regions 0 and 1 overlap"));
	r[1].guest_addr = UINT64_MAX - 10; /* wraps */
	ck_assert_int_eq(vu_build_mem_table(&m, r, 2, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "memory region 1: bad"));
	r[1].guest_addr = 0x100000;
	r[1].fd = -1;
	ck_assert_int_eq(vu_build_mem_table(&m, r, 2, &err), -1);
}
END_TEST

START_TEST(test_request_names)
{
	char buf[VU_NAME_LEN];

	ck_assert_str_eq(vu_request_name(VU_SET_VRING_ENABLE, buf),
			 "SET_VRING_ENABLE");
	ck_assert_str_eq(vu_request_name(6, buf), "request 6");
	ck_assert_str_eq(vu_request_name(UINT32_MAX, buf),
			 "request 4294967295");
}
END_TEST

static Suite *vhost_user_suite(void)
{
	Suite *s = suite_create("vhost_user_msg");
	TCase *tc = unit_tcase(s, "vhost_user_msg", NULL, NULL);

	tcase_add_test(tc, test_features_reply);
	tcase_add_test(tc, test_vring_base_reply);
	tcase_add_test(tc, test_ack_success);
	tcase_add_loop_test(tc, test_hostile_reply, 0, ARRAY_SIZE(hostile));
	tcase_add_test(tc, test_header_bounds_read);
	tcase_add_test(tc, test_build_simple);
	tcase_add_test(tc, test_build_vring_fd);
	tcase_add_test(tc, test_build_mem_table);
	tcase_add_test(tc, test_request_names);
	return s;
}

int main(void)
{
	return run_suite(vhost_user_suite());
}
