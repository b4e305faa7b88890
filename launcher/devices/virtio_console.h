/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIO_CONSOLE_H
#define LGUEST_VIRTIO_CONSOLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../virtio/device.h"
#include "host_error.h"

/*
 * virtio-console with one port (hvc0 in a Linux guest), the seed's own
 * console: queue 0 carries host input to the guest, queue 1 the guest's
 * output to the host.  `input_ok` sees every byte typed and may end
 * input (the ^C^C^C escape); write errors lose output, never the guest.
 */
struct virtio_console {
	struct virtio_device vdev;
	int in_fd, out_fd;
	bool (*input_ok)(void *ctx, const uint8_t *buf, size_t len);
	void *input_ctx;
	struct host_error read_err, write_err;	/* counted, warned about */
	bool input_ended;	/* EOF or escape: the rx thread stops reading */
};

int virtio_console_init(struct virtio_console *con, int in_fd, int out_fd,
			bool (*input_ok)(void *ctx, const uint8_t *buf,
					 size_t len),
			void *input_ctx, const struct virtio_host *host,
			struct lg_error *err);

#endif
