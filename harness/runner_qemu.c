// SPDX-License-Identifier: GPL-2.0
/*
 * The qemu runner: qemu-system-x86_64 with KVM where this machine has
 * hardware virtualisation, else TCG, the console on stdio, and the
 * launcher's devices mapped onto QEMU's.
 *
 * QEMU's own exit status cannot tell a power-off from a reset (-no-reboot
 * turns both into status 0), so lgtest runs QEMU under a supervisor (the
 * hidden command `lgtest qemu-supervise`) that starts it paused, listens
 * to its QMP events on fd 3 and exits with the launcher's statuses:
 *
 *   SHUTDOWN, reason guest-shutdown      0 (power-off)
 *   SHUTDOWN, reason guest-reset/panic   2 (reset; QEMU cannot tell a
 *                                           triple fault from a reset)
 *   isa-debug-exit on port 0xf4          V: QEMU exits (V << 1) | 1, so
 *                                           only V up to 127 survive
 *   STOP (QEMU paused the guest on an    4 (as a KVM internal error)
 *   internal error)
 *   QEMU failed before the guest ran     1, with QEMU's message on stderr
 *
 * and, given --status-fd=N first, writes the launcher's status line there
 * (exit_status.h): "guest V" for isa-debug-exit, else "launcher REASON".
 *
 * SIGURG to the supervisor (runner.h: a BREAK) becomes QMP's
 * chardev-send-break on the serial port's chardev.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "device_table.h"
#include "runner.h"
#include "share.h"
#include "tools.h"

#define QMP_FD 3

char *qemu_escape(const char *s)
{
	struct buf b = {0};

	buf_add(&b, "", 0);
	for (; *s; s++)
		buf_add(&b, *s == ',' ? ",," : s, *s == ',' ? 2 : 1);
	return b.data;
}

/* The devices as QEMU's, as the table maps them; consoles come later. */
static bool add_devices(const struct config *cfg, char ***argv, size_t *argc,
			char **err)
{
	const struct lg_device_option *opt;
	const struct lg_device *dev;
	size_t i;
	char *file;

	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];

		/* Shares and fs devices: share_qemu_args, after these. */
		if (share_is_fs_device(d))
			continue;
		dev = lg_device_by_option(d->kind, &opt);
		if (!dev || dev->qemu == LG_QEMU_NONE) {
			*err = xasprintf("device %s is not available on the "
					 "qemu runner",
					 d->kind);
			return false;
		}
		if (dev->qemu == LG_QEMU_DRIVE) {
			file = qemu_escape(d->value);
			push_arg(argv, argc, xstrdup("-drive"));
			push_arg(argv, argc,
				 xasprintf(
					 "file=%s,format=raw,if=virtio%s", file,
					 opt->read_only ? ",readonly=on" : ""));
			free(file);
		} else if (dev->qemu == LG_QEMU_DEVICE) {
			push_arg(argv, argc, xstrdup("-device"));
			push_arg(argv, argc, xstrdup(dev->qemu_device));
		}
	}
	return true;
}

/*
 * The consoles, as the launcher has them: the serial port on stdin and
 * stdout; with a virtio console, that console on stdin and stdout and the
 * serial port on stdout only (QEMU's file chardev on its own fd 1).  Not a
 * mux: a mux would take ^A from the keyboard as its escape (^A x quits
 * QEMU, ^A c moves the keyboard to the serial port).
 */
static void add_consoles(bool vcon, char ***argv, size_t *argc)
{
	const char *const serial[] = {"-chardev",
				      "stdio,id=lgtest-con,signal=off",
				      "-serial", "chardev:lgtest-con"};
	const char *const virtio[] = {
		"-chardev", "stdio,id=lgtest-con,signal=off",
		"-chardev", "file,id=lgtest-serial,path=/proc/self/fd/1",
		"-serial",  "chardev:lgtest-serial",
		"-device",  "virtio-serial-pci",
		"-device",  "virtconsole,chardev=lgtest-con"};
	const char *const *args = vcon ? virtio : serial;
	size_t i, n = vcon ? ARRAY_SIZE(virtio) : ARRAY_SIZE(serial);

	for (i = 0; i < n; i++)
		push_arg(argv, argc, xstrdup(args[i]));
}

