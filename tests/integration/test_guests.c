// SPDX-License-Identifier: GPL-2.0
/*
 * Integration tests: boot the tiny test guests (tests/guests/) under the
 * real launcher and check its exit status and console output.  Run from
 * the repository root:
 *
 *	build/tests/integration/test_guests
 *
 * Environment: LGUEST (launcher, default bin/lguest), LGUEST_GUESTS
 * (guest directory, default tests/guests/bin), LGUEST_TEST_TIMEOUT
 * (seconds per boot, default 60), LGUEST_TEST_VERBOSE=1 (print every
 * run's output).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/falloc.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exit_status.h"
#include "guest.h"

#define DEFAULT_TIMEOUT	60		/* seconds per launcher run */
#define OUTPUT_MAX	(1 << 20)	/* keep at most this much output */
#define SHOWN_OUTPUT	6000		/* output quoted in a failure */
#define INITRD_SIZE	(300 * 1024 + 123)	/* not a page multiple */
#define MAX_ARGS	32

#define STATUS_FD 3 /* every run's --status-fd */

/* How a guest reports a failed check (tests/guests/guest.h). */
#define GUEST_FAILED(check)	(GUEST_EXIT_CHECK_BASE + (check))

/*
 * The virtio-blk image: whole sectors and a tail that is not one, so
 * the guest sees BLK_SECTORS and nothing may reach the tail.
 */
#define BLK_SECTORS	100
#define BLK_TAIL	100
#define BLK_SIZE	(BLK_SECTORS * GUEST_BLK_SECTOR + BLK_TAIL)
#define BLK_NAME	"blk-test.img"	/* also the device's ID */

#define STRINGIFY_(x)	#x
#define STRINGIFY(x)	STRINGIFY_(x)

enum guest { ELF64, ELF32, BZIMAGE, NR_GUESTS };

static const struct {
	const char *file;
	const char *banner;
} guests[NR_GUESTS] = {
	[ELF64] = { "guest64.elf", "lguest test guest (elf64)" },
	[ELF32] = { "guest32.elf", "lguest test guest (elf32)" },
	[BZIMAGE] = { "guest.bzImage", "lguest test guest (bzImage)" },
};

/* Made once per test case in the parent; the forked tests inherit them. */
static char tmpdir[PATH_MAX];
static char initrd_path[PATH_MAX + 16];
static char notkernel_path[PATH_MAX + 16];
static char blk_path[PATH_MAX + 16];
static char sock_path[PATH_MAX + 16];	/* --sharenet */
static char fs_dir[PATH_MAX + 16];	/* --share's and --fs's directory */
static char fs_sock[PATH_MAX + 16];	/* --fs's virtiofsd */

struct input;

struct run {
	char cmd[1024];		/* the command line, for messages */
	char *out;		/* stdout and stderr, interleaved, NUL-ended */
	size_t len;
	int timed_out;
	int ended_by_test;	/* killed once `until` was seen */
	int exited;		/* normal exit: status is valid */
	int status;		/* exit status, or the signal when !exited */
	char status_line[64]; /* what it wrote to --status-fd, or "" */
	/* While it runs. */
	const struct input *in;
	pid_t pid;
	int in_fd, out_fd, status_fd;
	int sent, done;
	double deadline;
};

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static const char *lguest_path(void)
{
	return env_or("LGUEST", "bin/lguest");
}

static int run_timeout(void)
{
	int t = atoi(env_or("LGUEST_TEST_TIMEOUT", "0"));

	return t > 0 ? t : DEFAULT_TIMEOUT;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *guest_path(enum guest g)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s",
		 env_or("LGUEST_GUESTS", "tests/guests/bin"), guests[g].file);
	return path;
}

/*
 * Every precondition fails the test with a message saying what to do:
 * a missing launcher, guest or /dev/kvm must never look like a pass.
 */
static void require_launcher(void)
{
	const char *lg = lguest_path();

	if (access(lg, X_OK))
		ck_abort_msg("launcher %s not usable (%s): build it with `make` or set LGUEST",
			     lg, strerror(errno));
}

static void require_guest(enum guest g)
{
	const char *p = guest_path(g);

	require_launcher();
	if (access(p, R_OK))
		ck_abort_msg("test guest %s not usable (%s): build it with `make guests`",
			     p, strerror(errno));
	if (access("/dev/kvm", R_OK | W_OK))
		ck_abort_msg("/dev/kvm not usable (%s): these tests boot guests under KVM and cannot run without it",
			     strerror(errno));
}

static void append(struct run *r, const char *buf, size_t n)
{
	if (r->len + n > OUTPUT_MAX)
		n = OUTPUT_MAX - r->len;
	memcpy(r->out + r->len, buf, n);
	r->len += n;
	r->out[r->len] = '\0';
}

/* Read what is there without blocking; returns 1 at end of file. */
static int drain(int fd, struct run *r)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			append(r, buf, (size_t)n);
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		return 0;	/* EAGAIN */
	}
}

