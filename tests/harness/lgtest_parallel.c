// SPDX-License-Identifier: GPL-2.0
/*
 * bin/lgtest end to end, running many tests: --jobs gives the verdicts
 * --jobs 1 gives, in the same order; a signal mid-run leaves no runner
 * process behind (found by a unique path in their command lines and by
 * their process groups) and ends lgtest with 128 + the signal; --shard
 * splits a suite the same way whatever the order of the scripts;
 * --repeat finds a flaky test; expect-verdict.  The guests are the tiny
 * test guests on /dev/kvm and fake-qemu.sh.
 */
#include <dirent.h>
#include <signal.h>

#include "lgtest_cli.h"

static void shell(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* The lines of TAP that carry verdicts: "ok N - ..." and "  verdict: ". */
static char *verdict_lines(const char *tap)
{
	struct buf b = {0};
	const char *p = tap, *nl;

	buf_add(&b, "", 0);
	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		if (!strncmp(p, "ok ", 3) || !strncmp(p, "not ok ", 7) ||
		    !strncmp(p, "  verdict: ", 11))
			buf_add(&b, p, (size_t)(nl - p) + 1);
	}
	return b.data;
}

START_TEST(test_jobs_same_verdicts)
{
	static const char scripts[] =
		SCRIPTS "pass.lgt " SCRIPTS "fail.lgt " SCRIPTS "expected.lgt";
	char *args, *one, *two;
	struct outcome a, b;

	require_tools();
	args = xasprintf(RUN "--jobs 1 %s", scripts);
	a = run(args);
	free(args);
	args = xasprintf(RUN "--jobs 2 %s", scripts);
	b = run(args);
	free(args);
	ck_assert_int_eq(a.status, 1);
	ck_assert_int_eq(b.status, 1);
	one = verdict_lines(a.out);
	two = verdict_lines(b.out);
	ck_assert_msg(strstr(one, "\nnot ok 18 - "), "%s", one);
	ck_assert_str_eq(one, two);
	ck_assert_msg(strstr(b.out, "# jobs: 2, repeat: 1\n"), "%s", b.out);
	free(one);
	free(two);
	outcome_free(&a);
	outcome_free(&b);
}
END_TEST

/* -v with --jobs 2: the consoles' lines, whole, each after its test. */
START_TEST(test_verbose_lines_are_whole)
{
	struct outcome o;
	const char *p, *nl;
	size_t lines = 0;

	require_tools();
	o = run(RUN "-v --jobs 2 " SCRIPTS "pass.lgt");
	ck_assert_msg(o.status == 0, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	for (p = o.err; *p; p = *nl ? nl + 1 : nl, lines++) {
		nl = strchrnul(p, '\n');
		ck_assert_msg(p[0] == '[' && p[1] >= '1' && p[1] <= '5' &&
				      !strncmp(p + 2, "] ", 2),
			      "line %zu: %.*s", lines, (int)(nl - p), p);
	}
	ck_assert_msg(strstr(o.err, "\n[5] lguest test guest (elf64)\r\n"),
		      "%s", o.err);
	ck_assert_uint_ge(lines, 40);
	outcome_free(&o);
}
END_TEST

/* ---- no leftovers after a signal -------------------------------------- */

#define MAX_GROUPS 64

/* The process group of pid, or -1 once it is gone. */
static pid_t group_of(const char *pid)
{
	char *path = xasprintf("/proc/%s/stat", pid), *text, *p;
	FILE *f = fopen(path, "r");
	char buf[1024];
	int pgrp = -1;
	size_t n;

	free(path);
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp ...": comm may hold anything. */
	text = strrchr(buf, ')');
	if (text && sscanf(text + 1, " %*c %*d %d", &pgrp) != 1)
		pgrp = -1;
	p = text ? text + 2 : NULL;
	/* A zombie is gone in all but name. */
	return p && *p == 'Z' ? -1 : pgrp;
}

/* Does /proc/pid/cmdline hold marker? */
static bool cmdline_has(const char *pid, const char *marker)
{
	char *path = xasprintf("/proc/%s/cmdline", pid);
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n, i;

	free(path);
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	for (i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : ' ';
	buf[n] = '\0';
	return strstr(buf, marker);
}

/*
 * Scan every process: with marker, add the groups of those whose command
 * line holds it to groups (*n of them, no duplicates); returns how many
 * live processes are in any of those groups or hold the marker.
 */
static size_t scan(const char *marker, pid_t *groups, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t found = 0, i;
	bool hit;
	pid_t g;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		/* lgtest itself is in our group; its runners are not. */
		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    (g = group_of(e->d_name)) < 0 || g == getpgrp())
			continue;
		hit = cmdline_has(e->d_name, marker);
		for (i = 0; i < *n && !hit; i++)
			hit = groups[i] == g;
		if (!hit)
			continue;
		found++;
		for (i = 0; i < *n && groups[i] != g; i++)
			;
		if (i == *n && *n < MAX_GROUPS)
			groups[(*n)++] = g;
	}
	closedir(d);
	return found;
}

