/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP and TAP that a guest prints (KUnit in the kernel log, kselftest on
 * the console), parsed into a tree of subtests so that lgtest can report
 * them beside its own verdict.  See Documentation/dev-tools/ktap.rst.
 *
 * A document starts at a "KTAP version N" or "TAP version N" line; lines
 * before it are not KTAP however they look.  A subtest's lines are
 * indented (by four spaces in KUnit) under its parent and come before the
 * parent's own result line, which names the subtest.  Kernel log prefixes
 * ("[    1.234567] ", "[    T1] ") are stripped first; lines that are no
 * KTAP at all (other kernel messages) are skipped wherever they appear.
 */
#ifndef LGTEST_KTAP_H
#define LGTEST_KTAP_H

#include <stdbool.h>
#include <stddef.h>

enum ktap_result {
	KTAP_PASS, /* ok */
	KTAP_FAIL, /* not ok */
	KTAP_SKIP, /* ok or not ok, "# SKIP" */
	KTAP_TODO, /* not ok "# TODO": a failure that was expected */
	KTAP_MISSING, /* a subtest began but printed no result line */
};

struct ktap_test {
	char *name;
	int number; /* from its result line; 0 when missing */
	enum ktap_result result;
	char *directive; /* "SKIP why", "TODO why", ... or NULL */
	int line; /* console line of its result, 0 when missing */
	long planned; /* its "1..N" for subtests; -1 if none */
	struct ktap_test *subtests;
	size_t nsubtests;
};

struct ktap_counts {
	size_t passed, failed, skipped, todo;
};

struct ktap_report {
	bool found; /* a version line was seen */
	struct ktap_test root; /* its subtests: every document's results */
	bool bailed_out;
	char *bail_out; /* reason of the first "Bail out!", or NULL */
	/* Leaves (tests without subtests) and failed parents, counted. */
	struct ktap_counts counts;
	size_t missing; /* planned but never reported, across all levels */
};

/* Parse the KTAP in console text (NUL-terminated, len bytes). */
void ktap_parse(const char *text, size_t len, struct ktap_report *r);
void ktap_free(struct ktap_report *r);

const char *ktap_result_name(enum ktap_result r);

/* Does this result count as a failure (fail, missing)? */
bool ktap_failed(enum ktap_result r);

/*
 * A one-line judgement of a report that holds failures: "2 of 9 KTAP
 * subtests failed: suite.a, suite.b"; NULL when nothing failed.
 */
char *ktap_failure_summary(const struct ktap_report *r);

#endif
