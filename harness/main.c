// SPDX-License-Identifier: GPL-2.0
/*
 * lgtest: boot kernels with a script of console input and expected
 * output, judge what they print and report in TAP.  See usage() and the
 * README's lgtest(1) section.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "exec.h"
#include "initramfs.h"
#include "nested_host.h"
#include "report.h"
#include "run.h"
#include "script.h"
#include "share.h"
#include "suite.h"

#define DEFAULT_TAIL 30

static const char usage_text[] =
	"Usage: lgtest run [options] SCRIPT...\n"
	"       lgtest check SCRIPT...\n"
	"       lgtest classify [--json] [LOG...]\n"
	"       lgtest initramfs [options]   (see lgtest initramfs --help)\n"
	"       lgtest exec [options] [--] COMMAND [ARG...]   (lgtest exec "
	"--help)\n"
	"       lgtest shell [options]\n"
	"       lgtest --help\n"
	"\n"
	"Boots kernels under a runner, plays each script's steps against the "
	"guest's\n"
	"console, watches for kernel crashes and hangs, and reports every "
	"test: live\n"
	"progress on a terminal, TAP (version 13) on stdout otherwise.\n"
	"\n"
	"Commands:\n"
	"  run SCRIPT...       run every test in the scripts, in order\n"
	"  check SCRIPT...     only parse the scripts; report syntax errors\n"
	"  classify [--json] [LOG...]  print the crash title of each console "
	"log\n"
	"                      (stdin when none or '-'), or \"no crash\"; "
	"--json: the\n"
	"                      whole report of each (lgtest classify "
	"--help)\n"
	"  initramfs           build a busybox initramfs with modules and "
	"files\n"
	"  kvm-probe           print direct or nested: can this /dev/kvm "
	"boot Linux?\n"
	"  exec COMMAND...     boot on this machine's / (rootfs host), run "
	"COMMAND,\n"
	"                      print its output, exit with its status\n"
	"  shell               the same with an interactive shell\n"
	"\n"
	"Options for run (each overrides what the scripts say, for every "
	"test):\n"
	"  --kernel FILE          kernel to boot (ELF vmlinux or bzImage); "
	"default:\n"
	"                         Debian's cloud kernel, fetched into the "
	"cache\n"
	"  --initrd FILE          initial ramdisk; default, when neither a "
	"kernel nor\n"
	"                         an initrd is named: lgtest's own (a shell on "
	"the\n"
	"                         console, see the README)\n"
	"  --mem MB               guest memory in MiB (default 256)\n"
	"  --cpus N               guest vCPUs, 1 to 254 (default 2): lguest\n"
	"                         --cpus N, qemu -smp N; the nested host gets\n"
	"                         as many CPUs as this machine has, up to N\n"
	"  --cmdline ARGS         kernel arguments instead of the scripts' "
	"cmdline\n"
	"  --append ARGS          kernel arguments after the scripts' cmdline\n"
	"  --device KIND[=VALUE]  add a device: block=FILE, block-ro=FILE, "
	"rng,\n"
	"                         virtio-console, tunnet=SPEC, sharenet=PATH,\n"
	"                         fs=SOCKET:TAG\n"
	"                         (repeatable)\n"
	"  --timeout DURATION     overall limit per test (default 300s)\n"
	"  --idle-timeout DURATION  limit on time without console output "
	"(default 60s)\n"
	"  --step-timeout DURATION  limit on a step without a timeout of its "
	"own\n"
	"                         (default 60s)\n"
	"  --boot-timeout DURATION  limit from the launch to the boot marker "
	"(default\n"
	"                         120s; gives every test a boot phase, see "
	"below)\n"
	"  --boot-marker PATTERN  what ends the boot timer (default "
	"\"" BOOT_MARKER "\")\n"
	"  --ktap judge|report|ignore  what to make of KTAP the guest prints "
	"(judge)\n"
	"Scheduling:\n"
	"  -j, --jobs N           run N tests side by side (default: the "
	"CPUs lgtest\n"
	"                         may run on); results are reported "
	"whole,\n"
	"                         in the scripts' order, whatever order they "
	"end in\n"
	"  --shard K/N            run only part K of N of the suite: the tests "
	"sorted by\n"
	"                         script path (as given) and test name, the "
	"i-th (from\n"
	"                         0) in part i mod N + 1; the same split on "
	"every\n"
	"                         machine, whatever the order of the "
	"scripts\n"
	"  --repeat N             run every test N times (NAME (round K)), "
	"and list\n"
	"                         the flaky ones: passed some runs, not "
	"others\n"
	"                         (the summary lists each distinct crash "
	"title once,\n"
	"                         with its count and the tests and rounds "
	"it came from)\n"
	"  --retries N            run a test that did not pass up to N more "
	"times\n"
	"                         (0 to 5, default 0); it passes if a run "
	"does, and\n"
	"                         is listed as flaky with its first failure "
	"(for\n"
	"                         machines whose load makes guests fail, not "
	"for\n"
	"                         hiding a guest's own flakiness: see "
	"--repeat)\n"
	"Runners:\n"
	"  --runner NAME          lguest (default): lguest-direct or "
	"lguest-nested,\n"
	"                         as `lgtest kvm-probe` says ($LGUEST_RUNNER, "
	"else\n"
	"                         a probe guest timed on /dev/kvm);\n"
	"                         lguest-direct: bin/lguest on this machine's "
	"/dev/kvm;\n"
	"                         lguest-nested: bin/lguest in a kept QEMU TCG "
	"host\n"
	"                         with nested KVM on this machine's root, one "
	"per job\n"
	"                         slot, test after test "
	"(tests/boot/nested.sh);\n"
	"                         qemu: qemu-system-x86_64 (KVM with "
	"VT-x/AMD-V, else\n"
	"                         TCG); the runner chosen is reported\n"
	"  --lguest FILE          the launcher (default: $LGUEST, else lguest "
	"beside\n"
	"                         lgtest, else lguest on PATH)\n"
	"  --lguest-static FILE   the launcher for lguest-nested (default: "
	"--lguest's)\n"
	"  --qemu FILE            the emulator (default qemu-system-x86_64)\n"
	"  --accel kvm|tcg        the qemu runner's accelerator (a usage "
	"error with\n"
	"                         any other runner)\n"
	"Output:\n"
	"  --tap                  TAP on stdout even on a terminal\n"
	"  --tap-version 13|14    the TAP header's version (default 13, "
	"which\n"
	"                         prove 3.44 reads; 14 is the same text "
	"otherwise)\n"
	"  --junit FILE           also write JUnit XML\n"
	"  --json FILE            also write JSON\n"
	"                         (TAP, JUnit and JSON give a crash's whole "
	"report:\n"
	"                         title, alternative titles, type, corrupted, "
	"guilty\n"
	"                         frame and source, the report's text)\n"
	"  --out DIR              keep each test's console (and runner stderr) "
	"in DIR\n"
	"  --tail N               console lines shown for a failed test "
	"(default 30)\n"
	"  -n, --dry-run          print each test's command instead of running "
	"it\n"
	"  -v, --verbose          copy every guest's console to stderr as it "
	"arrives\n"
	"                         (with --jobs > 1, line by line after "
	"\"[N] \")\n"
	"  -h, --help             this text\n"
	"\n"
	"Scripts (one per file, '#' starts a comment):\n"
	"  Settings come first, one per line:\n"
	"    kernel PATH          relative paths are relative to the script\n"
	"    initrd PATH\n"
	"    mem MB\n"
	"    cmdline ARGS...      kernel arguments (accumulate), after the "
	"defaults\n"
	"                         \"" DEFAULT_CMDLINE "\"\n"
	"    device KIND [VALUE]  block FILE | block-ro FILE | rng | "
	"virtio-console |\n"
	"                         tunnet SPEC | sharenet PATH | fs "
	"SOCKET:TAG (a\n"
	"                         running vhost-user-fs back-end)\n"
	"    share HOSTDIR [TAG] [ro]  HOSTDIR over virtio-fs (virtiofsd), "
	"for the\n"
	"                         guest's mount -t virtiofs TAG DIR; TAG: "
	"HOSTDIR's\n"
	"                         last name; ro: read-only (README: "
	"SHARES)\n"
	"    rootfs initramfs|host  host: boot on this machine's / read-only, "
	"a tmpfs\n"
	"                         overlay, the current directory writable "
	"(lgtest exec)\n"
	"    timeout DURATION     overall (default 300s)\n"
	"    idle-timeout DURATION  no console output for this long is a hang\n"
	"                         (default 60s)\n"
	"    step-timeout DURATION  a step (expect, exit, shutdown, "
	"expect-crash)\n"
	"                         waiting longer fails the test, unless it "
	"has a\n"
	"                         timeout of its own (default 60s)\n"
	"    boot-timeout DURATION  the boot phase's limit (default 120s; "
	"see below)\n"
	"    boot-marker PATTERN  the boot timer stops when PATTERN appears\n"
	"    ktap judge|report|ignore  judge: a failed KTAP subtest fails the "
	"test\n"
	"    expect-verdict pass|fail|hang  fail or hang: the test passes "
	"if it ends\n"
	"                         so at its last step, the steps before it "
	"passing;\n"
	"                         a pass, or that end anywhere else, does not "
	"(a\n"
	"                         crash is expected with expect-crash)\n"
	"    expect-verdict hang PATTERN  the same, and the hang's title must "
	"match\n"
	"                         PATTERN (e.g. /^INFO: task hung in /)\n"
	"  Then steps, played in order:\n"
	"    expect PATTERN [timeout D]     wait until PATTERN appears after "
	"the\n"
	"                                   previous match\n"
	"    expect-not PATTERN [for D]     PATTERN must not appear from here "
	"to the\n"
	"                                   end of the test (or, with for, in "
	"the\n"
	"                                   next D, which the step waits out)\n"
	"    send \"TEXT\"                    type TEXT on the console\n"
	"    exit STATUS [timeout D]        wait for the guest to stop; its "
	"exit\n"
	"                                   status (launcher status) must be "
	"STATUS\n"
	"    shutdown [timeout D]           wait for the guest to power off "
	"(status 0)\n"
	"    expect-crash [PATTERN] [timeout D]  wait for a kernel crash "
	"report\n"
	"                                   whose title matches PATTERN\n"
	"  PATTERN is \"literal text\" or /POSIX extended regex/ (one line; ^ "
	"and $\n"
	"  match at line ends), either followed by i to ignore case.  Strings "
	"take\n"
	"  \\n \\r \\t \\e \\0 \\\\ \\\" \\xHH.  DURATION: 30, 2.5s, 500ms, "
	"2m.\n"
	"  A script is one test (its name is the file name) or several: each\n"
	"  'test NAME' line starts one, with its own settings and steps, "
	"after\n"
	"  the file's shared settings.\n"
	"\n"
	"Verdicts: pass; fail (a step could not pass, or a KTAP subtest "
	"failed);\n"
	"crash (a kernel crash report, even if every step passed; its title "
	"is\n"
	"syzkaller-style); hang (the overall, the no-output or the boot "
	"timeout);\n"
	"before a hung guest is stopped, lgtest sends it a serial BREAK and "
	"sysrq\n"
	"l, t and w, one key after each BREAK, waits for the dump and titles "
	"the\n"
	"hang from it: the kernel's own report (INFO: task hung in f, BUG: "
	"soft\n"
	"lockup in f, INFO: rcu detected stall in f), else INFO: task hung "
	"in f\n"
	"for the first task shown in state D, else \"no output from test "
	"machine\"\n"
	"(\"timed out\" for the overall timeout).\n"
	"error (the runner could not run the guest).  A test ends when its "
	"last\n"
	"step passes.\n"
	"Boot phase: a test whose guest is known to print the boot marker "
	"(it boots\n"
	"lgtest's default initramfs, or names a boot-marker or a "
	"boot-timeout) has\n"
	"a boot phase, from its launch to the marker: there the boot-timeout "
	"replaces\n"
	"the no-output timeout, and the step-timeout does not run (a step's "
	"own\n"
	"timeout does).\n"
	"Every runner runs in a process group of its own; at the end of a "
	"test, on a\n"
	"timeout or a signal, the group gets SIGTERM, then 2 s later "
	"SIGKILL.\n"
	"Timeouts and boot times count from the guest's launch (for "
	"lguest-nested,\n"
	"once the nested host has started its launcher).  Boot times: launch "
	"to the\n"
	"first console byte, and launch to the boot marker.\n"
	"\n"
	"Exit status: 0 all tests passed, 1 a test failed, crashed or hung,\n"
	"2 usage, script or infrastructure error (a test's verdict was "
	"error),\n"
	"128 + the signal when interrupted by SIGINT, SIGTERM or SIGHUP (130 "
	"for ^C;\n"
	"the guests and their runners are stopped first; TAP \"Bail "
	"out!\").\n"
	"check: 0 all scripts valid, 1 a script is not, 2 usage.\n"
	"classify: 0 no log holds a crash, 1 one does, 2 a log cannot be "
	"read.\n"
	"initramfs: 0 built, 2 usage or build error.  kvm-probe: 0, 2 usage.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "lgtest: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'lgtest --help'.\n");
	return EXIT_USAGE;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

struct cli {
	struct config over; /* overrides */
	bool replace_cmdline;
	char *cmdline; /* --cmdline */
	struct suite_options run;
};

