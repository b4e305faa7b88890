// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for the console target (fuzz/console.c: a pattern byte, a piece
 * size byte, then console bytes): the KTAP samples of tests/harness/ktap,
 * kernel crash logs from syzkaller's test data when they are at hand
 * ($LGUEST_CRASHLOGS, default ../shared/crashlogs/syzkaller-linux: every
 * LOG_STEP-th log, its console part, CRs kept), and consoles that aim at
 * the reports' escaping: invalid UTF-8, controls, markup and forged TAP.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seeds.h"

#define LOG_MAX		(32 * 1024)	/* enough for a report and its context */
#define LOG_STEP	12

static char buf[2 + LOG_MAX];

static void console_seed(const char *dir, const char *name, unsigned int pat,
			 unsigned int piece, const char *text, size_t len)
{
	if (len > LOG_MAX)
		len = LOG_MAX;
	buf[0] = pat;
	buf[1] = piece;
	memcpy(buf + 2, text, len);
	seed_write(dir, name, buf, 2 + len);
}

/* The whole file, or NULL; *len its length (at most LOG_MAX). */
static char *slurp(const char *path, size_t *len)
{
	static char text[LOG_MAX];
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	*len = fread(text, 1, sizeof(text), f);
	fclose(f);
	return text;
}

static void import_dir(const char *dir, const char *from, const char *prefix,
		       unsigned int step, bool skip_header)
{
	struct dirent **names;
	int n = scandir(from, &names, NULL, alphasort), i, k = 0;
	char path[4096], name[300];
	size_t len;
	char *text, *body, *report;

	if (n < 0) {
		printf("gen_seeds: console: no %s, its seeds left out\n", from);
		return;
	}
	for (i = 0; i < n; free(names[i++])) {
		if (names[i]->d_name[0] == '.' || !strcmp(names[i]->d_name, "README.md") ||
		    k++ % step)
			continue;
		snprintf(path, sizeof(path), "%s/%s", from, names[i]->d_name);
		text = slurp(path, &len);
		if (!text)
			continue;
		body = text;
		/* syzkaller's files: a header, an empty line, the log. */
		if (skip_header && (body = memmem(text, len, "\n\n", 2)))
			body += 2;
		else
			body = text;
		len -= body - text;
		report = memmem(body, len, "\nREPORT:\n", 9);
		if (report)
			len = report - body + 1;
		snprintf(name, sizeof(name), "%s-%s", prefix, names[i]->d_name);
		console_seed(dir, name, k % 6, 0xff, body, len);
	}
	free(names);
}

void seeds_console(const char *dir)
{
	static const char forged_tap[] =
		"KTAP version 1\n1..1\nok 1 - a\nnot ok 2 - b\n  ...\nok 3\n"
		"# Subtest: x\n  ---\n<testsuite>]]></testsuite>\n";
	static const char markup[] =
		"<failure message=\"&quot;\">&amp;&#0;</failure>\"\\\"\\u0000\n"
		"BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
		"RIP: 0010:foo+0x1/0x2 <\"&'>\n";
	static const char bytes[] =
		"\xff\xfe\xc0\x80\xed\xa0\x80\xef\xbf\xbe\xef\xbf\xbf\xf4\x90\x80"
		"\x80\x01\x02\x1b[31m\x7f\t\x0b\x0c\r\n\xe2\x82\xac\xf0\x9f\x98\x80"
		"Kernel panic - not syncing: \xff\x80 Fatal exception\n";
	const char *logs = getenv("LGUEST_CRASHLOGS");

	console_seed(dir, "edge-forged-tap-and-xml", 5, 0, forged_tap,
		     sizeof(forged_tap) - 1);
	console_seed(dir, "edge-markup-and-json", 4, 3, markup,
		     sizeof(markup) - 1);
	console_seed(dir, "edge-bad-utf8-and-controls", 4, 1, bytes,
		     sizeof(bytes) - 1);
	import_dir(dir, "tests/harness/ktap", "ktap", 1, false);
	import_dir(dir, logs ? logs : "../shared/crashlogs/syzkaller-linux",
		   "syzkaller", LOG_STEP, true);
}
