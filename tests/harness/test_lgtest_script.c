// SPDX-License-Identifier: GPL-2.0
/*
 * The script parser: what good scripts turn into, and the file:line:col
 * message every broken one gets.
 */
#include "harness_test.h"
#include "script.h"
#include "share.h"

static struct script parse_ok(const char *path, const char *text)
{
	struct script s;
	char *err = NULL;

	ck_assert_msg(script_parse(path, text, &s, &err), "%s", err);
	ck_assert_ptr_null(err);
	return s;
}

START_TEST(test_one_test_script)
{
	struct script s = parse_ok("dir/boot-ok.lgt",
				   "# comment\n"
				   "kernel vmlinuz   # trailing comment\n"
				   "initrd /abs/initrd.img\n"
				   "mem 512\n"
				   "cmdline quiet loglevel=3\n"
				   "cmdline rdinit=/init\n"
				   "device rng\n"
				   "device block disk.img\n"
				   "timeout 2m\n"
				   "idle-timeout 500ms\n"
				   "\n"
				   "expect \"login: \" timeout 30\n"
				   "send \"root\\n\"\n"
				   "expect /^# ?$/i\n"
				   "expect-not \"Oops\"\n"
				   "expect-not /panic/ for 2.5s\n"
				   "exit 3 timeout 10s\n");
	struct testcase *t;

	ck_assert_uint_eq(s.ntests, 1);
	t = &s.tests[0];
	ck_assert_str_eq(t->name, "boot-ok");
	ck_assert_str_eq(t->cfg.kernel, "dir/vmlinuz");
	ck_assert_str_eq(t->cfg.initrd, "/abs/initrd.img");
	ck_assert_uint_eq(t->cfg.mem_mb, 512);
	ck_assert_str_eq(t->cfg.cmdline, "quiet loglevel=3 rdinit=/init");
	ck_assert_uint_eq(t->cfg.ndevices, 2);
	ck_assert_str_eq(t->cfg.devices[0].kind, "rng");
	ck_assert_ptr_null(t->cfg.devices[0].value);
	ck_assert_str_eq(t->cfg.devices[1].value, "dir/disk.img");
	ck_assert(t->cfg.timeout == 120);
	ck_assert(t->cfg.idle_timeout == 0.5);
	ck_assert_uint_eq(t->nsteps, 6);
	ck_assert_int_eq(t->steps[0].kind, STEP_EXPECT);
	ck_assert_int_eq(t->steps[0].pat.kind, PAT_LITERAL);
	ck_assert_str_eq(t->steps[0].pat.text, "login: ");
	ck_assert(t->steps[0].timeout == 30);
	ck_assert_int_eq(t->steps[0].line, 12);
	ck_assert_int_eq(t->steps[1].kind, STEP_SEND);
	ck_assert_uint_eq(t->steps[1].data_len, 5);
	ck_assert_mem_eq(t->steps[1].data, "root\n", 5);
	ck_assert_int_eq(t->steps[2].pat.kind, PAT_REGEX);
	ck_assert(t->steps[2].pat.icase);
	ck_assert_int_eq(t->steps[4].kind, STEP_EXPECT_NOT);
	ck_assert(t->steps[4].timeout == 2.5);
	ck_assert_int_eq(t->steps[5].kind, STEP_EXIT);
	ck_assert_int_eq(t->steps[5].status, 3);
	script_free(&s);
}
END_TEST