static void __attribute__((noreturn))
child(const char **argv, int in, int out, int status)
{
	/* Die with the test, even when Check kills it on its own timeout. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	dup2(status, STATUS_FD);
	execv(argv[0], (char *const *)argv);
	dprintf(2, "test_guests: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* How a run's console input is driven. */
struct input {
	const char *data;	/* bytes for the launcher's stdin, or NULL */
	const char *after;	/* send them once the output has this */
	int pty;		/* stdin is a terminal rather than a pipe */
	int close;		/* close stdin once the data is sent */
	const char *until;	/* end the run once the output has this... */
	int until_count;	/* ...this many times (a guest that loops) */
};

static int occurrences(const char *haystack, const char *needle)
{
	int n = 0;

	while ((haystack = strstr(haystack, needle))) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

/*
 * The launcher's standard input: a pipe, or a pseudo-terminal for what
 * the launcher only does on terminals (raw mode, the ^C escape).  The
 * child gets no controlling terminal, so nothing sends it SIGINT.
 */
static void open_input(int pty, int *ours, int *theirs)
{
	int fds[2];

	if (!pty) {
		ck_assert_msg(!pipe2(fds, O_CLOEXEC), "pipe: %s",
			      strerror(errno));
		*theirs = fds[0];
		*ours = fds[1];
		return;
	}
	*ours = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_msg(*ours >= 0 && !grantpt(*ours) && !unlockpt(*ours),
		      "pseudo-terminal: %s", strerror(errno));
	*theirs = open(ptsname(*ours), O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_msg(*theirs >= 0, "opening %s: %s", ptsname(*ours),
		      strerror(errno));
}

static void send_input(int fd, const char *data)
{
	if (write(fd, data, strlen(data)) < 0)
		fprintf(stderr, "test_guests: writing input: %s\n",
			strerror(errno));
}

/*
 * Start the launcher with argv[1..] (argv[0] is filled in, and
 * --status-fd=STATUS_FD put before the rest), feeding it input.
 * Standard input stays open for the whole run unless the input says to
 * close it, so the launcher never sees an early EOF.  The launcher gets
 * its own process group, and the whole group is killed when the run
 * ends, so nothing outlives the test.
 */
static void run_start(struct run *r, const struct input *in, const char **args)
{
	static const struct input no_input;
	const char *argv[MAX_ARGS + 3];
	int in_theirs, outp[2], statusp[2], argc;
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	r->in = in ? in : &no_input;
	r->out = calloc(1, OUTPUT_MAX + 1);
	ck_assert(r->out != NULL);
	argv[0] = lguest_path();
	argv[1] = "--status-fd=" STRINGIFY(STATUS_FD);
	for (argc = 1; args[argc]; argc++) {
		ck_assert_int_le(argc, MAX_ARGS);
		argv[argc + 1] = args[argc];
	}
	argv[argc + 1] = NULL;
	for (argc = 0; argv[argc]; argc++) {
		off += snprintf(r->cmd + off, sizeof(r->cmd) - off, "%s%s",
				argc ? " " : "", argv[argc]);
		if (off >= sizeof(r->cmd))
			off = sizeof(r->cmd) - 1;
	}
	open_input(r->in->pty, &r->in_fd, &in_theirs);
	ck_assert_msg(!pipe2(outp, O_CLOEXEC) && !pipe2(statusp, O_CLOEXEC),
		      "pipe: %s", strerror(errno));
	r->pid = fork();
	ck_assert_msg(r->pid >= 0, "fork: %s", strerror(errno));
	if (r->pid == 0)
		child(argv, in_theirs, outp[1], statusp[1]);
	setpgid(r->pid, r->pid);	/* as the child does: no race either way */
	close(in_theirs);
	close(outp[1]);
	close(statusp[1]);
	r->status_fd = statusp[0];
	r->out_fd = outp[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	r->sent = !r->in->data;
	r->deadline = now() + run_timeout();
}

/* The launcher is gone (or killed): collect the rest and its status. */
static void run_finish(struct run *r, int wstatus)
{
	ssize_t n;

	drain(r->out_fd, r);
	kill(-r->pid, SIGKILL);	/* anything the launcher left behind */
	if (r->in_fd >= 0)
		close(r->in_fd);
	close(r->out_fd);
	/* Its writer, the supervisor, is gone: all of it is there. */
	n = read(r->status_fd, r->status_line, sizeof(r->status_line) - 1);
	r->status_line[n > 0 ? n : 0] = '\0';
	close(r->status_fd);
	r->done = 1;
	r->exited = WIFEXITED(wstatus);
	r->status = r->exited ? WEXITSTATUS(wstatus) :
		    WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : -1;
	if (getenv("LGUEST_TEST_VERBOSE"))
		fprintf(stderr, "$ %s\n%s\n[exit %d%s%s]\n", r->cmd, r->out,
			r->status, r->exited ? "" : " (signal)",
			r->timed_out ? ", timed out" : "");
}

/* Kill a run that is still going; `by_test` when the test meant it. */
static void run_kill(struct run *r, int by_test)
{
	int wstatus;

	if (r->done)
		return;
	kill(-r->pid, SIGKILL);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &wstatus, 0);
	r->ended_by_test = by_test;
	r->timed_out = !by_test;
	run_finish(r, wstatus);
}

/*
 * One step of a run: send input when due, collect output for up to
 * `ms`, notice an exit, a reached `until` or the timeout.  Returns 1
 * once the run is over.
 */
static int run_step(struct run *r, int ms)
{
	struct pollfd p = { .fd = r->out_fd, .events = POLLIN };
	const struct input *in = r->in;
	int wstatus;

	if (r->done)
		return 1;
	if (!r->sent && (!in->after || strstr(r->out, in->after))) {
		send_input(r->in_fd, in->data);
		r->sent = 1;
		if (in->close) {
			close(r->in_fd);
			r->in_fd = -1;
		}
	}
	if (waitpid(r->pid, &wstatus, WNOHANG) == r->pid) {
		run_finish(r, wstatus);
		return 1;
	}
	if (in->until && occurrences(r->out, in->until) >= in->until_count) {
		run_kill(r, 1);
		return 1;
	}
	if (now() >= r->deadline) {
		run_kill(r, 0);
		return 1;
	}
	/* Wake up now and then to notice an exit without EOF. */
	if (poll(&p, 1, ms) > 0 && drain(r->out_fd, r))
		usleep(10000);
	return 0;
}

/* Run the launcher with args to the end: see run_start and run_step. */
/* argv[0] is left for the launcher's path; NULL-terminated. */
static void run_lguest_argv(struct run *r, const struct input *in,
			    const char **argv)
{
	run_start(r, in, argv);
	while (!run_step(r, 100))
		;
}

static void run_lguest(struct run *r, const struct input *in,
		       const char *arg0, ...)
{
	const char *argv[MAX_ARGS + 2];
	int argc = 1;
	va_list ap;
	const char *a;

	va_start(ap, arg0);
	for (a = arg0; a; a = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = a;
	}
	va_end(ap);
	argv[argc] = NULL;
	run_lguest_argv(r, in, argv);
}

static void run_free(struct run *r)
{
	free(r->out);
	r->out = NULL;
}

/* The tail of the output: the end is where a failure explains itself. */
static const char *shown(const struct run *r)
{
	return r->len > SHOWN_OUTPUT ? r->out + r->len - SHOWN_OUTPUT : r->out;
}

static void describe(const struct run *r, char *buf, size_t size)
{
	if (r->timed_out)
		snprintf(buf, size, "timed out after %d s (killed)",
			 run_timeout());
	else if (r->exited)
		snprintf(buf, size, "exit status %d", r->status);
	else
		snprintf(buf, size, "killed by signal %d", r->status);
}

#define expect_exit(r, want)						\
	do {								\
		char how_[64];						\
									\
		describe((r), how_, sizeof(how_));			\
		ck_assert_msg(!(r)->timed_out && (r)->exited &&		\
			      (r)->status == (want),			\
			      "$ %s\nexpected exit status %d, got %s\n"	\
			      "--- output ---\n%s",			\
			      (r)->cmd, (want), how_, shown(r));	\
	} while (0)

/* The status and who chose it: the status line, newline and all. */
#define expect_stop(r, want, line)                                             \
	do {                                                                   \
		expect_exit((r), (want));                                      \
		ck_assert_msg(!strcmp((r)->status_line, line "\n"),            \
			      "$ %s\nexpected status line '%s', got '%s'",     \
			      (r)->cmd, line, (r)->status_line);               \
	} while (0)

#define expect_output(r, needle)					\
	ck_assert_msg(strstr((r)->out, (needle)) != NULL,		\
		      "$ %s\noutput lacks \"%s\"\n--- output ---\n%s",	\
		      (r)->cmd, (needle), shown(r))

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "test_guests: writing %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
}

/* The initrd pattern the guests verify: byte i is i % 251. */
static void make_files(void)
{
	static const char junk[] = "this is not a kernel image\n";
	unsigned char *buf = malloc(INITRD_SIZE);
	const char *base = env_or("TMPDIR", "/tmp");
	size_t i;

	snprintf(tmpdir, sizeof(tmpdir), "%s/lguest-test.XXXXXX", base);
	if (!buf || !mkdtemp(tmpdir)) {
		fprintf(stderr, "test_guests: mkdtemp in %s: %s\n", base,
			strerror(errno));
		exit(1);
	}
	for (i = 0; i < INITRD_SIZE; i++)
		buf[i] = (unsigned char)(i % 251);
	snprintf(initrd_path, sizeof(initrd_path), "%s/initrd.img", tmpdir);
	write_file(initrd_path, buf, INITRD_SIZE);
	snprintf(notkernel_path, sizeof(notkernel_path), "%s/notakernel",
		 tmpdir);
	write_file(notkernel_path, junk, sizeof(junk) - 1);
	snprintf(blk_path, sizeof(blk_path), "%s/%s", tmpdir, BLK_NAME);
	snprintf(sock_path, sizeof(sock_path), "%s/net.sock", tmpdir);
	snprintf(fs_dir, sizeof(fs_dir), "%s/share", tmpdir);
	snprintf(fs_sock, sizeof(fs_sock), "%s/fs.sock", tmpdir);
	free(buf);
}

static void remove_files(void)
{
	char lock[sizeof(sock_path) + 8];

	unlink(initrd_path);
	unlink(notkernel_path);
	unlink(blk_path);
	snprintf(lock, sizeof(lock), "%s.lock", sock_path);
	unlink(sock_path);
	unlink(lock);
	unlink(fs_sock);
	rmdir(fs_dir);
	rmdir(tmpdir);
}

/* "--option=FILE", in a static buffer: one per launcher command line. */
static const char *file_arg(const char *option, const char *path)
{
	static char arg[PATH_MAX + 32];

	snprintf(arg, sizeof(arg), "%s=%s", option, path);
	return arg;
}

static const char *initrd_arg(void)
{
	return file_arg("--initrd", initrd_path);
}

static const char *initrd_token(size_t size)
{
	static char tok[64];

	snprintf(tok, sizeof(tok), "lgtest.initrd=%zu", size);
	return tok;
}

/* Each guest boots with memory, an initrd and an extra token, and passes. */
START_TEST(test_boot_with_initrd)
{
	enum guest g = _i;
	char cmdline[128];
	struct run r;

	require_guest(g);
	run_lguest(&r, NULL, initrd_arg(), "64", guest_path(g),
		   "lgtest.mem=64", initrd_token(INITRD_SIZE),
		   "console=ttyS0", NULL);
	expect_exit(&r, 0);
	expect_output(&r, guests[g].banner);
	expect_output(&r, "PASS: boot_params ok");
	expect_output(&r, "initrd: 0x");
	/* The kernel arguments arrive joined with single spaces. */
	snprintf(cmdline, sizeof(cmdline),
		 "cmdline: lgtest.mem=64 lgtest.initrd=%d console=ttyS0",
		 INITRD_SIZE);
	expect_output(&r, cmdline);
	run_free(&r);
}
END_TEST

START_TEST(test_boot_without_initrd)
{
	enum guest g = _i;
	struct run r;

	require_guest(g);
	run_lguest(&r, NULL, "64", guest_path(g), "lgtest.mem=64", NULL);
	expect_exit(&r, 0);
	expect_output(&r, guests[g].banner);
	expect_output(&r, "PASS: boot_params ok");
	run_free(&r);
}
END_TEST

/* Without --initrd the launcher must report no ramdisk at all. */
START_TEST(test_no_initrd_reported)
{
	enum guest g = _i;
	struct run r;

	require_guest(g);
	run_lguest(&r, NULL, "32", guest_path(g), "lgtest.mem=32",
		   "lgtest.initrd=0", NULL);
	expect_exit(&r, 0);
	expect_output(&r, "PASS: boot_params ok");
	run_free(&r);
}
END_TEST

static const struct {
	enum guest g;
	int status;
} exit_cases[] = {
	{ELF64, 7}, {ELF64, 255}, {ELF64, 1},	{ELF64, 159},
	{ELF32, 7}, {ELF32, 255}, {BZIMAGE, 7}, {BZIMAGE, 255},
};

START_TEST(test_exit_status)
{
	enum guest g = exit_cases[_i].g;
	int want = exit_cases[_i].status;
	char action[64], line[16];
	struct run r;

	require_guest(g);
	snprintf(action, sizeof(action), "lgtest.action=exit:%d", want);
	snprintf(line, sizeof(line), "guest %d\n", want);
	run_lguest(&r, NULL, "64", guest_path(g), action, NULL);
	expect_exit(&r, want);
	/* Even a 1 or a 159 is the guest's, and says so. */
	ck_assert_str_eq(r.status_line, line);
	expect_output(&r, "PASS: boot_params ok");
	run_free(&r);
}
END_TEST

/*
 * --stats: the report names the exits this guest takes (its banner
 * through COM1's data port, its one write to the exit port) with their
 * devices, and the exit status stays the guest's.
 */
START_TEST(test_stats)
{
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, NULL, "--stats", "64", guest_path(ELF64),
		   "lgtest.action=exit:7", NULL);
	expect_exit(&r, 7);
	expect_output(&r, "ms set-up before the first KVM_RUN");
	expect_output(&r, "lguest stats: pio out     0x3f8        com1");
	expect_output(&r, "lguest stats: pio out     0xf4         exit");
	expect_output(&r, " 1       ");	/* the exit port, once */
	run_free(&r);
}
END_TEST

/*
 * Ways a guest can stop, and what the launcher must say about each.  The
 * emulation failure is an x87 load from unbacked memory: KVM must emulate
 * it as MMIO and cannot, so the message must carry its bytes.
 */
static const struct stop_case {
	const char *action;
	bool no_reboot;
	int status;
	const char *line; /* on --status-fd */
	const char *output;
} stop_cases[] = {
	{"lgtest.action=reset", true, LG_EXIT_RESET, "launcher reset\n",
	 "requested a reset"},
	{"lgtest.action=triplefault", true, LG_EXIT_TRIPLE_FAULT,
	 "launcher triple-fault\n",
	 "triple-faulted (--no-reboot)\nlguest: triple fault at RIP 0x"},
	{"lgtest.action=hlt", false, LG_EXIT_HALTED, "launcher halted\n",
	 "guest halted"},
	{"lgtest.action=emulfail", false, LG_EXIT_KVM_ERROR,
	 "launcher kvm-error\n", "emulation failure) at RIP 0x"},
};
#define NR_STOP_CASES (int)(sizeof(stop_cases) / sizeof(stop_cases[0]))

START_TEST(test_guest_stops)
{
	enum guest g = _i % NR_GUESTS;
	const struct stop_case *c = &stop_cases[_i / NR_GUESTS];
	struct run r;

	require_guest(g);
	if (c->no_reboot)
		run_lguest(&r, NULL, "--no-reboot", "64", guest_path(g),
			   c->action, NULL);
	else
		run_lguest(&r, NULL, "64", guest_path(g), c->action, NULL);
	expect_exit(&r, c->status);
	ck_assert_str_eq(r.status_line, c->line);
	expect_output(&r, "PASS: boot_params ok");
	expect_output(&r, c->output);
	run_free(&r);
}
END_TEST

/*
 * Without --no-reboot, a reset re-executes the launcher, which boots the
 * guest again: it resets again, so the test ends the loop itself once
 * the guest's banner has appeared a second time.
 */
START_TEST(test_reset_reboots)
{
	const struct input loop = { .until = "PASS: boot_params ok",
				    .until_count = 2 };
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, &loop, "64", guest_path(ELF64),
		   "lgtest.action=reset", NULL);
	ck_assert_msg(r.ended_by_test,
		      "the guest did not boot twice after a reset: %s", shown(&r));
	run_free(&r);
}
END_TEST

