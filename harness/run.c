// SPDX-License-Identifier: GPL-2.0
/*
 * The executor.  One loop waits for console output, the runner's exit or
 * the next deadline, then lets the steps advance as far as they can.
 * What ends a test, most serious first: the runner failing (error), a
 * crash report (crash, even if every step passed), the no-output, boot
 * or overall timeout (hang), a step that cannot pass, or waited past its
 * timeout (fail); else it passes.
 *
 * A test whose guest is known to print the boot marker has a boot
 * phase, from the launch to the marker: a boot may be quiet for long
 * under load, so the boot-timeout bounds it rather than the no-output
 * timeout, and the step-timeout only counts once it is over.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initramfs.h"
#include "run.h"

#define CRASH_QUIET 1.0 /* a report is whole after this much quiet */
#define CRASH_GRACE 5.0 /* ...or this long after it began */
#define POLL_MAX 0.2 /* wake at least this often (runner exits) */
#define RUNNER_LOG_MAX (1u << 20)

static struct pattern builtin_marker = {
	.kind = PAT_LITERAL,
	.text = BOOT_MARKER,
	.len = sizeof(BOOT_MARKER) - 1,
};

static const struct pattern *marker_of(const struct config *c)
{
	return c->boot_marker ? c->boot_marker : &builtin_marker;
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = {"pass", "fail", "crash", "hang",
					    "error"};

	return names[v];
}

/* An expect-not that is watching the console. */
struct watch {
	const struct step *step;
	size_t from; /* search from here */
	double until; /* INFINITY: to the end of the test */
	bool over; /* its window has closed */
};

struct exec {
	const struct runner *r;
	const struct testcase *t;
	const struct run_options *o;
	struct result *res;
	struct runner_proc proc;
	size_t next; /* the step being played */
	double step_start;
	size_t cursor; /* expects search from here */
	size_t resume; /* the current expect resumes from here */
	struct watch *watches;
	size_t nwatches;
	struct crash_detector crash;
	bool crash_consumed; /* an expect-crash took it */
	double crash_seen; /* when the current report began, or 0 */
	double start, last_output;
	double launched; /* when the guest started; 0: not yet */
	const struct pattern *marker; /* the boot marker */
	size_t marker_from; /* search it from here */
	struct buf echo_line; /* a partial line not echoed yet */
	bool eof; /* console and stderr both at end of file */
	bool done; /* a verdict has been reached */
};

char *step_describe(const struct testcase *t, const struct step *st)
{
	char *pat = st->has_pattern ? pattern_describe(&st->pat) : NULL;
	char *s;

	if (st->kind == STEP_EXIT)
		s = xasprintf("%s:%d: exit %d", t->file, st->line, st->status);
	else if (st->kind == STEP_SEND)
		s = xasprintf("%s:%d: send", t->file, st->line);
	else
		s = xasprintf("%s:%d: %s%s%s", t->file, st->line,
			      step_keyword(st->kind), pat ? " " : "",
			      pat ? pat : "");
	free(pat);
	return s;
}

static void verdict(struct exec *x, enum verdict v, const struct step *st,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void verdict(struct exec *x, enum verdict v, const struct step *st,
		    const char *fmt, ...)
{
	va_list ap;

	if (x->done)
		return;
	va_start(ap, fmt);
	x->res->message = xvasprintf(fmt, ap);
	va_end(ap);
	x->res->verdict = v;
	x->res->step = st;
	x->done = true;
}

static const char *console_text(const struct exec *x)
{
	return x->res->console.text.data;
}

static size_t console_len(const struct exec *x)
{
	return x->res->console.text.len;
}

/* 1-based line number of offset off in the console. */
static int line_at(const struct exec *x, size_t off)
{
	const char *p = console_text(x), *end = p + off;
	int n = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p))))
		p++, n++;
	return n;
}

/* ---- steps ------------------------------------------------------------- */