/* Cases take the file's settings under their own; lists accumulate. */
START_TEST(test_cases_inherit)
{
	struct script s = parse_ok(
		"cases.lgt",
		"kernel k\nmem 64\ncpus 4\ncmdline a\ndevice rng\n"
		"test \"first # not a comment\"\n"
		"cmdline b\nmem 128\ncpus 1\nexpect \"x\"\n"
		"test second one\n"
		"kernel other\nshutdown\n"
		"test third\nexpect-crash\nexpect-crash /panic/ timeout 5\n");

	ck_assert_uint_eq(s.ntests, 3);
	ck_assert_str_eq(s.tests[0].name, "first # not a comment");
	ck_assert_str_eq(s.tests[0].cfg.cmdline, "a b");
	ck_assert_uint_eq(s.tests[0].cfg.mem_mb, 128);
	ck_assert_uint_eq(s.tests[0].cfg.cpus, 1);
	ck_assert_uint_eq(s.tests[1].cfg.cpus, 4);
	ck_assert_str_eq(s.tests[0].cfg.kernel, "k");
	ck_assert_uint_eq(s.tests[0].cfg.ndevices, 1);
	ck_assert_str_eq(s.tests[1].name, "second one");
	ck_assert_str_eq(s.tests[1].cfg.kernel, "other");
	ck_assert_uint_eq(s.tests[1].cfg.mem_mb, 64);
	ck_assert_str_eq(s.tests[1].cfg.cmdline, "a");
	ck_assert_int_eq(s.tests[1].line, 11);
	ck_assert_int_eq(s.tests[1].steps[0].kind, STEP_SHUTDOWN);
	ck_assert(!s.tests[2].steps[0].has_pattern);
	ck_assert(s.tests[2].steps[1].has_pattern);
	script_free(&s);
}
END_TEST

START_TEST(test_string_escapes)
{
	struct script s = parse_ok(
		"e.lgt", "send \"a\\tb\\r\\n\\e[0m\\x41\\\\\\\"\\0z\"\n"
			 "expect /a\\/b\\nc\\.d/\n");
	const struct step *st = &s.tests[0].steps[0];

	ck_assert_uint_eq(st->data_len, 14);
	ck_assert_mem_eq(st->data, "a\tb\r\n\033[0mA\\\"\0z", 14);
	ck_assert_str_eq(s.tests[0].steps[1].pat.text, "a/b\nc\\.d");
	script_free(&s);
}
END_TEST

