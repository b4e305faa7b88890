// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-fs device against a fake vhost-user back-end: a thread on
 * the other end of a socketpair that logs every request, keeps the
 * kick and call descriptors it is handed, and answers as virtiofsd does
 * (or refuses one request, or hangs up on one).  The driver is the mock
 * virtio-pci probe on the fake platform: DRIVER_OK sends features,
 * memory and both queues; a reset stops them; the back-end's call fd is
 * the queue's MSI-X vector and its kick fd the queue's doorbell; a
 * refusal or a hang-up (mid-request or between requests) is
 * NEEDS_RESET with one line; a new vector for a live queue re-sends its
 * call fd; a queue with no vector still gets one, raising nothing.
 * Once the back-end is gone the device answers the queues itself: every
 * request outstanding, later kicked or sent by a new driver gets a FUSE
 * -EIO reply and the queue's interrupt.
 */
#include <linux/fuse.h>
#include <pthread.h>
#include <sys/socket.h>

#include "devices/fuse_error.h"
#include "devices/vhost_user_fs.h"
#include "unit_helpers.h"

#define NQ VHOST_USER_FS_QUEUES
#define CONFIG_VEC 0
#define BE_FEATURES                                                            \
	(TV_VERSION_1 | 1ULL << VU_F_PROTOCOL_FEATURES |                       \
	 1ULL << VIRTIO_RING_F_INDIRECT_DESC) /* no EVENT_IDX */
#define LOG_MAX 256

/* ---- the fake back-end ------------------------------------------------ */

struct logged {
	uint32_t request;
	uint32_t index; /* vring messages' queue */
	uint64_t value; /* a u64 payload */
	unsigned int nfds;
};

static struct fake_be {
	int fd;
	pthread_t thread;
	uint64_t features, protocol, queues;
	uint32_t refuse; /* ack this request with 1 */
	uint32_t hang_up_on; /* close instead of answering this request */
	pthread_mutex_t lock;
	struct logged log[LOG_MAX];
	unsigned int n;
	int kick[NQ], call[NQ];
	bool gone, joined;
} be;

static void be_send(uint32_t request, const void *payload, uint32_t size)
{
	uint8_t buf[VU_HDR_SIZE + 8];
	uint32_t h[3] = {request, VU_VERSION | VU_FLAG_REPLY, size};

	memcpy(buf, h, sizeof(h));
	memcpy(buf + VU_HDR_SIZE, payload, size);
	ck_assert_int_eq(send(be.fd, buf, VU_HDR_SIZE + size, MSG_NOSIGNAL),
			 VU_HDR_SIZE + size);
}

/* One request in: header (with any descriptors), then its payload. */
static bool be_receive(struct logged *l, uint32_t *flags, int *fd)
{
	char ctl[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
	uint8_t hdr[VU_HDR_SIZE], payload[VU_MAX_PAYLOAD];
	struct iovec iov = {hdr, sizeof(hdr)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;
	uint32_t h[3];

	memset(l, 0, sizeof(*l));
	*fd = -1;
	if (recvmsg(be.fd, &mh, MSG_WAITALL) != VU_HDR_SIZE)
		return false;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		unsigned int k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		l->nfds += k;
		if (k == 1)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	memcpy(h, hdr, sizeof(h));
	if (h[2] > sizeof(payload) ||
	    (h[2] && recv(be.fd, payload, h[2], MSG_WAITALL) != h[2]))
		return false;
	l->request = h[0];
	*flags = h[1];
	if (h[2] >= 8)
		memcpy(&l->value, payload, 8);
	memcpy(&l->index, payload, h[2] >= 4 ? 4 : 0);
	if (l->request == VU_SET_VRING_KICK || l->request == VU_SET_VRING_CALL)
		l->index = l->value & VU_VRING_IDX_MASK;
	return true;
}

static void be_keep_fd(int *slot, unsigned int index, int fd)
{
	if (index < NQ) {
		if (slot[index] >= 0)
			close(slot[index]);
		slot[index] = fd;
	} else if (fd >= 0) {
		close(fd);
	}
}

static void be_answer(const struct logged *l, uint32_t flags)
{
	uint64_t v = 0;
	uint32_t state[2] = {l->index, 0};

	switch (l->request) {
	case VU_GET_FEATURES:
		be_send(l->request, &be.features, 8);
		return;
	case VU_GET_PROTOCOL_FEATURES:
		be_send(l->request, &be.protocol, 8);
		return;
	case VU_GET_QUEUE_NUM:
		be_send(l->request, &be.queues, 8);
		return;
	case VU_GET_VRING_BASE:
		be_send(l->request, state, 8);
		return;
	}
	if (flags & VU_FLAG_NEED_REPLY) {
		v = l->request == be.refuse;
		be_send(l->request, &v, 8);
	}
}

static void *be_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct logged l;
		uint32_t flags;
		int fd;

		if (!be_receive(&l, &flags, &fd))
			break;
		pthread_mutex_lock(&be.lock);
		if (be.n < LOG_MAX)
			be.log[be.n++] = l;
		if (l.request == VU_SET_VRING_KICK)
			be_keep_fd(be.kick, l.index, fd);
		else if (l.request == VU_SET_VRING_CALL)
			be_keep_fd(be.call, l.index, fd);
		else if (fd >= 0)
			close(fd);
		pthread_mutex_unlock(&be.lock);
		if (l.request == be.hang_up_on)
			break;
		be_answer(&l, flags);
	}
	pthread_mutex_lock(&be.lock);
	close(be.fd);
	be.gone = true;
	pthread_mutex_unlock(&be.lock);
	return NULL;
}

