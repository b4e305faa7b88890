// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "initramfs.h"
#include "rootfs.h"
#include "report.h"
#include "suite.h"

#define LIVE_TAIL 10 /* console lines shown on a terminal */
#define WAKE_EVERY 0.2 /* seconds between status line updates */

/* One run of one test, and what it left once done. */
struct slot {
	struct job job;
	double started; /* 0: not yet */
	bool done; /* entry is filled in */
	struct report_entry entry;
};

struct suite {
	const struct suite_options *o;
	struct runner r;
	struct report rep;
	bool live; /* progress on a terminal rather than TAP */
	struct slot *slots;
	size_t nslots;
	/* lock guards next, shown, and each slot's started and done. */
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a slot is done */
	size_t next; /* the next slot a worker takes */
	size_t shown; /* slots reported so far, in order */
	char status[256]; /* the status line on the terminal */
};

/* A rootfs host test gets its image and shares (rootfs.h).  Tests that
 * name no kernel boot the default one, and its default image
 * when they name no initrd either: then they have a boot phase, for that
 * image's /init prints the boot marker. */
static bool resolve_defaults(struct testcase **tests, size_t n, char **err)
{
	const char *path;
	size_t i;

	for (i = 0; i < n; i++) {
		struct config *c = &tests[i]->cfg;

		if (c->rootfs == ROOTFS_HOST) {
			if (!rootfs_host_config(
				    c, &(struct rootfs_host){.mode = "script"},
				    err))
				return false;
			continue;
		}
		if (c->kernel)
			continue;
		if (!(path = default_kernel(err)))
			return false;
		c->kernel = xstrdup(path);
		if (c->initrd)
			continue;
		if (!(path = default_initramfs(err)))
			return false;
		c->initrd = xstrdup(path);
		c->prints_marker = true;
	}
	return true;
}

/* ---- console logs (--out) ---------------------------------------------- */

static bool make_dirs(const char *path, char **err)
{
	char *p = xstrdup(path), *s = p;
	bool ok = true;

	do {
		s = strchr(s + 1, '/');
		if (s)
			*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			*err = xasprintf("%s: %s", p, strerror(errno));
			ok = false;
		}
		if (s)
			*s = '/';
	} while (ok && s);
	free(p);
	return ok;
}

/* DIR/NNN-script-test[.rK].log: unique, and sorted as the tests are listed. */
static char *log_path(const struct suite *s, const struct job *j,
		      const char *suffix)
{
	const struct testcase *t = j->t;
	unsigned int round = j->round;
	const char *base = strrchr(t->file, '/');
	struct buf b = {0};
	char *slug, *p;

	buf_addf(&b, "%s-%s", base ? base + 1 : t->file, t->name);
	for (p = b.data; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
			    "YZ"
			    "0123456789-_.",
			    *p))
			*p = '_';
	slug = b.data;
	p = round > 1 ? xasprintf("%s/%03zu-%s.r%u%s", s->o->out, j->number,
				  slug, round, suffix)
		      : xasprintf("%s/%03zu-%s%s", s->o->out, j->number, slug,
				  suffix);
	free(slug);
	return p;
}

static void save_runner_log(const struct suite *s, const struct job *j,
			    const struct result *res)
{
	char *path;
	FILE *f;

	if (!s->o->out || !res->runner_log.len)
		return;
	path = log_path(s, j, ".runner.log");
	f = fopen(path, "we");
	if (f) {
		fwrite(res->runner_log.data, 1, res->runner_log.len, f);
		fclose(f);
	}
	free(path);
}

/* ---- live progress ------------------------------------------------------ */

