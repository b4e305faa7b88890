// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON report (format 1), indented two spaces a level:
 *
 *   {"format": "lgtest-1", "runner": "...", "started": "...Z",
 *    "seconds": 12.3, "interrupted": false, "shard": "1/2" or null,
 *    "jobs": N, "repeat": N,
 *    "summary": {"tests": N, "pass": N, "fail": N, "crash": N, "hang": N,
 *                "error": N, "flaky": N},
 *    "flaky": [{"file": "...", "name": "...", "runs": N, "passed": N}],
 *    "crashes": [{"title": "...", "count": N,
 *                 "tests": [{"file": "...", "name": "...",
 *                            "rounds": [1, 3]}]}],
 *    "tests": [{"number": 1, "round": 1, "file": "...", "name": "...",
 *               "verdict": "pass", "expected": "hang" or null,
 *               "message": "...", "crash": "TITLE" or null, "cpus": 2,
 *               "crash_report": null or {"title": "...",
 *                    "alt_titles": ["..."], "type": "hang",
 *                    "corrupted": false, "frame": "f" or null,
 *                    "source": "fs/x.c:12" or null, "line": N,
 *                    "report": "...", "report_cut": false},
 *               "at": {"line": 3, "column": 1} or null, "seconds": 1.2,
 *               "runs": 1 (more under --retries),
 *               "first_failure": "hang: ..." (a retried test's) or null,
 *               "boot": {"setup": 0.0, "first_byte": 0.1, "marker": null},
 *               "stopped": null, "command": "...", "log": null,
 *               "console_tail": null, "runner_stderr": null,
 *               "ktap": null or {"passed": N, "failed": N, "skipped": N,
 *                                "todo": N, "missing": N},
 *               "subtests": [{"name": "...", "number": 1,
 *                             "result": "pass", "directive": null,
 *                             "line": 12, "subtests": [...]}]}]}
 *
 * Times are seconds; a time that never came, and an absent text, is null.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct json {
	FILE *f;
	struct buf b;
	int depth;
	bool first; /* no member written yet at this depth */
};

static void indent(struct json *j)
{
	fprintf(j->f, "\n%*s", 2 * j->depth, "");
}

/* The separator and indentation before a member or element. */
static void next(struct json *j)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	indent(j);
}

static void key(struct json *j, const char *k)
{
	next(j);
	fprintf(j->f, "\"%s\": ", k);
}

static void begin(struct json *j, char c)
{
	fputc(c, j->f);
	j->depth++;
	j->first = true;
}

static void end(struct json *j, char c)
{
	j->depth--;
	if (!j->first)
		indent(j);
	fputc(c, j->f);
	j->first = false;
}

static void string(struct json *j, const char *k, const char *s)
{
	key(j, k);
	if (!s) {
		fputs("null", j->f);
		return;
	}
	j->b.len = 0;
	escape_text(&j->b, s, ESC_JSON);
	fprintf(j->f, "\"%s\"", j->b.data);
}

static void boolean(struct json *j, const char *k, bool v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->f);
}

static void number(struct json *j, const char *k, size_t n)
{
	key(j, k);
	fprintf(j->f, "%zu", n);
}

static void seconds(struct json *j, const char *k, double v)
{
	key(j, k);
	if (v < 0)
		fputs("null", j->f);
	else
		fprintf(j->f, "%.3f", v);
}

static void subtests(struct json *j, const struct ktap_test *t)
{
	size_t i;

	key(j, "subtests");
	begin(j, '[');
	for (i = 0; i < t->nsubtests; i++) {
		const struct ktap_test *s = &t->subtests[i];

		next(j);
		begin(j, '{');
		string(j, "name", s->name);
		number(j, "number", (size_t)s->number);
		string(j, "result", ktap_result_name(s->result));
		string(j, "directive", s->directive);
		number(j, "line", (size_t)s->line);
		if (s->nsubtests)
			subtests(j, s);
		end(j, '}');
	}
	end(j, ']');
}

static void ktap_counts(struct json *j, const struct ktap_report *k)
{
	key(j, "ktap");
	if (!k->found) {
		fputs("null", j->f);
		return;
	}
	begin(j, '{');
	number(j, "passed", k->counts.passed);
	number(j, "failed", k->counts.failed);
	number(j, "skipped", k->counts.skipped);
	number(j, "todo", k->counts.todo);
	number(j, "missing", k->missing);
	end(j, '}');
}

/* A crash report as an object, or null. */
static void crash_object(struct json *j, const char *k,
			 const struct crash_report *r)
{
	int i;

	key(j, k);
	if (!r) {
		fputs("null", j->f);
		return;
	}
	begin(j, '{');
	string(j, "title", r->title);
	key(j, "alt_titles");
	begin(j, '[');
	for (i = 0; i < r->nalt; i++) {
		next(j);
		j->b.len = 0;
		escape_text(&j->b, r->alt[i], ESC_JSON);
		fprintf(j->f, "\"%s\"", j->b.data);
	}
	end(j, ']');
	string(j, "type", crash_type_name(r->type));
	boolean(j, "corrupted", r->corrupted);
	string(j, "frame", r->frame[0] ? r->frame : NULL);
	string(j, "source", r->source[0] ? r->source : NULL);
	number(j, "line", (size_t)r->start_line);
	string(j, "report", r->text);
	boolean(j, "report_cut", r->text_cut);
	end(j, '}');
}