static const struct {
	const char *text;
	const char *message;
} broken[] = {
	{"kernel k\nfrobnicate 3\n", "b.lgt:2:1: unknown keyword 'frobnicate'"},
	{"expect \"abc\n", "b.lgt:1:8: unterminated string: no closing '\"'"},
	{"expect /abc\n", "b.lgt:1:8: unterminated regex: no closing '/'"},
	{"expect /a(b/\n", "b.lgt:1:8: bad regex: Unmatched ( or \\("},
	{"expect abc\n", "b.lgt:1:8: expected a pattern: \"text\" or /regex/"},
	{"expect\n", "b.lgt:1:7: expected a pattern: \"text\" or /regex/"},
	{"expect \"\"\n", "b.lgt:1:8: empty pattern"},
	{"expect /x/q\n", "b.lgt:1:11: unknown pattern flag 'q' (known: i)"},
	{"expect \"x\" timeout\n",
	 "b.lgt:1:19: expected a duration (like 30, 2.5s, 500ms, 2m)"},
	{"expect \"x\" timeout 3h\n",
	 "b.lgt:1:20: bad duration (want a positive number with an optional "
	 "unit ms, s or m)"},
	{"expect \"x\" for 3\n",
	 "b.lgt:1:12: unexpected 'for' (this step takes 'timeout DURATION')"},
	{"expect-not \"x\" timeout 3\n",
	 "b.lgt:1:16: unexpected 'timeout' (this step takes 'for DURATION')"},
	{"send hello\n", "b.lgt:1:6: send needs a \"quoted string\""},
	{"send \"a\\q\"\n", "b.lgt:1:8: unknown escape '\\q' (known: \\n \\r "
			    "\\t \\e \\0 \\\\ \\\" \\xHH)"},
	{"send \"\\x4\"\n", "b.lgt:1:7: \\x needs two hex digits"},
	{"send \"a\" \"b\"\n",
	 "b.lgt:1:10: unexpected '\"b\"': send takes one string"},
	{"exit 256\n",
	 "b.lgt:1:6: exit status must be a whole number from 0 to 255"},
	{"exit\n", "b.lgt:1:5: expected exit status"},
	{"mem 1\nexpect \"x\"\n",
	 "b.lgt:1:5: mem (MiB) must be a whole number from 2 to 1048576"},
	{"mem 64\nmem 32\n", "b.lgt:2:1: 'mem' given twice in one section"},
	{"cpus 0\n", "b.lgt:1:6: cpus must be a whole number from 1 to 254"},
	{"cpus 255\n", "b.lgt:1:6: cpus must be a whole number from 1 to 254"},
	{"cpus 2\ncpus 4\n", "b.lgt:2:1: 'cpus' given twice in one section"},
	{"device floppy\n", "b.lgt:1:8: unknown device kind 'floppy' (known: "
			    "block, block-ro, rng, virtio-console, tunnet, "
			    "sharenet, fs)"},
	{"share /nonexistent-lgtest\n",
	 "b.lgt:1:7: share /nonexistent-lgtest: No such file or directory"},
	{"share /etc/passwd\n",
	 "b.lgt:1:7: share /etc/passwd: not a directory"},
	{"share\n", "b.lgt:1:6: expected a file name"},
	{"share / a,b\n", "b.lgt:1:9: bad virtio-fs tag 'a,b': a tag may hold "
			  "only letters, digits, '.', '_' and '-'"},
	{"share / 0123456789012345678901234567890123456\n",
	 "b.lgt:1:9: bad virtio-fs tag '0123456789012345678901234567890123456'"
	 ": longer than the 36 bytes virtio-fs has for a tag"},
	{"share / t\nshare /tmp t\n",
	 "b.lgt:2:12: the virtio-fs tag 't' is already used in this section"},
	{"share / t rw\n", "b.lgt:1:11: share takes HOSTDIR [TAG] [ro]"},
	{"share / ro t\n", "b.lgt:1:12: share takes HOSTDIR [TAG] [ro]"},
	{"share / t\ntest a\nshare /tmp t\nexpect \"x\"\n",
	 "b.lgt:2:1: test 'a': the virtio-fs tag 't' is also the file's"},
	{"device fs /tmp/sock\n", "b.lgt:1:11: device fs needs SOCKET:TAG"},
	{"device fs /tmp/s:\n", "b.lgt:1:11: device fs needs SOCKET:TAG"},
	{"device fs /tmp/s:t!\n", "b.lgt:1:18: bad virtio-fs tag 't!': a tag "
				  "may hold only letters, digits, '.', '_' "
				  "and '-'"},
	{"rootfs cloud\n",
	 "b.lgt:1:8: 'cloud' is not one of initramfs or host"},
	{"rootfs host\nrootfs host\n",
	 "b.lgt:2:1: 'rootfs' given twice in one section"},
	{"device block-ro\n", "b.lgt:1:16: expected a file name"},
	{"ktap\n", "b.lgt:1:5: expected judge, report or ignore"},
	{"ktap maybe\n",
	 "b.lgt:1:6: 'maybe' is not one of judge, report or ignore"},
	{"expect-verdict\n", "b.lgt:1:15: expected pass, fail or hang"},
	{"expect-verdict error\n",
	 "b.lgt:1:16: 'error' is not one of pass, fail or hang"},
	{"expect-verdict crash \"x\"\n",
	 "b.lgt:1:16: an expected crash is a step: expect-crash [PATTERN]"},
	{"expect-verdict fail \"x\"\n",
	 "b.lgt:1:21: unexpected '\"x\"' at the end of the line"},
	{"expect-verdict hang x\n",
	 "b.lgt:1:21: expected a pattern: \"text\" or /regex/"},
	{"expect-verdict hang /x/ y\n",
	 "b.lgt:1:25: unexpected 'y' at the end of the line"},
	{"expect-verdict hang\nexpect-verdict fail\n",
	 "b.lgt:2:1: 'expect-verdict' given twice in one section"},
	{"expect \"x\"\nexpect-verdict hang\n",
	 "b.lgt:2:1: setting 'expect-verdict' after steps: settings come "
	 "first"},
	{"ktap judge\nktap report\n",
	 "b.lgt:2:1: 'ktap' given twice in one section"},
	{"boot-marker\n",
	 "b.lgt:1:12: expected a pattern: \"text\" or /regex/"},
	{"boot-marker /(/\n", "b.lgt:1:13: bad regex: Unmatched ( or \\("},
	{"device tunnet\n", "b.lgt:1:14: device tunnet needs a value"},
	{"device rng extra\n",
	 "b.lgt:1:12: unexpected 'extra' at the end of the line"},
	{"expect \"x\"\nmem 64\n",
	 "b.lgt:2:1: setting 'mem' after steps: settings come first"},
	{"expect \"x\"\ntest t\n",
	 "b.lgt:2:1: 'test' after steps: a script is either one test (steps "
	 "only) or a list of 'test' sections"},
	{"test a\nexpect \"x\"\ntest a\nexpect \"y\"\n",
	 "b.lgt:3:1: test 'a' already defined on line 1"},
	{"test a\nexpect \"x\"\ntest b\n", "b.lgt:3:1: test 'b' has no steps"},
	{"kernel k\n# only settings\n",
	 "b.lgt:1:1: no steps and no 'test' sections: nothing to test"},
	{"", "b.lgt:1:1: no steps and no 'test' sections: nothing to test"},
	{"test\n", "b.lgt:1:5: expected a test name"},
	{"timeout 0\n", "b.lgt:1:9: bad duration (want a positive number with "
			"an optional unit ms, s or m)"},
	{"\t expect \"x\" timeout 1 timeout 2\n",
	 "b.lgt:1:24: 'timeout' given twice"},
	{"step-timeout 1\nstep-timeout 2\n",
	 "b.lgt:2:1: 'step-timeout' given twice in one section"},
	{"boot-timeout -3\n", "b.lgt:1:14: bad duration (want a positive "
			      "number with an optional unit ms, s or m)"},
};

