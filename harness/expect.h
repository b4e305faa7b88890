/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The expect engine: the guest's console as one growing text, and the
 * patterns (literals and POSIX extended regexes) that steps look for in it.
 */
#ifndef LGTEST_EXPECT_H
#define LGTEST_EXPECT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The console keeps at most this much text; more is counted and dropped. */
#define CONSOLE_MAX (64u << 20)

/*
 * The console text: guest bytes with CR and NUL removed, so "\n" ends
 * every line whether the guest wrote CRLF or LF, and the text is a C
 * string.  The raw byte count is kept for reports.
 */
struct console {
	struct buf text;
	size_t raw_bytes;
	size_t dropped; /* bytes past CONSOLE_MAX */
};

void console_append(struct console *c, const char *data, size_t len);
void console_free(struct console *c);

enum pattern_kind { PAT_LITERAL, PAT_REGEX };

struct pattern {
	enum pattern_kind kind;
	char *text; /* the literal, or the regex source */
	size_t len;
	bool icase;
	bool compiled;
	regex_t re;
};

/*
 * Compile p (a no-op for literals).  On failure returns false with the
 * regex library's message in err.
 */
bool pattern_compile(struct pattern *p, char *err, size_t errlen);
void pattern_free(struct pattern *p);

/* dst becomes a compiled copy of src (which compiled). */
void pattern_copy(struct pattern *dst, const struct pattern *src);

/* "literal" or /regex/ with escapes, as a script would spell it. */
char *pattern_describe(const struct pattern *p);

/*
 * Look for p in text[from, len).  text[len] must be NUL.  On a match,
 * sets *mstart and *mend (offsets into text) and returns true.
 */
bool pattern_search(const struct pattern *p, const char *text, size_t len,
		    size_t from, size_t *mstart, size_t *mend);

/*
 * Where a repeated search for p can resume once text[0, len) has been
 * searched from `from` without a match: a match found later must end in
 * new text, so it cannot start before this offset.
 */
size_t pattern_resume(const struct pattern *p, const char *text, size_t len,
		      size_t from);

#endif