/* ---- option parsing -------------------------------------------------------
 */

/*
 * An option that is a script setting ("device", "ktap", ...): the script
 * parser checks it, on a one-line script of its own.
 */
static bool parse_setting_opt(const char *keyword, const char *value,
			      struct config *c)
{
	char *opt = xasprintf("--%s", keyword);
	char *text = xasprintf("%s %s\nexpect \"x\"\n", keyword, value);
	struct script s;
	char *err;
	bool ok;

	ok = script_parse(opt, text, &s, &err);
	if (ok)
		config_merge(c, &s.tests[0].cfg);
	else
		fprintf(stderr, "lgtest: %s\n", strchr(err, ' ') + 1);
	if (ok)
		script_free(&s);
	free(err);
	free(text);
	free(opt);
	return ok;
}

static bool parse_device_opt(const char *spec, struct config *c)
{
	const char *eq = strchr(spec, '=');
	char *value = eq ? xasprintf("%.*s %s", (int)(eq - spec), spec, eq + 1)
			 : xstrdup(spec);
	bool ok = parse_setting_opt("device", value, c);

	free(value);
	return ok;
}

enum {
	OPT_KERNEL = 256,
	OPT_INITRD,
	OPT_MEM,
	OPT_CPUS,
	OPT_CMDLINE,
	OPT_APPEND,
	OPT_DEVICE,
	OPT_DURATION, /* a duration setting: the option's name says which */
	OPT_RUNNER,
	OPT_LGUEST,
	OPT_LGUEST_STATIC,
	OPT_QEMU,
	OPT_ACCEL,
	OPT_TAIL,
	OPT_JUNIT,
	OPT_JSON,
	OPT_OUT,
	OPT_TAP,
	OPT_BOOT_MARKER,
	OPT_KTAP,
	OPT_SHARD,
	OPT_REPEAT,
	OPT_RETRIES,
	OPT_TAP_VERSION,
};