static void indented(const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchrnul(p, '\n');
		printf("      | %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static void live_entry(const struct suite *s, const struct report_entry *e)
{
	static const char *const shout[] = {"pass ", "FAIL ", "CRASH", "HANG ",
					    "ERROR"};

	char boot[128], *title = entry_title(e);

	entry_boot_times(boot, sizeof(boot), e);
	printf("\r\033[K[%zu/%zu] %s  %s: %s", e->number, s->nslots,
	       shout[e->verdict], e->file, title);
	free(title);
	printf("  (%.1f s%s%s)\n", e->seconds, boot[0] ? "; boot: " : "", boot);
	if (e->expected && e->verdict == V_PASS)
		printf("      %s\n", e->message ? e->message : "");
	if (e->attempts > 1 && e->first_failure)
		printf("      passed on run %u; run 1: %s\n", e->attempts,
		       e->first_failure);
	if (e->ktap.found)
		printf("      KTAP: %zu passed, %zu failed, %zu skipped\n",
		       e->ktap.counts.passed, e->ktap.counts.failed,
		       e->ktap.counts.skipped);
	if (e->verdict != V_PASS) {
		printf("      %s\n", e->message ? e->message : "");
		if (e->line)
			printf("      at %s:%d:%d\n", e->file, e->line, e->col);
		if (e->console_tail)
			indented(last_lines(e->console_tail,
					    strlen(e->console_tail),
					    LIVE_TAIL));
	}
	if (e->log && e->verdict != V_PASS)
		printf("      log: %s\n", e->log);
	fflush(stdout);
}

/* ---- running (on the worker threads) ---------------------------------- */

/*
 * --retries: run a test that did not pass again, up to the count, and
 * keep the last run's result.  The first failure is kept as one line for
 * the report, so a pass on a retry is never silent.  The console log
 * (--out) holds the last run's console after the earlier ones'.
 */
static unsigned int run_attempts(const struct suite *s, const struct job *j,
				 const struct run_options *ro,
				 struct result *res, char **first_failure)
{
	unsigned int attempt = 1;

	*first_failure = NULL;
	for (;;) {
		run_test(&s->r, j->t, ro, res);
		if (res->verdict == V_PASS || attempt > s->o->retries ||
		    *s->o->interrupted)
			return attempt;
		if (!*first_failure)
			*first_failure =
				xasprintf("%s: %s", verdict_name(res->verdict),
					  res->message ? res->message : "");
		result_free(res);
		attempt++;
	}
}

/* Run one slot's test and make its entry; nothing here prints to stdout. */
static void run_slot(const struct suite *s, struct slot *sl)
{
	struct run_options ro = {.interrupted = s->o->interrupted};
	const struct job *j = &sl->job;
	char *log = NULL, *prefix = NULL, *first_failure;
	unsigned int attempts;
	struct result res;

	if (s->o->verbose) {
		ro.echo = stderr;
		if (s->o->jobs > 1)
			ro.echo_prefix = prefix =
				xasprintf("[%zu] ", j->number);
	}
	if (s->o->out) {
		log = log_path(s, j, ".log");
		ro.log = fopen(log, "we");
		if (!ro.log)
			fprintf(stderr, "lgtest: %s: %s\n", log,
				strerror(errno));
	}
	attempts = run_attempts(s, j, &ro, &res, &first_failure);
	if (ro.log)
		fclose(ro.log);
	save_runner_log(s, j, &res);
	report_entry_init(&sl->entry, j->number, j->round, j->t, &res,
			  s->o->tail, ro.log ? log : NULL);
	sl->entry.attempts = attempts;
	sl->entry.first_failure = first_failure;
	result_free(&res);
	free(prefix);
	free(log);
}

/* The next slot to run, or NULL when there is none or ^C came. */
static struct slot *take_slot(struct suite *s)
{
	struct slot *sl = NULL;

	pthread_mutex_lock(&s->lock);
	if (!*s->o->interrupted && s->next < s->nslots) {
		sl = &s->slots[s->next++];
		sl->started = now();
	}
	pthread_mutex_unlock(&s->lock);
	return sl;
}

static void *worker(void *arg)
{
	struct suite *s = arg;
	struct slot *sl;

	while ((sl = take_slot(s))) {
		run_slot(s, sl);
		pthread_mutex_lock(&s->lock);
		sl->done = true;
		pthread_cond_signal(&s->changed);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* ---- reporting (on the main thread) ---------------------------------- */

static void print_entry(const struct suite *s, const struct report_entry *e)
{
	if (s->live)
		live_entry(s, e);
	else
		tap_entry(stdout, e);
}

/* "[3/10] running a.lgt: x (12 s), +1 more": redrawn when it changes. */
static void status_line(struct suite *s)
{
	char line[sizeof(s->status)];
	const struct slot *oldest = NULL;
	size_t i, running = 0;
	int n;

	for (i = s->shown; i < s->next; i++) {
		if (s->slots[i].done)
			continue;
		running++;
		if (!oldest)
			oldest = &s->slots[i];
	}
	if (!oldest)
		return;
	n = snprintf(line, sizeof(line), "[%zu/%zu] running %s: %s  %d s",
		     s->shown, s->nslots, oldest->job.t->file,
		     oldest->job.t->name, (int)(now() - oldest->started));
	if (running > 1 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, ", +%zu more",
			 running - 1);
	if (!strcmp(line, s->status))
		return;
	memcpy(s->status, line, sizeof(line));
	printf("\r\033[K%s", line);
	fflush(stdout);
}

static void wait_for_change(struct suite *s)
{
	struct timespec ts;
	double t = now() + WAKE_EVERY;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&s->changed, &s->lock, &ts);
}

/*
 * Print each slot's entry once it and every slot before it are done, so
 * that the output is the same whatever order the tests finish in.  Ends
 * when every slot is shown, or after ^C once every slot taken is.
 */
static void report_in_order(struct suite *s)
{
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->shown < s->nslots && s->slots[s->shown].done) {
			/* A done slot is the main thread's alone: print it
			 * unlocked, so a slow stdout holds up no worker. */
			pthread_mutex_unlock(&s->lock);
			print_entry(s, &s->slots[s->shown].entry);
			pthread_mutex_lock(&s->lock);
			s->status[0] = '\0';
			s->shown++;
		}
		if (s->shown == s->nslots ||
		    (*s->o->interrupted && s->shown == s->next))
			break;
		if (s->live)
			status_line(s);
		wait_for_change(s);
	}
	pthread_mutex_unlock(&s->lock);
}

/* Start the workers, report as they finish, and collect the entries. */
static bool run_slots(struct suite *s, char **err)
{
	size_t nthreads = s->o->jobs < s->nslots ? s->o->jobs : s->nslots;
	pthread_t *threads = xcalloc(nthreads ? nthreads : 1, sizeof(*threads));
	pthread_condattr_t ca;
	size_t i, started = 0;
	int rc = 0;

	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->changed, &ca);
	pthread_condattr_destroy(&ca);
	for (; started < nthreads; started++) {
		rc = pthread_create(&threads[started], NULL, worker, s);
		if (rc)
			break;
	}
	if (rc && !started)
		*err = xasprintf("cannot start a worker thread: %s",
				 strerror(rc));
	else
		report_in_order(s);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < s->shown; i++)
		*ARRAY_PUSH(&s->rep.entries, &s->rep.nentries) =
			s->slots[i].entry;
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(threads);
	return started > 0 || !nthreads;
}

