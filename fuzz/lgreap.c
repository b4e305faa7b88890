// SPDX-License-Identifier: GPL-2.0
/*
 * lgreap: run a command and leave nothing of it behind.  afl-fuzz puts
 * its target in a session of its own, and Debian's afl++ 4.04c with -c 0
 * leaves that forkserver child stopped (state T, reparented to init) when
 * it exits; a process-group kill never reaches it, and it keeps its CPU
 * binding, so later afl-fuzz runs find no free core.  As a child
 * subreaper, every orphan below us is reparented to us instead of init:
 * when the command ends, whatever is left is killed (SIGKILL works on a
 * stopped process) and waited for.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t command;

/* Pass ^C and termination on to the command; we outlive it to reap. */
static void forward(int sig)
{
	if (command > 0)
		kill(command, sig);
}

/* The parent pid in /proc/PID/stat, or -1. */
static pid_t parent_of(const char *pid)
{
	char path[300], buf[512], *p;
	FILE *f;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')'); /* the name may hold spaces */
		if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
			ppid = -1;
	}
	fclose(f);
	return ppid;
}

/* SIGKILL every child we have now: returns how many there were. */
static int kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    parent_of(e->d_name) == getpid()) {
			kill(atoi(e->d_name), SIGKILL);
			n++;
		}
	closedir(d);
	return n;
}

/*
 * Until no child is left: kill what remains and reap it.  Killing one
 * may orphan its own children onto us, hence the rescan.
 */
static void reap_all(bool quiet)
{
	int n, total = 0;

	while ((n = kill_children()) > 0) {
		total += n;
		usleep(10000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (total && !quiet)
		fprintf(stderr, "lgreap: killed %d process(es) left behind\n",
			total);
}

static int usage(FILE *f, int status)
{
	fprintf(f, "Usage: lgreap [--quiet] COMMAND [ARG...]\n"
		   "Runs COMMAND as a child subreaper: when it exits, every "
		   "process\n"
		   "it started that is still there (orphaned, stopped, in a "
		   "session\n"
		   "of its own) is killed and reaped, with one line saying so "
		   "unless\n"
		   "--quiet.  SIGINT, SIGTERM and SIGHUP are passed on to "
		   "COMMAND.\n"
		   "Exit: COMMAND's status (128+N if a signal N ended it); 127 "
		   "when\n"
		   "it cannot be run, 2 usage.\n");
	return status;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = forward};
	bool quiet = false;
	int status, i = 1;

	if (argc > 1 && !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	if (argc > 1 && !strcmp(argv[1], "--quiet")) {
		quiet = true;
		i++;
	}
	if (i >= argc)
		return usage(stderr, 2);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror("lgreap: PR_SET_CHILD_SUBREAPER");
		return 127;
	}
	command = fork();
	if (command < 0) {
		perror("lgreap: fork");
		return 127;
	}
	if (!command) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "lgreap: cannot run '%s': %s\n", argv[i],
			strerror(errno));
		_exit(127);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(command, &status, 0) < 0)
		if (errno != EINTR) {
			perror("lgreap: waitpid");
			status = 127 << 8;
			break;
		}
	command = 0;
	reap_all(quiet);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
