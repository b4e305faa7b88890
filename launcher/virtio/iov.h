/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_IOV_H
#define LGUEST_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/*
 * Scatter-gather helpers.  A request's header, data and status byte can
 * each straddle buffers however the guest chose to split them, so
 * devices never index iov[0] directly: they copy or slice by byte offset.
 */

/* Copy up to len bytes starting `offset` bytes in; returns bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t offset,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t offset,
		    const void *buf, size_t len);

/*
 * Describe bytes [offset, offset + len) of iov in dst (at most max
 * entries); returns the number of entries, or -1 if it does not fit.
 */
int iov_slice(const struct iovec *iov, unsigned int n, size_t offset,
	      size_t len, struct iovec *dst, unsigned int max);

/*
 * Drop the first `bytes` bytes after a short readv/writev, so the next
 * call goes on where this one stopped.  Edits the iovec array only.
 */
void iov_advance(struct iovec **iov, unsigned int *n, size_t bytes);

#endif