static bool play_expect(struct exec *x, const struct step *st)
{
	size_t s, e;

	if (x->resume < x->cursor)
		x->resume = x->cursor;
	if (pattern_search(&st->pat, console_text(x), console_len(x), x->resume,
			   &s, &e)) {
		x->cursor = e;
		return true;
	}
	x->resume = pattern_resume(&st->pat, console_text(x), console_len(x),
				   x->resume);
	return false;
}

static bool play_expect_not(struct exec *x, const struct step *st, double t)
{
	struct watch *w;

	if (x->nwatches == 0 || x->watches[x->nwatches - 1].step != st) {
		w = ARRAY_PUSH(&x->watches, &x->nwatches);
		w->step = st;
		w->from = x->cursor;
		w->until = st->timeout > 0 ? t + st->timeout : INFINITY;
	}
	/* Without `for`, the watch runs on while the next steps play. */
	return st->timeout <= 0 || t >= x->watches[x->nwatches - 1].until;
}

/* The runner failed: say how, and why in its own words when it said. */
static void runner_failed(struct exec *x, const struct step *st)
{
	const struct guest_stop *gs = &x->res->stop;

	verdict(x, V_ERROR, st, "runner failed: %s%s%s", gs->what,
		gs->cause[0] ? ": " : "", gs->cause);
}

static bool exit_matches(struct exec *x, const struct step *st)
{
	struct guest_stop *gs = &x->res->stop;
	int want = st->kind == STEP_EXIT ? st->status : 0;

	if (gs->status == want)
		return true;
	if (gs->infra)
		runner_failed(x, st);
	else
		verdict(x, V_FAIL, st, "expected exit status %d%s, got %s",
			want, st->kind == STEP_SHUTDOWN ? " (power-off)" : "",
			gs->what);
	return false;
}

/* A title is one whole line: $ matches at its end. */
static bool pattern_matches_title(const struct pattern *p, const char *title)
{
	char *line = xasprintf("%s\n", title);
	size_t s, e;
	bool hit = pattern_search(p, line, strlen(line), 0, &s, &e);

	free(line);
	return hit;
}

/* The crash the verdict is about: its title, and its report for the files. */
static void keep_crash(struct exec *x, const struct crash_report *rep)
{
	snprintf(x->res->crash_title, sizeof(x->res->crash_title), "%s",
		 rep->title);
	if (!x->res->crash)
		x->res->crash = xmalloc(sizeof(*x->res->crash));
	*x->res->crash = *rep;
}

static bool title_matches(const struct step *st, const char *title)
{
	return !st->has_pattern || pattern_matches_title(&st->pat, title);
}

static bool play_expect_crash(struct exec *x, const struct step *st)
{
	const struct crash_report *rep = &x->crash.report;

	if (!rep->found || !rep->complete || x->crash_consumed)
		return false;
	if (!title_matches(st, rep->title)) {
		keep_crash(x, rep);
		verdict(x, V_CRASH, st,
			"crash '%s' does not match the expected one",
			rep->title);
		return false;
	}
	x->crash_consumed = true;
	x->cursor = rep->end > x->cursor ? rep->end : x->cursor;
	return true;
}

/* Play step st as far as it goes now; true when it is complete. */
static bool play(struct exec *x, const struct step *st, double t)
{
	char *err = NULL;

	switch (st->kind) {
	case STEP_EXPECT:
		return play_expect(x, st);
	case STEP_EXPECT_NOT:
		return play_expect_not(x, st, t);
	case STEP_SEND:
		if (x->proc.exited ||
		    proc_send(&x->proc, st->data, st->data_len, &err))
			return !x->proc.exited;
		verdict(x, V_ERROR, st, "%s", err);
		free(err);
		return false;
	case STEP_EXIT:
	case STEP_SHUTDOWN:
		return x->res->stopped && exit_matches(x, st);
	case STEP_EXPECT_CRASH:
		return play_expect_crash(x, st);
	}
	return false;
}

