// SPDX-License-Identifier: GPL-2.0
/*
 * A hang's title.  Before a hung guest is killed, lgtest sends it a
 * serial BREAK and sysrq l, t and w (run.c), as syzkaller does, and
 * titles the hang from what the kernel said back: a report of its own
 * (the hung task detector's, a soft lockup, an RCU stall) when one came;
 * else the first task the dump shows blocked (state D), blamed as the
 * hung task detector would blame it; else the caller's fallback.
 */
#include <stdio.h>
#include <string.h>

#include "crash.h"
#include "crash_int.h"

/* A sched_show_task() line of a task in state D ("task:sh state:D ..."). */
static bool is_blocked_task(const char *msg)
{
	return !strncmp(msg, "task:", 5) && strstr(msg, " state:D ");
}

/* Its stack runs to the end of the trace, or to the next task. */
static const char *task_end(const char *s, const char *end)
{
	char msg[LINE_MAX_LEN];
	const char *p = s + line_len(s, end) + 1;

	while (p < end) {
		size_t n = line_len(p, end);

		message_of(p, n, msg);
		if (!strncmp(msg, "task:", 5))
			return p;
		p += n + 1;
		if (!strcmp(msg, "</TASK>"))
			break;
	}
	return p < end ? p : end;
}

static bool blocked_task_title(const char *dump, size_t len, char *title)
{
	const char *p = dump, *end = dump + len;
	char msg[LINE_MAX_LEN], fn[FUNC_MAX], raw[CRASH_TITLE_MAX];

	while (p < end) {
		size_t n = line_len(p, end);

		message_of(p, n, msg);
		if (is_blocked_task(msg)) {
			struct report_view v = {p, task_end(p, end)};

			if (!blame_function(&v, B_FIRST, fn))
				snprintf(fn, sizeof(fn), "corrupted");
			snprintf(raw, sizeof(raw), "INFO: task hung in %s", fn);
			crash_normalize(raw, title, CRASH_TITLE_MAX);
			return true;
		}
		p += n + 1;
	}
	return false;
}

void crash_hang_title(const char *dump, size_t len, const char *fallback,
		      char *title)
{
	struct crash_report r;

	if (crash_classify(dump, len, &r)) {
		snprintf(title, CRASH_TITLE_MAX, "%s", r.title);
		return;
	}
	if (!blocked_task_title(dump, len, title))
		snprintf(title, CRASH_TITLE_MAX, "%s", fallback);
}