/*
 * Console input reaches the guest, and its echo comes back: through the
 * UART, and through the virtio console, whose buffers the input may
 * reach before the guest has posted them.
 */
static const struct echo_case {
	const char *option;	/* the launcher's, or NULL */
	const char *action;
	const char *ready;	/* the guest waits for input */
	const char *done;	/* the guest's last word, or NULL */
} echo_cases[] = {
	{ NULL, "lgtest.action=echo", "echo: ready", NULL },
	{ "--virtio-console", "lgtest.action=virtio-console",
	  "virtio-console: ready", "PASS: virtio-console echoed 11 bytes" },
};

START_TEST(test_echo)
{
	static const struct input echo_input = { .data = "hello\nquit\n" };
	const struct echo_case *c = &echo_cases[_i / NR_GUESTS];
	enum guest g = _i % NR_GUESTS;
	const char *ready;
	struct run r;

	require_guest(g);
	if (c->option)
		run_lguest(&r, &echo_input, c->option, "64", guest_path(g),
			   c->action, NULL);
	else
		run_lguest(&r, &echo_input, "64", guest_path(g), c->action,
			   NULL);
	expect_exit(&r, 0);
	expect_output(&r, c->ready);
	ready = strstr(r.out, c->ready);
	ck_assert_msg(strstr(ready, "hello\nquit\n") != NULL,
		      "$ %s\n\"hello\" not echoed\n--- output ---\n%s", r.cmd,
		      shown(&r));
	if (c->done)
		expect_output(&r, c->done);
	run_free(&r);
}
END_TEST

/*
 * Three ^C typed on a terminal within a second stop the launcher.  They
 * are sent once the guest is spinning, when the launcher has long put
 * the terminal in raw mode (before that, the line discipline eats ^C).
 */
START_TEST(test_ctrl_c_escape)
{
	static const struct input ctrl_c = {
		.data = "\003\003\003",
		.after = "PASS: boot_params ok",
		.pty = 1,
	};
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, &ctrl_c, "64", guest_path(ELF64),
		   "lgtest.action=spin", NULL);
	expect_stop(&r, LG_EXIT_ESCAPE, "launcher escape");
	expect_output(&r, "PASS: boot_params ok");
	run_free(&r);
}
END_TEST

/*
 * A guest that never reads its console (spin: no UART reads, and no
 * virtio console driver, so no buffers) must not cost the user his
 * ^C^C^C: more than the UART's FIFO holds is typed first, then the
 * escape, and the launcher, still reading the terminal, stops with 130
 * and says it dropped input the guest did not take.
 */
static const struct {
	const char *console;	/* an option, or NULL for the UART */
	bool drops;		/* the virtio console's pipe takes 64 KiB */
} unread_cases[] = { { NULL, true }, { "--virtio-console", false } };

START_TEST(test_ctrl_c_guest_not_reading)
{
	static char filler[401];
	static const struct input typed = { .data = filler,
					    .after = "PASS: boot_params ok",
					    .pty = 1 };
	const char *argv[] = { NULL, "64", guest_path(ELF64),
			       "lgtest.action=spin", NULL, NULL };
	double sent;
	struct run r;

	require_guest(ELF64);
	memset(filler, 'x', sizeof(filler) - 1);
	if (unread_cases[_i].console) {
		argv[1] = unread_cases[_i].console;
		argv[2] = "64";
		argv[3] = guest_path(ELF64);
		argv[4] = "lgtest.action=spin";
	}
	run_start(&r, &typed, argv);
	while (!r.sent)
		ck_assert_msg(!run_step(&r, 20), "$ %s\nended early:\n%s",
			      r.cmd, shown(&r));
	sent = now();
	while (now() < sent + 0.5)
		ck_assert_msg(!run_step(&r, 20), "$ %s\nended early:\n%s",
			      r.cmd, shown(&r));
	send_input(r.in_fd, "\003\003\003");
	sent = now();
	while (!run_step(&r, 20))
		if (now() > sent + 5)
			run_kill(&r, 0);
	expect_exit(&r, LG_EXIT_ESCAPE);
	if (unread_cases[_i].drops)
		expect_output(&r, "lguest: console input dropped: the guest is not taking it");
	run_free(&r);
}
END_TEST

/*
 * SIGURG to the launcher (its supervisor, as lgtest sends it) puts a
 * BREAK on COM1, which the guest checks as the 8250 driver reads one;
 * the key typed after it arrives as plain data.  Each guest, sandbox on
 * (the default) and off.  The break waits for the whole "ready" line:
 * printing its end reads LSR, which would clear BI.
 */
START_TEST(test_break)
{
	static const struct input key = { .data = "k", .after = "break: seen" };
	const char *sandbox = _i / NR_GUESTS ? "--sandbox=off" : "--sandbox=on";
	enum guest g = _i % NR_GUESTS;
	const char *argv[] = { NULL, sandbox, "64", guest_path(g),
			       "lgtest.action=break", NULL };
	int broke = 0;
	struct run r;

	require_guest(g);
	run_start(&r, &key, argv);
	while (!run_step(&r, 100))
		if (!broke && strstr(r.out, "break: ready\r\n"))
			broke = !kill(r.pid, SIGURG);
	ck_assert_msg(broke, "$ %s\nthe guest never got ready\n%s", r.cmd,
		      shown(&r));
	expect_exit(&r, 0);
	expect_output(&r, "PASS: break, then key 'k'");
	run_free(&r);
}
END_TEST

/* The guests' own checks really fail, and their status gets out. */
START_TEST(test_guest_detects_wrong_initrd)
{
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, NULL, initrd_arg(), "64", guest_path(ELF64),
		   initrd_token(INITRD_SIZE + 1), NULL);
	expect_exit(&r, GUEST_FAILED(CHECK_INITRD_SIZE));
	expect_output(&r, "FAIL: initrd size");
	run_free(&r);
}
END_TEST

START_TEST(test_guest_detects_wrong_mem)
{
	struct run r;

	require_guest(BZIMAGE);
	run_lguest(&r, NULL, "64", guest_path(BZIMAGE), "lgtest.mem=128",
		   NULL);
	expect_exit(&r, GUEST_FAILED(CHECK_MEM));
	expect_output(&r, "FAIL: e820 RAM total");
	run_free(&r);
}
END_TEST

static void expect_setup_error(struct run *r, const char *file)
{
	expect_stop(r, LG_EXIT_SETUP, "launcher error");
	expect_output(r, file);
}

START_TEST(test_missing_kernel)
{
	static const char missing[] = "/nonexistent/lguest-test/no-such-kernel";
	struct run r;

	require_launcher();
	run_lguest(&r, NULL, "64", missing, NULL);
	expect_setup_error(&r, missing);
	run_free(&r);
}
END_TEST

START_TEST(test_missing_initrd)
{
	static const char missing[] = "/nonexistent/lguest-test/no-such-initrd";
	char arg[128];
	struct run r;

	require_guest(ELF64);
	snprintf(arg, sizeof(arg), "--initrd=%s", missing);
	run_lguest(&r, NULL, arg, "64", guest_path(ELF64), NULL);
	expect_setup_error(&r, missing);
	run_free(&r);
}
END_TEST

START_TEST(test_not_a_kernel)
{
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, NULL, "64", notkernel_path, NULL);
	expect_setup_error(&r, notkernel_path);
	run_free(&r);
}
END_TEST

/* Command-line misuse: a clear message and status 1, or help and 0. */
static const struct usage_case {
	const char *args[3];
	int status;
	const char *output;
} usage_cases[] = {
	{{NULL}, LG_EXIT_SETUP, "need a memory size and a kernel"},
	{{"64"}, LG_EXIT_SETUP, "need a memory size and a kernel"},
	{{"lots", "kernel"}, LG_EXIT_SETUP, "'lots' is not a number"},
	{{"1", "kernel"}, LG_EXIT_SETUP, "out of range"},
	{{"-5", "kernel"}, LG_EXIT_SETUP, "Usage:"},
	{{"99999999", "kernel"}, LG_EXIT_SETUP, "out of range"},
	{{"--bogus"}, LG_EXIT_SETUP, "Usage:"},
	{{"64", "/"}, LG_EXIT_SETUP, "'/' is not a regular file"},
	{{"--status-fd=9", "64", "k"},
	 LG_EXIT_SETUP,
	 "--status-fd=9: descriptor 9 is not open"},
	{{"--status-fd=2", "64", "k"},
	 LG_EXIT_SETUP,
	 "--status-fd=2: say a descriptor number above 2"},
	{{"--help"}, 0, "Exit status:"},
};

