// SPDX-License-Identifier: GPL-2.0
/*
 * TAP on stdout: one line per test; before it, the guest's KTAP subtests
 * as a TAP subtest block; after it, for a test that did not pass, a YAML
 * block saying why, with the last console lines.  The header says version
 * 13 unless asked for 14: Debian 12's prove (TAP::Parser 3.44) refuses
 * 14, and reads everything else as it is (a TAP 13 parser skips the
 * indented subtest lines).
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

void tap_plan(FILE *f, unsigned int version, size_t ntests, const char *runner)
{
	fprintf(f, "TAP version %u\n1..%zu\n", version, ntests);
	if (runner)
		fprintf(f, "# runner: %s\n", runner);
	fflush(f);
}

/* A YAML double-quoted scalar. */
static void yaml_quoted(FILE *f, const char *s)
{
	struct buf b = {0};

	escape_text(&b, s, ESC_YAML);
	fprintf(f, "\"%s\"", b.data);
	buf_free(&b);
}

/*
 * Text as a YAML literal block under a key indented by indent, each line
 * indented two more.  A first line that starts with a blank would set
 * the block's indentation, and prove's YAML reader knows no "|2": such a
 * text is a double-quoted scalar instead.
 */
static void yaml_block_at(FILE *f, int indent, const char *key,
			  const char *text)
{
	struct buf b = {0};
	const char *p;

	if (text[0] == ' ' || text[0] == '\t') {
		fprintf(f, "%*s%s: ", indent, "", key);
		yaml_quoted(f, text);
		fputc('\n', f);
		return;
	}
	escape_text(&b, text, ESC_TEXT);
	fprintf(f, "%*s%s: |\n%*s", indent, "", key, indent + 2, "");
	for (p = b.data; *p; p++) {
		if (*p != '\n')
			fputc(*p, f);
		else if (p[1])
			fprintf(f, "\n%*s", indent + 2, "");
	}
	fputc('\n', f);
	buf_free(&b);
}

static void yaml_block(FILE *f, const char *key, const char *text)
{
	yaml_block_at(f, 2, key, text);
}

/* What the crash report says beyond its title (crash_report: ...). */
static void yaml_crash(FILE *f, const struct crash_report *r)
{
	int i;

	fprintf(f, "  crash_report:\n    type: %s\n    alt_titles: [",
		crash_type_name(r->type));
	for (i = 0; i < r->nalt; i++) {
		fputs(i ? ", " : "", f);
		yaml_quoted(f, r->alt[i]);
	}
	fprintf(f, "]\n    corrupted: %s\n", r->corrupted ? "true" : "false");
	fputs("    frame: ", f);
	yaml_quoted(f, r->frame);
	fputs("\n    source: ", f);
	yaml_quoted(f, r->source);
	fprintf(f, "\n    line: %d\n", r->start_line);
	yaml_block_at(f, 4, "text", r->text);
}

/*
 * A description: '#' would start a directive, a newline a new line; and
 * as console text it may hold any bytes, so it is shown as valid UTF-8.
 */
static void description(FILE *f, const char *s)
{
	struct buf b = {0};
	const char *p;

	escape_text(&b, s, ESC_TEXT);
	for (p = b.data; *p; p++)
		fputc(*p == '#' || *p == '\n' ? '_' : *p, f);
	buf_free(&b);
}

static void subtest_lines(FILE *f, const struct ktap_test *t, int depth)
{
	size_t i;

	for (i = 0; i < t->nsubtests; i++) {
		const struct ktap_test *s = &t->subtests[i];

		if (s->nsubtests) {
			fprintf(f, "%*s# Subtest: ", 4 * (depth + 1), "");
			description(f, s->name);
			fprintf(f, "\n%*s1..%zu\n", 4 * (depth + 1), "",
				s->nsubtests);
			subtest_lines(f, s, depth + 1);
		}
		fprintf(f, "%*s%s %zu - ", 4 * depth, "",
			s->result == KTAP_PASS || s->result == KTAP_SKIP
				? "ok"
				: "not ok",
			i + 1);
		description(f, s->name);
		if (s->result == KTAP_MISSING)
			fputs(" # no result line", f);
		else if (s->directive) {
			fputs(" # ", f);
			description(f, s->directive);
		}
		fputc('\n', f);
	}
}

