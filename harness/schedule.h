/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tests a run takes and in what order: --shard K/N keeps a stable
 * part of the suite, --repeat N runs each test N times, and the job list
 * is what the --jobs workers take in turn (suite.c).  Pure functions on
 * lists of tests, so the unit tests can check every split.
 */
#ifndef LGTEST_SCHEDULE_H
#define LGTEST_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "script.h"

#define MAX_JOBS 256
#define MAX_REPEAT 10000
#define MAX_RETRIES 5
#define MAX_SHARDS 100000

/* Shard `index` (1-based) of `count`; count 0: the whole suite. */
struct shard {
	unsigned int index, count;
};

/* Parse "K/N" with 1 <= K <= N; false with err saying why. */
bool shard_parse(const char *s, struct shard *sh, char **err);

/*
 * Keep, in place and in their given order, the tests of shard sh: the
 * tests are sorted by script path (as given) and test name, ties by
 * their order, and the i-th of them (from 0) goes to shard i mod N + 1.
 * Returns how many were kept.
 */
size_t shard_select(struct testcase **tests, size_t n, const struct shard *sh);

/* One run of one test. */
struct job {
	const struct testcase *t;
	size_t number; /* 1-based position in the run: TAP's test number */
	unsigned int round; /* 1-based, up to --repeat */
};

/* Every test `repeat` times, each test's rounds one after the other. */
struct job *jobs_plan(struct testcase **tests, size_t n, unsigned int repeat,
		      size_t *njobs);

/* --jobs' default: the CPUs this process may run on. */
unsigned int default_jobs(void);

#endif