static void advance(struct exec *x, double t)
{
	while (!x->done && x->next < x->t->nsteps &&
	       play(x, &x->t->steps[x->next], t)) {
		x->next++;
		x->step_start = t;
		x->resume = x->cursor;
	}
}

static void check_watches(struct exec *x, double t)
{
	size_t i, s, e;

	for (i = 0; i < x->nwatches && !x->done; i++) {
		struct watch *w = &x->watches[i];

		if (w->over)
			continue;
		if (pattern_search(&w->step->pat, console_text(x),
				   console_len(x), w->from, &s, &e)) {
			char *what = step_describe(x->t, w->step);

			verdict(x, V_FAIL, w->step,
				"%s: it appeared on console line %d", what,
				line_at(x, s));
			free(what);
			return;
		}
		w->from = pattern_resume(&w->step->pat, console_text(x),
					 console_len(x), w->from);
		w->over = t >= w->until;
	}
}

/* ---- crashes ------------------------------------------------------------- */

static void check_crash(struct exec *x, double t)
{
	struct crash_report *rep = &x->crash.report;
	bool settled;

	if (x->crash_consumed || x->done)
		return;
	settled = x->eof ||
		  (x->crash_seen > 0 && (t - x->last_output >= CRASH_QUIET ||
					 t - x->crash_seen >= CRASH_GRACE));
	crash_feed(&x->crash, console_text(x), console_len(x), settled);
	if (rep->found && x->crash_seen == 0)
		x->crash_seen = t;
	if (!rep->complete)
		return;
	/* An expect-crash waiting for it takes it; anything else fails. */
	advance(x, t);
	if (x->crash_consumed || x->done)
		return;
	keep_crash(x, rep);
	verdict(x, V_CRASH, NULL, "%s (console line %d)", rep->title,
		rep->start_line);
}

/* ---- launch and boot times ------------------------------------------------
 */

/* The guest starts now: its timeouts and boot times count from here. */
static void launch(struct exec *x, double t)
{
	x->launched = t;
	x->last_output = t;
	x->step_start = t;
	x->res->setup_seconds = t - x->start;
}

/* Has the runner said, on stderr, that its launcher started? */
static void check_launch(struct exec *x)
{
	const char *m = x->r->ops->launch_marker, *log, *hit;

	if (x->launched || !m)
		return;
	log = x->res->runner_log.data;
	for (hit = strstr(log, m); hit; hit = strstr(hit + 1, m)) {
		if (hit == log || hit[-1] == '\n') {
			launch(x, now());
			return;
		}
	}
}

static void check_boot_marker(struct exec *x)
{
	size_t s, e;

	if (x->res->boot_marker >= 0)
		return;
	if (pattern_search(x->marker, console_text(x), console_len(x),
			   x->marker_from, &s, &e))
		x->res->boot_marker = now() - x->launched;
	else
		x->marker_from = pattern_resume(x->marker, console_text(x),
						console_len(x), x->marker_from);
}

/* ---- I/O -------------------------------------------------------------------
 */

/*
 * Copy console output to o->echo.  With a prefix, only whole lines, each
 * in one write, so that tests running side by side do not mix within a
 * line; at the end (flush) the last, unfinished one too.
 */
static void echo(struct exec *x, const char *data, size_t len, bool flush)
{
	struct buf *l = &x->echo_line;
	const char *nl;
	size_t used = 0;

	if (!x->o->echo_prefix) {
		fwrite(data, 1, len, x->o->echo);
		return;
	}
	buf_add(l, data, len);
	while ((nl = memchr(l->data + used, '\n', l->len - used)) ||
	       (flush && used < l->len)) {
		size_t end = nl ? (size_t)(nl - l->data) : l->len;

		fprintf(x->o->echo, "%s%.*s\n", x->o->echo_prefix,
			(int)(end - used), l->data + used);
		used = nl ? end + 1 : end;
	}
	memmove(l->data, l->data + used, l->len - used);
	l->len -= used;
}

