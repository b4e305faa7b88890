/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runners: what boots a test's kernel.  Every runner is a child process
 * whose standard output is the guest's console and whose standard input
 * is the guest's keyboard; a runner only differs in the command it runs
 * and in what that command's exit status says about the guest.
 */
#ifndef LGTEST_RUNNER_H
#define LGTEST_RUNNER_H

#include <stdbool.h>
#include <sys/types.h>

#include "script.h"
#include "util.h"

/* How the guest stopped, as far as the runner can tell. */
struct guest_stop {
	int status; /* the guest's exit status, -1 if none */
	bool infra; /* the runner failed rather than the guest */
	char what[160]; /* e.g. "reset (launcher status 2)" */
};

struct runner;

struct runner_ops {
	const char *name;
	/* Append the command for cfg to argv (a NULL-less list). */
	bool (*command)(const struct runner *r, const struct config *cfg,
			char ***argv, size_t *argc, char **err);
	/*
	 * Turn the process's wait status into a guest stop.  stderr_text
	 * is what the runner printed on its standard error.
	 */
	void (*stopped)(int wstatus, const char *stderr_text,
			struct guest_stop *stop);
};

struct runner {
	const struct runner_ops *ops;
	char *program; /* the launcher (or emulator) to run */
};

/* Find runner NAME; false if there is none by that name. */
bool runner_init(struct runner *r, const char *name, const char *program);
void runner_free(struct runner *r);
const char *runner_names(void);

/* A guest being run. */
struct vm {
	pid_t pid;
	int out_fd; /* console output; -1 once at end of file */
	int err_fd; /* the runner's own messages; -1 at EOF */
	int in_fd; /* console input */
	bool exited;
	int wstatus;
	char *command; /* the command line, shell-quoted */
};

/* Check cfg's files and start the runner's command for it. */
bool vm_start(const struct runner *r, const struct config *cfg, struct vm *vm,
	      char **err);

/* The command vm_start would run, shell-quoted, or NULL with err. */
char *vm_command(const struct runner *r, const struct config *cfg, char **err);

bool vm_send(struct vm *vm, const char *data, size_t len, char **err);

/* Notice the runner's exit (it stays a zombie until vm_stop). */
bool vm_reap(struct vm *vm, bool block);

/* Kill the runner's whole process group, reap it and close everything. */
void vm_stop(struct vm *vm);

#endif
