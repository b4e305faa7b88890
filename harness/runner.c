// SPDX-License-Identifier: GPL-2.0
/*
 * Starting, feeding and stopping runner processes, and what every runner
 * shares: the boot files, the kernel command line, the exit statuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device_table.h"
#include "nested_host.h"
#include "runner.h"

#define STOP_GRACE 2.0 /* seconds a runner has to end after SIGTERM */

void push_arg(char ***argv, size_t *argc, char *arg)
{
	*ARRAY_PUSH(argv, argc) = arg;
}

static bool readable_file(const char *what, const char *path, char **err)
{
	struct stat st;

	if (stat(path, &st) || access(path, R_OK)) {
		*err = xasprintf("%s %s: %s", what, path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		*err = xasprintf("%s %s: not a regular file", what, path);
		return false;
	}
	return true;
}

bool check_boot_files(const struct config *cfg, char **err)
{
	size_t i;
	char *what;
	bool ok;

	if (!cfg->kernel) {
		*err = xstrdup("no kernel: name one with 'kernel' in the "
			       "script or --kernel");
		return false;
	}
	if (!readable_file("kernel", cfg->kernel, err) ||
	    (cfg->initrd && !readable_file("initrd", cfg->initrd, err)))
		return false;
	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		const struct lg_device_option *opt;

		if (!lg_device_by_option(d->kind, &opt) ||
		    opt->arg != LG_ARG_DISK)
			continue;
		what = xasprintf("device %s", d->kind);
		ok = readable_file(what, d->value, err);
		free(what);
		if (!ok)
			return false;
	}
	return true;
}

bool config_has_console_device(const struct config *cfg)
{
	const struct lg_device_option *opt;
	const struct lg_device *dev;
	size_t i;

	for (i = 0; i < cfg->ndevices; i++) {
		dev = lg_device_by_option(cfg->devices[i].kind, &opt);
		if (dev && dev->console)
			return true;
	}
	return false;
}

char *kernel_cmdline(const struct config *cfg)
{
	return cfg->cmdline ? xasprintf("%s %s", DEFAULT_CMDLINE, cfg->cmdline)
			    : xstrdup(DEFAULT_CMDLINE);
}

void runner_cause(const char *stderr_text, char *out, size_t len)
{
	const char *end = stderr_text ? strchr(stderr_text, '\0') : NULL;
	const char *line, *last = NULL;
	size_t n, last_n = 0;

	out[0] = '\0';
	while (end && end > stderr_text) {
		/* The line that ends at end (less its newline). */
		for (line = end; line > stderr_text && line[-1] != '\n'; line--)
			;
		n = (size_t)(end - line);
		end = line > stderr_text ? line - 1 : NULL;
		while (n && strchr(" \t\r\n", line[n - 1]))
			n--;
		if (!n)
			continue;
		if (!last) {
			last = line;
			last_n = n;
		}
		if (strncmp(line, "lgtest: ", 8)) {
			last = line;
			last_n = n;
			break;
		}
	}
	if (last)
		snprintf(out, len, "%.*s", (int)last_n, last);
}

/* No status line: the runner failed before it could say what happened. */
static void describe_unreported(int wstatus, const char *stderr_text,
				const char *who, struct guest_stop *stop)
{
	if (WIFSIGNALED(wstatus)) {
		snprintf(stop->what, sizeof(stop->what),
			 "%s killed by signal %d (%s)", who, WTERMSIG(wstatus),
			 strsignal(WTERMSIG(wstatus)));
		return;
	}
	snprintf(stop->what, sizeof(stop->what),
		 "%s ended with status %d and no status line", who,
		 WEXITSTATUS(wstatus));
	runner_cause(stderr_text, stop->cause, sizeof(stop->cause));
}

/* The launcher's exit statuses (exit_status.h, README, lguest(1)). */
void describe_stop(const struct runner_end *end, const char *stderr_text,
		   const char *who, struct guest_stop *stop)
{
	const struct lg_exit_report *r = &end->report;
	const struct lg_exit_meaning *m;

	stop->cause[0] = '\0';
	stop->status = -1;
	stop->infra = true;
	if (!end->reported) {
		describe_unreported(end->wstatus, stderr_text, who, stop);
		return;
	}
	if (r->by == LG_BY_SIGNAL) {
		snprintf(stop->what, sizeof(stop->what),
			 "%s killed by signal %d (%s)", who, r->value,
			 strsignal(r->value));
		return;
	}
	stop->status = r->value;
	if (r->by == LG_BY_GUEST) {
		stop->infra = false;
		snprintf(stop->what, sizeof(stop->what),
			 "guest wrote %d to port 0xf4 (%s status %d)", r->value,
			 who, r->value);
		return;
	}
	m = lg_exit_by_status(r->value); /* lg_exit_parse found it there */
	stop->infra = m->launcher_failed;
	snprintf(stop->what, sizeof(stop->what), "%s (%s status %d)", m->text,
		 who, r->value);
	/* The launcher's last word says why it could not run the guest. */
	if (r->value == LG_EXIT_SETUP || r->value == LG_EXIT_SANDBOX)
		runner_cause(stderr_text, stop->cause, sizeof(stop->cause));
}