void json_classify_entry(FILE *f, bool first, const char *path,
			 const struct crash_report *r)
{
	struct json j = {.f = f, .depth = 1, .first = first};

	next(&j);
	begin(&j, '{');
	string(&j, "file", path);
	crash_object(&j, "crash", r);
	end(&j, '}');
	buf_free(&j.b);
}

static void test(struct json *j, const struct report_entry *e)
{
	next(j);
	begin(j, '{');
	number(j, "number", e->number);
	number(j, "round", e->round);
	string(j, "file", e->file);
	string(j, "name", e->name);
	string(j, "verdict", verdict_name(e->verdict));
	string(j, "expected", e->expected);
	string(j, "message", e->message);
	string(j, "crash", e->crash_title);
	number(j, "cpus", e->cpus);
	crash_object(j, "crash_report", e->crash);
	key(j, "at");
	if (e->line) {
		begin(j, '{');
		number(j, "line", (size_t)e->line);
		number(j, "column", (size_t)e->col);
		end(j, '}');
	} else {
		fputs("null", j->f);
	}
	seconds(j, "seconds", e->seconds);
	number(j, "runs", e->attempts ? e->attempts : 1);
	string(j, "first_failure", e->first_failure);
	key(j, "boot");
	begin(j, '{');
	seconds(j, "setup", e->setup_seconds);
	seconds(j, "first_byte", e->first_byte);
	seconds(j, "marker", e->boot_marker);
	end(j, '}');
	string(j, "stopped", e->stopped);
	string(j, "command", e->command);
	string(j, "log", e->log);
	string(j, "console_tail", e->console_tail);
	string(j, "runner_stderr", e->runner_tail);
	ktap_counts(j, &e->ktap);
	subtests(j, &e->ktap.root);
	end(j, '}');
}

/* "crashes": each distinct crash title, its count and its tests. */
static void crash_list(struct json *j, const struct report *r)
{
	struct crash_group *g;
	size_t i, t, k, n = report_crashes(r, &g);

	key(j, "crashes");
	begin(j, '[');
	for (i = 0; i < n; i++) {
		next(j);
		begin(j, '{');
		string(j, "title", g[i].title);
		number(j, "count", g[i].count);
		key(j, "tests");
		begin(j, '[');
		for (t = 0; t < g[i].ntests; t++) {
			next(j);
			begin(j, '{');
			string(j, "file", g[i].tests[t].file);
			string(j, "name", g[i].tests[t].name);
			key(j, "rounds");
			begin(j, '[');
			for (k = 0; k < g[i].tests[t].nrounds; k++) {
				next(j);
				fprintf(j->f, "%u", g[i].tests[t].rounds[k]);
			}
			end(j, ']');
			end(j, '}');
		}
		end(j, ']');
		end(j, '}');
	}
	end(j, ']');
	crash_groups_free(g, n);
}

static void flaky_list(struct json *j, const struct flaky *list, size_t n)
{
	size_t i;

	key(j, "flaky");
	begin(j, '[');
	for (i = 0; i < n; i++) {
		next(j);
		begin(j, '{');
		string(j, "file", list[i].file);
		string(j, "name", list[i].name);
		number(j, "runs", list[i].runs);
		number(j, "passed", list[i].passed);
		end(j, '}');
	}
	end(j, ']');
}

void json_write(FILE *f, const struct report *r)
{
	struct json j = {.f = f};
	size_t counts[V_ERROR + 1], i, nflaky;
	struct flaky *flaky;
	char stamp[32];

	report_counts(r, counts);
	iso_time(r->started, stamp, sizeof(stamp));
	begin(&j, '{');
	string(&j, "format", "lgtest-1");
	string(&j, "runner", r->runner);
	string(&j, "started", stamp);
	seconds(&j, "seconds", r->seconds);
	key(&j, "interrupted");
	fputs(r->interrupted ? "true" : "false", f);
	string(&j, "shard", r->shard);
	number(&j, "jobs", r->jobs);
	number(&j, "repeat", r->repeat);
	nflaky = report_flaky(r, &flaky);
	key(&j, "summary");
	begin(&j, '{');
	number(&j, "tests", r->nentries);
	for (i = 0; i <= V_ERROR; i++)
		number(&j, verdict_name((enum verdict)i), counts[i]);
	number(&j, "flaky", nflaky);
	end(&j, '}');
	flaky_list(&j, flaky, nflaky);
	free(flaky);
	crash_list(&j, r);
	key(&j, "tests");
	begin(&j, '[');
	for (i = 0; i < r->nentries; i++)
		test(&j, &r->entries[i]);
	end(&j, ']');
	end(&j, '}');
	fputc('\n', f);
	buf_free(&j.b);
}
