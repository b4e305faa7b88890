/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUSE_ERROR_H
#define LGUEST_FUSE_ERROR_H

#include <errno.h>
#include <stdint.h>

#include "../error.h"
#include "../virtio/vring.h"

/*
 * Answering a virtio-fs queue when its FUSE server (the vhost-user
 * back-end) is gone: every request is failed at once with an error
 * reply, so the guest's file system calls return errors instead of
 * waiting forever.  Pure: guest memory only through the vring code, no
 * KVM, no threads, no printing.
 *
 * The error is -EIO.  It is what the guest's callers should see: their
 * data's source failed.  -ENOTCONN ("transport endpoint is not
 * connected") is what Linux's FUSE reports on its own once it aborts a
 * connection, so a reply carrying it would look to the guest's user as
 * if the guest had given up, not the host; and a FUSE_INIT failed with
 * -EIO makes the guest's mount fail cleanly all the same.
 */
#define FUSE_ERROR_REPLY (-EIO)

/*
 * The reply to one request chain: a struct fuse_out_header {len = its
 * size, error, unique = the request's} at the start of the writable
 * part.  Returns the used length: the header's size, or 0 when the
 * readable part is shorter than a struct fuse_in_header or the writable
 * part shorter than a struct fuse_out_header (then nothing is written).
 */
uint32_t fuse_error_reply(const struct virtq_chain *c, int32_t error);

/*
 * Take the next available request of vr and complete it with
 * fuse_error_reply() (c is scratch).  A chain the vring code refuses
 * (a buffer outside guest RAM, a loop, bad flags) is completed with
 * length 0 all the same, so the guest gets every request back.
 * Returns 1 when one was completed, 0 when none is available, -1 with
 * err when the ring itself is broken (the available index or an entry
 * of it out of range): nothing can be completed then.
 */
int fuse_error_serve(struct virtq *vr, struct virtq_chain *c, int32_t error,
		     struct lg_error *err);

#endif
