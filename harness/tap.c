// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "tap.h"

void tap_plan(FILE *f, size_t ntests)
{
	fprintf(f, "TAP version 13\n1..%zu\n", ntests);
	fflush(f);
}

/* A YAML double-quoted scalar. */
static void yaml_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * Text as a YAML literal block, each line indented; control characters a
 * block may not hold are shown as \xNN.
 */
static void yaml_block(FILE *f, const char *key, const char *text)
{
	const char *p;

	fprintf(f, "  %s: |\n    ", key);
	for (p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n' && p[1])
			fputs("\n    ", f);
		else if (c == '\n')
			continue;
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\n', f);
}

static void test_name(FILE *f, const struct testcase *t)
{
	const char *p;

	/* '#' would start a TAP directive. */
	fprintf(f, "%s: ", t->file);
	for (p = t->name; *p; p++)
		fputc(*p == '#' ? '_' : *p, f);
}

void tap_result(FILE *f, size_t number, const struct testcase *t,
		const struct result *res, int tail_lines)
{
	const struct console *c = &res->console;

	fprintf(f, "%s %zu - ", res->verdict == V_PASS ? "ok" : "not ok",
		number);
	test_name(f, t);
	fputc('\n', f);
	if (res->verdict == V_PASS) {
		fprintf(f, "# %.3f s\n", res->seconds);
		fflush(f);
		return;
	}
	fprintf(f, "  ---\n  verdict: %s\n  message: ",
		verdict_name(res->verdict));
	yaml_quoted(f, res->message ? res->message : "");
	if (res->crash_title[0]) {
		fputs("\n  crash: ", f);
		yaml_quoted(f, res->crash_title);
	}
	if (res->step)
		fprintf(f, "\n  at: \"%s:%d:%d\"", t->file, res->step->line,
			res->step->col);
	fprintf(f, "\n  seconds: %.3f\n", res->seconds);
	if (res->stopped) {
		fputs("  stopped: ", f);
		yaml_quoted(f, res->stop.what);
		fputc('\n', f);
	}
	if (res->command) {
		fputs("  command: ", f);
		yaml_quoted(f, res->command);
		fputc('\n', f);
	}
	if (c->text.len)
		yaml_block(f, "console_tail",
			   last_lines(c->text.data, c->text.len, tail_lines));
	if (res->runner_log.len)
		yaml_block(f, "runner_stderr",
			   last_lines(res->runner_log.data, res->runner_log.len,
				      tail_lines));
	fputs("  ...\n", f);
	fflush(f);
}

void tap_bail_out(FILE *f, const char *why)
{
	fprintf(f, "Bail out! %s\n", why);
	fflush(f);
}