/* How many times `request` (for queue `index`, or any: -1) was sent. */
static unsigned int be_count(uint32_t request, int index)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&be.lock);
	for (i = 0; i < be.n; i++)
		n += be.log[i].request == request &&
		     (index < 0 || be.log[i].index == (uint32_t)index);
	pthread_mutex_unlock(&be.lock);
	return n;
}

static const struct logged *be_find(uint32_t request)
{
	unsigned int i;

	for (i = 0; i < be.n; i++)
		if (be.log[i].request == request)
			return &be.log[i];
	return NULL;
}

/* ---- the device --------------------------------------------------------- */

static struct tvm vm;
static struct vhost_user_fs fs;
static struct mock_ring drv[NQ];
static struct lg_error err;
static int memfd = -1;
static bool device_up;

static void be_start(void)
{
	int sv[2], i;

	memset(&be, 0, sizeof(be));
	pthread_mutex_init(&be.lock, NULL);
	be.features = BE_FEATURES;
	be.protocol =
		1ULL << VU_PROTOCOL_F_MQ | 1ULL << VU_PROTOCOL_F_REPLY_ACK;
	be.queues = NQ;
	for (i = 0; i < NQ; i++)
		be.kick[i] = be.call[i] = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	be.fd = sv[1];
	ck_assert_int_eq(pthread_create(&be.thread, NULL, be_thread, NULL), 0);
	memset(&fs, 0, sizeof(fs));
	fs.conn.fd = sv[0];
}

/* The device on the fake back-end, set up as bin/lguest does. */
static int bring_up(void)
{
	struct vu_conn c = {.fd = fs.conn.fd};

	tvm_init(&vm, false);
	memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	if (vhost_user_fs_init(&fs, &c, "/run/fake.sock", "hostfiles", memfd,
			       &vm.host, &err))
		return -1;
	device_up = true;
	tvirtio_pci_enable(&vm, &fs.vdev);
	tvm_rings(&vm, drv, NQ, VHOST_USER_FS_QUEUE_SIZE);
	return 0;
}

static void setup(void)
{
	be_start();
	ck_assert_msg(bring_up() == 0, "%s", err.msg);
}

/*
 * The back-end hangs up (unless it has) and its thread ends; the
 * device's control thread sees the hang-up and closes its end.
 */
static void be_stop(void)
{
	pthread_mutex_lock(&be.lock);
	if (!be.gone)
		shutdown(be.fd, SHUT_RDWR);
	pthread_mutex_unlock(&be.lock);
	if (!be.joined)
		pthread_join(be.thread, NULL);
	be.joined = true;
}

static void teardown(void)
{
	int i;

	if (device_up)
		tvirtio_set_status(&vm.bus, &fs.vdev, 0);
	device_up = false;
	be_stop();
	for (i = 0; i < NQ; i++) {
		if (be.kick[i] >= 0)
			close(be.kick[i]);
		if (be.call[i] >= 0)
			close(be.call[i]);
	}
	close(memfd);
	ck_assert(tmem_guards_intact(&vm.t));
	tmem_free(&vm.t);
}