static bool parse_number(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && !*end && !errno && *v >= min && *v <= max;
}

/* Where an option that only names something keeps its argument. */
static const char **string_option(int c, struct cli *o)
{
	switch (c) {
	case OPT_RUNNER:
		return &o->run.runner.name;
	case OPT_LGUEST:
		return &o->run.runner.lguest;
	case OPT_LGUEST_STATIC:
		return &o->run.runner.lguest_static;
	case OPT_QEMU:
		return &o->run.runner.qemu;
	case OPT_ACCEL:
		return &o->run.runner.accel;
	case OPT_JUNIT:
		return &o->run.junit;
	case OPT_JSON:
		return &o->run.json;
	case OPT_OUT:
		return &o->run.out;
	}
	return NULL;
}

/* --jobs N and --repeat N: a whole number from 1 up. */
static int parse_count_opt(int c, const char *arg, struct cli *o)
{
	long max = c == 'j' ? MAX_JOBS : MAX_REPEAT;
	const char *name = c == 'j' ? "--jobs" : "--repeat";
	char *msg;
	long v;
	int rc;

	if (parse_number(arg, 1, max, &v)) {
		*(c == 'j' ? &o->run.jobs : &o->run.repeat) = (unsigned int)v;
		return 0;
	}
	msg = xasprintf("%s: '%s' is not a whole number from 1 to %ld", name,
			arg, max);
	rc = usage_error("%s", msg);
	free(msg);
	return rc;
}