bool runner_report(int fd, enum lg_exit_chooser by, int value)
{
	struct lg_exit_report r = {.by = by, .value = value};
	char line[64];
	int n = lg_exit_format(&r, line, sizeof(line));

	/* One write, shorter than PIPE_BUF: the reader sees all or none. */
	return n > 0 && write(fd, line, (size_t)n) == n;
}

/* The status line, if the runner (gone now) wrote one. */
static void read_end(struct runner_proc *proc, struct runner_end *end)
{
	char line[64];
	ssize_t n = -1;

	end->wstatus = proc->wstatus;
	end->reported = false;
	if (proc->status_fd >= 0) {
		do
			n = read(proc->status_fd, line, sizeof(line));
		while (n < 0 && errno == EINTR);
	}
	end->reported = n > 0 && lg_exit_parse(line, (size_t)n, &end->report);
}

void runner_stopped(const struct runner *r, struct runner_proc *proc,
		    const char *stderr_text, struct guest_stop *stop)
{
	struct runner_end end;

	read_end(proc, &end);
	if (r->ops->stopped)
		r->ops->stopped(&end, stderr_text, stop);
	else
		describe_stop(&end, stderr_text, r->ops->who, stop);
}

static const struct runner_ops *const all_runners[] = {
	&lguest_direct_ops,
	&lguest_nested_ops,
	&qemu_ops,
};

const char *runner_names(void)
{
	return "lguest, lguest-direct, lguest-nested, qemu";
}

bool runner_init(struct runner *r, const struct runner_settings *s, char **err)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!strcmp(s->name, "lguest"))
		return lguest_setup(r, s, err);
	for (i = 0; i < ARRAY_SIZE(all_runners); i++)
		if (!strcmp(all_runners[i]->name, s->name))
			break;
	if (i == ARRAY_SIZE(all_runners)) {
		*err = xasprintf("unknown runner '%s' (known: %s)", s->name,
				 runner_names());
		return false;
	}
	r->ops = all_runners[i];
	if (r->ops == &qemu_ops)
		return qemu_setup(r, s, err);
	return lguest_setup(r, s, err);
}

void runner_free(struct runner *r)
{
	free(r->program);
	free(r->helper);
	free(r->agent);
	if (r->pool)
		nested_pool_destroy(r->pool);
	free(r->pool);
	free(r->accel);
	free(r->choice);
	memset(r, 0, sizeof(*r));
}

/* ---- processes ---------------------------------------------------------- */

static void shell_quote(struct buf *b, const char *s)
{
	const char *p;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
			    "YZ0123456789-_=+./:,@%") == strlen(s)) {
		buf_add(b, s, strlen(s));
		return;
	}
	buf_add(b, "'", 1);
	for (p = s; *p; p++) {
		if (*p == '\'')
			buf_add(b, "'\\''", 4);
		else
			buf_add(b, p, 1);
	}
	buf_add(b, "'", 1);
}

static void free_argv(char **argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

char *quote_argv(char **argv, size_t argc)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < argc; i++) {
		if (i)
			buf_add(&b, " ", 1);
		shell_quote(&b, argv[i]);
	}
	return b.data;
}

char *proc_command(const struct runner *r, const struct config *cfg, char **err)
{
	char **argv = NULL, *cmd;
	size_t argc = 0;

	if (!r->ops->command(r, cfg, false, &argv, &argc, err)) {
		free_argv(argv, argc);
		return NULL;
	}
	cmd = quote_argv(argv, argc);
	free_argv(argv, argc);
	return cmd;
}