/*
 * share and device fs become the launcher's --share and --fs values, and
 * take apart again for the qemu runner; rootfs is inherited.
 */
START_TEST(test_shares)
{
	struct script s = parse_ok("d/f.lgt", "rootfs host\n"
					      "share / hs ro\n"
					      "share /tmp/\n"
					      "share / ro ro\n"
					      "device fs sock:back\n"
					      "test a\n"
					      "share / mine\n"
					      "expect \"x\"\n");
	const struct config *c = &s.tests[0].cfg;
	static const char *const want[][2] = {
		{"share", "/:hs:ro"}, {"share", "/tmp/:tmp"},
		{"share", "/:ro:ro"}, {"fs", "d/sock:back"},
		{"share", "/:mine"},
	};
	struct share sh;
	size_t i;

	ck_assert_int_eq(c->rootfs, ROOTFS_HOST);
	ck_assert_uint_eq(c->ndevices, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ck_assert_str_eq(c->devices[i].kind, want[i][0]);
		ck_assert_str_eq(c->devices[i].value, want[i][1]);
	}
	ck_assert(share_split(&c->devices[0], &sh));
	ck_assert_str_eq(sh.path, "/");
	ck_assert_str_eq(sh.tag, "hs");
	ck_assert(sh.ro);
	share_free(&sh);
	ck_assert(share_split(&c->devices[3], &sh));
	ck_assert_str_eq(sh.path, "d/sock");
	ck_assert_str_eq(sh.tag, "back");
	ck_assert(!sh.ro);
	share_free(&sh);
	ck_assert_ptr_null(share_duplicate_tag(c));
	script_free(&s);
}
END_TEST

