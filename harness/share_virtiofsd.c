// SPDX-License-Identifier: GPL-2.0
/*
 * The qemu supervisor's share back-end: Debian's virtiofsd, started and
 * stopped by the launcher's own code (launcher/devices/virtiofsd.c), so a
 * share is served the same way under every runner.  Linked only into
 * bin/lgtest (harness.mk), beside main.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../launcher/devices/virtiofsd.h"
#include "share.h"
#include "util.h"

static int virtiofsd_backend_start(void **handle, const char *dir, bool ro)
{
	struct virtiofsd *d = xcalloc(1, sizeof(*d));
	struct vu_conn conn = {.fd = -1};
	struct lg_error err;

	if (virtiofsd_start(d, VIRTIOFSD_PATH, dir, ro, &conn, &err)) {
		fprintf(stderr, "lgtest: share %s: %s\n", dir, err.msg);
		free(d);
		return -1;
	}
	*handle = d;
	return conn.fd;
}

static void virtiofsd_backend_stop(void *handle)
{
	virtiofsd_stop(handle);
	free(handle);
}

const struct share_backend_ops share_virtiofsd_ops = {
	.start = virtiofsd_backend_start,
	.stop = virtiofsd_backend_stop,
};
