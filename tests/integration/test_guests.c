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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define DEFAULT_TIMEOUT	60		/* seconds per launcher run */
#define OUTPUT_MAX	(1 << 20)	/* keep at most this much output */
#define SHOWN_OUTPUT	6000		/* output quoted in a failure */
#define INITRD_SIZE	(300 * 1024 + 123)	/* not a page multiple */
#define MAX_ARGS	32

/* Exit statuses the launcher promises. */
#define LG_EXIT_SETUP		1
#define LG_EXIT_RESET		2
#define LG_EXIT_TRIPLE_FAULT	3
#define LG_EXIT_KVM_ERROR	4
#define LG_EXIT_HALTED		5
#define LG_EXIT_DEVICE_ERROR	6	/* a queue broke, with --strict */
#define LG_EXIT_ESCAPE		130	/* three ^C on the terminal */

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

struct run {
	char cmd[1024];		/* the command line, for messages */
	char *out;		/* stdout and stderr, interleaved, NUL-ended */
	size_t len;
	int timed_out;
	int ended_by_test;	/* killed once `until` was seen */
	int exited;		/* normal exit: status is valid */
	int status;		/* exit status, or the signal when !exited */
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

static void __attribute__((noreturn)) child(const char *const *argv, int in,
					    int out)
{
	/* Die with the test, even when Check kills it on its own timeout. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	execv(argv[0], (char *const *)argv);
	dprintf(2, "test_guests: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* How a run's console input is driven. */
struct input {
	const char *data;	/* bytes for the launcher's stdin, or NULL */
	const char *after;	/* send them once the output has this */
	int pty;		/* stdin is a terminal rather than a pipe */
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
 * Run the launcher with args, feeding it input, and collect its output
 * until it exits or the timeout passes.  Standard input stays open for
 * the whole run, so the launcher never sees an early EOF.  The launcher
 * gets its own process group, and the whole group is killed afterwards,
 * so nothing outlives the test.
 */
static void run_lguest(struct run *r, const struct input *in,
		       const char *arg0, ...)
{
	static const struct input no_input;
	const char *argv[MAX_ARGS + 2];
	int in_ours, in_theirs, outp[2], argc = 0, wstatus, sent;
	double deadline;
	size_t off = 0;
	pid_t pid;
	va_list ap;
	const char *a;

	if (!in)
		in = &no_input;
	memset(r, 0, sizeof(*r));
	r->out = calloc(1, OUTPUT_MAX + 1);
	ck_assert(r->out != NULL);
	argv[argc++] = lguest_path();
	va_start(ap, arg0);
	for (a = arg0; a; a = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = a;
	}
	va_end(ap);
	argv[argc] = NULL;
	for (argc = 0; argv[argc]; argc++) {
		off += snprintf(r->cmd + off, sizeof(r->cmd) - off, "%s%s",
				argc ? " " : "", argv[argc]);
		if (off >= sizeof(r->cmd))
			off = sizeof(r->cmd) - 1;
	}

	open_input(in->pty, &in_ours, &in_theirs);
	ck_assert_msg(!pipe2(outp, O_CLOEXEC), "pipe: %s", strerror(errno));
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		child(argv, in_theirs, outp[1]);
	setpgid(pid, pid);	/* as the child does: no race either way */
	close(in_theirs);
	close(outp[1]);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);

	sent = !in->data;
	deadline = now() + run_timeout();
	for (;;) {
		struct pollfd p = { .fd = outp[0], .events = POLLIN };
		pid_t w;

		if (!sent && (!in->after || strstr(r->out, in->after))) {
			send_input(in_ours, in->data);
			sent = 1;
		}
		w = waitpid(pid, &wstatus, WNOHANG);
		if (w == pid) {
			drain(outp[0], r);
			break;
		}
		if (in->until && occurrences(r->out, in->until) >= in->until_count)
			r->ended_by_test = 1;
		if (r->ended_by_test || now() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			drain(outp[0], r);
			r->timed_out = !r->ended_by_test;
			break;
		}
		/* Wake up now and then to notice an exit without EOF. */
		if (poll(&p, 1, 100) > 0 && drain(outp[0], r))
			usleep(10000);
	}
	kill(-pid, SIGKILL);	/* anything the launcher left behind */
	close(in_ours);
	close(outp[0]);

	r->exited = WIFEXITED(wstatus);
	r->status = r->exited ? WEXITSTATUS(wstatus) :
		    WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : -1;
	if (getenv("LGUEST_TEST_VERBOSE"))
		fprintf(stderr, "$ %s\n%s\n[exit %d%s%s]\n", r->cmd, r->out,
			r->status, r->exited ? "" : " (signal)",
			r->timed_out ? ", timed out" : "");
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
	free(buf);
}

static void remove_files(void)
{
	unlink(initrd_path);
	unlink(notkernel_path);
	unlink(blk_path);
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
	{ ELF64, 7 }, { ELF64, 255 }, { ELF64, 1 },
	{ ELF32, 7 }, { ELF32, 255 },
	{ BZIMAGE, 7 }, { BZIMAGE, 255 },
};

START_TEST(test_exit_status)
{
	enum guest g = exit_cases[_i].g;
	int want = exit_cases[_i].status;
	char action[64];
	struct run r;

	require_guest(g);
	snprintf(action, sizeof(action), "lgtest.action=exit:%d", want);
	run_lguest(&r, NULL, "64", guest_path(g), action, NULL);
	expect_exit(&r, want);
	expect_output(&r, "PASS: boot_params ok");
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
	const char *output;
} stop_cases[] = {
	{ "lgtest.action=reset", true, LG_EXIT_RESET, "requested a reset" },
	{ "lgtest.action=triplefault", true, LG_EXIT_TRIPLE_FAULT,
	  "triple-faulted" },
	{ "lgtest.action=hlt", false, LG_EXIT_HALTED, "guest halted" },
	{ "lgtest.action=emulfail", false, LG_EXIT_KVM_ERROR,
	  "emulation failure) at RIP 0x" },
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
	expect_exit(&r, LG_EXIT_ESCAPE);
	expect_output(&r, "PASS: boot_params ok");
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
	expect_exit(r, LG_EXIT_SETUP);
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
	{ { NULL }, LG_EXIT_SETUP, "need a memory size and a kernel" },
	{ { "64" }, LG_EXIT_SETUP, "need a memory size and a kernel" },
	{ { "lots", "kernel" }, LG_EXIT_SETUP, "'lots' is not a number" },
	{ { "1", "kernel" }, LG_EXIT_SETUP, "out of range" },
	{ { "-5", "kernel" }, LG_EXIT_SETUP, "Usage:" },
	{ { "99999999", "kernel" }, LG_EXIT_SETUP, "out of range" },
	{ { "--bogus" }, LG_EXIT_SETUP, "Usage:" },
	{ { "64", "/" }, LG_EXIT_SETUP, "'/' is not a regular file" },
	{ { "--help" }, 0, "Exit status:" },
};

START_TEST(test_usage)
{
	const struct usage_case *c = &usage_cases[_i];
	struct run r;

	require_launcher();
	run_lguest(&r, NULL, c->args[0], c->args[1], c->args[2], NULL);
	expect_exit(&r, c->status);
	expect_output(&r, c->output);
	run_free(&r);
}
END_TEST

/* The image the virtio-blk guests start from: the fill, tail included. */
static unsigned char blk_fill(size_t off)
{
	return guest_blk_fill(off / GUEST_BLK_SECTOR, off % GUEST_BLK_SECTOR);
}

static void make_blk_image(void)
{
	unsigned char *buf = malloc(BLK_SIZE);
	size_t i;

	ck_assert(buf != NULL);
	for (i = 0; i < BLK_SIZE; i++)
		buf[i] = blk_fill(i);
	write_file(blk_path, buf, BLK_SIZE);
	free(buf);
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
static void check_blk_image(bool wrote)
{
	unsigned char *buf = malloc(BLK_SIZE + 1);
	FILE *f = fopen(blk_path, "rb");
	size_t n, i;

	ck_assert(buf != NULL);
	ck_assert_msg(f != NULL, "%s: %s", blk_path, strerror(errno));
	n = fread(buf, 1, BLK_SIZE + 1, f);
	fclose(f);
	ck_assert_msg(n == BLK_SIZE, "%s is now %zu bytes, was %d", blk_path,
		      n, BLK_SIZE);
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
		expect_exit(&r, LG_EXIT_DEVICE_ERROR);
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

static TCase *tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	/* Check's 4 s default is far too short for this host's KVM. */
	tcase_set_timeout(tc, run_timeout() + 30);
	tcase_add_unchecked_fixture(tc, make_files, remove_files);
	return tc;
}

static Suite *guests_suite(void)
{
	Suite *s = suite_create("guests");
	TCase *tc;
	int n_exit = sizeof(exit_cases) / sizeof(exit_cases[0]);

	tc = tcase("boot");
	tcase_add_loop_test(tc, test_boot_with_initrd, 0, NR_GUESTS);
	tcase_add_loop_test(tc, test_boot_without_initrd, 0, NR_GUESTS);
	tcase_add_loop_test(tc, test_no_initrd_reported, 0, NR_GUESTS);
	tcase_add_test(tc, test_guest_detects_wrong_initrd);
	tcase_add_test(tc, test_guest_detects_wrong_mem);
	suite_add_tcase(s, tc);

	tc = tcase("exit");
	tcase_add_loop_test(tc, test_exit_status, 0, n_exit);
	tcase_add_loop_test(tc, test_guest_stops, 0, NR_GUESTS * NR_STOP_CASES);
	tcase_add_test(tc, test_reset_reboots);
	suite_add_tcase(s, tc);

	tc = tcase("console");
	tcase_add_loop_test(tc, test_echo, 0,
			    NR_GUESTS * (int)(sizeof(echo_cases) /
					      sizeof(echo_cases[0])));
	tcase_add_test(tc, test_ctrl_c_escape);
	suite_add_tcase(s, tc);

	tc = tcase("setup-errors");
	tcase_add_test(tc, test_missing_kernel);
	tcase_add_test(tc, test_missing_initrd);
	tcase_add_test(tc, test_not_a_kernel);
	tcase_add_loop_test(tc, test_usage, 0,
			    sizeof(usage_cases) / sizeof(usage_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase("virtio");
	tcase_add_loop_test(tc, test_virtio_rng, 0, NR_GUESTS);
	tcase_add_loop_test(tc, test_virtio_blk, 0,
			    sizeof(blk_cases) / sizeof(blk_cases[0]));
	tcase_add_loop_test(tc, test_virtio_hostile, 0,
			    NR_HOSTILE_CASES * (int)(sizeof(hostile_runs) /
						     sizeof(hostile_runs[0])));
	tcase_add_loop_test(tc, test_virtio_guest_detects, 0,
			    sizeof(virtio_fail_cases) /
				    sizeof(virtio_fail_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase("emulate");
	tcase_add_loop_test(tc, test_emulate, 0,
			    sizeof(emul_cases) / sizeof(emul_cases[0]));
	suite_add_tcase(s, tc);
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
