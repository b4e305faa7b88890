// SPDX-License-Identifier: GPL-2.0
/*
 * The vhost-user client against a hostile back-end: the other end of a
 * socketpair, with its reply written before the request is sent (the
 * socket buffers it), then the request read back and checked.  A reply
 * carrying descriptors is refused and the descriptors do not leak; a
 * reply cut short by a hang-up, a refusing ack and a GET_VRING_BASE for
 * the wrong queue are each an error naming what went wrong.
 */
#include <dirent.h>
#include <sys/socket.h>

#include "devices/vhost_user.h"
#include "unit_helpers.h"

static struct vu_conn c;
static int peer;

static void setup(void)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(&c, 0, sizeof(c));
	c.fd = sv[0];
	peer = sv[1];
}

static void teardown(void)
{
	vu_close(&c);
	if (peer >= 0)
		close(peer);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* The back-end's reply: header, then `len` of the 8 payload bytes. */
static void peer_reply(uint32_t request, uint32_t size, uint64_t payload,
		       size_t len, int fd)
{
	uint8_t buf[VU_HDR_SIZE + 8];
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {buf, VU_HDR_SIZE + len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	le32(buf, request);
	le32(buf + 4, VU_VERSION | VU_FLAG_REPLY);
	le32(buf + 8, size);
	memcpy(buf + VU_HDR_SIZE, &payload, 8);
	if (fd >= 0) {
		struct cmsghdr *cm;

		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	ck_assert_int_eq(sendmsg(peer, &mh, 0), (ssize_t)iov.iov_len);
}

/* The request the client sent: its code and flags. */
static void peer_expect(uint32_t request, uint32_t flags)
{
	uint8_t hdr[VU_HDR_SIZE], rest[VU_MAX_PAYLOAD];
	uint32_t v[3];

	ck_assert_int_eq(recv(peer, hdr, sizeof(hdr), MSG_WAITALL),
			 VU_HDR_SIZE);
	memcpy(v, hdr, sizeof(v));
	ck_assert_uint_eq(v[0], request);
	ck_assert_uint_eq(v[1], flags);
	ck_assert_uint_le(v[2], sizeof(rest));
	if (v[2])
		ck_assert_int_eq(recv(peer, rest, v[2], MSG_WAITALL),
				 (ssize_t)v[2]);
}

static unsigned int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(test_reply_with_fd_refused_and_closed)
{
	struct lg_error err = {""};
	unsigned int before;
	int fd = dup(0);

	peer_reply(VU_GET_FEATURES, 8, 1ULL << 32, 8, fd);
	close(fd);
	before = open_fds();
	ck_assert_int_eq(vu_handshake(&c, 1, &err), -1);
	ck_assert_uint_eq(open_fds(), before);
	ck_assert_msg(strstr(err.msg, "came with 1 file descriptors"), "%s",
		      err.msg);
	peer_expect(VU_GET_FEATURES, VU_VERSION);
}
END_TEST

START_TEST(test_hang_up_mid_payload)
{
	struct lg_error err = {""};

	peer_reply(VU_GET_FEATURES, 8, 0, 3, -1);
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(vu_handshake(&c, 1, &err), -1);
	ck_assert_msg(
		strstr(err.msg, "3 payload bytes where the header says 8"),
		"%s", err.msg);
}
END_TEST

START_TEST(test_hang_up_before_reply)
{
	struct lg_error err = {""};

	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(vu_handshake(&c, 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "hung up instead of replying to "
				      "GET_FEATURES"),
		      "%s", err.msg);
}
END_TEST

START_TEST(test_refusing_ack)
{
	struct lg_error err = {""};

	c.features = 1ULL << 32;
	c.protocol = 1ULL << VU_PROTOCOL_F_REPLY_ACK;
	peer_reply(VU_SET_FEATURES, 8, 1, 8, -1);
	ck_assert_int_eq(vu_set_features(&c, 1ULL << 32, &err), -1);
	ck_assert_msg(strstr(err.msg, "back-end refused SET_FEATURES"), "%s",
		      err.msg);
	peer_expect(VU_SET_FEATURES, VU_VERSION | VU_FLAG_NEED_REPLY);
}
END_TEST

START_TEST(test_vring_base_for_another_queue)
{
	struct lg_error err = {""};
	uint32_t base;

	peer_reply(VU_GET_VRING_BASE, 8, 2 | 7ULL << 32, 8, -1);
	ck_assert_int_eq(vu_stop_queue(&c, 1, &base, &err), -1);
	ck_assert_msg(strstr(err.msg, "for queue 1 answered for queue 2"), "%s",
		      err.msg);
	peer_expect(VU_GET_VRING_BASE, VU_VERSION);
}
END_TEST

START_TEST(test_too_few_queues)
{
	struct lg_error err = {""};

	peer_reply(VU_GET_FEATURES, 8, 1ULL << VU_F_PROTOCOL_FEATURES, 8, -1);
	peer_reply(VU_GET_PROTOCOL_FEATURES, 8, 1ULL << VU_PROTOCOL_F_MQ, 8,
		   -1);
	peer_reply(VU_GET_QUEUE_NUM, 8, 1, 8, -1);
	ck_assert_int_eq(vu_handshake(&c, 2, &err), -1);
	ck_assert_msg(strstr(err.msg, "serves 1 queues, not 2"), "%s", err.msg);
	peer_expect(VU_GET_FEATURES, VU_VERSION);
	peer_expect(VU_GET_PROTOCOL_FEATURES, VU_VERSION);
	peer_expect(VU_SET_PROTOCOL_FEATURES, VU_VERSION);
	peer_expect(VU_GET_QUEUE_NUM, VU_VERSION);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("vhost_user_client");
	TCase *tc = unit_tcase(s, "vhost_user_client", setup, teardown);

	tcase_add_test(tc, test_reply_with_fd_refused_and_closed);
	tcase_add_test(tc, test_hang_up_mid_payload);
	tcase_add_test(tc, test_hang_up_before_reply);
	tcase_add_test(tc, test_refusing_ack);
	tcase_add_test(tc, test_vring_base_for_another_queue);
	tcase_add_test(tc, test_too_few_queues);
	return s;
}

int main(void)
{
	return run_suite(client_suite());
}
