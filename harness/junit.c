// SPDX-License-Identifier: GPL-2.0
/*
 * JUnit XML, in the shape Jenkins' JUnit plugin and GitLab's test reports
 * read: <testsuites>, one <testsuite> per script, a <testcase> per test
 * (classname: the script, name: the test) and, after each test, one per
 * KTAP subtest it reported (classname "SCRIPT: TEST", name "suite.case").
 * A failed, crashed or hung test has a <failure type="VERDICT">, an error
 * an <error>; skipped subtests a <skipped>.  Boot times are <properties>
 * of the test case and a line of its <system-out>.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct xml {
	FILE *f;
	struct buf b;
};

/* Write s escaped (attribute values and text alike). */
static void text(struct xml *x, const char *s)
{
	x->b.len = 0;
	escape_text(&x->b, s, ESC_XML);
	fputs(x->b.data, x->f);
}

static void attr(struct xml *x, const char *name, const char *value)
{
	fprintf(x->f, " %s=\"", name);
	text(x, value);
	fputc('"', x->f);
}

static void counts_attrs(struct xml *x, size_t tests, size_t failures,
			 size_t errors, size_t skipped, double seconds)
{
	fprintf(x->f,
		" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"%.3f\"",
		tests, failures, errors, skipped, seconds);
}

/* ---- KTAP subtests as test cases -------------------------------------- */

struct tally {
	size_t tests, failures, errors, skipped;
};

static void count_subtests(const struct ktap_test *t, struct tally *c)
{
	size_t i;

	for (i = 0; i < t->nsubtests; i++) {
		const struct ktap_test *s = &t->subtests[i];

		c->tests++;
		c->failures += ktap_failed(s->result);
		c->skipped += s->result == KTAP_SKIP;
		count_subtests(s, c);
	}
}

static void subtest_cases(struct xml *x, const struct report_entry *e,
			  const struct ktap_test *t, const char *path)
{
	size_t i;

	for (i = 0; i < t->nsubtests; i++) {
		const struct ktap_test *s = &t->subtests[i];
		char *name = *path ? xasprintf("%s.%s", path, s->name)
				   : xstrdup(s->name);
		char *classname = xasprintf("%s: %s", e->file, e->name);

		fputs("    <testcase", x->f);
		attr(x, "classname", classname);
		attr(x, "name", name);
		fputs(" time=\"0\"", x->f);
		if (s->result == KTAP_PASS || s->result == KTAP_TODO) {
			fputs("/>\n", x->f);
		} else if (s->result == KTAP_SKIP) {
			fputs(">\n      <skipped", x->f);
			attr(x, "message", s->directive);
			fputs("/>\n    </testcase>\n", x->f);
		} else {
			fputs(">\n      <failure type=\"ktap\"", x->f);
			attr(x, "message",
			     s->result == KTAP_MISSING
				     ? "no result line"
				     : (s->directive ? s->directive
						     : "not ok"));
			fprintf(x->f, ">console line %d</failure>\n", s->line);
			fputs("    </testcase>\n", x->f);
		}
		subtest_cases(x, e, s, name);
		free(classname);
		free(name);
	}
}

/* ---- tests ------------------------------------------------------------ */

static void count_entry(const struct report_entry *e, struct tally *c)
{
	c->tests++;
	c->errors += e->verdict == V_ERROR;
	c->failures += e->verdict != V_ERROR && e->verdict != V_PASS;
	count_subtests(&e->ktap.root, c);
}

static void property(struct xml *x, const char *name, double v)
{
	if (v >= 0)
		fprintf(x->f,
			"        <property name=\"%s\" value=\"%.3f\"/>\n",
			name, v);
}

/* The crash report beyond its title, as lines of the failure's text. */
static void crash_details(struct buf *d, const struct crash_report *r)
{
	int i;

	buf_addf(d, "crash type: %s\n", crash_type_name(r->type));
	for (i = 0; i < r->nalt; i++)
		buf_addf(d, "crash alternative title: %s\n", r->alt[i]);
	buf_addf(d, "crash corrupted: %s\n", r->corrupted ? "yes" : "no");
	if (r->frame[0])
		buf_addf(d, "crash frame: %s%s%s\n", r->frame,
			 r->source[0] ? " at " : "", r->source);
	buf_addf(d, "--- crash report (console line %d) ---\n%s\n",
		 r->start_line, r->text);
}

