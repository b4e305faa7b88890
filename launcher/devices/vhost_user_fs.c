// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-fs served by a vhost-user back-end (vhost_user_fs.h).  The
 * transport calls the queue ops below on the vCPU thread; each becomes
 * a request that the control thread sends and waits on, while between
 * requests it sleeps in poll() on its wake eventfd and on the socket's
 * hang-up.
 */
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fuse_error.h"
#include "vhost_user_fs.h"

#define PCI_CLASS_STORAGE_OTHER 0x018000

static struct vhost_user_fs *to_fs(struct virtio_device *vdev)
{
	return vdev->priv;
}

/* The connection is no use any more: close it and remember why. */
static void give_up(struct vhost_user_fs *fs, const struct lg_error *err)
{
	vu_close(&fs->conn);
	snprintf(fs->gone, sizeof(fs->gone), "%s", err->msg);
}

static void take_over(struct vhost_user_fs *fs, struct virtio_queue *q);
static void orphan(struct vhost_user_fs *fs, struct virtio_queue *q,
		   uint16_t start);

/* The back-end is given up: we answer every queue it served. */
static void orphan_all(struct vhost_user_fs *fs)
{
	unsigned int i;

	for (i = 0; i < fs->ops.num_queues; i++)
		if (fs->started[i] && !fs->orphaned[i])
			take_over(fs, &fs->vdev.queues[i]);
}

/*
 * A back-end failure on q: give the back-end up, break the device, and
 * answer its queues (q too, which it may never have been given).
 */
static void backend_failed(struct vhost_user_fs *fs, struct virtio_queue *q,
			   const struct lg_error *why)
{
	struct lg_error err;

	lg_fail(&err, "%s: %s", fs->where, why->msg);
	give_up(fs, &err);
	virtio_queue_broken(q, &err);
	orphan_all(fs);
	if (!fs->orphaned[q->index])
		orphan(fs, q, 0); /* never started: a fresh ring */
}

/* Features and guest memory, once per driver (after each reset). */
static int set_up(struct vhost_user_fs *fs, struct lg_error *err)
{
	struct virtio_device *vdev = &fs->vdev;

	if (fs->set_up)
		return 0;
	if (vu_set_features(&fs->conn, vdev->reg.driver_features, err) ||
	    vu_set_mem_table(&fs->conn, vdev->mem, fs->memfd, err))
		return -1;
	fs->set_up = true;
	return 0;
}

/*
 * The eventfd that raises q's vector.  With none the driver polls (the
 * test guests do), and the back-end gets an eventfd nobody reads:
 * virtiofsd's libvhost-user panics when it must notify a queue whose
 * call it was told is "no fd".
 */
static int call_fd(struct virtio_queue *q)
{
	struct msix *x = &q->vdev->msix;

	if (q->reg.msix_vector < x->nvec)
		return x->fd[q->reg.msix_vector];
	return to_fs(q->vdev)->no_call[q->index];
}

/*
 * Answer what is available on an orphaned queue, then interrupt the
 * guest if it wants one.  Kicks are asked for again (the back-end may
 * have turned them off while it was busy) and the ring looked at once
 * more, so a request that slipped in meanwhile is not missed.  A ring
 * too broken to answer is left alone: the device already needs reset.
 */
static void serve_orphaned(struct vhost_user_fs *fs, struct virtio_queue *q)
{
	struct virtq *vr = &q->ring;
	struct lg_error err;
	unsigned int n = 0;
	uint64_t one = 1;
	int r;

	do {
		while ((r = fuse_error_serve(vr, q->chain, FUSE_ERROR_REPLY,
					     &err)) > 0)
			n++;
		if (r < 0) {
			fs->orphaned[q->index] = false;
			virtio_queue_broken(q, &err);
			break;
		}
	} while (virtq_notify_on(vr));
	if (n && virtq_should_interrupt(vr) &&
	    write(call_fd(q), &one, sizeof(one)) < 0) {
		/* A full eventfd counter: the interrupt is pending anyway. */
	}
}

