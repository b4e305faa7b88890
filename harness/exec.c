// SPDX-License-Identifier: GPL-2.0
/* lgtest exec and lgtest shell (see exec.h and the README). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "exec.h"
#include "rootfs.h"
#include "runner.h"
#include "script.h"

#define EXEC_FAILED 255 /* lgtest's own failure, as virtme-ng's */
#define SHELL_ESCAPE 0x1d /* ^]: stop the guest */
#define CONSOLE_TAIL 25 /* lines shown when the guest ends early */

/* ---- the output filter --------------------------------------------------- */

void exec_filter_init(struct exec_filter *f, const char *nonce)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->begin, sizeof(f->begin), "lgtest-exec-begin-%s", nonce);
	snprintf(f->end, sizeof(f->end), "lgtest-exec-end-%s ", nonce);
	buf_add(&f->line, "", 0);
}

void exec_filter_free(struct exec_filter *f)
{
	buf_free(&f->line);
}

/* Could the line being read still become the end marker? */
static bool maybe_end(const struct exec_filter *f)
{
	size_t n = strlen(f->end);

	return !strncmp(f->line.data, f->end,
			f->line.len < n ? f->line.len : n);
}

/* Write what of the line has not gone out, after the held-back newline. */
static void show_line(struct exec_filter *f, FILE *out)
{
	if (f->shown == f->line.len)
		return;
	if (f->newline_pending)
		fputc('\n', out);
	f->newline_pending = false;
	fwrite(f->line.data + f->shown, 1, f->line.len - f->shown, out);
	f->shown = f->line.len;
}

static void end_line(struct exec_filter *f, FILE *out)
{
	const char *l = f->line.data;
	size_t n = f->line.len;
	char *end;

	if (n && l[n - 1] == '\r' && !f->begun)
		n--;
	if (!f->begun) {
		f->begun = n == strlen(f->begin) && !memcmp(l, f->begin, n);
	} else if (!strncmp(l, f->end, strlen(f->end))) {
		f->status = (int)strtol(l + strlen(f->end), &end, 10);
		f->ended = true;
	} else {
		show_line(f, out);
		/* A newline with nothing after it is still a newline. */
		if (f->newline_pending)
			fputc('\n', out);
		f->newline_pending = true;
	}
	f->line.len = 0;
	f->line.data[0] = '\0';
	f->shown = 0;
}

void exec_filter_feed(struct exec_filter *f, const char *data, size_t len,
		      FILE *out)
{
	size_t i;

	for (i = 0; i < len && !f->ended; i++) {
		if (data[i] == '\n') {
			end_line(f, out);
			continue;
		}
		buf_add(&f->line, data + i, 1);
		if (f->begun && !maybe_end(f))
			show_line(f, out);
	}
	fflush(out);
}

/* ---- the command --------------------------------------------------------- */

static const char exec_usage[] =
	"Usage: lgtest exec [options] [--] COMMAND [ARG...]\n"
	"       lgtest shell [options]\n"
	"\n"
	"Boots a kernel on this machine's own file system, as virtme-ng does: "
	"its /\n"
	"read-only over virtio-fs under a tmpfs overlay (writes go to guest "
	"memory),\n"
	"the current directory read-write at the same path, /proc, /sys, /dev, "
	"/tmp\n"
	"and /run of the guest's own (README: ROOT FILE SYSTEMS).  exec runs "
	"COMMAND\n"
	"there, in the current directory, with no input; prints its output; "
	"powers\n"
	"off and exits with COMMAND's exit status.  shell gives an "
	"interactive shell\n"
	"on the guest's console; the guest powers off when it exits, and ^] "
	"stops\n"
	"the guest at once.  The terminal is restored however it ends.\n"
	"\n"
	"  --kernel FILE        the kernel (default: Debian's cloud kernel, "
	"fetched\n"
	"                       into the cache)\n"
	"  --modules-dir DIR    its lib/modules/<version>, for virtio_pci, "
	"virtiofs\n"
	"                       (with fuse) and overlay (default: the default "
	"kernel's,\n"
	"                       or for DIR/boot/vmlinuz-V, DIR/lib/modules/V "
	"or\n"
	"                       /lib/modules/V; else they must be built in)\n"
	"  --cpus N             guest vCPUs, 1 to 254 (default 2)\n"
	"  --mem MB             guest memory in MiB (default 256)\n"
	"  --runner NAME        lguest (default), lguest-direct, lguest-nested "
	"or qemu\n"
	"                       (as lgtest run; the lguest runners need the "
	"launcher's\n"
	"                       --share)\n"
	"  --lguest FILE, --qemu FILE, --accel kvm|tcg   as lgtest run\n"
	"  --timeout DURATION   stop the guest after this long (default: "
	"none)\n"
	"  -v, --verbose        copy the whole console (the boot too) to "
	"stderr\n"
	"  -h, --help           this text\n"
	"\n"
	"Exit status: exec: COMMAND's; 255 when the guest ended before "
	"COMMAND did\n"
	"(a crash, a set-up error: the reason and the console's last lines go "
	"to\n"
	"stderr) or the timeout ran out; 2 on a usage error.  shell: 0 when "
	"the guest\n"
	"powered off, else 255.  128 + the signal on SIGINT, SIGTERM or "
	"SIGHUP.\n";