static void details(struct xml *x, const struct report_entry *e)
{
	struct buf d = {0};

	buf_addf(&d, "verdict: %s\n", verdict_name(e->verdict));
	if (e->expected)
		buf_addf(&d, "expected: %s\n", e->expected);
	if (e->crash_title)
		buf_addf(&d, "crash: %s\n", e->crash_title);
	if (e->crash)
		crash_details(&d, e->crash);
	if (e->line)
		buf_addf(&d, "at: %s:%d:%d\n", e->file, e->line, e->col);
	if (e->stopped)
		buf_addf(&d, "stopped: %s\n", e->stopped);
	if (e->command)
		buf_addf(&d, "command: %s\n", e->command);
	if (e->console_tail)
		buf_addf(&d, "--- console (last lines) ---\n%s",
			 e->console_tail);
	if (e->runner_tail)
		buf_addf(&d, "--- runner stderr (last lines) ---\n%s",
			 e->runner_tail);
	text(x, d.data);
	buf_free(&d);
}

static void test_case(struct xml *x, const struct report_entry *e)
{
	char *name = entry_title(e);

	fputs("    <testcase", x->f);
	attr(x, "classname", e->file);
	attr(x, "name", name);
	fprintf(x->f, " time=\"%.3f\">\n      <properties>\n", e->seconds);
	property(x, "setup_seconds", e->setup_seconds);
	property(x, "boot_first_byte", e->first_byte);
	property(x, "boot_marker", e->boot_marker);
	fprintf(x->f, "        <property name=\"cpus\" value=\"%u\"/>\n",
		e->cpus);
	fputs("      </properties>\n", x->f);
	if (e->verdict != V_PASS) {
		fprintf(x->f, "      <%s type=\"%s\"",
			e->verdict == V_ERROR ? "error" : "failure",
			verdict_name(e->verdict));
		attr(x, "message", e->message);
		fputs(">", x->f);
		details(x, e);
		fprintf(x->f, "</%s>\n",
			e->verdict == V_ERROR ? "error" : "failure");
	}
	fputs("      <system-out>", x->f);
	fprintf(x->f, "boot: setup %.3f s, first byte ", e->setup_seconds);
	fprintf(x->f, e->first_byte >= 0 ? "%.3f s" : "none", e->first_byte);
	fputs(", marker ", x->f);
	fprintf(x->f, e->boot_marker >= 0 ? "%.3f s" : "none", e->boot_marker);
	if (e->log) {
		fputs("\nconsole log: ", x->f);
		text(x, e->log);
	}
	fputs("</system-out>\n    </testcase>\n", x->f);
	free(name);
}

/* --repeat: the script's flaky tests, as properties of its suite. */
static void flaky_properties(struct xml *x, const struct report *r,
			     const char *file)
{
	struct flaky *list;
	size_t i, n = report_flaky(r, &list);
	char *value;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i].file, file))
			continue;
		value = xasprintf("%s (passed %zu of %zu runs)", list[i].name,
				  list[i].passed, list[i].runs);
		fputs("      <property name=\"flaky\"", x->f);
		attr(x, "value", value);
		fputs("/>\n", x->f);
		free(value);
	}
	free(list);
}

/* Tests of one script: entries [from, to). */
static void suite(struct xml *x, const struct report *r, size_t from, size_t to)
{
	struct tally c = {0};
	double seconds = 0;
	char stamp[32];
	size_t i;

	for (i = from; i < to; i++) {
		count_entry(&r->entries[i], &c);
		seconds += r->entries[i].seconds;
	}
	iso_time(r->started, stamp, sizeof(stamp));
	fputs("  <testsuite", x->f);
	attr(x, "name", r->entries[from].file);
	counts_attrs(x, c.tests, c.failures, c.errors, c.skipped, seconds);
	fprintf(x->f, " timestamp=\"%s\">\n", stamp);
	fputs("    <properties>\n      <property name=\"runner\"", x->f);
	attr(x, "value", r->runner);
	fputs("/>\n", x->f);
	flaky_properties(x, r, r->entries[from].file);
	fputs("    </properties>\n", x->f);
	for (i = from; i < to; i++) {
		test_case(x, &r->entries[i]);
		subtest_cases(x, &r->entries[i], &r->entries[i].ktap.root, "");
	}
	fputs("  </testsuite>\n", x->f);
}

void junit_write(FILE *f, const struct report *r)
{
	struct xml x = {.f = f};
	struct tally all = {0};
	size_t i, from;

	for (i = 0; i < r->nentries; i++)
		count_entry(&r->entries[i], &all);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
	      "name=\"lgtest\"",
	      f);
	counts_attrs(&x, all.tests, all.failures, all.errors, all.skipped,
		     r->seconds);
	fputs(">\n", f);
	/* Entries of one script are consecutive unless sharded apart. */
	for (from = 0; from < r->nentries; from = i) {
		for (i = from + 1;
		     i < r->nentries &&
		     !strcmp(r->entries[i].file, r->entries[from].file);
		     i++)
			;
		suite(&x, r, from, i);
	}
	fputs("</testsuites>\n", f);
	buf_free(&x.b);
}