/* A directory with colons in its name, and the tags a share defaults to. */
START_TEST(test_share_values)
{
	struct device d = {.kind = "share", .value = "/a:b/c:t:ro"};
	struct share sh;
	char *tag;

	ck_assert(share_split(&d, &sh));
	ck_assert_str_eq(sh.path, "/a:b/c");
	ck_assert_str_eq(sh.tag, "t");
	ck_assert(sh.ro);
	share_free(&sh);
	d.value = "nocolon";
	ck_assert(!share_split(&d, &sh));
	d.value = ":t";
	ck_assert(!share_split(&d, &sh));
	d.kind = "fs";
	d.value = "/s:t:ro"; /* an fs has no ro: its tag is "ro" */
	ck_assert(share_split(&d, &sh));
	ck_assert_str_eq(sh.path, "/s:t");
	ck_assert_str_eq(sh.tag, "ro");
	ck_assert(!sh.ro);
	share_free(&sh);
	d.value = "/s:";
	ck_assert(!share_split(&d, &sh));
	d.kind = "block";
	ck_assert(!share_split(&d, &sh));
	tag = share_default_tag("/");
	ck_assert_str_eq(tag, "root");
	free(tag);
	tag = share_default_tag("a/b//");
	ck_assert_str_eq(tag, "b");
	free(tag);
	tag = share_default_tag("/0123456789012345678901234567890123456789");
	ck_assert_uint_eq(strlen(tag), SHARE_TAG_MAX);
	free(tag);
}
END_TEST

START_TEST(test_broken_scripts)
{
	struct script s;
	char *err = NULL;

	ck_assert_msg(!script_parse("b.lgt", broken[_i].text, &s, &err),
		      "parsed: %s", broken[_i].text);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, broken[_i].message);
	free(err);
}
END_TEST

START_TEST(test_load_missing_file)
{
	struct script s;
	char *err = NULL;

	ck_assert(!script_load("/nonexistent/x.lgt", &s, &err));
	ck_assert_str_eq(
		err,
		"/nonexistent/x.lgt: cannot open: No such file or directory");
	free(err);
}
END_TEST

START_TEST(test_crlf_lines)
{
	struct script s = parse_ok("w.lgt", "expect \"a\"\r\nexit 0\r\n");

	ck_assert_str_eq(s.tests[0].steps[0].pat.text, "a");
	ck_assert_int_eq(s.tests[0].steps[1].kind, STEP_EXIT);
	script_free(&s);
}
END_TEST

/* The newer settings: devices, boot marker and KTAP, inherited by cases. */
START_TEST(test_marker_and_ktap)
{
	struct script s =
		parse_ok("m.lgt", "boot-marker /^Run .*init/\n"
				  "ktap report\n"
				  "device block-ro ro.img\n"
				  "device virtio-console\n"
				  "test a\nexpect \"x\"\n"
				  "test b\nktap ignore\n"
				  "boot-marker \"up\"\nexpect \"x\"\n");
	const struct config *a = &s.tests[0].cfg, *b = &s.tests[1].cfg;
	size_t st, e;

	ck_assert_int_eq(a->ktap, KTAP_REPORT);
	ck_assert_int_eq(b->ktap, KTAP_IGNORE);
	ck_assert_int_eq(a->boot_marker->kind, PAT_REGEX);
	ck_assert(pattern_search(a->boot_marker, "x\nRun /init\n", 12, 0, &st,
				 &e));
	ck_assert_uint_eq(st, 2);
	ck_assert_str_eq(b->boot_marker->text, "up");
	ck_assert_uint_eq(a->ndevices, 2);
	ck_assert_str_eq(a->devices[0].kind, "block-ro");
	ck_assert_str_eq(a->devices[0].value, "ro.img");
	ck_assert_ptr_null(a->devices[1].value);
	script_free(&s);
}
END_TEST

/* step-timeout and boot-timeout: file-wide, a case may change them. */
START_TEST(test_step_and_boot_timeouts)
{
	struct script s = parse_ok("t.lgt", "step-timeout 5s\n"
					    "test a\nexpect \"x\"\n"
					    "test b\nstep-timeout 500ms\n"
					    "boot-timeout 2m\nexpect \"x\"\n");
	struct config *a = &s.tests[0].cfg, *b = &s.tests[1].cfg;

	ck_assert(a->step_timeout == 5);
	ck_assert(a->boot_timeout == 0);
	ck_assert(b->step_timeout == 0.5);
	ck_assert(b->boot_timeout == 120);
	/* Defaults fill in what is unset; the boot-timeout stays unset. */
	config_defaults(a);
	ck_assert(a->step_timeout == 5);
	ck_assert(a->timeout == DEFAULT_TIMEOUT);
	ck_assert(a->idle_timeout == DEFAULT_IDLE_TIMEOUT);
	ck_assert(a->boot_timeout == 0);
	script_free(&s);
	s = parse_ok("d.lgt", "expect \"x\"\n");
	config_defaults(&s.tests[0].cfg);
	ck_assert(s.tests[0].cfg.step_timeout == DEFAULT_STEP_TIMEOUT);
	script_free(&s);
}
END_TEST

