// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static char *tail_of(const struct buf *b, int lines)
{
	if (!b->len || lines <= 0)
		return NULL;
	return xstrdup(last_lines(b->data, b->len, lines));
}

void report_entry_init(struct report_entry *e, size_t number,
		       unsigned int round, const struct testcase *t,
		       struct result *res, int tail_lines, const char *log)
{
	bool passed = res->verdict == V_PASS;

	memset(e, 0, sizeof(*e));
	e->number = number;
	e->round = round;
	e->file = xstrdup(t->file);
	e->name = xstrdup(t->name);
	e->verdict = res->verdict;
	e->message = dup_or_null(res->message);
	e->crash_title = dup_or_null(res->crash_title);
	e->crash = res->crash;
	res->crash = NULL;
	if (res->step) {
		e->line = res->step->line;
		e->col = res->step->col;
	}
	e->seconds = res->seconds;
	e->setup_seconds = res->setup_seconds;
	e->first_byte = res->first_byte;
	e->boot_marker = res->boot_marker;
	e->stopped = res->stopped ? xstrdup(res->stop.what) : NULL;
	e->command = dup_or_null(res->command);
	e->console_tail =
		passed ? NULL : tail_of(&res->console.text, tail_lines);
	e->runner_tail = passed ? NULL : tail_of(&res->runner_log, tail_lines);
	e->log = dup_or_null(log);
	e->cpus = config_cpus(&t->cfg);
	e->expected = t->cfg.expect_verdict > EXPECT_PASS
			      ? expect_verdict_name(t->cfg.expect_verdict)
			      : NULL;
	e->ktap = res->ktap;
	memset(&res->ktap, 0, sizeof(res->ktap));
	e->attempts = 1;
}

static void entry_free(struct report_entry *e)
{
	free(e->first_failure);
	free(e->file);
	free(e->name);
	free(e->message);
	free(e->crash_title);
	free(e->crash);
	free(e->stopped);
	free(e->command);
	free(e->console_tail);
	free(e->runner_tail);
	free(e->log);
	ktap_free(&e->ktap);
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nentries; i++)
		entry_free(&r->entries[i]);
	free(r->entries);
	free(r->runner);
	free(r->shard);
	memset(r, 0, sizeof(*r));
}

static bool same_test(const struct report_entry *a,
		      const struct report_entry *b)
{
	return !strcmp(a->file, b->file) && !strcmp(a->name, b->name);
}

size_t report_flaky(const struct report *r, struct flaky **out)
{
	struct flaky f, *list = NULL;
	size_t i, j, n = 0;
	bool seen;

	for (i = 0; i < r->nentries; i++) {
		const struct report_entry *e = &r->entries[i];

		for (j = 0, seen = false; j < i && !seen; j++)
			seen = same_test(&r->entries[j], e);
		if (seen)
			continue;
		f = (struct flaky){.file = e->file, .name = e->name};
		for (j = i; j < r->nentries; j++) {
			if (!same_test(&r->entries[j], e))
				continue;
			/* A retried run's failed attempts count as runs. */
			f.runs += r->entries[j].attempts
					  ? r->entries[j].attempts
					  : 1;
			f.passed += r->entries[j].verdict == V_PASS;
		}
		if (f.passed && f.passed < f.runs)
			*ARRAY_PUSH(&list, &n) = f;
	}
	*out = list;
	return n;
}

void print_flaky(FILE *f, const char *prefix, const struct report *r)
{
	struct flaky *list;
	size_t i, n = report_flaky(r, &list);

	for (i = 0; i < n; i++)
		fprintf(f, "%sflaky: %s: %s (passed %zu of %zu runs)\n", prefix,
			list[i].file, list[i].name, list[i].passed,
			list[i].runs);
	free(list);
}

static struct crash_group *group_of(struct crash_group **list, size_t *n,
				    const char *title)
{
	struct crash_group *g;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i].title, title))
			return &(*list)[i];
	g = ARRAY_PUSH(list, n);
	*g = (struct crash_group){.title = title};
	return g;
}

static void add_source(struct crash_group *g, const struct report_entry *e)
{
	struct crash_source *t = NULL;
	size_t i;

	g->count++;
	for (i = 0; i < g->ntests && !t; i++)
		if (!strcmp(g->tests[i].file, e->file) &&
		    !strcmp(g->tests[i].name, e->name))
			t = &g->tests[i];
	if (!t) {
		t = ARRAY_PUSH(&g->tests, &g->ntests);
		*t = (struct crash_source){.file = e->file, .name = e->name};
	}
	*ARRAY_PUSH(&t->rounds, &t->nrounds) = e->round;
}