struct exec_opts {
	bool shell;
	struct config cfg;
	struct runner_settings runner;
	const char *modules_dir;
	double timeout;
	bool verbose;
	char *command; /* exec: the words, shell-quoted */
};

enum {
	EX_KERNEL = 256,
	EX_MODULES,
	EX_CPUS,
	EX_MEM,
	EX_RUNNER,
	EX_LGUEST,
	EX_QEMU,
	EX_ACCEL,
	EX_TIMEOUT,
};

static int exec_usage_error(const char *cmd, const char *msg, const char *arg)
{
	fprintf(stderr, "lgtest: %s: ", cmd);
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\nTry 'lgtest %s --help'.\n", cmd);
	return 2;
}

static bool whole_number(const char *s, long min, long max, unsigned int *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (!*s || *end || errno || n < min || n > max)
		return false;
	*v = (unsigned int)n;
	return true;
}

/* Where an option that names a runner or its program keeps it. */
static const char **runner_option(int c, struct exec_opts *o)
{
	const char **const slots[] = {
		[EX_RUNNER - EX_RUNNER] = &o->runner.name,
		[EX_LGUEST - EX_RUNNER] = &o->runner.lguest,
		[EX_QEMU - EX_RUNNER] = &o->runner.qemu,
		[EX_ACCEL - EX_RUNNER] = &o->runner.accel,
	};

	return c >= EX_RUNNER && c <= EX_ACCEL ? slots[c - EX_RUNNER] : NULL;
}

static int exec_option(int c, const char *cmd, struct exec_opts *o)
{
	const char **slot = runner_option(c, o);

	if (slot) {
		*slot = optarg;
		return 0;
	}
	switch (c) {
	case EX_KERNEL:
		free(o->cfg.kernel);
		o->cfg.kernel = xstrdup(optarg);
		return 0;
	case EX_MODULES:
		o->modules_dir = optarg;
		return 0;
	case EX_CPUS:
		return whole_number(optarg, 1, MAX_CPUS, &o->cfg.cpus)
			       ? 0
			       : exec_usage_error(cmd,
						  "--cpus: '%s' is not a "
						  "number from 1 to 254",
						  optarg);
	case EX_MEM:
		return whole_number(optarg, 64, 1048576, &o->cfg.mem_mb)
			       ? 0
			       : exec_usage_error(cmd,
						  "--mem: '%s' is not a number "
						  "of MiB from 64 to 1048576",
						  optarg);
	case EX_TIMEOUT:
		return parse_duration(optarg, &o->timeout) && o->timeout > 0
			       ? 0
			       : exec_usage_error(cmd,
						  "--timeout: '%s' is not a "
						  "positive duration",
						  optarg);
	case 'v':
		o->verbose = true;
		return 0;
	}
	return exec_usage_error(cmd, "%s", "bad option");
}