static void dry_run(const struct suite *s, const struct job *j)
{
	const struct config *c = &j->t->cfg;
	char *err = NULL, *cmd = proc_command(&s->r, c, &err);

	printf("# %zu %s: %s: %zu steps, timeout %gs, idle-timeout %gs, "
	       "step-timeout %gs",
	       j->number, j->t->file, j->t->name, j->t->nsteps, c->timeout,
	       c->idle_timeout, c->step_timeout);
	if (boot_limit(c) > 0)
		printf(", boot-timeout %gs", boot_limit(c));
	printf("\n%s\n", cmd ? cmd : err);
	free(cmd);
	free(err);
}

static bool write_file(const char *path, const struct report *r,
		       void (*writer)(FILE *, const struct report *))
{
	FILE *f = fopen(path, "w");

	if (f) {
		writer(f, r);
		if (!fclose(f))
			return true;
	}
	fprintf(stderr, "lgtest: %s: %s\n", path, strerror(errno));
	return false;
}

static int finish(struct suite *s)
{
	size_t c[V_ERROR + 1], failed;
	bool ok = true;

	report_counts(&s->rep, c);
	failed = s->rep.nentries - c[V_PASS];
	if (s->live) {
		printf("\r\033[K");
		print_flaky(stdout, "", &s->rep);
		print_crashes(stdout, "", &s->rep);
		printf("%s%zu passed, %zu failed (fail %zu, crash %zu, "
		       "hang %zu, error %zu) in %.1f s\n",
		       s->rep.interrupted ? "interrupted: " : "", c[V_PASS],
		       failed, c[V_FAIL], c[V_CRASH], c[V_HANG], c[V_ERROR],
		       s->rep.seconds);
	} else {
		print_flaky(stdout, "# ", &s->rep);
		print_crashes(stdout, "# ", &s->rep);
		if (s->rep.interrupted)
			tap_bail_out(stdout, "interrupted");
		else
			printf("# %zu passed, %zu failed (fail %zu, crash %zu, "
			       "hang %zu, error %zu)\n",
			       c[V_PASS], failed, c[V_FAIL], c[V_CRASH],
			       c[V_HANG], c[V_ERROR]);
	}
	fflush(stdout);
	if (s->o->junit)
		ok = write_file(s->o->junit, &s->rep, junit_write) && ok;
	if (s->o->json)
		ok = write_file(s->o->json, &s->rep, json_write) && ok;
	/* As a shell reports a death by that signal: 130 for ^C. */
	if (s->rep.interrupted)
		return EXIT_SIGNALLED + *s->o->interrupted;
	if (c[V_ERROR] || !ok)
		return EXIT_USAGE;
	return failed ? EXIT_TESTS_FAILED : EXIT_PASS;
}

