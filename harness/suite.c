// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "initramfs.h"
#include "report.h"
#include "suite.h"

#define LIVE_TAIL 10 /* console lines shown on a terminal */

struct suite {
	const struct suite_options *o;
	struct runner r;
	struct report rep;
	bool live; /* progress on a terminal rather than TAP */
	size_t total;
	size_t number; /* of the test running */
	const struct testcase *current;
	int shown; /* seconds shown on the status line */
};

/* Tests that name no kernel boot the default one, and its default image
 * when they name no initrd either. */
static bool resolve_defaults(struct testcase **tests, size_t n, char **err)
{
	const char *path;
	size_t i;

	for (i = 0; i < n; i++) {
		struct config *c = &tests[i]->cfg;

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

/* DIR/NNN-script-test[.rK].log: unique, and sorted as the tests ran. */
static char *log_path(const struct suite *s, const struct testcase *t,
		      unsigned int round, const char *suffix)
{
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
	p = round > 1 ? xasprintf("%s/%03zu-%s.r%u%s", s->o->out, s->number,
				  slug, round, suffix)
		      : xasprintf("%s/%03zu-%s%s", s->o->out, s->number, slug,
				  suffix);
	free(slug);
	return p;
}

static void save_runner_log(const struct suite *s, const struct testcase *t,
			    unsigned int round, const struct result *res)
{
	char *path;
	FILE *f;

	if (!s->o->out || !res->runner_log.len)
		return;
	path = log_path(s, t, round, ".runner.log");
	f = fopen(path, "w");
	if (f) {
		fwrite(res->runner_log.data, 1, res->runner_log.len, f);
		fclose(f);
	}
	free(path);
}

/* ---- live progress ------------------------------------------------------ */

static void tick(void *ctx, double elapsed)
{
	struct suite *s = ctx;

	if ((int)elapsed == s->shown)
		return;
	s->shown = (int)elapsed;
	printf("\r\033[K[%zu/%zu] running %s: %s  %d s", s->number, s->total,
	       s->current->file, s->current->name, s->shown);
	fflush(stdout);
}

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
	char boot[128];

	entry_boot_times(boot, sizeof(boot), e);
	printf("\r\033[K[%zu/%zu] %s  %s: %s", e->number, s->total,
	       shout[e->verdict], e->file, e->name);
	if (e->round > 1)
		printf(" (round %u)", e->round);
	printf("  (%.1f s%s%s)\n", e->seconds, boot[0] ? "; boot: " : "", boot);
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

/* ---- running ------------------------------------------------------------ */

static void run_one(struct suite *s, const struct testcase *t,
		    unsigned int round)
{
	struct run_options ro = {.echo = s->o->verbose ? stderr : NULL,
				 .interrupted = s->o->interrupted};
	struct report_entry *e;
	struct result res;
	char *log = NULL;

	s->current = t;
	s->shown = -1;
	if (s->live && !s->o->verbose) {
		ro.tick = tick;
		ro.tick_ctx = s;
	}
	if (s->o->out) {
		log = log_path(s, t, round, ".log");
		ro.log = fopen(log, "w");
		if (!ro.log)
			fprintf(stderr, "lgtest: %s: %s\n", log,
				strerror(errno));
	}
	run_test(&s->r, t, &ro, &res);
	if (ro.log)
		fclose(ro.log);
	save_runner_log(s, t, round, &res);
	e = ARRAY_PUSH(&s->rep.entries, &s->rep.nentries);
	report_entry_init(e, s->number, round, t, &res, s->o->tail,
			  ro.log ? log : NULL);
	result_free(&res);
	free(log);
	if (s->live)
		live_entry(s, e);
	else
		tap_entry(stdout, e);
}

static void dry_run(const struct suite *s, const struct testcase *t)
{
	char *err = NULL, *cmd = vm_command(&s->r, &t->cfg, &err);

	printf("# %zu %s: %s: %zu steps, timeout %gs, idle-timeout %gs\n",
	       s->number, t->file, t->name, t->nsteps, t->cfg.timeout,
	       t->cfg.idle_timeout);
	printf("%s\n", cmd ? cmd : err);
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
	if (s->live)
		printf("\r\033[K%s%zu passed, %zu failed (fail %zu, crash %zu, "
		       "hang %zu, error %zu) in %.1f s\n",
		       s->rep.interrupted ? "interrupted: " : "", c[V_PASS],
		       failed, c[V_FAIL], c[V_CRASH], c[V_HANG], c[V_ERROR],
		       s->rep.seconds);
	else if (s->rep.interrupted)
		tap_bail_out(stdout, "interrupted");
	else
		printf("# %zu passed, %zu failed (fail %zu, crash %zu, hang "
		       "%zu, error %zu)\n",
		       c[V_PASS], failed, c[V_FAIL], c[V_CRASH], c[V_HANG],
		       c[V_ERROR]);
	if (s->o->junit)
		ok = write_file(s->o->junit, &s->rep, junit_write) && ok;
	if (s->o->json)
		ok = write_file(s->o->json, &s->rep, json_write) && ok;
	if (s->rep.interrupted || c[V_ERROR] || !ok)
		return EXIT_USAGE;
	return failed ? EXIT_TESTS_FAILED : EXIT_PASS;
}

int suite_run(const struct suite_options *o, struct testcase **tests,
	      size_t ntests)
{
	struct suite s = {.o = o, .total = ntests};
	double start = now();
	char *err = NULL;
	size_t i;
	int rc;

	s.live = !o->tap && !o->dry_run && isatty(STDOUT_FILENO);
	if (!resolve_defaults(tests, ntests, &err) ||
	    (o->out && !o->dry_run && !make_dirs(o->out, &err)) ||
	    !runner_init(&s.r, &o->runner, &err)) {
		fprintf(stderr, "lgtest: %s\n", err);
		free(err);
		runner_free(&s.r);
		return EXIT_USAGE;
	}
	s.rep.runner = xstrdup(s.r.choice);
	s.rep.started = time(NULL);
	if (o->dry_run)
		printf("# runner: %s\n", s.r.choice);
	else if (s.live)
		printf("lgtest: %zu tests, runner %s\n", ntests, s.r.choice);
	else
		tap_plan(stdout, ntests, s.r.choice);
	for (i = 0; i < ntests && !*o->interrupted; i++) {
		s.number = i + 1;
		if (o->dry_run)
			dry_run(&s, tests[i]);
		else
			run_one(&s, tests[i], 1);
	}
	s.rep.interrupted = *o->interrupted;
	s.rep.seconds = now() - start;
	rc = o->dry_run ? EXIT_PASS : finish(&s);
	report_free(&s.rep);
	runner_free(&s.r);
	return rc;
}