/* Answer q ourselves from now on, starting at avail and used entry start. */
static void orphan(struct vhost_user_fs *fs, struct virtio_queue *q,
		   uint16_t start)
{
	struct virtq *vr = &q->ring;

	vr->last_avail = vr->used_idx = start;
	vr->signalled_valid = false;
	fs->orphaned[q->index] = true;
	serve_orphaned(fs, q);
}

/*
 * The back-end died serving q.  Its own position in the available ring
 * went with it (GET_VRING_BASE needs a back-end), so we start at the
 * used ring's index: a back-end that completes in order (virtiofsd
 * serving a queue on one thread) has completed exactly the first
 * used->idx requests, so every request from there on, taken by it or
 * not, is one the guest still waits for, and each gets its error reply
 * once.  One that completed out of order (a thread pool) breaks that
 * count: a request it finished past the index is answered a second
 * time, which Linux's virtio_ring takes as a broken ring (after which
 * its virtio-fs fails new requests with -EIO itself), and as many
 * unfinished ones before the index stay unanswered; the ring holds
 * nothing that tells them apart.
 */
static void take_over(struct vhost_user_fs *fs, struct virtio_queue *q)
{
	orphan(fs, q, __atomic_load_n(&q->ring.used->idx, __ATOMIC_ACQUIRE));
}

static void start_queue(struct vhost_user_fs *fs, struct virtio_queue *q)
{
	struct vu_queue vq = {
		.index = q->index,
		.size = q->ring.size,
		.desc = (uintptr_t)q->ring.desc,
		.avail = (uintptr_t)q->ring.avail,
		.used = (uintptr_t)q->ring.used,
		.kick = q->rt.kick_fd,
		.call = call_fd(q),
	};
	struct lg_error err;

	if (fs->conn.fd < 0) {
		lg_fail(&err, "%s", fs->gone);
		virtio_queue_broken(q, &err);
		orphan(fs, q, 0); /* a fresh ring, as SET_VRING_BASE 0 */
		return;
	}
	if (set_up(fs, &err) || vu_start_queue(&fs->conn, &vq, &err)) {
		backend_failed(fs, q, &err);
		return;
	}
	fs->started[q->index] = true;
}

/*
 * A failure here is not reported at once: the device is being reset, so
 * NEEDS_RESET would be cleared at once; the next enable reports it.
 */
static void stop_queue(struct vhost_user_fs *fs, struct virtio_queue *q)
{
	struct lg_error why, err;
	uint32_t base;

	fs->orphaned[q->index] = false;
	if (!fs->started[q->index])
		return;
	fs->started[q->index] = false;
	if (fs->conn.fd >= 0 &&
	    vu_stop_queue(&fs->conn, q->index, &base, &why)) {
		lg_fail(&err, "%s: %s", fs->where, why.msg);
		give_up(fs, &err);
	}
}

static void change_call(struct vhost_user_fs *fs, struct virtio_queue *q)
{
	struct lg_error err;
	int fd = call_fd(q);

	if (!fs->started[q->index] || fs->conn.fd < 0)
		return;
	if (vu_set_vring_call(&fs->conn, q->index, fd, &err))
		backend_failed(fs, q, &err);
}

static void run_request(struct vhost_user_fs *fs,
			enum vhost_user_fs_request req, struct virtio_queue *q)
{
	switch (req) {
	case VUFS_START:
		start_queue(fs, q);
		break;
	case VUFS_STOP:
		stop_queue(fs, q);
		break;
	case VUFS_CALL:
		change_call(fs, q);
		break;
	case VUFS_NONE:
		break;
	}
}

