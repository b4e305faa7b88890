// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <limits.h>
#include <unistd.h>

#include "../virtio/iov.h"
#include "virtio_console.h"

#define CONSOLE_QUEUE_SIZE	64
#define RX_QUEUE		0
#define TX_QUEUE		1
#define PCI_CLASS_COMM_OTHER	0x078000

static bool input_ready(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Let the input hook see what arrived, one buffer at a time. */
static bool input_allowed(struct virtio_console *con, const struct iovec *iov,
			  unsigned int n, size_t len)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < n && len; i++) {
		size_t piece = iov[i].iov_len < len ? iov[i].iov_len : len;

		if (con->input_ok &&
		    !con->input_ok(con->input_ctx, iov[i].iov_base, piece))
			ok = false;
		len -= piece;
	}
	return ok;
}

/*
 * Host input into one guest buffer at a time.  We look before we take a
 * buffer, so a kick with nothing typed costs nothing; with input but no
 * buffer we are starved until the guest gives us one.  End of file and
 * a read error both end input for good: a broken stdin stays broken,
 * and reading it again would only spin.
 */
static enum vq_result console_rx(struct virtio_console *con,
				 struct virtio_queue *q, struct lg_error *err)
{
	struct virtq_chain *c = q->chain;
	bool failed, ended;
	ssize_t n;
	int r;

	if (con->input_ended)
		return VQ_INPUT_DONE;
	if (!input_ready(con->in_fd))
		return VQ_IDLE;
	r = virtq_pop(&q->ring, c, err);
	if (r <= 0)
		return r < 0 ? VQ_BROKEN : VQ_STARVED;
	if (c->n_out) {
		lg_fail(err, "console input buffer %u has readable parts",
			c->head);
		return VQ_BROKEN;
	}
	do
		n = readv(con->in_fd, virtq_chain_in(c), c->n_in);
	while (n < 0 && errno == EINTR);
	failed = n < 0 && errno != EAGAIN;
	if (failed) {
		host_error_note(&con->read_err, errno);
	}
	/* The hook looks before the push: after it the buffer is the guest's. */
	ended = n == 0 || failed ||
		(n > 0 && !input_allowed(con, virtq_chain_in(c), c->n_in, n));
	if (virtq_push(&q->ring, c->head, n > 0 ? n : 0, err))
		return VQ_BROKEN;
	if (virtq_should_interrupt(&q->ring))
		virtio_queue_interrupt(q);
	if (ended) {
		con->input_ended = true;
		return VQ_INPUT_DONE;
	}
	return VQ_IDLE;
}

/*
 * Output waits for the terminal (a ^S, a reader that stopped reading)
 * but never past a reset: poll() watches the queue's stop eventfd too,
 * and writes of at most PIPE_BUF never block once POLLOUT was seen.
 */
static int console_tx_request(struct virtio_device *vdev,
			      struct virtio_queue *q, struct virtq_chain *c,
			      uint32_t *written, struct lg_error *err)
{
	struct virtio_console *con = vdev->priv;
	struct iovec *iov = c->iov;
	unsigned int n = c->n_out;

	(void)err;
	*written = 0;
	while (n) {
		struct pollfd p[2] = {
			{ .fd = con->out_fd, .events = POLLOUT },
			{ .fd = q->rt.stop_fd, .events = POLLIN },
		};
		struct iovec one = iov[0];
		ssize_t w;

		if (!iov[0].iov_len) {
			iov_advance(&iov, &n, 0);
			continue;
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (one.iov_len > PIPE_BUF)
			one.iov_len = PIPE_BUF;
		w = writev(con->out_fd, &one, 1);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			host_error_note(&con->write_err, errno);
		}
		if (w <= 0)
			break;
		iov_advance(&iov, &n, w);
	}
	return 0;
}

static enum vq_result console_process(struct virtio_device *vdev,
				      struct virtio_queue *q,
				      struct lg_error *err)
{
	if (q->index == RX_QUEUE)
		return console_rx(vdev->priv, q, err);
	return virtio_queue_serve(vdev, q, console_tx_request, err);
}

static int console_input_fd(struct virtio_device *vdev, unsigned int queue)
{
	struct virtio_console *con = vdev->priv;

	return queue == RX_QUEUE ? con->in_fd : -1;
}

static const struct virtio_device_ops virtio_console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.class_code = PCI_CLASS_COMM_OTHER,
	.num_queues = 2,
	.queue_size = CONSOLE_QUEUE_SIZE,
	.process = console_process,
	.input_fd = console_input_fd,
};

int virtio_console_init(struct virtio_console *con, int in_fd, int out_fd,
			bool (*input_ok)(void *ctx, const uint8_t *buf,
					 size_t len),
			void *input_ctx, const struct virtio_host *host,
			struct lg_error *err)
{
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	con->input_ok = input_ok;
	con->input_ctx = input_ctx;
	host_error_init(&con->read_err, "virtio-console stdin: read failed");
	host_error_init(&con->write_err, "virtio-console stdout: write failed");
	return virtio_device_init(&con->vdev, &virtio_console_ops, con, host,
				  err);
}