static void driver_up(void)
{
	tvirtio_driver_up(&vm, &fs.vdev, drv, TV_VERSION_1);
}

static uint8_t status(void)
{
	return tvirtio_status(&vm.bus, &fs.vdev);
}

static void check_queue_started(unsigned int q, unsigned int times)
{
	static const uint32_t seq[] = {VU_SET_VRING_NUM,  VU_SET_VRING_BASE,
				       VU_SET_VRING_ADDR, VU_SET_VRING_KICK,
				       VU_SET_VRING_CALL, VU_SET_VRING_ENABLE};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seq); i++)
		ck_assert_uint_eq(be_count(seq[i], q), times);
}

/* The back-end's call raises q's vector; a kick reaches its kick fd. */
static void check_wired(unsigned int q, unsigned int vector)
{
	uint64_t one = 1;

	tvirtio_irqs(&fs.vdev, vector);
	ck_assert_int_eq(write(be.call[q], &one, sizeof(one)), sizeof(one));
	ck_assert_uint_eq(tvirtio_wait_irq(&fs.vdev, vector), 1);
	ck_assert(!tvirtio_fd_readable(be.kick[q]));
	tvirtio_kick(&vm.bus, &fs.vdev, q);
	ck_assert(tvirtio_fd_readable(be.kick[q]));
}

