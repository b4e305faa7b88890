/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VHOST_USER_FS_H
#define LGUEST_VHOST_USER_FS_H

#include <linux/virtio_fs.h>
#include <pthread.h>
#include <stdbool.h>

#include "../virtio/device.h"
#include "vhost_user.h"
#include "virtio_fs.h"

/*
 * virtio-fs (virtio ID 26) on the PCI transport, its queues served by a
 * vhost-user back-end (virtiofsd): each queue's doorbell eventfd (over
 * KVM an ioeventfd) is the back-end's kick and its MSI-X vector's
 * eventfd (an irqfd) the back-end's call, so no launcher thread sits in
 * the data path.  The device only tells the back-end what the driver
 * set up: features and guest memory on the first queue enable, each
 * queue as it is enabled, a new vector for a live queue, and stops the
 * queues on reset.
 *
 * Those messages go out from one control thread of the device's own
 * (sandbox role SANDBOX_VIRTIO_FS) that also watches the socket for a
 * hang-up; the vCPU thread hands it each request and waits for it (at
 * most VU_TIMEOUT_MS per message), so the vCPU's sandbox needs no
 * socket calls.  A back-end that refuses, stalls or hangs up puts the
 * device in NEEDS_RESET with one message, and is then given up: the
 * connection is closed and every later enable fails the same way.
 *
 * Its queues are not left unanswered then: the control thread takes
 * each one over and completes every request, queued or later kicked,
 * with a FUSE -EIO reply (fuse_error.h), so the guest's file system
 * calls fail at once instead of hanging, and a driver that resets and
 * sends FUSE_INIT again has its mount fail cleanly.
 */
#define VHOST_USER_FS_REQUEST_QUEUES 1
#define VHOST_USER_FS_QUEUES (1 + VHOST_USER_FS_REQUEST_QUEUES)
#define VHOST_USER_FS_QUEUE_SIZE 128

enum vhost_user_fs_request {
	VUFS_NONE,
	VUFS_START, /* queue enabled: features, memory, the queue */
	VUFS_STOP, /* reset: GET_VRING_BASE */
	VUFS_CALL, /* the queue's vector changed */
};

struct vhost_user_fs {
	struct virtio_device vdev;
	struct virtio_device_ops ops;
	struct virtio_fs_config config;
	const char *where; /* the socket, or --share's directory */
	struct vu_conn conn; /* fd -1 once given up */
	int memfd; /* guest RAM, shared with the back-end */
	bool set_up; /* features and memory sent since reset */
	bool started[VHOST_USER_FS_QUEUES];
	bool orphaned[VHOST_USER_FS_QUEUES]; /* we answer it: back-end gone */
	int no_call[VHOST_USER_FS_QUEUES]; /* call for a queue with no vector */
	char gone[sizeof(((struct lg_error *)0)->msg)]; /* why given up */

	/* The control thread and the one request it is handed at a time. */
	pthread_t thread;
	bool has_thread;
	int wake_fd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool busy; /* a vCPU is waiting on a request */
	enum vhost_user_fs_request req; /* VUFS_NONE when done */
	struct virtio_queue *req_queue;
};

extern const struct virtio_queue_ops vhost_user_fs_queues;

/*
 * A virtio-fs device whose tag is `tag`, on connection c (connected;
 * the device owns it from now on, and closes it on failure), `where`
 * naming it in messages.  Guest RAM (host->mem) must be mapped shared
 * from memfd.  Does the vhost-user handshake; -1 with err.
 */
int vhost_user_fs_init(struct vhost_user_fs *fs, const struct vu_conn *c,
		       const char *where, const char *tag, int memfd,
		       const struct virtio_host *host, struct lg_error *err);

#endif
