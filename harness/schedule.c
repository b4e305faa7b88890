// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedule.h"

/* A whole number of digits only (no sign, no space) from 1 to max. */
static bool parse_count(const char *s, size_t len, unsigned long max,
			unsigned int *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > max)
		return false;
	*out = (unsigned int)v;
	return true;
}

bool shard_parse(const char *s, struct shard *sh, char **err)
{
	const char *slash = strchr(s, '/');

	if (!slash ||
	    !parse_count(s, (size_t)(slash - s), MAX_SHARDS, &sh->index) ||
	    !parse_count(slash + 1, strlen(slash + 1), MAX_SHARDS,
			 &sh->count)) {
		*err = xasprintf("--shard: '%s' is not K/N with whole numbers "
				 "1 <= K <= N <= %d",
				 s, MAX_SHARDS);
		return false;
	}
	if (sh->index > sh->count) {
		*err = xasprintf("--shard: '%s': shard %u of %u does not exist "
				 "(K must be at most N)",
				 s, sh->index, sh->count);
		return false;
	}
	return true;
}

struct ranked {
	struct testcase *t;
	size_t given; /* its position in the list as given */
};

static int by_path_and_name(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->t->file, y->t->file);

	if (!c)
		c = strcmp(x->t->name, y->t->name);
	if (!c)
		c = x->given < y->given ? -1 : x->given > y->given;
	return c;
}

/*
 * The split depends only on the set of tests, not on the order of the
 * scripts on the command line, so every CI machine computes the same one.
 */
size_t shard_select(struct testcase **tests, size_t n, const struct shard *sh)
{
	struct ranked *r;
	bool *keep;
	size_t i, kept = 0;

	if (!sh->count)
		return n;
	r = xcalloc(n ? n : 1, sizeof(*r));
	keep = xcalloc(n ? n : 1, sizeof(*keep));
	for (i = 0; i < n; i++)
		r[i] = (struct ranked){.t = tests[i], .given = i};
	qsort(r, n, sizeof(*r), by_path_and_name);
	for (i = 0; i < n; i++)
		keep[r[i].given] = i % sh->count == sh->index - 1;
	for (i = 0; i < n; i++)
		if (keep[i])
			tests[kept++] = tests[i];
	free(keep);
	free(r);
	return kept;
}

struct job *jobs_plan(struct testcase **tests, size_t n, unsigned int repeat,
		      size_t *njobs)
{
	size_t total = n * repeat, i, k = 0;
	struct job *jobs = xcalloc(total > 0 ? total : 1, sizeof(*jobs));
	unsigned int round;

	for (i = 0; i < n; i++) {
		for (round = 1; round <= repeat; round++, k++) {
			jobs[k].t = tests[i];
			jobs[k].number = k + 1;
			jobs[k].round = round;
		}
	}
	*njobs = k;
	return jobs;
}

unsigned int default_jobs(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > MAX_JOBS ? MAX_JOBS : (unsigned int)n;
}
