// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege, checked from outside: bin/lguest boots the test guests
 * on /dev/kvm with --username, --chroot and the seccomp sandbox (on and
 * off), and while the guest waits for console input (lgtest.action=echo)
 * we read the launcher's uid, root, descriptors and seccomp mode in
 * /proc.  Then the hidden --sandbox-selftest makes the vCPU thread or a
 * virtio-rng queue thread make a forbidden call when the guest touches
 * the device, and the launcher must die naming it.
 *
 * Run from the repository root as root (the tests switch to "nobody"):
 *   build/tests/integration/test_sandbox
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "exit_status.h"

#define LGUEST		"bin/lguest"
#define GUEST "tests/guests/bin/guest64.elf"
#define OUT_MAX		(256 * 1024)
#define MAX_ARGV	16
#define LEAKED_FD	9	/* what a careless caller leaves open */
#define BLOCK_FD	10	/* a disk handed over as /dev/fd/10 */
#define STATUS_FD 11 /* --status-fd, with launch_env.status */
#define STATUS_FD_ARG "--status-fd=11"
#define WAIT_S		30.0

/* One launcher run: the supervisor's pid, its console, what it said. */
struct run {
	pid_t pid;
	int in;			/* our end of its stdin */
	int tty;		/* its end, when stdin is a terminal; or -1 */
	int out;		/* its stdout and stderr */
	char buf[OUT_MAX + 1];
	size_t len;
	int wstatus;
	bool exited;
	int status_fd; /* our end of --status-fd, or -1 */
	char status_line[64]; /* what came through it, once finished */
};

/* Extra set-up in the child before exec: an rlimit, a dropped cap. */
struct launch_env {
	const char *block_file;	/* opened as BLOCK_FD, inheritable */
	rlim_t rlimit_as;	/* 0: leave it */
	int drop_cap;		/* -1: none */
	bool pty;		/* stdin a pseudo-terminal */
	bool status; /* --status-fd=STATUS_FD first */
};

static char scratch[] = "/tmp/lguest-sandbox-test.XXXXXX";

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void require_built(void)
{
	ck_assert_msg(access(LGUEST, X_OK) == 0,
		      "%s is not built (make all), or not run from the repository root",
		      LGUEST);
	ck_assert_msg(access(GUEST, R_OK) == 0,
		      "%s is not built (make guests)", GUEST);
	ck_assert_msg(access("/dev/kvm", R_OK | W_OK) == 0,
		      "/dev/kvm is missing or not usable: %s", strerror(errno));
}