/* What runs, and how, before the first result. */
static void print_header(const struct suite *s, size_t ncases)
{
	const struct suite_options *o = s->o;

	if (o->dry_run || !s->live) {
		if (o->dry_run)
			printf("# runner: %s\n", s->r.choice);
		else
			tap_plan(stdout, o->tap_version, s->nslots,
				 s->r.choice);
		if (o->shard.count)
			printf("# shard %s: %zu tests\n", o->shard_arg, ncases);
		printf("# jobs: %u, repeat: %u\n", o->jobs, o->repeat);
	} else {
		printf("lgtest: %zu tests", s->nslots);
		if (o->shard.count)
			printf(" (shard %s)", o->shard_arg);
		if (o->repeat > 1)
			printf(" (%zu, %u runs each)", ncases, o->repeat);
		printf(", runner %s, %u at a time\n", s->r.choice, o->jobs);
	}
	fflush(stdout);
}

static bool prepare(struct suite *s, struct testcase **tests, size_t n,
		    char **err)
{
	const struct suite_options *o = s->o;

	return resolve_defaults(tests, n, err) &&
	       (!o->out || o->dry_run || make_dirs(o->out, err)) &&
	       runner_init(&s->r, &o->runner, err);
}

int suite_run(const struct suite_options *o, struct testcase **tests,
	      size_t ntests)
{
	struct suite s = {.o = o};
	double start = now();
	struct job *jobs;
	char *err = NULL;
	size_t i, n;
	int rc = EXIT_USAGE;

	s.live = !o->tap && !o->dry_run && isatty(STDOUT_FILENO);
	n = shard_select(tests, ntests, &o->shard);
	if (!prepare(&s, tests, n, &err)) {
		fprintf(stderr, "lgtest: %s\n", err);
		free(err);
		runner_free(&s.r);
		return EXIT_USAGE;
	}
	jobs = jobs_plan(tests, n, o->repeat, &s.nslots);
	s.slots = xcalloc(s.nslots ? s.nslots : 1, sizeof(*s.slots));
	for (i = 0; i < s.nslots; i++)
		s.slots[i].job = jobs[i];
	free(jobs);
	s.rep.runner = xstrdup(s.r.choice);
	s.rep.shard = o->shard.count ? xstrdup(o->shard_arg) : NULL;
	s.rep.jobs = o->jobs;
	s.rep.repeat = o->repeat;
	s.rep.started = time(NULL);
	print_header(&s, n);
	if (o->dry_run) {
		for (i = 0; i < s.nslots; i++)
			dry_run(&s, &s.slots[i].job);
		rc = EXIT_PASS;
	} else if (run_slots(&s, &err)) {
		s.rep.interrupted = *o->interrupted;
		s.rep.seconds = now() - start;
		rc = finish(&s);
	} else {
		fprintf(stderr, "lgtest: %s\n", err);
		free(err);
	}
	report_free(&s.rep);
	free(s.slots);
	runner_free(&s.r);
	return rc;
}
