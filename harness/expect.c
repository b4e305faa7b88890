// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

void console_append(struct console *c, const char *data, size_t len)
{
	size_t i, start = 0;

	c->raw_bytes += len;
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != '\r' && data[i] != '\0')
			continue;
		if (i > start) {
			size_t n = i - start;
			size_t room = CONSOLE_MAX - c->text.len;

			if (n > room) {
				c->dropped += n - room;
				n = room;
			}
			buf_add(&c->text, data + start, n);
		}
		start = i + 1;
	}
	if (!c->text.data)
		buf_add(&c->text, "", 0);
}

void console_free(struct console *c)
{
	buf_free(&c->text);
	memset(c, 0, sizeof(*c));
}

bool pattern_compile(struct pattern *p, char *err, size_t errlen)
{
	int flags = REG_EXTENDED | REG_NEWLINE;
	int rc;

	if (p->kind == PAT_LITERAL || p->compiled)
		return true;
	if (p->icase)
		flags |= REG_ICASE;
	rc = regcomp(&p->re, p->text, flags);
	if (rc) {
		regerror(rc, &p->re, err, errlen);
		regfree(&p->re);
		return false;
	}
	p->compiled = true;
	return true;
}

void pattern_free(struct pattern *p)
{
	if (p->compiled)
		regfree(&p->re);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

void pattern_copy(struct pattern *dst, const struct pattern *src)
{
	char err[256];

	*dst = (struct pattern){.kind = src->kind,
				.text = xstrndup(src->text, src->len),
				.len = src->len,
				.icase = src->icase};
	if (!pattern_compile(dst, err, sizeof(err))) {
		fprintf(stderr, "lgtest: recompiling %s: %s\n", dst->text, err);
		exit(2);
	}
}

/*
 * Spell a pattern the way the script syntax reads it back: delim is '"'
 * for a literal (whose backslashes are escapes) or '/' for a regex
 * (whose backslashes belong to the regex).
 */
static void describe_text(struct buf *b, const char *s, size_t len, char delim)
{
	size_t i;

	buf_add(b, &delim, 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			buf_add(b, "\\n", 2);
		else if (c == '\t')
			buf_add(b, "\\t", 2);
		else if (c == delim || (c == '\\' && delim == '"'))
			buf_addf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_add(b, s + i, 1);
	}
	buf_add(b, &delim, 1);
}

char *pattern_describe(const struct pattern *p)
{
	struct buf b = {0};

	describe_text(&b, p->text, p->len, p->kind == PAT_LITERAL ? '"' : '/');
	if (p->icase)
		buf_add(&b, "i", 1);
	return b.data;
}

static bool literal_search(const struct pattern *p, const char *text,
			   size_t len, size_t from, size_t *mstart)
{
	const char *hit;

	if (p->len > len - from)
		return false;
	if (p->icase)
		hit = strcasestr(text + from, p->text);
	else
		hit = memmem(text + from, len - from, p->text, p->len);
	if (!hit)
		return false;
	*mstart = (size_t)(hit - text);
	return true;
}

/*
 * glibc's REG_STARTEND searches text[from, len) in place.  ^ must not
 * match in the middle of a line, nor $ at the end of a line that is still
 * being written.
 */
static bool regex_search(const struct pattern *p, const char *text, size_t len,
			 size_t from, size_t *mstart, size_t *mend)
{
	regmatch_t m[1] = {{.rm_so = (regoff_t)from, .rm_eo = (regoff_t)len}};
	int eflags = REG_STARTEND;

	if (from > 0 && text[from - 1] != '\n')
		eflags |= REG_NOTBOL;
	if (len == 0 || text[len - 1] != '\n')
		eflags |= REG_NOTEOL;
	if (regexec(&p->re, text, 1, m, eflags))
		return false;
	*mstart = (size_t)m[0].rm_so;
	*mend = (size_t)m[0].rm_eo;
	return true;
}

bool pattern_search(const struct pattern *p, const char *text, size_t len,
		    size_t from, size_t *mstart, size_t *mend)
{
	if (from > len)
		return false;
	if (p->kind == PAT_REGEX)
		return regex_search(p, text, len, from, mstart, mend);
	if (!literal_search(p, text, len, from, mstart))
		return false;
	*mend = *mstart + p->len;
	return true;
}

/*
 * A literal's next match can overlap what was searched by at most its
 * length less one.  A regex compiled with REG_NEWLINE only crosses a line
 * end where the pattern itself holds a newline; otherwise a match lies
 * within one line, so the search resumes at the start of the last,
 * unfinished line.
 */
size_t pattern_resume(const struct pattern *p, const char *text, size_t len,
		      size_t from)
{
	size_t at;

	if (p->kind == PAT_LITERAL) {
		at = len >= p->len ? len - p->len + 1 : 0;
		return at > from ? at : from;
	}
	if (memchr(p->text, '\n', p->len))
		return from;
	at = len;
	while (at > from && text[at - 1] != '\n')
		at--;
	return at;
}