static int parse_shard_opt(const char *arg, struct cli *o)
{
	char *err;
	int rc;

	if (shard_parse(arg, &o->run.shard, &err)) {
		o->run.shard_arg = arg;
		return 0;
	}
	rc = usage_error("%s", err);
	free(err);
	return rc;
}

/* Option c with argument arg; name is its long name, or NULL. */
static int parse_option(int c, const char *name, const char *arg, struct cli *o)
{
	const char **dst = string_option(c, o);
	double *dur;
	long v;

	if (dst) {
		*dst = arg;
		return 0;
	}
	if (c == OPT_DURATION) {
		dur = config_duration(&o->over, name);
		if (!parse_duration(arg, dur) || *dur <= 0)
			return usage_error("'%s' is not a positive duration "
					   "(like 30, 2.5s, 500ms, 2m)",
					   arg);
		return 0;
	}

	switch (c) {
	case OPT_KERNEL:
		free(o->over.kernel);
		o->over.kernel = xstrdup(arg);
		return 0;
	case OPT_INITRD:
		free(o->over.initrd);
		o->over.initrd = xstrdup(arg);
		return 0;
	case OPT_MEM:
		if (!parse_number(arg, 2, 1048576, &v))
			return usage_error("--mem: '%s' is not a number of MiB "
					   "from 2 to 1048576",
					   arg);
		o->over.mem_mb = (unsigned int)v;
		return 0;
	case OPT_CPUS:
		if (!parse_number(arg, 1, MAX_CPUS, &v))
			return usage_error("--cpus: '%s' is not a number of "
					   "vCPUs from 1 to 254",
					   arg);
		o->over.cpus = (unsigned int)v;
		return 0;
	case OPT_CMDLINE:
		free(o->cmdline);
		o->cmdline = xstrdup(arg);
		o->replace_cmdline = true;
		return 0;
	case OPT_APPEND:
		free(o->over.cmdline);
		o->over.cmdline =
			o->over.cmdline
				? xasprintf("%s %s", o->over.cmdline, arg)
				: xstrdup(arg);
		return 0;
	case OPT_DEVICE:
		return parse_device_opt(arg, &o->over) ? 0 : EXIT_USAGE;
	case OPT_TAIL:
		if (!parse_number(arg, 0, 100000, &v))
			return usage_error(
				"--tail: '%s' is not a number of lines", arg);
		o->run.tail = (int)v;
		return 0;
	case OPT_TAP:
		o->run.tap = true;
		return 0;
	case OPT_TAP_VERSION:
		if (!parse_number(arg, 13, 14, &v))
			return usage_error("--tap-version: '%s' is neither 13 "
					   "nor 14",
					   arg);
		o->run.tap_version = (unsigned int)v;
		return 0;
	case 'j':
	case OPT_REPEAT:
		return parse_count_opt(c, arg, o);
	case OPT_RETRIES:
		if (!parse_number(arg, 0, MAX_RETRIES, &v))
			return usage_error("--retries: '%s' is not a whole "
					   "number from 0 to 5",
					   arg);
		o->run.retries = (unsigned int)v;
		return 0;
	case OPT_SHARD:
		return parse_shard_opt(arg, o);
	case OPT_BOOT_MARKER:
	case OPT_KTAP:
		return parse_setting_opt(c == OPT_KTAP ? "ktap" : "boot-marker",
					 arg, &o->over)
			       ? 0
			       : EXIT_USAGE;
	case 'n':
		o->run.dry_run = true;
		return 0;
	case 'v':
		o->run.verbose = true;
		return 0;
	}
	return EXIT_USAGE;
}