/* Read what fd has; false at end of file or on an error. */
static bool drain(struct exec *x, int *fd, bool console)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(*fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			return false;
		}
		if (!console) {
			if (x->res->runner_log.len < RUNNER_LOG_MAX)
				buf_add(&x->res->runner_log, chunk, (size_t)n);
			check_launch(x);
			continue;
		}
		/* A console byte means the guest runs, marker or not. */
		if (!x->launched)
			launch(x, now());
		if (x->res->first_byte < 0)
			x->res->first_byte = now() - x->launched;
		console_append(&x->res->console, chunk, (size_t)n);
		x->last_output = now();
		if (x->o->echo)
			echo(x, chunk, (size_t)n, false);
		if (x->o->log)
			fwrite(chunk, 1, (size_t)n, x->o->log);
	}
}

/* ---- limits ----------------------------------------------------------- */

double boot_limit(const struct config *c)
{
	if (c->boot_timeout > 0)
		return c->boot_timeout;
	return c->boot_marker || c->prints_marker ? DEFAULT_BOOT_TIMEOUT : 0;
}

/* Steps that wait for something, and so can wait too long. */
static bool step_waits(const struct step *st)
{
	return st->kind != STEP_SEND && st->kind != STEP_EXPECT_NOT;
}

static void earlier(enum limit *l, double *at, enum limit cand, double limit,
		    double from)
{
	if (limit > 0 && from + limit < *at) {
		*l = cand;
		*at = from + limit;
	}
}

enum limit first_limit(const struct config *c, const struct step *st,
		       const struct clocks *k, double *at)
{
	double boot = boot_limit(c);
	bool booting = boot > 0 && !k->marker;
	enum limit l = LIMIT_NONE;

	*at = INFINITY;
	earlier(&l, at, LIMIT_OVERALL, c->timeout, k->launched);
	if (booting)
		earlier(&l, at, LIMIT_BOOT, boot, k->launched);
	else
		earlier(&l, at, LIMIT_IDLE, c->idle_timeout, k->last_output);
	if (!st || !step_waits(st))
		return l;
	if (st->timeout > 0)
		earlier(&l, at, LIMIT_STEP, st->timeout, k->step_start);
	else if (!booting)
		earlier(&l, at, LIMIT_STEP_TIMEOUT, c->step_timeout,
			boot > 0 ? fmax(k->step_start, k->marker)
				 : k->step_start);
	return l;
}

enum verdict limit_verdict(enum limit l, const struct testcase *t,
			   const struct step *st, char **message)
{
	const struct config *c = &t->cfg;
	char *what;

	switch (l) {
	case LIMIT_NONE:
		break;
	case LIMIT_OVERALL:
		*message = xasprintf("overall timeout: the test ran for %g s",
				     c->timeout);
		return V_HANG;
	case LIMIT_BOOT:
		what = pattern_describe(marker_of(c));
		*message = xasprintf("boot timeout: no boot marker (%s) within "
				     "%g s of the launch",
				     what, boot_limit(c));
		free(what);
		return V_HANG;
	case LIMIT_IDLE:
		*message = xasprintf("no-output timeout: no console output "
				     "for %g s",
				     c->idle_timeout);
		return V_HANG;
	case LIMIT_STEP:
	case LIMIT_STEP_TIMEOUT:
		what = step_describe(t, st);
		*message = xasprintf(
			"timed out after %g s waiting for: %s (step %zu%s)",
			l == LIMIT_STEP ? st->timeout : c->step_timeout, what,
			(size_t)(st - t->steps) + 1,
			l == LIMIT_STEP ? "" : ", step-timeout");
		free(what);
		return V_FAIL;
	}
	*message = xstrdup("no limit ran out");
	return V_PASS;
}

static const struct step *current_step(const struct exec *x)
{
	return x->next < x->t->nsteps ? &x->t->steps[x->next] : NULL;
}

