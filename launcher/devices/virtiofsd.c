// SPDX-License-Identifier: GPL-2.0
/* Starting and stopping virtiofsd for --share (see virtiofsd.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "virtiofsd.h"

#define POLL_NS (10 * 1000 * 1000)

/*
 * virtiofsd writes its pid file there, and listens in the private socket
 * directory; for a HOSTDIR that holds them (/), each gets a writable mount
 * of its own on top of the read-only tree.
 */
#define VIRTIOFSD_PID_DIR "/var/run/virtiofsd"

/*
 * In the child: hostdir and every mount below it (/proc, /sys, /dev/shm
 * for /) read-only, without devices or set-uid programs, seen only in the
 * child's own mount namespace: virtiofsd can write nothing there whatever
 * the guest asks.  A plain read-only remount would cover only the top.
 */
static int bind_read_only(const char *hostdir, const char *sockdir)
{
	struct mount_attr ro = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOSUID,
	};

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    (mkdir(VIRTIOFSD_PID_DIR, 0755) && errno != EEXIST) ||
	    mount(hostdir, hostdir, NULL, MS_BIND | MS_REC, NULL) ||
	    mount_setattr(AT_FDCWD, hostdir, AT_RECURSIVE, &ro, sizeof(ro)) ||
	    mount("lguest-virtiofsd", VIRTIOFSD_PID_DIR, "tmpfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") ||
	    mount(sockdir, sockdir, NULL, MS_BIND, NULL) ||
	    mount(NULL, sockdir, NULL,
		  MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL)) {
		fprintf(stderr,
			"lguest: --share=%s:ro: cannot make it read-only: %s\n",
			hostdir, strerror(errno));
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
run_child(const struct virtiofsd *d, pid_t parent, const char *program,
	  const char *hostdir, bool ro)
{
	char src[4200], sock[100];

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	close(STDIN_FILENO);
	snprintf(src, sizeof(src), "source=%s", hostdir);
	snprintf(sock, sizeof(sock), "--socket-path=%s", d->socket);
	if (ro && bind_read_only(hostdir, d->dir))
		_exit(1);
	execl(program, program, sock, "-o", src, "-o", "sandbox=chroot", "-o",
	      "log_level=err", (char *)NULL);
	fprintf(stderr, "lguest: cannot run %s: %s\n", program,
		strerror(errno));
	_exit(127);
}

/*
 * Connect as soon as virtiofsd listens (its socket file exists a moment
 * before it does), unless the child dies or time runs out.
 */
static int connect_when_listening(struct virtiofsd *d, const char *hostdir,
				  struct vu_conn *c, struct lg_error *err)
{
	struct timespec pause = {0, POLL_NS};
	int i, status;

	for (i = 0; i < VIRTIOFSD_WAIT_MS / 10; i++) {
		if (!vu_connect(c, d->socket, err))
			return 0;
		if (errno != ENOENT && errno != ECONNREFUSED)
			return -1;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return lg_fail(err,
				       "--share=%s: virtiofsd %s %d before "
				       "making its socket",
				       hostdir,
				       WIFEXITED(status) ? "exited with status"
							 : "died of signal",
				       WIFEXITED(status) ? WEXITSTATUS(status)
							 : WTERMSIG(status));
		}
		nanosleep(&pause, NULL);
	}
	return lg_fail(err, "--share=%s: virtiofsd did not listen within %d ms",
		       hostdir, VIRTIOFSD_WAIT_MS);
}

/* Only the connection matters from now on: nothing to leave behind. */
static void remove_socket(struct virtiofsd *d)
{
	if (d->dir[0]) {
		unlink(d->socket);
		rmdir(d->dir);
	}
	d->dir[0] = 0;
}

int virtiofsd_start(struct virtiofsd *d, const char *program,
		    const char *hostdir, bool ro, struct vu_conn *c,
		    struct lg_error *err)
{
	pid_t parent = getpid();
	struct stat st;

	memset(d, 0, sizeof(*d));
	if (stat(hostdir, &st))
		return lg_fail(err, "--share=%s: %s", hostdir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return lg_fail(err, "--share=%s: not a directory", hostdir);
	if (strlen(hostdir) > 4000)
		return lg_fail(err, "--share: directory name too long");
	strcpy(d->dir, "/tmp/lguest-fs-XXXXXX");
	if (!mkdtemp(d->dir)) {
		d->dir[0] = 0;
		return lg_fail(err,
			       "--share=%s: cannot make a socket directory: %s",
			       hostdir, strerror(errno));
	}
	snprintf(d->socket, sizeof(d->socket), "%s/sock", d->dir);
	d->pid = fork();
	if (d->pid < 0) {
		d->pid = 0;
		lg_fail(err, "--share=%s: cannot start virtiofsd: %s", hostdir,
			strerror(errno));
		virtiofsd_stop(d);
		return -1;
	}
	if (d->pid == 0)
		run_child(d, parent, program, hostdir, ro);
	if (connect_when_listening(d, hostdir, c, err)) {
		virtiofsd_stop(d);
		return -1;
	}
	remove_socket(d);
	return 0;
}

/* SIGTERM and a moment to go, then SIGKILL; always reaped. */
static void end_child(pid_t pid)
{
	struct timespec pause = {0, POLL_NS};
	int i;

	kill(pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void virtiofsd_stop(struct virtiofsd *d)
{
	if (d->pid > 0)
		end_child(d->pid);
	d->pid = 0;
	remove_socket(d);
}