static void subtests(FILE *f, const struct report_entry *e)
{
	const struct ktap_test *root = &e->ktap.root;

	if (!root->nsubtests)
		return;
	fputs("    # Subtest: ", f);
	description(f, e->file);
	fputs(": ", f);
	description(f, e->name);
	fprintf(f, "\n    1..%zu\n", root->nsubtests);
	subtest_lines(f, root, 1);
}

static void yaml_time(FILE *f, const char *key, double v)
{
	if (v >= 0)
		fprintf(f, "  %s: %.3f\n", key, v);
}

/* --retries: a pass on a later run says so, with the first failure. */
static void retried(FILE *f, const struct report_entry *e)
{
	if (e->attempts < 2 || !e->first_failure)
		return;
	fprintf(f, "# passed on run %u of %u; run 1: ", e->attempts,
		e->attempts);
	description(f, e->first_failure);
	fputc('\n', f);
}

void tap_entry(FILE *f, const struct report_entry *e)
{
	char boot[128], *title = entry_title(e);

	subtests(f, e);
	fprintf(f, "%s %zu - ", e->verdict == V_PASS ? "ok" : "not ok",
		e->number);
	fprintf(f, "%s: ", e->file);
	description(f, title);
	free(title);
	fputc('\n', f);
	entry_boot_times(boot, sizeof(boot), e);
	if (e->verdict == V_PASS) {
		fprintf(f, "# %.3f s", e->seconds);
		if (e->setup_seconds > 0)
			fprintf(f, "; runner set-up %.3f s", e->setup_seconds);
		fprintf(f, "%s%s\n", boot[0] ? "; boot: " : "", boot);
		/* A pass that is an expected fail or hang says so. */
		if (e->expected && e->message) {
			fputs("# ", f);
			description(f, e->message);
			fputc('\n', f);
		}
		retried(f, e);
		fflush(f);
		return;
	}
	fprintf(f,
		"  ---\n  verdict: %s\n  message: ", verdict_name(e->verdict));
	yaml_quoted(f, e->message ? e->message : "");
	if (e->expected)
		fprintf(f, "\n  expected: %s", e->expected);
	if (e->crash_title) {
		fputs("\n  crash: ", f);
		yaml_quoted(f, e->crash_title);
	}
	if (e->line)
		fprintf(f, "\n  at: \"%s:%d:%d\"", e->file, e->line, e->col);
	fprintf(f, "\n  seconds: %.3f\n", e->seconds);
	if (e->attempts > 1)
		fprintf(f, "  runs: %u\n", e->attempts);
	yaml_time(f, "setup_seconds",
		  e->setup_seconds > 0 ? e->setup_seconds : -1);
	yaml_time(f, "boot_first_byte", e->first_byte);
	yaml_time(f, "boot_marker", e->boot_marker);
	if (e->stopped) {
		fputs("  stopped: ", f);
		yaml_quoted(f, e->stopped);
		fputc('\n', f);
	}
	if (e->command) {
		fputs("  command: ", f);
		yaml_quoted(f, e->command);
		fputc('\n', f);
	}
	if (e->log) {
		fputs("  log: ", f);
		yaml_quoted(f, e->log);
		fputc('\n', f);
	}
	if (e->crash)
		yaml_crash(f, e->crash);
	if (e->console_tail)
		yaml_block(f, "console_tail", e->console_tail);
	if (e->runner_tail)
		yaml_block(f, "runner_stderr", e->runner_tail);
	fputs("  ...\n", f);
	fflush(f);
}

void tap_bail_out(FILE *f, const char *why)
{
	fprintf(f, "Bail out! %s\n", why);
	fflush(f);
}
