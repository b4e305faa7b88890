/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runners: what boots a test's kernel.  Every runner is a child process
 * whose standard output is the guest's console and whose standard input
 * is the guest's keyboard; a runner only differs in the command it runs
 * and in what that command's exit status says about the guest.  Every
 * runner ends with the launcher's exit statuses (lguest(1)): 0 power-off,
 * 2 reset, V the byte written to port 0xf4, ..., and writes the status
 * line that says which (RUNNER_STATUS_FD).
 *
 *   lguest-direct  bin/lguest on this machine's /dev/kvm
 *   lguest-nested  bin/lguest-static inside the nested host of
 *                  tests/boot/nested.sh (QEMU TCG with SVM and kvm-amd)
 *   lguest         one of the two, chosen by a calibration (runner_lguest.c)
 *   qemu           qemu-system-x86_64, supervised over QMP (runner_qemu.c)
 */
#ifndef LGTEST_RUNNER_H
#define LGTEST_RUNNER_H

#include <stdbool.h>
#include <sys/types.h>

#include "exit_status.h"
#include "script.h"
#include "util.h"

/*
 * The descriptor a runner writes its status line to (exit_status.h): who
 * chose its exit status, the guest or the launcher.  lguest-direct is the
 * launcher's own --status-fd; qemu-supervise and nested-client write the
 * same line for QEMU and for the launcher in the nested host.
 */
#define RUNNER_STATUS_FD 3

/* How the guest stopped, as far as the runner can tell. */
struct guest_stop {
	int status; /* the guest's exit status, -1 if none */
	bool infra; /* the runner failed rather than the guest */
	char what[160]; /* e.g. "reset (launcher status 2)" */
	/* On a set-up error, why: the runner's own last word, or "". */
	char cause[256];
};

struct runner;

/* How a runner ended: its wait status and, if it wrote one, its line. */
struct runner_end {
	int wstatus;
	bool reported; /* a status line came: `report` is valid */
	struct lg_exit_report report;
};

struct runner_ops {
	const char *name;
	/*
	 * Append the command for cfg to argv (a NULL-less list); with
	 * `status`, one that writes its status line to RUNNER_STATUS_FD.
	 */
	bool (*command)(const struct runner *r, const struct config *cfg,
			bool status, char ***argv, size_t *argc, char **err);
	/*
	 * Turn the runner's end into a guest stop.  stderr_text is what
	 * the runner printed on its standard error.  NULL: describe_stop,
	 * and `who` names the runner in the text.
	 */
	void (*stopped)(const struct runner_end *end, const char *stderr_text,
			struct guest_stop *stop);
	const char *who;
	/*
	 * A runner with set-up of its own (the nested host) prints a line
	 * starting with this on stderr when the guest's launcher starts;
	 * NULL: the guest starts with the runner.
	 */
	const char *launch_marker;
	/* Run the command under `lgtest qemu-supervise` (runner_qemu.c). */
	bool supervised;
};

/* What the command line asks for. */
struct runner_settings {
	const char *name; /* lguest (default), lguest-direct, ... */
	const char *lguest; /* --lguest: the launcher */
	const char *lguest_static; /* --lguest-static: for the nested host */
	const char *qemu; /* --qemu: the emulator */
	const char *accel; /* --accel kvm|tcg for qemu; NULL: by the host */
};

struct runner {
	const struct runner_ops *ops;
	char *program; /* the launcher or emulator to run */
	char *helper; /* lguest-nested: tests/boot/nested.sh */
	char *agent; /* lguest-nested: this lgtest, the host's agent */
	char *pool; /* lguest-nested: the kept hosts' directory */
	char *accel; /* qemu: kvm or tcg */
	char *choice; /* which runner, and why: one line for the reports */
};

/*
 * Set up the runner s asks for (calibrating, for "lguest").  False with
 * err when there is no such runner or what it needs is missing.
 */
bool runner_init(struct runner *r, const struct runner_settings *s, char **err);
void runner_free(struct runner *r);
const char *runner_names(void);

/*
 * A guest being run: the runner's process and its pipes (not kvm.h's
 * struct vm, which is a KVM VM inside the launcher).
 */
