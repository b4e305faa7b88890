/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running one test: boot it with a runner, play its steps against the
 * console, watch for crashes and hangs, and reach a verdict.
 */
#ifndef LGTEST_RUN_H
#define LGTEST_RUN_H

#include <signal.h>
#include <stdio.h>

#include "crash.h"
#include "expect.h"
#include "runner.h"
#include "script.h"

enum verdict { V_PASS, V_FAIL, V_CRASH, V_HANG, V_ERROR };

const char *verdict_name(enum verdict v);

struct run_options {
	FILE *echo; /* copy the console here as it arrives, or NULL */
	/* Set from a signal handler: stop the guest and give up. */
	volatile sig_atomic_t *interrupted;
};

struct result {
	enum verdict verdict;
	char *message; /* why, in one line */
	const struct step *step; /* the step that failed, if one did */
	char crash_title[CRASH_TITLE_MAX];
	double seconds;
	struct console console;
	struct buf runner_log; /* what the runner printed on stderr */
	bool stopped; /* the guest stopped by itself */
	struct guest_stop stop;
	char *command;
};

void run_test(const struct runner *r, const struct testcase *t,
	      const struct run_options *o, struct result *res);
void result_free(struct result *res);

/* "file:line: keyword argument", for messages. */
char *step_describe(const struct testcase *t, const struct step *st);

#endif
