/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The crash classifier: finds the first kernel crash report in console
 * text and gives it a stable title in the style of syzkaller's reports
 * ("WARNING in foo", "KASAN: use-after-free Read in bar", "kernel panic:
 * ..."): addresses, offsets, line numbers, CPU numbers and task names
 * are left out, so the same bug gets the same title on every run.
 */
#ifndef LGTEST_CRASH_H
#define LGTEST_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CRASH_TITLE_MAX 256
#define CRASH_REPORT_LINES 400 /* a report is judged on this many lines */

#define CRASH_ALT_MAX 2 /* alternative titles kept */
#define CRASH_TEXT_MAX 32768 /* bytes of report text kept */

/* What kind of report it is, for a person or a CI filter to sort by. */
enum crash_type {
	CRASH_CRASH, /* panics, oopses, traps, BUG: the kernel died or should */
	CRASH_HANG, /* stalls, lockups, hung tasks */
	CRASH_LEAK, /* kmemleak */
	CRASH_UBSAN,
	CRASH_WARNING,
	CRASH_LOCKDEP, /* lockdep and RCU checks */
	CRASH_MEMORY, /* KASAN, KFENCE, KMSAN, bad accesses, stack overruns */
	CRASH_DATA_RACE, /* KCSAN */
	CRASH_ATOMIC_SLEEP, /* sleeping or scheduling in atomic context */
};

/* "crash", "hang", "leak", "ubsan", "warning", "lockdep", ... */
const char *crash_type_name(enum crash_type t);

struct crash_report {
	bool found;
	bool complete; /* its end was seen, or it can grow no more */
	size_t start; /* offset of its first line in the text */
	size_t end; /* offset just past the last line judged */
	int start_line; /* 1-based line number of its first line */
	char title[CRASH_TITLE_MAX];
	/* Once complete: */
	char alt[CRASH_ALT_MAX][CRASH_TITLE_MAX]; /* other right titles */
	int nalt;
	enum crash_type type;
	bool corrupted; /* cut or mixed up: its title says what it can */
	char frame[CRASH_TITLE_MAX]; /* the guilty function, "" if none */
	char source[CRASH_TITLE_MAX]; /* its "file.c:12", "" if not printed */
	/*
	 * The report's lines from its first to the end of its last stack (or
	 * its end marker), NUL-terminated; text_cut when it was longer.
	 */
	char text[CRASH_TEXT_MAX];
	size_t text_len;
	bool text_cut;
};

/*
 * Incremental search over a growing console text.  Feed it the whole text
 * each time; it only scans what is new.  `settled` says no more output is
 * coming for now (the stream ended, or it has been quiet): an unfinished
 * report is then judged on what it has.
 */
struct crash_detector {
	size_t scanned; /* complete lines before this are searched */
	int lines; /* how many lines that is */
	struct crash_report report;
};

void crash_feed(struct crash_detector *d, const char *text, size_t len,
		bool settled);

/* One-shot: classify all of text.  Returns true when it holds a crash. */
bool crash_classify(const char *text, size_t len, struct crash_report *r);

/*
 * Classify a console read from f in chunks, in bounded memory: reading
 * stops at the end of the first report.  Returns 1 when it holds a crash,
 * 0 when not, -1 on a read error (errno says which).  CR and NUL are
 * dropped as the harness's console does; offsets count what is left.
 */
int crash_classify_stream(FILE *f, struct crash_report *r);

/*
 * The title of a hang, from `dump`: what the kernel printed once lgtest
 * asked it, by sysrq, what it was doing.  Its own report if it holds one
 * (hung task, soft lockup, RCU stall), else "INFO: task hung in f" for
 * the first task shown blocked, else `fallback` (e.g. "no output from
 * test machine").  title holds CRASH_TITLE_MAX bytes.
 */
void crash_hang_title(const char *dump, size_t len, const char *fallback,
		      char *title);

/*
 * The normalisation titles go through, exposed for tests: symbol offsets,
 * line numbers and hex numbers out, white space folded.
 */
void crash_normalize(const char *in, char *out, size_t outlen);

#endif
