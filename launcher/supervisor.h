/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_SUPERVISOR_H
#define LGUEST_SUPERVISOR_H

#include <stdbool.h>

#include "exit_status.h"

/*
 * The supervisor: a pristine parent process that never touches the
 * guest.  Each boot of the guest runs in a fresh child; a sandboxed,
 * chrooted child could not re-execute itself for a reboot, so the parent
 * starts the next one.  The parent forwards termination signals, puts
 * the terminal back however the child ended, and exits as it did.
 */

/*
 * Returns in the child, once per boot; the parent never returns.  The
 * parent writes the status line (exit_status.h) to status_fd, unless it
 * is -1, as it ends; the child does not keep it open.
 */
void supervisor_start(int status_fd);

/* In the child: the guest reset; the supervisor boots it again. */
void supervisor_request_reboot(void);

/* In the child: the exit status it ends with is the guest's own byte. */
void supervisor_note_guest_status(void);

/* Write the status line for (by, value) to fd; nothing for fd -1. */
void supervisor_report(int fd, enum lg_exit_chooser by, int value);

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