static void __attribute__((noreturn))
exec_child(char **argv, int in, int out, int errfd, int status)
{
	/* Die with lgtest, however it dies; never outlive it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	dup2(in, 0);
	dup2(out, 1);
	dup2(errfd, 2);
	/* dup2 clears close-on-exec on the copy; to itself, it does not. */
	if (status == RUNNER_STATUS_FD)
		fcntl(status, F_SETFD, 0);
	else
		dup2(status, RUNNER_STATUS_FD);
	execvp(argv[0], argv);
	dprintf(2, "lgtest: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

bool proc_start(const struct runner *r, const struct config *cfg,
		struct runner_proc *proc, char **err)
{
	int in[2], out[2], errp[2], status[2];
	char **argv = NULL;
	size_t argc = 0;

	memset(proc, 0, sizeof(*proc));
	proc->pid = -1;
	proc->out_fd = proc->err_fd = proc->in_fd = proc->status_fd = -1;
	/* The command to show is one a user can run: no status line. */
	proc->command = proc_command(r, cfg, err);
	if (!proc->command ||
	    !r->ops->command(r, cfg, true, &argv, &argc, err)) {
		free_argv(argv, argc);
		return false;
	}
	if (r->ops->supervised) {
		/* lgtest itself runs the command and watches it. */
		size_t n = argc;

		push_arg(&argv, &argc, NULL);
		push_arg(&argv, &argc, NULL);
		push_arg(&argv, &argc, NULL);
		memmove(argv + 3, argv, n * sizeof(*argv));
		argv[0] = xstrdup("/proc/self/exe");
		argv[1] = xstrdup("qemu-supervise");
		argv[2] = xasprintf("--status-fd=%d", RUNNER_STATUS_FD);
	}
	push_arg(&argv, &argc, NULL);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(errp, O_CLOEXEC) || pipe2(status, O_CLOEXEC)) {
		*err = xasprintf("pipe: %s", strerror(errno));
		free_argv(argv, argc);
		return false;
	}
	proc->pid = fork();
	if (proc->pid == 0)
		exec_child(argv, in[0], out[1], errp[1], status[1]);
	free_argv(argv, argc);
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	close(status[1]);
	if (proc->pid < 0) {
		*err = xasprintf("fork: %s", strerror(errno));
		close(in[1]);
		close(out[0]);
		close(errp[0]);
		close(status[0]);
		return false;
	}
	setpgid(proc->pid,
		proc->pid); /* as the child does: no race either way */
	proc->in_fd = in[1];
	proc->out_fd = out[0];
	proc->err_fd = errp[0];
	proc->status_fd = status[0];
	/* Read once the runner is gone; a leftover holding it must not
	 * block lgtest. */
	fcntl(proc->status_fd, F_SETFL, O_NONBLOCK);
	fcntl(proc->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(proc->err_fd, F_SETFL, O_NONBLOCK);
	return true;
}

bool proc_send(struct runner_proc *proc, const char *data, size_t len,
	       char **err)
{
	ssize_t n;

	while (len) {
		n = write(proc->in_fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("writing to the guest's console: %s",
					 strerror(errno));
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

bool proc_break(struct runner_proc *proc)
{
	return proc->pid > 0 && !proc->exited && kill(proc->pid, SIGURG) == 0;
}

/*
 * WNOWAIT leaves the runner a zombie until proc_stop, so its process group
 * id cannot be reused before proc_stop has killed the group.
 */
bool proc_reap(struct runner_proc *proc, bool block)
{
	siginfo_t info;
	int rc;

	if (proc->exited || proc->pid <= 0)
		return proc->exited;
	do {
		info.si_pid = 0;
		rc = waitid(P_PID, (id_t)proc->pid, &info,
			    WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
	} while (rc < 0 && errno == EINTR);
	if (rc || info.si_pid != proc->pid)
		return false;
	proc->exited = true;
	proc->wstatus = info.si_code == CLD_EXITED
				? W_EXITCODE(info.si_status, 0)
				: W_EXITCODE(0, info.si_status);
	return true;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Ask the runner's group to stop (SIGTERM), so that a runner with files
 * of its own (the nested host's temporary directory) can remove them;
 * give it STOP_GRACE to end.  Only the runner's own end is awaited.
 */
static void terminate_group(struct runner_proc *proc)
{
	double deadline = now() + STOP_GRACE;

	if (proc->exited)
		return;
	kill(-proc->pid, SIGTERM);
	while (!proc_reap(proc, false) && now() < deadline)
		nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
}

void proc_stop(struct runner_proc *proc)
{
	if (proc->pid > 0) {
		terminate_group(proc);
		/* Then the group: anything the runner started goes too. */
		kill(-proc->pid, SIGKILL);
		kill(proc->pid, SIGKILL);
		proc_reap(proc, true);
		while (waitpid(proc->pid, NULL, 0) < 0 && errno == EINTR)
			;
		proc->pid = -1;
	}
	close_fd(&proc->in_fd);
	close_fd(&proc->out_fd);
	close_fd(&proc->err_fd);
	close_fd(&proc->status_fd);
	free(proc->command);
	proc->command = NULL;
}