static void __attribute__((noreturn))
exec_launcher(char *const *argv, int in, int out, int status,
	      const struct launch_env *env)
{
	int leak = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC, on purpose */

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	if (leak >= 0)
		dup2(leak, LEAKED_FD);
	if (status >= 0)
		dup2(status, STATUS_FD);
	if (env->block_file) {
		int fd = open(env->block_file, O_RDWR);

		if (fd < 0 || dup2(fd, BLOCK_FD) < 0)
			_exit(126);
	}
	if (env->rlimit_as)
		setrlimit(RLIMIT_AS, &(struct rlimit){ env->rlimit_as,
						       env->rlimit_as });
	if (env->drop_cap >= 0)
		prctl(PR_CAPBSET_DROP, env->drop_cap, 0, 0, 0);
	execv(argv[0], argv);
	dprintf(2, "test_sandbox: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void open_stdin(bool pty, int *ours, int *theirs)
{
	int p[2];

	if (pty) {
		*ours = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		ck_assert(*ours >= 0 && !grantpt(*ours) && !unlockpt(*ours));
		*theirs = open(ptsname(*ours), O_RDWR | O_NOCTTY | O_CLOEXEC);
		ck_assert(*theirs >= 0);
		return;
	}
	ck_assert(pipe2(p, O_CLOEXEC) == 0);
	*theirs = p[0];
	*ours = p[1];
}

/* Start bin/lguest with the given arguments (NULL-terminated). */
static void launch(struct run *r, const struct launch_env *env, ...)
{
	static const struct launch_env plain = { .drop_cap = -1 };
	char *argv[MAX_ARGV + 3];
	int in_theirs, out[2], status[2] = {-1, -1}, argc = 0;
	va_list ap;
	char *a;

	memset(r, 0, sizeof(*r));
	if (!env)
		env = &plain;
	argv[argc++] = LGUEST;
	if (env->status) {
		argv[argc++] = STATUS_FD_ARG;
		ck_assert(pipe2(status, O_CLOEXEC) == 0);
	}
	va_start(ap, env);
	while ((a = va_arg(ap, char *)) && argc <= MAX_ARGV)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	open_stdin(env->pty, &r->in, &in_theirs);
	ck_assert(pipe2(out, O_CLOEXEC) == 0);
	r->pid = fork();
	ck_assert(r->pid >= 0);
	if (r->pid == 0)
		exec_launcher(argv, in_theirs, out[1], status[1], env);
	r->tty = env->pty ? in_theirs : -1;
	if (!env->pty)
		close(in_theirs);
	close(out[1]);
	if (status[1] >= 0)
		close(status[1]);
	r->status_fd = status[0];
	r->out = out[0];
	fcntl(r->out, F_SETFL, O_NONBLOCK);
}

static void read_output(struct run *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->out, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return;
	while (r->len < OUT_MAX &&
	       (n = read(r->out, r->buf + r->len, OUT_MAX - r->len)) > 0)
		r->len += n;
	r->buf[r->len] = '\0';
}

/* Collect output until `needle` appears `count` times, or the run ends. */
static bool wait_for(struct run *r, const char *needle, int count)
{
	double deadline = now() + WAIT_S;

	while (now() < deadline) {
		const char *at = r->buf;
		int seen = 0;

		while ((at = strstr(at, needle))) {
			seen++;
			at += strlen(needle);
		}
		if (seen >= count)
			return true;
		if (!r->exited && waitpid(r->pid, &r->wstatus, WNOHANG) == r->pid)
			r->exited = true;
		if (r->exited) {
			read_output(r, 0);
			return strstr(r->buf, needle) != NULL && count == 1;
		}
		read_output(r, 100);
	}
	return false;
}

/* Wait for the launcher to exit (killed at the deadline). */
static void wait_exit(struct run *r)
{
	double deadline = now() + WAIT_S;

	while (!r->exited && now() < deadline) {
		if (waitpid(r->pid, &r->wstatus, WNOHANG) == r->pid)
			r->exited = true;
		else
			read_output(r, 100);
	}
	if (!r->exited) {
		kill(-r->pid, SIGKILL);
		waitpid(r->pid, &r->wstatus, 0);
		r->exited = true;
		ck_abort_msg("the launcher did not exit within %.0f s:\n%s",
			     WAIT_S, r->buf);
	}
	read_output(r, 0);
}

/* The launcher's exit status, once it is gone. */
static int finish(struct run *r)
{
	wait_exit(r);
	kill(-r->pid, SIGKILL);	/* anything left behind */
	close(r->in);
	close(r->out);
	if (r->tty >= 0)
		close(r->tty);
	if (r->status_fd >= 0) {
		ssize_t n = read(r->status_fd, r->status_line,
				 sizeof(r->status_line) - 1);

		r->status_line[n > 0 ? n : 0] = '\0';
		close(r->status_fd);
		r->status_fd = -1;
	}
	return WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) :
				       128 + WTERMSIG(r->wstatus);
}

static void expect_status(struct run *r, int want)
{
	int got = finish(r);

	ck_assert_msg(got == want, "exit status %d, expected %d; output:\n%s",
		      got, want, r->buf);
}

/* The status, and the status line that says who chose it. */
static void expect_stop(struct run *r, int want, const char *line)
{
	expect_status(r, want);
	ck_assert_msg(!strcmp(r->status_line, line),
		      "status line '%s', expected '%s'; output:\n%s",
		      r->status_line, line, r->buf);
}

static void expect_output(const struct run *r, const char *text)
{
	ck_assert_msg(strstr(r->buf, text) != NULL,
		      "expected \"%s\" in the output:\n%s", text, r->buf);
}

/* The guest is up and waiting; the launcher has long locked itself down. */
static void wait_for_echo_guest(struct run *r)
{
	ck_assert_msg(wait_for(r, "echo: ready", 1),
		      "the echo guest never got ready:\n%s", r->buf);
}

static void quit_echo_guest(struct run *r)
{
	ck_assert(write(r->in, "quit\n", 5) == 5);
	expect_status(r, 0);
}

/*
 * The supervisor's one child: the launcher that runs the guest.  Between
 * two boots there is none for a moment, so look for up to a second.
 */
static pid_t launcher_child(pid_t supervisor)
{
	double deadline = now() + 1.0;
	char path[64];
	int child = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", supervisor,
		 supervisor);
	while (child < 0 && now() < deadline) {
		FILE *f = fopen(path, "r");

		ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
		if (fscanf(f, "%d", &child) != 1)
			usleep(10000);
		fclose(f);
	}
	ck_assert_msg(child > 0, "the supervisor %d has no child", supervisor);
	return child;
}

