/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_SUPERVISOR_H
#define LGUEST_SUPERVISOR_H

#include <stdbool.h>

/*
 * The supervisor: a pristine parent process that never touches the
 * guest.  Each boot of the guest runs in a fresh child; a sandboxed,
 * chrooted child could not re-execute itself for a reboot, so the parent
 * starts the next one.  The parent forwards termination signals, puts
 * the terminal back however the child ended, and exits as it did.
 */

/* Returns in the child, once per boot; the parent never returns. */
void supervisor_start(void);

/* In the child: the guest reset; the supervisor boots it again. */
void supervisor_request_reboot(void);

/* In the child after a change of user: die again with the supervisor. */
int supervisor_rearm_death_signal(void);

/*
 * Close every inherited descriptor above stderr except `keep` (fds the
 * user named as /dev/fd/N): nothing of the caller's leaks into a process
 * that runs a hostile guest.
 */
void close_inherited_fds(const int *keep, unsigned int nkeep);

/* N when path is /dev/fd/N or /proc/self/fd/N, else -1. */
int inherited_fd_path(const char *path);

#endif