START_TEST(test_usage)
{
	const struct usage_case *c = &usage_cases[_i];
	struct run r;

	require_launcher();
	run_lguest(&r, NULL, c->args[0], c->args[1], c->args[2], NULL);
	expect_exit(&r, c->status);
	/* The first --status-fd, every run's, hears of each error; --help
	 * runs no guest, so has no status to explain. */
	ck_assert_str_eq(r.status_line, c->status ? "launcher error\n" : "");
	expect_output(&r, c->output);
	run_free(&r);
}
END_TEST

/* The image the virtio-blk guests start from: the fill, tail included. */
static unsigned char blk_fill(size_t off)
{
	return guest_blk_fill(off / GUEST_BLK_SECTOR, off % GUEST_BLK_SECTOR);
}

/* A fresh image at `path`: the fill everywhere, tail included. */
static void fill_image(const char *path)
{
	unsigned char *buf = malloc(BLK_SIZE);
	size_t i;

	ck_assert(buf != NULL);
	for (i = 0; i < BLK_SIZE; i++)
		buf[i] = blk_fill(i);
	write_file(path, buf, BLK_SIZE);
	free(buf);
}

static void make_blk_image(void)
{
	fill_image(blk_path);
}

/* The sectors the virtio-blk action writes (tests/guests/virtio_actions.c). */
static bool blk_written(size_t sector)
{
	return sector == 1 || sector == 2 || sector == BLK_SECTORS - 1;
}

/*
 * Afterwards, from the host: the same size, the guest's pattern in the
 * sectors it wrote (when it could) and the fill everywhere else, so
 * nothing reached past the end or anywhere it should not.
 */
static unsigned char *read_image(const char *path)
{
	unsigned char *buf = malloc(BLK_SIZE + 1);
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert(buf != NULL);
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, BLK_SIZE + 1, f);
	fclose(f);
	ck_assert_msg(n == BLK_SIZE, "%s is now %zu bytes, was %d", path, n,
		      BLK_SIZE);
	return buf;
}

static void check_blk_image(bool wrote)
{
	unsigned char *buf = read_image(blk_path);
	size_t i;

	for (i = 0; i < BLK_SIZE; i++) {
		size_t sector = i / GUEST_BLK_SECTOR;
		unsigned char want = blk_fill(i);

		if (wrote && blk_written(sector))
			want = guest_blk_pattern(sector, i % GUEST_BLK_SECTOR);
		ck_assert_msg(buf[i] == want,
			      "%s: byte %zu (sector %zu) is 0x%02x, expected 0x%02x",
			      blk_path, i, sector, buf[i], want);
	}
	free(buf);
}

static const char *blk_arg(bool ro)
{
	return file_arg(ro ? "--block-ro" : "--block", blk_path);
}

/*
 * Each guest reads random bytes twice, resets the device with its queue
 * live, and reads again.
 */
START_TEST(test_virtio_rng)
{
	enum guest g = _i;
	struct run r;

	require_guest(g);
	run_lguest(&r, NULL, "--rng", "64", guest_path(g),
		   "lgtest.action=virtio-rng", NULL);
	expect_exit(&r, 0);
	expect_output(&r, "PASS: virtio-rng: 2 x 64 random bytes");
	expect_output(&r, "PASS: virtio-rng works after a reset");
	run_free(&r);
}
END_TEST

/* ---- virtio-fs ----------------------------------------------------- */

#define VIRTIOFSD "/usr/lib/qemu/virtiofsd"

static void require_virtiofsd(void)
{
	if (access(VIRTIOFSD, X_OK))
		ck_abort_msg("%s not usable (%s): install qemu-system-common",
			     VIRTIOFSD, strerror(errno));
	if (geteuid())
		ck_abort_msg("virtiofsd serves a directory only as root: run "
			     "this test as root");
	if (mkdir(fs_dir, 0755) && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", fs_dir, strerror(errno));
}

/* How many processes serve fs_dir (their command line names it). */
static unsigned int backends_on_fs_dir(void)
{
	char want[2 * PATH_MAX], path[300], cmd[8192];
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc");

	snprintf(want, sizeof(want), "source=%s", fs_dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		ssize_t len, i;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		for (i = 0; i < len; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		cmd[len > 0 ? len : 0] = '\0';
		n += strstr(cmd, want) != NULL;
	}
	closedir(d);
	return n;
}

/* virtiofsd goes with the launcher (PR_SET_PDEATHSIG): wait for that. */
static void expect_no_backend_left(void)
{
	int ms;

	for (ms = 0; backends_on_fs_dir(); ms += 10) {
		ck_assert_msg(ms < 5000, "a virtiofsd on %s outlived the "
					 "launcher", fs_dir);
		usleep(10000);
	}
}

static void expect_virtio_fs_pass(const struct run *r, const char *tag)
{
	char line[128];

	expect_exit(r, 0);
	snprintf(line, sizeof(line), "PASS: virtio-fs: tag '%s', 1 request "
				     "queues", tag);
	expect_output(r, line);
	expect_output(r, "PASS: virtio-fs: FUSE_INIT answered, FUSE 7.");
	expect_output(r, "PASS: virtio-fs works after a reset");
}

/* --share: the guest's FUSE_INIT reaches the launcher's virtiofsd. */
START_TEST(test_virtio_fs_share)
{
	enum guest g = _i % NR_GUESTS;
	bool ro = _i >= NR_GUESTS;
	char arg[2 * PATH_MAX];
	struct run r;

	require_guest(g);
	require_virtiofsd();
	snprintf(arg, sizeof(arg), "--share=%s:hostfiles%s", fs_dir,
		 ro ? ":ro" : "");
	run_lguest(&r, NULL, arg, "32", guest_path(g),
		   "lgtest.action=virtio-fs", NULL);
	expect_virtio_fs_pass(&r, "hostfiles");
	run_free(&r);
	expect_no_backend_left();
}
END_TEST

/* A virtiofsd of the test's own on fs_sock, listening: its PID. */
static pid_t start_virtiofsd(void)
{
	char src[2 * PATH_MAX], sock[2 * PATH_MAX];
	pid_t parent = getpid(), backend;
	int i;

	unlink(fs_sock);
	snprintf(src, sizeof(src), "source=%s", fs_dir);
	snprintf(sock, sizeof(sock), "--socket-path=%s", fs_sock);
	backend = fork();
	ck_assert_int_ge(backend, 0);
	if (backend == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == parent)
			execl(VIRTIOFSD, VIRTIOFSD, sock, "-o", src, "-o",
			      "sandbox=chroot", "-o", "log_level=err",
			      (char *)NULL);
		_exit(127);
	}
	/* Its socket file exists a moment before it listens: allow that. */
	for (i = 0; i < 500 && access(fs_sock, F_OK); i++)
		usleep(10000);
	usleep(100000);
	return backend;
}

/* --fs: a virtiofsd the user started, on its socket. */
START_TEST(test_virtio_fs_socket)
{
	char arg[2 * PATH_MAX];
	pid_t backend;
	struct run r;

	require_guest(ELF64);
	require_virtiofsd();
	backend = start_virtiofsd();
	snprintf(arg, sizeof(arg), "--fs=%s:ext", fs_sock);
	run_lguest(&r, NULL, arg, "32", guest_path(ELF64),
		   "lgtest.action=virtio-fs", NULL);
	kill(backend, SIGKILL);
	waitpid(backend, NULL, 0);
	expect_virtio_fs_pass(&r, "ext");
	run_free(&r);
}
END_TEST

/* Set-up errors name what is missing, with the set-up exit status. */
START_TEST(test_virtio_fs_missing)
{
	char what[PATH_MAX + 16], arg[PATH_MAX + 48];
	struct run r;

	require_guest(ELF64);
	snprintf(what, sizeof(what), "%s/%s", tmpdir,
		 _i ? "no-such-dir" : "no-such.sock");
	snprintf(arg, sizeof(arg), "--%s=%s:tag", _i ? "share" : "fs", what);
	run_lguest(&r, NULL, arg, "32", guest_path(ELF64),
		   "lgtest.action=virtio-fs", NULL);
	expect_setup_error(&r, what);
	expect_output(&r, _i ? "No such file or directory"
			     : "cannot connect: No such file or directory");
	run_free(&r);
}
END_TEST

/* Run r until its output holds needle; fail with `what` after max_ms. */
static void wait_for_output(struct run *r, const char *needle, int max_ms,
			    const char *what)
{
	int ms;

	for (ms = 0; !strstr(r->out ? r->out : "", needle); ms += 10)
		ck_assert_msg(ms < max_ms && !run_step(r, 10), "$ %s\n%s\n%s",
			      r->cmd, what, shown(r));
}

/*
 * Killed, the launcher takes its virtiofsd with it (run_finish() kills
 * the launcher's process group, so only this case shows that).
 */
START_TEST(test_virtio_fs_killed)
{
	char arg[2 * PATH_MAX];
	const char *argv[] = { NULL, arg, "32", guest_path(ELF64),
			       "lgtest.action=spin", NULL };
	struct run r;

	require_guest(ELF64);
	require_virtiofsd();
	snprintf(arg, sizeof(arg), "--share=%s:t", fs_dir);
	run_start(&r, NULL, argv);
	/* Once the guest runs: the launcher is past its set-up. */
	wait_for_output(&r, "cmdline: lgtest.action=spin", 10000,
			"the guest never started");
	ck_assert_uint_eq(backends_on_fs_dir(), 1);
	/* Only the launcher: its process group would take virtiofsd too. */
	kill(r.pid, SIGKILL);
	expect_no_backend_left();
	run_kill(&r, 1);
	run_free(&r);
}
END_TEST

/*
 * The back-end killed under a live guest: the launcher says so once,
 * goes on, and answers the guest's next FUSE request with -EIO (the
 * guest checks the reply) instead of leaving it waiting.
 */
START_TEST(test_virtio_fs_backend_killed)
{
	char arg[2 * PATH_MAX];
	const char *argv[] = { NULL, arg, "32", guest_path(ELF64),
			       "lgtest.action=virtio-fs-gone", NULL };
	pid_t backend;
	struct run r;

	require_guest(ELF64);
	require_virtiofsd();
	backend = start_virtiofsd();
	snprintf(arg, sizeof(arg), "--fs=%s:gone", fs_sock);
	run_start(&r, NULL, argv);
	wait_for_output(&r, "virtio-fs: waiting for the back-end to go", 20000,
			"the guest never got to wait");
	kill(backend, SIGKILL);
	waitpid(backend, NULL, 0);
	while (!run_step(&r, 100))
		;
	expect_exit(&r, 0);
	expect_output(&r, "PASS: virtio-fs: FUSE_INIT answered, FUSE 7.");
	expect_output(&r, "hung up; device needs reset");
	expect_output(&r, "PASS: virtio-fs: FUSE_INIT without a back-end: "
			  "error -EIO");
	run_free(&r);
}
END_TEST

static const struct {
	enum guest g;
	bool ro;
} blk_cases[] = {
	{ ELF64, false }, { ELF32, false }, { BZIMAGE, false }, { ELF64, true },
};

/*
 * Write, read back, flush, get the ID, and fail past the end; then the
 * host checks the file.  A read-only disk must refuse the write.
 */
START_TEST(test_virtio_blk)
{
	enum guest g = blk_cases[_i].g;
	bool ro = blk_cases[_i].ro;
	struct run r;

	require_guest(g);
	make_blk_image();
	run_lguest(&r, NULL, blk_arg(ro), "64", guest_path(g),
		   "lgtest.action=virtio-blk",
		   "lgtest.blksectors=" STRINGIFY(BLK_SECTORS),
		   "lgtest.blkid=" BLK_NAME, ro ? "lgtest.blkro" : NULL, NULL);
	expect_exit(&r, 0);
	expect_output(&r, ro ? "PASS: virtio-blk write to a read-only disk: status 1" :
			       "PASS: virtio-blk write the last sector: status 0");
	expect_output(&r, "PASS: virtio-blk\r\n");
	check_blk_image(!ro);
	run_free(&r);
}
END_TEST

/*
 * Each hostile request, the device it breaks and the reason the
 * launcher must give (tests/guests/virtio_hostile.c).
 */
static const struct hostile_case {
	const char *kind;
	const char *device;
	const char *why;
} hostile_cases[] = {
	{ "loop", "virtio-rng", "chain 0 loops" },
	{ "outside-ram", "virtio-blk", "is outside guest memory" },
	{ "indirect-unnegotiated", "virtio-blk",
	  "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC" },
	{ "nested-indirect", "virtio-rng",
	  "indirect table inside an indirect table" },
	{ "avail-jump", "virtio-rng", "available index jumped from 0 to 65" },
	{ "read-after-write", "virtio-blk",
	  "readable descriptor after a writable one" },
	{ "short-request", "virtio-blk", "no room for header and status" },
};
#define NR_HOSTILE_CASES (int)(sizeof(hostile_cases) / sizeof(hostile_cases[0]))

/* Which guests break the devices, and whether with --strict. */
static const struct {
	enum guest g;
	bool strict;
} hostile_runs[] = {
	{ ELF64, false }, { ELF64, true }, { ELF32, false }, { BZIMAGE, false },
};

/* Exactly one "needs reset" line, naming the device and the reason. */
static void expect_one_reset_line(const struct run *r,
				  const struct hostile_case *c)
{
	static const char tail[] = "; device needs reset";
	char prefix[64], line[512];
	const char *at;
	size_t len;

	ck_assert_msg(occurrences(r->out, tail) == 1,
		      "$ %s\n%d \"%s\" lines, expected 1\n--- output ---\n%s",
		      r->cmd, occurrences(r->out, tail), tail, shown(r));
	snprintf(prefix, sizeof(prefix), "lguest: %s: queue 0: ", c->device);
	at = strstr(r->out, prefix);
	ck_assert_msg(at != NULL, "$ %s\noutput lacks \"%s\"\n--- output ---\n%s",
		      r->cmd, prefix, shown(r));
	len = strcspn(at, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)len, at);
	ck_assert_msg(strstr(line, c->why) && strstr(line, tail),
		      "$ %s\nthe reset line does not say \"%s\": %s", r->cmd,
		      c->why, line);
}