static int parse_exec_args(int argc, char **argv, struct exec_opts *o)
{
	static const struct option longopts[] = {
		{"kernel", required_argument, NULL, EX_KERNEL},
		{"modules-dir", required_argument, NULL, EX_MODULES},
		{"cpus", required_argument, NULL, EX_CPUS},
		{"mem", required_argument, NULL, EX_MEM},
		{"runner", required_argument, NULL, EX_RUNNER},
		{"lguest", required_argument, NULL, EX_LGUEST},
		{"qemu", required_argument, NULL, EX_QEMU},
		{"accel", required_argument, NULL, EX_ACCEL},
		{"timeout", required_argument, NULL, EX_TIMEOUT},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int c, rc;

	o->shell = !strcmp(cmd, "shell");
	o->runner.name = "lguest";
	optind = 1;
	while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(exec_usage, stdout);
			exit(0);
		}
		if ((rc = exec_option(c, cmd, o)))
			return rc;
	}
	if (o->runner.accel && strcmp(o->runner.name, "qemu"))
		return exec_usage_error(cmd, "%s",
					"--accel is for --runner qemu only");
	if (o->shell && optind < argc)
		return exec_usage_error(cmd, "unexpected '%s'", argv[optind]);
	if (!o->shell && optind == argc)
		return exec_usage_error(cmd, "%s", "no command given");
	if (!o->shell)
		o->command = quote_argv(argv + optind, (size_t)(argc - optind));
	return 0;
}

/* ---- running the guest ----------------------------------------------------
 */

static volatile sig_atomic_t exec_signal;

static void on_exec_signal(int sig)
{
	exec_signal = sig;
}

/* Signals wait blocked, and arrive only inside ppoll. */
static void catch_signals(sigset_t *wait_mask)
{
	struct sigaction sa = {.sa_handler = on_exec_signal};
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGHUP);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct session {
	const struct exec_opts *o;
	struct runner_proc vm;
	struct exec_filter filter;
	struct buf console; /* everything, for the tail on a failure */
	struct buf runner_err;
	bool stopped_by_user; /* ^] */
	bool timed_out;
};