static void clocks_of(const struct exec *x, struct clocks *k)
{
	k->launched = x->launched;
	k->last_output = x->last_output;
	k->marker = x->res->boot_marker >= 0 ? x->launched + x->res->boot_marker
					     : 0;
	k->step_start = x->step_start;
}

static double next_deadline(const struct exec *x)
{
	const struct step *st = current_step(x);
	struct clocks k;
	double d;

	if (!x->launched)
		return x->start + RUNNER_SETUP_TIMEOUT;
	clocks_of(x, &k);
	first_limit(&x->t->cfg, st, &k, &d);
	/* Wake when an expect-not's window closes: the step then passes. */
	if (st && st->kind == STEP_EXPECT_NOT && st->timeout > 0)
		d = fmin(d, x->step_start + st->timeout);
	return d;
}

/* Take what the runner has, waiting up to `wait` seconds for it. */
static void poll_io(struct exec *x, double wait)
{
	struct pollfd p[2];
	int n = 0;

	if (x->proc.out_fd >= 0)
		p[n++] =
			(struct pollfd){.fd = x->proc.out_fd, .events = POLLIN};
	if (x->proc.err_fd >= 0)
		p[n++] =
			(struct pollfd){.fd = x->proc.err_fd, .events = POLLIN};
	if (!n) {
		/* Both closed: the runner is gone or going; wait for it. */
		proc_reap(&x->proc, true);
		return;
	}
	poll(p, (nfds_t)n, wait > 0 ? (int)ceil(wait * 1000) : 0);
	if (x->proc.out_fd >= 0)
		drain(x, &x->proc.out_fd, true);
	if (x->proc.err_fd >= 0)
		drain(x, &x->proc.err_fd, false);
}

static void wait_for_io(struct exec *x, double t)
{
	poll_io(x, fmin(next_deadline(x) - t, POLL_MAX));
}

/* ---- hangs --------------------------------------------------------------
 */

#define SYSRQ_KEYS "ltw" /* the CPUs' backtraces, every task, the blocked */
/*
 * A BREAK (a signal) and a key (console input) reach the guest's UART by
 * different ways: each waits this long for the other to arrive first.
 */
#define BREAK_GAP 1.0
#define DUMP_QUIET 2.0 /* the dump is over after this much quiet... */
#define DUMP_MAX 10.0 /* ...or this long after the last key */

/*
 * Collect console output for up to `secs`; with `quiet`, stop once none
 * came for that long (counted from `since` at the earliest).  A signal
 * to lgtest cuts it short.
 */
static void collect(struct exec *x, double secs, double quiet, double since)
{
	double until = now() + secs, t;

	while (!x->proc.exited && (t = now()) < until) {
		if (quiet > 0 && t - fmax(since, x->last_output) >= quiet)
			break;
		if (x->o->interrupted && *x->o->interrupted)
			break;
		poll_io(x, fmin(until - t, POLL_MAX));
		proc_reap(&x->proc, false);
	}
}

/*
 * Ask the hung kernel what it is doing, as syzkaller does: a BREAK on the
 * serial console and a sysrq key after each (Linux's 8250 driver takes
 * the byte after a break as one; lgtest boots with sysrq_always_enabled),
 * then the dump's end.  With a virtio console the keyboard is hvc0, so a
 * key could not follow the break: nothing is asked.
 */
static void ask_kernel(struct exec *x)
{
	const char *k;
	char *err = NULL;

	for (k = SYSRQ_KEYS; *k; k++) {
		if (!proc_break(&x->proc))
			return;
		collect(x, BREAK_GAP, 0, 0);
		if (x->proc.exited || !proc_send(&x->proc, k, 1, &err)) {
			free(err);
			return;
		}
		collect(x, BREAK_GAP, 0, 0);
	}
	collect(x, DUMP_MAX, DUMP_QUIET, now());
}

/*
 * A hang, before its guest is killed: the kernel's answer to sysrq stays
 * in the console, and titles the hang (crash_hang_title); when it names
 * nothing, a quiet guest is syzkaller's "no output from test machine"
 * and one that ran out of time "timed out".
 */