/* A line of /proc/PID/status ("Uid:"), without the tag. */
static void status_field(const char *status_path, const char *tag, char *out,
			 size_t size)
{
	char line[512];
	FILE *f = fopen(status_path, "r");

	ck_assert_msg(f != NULL, "%s: %s", status_path, strerror(errno));
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, tag, strlen(tag))) {
			snprintf(out, size, "%s", line + strlen(tag));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	fclose(f);
}

#define MAX_ENTRIES 256

/* The numeric entries of a /proc directory (tasks, fds), at most max. */
static int list_numbers(const char *dir, int *numbers, int max)
{
	struct dirent *d;
	DIR *listing = opendir(dir);
	int n = 0;

	ck_assert_msg(listing != NULL, "%s: %s", dir, strerror(errno));
	while ((d = readdir(listing)) && n < max)
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9')
			numbers[n++] = atoi(d->d_name);
	closedir(listing);
	return n;
}

/*
 * Every thread of pid has seccomp mode `mode`; returns how many threads
 * are the launcher's own (KVM's kernel workers, "kvm-nx-lpage-re", show
 * up as tasks of the process too).
 */
static int check_thread_seccomp(pid_t pid, const char *mode)
{
	char dir[64], path[128], value[64];
	int tids[MAX_ENTRIES], n, i, own = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	n = list_numbers(dir, tids, MAX_ENTRIES);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d/status", dir, tids[i]);
		status_field(path, "Seccomp:", value, sizeof(value));
		ck_assert_msg(!strcmp(value, mode),
			      "thread %d of %d: Seccomp:%s, expected %s",
			      tids[i], pid, value, mode);
		status_field(path, "Name:", value, sizeof(value));
		own += strncmp(value, "\tkvm-", 5) != 0;
	}
	return own;
}

/*
 * Each descriptor is one we expect: stdio, KVM's anonymous inodes
 * (vm, vcpu, eventfds) or `allowed_file`.  Returns how many matched
 * `allowed_file`; fails on LEAKED_FD or anything else.
 */
static int check_fds(pid_t pid, const char *allowed_file)
{
	char dir[64], path[128], target[PATH_MAX];
	int fds[MAX_ENTRIES], nfds, i, files = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	nfds = list_numbers(dir, fds, MAX_ENTRIES);
	for (i = 0; i < nfds; i++) {
		int fd = fds[i];
		ssize_t n;

		if (fd <= 2)
			continue;
		snprintf(path, sizeof(path), "%s/%d", dir, fd);
		n = readlink(path, target, sizeof(target) - 1);
		ck_assert(n > 0);
		target[n] = '\0';
		if (allowed_file && !strcmp(target, allowed_file)) {
			files++;
			continue;
		}
		ck_assert_msg(fd != LEAKED_FD || strcmp(target, "/dev/null"),
			      "fd %d (%s) leaked into %d from its caller", fd,
			      target, pid);
		ck_assert_msg(!strncmp(target, "anon_inode:", 11),
			      "unexpected fd %d -> %s in %d", fd, target, pid);
	}
	return files;
}