/*
 * Under TCG a busy host can stall the guest's vCPU for longer than the few
 * timer ticks Linux's IO-APIC timer check waits for, and the boot then
 * panics "IO-APIC + timer doesn't work!" (seen at load 11 with two boots
 * side by side).  That is the emulator's timing, not the kernel under
 * test, so TCG boots skip the check, as virtme-ng's do.
 */
static char *qemu_cmdline(const struct runner *r, const struct config *cfg)
{
	char *line = kernel_cmdline(cfg), *tcg;

	if (strcmp(r->accel, "tcg"))
		return line;
	tcg = xasprintf("%s no_timer_check", line);
	free(line);
	return tcg;
}

/* QEMU has no status line: qemu-supervise, around it, writes one. */
static bool qemu_command(const struct runner *r, const struct config *cfg,
			 bool status, char ***argv, size_t *argc, char **err)
{
	bool kvm = !strcmp(r->accel, "kvm");
	size_t i;

	(void)status;
	const char *const fixed[] = {
		"-nodefaults", "-no-user-config",
		"-display",    "none",
		"-no-reboot",  "-S",
		"-chardev",    "socket,id=lgtest-qmp,fd=3",
		"-mon",	       "chardev=lgtest-qmp,mode=control",
		"-device",     "isa-debug-exit,iobase=0xf4,iosize=0x04"};

	if (!check_boot_files(cfg, err) ||
	    !share_supervisor_args(cfg, argv, argc, err))
		return false;
	push_arg(argv, argc, xstrdup(r->program));
	push_arg(argv, argc, xstrdup("-accel"));
	push_arg(argv, argc, xstrdup(r->accel));
	if (kvm) {
		push_arg(argv, argc, xstrdup("-cpu"));
		push_arg(argv, argc, xstrdup("host"));
	}
	push_arg(argv, argc, xstrdup("-m"));
	push_arg(argv, argc,
		 xasprintf("%u", cfg->mem_mb ? cfg->mem_mb : DEFAULT_MEM_MB));
	push_arg(argv, argc, xstrdup("-smp"));
	push_arg(argv, argc, xasprintf("%u", config_cpus(cfg)));
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		push_arg(argv, argc, xstrdup(fixed[i]));
	add_consoles(config_has_console_device(cfg), argv, argc);
	if (!add_devices(cfg, argv, argc, err) ||
	    !share_qemu_args(cfg, cfg->mem_mb ? cfg->mem_mb : DEFAULT_MEM_MB,
			     argv, argc, err))
		return false;
	push_arg(argv, argc, xstrdup("-kernel"));
	push_arg(argv, argc, xstrdup(cfg->kernel));
	if (cfg->initrd) {
		push_arg(argv, argc, xstrdup("-initrd"));
		push_arg(argv, argc, xstrdup(cfg->initrd));
	}
	push_arg(argv, argc, xstrdup("-append"));
	push_arg(argv, argc, qemu_cmdline(r, cfg));
	return true;
}

const struct runner_ops qemu_ops = {
	.name = "qemu",
	.command = qemu_command,
	.who = "qemu",
	.supervised = true,
};

/* Hardware virtualisation: a usable /dev/kvm and VT-x or AMD-V. */
static bool hardware_kvm(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;

	if (!f || access("/dev/kvm", R_OK | W_OK)) {
		if (f)
			fclose(f);
		return false;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "flags", 5) &&
			(strstr(line, " vmx") || strstr(line, " svm"));
	fclose(f);
	return found;
}

bool qemu_setup(struct runner *r, const struct runner_settings *s, char **err)
{
	r->program = xstrdup(s->qemu ? s->qemu : "qemu-system-x86_64");
	if (!have_program(r->program)) {
		*err = xasprintf("the qemu runner needs %s (apt-get install "
				 "qemu-system-x86)",
				 r->program);
		return false;
	}
	if (s->accel && strcmp(s->accel, "kvm") && strcmp(s->accel, "tcg")) {
		*err = xasprintf("--accel: '%s' is neither kvm nor tcg",
				 s->accel);
		return false;
	}
	if (s->accel) {
		r->accel = xstrdup(s->accel);
		r->choice = xasprintf("qemu (accel %s, as asked)", r->accel);
	} else {
		r->accel = xstrdup(hardware_kvm() ? "kvm" : "tcg");
		r->choice = xasprintf("qemu (accel %s: %s)", r->accel,
				      r->accel[0] == 'k'
					      ? "/dev/kvm with VT-x or AMD-V"
					      : "no hardware virtualisation");
	}
	return true;
}