/*
 * A guest breaks one device: the launcher says so once and keeps
 * running, the other device and the reset broken one work (the guest
 * checks that); with --strict the launcher stops with status 6.
 */
START_TEST(test_virtio_hostile)
{
	const struct hostile_case *c = &hostile_cases[_i % NR_HOSTILE_CASES];
	enum guest g = hostile_runs[_i / NR_HOSTILE_CASES].g;
	bool strict = hostile_runs[_i / NR_HOSTILE_CASES].strict;
	char action[96], pass[96];
	struct run r;

	require_guest(g);
	make_blk_image();
	snprintf(action, sizeof(action), "lgtest.action=virtio-hostile:%s",
		 c->kind);
	if (strict)
		run_lguest(&r, NULL, "--strict", "--rng", blk_arg(false), "64",
			   guest_path(g), action, NULL);
	else
		run_lguest(&r, NULL, "--rng", blk_arg(false), "64",
			   guest_path(g), action, NULL);
	expect_one_reset_line(&r, c);
	if (strict) {
		expect_stop(&r, LG_EXIT_DEVICE_ERROR, "launcher device-error");
		expect_output(&r, "stopping: a device needs reset (--strict)");
	} else {
		expect_exit(&r, 0);
		snprintf(pass, sizeof(pass), "PASS: %s works again after a reset",
			 c->device);
		expect_output(&r, pass);
		snprintf(pass, sizeof(pass), "PASS: virtio-hostile:%s", c->kind);
		expect_output(&r, pass);
	}
	check_blk_image(false);
	run_free(&r);
}
END_TEST

/*
 * The guests' virtio checks really fail, with their own statuses: a
 * missing device, a wrong capacity, ID or read-only flag, a bad token.
 * Every run has one device: "--block" stands for the test image.
 */
static const struct virtio_fail_case {
	const char *device;
	const char *tokens[3];
	int status;
	const char *output;
} virtio_fail_cases[] = {
	{ "--virtio-console", { "lgtest.action=virtio-rng" },
	  GUEST_FAILED(CHECK_VIRTIO_DEVICE),
	  "FAIL: virtio-rng (PCI 1af4:1044) not found on bus 0" },
	{ "--rng", { "lgtest.action=virtio-hostile:short-request" },
	  GUEST_FAILED(CHECK_VIRTIO_DEVICE),
	  "FAIL: virtio-blk (PCI 1af4:1042) not found on bus 0" },
	{ "--block", { "lgtest.action=virtio-blk", "lgtest.blksectors=99" },
	  GUEST_FAILED(CHECK_VIRTIO_BLK_CONFIG),
	  "FAIL: virtio-blk capacity (0x64 sectors, expected 0x63)" },
	{ "--block", { "lgtest.action=virtio-blk", "lgtest.blkro" },
	  GUEST_FAILED(CHECK_VIRTIO_BLK_CONFIG),
	  "FAIL: virtio-blk VIRTIO_BLK_F_RO is 0, expected 1" },
	{ "--block", { "lgtest.action=virtio-blk", "lgtest.blkid=blk-test.im" },
	  GUEST_FAILED(CHECK_VIRTIO_BLK_ID),
	  "FAIL: virtio-blk id byte 11 is 0x67, expected 0x0" },
	{ "--rng", { "lgtest.action=virtio-hostile:bogus" },
	  GUEST_FAILED(CHECK_CMDLINE), "FAIL: cmdline (unknown action" },
	{ "--rng", { "lgtest.blkid=an-id-of-twenty-one-b" },
	  GUEST_FAILED(CHECK_CMDLINE), "FAIL: cmdline (bad block token" },
};

START_TEST(test_virtio_guest_detects)
{
	const struct virtio_fail_case *c = &virtio_fail_cases[_i];
	bool block = !strcmp(c->device, "--block");
	struct run r;

	require_guest(ELF64);
	make_blk_image();
	run_lguest(&r, NULL, block ? blk_arg(false) : c->device, "64",
		   guest_path(ELF64), c->tokens[0], c->tokens[1], c->tokens[2],
		   NULL);
	expect_exit(&r, c->status);
	expect_output(&r, c->output);
	run_free(&r);
}
END_TEST

/*
 * Instructions KVM gives up on, finished by the launcher's emulator
 * (tests/guests/emulate_actions.c, launcher/x86/kvm_emulate.c).  Each
 * guest checks the bytes, flags and faults itself; the launcher's
 * --verbose count says the emulator did the work.  `emulated` is the
 * least it must report: KVM has no VEX support, so every VMOVDQU on the
 * test device is ours on any KVM; LOCK CMPXCHG16B on RAM and the #PF of
 * an access that runs off the device's page into an unmapped one are
 * ours on this host's software KVM (a CPU that walks both pages itself
 * would fault before KVM sees the access).  `faults` is exact; -1 skips
 * the count.  `native_ok` marks the cases a hardware KVM may run itself:
 * there the count may also be zero, which the test reports.  On a KVM
 * that cannot run them, an emulator that did not either would have ended
 * the guest with status 4, which the exit check catches.
 */
