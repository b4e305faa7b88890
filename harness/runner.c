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

		if (strcmp(d->kind, "block") && strcmp(d->kind, "block-ro"))
			continue;
		what = xasprintf("device %s", d->kind);
		ok = readable_file(what, d->value, err);
		free(what);
		if (!ok)
			return false;
	}
	return true;
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

/* The launcher's exit statuses (README, lguest(1)). */
void describe_stop(int wstatus, const char *stderr_text, const char *who,
		   struct guest_stop *stop)
{
	static const char *const meaning[] = {
		[0] = "powered off",
		[1] = "set-up error",
		[2] = "reset",
		[3] = "triple fault",
		[4] = "KVM internal error or emulation failure",
		[5] = "halted with nothing left to wake it",
		[6] = "broke a virtio queue (--strict)",
	};
	int s;

	stop->cause[0] = '\0';
	if (WIFSIGNALED(wstatus)) {
		stop->status = -1;
		stop->infra = true;
		snprintf(stop->what, sizeof(stop->what),
			 "%s killed by signal %d (%s)", who, WTERMSIG(wstatus),
			 strsignal(WTERMSIG(wstatus)));
		return;
	}
	s = WEXITSTATUS(wstatus);
	stop->status = s;
	/* A set-up error prints why; a guest writing 1 to port 0xf4 does not.
	 */
	stop->infra =
		s == 4 || s == 130 || (s == 1 && stderr_text && *stderr_text);
	if (s == 1 && stop->infra)
		runner_cause(stderr_text, stop->cause, sizeof(stop->cause));
	if (s < (int)ARRAY_SIZE(meaning) && !(s == 1 && !stop->infra))
		snprintf(stop->what, sizeof(stop->what), "%s (%s status %d)",
			 meaning[s], who, s);
	else if (s == 130)
		snprintf(stop->what, sizeof(stop->what),
			 "stopped by ^C^C^C (%s status 130)", who);
	else
		snprintf(stop->what, sizeof(stop->what),
			 "guest wrote %d to port 0xf4 (%s status %d)", s, who,
			 s);
}

void runner_stopped(const struct runner *r, int wstatus,
		    const char *stderr_text, struct guest_stop *stop)
{
	if (r->ops->stopped)
		r->ops->stopped(wstatus, stderr_text, stop);
	else
		describe_stop(wstatus, stderr_text, r->ops->who, stop);
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

char *vm_command(const struct runner *r, const struct config *cfg, char **err)
{
	char **argv = NULL, *cmd;
	size_t argc = 0;

	if (!r->ops->command(r, cfg, &argv, &argc, err)) {
		free_argv(argv, argc);
		return NULL;
	}
	cmd = quote_argv(argv, argc);
	free_argv(argv, argc);
	return cmd;
}

static void __attribute__((noreturn))
exec_child(char **argv, int in, int out, int errfd)
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
	execvp(argv[0], argv);
	dprintf(2, "lgtest: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

bool vm_start(const struct runner *r, const struct config *cfg, struct vm *vm,
	      char **err)
{
	int in[2], out[2], errp[2];
	char **argv = NULL;
	size_t argc = 0;

	memset(vm, 0, sizeof(*vm));
	vm->pid = -1;
	vm->out_fd = vm->err_fd = vm->in_fd = -1;
	if (!r->ops->command(r, cfg, &argv, &argc, err)) {
		free_argv(argv, argc);
		return false;
	}
	vm->command = quote_argv(argv, argc);
	if (r->ops->supervised) {
		/* lgtest itself runs the command and watches it. */
		size_t n = argc;

		push_arg(&argv, &argc, NULL);
		push_arg(&argv, &argc, NULL);
		memmove(argv + 2, argv, n * sizeof(*argv));
		argv[0] = xstrdup("/proc/self/exe");
		argv[1] = xstrdup("qemu-supervise");
	}
	push_arg(&argv, &argc, NULL);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(errp, O_CLOEXEC)) {
		*err = xasprintf("pipe: %s", strerror(errno));
		free_argv(argv, argc);
		return false;
	}
	vm->pid = fork();
	if (vm->pid == 0)
		exec_child(argv, in[0], out[1], errp[1]);
	free_argv(argv, argc);
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	if (vm->pid < 0) {
		*err = xasprintf("fork: %s", strerror(errno));
		close(in[1]);
		close(out[0]);
		close(errp[0]);
		return false;
	}
	setpgid(vm->pid, vm->pid); /* as the child does: no race either way */
	vm->in_fd = in[1];
	vm->out_fd = out[0];
	vm->err_fd = errp[0];
	fcntl(vm->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(vm->err_fd, F_SETFL, O_NONBLOCK);
	return true;
}

bool vm_send(struct vm *vm, const char *data, size_t len, char **err)
{
	ssize_t n;

	while (len) {
		n = write(vm->in_fd, data, len);
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

bool vm_break(struct vm *vm)
{
	return vm->pid > 0 && !vm->exited && kill(vm->pid, SIGURG) == 0;
}

/*
 * WNOWAIT leaves the runner a zombie until vm_stop, so its process group
 * id cannot be reused before vm_stop has killed the group.
 */
bool vm_reap(struct vm *vm, bool block)
{
	siginfo_t info;
	int rc;

	if (vm->exited || vm->pid <= 0)
		return vm->exited;
	do {
		info.si_pid = 0;
		rc = waitid(P_PID, (id_t)vm->pid, &info,
			    WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
	} while (rc < 0 && errno == EINTR);
	if (rc || info.si_pid != vm->pid)
		return false;
	vm->exited = true;
	vm->wstatus = info.si_code == CLD_EXITED
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
static void terminate_group(struct vm *vm)
{
	double deadline = now() + STOP_GRACE;

	if (vm->exited)
		return;
	kill(-vm->pid, SIGTERM);
	while (!vm_reap(vm, false) && now() < deadline)
		nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
}

void vm_stop(struct vm *vm)
{
	if (vm->pid > 0) {
		terminate_group(vm);
		/* Then the group: anything the runner started goes too. */
		kill(-vm->pid, SIGKILL);
		kill(vm->pid, SIGKILL);
		vm_reap(vm, true);
		while (waitpid(vm->pid, NULL, 0) < 0 && errno == EINTR)
			;
		vm->pid = -1;
	}
	close_fd(&vm->in_fd);
	close_fd(&vm->out_fd);
	close_fd(&vm->err_fd);
	free(vm->command);
	vm->command = NULL;
}
