/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the crash classifier's parts share: console lines as messages, and
 * the stack frames of a report with the ways to pick the function to
 * blame from them (crash_blame.c).
 */
#ifndef LGTEST_CRASH_INT_H
#define LGTEST_CRASH_INT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX_LEN 1024
#define FUNC_MAX 128

/* The lines of one report: from s up to end. */
struct report_view {
	const char *s;
	const char *end;
};

size_t line_len(const char *s, const char *end);
size_t message_start(const char *s, size_t len);
void message_of(const char *line, size_t len, char *out);
size_t symbol_at(const char *s, char *out);

/* Where the function to blame comes from. */
enum blame {
	B_NONE, /* the title names no function */
	B_FIRST, /* the first frame that is not machinery */
	B_STALL, /* what the stalled CPU was running for its caller */
	B_LOCK, /* the lock site lockdep names ("at: f") */
	B_LEAK, /* the first caller outside the allocators */
};

bool is_generic_frame(const char *fn);
bool blame_function(const struct report_view *v, enum blame how, char *out);
/* The first frame that is neither machinery nor fn: fn's caller. */
bool caller_of(const struct report_view *v, const char *fn, char *out);
/*
 * The source position ("fs/x.c:12") printed on the first frame of fn in
 * the report's stacks; false when none is printed.
 */
bool frame_source(const struct report_view *v, const char *fn, char *out,
		  size_t size);
/* Just past the last frame line of the report's stacks, or NULL. */
const char *stack_end(const struct report_view *v);
/*
 * The caller id after a console line's time stamp ("[ T123]", "[  C1]"),
 * copied to id (empty when the line has none).
 */
void caller_id(const char *line, size_t len, char *id, size_t size);
/* Whether the line at line is a call trace's frame, reliable or not. */
bool is_frame_line(const char *line, const char *end);
/* Whether the report holds any frame at all (else it was cut short). */
bool report_has_stack(const struct report_view *v);

#endif