static pid_t start_lgtest(const char *args, const char *out)
{
	char *cmd = xasprintf("exec %s %s >%s 2>&1 </dev/null", lgtest(), args,
			      out);
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return pid;
}

/*
 * Run script (whose tests run a runner with marker in its command line)
 * with --jobs 2 and extra args; once two runners run side by side, send
 * sig; then lgtest must end with 128 + sig, and every process of every
 * runner's group must be gone.
 */
static void interrupt_run(const char *dir, const char *extra, int sig)
{
	char *args = xasprintf("run --jobs 2 --tap %s %s/spin.lgt", extra, dir);
	char *out = xasprintf("%s/out.tap", dir), *tap;
	pid_t groups[MAX_GROUPS], pid;
	size_t ngroups = 0, i, left;
	int ws;

	pid = start_lgtest(args, out);
	for (i = 0; i < 300 && ngroups < 2; i++) {
		ngroups = 0;
		scan(dir, groups, &ngroups);
		usleep(50000);
	}
	ck_assert_msg(ngroups >= 2, "no two runners side by side (%zu)",
		      ngroups);
	ck_assert_int_eq(kill(pid, sig), 0);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	tap = slurp(out, NULL);
	ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 128 + sig,
		      "status %#x:\n%s", ws, tap);
	ck_assert_msg(strstr(tap, "message: \"interrupted\""), "%s", tap);
	ck_assert_msg(strstr(tap, "\nBail out! interrupted\n"), "%s", tap);
	left = scan(dir, groups, &ngroups);
	ck_assert_msg(left == 0,
		      "%zu processes of the runners' groups are "
		      "left",
		      left);
	free(tap);
	free(out);
	free(args);
}

/* A script of tests that never end, booting a kernel copied into dir. */
static void write_spin_script(const char *dir, const char *kernel,
			      const char *cmdline)
{
	char *cmd = xasprintf(
		"cp %s %s/k && { echo 'kernel k'; echo 'timeout 60'; "
		"echo 'idle-timeout 60'; echo 'cmdline %s'; "
		"for t in a b c d; do echo \"test $t\"; "
		"echo 'expect \"never printed\"'; done; } >%s/spin.lgt",
		kernel, dir, cmdline, dir);

	shell(cmd);
	free(cmd);
}

START_TEST(test_interrupt_leaves_nothing)
{
	char *d = temp_dir();

	require_tools();
	write_spin_script(d, "tests/guests/bin/guest64.elf",
			  "lgtest.action=spin");
	interrupt_run(d, "--runner lguest-direct", SIGINT);
	remove_dir(d);
	free(d);
}
END_TEST

/* The qemu runner: the supervisor, QEMU and QEMU's own child all go. */
START_TEST(test_terminate_qemu_runner)
{
	char *d = temp_dir();

	require_tools();
	write_spin_script(d, "tests/guests/bin/guest64.elf",
			  "lgtest.fake=hang");
	interrupt_run(d, "--runner qemu --qemu " SCRIPTS "fake-qemu.sh",
		      SIGTERM);
	remove_dir(d);
	free(d);
}
END_TEST

/* ---- shards ------------------------------------------------------------ */

/* What a shell command prints; it must succeed.  Frees cmd. */
static char *command_output(char *cmd)
{
	FILE *p = popen(cmd, "r");
	struct buf b = {0};
	char line[512];

	ck_assert_ptr_nonnull(p);
	buf_add(&b, "", 0);
	while (fgets(line, sizeof(line), p))
		buf_add(&b, line, strlen(line));
	ck_assert_msg(pclose(p) == 0, "failed: %s", cmd);
	free(cmd);
	return b.data;
}