/*
 * Options that only one runner reads are usage errors with another, not
 * silently ignored: --accel is the qemu runner's.
 */
static int check_runner_options(const struct runner_settings *r)
{
	char *msg;
	int rc;

	if (!r->accel || !strcmp(r->name, "qemu"))
		return 0;
	msg = xasprintf("--accel is for the qemu runner only, not %s%s: add "
			"--runner qemu",
			r->name,
			!strcmp(r->name, "lguest") ? " (the default runner)"
						   : "");
	rc = usage_error("%s", msg);
	free(msg);
	return rc;
}

static int parse_args(int argc, char **argv, struct cli *o)
{
	static const struct option longopts[] = {
		{"kernel", required_argument, NULL, OPT_KERNEL},
		{"initrd", required_argument, NULL, OPT_INITRD},
		{"mem", required_argument, NULL, OPT_MEM},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"cmdline", required_argument, NULL, OPT_CMDLINE},
		{"append", required_argument, NULL, OPT_APPEND},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"timeout", required_argument, NULL, OPT_DURATION},
		{"idle-timeout", required_argument, NULL, OPT_DURATION},
		{"step-timeout", required_argument, NULL, OPT_DURATION},
		{"boot-timeout", required_argument, NULL, OPT_DURATION},
		{"runner", required_argument, NULL, OPT_RUNNER},
		{"lguest", required_argument, NULL, OPT_LGUEST},
		{"lguest-static", required_argument, NULL, OPT_LGUEST_STATIC},
		{"qemu", required_argument, NULL, OPT_QEMU},
		{"accel", required_argument, NULL, OPT_ACCEL},
		{"tail", required_argument, NULL, OPT_TAIL},
		{"junit", required_argument, NULL, OPT_JUNIT},
		{"json", required_argument, NULL, OPT_JSON},
		{"out", required_argument, NULL, OPT_OUT},
		{"tap", no_argument, NULL, OPT_TAP},
		{"tap-version", required_argument, NULL, OPT_TAP_VERSION},
		{"boot-marker", required_argument, NULL, OPT_BOOT_MARKER},
		{"ktap", required_argument, NULL, OPT_KTAP},
		{"jobs", required_argument, NULL, 'j'},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"repeat", required_argument, NULL, OPT_REPEAT},
		{"retries", required_argument, NULL, OPT_RETRIES},
		{"dry-run", no_argument, NULL, 'n'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc, idx = -1;

	o->run.runner.name = "lguest";
	o->run.tail = DEFAULT_TAIL;
	o->run.tap_version = TAP_VERSION;
	o->run.jobs = default_jobs();
	o->run.repeat = 1;
	while ((c = getopt_long(argc, argv, "+nvhj:", longopts, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(EXIT_PASS);
		}
		if (c == '?')
			return usage_error("%s", "bad option");
		rc = parse_option(c, idx >= 0 ? longopts[idx].name : NULL,
				  optarg, o);
		idx = -1;
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return usage_error("%s", "no scripts given");
	return check_runner_options(&o->run.runner);
}

/* ---- commands --------------------------------------------------------------
 */

/* Parse every script; print every error.  False if any failed. */
static bool load_scripts(char **paths, int n, struct script *scripts)
{
	bool ok = true;
	char *err;
	int i;

	for (i = 0; i < n; i++) {
		if (!script_load(paths[i], &scripts[i], &err)) {
			fprintf(stderr, "lgtest: %s\n", err);
			free(err);
			ok = false;
		}
	}
	return ok;
}

static void free_scripts(struct script *scripts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		script_free(&scripts[i]);
	free(scripts);
}

/* The command-line overrides, laid over a test's own configuration. */
static void apply_overrides(struct testcase *t, const struct cli *o)
{
	if (o->replace_cmdline) {
		free(t->cfg.cmdline);
		t->cfg.cmdline = xstrdup(o->cmdline);
	}
	config_merge(&t->cfg, &o->over);
	config_defaults(&t->cfg);
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Every test of every script, with the command line laid over it. */
static int run_all(struct cli *o, struct script *scripts, int n)
{
	struct testcase **tests = NULL;
	size_t ntests = 0, j;
	int i, rc;

	for (i = 0; i < n; i++) {
		for (j = 0; j < scripts[i].ntests; j++) {
			apply_overrides(&scripts[i].tests[j], o);
			*ARRAY_PUSH(&tests, &ntests) = &scripts[i].tests[j];
		}
	}
	install_signals();
	o->run.interrupted = &interrupted;
	rc = suite_run(&o->run, tests, ntests);
	free(tests);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct cli o = {0};
	struct script *scripts;
	int rc = parse_args(argc, argv, &o);
	int n = argc - optind;

	if (rc)
		return rc;
	scripts = xcalloc((size_t)n, sizeof(*scripts));
	if (!load_scripts(argv + optind, n, scripts))
		rc = EXIT_USAGE;
	else
		rc = run_all(&o, scripts, n);
	free_scripts(scripts, n);
	config_free(&o.over);
	free(o.cmdline);
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	struct script *scripts;
	bool ok;
	int i;

	if (argc < 2)
		return usage_error("%s", "check: no scripts given");
	scripts = xcalloc((size_t)argc - 1, sizeof(*scripts));
	ok = load_scripts(argv + 1, argc - 1, scripts);
	for (i = 0; ok && i < argc - 1; i++)
		printf("%s: %zu tests\n", argv[i + 1], scripts[i].ntests);
	free_scripts(scripts, argc - 1);
	return ok ? EXIT_PASS : EXIT_TESTS_FAILED;
}

/*
 * Classify one log; 0 no crash, 1 crash, 2 unreadable.  With json, the
 * log's element of the output array (first: none written yet).
 */
static int classify_one(const char *path, bool json, bool *first)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct crash_report *rep = xmalloc(sizeof(*rep));
	int rc;

	if (!f) {
		fprintf(stderr, "lgtest: %s: %s\n", path, strerror(errno));
		free(rep);
		return EXIT_USAGE;
	}
	rc = crash_classify_stream(f, rep);
	if (rc < 0)
		fprintf(stderr, "lgtest: %s: %s\n", path, strerror(errno));
	else if (json)
		json_classify_entry(stdout, *first, path, rc ? rep : NULL);
	else if (rc)
		printf("%s: %s (line %d)\n", path, rep->title, rep->start_line);
	else
		printf("%s: no crash\n", path);
	*first = *first && (rc < 0 || !json);
	if (f != stdin)
		fclose(f);
	free(rep);
	return rc < 0 ? EXIT_USAGE : rc;
}

static const char classify_usage[] =
	"Usage: lgtest classify [--json] [LOG...]\n\n"
	"Finds the first kernel crash report in each console log (stdin when "
	"none\nor '-') and prints \"LOG: TITLE (line N)\" or \"LOG: no "
	"crash\".  With --json,\nprints a JSON array instead, one "
	"{\"file\": LOG, \"crash\": ...} per log, the\ncrash null or "
	"{\"title\", \"alt_titles\", \"type\", \"corrupted\", "
	"\"frame\", \"source\",\n\"line\", \"report\", "
	"\"report_cut\"} (see the README's CRASH REPORTS).  Logs are\nread "
	"as streams, in bounded memory.  Exit status: 0 no log holds a "
	"crash,\n1 one does, 2 a log cannot be read or a usage error.\n";

static int cmd_classify(int argc, char **argv)
{
	int i = 1, rc, worst = 0;
	bool json = false, first = true;

	if (argc > 1 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(classify_usage, stdout);
		return EXIT_PASS;
	}
	if (argc > 1 && !strcmp(argv[1], "--json")) {
		json = true;
		i++;
	}
	if (i < argc && argv[i][0] == '-' && argv[i][1])
		return usage_error("classify: unknown option '%s'", argv[i]);
	if (json)
		fputc('[', stdout);
	if (i == argc)
		worst = classify_one("-", json, &first);
	for (; i < argc; i++) {
		rc = classify_one(argv[i], json, &first);
		worst = rc > worst ? rc : worst;
	}
	if (json)
		fputs(first ? "]\n" : "\n]\n", stdout);
	return worst;
}

static int cmd_kvm_probe(int argc, char **argv)
{
	const char *lguest = NULL;
	bool guests = false;
	int i;

	if (argc == 2 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: lgtest kvm-probe [--guests] [--lguest FILE]\n\n"
		       "Prints \"direct\" when this machine's /dev/kvm runs "
		       "the launcher fast\nenough to boot Linux (a 20 M-"
		       "iteration guest loop within 1 s), else\n\"nested\" "
		       "(no /dev/kvm, or a software KVM): the choice the "
		       "lguest\nrunner, make test and the boot scripts "
		       "make.  With --guests, the choice\nfor the tiny test "
		       "guests of the integration suites: \"direct\" on any\n"
		       "/dev/kvm that runs them (a 20 k-iteration loop "
		       "within 5 s; a software\nKVM does), else \"nested\".  "
		       "The reason goes to stderr.\nLGUEST_RUNNER="
		       "direct|nested overrides both.  Exit status 0, or 2 "
		       "on\na usage error.\n");
		return EXIT_PASS;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--guests"))
			guests = true;
		else if (!strcmp(argv[i], "--lguest") && i + 1 < argc)
			lguest = argv[++i];
		else
			return usage_error("%s", "kvm-probe takes only "
						 "--guests and --lguest FILE");
	}
	return lguest_probe_command(lguest, guests);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "no command given (run, check, "
					 "classify or initramfs)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "classify"))
		return cmd_classify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "initramfs"))
		return cmd_initramfs(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kvm-probe"))
		return cmd_kvm_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exec") || !strcmp(argv[1], "shell"))
		return cmd_exec(argc - 1, argv + 1);
	/* The nested runner's client and agent (nested_host.c); not for
	 * users. */
	if (!strcmp(argv[1], "nested-client"))
		return nested_client(argc - 1, argv + 1);
	if (!strcmp(argv[1], "nested-agent"))
		return nested_agent(argc - 1, argv + 1);
	/* The qemu runner's own child (runner_qemu.c); not for users. */
	if (!strcmp(argv[1], "qemu-supervise"))
		return qemu_supervise(argc - 1, argv + 1, &share_virtiofsd_ops);
	return usage_error("unknown command '%s' (run, check, classify or "
			   "initramfs)",
			   argv[1]);
}
