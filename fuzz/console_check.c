// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "console_check.h"

#define MAX_DEPTH 64

struct text {
	const unsigned char *p, *end;
	const char *why;	/* the first error, or NULL */
};

static bool fail(struct text *t, const char *why)
{
	if (!t->why)
		t->why = why;
	return false;
}

static bool at_end(const struct text *t)
{
	return t->p >= t->end;
}

static bool eat(struct text *t, char c)
{
	if (at_end(t) || *t->p != (unsigned char)c)
		return false;
	t->p++;
	return true;
}

static bool eat_word(struct text *t, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(t->end - t->p) < n || memcmp(t->p, w, n))
		return false;
	t->p += n;
	return true;
}

/* One UTF-8 character (RFC 3629: no overlongs, surrogates, > U+10FFFF). */
static bool utf8_char(struct text *t, uint32_t *cp)
{
	unsigned char c = *t->p;
	size_t len, i;

	if (c < 0x80)
		len = 1, *cp = c;
	else if (c >= 0xc2 && c <= 0xdf)
		len = 2, *cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, *cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, *cp = c & 0x07;
	else
		return fail(t, "a byte that starts no UTF-8 character");
	if ((size_t)(t->end - t->p) < len)
		return fail(t, "a UTF-8 character cut short");
	for (i = 1; i < len; i++) {
		if ((t->p[i] & 0xc0) != 0x80)
			return fail(t, "a bad UTF-8 continuation byte");
		*cp = *cp << 6 | (t->p[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return fail(t, "an overlong or surrogate UTF-8 character");
	t->p += len;
	return true;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_space(struct text *t)
{
	while (!at_end(t) && strchr(" \t\n\r", *t->p) && *t->p)
		t->p++;
}

static bool json_value(struct text *t, int depth);

static bool json_escape(struct text *t)
{
	int i;

	if (at_end(t))
		return fail(t, "a string ends in a backslash");
	if (strchr("\"\\/bfnrt", *t->p) && *t->p) {
		t->p++;
		return true;
	}
	if (!eat(t, 'u'))
		return fail(t, "an unknown escape in a string");
	for (i = 0; i < 4; i++, t->p++)
		if (at_end(t) || !strchr("0123456789abcdefABCDEF", *t->p) ||
		    !*t->p)
			return fail(t, "a \\u escape without 4 hex digits");
	return true;
}

static bool json_string(struct text *t)
{
	uint32_t cp;

	if (!eat(t, '"'))
		return fail(t, "a string expected");
	while (!eat(t, '"')) {
		if (at_end(t))
			return fail(t, "an unterminated string");
		if (*t->p < 0x20)
			return fail(t, "a raw control character in a string");
		if (eat(t, '\\')) {
			if (!json_escape(t))
				return false;
		} else if (!utf8_char(t, &cp)) {
			return false;
		}
	}
	return true;
}

static bool digits(struct text *t)
{
	const unsigned char *start = t->p;

	while (!at_end(t) && *t->p >= '0' && *t->p <= '9')
		t->p++;
	return t->p > start;
}

static bool json_number(struct text *t)
{
	eat(t, '-');
	if (!eat(t, '0') && !digits(t))
		return fail(t, "a bad number");
	if (eat(t, '.') && !digits(t))
		return fail(t, "a number with no digits after its point");
	if (eat(t, 'e') || eat(t, 'E')) {
		if (!eat(t, '+'))
			eat(t, '-');
		if (!digits(t))
			return fail(t, "a number with no exponent digits");
	}
	return true;
}

/* An object's members or an array's elements, up to `close`. */
static bool json_members(struct text *t, int depth, char close, bool keys)
{
	json_space(t);
	if (eat(t, close))
		return true;
	do {
		json_space(t);
		if (keys) {
			if (!json_string(t))
				return false;
			json_space(t);
			if (!eat(t, ':'))
				return fail(t, "a member without a colon");
		}
		if (!json_value(t, depth + 1))
			return false;
		json_space(t);
	} while (eat(t, ','));
	return eat(t, close) || fail(t, "a missing , or closing bracket");
}

static bool json_value(struct text *t, int depth)
{
	json_space(t);
	if (depth > MAX_DEPTH)
		return fail(t, "nested too deep");
	if (at_end(t))
		return fail(t, "a value expected");
	switch (*t->p) {
	case '{':
		t->p++;
		return json_members(t, depth, '}', true);
	case '[':
		t->p++;
		return json_members(t, depth, ']', false);
	case '"':
		return json_string(t);
	default:
		if (eat_word(t, "true") || eat_word(t, "false") ||
		    eat_word(t, "null"))
			return true;
		return json_number(t);
	}
}

const char *json_invalid(const char *text, size_t len)
{
	struct text t = { (const unsigned char *)text,
			  (const unsigned char *)text + len, NULL };

	if (json_value(&t, 0)) {
		json_space(&t);
		if (!at_end(&t))
			fail(&t, "text after the value");
	}
	return t.why;
}

/* ------------------------------------------------------------------ */
/* XML                                                                 */
/* ------------------------------------------------------------------ */

/* XML 1.0's Char production. */
static bool xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

static bool name_char(unsigned char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && ((c >= '0' && c <= '9') || c == '-' ||
				       c == '.'));
}

/* An ASCII name (all lgtest writes); its length, 0 if none. */
static size_t xml_name(struct text *t)
{
	const unsigned char *start = t->p;

	while (!at_end(t) && name_char(*t->p, t->p == start))
		t->p++;
	return t->p - start;
}

static void xml_space(struct text *t)
{
	while (!at_end(t) && strchr(" \t\n\r", *t->p) && *t->p)
		t->p++;
}

static bool xml_reference(struct text *t)
{
	static const char *const named[] = { "lt;", "gt;", "amp;", "quot;",
					     "apos;" };
	unsigned int i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (eat_word(t, named[i]))
			return true;
	if (!eat(t, '#'))
		return fail(t, "an unknown entity");
	if (eat(t, 'x')) {
		if (!at_end(t) && strchr("0123456789abcdefABCDEF", *t->p) &&
		    *t->p)
			while (!at_end(t) &&
			       strchr("0123456789abcdefABCDEF", *t->p) && *t->p)
				t->p++;
		else
			return fail(t, "a bad character reference");
	} else if (!digits(t)) {
		return fail(t, "a bad character reference");
	}
	return eat(t, ';') || fail(t, "a character reference without ;");
}

/* Character data up to `stop` ('<' for content, a quote in attributes). */
static bool xml_chars(struct text *t, unsigned char stop)
{
	uint32_t cp;

	while (!at_end(t) && *t->p != stop) {
		if (*t->p == '<')
			return fail(t, "a < in an attribute value");
		if (eat(t, '&')) {
			if (!xml_reference(t))
				return false;
		} else if (!utf8_char(t, &cp)) {
			return false;
		} else if (!xml_char(cp)) {
			return fail(t, "a character XML 1.0 cannot hold");
		}
	}
	return true;
}

static bool xml_attributes(struct text *t)
{
	unsigned char q;

	for (;;) {
		xml_space(t);
		if (at_end(t) || *t->p == '>' || *t->p == '/' || *t->p == '?')
			return true;
		if (!xml_name(t))
			return fail(t, "a bad attribute name");
		xml_space(t);
		if (!eat(t, '='))
			return fail(t, "an attribute without =");
		xml_space(t);
		if (at_end(t) || (*t->p != '"' && *t->p != '\''))
			return fail(t, "an unquoted attribute value");
		q = *t->p++;
		if (!xml_chars(t, q) || !eat(t, q))
			return fail(t, "an unterminated attribute value");
	}
}

static bool xml_element(struct text *t, int depth);

/* Content up to the end tag of `name`. */
static bool xml_content(struct text *t, int depth, const unsigned char *name,
			size_t n)
{
	for (;;) {
		if (!xml_chars(t, '<'))
			return false;
		if (at_end(t))
			return fail(t, "an element never closed");
		if (eat_word(t, "</")) {
			if ((size_t)(t->end - t->p) < n || memcmp(t->p, name, n))
				return fail(t, "an end tag that does not match");
			t->p += n;
			xml_space(t);
			return eat(t, '>') || fail(t, "a bad end tag");
		}
		if (eat_word(t, "<!--")) {
			while (!eat_word(t, "-->")) {
				if (at_end(t))
					return fail(t, "an unterminated comment");
				t->p++;
			}
			continue;
		}
		if (!xml_element(t, depth + 1))
			return false;
	}
}

static bool xml_element(struct text *t, int depth)
{
	const unsigned char *name;
	size_t n;

	if (depth > MAX_DEPTH)
		return fail(t, "nested too deep");
	if (!eat(t, '<'))
		return fail(t, "an element expected");
	name = t->p;
	n = xml_name(t);
	if (!n)
		return fail(t, "a bad element name");
	if (!xml_attributes(t))
		return false;
	if (eat_word(t, "/>"))
		return true;
	if (!eat(t, '>'))
		return fail(t, "a bad start tag");
	return xml_content(t, depth, name, n);
}

const char *xml_invalid(const char *text, size_t len)
{
	struct text t = { (const unsigned char *)text,
			  (const unsigned char *)text + len, NULL };

	if (eat_word(&t, "<?xml")) {
		if (!xml_attributes(&t) || !eat_word(&t, "?>"))
			return t.why ? t.why : "a bad XML declaration";
	}
	xml_space(&t);
	if (xml_element(&t, 0)) {
		xml_space(&t);
		if (!at_end(&t))
			fail(&t, "text after the root element");
	}
	return t.why;
}

/* ------------------------------------------------------------------ */
/* TAP                                                                 */
/* ------------------------------------------------------------------ */

static bool starts(const char *line, size_t n, const char *w)
{
	return n >= strlen(w) && !memcmp(line, w, strlen(w));
}

/*
 * Lines TAP 13 gives meaning to: the version, the plan, test lines,
 * comments; indented lines are subtests or the YAML block after a test
 * line, which runs from "  ---" to "  ...".  One top-level test line per
 * report entry: a console byte that starts another would be a forgery.
 */
const char *tap_invalid(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t n, tests = 0;
	bool yaml = false;
	struct text t;
	uint32_t cp;

	t = (struct text){ (const unsigned char *)text,
			   (const unsigned char *)end, NULL };
	while (!at_end(&t))
		if (!utf8_char(&t, &cp))
			return t.why;
	if (!len || end[-1] != '\n')
		return "the last line is unended";
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		n = nl - p;
		if (yaml) {
			if (starts(p, n, "  ...") && n == 5)
				yaml = false;
			else if (!starts(p, n, "  "))
				return "an unindented line in a YAML block";
			continue;
		}
		if (starts(p, n, "  ---") && n == 5)
			yaml = true;
		else if (starts(p, n, "ok ") || starts(p, n, "not ok "))
			tests++;
		else if (!starts(p, n, "TAP version ") && !starts(p, n, "1..") &&
			 !starts(p, n, "#") && !starts(p, n, "    "))
			return "a line TAP gives no meaning to";
	}
	if (yaml)
		return "a YAML block never ended";
	return tests == 1 ? NULL : "not one test line for one test";
}
