/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_VIRTIOFSD_H
#define LGUEST_VIRTIOFSD_H

#include <stdbool.h>
#include <sys/types.h>

#include "../error.h"
#include "vhost_user.h"

/*
 * --share: Debian's virtiofsd serving a host directory, for as long as
 * the launcher lives.  It is the launcher's child with PR_SET_PDEATHSIG,
 * so it goes however the launcher ends, and it makes its socket in a
 * private directory of its own.  Debian's virtiofsd (QEMU 7.2's) has no
 * read-only mode, so for `ro` the child first bind-mounts the directory
 * over itself in a mount namespace of its own and makes it and every
 * mount below it read-only, nodev and nosuid: the back-end cannot write
 * there whatever the guest asks.  The launcher connects at
 * once and then removes the socket and its directory, so nothing is left
 * in /tmp however the launcher ends.
 */

#define VIRTIOFSD_PATH "/usr/lib/qemu/virtiofsd"
#define VIRTIOFSD_WAIT_MS 5000

struct virtiofsd {
	pid_t pid;
	char dir[64]; /* the private directory, "" if none */
	char socket[80]; /* dir/sock */
};

/*
 * Start it on hostdir, wait for its socket and connect c to it; -1 with
 * err, and then nothing is left running or on disk.
 */
int virtiofsd_start(struct virtiofsd *d, const char *program,
		    const char *hostdir, bool ro, struct vu_conn *c,
		    struct lg_error *err);

/* Stop it: SIGTERM, then SIGKILL if it lingers; always reaped. */
void virtiofsd_stop(struct virtiofsd *d);

#endif
