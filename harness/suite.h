/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a list of tests: the defaults (Debian's cloud kernel and the
 * default initramfs for tests that name none), the runner, and what the
 * user sees and keeps: live progress on a terminal or TAP, each test's
 * console log (--out), JUnit and JSON files.  Tests run on worker threads
 * (--jobs), each with its runner in a process group of its own; only the
 * main thread prints, whole entries, in the tests' order.
 */
#ifndef LGTEST_SUITE_H
#define LGTEST_SUITE_H

#include <signal.h>
#include <stdbool.h>

#include "runner.h"
#include "schedule.h"
#include "script.h"

enum {
	EXIT_PASS = 0,
	EXIT_TESTS_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_SIGNALLED = 128, /* + the signal that interrupted the run */
};

struct suite_options {
	struct runner_settings runner;
	int tail; /* console lines shown for a failed test */
	bool dry_run; /* print the commands only */
	bool verbose; /* echo consoles to stderr */
	bool tap; /* TAP on stdout even on a terminal */
	unsigned int tap_version; /* 13 or 14: the header's */
	const char *junit, *json; /* report files, or NULL */
	const char *out; /* directory for console logs, or NULL */
	unsigned int jobs; /* tests run side by side */
	unsigned int repeat; /* runs of each test */
	unsigned int retries; /* more runs of a test that did not pass */
	struct shard shard; /* count 0: all tests */
	const char *shard_arg; /* as given, for the reports */
	volatile sig_atomic_t *interrupted; /* the signal that came, or 0 */
};

/*
 * Run the tests of the shard, each `repeat` times, `jobs` at a time;
 * report them in their order.  Returns lgtest's exit status.
 */
int suite_run(const struct suite_options *o, struct testcase **tests,
	      size_t ntests);

#endif
