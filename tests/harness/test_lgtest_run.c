// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts without booting anything: what a runner's stderr says of a
 * set-up error, the boot files checked before any runner starts, and the
 * timeouts, played by run_test against a shell script standing in for a
 * guest (its console is the script's stdout).
 */
#include <sys/wait.h>

#include "harness_test.h"
#include "run.h"

static void cause_is(const char *stderr_text, const char *want)
{
	char out[256];

	runner_cause(stderr_text, out, sizeof(out));
	ck_assert_msg(!strcmp(out, want), "'%s' from '%s', want '%s'", out,
		      stderr_text ? stderr_text : "(null)", want);
}

/* The runner's own last word, not lgtest's pointer to it. */
START_TEST(test_runner_cause)
{
	cause_is("fake-qemu: cannot start\nlgtest: qemu ended before the "
		 "guest started (see its messages above)\n",
		 "fake-qemu: cannot start");
	cause_is("qemu-system-x86_64: warning: x\nqemu-system-x86_64: "
		 "-bogus: invalid option\r\n\n  \n",
		 "qemu-system-x86_64: -bogus: invalid option");
	cause_is("lguest: cannot open /dev/kvm: No such file or directory",
		 "lguest: cannot open /dev/kvm: No such file or directory");
	/* Only lgtest's lines: the last of them. */
	cause_is("lgtest: cannot run /nope: No such file or directory\n",
		 "lgtest: cannot run /nope: No such file or directory");
	cause_is("\n\n", "");
	cause_is("", "");
	cause_is(NULL, "");
}
END_TEST

/* The status line says who chose a 1: the launcher (with its cause) or
 * the guest (port 0xf4); without a line, the runner failed. */
START_TEST(test_setup_error_has_cause)
{
	struct runner_end end = {.wstatus = W_EXITCODE(1, 0),
				 .reported = true,
				 .report = {LG_BY_LAUNCHER, LG_EXIT_SETUP}};
	struct guest_stop st;

	describe_stop(&end, "lguest: bad kernel\n", "launcher", &st);
	ck_assert(st.infra);
	ck_assert_str_eq(st.what, "set-up error (launcher status 1)");
	ck_assert_str_eq(st.cause, "lguest: bad kernel");
	end.report.by = LG_BY_GUEST;
	describe_stop(&end, "lguest: bad kernel\n", "launcher", &st);
	ck_assert(!st.infra);
	ck_assert_int_eq(st.status, 1);
	ck_assert_str_eq(st.what, "guest wrote 1 to port 0xf4 (launcher "
				  "status 1)");
	ck_assert_str_eq(st.cause, "");
	end.report = (struct lg_exit_report){LG_BY_LAUNCHER, LG_EXIT_RESET};
	describe_stop(&end, "lguest: guest reset\n", "launcher", &st);
	ck_assert(!st.infra);
	ck_assert_str_eq(st.cause, "");
}
END_TEST

/* 159 from the sandbox is the launcher's failure, not a guest's byte. */
START_TEST(test_sandbox_stop_is_the_launchers)
{
	struct runner_end end = {.wstatus = W_EXITCODE(159, 0),
				 .reported = true,
				 .report = {LG_BY_LAUNCHER, LG_EXIT_SANDBOX}};
	struct guest_stop st;

	describe_stop(&end, "lguest: sandbox: forbidden system call\n",
		      "launcher", &st);
	ck_assert(st.infra);
	ck_assert_int_eq(st.status, 159);
	ck_assert_str_eq(st.what, "the sandbox stopped a forbidden system "
				  "call (launcher status 159)");
	ck_assert_str_eq(st.cause, "lguest: sandbox: forbidden system call");
}
END_TEST

/* A signal, or no line at all: the runner failed, whatever its status. */
START_TEST(test_signal_and_no_line)
{
	struct runner_end end = {.wstatus = W_EXITCODE(0, SIGTERM),
				 .reported = true,
				 .report = {LG_BY_SIGNAL, SIGTERM}};
	struct guest_stop st;

	describe_stop(&end, "", "launcher", &st);
	ck_assert(st.infra);
	ck_assert_int_eq(st.status, -1);
	ck_assert_str_eq(st.what, "launcher killed by signal 15 (Terminated)");
	end = (struct runner_end){.wstatus = W_EXITCODE(3, 0)};
	describe_stop(&end, "lguest: lost\n", "qemu", &st);
	ck_assert(st.infra);
	ck_assert_int_eq(st.status, -1);
	ck_assert_str_eq(st.what,
			 "qemu ended with status 3 and no status line");
	ck_assert_str_eq(st.cause, "lguest: lost");
}
END_TEST

/* The kernel command line QEMU is given under accel (tcg or kvm). */
static char *qemu_append(const char *accel)
{
	struct config c = {.kernel = "/etc/hostname", .cmdline = "quiet"};
	struct runner r = {.program = "qemu-system-x86_64",
			   .accel = (char *)accel};
	char **argv = NULL, *err = NULL, *line = NULL;
	size_t argc = 0, i;

	ck_assert_msg(qemu_ops.command(&r, &c, false, &argv, &argc, &err), "%s",
		      err);
	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-append"))
			line = xstrdup(argv[i + 1]);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	ck_assert_ptr_nonnull(line);
	return line;
}

/* Under TCG only, Linux is told not to judge the IO-APIC timer's ticks. */
START_TEST(test_qemu_tcg_skips_timer_check)
{
	char *tcg = qemu_append("tcg"), *kvm = qemu_append("kvm");

	ck_assert_str_eq(tcg, DEFAULT_CMDLINE " quiet no_timer_check");
	ck_assert_str_eq(kvm, DEFAULT_CMDLINE " quiet");
	free(tcg);
	free(kvm);
}
END_TEST

/* Block devices' files are checked with the kernel's, before any runner. */
START_TEST(test_boot_files_include_block_devices)
{
	struct device devs[] = {
		{.kind = "rng"},
		{.kind = "block-ro", .value = "/etc/hostname"},
		{.kind = "block", .value = "/nonexistent/d.img"}};
	struct config c = {.kernel = "/etc/hostname",
			   .devices = devs,
			   .ndevices = ARRAY_SIZE(devs)};
	char *err = NULL;

	ck_assert(!check_boot_files(&c, &err));
	ck_assert_str_eq(err, "device block /nonexistent/d.img: No such file "
			      "or directory");
	free(err);
	c.ndevices = 2;
	ck_assert(check_boot_files(&c, &err));
	devs[1].value = "/etc";
	ck_assert(!check_boot_files(&c, &err));
	ck_assert_str_eq(err, "device block-ro /etc: not a regular file");
	free(err);
}
END_TEST

/*
 * The "guest" is `sh -c CMDLINE`: the script's cmdline setting, whose
 * status the shell reports as the guest's, as a launcher would.
 */
static bool shell_command(const struct runner *r, const struct config *cfg,
			  bool status, char ***argv, size_t *argc, char **err)
{
	(void)r;
	(void)err;
	push_arg(argv, argc, xstrdup("/bin/sh"));
	push_arg(argv, argc, xstrdup("-c"));
	push_arg(argv, argc,
		 status ? xasprintf("%s\ns=$?; echo \"guest $s\" >&%d; exit $s",
				    cfg->cmdline, RUNNER_STATUS_FD)
			: xstrdup(cfg->cmdline));
	return true;
}

static const struct runner_ops shell_ops = {
	.name = "shell",
	.command = shell_command,
	.who = "shell",
};

/* Run the one test of script text; its result. */
static void run_script(const char *text, struct result *res)
{
	struct runner r = {.ops = &shell_ops};
	struct run_options o = {0};
	struct script s;
	char *err = NULL;

	ck_assert_msg(script_parse("t.lgt", text, &s, &err), "%s", err);
	run_test(&r, &s.tests[0], &o, res);
	script_free(&s);
}

/*
 * How each limit ends a test, its script (cmdline: the guest's shell
 * commands), and the verdict and message it must end with.
 */
static const struct {
	const char *script;
	enum verdict verdict;
	const char *message;
} timeouts[] = {
	/* A chatty guest that never prints what an expect wants fails. */
	{"cmdline while :; do echo tick; sleep 0.05; done\n"
	 "timeout 20s\nidle-timeout 20s\nstep-timeout 300ms\n"
	 "expect \"tick\"\nexpect \"never\"\n",
	 V_FAIL,
	 "timed out after 0.3 s waiting for: t.lgt:6: expect \"never\" (step "
	 "2, step-timeout)"},
	/* A step's own timeout wins over the script's step-timeout. */
	{"cmdline while :; do echo tick; sleep 0.05; done\n"
	 "timeout 20s\nidle-timeout 20s\nstep-timeout 10s\n"
	 "expect \"never\" timeout 200ms\n",
	 V_FAIL,
	 "timed out after 0.2 s waiting for: t.lgt:5: expect \"never\" (step "
	 "1)"},
	/* Before the boot marker, a quiet spell is no hang, nor does the
	 * step-timeout run: the boot-timeout bounds the boot. */
	{"cmdline sleep 1; echo lgtest-boot-marker; echo ok; sleep 10\n"
	 "timeout 20s\nidle-timeout 300ms\nstep-timeout 300ms\n"
	 "boot-timeout 10s\nexpect \"ok\"\n",
	 V_PASS, "all 1 steps passed"},
	/* No boot marker within the boot-timeout: a hang, saying so. */
	{"cmdline echo booting; sleep 10\ntimeout 20s\n"
	 "idle-timeout 100ms\nboot-timeout 500ms\nexpect \"ok\"\n",
	 V_HANG,
	 "boot timeout: no boot marker (\"lgtest-boot-marker\") within 0.5 s "
	 "of the launch; after sysrq ltw: no output from test machine"},
	/* After the boot marker, the no-output timeout is back. */
	{"cmdline echo lgtest-boot-marker; sleep 10\ntimeout 20s\n"
	 "idle-timeout 300ms\nboot-timeout 10s\nexpect \"never\"\n",
	 V_HANG,
	 "no-output timeout: no console output for 0.3 s; after sysrq "
	 "ltw: no output from test machine"},
	/* No boot phase (no marker known): idle counts from the launch. */
	{"cmdline sleep 10\ntimeout 20s\nidle-timeout 300ms\n"
	 "expect \"never\"\n",
	 V_HANG,
	 "no-output timeout: no console output for 0.3 s; after sysrq "
	 "ltw: no output from test machine"},
	/* A chatty guest that runs out of time "timed out". */
	{"cmdline while :; do echo tick; sleep 0.05; done\n"
	 "timeout 500ms\nidle-timeout 20s\nexpect \"never\" timeout 20s\n",
	 V_HANG,
	 "overall timeout: the test ran for 0.5 s; after sysrq ltw: "
	 "timed out"},
};

START_TEST(test_timeouts)
{
	struct result res;

	run_script(timeouts[_i].script, &res);
	ck_assert_msg(res.verdict == timeouts[_i].verdict &&
			      !strcmp(res.message, timeouts[_i].message),
		      "case %d: %s: %s", _i, verdict_name(res.verdict),
		      res.message);
	/*
	 * Each ends at its limit, never at the overall timeout; a hang
	 * after lgtest asked the guest what it is doing (6 s of BREAKs and
	 * keys, then 2 s of quiet).
	 */
	ck_assert_double_lt(res.seconds,
			    timeouts[_i].verdict == V_HANG ? 20 : 5);
	result_free(&res);
}
END_TEST

/* ---- hangs: what the kernel says to sysrq titles them -------------------- */

/*
 * A guest that answers a BREAK (SIGURG to the runner, here the shell) as
 * Linux's 8250 driver and sysrq do: the byte after a break is a key, and
 * it prints what that key shows (a byte without one is ignored).  Its
 * `w` shows a task blocked in D state.
 */
#define SYSRQ_GUEST                                                            \
	"cmdline trap b=1 URG; echo up; while :; do "                          \
	"k=$(dd bs=1 count=1 2>/dev/null); [ -n \"$b\" ] || continue; b=; "    \
	"echo sysrq key $k; [ $k = w ] && printf \"sysrq: Show Blocked "       \
	"State\\\\ntask:cat state:D stack:0 pid:9 ppid:1 flags:0x0\\\\n"       \
	"Call Trace:\\\\n <TASK>\\\\n __schedule+0x1/0x9\\\\n "                \
	"schedule+0x1/0x9\\\\n lgfake_wait+0x1/0x9\\\\n "                      \
	"vfs_read+0x1/0x9\\\\n do_syscall_64+0x1/0x9\\\\n </TASK>\\\\n\"; "    \
	"done\n"

START_TEST(test_hang_asks_kernel)
{
	struct result res;
	const char *l, *t, *w;

	run_script(SYSRQ_GUEST "timeout 60s\nidle-timeout 300ms\n"
			       "expect \"up\"\nexpect \"never\"\n",
		   &res);
	ck_assert_msg(res.verdict == V_HANG, "%s: %s",
		      verdict_name(res.verdict), res.message);
	ck_assert_str_eq(res.crash_title, "INFO: task hung in lgfake_wait");
	ck_assert_str_eq(res.message, "no-output timeout: no console output "
				      "for 0.3 s; after sysrq ltw: INFO: task "
				      "hung in lgfake_wait");
	/* One BREAK per key, in order; the dump stays in the console. */
	l = strstr(res.console.text.data, "sysrq key l\n");
	t = strstr(res.console.text.data, "sysrq key t\n");
	w = strstr(res.console.text.data, "sysrq key w\n");
	ck_assert_msg(l && t && w && l < t && t < w, "%s",
		      res.console.text.data);
	ck_assert(strstr(w, "lgfake_wait+0x1/0x9"));
	result_free(&res);
}
END_TEST

/* expect-verdict hang PATTERN: the title decides whether it was the hang. */
static const struct {
	const char *pattern;
	enum verdict verdict;
	const char *message;
} hang_title_cases[] = {
	{"/^INFO: task hung in lgfake_wait$/", V_PASS,
	 "hang, as expected: no-output timeout: no console output for 0.3 s; "
	 "after sysrq ltw: INFO: task hung in lgfake_wait"},
	{"\"no output from test machine\"", V_FAIL,
	 "expected to hang at line 5 with a title matching \"no output from "
	 "test machine\"; instead: no-output timeout: no console output for "
	 "0.3 s; after sysrq ltw: INFO: task hung in lgfake_wait"},
};

START_TEST(test_expected_hang_title)
{
	char *text = xasprintf(SYSRQ_GUEST "idle-timeout 300ms\n"
					   "expect-verdict hang %s\n\n"
					   "expect \"never\"\n",
			       hang_title_cases[_i].pattern);
	struct result res;

	run_script(text, &res);
	ck_assert_msg(
		res.verdict == hang_title_cases[_i].verdict &&
			!strcmp(res.message, hang_title_cases[_i].message),
		"%s: %s", verdict_name(res.verdict), res.message);
	result_free(&res);
	free(text);
}
END_TEST

/* ---- which limit runs out first (no process at all) ------------------ */

/* A test of these steps with the given settings over the defaults. */
static struct testcase *limits_test(struct script *s, const char *settings)
{
	char *text =
		xasprintf("%s\nexpect \"a\"\nexpect-not \"b\" for 5s\n"
			  "send \"c\"\nexpect \"d\" timeout 7s\nshutdown\n",
			  settings);
	char *err = NULL;

	ck_assert_msg(script_parse("l.lgt", text, s, &err), "%s", err);
	free(text);
	config_defaults(&s->tests[0].cfg);
	return &s->tests[0];
}

static void limit_is(const struct testcase *t, size_t step,
		     const struct clocks *k, enum limit want, double want_at)
{
	double at;
	enum limit l =
		first_limit(&t->cfg, step ? &t->steps[step - 1] : NULL, k, &at);

	ck_assert_msg(l == want && at == want_at,
		      "step %zu: limit %d at %g, want %d at %g", step, l, at,
		      want, want_at);
}

/* No boot phase: overall, idle and the step's limits, the first wins. */
START_TEST(test_limits_without_boot_phase)
{
	struct script s;
	struct testcase *t = limits_test(&s, "timeout 300\nidle-timeout 60\n");
	struct clocks k = {
		.launched = 1000, .last_output = 1050, .step_start = 1040};
	char *msg;

	ck_assert(boot_limit(&t->cfg) == 0);
	/* expect: the step-timeout (60 s from 1040) before idle (1110). */
	limit_is(t, 1, &k, LIMIT_STEP_TIMEOUT, 1100);
	ck_assert_int_eq(
		limit_verdict(LIMIT_STEP_TIMEOUT, t, &t->steps[0], &msg),
		V_FAIL);
	ck_assert_str_eq(msg, "timed out after 60 s waiting for: l.lgt:4: "
			      "expect \"a\" (step 1, step-timeout)");
	free(msg);
	/* A quiet guest: the no-output timeout; a tie goes to it too. */
	k.last_output = 1030;
	limit_is(t, 1, &k, LIMIT_IDLE, 1090);
	k.last_output = 1040;
	limit_is(t, 1, &k, LIMIT_IDLE, 1100);
	/* expect-not and send wait for nothing: no step limit. */
	limit_is(t, 2, &k, LIMIT_IDLE, 1100);
	limit_is(t, 3, &k, LIMIT_IDLE, 1100);
	/* A step's own timeout replaces the step-timeout. */
	limit_is(t, 4, &k, LIMIT_STEP, 1047);
	ck_assert_int_eq(limit_verdict(LIMIT_STEP, t, &t->steps[3], &msg),
			 V_FAIL);
	ck_assert_str_eq(msg, "timed out after 7 s waiting for: l.lgt:7: "
			      "expect \"d\" (step 4)");
	free(msg);
	/* shutdown waits too; the overall timeout bounds everything. */
	k.last_output = k.step_start = 1280;
	limit_is(t, 5, &k, LIMIT_OVERALL, 1300);
	limit_is(t, 0, &k, LIMIT_OVERALL, 1300);
	ck_assert_int_eq(limit_verdict(LIMIT_IDLE, t, NULL, &msg), V_HANG);
	ck_assert_str_eq(msg, "no-output timeout: no console output for 60 s");
	free(msg);
	script_free(&s);
}
END_TEST

/*
 * A boot phase: until the marker, neither the no-output timeout nor the
 * step-timeout runs, the boot-timeout does (a step's own timeout still
 * wins); after it, both are back, the step-timeout counting from the
 * marker at the earliest.
 */
START_TEST(test_limits_with_boot_phase)
{
	struct script s;
	struct testcase *t =
		limits_test(&s, "boot-timeout 100\nstep-timeout 30\n");
	struct clocks k = {
		.launched = 1000, .last_output = 1001, .step_start = 1000};
	char *msg;

	ck_assert(boot_limit(&t->cfg) == 100);
	limit_is(t, 1, &k, LIMIT_BOOT, 1100);
	ck_assert_int_eq(limit_verdict(LIMIT_BOOT, t, &t->steps[0], &msg),
			 V_HANG);
	ck_assert_str_eq(msg, "boot timeout: no boot marker "
			      "(\"lgtest-boot-marker\") within 100 s of the "
			      "launch");
	free(msg);
	limit_is(t, 4, &k, LIMIT_STEP, 1007);
	/* The marker at 1080: the step-timeout counts from there. */
	k.marker = k.last_output = 1080;
	limit_is(t, 1, &k, LIMIT_STEP_TIMEOUT, 1110);
	/* A step that began after it counts from its own start. */
	k.step_start = 1090;
	limit_is(t, 1, &k, LIMIT_STEP_TIMEOUT, 1120);
	k.last_output = 1085;
	limit_is(t, 2, &k, LIMIT_IDLE, 1145);
	script_free(&s);
}
END_TEST

/* Who has a boot phase: only a guest known to print the marker. */
START_TEST(test_boot_phase_applies)
{
	struct pattern marker = {.kind = PAT_LITERAL, .text = "up", .len = 2};
	struct config c = {0};

	ck_assert(boot_limit(&c) == 0);
	c.prints_marker = true; /* lgtest's default initramfs */
	ck_assert(boot_limit(&c) == DEFAULT_BOOT_TIMEOUT);
	c.prints_marker = false;
	c.boot_marker = &marker;
	ck_assert(boot_limit(&c) == DEFAULT_BOOT_TIMEOUT);
	c.boot_marker = NULL;
	c.boot_timeout = 5;
	ck_assert(boot_limit(&c) == 5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest verdicts");
	TCase *tc = tcase_create("runner failures");

	tcase_add_test(tc, test_runner_cause);
	tcase_add_test(tc, test_setup_error_has_cause);
	tcase_add_test(tc, test_sandbox_stop_is_the_launchers);
	tcase_add_test(tc, test_signal_and_no_line);
	tcase_add_test(tc, test_boot_files_include_block_devices);
	tcase_add_test(tc, test_qemu_tcg_skips_timer_check);
	suite_add_tcase(s, tc);
	tc = tcase_create("timeouts");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_timeouts, 0, ARRAY_SIZE(timeouts));
	tcase_add_test(tc, test_limits_without_boot_phase);
	tcase_add_test(tc, test_limits_with_boot_phase);
	tcase_add_test(tc, test_boot_phase_applies);
	suite_add_tcase(s, tc);
	tc = tcase_create("hangs");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hang_asks_kernel);
	tcase_add_loop_test(tc, test_expected_hang_title, 0,
			    ARRAY_SIZE(hang_title_cases));
	suite_add_tcase(s, tc);
	return run_suite(s);
}