static void random_nonce(char *out, size_t len)
{
	unsigned char b[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t i;

	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
		snprintf((char *)b, sizeof(b), "%x", (unsigned)getpid());
	if (fd >= 0)
		close(fd);
	for (i = 0; i < sizeof(b) && 2 * i + 2 < len; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Read what is there on *fd; false at its end (and *fd is then -1). */
static bool drain(int *fd, struct buf *into, size_t *from)
{
	char chunk[8192];
	ssize_t n;

	*from = into->len;
	for (;;) {
		n = read(*fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_add(into, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		close(*fd);
		*fd = -1;
		return false;
	}
}

static void on_console(struct session *s)
{
	size_t from;
	const char *data;
	size_t len;

	drain(&s->vm.out_fd, &s->console, &from);
	data = s->console.data + from;
	len = s->console.len - from;
	if (s->o->verbose)
		fwrite(data, 1, len, stderr);
	if (s->o->shell) {
		fwrite(data, 1, len, stdout);
		fflush(stdout);
	} else {
		exec_filter_feed(&s->filter, data, len, stdout);
	}
}

static void on_runner_err(struct session *s)
{
	size_t from;

	drain(&s->vm.err_fd, &s->runner_err, &from);
	if (s->o->verbose)
		fwrite(s->runner_err.data + from, 1, s->runner_err.len - from,
		       stderr);
}

/* The keyboard to the guest; ^] stops it.  False at the end of input. */
static bool on_keyboard(struct session *s)
{
	char chunk[1024], *esc;
	ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
	char *err = NULL;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	esc = memchr(chunk, SHELL_ESCAPE, (size_t)n);
	if (esc) {
		n = esc - chunk;
		s->stopped_by_user = true;
	}
	if (!proc_send(&s->vm, chunk, (size_t)n, &err))
		free(err);
	return true;
}

/* Pump the console until the runner ends, a signal or the timeout. */
static void pump(struct session *s, const sigset_t *wait_mask)
{
	double deadline = s->o->timeout > 0 ? now() + s->o->timeout : INFINITY;
	bool keyboard = s->o->shell;
	struct pollfd p[3];
	struct timespec ts = {0, 100 * 1000 * 1000};

	while (!exec_signal && !s->stopped_by_user) {
		p[0] = (struct pollfd){.fd = s->vm.out_fd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = s->vm.err_fd, .events = POLLIN};
		p[2] = (struct pollfd){.fd = keyboard ? STDIN_FILENO : -1,
				       .events = POLLIN};
		if (s->vm.out_fd < 0 && s->vm.err_fd < 0)
			break;
		if (now() > deadline) {
			s->timed_out = true;
			break;
		}
		if (ppoll(p, 3, &ts, wait_mask) < 0 && errno != EINTR)
			break;
		if (p[0].revents && s->vm.out_fd >= 0)
			on_console(s);
		if (p[1].revents && s->vm.err_fd >= 0)
			on_runner_err(s);
		if (p[2].revents && !on_keyboard(s))
			keyboard = false;
	}
}

/* The terminal as it was, for every way a shell ends. */
static struct termios saved_tty;
static bool tty_raw;

static void raw_terminal(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	raw = saved_tty;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* lgtest's own messages stay lines */
	if (!tcsetattr(STDIN_FILENO, TCSADRAIN, &raw))
		tty_raw = true;
}

static void restore_terminal(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
	tty_raw = false;
}

/* "ROWSxCOLS" of the terminal, or NULL. */
static char *terminal_size(void)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		return NULL;
	return xasprintf("%ux%u", ws.ws_row, ws.ws_col);
}

/* Why there is no status: the runner's end, its cause, the console. */
static void report_early_end(struct session *s, const struct runner *r)
{
	struct guest_stop stop;
	const char *what = s->o->shell ? "shell" : "exec";

	if (s->timed_out) {
		fprintf(stderr, "lgtest: %s: timed out after %.3g s\n", what,
			s->o->timeout);
		return;
	}
	runner_stopped(r, &s->vm, s->runner_err.data, &stop);
	fprintf(stderr, "lgtest: %s: the guest ended%s: %s%s%s\n", what,
		s->o->shell ? "" : " before the command did", stop.what,
		stop.cause[0] ? ": " : "", stop.cause);
	if (!s->o->verbose && s->console.len)
		fprintf(stderr, "lgtest: the console's last lines:\n%s\n",
			last_lines(s->console.data, s->console.len,
				   CONSOLE_TAIL));
}

static int session_status(struct session *s, const struct runner *r)
{
	struct guest_stop stop;

	if (exec_signal)
		return 128 + exec_signal;
	if (!s->o->shell && s->filter.ended)
		return s->filter.status;
	if (s->o->shell && s->stopped_by_user)
		return 0;
	if (s->o->shell && !s->timed_out) {
		runner_stopped(r, &s->vm, s->runner_err.data, &stop);
		if (!stop.infra && stop.status == 0)
			return 0;
	}
	report_early_end(s, r);
	return EXEC_FAILED;
}

static int run_session(struct exec_opts *o, const struct runner *r,
		       const char *nonce)
{
	struct session s = {.o = o};
	sigset_t wait_mask;
	char *err = NULL;
	int rc;

	exec_filter_init(&s.filter, nonce);
	catch_signals(&wait_mask);
	if (!proc_start(r, &o->cfg, &s.vm, &err)) {
		fprintf(stderr, "lgtest: %s: %s\n", o->shell ? "shell" : "exec",
			err);
		free(err);
		exec_filter_free(&s.filter);
		return EXEC_FAILED;
	}
	if (o->shell)
		raw_terminal();
	pump(&s, &wait_mask);
	proc_reap(&s.vm, !exec_signal && !s.timed_out && !s.stopped_by_user);
	proc_stop(&s.vm);
	restore_terminal();
	rc = session_status(&s, r);
	exec_filter_free(&s.filter);
	buf_free(&s.console);
	buf_free(&s.runner_err);
	return rc;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_opts o = {0};
	struct rootfs_host h = {0};
	struct runner r;
	char nonce[17] = "", *err = NULL, *tty = NULL;
	int rc = parse_exec_args(argc, argv, &o);

	if (rc)
		return rc;
	/* The nonce goes on the kernel command line and into the filter. */
	random_nonce(nonce, sizeof(nonce));
	h.mode = o.shell ? "shell" : "exec";
	h.command = o.command;
	h.nonce = o.shell ? NULL : nonce;
	h.tty = o.shell ? (tty = terminal_size()) : NULL;
	h.modules_dir = o.modules_dir;
	/*
	 * Only the command's output (the shell) on the console, if it can;
	 * and no IO-APIC timer check, which a TCG guest on a loaded machine
	 * can fail ("IO-APIC + timer doesn't work!", a panic).
	 */
	o.cfg.cmdline = xstrdup("quiet no_timer_check");
	if (!rootfs_host_config(&o.cfg, &h, &err) ||
	    !runner_init(&r, &o.runner, &err)) {
		fprintf(stderr, "lgtest: %s: %s\n", argv[0], err);
		free(err);
		rc = EXEC_FAILED;
	} else {
		config_defaults(&o.cfg);
		rc = run_session(&o, &r, nonce);
		runner_free(&r);
	}
	config_free(&o.cfg);
	free(o.command);
	free(tty);
	return rc;
}
