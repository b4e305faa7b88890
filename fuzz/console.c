// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target "console": the guest's console as lgtest reads it.  The
 * console is the one thing a guest fully controls that the harness
 * parses: every byte goes through the console buffer, the crash detector
 * (streamed as it arrives, then settled) and titler, the KTAP parser and
 * the expect matcher, and ends up in the TAP, JUnit and JSON reports of
 * a failed test.  The input is
 *
 *	byte 0	which expect pattern (of lgtest scripts' kinds) to look for
 *	byte 1	the size of the pieces the console arrives in: 1 + byte
 *	then the console bytes.
 *
 * Invariants: the parsers' results describe the text they were given;
 * every report is well-formed JSON, XML or TAP whatever the bytes (no
 * console byte may end a string, open a tag or start a TAP line); the
 * reports grow at most linearly with the console, and the whole input
 * takes bounded CPU time per byte.
 */
#include <string.h>
#include <time.h>

#include "console_check.h"
#include "crash.h"
#include "expect.h"
#include "fuzz.h"
#include "ktap.h"
#include "report.h"

#define TAIL_LINES	20
/* Generous: an ASan build on a loaded machine must never come near. */
#define CPU_BASE_NS	(200 * 1000 * 1000ULL)
#define CPU_PER_BYTE_NS	(100 * 1000ULL)
/* Each report escapes the console at most a few times over (\u00XX). */
#define REPORT_PER_BYTE	64
#define REPORT_BASE	(64 * 1024)

/* What lgtest scripts look for: literals and regexes, one ignoring case. */
static const struct {
	enum pattern_kind kind;
	const char *text;
	bool icase;
} patterns[] = {
	{ PAT_LITERAL, "login:", false },
	{ PAT_LITERAL, "Run /init as init process", false },
	{ PAT_REGEX, "Linux version [0-9]+\\.[0-9]+", false },
	{ PAT_REGEX, "^# (PASS|FAIL): [0-9]+", false },
	{ PAT_REGEX, "kernel panic", true },
	{ PAT_REGEX, "(ok|not ok) [0-9]+ - [^\n]*$", false },
};

#define N_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A report describes [start, end) of the text it was given, and once it
 * is complete it has a title.
 */
static void check_crash_report(const struct crash_report *r, size_t len)
{
	if (!r->found)
		return;
	fuzz_invariant(memchr(r->title, '\0', sizeof(r->title)) &&
			       (r->title[0] || !r->complete),
		       "complete crash report with an empty or unended title");
	fuzz_invariant(r->start <= r->end && r->end <= len,
		       "crash report %zu-%zu of %zu bytes", r->start, r->end,
		       len);
	fuzz_invariant(r->start_line >= 1, "crash report at line %d",
		       r->start_line);
}

/*
 * As lgtest's runner does: the text grows a piece at a time and the
 * detector is fed all of it each time, settled once the console ends.
 */
static void stream_crash(const uint8_t *data, size_t len, size_t piece,
			 struct console *c, struct crash_report *out)
{
	struct crash_detector d = { 0 };
	size_t done = 0, n;

	while (done < len) {
		n = len - done < piece ? len - done : piece;
		console_append(c, (const char *)data + done, n);
		done += n;
		crash_feed(&d, c->text.data, c->text.len, false);
		check_crash_report(&d.report, c->text.len);
	}
	if (!c->text.data)
		console_append(c, "", 0);
	crash_feed(&d, c->text.data, c->text.len, true);
	check_crash_report(&d.report, c->text.len);
	fuzz_invariant(c->raw_bytes == len && c->text.len <= len,
		       "console holds %zu bytes of %zu (%zu raw)", c->text.len,
		       len, c->raw_bytes);
	*out = d.report;
}

/* Every match lies in the text, past where the search began. */
static void check_expect(const struct console *c, unsigned int which)
{
	struct pattern p = { .kind = patterns[which].kind,
			     .icase = patterns[which].icase };
	size_t from = 0, s, e;
	char err[128];

	p.text = xstrdup(patterns[which].text);	/* pattern_free() frees it */
	p.len = strlen(p.text);
	fuzz_invariant(pattern_compile(&p, err, sizeof(err)),
		       "pattern %u: %s", which, err);
	while (from <= c->text.len &&
	       pattern_search(&p, c->text.data, c->text.len, from, &s, &e)) {
		fuzz_invariant(from <= s && s <= e && e <= c->text.len,
			       "match %zu-%zu searching from %zu of %zu", s, e,
			       from, c->text.len);
		from = e > s ? e : e + 1;
	}
	if (from <= c->text.len)
		fuzz_invariant(pattern_resume(&p, c->text.data, c->text.len,
					      from) <= c->text.len,
			       "resume point past the text");
	pattern_free(&p);
}

/* The tree the parser built: its nodes, its leaves, any failure. */
struct ktap_tally {
	size_t nodes, leaves;
	bool failed;
};

static void tally(const struct ktap_test *t, struct ktap_tally *n)
{
	size_t i;

	n->nodes++;
	n->leaves += !t->nsubtests;
	n->failed |= ktap_failed(t->result);
	for (i = 0; i < t->nsubtests; i++)
		tally(&t->subtests[i], n);
}

/*
 * Every leaf is counted once and parents at most once; a failure
 * anywhere in the tree is counted as at least one.
 */
static void check_ktap(const struct ktap_report *k)
{
	const struct ktap_counts *c = &k->counts;
	size_t counted = c->passed + c->failed + c->skipped + c->todo, i;
	struct ktap_tally n = { 0 };

	for (i = 0; i < k->root.nsubtests; i++)
		tally(&k->root.subtests[i], &n);
	fuzz_invariant(n.leaves <= counted && counted <= n.nodes,
		       "KTAP counts %zu results for %zu leaves of %zu tests",
		       counted, n.leaves, n.nodes);
	fuzz_invariant(n.failed == (c->failed > 0),
		       "KTAP counts %zu failures, the tree %s one",
		       c->failed, n.failed ? "has" : "has not");
}

/* One report, written to memory, checked by `valid`, freed. */
static void check_report(const char *what, const struct report *r,
			 size_t console_len,
			 void (*write)(FILE *, const struct report *),
			 const char *(*valid)(const char *, size_t))
{
	char *out = NULL;
	size_t len = 0;
	const char *why;
	FILE *f = open_memstream(&out, &len);

	fuzz_invariant(f, "open_memstream");
	write(f, r);
	fuzz_invariant(!fclose(f), "writing the %s report", what);
	why = valid(out, len);
	fuzz_invariant(!why, "the %s report is not valid: %s", what, why);
	fuzz_invariant(len <= REPORT_PER_BYTE * console_len + REPORT_BASE,
		       "a %zu-byte %s report for %zu console bytes", len, what,
		       console_len);
	free(out);
}

static void write_tap(FILE *f, const struct report *r)
{
	tap_plan(f, TAP_VERSION, r->nentries, r->runner);
	tap_entry(f, &r->entries[0]);
}

/* A failed test whose every text came from the console. */
static void check_reports(const struct console *c,
			  const struct crash_report *crash,
			  struct ktap_report *ktap)
{
	char *tail = xstrdup(last_lines(c->text.data, c->text.len, TAIL_LINES));
	char *summary = ktap_failure_summary(ktap);
	struct report_entry e = {
		.number = 1,
		.round = 1,
		.file = "fuzz.lgt",
		.name = "console",
		.verdict = crash->found ? V_CRASH : V_FAIL,
		.message = summary ? summary : tail,
		.crash_title = crash->found ? (char *)crash->title : NULL,
		.first_byte = -1,
		.boot_marker = -1,
		.console_tail = tail,
		.ktap = *ktap,
	};
	struct report r = { .runner = "fuzz", .jobs = 1, .repeat = 1,
			    .entries = &e, .nentries = 1 };

	check_report("TAP", &r, c->text.len, write_tap, tap_invalid);
	check_report("JSON", &r, c->text.len, json_write, json_invalid);
	check_report("JUnit XML", &r, c->text.len, junit_write, xml_invalid);
	free(summary);
	free(tail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	unsigned int which = fuzz_take(&in, 1) % N_PATTERNS;
	size_t piece = 1 + fuzz_take(&in, 1), len;
	const uint8_t *text = fuzz_rest(&in, &len);
	uint64_t t0 = cpu_ns();
	struct console c = { 0 };
	struct crash_report crash, once;
	struct ktap_report ktap;

	stream_crash(text, len, piece, &c, &crash);
	fuzz_invariant(!crash_classify(c.text.data, c.text.len, &once) ||
			       once.found,
		       "crash_classify returned true without a report");
	check_crash_report(&once, c.text.len);
	check_expect(&c, which);
	ktap_parse(c.text.data, c.text.len, &ktap);
	check_ktap(&ktap);
	check_reports(&c, &crash, &ktap);
	ktap_free(&ktap);
	console_free(&c);
	fuzz_invariant(cpu_ns() - t0 <= CPU_BASE_NS + CPU_PER_BYTE_NS * len,
		       "%llu ms of CPU for %zu console bytes",
		       (unsigned long long)(cpu_ns() - t0) / 1000000, len);
	return 0;
}