/* The tests a dry run lists: its "# N FILE: NAME: ..." lines, sorted. */
static char *listed(const char *args)
{
	return command_output(xasprintf("%s %s | sed -n 's/^# [0-9]* "
					"\\(.*\\): [0-9]* steps.*/\\1/p' | "
					"sort",
					lgtest(), args));
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_shards)
{
	char *all, *part[3], *again, *args, *joined;
	struct buf u = {0};
	size_t k;

	require_tools();
	all = listed(RUN "-n " SCRIPTS "pass.lgt " SCRIPTS "fail.lgt");
	ck_assert_uint_eq(count_lines(all), 13);
	buf_add(&u, "", 0);
	for (k = 0; k < 3; k++) {
		args = xasprintf(RUN "-n --shard %zu/3 " SCRIPTS
				     "pass.lgt " SCRIPTS "fail.lgt",
				 k + 1);
		part[k] = listed(args);
		free(args);
		/* The same split again, with the scripts the other way. */
		args = xasprintf(RUN "-n --shard %zu/3 " SCRIPTS
				     "fail.lgt " SCRIPTS "pass.lgt",
				 k + 1);
		again = listed(args);
		free(args);
		ck_assert_str_eq(part[k], again);
		free(again);
		ck_assert_uint_ge(count_lines(part[k]), 4);
		buf_add(&u, part[k], strlen(part[k]));
	}
	/* Disjoint and complete: together, sorted, they are the suite. */
	joined = command_output(xasprintf("printf '%%s' '%s' | sort", u.data));
	ck_assert_str_eq(joined, all);
	free(joined);
	for (k = 0; k < 3; k++)
		free(part[k]);
	buf_free(&u);
	free(all);
}
END_TEST

START_TEST(test_schedule_usage_errors)
{
	static const char *const bad[] = {
		"--shard 0/3", "--shard 4/3", "--shard x",    "--shard 1/",
		"--jobs 0",    "--jobs many", "--jobs 9999",  "--repeat 0",
		"--repeat -1", "--retries 6", "--retries -1",
	};
	struct outcome o;
	char *args;
	size_t i;

	require_tools();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		args = xasprintf(RUN "%s " SCRIPTS "pass.lgt", bad[i]);
		o = run(args);
		ck_assert_msg(o.status == 2, "%s: status %d", bad[i], o.status);
		ck_assert_msg(strstr(o.err, "lgtest: --"), "%s: %s", bad[i],
			      o.err);
		ck_assert_str_eq(o.out, "");
		outcome_free(&o);
		free(args);
	}
}
END_TEST

/* ---- repeat and expected verdicts --------------------------------------- */

START_TEST(test_repeat_finds_flaky)
{
	char *d = temp_dir(), *args, *path;
	struct outcome o;

	require_tools();
	args = xasprintf(
		"run --tap --jobs 1 --repeat 3 --runner qemu --qemu " SCRIPTS
		"fake-qemu.sh --append lgtest.fake=flaky:%s/count "
		"--json %s/r.json --junit %s/r.xml " SCRIPTS "flaky.lgt",
		d, d, d);
	o = run(args);
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "1..3\n");
	assert_has(&o, "\nok 1 - " SCRIPTS "flaky.lgt: alternates\n");
	assert_has(&o,
		   "\nnot ok 2 - " SCRIPTS "flaky.lgt: alternates (round 2)\n");
	assert_has(&o, "\nok 3 - " SCRIPTS "flaky.lgt: alternates (round 3)\n");
	assert_has(&o, "\n# flaky: " SCRIPTS "flaky.lgt: alternates (passed 2 "
		       "of 3 runs)\n# 2 passed, 1 failed");
	path = xasprintf("%s/r.json", d);
	file_has(path, "\"flaky\": [\n    {\n      \"file\": \"" SCRIPTS
		       "flaky.lgt\",\n      \"name\": "
		       "\"alternates\",\n      \"runs\": 3,\n "
		       "     \"passed\": 2\n");
	file_has(path, "\"repeat\": 3,");
	free(path);
	path = xasprintf("%s/r.xml", d);
	file_has(path, "<property name=\"flaky\" "
		       "value=\"alternates (passed 2 of 3 "
		       "runs)\"/>");
	free(path);
	outcome_free(&o);
	free(args);
	remove_dir(d);
	free(d);
}
END_TEST

/*
 * --retries: the failing second round runs again and passes on its
 * retry; the suite passes, and the retry is in TAP, JSON and the flaky
 * list.  Without --retries the same rounds fail (test_repeat_finds_flaky).
 */
