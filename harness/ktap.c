// SPDX-License-Identifier: GPL-2.0
/*
 * The KTAP parser.  Lines are read one at a time and classified (version,
 * plan, result, "# Subtest:", "Bail out!"; anything else is skipped).  A
 * stack of levels follows the indentation: a line indented deeper than
 * the current level opens a child level, a shallower one closes levels.
 * A closed level's results wait as a "pending" group until the parent's
 * next result line, which they become the subtests of; a group that never
 * gets one is reported as a subtest that is MISSING its result.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "util.h"

#define NAMES_IN_SUMMARY 5

struct level {
	int indent;
	struct ktap_test *node; /* collects this level's results */
	char *name; /* from "# Subtest: NAME" */
	struct ktap_test *pending; /* a closed child level's group */
};

struct parser {
	struct ktap_report *r;
	struct level *levels;
	size_t depth;
	bool open; /* inside a document */
	bool content; /* the document has a plan or a result */
	bool planned; /* the document's own plan was seen */
	int line;
};

enum line_kind { L_OTHER, L_VERSION, L_PLAN, L_RESULT, L_SUBTEST, L_BAIL };

struct line {
	enum line_kind kind;
	int indent;
	const char *body; /* after the indentation */
	size_t len;
	long plan;
	bool ok;
	long number; /* -1 when the result line has none */
	char *desc, *directive; /* result; owned until taken */
};

const char *ktap_result_name(enum ktap_result r)
{
	static const char *const names[] = {"pass", "fail", "skip", "todo",
					    "missing"};

	return names[r];
}

bool ktap_failed(enum ktap_result r)
{
	return r == KTAP_FAIL || r == KTAP_MISSING;
}

/* ---- lines ----------------------------------------------------------- */

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* "[    1.234567] " or "[    T1] ": a printk prefix, and its length. */
static size_t log_prefix(const char *s, size_t len)
{
	size_t i = 1;

	if (!len || s[0] != '[')
		return 0;
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && (s[i] == 'T' || s[i] == 'C'))
		i++;
	while (i < len && (isdigit((unsigned char)s[i]) || s[i] == '.'))
		i++;
	if (i >= len || s[i] != ']' || i < 2)
		return 0;
	i++;
	return i < len && s[i] == ' ' ? i + 1 : i;
}

static bool parse_long(const char *s, size_t len, size_t *pos, long *v)
{
	size_t start = *pos;

	*v = 0;
	while (*pos < len && isdigit((unsigned char)s[*pos]) && *v < 100000000)
		*v = *v * 10 + (s[(*pos)++] - '0');
	return *pos > start;
}

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/*
 * "ok|not ok [N] [-] description [# directive]": a '#' ends the
 * description unless a backslash escapes it.
 */
static void parse_result(struct line *l, size_t pos)
{
	const char *s = l->body;
	size_t len = l->len, i, hash;

	while (pos < len && s[pos] == ' ')
		pos++;
	if (!parse_long(s, len, &pos, &l->number))
		l->number = -1;
	while (pos < len && s[pos] == ' ')
		pos++;
	if (pos + 1 < len && s[pos] == '-' && s[pos + 1] == ' ')
		pos += 2;
	else if (pos + 1 == len && s[pos] == '-')
		pos++;
	for (hash = len, i = pos; i < len; i++) {
		if (s[i] == '#' && (i == pos || s[i - 1] != '\\')) {
			hash = i;
			break;
		}
	}
	l->desc = trimmed(s + pos, hash - pos);
	if (hash < len)
		l->directive = trimmed(s + hash + 1, len - hash - 1);
}

static void classify(struct line *l)
{
	const char *s = l->body;
	size_t len = l->len, pos = 0;

	if ((starts(s, len, "KTAP version ") ||
	     starts(s, len, "TAP version ")) &&
	    isdigit((unsigned char)s[len - 1])) {
		l->kind = L_VERSION;
	} else if (starts(s, len, "1..")) {
		pos = 3;
		if (parse_long(s, len, &pos, &l->plan) &&
		    (pos == len || s[pos] == ' '))
			l->kind = L_PLAN;
	} else if ((starts(s, len, "ok") && (len == 2 || s[2] == ' ')) ||
		   (starts(s, len, "not ok") && (len == 6 || s[6] == ' '))) {
		l->kind = L_RESULT;
		l->ok = s[0] == 'o';
		parse_result(l, l->ok ? 2 : 6);
	} else if (starts(s, len, "# Subtest:")) {
		l->kind = L_SUBTEST;
		l->desc = trimmed(s + 10, len - 10);
	} else if (starts(s, len, "Bail out!")) {
		l->kind = L_BAIL;
		l->desc = trimmed(s + 9, len - 9);
	}
}