size_t report_crashes(const struct report *r, struct crash_group **out)
{
	struct crash_group *list = NULL;
	size_t i, n = 0;

	for (i = 0; i < r->nentries; i++)
		if (r->entries[i].crash_title)
			add_source(
				group_of(&list, &n, r->entries[i].crash_title),
				&r->entries[i]);
	*out = list;
	return n;
}

void crash_groups_free(struct crash_group *g, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < g[i].ntests; j++)
			free(g[i].tests[j].rounds);
		free(g[i].tests);
	}
	free(g);
}

void print_crashes(FILE *f, const char *prefix, const struct report *r)
{
	struct crash_group *g;
	size_t i, j, k, n = report_crashes(r, &g);

	for (i = 0; i < n; i++) {
		fprintf(f, "%scrash: %s: %zu run%s: ", prefix, g[i].title,
			g[i].count, g[i].count == 1 ? "" : "s");
		for (j = 0; j < g[i].ntests; j++) {
			const struct crash_source *t = &g[i].tests[j];

			fprintf(f, "%s%s: %s", j ? ", " : "", t->file, t->name);
			if (r->repeat > 1)
				for (k = 0; k < t->nrounds; k++)
					fprintf(f, "%s%u",
						k ? ", "
						  : (t->nrounds > 1
							     ? " (rounds "
							     : " (round "),
						t->rounds[k]);
			if (r->repeat > 1)
				fputc(')', f);
		}
		fputc('\n', f);
	}
	crash_groups_free(g, n);
}

char *entry_title(const struct report_entry *e)
{
	return e->round > 1 ? xasprintf("%s (round %u)", e->name, e->round)
			    : xstrdup(e->name);
}

void report_counts(const struct report *r, size_t counts[V_ERROR + 1])
{
	size_t i;

	memset(counts, 0, (V_ERROR + 1) * sizeof(*counts));
	for (i = 0; i < r->nentries; i++)
		counts[r->entries[i].verdict]++;
}

/* The length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/*
	 * Overlong forms, surrogates, beyond U+10FFFF; and U+FFFE and
	 * U+FFFF, which XML 1.0 cannot hold.
	 */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe ||
	    cp == 0xffff)
		return 0;
	return len;
}

static void escape_char(struct buf *b, unsigned char c, enum escape how)
{
	static const char *const xml[] = {['<'] = "&lt;",
					  ['>'] = "&gt;",
					  ['&'] = "&amp;",
					  ['"'] = "&quot;",
					  ['\''] = "&apos;"};
	bool control = c < 0x20 || c == 0x7f;

	if (how == ESC_XML && c < ARRAY_SIZE(xml) && xml[c])
		buf_add(b, xml[c], strlen(xml[c]));
	else if ((how == ESC_JSON || how == ESC_YAML) &&
		 (c == '"' || c == '\\'))
		buf_addf(b, "\\%c", c);
	else if (how == ESC_JSON && c == '\n')
		buf_add(b, "\\n", 2);
	else if (how == ESC_JSON && c == '\t')
		buf_add(b, "\\t", 2);
	else if (how == ESC_JSON && control)
		buf_addf(b, "\\u%04x", c);
	else if (control && (how == ESC_YAML || (c != '\t' && c != '\n')) &&
		 !(how == ESC_XML && c == 0x7f))
		/* XML 1.0 cannot hold these at all: show them. */
		buf_addf(b, "\\x%02x", c);
	else
		buf_add(b, &c, 1);
}

void escape_text(struct buf *b, const char *s, enum escape how)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), len;

	buf_add(b, "", 0);
	while (n) {
		len = utf8_len(p, n);
		if (len == 1)
			escape_char(b, *p, how);
		else if (len)
			buf_add(b, p, len);
		else
			buf_add(b, "\xef\xbf\xbd", 3); /* U+FFFD */
		len = len ? len : 1;
		p += len;
		n -= len;
	}
}

void entry_boot_times(char *out, size_t len, const struct report_entry *e)
{
	int n = 0;

	out[0] = '\0';
	if (e->first_byte >= 0)
		n = snprintf(out, len, "first byte %.3f s", e->first_byte);
	if (e->boot_marker >= 0)
		snprintf(out + n, len - (size_t)n, "%smarker %.3f s",
			 n ? ", " : "", e->boot_marker);
}

void iso_time(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