START_TEST(test_config_and_features)
{
	char tag[VIRTIO_FS_TAG_MAX + 1] = "";
	uint64_t df;
	unsigned int i;

	for (i = 0; i < VIRTIO_FS_TAG_MAX; i++)
		tag[i] = tvirtio_rd(&vm.bus, &fs.vdev, TV_DEVICE + i, 1);
	ck_assert_str_eq(tag, "hostfiles");
	ck_assert_uint_eq(
		tvirtio_rd(&vm.bus, &fs.vdev, TV_DEVICE + VIRTIO_FS_TAG_MAX, 4),
		VHOST_USER_FS_REQUEST_QUEUES);
	ck_assert_uint_eq(tvirtio_rd(&vm.bus, &fs.vdev,
				     TV_COMMON + VIRTIO_PCI_COMMON_NUMQ, 2),
			  NQ);
	tvirtio_wr(&vm.bus, &fs.vdev, TV_COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4,
		   0);
	df = tvirtio_rd(&vm.bus, &fs.vdev, TV_COMMON + VIRTIO_PCI_COMMON_DF, 4);
	tvirtio_wr(&vm.bus, &fs.vdev, TV_COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4,
		   1);
	df |= tvirtio_rd(&vm.bus, &fs.vdev, TV_COMMON + VIRTIO_PCI_COMMON_DF, 4)
	      << 32;
	/* What the transport offers, less what the back-end cannot do. */
	ck_assert_uint_eq(df,
			  TV_VERSION_1 | 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	/* The handshake, and nothing else before the driver comes. */
	ck_assert_uint_eq(be_count(VU_SET_OWNER, -1), 1);
	ck_assert_uint_eq(be_count(VU_SET_FEATURES, -1), 0);
	ck_assert_uint_eq(be_count(VU_SET_MEM_TABLE, -1), 0);
}
END_TEST

START_TEST(test_start_on_driver_ok)
{
	const struct logged *l;
	unsigned int q;

	driver_up();
	ck_assert_uint_eq(status() & TV_S_NEEDS_RST, 0);
	ck_assert_uint_eq(be_count(VU_SET_FEATURES, -1), 1);
	l = be_find(VU_SET_FEATURES);
	/* What the driver took, plus the protocol-features bit. */
	ck_assert_uint_eq(l->value,
			  TV_VERSION_1 | 1ULL << VU_F_PROTOCOL_FEATURES);
	ck_assert_uint_eq(be_count(VU_SET_MEM_TABLE, -1), 1);
	ck_assert_uint_eq(be_find(VU_SET_MEM_TABLE)->nfds, 1);
	for (q = 0; q < NQ; q++) {
		check_queue_started(q, 1);
		check_wired(q, q + 1);
	}
	ck_assert_uint_eq(be_count(VU_GET_VRING_BASE, -1), 0);
}
END_TEST

START_TEST(test_stop_on_reset)
{
	unsigned int q;

	driver_up();
	tvirtio_set_status(&vm.bus, &fs.vdev, 0);
	for (q = 0; q < NQ; q++)
		ck_assert_uint_eq(be_count(VU_GET_VRING_BASE, q), 1);
	/* The next driver sets everything up again. */
	driver_up();
	ck_assert_uint_eq(status() & TV_S_NEEDS_RST, 0);
	ck_assert_uint_eq(be_count(VU_SET_FEATURES, -1), 2);
	ck_assert_uint_eq(be_count(VU_SET_MEM_TABLE, -1), 2);
	for (q = 0; q < NQ; q++)
		check_queue_started(q, 2);
	check_wired(1, 2);
}
END_TEST

/* One "device needs reset" line naming the back-end and `why`. */
static void check_broken(struct tstderr *cap, const char *why)
{
	ck_assert_uint_eq(tstderr_end(cap), 1);
	ck_assert_msg(strstr(cap->text, "virtio-fs:") &&
			      strstr(cap->text, "/run/fake.sock") &&
			      strstr(cap->text, why) &&
			      strstr(cap->text, "device needs reset"),
		      "%s", cap->text);
	ck_assert_uint_ne(status() & TV_S_NEEDS_RST, 0);
	ck_assert_uint_eq(tvirtio_wait_irq(&fs.vdev, CONFIG_VEC), 1);
}

/* A back-end that refuses a request or hangs up on it. */
static const struct {
	uint32_t refuse, hang_up_on;
	const char *says;
} failures[] = {
	{VU_SET_MEM_TABLE, 0, "vhost-user: back-end refused SET_MEM_TABLE"},
	{VU_SET_VRING_ADDR, 0, "vhost-user: back-end refused SET_VRING_ADDR"},
	{0, VU_SET_VRING_KICK, "hung up instead of replying to SET_VRING_KICK"},
};

/*
 * One line, NEEDS_RESET and the config interrupt; the launcher goes on.
 * The back-end is given up (its connection closed), so the next driver
 * finds the device broken the same way.
 */
START_TEST(test_backend_fails)
{
	struct tstderr cap;

	be.refuse = failures[_i].refuse;
	be.hang_up_on = failures[_i].hang_up_on;
	tstderr_capture(&cap);
	driver_up();
	check_broken(&cap, failures[_i].says);
	ck_assert_uint_eq(be_count(VU_SET_VRING_NUM, 1), 0);
	ck_assert_uint_eq(vm.fp.broken, 1);
	ck_assert_int_eq(vm_stop_reason(&vm.stop), STOP_NONE);
	be_stop();
	ck_assert(be.gone);
	tvirtio_set_status(&vm.bus, &fs.vdev, 0);
	tstderr_capture(&cap);
	driver_up();
	check_broken(&cap, failures[_i].says);
}
END_TEST

START_TEST(test_hang_up_between_requests)
{
	struct tstderr cap;

	driver_up();
	ck_assert_uint_eq(status() & TV_S_NEEDS_RST, 0);
	tstderr_capture(&cap);
	/* Killed mid-run: the device notices with nothing asked of it. */
	shutdown(be.fd, SHUT_RDWR);
	ck_assert_uint_eq(tvirtio_wait_irq(&fs.vdev, CONFIG_VEC), 1);
	ck_assert_uint_eq(tstderr_end(&cap), 1);
	ck_assert_msg(strstr(cap.text, "virtio-fs: vhost-user back-end "
				       "/run/fake.sock hung up; device needs "
				       "reset"),
		      "%s", cap.text);
	ck_assert_uint_ne(status() & TV_S_NEEDS_RST, 0);
}
END_TEST

/* A FUSE request on driver ring r, not yet published: its head. */
static uint16_t fuse_request(struct mock_ring *r, uint32_t opcode,
			     uint64_t unique, struct mock_seg *out)
{
	struct fuse_in_header in = {.len = sizeof(in) + 8,
				    .opcode = opcode,
				    .unique = unique,
				    .nodeid = 1};
	struct mock_seg s[2] = {
		mock_ring_buffer(r, sizeof(in) + 8, false, &in),
		mock_ring_buffer(r, sizeof(struct fuse_out_header) + 256, true,
				 NULL),
	};
	int head;

	ck_assert(s[0].addr && s[1].addr);
	head = mock_ring_add(r, s, 2, 2, 0);
	ck_assert_int_ge(head, 0);
	*out = s[1];
	return head;
}

/* Used entry `at` of ring r is head's -EIO reply, for `unique`. */
static void check_eio(struct mock_ring *r, uint16_t at, uint16_t head,
		      const struct mock_seg *out, uint64_t unique)
{
	struct vring_used_elem *e = &r->vr.used->ring[at % r->vr.num];
	struct fuse_out_header h;

	ck_assert_uint_eq(e->id, head);
	ck_assert_uint_eq(e->len, sizeof(h));
	memcpy(&h, tmem_at(&vm.t, out->addr, sizeof(h)), sizeof(h));
	ck_assert_uint_eq(h.len, sizeof(h));
	ck_assert_int_eq(h.error, -EIO);
	ck_assert_uint_eq(h.unique, unique);
}

/*
 * Killed with requests outstanding: the back-end completed the first
 * (in order, as virtiofsd on one thread does) and took the others.
 * The device starts at the used index, so the first keeps the
 * back-end's reply and each other gets -EIO, once, with an interrupt;
 * a later kick is answered the same way, and so is the FUSE_INIT of a
 * driver that resets and comes again.
 */
START_TEST(test_hang_up_answers_requests)
{
	struct mock_seg out[4], hp_out;
	uint16_t head[4], hp;
	struct mock_ring *rq = &drv[1];
	struct tstderr cap;
	unsigned int i;

	driver_up();
	for (i = 0; i < 3; i++)
		head[i] = fuse_request(rq, FUSE_LOOKUP, 100 + i, &out[i]);
	mock_ring_publish(rq);
	hp = fuse_request(&drv[0], FUSE_FORGET, 7, &hp_out);
	mock_ring_publish(&drv[0]);
	/* The back-end's reply to the first. */
	rq->vr.used->ring[0] = (struct vring_used_elem){head[0], 99};
	__atomic_store_n(&rq->vr.used->idx, 1, __ATOMIC_RELEASE);

	tstderr_capture(&cap);
	shutdown(be.fd, SHUT_RDWR);
	ck_assert_uint_eq(tvirtio_wait_irq(&fs.vdev, CONFIG_VEC), 1);
	tvirtio_wait_used(rq, 3);
	ck_assert_uint_ge(tvirtio_wait_irq(&fs.vdev, 2), 1);
	tvirtio_wait_used(&drv[0], 1);
	ck_assert_uint_ge(tvirtio_wait_irq(&fs.vdev, 1), 1);
	ck_assert_uint_eq(tstderr_end(&cap), 1);
	ck_assert_msg(strstr(cap.text, "hung up; device needs reset"), "%s",
		      cap.text);
	ck_assert_uint_ne(status() & TV_S_NEEDS_RST, 0);
	ck_assert_uint_eq(rq->vr.used->ring[0].id, head[0]);
	ck_assert_uint_eq(rq->vr.used->ring[0].len, 99);
	for (i = 1; i < 3; i++)
		check_eio(rq, i, head[i], &out[i], 100 + i);
	check_eio(&drv[0], 0, hp, &hp_out, 7);

	/* A request after the death: the kick is answered. */
	head[3] = fuse_request(rq, FUSE_READ, 200, &out[3]);
	mock_ring_publish(rq);
	ck_assert_uint_eq(tvirtio_irqs(&fs.vdev, 2), 0);
	tvirtio_kick(&vm.bus, &fs.vdev, 1);
	tvirtio_wait_used(rq, 4);
	ck_assert_uint_eq(tvirtio_wait_irq(&fs.vdev, 2), 1);
	check_eio(rq, 3, head[3], &out[3], 200);

	/* A new driver's FUSE_INIT fails too: its mount fails cleanly. */
	tvirtio_set_status(&vm.bus, &fs.vdev, 0);
	tvm_rings(&vm, drv, NQ, VHOST_USER_FS_QUEUE_SIZE);
	/* A fresh ring starts at 0 whatever its memory says. */
	rq->vr.used->idx = 0x55;
	tstderr_capture(&cap);
	driver_up();
	head[0] = fuse_request(rq, FUSE_INIT, 1, &out[0]);
	mock_ring_publish(rq);
	tvirtio_kick(&vm.bus, &fs.vdev, 1);
	tvirtio_wait_used(rq, 1);
	ck_assert_uint_ge(tstderr_end(&cap), 1);
	ck_assert_msg(strstr(cap.text, "hung up"), "%s", cap.text);
	check_eio(rq, 0, head[0], &out[0], 1);
	ck_assert_int_eq(vm_stop_reason(&vm.stop), STOP_NONE);
}
END_TEST

START_TEST(test_vector_change_resends_call)
{
	driver_up();
	ck_assert_uint_eq(be_count(VU_SET_VRING_CALL, 1), 1);
	tvirtio_select(&vm.bus, &fs.vdev, 1);
	tvirtio_wr(&vm.bus, &fs.vdev, TV_COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2,
		   1);
	ck_assert_uint_eq(be_count(VU_SET_VRING_CALL, 1), 2);
	ck_assert_uint_eq(be_count(VU_SET_VRING_CALL, 0), 1);
	check_wired(1, 1);
	/* The same vector again is no change. */
	tvirtio_wr(&vm.bus, &fs.vdev, TV_COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2,
		   1);
	ck_assert_uint_eq(be_count(VU_SET_VRING_CALL, 1), 2);
	ck_assert_uint_eq(status() & TV_S_NEEDS_RST, 0);
}
END_TEST

/*
 * A polling driver (the test guests) gives its queues no vector: the
 * back-end still gets a call fd (virtiofsd cannot do without one), one
 * that raises nothing.
 */
START_TEST(test_queue_without_vector)
{
	uint8_t ok = TV_S_ACK | TV_S_DRIVER | TV_S_FEAT_OK;
	uint64_t one = 1;
	unsigned int q, v;

	ck_assert_uint_eq(tvirtio_negotiate(&vm.bus, &fs.vdev, TV_VERSION_1),
			  ok);
	for (q = 0; q < NQ; q++)
		tvirtio_queue(&vm.bus, &fs.vdev, q, &drv[q], MSIX_NO_VECTOR);
	tvirtio_set_status(&vm.bus, &fs.vdev, ok | TV_S_DRIVER_OK);
	ck_assert_uint_eq(status() & TV_S_NEEDS_RST, 0);
	for (q = 0; q < NQ; q++) {
		check_queue_started(q, 1);
		ck_assert_int_ge(be.call[q], 0);
		ck_assert_int_eq(write(be.call[q], &one, sizeof(one)),
				 sizeof(one));
	}
	for (v = 0; v < fs.vdev.msix.nvec; v++)
		ck_assert_uint_eq(tvirtio_irqs(&fs.vdev, v), 0);
}
END_TEST

/* Set-up refusals: each names the socket, and closes the connection. */
static void handshake_setup(void)
{
	be_start();
}

static void handshake_teardown(void)
{
	be_stop();
	ck_assert(be.gone);
	close(memfd);
	tmem_free(&vm.t);
}

START_TEST(test_too_few_queues)
{
	be.queues = 1;
	ck_assert_int_eq(bring_up(), -1);
	ck_assert_str_eq(err.msg, "virtio-fs /run/fake.sock: vhost-user: the "
				  "back-end serves 1 queues, not 2");
	ck_assert_int_eq(fs.conn.fd, -1);
}
END_TEST

START_TEST(test_no_version_1)
{
	be.features = 1ULL << VU_F_PROTOCOL_FEATURES;
	ck_assert_int_eq(bring_up(), -1);
	ck_assert_str_eq(err.msg, "virtio-fs /run/fake.sock: the vhost-user "
				  "back-end does not offer VIRTIO_F_VERSION_1");
	ck_assert_int_eq(fs.conn.fd, -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vhost_user_fs");
	TCase *tc = unit_tcase(s, "vhost_user_fs", setup, teardown);

	tcase_add_test(tc, test_config_and_features);
	tcase_add_test(tc, test_start_on_driver_ok);
	tcase_add_test(tc, test_stop_on_reset);
	tcase_add_loop_test(tc, test_backend_fails, 0, ARRAY_SIZE(failures));
	tcase_add_test(tc, test_hang_up_between_requests);
	tcase_add_test(tc, test_hang_up_answers_requests);
	tcase_add_test(tc, test_vector_change_resends_call);
	tcase_add_test(tc, test_queue_without_vector);
	tc = unit_tcase(s, "handshake", handshake_setup, handshake_teardown);
	tcase_add_test(tc, test_too_few_queues);
	tcase_add_test(tc, test_no_version_1);
	return run_suite(s);
}
