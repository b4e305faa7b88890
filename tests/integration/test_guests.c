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
#define LG_EXIT_ESCAPE		130	/* three ^C on the terminal */

/* Exit statuses the guests use for failed checks (tests/guests/guest.h). */
#define GUEST_EXIT_MEM		19
#define GUEST_EXIT_INITRD_SIZE	20

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
	free(buf);
}

static void remove_files(void)
{
	unlink(initrd_path);
	unlink(notkernel_path);
	rmdir(tmpdir);
}

static const char *initrd_arg(void)
{
	static char arg[PATH_MAX + 32];

	snprintf(arg, sizeof(arg), "--initrd=%s", initrd_path);
	return arg;
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

/* Console input reaches the guest, and its output comes back. */
START_TEST(test_echo)
{
	static const struct input echo_input = { .data = "hello\nquit\n" };
	enum guest g = _i;
	const char *ready;
	struct run r;

	require_guest(g);
	run_lguest(&r, &echo_input, "64", guest_path(g),
		   "lgtest.action=echo", NULL);
	expect_exit(&r, 0);
	expect_output(&r, "echo: ready");
	ready = strstr(r.out, "echo: ready");
	ck_assert_msg(strstr(ready, "hello") != NULL,
		      "$ %s\n\"hello\" not echoed\n--- output ---\n%s", r.cmd,
		      shown(&r));
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
	expect_exit(&r, GUEST_EXIT_INITRD_SIZE);
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
	expect_exit(&r, GUEST_EXIT_MEM);
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
	tcase_add_loop_test(tc, test_echo, 0, NR_GUESTS);
	tcase_add_test(tc, test_ctrl_c_escape);
	suite_add_tcase(s, tc);

	tc = tcase("setup-errors");
	tcase_add_test(tc, test_missing_kernel);
	tcase_add_test(tc, test_missing_initrd);
	tcase_add_test(tc, test_not_a_kernel);
	tcase_add_loop_test(tc, test_usage, 0,
			    sizeof(usage_cases) / sizeof(usage_cases[0]));
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