static const struct emul_case {
	enum guest g;
	bool testdev;
	const char *action;
	int status;
	const char *output;
	int emulated, faults;
	bool native_ok;
} emul_cases[] = {
	{ ELF64, false, "emul-cmpxchg16b", 0,
	  "PASS: emul-cmpxchg: differing compare loads rDX:rAX, clears ZF", 2,
	  0, true },
	{ BZIMAGE, false, "emul-cmpxchg16b", 0,
	  "PASS: emul-cmpxchg: differing compare loads rDX:rAX, clears ZF", 2,
	  0, true },
	/* CMPXCHG8B: KVM runs it itself here; the guest still checks. */
	{ ELF32, false, "emul-cmpxchg16b", 0,
	  "PASS: emul-cmpxchg: differing compare loads rDX:rAX, clears ZF", 0,
	  0, false },
	{ ELF64, true, "emul-vmovdqu", 0,
	  "PASS: emul-vmovdqu: 128-bit SSE load keeps bits 255:128", 4, 0, false },
	{ ELF32, true, "emul-vmovdqu", 0,
	  "PASS: emul-vmovdqu: 128-bit SSE load keeps bits 255:128", 4, 0, false },
	{ BZIMAGE, true, "emul-vmovdqu", 0,
	  "PASS: emul-vmovdqu: 128-bit SSE load keeps bits 255:128", 4, 0, false },
	{ ELF64, true, "emul-pf", 0,
	  "PASS: emul-pf: the faulting load left YMM0 alone", 2, 2, true },
	{ BZIMAGE, true, "emul-pf", 0,
	  "PASS: emul-pf: the faulting load left YMM0 alone", 2, 2, true },
	{ ELF64, false, "emul-ports", 0, "PASS: i8042 status (port 0x64): 0x0",
	  0, 0, false },
	{ ELF32, false, "emul-ports", 0, "PASS: i8042 status (port 0x64): 0x0",
	  0, 0, false },
	/* The guest notices a missing device rather than reading junk. */
	{ ELF64, false, "emul-vmovdqu", GUEST_FAILED(CHECK_EMUL_SETUP),
	  "FAIL: no test device at 0xfedf0000 (run the launcher with --testdev)",
	  -1, -1, false },
	/* What neither KVM nor we emulate still ends the launcher. */
	{ ELF64, true, "emulfail", LG_EXIT_KVM_ERROR,
	  "; lguest cannot emulate it either (instruction not emulated)", 0,
	  0, false },
};

/* "lguest: N instructions emulated for KVM (F raised an exception)" */
static void expect_emulated(const struct run *r, const struct emul_case *c)
{
	static const char key[] = " instructions emulated for KVM (";
	const char *at = strstr(r->out, key), *line;
	unsigned int n, f;

	ck_assert_msg(at != NULL, "$ %s\nno count of emulated instructions\n"
		      "--- output ---\n%s", r->cmd, shown(r));
	for (line = at; line > r->out && line[-1] != '\n'; line--)
		;
	ck_assert_msg(sscanf(line, "lguest: %u instructions emulated for KVM (%u",
			     &n, &f) == 2,
		      "$ %s\nbad count line\n--- output ---\n%s", r->cmd,
		      shown(r));
	if (c->native_ok && f == 0 && n < (unsigned int)c->emulated) {
		fprintf(stderr, "test_guests: KVM ran %s itself here (%u emulated); "
			"the guest's own checks passed\n", c->action, n);
		return;
	}
	ck_assert_msg(n >= (unsigned int)c->emulated &&
		      f == (unsigned int)c->faults,
		      "$ %s\nthe launcher emulated %u instructions (%u faulting), "
		      "expected at least %d (%d faulting)\n--- output ---\n%s",
		      r->cmd, n, f, c->emulated, c->faults, shown(r));
}

START_TEST(test_emulate)
{
	const struct emul_case *c = &emul_cases[_i];
	char action[64];
	struct run r;

	require_guest(c->g);
	snprintf(action, sizeof(action), "lgtest.action=%s", c->action);
	if (c->testdev)
		run_lguest(&r, NULL, "--verbose", "--testdev", "64",
			   guest_path(c->g), action, NULL);
	else
		run_lguest(&r, NULL, "--verbose", "64", guest_path(c->g), action,
			   NULL);
	/* No AVX: say loudly that nothing was tested; fail unless allowed. */
	if (r.exited && r.status == GUEST_EXIT_NO_AVX) {
		ck_assert_msg(getenv("LGUEST_TEST_ALLOW_NO_AVX") != NULL,
			      "$ %s\nNOT TESTED: this host's CPUID lacks AVX, so "
			      "the VMOVDQU emulation did not run (set "
			      "LGUEST_TEST_ALLOW_NO_AVX=1 to accept that)\n"
			      "--- output ---\n%s", r.cmd, shown(&r));
		fprintf(stderr, "test_guests: SKIPPED, NOT PASSED (no AVX): %s\n",
			r.cmd);
		run_free(&r);
		return;
	}
	expect_exit(&r, c->status);
	expect_output(&r, c->output);
	if (c->faults >= 0)
		expect_emulated(&r, c);
	run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Networking: two launchers over --sharenet, a tap on a bridge        */
/* ------------------------------------------------------------------ */

#define NET_ROUNDS	3

/* Start bin/lguest --sharenet=sock_path with a guest and an action. */
static void start_net_guest(struct run *r, enum guest g, const char *action)
{
	static char share[PATH_MAX + 32];
	const char *argv[] = { NULL, share, "64", guest_path(g), action, NULL };

	snprintf(share, sizeof(share), "--sharenet=%s", sock_path);
	run_start(r, NULL, argv);
}

/*
 * Step every run until `watch` has printed `needle` `count` times.  The
 * watched launcher ending first, or any run timing out, fails the test.
 */
static void step_until(struct run *runs, int n, struct run *watch,
		       const char *needle, int count)
{
	int i;

	while (occurrences(watch->out, needle) < count) {
		ck_assert_msg(!watch->done,
			      "$ %s\nended before printing \"%s\" %d times\n"
			      "--- output ---\n%s",
			      watch->cmd, needle, count, shown(watch));
		for (i = 0; i < n; i++) {
			run_step(&runs[i], 20);
			ck_assert_msg(!runs[i].timed_out,
				      "$ %s\ntimed out waiting for \"%s\"\n"
				      "--- output ---\n%s",
				      runs[i].cmd, needle, shown(&runs[i]));
		}
	}
}

static void step_all_to_end(struct run *runs, int n)
{
	int i, live = n;

	while (live)
		for (i = 0, live = 0; i < n; i++)
			live += !run_step(&runs[i], 20);
}

/* Who starts first (and so listens), and which guests talk. */
static const struct {
	enum guest ping, pong;
	bool ping_first;
} share_cases[] = {
	{ ELF64, ELF32, false }, { BZIMAGE, ELF64, true },
};

/*
 * Two launchers meet at a unix socket: one guest pings NET_ROUNDS times,
 * the other answers (swapped MACs, complemented payload, checked on
 * both sides), and both exit 0.
 */
START_TEST(test_sharenet_ping_pong)
{
	const char *ping = "lgtest.action=net-ping:" STRINGIFY(NET_ROUNDS);
	const char *pong = "lgtest.action=net-pong:" STRINGIFY(NET_ROUNDS);
	struct run r[2];	/* first started, second started */
	struct run *pinger, *ponger;

	require_guest(share_cases[_i].ping);
	require_guest(share_cases[_i].pong);
	if (share_cases[_i].ping_first) {
		start_net_guest(&r[0], share_cases[_i].ping, ping);
		step_until(r, 1, &r[0], "virtio-net: MAC", 1);
		start_net_guest(&r[1], share_cases[_i].pong, pong);
		pinger = &r[0], ponger = &r[1];
	} else {
		start_net_guest(&r[0], share_cases[_i].pong, pong);
		step_until(r, 1, &r[0], "net-pong: ready", 1);
		start_net_guest(&r[1], share_cases[_i].ping, ping);
		pinger = &r[1], ponger = &r[0];
	}
	step_all_to_end(r, 2);
	expect_exit(pinger, 0);
	expect_exit(ponger, 0);
	expect_output(pinger, "PASS: net-ping: " STRINGIFY(NET_ROUNDS) " rounds");
	expect_output(ponger, "PASS: net-pong: answered up to " STRINGIFY(NET_ROUNDS));
	run_free(&r[0]);
	run_free(&r[1]);
}
END_TEST

/*
 * A peer killed while our guest sends: the survivor's guest keeps
 * running and its pings are dropped (warned about and counted), and a
 * new peer meets it at the same path: the survivor still listens, or
 * (when the dead one listened) becomes the listener.  The first peer
 * answers ping 1 only; the second answers the rest.
 */
START_TEST(test_sharenet_peer_death)
{
	bool survivor_first = _i == 0;
	struct run r[3];	/* survivor, dead peer, new peer */
	char tries[64];
	int before;

	require_guest(ELF64);
	if (survivor_first) {
		start_net_guest(&r[0], ELF64, "lgtest.action=net-ping:" STRINGIFY(NET_ROUNDS));
		step_until(r, 1, &r[0], "virtio-net: MAC", 1);
		start_net_guest(&r[1], ELF64, "lgtest.action=net-pong-hold:1");
	} else {
		start_net_guest(&r[1], ELF64, "lgtest.action=net-pong-hold:1");
		step_until(&r[1], 1, &r[1], "net-pong: ready", 1);
		start_net_guest(&r[0], ELF64, "lgtest.action=net-ping:" STRINGIFY(NET_ROUNDS));
	}
	/* The survivor is sending ping 2, which the peer ignores: kill it. */
	step_until(r, 2, &r[1], "net-pong: holding", 1);
	run_kill(&r[1], 1);
	before = occurrences(r[0].out, "net-ping: ping 2 try");
	step_until(r, 1, &r[0], "net-ping: ping 2 try", before + 2);
	expect_output(&r[0], "lguest: virtio-net sharenet ");
	expect_output(&r[0], ": packet from the guest dropped: ");

	start_net_guest(&r[2], ELF64, "lgtest.action=net-pong:" STRINGIFY(NET_ROUNDS));
	step_all_to_end(&r[0], 1);
	step_all_to_end(&r[2], 1);
	expect_exit(&r[0], 0);
	expect_exit(&r[2], 0);
	snprintf(tries, sizeof(tries), "PASS: net-ping: %d rounds", NET_ROUNDS);
	expect_output(&r[0], tries);
	/* The exit summary counts what was dropped. */
	expect_output(&r[0], ": packet from the guest dropped ");
	expect_output(&r[0], " times in all");
	run_free(&r[0]);
	run_free(&r[1]);
	run_free(&r[2]);
}
END_TEST

static void require_root(const char *why)
{
	if (geteuid() != 0)
		ck_abort_msg("this test needs root for %s: run it as root (CI does)",
			     why);
}

/* Write 4 KiB blocks to `path` until the file system says it is full. */
static void fill_file_system(const char *path)
{
	static const char block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ssize_t n;

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	while ((n = write(fd, block, sizeof(block))) > 0)
		;
	ck_assert_msg(n < 0 && errno == ENOSPC, "%s: expected ENOSPC, got %s",
		      path, n < 0 ? strerror(errno) : "a short write");
	close(fd);
}

/* Sectors 8-15 are the hole the guest cannot fill; the rest is the fill. */
static void check_nospace_image(const char *path)
{
	unsigned char *buf = read_image(path);
	size_t i;

	for (i = 0; i < BLK_SIZE; i++) {
		size_t sector = i / GUEST_BLK_SECTOR;
		unsigned char want = sector >= 8 && sector < 16 ? 0 : blk_fill(i);

		ck_assert_msg(buf[i] == want,
			      "%s: byte %zu (sector %zu) is 0x%02x, expected 0x%02x",
			      path, i, sector, buf[i], want);
	}
	free(buf);
}

/*
 * A disk on a full file system (a 64 KiB tmpfs in a mount namespace of
 * this test's own, the image with a hole punched at sectors 8-15): the
 * guest's writes there fail with IOERR, the launcher warns (1st, 2nd,
 * 4th, 8th time), keeps serving, and sums up at exit; the image keeps
 * its size and contents.
 */
START_TEST(test_virtio_blk_nospace)
{
	char dir[PATH_MAX], img[PATH_MAX], filler[PATH_MAX];
	int fd;
	struct run r;

	require_guest(ELF64);
	require_root("a mount namespace and a tmpfs");
	ck_assert_msg(!unshare(CLONE_NEWNS), "unshare: %s", strerror(errno));
	ck_assert_msg(!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
		      "making / private: %s", strerror(errno));
	ck_assert(snprintf(dir, sizeof(dir), "%s/full", tmpdir) <
		  (int)sizeof(dir));
	ck_assert_msg(!mkdir(dir, 0700) || errno == EEXIST, "%s: %s", dir,
		      strerror(errno));
	ck_assert_msg(!mount("lguest-test", dir, "tmpfs", 0, "size=64k"),
		      "mounting a tmpfs on %s: %s", dir, strerror(errno));
	ck_assert(snprintf(img, sizeof(img), "%s/full.img", dir) <
			  (int)sizeof(img) &&
		  snprintf(filler, sizeof(filler), "%s/filler", dir) <
			  (int)sizeof(filler));
	fill_image(img);
	fd = open(img, O_RDWR | O_CLOEXEC);
	ck_assert_msg(fd >= 0 && !fallocate(fd, FALLOC_FL_PUNCH_HOLE |
					    FALLOC_FL_KEEP_SIZE,
					    8 * GUEST_BLK_SECTOR,
					    8 * GUEST_BLK_SECTOR),
		      "punching a hole in %s: %s", img, strerror(errno));
	close(fd);
	fill_file_system(filler);
	run_lguest(&r, NULL, file_arg("--block", img), "64", guest_path(ELF64),
		   "lgtest.action=virtio-blk-nospace", NULL);
	expect_exit(&r, 0);
	expect_output(&r, "PASS: virtio-blk write into a full file system: status 1");
	expect_output(&r, "PASS: virtio-blk on a full host file system");
	expect_output(&r, "lguest: virtio-blk full.img: write failed: No space left on device\n");
	expect_output(&r, "lguest: virtio-blk full.img: write failed: No space left on device (8 times)\n");
	ck_assert_msg(occurrences(r.out, "write failed: No space left") == 4,
		      "$ %s\nexpected warnings at the 1st, 2nd, 4th and 8th failure\n"
		      "--- output ---\n%s", r.cmd, shown(&r));
	expect_output(&r, "lguest: virtio-blk full.img: write failed 8 times in all");
	check_nospace_image(img);
	run_free(&r);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}
END_TEST

/*
 * Standard input reaches its end: the virtio console hands the guest
 * what came before, then an empty buffer, and stops reading (no
 * warning: an end of file is no error).
 */
START_TEST(test_virtio_console_input_ends)
{
	static const struct input eof = { .data = "hello\n", .close = 1 };
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, &eof, "--virtio-console", "64", guest_path(ELF64),
		   "lgtest.action=virtio-console", NULL);
	expect_exit(&r, 0);
	expect_output(&r, "hello\n");
	expect_output(&r, "PASS: virtio-console input ended after 6 bytes");
	ck_assert_msg(!strstr(r.out, "virtio-console stdin"),
		      "$ %s\nan end of file was warned about\n--- output ---\n%s",
		      r.cmd, shown(&r));
	run_free(&r);
}
END_TEST