struct runner_proc {
	pid_t pid;
	int out_fd; /* console output; -1 once at end of file */
	int err_fd; /* the runner's own messages; -1 at EOF */
	int in_fd; /* console input */
	int status_fd; /* the runner's status line (RUNNER_STATUS_FD) */
	bool exited;
	int wstatus;
	char *command; /* the command line, shell-quoted */
};

/* Check cfg's files and start the runner's command for it. */
bool proc_start(const struct runner *r, const struct config *cfg,
		struct runner_proc *proc, char **err);

/* The command proc_start would run, shell-quoted, or NULL with err. */
char *proc_command(const struct runner *r, const struct config *cfg,
		   char **err);

/* argv as one shell command line, each word quoted where it needs it. */
char *quote_argv(char **argv, size_t argc);

bool proc_send(struct runner_proc *proc, const char *data, size_t len,
	       char **err);

/*
 * Ask for a BREAK on the guest's serial console: SIGURG to the runner,
 * which every runner passes on (lguest(1); the nested client over its
 * control channel; qemu-supervise as QMP's chardev-send-break).  False
 * when the runner is gone.
 */
bool proc_break(struct runner_proc *proc);

/*
 * What the runner's end (its wait status, its status line and stderr)
 * says of the guest; once proc_reap has seen it exit.
 */
void runner_stopped(const struct runner *r, struct runner_proc *proc,
		    const char *stderr_text, struct guest_stop *stop);

/* Notice the runner's exit (it stays a zombie until proc_stop). */
bool proc_reap(struct runner_proc *proc, bool block);

/* Kill the runner's whole process group, reap it and close everything. */
void proc_stop(struct runner_proc *proc);

/* ---- for the runners' implementations ---------------------------------- */

extern const struct runner_ops lguest_direct_ops, lguest_nested_ops, qemu_ops;

void push_arg(char ***argv, size_t *argc, char *arg);

/*
 * The kernel is given, and it, the initrd and the block devices' files
 * are readable files: a missing one is an error before any runner starts.
 */
bool check_boot_files(const struct config *cfg, char **err);

/* A device (the virtio console) takes the keyboard from the serial port. */
bool config_has_console_device(const struct config *cfg);

/* "console=ttyS0 panic=-1" and the test's own arguments. */
char *kernel_cmdline(const struct config *cfg);

/*
 * The cause in a runner's stderr: its last line that is not blank and
 * not lgtest's own (the supervisor's "see its messages above"), else its
 * last line that is not blank; "" when there is none.
 */
void runner_cause(const char *stderr_text, char *out, size_t len);

/*
 * A runner's end as a guest stop: its status line says who chose the
 * status; without one, the runner failed.  `who` names the runner in the
 * text ("launcher", "qemu").
 */
void describe_stop(const struct runner_end *end, const char *stderr_text,
		   const char *who, struct guest_stop *stop);

/* Write the status line for (by, value) to fd; false if it failed. */
bool runner_report(int fd, enum lg_exit_chooser by, int value);

/*
 * Fill in what an lguest runner needs; for "lguest", first choose
 * between lguest-direct and lguest-nested (runner_lguest.c).
 */
bool lguest_setup(struct runner *r, const struct runner_settings *s,
		  char **err);

/*
 * `lgtest kvm-probe`: print direct or nested, the same choice the
 * "lguest" runner makes, for scripts; the exit status.
 */
int lguest_probe_command(const char *lguest, bool guests);

/* s with every comma doubled: QEMU's option parser takes ",," for one. */
char *qemu_escape(const char *s);

/* Fill in what the qemu runner needs (runner_qemu.c). */
bool qemu_setup(struct runner *r, const struct runner_settings *s, char **err);

struct share_backend_ops;
/*
 * `lgtest qemu-supervise [--share FD ro|rw DIR]... QEMU-ARGV...`: see
 * runner_qemu.c; share_ops starts the shares' back-ends (share.h).
 */
int qemu_supervise(int argc, char **argv,
		   const struct share_backend_ops *share_ops);

#endif
