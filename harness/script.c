// SPDX-License-Identifier: GPL-2.0
/*
 * The script parser.  A script is read line by line; each line is a
 * keyword and its arguments.  Tokens are read according to what the
 * keyword expects (a path, a pattern, a string, a duration), so that
 * "/boot/vmlinuz" is a path after `kernel` and a regex after `expect`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "device_table.h"
#include "script.h"
#include "share.h"

struct lexer {
	const char *path;
	const char *dir; /* the script's directory, for relative names */
	const char *s; /* the current line, not NUL-terminated */
	size_t len;
	size_t pos;
	int line;
	char **err;
};

struct parser {
	struct lexer lx;
	struct script *script;
	struct testcase file; /* file-level settings and, if no `test`, steps */
	struct testcase *cur; /* where settings and steps go */
};

static bool fail_at(struct lexer *lx, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail_at(struct lexer *lx, size_t pos, const char *fmt, ...)
{
	struct buf b = {0};
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_addf(&b, "%s:%d:%zu: %s", lx->path, lx->line, pos + 1, msg);
	free(*lx->err);
	*lx->err = b.data;
	return false;
}

static void skip_space(struct lexer *lx)
{
	while (lx->pos < lx->len &&
	       (lx->s[lx->pos] == ' ' || lx->s[lx->pos] == '\t'))
		lx->pos++;
}

/* At the end of the line, or of its meaningful part before a comment. */
static bool at_end(struct lexer *lx)
{
	skip_space(lx);
	return lx->pos >= lx->len || lx->s[lx->pos] == '#';
}

static bool expect_end(struct lexer *lx)
{
	if (at_end(lx))
		return true;
	return fail_at(lx, lx->pos, "unexpected '%.*s' at the end of the line",
		       (int)strcspn(lx->s + lx->pos, " \t\r\n"),
		       lx->s + lx->pos);
}

/* Step over a word: everything up to white space.  Returns its start. */
static size_t skip_word(struct lexer *lx)
{
	size_t start;

	skip_space(lx);
	start = lx->pos;
	while (lx->pos < lx->len && lx->s[lx->pos] != ' ' &&
	       lx->s[lx->pos] != '\t')
		lx->pos++;
	return start;
}

static size_t lex_word(struct lexer *lx, char **out)
{
	size_t start = skip_word(lx);

	*out = xstrndup(lx->s + start, lx->pos - start);
	return start;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after a backslash in a quoted string; pos is at the backslash. */
static bool lex_escape(struct lexer *lx, struct buf *b)
{
	static const char from[] = "nrte0\\\"", to[] = "\n\r\t\033\0\\\"";
	size_t at = lx->pos;
	const char *hit;
	int hi, lo;

	if (++lx->pos >= lx->len)
		return fail_at(lx, at, "a backslash ends the line");
	hit = memchr(from, lx->s[lx->pos], sizeof(from) - 1);
	if (hit) {
		buf_add(b, &to[hit - from], 1);
		lx->pos++;
		return true;
	}
	if (lx->s[lx->pos] == 'x') {
		hi = lx->pos + 1 < lx->len ? hex_digit(lx->s[lx->pos + 1]) : -1;
		lo = lx->pos + 2 < lx->len ? hex_digit(lx->s[lx->pos + 2]) : -1;
		if (hi < 0 || lo < 0)
			return fail_at(lx, at, "\\x needs two hex digits");
		buf_add(b, &(char){(char)(hi * 16 + lo)}, 1);
		lx->pos += 3;
		return true;
	}
	return fail_at(lx, at,
		       "unknown escape '\\%c' (known: \\n \\r \\t \\e \\0 \\\\ "
		       "\\\" \\xHH)",
		       lx->s[lx->pos]);
}

/* A "quoted string" with escapes; pos is at the opening quote. */
static bool lex_quoted(struct lexer *lx, struct buf *b)
{
	size_t open = lx->pos++;

	buf_add(b, "", 0);
	while (lx->pos < lx->len && lx->s[lx->pos] != '"') {
		if (lx->s[lx->pos] == '\\') {
			if (!lex_escape(lx, b))
				return false;
			continue;
		}
		buf_add(b, lx->s + lx->pos++, 1);
	}
	if (lx->pos >= lx->len)
		return fail_at(lx, open,
			       "unterminated string: no closing '\"'");
	lx->pos++;
	return true;
}

/*
 * A /regex/ with optional flags; pos is at the opening slash.  \/ is a
 * slash and \n, \t are newline and tab; other escapes go to regcomp as
 * they are.
 */
static bool lex_regex(struct lexer *lx, struct buf *b)
{
	size_t open = lx->pos++;
	char c;

	buf_add(b, "", 0);
	while (lx->pos < lx->len && lx->s[lx->pos] != '/') {
		c = lx->s[lx->pos++];
		if (c == '\\' && lx->pos < lx->len) {
			char n = lx->s[lx->pos++];

			if (n == '/' || n == 'n' || n == 't') {
				c = n == '/' ? '/' : n == 'n' ? '\n' : '\t';
				buf_add(b, &c, 1);
				continue;
			}
			buf_add(b, "\\", 1);
			c = n;
		}
		buf_add(b, &c, 1);
	}
	if (lx->pos >= lx->len)
		return fail_at(lx, open, "unterminated regex: no closing '/'");
	lx->pos++;
	return true;
}

static bool lex_pattern(struct lexer *lx, struct pattern *p)
{
	struct buf b = {0};
	char err[256];
	size_t start;
	bool ok;

	skip_space(lx);
	start = lx->pos;
	if (at_end(lx))
		return fail_at(lx, lx->pos,
			       "expected a pattern: \"text\" or /regex/");
	if (lx->s[lx->pos] == '"') {
		p->kind = PAT_LITERAL;
		ok = lex_quoted(lx, &b);
	} else if (lx->s[lx->pos] == '/') {
		p->kind = PAT_REGEX;
		ok = lex_regex(lx, &b);
	} else {
		return fail_at(lx, start,
			       "expected a pattern: \"text\" or /regex/");
	}
	p->text = b.data;
	p->len = b.len;
	if (!ok)
		return false;
	while (lx->pos < lx->len && lx->s[lx->pos] == 'i') {
		p->icase = true;
		lx->pos++;
	}
	if (lx->pos < lx->len && lx->s[lx->pos] != ' ' &&
	    lx->s[lx->pos] != '\t')
		return fail_at(lx, lx->pos,
			       "unknown pattern flag '%c' (known: i)",
			       lx->s[lx->pos]);
	if (!p->len)
		return fail_at(lx, start, "empty pattern");
	if (!pattern_compile(p, err, sizeof(err)))
		return fail_at(lx, start, "bad regex: %s", err);
	return true;
}

/* A file name, bare or quoted, made relative to the script's directory. */
static bool lex_path(struct lexer *lx, char **out)
{
	struct buf b = {0};
	char *word;

	if (at_end(lx))
		return fail_at(lx, lx->pos, "expected a file name");
	if (lx->s[lx->pos] == '"') {
		if (!lex_quoted(lx, &b)) {
			buf_free(&b);
			return false;
		}
		word = b.data;
	} else {
		lex_word(lx, &word);
	}
	if (word[0] == '/' || !lx->dir[0]) {
		*out = word;
	} else {
		*out = xasprintf("%s/%s", lx->dir, word);
		free(word);
	}
	return true;
}

/* The rest of the line up to a comment, trimmed; at least one word. */
static bool lex_rest(struct lexer *lx, const char *what, char **out)
{
	size_t start, end;

	if (at_end(lx))
		return fail_at(lx, lx->pos, "expected %s", what);
	start = lx->pos;
	while (!at_end(lx))
		skip_word(lx);
	end = lx->pos;
	while (end > start && (lx->s[end - 1] == ' ' || lx->s[end - 1] == '\t'))
		end--;
	*out = xstrndup(lx->s + start, end - start);
	return true;
}

static bool lex_duration(struct lexer *lx, double *out)
{
	char *word;
	size_t at;
	bool ok;

	if (at_end(lx))
		return fail_at(
			lx, lx->pos,
			"expected a duration (like 30, 2.5s, 500ms, 2m)");
	at = lex_word(lx, &word);
	ok = parse_duration(word, out) && *out > 0;
	free(word);
	if (!ok)
		return fail_at(lx, at,
			       "bad duration (want a positive number with an "
			       "optional unit ms, s or m)");
	return true;
}

static bool lex_uint(struct lexer *lx, const char *what, unsigned long min,
		     unsigned long max, unsigned long *out)
{
	char *word, *end;
	size_t at;
	bool ok;

	if (at_end(lx))
		return fail_at(lx, lx->pos, "expected %s", what);
	at = lex_word(lx, &word);
	errno = 0;
	*out = strtoul(word, &end, 10);
	ok = word[0] >= '0' && word[0] <= '9' && !*end && !errno &&
	     *out >= min && *out <= max;
	free(word);
	if (!ok)
		return fail_at(lx, at,
			       "%s must be a whole number from %lu to %lu",
			       what, min, max);
	return true;
}

/* ---- settings ---------------------------------------------------------- */

static bool set_once(struct lexer *lx, size_t at, bool already, const char *kw)
{
	if (already)
		return fail_at(lx, at, "'%s' given twice in one section", kw);
	return true;
}

/*
 * A device kind is a launcher device's option (device_table.h), or fs: a
 * running vhost-user back-end, which only the harness knows so far.
 */
/* A tag the guest could not mount, or one this section already has. */
static bool check_tag(struct lexer *lx, size_t at, const char *tag,
		      const struct config *c)
{
	const char *why = share_tag_problem(tag);

	if (why)
		return fail_at(lx, at, "bad virtio-fs tag '%s': %s", tag, why);
	if (share_duplicate_tag(c))
		return fail_at(lx, at,
			       "the virtio-fs tag '%s' is already used in "
			       "this section",
			       tag);
	return true;
}

/* device fs SOCKET:TAG: a running vhost-user back-end (lguest --fs). */
static bool check_fs_device(struct lexer *lx, size_t at, struct config *c)
{
	struct device *d = &c->devices[c->ndevices - 1];
	const char *colon = strrchr(d->value, ':');

	if (!colon || colon == d->value || colon[1] == '\0' ||
	    strrchr(d->value, '/') > colon)
		return fail_at(lx, at, "device fs needs SOCKET:TAG");
	return check_tag(lx, at + (size_t)(colon - d->value) + 1, colon + 1, c);
}

static bool parse_device(struct lexer *lx, struct config *c)
{
	const struct lg_device_option *opt = NULL;
	char known[256];
	struct device *d;
	size_t at;
	char *kind;

	lg_device_option_list(known, sizeof(known));
	if (at_end(lx))
		return fail_at(lx, lx->pos, "expected a device kind (%s)",
			       known);
	at = lex_word(lx, &kind);
	if (!lg_device_by_option(kind, &opt)) {
		fail_at(lx, at, "unknown device kind '%s' (known: %s)", kind,
			known);
		free(kind);
		return false;
	}
	d = ARRAY_PUSH(&c->devices, &c->ndevices);
	d->kind = kind;
	if (opt->arg == LG_ARG_NONE)
		return true;
	skip_space(lx);
	at = lx->pos;
	if (opt->arg == LG_ARG_FS)
		return lex_path(lx, &d->value) && check_fs_device(lx, at, c);
	if (opt->arg != LG_ARG_WORD)
		return lex_path(lx, &d->value);
	if (at_end(lx))
		return fail_at(lx, lx->pos, "device %s needs a value", kind);
	lex_word(lx, &d->value);
	return true;
}

/* Kernel arguments accumulate: "a b" then "c" make "a b c". */
static void append_words(char **dst, const char *words)
{
	char *joined = *dst ? xasprintf("%s %s", *dst, words) : xstrdup(words);

	free(*dst);
	*dst = joined;
}

static bool parse_cmdline(struct lexer *lx, struct config *c)
{
	char *rest;

	if (!lex_rest(lx, "kernel arguments", &rest))
		return false;
	append_words(&c->cmdline, rest);
	free(rest);
	return true;
}

static bool parse_boot_marker(struct lexer *lx, size_t at, struct config *c)
{
	if (!set_once(lx, at, c->boot_marker, "boot-marker"))
		return false;
	c->boot_marker = xcalloc(1, sizeof(*c->boot_marker));
	return lex_pattern(lx, c->boot_marker);
}

/*
 * One word out of names[1..n-1] (names[0] stands for "unset"); *out is
 * its index.  what lists the choices for the message.
 */
static bool lex_choice(struct lexer *lx, const char *const *names, size_t n,
		       const char *what, int *out)
{
	size_t i, at;
	char *word;

	*out = 0;
	if (at_end(lx))
		return fail_at(lx, lx->pos, "expected %s", what);
	at = lex_word(lx, &word);
	for (i = 1; i < n; i++)
		if (!strcmp(word, names[i]))
			*out = (int)i;
	if (!*out)
		fail_at(lx, at, "'%s' is not one of %s", word, what);
	free(word);
	return *out != 0;
}

static bool parse_ktap(struct lexer *lx, size_t at, struct config *c)
{
	static const char *const modes[] = {
		[KTAP_UNSET] = NULL,
		[KTAP_JUDGE] = "judge",
		[KTAP_REPORT] = "report",
		[KTAP_IGNORE] = "ignore",
	};
	int v;

	if (!set_once(lx, at, c->ktap, "ktap") ||
	    !lex_choice(lx, modes, ARRAY_SIZE(modes), "judge, report or ignore",
			&v))
		return false;
	c->ktap = (enum ktap_mode)v;
	return true;
}

static const char *const expect_verdicts[] = {
	[EXPECT_UNSET] = NULL,
	[EXPECT_PASS] = "pass",
	[EXPECT_FAIL] = "fail",
	[EXPECT_HANG] = "hang",
};

const char *expect_verdict_name(enum expect_verdict v)
{
	return expect_verdicts[v];
}

/* A crash is expected with a step, which says where and which one. */
static bool parse_expect_verdict(struct lexer *lx, size_t at, struct config *c)
{
	int v;

	if (!set_once(lx, at, c->expect_verdict, "expect-verdict"))
		return false;
	skip_space(lx);
	if (!strncmp(lx->s + lx->pos, "crash", 5))
		return fail_at(lx, lx->pos,
			       "an expected crash is a step: expect-crash "
			       "[PATTERN]");
	if (!lex_choice(lx, expect_verdicts, ARRAY_SIZE(expect_verdicts),
			"pass, fail or hang", &v))
		return false;
	c->expect_verdict = (enum expect_verdict)v;
	skip_space(lx);
	if (v != EXPECT_HANG || at_end(lx))
		return true;
	/* The title lgtest gives the hang (run.c) must match. */
	c->hang_title = xcalloc(1, sizeof(*c->hang_title));
	return lex_pattern(lx, c->hang_title);
}

/*
 * share HOSTDIR [TAG] [ro]: the device "share" with the value the
 * launcher's --share takes, HOSTDIR:TAG[:ro].  A lone "ro" after the
 * directory is the flag: a share tagged "ro" is `share DIR ro ro`.
 */
static bool parse_share(struct lexer *lx, struct config *c)
{
	char *dir, *tag = NULL, *word;
	size_t at, tag_at;
	bool ro = false, ok;
	struct stat st;

	skip_space(lx);
	at = lx->pos;
	if (!lex_path(lx, &dir))
		return false;
	if (stat(dir, &st)) {
		ok = fail_at(lx, at, "share %s: %s", dir, strerror(errno));
		free(dir);
		return ok;
	}
	if (!S_ISDIR(st.st_mode)) {
		ok = fail_at(lx, at, "share %s: not a directory", dir);
		free(dir);
		return ok;
	}
	tag_at = lx->pos;
	while (!at_end(lx)) {
		tag_at = lex_word(lx, &word);
		if (!strcmp(word, "ro") && at_end(lx) && !ro) {
			ro = true;
			free(word);
		} else if (!tag && !ro) {
			tag = word;
		} else {
			free(word);
			free(tag);
			free(dir);
			return fail_at(lx, tag_at,
				       "share takes HOSTDIR [TAG] [ro]");
		}
	}
	if (!tag)
		tag = share_default_tag(dir);
	ARRAY_PUSH(&c->devices, &c->ndevices)->kind = xstrdup("share");
	c->devices[c->ndevices - 1].value =
		xasprintf("%s:%s%s", dir, tag, ro ? ":ro" : "");
	ok = check_tag(lx, tag_at, tag, c);
	free(tag);
	free(dir);
	return ok;
}

static bool parse_rootfs(struct lexer *lx, size_t at, struct config *c)
{
	static const char *const modes[] = {
		[ROOTFS_UNSET] = NULL,
		[ROOTFS_INITRAMFS] = "initramfs",
		[ROOTFS_HOST] = "host",
	};
	int v;

	if (!set_once(lx, at, c->rootfs, "rootfs") ||
	    !lex_choice(lx, modes, ARRAY_SIZE(modes), "initramfs or host", &v))
		return false;
	c->rootfs = (enum rootfs_mode)v;
	return true;
}

double *config_duration(struct config *c, const char *kw)
{
	if (!strcmp(kw, "timeout"))
		return &c->timeout;
	if (!strcmp(kw, "idle-timeout"))
		return &c->idle_timeout;
	if (!strcmp(kw, "step-timeout"))
		return &c->step_timeout;
	if (!strcmp(kw, "boot-timeout"))
		return &c->boot_timeout;
	return NULL;
}

static bool parse_setting(struct lexer *lx, const char *kw, size_t at,
			  struct config *c)
{
	double *dur = config_duration(c, kw);
	unsigned long v;

	if (!strcmp(kw, "kernel"))
		return set_once(lx, at, c->kernel, kw) &&
		       lex_path(lx, &c->kernel);
	if (!strcmp(kw, "initrd"))
		return set_once(lx, at, c->initrd, kw) &&
		       lex_path(lx, &c->initrd);
	if (!strcmp(kw, "mem")) {
		if (!set_once(lx, at, c->mem_mb, kw) ||
		    !lex_uint(lx, "mem (MiB)", 2, 1048576, &v))
			return false;
		c->mem_mb = (unsigned int)v;
		return true;
	}
	if (!strcmp(kw, "cpus")) {
		if (!set_once(lx, at, c->cpus, kw) ||
		    !lex_uint(lx, "cpus", 1, MAX_CPUS, &v))
			return false;
		c->cpus = (unsigned int)v;
		return true;
	}
	if (!strcmp(kw, "cmdline"))
		return parse_cmdline(lx, c);
	if (!strcmp(kw, "device"))
		return parse_device(lx, c);
	if (dur)
		return set_once(lx, at, *dur > 0, kw) && lex_duration(lx, dur);
	if (!strcmp(kw, "boot-marker"))
		return parse_boot_marker(lx, at, c);
	if (!strcmp(kw, "ktap"))
		return parse_ktap(lx, at, c);
	if (!strcmp(kw, "expect-verdict"))
		return parse_expect_verdict(lx, at, c);
	if (!strcmp(kw, "share"))
		return parse_share(lx, c);
	if (!strcmp(kw, "rootfs"))
		return parse_rootfs(lx, at, c);
	return fail_at(lx, at, "unknown keyword '%s'", kw);
}

static bool is_setting(const char *kw)
{
	static const char *const settings[] = {
		"kernel",	"initrd",      "mem",	       "cmdline",
		"device",	"timeout",     "idle-timeout", "step-timeout",
		"boot-timeout", "boot-marker", "ktap",	       "expect-verdict",
		"cpus",		"share",       "rootfs",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (!strcmp(kw, settings[i]))
			return true;
	return false;
}

/* ---- steps --------------------------------------------------------------- */

static const char *const step_keywords[] = {
	[STEP_EXPECT] = "expect",     [STEP_EXPECT_NOT] = "expect-not",
	[STEP_SEND] = "send",	      [STEP_EXIT] = "exit",
	[STEP_SHUTDOWN] = "shutdown", [STEP_EXPECT_CRASH] = "expect-crash",
};

const char *step_keyword(enum step_kind kind)
{
	return step_keywords[kind];
}

static int find_step_kind(const char *kw)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(step_keywords); i++)
		if (!strcmp(kw, step_keywords[i]))
			return (int)i;
	return -1;
}

/* Trailing options: `timeout D` everywhere but send, `for D` on expect-not. */
static bool parse_step_options(struct lexer *lx, struct step *st)
{
	const char *opt = st->kind == STEP_EXPECT_NOT ? "for" : "timeout";
	char *word;
	size_t at;
	bool ok;

	while (!at_end(lx)) {
		at = lex_word(lx, &word);
		ok = st->kind != STEP_SEND && !strcmp(word, opt);
		if (ok && st->timeout > 0)
			fail_at(lx, at, "'%s' given twice", word);
		else if (!ok)
			fail_at(lx, at,
				st->kind == STEP_SEND
					? "unexpected '%s': send takes one "
					  "string"
					: "unexpected '%s' (this step takes "
					  "'%s DURATION')",
				word, opt);
		free(word);
		if (!ok || st->timeout > 0)
			return false;
		if (!lex_duration(lx, &st->timeout))
			return false;
	}
	return true;
}

static bool parse_step_args(struct lexer *lx, struct step *st)
{
	struct buf b = {0};
	unsigned long v;

	switch (st->kind) {
	case STEP_EXPECT:
	case STEP_EXPECT_NOT:
		st->has_pattern = true;
		return lex_pattern(lx, &st->pat);
	case STEP_SEND:
		if (at_end(lx) || lx->s[lx->pos] != '"')
			return fail_at(lx, lx->pos,
				       "send needs a \"quoted string\"");
		if (!lex_quoted(lx, &b)) {
			buf_free(&b);
			return false;
		}
		st->data = b.data;
		st->data_len = b.len;
		return true;
	case STEP_EXIT:
		if (!lex_uint(lx, "exit status", 0, 255, &v))
			return false;
		st->status = (int)v;
		return true;
	case STEP_SHUTDOWN:
		return true;
	case STEP_EXPECT_CRASH:
		skip_space(lx);
		if (at_end(lx) ||
		    (lx->s[lx->pos] != '"' && lx->s[lx->pos] != '/'))
			return true;
		st->has_pattern = true;
		return lex_pattern(lx, &st->pat);
	}
	return false;
}

static bool parse_step(struct parser *p, enum step_kind kind, size_t at)
{
	struct lexer *lx = &p->lx;
	struct step *st;

	st = ARRAY_PUSH(&p->cur->steps, &p->cur->nsteps);
	st->kind = kind;
	st->line = lx->line;
	st->col = (int)at + 1;
	return parse_step_args(lx, st) && parse_step_options(lx, st);
}

/* ---- tests and lines ------------------------------------------------------
 */

static bool parse_test(struct parser *p, size_t at)
{
	struct lexer *lx = &p->lx;
	struct testcase *t;
	struct buf b = {0};
	char *name;
	size_t i;

	if (p->file.nsteps)
		return fail_at(
			lx, at,
			"'test' after steps: a script is either one test "
			"(steps only) or a list of 'test' sections");
	if (!at_end(lx) && lx->s[lx->pos] == '"') {
		if (!lex_quoted(lx, &b) || !expect_end(lx)) {
			buf_free(&b);
			return false;
		}
		name = b.data;
	} else if (!lex_rest(lx, "a test name", &name)) {
		return false;
	}
	for (i = 0; i < p->script->ntests; i++) {
		if (!strcmp(p->script->tests[i].name, name)) {
			fail_at(lx, at, "test '%s' already defined on line %d",
				name, p->script->tests[i].line);
			free(name);
			return false;
		}
	}
	t = ARRAY_PUSH(&p->script->tests, &p->script->ntests);
	t->name = name;
	t->file = p->script->path;
	t->line = lx->line;
	p->cur = t;
	return true;
}

static bool parse_line(struct parser *p)
{
	struct lexer *lx = &p->lx;
	char *kw;
	size_t at;
	int kind;
	bool ok;

	if (at_end(lx))
		return true;
	at = lex_word(lx, &kw);
	if (!strcmp(kw, "test")) {
		ok = parse_test(p, at);
	} else if ((kind = find_step_kind(kw)) >= 0) {
		ok = parse_step(p, (enum step_kind)kind, at);
	} else if (is_setting(kw)) {
		ok = p->cur->nsteps ? fail_at(lx, at,
					      "setting '%s' after steps: "
					      "settings come first",
					      kw)
				    : parse_setting(lx, kw, at, &p->cur->cfg);
	} else {
		ok = fail_at(lx, at, "unknown keyword '%s'", kw);
	}
	free(kw);
	return ok && expect_end(lx);
}

/* The name of a one-test script: its file name without directory or suffix. */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return xstrndup(base, dot && dot != base ? (size_t)(dot - base)
						 : strlen(base));
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup("");
	return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* Every test gets the file's settings under its own, and at least a step. */
static bool finish(struct parser *p)
{
	struct script *s = p->script;
	struct config merged;
	size_t i;

	if (!s->ntests) {
		if (!p->file.nsteps) {
			p->lx.line = 1;
			return fail_at(&p->lx, 0,
				       "no steps and no 'test' sections: "
				       "nothing to test");
		}
		p->file.name = name_from_path(s->path);
		p->file.file = s->path;
		p->file.line = 1;
		s->tests = xmalloc(sizeof(*s->tests));
		s->tests[0] = p->file;
		s->ntests = 1;
		memset(&p->file, 0, sizeof(p->file));
		return true;
	}
	for (i = 0; i < s->ntests; i++) {
		struct testcase *t = &s->tests[i];

		if (!t->nsteps) {
			p->lx.line = t->line;
			return fail_at(&p->lx, 0, "test '%s' has no steps",
				       t->name);
		}
		memset(&merged, 0, sizeof(merged));
		config_merge(&merged, &p->file.cfg);
		config_merge(&merged, &t->cfg);
		config_free(&t->cfg);
		t->cfg = merged;
		if (share_duplicate_tag(&t->cfg)) {
			p->lx.line = t->line;
			return fail_at(&p->lx, 0,
				       "test '%s': the virtio-fs tag '%s' is "
				       "also the file's",
				       t->name, share_duplicate_tag(&t->cfg));
		}
	}
	return true;
}

static void testcase_free(struct testcase *t)
{
	size_t i;

	for (i = 0; i < t->nsteps; i++) {
		pattern_free(&t->steps[i].pat);
		free(t->steps[i].data);
	}
	free(t->steps);
	free(t->name);
	config_free(&t->cfg);
}

bool script_parse(const char *path, const char *text, struct script *s,
		  char **err)
{
	struct parser p = {0};
	const char *line = text, *nl;
	char *dir = dir_of(path);
	bool ok = true;

	memset(s, 0, sizeof(*s));
	*err = NULL;
	s->path = xstrdup(path);
	p.script = s;
	p.cur = &p.file;
	p.lx = (struct lexer){.path = path, .dir = dir, .err = err};
	while (ok && *line) {
		nl = strchr(line, '\n');
		p.lx.s = line;
		p.lx.len = nl ? (size_t)(nl - line) : strlen(line);
		if (p.lx.len && line[p.lx.len - 1] == '\r')
			p.lx.len--;
		p.lx.pos = 0;
		p.lx.line++;
		ok = parse_line(&p);
		line = nl ? nl + 1 : line + p.lx.len;
	}
	ok = ok && finish(&p);
	testcase_free(&p.file);
	free(dir);
	if (!ok)
		script_free(s);
	return ok;
}

bool script_load(const char *path, struct script *s, char **err)
{
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f) {
		*err = xasprintf("%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f) || memchr(b.data ? b.data : "", '\0', b.len)) {
		*err = xasprintf(
			"%s: %s", path,
			ferror(f) ? strerror(errno)
				  : "not a text file (holds a NUL byte)");
		fclose(f);
		buf_free(&b);
		return false;
	}
	fclose(f);
	buf_add(&b, "", 0);
	ok = script_parse(path, b.data, s, err);
	buf_free(&b);
	return ok;
}

void script_free(struct script *s)
{
	size_t i;

	for (i = 0; i < s->ntests; i++)
		testcase_free(&s->tests[i]);
	free(s->tests);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

static void free_pattern(struct pattern **p)
{
	if (*p)
		pattern_free(*p);
	free(*p);
	*p = NULL;
}

static void replace_str(char **dst, const char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

void config_merge(struct config *base, const struct config *top)
{
	size_t i;

	replace_str(&base->kernel, top->kernel);
	replace_str(&base->initrd, top->initrd);
	if (top->mem_mb)
		base->mem_mb = top->mem_mb;
	if (top->cpus)
		base->cpus = top->cpus;
	if (top->timeout > 0)
		base->timeout = top->timeout;
	if (top->idle_timeout > 0)
		base->idle_timeout = top->idle_timeout;
	if (top->step_timeout > 0)
		base->step_timeout = top->step_timeout;
	if (top->boot_timeout > 0)
		base->boot_timeout = top->boot_timeout;
	base->prints_marker |= top->prints_marker;
	if (top->ktap)
		base->ktap = top->ktap;
	if (top->expect_verdict)
		base->expect_verdict = top->expect_verdict;
	if (top->rootfs)
		base->rootfs = top->rootfs;
	if (top->hang_title) {
		free_pattern(&base->hang_title);
		base->hang_title = xcalloc(1, sizeof(*base->hang_title));
		pattern_copy(base->hang_title, top->hang_title);
	}
	if (top->boot_marker) {
		free_pattern(&base->boot_marker);
		base->boot_marker = xcalloc(1, sizeof(*base->boot_marker));
		pattern_copy(base->boot_marker, top->boot_marker);
	}
	if (top->cmdline)
		append_words(&base->cmdline, top->cmdline);
	for (i = 0; i < top->ndevices; i++) {
		struct device *d = ARRAY_PUSH(&base->devices, &base->ndevices);

		d->kind = xstrdup(top->devices[i].kind);
		d->value = top->devices[i].value
				   ? xstrdup(top->devices[i].value)
				   : NULL;
	}
}

/*
 * The boot-timeout stays unset: set, it gives any test a boot phase,
 * which only tests that print a boot marker may have (run.c).
 */
void config_defaults(struct config *c)
{
	if (c->timeout <= 0)
		c->timeout = DEFAULT_TIMEOUT;
	if (c->idle_timeout <= 0)
		c->idle_timeout = DEFAULT_IDLE_TIMEOUT;
	if (c->step_timeout <= 0)
		c->step_timeout = DEFAULT_STEP_TIMEOUT;
	if (!c->mem_mb)
		c->mem_mb = DEFAULT_MEM_MB;
	if (!c->cpus)
		c->cpus = DEFAULT_CPUS;
}

void config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->ndevices; i++) {
		free(c->devices[i].kind);
		free(c->devices[i].value);
	}
	free(c->devices);
	free_pattern(&c->boot_marker);
	free_pattern(&c->hang_title);
	free(c->kernel);
	free(c->initrd);
	free(c->cmdline);
	memset(c, 0, sizeof(*c));
}