static void read_line(const char *s, size_t len, struct line *l)
{
	size_t skip;
	int indent = 0;

	memset(l, 0, sizeof(*l));
	/* A timestamp, then perhaps a caller id. */
	skip = log_prefix(s, len);
	s += skip, len -= skip;
	skip = log_prefix(s, len);
	s += skip, len -= skip;
	while (len && (*s == ' ' || *s == '\t')) {
		indent = *s == '\t' ? (indent / 8 + 1) * 8 : indent + 1;
		s++, len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	l->indent = indent;
	l->body = s;
	l->len = len;
	if (len)
		classify(l);
}

/* ---- the tree ---------------------------------------------------------- */

static void test_free(struct ktap_test *t)
{
	size_t i;

	for (i = 0; i < t->nsubtests; i++)
		test_free(&t->subtests[i]);
	free(t->subtests);
	free(t->name);
	free(t->directive);
	memset(t, 0, sizeof(*t));
}

static struct ktap_test *new_group(void)
{
	struct ktap_test *g = xcalloc(1, sizeof(*g));

	g->planned = -1;
	return g;
}

/* Give child the results (and plan) that group collected; free group. */
static void adopt(struct ktap_test *child, struct ktap_test *group)
{
	child->subtests = group->subtests;
	child->nsubtests = group->nsubtests;
	child->planned = group->planned;
	if (!child->name || !*child->name) {
		free(child->name);
		child->name = group->name;
		group->name = NULL;
	}
	free(group->name);
	free(group);
}

static struct ktap_test *push_child(struct level *lv)
{
	struct ktap_test *c =
		ARRAY_PUSH(&lv->node->subtests, &lv->node->nsubtests);

	c->planned = -1;
	return c;
}

/* A group that no result line claimed: a subtest without a result. */
static void flush_pending(struct level *lv)
{
	struct ktap_test *c;

	if (!lv->pending)
		return;
	c = push_child(lv);
	c->result = KTAP_MISSING;
	adopt(c, lv->pending);
	if (!c->name)
		c->name = xstrdup("(unnamed)");
	lv->pending = NULL;
}

static void pop_level(struct parser *p)
{
	struct level *child = &p->levels[--p->depth];
	struct level *parent = &p->levels[p->depth - 1];

	flush_pending(child);
	flush_pending(parent);
	parent->pending = child->node;
	parent->pending->name = child->name;
}

static void push_level(struct parser *p, int indent)
{
	struct level *lv = ARRAY_PUSH(&p->levels, &p->depth);

	lv->indent = indent;
	lv->node = new_group();
}

static void close_document(struct parser *p)
{
	while (p->depth > 1)
		pop_level(p);
	if (p->depth) {
		flush_pending(&p->levels[0]);
		/* A "# Subtest:" name at the top level names nothing. */
		free(p->levels[0].name);
		p->levels[0].name = NULL;
	}
	p->depth = 0;
	p->open = false;
}

static void open_document(struct parser *p, int indent)
{
	struct level *lv;

	close_document(p);
	lv = ARRAY_PUSH(&p->levels, &p->depth);
	lv->indent = indent;
	lv->node = &p->r->root;
	p->open = true;
	p->content = false;
	p->planned = false;
	p->r->found = true;
}

/* Only a level's first plan counts; the root adds up its documents'. */
static void add_plan(struct parser *p, struct ktap_test *node, long n)
{
	if (p->depth == 1 && !p->planned) {
		node->planned = node->planned < 0 ? n : node->planned + n;
		p->planned = true;
	} else if (p->depth > 1 && node->planned < 0) {
		node->planned = n;
	}
}

/* A level that already holds something cannot take a new header. */
static bool level_used(const struct level *lv)
{
	return lv->node->nsubtests || lv->node->planned >= 0 || lv->pending;
}

static void add_result(struct parser *p, struct level *lv, struct line *l)
{
	struct ktap_test *c = push_child(lv);

	c->number = l->number >= 0 ? (int)l->number : (int)lv->node->nsubtests;
	c->line = p->line;
	c->name = l->desc;
	c->directive = l->directive;
	l->desc = l->directive = NULL;
	if (c->directive && !strncasecmp(c->directive, "SKIP", 4))
		c->result = KTAP_SKIP;
	else if (!l->ok && c->directive &&
		 !strncasecmp(c->directive, "TODO", 4))
		c->result = KTAP_TODO;
	else
		c->result = l->ok ? KTAP_PASS : KTAP_FAIL;
	if (lv->pending) {
		adopt(c, lv->pending);
		lv->pending = NULL;
	}
	/* adopt() leaves no name when neither had one. */
	if (!c->name || !*c->name) {
		free(c->name);
		c->name = xasprintf("test %d", c->number);
	}
}

static void feed(struct parser *p, struct line *l)
{
	struct level *top;

	if (l->kind == L_OTHER)
		return;
	if (!p->open || (l->kind == L_VERSION && p->content &&
			 l->indent <= p->levels[0].indent)) {
		if (l->kind == L_VERSION)
			open_document(p, l->indent);
		return;
	}
	if (l->indent < p->levels[0].indent)
		return;
	while (p->depth > 1 && p->levels[p->depth - 1].indent > l->indent)
		pop_level(p);
	/* A sibling subtest's header at the same depth: a new level. */
	if (p->depth > 1 && l->kind == L_VERSION &&
	    p->levels[p->depth - 1].indent == l->indent &&
	    level_used(&p->levels[p->depth - 1]))
		pop_level(p);
	if (l->indent > p->levels[p->depth - 1].indent)
		push_level(p, l->indent);
	top = &p->levels[p->depth - 1];
	switch (l->kind) {
	case L_PLAN:
		add_plan(p, top->node, l->plan);
		p->content = true;
		break;
	case L_RESULT:
		add_result(p, top, l);
		p->content = true;
		break;
	case L_SUBTEST:
		free(top->name);
		top->name = l->desc;
		l->desc = NULL;
		break;
	case L_BAIL:
		if (!p->r->bailed_out)
			p->r->bail_out = xstrdup(l->desc);
		p->r->bailed_out = true;
		break;
	default:
		break;
	}
}

/* ---- counting ---------------------------------------------------------- */

/* Count t's subtests into r; returns how many failures were counted. */
static size_t count(struct ktap_report *r, const struct ktap_test *t)
{
	struct ktap_counts *c = &r->counts;
	size_t i, failed = 0;

	for (i = 0; i < t->nsubtests; i++) {
		const struct ktap_test *s = &t->subtests[i];
		size_t inner = s->nsubtests ? count(r, s) : 0;

		failed += inner;
		if (s->nsubtests && !(ktap_failed(s->result) && !inner))
			continue;
		switch (s->result) {
		case KTAP_PASS:
			c->passed++;
			break;
		case KTAP_SKIP:
			c->skipped++;
			break;
		case KTAP_TODO:
			c->todo++;
			break;
		case KTAP_FAIL:
		case KTAP_MISSING:
			c->failed++;
			failed++;
			break;
		}
	}
	if (t->planned > (long)t->nsubtests)
		r->missing += (size_t)t->planned - t->nsubtests;
	return failed;
}

void ktap_parse(const char *text, size_t len, struct ktap_report *r)
{
	struct parser p = {.r = r};
	const char *s = text, *end = text + len, *nl;
	struct line l;

	memset(r, 0, sizeof(*r));
	r->root.planned = -1;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		p.line++;
		read_line(s, nl ? (size_t)(nl - s) : (size_t)(end - s), &l);
		feed(&p, &l);
		free(l.desc);
		free(l.directive);
		s = nl ? nl + 1 : end;
	}
	close_document(&p);
	free(p.levels);
	count(r, &r->root);
}

