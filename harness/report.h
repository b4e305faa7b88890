/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports: what a finished test leaves behind (an entry: plain data, no
 * console buffer), and the formats written from entries: TAP (tap.c),
 * JUnit XML (junit.c) and JSON (json.c).  Text from the guest may hold
 * anything; writers go through the escapes here, which also turn bytes
 * that are not UTF-8 into U+FFFD, so every file is valid UTF-8.
 */
#ifndef LGTEST_REPORT_H
#define LGTEST_REPORT_H

#include <stdio.h>
#include <time.h>

#include "ktap.h"
#include "run.h"

struct report_entry {
	size_t number; /* 1-based, in the order tests are listed */
	unsigned int round; /* 1-based run of the test (--repeat) */
	char *file; /* the script */
	char *name;
	enum verdict verdict;
	char *message;
	char *crash_title; /* NULL without a crash */
	struct crash_report *crash; /* its report, or NULL */
	int line, col; /* the failed step's position; 0 when none */
	double seconds; /* the whole test */
	double setup_seconds; /* runner set-up before the launch */
	double first_byte; /* launch to first console byte; < 0: none */
	double boot_marker; /* launch to the boot marker; < 0: none */
	char *stopped; /* how the guest stopped, or NULL */
	char *command; /* the runner's command, or NULL */
	char *console_tail; /* last console lines of a test that failed */
	char *runner_tail; /* last lines the runner printed on stderr */
	char *log; /* the full console log (--out), or NULL */
	unsigned int cpus; /* the guest's vCPUs */
	/* The verdict the script expects if not a pass, else NULL. */
	const char *expected;
	struct ktap_report ktap; /* the guest's KTAP subtests */
	unsigned int attempts; /* runs made (--retries): 1 unless retried */
	char *first_failure; /* a retried test's first run: "VERDICT: WHY" */
};

struct report {
	char *runner; /* which runner and why */
	char *shard; /* "K/N" (--shard), or NULL */
	unsigned int jobs; /* tests run side by side (--jobs) */
	unsigned int repeat; /* runs of each test (--repeat) */
	time_t started; /* wall clock */
	double seconds;
	bool interrupted;
	struct report_entry *entries;
	size_t nentries;
};

/* A test some of whose runs passed and some did not (--repeat). */
struct flaky {
	const char *file, *name;
	size_t runs, passed;
};

/* A test a crash came from, and in which runs (--repeat). */
struct crash_source {
	const char *file, *name;
	unsigned int *rounds;
	size_t nrounds;
};

/*
 * One crash identity: its title, how many test runs ended with it, and
 * which tests they were, in report order.
 */
struct crash_group {
	const char *title;
	size_t count;
	struct crash_source *tests;
	size_t ntests;
};

/*
 * Make an entry of a finished test.  The KTAP tree moves from res into
 * the entry; tail_lines bounds the console and runner tails kept.
 */
void report_entry_init(struct report_entry *e, size_t number,
		       unsigned int round, const struct testcase *t,
		       struct result *res, int tail_lines, const char *log);
void report_free(struct report *r);

/* "first byte 0.512 s, marker 2.100 s", or "" when neither came. */
void entry_boot_times(char *out, size_t len, const struct report_entry *e);

/* Tallies of a report: how many of each verdict. */
void report_counts(const struct report *r, size_t counts[V_ERROR + 1]);

/* The flaky tests of r, in report order; *out is freed by the caller. */
size_t report_flaky(const struct report *r, struct flaky **out);

/* One line per flaky test, each after prefix ("# " for TAP). */
void print_flaky(FILE *f, const char *prefix, const struct report *r);

/* The distinct crash titles of r, first seen first; free with the next. */
size_t report_crashes(const struct report *r, struct crash_group **out);
void crash_groups_free(struct crash_group *g, size_t n);

/*
 * One line per distinct crash, each after prefix: "crash: TITLE: N runs:
 * FILE: NAME (rounds 1, 3), ..." (rounds only under --repeat).
 */
void print_crashes(FILE *f, const char *prefix, const struct report *r);

/* A test's name in a report line: "NAME", or "NAME (round K)" after 1. */
char *entry_title(const struct report_entry *e);

/* ---- TAP (with KTAP subtests as TAP 14 subtests) ------------------------ */

#define TAP_VERSION 13 /* the default: what Debian 12's prove reads */

void tap_plan(FILE *f, unsigned int version, size_t ntests, const char *runner);
void tap_entry(FILE *f, const struct report_entry *e);
void tap_bail_out(FILE *f, const char *why);

/* ---- files ------------------------------------------------------------- */

void junit_write(FILE *f, const struct report *r);
void json_write(FILE *f, const struct report *r);
/*
 * One element of `lgtest classify --json`'s array: {"file": path,
 * "crash": the report's object as in json_write, or null}.
 */
void json_classify_entry(FILE *f, bool first, const char *path,
			 const struct crash_report *r);

/* ---- escapes ----------------------------------------------------------- */

enum escape {
	ESC_XML, /* markup escaped; controls XML cannot hold as \xNN */
	ESC_JSON, /* a JSON string's contents */
	ESC_YAML, /* a YAML double-quoted scalar's contents */
	ESC_TEXT, /* plain lines: controls but tab and newline as \xNN */
};

/* Append s to b escaped for the format; NULL is the empty string. */
void escape_text(struct buf *b, const char *s, enum escape how);

/* "2006-01-02T15:04:05Z" */
void iso_time(time_t t, char *out, size_t len);

#endif
