// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's way of serving a virtqueue, the seed's: a thread per
 * queue that sleeps on the doorbell's eventfd (and a receive queue's
 * host input), started before the guest runs and kept for the life of
 * the launcher.  The transport starts it serving when the guest enables
 * the queue and stops it, waiting, on reset.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "device.h"

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
}

/*
 * Sleep until the guest kicks (or host input arrives), serve, repeat,
 * until told to stop or the guest breaks the ring.  When the guest has
 * no buffers for pending input we stop watching the input until the
 * next kick; when the input ends we stop watching it for good.
 */
static void serve_queue(struct virtio_queue *q)
{
	struct virtio_device *vdev = q->vdev;
	int input = vdev->ops->input_fd ? vdev->ops->input_fd(vdev, q->index) :
					  -1;
	bool starved = false;
	struct lg_error err;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = q->rt.stop_fd, .events = POLLIN },
			{ .fd = q->rt.kick_fd, .events = POLLIN },
			{ .fd = starved ? -1 : input, .events = POLLIN },
		};
		enum vq_result r;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents) {
			drain_eventfd(q->rt.kick_fd);
			starved = false;
		}
		r = vdev->ops->process(vdev, q, &err);
		if (r == VQ_BROKEN) {
			virtio_queue_broken(q, &err);
			break;
		}
		if (r == VQ_INPUT_DONE)
			input = -1;
		/*
		 * Starved, we sleep until the guest adds buffers and kicks, so
		 * ask for that kick (with EVENT_IDX nothing else re-arms a
		 * receive queue); buffers that came meanwhile end the fast.
		 */
		starved = r == VQ_STARVED && !virtq_notify_on(&q->ring);
	}
}

/*
 * No confined thread ever needs to clone one: it waits until its queue
 * is enabled, serves it until a reset stops it or the guest breaks it,
 * says so, and waits again.
 */
static void *queue_thread(void *arg)
{
	struct virtio_queue *q = arg;
	struct virtq_runtime *rt = &q->rt;

	for (;;) {
		pthread_mutex_lock(&rt->thread_lock);
		while (!rt->running)
			pthread_cond_wait(&rt->thread_cond, &rt->thread_lock);
		pthread_mutex_unlock(&rt->thread_lock);
		serve_queue(q);
		pthread_mutex_lock(&rt->thread_lock);
		rt->running = false;
		pthread_cond_broadcast(&rt->thread_cond);
		pthread_mutex_unlock(&rt->thread_lock);
	}
	return NULL;
}

static int thread_prepare(struct virtio_queue *q, const struct platform *p,
			  struct lg_error *err)
{
	const char *name = q->vdev->ops->name;
	int r;

	if (q->rt.has_thread)
		return 0;
	r = p->ops->thread_start(p->ctx, &q->rt.thread, queue_thread, q, name);
	if (r)
		return lg_fail(err, "%s: cannot start queue %u's thread: %s",
			       name, q->index, strerror(r));
	q->rt.has_thread = true;
	return 0;
}

/* Enabled before the thread exists, a queue is served once it does. */
static void thread_start(struct virtio_queue *q)
{
	struct virtq_runtime *rt = &q->rt;

	pthread_mutex_lock(&rt->thread_lock);
	rt->running = true;
	pthread_cond_broadcast(&rt->thread_cond);
	pthread_mutex_unlock(&rt->thread_lock);
}

/* The thread stops serving (if it still does) and waits to be enabled. */
static void thread_stop(struct virtio_queue *q)
{
	struct virtq_runtime *rt = &q->rt;
	uint64_t one = 1;

	pthread_mutex_lock(&rt->thread_lock);
	if (rt->running && !rt->has_thread)
		rt->running = false;
	if (rt->running && write(rt->stop_fd, &one, sizeof(one)) == sizeof(one))
		while (rt->running)
			pthread_cond_wait(&rt->thread_cond, &rt->thread_lock);
	pthread_mutex_unlock(&rt->thread_lock);
	drain_eventfd(rt->stop_fd);
	drain_eventfd(rt->kick_fd);
}

const struct virtio_queue_ops virtio_queue_threads = {
	.prepare = thread_prepare,
	.start = thread_start,
	.stop = thread_stop,
};