/* The default: every launcher thread confined, nothing leaked in. */
START_TEST(test_sandbox_on_by_default)
{
	char disk[PATH_MAX], value[64];
	struct launch_env env = { .drop_cap = -1 };
	struct run r;
	pid_t child;
	int fd;

	require_built();
	snprintf(disk, sizeof(disk), "%s/disk.img", scratch);
	fd = open(disk, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
	close(fd);
	env.block_file = disk;
	launch(&r, &env, "--rng", "--block=/dev/fd/10", "64", GUEST,
	       "lgtest.action=echo", NULL);
	wait_for_echo_guest(&r);
	child = launcher_child(r.pid);
	/* vCPU, console input, and the rng and blk queues: all there already. */
	ck_assert_int_eq(check_thread_seccomp(child, "\t2"), 4);
	ck_assert_int_eq(check_fds(child, disk), 1);
	/* It keeps the /dev/fd/N it was given, for the next boot's child. */
	ck_assert_int_eq(check_fds(r.pid, disk), 1);
	/* The supervisor stays unconfined: it has to fork the next boot. */
	check_thread_seccomp(r.pid, "\t0");
	snprintf(value, sizeof(value), "/proc/%d/fd/%d", child, BLOCK_FD);
	ck_assert_msg(access(value, F_OK) != 0,
		      "the /dev/fd/%d the caller passed is still open",
		      BLOCK_FD);
	quit_echo_guest(&r);
}
END_TEST

/*
 * With --sharenet, reconnecting is the helper process's job: it is the
 * launcher's child, confined, and holds nothing but stderr and its end
 * of the socket pair (no guest memory, no VM, no stdin).
 */
START_TEST(test_sharenet_helper)
{
	char sock[PATH_MAX], share[PATH_MAX + 16], dir[64], path[128],
		target[PATH_MAX];
	int fds[MAX_ENTRIES], nfds, i, sockets = 0;
	struct run r;
	pid_t helper;

	require_built();
	snprintf(sock, sizeof(sock), "%s/net.sock", scratch);
	snprintf(share, sizeof(share), "--sharenet=%s", sock);
	launch(&r, NULL, share, "64", GUEST, "lgtest.action=echo", NULL);
	wait_for_echo_guest(&r);
	helper = launcher_child(launcher_child(r.pid));
	check_thread_seccomp(helper, "\t2");
	snprintf(dir, sizeof(dir), "/proc/%d/fd", helper);
	nfds = list_numbers(dir, fds, MAX_ENTRIES);
	for (i = 0; i < nfds; i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%d", dir, fds[i]);
		n = readlink(path, target, sizeof(target) - 1);
		ck_assert(n > 0);
		target[n] = '\0';
		if (fds[i] == 2)
			continue;
		ck_assert_msg(!strncmp(target, "socket:", 7),
			      "the helper holds fd %d -> %s", fds[i], target);
		sockets++;
	}
	ck_assert_int_eq(sockets, 1);
	quit_echo_guest(&r);
	unlink(sock);
	snprintf(target, sizeof(target), "%s/net.sock.lock", scratch);
	unlink(target);
}
END_TEST

/* Each AP's thread confines itself too: main, 2 APs and console input. */
START_TEST(test_sandbox_smp)
{
	struct run r;

	require_built();
	launch(&r, NULL, "--cpus", "3", "64", GUEST, "lgtest.action=echo",
	       NULL);
	wait_for_echo_guest(&r);
	ck_assert_int_ge(check_thread_seccomp(launcher_child(r.pid), "\t2"),
			 4);
	quit_echo_guest(&r);
}
END_TEST

START_TEST(test_sandbox_off)
{
	struct run r;

	require_built();
	launch(&r, NULL, "--sandbox=off", "64", GUEST, "lgtest.action=echo",
	       NULL);
	wait_for_echo_guest(&r);
	check_thread_seccomp(launcher_child(r.pid), "\t0");
	check_fds(launcher_child(r.pid), NULL);
	quit_echo_guest(&r);
}
END_TEST

START_TEST(test_sandbox_bad_value)
{
	struct run r;

	require_built();
	launch(&r, &(struct launch_env){.drop_cap = -1, .status = true},
	       "--sandbox=maybe", "64", GUEST, NULL);
	expect_stop(&r, LG_EXIT_SETUP, "launcher error\n");
	expect_output(&r, "--sandbox=maybe: say on or off");
}
END_TEST

/* --username=nobody --chroot=DIR: the launcher's ids and root, from /proc. */
START_TEST(test_username_and_chroot)
{
	struct passwd *pw = getpwnam("nobody");
	char path[64], want[64], value[128], root[PATH_MAX], real[PATH_MAX];
	struct run r;
	pid_t child;
	ssize_t n;

	require_built();
	ck_assert_msg(pw != NULL, "this host has no user 'nobody'");
	ck_assert_msg(getuid() == 0, "these tests switch users: run them as root");
	ck_assert(realpath(scratch, real) != NULL);
	launch(&r, NULL, "--username=nobody", "--chroot", scratch, "64", GUEST,
	       "lgtest.action=echo", NULL);
	wait_for_echo_guest(&r);
	child = launcher_child(r.pid);
	snprintf(path, sizeof(path), "/proc/%d/status", child);
	snprintf(want, sizeof(want), "\t%u\t%u\t%u\t%u", pw->pw_uid,
		 pw->pw_uid, pw->pw_uid, pw->pw_uid);
	status_field(path, "Uid:", value, sizeof(value));
	ck_assert_msg(!strcmp(value, want), "Uid:%s, expected%s", value, want);
	snprintf(want, sizeof(want), "\t%u\t%u\t%u\t%u", pw->pw_gid,
		 pw->pw_gid, pw->pw_gid, pw->pw_gid);
	status_field(path, "Gid:", value, sizeof(value));
	ck_assert_msg(!strcmp(value, want), "Gid:%s, expected%s", value, want);
	status_field(path, "Groups:", value, sizeof(value));
	ck_assert_msg(!strstr(value, "\t0 ") && strcmp(value, "\t0"),
		      "still in group 0: Groups:%s", value);
	snprintf(path, sizeof(path), "/proc/%d/root", child);
	n = readlink(path, root, sizeof(root) - 1);
	ck_assert(n > 0);
	root[n] = '\0';
	ck_assert_msg(!strcmp(root, real), "root is %s, expected %s", root,
		      real);
	check_thread_seccomp(child, "\t2");
	check_fds(child, NULL);	/* nothing left open by the user lookup */
	quit_echo_guest(&r);
}
END_TEST

static const struct bad_option {
	const char *option;
	const char *message;
	int drop_cap;		/* a capability the launcher runs without */
} bad_options[] = {
	{ "--username=no-such-user-lguest", "--username=no-such-user-lguest: no such user", -1 },
	{ "--chroot=/nonexistent/lguest", "--chroot=/nonexistent/lguest: No such file or directory", -1 },
	{ "--chroot=/etc/passwd", "--chroot=/etc/passwd: not a directory", -1 },
	{ "--chroot=/", "--chroot=/: cannot chroot: Operation not permitted (this needs root)",
	  CAP_SYS_CHROOT },
	{ "--username=nobody", "--username=nobody: cannot set its groups: Operation not permitted (this needs root)",
	  CAP_SETGID },
	{ "--username=nobody", "--username=nobody: cannot switch to uid", CAP_SETUID },
};

/* Each is refused with its own message and status 1, before the guest. */
START_TEST(test_bad_privilege_options)
{
	const struct bad_option *c = &bad_options[_i];
	struct launch_env env = { .drop_cap = c->drop_cap };
	struct run r;

	require_built();
	launch(&r, &env, c->option, "64", GUEST, NULL);
	expect_status(&r, LG_EXIT_SETUP);
	expect_output(&r, c->message);
	ck_assert_msg(!strstr(r.buf, "lguest test guest"),
		      "the guest started:\n%s", r.buf);
}
END_TEST

static const struct violation {
	const char *where;
	const char *option;	/* the device the guest pokes */
	const char *action;
	const char *message;
} violations[] = {
	{ "--sandbox-selftest=vcpu", "--testdev", "lgtest.action=emul-bench-mov:1",
	  "lguest: sandbox: forbidden system call execve (59) in the vcpu thread" },
	{ "--sandbox-selftest=virtio-rng", "--rng", "lgtest.action=virtio-rng",
	  "lguest: sandbox: forbidden system call execve (59) in a virtio-rng queue thread" },
};

/*
 * The guest makes a launcher thread misbehave: the launcher dies with
 * status 159 naming the call, whether or not a user and chroot are set,
 * and puts the terminal back.  Without the sandbox the same run ends
 * normally (the call fails harmlessly).
 */
START_TEST(test_forbidden_call_stops_launcher)
{
	const struct violation *v = &violations[_i];
	struct launch_env env = {.drop_cap = -1, .pty = true, .status = true};
	struct termios after;
	struct run r;

	require_built();
	launch(&r, &env, v->where, "--username=nobody", "--chroot", scratch,
	       "64", GUEST, v->action, NULL);
	wait_exit(&r);
	ck_assert(tcgetattr(r.tty, &after) == 0);
	/* The launcher's 159, not a guest's byte: the status line says so. */
	expect_stop(&r, LG_EXIT_SANDBOX, "launcher sandbox-violation\n");
	expect_output(&r, v->message);
	ck_assert_msg((after.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO),
		      "the terminal was left raw (c_lflag %#x)",
		      (unsigned int)after.c_lflag);
	launch(&r, NULL, v->where, "--sandbox=off", "64", GUEST, v->action,
	       NULL);
	expect_status(&r, 0);
}
END_TEST

/* A reset still reboots, in a fresh, again confined process. */
START_TEST(test_reboot_under_chroot)
{
	struct run r;
	pid_t first, second;

	require_built();
	launch(&r, NULL, "--username=nobody", "--chroot", scratch, "64", GUEST,
	       "lgtest.action=reset", NULL);
	ck_assert_msg(wait_for(&r, "PASS: boot_params ok", 1), "%s", r.buf);
	first = launcher_child(r.pid);
	ck_assert_msg(wait_for(&r, "PASS: boot_params ok", 3),
		      "the guest did not reboot twice:\n%s", r.buf);
	second = launcher_child(r.pid);
	ck_assert_int_ne(first, second);
	kill(r.pid, SIGTERM);
	ck_assert_int_eq(finish(&r), 128 + SIGTERM);
}
END_TEST

/* Killing the supervisor takes the (other user's) launcher with it. */
START_TEST(test_no_launcher_left_behind)
{
	struct run r;
	pid_t child;
	int wstatus;

	require_built();
	ck_assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	launch(&r, NULL, "--username=nobody", "64", GUEST,
	       "lgtest.action=echo", NULL);
	wait_for_echo_guest(&r);
	child = launcher_child(r.pid);
	kill(r.pid, SIGKILL);
	ck_assert_int_eq(waitpid(r.pid, &wstatus, 0), r.pid);
	r.exited = true;
	ck_assert_int_eq(waitpid(child, &wstatus, 0), child);
	ck_assert_msg(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL,
		      "the launcher outlived its supervisor (status %#x)",
		      wstatus);
}
END_TEST

/* Guest memory the host cannot give is refused, naming the limit. */
START_TEST(test_guest_memory_too_big)
{
	struct launch_env env = { .drop_cap = -1, .rlimit_as = 256 << 20 };
	struct run r;

	require_built();
	launch(&r, NULL, "1048576", GUEST, NULL);
	expect_status(&r, LG_EXIT_SETUP);
	expect_output(&r, "lguest: 1048576 MiB of guest memory but this host can give");
	expect_output(&r, "(MemAvailable + SwapFree)");
	launch(&r, &env, "512", GUEST, NULL);
	expect_status(&r, LG_EXIT_SETUP);
	expect_output(&r, "lguest: 512 MiB of guest memory but this host can give");
	expect_output(&r, "(RLIMIT_AS)");
}
END_TEST

/* The chroot directory (and the disk image), shared by the tests. */
static void make_scratch(void)
{
	if (!mkdtemp(scratch)) {
		fprintf(stderr, "test_sandbox: %s: %s\n", scratch,
			strerror(errno));
		exit(EXIT_FAILURE);
	}
	chmod(scratch, 0755);
}

static void remove_scratch(void)
{
	char disk[PATH_MAX];

	snprintf(disk, sizeof(disk), "%s/disk.img", scratch);
	unlink(disk);
	rmdir(scratch);
}

int main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");
	SRunner *sr;
	int failed;

	make_scratch();
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sandbox_on_by_default);
	tcase_add_test(tc, test_sharenet_helper);
	tcase_add_test(tc, test_sandbox_off);
	tcase_add_test(tc, test_sandbox_smp);
	tcase_add_test(tc, test_sandbox_bad_value);
	tcase_add_test(tc, test_username_and_chroot);
	tcase_add_loop_test(tc, test_bad_privilege_options, 0,
			    sizeof(bad_options) / sizeof(bad_options[0]));
	tcase_add_loop_test(tc, test_forbidden_call_stops_launcher, 0,
			    sizeof(violations) / sizeof(violations[0]));
	tcase_add_test(tc, test_reboot_under_chroot);
	tcase_add_test(tc, test_no_launcher_left_behind);
	tcase_add_test(tc, test_guest_memory_too_big);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_scratch();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