#define BRIDGE		"br0"
#define BRIDGE_MAC	"52:54:00:12:34:56"
#define BEACON_TYPE	0x88b5	/* tests/guests/virtio_net_actions.c */

static int bridge_socket(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(BEACON_TYPE) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			htons(BEACON_TYPE));

	ck_assert_msg(fd >= 0, "AF_PACKET socket: %s", strerror(errno));
	sll.sll_ifindex = if_nametoindex(BRIDGE);
	ck_assert_msg(sll.sll_ifindex && !bind(fd, (struct sockaddr *)&sll,
						 sizeof(sll)),
		      "binding to %s: %s", BRIDGE, strerror(errno));
	return fd;
}

/* A beacon from the guest's MAC, as the bridge passed it up; 0 if none. */
static int got_beacon(int fd)
{
	static const unsigned char mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	unsigned char f[2048];
	ssize_t n;

	while ((n = recv(fd, f, sizeof(f), 0)) > 0)
		if (n >= 14 + 8 && !memcmp(f + 6, mac, 6) &&
		    f[12] == BEACON_TYPE >> 8 && f[13] == (BEACON_TYPE & 0xff) &&
		    !memcmp(f + 14, "lgtest", 7) && f[21] == 'B')
			return 1;
	return 0;
}

static bool tap_is_bridge_port(void)
{
	FILE *p = popen("ip -o link show master " BRIDGE, "r");
	char line[512];
	bool found = false;

	ck_assert_msg(p != NULL, "ip link: %s", strerror(errno));
	while (fgets(line, sizeof(line), p))
		found |= strstr(line, ": lguest0") != NULL;
	pclose(p);
	return found;
}

/*
 * --tunnet=bridge:NAME[:MAC], in a network namespace of the test's own
 * with a bridge in it: the launcher's tap joins the bridge, and the
 * guest's beacons (from the MAC given) come out of it.
 */
START_TEST(test_tunnet_bridge)
{
	const char *argv[] = { NULL, "--tunnet=bridge:" BRIDGE ":" BRIDGE_MAC,
			       "64", guest_path(ELF64),
			       "lgtest.action=net-beacon:60", NULL };
	struct run r;
	int fd;

	require_guest(ELF64);
	require_root("a network namespace, a bridge and a tap");
	ck_assert_msg(!access("/dev/net/tun", R_OK | W_OK),
		      "/dev/net/tun not usable: %s", strerror(errno));
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET): %s",
		      strerror(errno));
	ck_assert_msg(system("ip link add " BRIDGE " type bridge && "
			     "ip link set " BRIDGE " up") == 0,
		      "cannot create bridge %s with ip(8) (iproute2 installed?)",
		      BRIDGE);
	fd = bridge_socket();
	run_start(&r, NULL, argv);
	while (!got_beacon(fd))
		ck_assert_msg(!run_step(&r, 50),
			      "$ %s\nno beacon reached %s\n--- output ---\n%s",
			      r.cmd, BRIDGE, shown(&r));
	ck_assert_msg(tap_is_bridge_port(), "$ %s\nlguest0 is not a port of %s",
		      r.cmd, BRIDGE);
	ck_assert_msg(!run_step(&r, 0), "$ %s\nthe launcher ended early\n%s",
		      r.cmd, shown(&r));
	expect_output(&r, "virtio-net: MAC 52:54:0:12:34:56");
	run_kill(&r, 1);
	close(fd);
	run_free(&r);
}
END_TEST

/*
 * A REP OUTSB of 2^32 bytes from the test device (every byte an MMIO
 * read, hours of work) must not hold the launcher: SIGTERM, given once
 * the instruction has started, ends it at once.
 */
START_TEST(test_huge_rep_stops_on_sigterm)
{
	const char *argv[] = { NULL, "--testdev", "64", guest_path(ELF64),
			       "lgtest.action=emul-rep-outsb:4294967296",
			       NULL };
	double started, stopped;
	struct run r;

	require_guest(ELF64);
	run_start(&r, NULL, argv);
	step_until(&r, 1, &r, "emul-rep-outsb: started", 1);
	started = now();
	while (now() < started + 0.5)
		ck_assert_msg(!run_step(&r, 50), "$ %s\nended by itself:\n%s",
			      r.cmd, shown(&r));
	kill(r.pid, SIGTERM);
	stopped = now();
	while (!run_step(&r, 20))
		;
	ck_assert_msg(!r.exited && r.status == SIGTERM && !r.timed_out,
		      "$ %s\nstatus %d%s, expected death by SIGTERM\n%s", r.cmd,
		      r.status, r.exited ? "" : " (signal)", shown(&r));
	ck_assert_str_eq(r.status_line, "launcher signal 15\n");
	ck_assert_msg(now() - stopped < 2.0, "$ %s\nSIGTERM took %.1f s",
		      r.cmd, now() - stopped);
}
END_TEST