/* ---- the supervisor ---------------------------------------------------- */

enum qmp_state { QMP_GREETING, QMP_NEGOTIATING, QMP_STARTING, QMP_RUNNING };

struct supervisor {
	int fd;
	enum qmp_state state;
	char reason[64]; /* the SHUTDOWN event's reason, or "" */
	bool stopped; /* QEMU paused the guest by itself */
};

/*
 * What SIGURG sends, made before QEMU starts: the handler may only
 * write(2).  Only once the guest runs, so that it never comes between
 * the supervisor's own commands.
 */
static int break_fd = -1;
static char break_cmd[192];
static size_t break_len;
static volatile sig_atomic_t guest_running;

static void send_break(int sig)
{
	(void)sig;
	if (guest_running && break_len &&
	    write(break_fd, break_cmd, break_len) < 0)
		return;
}

/* The chardev of QEMU's serial port: argv has "-serial chardev:ID". */
static void prepare_break(char **argv, int fd)
{
	const char *id = NULL;
	struct sigaction sa = {.sa_handler = send_break,
			       .sa_flags = SA_RESTART};
	int i, n;

	for (i = 1; argv[i] && argv[i + 1]; i++)
		if (!strcmp(argv[i], "-serial") &&
		    !strncmp(argv[i + 1], "chardev:", 8))
			id = argv[i + 1] + 8;
	if (!id)
		return;
	n = snprintf(break_cmd, sizeof(break_cmd),
		     "{\"execute\": \"chardev-send-break\", "
		     "\"arguments\": {\"id\": \"%s\"}}\n",
		     id);
	if (n < 0 || (size_t)n >= sizeof(break_cmd))
		return;
	break_len = (size_t)n;
	break_fd = fd;
	sigaction(SIGURG, &sa, NULL);
}

/* The string value of "key" in a QMP message, or "" if it has none. */
static void json_field(const char *msg, const char *key, char *out,
		       size_t outlen)
{
	char *pat = xasprintf("\"%s\"", key);
	const char *p = strstr(msg, pat);
	size_t n;

	out[0] = '\0';
	if (p) {
		p += strlen(pat);
		p += strspn(p, " :");
		if (*p == '"') {
			n = strcspn(++p, "\"");
			snprintf(out, outlen, "%.*s", (int)n, p);
		}
	}
	free(pat);
}

static void qmp_send(struct supervisor *s, const char *cmd)
{
	char *msg = xasprintf("{\"execute\": \"%s\"}\n", cmd);
	size_t len = strlen(msg);

	if (write(s->fd, msg, len) != (ssize_t)len)
		fprintf(stderr, "lgtest: qmp: %s: %s\n", cmd, strerror(errno));
	free(msg);
}

static void qmp_message(struct supervisor *s, const char *msg)
{
	char event[64];

	json_field(msg, "event", event, sizeof(event));
	if (s->state == QMP_GREETING && strstr(msg, "\"QMP\"")) {
		qmp_send(s, "qmp_capabilities");
		s->state = QMP_NEGOTIATING;
	} else if (s->state == QMP_NEGOTIATING && strstr(msg, "\"return\"")) {
		qmp_send(s, "cont");
		s->state = QMP_STARTING;
	} else if (s->state == QMP_STARTING && strstr(msg, "\"return\"")) {
		s->state = QMP_RUNNING;
		guest_running = 1;
	} else if (!strcmp(event, "SHUTDOWN") && !s->reason[0]) {
		json_field(msg, "reason", s->reason, sizeof(s->reason));
	} else if (!strcmp(event, "STOP") && s->state == QMP_RUNNING &&
		   !s->reason[0] && !s->stopped) {
		s->stopped = true;
		qmp_send(s, "quit");
	} else if (strstr(msg, "\"error\"")) {
		fprintf(stderr, "lgtest: qmp: %s\n", msg);
	}
}

