// SPDX-License-Identifier: GPL-2.0
/*
 * The supervisor.  The seed rebooted by re-executing the Launcher; ours
 * cannot, once it is chrooted (no /proc/self/exe, no kernel file) and
 * under seccomp (which survives execve anyway).  So the process forks
 * before it opens anything: the parent stays unconfined, tiny and blind
 * to the guest, and starts a fresh child for every boot.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "exit_status.h"
#include "supervisor.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				 SIGUSR2, SIGALRM };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

static volatile pid_t child_pid;
static volatile sig_atomic_t stop_signal;	/* one came: no more boots */
/* What the child tells the supervisor, in a page they share. */
struct child_news {
	int reboot_requested;
	int guest_chose_status; /* the status is the guest's port 0xf4 byte */
};
static volatile struct child_news *news;
static int status_fd = -1; /* --status-fd, the supervisor's alone */
static pid_t supervisor_pid;

static void forward_signal(int sig)
{
	stop_signal = sig;
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* SIGURG asks the child for a serial BREAK: passed on, it stops nothing. */
#define BREAK_SIGNAL SIGURG

static void relay_break(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void set_break_relay(bool on)
{
	struct sigaction sa = { .sa_handler = on ? relay_break : SIG_DFL,
				.sa_flags = SA_RESTART };

	sigaction(BREAK_SIGNAL, &sa, NULL);
}

static void block_forwarded(int how)
{
	sigset_t set;
	unsigned int i;

	sigemptyset(&set);
	for (i = 0; i < NFORWARDED; i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(how, &set, NULL);
}

static void set_forwarding(bool on)
{
	struct sigaction sa = { .sa_handler = on ? forward_signal : SIG_DFL,
				.sa_flags = SA_RESTART };
	unsigned int i;

	for (i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, NULL);
}

/* The child dies with the supervisor, whoever kills it. */
int supervisor_rearm_death_signal(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		return -1;
	return getppid() == supervisor_pid ? 0 : -1;
}

void supervisor_report(int fd, enum lg_exit_chooser by, int value)
{
	struct lg_exit_report r = {.by = by, .value = value};
	char line[64];
	int n = lg_exit_format(&r, line, sizeof(line));

	if (fd >= 0 && n > 0 && write(fd, line, (size_t)n) != n)
		fprintf(stderr, "lguest: --status-fd: %s\n", strerror(errno));
}

/* Our own end, status line first. */
static void __attribute__((noreturn)) leave(enum lg_exit_chooser by, int status)
{
	supervisor_report(status_fd, by, status);
	exit(status);
}

/*
 * Leave as the child left: its status, or its signal; or by the signal
 * that came while it was rebooting.
 */
static void __attribute__((noreturn)) exit_like(int wstatus)
{
	int sig =
		WIFEXITED(wstatus) && news->reboot_requested ? stop_signal : 0;

	if (WIFEXITED(wstatus) && !sig)
		leave(news->guest_chose_status ? LG_BY_GUEST : LG_BY_LAUNCHER,
		      WEXITSTATUS(wstatus));
	if (!sig)
		sig = WTERMSIG(wstatus);
	if (sig == SIGSYS) {
		/* SECCOMP_RET_KILL_PROCESS: a wrong-architecture call. */
		fprintf(stderr, "lguest: sandbox: killed by SIGSYS\n");
		leave(LG_BY_LAUNCHER, LG_EXIT_SANDBOX);
	}
	supervisor_report(status_fd, LG_BY_SIGNAL, sig);
	/* The child left its core, if any; ours would be of no use. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	set_forwarding(false);
	block_forwarded(SIG_UNBLOCK);
	signal(sig, SIG_DFL);
	raise(sig);
	exit(128 + sig);
}

void supervisor_start(int report_fd)
{
	struct termios saved;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	int wstatus;

	supervisor_pid = getpid();
	status_fd = report_fd;
	news = mmap(NULL, sizeof(*news), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (news == MAP_FAILED) {
		fprintf(stderr, "lguest: cannot map the supervisor's page: %s\n",
			strerror(errno));
		leave(LG_BY_LAUNCHER, LG_EXIT_SETUP);
	}
	set_forwarding(true);
	set_break_relay(true);
	for (;;) {
		pid_t pid;

		news->reboot_requested = 0;
		news->guest_chose_status = 0;
		block_forwarded(SIG_BLOCK);	/* no signal lost to the fork */
		pid = fork();
		if (pid == 0) {
			set_forwarding(false);
			set_break_relay(false);
			block_forwarded(SIG_UNBLOCK);
			if (status_fd >= 0)
				close(status_fd);
			if (supervisor_rearm_death_signal())
				_exit(LG_EXIT_SETUP);
			return;
		}
		if (pid < 0) {
			fprintf(stderr, "lguest: cannot fork: %s\n", strerror(errno));
			leave(LG_BY_LAUNCHER, LG_EXIT_SETUP);
		}
		child_pid = pid;
		block_forwarded(SIG_UNBLOCK);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		child_pid = 0;
		if (tty)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		if (!WIFEXITED(wstatus) || !news->reboot_requested ||
		    stop_signal)
			exit_like(wstatus);
	}
}

void supervisor_request_reboot(void)
{
	if (news)
		news->reboot_requested = 1;
}

void supervisor_note_guest_status(void)
{
	if (news)
		news->guest_chose_status = 1;
}

int inherited_fd_path(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
	unsigned int i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t len = strlen(prefixes[i]);
		char *end;
		long fd;

		if (strncmp(path, prefixes[i], len) || !path[len])
			continue;
		errno = 0;
		fd = strtol(path + len, &end, 10);
		if (!errno && !*end && fd > STDERR_FILENO && fd < INT_MAX)
			return (int)fd;
	}
	return -1;
}

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void close_inherited_fds(const int *keep, unsigned int nkeep)
{
	int sorted[nkeep + 1];
	unsigned int first = STDERR_FILENO + 1, i;

	memcpy(sorted, keep, nkeep * sizeof(int));
	qsort(sorted, nkeep, sizeof(int), compare_ints);
	for (i = 0; i < nkeep; i++) {
		if ((unsigned int)sorted[i] > first)
			syscall(SYS_close_range, first, sorted[i] - 1, 0);
		if ((unsigned int)sorted[i] >= first)
			first = sorted[i] + 1;
	}
	syscall(SYS_close_range, first, ~0U, 0);
}