/* ------------------------------------------------------------------ */
/* SMP: --cpus N, APs started by the guest, stops from an AP           */
/* ------------------------------------------------------------------ */

static const struct smp_case {
	enum guest g;
	const char *cpus;
	const char *action;
	bool testdev, no_reboot;
	int status;
	const char *output;
} smp_cases[] = {
	{ ELF64, "2", "smp", false, false, 0,
	  "PASS: smp: 2 CPUs started, 1 APs counted" },
	{ ELF64, "4", "smp", false, false, 0,
	  "PASS: smp: 4 CPUs started, 3 APs counted" },
	{ BZIMAGE, "3", "smp", false, false, 0,
	  "PASS: smp: 3 CPUs started, 2 APs counted" },
	{ ELF64, "1", "smp", false, false, 0,
	  "PASS: smp: 1 CPUs started, 0 APs counted" },
	/* Each AP's CPUID gives its own APIC ID, the MADT's. */
	{ ELF64, "4", "smp", false, false, 0,
	  "APIC ID 3: CPUID APIC ID 3 (AP " },
	/* Stops from an AP: the statuses of one CPU. */
	{ ELF64, "2", "smp-exit:77", false, false, 77,
	  "AP 0 (APIC ID 1): writing 77 to the exit port" },
	/* ... and the launcher says which CPU, where and in what mode. */
	{ ELF64, "3", "smp-triplefault", false, true, LG_EXIT_TRIPLE_FAULT,
	  "lguest: guest triple-faulted (--no-reboot)\n"
	  "lguest: vCPU 2: triple fault at RIP 0x" },
	/* Exit 5 when every CPU halts, and not while an AP still runs. */
	{ ELF64, "3", "smp-hlt", false, false, LG_EXIT_HALTED,
	  "lguest: guest halted" },
	{ ELF64, "2", "smp-ap-busy:9", false, false, 9,
	  "PASS: smp: 2 CPUs started, 1 APs counted" },
	/* The emulator on two CPUs at once, on one MMIO page. */
	{ ELF64, "2", "smp-cmpxchg16b:200", true, false, 0,
	  "PASS: smp-cmpxchg16b: the count is consistent" },
};

START_TEST(test_smp)
{
	const struct smp_case *c = &smp_cases[_i];
	const char *argv[12] = { NULL, "--verbose", "--cpus", c->cpus };
	char action[64];
	int n = 4;
	struct run r;

	require_guest(c->g);
	snprintf(action, sizeof(action), "lgtest.action=%s", c->action);
	if (c->testdev)
		argv[n++] = "--testdev";
	if (c->no_reboot)
		argv[n++] = "--no-reboot";
	argv[n++] = "64";
	argv[n++] = guest_path(c->g);
	argv[n++] = action;
	argv[n] = NULL;
	run_lguest_argv(&r, NULL, argv);
	expect_exit(&r, c->status);
	expect_output(&r, c->output);
	/* --verbose counts exits per vCPU when there are several. */
	if (strcmp(c->cpus, "1"))
		expect_output(&r, "lguest: vCPU 1: ");
	run_free(&r);
}
END_TEST

/* ^C^C^C stops every vCPU, all of them busy. */
START_TEST(test_smp_ctrl_c_escape)
{
	static const struct input ctrl_c = {
		.data = "\003\003\003",
		.after = "PASS: smp: 3 CPUs started",
		.pty = 1,
	};
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, &ctrl_c, "--cpus", "3", "64", guest_path(ELF64),
		   "lgtest.action=smp-spin", NULL);
	expect_exit(&r, LG_EXIT_ESCAPE);
	expect_output(&r, "^C^C^C: stopping the guest");
	run_free(&r);
}
END_TEST

/* 1..254, and no more than KVM allows: a usage or set-up error. */
static const char *const bad_cpus[] = { "0", "255", "-1", "two", "" };

START_TEST(test_smp_bad_cpus)
{
	struct run r;

	require_guest(ELF64);
	run_lguest(&r, NULL, "--cpus", bad_cpus[_i], "64", guest_path(ELF64),
		   NULL);
	expect_exit(&r, LG_EXIT_SETUP);
	expect_output(&r, "lguest: --cpus ");
	expect_output(&r, ": say a number of vCPUs from 1 to 254");
	run_free(&r);
}
END_TEST

/*
 * Is the case called name one CK_EXCLUDE_CASE lists (comma-separated)?
 * Newer Check reads that variable itself; Debian 12's does not.  Where
 * this machine has no KVM, tests/run-all.sh runs the emulate case in a
 * nested host of its own (a QEMU whose TCG has AVX) and the rest here.
 */
static bool case_excluded(const char *name)
{
	const char *list = getenv("CK_EXCLUDE_CASE"), *p;
	size_t n = strlen(name);

	for (p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* A new case, in s unless CK_EXCLUDE_CASE names it. */
static TCase *tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	/* Check's 4 s default is far too short for this host's KVM. */
	tcase_set_timeout(tc, run_timeout() + 30);
	tcase_add_unchecked_fixture(tc, make_files, remove_files);
	if (!case_excluded(name))
		suite_add_tcase(s, tc);
	return tc;
}

static Suite *guests_suite(void)
{
	Suite *s = suite_create("guests");
	TCase *tc;
	int n_exit = sizeof(exit_cases) / sizeof(exit_cases[0]);

	tc = tcase(s, "boot");
	tcase_add_loop_test(tc, test_boot_with_initrd, 0, NR_GUESTS);
	tcase_add_loop_test(tc, test_boot_without_initrd, 0, NR_GUESTS);
	tcase_add_loop_test(tc, test_no_initrd_reported, 0, NR_GUESTS);
	tcase_add_test(tc, test_guest_detects_wrong_initrd);
	tcase_add_test(tc, test_guest_detects_wrong_mem);

	tc = tcase(s, "exit");
	tcase_add_loop_test(tc, test_exit_status, 0, n_exit);
	tcase_add_test(tc, test_stats);
	tcase_add_loop_test(tc, test_guest_stops, 0, NR_GUESTS * NR_STOP_CASES);
	tcase_add_test(tc, test_reset_reboots);

	tc = tcase(s, "console");
	tcase_add_loop_test(tc, test_echo, 0,
			    NR_GUESTS * (int)(sizeof(echo_cases) /
					      sizeof(echo_cases[0])));
	tcase_add_test(tc, test_ctrl_c_escape);
	tcase_add_loop_test(tc, test_ctrl_c_guest_not_reading, 0,
			    sizeof(unread_cases) / sizeof(unread_cases[0]));
	tcase_add_loop_test(tc, test_break, 0, 2 * NR_GUESTS);

	tc = tcase(s, "setup-errors");
	tcase_add_test(tc, test_missing_kernel);
	tcase_add_test(tc, test_missing_initrd);
	tcase_add_test(tc, test_not_a_kernel);
	tcase_add_loop_test(tc, test_usage, 0,
			    sizeof(usage_cases) / sizeof(usage_cases[0]));

	tc = tcase(s, "virtio");
	tcase_add_loop_test(tc, test_virtio_rng, 0, NR_GUESTS);
	tcase_add_loop_test(tc, test_virtio_blk, 0,
			    sizeof(blk_cases) / sizeof(blk_cases[0]));
	tcase_add_loop_test(tc, test_virtio_hostile, 0,
			    NR_HOSTILE_CASES * (int)(sizeof(hostile_runs) /
						     sizeof(hostile_runs[0])));
	tcase_add_loop_test(tc, test_virtio_guest_detects, 0,
			    sizeof(virtio_fail_cases) /
				    sizeof(virtio_fail_cases[0]));

	tc = tcase(s, "virtio-fs");
	tcase_add_loop_test(tc, test_virtio_fs_share, 0, 2 * NR_GUESTS);
	tcase_add_test(tc, test_virtio_fs_socket);
	tcase_add_loop_test(tc, test_virtio_fs_missing, 0, 2);
	tcase_add_test(tc, test_virtio_fs_killed);
	tcase_add_test(tc, test_virtio_fs_backend_killed);

	tc = tcase(s, "net");
	tcase_add_loop_test(tc, test_sharenet_ping_pong, 0,
			    sizeof(share_cases) / sizeof(share_cases[0]));
	tcase_add_loop_test(tc, test_sharenet_peer_death, 0, 2);
	tcase_add_test(tc, test_tunnet_bridge);

	tc = tcase(s, "host-errors");
	tcase_add_test(tc, test_virtio_blk_nospace);
	tcase_add_test(tc, test_virtio_console_input_ends);

	tc = tcase(s, "emulate");
	tcase_add_loop_test(tc, test_emulate, 0,
			    sizeof(emul_cases) / sizeof(emul_cases[0]));
	tcase_add_test(tc, test_huge_rep_stops_on_sigterm);

	tc = tcase(s, "smp");
	tcase_add_loop_test(tc, test_smp, 0,
			    sizeof(smp_cases) / sizeof(smp_cases[0]));
	tcase_add_test(tc, test_smp_ctrl_c_escape);
	tcase_add_loop_test(tc, test_smp_bad_cpus, 0,
			    sizeof(bad_cpus) / sizeof(bad_cpus[0]));
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* A launcher that dies early must not take the test down with it. */
	signal(SIGPIPE, SIG_IGN);
	check_set_max_msg_size(SHOWN_OUTPUT + 2048);
	sr = srunner_create(guests_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
