// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../virtio/iov.h"
#include "virtio_blk.h"

#define SECTOR			512ULL
#define BLK_QUEUE_SIZE		128
#define BLK_SEG_MAX		(BLK_QUEUE_SIZE - 2)	/* + header + status */
#define PCI_CLASS_STORAGE_SCSI	0x010000
#define HEADER_LEN		sizeof(struct virtio_blk_outhdr)

/* The guest's data buffers of one request, between header and status. */
struct blk_data {
	struct iovec iov[VIRTQ_MAX_SEGS];
	int n;
	uint64_t len;
};

/*
 * Whole sectors inside the disk, with no overflow: `len` bytes from
 * `sector` must end at or before the last sector.
 */
static bool in_range(const struct virtio_blk *blk, uint64_t sector,
		     uint64_t len)
{
	return len % SECTOR == 0 && sector <= blk->sectors &&
	       len / SECTOR <= blk->sectors - sector;
}

/* preadv/pwritev until done: a short transfer is retried, not returned. */
static int transfer(struct virtio_blk *blk, struct blk_data *d, off_t off,
		    bool write)
{
	struct iovec *iov = d->iov;
	unsigned int n = d->n;
	uint64_t left = d->len;

	while (left) {
		ssize_t r = write ? pwritev(blk->fd, iov, n, off) :
				    preadv(blk->fd, iov, n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EIO;	/* the file shrank under us */
		if (r <= 0)
			return -1;
		left -= r;
		off += r;
		iov_advance(&iov, &n, r);
	}
	return 0;
}

static uint8_t do_read_write(struct virtio_blk *blk,
			     const struct virtio_blk_outhdr *h,
			     struct blk_data *d, bool write)
{
	if (write && blk->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!in_range(blk, h->sector, d->len))
		return VIRTIO_BLK_S_IOERR;
	if (transfer(blk, d, h->sector * SECTOR, write)) {
		host_error_note(write ? &blk->write_err : &blk->read_err, errno);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_flush(struct virtio_blk *blk)
{
	if (blk->read_only)
		return VIRTIO_BLK_S_OK;
	if (fdatasync(blk->fd)) {
		host_error_note(&blk->flush_err, errno);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * Layout of a request: a 16-byte header the guest wrote, then the data
 * (readable for writes, writable for reads), then one writable status
 * byte.  A chain without room for header and status is a broken driver:
 * that, and only that, breaks the queue.
 */
static int blk_request(struct virtio_device *vdev, struct virtio_queue *q,
		       struct virtq_chain *c, uint32_t *written,
		       struct lg_error *err)
{
	struct virtio_blk *blk = vdev->priv;
	struct iovec *in = virtq_chain_in(c);
	struct virtio_blk_outhdr h;
	struct blk_data d;
	uint8_t status = VIRTIO_BLK_S_OK;
	bool to_guest;

	(void)q;
	if (c->out_len < HEADER_LEN || c->in_len < 1)
		return lg_fail(err, "block request %u has %llu readable and %llu writable bytes: no room for header and status",
			       c->head, (unsigned long long)c->out_len,
			       (unsigned long long)c->in_len);
	iov_to_buf(c->iov, c->n_out, 0, &h, HEADER_LEN);
	to_guest = h.type == VIRTIO_BLK_T_IN || h.type == VIRTIO_BLK_T_GET_ID;
	d.len = to_guest ? c->in_len - 1 : c->out_len - HEADER_LEN;
	d.n = to_guest ? iov_slice(in, c->n_in, 0, d.len, d.iov, VIRTQ_MAX_SEGS) :
			 iov_slice(c->iov, c->n_out, HEADER_LEN, d.len, d.iov,
				   VIRTQ_MAX_SEGS);
	*written = 1;
	if (d.n < 0)	/* cannot happen: the lengths came from the chain */
		h.type = UINT32_MAX;
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		status = do_read_write(blk, &h, &d, false);
		if (status == VIRTIO_BLK_S_OK)
			*written += d.len;
		break;
	case VIRTIO_BLK_T_OUT:
		status = do_read_write(blk, &h, &d, true);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = do_flush(blk);
		break;
	case VIRTIO_BLK_T_GET_ID:
		*written += iov_from_buf(in, c->n_in, 0, blk->id,
					 d.len < VIRTIO_BLK_ID_LEN ?
						 d.len : VIRTIO_BLK_ID_LEN);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
	iov_from_buf(in, c->n_in, c->in_len - 1, &status, 1);
	return 0;
}

static enum vq_result blk_process(struct virtio_device *vdev,
				  struct virtio_queue *q, struct lg_error *err)
{
	return virtio_queue_serve(vdev, q, blk_request, err);
}

static void blk_config_read(struct virtio_device *vdev, unsigned int offset,
			    uint8_t *data, unsigned int len)
{
	struct virtio_blk *blk = vdev->priv;
	struct virtio_blk_config cfg = {
		.capacity = blk->sectors,
		.seg_max = BLK_SEG_MAX,
		.blk_size = SECTOR,
	};

	if (offset < sizeof(cfg))
		memcpy(data, (uint8_t *)&cfg + offset,
		       len < sizeof(cfg) - offset ? len : sizeof(cfg) - offset);
}

const struct virtio_device_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.class_code = PCI_CLASS_STORAGE_SCSI,
	.num_queues = 1,
	.queue_size = BLK_QUEUE_SIZE,
	.features = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
		    (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		    (1ULL << VIRTIO_BLK_F_FLUSH),
	.process = blk_process,
	.config_read = blk_config_read,
};

int virtio_blk_init_fd(struct virtio_blk *blk, int fd, uint64_t bytes,
		       bool read_only, const char *id,
		       const struct virtio_host *host, struct lg_error *err)
{
	blk->fd = fd;
	blk->read_only = read_only;
	blk->sectors = bytes / SECTOR;
	memset(blk->id, 0, sizeof(blk->id));
	memcpy(blk->id, id, strnlen(id, sizeof(blk->id)));
	host_error_init(&blk->read_err, "virtio-blk %s: read failed", id);
	host_error_init(&blk->write_err, "virtio-blk %s: write failed", id);
	host_error_init(&blk->flush_err, "virtio-blk %s: flush failed", id);
	if (virtio_device_init(&blk->vdev, &virtio_blk_ops, blk, host, err))
		return -1;
	if (read_only)
		blk->vdev.device_features |= 1ULL << VIRTIO_BLK_F_RO;
	return 0;
}

static int file_size(int fd, const char *path, uint64_t *bytes,
		     struct lg_error *err)
{
	struct stat st;

	if (fstat(fd, &st))
		return lg_fail(err, "cannot stat block file '%s': %s", path,
			       strerror(errno));
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, bytes) ?
			       lg_fail(err, "cannot size block device '%s': %s",
				       path, strerror(errno)) :
			       0;
	if (!S_ISREG(st.st_mode))
		return lg_fail(err, "block file '%s' is neither a file nor a block device",
			       path);
	*bytes = st.st_size;
	return 0;
}

int virtio_blk_init(struct virtio_blk *blk, const char *path, bool read_only,
		    const struct virtio_host *host, struct lg_error *err)
{
	int fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	const char *base = strrchr(path, '/');
	uint64_t bytes;

	if (fd < 0)
		return lg_fail(err, "cannot open block file '%s': %s", path,
			       strerror(errno));
	/* Two writers on one image corrupt it: refuse to be the second. */
	if (flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		close(fd);
		return lg_fail(err, "block file '%s' is in use by another process (%s)",
			       path, strerror(errno));
	}
	if (file_size(fd, path, &bytes, err)) {
		close(fd);
		return -1;
	}
	if (bytes < SECTOR) {
		close(fd);
		return lg_fail(err, "block file '%s' is smaller than one 512-byte sector",
			       path);
	}
	return virtio_blk_init_fd(blk, fd, bytes, read_only,
				  base ? base + 1 : path, host, err);
}
