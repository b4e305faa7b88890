// SPDX-License-Identifier: GPL-2.0
/*
 * lgtest.action=virtio-fs: find the virtio-fs device, print its tag and
 * request queue count, and send FUSE_INIT on its request queue; the
 * vhost-user back-end (virtiofsd) answers it straight into our rings,
 * told of our kick by the doorbell's ioeventfd.  Then reset the device
 * with its queues live, set it up again and init again: the back-end
 * was stopped and started again.
 *
 * lgtest.action=virtio-fs-gone: FUSE_INIT answered as above, then wait
 * for the test to kill the back-end (the device says NEEDS_RESET) and
 * send FUSE_INIT again: the launcher answers it with -EIO instead of
 * leaving it unanswered.
 */
#include <linux/fuse.h>
#include <linux/virtio_config.h>
#include <linux/virtio_fs.h>
#include <linux/virtio_ids.h>

#include "guest.h"
#include "virtio.h"

#define VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
#define FS_HIPRIO_QUEUE 0
#define FS_REQUEST_QUEUE 1
#define FS_TAG_MAX 36 /* sizeof(virtio_fs_config.tag) */

static struct {
	struct fuse_in_header h;
	struct fuse_init_in init;
} init_req;

static struct {
	struct fuse_out_header h;
	struct fuse_init_out init;
} init_reply;

static void fs_config(struct vdev *d)
{
	char tag[FS_TAG_MAX + 1];
	u32 queues;
	unsigned int i;

	for (i = 0; i < FS_TAG_MAX; i++)
		tag[i] = vdev_config(d, i, 1);
	tag[FS_TAG_MAX] = 0;
	queues = vdev_config(d, FS_TAG_MAX, 4);
	if (!tag[0] || queues == 0)
		fail(CHECK_VIRTIO_FS, "virtio-fs: tag '%s', %u request queues",
		     tag, queues);
	print("PASS: virtio-fs: tag '%s', %u request queues\n", tag, queues);
}

/* Send FUSE_INIT on the request queue: the bytes written back. */
static u32 send_init(struct vdev *d, u64 unique)
{
	struct vbuf b[2] = {
		{(u64)(unsigned long)&init_req, sizeof(init_req), 0},
		{(u64)(unsigned long)&init_reply, sizeof(init_reply), 1},
	};

	memset(&init_req, 0, sizeof(init_req));
	memset(&init_reply, 0xff, sizeof(init_reply));
	init_req.h.len = sizeof(init_req);
	init_req.h.opcode = FUSE_INIT;
	init_req.h.unique = unique;
	init_req.init.major = FUSE_KERNEL_VERSION;
	init_req.init.minor = FUSE_KERNEL_MINOR_VERSION;
	return vq_transfer(&d->vq[FS_REQUEST_QUEUE], b, 2);
}

/* FUSE_INIT, and the back-end's reply to it. */
static void fs_init(struct vdev *d, u64 unique)
{
	u32 written = send_init(d, unique);

	if (written < sizeof(init_reply.h) || init_reply.h.len != written ||
	    init_reply.h.unique != unique || init_reply.h.error ||
	    init_reply.init.major != FUSE_KERNEL_VERSION)
		fail(CHECK_VIRTIO_FS,
		     "virtio-fs: FUSE_INIT reply of %u bytes: len %u, unique "
		     "%u, error %d, major %u",
		     written, init_reply.h.len, (u32)init_reply.h.unique,
		     init_reply.h.error, init_reply.init.major);
	print("PASS: virtio-fs: FUSE_INIT answered, FUSE %u.%u\n",
	      init_reply.init.major, init_reply.init.minor);
}

/* The back-end is gone: FUSE_INIT gets an -EIO reply, and at once. */
static void fs_init_fails(struct vdev *d, u64 unique)
{
	u32 written = send_init(d, unique);

	if (written != sizeof(init_reply.h) ||
	    init_reply.h.len != sizeof(init_reply.h) ||
	    init_reply.h.unique != unique || init_reply.h.error != -5)
		fail(CHECK_VIRTIO_FS,
		     "virtio-fs: FUSE_INIT without a back-end: %u bytes, len "
		     "%u, unique %u, error %x (-EIO is fffffffb)",
		     written, init_reply.h.len, (u32)init_reply.h.unique,
		     (u32)init_reply.h.error);
	/* The guest's print() has no %d. */
	puts_raw("PASS: virtio-fs: FUSE_INIT without a back-end: error -EIO\n");
}

void action_virtio_fs_gone(void)
{
	static struct vdev fs;

	vdev_bring_up(&fs, "virtio-fs", VIRTIO_ID_FS, 0, VERSION_1, 2);
	fs_init(&fs, 1);
	puts_raw("virtio-fs: waiting for the back-end to go\n");
	if (!vdev_wait_status(&fs, VIRTIO_CONFIG_S_NEEDS_RESET, 30))
		fail(CHECK_VIRTIO_FS,
		     "virtio-fs: no NEEDS_RESET 30 s after waiting began");
	fs_init_fails(&fs, 3);
	guest_exit(GUEST_EXIT_OK);
}

void action_virtio_fs(void)
{
	static struct vdev fs;

	vdev_bring_up(&fs, "virtio-fs", VIRTIO_ID_FS, 0, VERSION_1, 2);
	fs_config(&fs);
	fs_init(&fs, 1);
	vdev_bring_up(&fs, "virtio-fs", VIRTIO_ID_FS, 0, VERSION_1, 2);
	fs_init(&fs, 2);
	puts_raw("PASS: virtio-fs works after a reset\n");
	guest_exit(GUEST_EXIT_OK);
}
