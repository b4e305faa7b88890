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
#include "ktap.h"
#include "runner.h"
#include "script.h"

enum verdict { V_PASS, V_FAIL, V_CRASH, V_HANG, V_ERROR };

const char *verdict_name(enum verdict v);

/* The runner may take this long to start the guest (the nested host). */
#define RUNNER_SETUP_TIMEOUT 300.0

struct run_options {
	FILE *echo; /* copy the console here as it arrives, or NULL */
	/*
	 * NULL: echo the bytes as they come; else echo whole lines, each
	 * after this prefix (tests running side by side share echo).
	 */
	const char *echo_prefix;
	FILE *log; /* and its raw bytes here, or NULL */
	/* Set from a signal handler: stop the guest and give up. */
	volatile sig_atomic_t *interrupted;
};

struct result {
	enum verdict verdict;
	char *message; /* why, in one line */
	const struct step *step; /* the step that failed, if one did */
	char crash_title[CRASH_TITLE_MAX];
	struct crash_report *crash; /* the whole report, or NULL */
	double seconds; /* the whole test, runner set-up included */
	/*
	 * Boot times, in seconds from the launch of the guest (the runner's
	 * start, or for the nested runner its launcher's): to the first
	 * console byte and to the boot marker; negative when never seen.
	 */
	double setup_seconds; /* from the runner's start to the launch */
	double first_byte;
	double boot_marker;
	struct ktap_report ktap;
	struct console console;
	struct buf runner_log; /* what the runner printed on stderr */
	bool stopped; /* the guest stopped by itself */
	struct guest_stop stop;
	char *command;
};

void run_test(const struct runner *r, const struct testcase *t,
	      const struct run_options *o, struct result *res);

/*
 * The clocks a running test's limits count from, in now()'s seconds.
 * Which limit runs out first is a pure function of them and the test.
 */
struct clocks {
	double launched; /* the guest's launch */
	double last_output; /* its last console output, or the launch */
	double marker; /* when the boot marker appeared; 0: not yet */
	double step_start; /* when the step being played began */
};

enum limit {
	LIMIT_NONE,
	LIMIT_OVERALL, /* timeout: the whole test */
	LIMIT_BOOT, /* boot-timeout: launch to the boot marker */
	LIMIT_IDLE, /* idle-timeout: no console output, once booted */
	LIMIT_STEP, /* the step's own timeout */
	LIMIT_STEP_TIMEOUT, /* step-timeout: the test's, once booted */
};

/*
 * How long the test's boot phase may last: from the launch to the boot
 * marker, when the guest is known to print one (lgtest's default
 * initramfs, or the test names a boot-marker or a boot-timeout); 0: the
 * test has no boot phase.
 */
double boot_limit(const struct config *c);

/*
 * The first limit to run out for step st (NULL: none is being played),
 * and when, in *at: INFINITY with LIMIT_NONE when no limit applies.
 * Ties go to the first in enum limit's order.
 */
enum limit first_limit(const struct config *c, const struct step *st,
		       const struct clocks *k, double *at);

/* The verdict, and in *message why, when limit l ran out on step st. */
enum verdict limit_verdict(enum limit l, const struct testcase *t,
			   const struct step *st, char **message);
void result_free(struct result *res);

/* "file:line: keyword argument", for messages. */
char *step_describe(const struct testcase *t, const struct step *st);

#endif