static bool driver_live(struct vhost_user_fs *fs)
{
	struct virtio_device *vdev = &fs->vdev;
	bool live = false;
	unsigned int i;

	for (i = 0; i < fs->ops.num_queues; i++)
		live |= fs->started[i];
	pthread_mutex_lock(&vdev->lock);
	live |= (vdev->reg.status & VIRTIO_CONFIG_S_DRIVER_OK) != 0;
	pthread_mutex_unlock(&vdev->lock);
	return live;
}

/*
 * The back-end went away between requests (killed, crashed): tell the
 * driver now, through NEEDS_RESET and the configuration interrupt,
 * rather than at its next reset; its requests then fail in the guest.
 */
static void hung_up(struct vhost_user_fs *fs)
{
	struct lg_error err;

	lg_fail(&err, "vhost-user back-end %s hung up", fs->where);
	give_up(fs, &err);
	if (driver_live(fs))
		virtio_device_broken(&fs->vdev, &err);
	orphan_all(fs);
}

/* The guest kicked an orphaned queue. */
static void kicked(struct vhost_user_fs *fs, struct virtio_queue *q)
{
	uint64_t v;

	if (read(q->rt.kick_fd, &v, sizeof(v)) == sizeof(v))
		serve_orphaned(fs, q);
}

static void *control_thread(void *arg)
{
	struct vhost_user_fs *fs = arg;

	for (;;) {
		/* Then the kicks of the queues we answer (-1: not polled). */
		struct pollfd p[2 + VHOST_USER_FS_QUEUES] = {
			{.fd = fs->wake_fd, .events = POLLIN},
			{.fd = fs->conn.fd, .events = POLLRDHUP},
		};
		enum vhost_user_fs_request req;
		struct virtio_queue *q;
		unsigned int i;
		uint64_t v;

		for (i = 0; i < VHOST_USER_FS_QUEUES; i++) {
			p[2 + i].fd = fs->orphaned[i]
					      ? fs->vdev.queues[i].rt.kick_fd
					      : -1;
			p[2 + i].events = POLLIN;
		}
		if (poll(p, 2 + VHOST_USER_FS_QUEUES, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			hung_up(fs);
		for (i = 0; i < VHOST_USER_FS_QUEUES; i++)
			if (p[2 + i].revents && fs->orphaned[i])
				kicked(fs, &fs->vdev.queues[i]);
		if (!p[0].revents || read(fs->wake_fd, &v, sizeof(v)) < 0)
			continue;
		pthread_mutex_lock(&fs->lock);
		req = fs->req;
		q = fs->req_queue;
		pthread_mutex_unlock(&fs->lock);
		run_request(fs, req, q);
		pthread_mutex_lock(&fs->lock);
		fs->req = VUFS_NONE;
		pthread_cond_broadcast(&fs->cond);
		pthread_mutex_unlock(&fs->lock);
	}
	return NULL;
}

/*
 * Hand the control thread a request and wait until it is done; without
 * the thread (not prepared) run it here.  One at a time, whichever vCPU.
 */
static void submit(struct virtio_queue *q, enum vhost_user_fs_request req)
{
	struct vhost_user_fs *fs = to_fs(q->vdev);
	uint64_t one = 1;

	if (!fs->has_thread) {
		run_request(fs, req, q);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	while (fs->busy)
		pthread_cond_wait(&fs->cond, &fs->lock);
	fs->busy = true;
	fs->req = req;
	fs->req_queue = q;
	if (write(fs->wake_fd, &one, sizeof(one)) == sizeof(one))
		while (fs->req != VUFS_NONE)
			pthread_cond_wait(&fs->cond, &fs->lock);
	fs->req = VUFS_NONE;
	fs->busy = false;
	pthread_cond_broadcast(&fs->cond);
	pthread_mutex_unlock(&fs->lock);
}

static int fs_prepare(struct virtio_queue *q, const struct platform *p,
		      struct lg_error *err)
{
	struct vhost_user_fs *fs = to_fs(q->vdev);
	int r;

	if (fs->has_thread)
		return 0;
	r = p->ops->thread_start(p->ctx, &fs->thread, control_thread, fs,
				 fs->ops.name);
	if (r)
		return lg_fail(err, "%s: cannot start its control thread: %s",
			       fs->ops.name, strerror(r));
	fs->has_thread = true;
	return 0;
}

static void fs_start(struct virtio_queue *q)
{
	submit(q, VUFS_START);
}

static void fs_stop(struct virtio_queue *q)
{
	submit(q, VUFS_STOP);
}

static void fs_vector_changed(struct virtio_queue *q)
{
	submit(q, VUFS_CALL);
}

const struct virtio_queue_ops vhost_user_fs_queues = {
	.prepare = fs_prepare,
	.start = fs_start,
	.stop = fs_stop,
	.vector_changed = fs_vector_changed,
};

static void fs_config_read(struct virtio_device *vdev, unsigned int offset,
			   uint8_t *data, unsigned int len)
{
	const struct virtio_fs_config *cfg = &to_fs(vdev)->config;

	if (offset < sizeof(*cfg))
		memcpy(data, (const uint8_t *)cfg + offset,
		       len < sizeof(*cfg) - offset ? len
						   : sizeof(*cfg) - offset);
}

/* After the queues stopped: the next driver sends features and memory. */
static void fs_reset(struct virtio_device *vdev)
{
	to_fs(vdev)->set_up = false;
}

static const struct virtio_device_ops fs_ops = {
	.name = "virtio-fs",
	.device_id = VIRTIO_ID_FS,
	.class_code = PCI_CLASS_STORAGE_OTHER,
	.num_queues = VHOST_USER_FS_QUEUES,
	.queue_size = VHOST_USER_FS_QUEUE_SIZE,
	.config_read = fs_config_read,
	.reset = fs_reset,
};

int vhost_user_fs_init(struct vhost_user_fs *fs, const struct vu_conn *c,
		       const char *where, const char *tag, int memfd,
		       const struct virtio_host *host, struct lg_error *err)
{
	struct virtio_host h = *host;
	struct lg_error why;
	unsigned int i;

	memset(fs, 0, sizeof(*fs));
	fs->conn = *c;
	fs->where = where;
	fs->memfd = memfd;
	fs->ops = fs_ops;
	pthread_mutex_init(&fs->lock, NULL);
	pthread_cond_init(&fs->cond, NULL);
	virtio_fs_config(&fs->config, tag, VHOST_USER_FS_REQUEST_QUEUES);
	fs->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (i = 0; i < VHOST_USER_FS_QUEUES; i++) {
		fs->no_call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fs->no_call[i] < 0)
			fs->wake_fd = -1;
	}
	if (fs->wake_fd < 0) {
		lg_fail(err, "virtio-fs %s: eventfd: %s", where,
			strerror(errno));
		goto fail;
	}
	if (vu_handshake(&fs->conn, VHOST_USER_FS_QUEUES, &why)) {
		lg_fail(err, "virtio-fs %s: %s", where, why.msg);
		goto fail;
	}
	if (!(fs->conn.features & 1ULL << VIRTIO_F_VERSION_1)) {
		lg_fail(err,
			"virtio-fs %s: the vhost-user back-end does not "
			"offer VIRTIO_F_VERSION_1",
			where);
		goto fail;
	}
	h.queue_ops = &vhost_user_fs_queues;
	if (virtio_device_init(&fs->vdev, &fs->ops, fs, &h, err))
		goto fail;
	/* Here the back-end breaks the device more often than the guest. */
	host_error_init(&fs->vdev.broken,
			"virtio-fs %s: broken by its back-end or the guest",
			where);
	/* Only what the back-end can do: it runs the rings, not we. */
	fs->vdev.device_features &= fs->conn.features;
	return 0;
fail:
	vu_close(&fs->conn);
	return -1;
}