static void diagnose_hang(struct exec *x, enum limit l, char **why)
{
	size_t from = console_len(x);
	char *msg;

	if (x->res->stopped || x->proc.exited)
		return;
	if (!config_has_console_device(&x->t->cfg))
		ask_kernel(x);
	crash_hang_title(console_text(x) + from, console_len(x) - from,
			 l == LIMIT_OVERALL ? "timed out"
					    : "no output from test machine",
			 x->res->crash_title);
	msg = xasprintf("%s; after sysrq %s: %s", *why, SYSRQ_KEYS,
			x->res->crash_title);
	free(*why);
	*why = msg;
}

/* ---- the end of a test ------------------------------------------------------
 */

/* The runner is gone: take the rest of its output and what its end means. */
static void on_runner_exit(struct exec *x)
{
	while (x->proc.out_fd >= 0 && drain(x, &x->proc.out_fd, true))
		;
	while (x->proc.err_fd >= 0 && drain(x, &x->proc.err_fd, false))
		;
	runner_stopped(x->r, &x->proc, x->res->runner_log.data, &x->res->stop);
	x->eof = true;
	x->res->stopped = true;
}

static void check_stop(struct exec *x, double t)
{
	const struct step *st;
	char *what;

	if (!x->res->stopped || x->done)
		return;
	check_crash(x, t);
	advance(x, t);
	if (x->done || x->next >= x->t->nsteps)
		return;
	st = &x->t->steps[x->next];
	if (x->res->stop.infra) {
		runner_failed(x, st);
		return;
	}
	what = step_describe(x->t, st);
	verdict(x, V_FAIL, st, "the guest stopped (%s) while waiting for: %s",
		x->res->stop.what, what);
	free(what);
}

static void check_timeouts(struct exec *x, double t)
{
	const struct step *st = current_step(x);
	struct clocks k;
	enum limit l;
	enum verdict v;
	char *why;
	double at;

	if (x->done)
		return;
	if (!x->launched) {
		if (t - x->start >= RUNNER_SETUP_TIMEOUT)
			verdict(x, V_ERROR, NULL,
				"the runner did not start the guest within "
				"%g s",
				RUNNER_SETUP_TIMEOUT);
		return;
	}
	clocks_of(x, &k);
	l = first_limit(&x->t->cfg, st, &k, &at);
	if (l == LIMIT_NONE || t < at)
		return;
	v = limit_verdict(l, x->t, st, &why);
	if (v == V_HANG)
		diagnose_hang(x, l, &why);
	verdict(x, v, st, "%s", why);
	free(why);
}

/*
 * All steps passed: the test passes unless a crash report has begun, in
 * which case it is given the time to finish and the test crashes.
 */
static void check_finished(struct exec *x)
{
	if (x->done || x->next < x->t->nsteps)
		return;
	if (x->crash.report.found && !x->crash_consumed)
		return;
	verdict(x, V_PASS, NULL, "all %zu steps passed", x->t->nsteps);
}

static void loop(struct exec *x)
{
	double t;

	while (!x->done) {
		t = now();
		if (x->o->interrupted && *x->o->interrupted) {
			verdict(x, V_ERROR, NULL, "interrupted");
			break;
		}
		advance(x, t);
		check_watches(x, t);
		check_crash(x, t);
		check_finished(x);
		check_timeouts(x, t);
		if (x->done)
			break;
		wait_for_io(x, t);
		check_boot_marker(x);
		if (!x->res->stopped && proc_reap(&x->proc, false)) {
			on_runner_exit(x);
			check_stop(x, now());
		}
	}
}

/*
 * A passing test's guest is stopped the moment its last step passes; a
 * report that began in its last output still makes it a crash.
 */
static void final_crash_check(struct exec *x)
{
	if (x->res->verdict != V_PASS || x->crash_consumed)
		return;
	crash_feed(&x->crash, console_text(x), console_len(x), true);
	if (!x->crash.report.found)
		return;
	x->done = false;
	free(x->res->message);
	x->res->message = NULL;
	x->eof = true;
	check_crash(x, now());
}