START_TEST(test_retries_pass_and_say_so)
{
	char *d = temp_dir(), *args, *path;
	struct outcome o;

	require_tools();
	args = xasprintf("run --tap --jobs 1 --repeat 2 --retries 1 --runner "
			 "qemu --qemu " SCRIPTS
			 "fake-qemu.sh --append lgtest.fake=flaky:%s/count "
			 "--json %s/r.json " SCRIPTS "flaky.lgt",
			 d, d);
	o = run(args);
	ck_assert_msg(o.status == 0, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "\nok 2 - " SCRIPTS "flaky.lgt: alternates (round 2)\n");
	assert_has(&o, "\n# passed on run 2 of 2; run 1: fail: ");
	assert_has(&o, "\n# flaky: " SCRIPTS "flaky.lgt: alternates (passed 2 "
		       "of 3 runs)\n# 2 passed, 0 failed");
	path = xasprintf("%s/r.json", d);
	file_has(path, "\"runs\": 2,\n      \"first_failure\": \"fail: ");
	free(path);
	path = xasprintf("%s/count", d);
	file_has(path, "3\n");
	free(path);
	outcome_free(&o);
	free(args);
	remove_dir(d);
	free(d);
}
END_TEST

/*
 * One identity per crash: under --repeat, the same crash from two tests
 * is one title with its count and tests, in the summary and the JSON.
 */
START_TEST(test_repeat_crash_identity)
{
	char *d = temp_dir(), *args, *path;
	struct outcome o;

	require_tools();
	args = xasprintf(
		"run --tap --jobs 1 --repeat 2 --runner qemu --qemu " SCRIPTS
		"fake-qemu.sh --json %s/r.json " SCRIPTS "crashes.lgt",
		d);
	o = run(args);
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "\n# crash: WARNING in my_func: 4 runs: " SCRIPTS
		       "crashes.lgt: warns (rounds 1, 2), " SCRIPTS
		       "crashes.lgt: warns too (rounds 1, 2)\n# crash: kernel "
		       "BUG in other_func: 2 runs: " SCRIPTS "crashes.lgt: "
		       "hits a BUG (rounds 1, 2)\n# 0 passed, 6 failed");
	path = xasprintf("%s/r.json", d);
	file_has(path, "\"crashes\": [\n    {\n      \"title\": "
		       "\"WARNING in my_func\",\n      \"count\": "
		       "4,\n      \"tests\": [\n        {\n"
		       "          \"file\": \"" SCRIPTS
		       "crashes.lgt\",\n          \"name\": "
		       "\"warns\",\n          \"rounds\": [\n"
		       "            1,\n            2\n");
	file_has(path, "\"title\": \"kernel BUG in other_func\",\n"
		       "      \"count\": 2,");
	free(path);
	outcome_free(&o);
	free(args);
	remove_dir(d);
	free(d);
}
END_TEST

START_TEST(test_expected_verdicts)
{
	struct outcome o;

	require_tools();
	o = run(RUN "--tap " SCRIPTS "expected.lgt");
	ck_assert_msg(o.status == 1, "status %d:\n%s%s", o.status, o.out,
		      o.err);
	assert_has(&o, "\nok 1 - " SCRIPTS "expected.lgt: expected hang\n");
	assert_has(&o, "\n# hang, as expected: no-output timeout: no console "
		       "output for 1 s; after sysrq ltw: no output from test "
		       "machine\n");
	assert_has(&o, "\nok 2 - " SCRIPTS "expected.lgt: expected fail\n");
	assert_has(&o, "\nnot ok 3 - " SCRIPTS "expected.lgt: hang expected "
		       "but it passes\n  ---\n  verdict: fail\n  message: "
		       "\"expected to hang at line 27, but every step "
		       "passed\"\n  expected: hang\n");
	assert_has(&o, "\nnot ok 4 - " SCRIPTS "expected.lgt: hang before the "
		       "last step\n  ---\n  verdict: hang\n  message: "
		       "\"expected to hang at line 34; instead: no-output "
		       "timeout");
	assert_has(&o, "\nnot ok 5 - " SCRIPTS "expected.lgt: fail expected "
		       "but it hangs\n  ---\n  verdict: hang\n");
	outcome_free(&o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest with many tests");
	TCase *tc = tcase_create("parallel");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_jobs_same_verdicts);
	tcase_add_test(tc, test_verbose_lines_are_whole);
	tcase_add_test(tc, test_interrupt_leaves_nothing);
	tcase_add_test(tc, test_terminate_qemu_runner);
	tcase_add_test(tc, test_shards);
	tcase_add_test(tc, test_schedule_usage_errors);
	tcase_add_test(tc, test_repeat_finds_flaky);
	tcase_add_test(tc, test_retries_pass_and_say_so);
	tcase_add_test(tc, test_repeat_crash_identity);
	tcase_add_test(tc, test_expected_verdicts);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