/* Read QMP messages, one a line, until QEMU closes the socket. */
static void qmp_loop(struct supervisor *s)
{
	struct buf in = {0};
	char chunk[4096], *nl;
	size_t used;
	ssize_t n;

	for (;;) {
		n = read(s->fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(&in, chunk, (size_t)n);
		used = 0;
		while ((nl = memchr(in.data + used, '\n', in.len - used))) {
			*nl = '\0';
			qmp_message(s, in.data + used);
			used = (size_t)(nl - in.data) + 1;
		}
		memmove(in.data, in.data + used, in.len - used);
		in.len -= used;
	}
	buf_free(&in);
}

/* The launcher's exit status for how QEMU ended; *guest: the guest's. */
static int supervised_status(const struct supervisor *s, int ws, bool *guest)
{
	*guest = false;
	if (s->state != QMP_RUNNING) {
		fprintf(stderr, "lgtest: qemu ended before the guest started "
				"(see its messages above)\n");
		return LG_EXIT_SETUP;
	}
	if (s->stopped) {
		fprintf(stderr, "lgtest: qemu stopped the guest by itself (an "
				"internal or emulation error)\n");
		return LG_EXIT_KVM_ERROR;
	}
	if (!strcmp(s->reason, "guest-shutdown"))
		return LG_EXIT_POWER_OFF;
	if (!strcmp(s->reason, "guest-reset") ||
	    !strcmp(s->reason, "guest-panic"))
		return LG_EXIT_RESET;
	if (s->reason[0]) {
		fprintf(stderr, "lgtest: qemu shut down: %s\n", s->reason);
		return LG_EXIT_SETUP;
	}
	if (WIFEXITED(ws) && (WEXITSTATUS(ws) & 1)) {
		*guest = true;
		return WEXITSTATUS(ws) >> 1; /* isa-debug-exit */
	}
	if (WIFSIGNALED(ws))
		fprintf(stderr, "lgtest: qemu killed by signal %d\n",
			WTERMSIG(ws));
	else
		fprintf(stderr,
			"lgtest: qemu exited with status %d and no shutdown "
			"event\n",
			WEXITSTATUS(ws));
	return LG_EXIT_SETUP;
}

/* "--status-fd=N" first: where the status line goes; -1 without. */
static int supervise_status_fd(int *argc, char ***argv)
{
	const char *arg = *argc > 1 ? (*argv)[1] : "";
	int fd;

	if (strncmp(arg, "--status-fd=", 12))
		return -1;
	fd = atoi(arg + 12);
	(*argc)--;
	(*argv)++;
	/* QEMU must not hold it: its end is not the line's. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

int qemu_supervise(int argc, char **argv,
		   const struct share_backend_ops *share_ops)
{
	struct supervisor s = {0};
	struct share_backends shares;
	int sv[2], ws = 0, null, status, status_fd, taken;
	bool guest;
	pid_t pid;

	status_fd = supervise_status_fd(&argc, &argv);
	/* The shares' back-ends first: QEMU connects at its start. */
	taken = share_backends_start(share_ops, argc - 1, argv + 1, &shares);
	if (taken < 0)
		return LG_EXIT_SETUP;
	argc -= taken;
	argv += taken;
	if (argc < 2) {
		fprintf(stderr, "usage: lgtest qemu-supervise [--status-fd=N] "
				"[--share FD ro|rw DIR]... QEMU [ARGS...] (run "
				"by the qemu runner)\n");
		share_backends_stop(&shares);
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fprintf(stderr, "lgtest: socketpair: %s\n", strerror(errno));
		share_backends_stop(&shares);
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* dup2 clears close-on-exec on the copy. */
		if (dup2(sv[1], QMP_FD) < 0)
			_exit(127);
		if (sv[1] == QMP_FD)
			fcntl(QMP_FD, F_SETFD, 0);
		share_backends_hand_over(&shares);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "lgtest: cannot run %s: %s\n", argv[1],
			strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	if (pid < 0) {
		fprintf(stderr, "lgtest: fork: %s\n", strerror(errno));
		share_backends_stop(&shares);
		return 1;
	}
	/* The console is QEMU's: its end must be QEMU's end. */
	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	close(null);
	s.fd = sv[0];
	prepare_break(argv, s.fd);
	qmp_loop(&s);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	share_backends_stop(&shares);
	status = supervised_status(&s, ws, &guest);
	if (status_fd >= 0 &&
	    !runner_report(status_fd, guest ? LG_BY_GUEST : LG_BY_LAUNCHER,
			   status))
		fprintf(stderr, "lgtest: cannot write the status line\n");
	return status;
}
