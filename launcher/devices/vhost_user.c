// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user over a Unix socket, the launcher (front-end) side.  Message
 * layout and every check on what comes back are vhost_user_msg.c's; this
 * file only moves bytes and descriptors, with a timeout so that a stuck
 * back-end cannot stall the launcher.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vhost_user.h"

int vu_connect(struct vu_conn *c, const char *path, struct lg_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return lg_fail(err, "%s: socket path too long", path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return lg_fail(err, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		lg_fail(err, "%s: cannot connect: %s", path, strerror(e));
		vu_close(c);
		errno = e; /* the caller may wait for a listener */
		return -1;
	}
	return 0;
}

void vu_close(struct vu_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static uint32_t request_of(const struct vu_msg *m)
{
	uint32_t r;

	memcpy(&r, m->bytes, sizeof(r));
	return le32toh(r);
}

static int send_msg(struct vu_conn *c, const struct vu_msg *m,
		    struct lg_error *err)
{
	char ctl[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)] = {0};
	struct iovec iov = {(void *)m->bytes, m->len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	char name[VU_NAME_LEN];
	ssize_t n;

	if (m->nfds) {
		struct cmsghdr *cm;

		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * m->nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * m->nfds);
		memcpy(CMSG_DATA(cm), m->fds, sizeof(int) * m->nfds);
	}
	do
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)m->len)
		return 0;
	return lg_fail(err, "vhost-user: cannot send %s: %s",
		       vu_request_name(request_of(m), name),
		       n < 0 ? strerror(errno) : "short write");
}

/* Wait for input; 0, or -1 on timeout or a hang-up with nothing left. */
static int wait_readable(struct vu_conn *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	int n;

	do
		n = poll(&p, 1, VU_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		return 0;
	errno = n == 0 ? ETIMEDOUT : errno;
	return -1;
}

/*
 * Read exactly len bytes; the first recvmsg also collects any
 * descriptors, which are counted and closed: no reply we ask for may
 * carry one, and vu_parse_reply() says so.
 */
static ssize_t recv_all(struct vu_conn *c, uint8_t *buf, size_t len,
			unsigned int *nfds, bool *cut)
{
	size_t got = 0;

	while (got < len) {
		char ctl[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct iovec iov = {buf + got, len - got};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl,
				    .msg_controllen = sizeof(ctl)};
		struct cmsghdr *cm;
		ssize_t n;

		if (wait_readable(c))
			return -1;
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		*cut |= mh.msg_flags & MSG_CTRUNC;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			unsigned int i, k;

			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
			}
			*nfds += k;
		}
		got += n;
	}
	return got;
}

static int recv_reply(struct vu_conn *c, uint32_t expected, bool ack,
		      struct vu_reply *r, struct lg_error *err)
{
	uint8_t buf[VU_MAX_MSG];
	char name[VU_NAME_LEN];
	unsigned int nfds = 0;
	struct vu_hdr hdr;
	bool cut = false;
	ssize_t n;

	n = recv_all(c, buf, VU_HDR_SIZE, &nfds, &cut);
	if (n < 0)
		goto io_error;
	if (n == 0)
		return lg_fail(err,
			       "vhost-user: the back-end hung up instead of "
			       "replying to %s",
			       vu_request_name(expected, name));
	if (vu_reply_header(buf, n, expected, ack, &hdr, err))
		return -1;
	n = recv_all(c, buf + VU_HDR_SIZE, hdr.size, &nfds, &cut);
	if (n < 0)
		goto io_error;
	return vu_parse_reply(buf, VU_HDR_SIZE + n, nfds, cut, expected, ack, r,
			      err);
io_error:
	return lg_fail(err, "vhost-user: no reply to %s: %s",
		       vu_request_name(expected, name), strerror(errno));
}

/* Send m and, when it has one, read its reply or its ack. */
static int call(struct vu_conn *c, struct vu_msg *m, struct vu_reply *r,
		struct lg_error *err)
{
	uint32_t request = request_of(m);
	struct vu_reply ack;
	bool get = request == VU_GET_FEATURES ||
		   request == VU_GET_PROTOCOL_FEATURES ||
		   request == VU_GET_QUEUE_NUM || request == VU_GET_VRING_BASE;
	bool want_ack = !get && (c->protocol & 1ULL << VU_PROTOCOL_F_REPLY_ACK);

	if (want_ack)
		vu_set_need_reply(m);
	if (send_msg(c, m, err))
		return -1;
	if (get)
		return recv_reply(c, request, false, r, err);
	return want_ack ? recv_reply(c, request, true, &ack, err) : 0;
}

static int get_u64(struct vu_conn *c, uint32_t request, uint64_t *v,
		   struct lg_error *err)
{
	struct vu_reply r;
	struct vu_msg m;