/* expect-verdict: a file-wide default, which a case may change. */
START_TEST(test_expect_verdict)
{
	struct script s = parse_ok("v.lgt", "expect-verdict hang\n"
					    "test quiet\nexpect \"x\"\n"
					    "test loud\nexpect-verdict fail\n"
					    "expect \"x\"\n"
					    "test fine\nexpect-verdict pass\n"
					    "expect \"x\"\n");

	ck_assert_int_eq(s.tests[0].cfg.expect_verdict, EXPECT_HANG);
	ck_assert_int_eq(s.tests[1].cfg.expect_verdict, EXPECT_FAIL);
	ck_assert_int_eq(s.tests[2].cfg.expect_verdict, EXPECT_PASS);
	ck_assert_str_eq(expect_verdict_name(EXPECT_HANG), "hang");
	ck_assert_ptr_null(s.tests[0].cfg.hang_title);
	script_free(&s);
	/* The hang's title, file-wide or the test's own. */
	s = parse_ok("t.lgt", "expect-verdict hang /^INFO: task hung in /\n"
			      "test a\nexpect \"x\"\n"
			      "test b\nexpect-verdict hang \"timed out\"\n"
			      "expect \"x\"\n");
	ck_assert_str_eq(s.tests[0].cfg.hang_title->text,
			 "^INFO: task hung in ");
	ck_assert_str_eq(s.tests[1].cfg.hang_title->text, "timed out");
	ck_assert_int_eq(s.tests[1].cfg.hang_title->kind, PAT_LITERAL);
	script_free(&s);
	s = parse_ok("w.lgt", "expect \"x\"\n");
	ck_assert_int_eq(s.tests[0].cfg.expect_verdict, EXPECT_UNSET);
	script_free(&s);
}
END_TEST

START_TEST(test_config_merge)
{
	struct config base = {0}, top = {0};
	struct device d = {.kind = "rng"};

	base.kernel = xstrdup("a");
	base.cmdline = xstrdup("x");
	base.mem_mb = 64;
	top.kernel = "b";
	top.cmdline = "y";
	top.devices = &d;
	top.ndevices = 1;
	top.timeout = 9;
	config_merge(&base, &top);
	ck_assert_str_eq(base.kernel, "b");
	ck_assert_str_eq(base.cmdline, "x y");
	ck_assert_uint_eq(base.mem_mb, 64);
	ck_assert_uint_eq(base.ndevices, 1);
	ck_assert(base.timeout == 9);
	/* Unset, cpus inherits, and the default is 2. */
	ck_assert_uint_eq(config_cpus(&base), DEFAULT_CPUS);
	ck_assert_uint_eq(DEFAULT_CPUS, 2);
	top.cpus = 8;
	config_merge(&base, &top);
	ck_assert_uint_eq(base.cpus, 8);
	config_defaults(&base);
	ck_assert_uint_eq(base.cpus, 8);
	config_free(&base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest script parser");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_one_test_script);
	tcase_add_test(tc, test_cases_inherit);
	tcase_add_test(tc, test_string_escapes);
	tcase_add_loop_test(tc, test_broken_scripts, 0,
			    sizeof(broken) / sizeof(broken[0]));
	tcase_add_test(tc, test_load_missing_file);
	tcase_add_test(tc, test_shares);
	tcase_add_test(tc, test_share_values);
	tcase_add_test(tc, test_crlf_lines);
	tcase_add_test(tc, test_config_merge);
	tcase_add_test(tc, test_marker_and_ktap);
	tcase_add_test(tc, test_expect_verdict);
	tcase_add_test(tc, test_step_and_boot_timeouts);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
