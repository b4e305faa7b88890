// SPDX-License-Identifier: GPL-2.0
/*
 * Hang titles (harness/crash_hang.c): what a hung kernel printed after
 * lgtest's BREAK and sysrq l, t and w, titled.  Real consoles from the
 * crash corpus (tests/harness/crashes/real/) and from lgtest's own hangs
 * (tests/harness/hangs/), and made-up sysrq dumps in the kernel's
 * sched_show_task() format.
 */
#include "harness_test.h"
#include "crash.h"

#define FALLBACK "no output from test machine"

static void title_is(const char *dump, const char *want)
{
	char title[CRASH_TITLE_MAX];

	crash_hang_title(dump, strlen(dump), FALLBACK, title);
	ck_assert_msg(!strcmp(title, want), "'%s', want '%s' from:\n%.2000s",
		      title, want, dump);
}

/* A kernel report in the dump wins: the kernel said what it saw. */
static const struct {
	const char *file;
	const char *title;
} real_cases[] = {
	{"crashes/real/hung.log", "INFO: task hung in lgcrash_hung_thread"},
	{"crashes/real/softlockup.log",
	 "BUG: soft lockup in lgcrash_soft_lockup"},
	{"crashes/real/rcu_stall.log",
	 "INFO: rcu detected stall in lgcrash_rcu_stall"},
	/* Every task shown, none of them blocked: nothing to name. */
	{"crashes/real/sysrq_t.log", FALLBACK},
	{"crashes/real/sysrq_l.log", FALLBACK},
	/* lgtest's own sysrq l, t, w to a task stuck on a frozen fs. */
	{"hangs/frozen-fs.log", "INFO: task hung in mnt_want_write"},
};

START_TEST(test_real)
{
	char path[256], *text;

	snprintf(path, sizeof(path), "tests/harness/%s",
		 real_cases[_i].file);
	text = slurp(path, NULL);
	title_is(text, real_cases[_i].title);
	free(text);
}
END_TEST

#define TS "[  123.456789] "
#define BLOCKED_TOUCH                                                          \
	TS "task:touch           state:D stack:0     pid:95    ppid:80     "   \
	   "flags:0x00004000\n" TS "Call Trace:\n" TS " <TASK>\n" TS           \
	   " __schedule+0x34d/0x9e0\n" TS " schedule+0x5a/0xd0\n" TS           \
	   " percpu_rwsem_wait+0x11a/0x140\n" TS                               \
	   " __percpu_down_read+0x4d/0x60\n" TS                                \
	   " mnt_want_write+0x9a/0xc0\n" TS                                    \
	   " open_last_lookups+0x1c5/0x3e0\n" TS                               \
	   " path_openat+0x8a/0x2a0\n" TS " do_filp_open+0xb3/0x160\n" TS      \
	   " do_sys_openat2+0x9f/0x160\n" TS                                   \
	   " __x64_sys_openat+0x55/0x90\n" TS " do_syscall_64+0x5d/0x90\n" TS  \
	   " entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n" TS                    \
	   "RIP: 0033:0x4a3e4e\n" TS " </TASK>\n"

/* sysrq-w's blocked task, blamed past the scheduler and the lock. */
START_TEST(test_blocked_task)
{
	title_is(TS "sysrq: Show Blocked State\n" BLOCKED_TOUCH,
		 "INFO: task hung in mnt_want_write");
}
END_TEST

/* Sleeping and running tasks (sysrq-t shows them all) are passed over. */
START_TEST(test_blocked_after_sleeping)
{
	title_is(TS
		 "sysrq: Show State\n" TS
		 "task:sh              state:S stack:0     pid:80    ppid:1  "
		 "    flags:0x00000000\n" TS "Call Trace:\n" TS " <TASK>\n" TS
		 " __schedule+0x34d/0x9e0\n" TS " schedule+0x5a/0xd0\n" TS
		 " do_wait+0x160/0x2f0\n" TS " kernel_wait4+0xa6/0x140\n" TS
		 " </TASK>\n" BLOCKED_TOUCH,
		 "INFO: task hung in mnt_want_write");
}
END_TEST

/* A blocked task whose stack was lost is still a hung task. */
START_TEST(test_blocked_without_stack)
{
	title_is(TS "task:touch           state:D stack:0     pid:95    "
		    "ppid:80     flags:0x00004000\n" TS "sysrq: Show Memory\n",
		 "INFO: task hung in corrupted");
}
END_TEST

/* Nothing at all, or only headers: the caller's words. */
START_TEST(test_nothing)
{
	title_is("", FALLBACK);
	title_is(TS "sysrq: Show backtrace of all active CPUs\n" TS
		    "sysrq: Show State\n" TS "sysrq: Show Blocked State\n",
		 FALLBACK);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lgtest hang titles");
	TCase *tc = tcase_create("sysrq dumps");

	tcase_add_loop_test(tc, test_real, 0, ARRAY_SIZE(real_cases));
	tcase_add_test(tc, test_blocked_task);
	tcase_add_test(tc, test_blocked_after_sleeping);
	tcase_add_test(tc, test_blocked_without_stack);
	tcase_add_test(tc, test_nothing);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