/* Subtests the guest reported in KTAP; failed ones fail a passing test. */
static void judge_ktap(struct exec *x)
{
	struct result *res = x->res;
	char *why;

	if (x->t->cfg.ktap == KTAP_IGNORE)
		return;
	ktap_parse(console_text(x), console_len(x), &res->ktap);
	if (x->t->cfg.ktap == KTAP_REPORT || res->verdict != V_PASS)
		return;
	why = ktap_failure_summary(&res->ktap);
	if (!why)
		return;
	free(res->message);
	res->message = why;
	res->verdict = V_FAIL;
}

/* expect-verdict hang PATTERN: the hang's title matches it. */
static bool hang_title_matches(const struct exec *x)
{
	const struct pattern *p = x->t->cfg.hang_title;

	return !p || x->t->cfg.expect_verdict != EXPECT_HANG ||
	       pattern_matches_title(p, x->res->crash_title);
}

/*
 * A test the script expects to fail or hang (expect-verdict) passes when
 * it does so at its last step, the steps before it having passed; ending
 * that way anywhere else, or passing, is what needs a look.
 */
static void judge_expected(struct exec *x)
{
	enum expect_verdict want = x->t->cfg.expect_verdict;
	struct result *res = x->res;
	enum verdict v = want == EXPECT_HANG ? V_HANG : V_FAIL;
	const struct step *last = &x->t->steps[x->t->nsteps - 1];
	const char *name = expect_verdict_name(want);
	char *why, *desc;

	if (want == EXPECT_UNSET || want == EXPECT_PASS ||
	    res->verdict == V_ERROR)
		return;
	if (res->verdict == V_PASS) {
		why = xasprintf("expected to %s at line %d, but every step "
				"passed",
				name, last->line);
		res->verdict = V_FAIL;
	} else if (res->verdict == v && res->step == last &&
		   !hang_title_matches(x)) {
		desc = pattern_describe(x->t->cfg.hang_title);
		why = xasprintf("expected to hang at line %d with a title "
				"matching %s; instead: %s",
				last->line, desc, res->message);
		free(desc);
		res->verdict = V_FAIL;
	} else if (res->verdict == v && res->step == last) {
		why = xasprintf("%s, as expected: %s", name, res->message);
		res->verdict = V_PASS;
		res->step = NULL;
	} else {
		why = xasprintf("expected to %s at line %d; instead: %s", name,
				last->line, res->message);
	}
	free(res->message);
	res->message = why;
}

void run_test(const struct runner *r, const struct testcase *t,
	      const struct run_options *o, struct result *res)
{
	struct exec x = {.r = r, .t = t, .o = o, .res = res};
	char *err = NULL;

	memset(res, 0, sizeof(*res));
	console_append(&res->console, "", 0);
	res->stop.status = -1;
	res->first_byte = res->boot_marker = -1;
	x.marker = marker_of(&t->cfg);
	x.start = x.last_output = x.step_start = now();
	if (!r->ops->launch_marker)
		launch(&x, x.start);
	if (!proc_start(r, &t->cfg, &x.proc, &err)) {
		verdict(&x, V_ERROR, NULL, "%s", err);
		free(err);
	} else {
		res->command = xstrdup(x.proc.command);
		loop(&x);
	}
	proc_stop(&x.proc);
	final_crash_check(&x);
	judge_ktap(&x);
	judge_expected(&x);
	if (o->echo && x.echo_line.len)
		echo(&x, "", 0, true);
	buf_free(&x.echo_line);
	res->seconds = now() - x.start;
	free(x.watches);
}

void result_free(struct result *res)
{
	free(res->message);
	free(res->crash);
	free(res->command);
	console_free(&res->console);
	buf_free(&res->runner_log);
	ktap_free(&res->ktap);
	memset(res, 0, sizeof(*res));
}