	vu_build_plain(&m, request);
	if (call(c, &m, &r, err))
		return -1;
	*v = r.u64;
	return 0;
}

static int set_u64(struct vu_conn *c, uint32_t request, uint64_t v,
		   struct lg_error *err)
{
	struct vu_msg m;

	vu_build_u64(&m, request, v);
	return call(c, &m, NULL, err);
}

static int set_state(struct vu_conn *c, uint32_t request, uint32_t index,
		     uint32_t num, struct lg_error *err)
{
	struct vu_msg m;

	vu_build_vring_state(&m, request, index, num);
	return call(c, &m, NULL, err);
}

static int set_fd(struct vu_conn *c, uint32_t request, uint32_t index, int fd,
		  struct lg_error *err)
{
	struct vu_msg m;

	if (vu_build_vring_fd(&m, request, index, fd, err))
		return -1;
	return call(c, &m, NULL, err);
}

#define OUR_PROTOCOL                                                           \
	(1ULL << VU_PROTOCOL_F_MQ | 1ULL << VU_PROTOCOL_F_REPLY_ACK)

int vu_handshake(struct vu_conn *c, unsigned int queues, struct lg_error *err)
{
	struct vu_msg m;
	uint64_t v;

	if (get_u64(c, VU_GET_FEATURES, &c->features, err))
		return -1;
	if (c->features & 1ULL << VU_F_PROTOCOL_FEATURES) {
		if (get_u64(c, VU_GET_PROTOCOL_FEATURES, &v, err) ||
		    set_u64(c, VU_SET_PROTOCOL_FEATURES, v & OUR_PROTOCOL, err))
			return -1;
		c->protocol = v & OUR_PROTOCOL;
	}
	if (c->protocol & 1ULL << VU_PROTOCOL_F_MQ) {
		if (get_u64(c, VU_GET_QUEUE_NUM, &v, err))
			return -1;
		if (v < queues)
			return lg_fail(err,
				       "vhost-user: the back-end serves %llu "
				       "queues, not %u",
				       (unsigned long long)v, queues);
		c->queues = v;
	}
	vu_build_plain(&m, VU_SET_OWNER);
	return call(c, &m, NULL, err);
}

int vu_set_features(struct vu_conn *c, uint64_t features, struct lg_error *err)
{
	features &= c->features;
	features |= c->features & 1ULL << VU_F_PROTOCOL_FEATURES;
	return set_u64(c, VU_SET_FEATURES, features, err);
}

int vu_set_mem_table(struct vu_conn *c, const struct guest_mem *m, int memfd,
		     struct lg_error *err)
{
	struct gmem_region g[GMEM_MAX_REGIONS];
	struct vu_region r[GMEM_MAX_REGIONS];
	unsigned int n = gmem_regions(m, g), i;
	struct vu_msg msg;

	for (i = 0; i < n; i++)
		r[i] = (struct vu_region){
			.guest_addr = g[i].gpa,
			.size = g[i].size,
			.user_addr = (uintptr_t)m->host + g[i].offset,
			.mmap_offset = g[i].offset,
			.fd = memfd,
		};
	if (vu_build_mem_table(&msg, r, n, err))
		return -1;
	return call(c, &msg, NULL, err);
}

int vu_start_queue(struct vu_conn *c, const struct vu_queue *q,
		   struct lg_error *err)
{
	struct vu_msg m;

	if (set_state(c, VU_SET_VRING_NUM, q->index, q->size, err) ||
	    set_state(c, VU_SET_VRING_BASE, q->index, 0, err))
		return -1;
	vu_build_vring_addr(&m, q->index, q->desc, q->used, q->avail);
	if (call(c, &m, NULL, err) ||
	    set_fd(c, VU_SET_VRING_KICK, q->index, q->kick, err) ||
	    set_fd(c, VU_SET_VRING_CALL, q->index, q->call, err))
		return -1;
	if (c->features & 1ULL << VU_F_PROTOCOL_FEATURES)
		return set_state(c, VU_SET_VRING_ENABLE, q->index, 1, err);
	return 0;
}

int vu_set_vring_call(struct vu_conn *c, uint32_t index, int fd,
		      struct lg_error *err)
{
	return set_fd(c, VU_SET_VRING_CALL, index, fd, err);
}

int vu_stop_queue(struct vu_conn *c, uint32_t index, uint32_t *base,
		  struct lg_error *err)
{
	struct vu_reply r;
	struct vu_msg m;

	vu_build_vring_state(&m, VU_GET_VRING_BASE, index, 0);
	if (call(c, &m, &r, err))
		return -1;
	if (r.state.index != index)
		return lg_fail(err,
			       "vhost-user: GET_VRING_BASE for queue %u "
			       "answered for queue %u",
			       index, r.state.index);
	*base = r.state.num;
	return 0;
}
