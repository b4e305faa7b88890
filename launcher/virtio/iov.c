// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "iov.h"

/* Visit the pieces of [offset, offset + len) in order. */
static size_t iov_walk(const struct iovec *iov, unsigned int n, size_t offset,
		       size_t len,
		       void (*fn)(void *ctx, void *base, size_t len), void *ctx)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		size_t piece;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		piece = iov[i].iov_len - offset;
		if (piece > len - done)
			piece = len - done;
		fn(ctx, (char *)iov[i].iov_base + offset, piece);
		done += piece;
		offset = 0;
	}
	return done;
}

struct copy {
	char *buf;
	bool out;	/* iov to buf */
};

static void copy_piece(void *ctx, void *base, size_t len)
{
	struct copy *c = ctx;

	if (c->out)
		memcpy(c->buf, base, len);
	else
		memcpy(base, c->buf, len);
	c->buf += len;
}

size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t offset,
		  void *buf, size_t len)
{
	struct copy c = { buf, true };

	return iov_walk(iov, n, offset, len, copy_piece, &c);
}

size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t offset,
		    const void *buf, size_t len)
{
	struct copy c = { (char *)buf, false };

	return iov_walk(iov, n, offset, len, copy_piece, &c);
}

struct slice {
	struct iovec *dst;
	unsigned int count, max;
};

static void slice_piece(void *ctx, void *base, size_t len)
{
	struct slice *s = ctx;

	if (s->count < s->max)
		s->dst[s->count] = (struct iovec){ base, len };
	s->count++;
}

int iov_slice(const struct iovec *iov, unsigned int n, size_t offset,
	      size_t len, struct iovec *dst, unsigned int max)
{
	struct slice s = { dst, 0, max };

	if (iov_walk(iov, n, offset, len, slice_piece, &s) != len ||
	    s.count > max)
		return -1;
	return s.count;
}

void iov_advance(struct iovec **iov, unsigned int *n, size_t bytes)
{
	while (*n && bytes >= (*iov)->iov_len) {
		bytes -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n && bytes) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + bytes;
		(*iov)->iov_len -= bytes;
	}
}