void ktap_free(struct ktap_report *r)
{
	test_free(&r->root);
	free(r->bail_out);
	memset(r, 0, sizeof(*r));
}

/* ---- judgement --------------------------------------------------------- */

static void failed_names(const struct ktap_test *t, const char *path,
			 struct buf *b, size_t *n)
{
	size_t i;

	for (i = 0; i < t->nsubtests; i++) {
		const struct ktap_test *s = &t->subtests[i];
		char *name = *path ? xasprintf("%s.%s", path, s->name)
				   : xstrdup(s->name);
		size_t before = *n;

		failed_names(s, name, b, n);
		if (ktap_failed(s->result) && *n == before) {
			if (*n < NAMES_IN_SUMMARY)
				buf_addf(b, "%s%s%s", *n ? ", " : "", name,
					 s->result == KTAP_MISSING
						 ? " (no result)"
						 : "");
			else if (*n == NAMES_IN_SUMMARY)
				buf_add(b, ", ...", 5);
			++*n;
		}
		free(name);
	}
}

char *ktap_failure_summary(const struct ktap_report *r)
{
	const struct ktap_counts *c = &r->counts;
	size_t total = c->passed + c->failed + c->skipped + c->todo, n = 0;
	struct buf names = {0};
	char *s;

	if (!r->found || (!c->failed && !r->missing && !r->bailed_out))
		return NULL;
	failed_names(&r->root, "", &names, &n);
	if (r->bailed_out)
		s = xasprintf("KTAP: Bail out! %s", r->bail_out);
	else if (c->failed)
		s = xasprintf("%zu of %zu KTAP subtests failed: %s", c->failed,
			      total, names.data);
	else
		s = xasprintf("KTAP: %zu planned subtests never reported "
			      "(%zu reported)",
			      r->missing, total);
	buf_free(&names);
	return s;
}
